package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Crash containment (issue 14, abi/ABI.md 13.10-13.13): every way test-ext/crasher kills the
 * process it runs in, in a worker-process interpreter: the exception on the call in flight and
 * its content (signal or exit status, the symbolized backtrace naming the crasher's function),
 * every later use throwing it again, the host and another interpreter going on, and nothing
 * left behind: no child process of this JVM, no descriptor (/proc/self/fd), no temporary
 * directory. Everything here runs in worker processes, so it is safe in the JUnit JVM.
 */
class WorkerCrashTest extends NativeTestBase {

    Host workerHost() {
        return track(Host.builder().modulePath(EXTENSIONS, TEST_EXT).isolation(Isolation.WORKER_PROCESS).build());
    }

    /** The descriptors this JVM has open now. */
    static Set<String> fds() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Live child processes of this JVM. */
    static List<Long> children() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .collect(Collectors.toList());
    }

    /**
     * Asserts that no child process and no new descriptor is left. Descriptors the JVM opens
     * for itself on first use (a jar, a selector's epoll set the first time ...) settle after
     * one warm-up, so the test compares against a count taken after a first worker came and went.
     */
    static void assertNothingLeft(Set<String> before) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            Set<String> now = fds();
            List<Long> kids = children();
            boolean fdsOk = before.containsAll(now);
            if (fdsOk && kids.isEmpty()) return;
            if (System.nanoTime() - until > 0) {
                now.removeAll(before);
                assertEquals(List.of(), kids, "child processes left");
                assertEquals(Set.of(), now, "descriptors left: " + now.stream().map(WorkerCrashTest::describeFd)
                        .collect(Collectors.joining(", ")));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static String describeFd(String fd) {
        try {
            return fd + " -> " + Files.readSymbolicLink(Path.of("/proc/self/fd", fd));
        } catch (IOException e) {
            return fd + " (gone)";
        }
    }

    /** A worker that starts, calls and closes, so the JVM's own lazily opened descriptors are open. */
    void warmUp(Host host) {
        try (Interpreter i = host.newInterpreter()) {
            assertEquals("pong", i.importModule("crasher").invoke("ping"));
        }
    }

    @Test
    void aWorkerInterpreterBehavesAsOneInProcess() {
        Host host = workerHost();
        try (Interpreter interp = host.newInterpreter()) {
            assertEquals(Isolation.WORKER_PROCESS, interp.isolation());
            assertTrue(interp.workerPid().isPresent());
            ExtensionModule counter = interp.importModule("counter");
            try (Handle c = (Handle) counter.invoke("Counter")) {
                c.invoke("increment");
                assertEquals(2L, c.invoke("increment"));
            }
            assertNativeError("ImportError", "no module named 'no_such_module' (searched: " + EXTENSIONS + ", "
                    + TEST_EXT + ")", () -> interp.importModule("no_such_module"));
            assertTrue(interp.liveBytes() > 0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "segfault,  11, SIGSEGV, crasher_segfault",
        "bus_error,  7, SIGBUS,  crasher_bus_error",
        "illegal,    4, SIGILL,  crasher_illegal",
        "abort,      6, SIGABRT, crasher_abort",
        "overflow,  11, SIGSEGV, crasher_recurse",
    })
    void aFatalSignalBecomesAnInterpreterCrashedException(String call, int signal, String name, String function) {
        Host host = workerHost();
        warmUp(host);
        Set<String> before = fds();
        try (Interpreter other = host.newInterpreter()) {
            ExtensionModule otherCounter = other.importModule("counter");
            Interpreter interp = host.newInterpreter();
            long pid = interp.workerPid().getAsLong();
            ExtensionModule crasher = interp.importModule("crasher");
            InterpreterCrashedException e = assertThrows(InterpreterCrashedException.class, () -> crasher.invoke(call));
            assertEquals(OptionalInt.of(signal), e.signal());
            assertEquals(Optional.of(name), e.signalName());
            assertEquals(OptionalInt.empty(), e.exitStatus());
            assertFalse(e.killedForDeadline());
            assertEquals(interp.id(), e.interpreterId());
            assertEquals(pid, e.workerPid());
            assertTrue(e.crashReport().contains("signal: " + signal + " " + name), e.crashReport());
            assertTrue(e.crashReport().contains(function), e.crashReport());
            assertTrue(e.getMessage().startsWith("interpreter " + interp.id() + " crashed: its worker process (pid "
                    + pid + ") was killed by signal " + signal + " (" + name + ")\n"), e.getMessage());
            // every later use says the same
            assertThrows(InterpreterCrashedException.class, () -> crasher.invoke("ping"));
            assertThrows(InterpreterCrashedException.class, () -> interp.importModule("counter"));
            assertThrows(InterpreterCrashedException.class, interp::liveBytes);
            interp.close(); // allowed: nothing to free, no leak report
            assertThrows(InterpreterCrashedException.class, () -> crasher.invoke("ping"));
            // the host and the other interpreter go on
            try (Handle c = (Handle) otherCounter.invoke("Counter")) {
                assertEquals(1L, c.invoke("increment"));
            }
            try (Interpreter fresh = host.newInterpreter()) {
                assertEquals("pong", fresh.importModule("crasher").invoke("ping"));
            }
        }
        assertNothingLeft(before);
    }

    @Test
    void exitIsACrashWithItsStatus() {
        Host host = workerHost();
        warmUp(host);
        Set<String> before = fds();
        try (Interpreter interp = host.newInterpreter()) {
            ExtensionModule crasher = interp.importModule("crasher");
            InterpreterCrashedException e = assertThrows(InterpreterCrashedException.class,
                    () -> crasher.invoke("exit_with", 7));
            assertEquals(OptionalInt.of(7), e.exitStatus());
            assertEquals(OptionalInt.empty(), e.signal());
            assertEquals("", e.crashReport());
            assertEquals("interpreter " + interp.id() + " crashed: its worker process (pid " + e.workerPid()
                    + ") exited with status 7", e.getMessage());
        }
        assertNothingLeft(before);
    }

    @Test
    void aCallPastItsDeadlineKillsTheWorker() {
        Host host = workerHost();
        warmUp(host);
        Set<String> before = fds();
        try (Interpreter interp = host.newInterpreter()) {
            ExtensionModule crasher = interp.importModule("crasher");
            CallTimeoutException t;
            try (Deadline d = Deadline.after(Duration.ofMillis(300))) {
                t = assertThrows(CallTimeoutException.class, () -> crasher.invoke("loop"));
            }
            assertEquals(interp.id(), t.interpreterId());
            InterpreterCrashedException e = assertThrows(InterpreterCrashedException.class,
                    () -> crasher.invoke("ping"));
            assertTrue(e.killedForDeadline());
            assertEquals(Optional.of("SIGKILL"), e.signalName());
        }
        assertNothingLeft(before);
    }

    @Test
    void theInterpretersCallTimeoutAppliesToEachCall() {
        Host host = workerHost();
        try (Interpreter interp = host.interpreterBuilder().callTimeout(Duration.ofMillis(300)).build()) {
            ExtensionModule crasher = interp.importModule("crasher");
            assertEquals("pong", crasher.invoke("ping"));
            assertThrows(CallTimeoutException.class, () -> crasher.invoke("loop"));
        }
    }

    @Test
    void aKillFromOutsideIsReportedAsSigkill() throws Exception {
        Host host = workerHost();
        try (Interpreter interp = host.newInterpreter()) {
            ExtensionModule crasher = interp.importModule("crasher");
            ProcessHandle worker = ProcessHandle.of(interp.workerPid().getAsLong()).orElseThrow();
            // what the kernel's OOM killer does: SIGKILL, no report
            new ProcessBuilder("kill", "-9", Long.toString(worker.pid())).start().waitFor();
            worker.onExit().get(5, TimeUnit.SECONDS);
            InterpreterCrashedException e = assertThrows(InterpreterCrashedException.class,
                    () -> crasher.invoke("ping"));
            assertEquals(Optional.of("SIGKILL"), e.signalName());
            assertFalse(e.killedForDeadline());
            assertTrue(e.getMessage().endsWith("from outside the host (the kernel's OOM killer sends SIGKILL)"),
                    e.getMessage());
        }
    }

    @Test
    void aPoolReplacesACrashedWorker() throws Exception {
        Host host = workerHost();
        try (InterpreterPool pool = InterpreterPool.builder(host).size(1).imports("crasher").build()) {
            long first = pool.submit(i -> i.workerPid().getAsLong()).get();
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> pool.submit(i -> i.importModule("crasher").invoke("abort")).get());
            assertTrue(e.getCause() instanceof InterpreterCrashedException, e.toString());
            // the next task gets a new worker, its imports done
            long second = pool.submit(i -> i.workerPid().getAsLong()).get();
            assertTrue(first != second);
            assertEquals("pong", pool.submit(i -> i.importModule("crasher").invoke("ping")).get());
        }
    }

    @Test
    void queuesSharedBuffersAndBufferExportsAreRefusedWithTheWorkersMessage() {
        Host host = workerHost();
        try (Interpreter interp = host.newInterpreter(); SharedQueue q = Host.newQueue()) {
            ExtensionModule channels = interp.importModule("channels");
            assertNativeError("NotImplementedError", "queues and shared buffers cannot cross to a worker process"
                    + " (isolex worker protocol 1): use an in-process interpreter for them",
                    () -> channels.invoke("put", q, 1L));
            assertNativeError("NotImplementedError", "queues and shared buffers cannot cross to a worker process"
                    + " (isolex worker protocol 1): use an in-process interpreter for them",
                    () -> channels.invoke("new_queue", 4L));
            ExtensionModule xx = interp.importModule("xxlimited");
            try (Handle x = (Handle) xx.invoke("new")) {
                assertNativeError("NotImplementedError", "a buffer export (IXH_PROTO_BUFFER) cannot cross to a worker"
                        + " process (isolex worker protocol 1): its memory is in the worker", x::byteBuffer);
                assertEquals("pong", interp.importModule("crasher").invoke("ping"), "the interpreter goes on");
            }
        }
    }

    @Test
    void typedFunctionsGiveTheSameResultsThroughTheWorker() {
        Host host = workerHost();
        try (Interpreter interp = host.newInterpreter()) {
            ExtensionModule typed = interp.importModule("typed");
            try (TypedFunction add1 = typed.typedFunction("add1", "l:l")) {
                assertEquals(2L, add1.callLong(1));
                long[] out = new long[3];
                add1.callEach(new long[] {1, 2, 3}, out);
                assertEquals(List.of(2L, 3L, 4L), List.of(out[0], out[1], out[2]));
            }
        }
    }
}
