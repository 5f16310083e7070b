package org.isolex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which ixaudit {@code isolex audit} runs, what it says when there is none, and a real run
 * on the build's test-ext/audit_globals.so (ixaudit's exact output is asserted by CTest,
 * native/tools/audit/tests; here: that isolex passes arguments, output and status through).
 */
class AuditCommandTest {

    @Test
    void checkoutFirstThenSdkThenPath(@TempDir Path tmp) throws IOException {
        Path checkout = program(tmp.resolve("checkout/target/cmake/bin"));
        Path sdk = program(tmp.resolve("sdk/bin"));
        Path onPath = program(tmp.resolve("path-dir"));
        Map<String, String> env = Map.of("ISOLEX_SDK", tmp.resolve("sdk").toString(),
                "PATH", "/nonexistent:" + tmp.resolve("path-dir"));
        assertEquals(checkout, AuditCommand.locate(tmp.resolve("checkout").toString(), env));
        assertEquals(sdk, AuditCommand.locate(null, env));
        assertEquals(sdk, AuditCommand.locate(tmp.resolve("no-checkout").toString(), env));
        assertEquals(onPath, AuditCommand.locate(null, Map.of("PATH", tmp.resolve("path-dir").toString())));
    }

    @Test
    void noneFoundSaysHowToGetOne(@TempDir Path tmp) {
        Main.Failure e = assertThrows(Main.Failure.class,
                () -> AuditCommand.locate(tmp.toString(), Map.of("ISOLEX_SDK", tmp.toString(), "PATH", tmp.toString())));
        assertEquals(3, e.status);
        assertTrue(e.getMessage().startsWith("audit: no ixaudit found (not in " + tmp.resolve("target/cmake/bin")
                + ") (not in " + tmp.resolve("bin") + ")."), e.getMessage());
        assertTrue(e.getMessage().contains("set ISOLEX_SDK to its directory"), e.getMessage());
    }

    /** The build's ixaudit on a module that keeps globals: status 1, JSON on stdout. */
    @Test
    void realAuditFindsTheGlobals() {
        Path root = root();
        Path ixaudit = builtIxaudit(root);
        Path lib = root.resolve("target/cmake/test-ext/audit_globals.so");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status = AuditCommand.run(ixaudit, List.of("--json", "--source-root", root.toString(),
                "--call", "bump()", lib.toString()), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String json = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, status, json);
        assertTrue(json.startsWith("{\"file\": \"" + lib + "\", \"module\": \"audit_globals\""), json);
        assertTrue(json.contains("{\"kind\": \"state\", \"symbol\": \"hits\", \"section\": \".bss\", \"size\": 8, "
                + "\"file\": \"test-ext/audit_globals.c\", \"line\": 19"), json);
        assertTrue(json.contains("\"step\": \"call 1 in interpreter 2: bump()\", \"result\": \"-> 2\", "
                + "\"writes\": [{\"symbol\": \"hits\", \"section\": \".bss\", \"offset\": 0, \"bytes\": 8"), json);
        assertTrue(json.contains("\"verdict\": {\"level\": \"IX_MOD_MULTI_NOT_SUPPORTED\", "
                + "\"next\": \"IX_MOD_MULTI_SHARED_LOCK\", \"declared\": \"IX_MOD_MULTI_PER_INTERPRETER_LOCK\", "
                + "\"declared_by\": \"its IX_MOD_MULTIPLE_INTERPRETERS slot\"}"), json);
    }

    @Test
    void aCleanExtensionExitsZero() {
        Path root = root();
        Path ixaudit = builtIxaudit(root);
        Path lib = root.resolve("target/cmake/extensions/counter.so");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status = AuditCommand.run(ixaudit, List.of(lib.toString()),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text);
        assertTrue(text.contains("\nstatic findings: 0\n"), text);
        assertTrue(text.endsWith("verdict: IX_MOD_MULTI_PER_INTERPRETER_LOCK\nresult: 0 findings\n"), text);
    }

    private static Path root() {
        return Path.of(System.getProperty("isolex.root")).toAbsolutePath().normalize();
    }

    /**
     * The build's ixaudit. CMake builds it only where libdw is found (README "Requirements"),
     * so a machine without libdw-dev skips these tests; .ci/run installs libdw-dev and sets
     * ISOLEX_REQUIRE_IXAUDIT, and there its absence fails instead of skipping.
     */
    private static Path builtIxaudit(Path root) {
        Path ixaudit = root.resolve("target/cmake/bin/ixaudit");
        boolean built = Files.isExecutable(ixaudit);
        if (System.getenv("ISOLEX_REQUIRE_IXAUDIT") != null) {
            assertTrue(built, ".ci/run installed libdw-dev, so the build must have made " + ixaudit);
        }
        assumeTrue(built, "no ixaudit built (libdw-dev missing?)");
        return ixaudit;
    }

    private static Path program(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path p = dir.resolve("ixaudit");
        Files.writeString(p, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }
}
