package org.isolex.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.isolex.internal.NativeBridge;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * 3. Java to a trivial extension function vs a raw JavaCPP JNI call, in one JMH run of
 * {@link CallBench} (a forked JVM), plus the C driver's timings of the native layers
 * ({@code ixdriver bench call}), so the difference can be taken apart.
 */
final class CallCost {
    private final Suite s;

    CallCost(Suite s) {
        this.s = s;
    }

    /** The benchmarks a second JDK runs (--jdk): the baselines and the typed paths, not the generic ones. */
    static final List<String> SECOND_JDK = List.of("jniAdd1", "jniPointerArg", "bridgePointerArg", "jniBridgeTyped",
            "bridgeTyped", "isolexTyped", "isolexTypedBatch", "isolexEcho");
    /** Run once more with -Disolex.bridge=jni on a JDK 22+, as "NAME@jni": the typed call through JNI there. */
    static final List<String> FORCED_JNI = List.of("isolexTyped", "isolexTypedBatch");

    /** JMH results of every CallBench benchmark on this JVM: method -> ns/op, the median of the measurement iterations. */
    static Map<String, Double> jmh(Suite s) {
        return jmh(s, null, List.of(), List.of(), "");
    }

    /**
     * One JMH run of CallBench: on the JVM {@code java} (null: this one's), with {@code jvmArgs}
     * added, of the benchmarks named in {@code only} (empty: all); each result is recorded as
     * figure {@code "jmh." + name + suffix + ".ns"} and returned by {@code name + suffix}.
     */
    static Map<String, Double> jmh(Suite s, String java, List<String> extraArgs, List<String> only, String suffix) {
        int forks = s.intParam("bench.jmh.forks", 1, 1);
        int warmup = s.intParam("bench.jmh.warmup", 5, 1);
        int iterations = s.intParam("bench.jmh.iterations", 15, 2);
        int seconds = s.intParam("bench.jmh.time", 1, 1);
        String prof = s.param("bench.jmh.prof", "", "");
        Path log = BenchEnv.root().resolve("target/bench/jmh" + suffix.replace("@", "-") + ".txt");
        try {
            Files.createDirectories(log.getParent());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        int feature = java == null ? Runtime.version().feature() : Suite.jdkFeature(java);
        List<String> jvmArgs = new ArrayList<>();
        jvmArgs.add("--enable-native-access=ALL-UNNAMED");
        // JMH 1.37 uses sun.misc.Unsafe, which JDK 23+ warns about at every fork (JEP 471)
        if (feature >= 23) jvmArgs.add("--sun-misc-unsafe-memory-access=allow");
        jvmArgs.add("-Disolex.bench.modulePath=" + BenchEnv.modulePath());
        jvmArgs.add("-Disolex.root=" + BenchEnv.root());
        String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
        if (cache != null) jvmArgs.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
        jvmArgs.addAll(extraArgs);
        String prefix = CallBench.class.getName().replace(".", "\\.") + "\\.";
        ChainedOptionsBuilder o = new OptionsBuilder()
                .forks(forks).warmupIterations(warmup).warmupTime(TimeValue.seconds(seconds))
                .measurementIterations(iterations).measurementTime(TimeValue.seconds(seconds))
                .jvmArgsAppend(jvmArgs.toArray(new String[0]))
                .output(log.toString()).verbosity(VerboseMode.NORMAL).shouldFailOnError(true);
        if (only.isEmpty()) o.include(prefix);
        for (String name : only) o.include(prefix + name + "$");
        if (java != null) o.jvm(java);
        if (!prof.isEmpty()) {
            for (String p : prof.split(";")) {
                int colon = p.indexOf(':');
                if (colon < 0) o.addProfiler(p);
                else o.addProfiler(p.substring(0, colon), p.substring(colon + 1));
            }
        }
        s.progress("JMH on JDK %d%s: %s of CallBench, %d fork(s), %d+%d iterations of %d s (log: %s)", feature,
                extraArgs.isEmpty() ? "" : " " + String.join(" ", extraArgs),
                only.isEmpty() ? "every benchmark" : only.size() + " benchmarks", forks, warmup, iterations, seconds,
                log);
        Collection<RunResult> results;
        try {
            results = new Runner(o.build()).run();
        } catch (RunnerException e) {
            throw new IllegalStateException("JMH failed (see " + log + ")", e);
        }
        Map<String, Double> ns = new LinkedHashMap<>();
        for (RunResult rr : results) {
            String name = rr.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1) + suffix;
            List<Double> scores = new ArrayList<>();
            for (BenchmarkResult br : rr.getBenchmarkResults()) {
                for (IterationResult ir : br.getIterationResults()) scores.add(ir.getPrimaryResult().getScore());
            }
            double median = Stats.median(scores);
            ns.put(name, median);
            s.figure("jmh." + name + ".ns", median);
            s.progress("%-20s %8.1f ns/op (median of %d iterations)", name, median, scores.size());
        }
        return ns;
    }

    void run() {
        Map<String, Double> ns = new LinkedHashMap<>(jmh(s));
        String path = NativeBridge.path(); // this JVM's, as the JMH forks' (same JDK, same class path)
        if (path.equals("ffm")) ns.putAll(jmh(s, null, List.of("-Disolex.bridge=jni"), FORCED_JNI, "@jni"));
        s.jmh = ns;
        String jdk2 = s.param("bench.jdk", "", "");
        s.driver("call", s.intParam("bench.call.c.n", 1_000_000, 200_000));
        double raw = ns.getOrDefault("jniAdd1", Double.NaN), echo = ns.getOrDefault("isolexEcho", Double.NaN);
        double ratio = echo / raw;
        s.figure("call.ratio", ratio);

        Md md = s.body;
        md.heading("3. Java → a trivial extension function vs a raw JNI call");
        md.para("One JMH run (`CallBench`, a forked JVM, average time per call, the median of the measurement "
                + "iterations), and the C driver's timings of the native layers alone (`ixdriver bench call`, "
                + "median of 7 rounds). The pair the budget compares: **raw JNI** = `RawJni.ix_bench_add1(x)`, "
                + "a JavaCPP static native, `x + 1` in C inlined into its JNI entry point (one JNI transition, "
                + "nothing else); **isolex** = `probe.invoke(\"echo\", x)`, test-ext/probe's `echo(x) -> x` "
                + "(the extension function that does least: a new reference to its argument), through the "
                + "public API: every layer of a real call.");
        List<List<String>> rows = new ArrayList<>();
        rows.add(jrow(ns, "jniAdd1", "raw JNI: long in, long out (the baseline)", raw));
        rows.add(jrow(ns, "jniBufferAdd1", "raw JNI with a direct ByteBuffer, 9-byte decode + encode", raw));
        rows.add(jrow(ns, "jniPointerArg", "JNI into libisolex with an IxInterp* argument (ixh_interp_id)", raw));
        if (path.equals("ffm")) {
            rows.add(jrow(ns, "bridgePointerArg", "raw FFM: the same function through a downcall (JDK 22+)", raw));
        }
        rows.add(jrow(ns, "javaGate", "Java: the interpreter's close gate alone, two atomic updates (no native call)", raw));
        rows.add(jrow(ns, "javaWireOnly", "Java: encode \"echo\", (x,) and decode the reply (no native call)", raw));
        rows.add(crow("call.release.dispatch_ns", "C: Ix_Call(echo, 1) inside an entered interpreter", raw));
        rows.add(crow("call.release.method_ns", "C: Ix_CallMethod(probe, \"echo\", 1): lookup + dispatch", raw));
        rows.add(crow("call.release.locked_stat_ns", "C: the interpreter's mutex, lock + unlock", raw));
        rows.add(crow("call.release.enter_leave_ns", "C: ixh_enter + ixh_leave (mutex + a malloc-ed context)", raw));
        rows.add(crow("call.release.value_api_ns", "C: ixh_call on an encoded echo(1): the native side of a call", raw));
        rows.add(jrow(ns, "bridgeEcho", "JNI ixh_call on a pre-encoded request (no Java encode, lock, decode)", raw));
        rows.add(jrow(ns, "isolexEcho", "**isolex: probe.invoke(\"echo\", x)**", raw));
        rows.add(jrow(ns, "isolexCallResolved", "isolex, the function resolved once: echo.call(x) on its Handle", raw));
        rows.add(jrow(ns, "isolexEchoDebug", "the same in a debug-mode interpreter", raw));
        // ABI 1.3: typed and batched calls (abi/ABI.md 12.70-12.71)
        rows.add(crow("call.release.typed_ns", "C: ixh_call_typed of typed.add1(x), \"l:l\" (ABI 1.3)", raw));
        rows.add(crow("call.release.batch_ns", "C: ixh_call_typed_batch of add1, per call, batches of 1000", raw));
        rows.add(jrow(ns, "jniBridgeTyped", "JNI ixh_call_typed of add1 on a filled IxValue (no Java layer)", raw));
        if (path.equals("ffm")) {
            rows.add(jrow(ns, "bridgeTyped", "FFM ixh_call_typed of add1 on a filled IxValue (no Java layer)", raw));
            rows.add(jrow(ns, "isolexTyped@jni", "isolex typed through JNI (-Disolex.bridge=jni): add1.callLong(x)",
                    raw));
        }
        rows.add(jrow(ns, "isolexTyped", "**isolex typed: add1.callLong(x) (TypedFunction, ABI 1.3), "
                + path.toUpperCase(java.util.Locale.ROOT) + "**", raw));
        rows.add(jrow(ns, "isolexTypedByName", "isolex: typed.invoke(\"add1\", x), the same function by name", raw));
        rows.add(jrow(ns, "isolexTypedBatch", "**isolex batched: add1.callEach of 1000, per call**", raw));
        md.table(List.of("layer", "ns/call", "× raw JNI"), rows);

        double cValue = s.c("call.release.value_api_ns"), bridge = ns.getOrDefault("bridgeEcho", Double.NaN);
        double method = s.c("call.release.method_ns"), dispatch = s.c("call.release.dispatch_ns");
        double mutex = s.c("call.release.locked_stat_ns");
        double jniBuf = ns.getOrDefault("jniBufferAdd1", Double.NaN);
        md.para(Md.f("Where the %.0f ns of `isolexEcho` go (differences of medians from one run, so approximate): "
                + "**native value API** `ixh_call` %.0f ns: the interpreter's mutex ≈ %.0f, the lookup of \"echo\" on "
                + "the module %s (`Ix_CallMethod` − `Ix_Call`), the dispatch into `probe_echo` ≈ %.0f, the rest "
                + "%s decoding the request, encoding the reply, the stack context and the handle table; "
                + "**JNI** %s (`bridgeEcho` − C value API; the bare transition is %.0f ns: the interpreter and "
                + "the wire buffer cross as plain longs. Passed as a JavaCPP Pointer and a direct ByteBuffer, as "
                + "`jniBufferAdd1` does, JavaCPP fetches them with `GetLongField`, `GetDirectBufferAddress` (an "
                + "`IsInstanceOf` inside HotSpot) and `GetIntField`: %.0f ns for the buffer alone); **the Java "
                + "layer** %s (`isolexEcho` − `bridgeEcho`: the varargs array, the close gate ≈ %.0f, "
                + "writing the method name and the argument, the `BiConsumer` lambda, decoding the reply into a "
                + "`Long`). `ixh_enter`/`ixh_leave` (%.0f ns) is higher than the mutex because it allocates its "
                + "context; `ixh_call`'s is on the stack.",
                echo, cValue, mutex, approx(method - dispatch), dispatch, approx(cValue - mutex - method),
                approx(bridge - cValue), raw, jniBuf, approx(echo - bridge), ns.getOrDefault("javaGate", Double.NaN),
                s.c("call.release.enter_leave_ns")));
        s.budget("Java → trivial extension call (probe.echo) vs raw JNI (add1)",
                Md.f("%.2f× (%.0f ns vs %.1f ns)", ratio, echo, raw), "≤ 1.5×", ratio <= 1.5);
        int feature = Runtime.version().feature();
        typedBudget(ns, "isolexTyped", typedWhat(feature, path), path.equals("ffm") ? 2.0 : 3.0, raw);
        if (path.equals("ffm")) typedBudget(ns, "isolexTyped@jni", typedWhat(feature, "jni"), 3.0, raw);
        typedBudget(ns, "isolexEcho", "call by name (probe.invoke(\"echo\", x)) vs raw JNI", 4.0, raw);
        typedBudget(ns, "isolexTypedBatch", "batched typed calls (add1.callEach of 1000), per call, vs raw JNI", 1.5,
                raw);
        if (!jdk2.isEmpty()) secondJdk(Suite.javaOf(jdk2));
    }

    private static String typedWhat(int feature, String path) {
        return "typed call through a resolved function (add1.callLong), JDK " + feature + " "
                + path.toUpperCase(java.util.Locale.ROOT) + ", vs raw JNI";
    }

    /**
     * 3b: the baselines and typed paths once more on a second JDK ({@code --jdk}, e.g. 25 beside
     * a suite run on 17), each a ratio to that JDK's own raw JNI call; on 22+ both paths.
     */
    private void secondJdk(String java) {
        int feature = Suite.jdkFeature(java);
        String suffix = "@jdk" + feature;
        Map<String, Double> ns = new LinkedHashMap<>(jmh(s, java, List.of(), SECOND_JDK, suffix));
        boolean ffm = feature >= 22;
        if (ffm) ns.putAll(jmh(s, java, List.of("-Disolex.bridge=jni"), FORCED_JNI, suffix + "@jni"));
        s.jmh.putAll(ns);
        double raw = ns.getOrDefault("jniAdd1" + suffix, Double.NaN);
        Md md = s.body;
        md.heading(Md.f("3b. The typed paths on JDK %d (`--jdk`)", feature));
        md.para(Md.f("The same CallBench benchmarks in JMH forks of %s (JDK %d), each a ratio to this JDK's own "
                + "raw JNI call. On JDK 22+ the JVM calls libisolex through `java.lang.foreign` downcalls (FFM); "
                + "the rows marked JNI force JavaCPP's bridge (`-Disolex.bridge=jni`, or JNI-only rows).",
                withoutRoot(java), feature));
        String p = ffm ? "FFM" : "JNI";
        List<List<String>> rows = new ArrayList<>();
        rows.add(jrow(ns, "jniAdd1" + suffix, "raw JNI: long in, long out (the baseline)", raw));
        rows.add(jrow(ns, "jniPointerArg" + suffix, "JNI into libisolex (ixh_interp_id)", raw));
        if (ffm) rows.add(jrow(ns, "bridgePointerArg" + suffix, "raw FFM: the same function through a downcall", raw));
        rows.add(jrow(ns, "jniBridgeTyped" + suffix, "JNI ixh_call_typed on a filled IxValue (no Java layer)", raw));
        if (ffm) rows.add(jrow(ns, "bridgeTyped" + suffix, "FFM ixh_call_typed on a filled IxValue (no Java layer)", raw));
        if (ffm) rows.add(jrow(ns, "isolexTyped" + suffix + "@jni", "isolex typed through JNI: add1.callLong(x)", raw));
        rows.add(jrow(ns, "isolexTyped" + suffix, "**isolex typed, " + p + ": add1.callLong(x)**", raw));
        if (ffm) {
            rows.add(jrow(ns, "isolexTypedBatch" + suffix + "@jni", "isolex batched through JNI, per call", raw));
        }
        rows.add(jrow(ns, "isolexTypedBatch" + suffix, "**isolex batched, " + p + ": add1.callEach of 1000, per call**",
                raw));
        rows.add(jrow(ns, "isolexEcho" + suffix, "isolex by name, " + p + ": probe.invoke(\"echo\", x)", raw));
        md.table(List.of("layer", "ns/call", "× raw JNI"), rows);
        typedBudget(ns, "isolexTyped" + suffix, typedWhat(feature, ffm ? "ffm" : "jni"), ffm ? 2.0 : 3.0, raw);
        if (ffm) typedBudget(ns, "isolexTyped" + suffix + "@jni", typedWhat(feature, "jni"), 3.0, raw);
        typedBudget(ns, "isolexTypedBatch" + suffix, "batched typed calls, per call, JDK " + feature + " " + p
                + ", vs raw JNI", 1.5, raw);
    }

    /** A path with the checkout root left out (the report is committed). */
    private static String withoutRoot(String path) {
        String root = BenchEnv.root().toString();
        return path.startsWith(root) ? path.substring(root.length() + 1) : path;
    }

    /** An issue-13 budget row: `key`'s median as a multiple of raw JNI, against `limit`. */
    private void typedBudget(Map<String, Double> ns, String key, String what, double limit, double raw) {
        double v = ns.getOrDefault(key, Double.NaN), r = v / raw;
        s.figure("call.ratio." + key.replace('@', '.'), r);
        s.budget(what, Md.f("%.2f× (%.1f ns vs %.1f ns)", r, v, raw), Md.f("≤ %.1f×", limit),
                Double.isNaN(r) ? null : r <= limit);
    }

    /**
     * A difference of two medians as "≈ N ns"; one below zero says so instead: the two come
     * from different processes (JMH's fork, the C driver) measured at different moments, and
     * this machine's speed drifts between them.
     */
    private static String approx(double ns) {
        return ns >= 0 ? Md.f("≈ %.0f ns", ns) : "lost in the noise (the difference is negative: its two figures "
                + "were measured in different processes, minutes apart)";
    }

    private List<String> jrow(Map<String, Double> ns, String key, String what, double raw) {
        Double v = ns.get(key);
        if (v == null) return List.of(what + " (`" + key + "`)", "n/a", "");
        return List.of(what + " (`" + key + "`)", Md.f("%.1f", v), Md.f("%.1f×", v / raw));
    }

    private List<String> crow(String key, String what, double raw) {
        double v = s.c(key);
        return List.of(what, Double.isNaN(v) ? "n/a" : Md.f("%.1f", v), Double.isNaN(v) ? "" : Md.f("%.1f×", v / raw));
    }
}
