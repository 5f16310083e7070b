package org.isolex.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The Java codec alone (no native code): layout, round trips, growth, refusals. */
class WireTest {

    private static Object roundTrip(Object v) {
        Wire w = new Wire(64);
        w.value(v, Wire.VALUES_ONLY, 0);
        int n = w.length();
        return w.flipForRead(n).readValue(Wire.VALUES_ONLY);
    }

    @Test
    void layoutIsLittleEndianAndTagged() {
        Wire w = new Wire(64);
        w.value(List.of(1L, "é"), Wire.VALUES_ONLY, 0);
        byte[] b = new byte[w.length()];
        w.buffer().flip();
        w.buffer().get(b);
        assertEquals(ByteOrder.LITTLE_ENDIAN, w.buffer().order());
        assertArrayEquals(new byte[] {Wire.LIST, 2, 0, 0, 0, Wire.INT, 1, 0, 0, 0, 0, 0, 0, 0,
                Wire.STR, 2, 0, 0, 0, (byte) 0xc3, (byte) 0xa9}, b);
    }

    /** abi/ABI.md 12.5: INT when it fits a long, else BIGINT, little-endian two's complement. */
    @Test
    void bigIntegersAreIntWhenTheyFitAndBigintOtherwise() {
        Wire w = new Wire(64);
        w.value(BigInteger.valueOf(-2), Wire.VALUES_ONLY, 0);
        w.value(BigInteger.ONE.shiftLeft(64).negate(), Wire.VALUES_ONLY, 0);
        byte[] b = new byte[w.length()];
        w.buffer().flip();
        w.buffer().get(b);
        assertArrayEquals(new byte[] {Wire.INT, -2, -1, -1, -1, -1, -1, -1, -1,
                Wire.BIGINT, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1}, b);
        BigInteger big = BigInteger.ONE.shiftLeft(200).subtract(BigInteger.ONE);
        assertEquals(big, roundTrip(big));
        assertEquals(Long.MIN_VALUE, roundTrip(BigInteger.valueOf(Long.MIN_VALUE)));
        // any length is read; what fits a long is a Long
        Wire padded = new Wire(64);
        padded.buffer().put((byte) Wire.BIGINT).putInt(16).putLong(42).putLong(0);
        assertEquals(42L, padded.flipForRead(padded.buffer().position()).readValue(Wire.VALUES_ONLY));
        Wire empty = new Wire(64);
        empty.buffer().put((byte) Wire.BIGINT).putInt(0);
        assertEquals(0L, empty.flipForRead(5).readValue(Wire.VALUES_ONLY));
    }

    /** ASCII takes a byte-per-char path, anything else the encoder: both must give UTF-8. */
    @Test
    void strIsUtf8OnBothSidesOfTheAsciiLine() {
        Wire w = new Wire(64);
        w.str("\u0000\u007f").str("\u0080").str("");
        byte[] b = new byte[w.length()];
        w.buffer().flip();
        w.buffer().get(b);
        assertArrayEquals(new byte[] {Wire.STR, 2, 0, 0, 0, 0, 0x7f, Wire.STR, 2, 0, 0, 0, (byte) 0xc2, (byte) 0x80,
                Wire.STR, 0, 0, 0, 0}, b);
        Wire small = new Wire(64); // the ASCII path grows the buffer like the encoder does
        String longAscii = "x".repeat(1000);
        small.str(longAscii);
        assertEquals(longAscii, small.flipForRead(small.length()).readStr());
    }

    @Test
    void roundTrips() {
        for (Object v : new Object[] {null, true, false, 0L, Long.MIN_VALUE, Long.MAX_VALUE, 1.5, Double.NEGATIVE_INFINITY,
                "", "日本語 😀", List.of(), List.of(List.of(1L), "x")}) {
            assertEquals(v, roundTrip(v));
        }
        assertTrue(Double.isNaN((Double) roundTrip(Double.NaN)));
        assertEquals(5L, roundTrip(5));
        assertEquals(List.of(1L, 2L), roundTrip(new Object[] {1, (short) 2}));
        assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) roundTrip(new byte[] {1, 2, 3}));
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put("b", 1L);
        m.put("a", Arrays.asList(null, 2.0));
        assertEquals(m, roundTrip(m));
        assertEquals(List.of("b", "a"), List.copyOf(((Map<?, ?>) roundTrip(m)).keySet()));
    }

    @Test
    void growsPastItsInitialCapacity() {
        String big = "x".repeat(100_000);
        assertEquals(List.of(big, big), roundTrip(List.of(big, big)));
    }

    @Test
    void exceptionsWithCauses() {
        Wire w = new Wire(64);
        w.exception("SystemError", "outer").exception("ValueError", "inner").tag(Wire.NONE);
        RuntimeException e = w.flipForRead(w.length()).readException(Wire.VALUES_ONLY);
        assertEquals("SystemError: outer", e.getMessage());
        assertEquals("ValueError: inner", e.getCause().getMessage());
    }

    @Test
    void refusals() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Wire(64).value(new Object(), Wire.VALUES_ONLY, 3));
        assertTrue(e.getMessage().startsWith("argument 3: cannot convert a java.lang.Object to an isolex value; supported:"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Wire(64).value('c', Wire.VALUES_ONLY, 1));
        assertThrows(IllegalArgumentException.class, () -> new Wire(64).value(new int[1], Wire.VALUES_ONLY, 1));
        assertThrows(IllegalStateException.class, () -> {
            Wire w = new Wire(64);
            w.tag(Wire.STR);
            w.flipForRead(1).readValue(Wire.VALUES_ONLY);
        });
        assertThrows(IllegalStateException.class, () -> new Wire(64).tag(99).flipForRead(1).readValue(Wire.VALUES_ONLY));
    }

    @Test
    void shareableValuesWriteListsAsTuplesAndRefuseTheRest() {
        Wire w = new Wire(64);
        w.shareable(List.of(1L, new Object[] {"é"}), Wire.VALUES_ONLY);
        byte[] b = new byte[w.length()];
        w.buffer().flip();
        w.buffer().get(b);
        assertArrayEquals(new byte[] {Wire.TUPLE, 2, 0, 0, 0, Wire.INT, 1, 0, 0, 0, 0, 0, 0, 0,
                Wire.TUPLE, 1, 0, 0, 0, Wire.STR, 2, 0, 0, 0, (byte) 0xc3, (byte) 0xa9}, b);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Wire(64).shareable(List.of(Map.of()), Wire.VALUES_ONLY));
        assertEquals("a " + Map.of().getClass().getName() + " is not shareable: " + Wire.SHAREABLE_TYPES, e.getMessage());
        // a BUFFER/QUEUE read with hooks that know none is refused, not silently dropped
        Wire r = new Wire(64).shared(Wire.QUEUE, 0x1234);
        assertThrows(IllegalStateException.class, () -> r.flipForRead(r.length()).readValue(Wire.VALUES_ONLY));
    }
}
