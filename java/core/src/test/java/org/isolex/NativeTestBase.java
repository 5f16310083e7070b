package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.function.Executable;

/**
 * Base of every test that creates interpreters. After each test it checks that the test
 * closed all its interpreters, closes whatever it left open (so one failure does not spill
 * into the next test), and asserts that the process holds no native memory and no extension
 * library any more ({@code Host.liveNativeBytes() == 0}; queues and shared buffers, which
 * outlive interpreters, included: {@code Host.sharedBytes() == 0}), and that the debug-mode violation
 * log holds nothing the test did not take.
 */
abstract class NativeTestBase {
    static final Path EXTENSIONS = dir("isolex.extensions.dir");
    static final Path TEST_EXT = dir("isolex.testext.dir");
    /** The checkout root (for README.md files the tests read). */
    static final Path SOURCE_ROOT = dir("isolex.source.dir");
    /**
     * Where {@link #newHost()}'s interpreters run: {@link Isolation#IN_PROCESS}, or
     * {@link Isolation#WORKER_PROCESS} when the system property {@code isolex.test.isolation}
     * says so: the second surefire execution of java/core/pom.xml runs the suites that apply
     * in worker processes that way (issue 14: the same tests, the same results).
     */
    static final Isolation ISOLATION = Isolation.valueOf(System.getProperty("isolex.test.isolation", "IN_PROCESS"));

    private final List<Host> hosts = new ArrayList<>();

    private static Path dir(String property) {
        String v = System.getProperty(property);
        if (v == null) throw new IllegalStateException("system property " + property + " is not set (run through Maven)");
        return Path.of(v).toAbsolutePath().normalize();
    }

    /** A host with the shipped extensions and the test extensions on its module path. */
    Host newHost() {
        return track(Host.builder().modulePath(EXTENSIONS, TEST_EXT).isolation(ISOLATION).build());
    }

    Host track(Host host) {
        hosts.add(host);
        return host;
    }

    @AfterEach
    void everythingClosedAndFreed() {
        long stillOpen = Host.liveInterpreters();
        List<String> open = new ArrayList<>();
        for (Host h : hosts) for (Interpreter i : h.interpreters()) open.add(i.toString());
        RuntimeException closing = null;
        for (Host h : hosts) {
            try {
                h.close();
            } catch (RuntimeException e) {
                closing = e;
            }
        }
        hosts.clear();
        if (stillOpen != 0) fail("the test left " + stillOpen + " interpreter(s) open: " + open);
        if (closing != null) throw closing;
        assertEquals(0, Host.liveInterpreters(), "live interpreters after the test");
        // queues and shared buffers (ABI.md 11) outlive interpreters: a test closes its own
        assertEquals(0, Host.sharedBytes(), "shared bytes (queues, buffers) after the test");
        assertEquals(0, Host.liveNativeBytes(), "live native bytes after the test");
        assertEquals(0, Host.loadedLibraries(), "extension libraries still loaded after the test");
        // worker processes (ABI.md 13.14): each was asked for its live bytes after its
        // interpreter closed; any left is a leak the worker's exit would have hidden
        assertEquals(0, WorkerProcess.bytesLeftAtClose(), "native bytes left in worker processes after close");
        // debug interpreters (ABI.md 10) log violations process-wide; a test that caused one
        // takes it (Host.debugViolations()), so anything left here is unexpected
        assertEquals(List.of(), Host.debugViolations(), "debug-mode violations nobody expected");
    }

    // ------------------------------------------------------------------ helpers

    static <T extends Throwable> T assertThrowsMessage(Class<T> type, String message, Executable body) {
        T e = assertThrows(type, body);
        assertEquals(message, e.getMessage());
        return e;
    }

    /** Asserts a NativeError's type, message and (optionally) cause chain "Type: message". */
    static NativeError assertNativeError(String typeName, String message, Executable body, String... causes) {
        NativeError e = assertThrows(NativeError.class, body);
        assertEquals(typeName, e.typeName(), () -> "type of " + e.getMessage());
        assertEquals(message, e.nativeMessage());
        assertEquals(typeName + ": " + message, e.getMessage());
        NativeError c = e.getCause();
        for (String cause : causes) {
            if (c == null) fail("expected cause " + cause + " of " + e.getMessage());
            assertEquals(cause, c.getMessage());
            c = c.getCause();
        }
        assertEquals(null, c, "no further cause");
        return e;
    }

    /** Lines of /proc/self/maps that map a file with this name. */
    static boolean isMapped(Path file) {
        try {
            String needle = file.toAbsolutePath().normalize().toString();
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                if (line.endsWith(" " + needle)) return true;
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void assertMapped(boolean expected, Path file) {
        assertEquals(expected, isMapped(file), () -> file + (expected ? " should be mapped" : " should be unmapped"));
    }

    static void assertTrueMsg(boolean b, String msg) {
        assertTrue(b, msg);
    }
}
