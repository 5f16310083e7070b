package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.isolex.internal.Wire;
import org.junit.jupiter.api.Test;

/**
 * The leak report as libisolex writes it at close (isolex_host.h), built here with the Java
 * encoder so that every field and the messages are pinned; LeakCloseTest checks a real one.
 */
class LeakReportTest {

    private static LeakReport parse(Map<String, Object> dict) {
        Wire w = new Wire(256);
        w.value(dict, Wire.VALUES_ONLY, 0);
        return LeakReport.fromWire(w.flipForRead(w.length()).readValue(Wire.VALUES_ONLY));
    }

    @Test
    void parsesTheNativeLayout() {
        Map<String, Object> objects = new LinkedHashMap<>();
        objects.put("counter.Counter", 2L);
        objects.put("list", 1L);
        Map<String, Object> modules = new LinkedHashMap<>();
        modules.put("counter", 192L);
        modules.put("leaky", 64L);
        Map<String, Object> dict = new LinkedHashMap<>();
        dict.put("interpreter", 3L);
        dict.put("bytes", 256L);
        dict.put("blocks", 4L);
        dict.put("objects", objects);
        dict.put("modules", modules);
        dict.put("raw_blocks", 1L);

        LeakReport r = parse(dict);
        assertEquals(3, r.interpreterId());
        assertEquals(256, r.bytes());
        assertEquals(4, r.blocks());
        assertEquals(1, r.rawBlocks());
        assertEquals(Map.of("counter.Counter", 2L, "list", 1L), r.objectsByType());
        assertEquals(Map.of("counter", 192L, "leaky", 64L), r.bytesByModule());
        assertFalse(r.isClean());
        assertEquals(String.join("\n",
                "leak report for interpreter 3: 256 bytes in 4 blocks (1 raw IxMem_Malloc blocks)",
                "  objects by type:",
                "    counter.Counter: 2",
                "    list: 1",
                "  bytes by module:",
                "    counter: 192",
                "    leaky: 64"), r.toString());

        LeakException e = new LeakException(r);
        assertTrue(e.getMessage().startsWith("interpreter 3 leaked 256 bytes in 4 blocks (freed at close)"),
                e.getMessage());
        assertEquals(r, e.report());
    }

    @Test
    void aSummaryOnlyReportParsesToo() {
        Map<String, Object> dict = new LinkedHashMap<>();
        dict.put("interpreter", 1L);
        dict.put("bytes", 32L);
        dict.put("blocks", 1L);
        LeakReport r = parse(dict);
        assertEquals(32, r.bytes());
        assertEquals(Map.of(), r.objectsByType());
        assertEquals(0, r.rawBlocks());
    }

    @Test
    void aDebugReportHasAllocationSites() {
        Map<String, Object> sites = new LinkedHashMap<>();
        sites.put("leaky.so!leaky_leak_block", 132L);
        sites.put("counter.so!counter_new", 64L);
        Map<String, Object> dict = new LinkedHashMap<>();
        dict.put("interpreter", 5L);
        dict.put("bytes", 196L);
        dict.put("blocks", 2L);
        dict.put("raw_blocks", 1L);
        dict.put("sites", sites);
        LeakReport r = parse(dict);
        assertEquals(Map.of("leaky.so!leaky_leak_block", 132L, "counter.so!counter_new", 64L), r.bytesBySite());
        assertEquals(String.join("\n",
                "leak report for interpreter 5: 196 bytes in 2 blocks (1 raw IxMem_Malloc blocks)",
                "  bytes by allocation site:",
                "    leaky.so!leaky_leak_block: 132",
                "    counter.so!counter_new: 64"), r.toString());
        // a release report has none, and the six-component constructor means the same
        assertEquals(Map.of(), parse(Map.<String, Object>of("bytes", 1L)).bytesBySite());
        assertEquals(new LeakReport(1, 2, 3, 4, Map.of(), Map.of(), Map.of()),
                new LeakReport(1, 2, 3, 4, Map.of(), Map.of()));
    }
}
