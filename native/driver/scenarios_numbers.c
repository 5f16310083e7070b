/*
 * scenarios_numbers.c -- ABI 1.2's number protocol (ABI.md 3.30-3.39): IxNumber_* on
 * ints (small and big), bools and floats with every message, and on test-ext/numeric's
 * Num (the slots of ABI.md 5.30: reflected operands, NotImplemented, in place, the
 * subtype-first rule) and Broken (each rule broken, with the exact error); in two
 * interpreters at once, one in debug mode.
 */
#include <stdio.h>

#include "driver.h"

static IxObject *num(IxContext *ctx, int64_t v)
{
    return CHECK_OK(ctx, IxLong_FromInt64(ctx, v));
}

static IxObject *big(IxContext *ctx, const char *digits)
{
    return CHECK_OK(ctx, IxLong_FromString(ctx, digits, 10));
}

static IxObject *flt(IxContext *ctx, double d)
{
    return CHECK_OK(ctx, IxFloat_FromDouble(ctx, d));
}

typedef IxObject *(*Binary)(IxContext *, IxObject *, IxObject *);

/* repr(f(a, b)), with a and b dropped: one line per case below. */
static const char *op(IxContext *ctx, Binary f, IxObject *a, IxObject *b, char *buf, size_t cap)
{
    IxObject *r = f(ctx, a, b);
    const char *t = ixd_want_repr(ctx, r, buf, cap, "operation", IXD_AT);
    Ix_Decref(ctx, a);
    Ix_Decref(ctx, b);
    return t;
}

/* f(a, b) must fail with `want`; a and b dropped. */
static void op_fails(IxContext *ctx, Binary f, IxObject *a, IxObject *b, const char *want)
{
    CHECK_ERROR(ctx, f(ctx, a, b), want);
    Ix_Decref(ctx, a);
    Ix_Decref(ctx, b);
}

#define OP(f, a, b) op(ctx, ctx->fn->f, (a), (b), buf, sizeof buf)
#define FAILS(f, a, b, want) op_fails(ctx, ctx->fn->f, (a), (b), (want))

static void check_ints(IxContext *ctx)
{
    char buf[256];
    CHECK_EQ_STR(OP(Number_Add, num(ctx, INT64_MAX), num(ctx, 1)), "9223372036854775808");
    CHECK_EQ_STR(OP(Number_Subtract, big(ctx, "9223372036854775808"), num(ctx, 1)), "9223372036854775807");
    CHECK_EQ_STR(OP(Number_Subtract, num(ctx, -INT64_MAX), num(ctx, 1)), "-9223372036854775808");
    CHECK_EQ_STR(OP(Number_Multiply, big(ctx, "123456789012345678901234567890"), big(ctx, "-987654321098765432109876543210")),
                 "-121932631137021795226185032733622923332237463801111263526900");
    CHECK_EQ_STR(OP(Number_FloorDivide, num(ctx, -7), num(ctx, 2)), "-4");
    CHECK_EQ_STR(OP(Number_Remainder, num(ctx, -7), num(ctx, 2)), "1");
    CHECK_EQ_STR(OP(Number_Remainder, num(ctx, 7), num(ctx, -2)), "-1");
    CHECK_EQ_STR(OP(Number_FloorDivide, big(ctx, "-100000000000000000000000000001"), big(ctx, "10000000000000000000")),
                 "-10000000001");
    CHECK_EQ_STR(OP(Number_Remainder, big(ctx, "-100000000000000000000000000001"), big(ctx, "10000000000000000000")),
                 "9999999999999999999");
    CHECK_EQ_STR(OP(Number_TrueDivide, num(ctx, 1), num(ctx, 3)), "0.3333333333333333");
    CHECK_EQ_STR(OP(Number_TrueDivide, big(ctx, "100000000000000000000000000000"), num(ctx, 3)), "3.3333333333333333e+28");
    CHECK_EQ_STR(OP(Number_And, num(ctx, -1), big(ctx, "18446744073709551615")), "18446744073709551615");
    CHECK_EQ_STR(OP(Number_Xor, num(ctx, -1), big(ctx, "1180591620717411303424")), "-1180591620717411303425");
    CHECK_EQ_STR(OP(Number_Or, big(ctx, "-1180591620717411303424"), num(ctx, 5)), "-1180591620717411303419");
    CHECK_EQ_STR(OP(Number_Lshift, num(ctx, -3), num(ctx, 100)), "-3802951800684688204490109616128");
    CHECK_EQ_STR(OP(Number_Rshift, big(ctx, "-1180591620717411303424"), num(ctx, 3)), "-147573952589676412928");
    CHECK_EQ_STR(OP(Number_Rshift, num(ctx, -5), num(ctx, 1)), "-3");
    CHECK_EQ_STR(OP(Number_InPlaceRshift, num(ctx, -5), big(ctx, "18446744073709551616")), "-1");
    CHECK_EQ_STR(OP(Number_And, CHECK_OK(ctx, IxBool_FromInt(ctx, 1)), CHECK_OK(ctx, IxBool_FromInt(ctx, 1))), "True");
    FAILS(Number_Lshift, num(ctx, 1), num(ctx, -1), "ValueError: negative shift count");
    FAILS(Number_Lshift, num(ctx, 1), big(ctx, "18446744073709551616"), "MemoryError: out of memory");
    FAILS(Number_And, flt(ctx, 1.0), num(ctx, 1), "TypeError: unsupported operand type(s) for &: 'float' and 'int'");
    FAILS(Number_InPlaceLshift, num(ctx, 1), CHECK_OK(ctx, IxStr_FromCString(ctx, "s")),
          "TypeError: unsupported operand type(s) for <<=: 'int' and 'str'");
    IxObject *none = Ix_None(ctx);
    char p[256];
    IxObject *two = num(ctx, 2), *e = num(ctx, 100), *m = num(ctx, -7), *ne = num(ctx, -1), *f = flt(ctx, 2.0);
    CHECK_EQ_STR(WANT_REPR(ctx, IxNumber_Power(ctx, two, e, none), p), "1267650600228229401496703205376");
    CHECK_EQ_STR(WANT_REPR(ctx, IxNumber_Power(ctx, two, e, m), p), "-5"); /* 2 ** 100 % -7 */
    CHECK_EQ_STR(WANT_REPR(ctx, IxNumber_Power(ctx, two, ne, none), p), "0.5");
    CHECK_EQ_STR(WANT_REPR(ctx, IxNumber_Power(ctx, two, ne, m), p), "-3"); /* 2's inverse mod -7 */
    CHECK_ERROR(ctx, IxNumber_Power(ctx, two, ne, e), "ValueError: base is not invertible for the given modulus");
    CHECK_ERROR(ctx, IxNumber_Power(ctx, f, e, m), "TypeError: pow() 3rd argument not allowed unless all arguments are integers");
    IxObject *zero = num(ctx, 0);
    CHECK_ERROR(ctx, IxNumber_Power(ctx, two, e, zero), "ValueError: pow() 3rd argument cannot be 0");
    CHECK_ERROR(ctx, IxNumber_Power(ctx, zero, ne, none), "ZeroDivisionError: 0.0 cannot be raised to a negative power");
    CHECK_ERROR(ctx, IxNumber_TrueDivide(ctx, two, zero), "ZeroDivisionError: division by zero");
    CHECK_ERROR(ctx, IxNumber_FloorDivide(ctx, two, zero), "ZeroDivisionError: integer division or modulo by zero");
    CHECK_ERROR(ctx, IxNumber_Remainder(ctx, two, zero), "ZeroDivisionError: integer modulo by zero");
    IxObject *drop[] = {two, e, m, ne, f, zero};
    for (size_t i = 0; i < sizeof drop / sizeof *drop; i++) Ix_Decref(ctx, drop[i]);
}

static void check_floats_and_messages(IxContext *ctx)
{
    char buf[256];
    CHECK_EQ_STR(OP(Number_Add, num(ctx, 1), flt(ctx, 0.5)), "1.5");
    CHECK_EQ_STR(OP(Number_FloorDivide, flt(ctx, -7.5), num(ctx, 2)), "-4.0");
    CHECK_EQ_STR(OP(Number_Remainder, flt(ctx, -7.5), num(ctx, 2)), "0.5");
    CHECK_EQ_STR(OP(Number_Remainder, flt(ctx, 7.5), flt(ctx, -2.0)), "-0.5");
    CHECK_EQ_STR(OP(Number_Add, CHECK_OK(ctx, IxBool_FromInt(ctx, 1)), CHECK_OK(ctx, IxBool_FromInt(ctx, 1))), "2");
    FAILS(Number_TrueDivide, flt(ctx, 1.0), num(ctx, 0), "ZeroDivisionError: float division by zero");
    FAILS(Number_FloorDivide, flt(ctx, 1.0), flt(ctx, 0.0), "ZeroDivisionError: float floor division by zero");
    FAILS(Number_Remainder, num(ctx, 1), flt(ctx, 0.0), "ZeroDivisionError: float modulo");
    FAILS(Number_Add, big(ctx, "1" "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
                                  "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
                                  "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
                                  "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"),
          flt(ctx, 1.0), "OverflowError: int too large to convert to float");
    FAILS(Number_Add, num(ctx, 1), CHECK_OK(ctx, IxStr_FromCString(ctx, "a")),
          "TypeError: unsupported operand type(s) for +: 'int' and 'str'");
    FAILS(Number_InPlaceFloorDivide, num(ctx, 1), Ix_NewRef(ctx, Ix_None(ctx)),
          "TypeError: unsupported operand type(s) for //=: 'int' and 'NoneType'");
    IxObject *s = CHECK_OK(ctx, IxStr_FromCString(ctx, "a")), *one = num(ctx, 1);
    CHECK_ERROR(ctx, IxNumber_Power(ctx, one, s, one), "TypeError: unsupported operand type(s) for ** or pow(): 'int', 'str', 'int'");
    CHECK_ERROR(ctx, IxNumber_InPlacePower(ctx, one, s, Ix_None(ctx)), "TypeError: unsupported operand type(s) for **=: 'int' and 'str'");
    CHECK_ERROR(ctx, IxNumber_Negative(ctx, s), "TypeError: bad operand type for unary -: 'str'");
    CHECK_ERROR(ctx, IxNumber_Absolute(ctx, s), "TypeError: bad operand type for abs(): 'str'");
    CHECK_ERROR(ctx, IxNumber_Invert(ctx, s), "TypeError: bad operand type for unary ~: 'str'");
    CHECK_ERROR(ctx, IxNumber_Index(ctx, s), "TypeError: 'str' object cannot be interpreted as an integer");
    CHECK_ERROR(ctx, IxNumber_Long(ctx, Ix_None(ctx)),
                "TypeError: int() argument must be a string, a bytes-like object or a real number, not 'NoneType'");
    CHECK_ERROR(ctx, IxNumber_Float(ctx, Ix_None(ctx)), "TypeError: float() argument must be a string or a real number, not 'NoneType'");
    CHECK_ERROR(ctx, IxNumber_Float(ctx, s), "ValueError: could not convert string to float: 'a'");
    IxObject *fl = flt(ctx, -2.75), *t = CHECK_OK(ctx, IxStr_FromCString(ctx, " 1e3 "));
    CHECK_EQ_INT(WANT_INT(ctx, IxNumber_Long(ctx, fl)), -2);
    CHECK_EQ_STR(WANT_REPR(ctx, IxNumber_Float(ctx, t), buf), "1000.0");
    CHECK_EQ_STR(WANT_REPR(ctx, IxNumber_Absolute(ctx, fl), buf), "2.75");
    IxObject *drop[] = {s, one, fl, t};
    for (size_t i = 0; i < sizeof drop / sizeof *drop; i++) Ix_Decref(ctx, drop[i]);
}

static void check_numeric(IxContext *ctx)
{
    char buf[256];
    IxObject *m = IMPORT(ctx, "numeric");
    IxObject *n3 = CHECK_OK(ctx, ixd_call_ints(ctx, m, "num", INTS(3)));
    IxObject *s5 = CHECK_OK(ctx, ixd_call_ints(ctx, m, "subnum", INTS(5)));
    IxObject *b = CHECK_OK(ctx, CALL0(ctx, m, "broken"));
    IxObject *ten = num(ctx, 10), *s = CHECK_OK(ctx, IxStr_FromCString(ctx, "a"));
    CHECK_EQ_STR(WANT_REPR(ctx, IxNumber_Add(ctx, n3, ten), buf), "numeric.Num(13)");
    CHECK_EQ_STR(WANT_REPR(ctx, IxNumber_Subtract(ctx, ten, n3), buf), "numeric.Num(7)"); /* reflected */
    CHECK_EQ_STR(WANT_REPR(ctx, IxNumber_Add(ctx, n3, s5), buf), "'SubNum.add(numeric.Num(3), numeric.SubNum(5))'");
    CHECK_ERROR(ctx, IxNumber_Add(ctx, n3, s), "TypeError: unsupported operand type(s) for +: 'numeric.Num' and 'str'");
    CHECK_ERROR(ctx, IxNumber_Multiply(ctx, s, n3), "TypeError: unsupported operand type(s) for *: 'str' and 'numeric.Num'");
    IxObject *same = CHECK_OK(ctx, IxNumber_InPlaceAdd(ctx, n3, ten));
    CHECK(same == n3); /* changed in place */
    Ix_Decref(ctx, same);
    CHECK_EQ_STR(WANT_REPR(ctx, IxNumber_InPlaceSubtract(ctx, n3, ten), buf), "numeric.Num(3)"); /* falls back to - */
    CHECK_EQ_STR(WANT_REPR(ctx, IxNumber_Negative(ctx, n3), buf), "numeric.Num(-13)");
    CHECK_EQ_INT(WANT_INT(ctx, IxNumber_Index(ctx, n3)), 13);
    CHECK_EQ_STR(WANT_REPR(ctx, IxNumber_Float(ctx, n3), buf), "13.0");
    CHECK_EQ_STR(WANT_REPR(ctx, IxNumber_Multiply(ctx, ten, ten), buf), "100");
    CHECK_EQ_INT(Ix_IsTrue(ctx, n3), 1);
    CHECK_ERROR(ctx, IxNumber_Positive(ctx, n3), "TypeError: bad operand type for unary +: 'numeric.Num'");

    CHECK_ERROR(ctx, IxNumber_Add(ctx, b, ten), "SystemError: numeric.Broken.__add__() returned NULL without setting an error");
    CHECK_ERROR(ctx, IxNumber_Subtract(ctx, b, ten), "TypeError: unsupported operand type(s) for -: 'numeric.Broken' and 'int'");
    CHECK_ERROR(ctx, IxNumber_Multiply(ctx, b, ten), "RuntimeError: maximum recursion depth exceeded in a number operation");
    CHECK_EQ_STR(WANT_REPR(ctx, IxNumber_Add(ctx, n3, ten), buf), "numeric.Num(23)"); /* usable after the deep error */
    CHECK_ERROR(ctx, IxNumber_Index(ctx, b), "TypeError: __index__ returned non-int (type str)");
    CHECK_ERROR(ctx, IxNumber_Long(ctx, b), "TypeError: __int__ returned non-int (type str)");
    CHECK_ERROR(ctx, IxNumber_Float(ctx, b), "TypeError: numeric.Broken.__float__ returned non-float (type int)");
    CHECK_ERROR_RC(ctx, Ix_IsTrue(ctx, b), "SystemError: numeric.Broken.__bool__() returned -1 without setting an error");
    IxObject *drop[] = {m, n3, s5, b, ten, s};
    for (size_t i = 0; i < sizeof drop / sizeof *drop; i++) Ix_Decref(ctx, drop[i]);
}

static void check_all(IxContext *ctx)
{
    check_ints(ctx);
    check_floats_and_messages(ctx);
    check_numeric(ctx);
}

static IxObject *make_one(IxContext *ctx) { return num(ctx, 1); }

/* An operand of another interpreter is refused (ABI.md 3.3). */
static void refuse_operand(IxContext *ctx, IxObject *one)
{
    IxObject *two = num(ctx, 2);
    CHECK_ERROR(ctx, IxNumber_Add(ctx, two, one), "TypeError: expected an operand of this interpreter, got int (an object of interpreter *)");
    Ix_Decref(ctx, two);
}

void ixd_numbers(int argc, char **argv)
{
    IXD_NO_ARGS;
    ixd_plain_and_debug(check_all, make_one, refuse_operand);
}
