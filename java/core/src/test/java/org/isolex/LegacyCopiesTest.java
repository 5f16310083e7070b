package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * Private copies of a legacy single-phase module (abi/ABI.md 7.4,
 * {@link Host.Builder#legacyPrivateCopies(boolean)}): an interpreter of a host with the option
 * loads its own copy of the library, with its own C globals; without the option the
 * ImportError of 7.3 stands.
 */
class LegacyCopiesTest extends NativeTestBase {

    Host hostWithCopies() {
        return track(Host.builder().modulePath(EXTENSIONS, TEST_EXT).legacyPrivateCopies(true).build());
    }

    @Test
    void optionIsOffByDefault() {
        try (Host plain = newHost(); Host copies = hostWithCopies()) {
            assertFalse(plain.legacyPrivateCopies());
            assertTrue(copies.legacyPrivateCopies());
        }
    }

    @Test
    void privateCopiesHaveTheirOwnGlobals() throws IOException {
        Host plain = newHost();
        Host copies = hostWithCopies();
        Interpreter a = plain.newInterpreter();
        ExtensionModule legacyA = a.importModule("legacy_point");
        assertEquals(1L, legacyA.invoke("count"));
        assertEquals(2L, legacyA.invoke("count"));

        Interpreter b = copies.newInterpreter();
        ExtensionModule legacyB = b.importModule("legacy_point");
        assertEquals(1L, legacyB.invoke("count"), "b's copy has its own C global");
        assertEquals(3L, legacyA.invoke("count"), "a's global is untouched by b");
        assertEquals(2L, legacyB.invoke("count"));

        // its static types are its own too, and usable
        try (Handle p = (Handle) legacyB.invoke("Point")) {
            assertEquals("legacy_point.Point", p.typeName());
            p.setAttr("x", 1.5);
            assertEquals(1.5, p.getAttr("x"));
        }

        // a second interpreter of the copying host gets yet another copy
        Interpreter b2 = copies.newInterpreter();
        assertEquals(1L, b2.importModule("legacy_point").invoke("count"));
        assertEquals(3L, legacyB.invoke("count"));
        assertEquals(4L, legacyA.invoke("count"));

        // an interpreter without the option is still refused, naming the original's holder
        Interpreter c = plain.newInterpreter();
        assertNativeError("ImportError", SupportLevelsTest.legacyRefusal(a), () -> c.importModule("legacy_point"));

        assertTrue(Host.loadedLibraries() >= 1);
        b.close();
        assertEquals(5L, legacyA.invoke("count"), "closing a copy leaves the original alone");
        assertEquals(2L, b2.importModule("legacy_point").invoke("count"));
        plain.close();
        copies.close();
        assertEquals(0, Host.liveNativeBytes());
        assertEquals(0, Host.loadedLibraries());
        assertEquals(List.of(), mapsMentioning("legacy_point"), "no copy of the library is still mapped");
    }

    @Test
    void copyingHostFirstThenPlainHost() {
        // the option only matters for the interpreter that finds the module already loaded
        Host copies = hostWithCopies();
        Host plain = newHost();
        Interpreter b = copies.newInterpreter();
        assertEquals(1L, b.importModule("legacy_point").invoke("count"));
        Interpreter a = plain.newInterpreter();
        assertNativeError("ImportError", SupportLevelsTest.legacyRefusal(b), () -> a.importModule("legacy_point"));
        Interpreter b2 = copies.newInterpreter();
        assertEquals(1L, b2.importModule("legacy_point").invoke("count"));
        copies.close();
        plain.close();
    }

    static List<String> mapsMentioning(String needle) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(l -> l.contains(needle)).collect(Collectors.toList());
    }
}
