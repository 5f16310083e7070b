package org.isolex;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.bytedeco.javacpp.Loader;

/**
 * A child JVM running one {@code main} of the test classes with isolex on its class path: for
 * what must not happen in the test JVM itself — a leak LeakSanitizer reports at exit
 * ({@link LsanCatchesRawLeakTest}), or a crash that would take the whole run down before a
 * fix ({@link DeepGraphTest}, {@link HostileLoadingTest}, {@link DebugHardeningTest}), or a
 * program of the docs, run as a user would run it ({@link DocExamplesTest}).
 */
final class ChildJvm {
    /** How a child ended; {@link #describe()} is everything, for assertion messages. */
    record Result(boolean finished, int exitCode, long millis, String stdout, String stderr, List<String> command) {
        String describe() {
            return "command: " + String.join(" ", command) + "\nexit code: " + (finished ? exitCode : "(killed)")
                    + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    private ChildJvm() {}

    /** The class path entry (directory or jar) {@code c} was loaded from. */
    static String location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /** {@code java ... main args}: this JVM's java, the test classes, isolex and JavaCPP. */
    static List<String> command(Class<?> main, String... args) throws URISyntaxException {
        Set<String> classPath = new LinkedHashSet<>();
        classPath.add(location(main));          // target/test-classes
        classPath.add(location(Host.class));    // target/classes, with the JNI library
        // the FFM path, as on the parent's class path (java/core/pom.xml): a JDK 22+ child calls
        // through it as the parent does; a JDK 17 one never loads it
        Path ffm = Path.of(location(Host.class), "META-INF", "versions", "22");
        if (Files.isDirectory(ffm)) classPath.add(ffm.toString());
        classPath.add(location(Loader.class));  // the javacpp jar
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                // a crash report goes where it litters nothing (describe() shows the path)
                "-XX:ErrorFile=" + Path.of(System.getProperty("java.io.tmpdir"), "isolex-child-hs_err_pid%p.log"),
                "-cp", String.join(":", classPath)));
        // isolex.worker: the ixworker of worker-process interpreters (issue 14)
        for (String prop : List.of("org.bytedeco.javacpp.cachedir", "isolex.worker")) {
            if (System.getProperty(prop) != null) command.add("-D" + prop + "=" + System.getProperty(prop));
        }
        command.add(main.getName());
        command.addAll(List.of(args));
        return command;
    }

    /** Runs the command with {@code env} added, waiting at most {@code timeoutSeconds}. */
    static Result run(List<String> command, Map<String, String> env, long timeoutSeconds)
            throws IOException, InterruptedException {
        return run(command, env, timeoutSeconds, null);
    }

    /** The same, in {@code directory} (null: this JVM's working directory). */
    static Result run(List<String> command, Map<String, String> env, long timeoutSeconds, Path directory)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        if (directory != null) pb.directory(directory.toFile());
        Path out = Files.createTempFile("isolex-child", ".out");
        Path err = Files.createTempFile("isolex-child", ".err");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            long t0 = System.nanoTime();
            Process p = pb.start();
            boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!done) p.destroyForcibly().waitFor();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            return new Result(done, done ? p.exitValue() : -1, ms, Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8), command);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
