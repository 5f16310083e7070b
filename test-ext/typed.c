/*
 * typed -- typed functions (ABI 1.3, ABI.md 4.30-4.39): every type letter, as parameter and
 * as result, a type's typed method, and the ways a typed function can misbehave.
 *
 *   add1(l) -> l          x + 1 (the typed call's benchmark: the least a function can do)
 *   add(l, l) -> l        a + b, wrapping
 *   half(d) -> d          x / 2
 *   negate(b) -> b        not x
 *   upper(s) -> s         ASCII letters upper-cased
 *   reverse(y) -> y       the bytes in reverse order
 *   describe(l, d, b, s, y) -> s   "l=1 d=2.5 b=true s=text y=3 bytes": every letter at once
 *   checked(l) -> l       x, or ValueError "negative: -3" for x < 0 (errors in a batch)
 *   fail_noerr(l) -> l    returns -1 without setting an error
 *   ok_with_err(l) -> l   sets ValueError "left set" and returns 0
 *   wrong_result(s) -> s  returns a bytes object for its str result
 *   no_result(s) -> s     returns 0 with no object
 *   busy(l) -> l          spins x microseconds, returns x (a typed call in flight while the
 *                         interpreter closes)
 *   plain(x)              an ordinary function: not typed
 *   bad_type()           makes typed.Bad, whose typed method 'f' has the signature "l:x" (4.32)
 *   Acc()                 a type with a typed method add(l) -> l: adds to its total, returns it;
 *                         a typed class method is_type(b) -> b (x and the class is a type) and a
 *                         typed static method twice(d) -> d (2x; -1 if it got a self)
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "isolex.h"

static int add1(IxContext *ctx, IxObject *m, const IxValue *a, IxValue *r)
{
    r->i = a[0].i + 1;
    return 0;
}

static int add(IxContext *ctx, IxObject *m, const IxValue *a, IxValue *r)
{
    r->i = (int64_t)((uint64_t)a[0].i + (uint64_t)a[1].i);
    return 0;
}

static int half(IxContext *ctx, IxObject *m, const IxValue *a, IxValue *r)
{
    r->d = a[0].d / 2;
    return 0;
}

static int negate(IxContext *ctx, IxObject *m, const IxValue *a, IxValue *r)
{
    r->i = !a[0].i;
    return 0;
}

static int upper(IxContext *ctx, IxObject *m, const IxValue *a, IxValue *r)
{
    char *s = IxMem_Malloc(ctx, a[0].buf.len + 1);
    if (!s) return -1;
    for (size_t i = 0; i < a[0].buf.len; i++) {
        char c = a[0].buf.data[i];
        s[i] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
    }
    r->obj = IxStr_FromUTF8(ctx, s, a[0].buf.len);
    IxMem_Free(ctx, s);
    return r->obj ? 0 : -1;
}

static int reverse(IxContext *ctx, IxObject *m, const IxValue *a, IxValue *r)
{
    uint8_t *b = IxMem_Malloc(ctx, a[0].buf.len + 1);
    if (!b) return -1;
    for (size_t i = 0; i < a[0].buf.len; i++) b[i] = (uint8_t)a[0].buf.data[a[0].buf.len - 1 - i];
    r->obj = IxBytes_FromData(ctx, b, a[0].buf.len);
    IxMem_Free(ctx, b);
    return r->obj ? 0 : -1;
}

static int describe(IxContext *ctx, IxObject *m, const IxValue *a, IxValue *r)
{
    char text[200];
    snprintf(text, sizeof text, "l=%lld d=%g b=%s s=%.*s y=%zu bytes", (long long)a[0].i, a[1].d,
             a[2].i ? "true" : "false", (int)a[3].buf.len, a[3].buf.data, a[4].buf.len);
    r->obj = IxStr_FromCString(ctx, text);
    return r->obj ? 0 : -1;
}

/* Spins (never sleeps: the point is a call that stays inside) for a[0] microseconds. */
static int busy(IxContext *ctx, IxObject *m, const IxValue *a, IxValue *r)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        clock_gettime(CLOCK_MONOTONIC, &t);
    } while ((t.tv_sec - t0.tv_sec) * 1000000 + (t.tv_nsec - t0.tv_nsec) / 1000 < a[0].i);
    r->i = a[0].i;
    return 0;
}

static int checked(IxContext *ctx, IxObject *m, const IxValue *a, IxValue *r)
{
    if (a[0].i < 0) {
        IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "negative: %lld", (long long)a[0].i);
        return -1;
    }
    r->i = a[0].i;
    return 0;
}

static int fail_noerr(IxContext *ctx, IxObject *m, const IxValue *a, IxValue *r)
{
    return -1;
}

static int ok_with_err(IxContext *ctx, IxObject *m, const IxValue *a, IxValue *r)
{
    IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "left set");
    r->i = 0;
    return 0;
}

static int wrong_result(IxContext *ctx, IxObject *m, const IxValue *a, IxValue *r)
{
    r->obj = IxBytes_FromData(ctx, (const uint8_t *)"b", 1);
    return r->obj ? 0 : -1;
}

static int no_result(IxContext *ctx, IxObject *m, const IxValue *a, IxValue *r)
{
    return 0;
}

static IxObject *plain(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    return Ix_NewRef(ctx, args[0]);
}

static const IxTypeSpec bad_spec;
/* Makes typed.Bad, whose typed method's signature is malformed: the error of 4.32. */
static IxObject *bad_type(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    return IxType_FromSpec(ctx, m, &bad_spec);
}

#define TYPED(name, sig) static const IxTypedDef name##_def = {sig, name}
TYPED(add1, "l:l");
TYPED(add, "ll:l");
TYPED(half, "d:d");
TYPED(negate, "b:b");
TYPED(upper, "s:s");
TYPED(reverse, "y:y");
TYPED(describe, "ldbsy:s");
TYPED(checked, "l:l");
TYPED(fail_noerr, "l:l");
TYPED(ok_with_err, "l:l");
TYPED(wrong_result, "s:s");
TYPED(no_result, "s:s");
TYPED(busy, "l:l");

#define FN(name, n, doc) {#name, IX_TYPEDDEF(&name##_def), n, n, IX_METH_TYPED, doc}
static const IxMethodDef functions[] = {
    FN(add1, 1, "add1(x: l) -> l: x + 1"),
    FN(add, 2, "add(a: l, b: l) -> l"),
    FN(half, 1, "half(x: d) -> d"),
    FN(negate, 1, "negate(x: b) -> b"),
    FN(upper, 1, "upper(s: s) -> s"),
    FN(reverse, 1, "reverse(b: y) -> y"),
    FN(describe, 5, "describe(l, d, b, s, y) -> s"),
    FN(checked, 1, "checked(x: l) -> l, ValueError for x < 0"),
    FN(fail_noerr, 1, "fails without an error"),
    FN(ok_with_err, 1, "succeeds with an error set"),
    FN(wrong_result, 1, "returns bytes for its str result"),
    FN(no_result, 1, "returns no object"),
    FN(busy, 1, "busy(us: l) -> l: spins us microseconds"),
    {"plain", plain, 1, 1, 0, "plain(x) -> x: not typed"},
    {"bad_type", bad_type, 0, 0, 0, "bad_type(): makes a type with a malformed typed method"},
    IX_METHODS_END,
};

/* ---------------------------------------------------------------- Acc: a typed method */

typedef struct {
    IxObject_HEAD
    int64_t total;
} Acc;

static int acc_add(IxContext *ctx, IxObject *self, const IxValue *a, IxValue *r)
{
    Acc *acc = (Acc *)self;
    acc->total += a[0].i;
    r->i = acc->total;
    return 0;
}
static const IxTypedDef acc_add_def = {"l:l", acc_add};

/* A class method and a static method: the class, and no self (ABI.md 5.9). */
static int acc_is_type(IxContext *ctx, IxObject *cls, const IxValue *a, IxValue *r)
{
    r->i = cls && IxType_GetName(ctx, cls) != NULL && a[0].i;
    return 0;
}
static const IxTypedDef acc_is_type_def = {"b:b", acc_is_type};

static int acc_twice(IxContext *ctx, IxObject *none, const IxValue *a, IxValue *r)
{
    r->d = none ? -1 : 2 * a[0].d;
    return 0;
}
static const IxTypedDef acc_twice_def = {"d:d", acc_twice};

/* A type whose typed method breaks 4.32 (made on demand by bad_type()). */
static int never(IxContext *ctx, IxObject *self, const IxValue *a, IxValue *r)
{
    return 0;
}
static const IxTypedDef bad_method_def = {"l:x", never};
static const IxMethodDef bad_methods[] = {
    {"f", IX_TYPEDDEF(&bad_method_def), 1, 1, IX_METH_TYPED, NULL},
    IX_METHODS_END,
};
static const IxTypeSlot bad_slots[] = {
    {IX_tp_methods, (void *)bad_methods},
    {0, NULL},
};
static const IxTypeSpec bad_spec = {"typed.Bad", sizeof(IxObject), IX_TPFLAGS_DEFAULT, bad_slots};

static IxObject *acc_new(IxContext *ctx, IxObject *type, IxObject *const *args, size_t nargs)
{
    return IxType_GenericAlloc(ctx, type);
}

static const IxMethodDef acc_methods[] = {
    {"add", IX_TYPEDDEF(&acc_add_def), 1, 1, IX_METH_TYPED, "add(x: l) -> l: the new total"},
    {"is_type", IX_TYPEDDEF(&acc_is_type_def), 1, 1, IX_METH_TYPED | IX_METH_CLASS, "is_type(x: b) -> b: a class method"},
    {"twice", IX_TYPEDDEF(&acc_twice_def), 1, 1, IX_METH_TYPED | IX_METH_STATIC, "twice(x: d) -> d: a static method"},
    IX_METHODS_END,
};

static const IxTypeSlot acc_slots[] = {
    {IX_tp_new, (void *)acc_new},
    {IX_tp_methods, (void *)acc_methods},
    {0, NULL},
};

static const IxTypeSpec acc_spec = {"typed.Acc", sizeof(Acc), IX_TPFLAGS_DEFAULT, acc_slots};

static int typed_exec(IxContext *ctx, IxObject *module)
{
    IxObject *t = IxType_FromSpec(ctx, module, &acc_spec);
    if (!t) return -1;
    int rc = IxModule_AddType(ctx, module, t);
    Ix_Decref(ctx, t);
    return rc;
}

static const IxModuleSlot slots[] = {
    {IX_MOD_EXEC, (void *)typed_exec},
    {0, NULL},
};

static const IxModuleDef def = {
    IX_MODULEDEF_HEAD,
    .name = "typed",
    .doc = "typed functions (ABI 1.3)",
    .methods = functions,
    .slots = slots,
};

IX_MODINIT(typed)
{
    return &def;
}
