package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The multiple-interpreters support levels (abi/ABI.md 4.9, 9.3), observed through the
 * instrumented test modules conc_shared (IX_MOD_MULTI_SHARED_LOCK) and conc_parallel (no slot:
 * the default, per-interpreter lock), whose critical sections count how many threads are
 * inside at once (process-wide, per library).
 */
class SupportLevelsTest extends NativeTestBase {
    /** A critical section long enough that two threads started together surely overlap. */
    static final long SPIN_US = 50_000;

    @SuppressWarnings("try") // closes a resource of its try-with-resources early, on purpose
    @Test
    void sharedLockModuleNeverRunsOnTwoThreadsAtOnce() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            ExtensionModule[] m = {a.importModule("conc_shared"), b.importModule("conc_shared")};
            m[0].invoke("reset");
            // both threads alternate long critical sections and token deallocs (200 us critical
            // sections run by the type's dealloc slot), so every pairing gets a chance to overlap
            Together.run(2, i -> () -> {
                for (int round = 0; round < 4; round++) {
                    m[i].invoke("critical", 10_000L);
                    for (int k = 0; k < 10; k++) ((Handle) m[i].invoke("token")).close();
                }
                return null;
            });
            assertEquals(1L, m[0].invoke("max_inside"), "conc_shared ran on two threads at once");
            assertEquals(2L * 4 * 11, m[1].invoke("calls"), "critical sections in both interpreters, one counter");

            // deallocs run by an interpreter's close are serialized with calls from another
            List<Handle> tokens = new ArrayList<>();
            for (int k = 0; k < 20; k++) tokens.add((Handle) m[0].invoke("token"));
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<?> spin = pool.submit(() -> {
                    for (int k = 0; k < 5; k++) m[1].invoke("critical", 2_000L);
                });
                a.close();  // 20 token deallocs of 200 us
                Together.get(spin);
            } finally {
                pool.shutdownNow();
            }
            assertEquals(1L, m[1].invoke("max_inside"));
            assertEquals(2L * 4 * 11 + 20 + 5, m[1].invoke("calls"));
        }
    }

    @Test
    void defaultLevelIsPerInterpreterLockSoInterpretersRunInParallel() throws Exception {
        // conc_parallel has no multiple-interpreters slot: the default (4.9) applies
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            ExtensionModule[] m = {a.importModule("conc_parallel"), b.importModule("conc_parallel")};
            long max = 0;
            for (int attempt = 0; attempt < 2 && max < 2; attempt++) {  // retry once on a loaded machine
                m[0].invoke("reset");
                Together.run(2, i -> () -> m[i].invoke("critical", SPIN_US));
                max = (Long) m[1].invoke("max_inside");
            }
            assertEquals(2L, max, "conc_parallel in two interpreters should overlap");
        }
    }

    /**
     * A library is known by its file (device and inode, as the dynamic loader knows it), not
     * by the path that found it: the same .so reached through a symlink in another directory
     * is the library already loaded, with the same globals, and loaded once.
     */
    @Test
    void oneFileIsOneLibraryWhateverThePathThatFindsIt(@TempDir Path dir) throws Exception {
        Files.createSymbolicLink(dir.resolve("conc_shared.so"), TEST_EXT.resolve("conc_shared.so"));
        long before = Host.loadedLibraries();
        try (Host direct = newHost(); Host viaLink = track(Host.builder().modulePath(dir).build());
             Interpreter a = direct.newInterpreter(); Interpreter b = viaLink.newInterpreter()) {
            ExtensionModule ma = a.importModule("conc_shared"), mb = b.importModule("conc_shared");
            assertEquals(before + 1, Host.loadedLibraries());
            ma.invoke("reset");
            mb.invoke("critical", 10L);
            assertEquals(1L, ma.invoke("calls"), "b's call counted in a's library globals: one library");
        }
        assertEquals(before, Host.loadedLibraries());
    }

    @Test
    void sharedLockModuleLoadsInEveryInterpreter() throws Exception {
        try (Host host = newHost()) {
            List<ExtensionModule> mods = new ArrayList<>();
            for (int i = 0; i < 4; i++) mods.add(host.newInterpreter().importModule("conc_shared"));
            mods.get(0).invoke("reset");
            for (ExtensionModule m : mods) {
                assertNull(m.invoke("critical", 0L));
                try (Handle t = (Handle) m.invoke("token")) {
                    assertEquals("conc_shared.Token", t.typeName());
                }
            }
            assertEquals(8L, mods.get(3).invoke("calls"), "one library, one set of counters");
            Together.run(4, i -> () -> mods.get(i).invoke("critical", 5_000L));
            assertEquals(1L, mods.get(0).invoke("max_inside"));
            assertEquals(4, host.interpreters().size());
        }
    }

    @Test
    void notSupportedModuleKeepsItsMessageAndLoadsAgainAfterClose() {
        try (Host host = newHost()) {
            Interpreter a = host.newInterpreter();
            Interpreter b = host.newInterpreter();
            assertEquals("pong", a.importModule("multi_not_supported").invoke("ping"));
            assertNativeError("ImportError", "module 'multi_not_supported' does not support several interpreters and is"
                    + " already loaded in interpreter " + a.id(), () -> b.importModule("multi_not_supported"));
            a.close();
            assertEquals("pong", b.importModule("multi_not_supported").invoke("ping"));
            Interpreter c = host.newInterpreter();
            assertNativeError("ImportError", "module 'multi_not_supported' does not support several interpreters and is"
                    + " already loaded in interpreter " + b.id(), () -> c.importModule("multi_not_supported"));
        }
    }

    @Test
    void legacyModuleKeepsItsMessageAndLoadsAgainAfterClose() {
        try (Host host = newHost()) {
            Interpreter a = host.newInterpreter();
            Interpreter b = host.newInterpreter();
            ExtensionModule legacy = a.importModule("legacy_point");
            assertEquals(1L, legacy.invoke("count"));
            assertEquals(2L, legacy.invoke("count"));
            assertNativeError("ImportError", legacyRefusal(a), () -> b.importModule("legacy_point"));
            a.close();
            assertEquals(0, Host.loadedLibraries(), "the library is unloaded with its only interpreter");
            // loaded afresh: its C global starts again from 0
            assertEquals(1L, b.importModule("legacy_point").invoke("count"));
            Interpreter c = host.newInterpreter();
            assertNativeError("ImportError", legacyRefusal(b), () -> c.importModule("legacy_point"));
        }
    }

    /** ABI.md 7.3. */
    static String legacyRefusal(Interpreter holder) {
        return "module 'legacy_point' uses single-phase init and static types (legacy_point.Point, legacy_point.Line)"
                + " and is loaded in interpreter " + holder.id()
                + "; it cannot be loaded in several interpreters. See abi/MIGRATION.md to make it multiphase";
    }
}
