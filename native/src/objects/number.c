/*
 * number.c -- the number protocol (ABI 1.2, ABI.md 3.30-3.33): IxNumber_* on any objects.
 *
 * Every operation is dispatched through the number slots (ABI.md 5.30), the builtins'
 * included (numbers.c gives int, bool and float theirs), the way CPython's abstract.c
 * does it: a binary operation asks the left operand's slot, then the right's when its
 * type differs -- the right's first when its type is a subtype of the left's that has a
 * slot of its own -- and a slot answering NotImplemented passes the turn. When neither
 * answers, the TypeError names the operator and both types, in CPython's words.
 * In-place forms try the left operand's in-place slot first, then the binary operation.
 *
 * A heap type's slot runs as code of the module that defined it (IX_ENTERED_AT: owner,
 * shared lock; ABI.md 5.5.1), and its result is checked like a call's (ABI.md 6.1), named
 * "numeric.Num.__add__". Runs under the interpreter lock of ctx, like every object operation.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ix_internal.h"

static const char *tname(IxObject *o)
{
    return IX_TYPE(o)->name;
}

static bool is_not_implemented(IxContext *ctx, IxObject *r)
{
    return r == IX_BUILTIN(ctx, IX_NOTIMPLEMENTED); /* r is never NULL: nor then is this */
}

/* Operators as CPython's messages spell them, by IX_NB_* (IX_NB_POWER last). */
static const char *const op_symbol[] = {"+", "-", "*", "/", "//", "%", "&", "|", "^", "<<", ">>", "** or pow()"};
static const char *const iop_symbol[] = {"+=", "-=", "*=", "/=", "//=", "%=", "&=", "|=", "^=", "<<=", ">>=", "**="};
static const char *const op_dunder[] = {"__add__", "__sub__", "__mul__", "__truediv__", "__floordiv__", "__mod__",
                                        "__and__", "__or__", "__xor__", "__lshift__", "__rshift__", "__pow__"};
static const char *const iop_dunder[] = {"__iadd__", "__isub__", "__imul__", "__itruediv__", "__ifloordiv__",
                                         "__imod__", NULL, NULL, NULL, NULL, NULL, "__ipow__"};

/* ---------------------------------------------------------------- running a slot */

/* One binary or ternary slot, as a value: which of them is set decides how it is called. */
typedef struct Slot {
    IxBinaryProc binary;
    IxTernaryProc ternary;
    size_t off; /* the hook field's IX_NB_HOOK_OFF: whose code it is (ABI.md 5.5) */
} Slot;

static Slot slot_of(const IxTypeObject *t, int op, bool inplace)
{
    Slot s = {NULL, NULL, 0};
    if (op == IX_NB_POWER) {
        s.ternary = inplace ? t->nb->nb_inplace_power : t->nb->nb_power;
        s.off = inplace ? IX_NB_HOOK_OFF(t, nb_inplace_power) : IX_NB_HOOK_OFF(t, nb_power);
    } else if (!inplace) {
        s.binary = t->nb->nb_binary[op];
        s.off = IX_NB_HOOK_OFF(t, nb_binary[op]);
    } else if (op < IX_NB_INPLACE) { /* the bitwise ones have none */
        s.binary = t->nb->nb_inplace[op];
        s.off = IX_NB_HOOK_OFF(t, nb_inplace[op]);
    }
    return s;
}

static bool slot_set(Slot s)
{
    return s.binary || s.ternary;
}

static bool slot_same(Slot x, Slot y)
{
    return x.binary == y.binary && x.ternary == y.ternary;
}

/* Run the slot of type t on (a, b[, m]): a checked result, NotImplemented included. */
/* A heap type's slot may call back into the protocol (ABI.md 3.9: recursion through the
 * host stops before the stack runs out); a builtin's never does. */
static bool too_deep(IxContext *ctx, IxTypeObject *t)
{
    return !(t->flags & IX_TF_BUILTIN) && ix_stack_exhausted(ctx, "in a number operation");
}

static IxObject *call_slot(IxContext *ctx, IxTypeObject *t, Slot s, IxObject *a, IxObject *b, IxObject *m,
                           const char *dunder)
{
    if (too_deep(ctx, t)) return NULL;
    IxObject *r = IX_ENTERED_AT(ctx, t, s.off, s.ternary ? s.ternary(ctx, a, b, m) : s.binary(ctx, a, b));
    return ix_check_slot_result(ctx, r, t->name, dunder);
}

/* CPython's binary_op1: a new reference, NotImplemented when no slot answered, or NULL. */
static IxObject *binary_op1(IxContext *ctx, IxObject *a, IxObject *b, IxObject *m, int op)
{
    IxTypeObject *ta = IX_TYPE(a), *tb = IX_TYPE(b);
    Slot sa = slot_of(ta, op, false), sb = {NULL, NULL};
    if (tb != ta) {
        sb = slot_of(tb, op, false);
        if (slot_same(sa, sb)) sb = (Slot){NULL, NULL};
    }
    const char *dunder = op_dunder[op];
    if (slot_set(sa)) {
        if (slot_set(sb) && ix_is_subtype(tb, ta)) { /* the subtype's override goes first */
            IxObject *r = call_slot(ctx, tb, sb, a, b, m, dunder);
            if (!r || !is_not_implemented(ctx, r)) return r;
            IX_DECREF(ctx, r);
            sb = (Slot){NULL, NULL};
        }
        IxObject *r = call_slot(ctx, ta, sa, a, b, m, dunder);
        if (!r || !is_not_implemented(ctx, r)) return r;
        IX_DECREF(ctx, r);
    }
    if (slot_set(sb)) return call_slot(ctx, tb, sb, a, b, m, dunder);
    return ix_not_implemented(ctx);
}

static IxObject *unsupported(IxContext *ctx, IxObject *a, IxObject *b, IxObject *m, int op, bool inplace)
{
    const char *sym = inplace ? iop_symbol[op] : op_symbol[op];
    if (m && m != IX_BUILTIN(ctx, IX_NONE))
        return ix_err_format(ctx, IX_EXC_TYPEERROR, "unsupported operand type(s) for %s: '%s', '%s', '%s'", sym,
                             tname(a), tname(b), tname(m));
    return ix_err_format(ctx, IX_EXC_TYPEERROR, "unsupported operand type(s) for %s: '%s' and '%s'", sym, tname(a),
                         tname(b));
}

/* The operands must be this interpreter's (ABI.md 3.3). */
static bool refused(IxContext *ctx, IxObject *a, IxObject *b, IxObject *m)
{
    IxObject *ops[] = {a, b, m};
    for (int k = 0; k < 3; k++) {
        if (ops[k] && !ix_owned_by(ctx, ops[k])) {
            ix_err_wrong_type(ctx, "an operand of this interpreter", ops[k]);
            return true;
        }
    }
    return false;
}

static IxObject *binary(IxContext *ctx, IxObject *a, IxObject *b, IxObject *m, int op, bool inplace)
{
    if (refused(ctx, a, b, m)) return NULL;
    if (inplace) { /* CPython's binary_iop1: the left operand's in-place slot first */
        Slot si = slot_of(IX_TYPE(a), op, true);
        if (slot_set(si)) {
            IxObject *r = call_slot(ctx, IX_TYPE(a), si, a, b, m, iop_dunder[op]);
            if (!r || !is_not_implemented(ctx, r)) return r;
            IX_DECREF(ctx, r);
        }
    }
    IxObject *r = binary_op1(ctx, a, b, m, op);
    if (r && is_not_implemented(ctx, r)) {
        IX_DECREF(ctx, r);
        return unsupported(ctx, a, b, m, op, inplace);
    }
    return r;
}

#define BINARY_ENTRY(name, op)                                                                           \
    IxObject *ix_number_##name(IxContext *ctx, IxObject *a, IxObject *b) { return binary(ctx, a, b, NULL, op, false); } \
    IxObject *ix_number_inplace_##name(IxContext *ctx, IxObject *a, IxObject *b) { return binary(ctx, a, b, NULL, op, true); }
BINARY_ENTRY(add, IX_NB_ADD)
BINARY_ENTRY(subtract, IX_NB_SUBTRACT)
BINARY_ENTRY(multiply, IX_NB_MULTIPLY)
BINARY_ENTRY(true_divide, IX_NB_TRUE_DIVIDE)
BINARY_ENTRY(floor_divide, IX_NB_FLOOR_DIVIDE)
BINARY_ENTRY(remainder, IX_NB_REMAINDER)
BINARY_ENTRY(and, IX_NB_AND)
BINARY_ENTRY(or, IX_NB_OR)
BINARY_ENTRY(xor, IX_NB_XOR)
BINARY_ENTRY(lshift, IX_NB_LSHIFT)
BINARY_ENTRY(rshift, IX_NB_RSHIFT)
#undef BINARY_ENTRY

/* pow(a, b, mod): mod is None for the two-argument form. The third operand's own slot is
 * not asked (CPython asks it last; no builtin answers it). */
IxObject *ix_number_power(IxContext *ctx, IxObject *a, IxObject *b, IxObject *mod)
{
    return binary(ctx, a, b, mod, IX_NB_POWER, false);
}

IxObject *ix_number_inplace_power(IxContext *ctx, IxObject *a, IxObject *b, IxObject *mod)
{
    return binary(ctx, a, b, mod, IX_NB_POWER, true);
}

/* ---------------------------------------------------------------- unary */

/* Run a unary slot of o's type, checked; NULL with `none_msg` (formatted with o's type
 * name) when the type has none. */
static IxObject *unary_at(IxContext *ctx, IxObject *o, size_t off, const char *dunder, const char *none_msg)
{
    IxUnaryProc fn = *(const IxUnaryProc *)ix_hook_field(IX_TYPE(o), off);
    if (refused(ctx, o, NULL, NULL)) return NULL;
    if (!fn) return ix_err_format(ctx, IX_EXC_TYPEERROR, none_msg, tname(o));
    IxTypeObject *t = IX_TYPE(o);
    if (too_deep(ctx, t)) return NULL;
    return ix_check_slot_result(ctx, IX_ENTERED_AT(ctx, t, off, fn(ctx, o)), t->name, dunder);
}

/* A unary slot by its field's name: the offset tells whose code it is (ABI.md 5.5). */
#define UNARY(ctx, o, f, dunder, none_msg) \
    unary_at(ctx, o, IX_HOOK_IN_NB | offsetof(IxNumberSlots, f), dunder, none_msg)

IxObject *ix_number_negative(IxContext *ctx, IxObject *o)
{
    return UNARY(ctx, o, nb_negative, "__neg__", "bad operand type for unary -: '%s'");
}

IxObject *ix_number_positive(IxContext *ctx, IxObject *o)
{
    return UNARY(ctx, o, nb_positive, "__pos__", "bad operand type for unary +: '%s'");
}

IxObject *ix_number_absolute(IxContext *ctx, IxObject *o)
{
    return UNARY(ctx, o, nb_absolute, "__abs__", "bad operand type for abs(): '%s'");
}

IxObject *ix_number_invert(IxContext *ctx, IxObject *o)
{
    return UNARY(ctx, o, nb_invert, "__invert__", "bad operand type for unary ~: '%s'");
}

/* An exact int for an int or bool (the int of the same value). */
static IxObject *exact_int(IxContext *ctx, IxObject *o)
{
    if (IX_IS(ctx, o, IX_TYPE_BOOL)) return ix_long_from_int64(ctx, ((IxIntObject *)o)->value);
    IX_INCREF(o);
    return o;
}

/* A converter slot's result must be of the type it promises: else TypeError, like
 * CPython's "__index__ returned non-int (type str)". */
static IxObject *require(IxContext *ctx, IxObject *r, bool ok, const char *msg, const char *owner)
{
    if (!r || ok) return r;
    if (owner) ix_err_format(ctx, IX_EXC_TYPEERROR, msg, owner, tname(r));
    else ix_err_format(ctx, IX_EXC_TYPEERROR, msg, tname(r));
    IX_DECREF(ctx, r);
    return NULL;
}

IxObject *ix_number_index(IxContext *ctx, IxObject *o)
{
    if (refused(ctx, o, NULL, NULL)) return NULL;
    if (ix_is_int(ctx, o)) return exact_int(ctx, o);
    IxObject *r = UNARY(ctx, o, nb_index, "__index__", "'%s' object cannot be interpreted as an integer");
    r = require(ctx, r, r && ix_is_int(ctx, r), "__index__ returned non-int (type %s)", NULL);
    if (!r) return NULL;
    IxObject *e = exact_int(ctx, r);
    IX_DECREF(ctx, r);
    return e;
}

/* The text of a str or bytes, for int() and float(): NULL with `what` (a ValueError naming
 * the text's repr, as CPython's) when a NUL inside would cut it short. */
static const char *text_of(IxContext *ctx, IxObject *o, const char *what)
{
    bool str = IX_IS(ctx, o, IX_TYPE_STR);
    const char *p = str ? ((IxStrObject *)o)->data : (const char *)((IxBytesObject *)o)->data;
    size_t n = str ? ((IxStrObject *)o)->len : ((IxBytesObject *)o)->len;
    if (!memchr(p, 0, n)) return p;
    IxObject *r = ix_repr(ctx, o);
    if (r) ix_err_format(ctx, IX_EXC_VALUEERROR, "%s: %.200s", what, ((IxStrObject *)r)->data);
    IX_XDECREF(ctx, r);
    return NULL;
}

/* int("12"), int(b"12"): base 10, as IxLong_FromString reads it. */
static IxObject *long_from_text(IxContext *ctx, IxObject *o)
{
    const char *p = text_of(ctx, o, "invalid literal for int() with base 10");
    return p ? ix_long_from_string(ctx, p, 10) : NULL;
}

/* int(x) for a float: truncated toward zero, exactly. */
static IxObject *long_from_double(IxContext *ctx, double d)
{
    if (isnan(d)) return ix_err_format(ctx, IX_EXC_VALUEERROR, "cannot convert float NaN to integer");
    if (isinf(d)) return ix_err_format(ctx, IX_EXC_OVERFLOWERROR, "cannot convert float infinity to integer");
    d = trunc(d);
    if (d > -0x1p63 && d < 0x1p63) return ix_long_from_int64(ctx, (int64_t)d);
    int e;
    double f = frexp(fabs(d), &e); /* |d| = f * 2^e, e > 63: an integer of 53 bits << (e - 53) */
    IxObject *top = ix_long_from_int64(ctx, (int64_t)ldexp(f, 53));
    IxObject *two = ix_long_from_int64(ctx, 2), *sh = ix_long_from_int64(ctx, e - 53);
    IxObject *scale = top && two && sh ? ix_long_power(ctx, two, sh, NULL) : NULL;
    IxObject *r = scale ? ix_long_binary(ctx, top, scale, IX_NB_MULTIPLY) : NULL;
    IX_XDECREF(ctx, top);
    IX_XDECREF(ctx, two);
    IX_XDECREF(ctx, sh);
    IX_XDECREF(ctx, scale);
    if (r && d < 0) {
        IxObject *n = ix_long_negative(ctx, r);
        IX_DECREF(ctx, r);
        r = n;
    }
    return r;
}

IxObject *ix_number_long(IxContext *ctx, IxObject *o)
{
    if (refused(ctx, o, NULL, NULL)) return NULL;
    if (ix_is_int(ctx, o)) return exact_int(ctx, o);
    if (IX_IS(ctx, o, IX_TYPE_FLOAT)) return long_from_double(ctx, ((IxFloatObject *)o)->value);
    if (IX_IS(ctx, o, IX_TYPE_STR) || IX_IS(ctx, o, IX_TYPE_BYTES)) return long_from_text(ctx, o);
    IxTypeObject *t = IX_TYPE(o);
    if (t->nb->nb_int) {
        IxObject *r = UNARY(ctx, o, nb_int, "__int__", NULL);
        r = require(ctx, r, r && ix_is_int(ctx, r), "__int__ returned non-int (type %s)", NULL);
        if (!r) return NULL;
        IxObject *e = exact_int(ctx, r);
        IX_DECREF(ctx, r);
        return e;
    }
    if (t->nb->nb_index) return ix_number_index(ctx, o);
    return ix_err_format(ctx, IX_EXC_TYPEERROR,
                         "int() argument must be a string, a bytes-like object or a real number, not '%s'", tname(o));
}

static bool is_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* float("1.5"): Python's float literals -- decimal digits with an optional point and
 * exponent, or inf/infinity/nan -- with surrounding whitespace; no hex, no "nan(...)",
 * no underscores. strtod reads it; the characters are checked first, so a locale's
 * decimal comma cannot make it read something else. */
static IxObject *float_from_text(IxContext *ctx, IxObject *o)
{
    const char *what = "could not convert string to float";
    const char *s = text_of(ctx, o, what), *p = s;
    if (!s) return NULL;
    while (is_space(*p)) p++;
    const char *q = p + (*p == '+' || *p == '-');
    bool word = !strncasecmp(q, "inf", 3) || !strncasecmp(q, "nan", 3);
    char *end = NULL;
    double d = strtod(p, &end);
    bool ok = end != p && (!word || end - q == 3 || (end - q == 8 && !strncasecmp(q, "infinity", 8)));
    for (const char *c = q; ok && !word && c < end; c++) ok = strchr("0123456789.eE+-", *c) != NULL;
    while (ok && is_space(*end)) end++;
    if (!ok || *end) return ix_err_format(ctx, IX_EXC_VALUEERROR, "%s: '%.200s'", what, s);
    return ix_float_from_double(ctx, d);
}

IxObject *ix_number_float(IxContext *ctx, IxObject *o)
{
    if (refused(ctx, o, NULL, NULL)) return NULL;
    if (IX_IS(ctx, o, IX_TYPE_FLOAT)) {
        IX_INCREF(o);
        return o;
    }
    if (ix_is_int(ctx, o)) {
        double d = ix_float_as_double(ctx, o);
        return ix_err_pending(ctx) ? NULL : ix_float_from_double(ctx, d);
    }
    if (IX_IS(ctx, o, IX_TYPE_STR)) return float_from_text(ctx, o);
    IxTypeObject *t = IX_TYPE(o);
    if (t->nb->nb_float) {
        IxObject *r = UNARY(ctx, o, nb_float, "__float__", NULL);
        return require(ctx, r, r && IX_IS(ctx, r, IX_TYPE_FLOAT), "%s.__float__ returned non-float (type %s)",
                       t->name);
    }
    if (t->nb->nb_index) {
        IxObject *i = ix_number_index(ctx, o);
        IxObject *r = i ? ix_number_float(ctx, i) : NULL;
        IX_XDECREF(ctx, i);
        return r;
    }
    return ix_err_format(ctx, IX_EXC_TYPEERROR, "float() argument must be a string or a real number, not '%s'",
                         tname(o));
}

/* ---------------------------------------------------------------- truth */

/* CPython's PyObject_IsTrue past the builtins: nb_bool, then the length, else true. */
int ix_number_bool(IxContext *ctx, IxObject *o)
{
    IxTypeObject *t = IX_TYPE(o);
    if (t->nb->nb_bool) {
        int r = IX_ENTERED_AT(ctx, t, IX_NB_HOOK_OFF(t, nb_bool), t->nb->nb_bool(ctx, o));
        return (int)ix_check_slot_int(ctx, r < 0 ? -1 : r != 0, t->name, "__bool__");
    }
    if (t->pr->mp_length || t->pr->sq_length) {
        int64_t n = ix_length(ctx, o);
        return n < 0 ? -1 : n > 0;
    }
    return 1;
}
