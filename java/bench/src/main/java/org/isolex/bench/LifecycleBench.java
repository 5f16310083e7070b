package org.isolex.bench;

import java.util.ArrayList;
import java.util.List;

import org.isolex.Host;
import org.isolex.Interpreter;
import org.isolex.ExtensionModule;
import org.isolex.internal.NativeBridge;
import org.isolex.internal.Wire;

/**
 * 2. Interpreter create + import one module + one call + close, from Java:
 * {@code host.newInterpreter()}, {@code importModule("counter")}, {@code invoke("created")},
 * {@code close()}, each iteration timed alone (and each of its four steps); median and p99.
 * Four variants, measured in interleaved blocks (10 rounds of: steady, the bridge, debug,
 * cold), so a slow phase of a shared machine hits all of them alike:
 * <ul>
 * <li><b>steady</b>: another interpreter keeps counter imported, so its library stays mapped;</li>
 * <li><b>bridge</b>: the same steps through {@link NativeBridge} directly (the JNI calls the API
 *     makes, without Interpreter, ExtensionModule, their locks, handles and cleaners);</li>
 * <li><b>debug</b>: steady, in debug mode (reported in section 6);</li>
 * <li><b>cold</b>: no other interpreter holds counter, so each iteration dlopens and dlcloses
 *     counter.so (a fifth as many iterations).</li>
 * </ul>
 * The C driver times the same native steps without the JVM ({@code ixdriver bench lifecycle}).
 */
final class LifecycleBench {
    private static final int ROUNDS = 10;

    private final Suite s;

    LifecycleBench(Suite s) {
        this.s = s;
    }

    /** Medians of each step: new, import, call, close (ns), and of the whole (µs) + its p99. */
    static final class Result {
        double median, p99;
        double create, imp, call, close;
    }

    /** Timings of one variant, gathered over several blocks. */
    static final class Samples {
        final List<double[]> rows = new ArrayList<>(); // {total µs, new, import, call, close ns}

        void add(long t0, long t1, long t2, long t3, long t4) {
            rows.add(new double[] {(t4 - t0) / 1e3, t1 - t0, t2 - t1, t3 - t2, t4 - t3});
        }

        private double[] column(int c) {
            double[] v = new double[rows.size()];
            for (int i = 0; i < v.length; i++) v[i] = rows.get(i)[c];
            return v;
        }

        Result result() {
            Result r = new Result();
            double[] total = column(0);
            r.median = Stats.median(total);
            r.p99 = Stats.quantile(total, 0.99);
            r.create = Stats.median(column(1));
            r.imp = Stats.median(column(2));
            r.call = Stats.median(column(3));
            r.close = Stats.median(column(4));
            return r;
        }
    }

    /** {@code iterations} lifecycles through the API; timed into {@code out} unless null. */
    static void block(Host host, int iterations, boolean debug, Samples out) {
        for (int it = 0; it < iterations; it++) {
            long t0 = System.nanoTime();
            Interpreter interp = host.newInterpreter(debug);
            long t1 = System.nanoTime();
            ExtensionModule m = interp.importModule("counter");
            long t2 = System.nanoTime();
            Object r = m.invoke("created");
            long t3 = System.nanoTime();
            interp.close();
            long t4 = System.nanoTime();
            if (!Long.valueOf(0).equals(r)) throw new IllegalStateException("counter.created() = " + r);
            if (out != null) out.add(t0, t1, t2, t3, t4);
        }
    }

    /** The same through NativeBridge directly. */
    static void bridgeBlock(int iterations, Wire w, Samples out) {
        NativeBridge.Config config = new NativeBridge.Config(BenchEnv.modulePath(), 0, false, false);
        for (int it = 0; it < iterations; it++) {
            long t0 = System.nanoTime();
            long raw = NativeBridge.interpNew(config);
            long t1 = System.nanoTime();
            w.reset();
            w.str("counter");
            if (NativeBridge.importModule(raw, w) != NativeBridge.OK) {
                throw new IllegalStateException("import counter failed");
            }
            w.flipForRead();
            w.readTag();
            long module = w.readRawInt64();
            long t2 = System.nanoTime();
            w.reset();
            w.str("created").arguments(new Object[0], Wire.VALUES_ONLY);
            if (NativeBridge.op(NativeBridge.Op.CALL, raw, module, w) != NativeBridge.OK) {
                throw new IllegalStateException("counter.created() failed");
            }
            long t3 = System.nanoTime();
            NativeBridge.release(raw, module);
            w.reset();
            if (NativeBridge.interpClose(raw, w) != 0) throw new IllegalStateException("leak");
            long t4 = System.nanoTime();
            if (out != null) out.add(t0, t1, t2, t3, t4);
        }
    }

    /** Steady and debug only, interleaved (for section 6 when this section did not run). */
    static Result[] steadyAndDebug(Host host, int iterations) {
        Samples steady = new Samples(), debug = new Samples();
        Interpreter holder = host.newInterpreter();
        holder.importModule("counter");
        int per = Math.max(iterations / ROUNDS, 1);
        block(host, per, false, null);
        block(host, per, true, null);
        for (int r = 0; r < ROUNDS; r++) {
            block(host, per, false, steady);
            block(host, per, true, debug);
        }
        holder.close();
        return new Result[] {steady.result(), debug.result()};
    }

    void run() {
        int n = s.intParam("bench.lifecycle.iterations", 50000, 2000);
        int per = Math.max(n / ROUNDS, 1), coldPer = Math.max(per / 5, 1);
        Samples steadyS = new Samples(), bridgeS = new Samples(), debugS = new Samples(), coldS = new Samples();
        Wire w = new Wire(64 * 1024);
        try (Host host = BenchEnv.hostBuilder().build()) {
            for (int r = -1; r < ROUNDS; r++) { // round -1: warm-up, not recorded
                boolean rec = r >= 0;
                Interpreter holder = host.newInterpreter();
                holder.importModule("counter");
                block(host, per, false, rec ? steadyS : null);
                bridgeBlock(per, w, rec ? bridgeS : null);
                block(host, per, true, rec ? debugS : null);
                holder.close();
                block(host, coldPer, false, rec ? coldS : null);
            }
        }
        Result steady = steadyS.result(), bridge = bridgeS.result(), debug = debugS.result(), cold = coldS.result();
        s.progress("steady %.1f µs (p99 %.1f), bridge %.1f, debug %.1f, cold %.1f (medians; %d + %d iterations)",
                steady.median, steady.p99, bridge.median, debug.median, cold.median, per * ROUNDS, coldPer * ROUNDS);
        s.figure("lifecycle.java.steady.median_us", steady.median);
        s.figure("lifecycle.java.steady.p99_us", steady.p99);
        s.figure("lifecycle.java.cold.median_us", cold.median);
        s.figure("lifecycle.java.cold.p99_us", cold.p99);
        s.figure("lifecycle.java.debug.median_us", debug.median);
        s.figure("lifecycle.java.debug.p99_us", debug.p99);
        s.figure("lifecycle.bridge.steady.median_us", bridge.median);
        s.driver("lifecycle", n);

        Md md = s.body;
        md.heading("2. Interpreter create + import one module + one call + close");
        md.para(Md.f("From Java: `host.newInterpreter()`, `importModule(\"counter\")`, `invoke(\"created\")`, "
                + "`close()`, each iteration and each step timed alone; %d rounds, each a block of every variant "
                + "in turn (%,d iterations per variant, cold %,d), after one round of warm-up. *Steady*: another "
                + "interpreter keeps counter imported, so counter.so stays mapped; *cold*: each iteration dlopens "
                + "and dlcloses it; *NativeBridge directly*: the same JNI calls without the API's objects. "
                + "*C driver*: the same steps through the embedding API, no JVM, interleaved the same way "
                + "(`ixdriver bench lifecycle %d`).", ROUNDS, per * ROUNDS, coldPer * ROUNDS, n));
        List<List<String>> rows = new ArrayList<>();
        rows.add(row("Java, steady", steady.median, steady.p99, steps(steady)));
        rows.add(row("Java, steady, through NativeBridge directly (no API objects)", bridge.median, bridge.p99,
                steps(bridge)));
        rows.add(row("Java, cold", cold.median, cold.p99, steps(cold)));
        rows.add(row("C driver, steady", s.c("lifecycle.steady.median_us"), s.c("lifecycle.steady.p99_us"),
                cSteps("steady")));
        rows.add(row("C driver, cold", s.c("lifecycle.cold.median_us"), s.c("lifecycle.cold.p99_us"), cSteps("cold")));
        double floor = s.c("lifecycle.dlopen.median_us");
        rows.add(row("C: dlopen + dlsym + dlclose of counter.so alone (cold's floor)", floor,
                s.c("lifecycle.dlopen.p99_us"), Md.f("dlopen + dlsym %.1f + dlclose %.1f",
                        s.c("lifecycle.dlopen.import_us"), s.c("lifecycle.dlopen.close_us"))));
        md.table(List.of("", "median", "p99", "median of each step (µs)"), rows);
        md.para(Md.f("Cold against its floor, the dynamic loader's own work on the same file in the same run: "
                + "Java %.2f×, C driver %.2f× (what cold adds to it: the interpreter, the module, the ELF checks "
                + "of a file not seen before, the checks of its definition).", cold.median / floor,
                s.c("lifecycle.cold.median_us") / floor));
        md.para(Md.f("CPython 3.11 on this machine (docs/design.md): subinterpreter create + destroy ≈ 43 ms, "
                + "%,.0f× the Java steady median.", 43_000 / steady.median));

        s.budget("create + import + call + close, Java, steady (median)",
                Md.f("%.1f µs (p99 %.1f µs)", steady.median, steady.p99), "≤ 20 µs", steady.median <= 20);
        s.budget("the same, cold: counter.so loaded and unloaded each time",
                Md.f("%.1f µs (p99 %.1f µs)", cold.median, cold.p99), "≤ 20 µs", cold.median <= 20);
        s.budget("the same from C (no JVM), steady / cold", Md.f("%.1f / %.1f µs", s.c("lifecycle.steady.median_us"),
                s.c("lifecycle.cold.median_us")), "≤ 20 µs", s.c("lifecycle.steady.median_us") <= 20);
        s.budget("cold vs dlopen + dlsym + dlclose of counter.so alone (C)", Md.f("Java %.2f×, C %.2f× (floor %.1f µs)",
                cold.median / floor, s.c("lifecycle.cold.median_us") / floor, floor), "reported (issue 13)", null);
        s.lifecycleDebug = debug;
        s.lifecycleSteady = steady;
    }

    private static String steps(Result r) {
        return Md.f("new %.1f + import %.1f + call %.1f + close %.1f", r.create / 1e3, r.imp / 1e3, r.call / 1e3,
                r.close / 1e3);
    }

    private String cSteps(String key) {
        String p = "lifecycle." + key + ".";
        if (Double.isNaN(s.c(p + "new_us"))) return "";
        return Md.f("new %.1f + import %.1f + call %.1f + close %.1f", s.c(p + "new_us"), s.c(p + "import_us"),
                s.c(p + "call_us"), s.c(p + "close_us"));
    }

    private static List<String> row(String what, double median, double p99, String steps) {
        return List.of(what, Md.f("%.1f µs", median), Md.f("%.1f µs", p99), steps);
    }
}
