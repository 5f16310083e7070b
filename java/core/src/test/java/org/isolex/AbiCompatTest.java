package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Extensions built for ABI 1.0, 1.1 and 1.2, committed as binaries (test-ext/abi-compat), load
 * on this host and give the results today's builds give (ABI.md 1.3): the same calls run on the
 * shipped counter and fact and on the old files, in two interpreters at once, and the
 * transcripts must be equal; from 1.2 on, the same for capi_provider + capi_user, xxlimited and
 * vector. The old files must be the ones loaded (mapped from their directory, and their
 * definitions say their ABI version).
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

    /**
     * The main features of the modules frozen from 1.2 on, in one list: capi_user calling
     * capi_provider through its capsule, xxlimited's functions, types, attributes and buffer,
     * vector's sequence protocol, iteration, methods, keywords and buffer. Only behaviour the
     * modules document, which a later host keeps (ABI.md 1.3).
     */
    private static List<Object> portsTranscript(Interpreter interp) {
        List<Object> t = new ArrayList<>();
        ExtensionModule user = interp.importModule("capi_user");
        t.add(user.invoke("next_serial"));
        t.add(user.invoke("next_serial"));
        t.add(user.invoke("stamp", "x"));
        t.add(interp.importModule("capi_provider").invoke("issued"));

        ExtensionModule xx = interp.importModule("xxlimited");
        t.add(xx.invoke("foo", 1L, 2L));
        t.add(xx.invoke("foo", Long.MAX_VALUE, Long.MAX_VALUE));
        t.add(message(() -> xx.invoke("foo", 1L, "x")));
        try (Handle xxoType = (Handle) xx.getAttr("Xxo"); Handle x = (Handle) xx.invoke("new");
                Handle y = (Handle) xxoType.call()) {
            t.add(x.typeName());
            t.add(x.invoke("demo", "s"));
            try (Handle same = (Handle) x.invoke("demo", y)) {
                t.add(same.sameObject(y));
            }
            x.setAttr("spam", 5L);
            t.add(x.getAttr("spam"));
            x.delAttr("spam");
            t.add(message(() -> x.getAttr("spam")));
            t.add(message(() -> x.delAttr("spam")));
            t.add(message(() -> x.setAttr("reserved", 1L)));
            t.add(x.bufferLayout());
            t.add(x.getAttr("x_exports"));
        }
        try (Handle strType = (Handle) xx.getAttr("Str"); Handle error = (Handle) xx.getAttr("Error");
                Handle e = (Handle) error.call("boom")) {
            t.add(strType.call("abc"));
            t.add(e.typeName());
        }

        ExtensionModule vector = interp.importModule("vector");
        try (Handle vt = (Handle) vector.getAttr("Vector"); Handle ft = (Handle) vector.getAttr("FrozenVector");
                Handle v = (Handle) vt.call(1L, 2.5, -3.0); Handle f = (Handle) ft.call(3.0, 4.0);
                Handle z = (Handle) ft.invoke("zeros", Arguments.of().keyword("n", 2L));
                Handle k = (Handle) vt.call(Arguments.of().keyword("size", 3L).keyword("fill", 0.5))) {
            t.add(v.repr());
            t.add(v.length());
            t.add(v.getItem(-1L));
            v.setItem(0L, 4L);
            t.add(v.contains(2.5));
            List<Object> items = new ArrayList<>();
            for (Object item : v) items.add(item);
            t.add(items);
            t.add(message(() -> v.getItem(3L)));
            t.add(message(() -> v.delItem(0L)));
            t.add(f.invoke("norm"));
            t.add(f.invoke("dot", f));
            t.add(message(() -> v.invoke("dot", f)));
            t.add(z.repr());
            t.add(k.repr());
            t.add(v.bufferLayout());
            t.add(f.bufferLayout());
            t.add(v.byteBuffer().order(ByteOrder.nativeOrder()).asDoubleBuffer().get(1));
        }
        return t;
    }

    /** The transcripts of two interpreters of host, run at the same instant. */
    private static List<List<Object>> inParallel(Host host) throws Exception {
        return inParallel(host, AbiCompatTest::transcript);
    }

    private static List<List<Object>> inParallel(Host host, Function<Interpreter, List<Object>> run)
            throws Exception {
        try (Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            Interpreter[] both = {a, b};
            List<List<Object>> out = Together.run(2, i -> () -> run.apply(both[i]));
            // vector's ByteBuffers are garbage now: found before the close, so it need not wait
            for (Interpreter i : both) assertTrue(Gc.until(() -> i.state.exportsReachable() == 0, 30));
            return out;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.0", "1.1", "1.2"})
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
    @ValueSource(strings = {"1.0", "1.1", "1.2"})
    void oldLegacyModuleIsFencedAsToday(String version) {
        Host old = track(Host.builder().modulePath(ABI_COMPAT.resolve(version), TEST_EXT).build());
        try (Interpreter a = old.newInterpreter(); Interpreter b = old.newInterpreter()) {
            LegacyTest.legacyPointIsFenced(a, b);
            assertMapped(true, ABI_COMPAT.resolve(version).resolve("legacy_point.so"));
        }
    }

    /** channels, built for 1.1 and 1.2 (queues and shared buffers are 1.1): one queue and one buffer
     *  used from two interpreters, as QueueTest and SharedBufferTest use today's build. */
    @ParameterizedTest
    @ValueSource(strings = {"1.1", "1.2"})
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

    /** capi_provider + capi_user, xxlimited and vector, built for 1.2 (the ABI they use is
     *  1.2's): the same transcript as today's builds, in two interpreters at once. */
    @ParameterizedTest
    @ValueSource(strings = {"1.2"})
    void oldPortsGiveTodaysResultsInTwoInterpretersAtOnce(String version) throws Exception {
        Path dir = ABI_COMPAT.resolve(version);
        int minor = Integer.parseInt(version.substring(2));
        List<List<Object>> today = inParallel(newHost(), AbiCompatTest::portsTranscript);
        assertEquals(today.get(0), today.get(1), "each interpreter has its own provider and module state");
        assertEquals(List.of(1L, 2L, "x#3", 3L, 3L, BigInteger.valueOf(Long.MAX_VALUE).multiply(BigInteger.TWO)),
                today.get(0).subList(0, 6));
        assertTrue(today.get(0).containsAll(List.of("Vector(1.0, 2.5, -3.0)", List.of(4.0, 2.5, -3.0), 5.0, 25.0,
                "FrozenVector(0.0, 0.0)", "Vector(0.5, 0.5, 0.5)")), today.get(0).toString());

        Host old = track(Host.builder().modulePath(dir, TEST_EXT).build());
        assertEquals(today, inParallel(old, AbiCompatTest::portsTranscript),
                "ABI " + version + " binaries against today's builds");

        try (Interpreter interp = old.newInterpreter()) {
            for (String name : List.of("capi_provider", "capi_user", "xxlimited", "vector")) {
                ExtensionModule m = interp.importModule(name);
                assertMapped(true, dir.resolve(name + ".so"));
                assertEquals(List.of(1, minor), List.of(m.definition().abiMajor(), m.definition().abiMinor()), name);
            }
        }
    }
}
