package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The seed's proof of concept, as a log line: CPU-bound work in two interpreters runs in
 * parallel, two threads in one interpreter take turns. Times are printed, never asserted
 * (docs/design.md: benchmarks are not timed tests; the JMH benchmarks measure properly); only the
 * results are checked.
 */
class ParallelTimingTest extends NativeTestBase {
    static final long N = 40_000;
    static final long DIGITS = 166_714;  // decimal digits of 40000!

    @Test
    void parallelInterpretersAndThreadsInOneInterpreter() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            ExtensionModule[] two = {a.importModule("fact"), b.importModule("fact")};
            ExtensionModule[] one = {two[0], two[0]};
            for (ExtensionModule m : two) assertEquals(5736L, m.invoke("factorial_digits", 2000L));  // warm up

            long seq = sequential(two);
            long par = parallel(two);
            System.out.printf("parallel interpreters: %d ms vs sequential %d ms (speedup %.2f)%n",
                    par, seq, (double) seq / par);

            long seq1 = sequential(one);
            long par1 = parallel(one);
            System.out.printf("two threads, one interpreter: %d ms vs sequential %d ms (ratio %.2f)%n",
                    par1, seq1, (double) seq1 / par1);
        }
    }

    static long sequential(ExtensionModule[] m) {
        long t0 = System.nanoTime();
        for (ExtensionModule f : m) assertEquals(DIGITS, f.invoke("factorial_digits", N));
        return (System.nanoTime() - t0) / 1_000_000;
    }

    static long parallel(ExtensionModule[] m) throws Exception {
        long[] t0 = new long[1];
        List<Long> ends = Together.run(m.length, i -> () -> {
            if (i == 0) t0[0] = System.nanoTime();
            assertEquals(DIGITS, m[i].invoke("factorial_digits", N));
            return System.nanoTime();
        });
        long end = ends.stream().mapToLong(Long::longValue).max().orElseThrow();
        return (end - t0[0]) / 1_000_000;
    }
}
