package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;

/**
 * Debug mode (abi/ABI.md 10) from Java: the switch (per host, per interpreter), a debug
 * interpreter running the ordinary extensions exactly as a release one does, the
 * allocation sites in the leak report, every violation of ABI.md 10.2 made by
 * test-ext/buggy — raised as the exact {@code SystemError} where it can be and logged in
 * {@link Host#debugViolations()} — with the interpreter usable afterwards and nothing left
 * after close, and the cost of the mode (printed, not asserted). Every test here takes the
 * violations it causes; {@link NativeTestBase} fails any test that leaves one in the log.
 */
class DebugModeTest extends NativeTestBase {

    private Host debugHost() {
        return track(Host.builder().modulePath(EXTENSIONS, TEST_EXT).debug(true).build());
    }

    // ------------------------------------------------------------------ the switch

    @Test
    void debugIsChosenPerHostOrPerInterpreter() {
        Host release = newHost();
        assertFalse(release.debug(), "off by default");
        try (Interpreter a = release.newInterpreter();
             Interpreter b = release.newInterpreter(true);
             Interpreter c = release.newInterpreter(false)) {
            assertFalse(a.isDebug());
            assertTrue(b.isDebug());
            assertFalse(c.isDebug());
        }
        Host debug = debugHost();
        assertTrue(debug.debug());
        try (Interpreter a = debug.newInterpreter(); Interpreter b = debug.newInterpreter(false)) {
            assertTrue(a.isDebug());
            assertFalse(b.isDebug());
            // release and debug interpreters side by side, on the same libraries
            assertEquals(a.importModule("counter").invoke("created"), b.importModule("counter").invoke("created"));
        }
    }

    // ------------------------------------------------------------------ same behaviour

    /**
     * counter, fact and probe through one interpreter, every result (and every expected
     * error) written to a transcript; the checks that have a known answer assert it.
     */
    private static List<Object> functionalChecks(Interpreter interp) {
        List<Object> t = new ArrayList<>();
        ExtensionModule counter = interp.importModule("counter");
        try (Handle c = (Handle) counter.invoke("Counter", 10L, 5L)) {
            assertEquals(15L, c.invoke("increment"));
            assertEquals(22L, c.invoke("add", 7L));
            c.setAttr("label", "mine");
            assertEquals("Counter(value=22, step=5, label='mine')", c.repr());
            t.add(c.repr());
            t.add(c.getAttr("value"));
            c.setAttr("step", 2L);
            t.add(c.invoke("increment"));
            t.add(counter.invoke("value_of", c));
            c.setAttr("label", null);
            t.add(c.repr());
            t.add(assertThrows(NativeError.class, () -> c.setAttr("label", 3L)).getMessage());
        }
        for (int i = 0; i < 50; i++) ((Handle) counter.invoke("Counter", (long) i)).close();
        assertEquals(51L, counter.invoke("created"));
        t.add(counter.invoke("created"));
        t.add(counter.invoke("increments"));
        NativeError stepZero = assertNativeError("counter.CounterError", "step must not be zero",
                () -> counter.invoke("Counter", 1L, 0L));
        t.add(stepZero.getMessage());
        t.add(assertThrows(NativeError.class, () -> counter.invoke("value_of", "not a counter")).getMessage());

        ExtensionModule fact = interp.importModule("fact");
        assertEquals(2568L, fact.invoke("factorial_digits", 1000L));
        t.add(fact.invoke("factorial", 30L));
        t.add(fact.invoke("digits", 100000L));
        t.add(fact.invoke("factorial_digits", 3000L));
        t.add(assertThrows(NativeError.class, () -> fact.invoke("factorial", -1L)).getMessage());

        ExtensionModule probe = interp.importModule("probe");
        Map<Object, Object> dict = new LinkedHashMap<>();
        dict.put("z", 1L);
        dict.put(3L, Arrays.asList(true, null, 2.5, "ünï", new byte[] {1, 2}));
        for (Object v : new Object[] {null, true, 0L, Long.MIN_VALUE, 1.5, "", "plain ✓", List.of(List.of(1L)), dict}) {
            Object back = probe.invoke("echo", v);
            if (!(v instanceof Map)) assertEquals(v, back, () -> "echo of " + v);
            t.add(String.valueOf(back instanceof Map ? ((Map<?, ?>) back).keySet() : back));
            t.add(probe.invoke("type_name", v));
        }
        for (String kind : List.of("list", "dict", "tuple", "str", "bytes", "int", "float")) {
            Object made = probe.invoke("make", kind);
            t.add(made instanceof byte[] ? "bytes" + ((byte[]) made).length : made);
        }
        t.add(assertThrows(NativeError.class, () -> probe.invoke("make", "set")).getMessage());
        t.add(probe.invoke("check_int", 42L));
        t.add(assertThrows(NativeError.class, () -> probe.invoke("check_int", "x")).getMessage());
        for (int i = 1; i <= 20; i++) probe.invoke("alloc", (long) i * 10);
        t.add(probe.invoke("alloc_count"));
        t.add(interp.handleCount());
        return t;
    }

    @Test
    void aDebugInterpreterPassesTheSameFunctionalChecks() {
        Host host = newHost();
        List<Object> release;
        List<Object> debug;
        long releaseBytes;
        long debugBytes;
        try (Interpreter r = host.newInterpreter()) {
            release = functionalChecks(r);
            releaseBytes = r.liveBytes();
        }
        try (Interpreter d = host.newInterpreter(true)) {
            debug = functionalChecks(d);
            debugBytes = d.liveBytes();
        }
        assertEquals(release, debug, "a debug interpreter answers exactly as a release one");
        assertTrue(debugBytes >= releaseBytes, "debug blocks carry a guard and a site: " + debugBytes + " vs " + releaseBytes);
        System.out.printf("debug mode: functional checks identical (%d results); live bytes before close: release %d,"
                + " debug %d%n", release.size(), releaseBytes, debugBytes);
    }

    // ------------------------------------------------------------------ allocation sites

    @Test
    void theLeakReportOfADebugInterpreterNamesTheAllocationSite() {
        Host host = debugHost();
        Interpreter interp = host.newInterpreter();
        interp.importModule("leaky").invoke("leak_block", 100L);
        LeakException e = assertThrows(LeakException.class, interp::close);
        LeakReport r = e.report();
        assertEquals(1, r.blocks(), r.toString());
        assertEquals(1, r.rawBlocks(), r.toString());
        assertEquals(List.of("leaky.so!leaky_leak_block"), new ArrayList<>(r.bytesBySite().keySet()), r.toString());
        long n = r.bytesBySite().get("leaky.so!leaky_leak_block");
        assertTrue(n >= 100 && n <= r.bytes(), r.toString());
        assertEquals(Map.of("leaky", r.bytes()), r.bytesByModule(), r.toString());
        assertTrue(e.getMessage().contains("bytes by allocation site:\n    leaky.so!leaky_leak_block: " + n),
                e.getMessage());
        assertEquals(0, Host.liveNativeBytes());

        // a release interpreter reports no sites
        Interpreter plain = host.newInterpreter(false);
        plain.importModule("leaky").invoke("leak_block", 100L);
        LeakReport pr = assertThrows(LeakException.class, plain::close).report();
        assertEquals(Map.of(), pr.bytesBySite(), pr.toString());
    }

    // ------------------------------------------------------------------ violations (ABI.md 10.2)

    /** A violation raised where it happened: the exact SystemError, the same line logged. */
    private static void assertRaisedAndLogged(String line, ExtensionModule module, String function, Object... args) {
        NativeError e = assertThrows(NativeError.class, () -> module.invoke(function, args));
        assertTrue(e instanceof NativeSystemError, () -> "expected a SystemError, got " + e.getMessage());
        assertEquals(line, e.nativeMessage());
        assertEquals(null, e.getCause(), "no cause");
        assertEquals(List.of(line), Host.debugViolations());
    }

    /** After a violation the interpreter still works and holds what it held before. */
    private static void assertStillUsable(Interpreter interp, long bytesBefore) {
        ExtensionModule probe = interp.importModule("probe");
        assertEquals(List.of(1L, "two", 3.0), probe.invoke("echo", List.of(1L, "two", 3.0)));
        try (Handle c = (Handle) interp.importModule("counter").invoke("Counter", 1L)) {
            assertEquals(2L, c.invoke("increment"));
        }
        assertEquals(bytesBefore, interp.liveBytes(), "live bytes back to what they were before the violation");
    }

    /** Warms the interpreter up so the live-bytes comparison after a violation is exact. */
    private static long warmUp(Interpreter interp) {
        interp.importModule("probe").invoke("echo", List.of(1L, "two", 3.0));
        try (Handle c = (Handle) interp.importModule("counter").invoke("Counter", 1L)) {
            c.invoke("increment");
        }
        return interp.liveBytes();
    }

    @Test
    void refcountUnderflow() {
        Host host = debugHost();
        try (Interpreter interp = host.newInterpreter()) {
            ExtensionModule buggy = interp.importModule("buggy");
            long before = warmUp(interp);
            assertRaisedAndLogged("isolex debug: Ix_Decref: refcount underflow on a list object allocated at"
                    + " buggy.so!buggy_decref_twice", buggy, "decref_twice");
            assertStillUsable(interp, before);
        }
        assertEquals(0, Host.liveNativeBytes());
    }

    @Test
    void doubleFree() {
        Host host = debugHost();
        try (Interpreter interp = host.newInterpreter()) {
            ExtensionModule buggy = interp.importModule("buggy");
            long before = warmUp(interp);
            assertRaisedAndLogged("isolex debug: IxMem_Free: double free of a block of 16 bytes allocated at"
                    + " buggy.so!buggy_mem_double_free", buggy, "mem_double_free");
            assertStillUsable(interp, before);
        }
        assertEquals(0, Host.liveNativeBytes());
    }

    @Test
    void writePastTheEnd() {
        Host host = debugHost();
        try (Interpreter interp = host.newInterpreter()) {
            ExtensionModule buggy = interp.importModule("buggy");
            long before = warmUp(interp);
            assertRaisedAndLogged("isolex debug: IxMem_Free: write past the end of a block of 16 bytes allocated at"
                    + " buggy.so!buggy_write_past_end", buggy, "write_past_end");
            assertStillUsable(interp, before);
        }
        assertEquals(0, Host.liveNativeBytes());
    }

    @InProcessOnly("an extension hands an object of one interpreter to another through a C global of one process; workers share no memory (ABI.md 13.5)")
    @Test
    void objectOfAnotherInterpreter() {
        Host host = newHost();
        // the object lives in a release interpreter; the debug table of the interpreter
        // that uses it is what notices
        try (Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter(true)) {
            ExtensionModule buggyA = a.importModule("buggy");
            ExtensionModule buggyB = b.importModule("buggy");
            long before = warmUp(b);
            buggyA.invoke("keep_global", List.of(1L, 2L));   // a list of interpreter a, in a C global
            assertEquals("[1, 2]", buggyA.invoke("use_global"), "in its own interpreter the global works");
            assertRaisedAndLogged("isolex debug: Ix_Repr: argument 1 is a list object of interpreter " + a.id()
                    + ", used in interpreter " + b.id(), buggyB, "use_global");
            assertStillUsable(b, before);

            // without debug mode the host's boundary still refuses a foreign result (ABI.md 3.3)
            try (Interpreter c = host.newInterpreter()) {
                assertNativeError("SystemError", "buggy.return_global() returned a list object of interpreter "
                        + a.id() + " into interpreter " + c.id(), () -> c.importModule("buggy").invoke("return_global"));
            }
            assertEquals(List.of(), Host.debugViolations(), "c is not a debug interpreter: nothing logged");
            assertEquals("[1, 2]", buggyA.invoke("use_global"), "the kept list is intact");
            buggyA.invoke("drop_global");   // released where it was made, before a closes
        }
        assertEquals(0, Host.liveNativeBytes());
    }

    @Test
    void contextUsedAfterItsCallReturned() {
        Host host = debugHost();
        try (Interpreter interp = host.newInterpreter()) {
            ExtensionModule buggy = interp.importModule("buggy");
            long before = warmUp(interp);
            buggy.invoke("stash_context");
            // logged only: IxList_New on the dead context returns NULL and does nothing else,
            // so the call itself succeeds and answers False (no list was made)
            assertEquals(false, buggy.invoke("use_stashed_context"));
            // (the Ix_Decref of NULL that follows on the same dead context does nothing)
            assertEquals(List.of("isolex debug: IxList_New: context of interpreter " + interp.id()
                    + " used after its call returned"), Host.debugViolations());
            assertStillUsable(interp, before);
        }
        assertEquals(0, Host.liveNativeBytes());
    }

    // ------------------------------------------------------------------ cost

    /** One workload, made for one interpreter: returns something so the JIT keeps the work. */
    private interface Workload {
        LongSupplier in(Interpreter interp);
    }

    /**
     * Best time per operation of {@code workload} in {@code r} (release) and {@code d} (debug),
     * in nanoseconds of this thread's CPU time (the native code runs on the calling thread;
     * other processes on a loaded machine then count much less than in wall time): one
     * warm-up run each, then 5 rounds alternating between the two.
     */
    private static double[] bestNanosPerOp(Interpreter r, Interpreter d, int ops, Workload workload) {
        LongSupplier inR = workload.in(r);
        LongSupplier inD = workload.in(d);
        inR.getAsLong();
        inD.getAsLong();
        long bestR = Long.MAX_VALUE;
        long bestD = Long.MAX_VALUE;
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 5; round++) {
            long t0 = cpu.getCurrentThreadCpuTime();
            inR.getAsLong();
            long t1 = cpu.getCurrentThreadCpuTime();
            inD.getAsLong();
            long t2 = cpu.getCurrentThreadCpuTime();
            bestR = Math.min(bestR, t1 - t0);
            bestD = Math.min(bestD, t2 - t1);
        }
        return new double[] {(double) bestR / ops, (double) bestD / ops};
    }

    @Test
    void costOfDebugMode() throws Exception {
        Host host = newHost();
        List<Long> ints = new ArrayList<>();
        for (long i = 0; i < 2000; i++) ints.add(i);
        StringBuilder sb = new StringBuilder("debug mode cost (thread CPU time, best of 5, alternating; not asserted)");
        if (LsanCatchesRawLeakTest.runningUnderLsan()) {
            sb.append(" -- this JVM runs under LeakSanitizer, whose malloc dominates: not representative");
        }
        sb.append(':');
        try (Interpreter r = host.newInterpreter(); Interpreter d = host.newInterpreter(true);
             Handle cr = (Handle) r.importModule("counter").invoke("Counter");
             Handle cd = (Handle) d.importModule("counter").invoke("Counter")) {
            Map<String, double[]> rows = new LinkedHashMap<>();
            // ~6 API calls per object inside one native call: the checking table's cost
            rows.put("cycles.make_cycle(1000), per object", bestNanosPerOp(r, d, 2000, interp -> {
                ExtensionModule cycles = interp.importModule("cycles");
                return () -> { cycles.invoke("make_cycle", 1000L); return interp.collectCycles(); };
            }));
            // one Java call per operation: mostly the JNI crossing and the value API
            rows.put("Counter.increment(), per call", bestNanosPerOp(r, d, 5000, interp -> {
                Handle c = interp == r ? cr : cd;
                return () -> { long v = 0; for (int i = 0; i < 5000; i++) v += (Long) c.invoke("increment"); return v; };
            }));
            // 2000 ints made and read back by the host
            rows.put("probe.echo(2000 ints), per int", bestNanosPerOp(r, d, 2000, interp -> {
                ExtensionModule probe = interp.importModule("probe");
                return () -> ((List<?>) probe.invoke("echo", ints)).size();
            }));
            // pure C arithmetic with few API calls
            rows.put("fact.factorial_digits(5000), per call", bestNanosPerOp(r, d, 1, interp -> {
                ExtensionModule fact = interp.importModule("fact");
                return () -> (Long) fact.invoke("factorial_digits", 5000L);
            }));
            rows.forEach((name, t) -> sb.append(String.format("%n  %-40s release %10.0f ns  debug %10.0f ns  x%.2f",
                    name, t[0], t[1], t[1] / t[0])));
        }
        System.out.println(sb);
    }
}
