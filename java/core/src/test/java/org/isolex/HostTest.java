package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import org.junit.jupiter.api.Test;

class HostTest extends NativeTestBase {

    @Test
    void versionAndConfiguration() {
        assertFalse(Host.version().isBlank());
        try (Host host = newHost()) {
            assertEquals(List.of(EXTENSIONS, TEST_EXT), host.modulePath());
            assertEquals(0, host.memoryLimit());
            assertEquals(LeakPolicy.THROW, host.leakPolicy());
        }
        assertThrows(IllegalArgumentException.class, () -> Host.builder().memoryLimit(-1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Host.builder().addModulePath(Path.of("modules", "a:b")));
        assertTrue(e.getMessage().contains("contains ':'"), e.getMessage());
    }

    @Test
    void closingTheHostClosesEveryInterpreter() {
        Host host = newHost();
        Interpreter a = host.newInterpreter();
        Interpreter b = host.newInterpreter();
        Interpreter c = host.newInterpreter();
        assertNotEquals(a.id(), b.id());
        assertEquals(List.of(a, b, c), host.interpreters());
        b.close();
        assertEquals(List.of(a, c), host.interpreters());
        a.importModule("counter");
        c.importModule("fact");
        assertEquals(2, Host.liveInterpreters());
        host.close();
        assertTrue(a.isClosed() && b.isClosed() && c.isClosed());
        assertEquals(List.of(), host.interpreters());
        assertEquals(0, Host.liveInterpreters());
        host.close();  // idempotent
    }

    @Test
    void nonAsciiModulePath() throws IOException {
        Path dir = Path.of(System.getProperty("isolex.build.dir"), "модули ünï 日本");
        Files.createDirectories(dir);
        Files.copy(EXTENSIONS.resolve("counter.so"), dir.resolve("counter.so"), StandardCopyOption.REPLACE_EXISTING);
        try (Host host = track(Host.builder().modulePath(dir).build()); Interpreter interp = host.newInterpreter()) {
            ExtensionModule counter = interp.importModule("counter");
            try (Handle c = (Handle) counter.invoke("Counter", 1L)) {
                assertEquals(2L, c.invoke("increment"));
            }
            assertMapped(true, dir.resolve("counter.so"));
            assertNativeError("ImportError", "no module named 'fact' (searched: " + dir.toAbsolutePath().normalize() + ")",
                    () -> interp.importModule("fact"));
        }
    }

    /**
     * A module-path directory that does not exist is accepted by the builder (it is searched at
     * every import, so it may appear later, as a plugin directory does), and the ImportError
     * says it does not exist instead of only that the module is missing (ABI.md 4.1).
     */
    @Test
    void missingModulePathDirectoryIsNamed() throws IOException {
        Path dir = Path.of(System.getProperty("isolex.build.dir"), "module-path-made-later");
        Files.deleteIfExists(dir.resolve("counter.so"));
        Files.deleteIfExists(dir);
        Path file = EXTENSIONS.resolve("fact.so");
        try (Host host = track(Host.builder().modulePath(dir, file).build()); Interpreter interp = host.newInterpreter()) {
            assertNativeError("ImportError", "no module named 'counter' (searched: " + dir.toAbsolutePath().normalize()
                    + " (does not exist), " + file.toAbsolutePath().normalize() + " (not a directory))", () -> interp.importModule("counter"));
            Files.createDirectories(dir);
            Files.copy(EXTENSIONS.resolve("counter.so"), dir.resolve("counter.so"));
            try (Handle c = (Handle) interp.importModule("counter").invoke("Counter", 1L)) {
                assertEquals(2L, c.invoke("increment"));
            }
        }
    }

    @Test
    void emptyModulePathFindsNothing() {
        try (Host host = track(Host.builder().build()); Interpreter interp = host.newInterpreter()) {
            NativeError e = assertThrows(NativeImportError.class, () -> interp.importModule("counter"));
            assertTrue(e.nativeMessage().startsWith("no module named 'counter'"), e.getMessage());
        }
    }

    @Test
    void memoryLimitRaisesMemoryErrorInThatInterpreterOnly() {
        try (Host limited = track(Host.builder().modulePath(EXTENSIONS, TEST_EXT).memoryLimit(256 * 1024).build());
             Host free = newHost();
             Interpreter small = limited.newInterpreter();
             Interpreter big = free.newInterpreter()) {
            ExtensionModule probe = small.importModule("probe");
            probe.invoke("alloc", 1000L);
            NativeError e = assertThrows(NativeError.class, () -> probe.invoke("alloc", 1L << 20));
            assertEquals("MemoryError", e.typeName());
            assertEquals(1L, probe.invoke("alloc_count"), "the failed allocation left nothing");
            big.importModule("probe").invoke("alloc", 1L << 20);
            assertEquals(1L, big.importModule("probe").invoke("alloc_count"));
        }
    }
}
