package example.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.isolex.ExtensionModule;
import org.isolex.Handle;
import org.isolex.Host;
import org.isolex.Interpreter;
import org.isolex.NativeError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Loads the NAR-built stats.so through the isolex Java API, as an application would.
 * The build copies it to the directory named by the system property stats.module.dir
 * (see pom.xml, execution stage-extension).
 */
class StatsExtensionTest {

    private static Path moduleDir;

    @BeforeAll
    static void findModule() {
        String dir = System.getProperty("stats.module.dir");
        assertTrue(dir != null, "stats.module.dir is not set: run the test through Maven (mvn test)");
        moduleDir = Path.of(dir);
        assertTrue(Files.isRegularFile(moduleDir.resolve("stats.so")),
                "no stats.so in " + moduleDir + ": the build's stage-extension step did not run");
    }

    /** Whatever a test did, every native byte must be freed once its host is closed. */
    @AfterEach
    void nothingLeftBehind() {
        assertEquals(0, Host.liveNativeBytes(), "native bytes still allocated after the host closed");
    }

    @Test
    void runningStatisticsWithSeparateStatePerInterpreter() {
        try (Host host = Host.builder().modulePath(moduleDir).build();
             Interpreter a = host.newInterpreter();
             Interpreter b = host.newInterpreter()) {
            ExtensionModule statsA = a.importModule("stats");
            ExtensionModule statsB = b.importModule("stats");   // its own instance and state

            try (Handle running = (Handle) statsA.invoke("Running")) {
                long count = 0;
                for (double x : new double[] {2, 4, 4, 4, 5, 5, 7, 9}) {
                    count = (Long) running.invoke("push", x);
                }
                assertEquals(8L, count);
                assertEquals(8L, running.getAttr("count"));
                assertEquals(5.0, (Double) running.invoke("mean"), 1e-12);
                // sample standard deviation: the squared distances from 5 sum to 32, over n - 1
                assertEquals(Math.sqrt(32.0 / 7), (Double) running.invoke("stddev"), 1e-12);
            }
            try (Handle running = (Handle) statsB.invoke("Running")) {
                running.invoke("push", 3L);                     // an int is accepted too
                assertEquals(3.0, (Double) running.invoke("mean"), 0.0);
            }

            // pushes() counts per interpreter: b's push is not in a's tally
            assertEquals(8L, statsA.invoke("pushes"));
            assertEquals(1L, statsB.invoke("pushes"));
        }
    }

    @Test
    void errorsComeBackAsNativeErrors() {
        try (Host host = Host.builder().modulePath(moduleDir).build();
             Interpreter interp = host.newInterpreter()) {
            ExtensionModule stats = interp.importModule("stats");

            NativeError args = assertThrows(NativeError.class, () -> stats.invoke("Running", 1L));
            assertEquals("TypeError", args.typeName());
            assertEquals("stats.Running() takes no arguments (1 given)", args.nativeMessage());

            try (Handle running = (Handle) stats.invoke("Running")) {
                NativeError empty = assertThrows(NativeError.class, () -> running.invoke("mean"));
                assertEquals("ValueError", empty.typeName());
                assertEquals("mean() needs at least 1 value, got 0", empty.nativeMessage());

                running.invoke("push", 1.5);
                NativeError one = assertThrows(NativeError.class, () -> running.invoke("stddev"));
                assertEquals("stddev() needs at least 2 values, got 1", one.nativeMessage());

                assertThrows(NativeError.class, () -> running.invoke("push", "not a number"));
                assertEquals(1L, running.getAttr("count"));     // the failed push added nothing
            }
        }
    }
}
