package org.isolex.bench;

import java.util.ArrayList;
import java.util.List;

import org.isolex.Host;
import org.isolex.Interpreter;
import org.isolex.ExtensionModule;

/**
 * 6. What debug mode (abi/ABI.md 10) costs: the figures of the sections before, release
 * and debug side by side, plus a call-heavy loop from Java and one CPU-bound call.
 */
final class DebugBench {
    private final Suite s;

    DebugBench(Suite s) {
        this.s = s;
    }

    /** ns per call of {@code calls} probe.echo(i) calls, one round. */
    private static double echoRound(ExtensionModule probe, int calls) {
        long t0 = System.nanoTime();
        long sum = 0;
        for (int i = 0; i < calls; i++) sum += (Long) probe.invoke("echo", (long) i);
        long t = System.nanoTime() - t0;
        if (sum != (long) calls * (calls - 1) / 2) throw new IllegalStateException("echo sum " + sum);
        return t / (double) calls;
    }

    /**
     * The echo loop in release and debug mode, rounds alternating (so a slow phase of the
     * machine hits both): {release median, debug median} of 7 rounds each, after one of each.
     */
    private static double[] echoLoops(ExtensionModule release, ExtensionModule debug, int calls) {
        double[] r = new double[7], d = new double[7];
        echoRound(release, calls);
        echoRound(debug, calls);
        for (int i = 0; i < r.length; i++) {
            r[i] = echoRound(release, calls);
            d[i] = echoRound(debug, calls);
        }
        return new double[] {Stats.median(r), Stats.median(d)};
    }

    /** ms of one fact.factorial_digits(n): {release, debug} medians of 3 alternating calls each. */
    private static double[] factCalls(ExtensionModule release, ExtensionModule debug, int n) {
        double[] r = new double[3], d = new double[3];
        for (int i = 0; i < r.length; i++) {
            long t0 = System.nanoTime();
            release.invoke("factorial_digits", (long) n);
            long t1 = System.nanoTime();
            debug.invoke("factorial_digits", (long) n);
            long t2 = System.nanoTime();
            r[i] = (t1 - t0) / 1e6;
            d[i] = (t2 - t1) / 1e6;
        }
        return new double[] {Stats.median(r), Stats.median(d)};
    }

    void run() {
        int calls = s.intParam("bench.debug.calls", 100_000, 20_000);
        int n = s.intParam("bench.fact.n", 40000, 20000);
        double echoRel, echoDbg, factRel, factDbg;
        try (Host host = BenchEnv.hostBuilder().build()) {
            Interpreter rel = host.newInterpreter(false), dbg = host.newInterpreter(true);
            ExtensionModule pr = rel.importModule("probe"), pd = dbg.importModule("probe");
            double[] loops = echoLoops(pr, pd, calls);
            echoRel = loops[0];
            echoDbg = loops[1];
            ExtensionModule fr = rel.importModule("fact"), fd = dbg.importModule("fact");
            fr.invoke("factorial_digits", 1000L);
            fd.invoke("factorial_digits", 1000L);
            double[] facts = factCalls(fr, fd, n);
            factRel = facts[0];
            factDbg = facts[1];
            if (s.lifecycleSteady == null) {
                LifecycleBench.Result[] r = LifecycleBench.steadyAndDebug(host, Math.max(calls / 10, 1000));
                s.lifecycleSteady = r[0];
                s.lifecycleDebug = r[1];
            }
        }
        s.driver("call", s.intParam("bench.call.c.n", 1_000_000, 200_000));
        s.driver("lifecycle", s.intParam("bench.lifecycle.iterations", 50000, 2000));
        s.figure("debug.echo_loop.release_ns", echoRel);
        s.figure("debug.echo_loop.debug_ns", echoDbg);
        s.figure("debug.fact.release_ms", factRel);
        s.figure("debug.fact.debug_ms", factDbg);
        s.progress("echo loop %.0f / %.0f ns per call; factorial_digits(%d) %.0f / %.0f ms (release / debug)",
                echoRel, echoDbg, n, factRel, factDbg);

        Md md = s.body;
        md.heading("6. Debug mode: what the checking function table costs");
        md.para("The same operations in a release and a debug-mode interpreter (`host.newInterpreter(true)`), "
                + "same libraries, same run.");
        List<List<String>> rows = new ArrayList<>();
        LifecycleBench.Result ls = s.lifecycleSteady, ld = s.lifecycleDebug;
        rows.add(row("create + import counter + call + close, Java, median (µs)", ls.median, ld.median, "%.1f"));
        rows.add(row("… p99 (µs)", ls.p99, ld.p99, "%.1f"));
        rows.add(row("create + import + call + close, C driver, median (µs)", s.c("lifecycle.steady.median_us"),
                s.c("lifecycle.debug.median_us"), "%.1f"));
        if (s.jmh != null) {
            rows.add(row("Java call probe.echo(x), JMH (ns)", s.jmh.getOrDefault("isolexEcho", Double.NaN),
                    s.jmh.getOrDefault("isolexEchoDebug", Double.NaN), "%.0f"));
        }
        rows.add(row(Md.f("Java loop of %,d probe.echo(i) calls, per call (ns; rounds alternating)", calls), echoRel,
                echoDbg, "%.0f"));
        rows.add(row("C: ixh_call echo(1), the value API (ns)", s.c("call.release.value_api_ns"),
                s.c("call.debug.value_api_ns"), "%.0f"));
        rows.add(row("C: Ix_CallMethod(probe, \"echo\") from inside, API-heavy extension code (ns)",
                s.c("call.release.method_ns"), s.c("call.debug.method_ns"), "%.0f"));
        rows.add(row("C: Ix_Call(echo), dispatch only (ns)", s.c("call.release.dispatch_ns"),
                s.c("call.debug.dispatch_ns"), "%.0f"));
        rows.add(row(Md.f("fact.factorial_digits(%d), one call (ms)", n), factRel, factDbg, "%.0f"));
        md.table(List.of("", "release", "debug", "debug / release"), rows);
    }

    private static List<String> row(String what, double rel, double dbg, String fmt) {
        return List.of(what, Md.f(fmt, rel), Md.f(fmt, dbg), Md.f("%.2f×", dbg / rel));
    }
}
