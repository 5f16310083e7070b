package org.isolex.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.isolex.Host;
import org.isolex.Interpreter;
import org.isolex.ExtensionModule;
import org.isolex.SharedQueue;
import org.isolex.SharedBuffer;

/**
 * 5. Queue throughput (abi/ABI.md 11): small values one way per second between two
 * interpreters, each on its own thread (the C driver, {@code ixdriver bench queue}: both
 * ends are extension-level code, IxQueue_Put / IxQueue_Get), and shared buffers of 64 B,
 * 1 MiB and 16 MiB, which cross by reference (the receiver sees the sender's address, and
 * the rate does not depend on the size), against 1 MiB bytes objects, which are copied.
 * From Java ({@link SharedQueue}, {@link SharedBuffer}): Java to Java, Java to an interpreter and
 * an interpreter to Java (test-ext/channels' {@code pump(q_in, q_out, n)} is the
 * interpreter's end: a C loop of IxQueue_Get and IxQueue_Put), and a Java SharedBuffer
 * passed into an interpreter and through a queue, compared by address.
 */
final class QueueBench {
    private final Suite s;

    QueueBench(Suite s) {
        this.s = s;
    }

    void run() {
        long n = s.intParam("bench.queue.values", 2_000_000, 100_000);
        java(s.intParam("bench.queue.java.values", 500_000, 50_000));
        s.driver("queue", n);
        double ints = s.c("queue.int_per_s"), strs = s.c("queue.str_per_s");
        Md md = s.body;
        md.heading("5. Cross-interpreter queue");
        md.para(Md.f("Interpreter A's thread puts, interpreter B's thread gets, one queue of capacity 1024 "
                + "(`ixdriver bench queue %d`: both ends are C extension-level code, `IxQueue_Put` / `IxQueue_Get`, "
                + "blocking); items per second from the first put to the last get, the median of 5 runs "
                + "(%,d values; %,d buffers; %,d bytes objects).", n, n, n / 10 + 1, n / 1000 + 1));
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("ints, A → B", Md.rate(ints), ""));
        rows.add(List.of("12-character strs, A → B", Md.rate(strs), ""));
        rows.add(List.of("ints, A → B, unbounded queue", Md.rate(s.c("queue.int_unbounded_per_s")), ""));
        String[][] buffers = {{"buffer_64B", "64 B"}, {"buffer_1MiB", "1 MiB"}, {"buffer_16MiB", "16 MiB"}};
        boolean allSame = true;
        for (String[] b : buffers) {
            double rate = s.c("queue." + b[0] + "_per_s");
            boolean same = s.c("queue." + b[0] + "_same_address") == 1;
            allSame &= same;
            rows.add(List.of("shared buffer of " + b[1] + ", A → B", Md.rate(rate),
                    same ? "B saw A's address every time (no copy)" : "ADDRESS DIFFERED (copied?)"));
        }
        double bytes = s.c("queue.bytes_1MiB_per_s");
        rows.add(List.of("bytes object of 1 MiB (copied in and out), A → B", Md.rate(bytes),
                Md.f("%.1f GiB/s copied, twice", bytes / 1024)));
        md.table(List.of("item", "per second", ""), rows);
        if (!javaRows.isEmpty()) {
            md.para("From Java (`Host.newQueue`, `SharedQueue.put` / `take`, `Host.newBuffer`), one producer and one "
                    + "consumer thread, the median of 3 runs; each value is encoded by Java's wire codec and "
                    + "crosses one JNI call on each side:");
            md.table(List.of("item", "per second", ""), javaRows);
        }

        s.budget("queue, small values one way (ints, interpreter → interpreter)", Md.rate(ints) + Md.f(" (strs %s)",
                Md.rate(strs)), "≥ 2 M/s", ints >= 2e6);
        if (!Double.isNaN(javaToInterp)) {
            s.budget("queue, small values one way, Java → interpreter", Md.rate(javaToInterp), "≥ 2 M/s",
                    javaToInterp >= 2e6);
        }
        // No copy: B saw A's address every time, and 1 MiB buffers cross far faster than 1 MiB
        // bytes objects can be copied (their rate next to the 64 B buffers' is only noise:
        // the same pointer crosses either way).
        double r1 = s.c("queue.buffer_1MiB_per_s"), r64 = s.c("queue.buffer_64B_per_s");
        s.budget("a 1 MiB shared buffer crosses without a copy", Md.f("same address; %s (64 B: %s; 1 MiB bytes copied: %s)",
                Md.rate(r1), Md.rate(r64), Md.rate(bytes)), "no copy", allSame && r1 > 10 * bytes);
    }

    // ------------------------------------------------------------------ from Java

    private static final int JAVA_ROUNDS = 3;
    private final List<List<String>> javaRows = new ArrayList<>();
    private double javaToInterp = Double.NaN;

    /** Values per second of {@code run} (which moves {@code n} values), the median of 3 rounds. */
    private interface Round {
        double seconds() throws Exception;
    }

    private static double rate(long n, Round r) throws Exception {
        double[] rates = new double[JAVA_ROUNDS];
        for (int i = 0; i < rates.length; i++) rates[i] = n / r.seconds();
        return Stats.median(rates);
    }

    private void java(int n) {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Host host = BenchEnv.hostBuilder().build()) {
            Interpreter interp = host.newInterpreter();
            ExtensionModule channels = interp.importModule("channels");
            long[] values = new long[n];
            for (int i = 0; i < n; i++) values[i] = i;

            // Java -> Java: a producer and a consumer thread on one queue of capacity 1024
            double jj = rate(n, () -> {
                try (SharedQueue q = Host.newQueue(1024)) {
                    Future<?> producer = pool.submit(() -> {
                        for (int i = 0; i < n; i++) q.put(values[i]);
                        return null;
                    });
                    long t0 = System.nanoTime();
                    long sum = 0;
                    for (int i = 0; i < n; i++) sum += (Long) q.take();
                    double t = (System.nanoTime() - t0) / 1e9;
                    producer.get();
                    check(sum, n);
                    return t;
                }
            });
            // Java -> interpreter: Java puts into q1 (capacity 1024); a thread in the interpreter
            // runs channels.pump(q1, q2, n): IxQueue_Get from q1, IxQueue_Put into q2 (unbounded,
            // read only after the clock stops)
            double ji = rate(n, () -> {
                try (SharedQueue q1 = Host.newQueue(1024); SharedQueue q2 = Host.newQueue()) {
                    Future<?> pump = pool.submit(() -> channels.invoke("pump", q1, q2, (long) n));
                    long t0 = System.nanoTime();
                    for (int i = 0; i < n; i++) q1.put(values[i]);
                    pump.get();
                    double t = (System.nanoTime() - t0) / 1e9;
                    drain(q2, n);
                    return t;
                }
            });
            // interpreter -> Java: q1 filled beforehand (not timed); the interpreter pumps it into
            // q2 (capacity 1024) while Java takes from q2
            double ij = rate(n, () -> {
                try (SharedQueue q1 = Host.newQueue(); SharedQueue q2 = Host.newQueue(1024)) {
                    for (int i = 0; i < n; i++) q1.put(values[i]);
                    long t0 = System.nanoTime();
                    Future<?> pump = pool.submit(() -> channels.invoke("pump", q1, q2, (long) n));
                    long sum = 0;
                    for (int i = 0; i < n; i++) sum += (Long) q2.take();
                    double t = (System.nanoTime() - t0) / 1e9;
                    pump.get();
                    check(sum, n);
                    return t;
                }
            });
            // short strs, Java -> Java
            double js = rate(n, () -> {
                try (SharedQueue q = Host.newQueue(1024)) {
                    Future<?> producer = pool.submit(() -> {
                        for (int i = 0; i < n; i++) q.put("hello, queue");
                        return null;
                    });
                    long t0 = System.nanoTime();
                    for (int i = 0; i < n; i++) q.take();
                    double t = (System.nanoTime() - t0) / 1e9;
                    producer.get();
                    return t;
                }
            });
            javaToInterp = ji;
            s.figure("queue.java.java_to_java_int_per_s", jj);
            s.figure("queue.java.java_to_java_str_per_s", js);
            s.figure("queue.java.java_to_interp_int_per_s", ji);
            s.figure("queue.java.interp_to_java_int_per_s", ij);
            s.progress("Java: Java→Java ints %s, strs %s; Java→interpreter %s; interpreter→Java %s",
                    Md.rate(jj), Md.rate(js), Md.rate(ji), Md.rate(ij));
            javaRows.add(List.of("ints, Java → Java (`SharedQueue.put` / `SharedQueue.take`)", Md.rate(jj), ""));
            javaRows.add(List.of("12-character strs, Java → Java", Md.rate(js), ""));
            javaRows.add(List.of("ints, Java → interpreter", Md.rate(ji), "the interpreter's end: `channels.pump` "
                    + "(IxQueue_Get, then IxQueue_Put into an unbounded queue)"));
            javaRows.add(List.of("ints, interpreter → Java", Md.rate(ij), "`channels.pump` from a filled queue "
                    + "(IxQueue_Get + IxQueue_Put), Java takes"));

            // shared buffers from Java: into an interpreter and through a queue, by address
            int nb = Math.max(n / 10, 1000);
            for (int size : new int[] {64, 1 << 20, 16 << 20}) {
                try (SharedBuffer b = Host.newBuffer(size)) {
                    long inInterp = (Long) channels.invoke("address", b);
                    long[] same = {0};
                    double r = rate(nb, () -> {
                        try (SharedQueue q = Host.newQueue(1024)) {
                            Future<?> producer = pool.submit(() -> {
                                for (int i = 0; i < nb; i++) q.put(b);
                                return null;
                            });
                            long t0 = System.nanoTime();
                            same[0] = 0;
                            for (int i = 0; i < nb; i++) {
                                try (SharedBuffer got = (SharedBuffer) q.take()) {
                                    if (got.address() == b.address()) same[0]++;
                                }
                            }
                            double t = (System.nanoTime() - t0) / 1e9;
                            producer.get();
                            return t;
                        }
                    });
                    boolean ok = inInterp == b.address() && same[0] == nb;
                    String label = size == 64 ? "64 B" : size == 1 << 20 ? "1 MiB" : "16 MiB";
                    s.figure("queue.java.buffer_" + label.replace(" ", "") + "_per_s", r);
                    s.figure("queue.java.buffer_" + label.replace(" ", "") + "_same_address", ok ? 1 : 0);
                    javaRows.add(List.of("SharedBuffer of " + label + ", Java → Java", Md.rate(r),
                            ok ? "same address in Java, in the interpreter (`channels.address`) and after the queue"
                                    : "ADDRESS DIFFERED"));
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("Java queue benchmark failed", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void check(long sum, long n) {
        if (sum != n * (n - 1) / 2) throw new IllegalStateException("queue lost or changed values: sum " + sum);
    }

    private static void drain(SharedQueue q, long n) {
        long got = 0;
        while (q.poll().isPresent()) got++;
        if (got != n) throw new IllegalStateException("pump moved " + got + " of " + n + " values");
    }
}
