package com.example.isolexapp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.isolex.ExtensionModule;
import org.isolex.Handle;
import org.isolex.Host;
import org.isolex.Interpreter;

/**
 * Two isolated interpreters in one JVM: each imports {@code counter} and gets its own module
 * state, then both compute with {@code fact} in parallel, one thread each. After the host is
 * closed, no native byte is left and the extension libraries are unmapped.
 *
 * <p>Usage: {@code App MODULE_DIR}, where MODULE_DIR holds counter.so and fact.so. Exit status
 * 0 when everything above held, 1 when something was left behind, 2 on a usage error.
 */
public final class App {
    /** What one run saw, for the test to check. */
    public record Result(List<Long> createdPerInterpreter, List<Long> factorialDigits,
                         long liveBytesAfterClose, long librariesAfterClose) {
    }

    private App() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1 || args[0].isEmpty() || !Files.isDirectory(Path.of(args[0]))) {
            System.err.println("usage: App MODULE_DIR (a directory holding counter.so and fact.so;"
                    + " with Maven: -Disolex.modules=DIR)");
            System.exit(2);
        }
        Result result = run(Path.of(args[0]));
        System.out.println("Counters created, per interpreter: " + result.createdPerInterpreter());
        System.out.println("digits of 20000!, per interpreter: " + result.factorialDigits());
        System.out.println("after close: " + result.liveBytesAfterClose() + " live native bytes, "
                + result.librariesAfterClose() + " extension libraries mapped");
        boolean clean = result.liveBytesAfterClose() == 0 && result.librariesAfterClose() == 0;
        System.exit(clean ? 0 : 1);
    }

    /** Runs the two interpreters over the modules in {@code moduleDir} and closes them. */
    public static Result run(Path moduleDir) throws Exception {
        List<Long> created = new ArrayList<>();
        List<Long> digits = new ArrayList<>();
        try (Host host = Host.builder().modulePath(moduleDir).build();
             Interpreter first = host.newInterpreter();
             Interpreter second = host.newInterpreter()) {
            // Module state is per interpreter: two Counters made in the first, one in the second.
            ExtensionModule counterInFirst = first.importModule("counter");
            ExtensionModule counterInSecond = second.importModule("counter");
            makeCounters(counterInFirst, 2);
            makeCounters(counterInSecond, 1);
            created.add((Long) counterInFirst.invoke("created"));
            created.add((Long) counterInSecond.invoke("created"));

            // Each interpreter has its own lock: the two calls run at the same time.
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<Object>> calls = new ArrayList<>();
                for (Interpreter interpreter : List.of(first, second)) {
                    ExtensionModule fact = interpreter.importModule("fact");
                    calls.add(pool.submit(() -> fact.invoke("factorial_digits", 20000L)));
                }
                for (Future<Object> call : calls) {
                    digits.add((Long) call.get());
                }
            } finally {
                pool.shutdown();
            }
        }
        return new Result(created, digits, Host.liveNativeBytes(), Host.loadedLibraries());
    }

    private static void makeCounters(ExtensionModule counter, int howMany) {
        for (int i = 0; i < howMany; i++) {
            try (Handle c = (Handle) counter.invoke("Counter", 10L, 5L)) {
                c.invoke("increment");
            }
        }
    }
}
