package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The documents that state versions say the version the code has. */
class DocsTest {
    private static final Path ROOT = Path.of(System.getProperty("isolex.source.dir"));

    /** abi/ABI.md's title names the ABI version of abi/include/isolex.h (it said 1.0 under a 1.1 header). */
    @Test
    void abiTitleShowsTheHeadersVersion() throws IOException {
        String header = Files.readString(ROOT.resolve("abi/include/isolex.h"));
        String title = Files.readAllLines(ROOT.resolve("abi/ABI.md")).get(0);
        assertEquals("# isolex ABI, version " + define(header, "IX_ABI_MAJOR") + "." + define(header, "IX_ABI_MINOR")
                + " — the rules", title);
    }

    private static String define(String header, String name) {
        Matcher m = Pattern.compile("#define " + name + " (\\d+)").matcher(header);
        if (!m.find()) throw new AssertionError(name + " is not defined in isolex.h");
        return m.group(1);
    }
}
