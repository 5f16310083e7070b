package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * LeakSanitizer catches what the interpreter's own accounting cannot: a raw {@code malloc}
 * leak in an extension (test-ext/rawleak). The interpreter closes clean — the block never
 * went through {@code IxMem_Malloc} — but a JVM with liblsan preloaded exits with LSan's exit
 * code and a report naming {@code rawleak.so} and {@code rawleak_leak}.
 *
 * <p>The leak is made in a <em>child</em> JVM ({@link RawLeakChild}), never in this one, so
 * that the test run itself stays clean under the {@code lsan} profile. The child gets the
 * same {@code LD_PRELOAD} and {@code LSAN_OPTIONS} as this JVM when it runs under LSan (the
 * {@code lsan} profile, {@code ISOLEX_LSAN=1}); otherwise the profile's library and options,
 * passed in as the system properties {@code isolex.lsan.library} and
 * {@code isolex.lsan.options} — so the test proves the recipe from a plain {@code mvn verify}
 * too. It is skipped only when the LeakSanitizer runtime is not installed.
 */
class LsanCatchesRawLeakTest {
    private static final Path TEST_EXT = Path.of(System.getProperty("isolex.testext.dir")).toAbsolutePath().normalize();

    /** True when liblsan is loaded into this JVM (the lsan profile preloads it). */
    static boolean runningUnderLsan() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            if (line.contains("/liblsan.so")) return true;
        }
        return false;
    }

    @Test
    void leakSanitizerNamesARawMallocLeakInAnExtension() throws Exception {
        boolean underLsan = runningUnderLsan();
        String preload;
        String options;
        if (underLsan) {
            preload = System.getenv("LD_PRELOAD");
            options = System.getenv("LSAN_OPTIONS");
        } else {
            Path lib = Path.of(System.getProperty("isolex.lsan.library", "/usr/lib/x86_64-linux-gnu/liblsan.so.0"));
            assumeTrue(Files.isReadable(lib), "the LeakSanitizer runtime " + lib
                    + " is missing (Debian/Ubuntu: apt-get install liblsan0): cannot run the child JVM under LSan");
            preload = lib.toString();
            options = System.getProperty("isolex.lsan.options");
        }
        assertTrue(options != null && options.contains("exitcode=23"), "LSAN_OPTIONS must set exitcode=23: " + options);

        long t0 = System.nanoTime();
        ChildJvm.Result child = ChildJvm.run(RawLeakChild.class, List.of(TEST_EXT.toString()),
                Map.of("LD_PRELOAD", preload, "LSAN_OPTIONS", options));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String stdout = child.stdout();
        String stderr = child.stderr();
        String all = "LD_PRELOAD=" + preload + "\nLSAN_OPTIONS=" + options + "\n" + child.describe();
        assertTrue(child.exitCode() >= 0, "the child JVM did not finish in " + ChildJvm.TIMEOUT_SECONDS + " s\n" + all);
        System.out.printf("lsan: child JVM (%s) exited %d after %d ms%n",
                underLsan ? "same LSan settings as this JVM" : "LSan preloaded by the test", child.exitCode(), ms);

        assertTrue(stdout.contains("interpreter closed without a leak report; isolex live bytes 0"),
                "the interpreter's own accounting cannot see a raw malloc\n" + all);
        assertEquals(23, child.exitCode(), "LeakSanitizer's exit code (exitcode=23)\n" + all);
        assertTrue(stderr.contains("ERROR: LeakSanitizer: detected memory leaks"), all);
        assertTrue(stderr.contains("Direct leak of 1000 byte(s) in 1 object(s) allocated from:"), all);
        assertTrue(stderr.contains("rawleak.so"), "the report names the extension library\n" + all);
        assertTrue(stderr.contains("rawleak_leak"), "the report names the leaking function\n" + all);
        // the suppressions hide the JVM's own allocations: the leak is the only one reported
        assertTrue(stderr.contains("SUMMARY: LeakSanitizer: 1000 byte(s) leaked in 1 allocation(s)."),
                "a leak other than rawleak's was reported: a JVM library missing from valgrind/lsan-jvm.supp,"
                        + " or a leak of ours\n" + all);
    }
}
