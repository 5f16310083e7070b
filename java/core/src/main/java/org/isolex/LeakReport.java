package org.isolex;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an interpreter still had allocated when it closed (all of it was freed anyway).
 *
 * @param interpreterId  the interpreter's id
 * @param bytes          live bytes at close (payload and block headers)
 * @param blocks         live blocks at close
 * @param rawBlocks      blocks from {@code IxMem_Malloc} that were never freed
 * @param objectsByType  leaked objects counted by full type name
 * @param bytesByModule  leaked bytes by the module whose code allocated them
 *                       ({@code "<core>"} or similar for the host itself)
 * @param bytesBySite    debug mode only (abi/ABI.md 10.3): leaked bytes by the extension
 *                       function whose API call allocated them, keyed
 *                       {@code "library.so!function"}; empty for a release interpreter
 */
public record LeakReport(long interpreterId, long bytes, long blocks, long rawBlocks,
                         Map<String, Long> objectsByType, Map<String, Long> bytesByModule,
                         Map<String, Long> bytesBySite) {

    /**
     * Copies the three maps, keeping their order: the report never changes afterwards.
     *
     * @param interpreterId the interpreter's id, as {@link Interpreter#id()} gives it
     * @param bytes         live bytes at close, or -1 when libisolex wrote no report
     * @param blocks        live blocks at close, or -1 when libisolex wrote no report
     * @param rawBlocks     never-freed {@code IxMem_Malloc} blocks, or -1 when no report
     * @param objectsByType object counts by full type name; not null (copied)
     * @param bytesByModule byte counts by allocating module; not null (copied)
     * @param bytesBySite   byte counts by {@code "library.so!function"}, debug mode only;
     *                      not null (copied)
     */
    public LeakReport {
        objectsByType = Collections.unmodifiableMap(new LinkedHashMap<>(objectsByType));
        bytesByModule = Collections.unmodifiableMap(new LinkedHashMap<>(bytesByModule));
        bytesBySite = Collections.unmodifiableMap(new LinkedHashMap<>(bytesBySite));
    }

    /**
     * A report without allocation sites (what a release interpreter writes).
     *
     * @param interpreterId the id of the interpreter that leaked
     * @param bytes         its live bytes at close
     * @param blocks        its live blocks at close
     * @param rawBlocks     how many of those came from {@code IxMem_Malloc}
     * @param objectsByType leaked object counts, keyed by full type name (copied)
     * @param bytesByModule leaked bytes, keyed by the allocating module (copied)
     */
    public LeakReport(long interpreterId, long bytes, long blocks, long rawBlocks,
                      Map<String, Long> objectsByType, Map<String, Long> bytesByModule) {
        this(interpreterId, bytes, blocks, rawBlocks, objectsByType, bytesByModule, Map.of());
    }

    /**
     * Reads the report libisolex writes at close (isolex_host.h: a dict with "interpreter",
     * "bytes", "blocks", "objects", "modules", "raw_blocks", and in debug mode "sites").
     * Missing entries read as 0 / empty (a report that did not fit the buffer is cut to a
     * summary).
     */
    static LeakReport fromWire(Object decoded) {
        if (!(decoded instanceof Map)) {
            throw new IsolexException("malformed leak report: expected a dict, got " + decoded);
        }
        Map<?, ?> m = (Map<?, ?>) decoded;
        return new LeakReport(num(m, "interpreter"), num(m, "bytes"), num(m, "blocks"), num(m, "raw_blocks"),
                counts(m.get("objects")), counts(m.get("modules")), counts(m.get("sites")));
    }

    private static long num(Map<?, ?> m, String key) {
        Object v = m.get(key);
        return v instanceof Number ? ((Number) v).longValue() : 0L;
    }

    private static Map<String, Long> counts(Object v) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (v instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                out.put(String.valueOf(e.getKey()),
                        e.getValue() instanceof Number ? ((Number) e.getValue()).longValue() : 0L);
            }
        }
        return out;
    }

    /** {@return true when nothing was left: no byte, block, raw block or object} */
    public boolean isClean() {
        return bytes == 0 && blocks == 0 && rawBlocks == 0 && objectsByType.isEmpty();
    }

    /** A readable multi-line summary. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append("leak report for interpreter ").append(interpreterId).append(": ")
          .append(bytes).append(" bytes in ").append(blocks).append(" blocks (")
          .append(rawBlocks).append(" raw IxMem_Malloc blocks)");
        if (!objectsByType.isEmpty()) {
            sb.append("\n  objects by type:");
            objectsByType.forEach((k, v) -> sb.append("\n    ").append(k).append(": ").append(v));
        }
        if (!bytesByModule.isEmpty()) {
            sb.append("\n  bytes by module:");
            bytesByModule.forEach((k, v) -> sb.append("\n    ").append(k).append(": ").append(v));
        }
        if (!bytesBySite.isEmpty()) {
            sb.append("\n  bytes by allocation site:");
            bytesBySite.forEach((k, v) -> sb.append("\n    ").append(k).append(": ").append(v));
        }
        return sb.toString();
    }
}
