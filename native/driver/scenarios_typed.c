/*
 * scenarios_typed.c -- ABI 1.3's typed functions (ABI.md 4.30-4.39, 12.70-12.72):
 * test-ext/typed called through ixh_call_typed, ixh_call_typed_batch and, as any function,
 * through Ix_Call, with every exact message; in two interpreters, one in debug mode.
 */
#include <string.h>

#include "driver.h"

#define BUF_SIZE 512

/* The signature code an embedder computes (typed.c's IxSig.code): nargs, the result's
 * letter code, then each parameter's, four bits each (l d b s y: 1..5). */
static int64_t sig_code(const char *sig)
{
    static const char letters[] = "ldbsy";
    const char *colon = strchr(sig, ':');
    int64_t n = colon - sig, code = n | (int64_t)(strchr(letters, colon[1]) - letters + 1) << 4;
    for (int64_t k = 0; k < n; k++) code |= (int64_t)(strchr(letters, sig[k]) - letters + 1) << (8 + 4 * k);
    return code;
}

/* A handle for module.name, made inside the interpreter. */
static int64_t handle_of(IxInterp *interp, IxObject *holder, const char *name)
{
    IxContext *ctx = ENTER(interp);
    IxObject *f = CHECK_OK(ctx, Ix_GetAttr(ctx, holder, name));
    int64_t h = ixh_handle_new(ctx, f);
    Ix_Decref(ctx, f);
    ixh_leave(ctx);
    CHECK(h >= 0);
    return h;
}

static void check_reply(int status, int want, const uint8_t *buf, const char *text)
{
    char got[BUF_SIZE];
    CHECK_EQ_INT(status, want);
    CHECK_EQ_STR(ixd_reply_text(buf, BUF_SIZE, got, sizeof got), text);
}

/* Typed calls from outside: every letter, errors, signatures (12.70, 12.72). */
static void check_typed_calls(IxInterp *in, IxObject *m, IxObject *acc)
{
    uint8_t buf[BUF_SIZE];
    IxValue v[IX_TYPED_MAX_ARGS];
    int64_t add1 = handle_of(in, m, "add1"), add = handle_of(in, m, "add"), half = handle_of(in, m, "half");
    int64_t negate = handle_of(in, m, "negate"), upper = handle_of(in, m, "upper");
    int64_t reverse = handle_of(in, m, "reverse"), describe = handle_of(in, m, "describe");
    int64_t checked = handle_of(in, m, "checked"), plain = handle_of(in, m, "plain");
    int64_t add_method = handle_of(in, acc, "add");

    v[0].i = 41;
    CHECK_EQ_INT(ixh_call_typed(in, add1, sig_code("l:l"), v, buf, sizeof buf), IXH_OK);
    CHECK_EQ_INT(v[0].i, 42);
    v[0].i = INT64_MAX, v[1].i = 1;
    CHECK_EQ_INT(ixh_call_typed(in, add, sig_code("ll:l"), v, buf, sizeof buf), IXH_OK);
    CHECK_EQ_INT(v[0].i, INT64_MIN);
    v[0].d = 5.0;
    CHECK_EQ_INT(ixh_call_typed(in, half, sig_code("d:d"), v, buf, sizeof buf), IXH_OK);
    CHECK(v[0].d == 2.5);
    v[0].i = 0;
    CHECK_EQ_INT(ixh_call_typed(in, negate, sig_code("b:b"), v, buf, sizeof buf), IXH_OK);
    CHECK_EQ_INT(v[0].i, 1);
    v[0].buf.data = "abc", v[0].buf.len = 3;
    check_reply(ixh_call_typed(in, upper, sig_code("s:s"), v, buf, sizeof buf), IXH_OK, buf, "'ABC'");
    v[0].buf.data = "\x01\x02", v[0].buf.len = 2;
    check_reply(ixh_call_typed(in, reverse, sig_code("y:y"), v, buf, sizeof buf), IXH_OK, buf, "b'\\x02\\x01'");
    v[0].i = 1, v[1].d = 2.5, v[2].i = 1, v[3].buf.data = "text", v[3].buf.len = 4, v[4].buf.data = "xyz",
    v[4].buf.len = 3;
    check_reply(ixh_call_typed(in, describe, sig_code("ldbsy:s"), v, buf, sizeof buf), IXH_OK, buf,
                "'l=1 d=2.5 b=true s=text y=3 bytes'");
    v[0].i = 5;
    CHECK_EQ_INT(ixh_call_typed(in, add_method, sig_code("l:l"), v, buf, sizeof buf), IXH_OK);
    v[0].i = 6;
    CHECK_EQ_INT(ixh_call_typed(in, add_method, sig_code("l:l"), v, buf, sizeof buf), IXH_OK);
    CHECK_EQ_INT(v[0].i, 11);

    /* errors: the function's own, a signature the caller did not expect, not typed */
    v[0].i = -3;
    check_reply(ixh_call_typed(in, checked, sig_code("l:l"), v, buf, sizeof buf), IXH_ERROR, buf,
                "ValueError: negative: -3");
    check_reply(ixh_call_typed(in, add1, sig_code("d:d"), v, buf, sizeof buf), IXH_ERROR, buf,
                "TypeError: typed.add1() has the typed signature \"l:l\", not \"d:d\"");
    check_reply(ixh_call_typed(in, plain, sig_code("l:l"), v, buf, sizeof buf), IXH_ERROR, buf,
                "TypeError: plain() is not a typed function (no IX_METH_TYPED)");
    static const struct { const char *name, *sig, *error; } bad[] = {
        {"fail_noerr", "l:l", "SystemError: typed.fail_noerr() failed without setting an error"},
        {"ok_with_err", "l:l", "SystemError: typed.ok_with_err() returned a result with an error set <- ValueError: left set"},
        {"wrong_result", "s:s", "SystemError: typed.wrong_result() returned a bytes object for its str result"},
        {"no_result", "s:s", "SystemError: typed.no_result() returned no object for its str result"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t h = handle_of(in, m, bad[i].name);
        v[0].i = 1, v[0].buf.data = "a", v[0].buf.len = 1;
        check_reply(ixh_call_typed(in, h, sig_code(bad[i].sig), v, buf, sizeof buf), IXH_ERROR, buf, bad[i].error);
        CHECK_EQ_INT(ixh_release(in, h), 0);
    }
    check_reply(ixh_typed_signature(in, describe, buf, 0, sizeof buf), IXH_OK, buf, "'ldbsy:s'");
    check_reply(ixh_typed_signature(in, plain, buf, 0, sizeof buf), IXH_ERROR, buf,
                "TypeError: plain() is not a typed function (no IX_METH_TYPED)");

    /* batches (12.71): results in place, the first failure ends it */
    IxValue rows[6];
    size_t done;
    for (int i = 0; i < 3; i++) rows[2 * i].i = i, rows[2 * i + 1].i = 10 * i;
    CHECK_EQ_INT(ixh_call_typed_batch(in, add, sig_code("ll:l"), rows, 3, &done, buf, sizeof buf), IXH_OK);
    CHECK_EQ_INT(done, 3);
    CHECK_EQ_INT(rows[0].i + rows[1].i * 100 + rows[2].i * 10000, 0 + 1100 + 220000);
    rows[0].i = 1, rows[1].i = 2, rows[2].i = -7, rows[3].i = 4;
    check_reply(ixh_call_typed_batch(in, checked, sig_code("l:l"), rows, 4, &done, buf, sizeof buf), IXH_ERROR,
                buf, "ValueError: negative: -7");
    CHECK_EQ_INT(done, 2);
    CHECK_EQ_INT(rows[0].i + rows[1].i * 10, 21);
    check_reply(ixh_call_typed_batch(in, upper, sig_code("s:s"), rows, 1, &done, buf, sizeof buf), IXH_ERROR, buf,
                "TypeError: typed.upper() has the typed signature \"s:s\"; a batch takes l, d and b only");
    CHECK_EQ_INT(done, 0);

    int64_t all[] = {add1, add, half, negate, upper, reverse, describe, checked, plain, add_method};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) CHECK_EQ_INT(ixh_release(in, all[i]), 0);
}

/* Ordinary calls of typed functions: the host converts the objects (4.33). */
static void check_object_calls(IxContext *ctx, IxObject *m)
{
    char text[128];
    CHECK_EQ_INT(WANT_INT(ctx, ixd_call_ints(ctx, m, "add", (int64_t[]){2, 3}, 2)), 5);
    CHECK_EQ_STR(WANT_REPR(ctx, ixd_call_str(ctx, m, "upper", "hi"), text), "'HI'");
    CHECK_EQ_STR(WANT_REPR(ctx, ixd_call_ints(ctx, m, "half", (int64_t[]){3}, 1), text), "1.5");
    CHECK_ERROR(ctx, ixd_call_str(ctx, m, "add1", "x"), "TypeError: typed.add1() argument 1 must be int, not str");
    CHECK_ERROR(ctx, ixd_call_ints(ctx, m, "negate", (int64_t[]){1}, 1),
                "TypeError: typed.negate() argument 1 must be bool, not int");
    CHECK_ERROR(ctx, ixd_call_ints(ctx, m, "upper", (int64_t[]){1}, 1),
                "TypeError: typed.upper() argument 1 must be str, not int");
    CHECK_ERROR(ctx, ixd_call_ints(ctx, m, "add", (int64_t[]){1}, 1),
                "TypeError: typed.add() takes exactly 2 arguments (1 given)");
    CHECK_ERROR(ctx, ixd_call_ints(ctx, m, "checked", (int64_t[]){-1}, 1), "ValueError: negative: -1");
    CHECK_ERROR(ctx, CALL0(ctx, m, "bad_type"),
                "SystemError: type 'typed.Bad': typed method 'f' has the signature \"l:x\": unknown type letter "
                "'x' at position 3");
}

void ixd_typed(int argc, char **argv)
{
    IXD_NO_ARGS;
    IxInterp *ins[2] = {OPEN(), OPEN_MODE(1)};
    for (int i = 0; i < 2; i++) {
        IxContext *ctx = ENTER(ins[i]);
        IxObject *m = IMPORT(ctx, "typed");
        check_object_calls(ctx, m);
        IxObject *type = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "Acc"));
        IxObject *acc = CHECK_OK(ctx, Ix_Call(ctx, type, NULL, 0));
        ixh_leave(ctx);
        check_typed_calls(ins[i], m, acc);
        ctx = ENTER(ins[i]);
        Ix_Decref(ctx, acc);
        Ix_Decref(ctx, type);
        Ix_Decref(ctx, m);
        ixh_leave(ctx);
    }
    char log[64];
    CHECK_EQ_INT(ixh_debug_take_violations(log, sizeof log), 0);
    CHECK_CLOSE(ins[0]);
    CHECK_CLOSE(ins[1]);
    CHECK_CLEAN();
}
