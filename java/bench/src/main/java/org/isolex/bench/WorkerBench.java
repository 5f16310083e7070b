package org.isolex.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.isolex.ExtensionModule;
import org.isolex.Host;
import org.isolex.Interpreter;
import org.isolex.Isolation;

/**
 * 7. Interpreters in a worker process (issue 14, abi/ABI.md 13) from Java: a trivial call,
 * starting a worker and importing, and factorial scaling with N workers beside N in-process
 * interpreters, in one run.
 */
final class WorkerBench {
    private final Suite s;

    WorkerBench(Suite s) {
        this.s = s;
    }

    /** Median ns of single probe.echo(i) calls, each timed alone. */
    private static double echoMedian(ExtensionModule probe, int calls) {
        double[] t = new double[calls];
        for (int i = 0; i < calls; i++) {
            long t0 = System.nanoTime();
            probe.invoke("echo", (long) i);
            t[i] = System.nanoTime() - t0;
        }
        return Stats.median(t);
    }

    /** Median µs of: make an interpreter, import counter (then close it, not timed). */
    private static double startMedian(Host host, Isolation where, int rounds) {
        double[] t = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            Interpreter interp = host.interpreterBuilder().isolation(where).build();
            interp.importModule("counter");
            t[i] = (System.nanoTime() - t0) / 1e3;
            interp.close();
        }
        return Stats.median(t);
    }

    /** ms of wall time for n interpreters each running factorial_digits(size) once, on n threads. */
    private static double scaling(Host host, Isolation where, int n, int size) throws Exception {
        List<Interpreter> interps = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<ExtensionModule> facts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Interpreter interp = host.interpreterBuilder().isolation(where).build();
                interps.add(interp);
                ExtensionModule f = interp.importModule("fact");
                f.invoke("factorial_digits", 1000L);
                facts.add(f);
            }
            long t0 = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (ExtensionModule f : facts) done.add(pool.submit(() -> f.invoke("factorial_digits", (long) size)));
            for (Future<?> d : done) d.get();
            return (System.nanoTime() - t0) / 1e6;
        } finally {
            pool.shutdown();
            for (Interpreter i : interps) i.close();
        }
    }

    void run() {
        Path worker = BenchEnv.root().resolve("target/cmake/bin/ixworker");
        if (System.getProperty("isolex.worker") == null && Files.isExecutable(worker)) {
            System.setProperty("isolex.worker", worker.toString()); // the checkout's, as for the C driver
        }
        int calls = s.intParam("bench.worker.calls", 20_000, 2_000);
        int starts = s.intParam("bench.worker.starts", 30, 5);
        int size = s.intParam("bench.worker.fact.n", 20_000, 5_000);
        int maxN = s.intParam("bench.worker.max", 4, 2);
        double echoIn, echoWorker, startIn, startWorker;
        List<double[]> scale = new ArrayList<>();
        try (Host host = BenchEnv.hostBuilder().build()) {
            Interpreter in = host.newInterpreter();
            Interpreter wk = host.interpreterBuilder().isolation(Isolation.WORKER_PROCESS).build();
            ExtensionModule pin = in.importModule("probe"), pwk = wk.importModule("probe");
            echoMedian(pin, calls / 10);
            echoMedian(pwk, calls / 10);
            echoIn = echoMedian(pin, calls);
            echoWorker = echoMedian(pwk, calls);
            in.close();
            wk.close();
            startIn = startMedian(host, Isolation.IN_PROCESS, starts);
            startWorker = startMedian(host, Isolation.WORKER_PROCESS, starts);
            for (int n = 1; n <= maxN; n *= 2) {
                try {
                    scale.add(new double[] {n, scaling(host, Isolation.IN_PROCESS, n, size),
                        scaling(host, Isolation.WORKER_PROCESS, n, size)});
                } catch (Exception e) {
                    throw new IllegalStateException("factorial scaling with " + n + " interpreters failed", e);
                }
            }
        }
        s.figure("worker.echo.in_process_ns", echoIn);
        s.figure("worker.echo.worker_ns", echoWorker);
        s.figure("worker.start_import.in_process_us", startIn);
        s.figure("worker.start_import.worker_us", startWorker);
        for (double[] r : scale) {
            s.figure(Md.f("worker.fact.%d.in_process_ms", (int) r[0]), r[1]);
            s.figure(Md.f("worker.fact.%d.worker_ms", (int) r[0]), r[2]);
        }
        s.progress("echo %.2f / %.1f µs (in process / worker); start + import %.0f / %.0f µs", echoIn / 1e3,
                echoWorker / 1e3, startIn, startWorker);
        s.budget("trivial call in a worker process, median (goal 5 µs over a Unix socket)",
                Md.f("%.1f µs", echoWorker / 1e3), "≤ 5 µs", echoWorker <= 5000);
        s.budget("worker start + import, median (goal 3 ms)", Md.f("%.1f ms", startWorker / 1e3), "≤ 3 ms",
                startWorker <= 3000);

        Md md = s.body;
        md.heading("7. Worker processes (Isolation.WORKER_PROCESS) from Java");
        md.para("The same operations in an in-process interpreter and in one whose worker process (`ixworker`) "
                + "serves it over a Unix socket, same run. Calls are timed one by one (medians).");
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("probe.echo(i), one call, median (µs)", Md.f("%.2f", echoIn / 1e3),
                Md.f("%.1f", echoWorker / 1e3), Md.f("%.0f×", echoWorker / echoIn)));
        rows.add(List.of("new interpreter + import counter, median (µs)", Md.f("%.0f", startIn),
                Md.f("%.0f", startWorker), Md.f("%.0f×", startWorker / startIn)));
        for (double[] r : scale) {
            rows.add(List.of(Md.f("%d × factorial_digits(%,d) on %d threads, wall (ms)", (int) r[0], size, (int) r[0]),
                    Md.f("%.0f", r[1]), Md.f("%.0f", r[2]), Md.f("%.2f×", r[2] / r[1])));
        }
        md.table(List.of("", "in process", "worker process", "worker / in process"), rows);
    }
}
