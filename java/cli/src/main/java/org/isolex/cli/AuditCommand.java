package org.isolex.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.isolex.cli.Main.Failure;

/**
 * {@code isolex audit LIB.so [options]}: runs ixaudit on an extension library, which reports
 * what keeps it from running in several interpreters (docs/audit.md). Its options are passed
 * through, its output streamed, its exit status returned.
 */
final class AuditCommand {
    static final String HELP = String.join("\n",
            "usage: isolex audit LIB.so [--json] [--call 'CALL']... [--dynamic] [ixaudit options]",
            "",
            "audits an extension for isolation: every writable global that belongs to it (with",
            "its kind, size, source line and the section of abi/MIGRATION.md or abi/ABI.md that",
            "says how to fix it), its static types and legacy init; with --call (or --dynamic) it",
            "also imports the module into two interpreters, runs the calls, and reports which",
            "globals each step wrote. Then the support level the module can honestly declare",
            "and what the next level needs. docs/audit.md documents the rules and the output.",
            "Exit status: 0 no findings, 1 findings, 2 usage error or unreadable input, 3 could",
            "not run. ixaudit is the checkout's target/cmake/bin/ixaudit (./isolex), else",
            "$ISOLEX_SDK/bin/ixaudit (an unpacked isolex SDK), else ixaudit on the PATH.");

    private static final ExternalTool TOOL =
            new ExternalTool("audit", "ixaudit", Path.of("target", "cmake", "bin", "ixaudit"));

    private AuditCommand() {}

    static int run(List<String> args, PrintStream out) {
        return TOOL.run(TOOL.locate(), args, out);
    }

    /** Runs {@code program} (an ixaudit) with the arguments: its exit status. */
    static int run(Path program, List<String> args, PrintStream out) {
        return TOOL.run(program, args, out);
    }

    /** HELP, then ixaudit's own options when there is one to ask. */
    static String help() {
        return TOOL.help(HELP);
    }

    /**
     * The ixaudit to run: the checkout's {@code ROOT/target/cmake/bin/ixaudit}
     * ({@code isolex.root}), else {@code $ISOLEX_SDK/bin/ixaudit}, else the first
     * {@code ixaudit} on the PATH.
     *
     * @throws Failure (status 3) saying how to get one when there is none
     */
    static Path locate(String root, Map<String, String> env) {
        return TOOL.locate(root, env);
    }
}
