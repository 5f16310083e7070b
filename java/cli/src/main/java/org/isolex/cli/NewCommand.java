package org.isolex.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.isolex.cli.Main.Failure;
import org.isolex.cli.Main.UsageException;

/**
 * {@code isolex new NAME [DIR]}: writes a ready extension project, from the templates in
 * this jar ({@code org/isolex/cli/template/*.in}, where {@code @NAME@} stands for the name).
 */
final class NewCommand {
    static final String HELP = String.join("\n",
            "usage: isolex new NAME [DIR]",
            "",
            "writes a ready isolex extension project into DIR (default: ./NAME), which must not",
            "exist or be empty:",
            "  NAME.c           the module: per-interpreter state, a heap type NAME.Box made in",
            "                   every interpreter, a module function, traverse/clear/free",
            "  CMakeLists.txt   builds build/NAME.so with find_package(isolex) from an installed",
            "                   isolex SDK (-DCMAKE_PREFIX_PATH=<sdk>)",
            "  README.md        the three commands: configure, build, isolex check",
            "NAME is the module's name: a C identifier, not a C keyword, not a target name",
            "CMake reserves (test, all, install, ...).");

    /** The --call arguments the generated README's check runs: each of the template's functions and methods. */
    static final List<String> CHECK_CALLS = List.of("Box([1, 'x']).get()", "Box('a').put(None)", "boxes()");

    /** The files written: template resource, then the file name (NAME replaced). */
    private static final List<String[]> FILES = List.of(
            new String[] {"module.c.in", "@NAME@.c"},
            new String[] {"CMakeLists.txt.in", "CMakeLists.txt"},
            new String[] {"README.md.in", "README.md"});

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** C23's keywords (C89 to C23, the alternative spellings included). */
    private static final Set<String> C_KEYWORDS = Set.of("alignas", "alignof", "auto", "bool", "break", "case",
            "char", "const", "constexpr", "continue", "default", "do", "double", "else", "enum", "extern", "false",
            "float", "for", "goto", "if", "inline", "int", "long", "nullptr", "register", "restrict", "return",
            "short", "signed", "sizeof", "static", "static_assert", "struct", "switch", "thread_local", "true",
            "typedef", "typeof", "typeof_unqual", "union", "unsigned", "void", "volatile", "while", "_Alignas",
            "_Alignof", "_Atomic", "_BitInt", "_Bool", "_Complex", "_Decimal128", "_Decimal32", "_Decimal64",
            "_Generic", "_Imaginary", "_Noreturn", "_Static_assert", "_Thread_local");

    /** Target names CMake reserves (policy CMP0037): isolex_add_extension makes a target named NAME. */
    private static final Set<String> CMAKE_RESERVED = Set.of("all", "clean", "depend", "edit_cache", "help",
            "install", "install_local", "install_strip", "list_install_components", "package", "package_source",
            "rebuild_cache", "test", "ALL_BUILD", "INSTALL", "PACKAGE", "RUN_TESTS", "ZERO_CHECK");

    private NewCommand() {}

    static int run(List<String> args, PrintStream out) {
        if (args.isEmpty()) throw new UsageException("new: which NAME? (isolex new NAME [DIR])", "new");
        if (args.size() > 2) throw new UsageException("new: too many arguments: " + args, "new");
        String name = args.get(0);
        String problem = nameProblem(name);
        if (problem != null) throw new UsageException("new: '" + name + "' " + problem, "new");
        Path dir = directory(args);
        refuseUnlessEmpty(dir);
        try {
            Files.createDirectories(dir);
            for (String[] file : FILES) {
                Files.writeString(dir.resolve(file[1].replace("@NAME@", name)), render(file[0], name));
            }
        } catch (IOException e) {
            throw new Failure(1, "new: cannot write " + dir + ": " + e.getMessage());
        }
        out.println("isolex new: wrote the extension project " + name + " into " + dir + ":");
        for (String[] file : FILES) out.println("  " + dir.resolve(file[1].replace("@NAME@", name)));
        out.println("then, in " + dir + " (its README.md says the same):");
        for (String line : commands(render("README.md.in", name))) out.println("  " + line);
        return 0;
    }

    /** DIR, or ./NAME without it. */
    static Path directory(List<String> args) {
        return Path.of(args.size() > 1 ? args.get(1) : args.get(0));
    }

    /**
     * Why NAME cannot be a module's name, or null when it can. It names the C symbol
     * {@code IxInit_NAME}, the file {@code NAME.so} that import finds it by, and a CMake target.
     */
    static String nameProblem(String name) {
        if (!IDENTIFIER.matcher(name).matches()) {
            return "is not a valid module name: use a C identifier (letters, digits and _, not starting with a digit)";
        }
        if (C_KEYWORDS.contains(name)) return "is a C keyword: choose another module name";
        if (name.startsWith("__") || (name.length() > 1 && name.charAt(0) == '_' && Character.isUpperCase(name.charAt(1)))) {
            return "is an identifier C reserves (it starts with __ or _ and a capital letter): choose another module name";
        }
        if (CMAKE_RESERVED.contains(name)) return "is a target name CMake reserves: choose another module name";
        return null;
    }

    private static void refuseUnlessEmpty(Path dir) {
        if (!Files.exists(dir)) return;
        if (!Files.isDirectory(dir)) throw new UsageException("new: " + dir + " exists and is not a directory", "new");
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new UsageException("new: " + dir + " exists and is not empty: give a new or empty DIR", "new");
            }
        } catch (IOException e) {
            throw new Failure(1, "new: cannot read " + dir + ": " + e.getMessage());
        }
    }

    /** A template with NAME and the check's calls filled in. */
    static String render(String template, String name) {
        String calls = CHECK_CALLS.stream().map(c -> "--call " + shellQuote(c)).collect(Collectors.joining(" "));
        return resource(template).replace("@CHECK_CALLS@", calls).replace("@NAME@", name);
    }

    /** The shell commands of the README: the lines of its ```sh block. */
    static List<String> commands(String readme) {
        String block = readme.substring(readme.indexOf("```sh\n") + 6);
        return List.of(block.substring(0, block.indexOf("```")).strip().split("\n"));
    }

    private static String shellQuote(String s) {
        return s.contains("'") ? '"' + s + '"' : "'" + s + "'";
    }

    private static String resource(String name) {
        try (InputStream in = NewCommand.class.getResourceAsStream("template/" + name)) {
            if (in == null) throw new IllegalStateException("template " + name + " is missing from the isolex-cli jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
