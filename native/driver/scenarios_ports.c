/*
 * scenarios_ports.c -- the two ported extensions (extensions/xxlimited, extensions/vector)
 * driven from C, where every operation of the ABI can be named: ==, hash and the orderings
 * too, which Java does not reach. Each runs in two interpreters, one in debug mode, and
 * checks every message its README documents.
 */
#include <math.h>
#include <stdio.h>

#include "driver.h"

static IxObject *flt(IxContext *ctx, double d)
{
    return CHECK_OK(ctx, IxFloat_FromDouble(ctx, d));
}

static IxObject *num(IxContext *ctx, int64_t v)
{
    return CHECK_OK(ctx, IxLong_FromInt64(ctx, v));
}

/* f(a) for one argument a, which is dropped here; raw (NULL with the error). */
static IxObject *call1(IxContext *ctx, IxObject *obj, const char *method, IxObject *a)
{
    IxObject *r = ixd_call(ctx, obj, method, &a, 1);
    Ix_Decref(ctx, a);
    return r;
}

/* ---------------------------------------------------------------- xxlimited */

/* o.name = v for an int v: 0, or -1 with the error. */
static int set_int_attr(IxContext *ctx, IxObject *o, const char *name, int64_t v)
{
    IxObject *value = num(ctx, v);
    int rc = Ix_SetAttr(ctx, o, name, value);
    Ix_Decref(ctx, value);
    return rc;
}

/* Xxo's attributes: x_attr first, then the generic lookup; "reserved" refused. */
static void check_xxo_attributes(IxContext *ctx, IxObject *x)
{
    char buf[128];
    CHECK_ERROR(ctx, Ix_GetAttr(ctx, x, "spam"), "AttributeError: 'xxlimited.Xxo' object has no attribute 'spam'");
    CHECK_ERROR_RC(ctx, Ix_DelAttr(ctx, x, "spam"), "AttributeError: delete non-existing Xxo attribute");
    CHECK_EQ_INT(set_int_attr(ctx, x, "spam", 5), 0);
    CHECK_EQ_STR(WANT_REPR(ctx, Ix_GetAttr(ctx, x, "spam"), buf), "5");
    CHECK_EQ_INT(Ix_DelAttr(ctx, x, "spam"), 0);
    CHECK_ERROR(ctx, Ix_GetAttr(ctx, x, "spam"), "AttributeError: 'xxlimited.Xxo' object has no attribute 'spam'");
    IxObject *none = Ix_NewRef(ctx, Ix_None(ctx));
    CHECK_ERROR_RC(ctx, Ix_SetAttr(ctx, x, "reserved", none), "AttributeError: cannot set 'reserved'");
    CHECK_ERROR_RC(ctx, Ix_DelAttr(ctx, x, "reserved"), "AttributeError: cannot set 'reserved'");
    Ix_Decref(ctx, none);
    /* x_attr hides what the type has, as in CPython: a method, the getset */
    CHECK_EQ_INT(set_int_attr(ctx, x, "x_exports", 7), 0);
    CHECK_EQ_STR(WANT_REPR(ctx, Ix_GetAttr(ctx, x, "x_exports"), buf), "7");
    CHECK_EQ_INT(Ix_DelAttr(ctx, x, "x_exports"), 0);
    CHECK_EQ_STR(WANT_REPR(ctx, Ix_GetAttr(ctx, x, "x_exports"), buf), "0");
}

/* Xxo's buffer: 10 writable bytes, x_exports counting the views alive. */
static void check_xxo_buffer(IxContext *ctx, IxObject *x)
{
    char buf[128];
    IxBufferView v1 = {0}, v2 = {0};
    CHECK_EQ_INT(Ix_GetBuffer(ctx, x, &v1, IX_BUF_WRITABLE), 0);
    CHECK(v1.len == 10 && v1.itemsize == 1 && v1.readonly == 0 && v1.ndim == 1 && v1.obj == x);
    CHECK_EQ_STR(v1.format, "B");
    CHECK(((char *)v1.buf)[9] == 0); /* zeroed by IxType_GenericAlloc */
    ((char *)v1.buf)[0] = 'x';
    CHECK_EQ_INT(Ix_GetBuffer(ctx, x, &v2, IX_BUF_SIMPLE), 0);
    CHECK(v2.buf == v1.buf && ((char *)v2.buf)[0] == 'x'); /* the same memory */
    CHECK_EQ_STR(WANT_REPR(ctx, Ix_GetAttr(ctx, x, "x_exports"), buf), "2");
    IxBufferView_Release(ctx, &v1);
    CHECK_EQ_STR(WANT_REPR(ctx, Ix_GetAttr(ctx, x, "x_exports"), buf), "1");
    IxBufferView_Release(ctx, &v2);
    CHECK_EQ_STR(WANT_REPR(ctx, Ix_GetAttr(ctx, x, "x_exports"), buf), "0");
    CHECK_ERROR_RC(ctx, Ix_SetAttr(ctx, x, "reserved", x), "AttributeError: cannot set 'reserved'");
}

static void check_xxlimited(IxContext *ctx)
{
    char buf[128];
    IxObject *m = IMPORT(ctx, "xxlimited");
    CHECK_EQ_INT(WANT_INT(ctx, ixd_call_ints(ctx, m, "foo", INTS(1, 2))), 3);
    /* int64 in, the exact sum out */
    CHECK_EQ_STR(WANT_REPR(ctx, ixd_call_ints(ctx, m, "foo", INTS(INT64_MAX, INT64_MAX)), buf),
                 "18446744073709551614");
    CHECK_ERROR(ctx, ixd_call_str(ctx, m, "foo", "x"),
                "TypeError: xxlimited.foo() takes exactly 2 arguments (1 given)");
    IxObject *two[2] = {num(ctx, 1), CHECK_OK(ctx, IxStr_FromCString(ctx, "x"))};
    CHECK_ERROR(ctx, ixd_call(ctx, m, "foo", two, 2), "TypeError: expected int, got str");
    CHECK_ERROR(ctx, ixd_call(ctx, m, "roj", two, 2),
                "SystemError: IxArg_Parse: invalid spec for roj(): names must be NULL-terminated "
                "(at most 255), 0 <= required <= count and 0 <= positional <= count");

    IxObject *xxo = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "Xxo"));
    IxObject *x = CHECK_OK(ctx, CALL0(ctx, m, "new"));
    CHECK(Ix_Type(ctx, x) == xxo);
    IxObject *y = CHECK_OK(ctx, CALL0(ctx, xxo, NULL));
    CHECK_ERROR(ctx, ixd_call_ints(ctx, xxo, NULL, INTS(1)), "TypeError: Xxo.__new__() takes no arguments");
    CHECK_ERROR(ctx, ixd_call_ints(ctx, m, "new", INTS(1)),
                "TypeError: xxlimited.new() takes no arguments (1 given)");
    /* demo(o): a str or an Xxo comes back, anything else is None */
    IxObject *r = CHECK_OK(ctx, ixd_call(ctx, x, "demo", &y, 1));
    CHECK(r == y);
    Ix_Decref(ctx, r);
    CHECK_EQ_STR(WANT_REPR(ctx, ixd_call_str(ctx, x, "demo", "s"), buf), "'s'");
    CHECK_EQ_STR(WANT_REPR(ctx, ixd_call_ints(ctx, x, "demo", INTS(5)), buf), "None");
    CHECK_ERROR(ctx, CALL0(ctx, x, "demo"), "TypeError: xxlimited.Xxo.demo() takes exactly 1 argument (0 given)");

    /* Error is an Exception subclass named xxlimited.Error; raised, it says so */
    IxObject *err = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "Error"));
    CHECK_EQ_INT(Ix_IsInstance(ctx, err, Ix_Builtin(ctx, IX_TYPE_TYPE)), 1);
    CHECK_EQ_STR(IxType_GetName(ctx, err), "xxlimited.Error");
    IxObject *e = CHECK_OK(ctx, ixd_call_str(ctx, err, NULL, "boom"));
    CHECK_EQ_INT(Ix_IsInstance(ctx, e, Ix_Builtin(ctx, IX_EXC_EXCEPTION)), 1);
    IxErr_Raise(ctx, e);
    CHECK_ERROR(ctx, NULL, "xxlimited.Error: boom");
    Ix_Decref(ctx, e);

    /* Null: == is identity (its comparison is NotImplemented), orderings refused */
    IxObject *null = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "Null"));
    IxObject *n1 = CHECK_OK(ctx, CALL0(ctx, null, NULL)), *n2 = CHECK_OK(ctx, CALL0(ctx, null, NULL));
    CHECK_EQ_INT(Ix_RichCompareBool(ctx, n1, n1, IX_EQ), 1);
    CHECK_EQ_INT(Ix_RichCompareBool(ctx, n1, n2, IX_EQ), 0);
    CHECK_EQ_INT(Ix_RichCompareBool(ctx, n1, n2, IX_NE), 1);
    CHECK_ERROR_RC(ctx, Ix_RichCompareBool(ctx, n1, n2, IX_LT),
                   "TypeError: '<' not supported between instances of 'xxlimited.Null' and 'xxlimited.Null'");
    CHECK_ERROR(ctx, ixd_call_ints(ctx, null, NULL, INTS(1)), "TypeError: Null() takes no arguments");

    check_xxo_attributes(ctx, x);
    check_xxo_buffer(ctx, x);

    /* Str: a subtype of str, its instances str everywhere */
    IxObject *str_type = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "Str"));
    IxObject *s = CHECK_OK(ctx, ixd_call_str(ctx, str_type, NULL, "abc"));
    CHECK(Ix_Type(ctx, s) == str_type);
    CHECK_EQ_INT(Ix_IsInstance(ctx, s, Ix_Builtin(ctx, IX_TYPE_STR)), 1);
    CHECK_EQ_STR(WANT_REPR(ctx, Ix_NewRef(ctx, s), buf), "'abc'");
    CHECK_EQ_STR(WANT_REPR(ctx, ixd_call(ctx, x, "demo", &s, 1), buf), "'abc'"); /* a str */
    CHECK_EQ_STR(IxType_GetName(ctx, str_type), "xxlimited.Str");

    IxObject *drop[] = {two[0], two[1], xxo, x, y, err, null, n1, n2, str_type, s, m};
    for (size_t i = 0; i < sizeof drop / sizeof *drop; i++) Ix_Decref(ctx, drop[i]);
}

void ixd_xxlimited(int argc, char **argv)
{
    IXD_NO_ARGS;
    ixd_plain_and_debug(check_xxlimited, NULL, NULL);
}

/* ---------------------------------------------------------------- vector */

/* cls(d[0], ..., d[n-1]) with float components; raw. */
static IxObject *make(IxContext *ctx, IxObject *cls, const double *d, size_t n)
{
    IxObject *args[8];
    CHECK(n <= 8);
    for (size_t i = 0; i < n; i++) args[i] = flt(ctx, d[i]);
    IxObject *r = ixd_call(ctx, cls, NULL, args, n);
    for (size_t i = 0; i < n; i++) Ix_Decref(ctx, args[i]);
    return r;
}
#define MAKE(ctx, cls, ...) \
    CHECK_OK(ctx, make((ctx), (cls), (const double[]){__VA_ARGS__}, \
                       sizeof((const double[]){__VA_ARGS__}) / sizeof(double)))

static double want_float(IxContext *ctx, IxObject *o)
{
    CHECK_OK(ctx, o);
    double d = IxFloat_AsDouble(ctx, o);
    Ix_Decref(ctx, o);
    return d;
}

static IxObject *item(IxContext *ctx, IxObject *v, int64_t i)
{
    IxObject *k = num(ctx, i), *r = Ix_GetItem(ctx, v, k);
    Ix_Decref(ctx, k);
    return r;
}

static int set_item(IxContext *ctx, IxObject *v, int64_t i, IxObject *value)
{
    IxObject *k = num(ctx, i);
    int rc = Ix_SetItem(ctx, v, k, value);
    Ix_Decref(ctx, k);
    Ix_Decref(ctx, value);
    return rc;
}

static void check_sequence(IxContext *ctx, IxObject *vec)
{
    char buf[128];
    IxObject *v = MAKE(ctx, vec, 1.0, 2.5, -3.0);
    CHECK_EQ_INT(Ix_Length(ctx, v), 3);
    CHECK_EQ_STR(WANT_REPR(ctx, Ix_NewRef(ctx, v), buf), "Vector(1.0, 2.5, -3.0)");
    CHECK(want_float(ctx, item(ctx, v, -1)) == -3.0);
    CHECK(want_float(ctx, item(ctx, v, 0)) == 1.0);
    CHECK_ERROR(ctx, item(ctx, v, 3), "IndexError: vector index out of range");
    CHECK_ERROR(ctx, item(ctx, v, -4), "IndexError: vector index out of range");
    IxObject *s = CHECK_OK(ctx, IxStr_FromCString(ctx, "a"));
    CHECK_ERROR(ctx, Ix_GetItem(ctx, v, s), "TypeError: vector indices must be integers, not str");
    IxObject *big = CHECK_OK(ctx, IxLong_FromString(ctx, "1" "000000000000000000000", 10));
    CHECK_ERROR(ctx, Ix_GetItem(ctx, v, big), "IndexError: cannot fit 'int' into an index-sized integer");
    CHECK_EQ_INT(set_item(ctx, v, -1, num(ctx, 4)), 0);
    CHECK(want_float(ctx, item(ctx, v, 2)) == 4.0);
    CHECK_ERROR_RC(ctx, set_item(ctx, v, 3, num(ctx, 4)), "IndexError: vector assignment index out of range");
    CHECK_ERROR_RC(ctx, Ix_SetItem(ctx, v, big, s), "IndexError: cannot fit 'int' into an index-sized integer");
    CHECK_ERROR_RC(ctx, set_item(ctx, v, 0, Ix_NewRef(ctx, s)), "TypeError: vector components must be real numbers, not str");
    char digits[402] = "1";
    for (int i = 1; i <= 400; i++) digits[i] = '0'; /* 10**400: beyond the doubles */
    digits[401] = 0;
    CHECK_ERROR_RC(ctx, set_item(ctx, v, 0, CHECK_OK(ctx, IxLong_FromString(ctx, digits, 10))),
                   "OverflowError: int too large to convert to float");
    IxObject *zero = num(ctx, 0);
    CHECK_ERROR_RC(ctx, Ix_DelItem(ctx, v, zero), "TypeError: 'vector.Vector' object doesn't support item deletion");
    /* in: floats directly, ints exactly, anything else by == */
    IxObject *f25 = flt(ctx, 2.5), *i4 = num(ctx, 4);
    CHECK_EQ_INT(Ix_Contains(ctx, v, f25), 1);
    CHECK_EQ_INT(Ix_Contains(ctx, v, i4), 1);
    CHECK_EQ_INT(Ix_Contains(ctx, v, zero), 0);
    CHECK_EQ_INT(Ix_Contains(ctx, v, s), 0);
    CHECK_EQ_INT(Ix_Contains(ctx, v, big), 0);
    IxObject *p53 = MAKE(ctx, vec, 9007199254740992.0); /* 2**53 */
    IxObject *p53_1 = CHECK_OK(ctx, IxLong_FromString(ctx, "9007199254740993", 10));
    CHECK_EQ_INT(Ix_Contains(ctx, p53, p53_1), 0); /* 2**53 + 1: compared exactly */
    Ix_Decref(ctx, p53_1);
    Ix_Decref(ctx, p53);
    /* the iterator holds the vector: drop ours first, then drain it */
    IxObject *it = CHECK_OK(ctx, Ix_GetIter(ctx, v));
    CHECK_EQ_STR(IxType_GetName(ctx, Ix_Type(ctx, it)), "vector.VectorIterator");
    IxObject *same = CHECK_OK(ctx, Ix_GetIter(ctx, it));
    CHECK(same == it);
    Ix_Decref(ctx, same);
    Ix_Decref(ctx, v);
    double want[] = {1.0, 2.5, 4.0};
    for (size_t i = 0; i < 3; i++) CHECK(want_float(ctx, Ix_IterNext(ctx, it)) == want[i]);
    CHECK(!Ix_IterNext(ctx, it) && !IxErr_Occurred(ctx));
    CHECK(!Ix_IterNext(ctx, it) && !IxErr_Occurred(ctx)); /* stays exhausted */
    IxObject *iter_type = CHECK_OK(ctx, Ix_Type(ctx, it));
    CHECK_ERROR(ctx, ixd_call(ctx, iter_type, NULL, NULL, 0), "TypeError: cannot create 'vector.VectorIterator' instances");
    Ix_Decref(ctx, it);
    IxObject *drop[] = {s, big, zero, f25, i4};
    for (size_t i = 0; i < sizeof drop / sizeof *drop; i++) Ix_Decref(ctx, drop[i]);
}

static void check_construct_and_compare(IxContext *ctx, IxObject *vec, IxObject *frozen)
{
    char buf[128];
    IxObject *empty = CHECK_OK(ctx, CALL0(ctx, vec, NULL));
    CHECK_EQ_STR(WANT_REPR(ctx, Ix_NewRef(ctx, empty), buf), "Vector()");
    CHECK_EQ_INT(Ix_Length(ctx, empty), 0);
    CHECK(want_float(ctx, CALL0(ctx, empty, "norm")) == 0.0);
    CHECK_ERROR(ctx, ixd_call_str(ctx, vec, NULL, "x"), "TypeError: vector components must be real numbers, not str");
    IxObject *t = CHECK_OK(ctx, IxBool_FromInt(ctx, 1));
    CHECK_EQ_STR(WANT_REPR(ctx, ixd_call(ctx, vec, NULL, &t, 1), buf), "Vector(1.0)"); /* a bool is an int */
    Ix_Decref(ctx, t);
    CHECK_EQ_STR(WANT_REPR(ctx, ixd_call_ints(ctx, vec, NULL, INTS(3, 4)), buf), "Vector(3.0, 4.0)");

    IxObject *a = MAKE(ctx, vec, 1, 2), *b = MAKE(ctx, vec, 1, 2), *c = MAKE(ctx, vec, 1, 2, 0);
    IxObject *f = MAKE(ctx, frozen, 1, 2), *nan = MAKE(ctx, vec, NAN);
    CHECK_EQ_INT(Ix_RichCompareBool(ctx, a, b, IX_EQ), 1);
    CHECK_EQ_INT(Ix_RichCompareBool(ctx, a, b, IX_NE), 0);
    CHECK_EQ_INT(Ix_RichCompareBool(ctx, a, c, IX_EQ), 0);
    CHECK_EQ_INT(Ix_RichCompareBool(ctx, a, f, IX_EQ), 1); /* Vector == FrozenVector */
    CHECK_EQ_INT(Ix_RichCompareBool(ctx, f, a, IX_EQ), 1);
    CHECK_EQ_INT(Ix_RichCompareBool(ctx, nan, nan, IX_EQ), 1); /* the same object */
    IxObject *nan2 = MAKE(ctx, vec, NAN);
    CHECK_EQ_INT(Ix_RichCompareBool(ctx, nan, nan2, IX_EQ), 0);
    IxObject *one = num(ctx, 1);
    CHECK_EQ_INT(Ix_RichCompareBool(ctx, a, one, IX_EQ), 0);
    CHECK_ERROR_RC(ctx, Ix_RichCompareBool(ctx, a, b, IX_LT),
                   "TypeError: '<' not supported between instances of 'vector.Vector' and 'vector.Vector'");
    /* hash: refused for the mutable Vector, tuple's for a FrozenVector */
    CHECK_EQ_INT(Ix_Hash(ctx, a), -1);
    CHECK_ERROR(ctx, NULL, "TypeError: unhashable type: 'vector.Vector'");
    IxObject *items[2] = {flt(ctx, 1), flt(ctx, 2)};
    IxObject *tuple = CHECK_OK(ctx, IxTuple_FromArray(ctx, items, 2));
    CHECK(Ix_Hash(ctx, f) == Ix_Hash(ctx, tuple));
    IxObject *f0 = MAKE(ctx, frozen);
    IxObject *t0 = CHECK_OK(ctx, IxTuple_FromArray(ctx, NULL, 0));
    CHECK(Ix_Hash(ctx, f0) == Ix_Hash(ctx, t0));
    IxObject *drop[] = {empty, a, b, c, f, nan, nan2, one, items[0], items[1], tuple, f0, t0};
    for (size_t i = 0; i < sizeof drop / sizeof *drop; i++) Ix_Decref(ctx, drop[i]);
}

static void check_methods(IxContext *ctx, IxObject *vec, IxObject *frozen)
{
    char buf[128];
    IxObject *a = MAKE(ctx, vec, 3, 4), *f = MAKE(ctx, frozen, 1, 2), *c = MAKE(ctx, vec, 1, 2, 3);
    CHECK(want_float(ctx, CALL0(ctx, a, "norm")) == 5.0);
    IxObject *b = MAKE(ctx, vec, 3, 5), *tiny = MAKE(ctx, vec, 3e-200, 4e-200);
    CHECK(want_float(ctx, CALL0(ctx, b, "norm")) == 5.830951894845301); /* sqrt(34), rounded once */
    CHECK(want_float(ctx, CALL0(ctx, tiny, "norm")) == 5e-200);      /* no underflow */
    Ix_Decref(ctx, b);
    Ix_Decref(ctx, tiny);
    CHECK(want_float(ctx, call1(ctx, a, "dot", Ix_NewRef(ctx, f))) == 11.0);
    CHECK(want_float(ctx, call1(ctx, f, "dot", Ix_NewRef(ctx, a))) == 11.0); /* from the subtype */
    CHECK_ERROR(ctx, call1(ctx, a, "dot", Ix_NewRef(ctx, c)),
                "ValueError: dot() of vectors of different lengths (2 and 3)");
    CHECK_ERROR(ctx, call1(ctx, a, "dot", num(ctx, 1)), "TypeError: dot() argument must be vector.Vector, not int");
    CHECK_ERROR(ctx, CALL0(ctx, a, "dot"), "TypeError: vector.Vector.dot() takes exactly 1 argument (0 given)");
    IxObject *huge = MAKE(ctx, vec, 1e300, 1e300), *inf = MAKE(ctx, vec, NAN, INFINITY), *nan = MAKE(ctx, vec, 1, NAN);
    CHECK(want_float(ctx, CALL0(ctx, huge, "norm")) == 1e300 * 1.4142135623730951); /* sqrt(2): no overflow */
    CHECK(isinf(want_float(ctx, CALL0(ctx, inf, "norm"))));
    CHECK(isnan(want_float(ctx, CALL0(ctx, nan, "norm"))));
    /* zeros: a class method, with a keyword, of the class it is called on */
    CHECK_EQ_STR(WANT_REPR(ctx, ixd_call_ints(ctx, vec, "zeros", INTS(2)), buf), "Vector(0.0, 0.0)");
    CHECK_EQ_STR(WANT_REPR(ctx, ixd_call_ints(ctx, frozen, "zeros", INTS(1)), buf), "FrozenVector(0.0)");
    CHECK_EQ_STR(WANT_REPR(ctx, ixd_call_ints(ctx, f, "zeros", INTS(0)), buf), "FrozenVector()");
    IxObject *zeros = CHECK_OK(ctx, Ix_GetAttr(ctx, frozen, "zeros"));
    IxObject *kw_arg = num(ctx, 3), *name = CHECK_OK(ctx, IxStr_FromCString(ctx, "n"));
    IxObject *kwnames = CHECK_OK(ctx, IxTuple_FromArray(ctx, &name, 1));
    Ix_Decref(ctx, name);
    CHECK_EQ_STR(WANT_REPR(ctx, Ix_CallKw(ctx, zeros, &kw_arg, 0, kwnames), buf), "FrozenVector(0.0, 0.0, 0.0)");
    CHECK_ERROR(ctx, ixd_call_ints(ctx, vec, "zeros", INTS(-1)), "ValueError: zeros() length must be >= 0, not -1");
    CHECK_ERROR(ctx, ixd_call_str(ctx, vec, "zeros", "x"), "TypeError: zeros() length must be an int, not str");
    CHECK_EQ_STR(WANT_REPR(ctx, ixd_call(ctx, vec, "zeros", (IxObject *[]){Ix_Builtin(ctx, IX_TRUE)}, 1), buf), "Vector(0.0)");
    CHECK_ERROR(ctx, CALL0(ctx, vec, "zeros"), "TypeError: zeros() missing required argument 'n' (pos 1)");
    CHECK_ERROR(ctx, ixd_call_ints(ctx, vec, "zeros", INTS(INT64_MAX)), "MemoryError: out of memory");
    /* FrozenVector: immutable */
    CHECK_ERROR_RC(ctx, set_item(ctx, f, 0, num(ctx, 1)),
                   "TypeError: 'vector.FrozenVector' object does not support item assignment");
    IxObject *zero = num(ctx, 0);
    CHECK_ERROR_RC(ctx, Ix_DelItem(ctx, f, zero), "TypeError: 'vector.FrozenVector' object doesn't support item deletion");
    CHECK_EQ_INT(Ix_IsInstance(ctx, f, vec), 1);
    IxObject *drop[] = {a, f, c, huge, inf, nan, zeros, kw_arg, kwnames, zero};
    for (size_t i = 0; i < sizeof drop / sizeof *drop; i++) Ix_Decref(ctx, drop[i]);
}

/* v OP w through the number protocol: repr of the result into buf, or the error. */
#define OP_REPR(expr, buf) WANT_REPR(ctx, (expr), (buf))

/* Arithmetic: +, - between vectors, * and / by a scalar (either side of *), unary, abs,
 * bool, in place (a Vector changes, a FrozenVector is replaced). */
static void check_arithmetic(IxContext *ctx, IxObject *vec, IxObject *frozen)
{
    char buf[128];
    IxObject *a = MAKE(ctx, vec, 1, 2), *b = MAKE(ctx, vec, 3, 5), *c = MAKE(ctx, vec, 1, 2, 3);
    IxObject *f = MAKE(ctx, frozen, 1, 1), *two = num(ctx, 2), *half = flt(ctx, 0.5), *zero = num(ctx, 0);
    IxObject *s = CHECK_OK(ctx, IxStr_FromCString(ctx, "x"));
    CHECK_EQ_STR(OP_REPR(IxNumber_Add(ctx, a, b), buf), "Vector(4.0, 7.0)");
    CHECK_EQ_STR(OP_REPR(IxNumber_Subtract(ctx, a, b), buf), "Vector(-2.0, -3.0)");
    CHECK_EQ_STR(OP_REPR(IxNumber_Add(ctx, f, a), buf), "FrozenVector(2.0, 3.0)"); /* the left's kind */
    CHECK_EQ_STR(OP_REPR(IxNumber_Add(ctx, a, f), buf), "Vector(2.0, 3.0)");
    CHECK_EQ_STR(OP_REPR(IxNumber_Multiply(ctx, a, two), buf), "Vector(2.0, 4.0)");
    CHECK_EQ_STR(OP_REPR(IxNumber_Multiply(ctx, two, a), buf), "Vector(2.0, 4.0)"); /* reflected */
    CHECK_EQ_STR(OP_REPR(IxNumber_Multiply(ctx, half, f), buf), "FrozenVector(0.5, 0.5)");
    CHECK_EQ_STR(OP_REPR(IxNumber_TrueDivide(ctx, b, two), buf), "Vector(1.5, 2.5)");
    CHECK_EQ_STR(OP_REPR(IxNumber_Negative(ctx, a), buf), "Vector(-1.0, -2.0)");
    CHECK_EQ_STR(OP_REPR(IxNumber_Positive(ctx, f), buf), "FrozenVector(1.0, 1.0)");
    CHECK(want_float(ctx, IxNumber_Absolute(ctx, b)) == 5.830951894845301);
    CHECK_ERROR(ctx, IxNumber_Add(ctx, a, c), "ValueError: vectors of different lengths for +: 2 and 3");
    CHECK_ERROR(ctx, IxNumber_Subtract(ctx, c, a), "ValueError: vectors of different lengths for -: 3 and 2");
    CHECK_ERROR(ctx, IxNumber_Add(ctx, a, two), "TypeError: unsupported operand type(s) for +: 'vector.Vector' and 'int'");
    CHECK_ERROR(ctx, IxNumber_Subtract(ctx, two, a), "TypeError: unsupported operand type(s) for -: 'int' and 'vector.Vector'");
    CHECK_ERROR(ctx, IxNumber_Multiply(ctx, a, b), "TypeError: unsupported operand type(s) for *: 'vector.Vector' and 'vector.Vector'");
    CHECK_ERROR(ctx, IxNumber_Multiply(ctx, a, s), "TypeError: unsupported operand type(s) for *: 'vector.Vector' and 'str'");
    CHECK_ERROR(ctx, IxNumber_TrueDivide(ctx, two, a), "TypeError: unsupported operand type(s) for /: 'int' and 'vector.Vector'");
    CHECK_ERROR(ctx, IxNumber_TrueDivide(ctx, a, zero), "ZeroDivisionError: vector division by zero");
    CHECK_ERROR(ctx, IxNumber_FloorDivide(ctx, a, two), "TypeError: unsupported operand type(s) for //: 'vector.Vector' and 'int'");
    /* bool: a nonzero component */
    IxObject *z = MAKE(ctx, vec, 0, 0), *e = CHECK_OK(ctx, CALL0(ctx, vec, NULL));
    CHECK_EQ_INT(Ix_IsTrue(ctx, a), 1);
    CHECK_EQ_INT(Ix_IsTrue(ctx, z), 0);
    CHECK_EQ_INT(Ix_IsTrue(ctx, e), 0);
    /* in place: the same Vector, changed */
    IxObject *r = CHECK_OK(ctx, IxNumber_InPlaceAdd(ctx, a, b));
    CHECK(r == a);
    Ix_Decref(ctx, r);
    CHECK_EQ_STR(WANT_REPR(ctx, Ix_NewRef(ctx, a), buf), "Vector(4.0, 7.0)");
    r = CHECK_OK(ctx, IxNumber_InPlaceMultiply(ctx, a, half));
    CHECK(r == a);
    Ix_Decref(ctx, r);
    r = CHECK_OK(ctx, IxNumber_InPlaceSubtract(ctx, a, b));
    Ix_Decref(ctx, r);
    r = CHECK_OK(ctx, IxNumber_InPlaceTrueDivide(ctx, a, two));
    Ix_Decref(ctx, r);
    CHECK_EQ_STR(WANT_REPR(ctx, Ix_NewRef(ctx, a), buf), "Vector(-0.5, -0.75)");
    CHECK_ERROR(ctx, IxNumber_InPlaceAdd(ctx, a, c), "ValueError: vectors of different lengths for +: 2 and 3");
    CHECK_ERROR(ctx, IxNumber_InPlaceSubtract(ctx, a, c), "ValueError: vectors of different lengths for -: 2 and 3");
    CHECK_ERROR(ctx, IxNumber_InPlaceTrueDivide(ctx, a, zero), "ZeroDivisionError: vector division by zero");
    CHECK_ERROR(ctx, IxNumber_InPlaceMultiply(ctx, a, s), "TypeError: unsupported operand type(s) for *=: 'vector.Vector' and 'str'");
    /* a FrozenVector is replaced, never changed */
    r = CHECK_OK(ctx, IxNumber_InPlaceAdd(ctx, f, b));
    CHECK(r != f);
    CHECK_EQ_STR(WANT_REPR(ctx, r, buf), "FrozenVector(4.0, 6.0)");
    CHECK_EQ_STR(WANT_REPR(ctx, Ix_NewRef(ctx, f), buf), "FrozenVector(1.0, 1.0)");
    IxObject *drop[] = {a, b, c, f, two, half, zero, s, z, e};
    for (size_t i = 0; i < sizeof drop / sizeof *drop; i++) Ix_Decref(ctx, drop[i]);
}

/* The buffer: the components themselves, "d", read-only for a FrozenVector. */
static void check_buffer(IxContext *ctx, IxObject *vec, IxObject *frozen)
{
    char buf[128];
    IxObject *v = MAKE(ctx, vec, 1, 2, 3), *f = MAKE(ctx, frozen, 4, 5), *e = CHECK_OK(ctx, CALL0(ctx, vec, NULL));
    IxBufferView view = {0};
    CHECK_EQ_INT(Ix_GetBuffer(ctx, v, &view, IX_BUF_WRITABLE), 0);
    CHECK(view.len == 24 && view.itemsize == 8 && view.ndim == 1 && view.readonly == 0);
    CHECK(view.shape[0] == 3 && view.strides[0] == 8);
    CHECK_EQ_STR(view.format, "d");
    ((double *)view.buf)[1] = 9.5; /* writes the component itself */
    IxBufferView_Release(ctx, &view);
    CHECK_EQ_STR(WANT_REPR(ctx, Ix_NewRef(ctx, v), buf), "Vector(1.0, 9.5, 3.0)");
    CHECK_EQ_INT(Ix_GetBuffer(ctx, f, &view, IX_BUF_SIMPLE), 0);
    CHECK(view.readonly == 1 && ((double *)view.buf)[1] == 5.0);
    IxBufferView_Release(ctx, &view);
    CHECK_ERROR_RC(ctx, Ix_GetBuffer(ctx, f, &view, IX_BUF_WRITABLE), "BufferError: Object is not writable.");
    CHECK(view.obj == NULL);
    CHECK_EQ_INT(Ix_GetBuffer(ctx, e, &view, IX_BUF_WRITABLE), 0);
    CHECK(view.len == 0 && view.shape[0] == 0);
    IxBufferView_Release(ctx, &view);
    /* a view alive while the vector changes in place: it sees the change */
    CHECK_EQ_INT(Ix_GetBuffer(ctx, v, &view, IX_BUF_SIMPLE), 0);
    IxObject *r = CHECK_OK(ctx, IxNumber_InPlaceAdd(ctx, v, v));
    Ix_Decref(ctx, r);
    CHECK(((double *)view.buf)[0] == 2.0);
    IxBufferView_Release(ctx, &view);
    IxObject *drop[] = {v, f, e};
    for (size_t i = 0; i < sizeof drop / sizeof *drop; i++) Ix_Decref(ctx, drop[i]);
}

/* Vector(size=n, fill=x); components through float() and indices through __index__;
 * weak references. */
static void check_keywords_and_weakrefs(IxContext *ctx, IxObject *vec, IxObject *frozen)
{
    char buf[160];
    IxObject *names[2] = {CHECK_OK(ctx, IxStr_FromCString(ctx, "size")), CHECK_OK(ctx, IxStr_FromCString(ctx, "fill"))};
    IxObject *both = CHECK_OK(ctx, IxTuple_FromArray(ctx, names, 2));
    IxObject *size_only = CHECK_OK(ctx, IxTuple_FromArray(ctx, names, 1));
    IxObject *fill_only = CHECK_OK(ctx, IxTuple_FromArray(ctx, names + 1, 1));
    IxObject *vals[3] = {num(ctx, 3), flt(ctx, 0.5), num(ctx, -1)};
    CHECK_EQ_STR(WANT_REPR(ctx, Ix_CallKw(ctx, vec, vals, 0, both), buf), "Vector(0.5, 0.5, 0.5)");
    CHECK_EQ_STR(WANT_REPR(ctx, Ix_CallKw(ctx, frozen, vals, 0, size_only), buf), "FrozenVector(0.0, 0.0, 0.0)");
    CHECK_ERROR(ctx, Ix_CallKw(ctx, vec, vals, 1, size_only),
                "TypeError: vector.Vector() takes components or the keywords size and fill, not both");
    CHECK_ERROR(ctx, Ix_CallKw(ctx, vec, vals + 1, 0, fill_only), "TypeError: Vector() missing required keyword-only argument 'size'");
    CHECK_ERROR(ctx, Ix_CallKw(ctx, vec, vals + 2, 0, size_only), "ValueError: Vector() size must be >= 0, not -1");
    CHECK_ERROR(ctx, Ix_CallKw(ctx, vec, vals + 1, 0, size_only), "TypeError: Vector() size must be an int, not float");
    CHECK_ERROR(ctx, Ix_CallKw(ctx, frozen, vals, 1, size_only),
                "TypeError: vector.FrozenVector() takes components or the keywords size and fill, not both");
    IxObject *xname = CHECK_OK(ctx, IxStr_FromCString(ctx, "x")), *sx_names[2] = {names[0], xname};
    IxObject *size_x = CHECK_OK(ctx, IxTuple_FromArray(ctx, sx_names, 2));
    CHECK_ERROR(ctx, Ix_CallKw(ctx, vec, vals, 0, size_x), "TypeError: Vector() got an unexpected keyword argument 'x'");
    IxObject *huge = num(ctx, INT64_MAX);
    CHECK_ERROR(ctx, Ix_CallKw(ctx, vec, &huge, 0, size_only), "MemoryError: out of memory");
    Ix_Decref(ctx, huge);
    Ix_Decref(ctx, size_x);
    Ix_Decref(ctx, xname);
    IxObject *s = CHECK_OK(ctx, IxStr_FromCString(ctx, "x")), *sx[2] = {vals[0], s};
    CHECK_ERROR(ctx, Ix_CallKw(ctx, vec, sx, 0, both), "TypeError: vector components must be real numbers, not str");
    IxObject *none = Ix_None(ctx);
    CHECK_ERROR(ctx, ixd_call(ctx, vec, NULL, &none, 1),
                "TypeError: float() argument must be a string or a real number, not 'NoneType'");
    CHECK_ERROR(ctx, ixd_call(ctx, vec, "zeros", &none, 1), "TypeError: zeros() length must be an int, not NoneType");
    /* weak references: dead once the vector is */
    IxObject *v = MAKE(ctx, vec, 1), *fv = MAKE(ctx, frozen, 2);
    IxObject *ref = CHECK_OK(ctx, IxWeakref_New(ctx, v, NULL)), *fref = CHECK_OK(ctx, IxWeakref_New(ctx, fv, NULL));
    IxObject *got = CHECK_OK(ctx, IxWeakref_GetObject(ctx, ref));
    CHECK(got == v);
    Ix_Decref(ctx, got);
    Ix_Decref(ctx, v);
    got = CHECK_OK(ctx, IxWeakref_GetObject(ctx, ref));
    CHECK(got == Ix_None(ctx));
    Ix_Decref(ctx, got);
    IxObject *drop[] = {names[0], names[1], both, size_only, fill_only, vals[0], vals[1], vals[2], s, fv, ref, fref};
    for (size_t i = 0; i < sizeof drop / sizeof *drop; i++) Ix_Decref(ctx, drop[i]);
}

static void check_vector(IxContext *ctx)
{
    IxObject *m = IMPORT(ctx, "vector");
    IxObject *vec = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "Vector"));
    IxObject *frozen = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "FrozenVector"));
    check_sequence(ctx, vec);
    check_construct_and_compare(ctx, vec, frozen);
    check_methods(ctx, vec, frozen);
    check_arithmetic(ctx, vec, frozen);
    check_buffer(ctx, vec, frozen);
    check_keywords_and_weakrefs(ctx, vec, frozen);
    Ix_Decref(ctx, frozen);
    Ix_Decref(ctx, vec);
    Ix_Decref(ctx, m);
}

void ixd_vector(int argc, char **argv)
{
    IXD_NO_ARGS;
    ixd_plain_and_debug(check_vector, NULL, NULL);
}
