package org.isolex.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.isolex.Host;
import org.isolex.Interpreter;
import org.isolex.ExtensionModule;

/**
 * 1. The seed's factorial proof of concept (seeds/subinterpreters-talk.rst: sequential,
 * threads, processes, subinterpreters): {@code fact.factorial_digits(n)}, N jobs done four
 * ways, all in one run, interleaved (each repetition runs every way for every N, the order
 * of the ways rotating), medians over the repetitions:
 * <ul>
 * <li><b>sequential</b>: N calls one after another, one interpreter, one thread;</li>
 * <li><b>threads, one interpreter</b>: N threads calling the same interpreter at once (its
 *     lock serializes them: about 1x);</li>
 * <li><b>interpreters</b>: N interpreters, one thread each (parallel);</li>
 * <li><b>processes</b>: N fresh JVMs ({@code MAIN bench-worker n}) started at once, from the
 *     first spawn to the last exit; their own compute time is reported too, so the JVM's
 *     start-up shows separately.</li>
 * </ul>
 */
final class FactorialBench {
    static final String[] WAYS = {"sequential", "threads", "interpreters", "processes"};

    private final Suite s;

    FactorialBench(Suite s) {
        this.s = s;
    }

    /** Per N: way -> wall times (ns) of each repetition; processes also compute/setup/main. */
    static final class PerN {
        final Map<String, List<Double>> wall = new LinkedHashMap<>();
        final List<Double> procCompute = new ArrayList<>(), procSetup = new ArrayList<>(),
                procMain = new ArrayList<>();

        PerN() {
            for (String w : WAYS) wall.put(w, new ArrayList<>());
        }

        double median(String way) {
            return Stats.median(wall.get(way));
        }
    }

    void run() {
        int n = s.intParam("bench.fact.n", 40000, 20000);
        int reps = s.intParam("bench.fact.reps", 9, 1);
        int[] jobs = parseJobs(s.param("bench.fact.jobs", "1,2,4", "1,2"));
        int maxN = 0;
        for (int j : jobs) maxN = Math.max(maxN, j);
        int cpus = Runtime.getRuntime().availableProcessors();

        Map<Integer, PerN> results = new LinkedHashMap<>();
        List<Double> capacity = new ArrayList<>(); // CPUs free, measured after each repetition
        for (int j : jobs) results.put(j, new PerN());
        long expected;
        double oneCall;
        ThreadPoolExecutor pool = new ThreadPoolExecutor(maxN, maxN, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>());
        pool.prestartAllCoreThreads();
        try (Host host = BenchEnv.hostBuilder().build()) {
            List<ExtensionModule> facts = new ArrayList<>();
            for (int i = 0; i < maxN; i++) {
                Interpreter interp = host.newInterpreter();
                facts.add(interp.importModule("fact"));
            }
            for (ExtensionModule f : facts) f.invoke("factorial_digits", (long) n / 10); // code and heap paged in
            long t0 = System.nanoTime();
            expected = (Long) facts.get(0).invoke("factorial_digits", (long) n);
            oneCall = System.nanoTime() - t0;
            s.progress("fact.factorial_digits(%d) = %d digits; one call %.0f ms; %d repetitions of N = %s",
                    n, expected, oneCall / 1e6, reps, Suite.joinInts(jobs));
            spawnWorkers(n, 1, expected, new PerN()); // the JVM's files into the page cache

            for (int rep = 0; rep < reps; rep++) {
                for (int j : jobs) {
                    PerN r = results.get(j);
                    StringBuilder line = new StringBuilder();
                    for (int k = 0; k < WAYS.length; k++) {
                        String way = WAYS[(rep + k) % WAYS.length];
                        double wall;
                        switch (way) {
                            case "sequential": wall = sequential(facts.get(0), n, j, expected); break;
                            case "threads": wall = threads(pool, facts, n, j, expected, true); break;
                            case "interpreters": wall = threads(pool, facts, n, j, expected, false); break;
                            case "processes": wall = spawnWorkers(n, j, expected, r); break;
                            default: throw new AssertionError(way);
                        }
                        r.wall.get(way).add(wall);
                        line.append(Md.f(" %s %.0f ms", way, wall / 1e6));
                    }
                    s.progress("rep %d, N=%d:%s", rep + 1, j, line);
                }
                capacity.add(Suite.cpuCapacity(1));
            }
        } finally {
            pool.shutdownNow();
        }
        report(n, expected, oneCall, reps, jobs, cpus, results, capacity);
    }

    static int[] parseJobs(String v) {
        String[] parts = v.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) out[i] = Integer.parseInt(parts[i].trim());
        return out;
    }

    private static void check(long digits, long expected) {
        if (digits != expected) throw new IllegalStateException("factorial_digits gave " + digits + ", not " + expected);
    }

    private static double sequential(ExtensionModule fact, int n, int jobs, long expected) {
        long t0 = System.nanoTime();
        for (int i = 0; i < jobs; i++) check((Long) fact.invoke("factorial_digits", (long) n), expected);
        return System.nanoTime() - t0;
    }

    /** N jobs on N pool threads: all on facts[0] (shared) or each on its own interpreter. */
    private static double threads(ThreadPoolExecutor pool, List<ExtensionModule> facts, int n, int jobs, long expected,
                                  boolean shared) {
        List<Callable<Long>> tasks = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            ExtensionModule f = facts.get(shared ? 0 : i);
            tasks.add(() -> (Long) f.invoke("factorial_digits", (long) n));
        }
        long t0 = System.nanoTime();
        try {
            List<Future<Long>> done = pool.invokeAll(tasks);
            double wall = System.nanoTime() - t0;
            for (Future<Long> d : done) check(d.get(), expected);
            return wall;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a factorial job failed", e.getCause());
        }
    }

    /** The command of one worker JVM: the same java, class path and properties as this one. */
    private List<String> workerCommand(int n) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        for (String p : new String[] {"org.bytedeco.javacpp.cachedir", "isolex.root"}) {
            String v = System.getProperty(p);
            if (v != null) cmd.add("-D" + p + "=" + v);
        }
        cmd.add("-Disolex.bench.modulePath=" + BenchEnv.modulePath());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(s.mainClass);
        cmd.add(Suite.WORKER_COMMAND);
        cmd.add(Integer.toString(n));
        return cmd;
    }

    /** N worker JVMs at once: wall ns from the first spawn to the last exit. */
    private double spawnWorkers(int n, int jobs, long expected, PerN r) {
        List<String> cmd = workerCommand(n);
        List<Process> ps = new ArrayList<>();
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < jobs; i++) ps.add(new ProcessBuilder(cmd).redirectErrorStream(true).start());
            double maxCompute = 0, maxSetup = 0, maxMain = 0;
            List<String> outputs = new ArrayList<>();
            for (Process p : ps) {
                String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                    throw new IllegalStateException("bench-worker failed (" + String.join(" ", cmd) + "):\n" + text);
                }
                outputs.add(text);
            }
            double wall = System.nanoTime() - t0;
            for (String text : outputs) {
                Map<String, Long> kv = parseWorker(text);
                check(kv.get("digits"), expected);
                maxCompute = Math.max(maxCompute, kv.get("compute_ns"));
                maxSetup = Math.max(maxSetup, kv.get("setup_ns"));
                maxMain = Math.max(maxMain, kv.get("main_ns"));
            }
            r.procCompute.add(maxCompute);
            r.procSetup.add(maxSetup);
            r.procMain.add(maxMain);
            return wall;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a bench-worker JVM", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            for (Process p : ps) p.destroyForcibly();
        }
    }

    private static Map<String, Long> parseWorker(String text) {
        for (String line : text.split("\n")) {
            if (!line.startsWith("bench-worker ")) continue;
            Map<String, Long> kv = new LinkedHashMap<>();
            for (String part : line.substring(13).trim().split(" ")) {
                kv.put(part.substring(0, part.indexOf('=')), Long.parseLong(part.substring(part.indexOf('=') + 1)));
            }
            return kv;
        }
        throw new IllegalStateException("no result line from bench-worker:\n" + text);
    }

    // ------------------------------------------------------------------ report

    private void report(int n, long expected, double oneCall, int reps, int[] jobs, int cpus, Map<Integer, PerN> results,
                        List<Double> capacity) {
        double capMedian = Stats.median(capacity), capMin = Stats.min(toArray(capacity));
        s.figure("fact.cpus_free.median", capMedian);
        s.figure("fact.cpus_free.min", capMin);
        Md md = s.body;
        md.heading("1. Parallel CPU-bound work: the factorial proof of concept");
        md.para(Md.f("`fact.factorial_digits(%d)` (%,d digits; one call %.0f ms here), N jobs four ways, "
                + "interleaved in each of %d repetitions; wall time is the median over the repetitions, "
                + "speedup = sequential / way at the same N. %d CPUs, so no way can pass %d×. CPUs free, "
                + "measured after each repetition (the spin check of \"The run\"): median %.2f, lowest %.2f.",
                n, expected, oneCall / 1e6, reps, cpus, cpus, capMedian, capMin));
        List<List<String>> rows = new ArrayList<>();
        Map<String, double[]> speedups = new LinkedHashMap<>();
        for (String w : WAYS) speedups.put(w, new double[jobs.length]);
        double[] computeOnly = new double[jobs.length];
        for (int i = 0; i < jobs.length; i++) {
            int j = jobs[i];
            PerN r = results.get(j);
            double seq = r.median("sequential");
            for (String w : WAYS) {
                double m = r.median(w);
                double sp = seq / m;
                speedups.get(w)[i] = sp;
                s.figure("fact.N" + j + "." + w + ".wall_ms", m / 1e6);
                s.figure("fact.N" + j + "." + w + ".speedup", sp);
                String detail = "";
                if (w.equals("processes")) {
                    double compute = Stats.median(r.procCompute), setup = Stats.median(r.procSetup);
                    double jvm = m - Stats.median(r.procMain);
                    computeOnly[i] = seq / compute;
                    s.figure("fact.N" + j + ".processes.compute_ms", compute / 1e6);
                    s.figure("fact.N" + j + ".processes.setup_ms", setup / 1e6);
                    s.figure("fact.N" + j + ".processes.jvm_ms", jvm / 1e6);
                    detail = Md.f("slowest worker: call %.0f ms, host+import %.0f ms; JVM start+exit %.0f ms "
                            + "(compute alone: %.2f×)", compute / 1e6, setup / 1e6, jvm / 1e6, computeOnly[i]);
                } else if (w.equals("interpreters")) {
                    detail = Md.f("ideal %d× on %d CPUs", Math.min(j, cpus), cpus);
                }
                rows.add(List.of(Integer.toString(j), label(w), Md.f("%.0f ms", m / 1e6), Md.f("%.2f×", sp),
                        Md.f("%.0f–%.0f ms", Stats.min(toArray(r.wall.get(w))) / 1e6,
                                Stats.max(toArray(r.wall.get(w))) / 1e6), detail));
            }
        }
        md.table(List.of("N", "way", "wall (median)", "speedup", "range", ""), rows);
        md.para("![speedup vs N](factorial-scaling.svg)");
        s.writeDoc("docs/factorial-scaling.svg", Svg.factorial(n, jobs, cpus, speedups, computeOnly));

        double free = Math.min(s.cpusFree, capMin);
        if (free < 0.9 * cpus) {
            s.notes.add(Md.f("during section 1 as few as %.2f of the %d CPUs were free (another process was busy; "
                    + "median of the checks %.2f): its parallel figures measure the machine's load as well as isolex",
                    free, cpus, capMedian));
        }
        String busy = free < 0.9 * cpus ? Md.f(" (CPUs free: median %.2f, lowest %.2f)", capMedian, free) : "";
        for (int i = 0; i < jobs.length; i++) {
            int j = jobs[i];
            double sp = speedups.get("interpreters")[i];
            int usable = Math.min(j, cpus);
            double target = 0.95 * usable;
            String what = Md.f("N=%d interpreters on %d threads vs sequential", j, j);
            if (j <= cpus) {
                s.budget(what, Md.f("%.2f×", sp) + busy, Md.f("≥ %.2f× (0.95 × %d)", target, j), sp >= target);
            } else {
                s.budget(what + Md.f(" (only %d CPUs)", cpus), Md.f("%.2f×", sp) + busy,
                        Md.f("≥ %.2f× (0.95 × %d CPUs; %d× is the ceiling)", target, cpus, cpus), sp >= target);
            }
        }
        for (int i = 0; i < jobs.length; i++) {
            if (jobs[i] < 2) continue;
            double sp = speedups.get("threads")[i];
            s.budget(Md.f("N=%d threads sharing one interpreter", jobs[i]), Md.f("%.2f×", sp),
                    "≈ 1× (serialized by its lock)", sp >= 0.85 && sp <= 1.15);
        }
        for (int i = 0; i < jobs.length; i++) {
            if (jobs[i] != cpus) continue;
            s.budget(Md.f("N=%d separate JVM processes (beside them)", jobs[i]),
                    Md.f("%.2f× wall, %.2f× compute alone", speedups.get("processes")[i], computeOnly[i]),
                    "no budget; CPython 3.11 processes: 1.86× on 2 cores", null);
        }
    }

    static String label(String way) {
        switch (way) {
            case "sequential": return "sequential, 1 interpreter";
            case "threads": return "N threads, 1 shared interpreter";
            case "interpreters": return "N interpreters, N threads";
            case "processes": return "N JVM processes";
            default: return way;
        }
    }

    static double[] toArray(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
