package org.isolex.bench;

import java.io.PrintStream;
import java.util.List;

import org.isolex.Host;
import org.isolex.Interpreter;
import org.isolex.ExtensionModule;

/**
 * {@code isolex bench-worker N}: one factorial call in a fresh JVM, the "separate processes"
 * way of the factorial benchmark. It prints one line,
 * {@code bench-worker setup_ns=S compute_ns=C main_ns=M digits=D}: S is the host, the
 * interpreter and the import of fact (loading the JNI library and libisolex included), C the
 * call, M everything from entering this method to leaving it. The parent measures the
 * process from spawn to exit; the difference with M is the JVM's own start and exit.
 */
public final class Worker {
    private Worker() {}

    public static int run(List<String> args, PrintStream out) {
        long t0 = System.nanoTime();
        if (args.size() != 1) throw new IllegalArgumentException("usage: bench-worker N");
        long n = Long.parseLong(args.get(0));
        long t1, t2, digits;
        try (Host host = BenchEnv.hostBuilder().build(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule fact = interp.importModule("fact");
            t1 = System.nanoTime();
            digits = (Long) fact.invoke("factorial_digits", n);
            t2 = System.nanoTime();
        }
        long t3 = System.nanoTime();
        out.printf("bench-worker setup_ns=%d compute_ns=%d main_ns=%d digits=%d%n", t1 - t0, t2 - t1, t3 - t0, digits);
        out.flush();
        return 0;
    }
}
