package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Host#libraries()}, one file defining several modules (abi/ABI.md 4.2) and a library
 * file replaced while loaded (ABI.md 4.10).
 */
class LibrariesTest extends NativeTestBase {

    private static long attribute(Path file, String name) throws IOException {
        return ((Number) Files.getAttribute(file, "unix:" + name)).longValue();
    }

    /** multi_a.so defines multi_a and multi_b; multi_b.so and multi_c.so are symlinks to it. */
    @Test
    void oneFileDefinesSeveralModulesEachWithItsOwnDefinition() throws IOException {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            assertEquals("multi_a", a.importModule("multi_a").invoke("which"));
            assertEquals("multi_b", a.importModule("multi_b").invoke("which"));
            assertEquals("multi_b", b.importModule("multi_b").invoke("which"));  // the other order
            assertEquals("multi_a", b.importModule("multi_a").invoke("which"));
            assertNativeError("ImportError", "module 'multi_c' at " + TEST_EXT + "/multi_c.so defines neither"
                    + " IxInit_multi_c nor IxInitLegacy_multi_c", () -> a.importModule("multi_c"));

            Path file = TEST_EXT.resolve("multi_a.so").toRealPath();
            List<LoadedLibrary> libs = Host.libraries();
            assertEquals(1, libs.size(), libs::toString);
            LoadedLibrary lib = libs.get(0);
            assertEquals(file, lib.path());
            assertEquals(attribute(file, "dev"), lib.device());
            assertEquals(attribute(file, "ino"), lib.inode());
            assertEquals(Files.size(file), lib.size());
            assertEquals(Files.getLastModifiedTime(file).toInstant(), lib.modified());
            assertEquals(List.of("multi_b", "multi_a"), lib.modules());  // newest first
            assertEquals(4, lib.references());  // one module instance each
            assertEquals(LoadedLibrary.State.CURRENT, lib.state());
        }
    }

    private static void importCounter(Interpreter interp) {
        try (Handle c = (Handle) interp.importModule("counter").invoke("Counter", 1L)) {
            assertEquals(2L, c.invoke("increment"));
        }
    }

    /** Renamed over: a new library beside the old one. Overwritten in place: refused. */
    @Test
    void aLibraryReplacedOnDiskWhileLoaded(@TempDir Path dir) throws IOException {
        Path so = dir.resolve("counter.so");
        Files.copy(EXTENSIONS.resolve("counter.so"), so);
        long oldInode = attribute(so, "ino");
        try (Host host = track(Host.builder().modulePath(dir, EXTENSIONS).build())) {
            Interpreter a = host.newInterpreter();
            importCounter(a);

            Path next = dir.resolve("counter.so.next");
            Files.copy(EXTENSIONS.resolve("counter.so"), next);
            Files.move(next, so, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            long newInode = attribute(so, "ino");
            assertEquals(LoadedLibrary.State.REPLACED, Host.libraries().get(0).state());

            Interpreter b = host.newInterpreter();
            importCounter(b);
            List<LoadedLibrary> libs = Host.libraries();
            assertEquals(2, libs.size(), libs::toString);
            assertEquals(List.of(newInode, oldInode), libs.stream().map(LoadedLibrary::inode).toList());
            assertEquals(List.of(LoadedLibrary.State.CURRENT, LoadedLibrary.State.REPLACED),
                    libs.stream().map(LoadedLibrary::state).toList());
            assertEquals(List.of(so.toRealPath(), so.toRealPath()), libs.stream().map(LoadedLibrary::path).toList());
            a.close();
            assertEquals(1, Host.loadedLibraries());

            // in place: a new modification time stands for new contents (writing into the
            // mapped file would be the undefined behaviour the host refuses to build on)
            Files.setLastModifiedTime(so, FileTime.from(Instant.now().plusSeconds(60)));
            assertEquals(LoadedLibrary.State.MODIFIED, Host.libraries().get(0).state());
            Interpreter c = host.newInterpreter();
            assertNativeError("ImportError", "cannot load module 'counter' from " + dir + "/counter.so: the file was"
                    + " overwritten in place while its library is loaded; close every module loaded from it, then"
                    + " import again", () -> c.importModule("counter"));
            b.close();
            importCounter(c);  // nothing used the old library any more: loaded afresh
            assertEquals(LoadedLibrary.State.CURRENT, Host.libraries().get(0).state());
        }
    }
}
