package org.isolex.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.isolex.cli.Main.Failure;

/**
 * {@code isolex check LIB.so [options]}: runs check-extension (Valgrind memcheck over
 * ixdriver) on an extension, its options passed through, its output streamed, its exit
 * status returned.
 */
final class CheckCommand {
    static final String HELP = String.join("\n",
            "usage: isolex check LIB.so [--call 'CALL']... [other check-extension options]",
            "",
            "checks an extension for leaks and memory errors: imports it in several interpreters",
            "under Valgrind memcheck, runs every --call, closes them, and says CLEAN or what it",
            "found. It runs check-extension with the same arguments; its exit status is isolex's:",
            "0 clean, 1 leaks/errors found, 2 usage error, 3 could not run. check-extension is",
            "the checkout's valgrind/check-extension (./isolex), else $ISOLEX_SDK/bin/check-extension",
            "(an unpacked isolex SDK), else check-extension on the PATH.");

    /** Exit status when there is no check-extension to run (check-extension's own "could not run"). */
    static final int NOT_FOUND = 3;

    private CheckCommand() {}

    static int run(List<String> args, PrintStream out) {
        return run(locate(System.getProperty("isolex.root"), System.getenv()), args, out);
    }

    /** Runs {@code script} with the arguments: its exit status. */
    static int run(Path script, List<String> args, PrintStream out) {
        List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(args);
        return exec(command, out);
    }

    /** HELP, then check-extension's own options when there is one to ask. */
    static String help() {
        Path script;
        try {
            script = locate(System.getProperty("isolex.root"), System.getenv());
        } catch (Failure e) {
            return HELP + "\n\n" + e.getMessage();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            run(script, List.of("--help"), capture);
        }
        return HELP + "\n\n" + script + " --help says:\n"
                + bytes.toString(StandardCharsets.UTF_8).stripTrailing();
    }

    /**
     * The check-extension to run: {@code ROOT/valgrind/check-extension} of the checkout
     * ({@code isolex.root}), else {@code $ISOLEX_SDK/bin/check-extension}, else the first
     * {@code check-extension} on the PATH.
     *
     * @throws Failure (status 3) saying how to get one when there is none
     */
    static Path locate(String root, Map<String, String> env) {
        List<Path> candidates = new ArrayList<>();
        if (root != null) candidates.add(Path.of(root, "valgrind", "check-extension"));
        String sdk = env.get("ISOLEX_SDK");
        if (sdk != null && !sdk.isEmpty()) candidates.add(Path.of(sdk, "bin", "check-extension"));
        for (String dir : env.getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty()) candidates.add(Path.of(dir, "check-extension"));
        }
        for (Path p : candidates) {
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
        }
        throw new Failure(NOT_FOUND, "check: no check-extension found"
                + (root != null ? " (not in " + Path.of(root, "valgrind") + ")" : "")
                + (sdk != null && !sdk.isEmpty() ? " (not in " + Path.of(sdk, "bin") + ")" : "")
                + ". Run isolex from an isolex checkout (./isolex), or unpack the isolex SDK"
                + " (isolex-sdk-VERSION-linux-x86_64.tar.gz)"
                + " and set ISOLEX_SDK to its directory, or put its bin/ on the PATH");
    }

    /** Runs it: stdin and stderr are this process's, stdout is copied to {@code out} as it comes. */
    private static int exec(List<String> command, PrintStream out) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        try {
            Process p = pb.start();
            try (InputStream in = p.getInputStream()) {
                byte[] buf = new byte[8192];
                for (int n; (n = in.read(buf)) > 0; ) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            }
            return p.waitFor();
        } catch (IOException e) {
            throw new Failure(NOT_FOUND, "check: cannot run " + command.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(1, "check: interrupted");
        }
    }
}
