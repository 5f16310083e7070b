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
 * A program of the isolex SDK that a command fronts (check-extension for {@code isolex check},
 * ixaudit for {@code isolex audit}): where to find it, and running it with its output streamed
 * and its exit status returned.
 */
final class ExternalTool {
    /** Exit status when there is no program to run (check-extension's own "could not run"). */
    static final int NOT_FOUND = 3;

    private final String command;
    private final String name;
    private final Path inCheckout;

    /**
     * @param command the isolex command, for messages ("check")
     * @param name the program's file name ("check-extension")
     * @param inCheckout where a checkout keeps it, relative to the checkout root
     */
    ExternalTool(String command, String name, Path inCheckout) {
        this.command = command;
        this.name = name;
        this.inCheckout = inCheckout;
    }

    /**
     * The program to run: the checkout's ({@code root}, the {@code isolex.root} property), else
     * {@code $ISOLEX_SDK/bin/NAME}, else the first {@code NAME} on the PATH.
     *
     * @throws Failure (status 3) saying how to get one when there is none
     */
    Path locate(String root, Map<String, String> env) {
        List<Path> candidates = new ArrayList<>();
        Path checkout = root != null ? Path.of(root).resolve(inCheckout) : null;
        if (checkout != null) candidates.add(checkout);
        String sdk = env.get("ISOLEX_SDK");
        if (sdk != null && !sdk.isEmpty()) candidates.add(Path.of(sdk, "bin", name));
        for (String dir : env.getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty()) candidates.add(Path.of(dir, name));
        }
        for (Path p : candidates) {
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
        }
        throw new Failure(NOT_FOUND, command + ": no " + name + " found"
                + (checkout != null ? " (not in " + checkout.getParent() + ")" : "")
                + (sdk != null && !sdk.isEmpty() ? " (not in " + Path.of(sdk, "bin") + ")" : "")
                + ". Run isolex from an isolex checkout (./isolex), or unpack the isolex SDK"
                + " (isolex-sdk-VERSION-linux-x86_64.tar.gz)"
                + " and set ISOLEX_SDK to its directory, or put its bin/ on the PATH");
    }

    /** The program found from this process's {@code isolex.root} and environment. */
    Path locate() {
        return locate(System.getProperty("isolex.root"), System.getenv());
    }

    /** The command's help, then the program's own {@code --help} when there is one to ask. */
    String help(String commandHelp) {
        Path program;
        try {
            program = locate();
        } catch (Failure e) {
            return commandHelp + "\n\n" + e.getMessage();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            run(program, List.of("--help"), capture);
        }
        return commandHelp + "\n\n" + program + " --help says:\n"
                + bytes.toString(StandardCharsets.UTF_8).stripTrailing();
    }

    /**
     * Runs {@code program} with the arguments: stdin and stderr are this process's, stdout is
     * copied to {@code out} as it comes. Returns its exit status.
     */
    int run(Path program, List<String> args, PrintStream out) {
        List<String> commandLine = new ArrayList<>();
        commandLine.add(program.toString());
        commandLine.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(commandLine).redirectInput(ProcessBuilder.Redirect.INHERIT)
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
            throw new Failure(NOT_FOUND, command + ": cannot run " + program + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(1, command + ": interrupted");
        }
    }
}
