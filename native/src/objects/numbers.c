/*
 * numbers.c -- None, NotImplemented, bool, int (64-bit) and float.
 *
 * The singletons (None, True, False, NotImplemented) are made by interp.c; this file
 * only describes their types. Numbers of different types compare and hash as Python's
 * do (1 == 1.0 == True, and equal numbers hash equal), so they mix as dict keys. An int
 * is unbounded: the int64 values live here, inline; the bigger ones in long.c, reached
 * through the one value they all share (IX_INT_BIG).
 *
 * ABI 1.2: the three types' number slots (ABI.md 5.30) are here too, with float
 * arithmetic; int arithmetic is longarith.c's, and number.c dispatches to the slots.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ix_internal.h"

#define BUILTIN_TYPE(ctx, id) ix_builtin_type(ctx, id)

/* ---------------------------------------------------------------- shared results */

IxObject *ix_bool_from_int(IxContext *ctx, int v)
{
    IxObject *b = IX_BUILTIN(ctx, v ? IX_TRUE : IX_FALSE);
    IX_INCREF(b);
    return b;
}

/* New reference to NotImplemented: what a richcompare returns for a foreign operand. */
IxObject *ix_not_implemented(IxContext *ctx)
{
    IxObject *n = IX_BUILTIN(ctx, IX_NOTIMPLEMENTED);
    if (!n && !(n = ix_builtin_make(ctx, IX_NOTIMPLEMENTED))) return NULL; /* made late (8.10) */
    IX_INCREF(n);
    return n;
}

/* The answer of `op` given an ordering c (<0, 0, >0) of its operands: the last step of
 * every richcompare that can order its operands. */
IxObject *ix_bool_from_cmp(IxContext *ctx, int c, int op)
{
    switch (op) {
    case IX_LT: return ix_bool_from_int(ctx, c < 0);
    case IX_LE: return ix_bool_from_int(ctx, c <= 0);
    case IX_EQ: return ix_bool_from_int(ctx, c == 0);
    case IX_NE: return ix_bool_from_int(ctx, c != 0);
    case IX_GT: return ix_bool_from_int(ctx, c > 0);
    case IX_GE: return ix_bool_from_int(ctx, c >= 0);
    }
    return ix_err_format(ctx, IX_EXC_SYSTEMERROR, "invalid comparison operator %d", op);
}

/* ---------------------------------------------------------------- None, NotImplemented */

static IxObject *none_repr(IxContext *ctx, IxObject *self)
{
    return ix_str_from_cstr(ctx, "None");
}

/* A constant rather than the address, so None hashes alike in every interpreter. */
static int64_t none_hash(IxContext *ctx, IxObject *self)
{
    return 0x4e6f6e65; /* "None" */
}

static int none_bool(IxContext *ctx, IxObject *self)
{
    return 0;
}

static IxObject *notimpl_repr(IxContext *ctx, IxObject *self)
{
    return ix_str_from_cstr(ctx, "NotImplemented");
}

static const IxTypeSlot none_slots[] = {
    {IX_tp_repr, (void *)none_repr},
    {IX_tp_hash, (void *)none_hash},
    IX_TYPE_SLOTS_END,
};

static const IxTypeSlot notimpl_slots[] = {
    {IX_tp_repr, (void *)notimpl_repr},
    IX_TYPE_SLOTS_END,
};

const IxBuiltinTypeDef ix_none_typedef = {
    .id = IX_TYPE_NONE, .name = "NoneType", .basic_size = sizeof(IxObject),
    .base_id = UINT32_MAX, .slots = none_slots, .tp_bool = none_bool,
};

const IxBuiltinTypeDef ix_notimpl_typedef = {
    .id = IXI_TYPE_NOTIMPLEMENTED, .name = "NotImplementedType", .basic_size = sizeof(IxObject),
    .base_id = UINT32_MAX, .slots = notimpl_slots,
};

/* ---------------------------------------------------------------- int and bool */

static int64_t int_value(IxObject *o)
{
    return ((IxIntObject *)o)->value;
}

/* An int hashes as itself; -1 is the error value of every hash, so it becomes -2. */
static int64_t hash_int64(int64_t v)
{
    return v == -1 ? -2 : v;
}

static bool is_big(IxObject *o)
{
    return int_value(o) == IX_INT_BIG;
}

static IxObject *int_repr(IxContext *ctx, IxObject *self)
{
    if (is_big(self)) return ix_long_big_repr(ctx, self);
    return ix_str_from_format(ctx, "%" PRId64, int_value(self));
}

static IxObject *bool_repr(IxContext *ctx, IxObject *self)
{
    return ix_str_from_cstr(ctx, int_value(self) ? "True" : "False");
}

static int64_t int_hash(IxContext *ctx, IxObject *self)
{
    if (is_big(self)) return ix_long_big_hash(self);
    return hash_int64(int_value(self));
}

/* A big int is never zero (IX_INT_BIG is not 0 either). */
static int int_bool(IxContext *ctx, IxObject *self)
{
    return int_value(self) != 0;
}

/* The cache slot of a small int. The table is made on first use, not with the interpreter:
 * an idle one stays 2 KiB smaller. It is the core's (IX_OWNER_BUILTIN), freed at close with
 * the rest of the heap. NULL when there is no memory for it: the int is just not cached. */
static IxObject **small_int_slot(IxContext *ctx, int64_t v)
{
    IxInterp *in = IX_INTERP(ctx);
    if (!in->small_ints)
        in->small_ints = ix_heap_alloc(&in->heap, IX_SMALL_INTS * sizeof *in->small_ints, IX_BLOCK_RAW,
                                       IX_OWNER_BUILTIN, true);
    return in->small_ints ? &in->small_ints[v - IX_SMALL_INT_MIN] : NULL;
}

IxObject *ix_long_from_int64(IxContext *ctx, int64_t v)
{
    if (v == IX_INT_BIG) return ix_long_int64_min(ctx);
    IxObject **cached = NULL;
    if (v >= IX_SMALL_INT_MIN && v <= IX_SMALL_INT_MAX && (cached = small_int_slot(ctx, v)) && *cached) {
        IX_INCREF(*cached);
        return *cached;
    }
    IxIntObject *o = (IxIntObject *)ix_object_alloc(ctx, BUILTIN_TYPE(ctx, IX_TYPE_INT), sizeof *o);
    if (!o) return NULL;
    o->value = v;
    if (cached) { /* the cache keeps a reference of its own, and is the core's, not a leak */
        IX_INCREF(o);
        *cached = &o->ob_base;
        ix_heap_retag(&IX_INTERP(ctx)->heap, o, IX_OWNER_BUILTIN);
    }
    return &o->ob_base;
}

int64_t ix_long_as_int64(IxContext *ctx, IxObject *o)
{
    if (!ix_is_int(ctx, o)) {
        ix_err_wrong_type(ctx, "int", o);
        return -1;
    }
    return is_big(o) ? ix_long_big_as_int64(ctx, o) : int_value(o);
}

/* ---------------------------------------------------------------- float */

static double float_value(IxObject *o)
{
    return ((IxFloatObject *)o)->value;
}

IxObject *ix_float_from_double(IxContext *ctx, double v)
{
    IxFloatObject *o =
        (IxFloatObject *)ix_object_alloc(ctx, BUILTIN_TYPE(ctx, IX_TYPE_FLOAT), sizeof *o);
    if (!o) return NULL;
    o->value = v;
    return &o->ob_base;
}

double ix_float_as_double(IxContext *ctx, IxObject *o)
{
    if (IX_IS(ctx, o, IX_TYPE_FLOAT)) return float_value(o);
    if (ix_is_int(ctx, o)) return is_big(o) ? ix_long_big_as_double(ctx, o) : (double)int_value(o);
    ix_err_wrong_type(ctx, "float", o);
    return -1.0;
}

/* The fewest significant digits (in digits[], no point) that read back as d >= 0, and
 * the decimal exponent of the first. "%.16e" always round-trips, so the loop ends. The
 * digits are picked out by class, not position, and strtod reads what snprintf wrote in
 * the same locale, so a decimal comma changes nothing. */
static size_t shortest_digits(double d, char *digits, int *exp10)
{
    char sci[40];
    for (int prec = 0; prec <= 16; prec++) {
        snprintf(sci, sizeof sci, "%.*e", prec, d);
        if (strtod(sci, NULL) == d) break;
    }
    size_t n = 0;
    const char *p = sci;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9') digits[n++] = *p;
    *exp10 = *p ? atoi(p + 1) : 0;
    while (n > 1 && digits[n - 1] == '0') n--;
    return n;
}

/* Python's repr of a float: shortest round-trip digits, fixed notation for exponents
 * -4..15 and scientific otherwise, always recognisable as a float ("1.0", "1e+16").
 * out needs 32 bytes. */
static void format_double(double d, char *out)
{
    if (isnan(d)) {
        strcpy(out, "nan");
        return;
    }
    char *o = out;
    if (signbit(d)) *o++ = '-';
    if (isinf(d)) {
        strcpy(o, "inf");
        return;
    }
    char dig[24];
    int e;
    size_t n = shortest_digits(fabs(d), dig, &e);
    if (e < -4 || e >= 16) { /* 1e+16, 1.5e-05 */
        *o++ = dig[0];
        if (n > 1) {
            *o++ = '.';
            memcpy(o, dig + 1, n - 1);
            o += n - 1;
        }
        snprintf(o, 8, "e%+03d", e);
        return;
    }
    if (e < 0) { /* 0.00015 */
        *o++ = '0';
        *o++ = '.';
        for (int i = -1; i > e; i--) *o++ = '0';
        memcpy(o, dig, n);
        o += n;
    } else { /* 1500.0, 15.25 */
        for (size_t i = 0; i <= (size_t)e; i++) *o++ = i < n ? dig[i] : '0';
        *o++ = '.';
        if ((size_t)e + 1 < n) {
            memcpy(o, dig + e + 1, n - (size_t)e - 1);
            o += n - (size_t)e - 1;
        } else {
            *o++ = '0';
        }
    }
    *o = '\0';
}

static IxObject *float_repr(IxContext *ctx, IxObject *self)
{
    char buf[32];
    format_double(float_value(self), buf);
    return ix_str_from_cstr(ctx, buf);
}

/* Equal numbers hash equal: a float holding an integer hashes as that int. */
int64_t ix_hash_double(double d)
{
    if (d >= -0x1p63 && d < 0x1p63 && d == (double)(int64_t)d) return hash_int64((int64_t)d);
    return ix_hash_bytes(&d, sizeof d);
}

static int64_t float_hash(IxContext *ctx, IxObject *self)
{
    return ix_hash_double(float_value(self));
}

static int float_bool(IxContext *ctx, IxObject *self)
{
    return float_value(self) != 0.0;
}

/* ---------------------------------------------------------------- comparison */

/* The ordering of an int and a (non-NaN) double, exact even where converting the int to
 * a double would round: compare with the double's integer part, then its fraction. */
static int cmp_int_double(int64_t i, double d)
{
    if (d >= 0x1p63) return -1;
    if (d < -0x1p63) return 1;
    int64_t t = (int64_t)d; /* exact: |d| < 2^63, truncated toward zero */
    if (i != t) return i < t ? -1 : 1;
    double frac = d - (double)t;
    return frac > 0 ? -1 : frac < 0 ? 1 : 0;
}

static IxObject *num_richcompare(IxContext *ctx, IxObject *a, IxObject *b, int op)
{
    bool fa = IX_IS(ctx, a, IX_TYPE_FLOAT), fb = IX_IS(ctx, b, IX_TYPE_FLOAT);
    if ((!fa && !ix_is_int(ctx, a)) || (!fb && !ix_is_int(ctx, b))) return ix_not_implemented(ctx);
    if (!fa && !fb) {
        int64_t x = int_value(a), y = int_value(b);
        if (x == IX_INT_BIG || y == IX_INT_BIG) return ix_bool_from_cmp(ctx, ix_long_compare(a, b), op);
        return ix_bool_from_cmp(ctx, (x > y) - (x < y), op);
    }
    if ((fa && isnan(float_value(a))) || (fb && isnan(float_value(b))))
        return ix_bool_from_int(ctx, op == IX_NE); /* NaN is unordered, unequal to all */
    int c;
    if (fa && fb)
        c = (float_value(a) > float_value(b)) - (float_value(a) < float_value(b));
    else if (fb)
        c = is_big(a) ? ix_long_compare_double(a, float_value(b)) : cmp_int_double(int_value(a), float_value(b));
    else
        c = is_big(b) ? -ix_long_compare_double(b, float_value(a)) : -cmp_int_double(int_value(b), float_value(a));
    return ix_bool_from_cmp(ctx, c, op);
}

/* ---------------------------------------------------------------- arithmetic (ABI 1.2) */

static IxObject *float_zero_division(IxContext *ctx, const char *msg)
{
    ix_err_set(ctx, IX_EXC_ZERODIVISIONERROR, msg);
    return NULL;
}

/* Python's float floor division and modulo (CPython's float_divmod): the remainder takes
 * y's sign, and the quotient is the nearest integer to (x - mod) / y. */
static double float_mod(double x, double y)
{
    double mod = fmod(x, y);
    if (mod) {
        if ((y < 0) != (mod < 0)) mod += y;
    } else {
        mod = copysign(0.0, y);
    }
    return mod;
}

static double float_floordiv(double x, double y)
{
    double mod = fmod(x, y), div = (x - mod) / y;
    if (mod && (y < 0) != (mod < 0)) div -= 1.0;
    if (!div) return copysign(0.0, x / y);
    double floordiv = floor(div);
    return div - floordiv > 0.5 ? floordiv + 1.0 : floordiv;
}

IxObject *ix_float_binary(IxContext *ctx, double x, double y, int op)
{
    switch (op) {
    case IX_NB_ADD: return ix_float_from_double(ctx, x + y);
    case IX_NB_SUBTRACT: return ix_float_from_double(ctx, x - y);
    case IX_NB_MULTIPLY: return ix_float_from_double(ctx, x * y);
    case IX_NB_TRUE_DIVIDE:
        if (y == 0.0) return float_zero_division(ctx, "float division by zero");
        return ix_float_from_double(ctx, x / y);
    case IX_NB_FLOOR_DIVIDE:
        if (y == 0.0) return float_zero_division(ctx, "float floor division by zero");
        return ix_float_from_double(ctx, float_floordiv(x, y));
    case IX_NB_REMAINDER:
        if (y == 0.0) return float_zero_division(ctx, "float modulo");
        return ix_float_from_double(ctx, float_mod(x, y));
    }
    return ix_err_format(ctx, IX_EXC_SYSTEMERROR, "unknown float operation %d", op);
}

/* x ** y with CPython's errors; a negative base to a fractional power, complex in Python,
 * is a ValueError here (there is no complex type). */
IxObject *ix_float_power(IxContext *ctx, double x, double y)
{
    if (x == 0.0 && y < 0.0) return float_zero_division(ctx, "0.0 cannot be raised to a negative power");
    if (x < 0.0 && isfinite(x) && isfinite(y) && y != floor(y))
        return ix_err_format(ctx, IX_EXC_VALUEERROR, "negative number cannot be raised to a fractional power");
    double r = pow(x, y);
    if (isinf(r) && isfinite(x) && isfinite(y))
        return ix_err_format(ctx, IX_EXC_OVERFLOWERROR, "(34, 'Numerical result out of range')");
    return ix_float_from_double(ctx, r);
}

/* The slots of int, bool and float: both operands numbers, else NotImplemented; with a
 * float among them the arithmetic is float's (an int too large for one is an
 * OverflowError), else int's. */
static bool is_number(IxContext *ctx, IxObject *o)
{
    return ix_is_int(ctx, o) || IX_IS(ctx, o, IX_TYPE_FLOAT);
}

static IxObject *num_binary(IxContext *ctx, IxObject *a, IxObject *b, int op)
{
    if (!is_number(ctx, a) || !is_number(ctx, b)) return ix_not_implemented(ctx);
    if (ix_is_int(ctx, a) && ix_is_int(ctx, b)) return ix_long_binary(ctx, a, b, op);
    double x = ix_float_as_double(ctx, a), y = ix_float_as_double(ctx, b);
    if (ix_err_pending(ctx)) return NULL;
    return ix_float_binary(ctx, x, y, op);
}

static IxObject *num_add(IxContext *ctx, IxObject *a, IxObject *b) { return num_binary(ctx, a, b, IX_NB_ADD); }
static IxObject *num_sub(IxContext *ctx, IxObject *a, IxObject *b) { return num_binary(ctx, a, b, IX_NB_SUBTRACT); }
static IxObject *num_mul(IxContext *ctx, IxObject *a, IxObject *b) { return num_binary(ctx, a, b, IX_NB_MULTIPLY); }
static IxObject *num_truediv(IxContext *ctx, IxObject *a, IxObject *b) { return num_binary(ctx, a, b, IX_NB_TRUE_DIVIDE); }
static IxObject *num_floordiv(IxContext *ctx, IxObject *a, IxObject *b) { return num_binary(ctx, a, b, IX_NB_FLOOR_DIVIDE); }
static IxObject *num_mod(IxContext *ctx, IxObject *a, IxObject *b) { return num_binary(ctx, a, b, IX_NB_REMAINDER); }

static IxObject *num_power(IxContext *ctx, IxObject *a, IxObject *b, IxObject *m)
{
    bool has_mod = m != IX_BUILTIN(ctx, IX_NONE);
    if (!is_number(ctx, a) || !is_number(ctx, b) || (has_mod && !is_number(ctx, m))) return ix_not_implemented(ctx);
    if (ix_is_int(ctx, a) && ix_is_int(ctx, b) && (!has_mod || ix_is_int(ctx, m)))
        return ix_long_power(ctx, a, b, has_mod ? m : NULL);
    if (has_mod)
        return ix_err_format(ctx, IX_EXC_TYPEERROR, "pow() 3rd argument not allowed unless all arguments are integers");
    double x = ix_float_as_double(ctx, a), y = ix_float_as_double(ctx, b);
    if (ix_err_pending(ctx)) return NULL;
    return ix_float_power(ctx, x, y);
}

static IxObject *num_negative(IxContext *ctx, IxObject *a)
{
    if (ix_is_int(ctx, a)) return ix_long_negative(ctx, a);
    return ix_float_from_double(ctx, -float_value(a));
}

static IxObject *num_absolute(IxContext *ctx, IxObject *a)
{
    if (ix_is_int(ctx, a)) return ix_long_absolute(ctx, a);
    return ix_float_from_double(ctx, fabs(float_value(a)));
}

/* +x: an int or float itself; +True is the int 1. */
static IxObject *num_positive(IxContext *ctx, IxObject *a)
{
    if (IX_IS(ctx, a, IX_TYPE_BOOL)) return ix_long_from_int64(ctx, int_value(a));
    IX_INCREF(a);
    return a;
}

/* & | ^ << >> and ~: ints and bools only (a float is NotImplemented, as in Python). */
static IxObject *int_bitwise(IxContext *ctx, IxObject *a, IxObject *b, int op)
{
    if (!ix_is_int(ctx, a) || !ix_is_int(ctx, b)) return ix_not_implemented(ctx);
    return ix_long_bitwise(ctx, a, b, op);
}

static IxObject *num_and(IxContext *ctx, IxObject *a, IxObject *b) { return int_bitwise(ctx, a, b, IX_NB_AND); }
static IxObject *num_or(IxContext *ctx, IxObject *a, IxObject *b) { return int_bitwise(ctx, a, b, IX_NB_OR); }
static IxObject *num_xor(IxContext *ctx, IxObject *a, IxObject *b) { return int_bitwise(ctx, a, b, IX_NB_XOR); }
static IxObject *num_lshift(IxContext *ctx, IxObject *a, IxObject *b) { return int_bitwise(ctx, a, b, IX_NB_LSHIFT); }
static IxObject *num_rshift(IxContext *ctx, IxObject *a, IxObject *b) { return int_bitwise(ctx, a, b, IX_NB_RSHIFT); }

#define INT_SLOTS                                             \
    {IX_nb_and, (void *)num_and},                             \
    {IX_nb_or, (void *)num_or},                               \
    {IX_nb_xor, (void *)num_xor},                             \
    {IX_nb_lshift, (void *)num_lshift},                       \
    {IX_nb_rshift, (void *)num_rshift},                       \
    {IX_nb_invert, (void *)ix_long_invert}

#define NUMBER_SLOTS                                          \
    {IX_nb_add, (void *)num_add},                             \
    {IX_nb_subtract, (void *)num_sub},                        \
    {IX_nb_multiply, (void *)num_mul},                        \
    {IX_nb_true_divide, (void *)num_truediv},                 \
    {IX_nb_floor_divide, (void *)num_floordiv},               \
    {IX_nb_remainder, (void *)num_mod},                       \
    {IX_nb_power, (void *)num_power},                         \
    {IX_nb_negative, (void *)num_negative},                   \
    {IX_nb_positive, (void *)num_positive},                   \
    {IX_nb_absolute, (void *)num_absolute}

/* ---------------------------------------------------------------- type definitions */

static const IxTypeSlot int_slots[] = {
    {IX_tp_repr, (void *)int_repr},
    {IX_tp_hash, (void *)int_hash},
    {IX_tp_richcompare, (void *)num_richcompare},
    NUMBER_SLOTS,
    INT_SLOTS,
    IX_TYPE_SLOTS_END,
};

static const IxTypeSlot bool_slots[] = {
    {IX_tp_repr, (void *)bool_repr},
    {IX_tp_hash, (void *)int_hash},
    {IX_tp_richcompare, (void *)num_richcompare},
    NUMBER_SLOTS,
    INT_SLOTS,
    IX_TYPE_SLOTS_END,
};

static const IxTypeSlot float_slots[] = {
    {IX_tp_repr, (void *)float_repr},
    {IX_tp_hash, (void *)float_hash},
    {IX_tp_richcompare, (void *)num_richcompare},
    NUMBER_SLOTS,
    IX_TYPE_SLOTS_END,
};

const IxBuiltinTypeDef ix_int_typedef = {
    .id = IX_TYPE_INT, .name = "int", .basic_size = sizeof(IxIntObject),
    .base_id = UINT32_MAX, .slots = int_slots, .tp_bool = int_bool,
};

/* bool derives from int (instances are IxIntObject holding 0 or 1), but the core tests
 * types exactly, so an int check that accepts bool says so (ix_is_int). */
const IxBuiltinTypeDef ix_bool_typedef = {
    .id = IX_TYPE_BOOL, .name = "bool", .basic_size = sizeof(IxIntObject),
    .base_id = IX_TYPE_INT, .slots = bool_slots, .tp_bool = int_bool,
};

const IxBuiltinTypeDef ix_float_typedef = {
    .id = IX_TYPE_FLOAT, .name = "float", .basic_size = sizeof(IxFloatObject),
    .base_id = UINT32_MAX, .slots = float_slots, .tp_bool = float_bool,
};
