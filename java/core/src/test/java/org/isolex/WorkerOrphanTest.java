package org.isolex;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Workers die with their parent (issue 14; native/worker/README.md, "No orphans"): a child
 * JVM with a worker-process interpreter, busy inside a call or idle, is killed with SIGKILL;
 * its worker must be gone within 5 s (the worker's watchdog measures ~10 ms).
 */
class WorkerOrphanTest {

    @ParameterizedTest
    @ValueSource(strings = {"busy", "idle"})
    void theWorkerOfAKilledJvmEnds(String mode) throws Exception {
        List<String> command = ChildJvm.command(WorkerOrphanChild.class,
                System.getProperty("isolex.testext.dir"), mode);
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long worker = workerPid(child);
            if (mode.equals("busy")) Thread.sleep(200); // inside crasher.loop() by now
            assertTrue(running(worker), "the worker runs before the kill");
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (running(worker)) {
                if (System.nanoTime() - until > 0) fail("worker " + worker + " outlived its killed JVM by 5 s");
                Thread.sleep(10);
            }
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    private static long workerPid(Process child) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("worker ")) return Long.parseLong(line.substring(7).trim());
        }
        throw new AssertionError("the child JVM printed no worker pid (exit " + child.isAlive() + ")");
    }

    /** True while the process exists and is no zombie (an orphan's zombie waits for whoever adopted it). */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }
}
