/*
 * scenarios_kwargs.c -- ABI 1.2's keyword calls and argument parser (ABI.md 4.13, 4.14):
 * test-ext/kwfuncs called through Ix_CallKw with every exact message, in two interpreters
 * (one in debug mode, so the new entries run through the checking table).
 */
#include <stdarg.h>
#include <stdio.h>

#include "driver.h"

/* func(ints..., name=int...): npos ints, then nkw (name, int) pairs. */
static IxObject *kwcall(IxContext *ctx, IxObject *m, const char *func, size_t npos, size_t nkw, ...)
{
    IxObject *vals[8], *names[8];
    va_list va;
    va_start(va, nkw);
    for (size_t i = 0; i < npos; i++) vals[i] = IxLong_FromInt64(ctx, va_arg(va, int64_t));
    for (size_t j = 0; j < nkw; j++) {
        names[j] = IxStr_FromCString(ctx, va_arg(va, const char *));
        vals[npos + j] = IxLong_FromInt64(ctx, va_arg(va, int64_t));
    }
    va_end(va);
    IxObject *kwnames = nkw ? IxTuple_FromArray(ctx, names, nkw) : NULL;
    IxObject *f = Ix_GetAttr(ctx, m, func);
    IxObject *r = f ? Ix_CallKw(ctx, f, vals, npos, kwnames) : NULL;
    if (f) Ix_Decref(ctx, f);
    if (kwnames) Ix_Decref(ctx, kwnames);
    for (size_t j = 0; j < nkw; j++) Ix_Decref(ctx, names[j]);
    for (size_t i = 0; i < npos + nkw; i++) Ix_Decref(ctx, vals[i]);
    return r;
}

#define I(v) ((int64_t)(v))

static void check_repr(IxContext *ctx, IxObject *r, const char *want)
{
    char text[128];
    CHECK_EQ_STR(WANT_REPR(ctx, r, text), want);
}

static void check_kwfuncs(IxContext *ctx)
{
    IxObject *m = IMPORT(ctx, "kwfuncs");
    check_repr(ctx, kwcall(ctx, m, "span", 1, 0, I(1)), "(1, None, None)");
    check_repr(ctx, kwcall(ctx, m, "span", 2, 1, I(1), I(2), "step", I(3)), "(1, 2, 3)");
    check_repr(ctx, kwcall(ctx, m, "span", 0, 2, "step", I(3), "a", I(1)), "(1, None, 3)");
    check_repr(ctx, kwcall(ctx, m, "span", 1, 1, I(1), "b", I(2)), "(1, 2, None)");
    check_repr(ctx, kwcall(ctx, m, "pair", 0, 2, "y", I(2), "x", I(1)), "(1, 2)");
    check_repr(ctx, kwcall(ctx, m, "only_kw", 0, 1, "key", I(5)), "5");
    check_repr(ctx, kwcall(ctx, m, "names", 1, 1, I(1), "k", I(2)), "('k',)");
    check_repr(ctx, CALL0(ctx, m, "names"), "None"); /* Ix_Call: kwnames NULL */
    check_repr(ctx, kwcall(ctx, m, "plain", 1, 0, I(7)), "7");

    CHECK_ERROR(ctx, kwcall(ctx, m, "span", 0, 0), "TypeError: span() missing required argument 'a' (pos 1)");
    CHECK_ERROR(ctx, kwcall(ctx, m, "span", 3, 0, I(1), I(2), I(3)),
                "TypeError: span() takes at most 2 positional arguments (3 given)");
    CHECK_ERROR(ctx, kwcall(ctx, m, "span", 1, 1, I(1), "c", I(2)),
                "TypeError: span() got an unexpected keyword argument 'c'");
    CHECK_ERROR(ctx, kwcall(ctx, m, "span", 1, 1, I(1), "a", I(2)),
                "TypeError: span() got multiple values for argument 'a'");
    CHECK_ERROR(ctx, kwcall(ctx, m, "span", 0, 2, "a", I(1), "a", I(2)),
                "TypeError: span() got multiple values for argument 'a'");
    CHECK_ERROR(ctx, kwcall(ctx, m, "pair", 0, 1, "x", I(1)), "TypeError: pair() missing required argument 'y' (pos 2)");
    CHECK_ERROR(ctx, kwcall(ctx, m, "pair", 3, 0, I(1), I(2), I(3)),
                "TypeError: pair() takes exactly 2 arguments (3 given)");
    CHECK_ERROR(ctx, kwcall(ctx, m, "only_kw", 0, 0), "TypeError: only_kw() missing required keyword-only argument 'key'");
    CHECK_ERROR(ctx, kwcall(ctx, m, "only_kw", 1, 0, I(1)),
                "TypeError: only_kw() takes no positional arguments (1 given)");
    CHECK_ERROR(ctx, kwcall(ctx, m, "plain", 1, 1, I(1), "x", I(2)),
                "TypeError: kwfuncs.plain() takes no keyword arguments");
    CHECK_ERROR(ctx, CALL0(ctx, m, "bad_spec"),
                "SystemError: IxArg_Parse: invalid spec for bad_spec(): names must be NULL-terminated (at most "
                "255), 0 <= required <= count and 0 <= positional <= count");

    /* kwnames itself: not a tuple, an item not a str, and keywords to a type. */
    IxObject *f = Ix_GetAttr(ctx, m, "names");
    IxObject *one = IxLong_FromInt64(ctx, 1);
    CHECK_ERROR(ctx, Ix_CallKw(ctx, f, &one, 0, one),
                "TypeError: kwfuncs.names(): keyword names must be a tuple of str, not int");
    IxObject *bad = IxTuple_FromArray(ctx, &one, 1);
    CHECK_ERROR(ctx, Ix_CallKw(ctx, f, &one, 0, bad), "TypeError: kwfuncs.names() keywords must be strings");
    IxObject *empty = IxTuple_FromArray(ctx, NULL, 0);
    check_repr(ctx, Ix_CallKw(ctx, f, &one, 1, empty), "None"); /* an empty tuple is no keyword */
    IxObject *key = IxStr_FromCString(ctx, "x");
    IxObject *kw = IxTuple_FromArray(ctx, &key, 1);
    CHECK_ERROR(ctx, Ix_CallKw(ctx, Ix_Builtin(ctx, IX_TYPE_INT), &one, 0, kw),
                "TypeError: int() takes no keyword arguments");
    Ix_Decref(ctx, kw);
    Ix_Decref(ctx, key);
    Ix_Decref(ctx, empty);
    Ix_Decref(ctx, bad);
    Ix_Decref(ctx, one);
    Ix_Decref(ctx, f);
    Ix_Decref(ctx, m);
}

/* Debug mode: a keyword value is borrowed by the callee like a positional one, so a
 * keywords function returning it without a new reference is reported (ABI.md 4.13). */
static void check_borrowed_keyword(IxContext *ctx)
{
    IxObject *m = IMPORT(ctx, "kwfuncs");
    IxObject *f = Ix_GetAttr(ctx, m, "return_kw_borrowed");
    IxObject *list = IxList_New(ctx);
    IxObject *key = IxStr_FromCString(ctx, "v");
    IxObject *kw = IxTuple_FromArray(ctx, &key, 1);
    ixh_debug_take_violations(NULL, 0); /* whatever came before is not ours */
    CHECK_ERROR(ctx, Ix_CallKw(ctx, f, &list, 0, kw), "SystemError: *");
    char log[1024];
    CHECK_EQ_INT(ixh_debug_take_violations(log, sizeof log), 1);
    CHECK(ixd_match("isolex debug: kwfuncs.return_kw_borrowed(): result is argument 1 (a list object), "
                    "returned without a new reference\n", log));
    Ix_Decref(ctx, kw);
    Ix_Decref(ctx, key);
    Ix_Decref(ctx, list);
    Ix_Decref(ctx, f);
    Ix_Decref(ctx, m);
}

void ixd_kwargs(int argc, char **argv)
{
    IXD_NO_ARGS;
    IxInterp *a = OPEN(), *b = OPEN_MODE(1);
    IxContext *ca = ENTER(a);
    check_kwfuncs(ca);
    ixh_leave(ca);
    IxContext *cb = ENTER(b);
    check_kwfuncs(cb);
    check_borrowed_keyword(cb);
    ixh_leave(cb);
    CHECK_CLOSE(a);
    CHECK_CLOSE(b);
    CHECK_CLEAN();
}
