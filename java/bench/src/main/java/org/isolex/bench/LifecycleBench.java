package org.isolex.bench;

import java.util.ArrayList;
import java.util.List;

import org.isolex.Host;
import org.isolex.Interpreter;
import org.isolex.Module;
import org.isolex.internal.NativeBridge;
import org.isolex.internal.NativeBridge.IxInterp;
import org.isolex.internal.Wire;

/**
 * 2. Interpreter create + import one module + one call + close, from Java:
 * {@code host.newInterpreter()}, {@code importModule("counter")}, {@code invoke("created")},
 * {@code close()}, each iteration timed alone; median and p99. Steady state: another
 * interpreter keeps counter imported, so its library stays mapped. Cold: nothing does, so
 * each iteration dlopens and dlcloses counter.so. The C driver times the same native steps
 * without the JVM ({@code ixdriver bench lifecycle}). The debug-mode variant is measured
 * here too and reported in section 6.
 */
final class LifecycleBench {
    private final Suite s;

    LifecycleBench(Suite s) {
        this.s = s;
    }

    /** Medians of each step: new, import, call, close (ns), and the whole (µs) + p99. */
    static final class Result {
        double median, p99;
        double create, imp, call, close;
    }

    static Result measure(Host host, int iterations, boolean debug) {
        int warmup = Math.max(iterations / 5, 100);
        double[] total = new double[iterations], c = new double[iterations], i = new double[iterations],
                k = new double[iterations], z = new double[iterations];
        for (int it = -warmup; it < iterations; it++) {
            long t0 = System.nanoTime();
            Interpreter interp = host.newInterpreter(debug);
            long t1 = System.nanoTime();
            Module m = interp.importModule("counter");
            long t2 = System.nanoTime();
            Object r = m.invoke("created");
            long t3 = System.nanoTime();
            interp.close();
            long t4 = System.nanoTime();
            if (!Long.valueOf(0).equals(r)) throw new IllegalStateException("counter.created() = " + r);
            if (it < 0) continue;
            total[it] = (t4 - t0) / 1e3;
            c[it] = t1 - t0;
            i[it] = t2 - t1;
            k[it] = t3 - t2;
            z[it] = t4 - t3;
        }
        Result res = new Result();
        res.median = Stats.median(total);
        res.p99 = Stats.quantile(total, 0.99);
        res.create = Stats.median(c);
        res.imp = Stats.median(i);
        res.call = Stats.median(k);
        res.close = Stats.median(z);
        return res;
    }

    /**
     * The same steps one layer down, through {@link NativeBridge} directly (the JNI calls the
     * API makes, without Interpreter, Module, their locks, handles and cleaners): medians (µs)
     * of the whole, and of new, import, call, close (ns).
     */
    static Result measureBridge(int iterations) {
        String path = BenchEnv.modulePath();
        Wire w = new Wire(64 * 1024);
        int warmup = Math.max(iterations / 5, 100);
        double[] total = new double[iterations], c = new double[iterations], i = new double[iterations],
                k = new double[iterations], z = new double[iterations];
        for (int it = -warmup; it < iterations; it++) {
            long t0 = System.nanoTime();
            IxInterp raw = NativeBridge.interpNew(path, 0, false, false);
            long t1 = System.nanoTime();
            w.reset();
            w.str("counter");
            if (NativeBridge.importModule(raw, w.buffer(), w.length()) != NativeBridge.OK) {
                throw new IllegalStateException("import counter failed");
            }
            w.flipForRead();
            w.readTag();
            long module = w.readRawInt64();
            long t2 = System.nanoTime();
            w.reset();
            w.str("created").arguments(new Object[0], Wire.VALUES_ONLY);
            if (NativeBridge.op(NativeBridge.Op.CALL, raw, module, w.buffer(), w.length()) != NativeBridge.OK) {
                throw new IllegalStateException("counter.created() failed");
            }
            long t3 = System.nanoTime();
            NativeBridge.release(raw, module);
            w.reset();
            if (NativeBridge.interpClose(raw, w.buffer()) != 0) throw new IllegalStateException("leak");
            long t4 = System.nanoTime();
            if (it < 0) continue;
            total[it] = (t4 - t0) / 1e3;
            c[it] = t1 - t0;
            i[it] = t2 - t1;
            k[it] = t3 - t2;
            z[it] = t4 - t3;
        }
        Result res = new Result();
        res.median = Stats.median(total);
        res.p99 = Stats.quantile(total, 0.99);
        res.create = Stats.median(c);
        res.imp = Stats.median(i);
        res.call = Stats.median(k);
        res.close = Stats.median(z);
        return res;
    }

    void run() {
        int n = s.intParam("bench.lifecycle.iterations", 50000, 2000);
        Result steady, cold, debug, bridge;
        try (Host host = BenchEnv.hostBuilder().build()) {
            Interpreter holder = host.newInterpreter();
            holder.importModule("counter");
            steady = measure(host, n, false);
            s.progress("steady: median %.1f µs, p99 %.1f µs (%d iterations)", steady.median, steady.p99, n);
            bridge = measureBridge(n);
            s.progress("bridge: median %.1f µs, p99 %.1f µs (NativeBridge directly)", bridge.median, bridge.p99);
            debug = measure(host, n, true);
            s.progress("debug:  median %.1f µs, p99 %.1f µs", debug.median, debug.p99);
            holder.close();
            cold = measure(host, Math.max(n / 5, 100), false);
            s.progress("cold:   median %.1f µs, p99 %.1f µs (%d iterations)", cold.median, cold.p99, Math.max(n / 5, 100));
        }
        s.figure("lifecycle.java.steady.median_us", steady.median);
        s.figure("lifecycle.java.steady.p99_us", steady.p99);
        s.figure("lifecycle.java.cold.median_us", cold.median);
        s.figure("lifecycle.java.cold.p99_us", cold.p99);
        s.figure("lifecycle.java.debug.median_us", debug.median);
        s.figure("lifecycle.bridge.steady.median_us", bridge.median);
        s.figure("lifecycle.java.debug.p99_us", debug.p99);
        s.driver("lifecycle", n);

        Md md = s.body;
        md.heading("2. Interpreter create + import one module + one call + close");
        md.para(Md.f("From Java: `host.newInterpreter()`, `importModule(\"counter\")`, `invoke(\"created\")`, "
                + "`close()`, %,d iterations timed one by one after %,d of warm-up (cold: %,d). "
                + "*Steady*: another interpreter keeps counter imported, so counter.so stays mapped; *cold*: "
                + "each iteration dlopens and dlcloses it. *C driver*: the same steps through the embedding "
                + "API, no JVM (`ixdriver bench lifecycle %d`).", n, Math.max(n / 5, 100), Math.max(n / 5, 100), n));
        List<List<String>> rows = new ArrayList<>();
        rows.add(row("Java, steady", steady.median, steady.p99, Md.f("new %.1f + import %.1f + call %.1f + close %.1f",
                steady.create / 1e3, steady.imp / 1e3, steady.call / 1e3, steady.close / 1e3)));
        rows.add(row("Java, cold", cold.median, cold.p99, Md.f("new %.1f + import %.1f + call %.1f + close %.1f",
                cold.create / 1e3, cold.imp / 1e3, cold.call / 1e3, cold.close / 1e3)));
        rows.add(row("Java, steady, through NativeBridge directly (JNI only, no API objects)", bridge.median, bridge.p99,
                Md.f("new %.1f + import %.1f + call %.1f + close %.1f", bridge.create / 1e3, bridge.imp / 1e3,
                        bridge.call / 1e3, bridge.close / 1e3)));
        rows.add(row("C driver, steady", s.c("lifecycle.steady.median_us"), s.c("lifecycle.steady.p99_us"), cSteps("steady")));
        rows.add(row("C driver, cold", s.c("lifecycle.cold.median_us"), s.c("lifecycle.cold.p99_us"), cSteps("cold")));
        md.table(List.of("", "median", "p99", "median of each step (µs)"), rows);
        md.para(Md.f("CPython 3.11 on this machine (DESIGN.md): subinterpreter create + destroy ≈ 43 ms, "
                + "%,.0f× the Java steady median.", 43_000 / steady.median));

        s.budget("create + import + call + close, Java, steady (median)",
                Md.f("%.1f µs (p99 %.1f µs)", steady.median, steady.p99), "≤ 20 µs", steady.median <= 20);
        s.budget("the same, cold: counter.so loaded and unloaded each time",
                Md.f("%.1f µs (p99 %.1f µs)", cold.median, cold.p99), "≤ 20 µs", cold.median <= 20);
        s.budget("the same from C (no JVM), steady / cold", Md.f("%.1f / %.1f µs", s.c("lifecycle.steady.median_us"),
                s.c("lifecycle.cold.median_us")), "≤ 20 µs", s.c("lifecycle.steady.median_us") <= 20);
        s.lifecycleDebug = debug;
        s.lifecycleSteady = steady;
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
