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
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which check-extension {@code isolex check} runs, and what it says when there is none. */
class CheckCommandTest {

    @Test
    void checkoutFirstThenSdkThenPath(@TempDir Path tmp) throws IOException {
        Path checkout = script(tmp.resolve("checkout/valgrind"));
        Path sdk = script(tmp.resolve("sdk/bin"));
        Path onPath = script(tmp.resolve("path-dir"));
        Map<String, String> env = Map.of("ISOLEX_SDK", tmp.resolve("sdk").toString(),
                "PATH", "/nonexistent:" + tmp.resolve("path-dir"));
        assertEquals(checkout, CheckCommand.locate(tmp.resolve("checkout").toString(), env));
        assertEquals(sdk, CheckCommand.locate(null, env));
        assertEquals(sdk, CheckCommand.locate(tmp.resolve("no-checkout").toString(), env));
        assertEquals(onPath, CheckCommand.locate(null, Map.of("PATH", tmp.resolve("path-dir").toString())));
    }

    @Test
    void noneFoundSaysHowToGetOne(@TempDir Path tmp) {
        Main.Failure e = assertThrows(Main.Failure.class,
                () -> CheckCommand.locate(null, Map.of("ISOLEX_SDK", tmp.toString(), "PATH", tmp.toString())));
        assertEquals(3, e.status);
        assertTrue(e.getMessage().startsWith("check: no check-extension found (not in " + tmp.resolve("bin") + ")."),
                e.getMessage());
        assertTrue(e.getMessage().contains("set ISOLEX_SDK to its directory"), e.getMessage());
    }

    /** Arguments passed through as they are, output streamed to isolex's, exit status passed back. */
    @Test
    void argumentsOutputAndStatusPassThrough(@TempDir Path tmp) throws IOException {
        Path script = tmp.resolve("check-extension");
        Files.writeString(script, "#!/bin/sh\nfor a in \"$@\"; do echo \"[$a]\"; done\nexit 7\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status = CheckCommand.run(script, List.of("m.so", "--call", "Box('a b').put(None)"),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertEquals(7, status);
        assertEquals("[m.so]\n[--call]\n[Box('a b').put(None)]\n", bytes.toString(StandardCharsets.UTF_8));
    }

    private static Path script(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path p = dir.resolve("check-extension");
        Files.writeString(p, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }
}
