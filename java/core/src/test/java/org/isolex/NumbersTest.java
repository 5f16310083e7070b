package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * ABI 1.2: the number protocol and int arithmetic (ABI.md 3.30-3.39, 5.30) through
 * test-ext/numeric, whose binop/unop/pow3 call IxNumber_*: every rule and message, in two
 * interpreters at once; and a seeded property test of big-int arithmetic against
 * {@link BigInteger} (-Disolex.fuzz.seed=S repeats a run).
 */
class NumbersTest extends NativeTestBase {
    private static final long SEED = Long.getLong("isolex.fuzz.seed", new Random().nextLong());
    private static final int ITERATIONS = Integer.getInteger("isolex.fuzz.iterations", 400);

    private static Object binop(ExtensionModule m, String op, Object a, Object b) {
        return m.invoke("binop", op, a, b);
    }

    private static Object unop(ExtensionModule m, String op, Object a) {
        return m.invoke("unop", op, a);
    }

    private static String repr(Object o) {
        return o instanceof Handle ? ((Handle) o).repr() : String.valueOf(o);
    }

    /** The rules and messages in one interpreter. */
    private static String rules(Interpreter interp) {
        try (ExtensionModule m = interp.importModule("numeric")) {
            BigInteger two64 = BigInteger.ONE.shiftLeft(64);
            // int64 overflow falls into big ints, and results that fit come back small
            assertEquals(two64, binop(m, "add", Long.MAX_VALUE, two64.subtract(BigInteger.valueOf(Long.MAX_VALUE))));
            assertEquals(1L, binop(m, "sub", two64, two64.subtract(BigInteger.ONE)));
            assertEquals(Long.MIN_VALUE, binop(m, "sub", -Long.MAX_VALUE, 1L));
            assertEquals(-4L, binop(m, "floordiv", -7L, 2L));
            assertEquals(1L, binop(m, "mod", -7L, 2L));
            assertEquals(-1L, binop(m, "mod", 7L, -2L));
            assertEquals(0.5, binop(m, "truediv", 1L, 2L));
            assertEquals(2L, binop(m, "add", true, true));
            assertEquals(1.5, binop(m, "add", 1L, 0.5));
            assertEquals(-4.0, binop(m, "floordiv", -7.5, 2L));
            assertEquals(0.5, binop(m, "mod", -7.5, 2L));
            assertEquals(-0.5, binop(m, "imod", 7.5, -2.0));
            assertEquals(0.5, binop(m, "pow", 2L, -1L));
            assertEquals(BigInteger.TWO.pow(100), binop(m, "ipow", 2L, 100L));
            assertEquals(-5L, m.invoke("pow3", 2L, 100L, -7L));
            assertEquals(4L, m.invoke("pow3", 2L, -1L, 7L));
            assertEquals(-1L, unop(m, "neg", true));
            assertEquals(1L, unop(m, "pos", true));
            assertEquals(BigInteger.ONE.shiftLeft(63), unop(m, "abs", Long.MIN_VALUE));
            assertEquals(-2L, unop(m, "int", -2.75));
            assertEquals(12L, unop(m, "int", " 12 "));
            assertEquals(1000.0, unop(m, "float", " 1e3 "));
            assertEquals(1L, unop(m, "index", true));
            // bitwise: on the infinite two's complement, ints and bools only
            assertEquals(true, binop(m, "and", true, true));
            assertEquals(-2L, unop(m, "invert", true));
            assertEquals(-3L, binop(m, "irshift", -5L, 1L));
            assertEquals(-1L, binop(m, "rshift", -5L, two64));
            assertNativeError("ValueError", "negative shift count", () -> binop(m, "lshift", 1L, -1L));
            assertNativeError("MemoryError", "out of memory", () -> binop(m, "lshift", 1L, two64));
            assertNativeError("TypeError", "unsupported operand type(s) for &: 'float' and 'int'", () -> binop(m, "and", 1.0, 1L));
            assertNativeError("TypeError", "unsupported operand type(s) for |: 'int' and 'str'", () -> binop(m, "or", 1L, "a"));
            assertNativeError("TypeError", "unsupported operand type(s) for ^=: 'int' and 'str'", () -> binop(m, "ixor", 1L, "a"));
            assertNativeError("TypeError", "unsupported operand type(s) for <<=: 'int' and 'str'", () -> binop(m, "ilshift", 1L, "a"));
            assertNativeError("TypeError", "unsupported operand type(s) for >>: 'int' and 'NoneType'", () -> binop(m, "rshift", 1L, null));
            assertNativeError("TypeError", "bad operand type for unary ~: 'str'", () -> unop(m, "invert", "a"));
            // messages: CPython 3.12's
            assertNativeError("ZeroDivisionError", "division by zero", () -> binop(m, "truediv", 1L, 0L));
            assertNativeError("ZeroDivisionError", "integer division or modulo by zero", () -> binop(m, "floordiv", two64, 0L));
            assertNativeError("ZeroDivisionError", "integer modulo by zero", () -> binop(m, "mod", 1L, 0L));
            assertNativeError("ZeroDivisionError", "float division by zero", () -> binop(m, "truediv", 1.0, 0L));
            assertNativeError("ZeroDivisionError", "float floor division by zero", () -> binop(m, "floordiv", 1.0, 0.0));
            assertNativeError("ZeroDivisionError", "float modulo", () -> binop(m, "mod", 1L, 0.0));
            assertNativeError("ZeroDivisionError", "0.0 cannot be raised to a negative power", () -> binop(m, "pow", 0L, -1L));
            assertNativeError("OverflowError", "int too large to convert to float",
                    () -> binop(m, "add", BigInteger.TEN.pow(400), 1.0));
            assertNativeError("OverflowError", "integer division result too large for a float",
                    () -> binop(m, "truediv", BigInteger.TEN.pow(400), 1L));
            assertNativeError("OverflowError", "(34, 'Numerical result out of range')", () -> binop(m, "pow", 2.0, 10000L));
            assertNativeError("ValueError", "negative number cannot be raised to a fractional power",
                    () -> binop(m, "pow", -8L, 0.5));
            assertNativeError("ValueError", "pow() 3rd argument cannot be 0", () -> m.invoke("pow3", 2L, 3L, 0L));
            assertNativeError("ValueError", "base is not invertible for the given modulus", () -> m.invoke("pow3", 2L, -1L, 4L));
            assertNativeError("TypeError", "pow() 3rd argument not allowed unless all arguments are integers",
                    () -> m.invoke("pow3", 2.0, 3L, 4L));
            assertNativeError("TypeError", "unsupported operand type(s) for +: 'int' and 'str'", () -> binop(m, "add", 1L, "a"));
            assertNativeError("TypeError", "unsupported operand type(s) for -: 'int' and 'str'", () -> binop(m, "sub", 1L, "a"));
            assertNativeError("TypeError", "unsupported operand type(s) for *: 'NoneType' and 'int'", () -> binop(m, "mul", null, 1L));
            assertNativeError("TypeError", "unsupported operand type(s) for /: 'int' and 'NoneType'", () -> binop(m, "truediv", 1L, null));
            assertNativeError("TypeError", "unsupported operand type(s) for //: 'int' and 'NoneType'", () -> binop(m, "floordiv", 1L, null));
            assertNativeError("TypeError", "unsupported operand type(s) for %: 'int' and 'NoneType'", () -> binop(m, "mod", 1L, null));
            assertNativeError("TypeError", "unsupported operand type(s) for ** or pow(): 'int' and 'NoneType'", () -> binop(m, "pow", 1L, null));
            assertNativeError("TypeError", "unsupported operand type(s) for ** or pow(): 'int', 'str', 'int'", () -> m.invoke("pow3", 1L, "a", 2L));
            assertNativeError("TypeError", "unsupported operand type(s) for +=: 'int' and 'str'", () -> binop(m, "iadd", 1L, "a"));
            assertNativeError("TypeError", "unsupported operand type(s) for **=: 'int' and 'str'", () -> binop(m, "ipow", 1L, "a"));
            assertNativeError("TypeError", "bad operand type for unary -: 'str'", () -> unop(m, "neg", "a"));
            assertNativeError("TypeError", "bad operand type for unary +: 'str'", () -> unop(m, "pos", "a"));
            assertNativeError("TypeError", "bad operand type for abs(): 'str'", () -> unop(m, "abs", "a"));
            assertNativeError("TypeError", "'str' object cannot be interpreted as an integer", () -> unop(m, "index", "a"));
            assertNativeError("TypeError", "'float' object cannot be interpreted as an integer", () -> unop(m, "index", 1.5));
            assertNativeError("TypeError", "int() argument must be a string, a bytes-like object or a real number, not 'NoneType'",
                    () -> unop(m, "int", null));
            assertNativeError("ValueError", "invalid literal for int() with base 10: 'x'", () -> unop(m, "int", "x"));
            assertNativeError("ValueError", "cannot convert float NaN to integer", () -> unop(m, "int", Double.NaN));
            assertNativeError("OverflowError", "cannot convert float infinity to integer", () -> unop(m, "int", Double.POSITIVE_INFINITY));
            assertEquals(new BigDecimal(1e300).toBigInteger(), unop(m, "int", 1e300));
            assertNativeError("TypeError", "float() argument must be a string or a real number, not 'NoneType'",
                    () -> unop(m, "float", null));
            assertNativeError("ValueError", "could not convert string to float: '0x10'", () -> unop(m, "float", "0x10"));
            assertNativeError("ValueError", "could not convert string to float: 'nan(12)'", () -> unop(m, "float", "nan(12)"));
            assertNativeError("ValueError", "could not convert string to float: '1\\x002'", () -> unop(m, "float", "1\u00002"));
            assertNativeError("ValueError", "invalid literal for int() with base 10: '1\\x002'", () -> unop(m, "int", "1\u00002"));
            assertEquals(Double.NEGATIVE_INFINITY, unop(m, "float", " -Infinity"));
            assertNativeError("OverflowError", "int too large to convert to float", () -> unop(m, "float", BigInteger.TEN.pow(400)));
            slots(m);
            return "ok";
        }
    }

    /** Num, SubNum and Broken: the slots, NotImplemented, reflection, in place, broken results. */
    private static void slots(ExtensionModule m) {
        try (Handle n3 = (Handle) m.invoke("num", 3L); Handle s5 = (Handle) m.invoke("subnum", 5L);
                Handle b = (Handle) m.invoke("broken")) {
            assertEquals("numeric.Num(13)", repr(binop(m, "add", n3, 10L)));
            assertEquals("numeric.Num(7)", repr(binop(m, "sub", 10L, n3)), "reflected: self is the right operand");
            assertEquals("numeric.Num(30)", repr(binop(m, "mul", 10L, n3)));
            assertEquals("SubNum.add(numeric.Num(3), numeric.SubNum(5))", binop(m, "add", n3, s5),
                    "the subtype's override goes first");
            assertNativeError("TypeError", "unsupported operand type(s) for +: 'numeric.Num' and 'str'", () -> binop(m, "add", n3, "a"));
            assertNativeError("TypeError", "unsupported operand type(s) for /: 'numeric.Num' and 'int'", () -> binop(m, "truediv", n3, 1L));
            assertNativeError("TypeError", "unsupported operand type(s) for *: 'float' and 'numeric.Num'", () -> binop(m, "mul", 1.5, n3));
            try (Handle same = (Handle) binop(m, "iadd", n3, 10L)) {
                assertTrue(same.sameObject(n3), "nb_inplace_add returns self");
            }
            assertEquals("numeric.Num(13)", n3.repr(), "changed in place");
            assertEquals("numeric.Num(3)", repr(binop(m, "isub", n3, 10L)), "no nb_inplace_subtract: falls back to -");
            assertEquals("numeric.Num(-13)", repr(unop(m, "neg", n3)));
            assertEquals(13L, unop(m, "index", n3));
            assertEquals(13L, unop(m, "int", n3));
            assertEquals(13.0, unop(m, "float", n3));
            assertEquals(true, m.invoke("truth", n3));
            try (Handle zero = (Handle) m.invoke("num", 0L)) {
                assertEquals(false, m.invoke("truth", zero));
            }
            assertNativeError("TypeError", "bad operand type for unary +: 'numeric.Num'", () -> unop(m, "pos", n3));
            assertNativeError("SystemError", "numeric.Broken.__add__() returned NULL without setting an error",
                    () -> binop(m, "add", b, 1L));
            assertNativeError("TypeError", "unsupported operand type(s) for -: 'int' and 'numeric.Broken'",
                    () -> binop(m, "sub", 1L, b));
            assertNativeError("TypeError", "__index__ returned non-int (type str)", () -> unop(m, "index", b));
            assertNativeError("TypeError", "__int__ returned non-int (type str)", () -> unop(m, "int", b));
            assertNativeError("TypeError", "numeric.Broken.__float__ returned non-float (type int)", () -> unop(m, "float", b));
            assertNativeError("SystemError", "numeric.Broken.__bool__() returned -1 without setting an error",
                    () -> m.invoke("truth", b));
            assertEquals("numeric.Num(14)", repr(binop(m, "add", n3, 1L)), "usable after every error");
        }
    }

    @Test
    void everyRuleAndMessageInTwoInterpretersAtOnce() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            assertEquals(List.of("ok", "ok"), Together.run(2, i -> () -> rules(i == 0 ? a : b)));
        }
    }

    // ---------------------------------------------------------------- the property test

    /** What an int result comes back as: a Long when it fits, else a BigInteger. */
    private static Object expected(BigInteger v) {
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private static BigInteger operand(Random r) {
        BigInteger v = new BigInteger(1 + r.nextInt(300), r);
        return r.nextBoolean() ? v.negate() : v;
    }

    private static BigInteger floorDiv(BigInteger a, BigInteger b) {
        BigInteger[] qr = a.divideAndRemainder(b);
        return qr[1].signum() != 0 && qr[1].signum() != b.signum() ? qr[0].subtract(BigInteger.ONE) : qr[0];
    }

    /** Python's pow(a, e, m): the result takes m's sign; a negative e needs a's inverse. */
    private static BigInteger pow3(BigInteger a, BigInteger e, BigInteger m) {
        BigInteger r = a.modPow(e, m.abs());
        return m.signum() < 0 && r.signum() != 0 ? r.add(m) : r;
    }

    /** d is a / b correctly rounded: |a - d * b| <= ulp(d) * |b| / 2, exactly. */
    private static void assertCorrectlyRounded(BigInteger a, BigInteger b, double d, String where) {
        BigDecimal err = new BigDecimal(a).subtract(new BigDecimal(d).multiply(new BigDecimal(b))).abs();
        BigDecimal halfUlp = new BigDecimal(Math.ulp(d)).multiply(new BigDecimal(b.abs())).divide(BigDecimal.valueOf(2));
        assertTrue(err.compareTo(halfUlp) <= 0, where + ": " + a + " / " + b + " gave " + d);
    }

    private static long property(Interpreter interp, long seed) {
        Random r = new Random(seed);
        long checks = 0;
        try (ExtensionModule m = interp.importModule("numeric")) {
            for (int i = 0; i < ITERATIONS; i++) {
                BigInteger a = operand(r), b = operand(r);
                String where = "seed " + seed + ", iteration " + i;
                assertEquals(expected(a.add(b)), binop(m, "add", a, b), where + " add");
                assertEquals(expected(a.subtract(b)), binop(m, "isub", a, b), where + " sub");
                assertEquals(expected(a.multiply(b)), binop(m, "mul", a, b), where + " mul");
                assertEquals(expected(a.negate()), unop(m, "neg", a), where + " neg");
                assertEquals(expected(a.abs()), unop(m, "abs", a), where + " abs");
                assertEquals(expected(a.not()), unop(m, "invert", a), where + " invert");
                assertEquals(expected(a.and(b)), binop(m, "and", a, b), where + " and");
                assertEquals(expected(a.or(b)), binop(m, "ior", a, b), where + " or");
                assertEquals(expected(a.xor(b)), binop(m, "xor", a, b), where + " xor");
                int k = r.nextInt(400);
                assertEquals(expected(a.shiftLeft(k)), binop(m, "lshift", a, (long) k), where + " lshift " + k);
                assertEquals(expected(a.shiftRight(k)), binop(m, "rshift", a, (long) k), where + " rshift " + k);
                if (b.signum() != 0) {
                    BigInteger q = floorDiv(a, b);
                    assertEquals(expected(q), binop(m, "floordiv", a, b), where + " floordiv");
                    assertEquals(expected(a.subtract(q.multiply(b))), binop(m, "mod", a, b), where + " mod");
                    Object d = binop(m, "truediv", a, b);
                    assertInstanceOf(Double.class, d, where + " truediv");
                    assertCorrectlyRounded(a, b, (Double) d, where);
                }
                int e = r.nextInt(12);
                BigInteger small = operand(r).shiftRight(r.nextInt(300)); // bases of every size down to 0
                assertEquals(expected(small.pow(e)), binop(m, "pow", small, (long) e), where + " pow");
                if (b.signum() != 0) {
                    BigInteger exp = new BigInteger(1 + r.nextInt(300), r);
                    assertEquals(expected(pow3(a, exp, b)), m.invoke("pow3", a, exp, b), where + " pow3");
                }
                checks++;
            }
        }
        return checks;
    }

    @Test
    void bigIntArithmeticAgreesWithBigIntegerInTwoInterpretersAtOnce() throws Exception {
        System.out.println("NumbersTest: seed " + SEED + " (-Disolex.fuzz.seed=" + SEED + " repeats this run)");
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            List<Long> done = Together.run(2, i -> () -> property(i == 0 ? a : b, SEED + i));
            assertEquals(List.of((long) ITERATIONS, (long) ITERATIONS), done);
        }
    }
}
