/*
 * scenarios_inject.c -- allocation-failure injection: every error path, swept.
 *
 *   ixdriver inject [[debug:]CASE|all] [N|step=S]
 *
 * The cases: counter, fact, probe, lifecycle, cycles, raiser, legacy (legacy_point),
 * create (create_nonmodule_ok), containers (the core's own dict/list/str/tuple paths),
 * queues (test-ext/channels: queues and shared buffers), value-api (the JNI bridge's
 * path: handles, conversions, IXH_TOO_BIG + ixh_expand), definition (ixh_module_definition
 * of counter and legacy_point), bigint (test-ext/bigops and ints of any size), xxlimited and
 * vector (the ported extensions, ABI 1.2), numbers (the number protocol on big ints, floats
 * and test-ext/numeric). leaky is left out: it leaks on purpose.
 *
 * For each case of the table below (a short piece of ordinary work: import a module and
 * exercise it), first a measuring run on a fresh interpreter counts the allocations the
 * case makes, K (ixh_interp_allocations before and after). Then for n = 1..K, and for a few
 * n past K, which stay armed into ixh_leave and ixh_interp_close: a fresh interpreter,
 * ixh_interp_fail_allocation(interp, n), the case again. Each run must end one of two ways:
 *
 *   - every step succeeds (the injected failure was absorbed by someone who could do
 *     without the memory), with exactly the values of the measuring run; or
 *   - a step fails with MemoryError, or with an error whose cause chain holds one (an
 *     import failing in exec: "ImportError ... <- MemoryError: out of memory"). Steps that
 *     raise on purpose (raiser.raise_own, a missing attribute) may raise their own error
 *     or MemoryError. The case stops there, drops what it holds, and runs again in the
 *     same interpreter without injection: that must succeed (a failure leaves the
 *     interpreter usable, not half-changed).
 *
 * and then, either way, ixh_interp_close must return 0 (nothing leaked) and the process
 * must be back to zero: no live bytes, no interpreter, no library mapped. A crash is the
 * other possible outcome; under the asan variant (asan-inject) any memory error in the
 * core is one. Prints per case
 *
 *   inject: counter: K allocations swept, all clean (R runs: F failed with MemoryError,
 *           A absorbed, C armed into close)
 *
 * (on one line) and a total. CASE runs one case, N one n of it (for minimizing a failure: every run
 * prints its step and error with IXD_INJECT_VERBOSE=1 in the environment); step=S sweeps
 * every S-th n only (n = 1, 1+S, ...; memcheck-inject uses it to stay short). "debug:"
 * opens every interpreter in debug mode (ABI.md 10) and requires an empty violation log
 * after each run as well: an error path that drops a reference too many or frees twice is
 * a bug even when nothing leaks (driver-inject-debug, asan-inject-debug).
 *
 * The driver's own calls (making argument ints and strs, building the nested value for
 * probe.echo) allocate in the interpreter too, so they are swept like everything else:
 * their failure is a MemoryError like any other.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "wire_read.h"

#define MAX_HELD 256
#define CLOSE_EXTRA 8       /* n = K+1 .. K+CLOSE_EXTRA: armed into leave and close */
#define WIRE_SIZE 4096

typedef struct Run {
    IxInterp *interp;
    IxContext *ctx;          /* NULL while the case is outside (the value API) */
    int strict;              /* values checked exactly (every run on a fresh interpreter) */
    jmp_buf failed;          /* where a failed step goes */
    IxObject *held[MAX_HELD];
    int nheld;
    int64_t handles[MAX_HELD];
    int nhandles;
    const char *step;        /* the step that failed, its line, and its error text */
    int line;
    char error[1024];
} Run;

typedef void CaseFn(Run *r);

/* ---------------------------------------------------------------- steps */

_Noreturn static void step_failed(Run *r, const char *error, const char *what, int line)
{
    snprintf(r->error, sizeof r->error, "%s", error ? error : "(no error set)");
    r->step = what;
    r->line = line;
    longjmp(r->failed, 1);
}

/* The pending error of r->ctx ends the step: it is recorded and cleared. */
_Noreturn static void ctx_failed(Run *r, const char *what, int line)
{
    char buf[1024];
    const char *text = ixh_error_text(r->ctx, buf, sizeof buf);
    IxErr_Clear(r->ctx);
    step_failed(r, text, what, line);
}

static IxObject *hold(Run *r, IxObject *o, const char *what, int line)
{
    if (!o) ctx_failed(r, what, line);
    if (r->nheld == MAX_HELD) ixd_fail(__FILE__, line, "  inject: more than %d objects held", MAX_HELD);
    r->held[r->nheld++] = o;
    return o;
}

static void rc_ok(Run *r, int rc, const char *what, int line)
{
    if (rc < 0) ctx_failed(r, what, line);
}

/* A step that raises on purpose: its own error (pattern) passes and is cleared; any
 * other error ends the case like a failed step (and must then be a MemoryError). */
static void raises(Run *r, int got_result, const char *pattern, const char *what, int line)
{
    char buf[1024];
    const char *text;
    if (got_result)
        ixd_fail(__FILE__, line, "  check:    %s\n  expected: error \"%s\"\n  actual:   a result",
                 what, pattern);
    text = ixh_error_text(r->ctx, buf, sizeof buf);
    if (text && ixd_match(pattern, text)) {
        IxErr_Clear(r->ctx);
        return;
    }
    ctx_failed(r, what, line);
}

/* A new reference kept until the run ends; a NULL result ends the case. */
#define H(expr) hold(r, (expr), #expr, __LINE__)
/* An int-returning call that fails with -1. */
#define RC(expr) rc_ok(r, (expr), #expr, __LINE__)
/* A call that must raise pattern (object result / -1 result / IxLong_AsInt64). */
#define RAISES(expr, pattern) \
    do { IxObject *raises_o_ = (expr); if (raises_o_) hold(r, raises_o_, #expr, __LINE__); \
         raises(r, raises_o_ != NULL, (pattern), #expr, __LINE__); } while (0)
#define RAISES_RC(expr, pattern) raises(r, (expr) != -1, (pattern), #expr, __LINE__)

static int64_t int_of(Run *r, IxObject *o, int line)
{
    int64_t v;
    if (Ix_IsInstance(r->ctx, o, Ix_Builtin(r->ctx, IX_TYPE_INT)) != 1)
        ixd_fail(__FILE__, line, "  inject: expected an int result");
    v = IxLong_AsInt64(r->ctx, o);
    if (v == -1 && IxErr_Occurred(r->ctx)) ctx_failed(r, "IxLong_AsInt64", line);
    return v;
}

/* str(o) (repr(o) when repr is set) into buf. */
static const char *text_of(Run *r, IxObject *o, int repr, char *buf, size_t cap, int line)
{
    IxObject *s = hold(r, repr ? Ix_Repr(r->ctx, o) : Ix_Str(r->ctx, o),
                       repr ? "Ix_Repr" : "Ix_Str", line);
    size_t n = 0;
    const char *u = IxStr_AsUTF8(r->ctx, s, &n);
    if (!u) ctx_failed(r, "IxStr_AsUTF8", line);
    snprintf(buf, cap, "%.*s", (int)n, u);
    return buf;
}

#define INT_OF(expr) int_of(r, H(expr), __LINE__)
#define STR_OF(expr, buf) text_of(r, H(expr), 0, (buf), sizeof(buf), __LINE__)
#define REPR_OF(expr, buf) text_of(r, H(expr), 1, (buf), sizeof(buf), __LINE__)

/* obj.method(ints...), each int made here as a held step. */
static IxObject *call_ints(Run *r, IxObject *obj, const char *method, const int64_t *v,
                           size_t n, int line)
{
    IxObject *args[8];
    size_t i;
    for (i = 0; i < n && i < 8; i++)
        args[i] = hold(r, IxLong_FromInt64(r->ctx, v[i]), "IxLong_FromInt64", line);
    return ixd_call(r->ctx, obj, method, args, n);
}

static IxObject *call_str(Run *r, IxObject *obj, const char *method, const char *s, int line)
{
    IxObject *arg = hold(r, IxStr_FromCString(r->ctx, s), "IxStr_FromCString", line);
    return ixd_call(r->ctx, obj, method, &arg, 1);
}

#define CALL_INTS(obj, method, ...) call_ints(r, (obj), (method), INTS(__VA_ARGS__), __LINE__)
#define CALL_STR(obj, method, s) call_str(r, (obj), (method), (s), __LINE__)
#define CALL(obj, method) ixd_call(r->ctx, (obj), (method), NULL, 0)
#define IMPORT_STEP(name) H(ixh_import_module(r->ctx, (name)))

/* ---------------------------------------------------------------- the cases */

static void case_counter(Run *r)
{
    IxContext *ctx = r->ctx;
    char buf[256];
    IxObject *counter = IMPORT_STEP("counter");
    IxObject *type = H(Ix_GetAttr(ctx, counter, "Counter"));
    IxObject *c = H(CALL_INTS(type, NULL, 5, 2));
    IxObject *label;

    CHECK_EQ_INT(INT_OF(CALL(c, "increment")), 7);
    CHECK_EQ_INT(INT_OF(CALL_INTS(c, "add", 3)), 10);
    label = H(IxStr_FromCString(ctx, "hello"));
    RC(Ix_SetAttr(ctx, c, "label", label));
    CHECK_EQ_STR(STR_OF(Ix_GetAttr(ctx, c, "label"), buf), "hello");
    CHECK_EQ_STR(STR_OF(Ix_Repr(ctx, c), buf), "Counter(value=10, step=2, label='hello')");
    CHECK_EQ_INT(INT_OF(ixd_call(ctx, counter, "value_of", &c, 1)), 10);
    if (r->strict)
        CHECK_EQ_INT(INT_OF(CALL(counter, "created")), 1);
    else
        CHECK(INT_OF(CALL(counter, "created")) >= 1);
}

#define FACT_30 "265252859812191058636308480000000"

static void case_fact(Run *r)
{
    char buf[256];
    IxObject *fact = IMPORT_STEP("fact");
    CHECK_EQ_STR(STR_OF(CALL_INTS(fact, "factorial", 30), buf), FACT_30);
    CHECK_EQ_INT(INT_OF(CALL_INTS(fact, "digits", 100)), 158);
    CHECK_EQ_INT(INT_OF(CALL_INTS(fact, "factorial_digits", 50)), 65);
}

/* Ints of any size (ABI.md 3.10): made by an extension from bytes, parsed, printed. */
static void case_bigint(Run *r)
{
    IxContext *ctx = r->ctx;
    char buf[512];
    IxObject *bigops = IMPORT_STEP("bigops");
    CHECK_EQ_STR(REPR_OF(CALL_INTS(bigops, "fact", 40), buf), "815915283247897734345611269596115894272000000000");
    IxObject *big = H(IxLong_FromString(ctx, "-1" "0000000000" "0000000000" "0000000000", 10));
    CHECK_EQ_STR(REPR_OF(Ix_Repr(ctx, big), buf), "'-1000000000000000000000000000000'");
    static const uint8_t two_64[9] = {0, 0, 0, 0, 0, 0, 0, 0, 1};
    IxObject *b = H(IxLong_FromBytes(ctx, two_64, sizeof two_64, 1, 0));
    CHECK_EQ_INT(IxLong_AsBytes(ctx, b, NULL, 0, 1, 1), 9);
    CHECK_EQ_INT(Ix_RichCompareBool(ctx, big, b, IX_LT), 1);
}

/* The number protocol on big ints and floats, and a heap type's number slots. */
static void case_numbers(Run *r)
{
    IxContext *ctx = r->ctx;
    char buf[512];
    IxObject *none = Ix_None(ctx);
    IxObject *a = H(IxLong_FromString(ctx, "-123456789012345678901234567890", 10));
    IxObject *b = H(IxLong_FromString(ctx, "98765432109876543210", 10));
    IxObject *seven = H(IxLong_FromInt64(ctx, 7)), *m1 = H(IxLong_FromInt64(ctx, -1));
    IxObject *half = H(IxFloat_FromDouble(ctx, 0.5)), *f = H(IxFloat_FromDouble(ctx, 1e30));
    CHECK_EQ_STR(REPR_OF(IxNumber_Multiply(ctx, a, b), buf), "-12193263113702179522496570642237463801111263526900");
    CHECK_EQ_STR(REPR_OF(IxNumber_FloorDivide(ctx, a, b), buf), "-1249999989");
    CHECK_EQ_STR(REPR_OF(IxNumber_Remainder(ctx, a, b), buf), "38580246902623456800");
    CHECK_EQ_STR(REPR_OF(IxNumber_TrueDivide(ctx, a, b), buf), "-1249999988.609375");
    CHECK_EQ_STR(REPR_OF(IxNumber_Power(ctx, seven, m1, b), buf), "28218694888536155203");
    CHECK_EQ_STR(REPR_OF(IxNumber_Power(ctx, b, seven, none), buf),
                 "91671592762853624126804408317470182510325664005734739872924478037410579868582329016620206643765575399543430330992509053774622131706410000000");
    CHECK_EQ_STR(REPR_OF(IxNumber_And(ctx, a, b), buf), "20213295392617428010");
    CHECK_EQ_STR(REPR_OF(IxNumber_Xor(ctx, a, b), buf), "-123456788954006837576592880700");
    CHECK_EQ_STR(REPR_OF(IxNumber_Rshift(ctx, a, H(IxLong_FromInt64(ctx, 40))), buf), "-112283295504626657");
    CHECK_EQ_STR(REPR_OF(IxNumber_Invert(ctx, a), buf), "123456789012345678901234567889");
    CHECK_EQ_STR(REPR_OF(IxNumber_Long(ctx, f), buf), "1000000000000000019884624838656");
    CHECK_EQ_STR(REPR_OF(IxNumber_Add(ctx, a, half), buf), "-1.2345678901234568e+29");
    RAISES(IxNumber_Add(ctx, a, H(IxStr_FromCString(ctx, "s"))), "TypeError: unsupported operand type(s) for +: 'int' and 'str'");
    IxObject *numeric = IMPORT_STEP("numeric");
    IxObject *n = H(CALL_INTS(numeric, "num", 3));
    CHECK_EQ_STR(REPR_OF(IxNumber_Subtract(ctx, seven, n), buf), "numeric.Num(4)");
    CHECK_EQ_INT(INT_OF(IxNumber_Index(ctx, n)), 3);
}

static void case_probe(Run *r)
{
    static const char *const kinds[] = { "list", "dict", "tuple", "str", "bytes", "int", "float" };
    IxContext *ctx = r->ctx;
    char buf[256];
    IxObject *probe = IMPORT_STEP("probe");
    IxObject *pair[2], *inner, *d, *list, *echoed;
    size_t i;

    /* [1, 'two', b'three', (4.5, None), {'k': [True]}] */
    pair[0] = H(IxFloat_FromDouble(ctx, 4.5));
    pair[1] = Ix_None(ctx);
    inner = H(IxList_New(ctx));
    RC(IxList_Append(ctx, inner, Ix_Builtin(ctx, IX_TRUE)));
    d = H(IxDict_New(ctx));
    RC(IxDict_SetItem(ctx, d, H(IxStr_FromCString(ctx, "k")), inner));
    list = H(IxList_New(ctx));
    RC(IxList_Append(ctx, list, H(IxLong_FromInt64(ctx, 1))));
    RC(IxList_Append(ctx, list, H(IxStr_FromCString(ctx, "two"))));
    RC(IxList_Append(ctx, list, H(IxBytes_FromData(ctx, "three", 5))));
    RC(IxList_Append(ctx, list, H(IxTuple_FromArray(ctx, pair, 2))));
    RC(IxList_Append(ctx, list, d));

    echoed = H(ixd_call(ctx, probe, "echo", &list, 1));
    CHECK(echoed == list);
    CHECK_EQ_STR(REPR_OF(Ix_NewRef(ctx, echoed), buf),
                 "[1, 'two', b'three', (4.5, None), {'k': [True]}]");
    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        IxObject *made = H(CALL_STR(probe, "make", kinds[i]));
        CHECK_EQ_STR(IxType_GetName(ctx, Ix_Type(ctx, made)), kinds[i]);
    }
    CHECK(Ix_IsNone(ctx, H(CALL_INTS(probe, "alloc", 8))));
    if (r->strict) CHECK_EQ_INT(INT_OF(CALL(probe, "alloc_count")), 1);
}

static void case_lifecycle(Run *r)
{
    char buf[64];
    IxObject *lifecycle = IMPORT_STEP("lifecycle");
    CHECK_EQ_STR(REPR_OF(CALL(lifecycle, "order"), buf), "[1, 2, 3]");
    if (r->strict)
        CHECK_EQ_INT(INT_OF(CALL(lifecycle, "incr")), 1);
    else
        CHECK(INT_OF(CALL(lifecycle, "incr")) >= 1);
}

/* Collect from outside (ixh_interp_collect refuses a thread inside), then enter again. */
static int64_t collect(Run *r)
{
    int64_t n;
    ixh_leave(r->ctx);
    r->ctx = NULL;
    n = ixh_interp_collect(r->interp);
    r->ctx = ENTER(r->interp);
    return n;
}

static void case_cycles(Run *r)
{
    IxObject *cycles = IMPORT_STEP("cycles");
    IxObject *kept;
    int64_t garbage;
    CHECK(Ix_IsNone(r->ctx, H(CALL_INTS(cycles, "make_cycle", 3))));
    kept = H(CALL(cycles, "make_kept"));
    garbage = collect(r);
    if (r->strict) CHECK_EQ_INT(garbage, 6); /* 3 Node self-loops, 3 self-holding lists */
    else CHECK(garbage >= 6);
    CHECK(H(Ix_GetAttr(r->ctx, kept, "next")) == kept);
}

static void case_raiser(Run *r)
{
    IxContext *ctx = r->ctx;
    IxObject *raiser = IMPORT_STEP("raiser");
    IxObject *d, *key;

    RAISES(CALL_STR(raiser, "raise_own", "boom"), "raiser.RaiserError: boom");
    RAISES(CALL(raiser, "raise_value"), "ValueError: bad value");
    /* the boundary's own errors (ABI.md 6.1), one with a cause */
    RAISES(CALL(raiser, "null_no_error"),
           "SystemError: raiser.null_no_error() returned NULL without setting an error");
    RAISES(CALL(raiser, "value_with_error"),
           "SystemError: raiser.value_with_error() returned a result with an error set"
           " <- ValueError: set but returned");
    /* errors the host makes */
    RAISES(Ix_GetAttr(ctx, raiser, "no_such_name"), "AttributeError: *");
    RAISES_RC(IxLong_AsInt64(ctx, H(IxStr_FromCString(ctx, "x"))), "TypeError: expected int, got str");
    RAISES(IxStr_FromUTF8(ctx, "a\xff", 2), "ValueError: invalid UTF-8 at byte 1");
    d = H(IxDict_New(ctx));
    key = H(IxList_New(ctx));
    RAISES_RC(IxDict_SetItem(ctx, d, key, key), "TypeError: unhashable type: 'list'");
    RAISES(CALL_INTS(raiser, "raise_value", 1), "TypeError: raiser.raise_value() takes no arguments (1 given)");
}

static void case_legacy(Run *r)
{
    IxContext *ctx = r->ctx;
    char buf[64];
    IxObject *legacy = IMPORT_STEP("legacy_point");
    IxObject *point_type = H(Ix_GetAttr(ctx, legacy, "Point"));
    IxObject *p = H(Ix_Call(ctx, point_type, NULL, 0));
    RC(Ix_SetAttr(ctx, p, "x", H(IxFloat_FromDouble(ctx, 1.5))));
    CHECK_EQ_STR(STR_OF(Ix_GetAttr(ctx, p, "x"), buf), "1.5");
    CHECK(INT_OF(CALL(legacy, "count")) >= 1); /* a process-wide C global */
}

static void case_create(Run *r)
{
    char buf[64];
    IxObject *made = IMPORT_STEP("create_nonmodule_ok");
    CHECK_EQ_STR(REPR_OF(Ix_NewRef(r->ctx, made), buf), "{'made_by': 'create'}");
}

/* The containers' growth paths, long strings and errors, the repr builder, hashing. */
static void case_containers(Run *r)
{
    IxContext *ctx = r->ctx;
    IxObject *d = H(IxDict_New(ctx)), *list = H(IxList_New(ctx)), *items[20], *t, *t2;
    IxObject *key, *value, *long_str;
    char buf[2048];
    size_t pos = 0, len = 0;
    int64_t i, sum = 0;

    for (i = 0; i < 40; i++) {
        key = H(IxStr_FromFormat(ctx, "key-%02d", (int)i));
        value = H(IxLong_FromInt64(ctx, i));
        RC(IxDict_SetItem(ctx, d, key, value));
        RC(IxList_Append(ctx, list, value));
    }
    for (i = 0; i < 5; i++) RC(IxDict_DelItem(ctx, d, H(IxStr_FromFormat(ctx, "key-%02d", (int)(i * 7)))));
    CHECK_EQ_INT(IxDict_Size(ctx, d), 35);
    while (IxDict_Next(ctx, d, &pos, &key, &value)) sum += IxLong_AsInt64(ctx, value);
    CHECK_EQ_INT(sum, 780 - (0 + 7 + 14 + 21 + 28));
    RC(IxList_SetItem(ctx, list, 0, H(IxStr_FromCString(ctx, "first"))));
    CHECK_EQ_INT(IxList_Size(ctx, list), 40);
    CHECK(strncmp(REPR_OF(Ix_NewRef(ctx, d), buf), "{'key-01': 1, 'key-02': 2, ", 27) == 0);

    /* past the 256-byte stack buffers of IxStr_FromFormat and IxErr_Format */
    long_str = H(IxStr_FromFormat(ctx, "%300s|", "x"));
    CHECK(IxStr_AsUTF8(ctx, long_str, &len) != NULL && len == 301);
    IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "%300s", "long message");
    RAISES((IxObject *)NULL, "ValueError: * long message");

    for (i = 0; i < 20; i++) items[i] = H(IxLong_FromInt64(ctx, i * i));
    t = H(IxTuple_FromArray(ctx, items, 20));
    t2 = H(IxTuple_FromArray(ctx, items, 20));
    CHECK(Ix_Hash(ctx, t) == Ix_Hash(ctx, t2));
    CHECK_EQ_INT(Ix_RichCompareBool(ctx, t, t2, IX_EQ), 1);
    RC(IxDict_SetItem(ctx, d, t, t2)); /* a tuple key */
    CHECK(IxDict_GetItem(ctx, d, t2) == t2);
}

/* Queues and shared buffers (ABI.md 11) through test-ext/channels: values copied in and
 * out of a queue, a buffer by reference, the two timeouts' errors. */
static void case_queues(Run *r)
{
    IxContext *ctx = r->ctx;
    char buf[256];
    IxObject *ch = IMPORT_STEP("channels");
    IxObject *q = H(CALL_INTS(ch, "new_queue", 0)), *q1 = H(CALL_INTS(ch, "new_queue", 1));
    IxObject *zero = H(IxFloat_FromDouble(ctx, 0.0));
    IxObject *items[5], *args[3], *value, *buffer;

    items[0] = H(IxLong_FromInt64(ctx, 1));
    items[1] = H(IxStr_FromCString(ctx, "two"));
    items[2] = H(IxBytes_FromData(ctx, "3", 1));
    items[3] = H(IxFloat_FromDouble(ctx, 4.5));
    items[4] = Ix_None(ctx);
    value = H(IxTuple_FromArray(ctx, items, 5));
    args[0] = q;
    args[1] = value;
    H(ixd_call(ctx, ch, "put", args, 2));
    args[1] = items[0];
    H(ixd_call(ctx, ch, "put", args, 2));
    CHECK_EQ_INT(INT_OF(ixd_call(ctx, ch, "size", &q, 1)), 2);
    args[1] = zero;
    CHECK_EQ_STR(REPR_OF(ixd_call(ctx, ch, "get", args, 2), buf), "(1, 'two', b'3', 4.5, None)");
    CHECK_EQ_INT(INT_OF(ixd_call(ctx, ch, "get", args, 2)), 1);
    RAISES(ixd_call(ctx, ch, "get", args, 2), "QueueEmpty: *");

    buffer = H(CALL_INTS(ch, "new_buffer", 64));
    args[0] = buffer;
    args[1] = H(IxLong_FromInt64(ctx, 3));
    CHECK_EQ_INT(INT_OF(ixd_call(ctx, ch, "fill", args, 2)), 64);
    args[0] = q;
    args[1] = buffer;
    H(ixd_call(ctx, ch, "put", args, 2));
    args[1] = zero;
    value = H(ixd_call(ctx, ch, "get", args, 2));
    CHECK_EQ_INT(INT_OF(ixd_call(ctx, ch, "checksum", &value, 1)), 192);

    args[0] = q1;
    args[1] = items[0];
    args[2] = zero;
    H(ixd_call(ctx, ch, "put", args, 3));
    RAISES(ixd_call(ctx, ch, "put", args, 3), "QueueFull: *");
}

/* ---------------------------------------------------------------- the value API */

static const char *wire_text(const uint8_t *buf, size_t len, char *out, size_t cap)
{
    IxdReader rd;
    ixd_reader_init(&rd, buf, len);
    return ixd_wire_text(&rd, out, cap);
}

/* A value-API status: IXH_ERROR ends the case (the reply is the exception). */
static void wire_ok(Run *r, int status, const uint8_t *buf, size_t cap, const char *what,
                    int line)
{
    char text[1024];
    if (status == IXH_OK) return;
    wire_text(buf, cap, text, sizeof text);
    if (status == IXH_ERROR) step_failed(r, text, what, line);
    ixd_fail(__FILE__, line, "  check:    %s\n  expected: IXH_OK\n  actual:   status %d, %s",
             what, status, text);
}

static int64_t wire_handle(Run *r, const uint8_t *buf, size_t cap, int line)
{
    char type[128], text[1024];
    IxdReader rd;
    int64_t h;
    ixd_reader_init(&rd, buf, cap);
    h = ixd_read_handle(&rd, type, sizeof type);
    if (rd.bad)
        ixd_fail(__FILE__, line, "  inject: expected a handle, got %s",
                 wire_text(buf, cap, text, sizeof text));
    if (r->nhandles == MAX_HELD) ixd_fail(__FILE__, line, "  inject: too many handles");
    r->handles[r->nhandles++] = h;
    return h;
}

/* target.method(args) where args is a tuple written by fill (NULL: no arguments). */
static int wire_call(Run *r, int64_t target, const char *method, uint8_t *buf, size_t cap,
                     void (*fill)(IxWire *))
{
    IxWire w;
    ixw_init(&w, buf, cap);
    if (method) ixw_cstr(&w, method); else ixw_tag(&w, IXW_NONE);
    if (fill) fill(&w); else ixw_count(&w, IXW_TUPLE, 0);
    CHECK(!w.overflow);
    return ixh_call(r->interp, target, buf, w.len, cap);
}

static void args_5_2(IxWire *w) { ixw_count(w, IXW_TUPLE, 2); ixw_int(w, 5); ixw_int(w, 2); }
static void args_300(IxWire *w) { ixw_count(w, IXW_TUPLE, 1); ixw_int(w, 300); }
static void args_nested(IxWire *w)
{
    ixw_count(w, IXW_TUPLE, 1);
    ixw_count(w, IXW_LIST, 4);
    ixw_int(w, 1);
    ixw_cstr(w, "two");
    ixw_count(w, IXW_TUPLE, 1);
    ixw_float(w, 2.5);
    ixw_count(w, IXW_DICT, 1);
    ixw_cstr(w, "k");
    ixw_bytes(w, "xyz", 3);
}

#define WIRE_OK(expr, buf) wire_ok(r, (expr), (buf), sizeof(buf), #expr, __LINE__)

static int64_t wire_import(Run *r, const char *name, int line)
{
    uint8_t buf[WIRE_SIZE];
    IxWire w;
    ixw_init(&w, buf, sizeof buf);
    ixw_cstr(&w, name);
    wire_ok(r, ixh_import(r->interp, buf, w.len, sizeof buf), buf, sizeof buf, "ixh_import", line);
    return wire_handle(r, buf, sizeof buf, line);
}

/* What the JNI bridge does: import, attribute, calls through handles, conversions both
 * ways, a result too big for the buffer fetched with ixh_expand. Outside the interpreter
 * throughout. */
static void case_value_api(Run *r)
{
    uint8_t buf[WIRE_SIZE], small[64];
    char text[1024];
    IxdReader rd;
    int64_t counter, probe, fact, type, c, big;
    IxWire w;

    ixh_leave(r->ctx);
    r->ctx = NULL;
    counter = wire_import(r, "counter", __LINE__);
    ixw_init(&w, buf, sizeof buf);
    ixw_cstr(&w, "Counter");
    WIRE_OK(ixh_getattr(r->interp, counter, buf, w.len, sizeof buf), buf);
    type = wire_handle(r, buf, sizeof buf, __LINE__);
    WIRE_OK(wire_call(r, type, NULL, buf, sizeof buf, args_5_2), buf);
    c = wire_handle(r, buf, sizeof buf, __LINE__);
    WIRE_OK(wire_call(r, c, "increment", buf, sizeof buf, NULL), buf);
    CHECK_EQ_STR(wire_text(buf, sizeof buf, text, sizeof text), "7");
    WIRE_OK(ixh_describe(r->interp, c, buf, 0, sizeof buf), buf);
    for (int i = 0; i < 20; i++) { /* past the handle table's first 16 slots */
        ixw_init(&w, buf, sizeof buf);
        ixw_cstr(&w, "increment");
        WIRE_OK(ixh_getattr(r->interp, c, buf, w.len, sizeof buf), buf);
        wire_handle(r, buf, sizeof buf, __LINE__);
    }

    probe = wire_import(r, "probe", __LINE__);
    WIRE_OK(wire_call(r, probe, "echo", buf, sizeof buf, args_nested), buf);
    CHECK_EQ_STR(wire_text(buf, sizeof buf, text, sizeof text),
                 "[1, 'two', (2.5,), {'k': b'xyz'}]");

    fact = wire_import(r, "fact", __LINE__);
    {
        int status = wire_call(r, fact, "factorial", small, sizeof small, args_300);
        int64_t need;
        uint8_t *all;
        if (status != IXH_TOO_BIG) WIRE_OK(status, small);
        CHECK_EQ_INT(status, IXH_TOO_BIG);
        big = wire_handle(r, small, sizeof small, __LINE__);
        ixd_reader_init(&rd, small, sizeof small);
        ixd_read_handle(&rd, text, sizeof text);
        need = ixd_read_int(&rd);
        CHECK(!rd.bad && need > 615 && need < 1024);
        all = malloc((size_t)need);
        CHECK(all != NULL);
        status = ixh_expand(r->interp, big, all, 0, (size_t)need);
        if (status != IXH_OK) {
            wire_text(all, (size_t)need, text, sizeof text);
            free(all);
            if (status == IXH_ERROR) step_failed(r, text, "ixh_expand", __LINE__);
            ixd_fail(IXD_AT, "  ixh_expand: status %d", status);
        }
        ixd_reader_init(&rd, all, (size_t)need);
        {
            uint32_t n;
            ixd_read_str(&rd, &n);
            CHECK_EQ_INT(n, 615); /* 300! has 615 digits */
        }
        free(all);
    }
    r->ctx = ENTER(r->interp);
}

/* ixh_module_definition (what `isolex info` prints): counter's into a buffer too small
 * for it (IXH_TOO_BIG, then ixh_expand), then legacy_point's (static types). */
static void case_definition(Run *r)
{
    uint8_t buf[WIRE_SIZE], small[64];
    char text[1024];
    int64_t counter, legacy, kept;
    int status;

    ixh_leave(r->ctx);
    r->ctx = NULL;
    counter = wire_import(r, "counter", __LINE__);
    status = ixh_module_definition(r->interp, counter, small, 0, sizeof small);
    if (status != IXH_TOO_BIG) WIRE_OK(status, small);
    kept = wire_handle(r, small, sizeof small, __LINE__);
    WIRE_OK(ixh_expand(r->interp, kept, buf, 0, sizeof buf), buf);
    wire_text(buf, sizeof buf, text, sizeof text);
    CHECK(strncmp(text, "{'name': 'counter', ", 20) == 0);

    legacy = wire_import(r, "legacy_point", __LINE__);
    WIRE_OK(ixh_module_definition(r->interp, legacy, buf, 0, sizeof buf), buf);
    wire_text(buf, sizeof buf, text, sizeof text);
    CHECK(strstr(text, "'legacy': True") != NULL);
    r->ctx = ENTER(r->interp);
}

/* ABI 1.2: the ported extensions (extensions/xxlimited, extensions/vector). */

/* An int-returning call's result, -1 with an error ending the case (Ix_Hash: any other
 * value, negative ones included, is a result). */
static int64_t value_of(Run *r, int64_t v, const char *what, int line)
{
    if (v == -1 && IxErr_Occurred(r->ctx)) ctx_failed(r, what, line);
    return v;
}
#define VALUE(expr) value_of(r, (expr), #expr, __LINE__)
#define FLOAT_OF(expr) IxFloat_AsDouble(r->ctx, H(expr))

static void case_xxlimited(Run *r)
{
    IxContext *ctx = r->ctx;
    char buf[64];
    IxObject *m = IMPORT_STEP("xxlimited");
    CHECK_EQ_STR(REPR_OF(CALL_INTS(m, "foo", INT64_MAX, 1), buf), "9223372036854775808");
    IxObject *x = H(CALL(m, "new"));
    CHECK(H(ixd_call(ctx, x, "demo", &x, 1)) == x);
    CHECK_EQ_STR(STR_OF(CALL_STR(x, "demo", "s"), buf), "s");
    IxObject *null_type = H(Ix_GetAttr(ctx, m, "Null"));
    IxObject *n = H(CALL(null_type, NULL));
    CHECK_EQ_INT(VALUE(Ix_RichCompareBool(ctx, n, H(CALL(null_type, NULL)), IX_EQ)), 0);
    IxObject *error = H(Ix_GetAttr(ctx, m, "Error"));
    IxErr_Raise(ctx, H(CALL_STR(error, NULL, "boom")));
    RAISES(NULL, "xxlimited.Error: boom");
    RAISES(CALL_INTS(m, "roj", 1, 2), "SystemError: IxArg_Parse: invalid spec for roj(): *");
    /* attributes in x_attr (made on first set), the buffer, Str */
    RC(Ix_SetAttr(ctx, x, "spam", H(IxLong_FromInt64(ctx, 5))));
    CHECK_EQ_STR(REPR_OF(Ix_GetAttr(ctx, x, "spam"), buf), "5");
    RC(Ix_DelAttr(ctx, x, "spam"));
    RAISES_RC(Ix_DelAttr(ctx, x, "spam"), "AttributeError: delete non-existing Xxo attribute");
    IxBufferView view = {0};
    RC(Ix_GetBuffer(ctx, x, &view, IX_BUF_WRITABLE));
    ((char *)view.buf)[0] = 'x'; /* nothing that can fail before the release */
    IxBufferView_Release(ctx, &view);
    CHECK_EQ_STR(REPR_OF(Ix_GetAttr(ctx, x, "x_exports"), buf), "0");
    IxObject *str_type = H(Ix_GetAttr(ctx, m, "Str"));
    CHECK_EQ_STR(STR_OF(CALL_STR(str_type, NULL, "abc"), buf), "abc");
}

static void case_vector(Run *r)
{
    IxContext *ctx = r->ctx;
    char buf[128];
    IxObject *m = IMPORT_STEP("vector");
    IxObject *vec = H(Ix_GetAttr(ctx, m, "Vector")), *frozen = H(Ix_GetAttr(ctx, m, "FrozenVector"));
    IxObject *v = H(CALL_INTS(vec, NULL, 1, 2, 3));
    CHECK_EQ_STR(STR_OF(Ix_Repr(ctx, v), buf), "Vector(1.0, 2.0, 3.0)");
    CHECK(FLOAT_OF(Ix_GetItem(ctx, v, H(IxLong_FromInt64(ctx, -1)))) == 3.0);
    RC(Ix_SetItem(ctx, v, H(IxLong_FromInt64(ctx, 0)), H(IxFloat_FromDouble(ctx, 4.0))));
    CHECK_EQ_INT(VALUE(Ix_Contains(ctx, v, H(IxLong_FromInt64(ctx, 4)))), 1);
    IxObject *it = H(Ix_GetIter(ctx, v));
    static const double want[] = {4.0, 2.0, 3.0};
    for (size_t i = 0; i < 3; i++) CHECK(FLOAT_OF(Ix_IterNext(ctx, it)) == want[i]);
    CHECK(Ix_IterNext(ctx, it) == NULL);
    if (IxErr_Occurred(ctx)) ctx_failed(r, "Ix_IterNext", __LINE__);
    CHECK(FLOAT_OF(ixd_call(ctx, v, "dot", &v, 1)) == 29.0);
    CHECK(FLOAT_OF(CALL(v, "norm")) > 5.0);
    RAISES(Ix_GetItem(ctx, v, H(IxLong_FromInt64(ctx, 3))), "IndexError: vector index out of range");
    RAISES_RC(Ix_Hash(ctx, v), "TypeError: unhashable type: 'vector.Vector'");
    /* FrozenVector: zeros by keyword, ==, hash as a tuple's */
    IxObject *name = H(IxStr_FromCString(ctx, "n")), *two = H(IxLong_FromInt64(ctx, 2));
    IxObject *zeros = H(Ix_GetAttr(ctx, frozen, "zeros"));
    IxObject *f = H(Ix_CallKw(ctx, zeros, &two, 0, H(IxTuple_FromArray(ctx, &name, 1))));
    CHECK_EQ_STR(STR_OF(Ix_Repr(ctx, f), buf), "FrozenVector(0.0, 0.0)");
    CHECK_EQ_INT(VALUE(Ix_RichCompareBool(ctx, f, H(CALL_INTS(vec, "zeros", 2)), IX_EQ)), 1);
    IxObject *zero = H(IxFloat_FromDouble(ctx, 0.0)), *pair[2] = {zero, zero};
    CHECK(VALUE(Ix_Hash(ctx, f)) == VALUE(Ix_Hash(ctx, H(IxTuple_FromArray(ctx, pair, 2)))));
    /* arithmetic, in place, the buffer, the keyword constructor, a weak reference */
    CHECK_EQ_STR(STR_OF(Ix_Repr(ctx, H(IxNumber_Add(ctx, v, v))), buf), "Vector(8.0, 4.0, 6.0)");
    CHECK_EQ_STR(STR_OF(Ix_Repr(ctx, H(IxNumber_Multiply(ctx, two, f))), buf), "FrozenVector(0.0, 0.0)");
    RAISES(IxNumber_Add(ctx, v, f), "ValueError: vectors of different lengths for +: 3 and 2");
    CHECK(H(IxNumber_InPlaceMultiply(ctx, v, two)) == v);
    CHECK(FLOAT_OF(IxNumber_Absolute(ctx, f)) == 0.0);
    IxBufferView view = {0};
    RC(Ix_GetBuffer(ctx, v, &view, IX_BUF_WRITABLE));
    double first = ((double *)view.buf)[0]; /* nothing that can fail before the release */
    IxBufferView_Release(ctx, &view);
    CHECK(first == 8.0);
    IxObject *sized = H(IxStr_FromCString(ctx, "size"));
    CHECK_EQ_STR(STR_OF(Ix_Repr(ctx, H(Ix_CallKw(ctx, vec, &two, 0, H(IxTuple_FromArray(ctx, &sized, 1))))), buf),
                 "Vector(0.0, 0.0)");
    IxObject *ref = H(IxWeakref_New(ctx, v, NULL));
    CHECK(H(IxWeakref_GetObject(ctx, ref)) == v);
}

/* ---------------------------------------------------------------- the sweep */

typedef struct Case {
    const char *name;
    CaseFn *run;
} Case;

static const Case cases[] = {
    { "counter", case_counter },
    { "fact", case_fact },
    { "probe", case_probe },
    { "bigint", case_bigint },
    { "numbers", case_numbers },
    { "lifecycle", case_lifecycle },
    { "cycles", case_cycles },
    { "raiser", case_raiser },
    { "legacy", case_legacy },
    { "create", case_create },
    { "containers", case_containers },
    { "queues", case_queues },
    { "value-api", case_value_api },
    { "definition", case_definition },
    /* ABI 1.2: the ported extensions */
    { "xxlimited", case_xxlimited },
    { "vector", case_vector },
};
#define NCASES (sizeof cases / sizeof cases[0])

static int verbose;
static int debug_mode; /* "debug:CASE": every interpreter in debug mode (ABI.md 10) */

/* Debug mode: no violation, ever -- an error path that double-frees, drops a reference
 * too many or writes past a block is a bug even when it leaks nothing. */
static void check_no_violations(void)
{
    char log[4096];
    int64_t n;
    if (!debug_mode) return;
    n = ixh_debug_take_violations(log, sizeof log);
    if (n != 0)
        ixd_fail(IXD_AT, "  check:    no debug-mode violation\n  actual:   %" PRId64 ": %s", n, log);
}

/* Drop everything the run holds: objects from inside, then handles from outside. Ends
 * outside the interpreter. */
static void release_all(Run *r)
{
    int i;
    if (!r->ctx) r->ctx = ENTER(r->interp);
    for (i = r->nheld; i-- > 0;) Ix_Decref(r->ctx, r->held[i]);
    r->nheld = 0;
    ixh_leave(r->ctx);
    r->ctx = NULL;
    for (i = r->nhandles; i-- > 0;) CHECK_EQ_INT(ixh_release(r->interp, r->handles[i]), 0);
    r->nhandles = 0;
}

/* Run the case once, inside r->interp (entered on return too). 0: every step succeeded;
 * 1: a step failed (r->step, r->error say which and how). */
static int run_case(Run *r, const Case *c)
{
    r->nheld = r->nhandles = 0;
    r->step = NULL;
    r->error[0] = '\0';
    if (setjmp(r->failed) != 0) {
        if (!r->ctx) r->ctx = ENTER(r->interp);
        return 1;
    }
    c->run(r);
    if (IxErr_Occurred(r->ctx))
        ixd_fail(IXD_AT, "  inject: the case succeeded with an error still set: %s",
                 ixh_error_text(r->ctx, r->error, sizeof r->error));
    return 0;
}

/* MemoryError itself, or somewhere in the cause chain ("... <- MemoryError: ..."). */
static int is_memory_error(const char *text)
{
    return strncmp(text, "MemoryError: ", 13) == 0 || strstr(text, " <- MemoryError: ") != NULL;
}

typedef struct Tally {
    int64_t runs, failed, absorbed, close_armed;
    int64_t swept; /* for the total: allocations swept, over the cases */
} Tally;

/* One run with the n-th allocation failing (n = 0: the measuring run, no failure).
 * Returns the allocations the case made when n == 0. */
static int64_t sweep_one(const Case *c, int64_t n, int64_t k, Tally *t)
{
    static char detail[128];
    Run r;
    int64_t base, made;
    int failed;

    snprintf(detail, sizeof detail, "%s%s n=%" PRId64, debug_mode ? "debug:" : "", c->name, n);
    ixd_scenario_detail(detail);
    memset(&r, 0, sizeof r);
    r.interp = OPEN_MODE(debug_mode);
    r.ctx = ENTER(r.interp);
    r.strict = 1;
    base = ixh_interp_allocations(r.interp);
    if (n > 0) ixh_interp_fail_allocation(r.interp, n);
    failed = run_case(&r, c);
    made = ixh_interp_allocations(r.interp) - base;

    if (n == 0 && failed)
        ixd_fail(IXD_AT, "  the measuring run failed at %s (line %d): %s", r.step, r.line, r.error);
    check_no_violations();
    if (failed) {
        if (!is_memory_error(r.error))
            ixd_fail(IXD_AT,
                     "  check:    a step fails only with MemoryError\n"
                     "  step:     %s (scenarios_inject.c:%d)\n"
                     "  actual:   %s", r.step, r.line, r.error);
        t->failed++;
        if (verbose) printf("inject: %s n=%" PRId64 ": %s (line %d): %s\n", c->name, n, r.step, r.line, r.error);
        /* the same interpreter, no injection: the failure must have left it usable */
        release_all(&r);
        r.ctx = ENTER(r.interp);
        r.strict = 0;
        if (run_case(&r, c))
            ixd_fail(IXD_AT, "  after a MemoryError, the same interpreter failed the case again "
                     "without injection\n  step:     %s (scenarios_inject.c:%d)\n  actual:   %s",
                     r.step, r.line, r.error);
    } else if (n > 0 && n <= k) {
        t->absorbed++;
        if (verbose) printf("inject: %s n=%" PRId64 ": absorbed\n", c->name, n);
    } else if (n > k) {
        t->close_armed++;
        if (verbose) printf("inject: %s n=%" PRId64 ": armed into close\n", c->name, n);
    }
    release_all(&r);
    CHECK_CLOSE(r.interp);
    CHECK_CLEAN();
    check_no_violations();
    t->runs++;
    ixd_scenario_detail(NULL);
    return made;
}

static void sweep(const Case *c, int64_t only_n, int64_t stride, Tally *total)
{
    Tally t = { 0, 0, 0, 0, 0 };
    int64_t k = sweep_one(c, 0, 0, &t), n;
    t.runs = 0;
    if (only_n > 0) {
        sweep_one(c, only_n, k, &t);
        printf("inject: %s%s: n=%" PRId64 " of %" PRId64 " allocations, clean\n",
               debug_mode ? "debug:" : "", c->name, only_n, k);
    } else {
        for (n = 1; n <= k + CLOSE_EXTRA; n += (n <= k ? stride : 1)) sweep_one(c, n, k, &t);
        printf("inject: %s%s: %" PRId64 " allocations swept, all clean "
               "(%" PRId64 " runs: %" PRId64 " failed with MemoryError, %" PRId64 " absorbed, "
               "%" PRId64 " armed into close)\n",
               debug_mode ? "debug:" : "", c->name, k, t.runs, t.failed, t.absorbed, t.close_armed);
    }
    fflush(stdout);
    total->swept += k;
    total->runs += t.runs;
    total->failed += t.failed;
    total->absorbed += t.absorbed;
}

void ixd_inject(int argc, char **argv)
{
    const char *which = argc > 0 ? argv[0] : NULL;
    const char *mode = ""; /* for the total */
    const char *env = getenv("IXD_INJECT_VERBOSE");
    int64_t only_n = 0, stride = 1;
    Tally total = { 0, 0, 0, 0, 0 };
    size_t i, ran = 0;

    verbose = env && *env && strcmp(env, "0") != 0;
    debug_mode = which && strncmp(which, "debug:", 6) == 0;
    if (debug_mode) {
        which += 6;
        mode = " (debug mode)";
        ixh_debug_take_violations(NULL, 0);
    }
    if (argc > 1) {
        if (strncmp(argv[1], "step=", 5) == 0)
            stride = strtoll(argv[1] + 5, NULL, 10);
        else
            only_n = strtoll(argv[1], NULL, 10);
        if (stride < 1 || (only_n < 1 && strncmp(argv[1], "step=", 5) != 0))
            ixd_fail(IXD_AT, "  inject: the second argument is N >= 1 or step=S, S >= 1");
    }
    if (!which) which = "all";
    for (i = 0; i < NCASES; i++) {
        if (strcmp(which, "all") != 0 && strcmp(which, cases[i].name) != 0) continue;
        sweep(&cases[i], only_n, stride, &total);
        ran++;
    }
    if (ran == 0) {
        fprintf(stderr, "ixdriver: inject: no case '%s'; the cases:", which);
        for (i = 0; i < NCASES; i++) fprintf(stderr, " %s", cases[i].name);
        fprintf(stderr, "\n");
        exit(2);
    }
    if (only_n == 0)
        printf("inject: total%s: %" PRId64 " allocations swept in %zu cases, all clean (%" PRId64
               " runs: %" PRId64 " failed with MemoryError, %" PRId64 " absorbed)\n",
               mode, total.swept, ran, total.runs, total.failed, total.absorbed);
}
