package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.Test;

/**
 * Many threads, many interpreters, random operations for a bounded time (4 s; set
 * {@code -Disolex.stress.seconds=N}, and {@code -Disolex.stress.seed=S} to replay a thread's
 * sequence of operations — the interleaving is up to the scheduler). Interpreters are closed
 * and replaced under the other threads' feet: an operation on an interpreter that is closing
 * must fail with {@link ClosedException} and nothing else; a native error is allowed only
 * where the operation is meant to raise one; every result is checked. At the end everything
 * is closed and no native byte, interpreter or library is left.
 */
class StressTest extends NativeTestBase {
    static final int THREADS = 16;
    static final int INTERPRETERS = 8;
    static final String[] MODULES = {"counter", "fact", "probe", "conc_parallel"};
    /** Own Counters a worker keeps at most (the others are dropped or closed). */
    static final int MAX_OWNED = 16;
    static final int MAX_FACT_N = 300;
    /** No more than one System.gc() per this many milliseconds, process-wide. */
    static final long GC_INTERVAL_MS = 250;

    enum Kind {
        IMPORT(40), COUNTER_NEW(60), INCREMENT(200), ADD(100), ATTRS(80), FACT(80), ECHO(120),
        DROP_HANDLE(60), CLOSE_HANDLE(60), EXPECTED_ERROR(40), CONC(40), GC(4), REPLACE_INTERPRETER(1);

        final int weight;

        Kind(int weight) {
            this.weight = weight;
        }
    }

    private static final Kind[] TABLE = buildTable();

    private static Kind[] buildTable() {
        List<Kind> t = new ArrayList<>();
        for (Kind k : Kind.values()) for (int i = 0; i < k.weight; i++) t.add(k);
        return t.toArray(new Kind[0]);
    }

    /** digits[n] = the number of decimal digits of n! */
    private static final long[] DIGITS = new long[MAX_FACT_N + 1];

    static {
        BigInteger f = BigInteger.ONE;
        for (int n = 0; n <= MAX_FACT_N; n++) {
            if (n > 0) f = f.multiply(BigInteger.valueOf(n));
            DIGITS[n] = f.toString().length();
        }
    }

    private Host host;
    private AtomicReferenceArray<Interpreter> slots;
    private long deadline;
    private final Map<Kind, LongAdder> ops = new EnumMap<>(Kind.class);
    private final LongAdder ok = new LongAdder();
    private final LongAdder closedRaces = new LongAdder();
    private final LongAdder expectedErrors = new LongAdder();
    private final AtomicInteger replaced = new AtomicInteger();
    private final AtomicLong lastGc = new AtomicLong();
    private final ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();

    @Test
    void randomOperationsFromManyThreadsOnInterpretersThatComeAndGo() throws Exception {
        long seconds = Long.getLong("isolex.stress.seconds", 4);
        long seed = Long.getLong("isolex.stress.seed", System.nanoTime());
        System.out.println("StressTest: seed " + seed + " (replay a thread's operations with -Disolex.stress.seed="
                + seed + "), " + THREADS + " threads, " + INTERPRETERS + " interpreters, " + seconds + " s");
        for (Kind k : Kind.values()) ops.put(k, new LongAdder());

        // not tracked by NativeTestBase: if threads hang, its close would wait for them forever
        host = Host.builder().modulePath(EXTENSIONS, TEST_EXT).build();
        boolean hung = false;
        try {
            slots = new AtomicReferenceArray<>(INTERPRETERS);
            for (int i = 0; i < INTERPRETERS; i++) slots.set(i, host.newInterpreter());
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            AtomicInteger n = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(THREADS, r -> {
                Thread t = new Thread(r, "stress-" + n.getAndIncrement());
                t.setDaemon(true);
                return t;
            });
            for (int t = 0; t < THREADS; t++) {
                Random rnd = new Random(seed + t);
                pool.submit(() -> new Worker(rnd).run());
            }
            pool.shutdown();
            if (!pool.awaitTermination(seconds + 30, TimeUnit.SECONDS)) {
                hung = true;
                System.out.println(Together.threadDump());
                pool.shutdownNow();
                fail("stress threads still running 30 s after the deadline: deadlock? (thread dump on stdout)");
            }
        } finally {
            if (!hung) host.close();
        }

        StringBuilder sb = new StringBuilder("StressTest operations:");
        long total = 0;
        for (Map.Entry<Kind, LongAdder> e : ops.entrySet()) {
            sb.append(' ').append(e.getKey().name().toLowerCase()).append('=').append(e.getValue().sum());
            total += e.getValue().sum();
        }
        sb.append("\nStressTest: ").append(total).append(" operations: ").append(ok.sum()).append(" ok, ")
                .append(expectedErrors.sum()).append(" raised the expected native error, ").append(closedRaces.sum())
                .append(" refused with ClosedException (interpreter closing), ").append(replaced.get())
                .append(" interpreters closed and replaced, ").append(unexpected.size()).append(" unexpected");
        System.out.println(sb);

        if (!unexpected.isEmpty()) {
            AssertionError e = new AssertionError(unexpected.size() + " unexpected exception(s); first: "
                    + unexpected.peek());
            unexpected.stream().limit(10).forEach(e::addSuppressed);
            throw e;
        }
        assertEquals(0, Host.liveInterpreters(), "live interpreters");
        assertEquals(0, Host.liveNativeBytes(), "live native bytes");
        assertEquals(0, Host.loadedLibraries(), "loaded libraries");
    }

    /** A Counter a worker owns, with the value and step it should have. */
    private static final class Owned {
        final Handle handle;
        long value;
        long step;

        Owned(Handle handle, long value, long step) {
            this.handle = handle;
            this.value = value;
            this.step = step;
        }
    }

    private final class Worker implements Runnable {
        private final Random rnd;
        private final List<Owned> owned = new ArrayList<>();
        /** The interpreter the current operation uses (for judging a ClosedException). */
        private Interpreter touched;

        Worker(Random rnd) {
            this.rnd = rnd;
        }

        @Override
        public void run() {
            while (System.nanoTime() < deadline) {
                Kind kind = TABLE[rnd.nextInt(TABLE.length)];
                Interpreter interp = slots.get(rnd.nextInt(INTERPRETERS));
                touched = interp;
                ops.get(kind).increment();
                try {
                    if (perform(kind, interp)) expectedErrors.increment();
                    else ok.increment();
                } catch (ClosedException e) {
                    if (touched.isClosing()) {
                        closedRaces.increment();
                        owned.removeIf(o -> o.handle.interpreter().isClosing());
                    } else {
                        unexpected.add(new AssertionError(kind + " on " + touched + ": ClosedException while"
                                + " the interpreter is not closing", e));
                    }
                } catch (Throwable e) {
                    unexpected.add(new AssertionError(kind + " on " + touched + ": " + e, e));
                }
            }
            owned.clear();  // dropped: released by the interpreters' close
        }

        /** Runs one operation; true when it raised the native error it was meant to. */
        private boolean perform(Kind kind, Interpreter interp) {
            switch (kind) {
                case IMPORT: {
                    ExtensionModule m = interp.importModule(MODULES[rnd.nextInt(MODULES.length)]);
                    if (rnd.nextBoolean()) m.close();  // else dropped: the GC path
                    return false;
                }
                case COUNTER_NEW: {
                    long start = rnd.nextInt(2001) - 1000;
                    long step = 1 + rnd.nextInt(5);
                    Handle c = (Handle) use(interp, "counter", m -> m.invoke("Counter", start, step));
                    assertEquals("counter.Counter", c.typeName());
                    owned.add(new Owned(c, start, step));
                    if (owned.size() > MAX_OWNED) {
                        Owned gone = owned.remove(rnd.nextInt(owned.size()));
                        if (rnd.nextBoolean()) gone.handle.close();
                    }
                    return false;
                }
                case INCREMENT: {
                    Owned o = pickOwned();
                    if (o == null) return false;
                    long v = (Long) o.handle.invoke("increment");
                    assertEquals(o.value + o.step, v, "increment");
                    o.value = v;
                    return false;
                }
                case ADD: {
                    Owned o = pickOwned();
                    if (o == null) return false;
                    long k = rnd.nextInt(201) - 100;
                    long v = (Long) o.handle.invoke("add", k);
                    assertEquals(o.value + k, v, "add");
                    o.value = v;
                    return false;
                }
                case ATTRS: {
                    Owned o = pickOwned();
                    if (o == null) return false;
                    long step = 1 + rnd.nextInt(9);
                    o.handle.setAttr("step", step);
                    o.step = step;
                    assertEquals(step, o.handle.getAttr("step"));
                    String label = "t" + rnd.nextInt(1000);
                    o.handle.setAttr("label", label);
                    assertEquals(label, o.handle.getAttr("label"));
                    assertEquals(o.value, o.handle.getAttr("value"));
                    return false;
                }
                case FACT: {
                    int n = rnd.nextInt(MAX_FACT_N + 1);
                    assertEquals(DIGITS[n], use(interp, "fact", m -> m.invoke("factorial_digits", (long) n)));
                    return false;
                }
                case ECHO: {
                    Object v = randomValue(3);
                    assertEquals(expected(v), use(interp, "probe", m -> m.invoke("echo", v)));
                    return false;
                }
                case DROP_HANDLE:
                    use(interp, "counter", m -> m.invoke("Counter"));  // the result is dropped
                    return false;
                case CLOSE_HANDLE: {
                    Handle h = (Handle) use(interp, "conc_parallel", m -> m.invoke("token"));
                    h.close();
                    return false;
                }
                case EXPECTED_ERROR:
                    return expectError(interp);
                case CONC:
                    use(interp, "conc_parallel", m -> m.invoke("critical", (long) rnd.nextInt(100)));
                    return false;
                case GC: {
                    long now = System.nanoTime() / 1_000_000;
                    long last = lastGc.get();
                    if (now - last >= GC_INTERVAL_MS && lastGc.compareAndSet(last, now)) System.gc();
                    return false;
                }
                case REPLACE_INTERPRETER:
                    replace(interp);
                    return false;
                default:
                    throw new AssertionError(kind);
            }
        }

        /** Imports {@code module} in {@code interp}, applies {@code f}, closes or drops the module handle. */
        private Object use(Interpreter interp, String module, java.util.function.Function<ExtensionModule, Object> f) {
            ExtensionModule m = interp.importModule(module);
            Object r = f.apply(m);
            if (rnd.nextInt(4) != 0) m.close();
            return r;
        }

        private Owned pickOwned() {
            if (owned.isEmpty()) return null;
            Owned o = owned.get(rnd.nextInt(owned.size()));
            touched = o.handle.interpreter();
            return o;
        }

        private boolean expectError(Interpreter interp) {
            int which = rnd.nextInt(3);
            try {
                switch (which) {
                    case 0:
                        use(interp, "fact", m -> m.invoke("factorial_digits", -1L));
                        break;
                    case 1:
                        use(interp, "counter", m -> m.invoke("Counter", 0L, 0L));
                        break;
                    default:
                        use(interp, "probe", m -> m.invoke("check_int", "x"));
                        break;
                }
            } catch (NativeError e) {
                String[] want = {
                    "ValueError: factorial() not defined for negative values",
                    "counter.CounterError: step must not be zero",
                    "TypeError"};
                if (which == 2 ? !e.typeName().equals(want[2]) : !e.getMessage().equals(want[which])) {
                    throw new AssertionError("expected " + want[which] + ", got " + e.getMessage(), e);
                }
                return true;
            }
            throw new AssertionError("expected a native error (case " + which + "), got none");
        }

        /** Closes {@code old} under the other threads and puts a new interpreter in its slot. */
        private void replace(Interpreter old) {
            int slot = -1;
            for (int i = 0; i < INTERPRETERS; i++) if (slots.get(i) == old) slot = i;
            if (slot < 0) return;  // someone else replaced it already
            Interpreter fresh = host.newInterpreter();
            if (slots.compareAndSet(slot, old, fresh)) {
                old.close();
                replaced.incrementAndGet();
            } else {
                fresh.close();
            }
        }

        private Object randomValue(int depth) {
            int k = rnd.nextInt(depth > 0 ? 9 : 6);
            switch (k) {
                case 0: return null;
                case 1: return rnd.nextBoolean();
                case 2: return rnd.nextLong();
                case 3: return rnd.nextDouble() * 1e6;
                case 4: return "s" + rnd.nextInt(100_000) + (rnd.nextBoolean() ? " ünï ✓" : "");
                case 5: return "";
                case 6: {
                    List<Object> l = new ArrayList<>();
                    for (int i = rnd.nextInt(4); i > 0; i--) l.add(randomValue(depth - 1));
                    return l;
                }
                case 7: {
                    Object[] t = new Object[rnd.nextInt(4)];
                    for (int i = 0; i < t.length; i++) t[i] = randomValue(depth - 1);
                    return t;
                }
                default: {
                    Map<Object, Object> d = new LinkedHashMap<>();
                    for (int i = rnd.nextInt(4); i > 0; i--) d.put("k" + i, randomValue(depth - 1));
                    return d;
                }
            }
        }
    }

    /** What echo returns for {@code v}: tuples come back as lists. */
    static Object expected(Object v) {
        if (v instanceof Object[]) {
            List<Object> l = new ArrayList<>();
            for (Object o : (Object[]) v) l.add(expected(o));
            return l;
        }
        if (v instanceof List) {
            List<Object> l = new ArrayList<>();
            for (Object o : (List<?>) v) l.add(expected(o));
            return l;
        }
        if (v instanceof Map) {
            Map<Object, Object> m = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) m.put(e.getKey(), expected(e.getValue()));
            return m;
        }
        return v;
    }
}
