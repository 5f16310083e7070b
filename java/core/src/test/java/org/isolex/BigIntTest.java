package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.math.BigInteger;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Ints of any size (abi/ABI.md 3.10, 12.5) from Java, in two interpreters at once: a
 * {@code BigInteger} goes in as an int of any size and comes back as a {@code Long} when it
 * fits a long, as a {@code BigInteger} otherwise; through the test-ext module bigops, which
 * makes and reads them with IxLong_FromBytes / AsBytes / FromString, and through a queue.
 */
class BigIntTest extends NativeTestBase {
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);

    @Test
    void bigIntegersCrossBothWaysInTwoInterpretersAtOnce() throws Exception {
        try (Host host = newHost()) {
            List<Long> checks = Together.run(2, k -> () -> {
                try (Interpreter interp = host.newInterpreter()) {
                    return exercise(interp, new Random(k));
                }
            });
            assertEquals(List.of(2_000L, 2_000L), checks);
        }
    }

    /** The round trips and messages in one interpreter; the number of random round trips. */
    private static long exercise(Interpreter interp, Random random) throws InterruptedException {
        ExtensionModule probe = interp.importModule("probe");
        ExtensionModule bigops = interp.importModule("bigops");
        // the boundary: what fits a long is a Long, whichever Java type it was sent as
        assertEquals(Long.MAX_VALUE, probe.invoke("echo", BigInteger.valueOf(Long.MAX_VALUE)));
        assertEquals(Long.MIN_VALUE, probe.invoke("echo", LONG_MIN));
        assertEquals(Long.MIN_VALUE, bigops.invoke("as_int64", Long.MIN_VALUE));
        assertEquals(LONG_MIN.subtract(BigInteger.ONE), probe.invoke("echo", LONG_MIN.subtract(BigInteger.ONE)));
        assertEquals(TWO_64, probe.invoke("echo", TWO_64));
        assertEquals(5L, probe.invoke("echo", BigInteger.valueOf(5)));
        assertThrowsMessage(NativeError.class, "OverflowError: int too big to convert to int64",
                () -> bigops.invoke("as_int64", TWO_64));
        // made inside by an extension, exact
        BigInteger f = BigInteger.ONE;
        for (int i = 2; i <= 100; i++) f = f.multiply(BigInteger.valueOf(i));
        assertEquals(f, bigops.invoke("fact", 100L));
        assertEquals(2432902008176640000L, bigops.invoke("fact", 20L));
        assertEquals(f.negate().toString(), probe.invoke("echo", f.negate()).toString());
        assertEquals(BigInteger.TEN.pow(100), bigops.invoke("parse", "1" + "0".repeat(100), 10L));
        assertEquals(TWO_64.negate(), bigops.invoke("from_bytes", new byte[] {(byte) 0xff, 0, 0, 0, 0, 0, 0, 0, 0}, false, true));
        assertEquals(9L, bigops.invoke("needed", TWO_64, true));
        assertThrowsMessage(NativeError.class, "OverflowError: can't convert negative int to unsigned",
                () -> bigops.invoke("needed", TWO_64.negate(), false));
        // in containers and through a queue
        List<Object> mixed = List.of(TWO_64, 1L, List.of(f));
        assertEquals(mixed, probe.invoke("echo", mixed));
        try (SharedQueue q = Host.newQueue()) {
            q.put(new Object[] {TWO_64.negate(), BigInteger.ONE});
            assertEquals(List.of(TWO_64.negate(), 1L), q.take());
        }
        // random sizes around every limb boundary, both signs
        long n = 0;
        for (int i = 0; i < 2_000; i++, n++) {
            BigInteger v = new BigInteger(random.nextInt(260), random);
            if (random.nextBoolean()) v = v.negate();
            Object back = probe.invoke("echo", v);
            if (v.bitLength() < 64) {
                assertEquals(v.longValue(), back);
            } else {
                assertInstanceOf(BigInteger.class, back);
                assertEquals(v, back);
            }
        }
        return n;
    }
}
