package org.isolex.cli;

import java.io.PrintStream;
import java.nio.file.Path;
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
    static final int NOT_FOUND = ExternalTool.NOT_FOUND;

    private static final ExternalTool TOOL =
            new ExternalTool("check", "check-extension", Path.of("valgrind", "check-extension"));

    private CheckCommand() {}

    static int run(List<String> args, PrintStream out) {
        return run(TOOL.locate(), args, out);
    }

    /** Runs {@code script} with the arguments: its exit status. */
    static int run(Path script, List<String> args, PrintStream out) {
        return TOOL.run(script, args, out);
    }

    /** HELP, then check-extension's own options when there is one to ask. */
    static String help() {
        return TOOL.help(HELP);
    }

    /**
     * The check-extension to run: {@code ROOT/valgrind/check-extension} of the checkout
     * ({@code isolex.root}), else {@code $ISOLEX_SDK/bin/check-extension}, else the first
     * {@code check-extension} on the PATH.
     *
     * @throws Failure (status 3) saying how to get one when there is none
     */
    static Path locate(String root, Map<String, String> env) {
        return TOOL.locate(root, env);
    }
}
