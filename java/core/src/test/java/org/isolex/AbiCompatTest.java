package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Extensions built for ABI 1.0 and 1.1, committed as binaries (test-ext/abi-compat), load on
 * this host and give the results today's builds give (ABI.md 1.3): the same calls run on the
 * shipped counter and fact and on the old files, in two interpreters at once, and the
 * transcripts must be equal. The old files must be the ones loaded (mapped from their
 * directory, and their definitions say their ABI version).
 */
class AbiCompatTest extends NativeTestBase {
    static final Path ABI_COMPAT = Path.of(System.getProperty("isolex.abicompat.dir")).toAbsolutePath().normalize();

    /** Counter, fact and lifecycle calls of IsolationTest, LifetimeTest, ErrorsTest, in one list. */
    private static List<Object> transcript(Interpreter interp) {
        List<Object> t = new ArrayList<>();
        ExtensionModule counter = interp.importModule("counter");
        try (Handle c = (Handle) counter.invoke("Counter", 5L, 2L)) {
            t.add(c.invoke("increment"));
            t.add(c.invoke("increment"));
            t.add(c.invoke("add", 7L));
            t.add(counter.invoke("value_of", c));
            t.add(c.getAttr("value"));
            t.add(c.typeName());
        }
        t.add(counter.invoke("created"));
        t.add(counter.invoke("increments"));
        t.add(message(() -> counter.invoke("value_of", 3L)));
        t.add(message(() -> counter.invoke("created", 1L)));
        ExtensionModule fact = interp.importModule("fact");
        t.add(fact.invoke("factorial", 30L));
        t.add(fact.invoke("digits", 1000L));
        t.add(fact.invoke("factorial_digits", 500L));
        t.add(message(() -> fact.invoke("factorial", -1L)));
        ExtensionModule lifecycle = interp.importModule("lifecycle");
        t.add(lifecycle.invoke("state_was_zeroed"));
        t.add(lifecycle.invoke("incr"));
        t.add(lifecycle.invoke("incr"));
        t.add(lifecycle.invoke("get"));
        t.add(lifecycle.invoke("order"));
        return t;
    }

    private static String message(Runnable call) {
        try {
            call.run();
            return "no error";
        } catch (NativeError e) {
            return e.getMessage();
        }
    }

    /** The transcripts of two interpreters of host, run at the same instant. */
    private static List<List<Object>> inParallel(Host host) throws Exception {
        try (Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            Interpreter[] both = {a, b};
            return Together.run(2, i -> () -> transcript(both[i]));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.0", "1.1"})
    void oldBinariesGiveTodaysResultsInTwoInterpretersAtOnce(String version) throws Exception {
        Path dir = ABI_COMPAT.resolve(version);
        int minor = Integer.parseInt(version.substring(2));
        List<List<Object>> today = inParallel(newHost());
        assertEquals(today.get(0), today.get(1));
        assertEquals(List.of(7L, 9L, 16L, 16L, 16L, "counter.Counter", 1L, 2L), today.get(0).subList(0, 8));

        Host old = track(Host.builder().modulePath(dir, TEST_EXT).build());
        assertEquals(today, inParallel(old), "ABI " + version + " binaries against today's builds");

        try (Interpreter interp = old.newInterpreter()) {
            for (String name : List.of("counter", "fact", "lifecycle")) {
                ExtensionModule m = interp.importModule(name);
                assertMapped(true, dir.resolve(name + ".so"));
                assertEquals(List.of(1, minor), List.of(m.definition().abiMajor(), m.definition().abiMinor()), name);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.0", "1.1"})
    void oldLegacyModuleIsFencedAsToday(String version) {
        Host old = track(Host.builder().modulePath(ABI_COMPAT.resolve(version), TEST_EXT).build());
        try (Interpreter a = old.newInterpreter(); Interpreter b = old.newInterpreter()) {
            LegacyTest.legacyPointIsFenced(a, b);
            assertMapped(true, ABI_COMPAT.resolve(version).resolve("legacy_point.so"));
        }
    }

    /** channels, built for 1.1 (queues and shared buffers are 1.1): one queue and one buffer
     *  used from two interpreters, as QueueTest and SharedBufferTest use today's build. */
    @ParameterizedTest
    @ValueSource(strings = {"1.1"})
    void oldChannelsShareAQueueAndABuffer(String version) throws Exception {
        Path dir = ABI_COMPAT.resolve(version);
        assertTrue(Files.isRegularFile(dir.resolve("channels.so")));
        Host old = track(Host.builder().modulePath(dir, TEST_EXT).build());
        try (SharedQueue q = Host.newQueue(); SharedBuffer buf = Host.newBuffer(16);
             Interpreter a = old.newInterpreter(); Interpreter b = old.newInterpreter()) {
            ExtensionModule chA = a.importModule("channels");
            ExtensionModule chB = b.importModule("channels");
            assertMapped(true, dir.resolve("channels.so"));
            assertEquals(16L, chA.invoke("fill", buf, 3L));
            assertEquals(48L, chB.invoke("checksum", buf));
            assertEquals(chA.invoke("address", buf), chB.invoke("address", buf), "one copy of the bytes");
            chA.invoke("put", q, new Object[] {42L, "x"}, 1.0);  // a tuple: shareable
            assertEquals(1L, chB.invoke("size", q));
            assertEquals(List.of(42L, "x"), chB.invoke("get", q, 1.0));
            assertEquals(0, q.size());
        }
    }
}
