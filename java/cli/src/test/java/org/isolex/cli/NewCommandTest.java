package org.isolex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code isolex new}: what it writes, what it refuses, and that what it writes builds and checks clean. */
class NewCommandTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final Main main = new Main(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void writesTheThreeFiles(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("demoext");
        assertEquals(0, main.run(new String[] {"new", "demoext", dir.toString()}));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("CMakeLists.txt", "README.md", "demoext.c"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        String c = Files.readString(dir.resolve("demoext.c"));
        assertFalse(c.contains("@"), "every placeholder filled");
        assertTrue(c.contains("IX_MODINIT(demoext)"), c);
        assertTrue(c.contains(".name = \"demoext.Box\""), c);
        assertTrue(c.contains("IX_MOD_MULTI_PER_INTERPRETER_LOCK"), c);

        assertEquals(List.of("cmake_minimum_required(VERSION 3.20)", "project(demoext C)",
                        "find_package(isolex 0.1 REQUIRED)", "isolex_add_extension(demoext SOURCES demoext.c)"),
                Files.readAllLines(dir.resolve("CMakeLists.txt")).stream()
                        .filter(l -> !l.isBlank() && !l.startsWith("#")).toList());

        List<String> commands = NewCommand.commands(Files.readString(dir.resolve("README.md")));
        assertEquals(List.of("cmake -S . -B build -DCMAKE_PREFIX_PATH=<sdk>", "cmake --build build",
                "isolex check build/demoext.so --call \"Box([1, 'x']).get()\" --call \"Box('a').put(None)\""
                        + " --call 'boxes()'"), commands);
        assertTrue(output().contains(dir.resolve("demoext.c").toString()), output());
        assertTrue(output().contains("cmake --build build"), output());
    }

    @Test
    void defaultDirectoryIsTheName() {
        assertEquals(Path.of("demoext"), NewCommand.directory(List.of("demoext")));
        assertEquals(Path.of("elsewhere/x"), NewCommand.directory(List.of("demoext", "elsewhere/x")));
    }

    @Test
    void invalidNamesAreRefused(@TempDir Path tmp) {
        String notIdentifier = "is not a valid module name: use a C identifier (letters, digits and _, not starting"
                + " with a digit)";
        assertEquals("new: '1st' " + notIdentifier, refusal("1st", tmp));
        assertEquals("new: 'my-ext' " + notIdentifier, refusal("my-ext", tmp));
        assertEquals("new: '' " + notIdentifier, refusal("", tmp));
        assertEquals("new: 'while' is a C keyword: choose another module name", refusal("while", tmp));
        assertEquals("new: '_Bool' is a C keyword: choose another module name", refusal("_Bool", tmp));
        assertEquals("new: '__x' is an identifier C reserves (it starts with __ or _ and a capital letter): choose"
                + " another module name", refusal("__x", tmp));
        assertEquals("new: 'test' is a target name CMake reserves: choose another module name", refusal("test", tmp));
        assertNull(NewCommand.nameProblem("my_ext2"));
        assertNull(NewCommand.nameProblem("_private"));
        assertEquals("new: which NAME? (isolex new NAME [DIR])",
                assertThrows(Main.UsageException.class, () -> main.run(new String[] {"new"})).getMessage());
    }

    @Test
    void existingNonEmptyDirectoryIsRefused(@TempDir Path tmp) throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("taken"));
        assertEquals(0, main.run(new String[] {"new", "okay", dir.toString()}), "an empty directory is fine");
        Main.UsageException e = assertThrows(Main.UsageException.class,
                () -> main.run(new String[] {"new", "again", dir.toString()}));
        assertEquals("new: " + dir + " exists and is not empty: give a new or empty DIR", e.getMessage());
        assertEquals("new", e.command);
        assertFalse(Files.exists(dir.resolve("again.c")), "nothing written");
        Path file = Files.writeString(tmp.resolve("a-file"), "");
        assertEquals("new: " + file + " exists and is not a directory",
                assertThrows(Main.UsageException.class, () -> main.run(new String[] {"new", "x", file.toString()}))
                        .getMessage());
        assertThrows(Main.UsageException.class, () -> main.run(new String[] {"new", "x", "y", "z"}));
    }

    /**
     * What the README says to do, short of the SDK (another module builds that): compile
     * NAME.c as isolex_add_extension does and run the checkout's check-extension on it with
     * the README's calls, through {@code isolex check}. gcc and Valgrind are in CI.
     */
    @Test
    void generatedProjectCompilesAndChecksClean(@TempDir Path tmp) throws Exception {
        assumeTrue(onPath("gcc") && onPath("valgrind"), "gcc and valgrind are needed");
        Path root = Path.of(System.getProperty("isolex.root"));
        Path dir = tmp.resolve("demoext");
        assertEquals(0, main.run(new String[] {"new", "demoext", dir.toString()}));
        Path so = dir.resolve("build/demoext.so");
        Files.createDirectories(so.getParent());
        Process gcc = new ProcessBuilder("gcc", "-g", "-O2", "-fPIC", "-fvisibility=hidden", "-shared", "-Wall",
                "-Wextra", "-Wno-unused-parameter", "-Werror", "-I", root.resolve("abi/include").toString(),
                dir.resolve("demoext.c").toString(), "-o", so.toString()).redirectErrorStream(true).start();
        String gccOutput = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(gcc.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, gcc.exitValue(), gccOutput);

        List<String> args = new ArrayList<>(List.of("check", so.toString(), "--cycles", "3"));
        for (String call : NewCommand.CHECK_CALLS) args.addAll(List.of("--call", call));
        bytes.reset();
        int status = main.run(args.toArray(String[]::new));
        assertEquals(0, status, output());
        assertTrue(output().contains("check-extension: demoext.so: CLEAN"), output());
        assertTrue(output().contains("Box([1, 'x']).get() -> [1, 'x']"), output());
        assertTrue(output().contains("Box('a').put(None) -> 'a'"), output());
    }

    private String refusal(String name, Path tmp) {
        Main.UsageException e = assertThrows(Main.UsageException.class,
                () -> main.run(new String[] {"new", name, tmp.resolve("p").toString()}));
        assertEquals("new", e.command);
        return e.getMessage();
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }
}
