package org.isolex.bench;

import java.nio.file.Files;
import java.nio.file.Path;

import org.isolex.Host;

/**
 * Where the benchmarks find things: the checkout root (system property {@code isolex.root},
 * set by {@code ./isolex}; else the first directory up from the working directory that has
 * {@code target/cmake}), the extension module path ({@code isolex.bench.modulePath}; else
 * {@code target/cmake/extensions:target/cmake/test-ext} under the root: the benchmarks use
 * {@code probe} and {@code channels} from test-ext), and the C driver.
 */
public final class BenchEnv {
    private BenchEnv() {}

    /** The checkout root. */
    public static Path root() {
        String p = System.getProperty("isolex.root");
        if (p != null && !p.isEmpty()) return Path.of(p).toAbsolutePath().normalize();
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("target/cmake")) && Files.isRegularFile(d.resolve("pom.xml"))) return d;
        }
        return dir;
    }

    /** The module path, ':'-separated. */
    public static String modulePath() {
        String p = System.getProperty("isolex.bench.modulePath");
        if (p != null && !p.isEmpty()) return p;
        Path cmake = root().resolve("target/cmake");
        return cmake.resolve("extensions") + ":" + cmake.resolve("test-ext");
    }

    /** A host builder on {@link #modulePath()}. */
    public static Host.Builder hostBuilder() {
        Host.Builder b = Host.builder();
        for (String dir : modulePath().split(":")) {
            if (!dir.isEmpty()) b.addModulePath(Path.of(dir));
        }
        return b;
    }

    /** The C driver (target/cmake/bin/ixdriver), or null when it was not built. */
    public static Path driver() {
        String p = System.getProperty("isolex.bench.driver");
        Path d = p != null && !p.isEmpty() ? Path.of(p) : root().resolve("target/cmake/bin/ixdriver");
        return Files.isExecutable(d) ? d : null;
    }
}
