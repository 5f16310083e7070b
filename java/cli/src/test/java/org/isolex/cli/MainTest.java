package org.isolex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.isolex.Host;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's argument handling: what it refuses and what --help prints. */
class MainTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final Main main = new Main(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** --help (or -h) works at the top level and on every subcommand, wherever it stands. */
    @Test
    void helpOnEveryCommand() {
        for (String[] args : new String[][] {{"--help"}, {"-h"}, {"help"}}) {
            bytes.reset();
            assertEquals(0, main.run(args));
            assertTrue(output().startsWith("usage: isolex <command> [options]"), output());
        }
        bytes.reset();
        assertEquals(0, main.run(new String[] {"demo", "--help"}));
        assertTrue(output().startsWith("usage: isolex demo [options]"), output());
        assertTrue(output().contains("--module-path PATH"), output());
        bytes.reset();
        assertEquals(0, main.run(new String[] {"bench", "--quick", "-h"}));
        assertTrue(output().startsWith("usage: isolex bench [options]"), output());
        assertTrue(output().contains("--no-write"), output());
        bytes.reset();
        assertEquals(0, main.run(new String[] {"version", "--help"}));
        assertTrue(output().startsWith("usage: isolex version"), output());
        for (String command : new String[] {"new", "check", "info"}) {
            bytes.reset();
            assertEquals(0, main.run(new String[] {command, "x.so", "--help"}));
            assertTrue(output().startsWith("usage: isolex " + command + " "), output());
            // check adds check-extension's own options (the checkout's, here)
            if (command.equals("check")) assertTrue(output().contains("--interpreters K"), output());
        }
        bytes.reset();
        assertEquals(0, main.run(new String[] {"--help"}));
        for (String command : new String[] {"new", "check", "info"}) {
            assertTrue(output().contains("\n  " + command + " "), output());
        }
    }

    /**
     * {@code isolex version}: the library's version and how this JVM calls it, FFM on JDK 22+
     * (these tests run through it there, as the core's do), JNI before.
     */
    @Test
    void versionSaysHowNativeCallsGo() {
        assertEquals(0, main.run(new String[] {"version"}));
        int feature = Runtime.version().feature();
        String path = System.getProperty("isolex.bridge", feature >= 22 ? "ffm" : "jni");
        assertEquals(Host.version() + "\nnative calls: " + path + " (Java " + feature + ")\n",
                output().replace(System.lineSeparator(), "\n"));
    }

    /** Refused with the message, and with the help of the command it concerns. */
    @Test
    void unknownCommandsAndOptionsAreRefused() {
        assertEquals("unknown command 'frobnicate'", refusal("frobnicate", "--help"));
        assertEquals("unknown demo option '--frob'", refusal("demo", "--frob"));
        assertEquals("demo", thrown("demo", "--n", "0").command);
        assertEquals("unknown bench option '--frob'", refusal("bench", "--frob"));
        assertEquals("bench", thrown("bench", "--frob").command);
        assertEquals("no command given", refusal());
        assertEquals("", thrown().command);
    }

    /** A module-path directory that does not exist is named before any interpreter is made. */
    @Test
    void missingModulePathDirectoryIsNamed(@TempDir Path tmp) throws IOException {
        Path missing = tmp.resolve("nonexistent");
        Main.UsageException e = thrown("demo", "--module-path", tmp + ":" + missing);
        assertEquals("--module-path: " + missing + " does not exist", e.getMessage());
        assertEquals("demo", e.command);
        Path file = Files.writeString(tmp.resolve("a-file"), "");
        assertEquals("--module-path: " + file + " is not a directory",
                refusal("demo", "--interpreters", "1", "--module-path", file.toString()));
        assertEquals("", output());
    }

    private String refusal(String... args) {
        return thrown(args).getMessage();
    }

    private Main.UsageException thrown(String... args) {
        return assertThrows(Main.UsageException.class, () -> main.run(args));
    }
}
