package org.isolex.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.isolex.Handle;
import org.isolex.Host;
import org.isolex.Interpreter;
import org.isolex.IsolexException;
import org.isolex.ExtensionModule;
import org.isolex.bench.Suite;
import org.isolex.bench.Worker;

/**
 * The isolex command line. Run through the {@code ./isolex} launcher at the checkout root.
 *
 * <pre>
 * isolex demo [--interpreters N] [--n FACTORIAL_N] [--module-path DIR[:DIR...]]
 * isolex bench [--only SECTIONS] [--quick] [--no-write] [--jdk JDK_HOME] [-Dbench.KEY=VALUE ...]
 * isolex new NAME [DIR]
 * isolex check LIB.so [--call 'CALL']... [check-extension options]
 * isolex info LIB.so
 * isolex audit LIB.so [--json] [--call 'CALL']... [ixaudit options]
 * isolex version
 * isolex [COMMAND] --help
 * </pre>
 */
public final class Main {
    private static final String DEMO_OPTIONS = String.join("\n",
            "demo options:",
            "  --interpreters N     how many interpreters (default: the number of CPUs, "
                    + Runtime.getRuntime().availableProcessors() + " here)",
            "  --n N                compute len(str(N!)) exactly in each (default 30000)",
            "  --module-path PATH   ':'-separated directories of extension modules, each of",
            "                       which must exist (default: target/cmake/extensions, set",
            "                       by ./isolex)");

    private static final String USAGE = String.join("\n",
            "usage: isolex <command> [options]      (isolex <command> --help: its options)",
            "",
            "commands:",
            "  demo      isolated interpreters side by side, then the same CPU-bound work",
            "            in all of them in parallel and sequentially",
            "  bench     every benchmark of the performance budgets (docs/design.md), side",
            "            by side; prints the table and rewrites docs/benchmarks.md's generated",
            "            part and docs/factorial-scaling.svg (docs/benchmarks.md)",
            "  new       write a ready extension project: isolex new NAME [DIR]",
            "  check     check an extension for leaks and memory errors under Valgrind:",
            "            isolex check LIB.so [--call 'CALL']... (check-extension's options)",
            "  info      what an extension declares: isolex info LIB.so",
            "  audit     what keeps an extension from running in several interpreters:",
            "            isolex audit LIB.so [--json] [--call 'CALL']... (ixaudit's options)",
            "  version   print the native library's version",
            "",
            DEMO_OPTIONS,
            "",
            Suite.USAGE);

    /** What {@code isolex COMMAND --help} prints. */
    private static String help(String command) {
        switch (command) {
            case "demo":
                return "usage: isolex demo [options]\n\n" + DEMO_OPTIONS;
            case "bench":
                return "usage: isolex bench [options]\n\n" + Suite.USAGE;
            case "new":
                return NewCommand.HELP;
            case "check":
                return CheckCommand.help();
            case "info":
                return InfoCommand.HELP;
            case "audit":
                return AuditCommand.help();
            case "version":
                return "usage: isolex version\n\nprints the native library's version";
            default:
                return USAGE;
        }
    }

    private final PrintStream out;

    Main(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        int rc;
        try {
            rc = new Main(System.out).run(args);
        } catch (UsageException e) {
            System.err.println("isolex: " + e.getMessage());
            System.err.println();
            System.err.println(help(e.command));
            rc = 2;
        } catch (Failure e) {
            System.err.println("isolex: " + e.getMessage());
            rc = e.status;
        } catch (IsolexException e) {
            System.err.println("isolex: " + e.getMessage());
            rc = 1;
        }
        System.exit(rc);
    }

    /** A command that cannot go on, with the exit status that says why. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        Failure(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        /** The command whose help goes with the message ("" for the whole usage). */
        final String command;

        UsageException(String message) {
            this(message, "");
        }

        UsageException(String message, String command) {
            super(message);
            this.command = command;
        }
    }

    int run(String[] args) {
        if (args.length == 0) throw new UsageException("no command given");
        String command = args[0];
        List<String> rest = List.of(args).subList(1, args.length);
        if (!command.equals(Suite.WORKER_COMMAND) && (rest.contains("--help") || rest.contains("-h"))) {
            if (!List.of("demo", "bench", "new", "check", "info", "audit", "version", "help", "-h", "--help").contains(command)) {
                throw new UsageException("unknown command '" + command + "'");
            }
            out.println(help(command));
            return 0;
        }
        switch (command) {
            case "demo":
                return demo(rest);
            case "bench":
                try {
                    return Suite.run(rest, out, Main.class.getName());
                } catch (IllegalArgumentException e) {
                    throw new UsageException(e.getMessage(), "bench");
                }
            case Suite.WORKER_COMMAND: // one process of the factorial benchmark (Suite starts it)
                return Worker.run(rest, out);
            case "new":
                return NewCommand.run(rest, out);
            case "check":
                return CheckCommand.run(rest, out);
            case "info":
                return InfoCommand.run(rest, out);
            case "audit":
                return AuditCommand.run(rest, out);
            case "version":
                out.println(Host.version());
                out.println("native calls: " + Host.nativeCalls() + " (Java " + Runtime.version().feature() + ")");
                return 0;
            case "help":
            case "-h":
            case "--help":
                out.println(USAGE);
                return 0;
            default:
                throw new UsageException("unknown command '" + command + "'");
        }
    }

    // ------------------------------------------------------------------ demo

    private int demo(List<String> args) {
        int interpreters = Runtime.getRuntime().availableProcessors();
        int n = 30000;
        String modulePath = System.getProperty("isolex.module.path", "target/cmake/extensions");
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--interpreters":
                    interpreters = positiveInt(a, value(args, ++i, a));
                    break;
                case "--n":
                    n = positiveInt(a, value(args, ++i, a));
                    break;
                case "--module-path":
                    modulePath = value(args, ++i, a);
                    break;
                default:
                    throw new UsageException("unknown demo option '" + a + "'", "demo");
            }
        }

        Host.Builder builder = Host.builder();
        for (String dir : modulePath.split(":")) {
            if (dir.isEmpty()) continue;
            // A typo here must not surface later as "no module named 'fact'": the native
            // ImportError would name the missing directory too, but only after the demo began.
            if (!Files.isDirectory(Path.of(dir))) {
                throw new UsageException("--module-path: " + dir
                        + (Files.exists(Path.of(dir)) ? " is not a directory" : " does not exist"), "demo");
            }
            builder.addModulePath(Path.of(dir));
        }
        out.printf("%s: demo with %d interpreters, module path %s%n%n", Host.version(), interpreters,
                modulePath);

        long[] parallelDigits;
        long parallelNanos, sequentialNanos;
        long librariesWhileOpen;
        boolean counterMappedWhileOpen;
        try (Host host = builder.build()) {
            List<Interpreter> interps = new ArrayList<>();
            List<ExtensionModule> facts = new ArrayList<>();
            List<Handle> counterTypes = new ArrayList<>();
            for (int i = 0; i < interpreters; i++) {
                Interpreter interp = host.newInterpreter();
                interps.add(interp);
                facts.add(interp.importModule("fact"));
            }

            // 1. Separate state: interpreter k makes k+1 Counters; each counts only its own.
            out.println("1. every interpreter has its own instance of the counter module");
            for (int i = 0; i < interps.size(); i++) {
                Interpreter interp = interps.get(i);
                ExtensionModule counter = interp.importModule("counter");
                List<Handle> counters = new ArrayList<>();
                for (int k = 0; k <= i; k++) {
                    Handle c = (Handle) counter.invoke("Counter", 10L * k, 1L);
                    c.invoke("increment");
                    counters.add(c);
                }
                long created = (Long) counter.invoke("created");
                counterTypes.add((Handle) counter.getAttr("Counter"));
                out.printf("   interpreter %d: made %d Counter(s), counter.created() = %d, live native bytes %d%n",
                        interp.id(), i + 1, created, interp.liveBytes());
                for (Handle c : counters) c.close();
            }

            // 2. Separate type objects.
            out.println();
            out.println("2. the type counter.Counter is a different object in each interpreter");
            Handle first = counterTypes.get(0);
            for (int i = 0; i < counterTypes.size(); i++) {
                Handle t = counterTypes.get(i);
                out.printf("   interpreter %d: %-28s identity %#x%s%n", t.interpreter().id(), t.repr(),
                        t.identity(), i == 0 ? "" : (t.sameObject(first) ? "  SAME as interpreter "
                                + first.interpreter().id() + "'s (unexpected!)" : "  != interpreter "
                                + first.interpreter().id() + "'s"));
            }
            if (interps.size() > 1) {
                Interpreter a = interps.get(0), b = interps.get(1);
                try (Handle counterOfA = (Handle) a.importModule("counter").invoke("Counter")) {
                    b.importModule("counter").invoke("value_of", counterOfA);
                    out.println("   an object of interpreter " + a.id() + " was accepted by interpreter " + b.id()
                            + " (unexpected!)");
                } catch (IsolexException e) {
                    out.println("   passing interpreter " + a.id() + "'s Counter to interpreter " + b.id()
                            + "'s counter.value_of():");
                    out.println("     refused: " + e.getMessage());
                }
            }
            counterMappedWhileOpen = isMapped("counter.so");
            librariesWhileOpen = Host.loadedLibraries();

            // 3. Parallel vs sequential.
            out.println();
            out.printf("3. fact.factorial_digits(%d) in every interpreter%n", n);
            final int fn = n;
            ExecutorService pool = Executors.newFixedThreadPool(interps.size());
            try {
                // warm-up: one small call per interpreter, so the timing is of the work only
                for (ExtensionModule f : facts) f.invoke("factorial_digits", 100L);
                List<Callable<Long>> jobs = new ArrayList<>();
                for (ExtensionModule f : facts) jobs.add(() -> (Long) f.invoke("factorial_digits", (long) fn));
                long t0 = System.nanoTime();
                List<Future<Long>> results = pool.invokeAll(jobs);
                parallelNanos = System.nanoTime() - t0;
                parallelDigits = new long[results.size()];
                for (int i = 0; i < results.size(); i++) parallelDigits[i] = results.get(i).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IsolexException("interrupted", e);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException) throw (RuntimeException) e.getCause();
                throw new IsolexException("demo job failed", e.getCause());
            } finally {
                pool.shutdownNow();
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < facts.size(); i++) {
                long d = (Long) facts.get(i).invoke("factorial_digits", (long) n);
                if (d != parallelDigits[i]) {
                    throw new IsolexException("interpreters disagree: " + d + " vs " + parallelDigits[i]);
                }
            }
            sequentialNanos = System.nanoTime() - t0;
            out.printf("   %d! has %d digits (every interpreter agrees)%n", n, parallelDigits[0]);
            out.printf("   parallel   (%d threads, one interpreter each): %8.1f ms%n", interps.size(),
                    parallelNanos / 1e6);
            out.printf("   sequential (one thread, one after another):  %8.1f ms%n", sequentialNanos / 1e6);
            out.printf("   speedup: %.2fx on %d interpreters (%d CPUs)%n", (double) sequentialNanos / parallelNanos,
                    interps.size(), Runtime.getRuntime().availableProcessors());

            // 4. Close (the try-with-resources closes the host, which closes every interpreter)
        }
        out.println();
        out.println("4. closed every interpreter");
        long live = Host.liveNativeBytes();
        out.printf("   live native bytes after close: %d%s%n", live, live == 0 ? "" : "  (LEAK!)");
        boolean mapped = isMapped("counter.so");
        out.printf("   extension libraries loaded: %d while open, %d after close; counter.so %s%n",
                librariesWhileOpen, Host.loadedLibraries(),
                counterMappedWhileOpen && !mapped ? "was unmapped" : mapped ? "is STILL mapped" : "was never mapped?");
        return live == 0 && Host.loadedLibraries() == 0 ? 0 : 1;
    }

    private static boolean isMapped(String fileName) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                if (line.endsWith("/" + fileName)) return true;
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) throw new UsageException(option + " needs a value", "demo");
        return args.get(i);
    }

    private static int positiveInt(String option, String v) {
        try {
            int n = Integer.parseInt(v);
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new UsageException(option + " needs a positive integer, got '" + v + "'", "demo");
    }

    static {
        Locale.setDefault(Locale.ROOT);
    }
}
