package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.opentest4j.AssertionFailedError;

/**
 * The Java code of the docs compiles as written, and its programs run. Every {@code ```java}
 * block of README.md and abi/*.md is one of:
 * <ul>
 * <li><b>a complete compilation unit</b>: it begins (comments aside) with {@code package} or
 *     {@code import}, or declares a top-level class, record, interface or enum. It is compiled
 *     exactly as written against isolex. If it has a {@code main}, it is also run, in a child
 *     JVM whose working directory is the checkout root (where the README's relative
 *     {@code target/cmake/...} paths point, as for a reader after {@code mvn verify}), and must
 *     end normally with no interpreter, native byte or shared byte left ({@link DocProgramChild});
 * <li><b>a fragment</b>: its first line is a comment beginning {@code // fragment}. It is compiled
 *     as the body of {@code static void fragment(Host host) throws Exception} in a class that
 *     imports {@value #FRAGMENT_IMPORTS}.
 * </ul>
 * Any other block fails: a reader could not tell what it needs around it. A compiler error is
 * reported at the doc's own file and line ({@code README.md:87: error: reference to Module is
 * ambiguous}).
 */
class DocExamplesTest {
    static final String FRAGMENT_IMPORTS = "import java.nio.file.*; import java.time.*; import java.util.*;"
            + " import java.util.concurrent.*; import org.isolex.*;";
    static final String FRAGMENT_MARK = "// fragment";

    private static final Pattern TYPE = Pattern.compile(
            "(?m)^(public\\s+)?(?:(?:final|abstract|sealed|non-sealed)\\s+)*(?:class|record|interface|enum)\\s+(\\w+)");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");

    /** A block of a doc: {@code line} is the doc's line number of the block's first line of code. */
    record Block(String file, int line, String code) {
        String where() {
            return file + ":" + line;
        }
    }

    @TestFactory
    Stream<DynamicTest> everyJavaBlockCompilesAndEveryProgramRuns() throws IOException {
        List<Block> blocks = new ArrayList<>(javaBlocks(NativeTestBase.SOURCE_ROOT.resolve("README.md")));
        assertFalse(blocks.isEmpty(), "README.md has Java examples; the extraction found none");
        try (Stream<Path> abi = Files.list(NativeTestBase.SOURCE_ROOT.resolve("abi"))) {
            for (Path md : abi.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                blocks.addAll(javaBlocks(md));
            }
        }
        return blocks.stream().map(b -> DynamicTest.dynamicTest(b.where(), () -> check(b)));
    }

    @Test
    void aCompilerErrorIsReportedAtTheDocsFileAndLine() {
        Block b = new Block("README.md", 100,
                "import java.util.*;\nimport java.awt.*;\n\nclass Clash {\n    List names;\n}\n");
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> check(b));
        assertTrue(e.getMessage().startsWith("README.md:104: error: reference to List is ambiguous"), e.getMessage());
    }

    @Test
    void aBlockThatIsNeitherAProgramNorAMarkedFragmentIsRefused() {
        Block b = new Block("abi/ABI.md", 7, "Interpreter a = host.newInterpreter();\n");
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> check(b));
        assertEquals("abi/ABI.md:7: a ```java block must be a complete compilation unit (package, import or a"
                + " top-level type) or begin with a \"// fragment\" line", e.getMessage());
    }

    @Test
    void aFragmentIsCompiledInsideAMethodWithAHost() throws Exception {
        check(new Block("README.md", 1, "// fragment: a Host host is in scope\n"
                + "try (Interpreter a = host.newInterpreter()) {\n"
                + "    List<Object> both = List.of(a.importModule(\"counter\"), Duration.ofSeconds(1));\n"
                + "}\n"));
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> check(new Block("README.md", 20, "// fragment\nhost.noSuchMethod();\n")));
        assertTrue(e.getMessage().startsWith("README.md:21: error: cannot find symbol"), e.getMessage());
    }

    // ------------------------------------------------------------------ extraction

    /** The {@code ```java} blocks of one Markdown file (indented fences too, as in a list). */
    static List<Block> javaBlocks(Path md) throws IOException {
        List<String> lines = Files.readAllLines(md);
        String file = NativeTestBase.SOURCE_ROOT.relativize(md.toAbsolutePath().normalize()).toString();
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).strip().equals("```java")) continue;
            int indent = lines.get(i).indexOf('`');
            StringBuilder code = new StringBuilder();
            int j = i + 1;
            for (; j < lines.size() && !lines.get(j).strip().equals("```"); j++) {
                String line = lines.get(j);
                boolean indented = line.length() >= indent && line.substring(0, indent).isBlank();
                code.append(indented ? line.substring(indent) : line.strip()).append('\n');
            }
            if (j == lines.size()) fail(file + ":" + (i + 1) + ": a ```java block is never closed");
            blocks.add(new Block(file, i + 2, code.toString()));
            i = j;
        }
        return blocks;
    }

    // ------------------------------------------------------------------ checking one block

    static void check(Block b) throws Exception {
        String first = b.code().strip().lines().findFirst().orElse("");
        if (first.startsWith(FRAGMENT_MARK)) {
            // one line in front: the compiler's line N is the block's line N - 1
            compile(b, FRAGMENT_IMPORTS + " class Fragment { static void fragment(Host host) throws Exception {\n"
                    + b.code() + "}}\n", "Fragment", 1);
            return;
        }
        Matcher type = TYPE.matcher(b.code());
        boolean unit = type.find() || withoutComments(b.code()).matches("(?s)\\s*(package|import)\\s.*");
        if (!unit) {
            fail(b.where() + ": a ```java block must be a complete compilation unit (package, import or a top-level"
                    + " type) or begin with a \"" + FRAGMENT_MARK + "\" line");
        }
        String name = publicType(type);
        Path classes = compile(b, b.code(), name, 0);
        if (b.code().contains("static void main(")) run(b, classes, qualified(b.code(), name));
    }

    /** The file name javac needs: the public top-level type's, else the first type's. */
    private static String publicType(Matcher type) {
        type.reset();
        String first = null;
        while (type.find()) {
            if (type.group(1) != null) return type.group(2);
            if (first == null) first = type.group(2);
        }
        return first != null ? first : "Example";
    }

    private static String qualified(String code, String name) {
        Matcher p = PACKAGE.matcher(code);
        return p.find() ? p.group(1) + "." + name : name;
    }

    private static String withoutComments(String code) {
        return code.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("(?m)//.*$", "");
    }

    /** Compiles one source against isolex into a directory of its own; fails at the doc's line. */
    private static Path compile(Block b, String source, String name, int linesAdded)
            throws IOException, URISyntaxException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        // one directory per source: the blocks' classes may share names
        String dir = b.file().replaceAll("[^A-Za-z0-9.]", "_") + "_" + b.line() + "_"
                + Integer.toHexString(source.hashCode());
        Path out = Path.of(System.getProperty("isolex.build.dir"), "doc-examples", dir);
        Files.createDirectories(out);
        URI uri = URI.create("string:///" + name + ".java");
        JavaFileObject file = new SimpleJavaFileObject(uri, JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<String> options = List.of("-d", out.toString(), "-classpath", ChildJvm.location(Host.class), "-proc:none");
        if (!javac.getTask(null, null, diagnostics, options, null, List.of(file)).call()) {
            fail(diagnostics.getDiagnostics().stream()
                    .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                    .map(d -> b.file() + ":" + (b.line() + d.getLineNumber() - 1 - linesAdded) + ": error: "
                            + d.getMessage(Locale.ROOT))
                    .collect(Collectors.joining("\n")));
        }
        return out;
    }

    /** Runs a program as a reader would, from the checkout root, in a child JVM. */
    private static void run(Block b, Path classes, String mainClass) throws Exception {
        ChildJvm.Result r = ChildJvm.run(ChildJvm.command(DocProgramChild.class, classes.toString(), mainClass),
                Map.of(), 120, NativeTestBase.SOURCE_ROOT);
        assertTrue(r.finished() && r.exitCode() == 0,
                () -> b.where() + ": the program did not end cleanly\n" + r.describe());
    }
}
