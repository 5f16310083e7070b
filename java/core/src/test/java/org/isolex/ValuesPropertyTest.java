package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import org.isolex.internal.Wire;
import org.junit.jupiter.api.Test;

/**
 * A randomized property test of value conversion (README "Values"; abi/ABI.md 12): random
 * nested values of every supported type (handles and shared buffers included), with
 * unsupported objects, invalid strings, cycles,
 * nesting around the limit and very large strings, bytes and lists mixed in, are passed to
 * {@code probe.echo} and through a queue. Each either comes back exactly (after the
 * documented conversions: Integer to Long, Float to Double, Object[] to List) or fails with
 * the documented {@code IllegalArgumentException} and its exact message, before any native
 * call; the interpreter holds no more handles or bytes afterwards, and (NativeTestBase) the
 * process no native memory.
 *
 * <p>Seeded: the seed is printed, and {@code -Disolex.fuzz.seed=S} repeats a run.
 * {@code -Disolex.fuzz.iterations=N} (default 300) or {@code -Disolex.fuzz.seconds=N} makes
 * it run longer.
 */
class ValuesPropertyTest extends NativeTestBase {
    private static final long SEED = Long.getLong("isolex.fuzz.seed", new Random().nextLong());
    private static final int ITERATIONS = Integer.getInteger("isolex.fuzz.iterations", 300);
    private static final long SECONDS = Long.getLong("isolex.fuzz.seconds", 0L);

    private static final String UNSUPPORTED = " to an isolex value; supported: null, Boolean, Long/Integer/Short/Byte"
            + "/BigInteger (int), Double/Float (float), String (str), byte[] (bytes), List (list), Object[] (tuple), Map (dict),"
            + " Handle, SharedBuffer, SharedQueue";

    @Test
    void randomValuesRoundTripExactlyOrFailAsDocumented() throws Exception {
        System.out.println("ValuesPropertyTest: seed " + SEED + " (-Disolex.fuzz.seed=" + SEED + " repeats this run)");
        Random random = new Random(SEED);
        try (Host host = newHost(); Interpreter interp = host.newInterpreter(); SharedQueue q = Host.newQueue();
             SharedBuffer b1 = Host.newBuffer(16); SharedBuffer b2 = Host.newBuffer(0)) {
            ExtensionModule probe = interp.importModule("probe");
            List<Object> objects = List.of(probe, probe.getAttr("echo"), probe.getAttr("alloc"), b1, b2);
            long handles = interp.handleCount(), bytes = interp.liveBytes();
            long end = System.nanoTime() + SECONDS * 1_000_000_000L;
            Map<String, Integer> outcomes = new java.util.TreeMap<>();
            int i = 0;
            for (; SECONDS > 0 ? System.nanoTime() < end : i < ITERATIONS; i++) {
                Object v = new Gen(random, objects).value(0);
                String where = "seed " + SEED + ", iteration " + i;
                String refused = Oracle.firstProblem(v, false, 0), unshareable = Oracle.firstProblem(v, true, 0);
                check(where + ", call", () -> probe.invoke("echo", v), v, refused);
                check(where + ", queue", () -> {
                    q.put(v);
                    return q.take();
                }, v, unshareable);
                outcomes.merge(kind(refused) + " / " + kind(unshareable), 1, Integer::sum);
            }
            System.out.println("ValuesPropertyTest: " + i + " values (call / queue): " + outcomes);
            assertEquals(handles, interp.handleCount(), "handles after every conversion");
            assertEquals(bytes, interp.liveBytes(), "live bytes after every conversion");
            assertEquals(0, q.size());
        }
    }

    /** A refusal's kind for the tally: the start of its message. */
    private static String kind(String problem) {
        return problem == null ? "round trip" : problem.replace("argument 1: ", "").split("[:;(,]")[0].trim();
    }

    interface Trip {
        Object run() throws Exception;
    }

    /** The value comes back as {@code normalize(v)}, or the trip fails with exactly {@code problem}. */
    private static void check(String where, Trip trip, Object v, String problem) throws Exception {
        Object back;
        try {
            back = trip.run();
        } catch (IllegalArgumentException e) {
            if (problem == null) throw new AssertionError(where + ": refused a good value: " + e.getMessage(), e);
            assertEquals(problem, e.getMessage(), where);
            return;
        }
        try {
            if (problem != null) fail(where + ": accepted a bad value, expected " + problem);
            assertEquals(normalize(v), normalize(back), where);
        } finally {
            closeAll(back);
        }
    }

    /** Closes the handles and shared buffers a result holds (each is the result's own). */
    private static void closeAll(Object v) {
        if (v instanceof AutoCloseable) {
            try {
                ((AutoCloseable) v).close();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        } else if (v instanceof List) {
            for (Object item : (List<?>) v) closeAll(item);
        } else if (v instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                closeAll(e.getKey());
                closeAll(e.getValue());
            }
        }
    }

    /** A handle or shared buffer, known by the native object it stands for. */
    record Native(String kind, long identity) {}

    /** A dict's entries in order (so order counts in equals). */
    record Dict(List<List<Object>> entries) {}

    /** What a value converts to and back: Long, Double, List, Dict; bytes compare by content. */
    static Object normalize(Object v) {
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) return ((Number) v).longValue();
        if (v instanceof Float) return ((Float) v).doubleValue();
        if (v instanceof BigInteger) return ((BigInteger) v).bitLength() < 64 ? (Object) ((BigInteger) v).longValue() : v;
        if (v instanceof byte[]) return ByteBuffer.wrap((byte[]) v);
        if (v instanceof Handle) return new Native("handle", ((Handle) v).identity());
        if (v instanceof SharedBuffer) return new Native("buffer", ((SharedBuffer) v).address());
        if (v instanceof Object[]) return normalize(Arrays.asList((Object[]) v));
        if (v instanceof List) {
            List<Object> out = new ArrayList<>();
            for (Object item : (List<?>) v) out.add(normalize(item));
            return out;
        }
        if (v instanceof Map) {
            List<List<Object>> entries = new ArrayList<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                entries.add(Arrays.asList(normalize(e.getKey()), normalize(e.getValue())));
            }
            return new Dict(entries);
        }
        return v;
    }

    /** The documented refusals, in the order the encoder meets them (depth first, key before value). */
    static final class Oracle {
        static String firstProblem(Object v, boolean shareable, int depth) {
            String prefix = shareable ? "" : "argument 1: ";
            boolean container = v instanceof List || v instanceof Object[] || (!shareable && v instanceof Map);
            if (container && depth >= Wire.MAX_DEPTH) return prefix + Wire.TOO_DEEP;
            if (v instanceof List || v instanceof Object[]) {
                for (Object item : v instanceof List ? (List<?>) v : Arrays.asList((Object[]) v)) {
                    String p = firstProblem(item, shareable, depth + 1);
                    if (p != null) return p;
                }
                return null;
            }
            if (v instanceof Map && !shareable) {
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    String p = firstProblem(e.getKey(), false, depth + 1);
                    if (p == null) p = firstProblem(e.getValue(), false, depth + 1);
                    if (p != null) return p;
                }
                return null;
            }
            if (v instanceof String) return unpairedSurrogate((String) v);
            if (v == null || v instanceof Boolean || v instanceof Number && !(v instanceof BigDecimal)
                    || v instanceof byte[] || v instanceof SharedBuffer || v instanceof Handle && !shareable) {
                return null;
            }
            String type = v.getClass().getName();
            return shareable ? "a " + type + " is not shareable: " + Wire.SHAREABLE_TYPES
                    : prefix + "cannot convert a " + type + UNSUPPORTED;
        }

        private static String unpairedSurrogate(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    String shown = s.length() <= 40 ? s : s.substring(0, 40) + "...";
                    return "string is not valid Unicode (it has an unpaired surrogate): \"" + shown + "\"";
                }
            }
            return null;
        }
    }

    /** Random values: mostly small and valid, sometimes huge, too deep, cyclic or unsupported. */
    static final class Gen {
        private final Random r;
        /** Handles of the interpreter and shared buffers: values that cross by reference. */
        private final List<Object> objects;
        private long nextKey;

        Gen(Random r, List<Object> objects) {
            this.r = r;
            this.objects = objects;
        }

        Object value(int depth) {
            int roll = r.nextInt(100);
            if (roll < 2) return tower(depth);
            if (roll < 4) return cycle();
            if (roll < 6) return unsupported();
            if (roll < 8) return huge();
            if (roll < 30 && depth < 6) return container(depth);
            return scalar();
        }

        private Object scalar() {
            switch (r.nextInt(14)) {
                case 0: return null;
                case 12: return objects.get(r.nextInt(objects.size()));
                case 13: { // any size, the int64 boundary included (abi/ABI.md 3.10)
                    BigInteger b = new BigInteger(r.nextInt(3) == 0 ? 62 + r.nextInt(4) : r.nextInt(300), r);
                    return r.nextBoolean() ? b.negate().subtract(BigInteger.valueOf(r.nextInt(2))) : b;
                }
                case 1: return r.nextBoolean();
                case 2: return r.nextLong();
                case 3: return new long[] {Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L}[r.nextInt(4)];
                case 4: return r.nextInt();
                case 5: return (short) r.nextInt();
                case 6: return (byte) r.nextInt();
                case 7: return new double[] {Double.NaN, -0.0, 0.0, Double.POSITIVE_INFINITY, Double.MIN_VALUE,
                        r.nextGaussian()}[r.nextInt(6)];
                case 8: return r.nextFloat();
                case 9: return bytes(r.nextInt(20));
                default: return string(r.nextInt(20));
            }
        }

        private byte[] bytes(int n) {
            byte[] b = new byte[n];
            r.nextBytes(b);
            return b;
        }

        /** Any code points (NUL, 2-, 3- and 4-byte UTF-8), and now and then an unpaired surrogate. */
        private String string(int n) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < n; i++) {
                switch (r.nextInt(5)) {
                    case 0: b.append((char) r.nextInt(0x80)); break;
                    case 1: b.append((char) (0x80 + r.nextInt(0x780))); break;
                    case 2: b.appendCodePoint(0x10000 + r.nextInt(0x100000)); break;
                    case 3: b.append(r.nextInt(50) == 0 ? (char) (0xD800 + r.nextInt(0x800)) : 'é'); break;
                    default: b.append((char) ('a' + r.nextInt(26)));
                }
            }
            return b.toString();
        }

        private Object container(int depth) {
            int n = r.nextInt(6);
            switch (r.nextInt(4)) {
                case 0: {
                    List<Object> l = new ArrayList<>();
                    for (int i = 0; i < n; i++) l.add(value(depth + 1));
                    return l;
                }
                case 1: {
                    Object[] t = new Object[n];
                    for (int i = 0; i < n; i++) t[i] = value(depth + 1);
                    return t;
                }
                case 2: return List.copyOf(java.util.Collections.nCopies(n, "same"));
                default: {
                    Map<Object, Object> m = new LinkedHashMap<>();
                    for (int i = 0; i < n; i++) m.put(key(), value(depth + 1));
                    return m;
                }
            }
        }

        /** A key unique in the whole value, so no two collapse into one in a native dict. */
        private Object key() {
            long k = nextKey++;
            switch (r.nextInt(3)) {
                case 0: return "k" + k;
                case 1: return k;
                default: return new Object[] {"t", k};
            }
        }

        /** 60 to 68 levels of containers: around the limit of 64. */
        private Object tower(int depth) {
            Object v = scalar();
            for (int i = 60 + r.nextInt(9); i > 0; i--) {
                switch (r.nextInt(3)) {
                    case 0: v = List.of(v == null ? "null" : v); break;
                    case 1: v = new Object[] {v}; break;
                    default: v = java.util.Collections.singletonMap(key(), v);
                }
            }
            return v;
        }

        private Object cycle() {
            if (r.nextBoolean()) {
                List<Object> l = new ArrayList<>();
                l.add(1L);
                l.add(l);
                return l;
            }
            Map<Object, Object> m = new LinkedHashMap<>();
            m.put(key(), m);
            return m;
        }

        private Object unsupported() {
            switch (r.nextInt(5)) {
                case 0: return new Object();
                case 1: return 'c';
                case 2: return BigDecimal.TEN;
                case 3: return Optional.empty();
                default: return new int[] {1};
            }
        }

        /** Past the 16 KiB a call's buffer starts with, up to a few MiB. */
        private Object huge() {
            int n = (1 << 14) + r.nextInt(1 << (16 + r.nextInt(6)));
            switch (r.nextInt(3)) {
                case 0: return bytes(n);
                case 1: return string(n / 4);
                default: {
                    List<Object> l = new ArrayList<>(n / 8);
                    for (int i = 0; i < n / 8; i++) l.add((long) i);
                    return l;
                }
            }
        }
    }
}
