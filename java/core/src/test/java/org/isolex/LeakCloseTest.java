package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * A real leak, made by test-ext/leaky through the ABI: close frees it anyway, reports it
 * (bytes, objects by type, owning module), and the process is back to zero live bytes.
 */
class LeakCloseTest extends NativeTestBase {

    @Test
    void closeReportsAndFreesWhatAModuleLeaked() {
        Host host = newHost();
        Interpreter interp = host.newInterpreter();
        ExtensionModule leaky = interp.importModule("leaky");
        leaky.invoke("leak_list");
        leaky.invoke("leak_block", 100);
        long leaked = interp.liveBytes();
        leaky.close();

        LeakException e = assertThrows(LeakException.class, interp::close);
        LeakReport r = e.report();
        assertEquals(interp.id(), r.interpreterId());
        assertEquals(Map.of("list", 1L, "str", 1L), r.objectsByType());
        // Raw blocks: the 100 bytes, and the list's item array (made for leaky, so its too).
        assertEquals(2, r.rawBlocks(), r.toString());
        assertEquals(4, r.blocks(), r.toString());
        assertEquals(Map.of("leaky", r.bytes()), r.bytesByModule());
        assertTrue(r.bytes() > 100 && r.bytes() < leaked, r + " vs live " + leaked);
        assertTrue(e.getMessage().contains("leaked " + r.bytes() + " bytes"), e.getMessage());
        assertEquals(r, interp.lastLeakReport().orElseThrow());
        assertTrue(interp.isClosed());
        assertEquals(0, Host.liveNativeBytes());
    }

    @Test
    void withPolicyLogCloseReturnsAndKeepsTheReport() {
        Host host = track(Host.builder().modulePath(TEST_EXT).leakPolicy(LeakPolicy.LOG).build());
        Interpreter interp = host.newInterpreter();
        interp.importModule("leaky").invoke("leak_block", 1);
        try (CapturedWarnings warnings = new CapturedWarnings()) {
            interp.close();
            assertEquals(List.of("interpreter " + interp.id() + " leaked native memory (freed at close):\n"
                    + interp.lastLeakReport().orElseThrow()), warnings.texts());
        }
        LeakReport r = interp.lastLeakReport().orElseThrow();
        assertEquals(1, r.blocks());
        assertEquals(1, r.rawBlocks());
        assertEquals(0, Host.liveNativeBytes());
    }

    @Test
    void aCleanCloseHasNoReport() {
        Host host = newHost();
        Interpreter interp = host.newInterpreter();
        interp.importModule("counter").invoke("created");
        interp.close();
        assertTrue(interp.lastLeakReport().isEmpty());
    }
}
