/*
 * scenarios_unraisable.c -- errors nobody can raise (ABI 1.2, ABI.md 6.8, 12.60): a
 * tp_dealloc, tp_clear, tp_finalize, weakref callback and capsule destructor that raise
 * (test-ext unraisable, initfinal, attrs); ixh_interp_unraisable answers the exact record,
 * the caller keeps its own error, the record keeps the last 16 and counts them all, and
 * in debug mode each is logged too, a module's clear raising during close included. Two
 * interpreters, one in debug mode, under Valgrind and ASan too.
 */
#include <stdio.h>
#include <string.h>

#include "driver.h"
#include "wire_read.h"

/* The record as text: [(1, 'where', 'Type', 'message'), ...]; its count in *count. */
static const char *record_text(IxInterp *in, int64_t *count, char *out, size_t cap)
{
    static uint8_t buf[IXH_UNRAISABLE_CAP];
    size_t len = 0;
    *count = ixh_interp_unraisable(in, buf, sizeof buf, &len);
    IxdReader r;
    ixd_reader_init(&r, buf, len);
    return ixd_wire_text(&r, out, cap);
}

#define CHECK_RECORD(in, want_count, want)               \
    do {                                                 \
        char text_[8192];                                \
        int64_t count_;                                  \
        record_text((in), &count_, text_, sizeof text_); \
        CHECK_EQ_STR(text_, (want));                     \
        CHECK_EQ_INT(count_, (want_count));              \
    } while (0)

static void drop(IxContext *ctx, IxObject *m, int64_t n)
{
    Ix_Decref(ctx, CHECK_OK(ctx, ixd_call_ints(ctx, m, "drop", INTS(n))));
}

/* A dealloc, the caller's error kept, a clear, two capsule destructors. */
static void check_hooks(IxInterp *in)
{
    IxContext *ctx = ENTER(in);
    IxObject *m = IMPORT(ctx, "unraisable");
    CHECK_EQ_INT(ixh_interp_unraisable(in, NULL, 0, NULL), 0); /* read from inside, too */
    drop(ctx, m, 1);
    CHECK_ERROR(ctx, CALL0(ctx, m, "drop_with_error"), "ValueError: kept");
    IxObject *cycle = CHECK_OK(ctx, ixd_call(ctx, m, "Cycle", NULL, 0));
    CHECK_EQ_INT(Ix_SetAttr(ctx, cycle, "ref", cycle), 0);
    Ix_Decref(ctx, cycle);
    Ix_Decref(ctx, CHECK_OK(ctx, ixd_call_str(ctx, m, "capsule", "unraisable.cap")));
    IxObject *none = Ix_None(ctx);
    Ix_Decref(ctx, CHECK_OK(ctx, ixd_call(ctx, m, "capsule", &none, 1)));
    ixh_leave(ctx);
    CHECK_EQ_INT(ixh_interp_collect(in), 1);
    CHECK_RECORD(in, 5,
                 "[(1, 'tp_dealloc of unraisable.Dealloc', 'RuntimeError', 'raised in tp_dealloc'), "
                 "(2, 'tp_dealloc of unraisable.Dealloc', 'RuntimeError', 'raised in tp_dealloc'), "
                 "(3, 'destructor of capsule \"unraisable.cap\"', 'TypeError', 'raised in a capsule destructor'), "
                 "(4, 'destructor of capsule NULL', 'TypeError', 'raised in a capsule destructor'), "
                 "(5, 'tp_clear of unraisable.Cycle', 'ValueError', 'raised in tp_clear')]");
    ctx = ENTER(in);
    Ix_Decref(ctx, m);
    ixh_leave(ctx);
}

/* A finalizer (initfinal) and a weakref callback (attrs). */
static void check_finalizer_and_callback(IxInterp *in)
{
    IxContext *ctx = ENTER(in);
    IxObject *f = IMPORT(ctx, "initfinal"), *a = IMPORT(ctx, "attrs");
    Ix_Decref(ctx, CHECK_OK(ctx, ixd_call_ints(ctx, f, "raise_in_finalize", INTS(1))));
    Ix_Decref(ctx, CHECK_OK(ctx, ixd_call(ctx, f, "Fin", NULL, 0)));
    Ix_Decref(ctx, CHECK_OK(ctx, ixd_call_ints(ctx, f, "raise_in_finalize", INTS(0))));
    IxObject *w = CHECK_OK(ctx, ixd_call_ints(ctx, a, "weak", INTS(1)));
    IxObject *cb = CHECK_OK(ctx, Ix_GetAttr(ctx, a, "raise_in_callback"));
    IxObject *ref = CHECK_OK(ctx, IxWeakref_New(ctx, w, cb));
    Ix_Decref(ctx, w); /* the callback runs */
    Ix_Decref(ctx, ref);
    Ix_Decref(ctx, cb);
    Ix_Decref(ctx, a);
    Ix_Decref(ctx, f);
    ixh_leave(ctx);
    char text[2048];
    int64_t count;
    record_text(in, &count, text, sizeof text);
    CHECK_EQ_INT(count, 7);
    CHECK(strstr(text, "(6, 'tp_finalize of initfinal.Fin', 'ValueError', 'from a finalizer'), "
                       "(7, 'weakref callback attrs.raise_in_callback', 'ValueError', "
                       "'raised in a weakref callback')]") != NULL);
}

/* 30 more: the last 16 are kept, numbered, and all are counted; a small buffer is told
 * the size it needs. */
static void check_bound(IxInterp *in)
{
    IxContext *ctx = ENTER(in);
    IxObject *m = IMPORT(ctx, "unraisable");
    drop(ctx, m, 30);
    Ix_Decref(ctx, m);
    ixh_leave(ctx);
    char text[8192];
    int64_t count;
    record_text(in, &count, text, sizeof text);
    CHECK_EQ_INT(count, 37);
    CHECK(strncmp(text, "[(22, 'tp_dealloc of unraisable.Dealloc', ", 42) == 0);
    CHECK(strstr(text, "(37, 'tp_dealloc of unraisable.Dealloc', 'RuntimeError', 'raised in tp_dealloc')]") != NULL);
    uint8_t small[64];
    size_t need = 0, len = 0;
    CHECK_EQ_INT(ixh_interp_unraisable(in, small, sizeof small, &need), -1);
    CHECK(need > sizeof small && need <= IXH_UNRAISABLE_CAP);
    static uint8_t exact[IXH_UNRAISABLE_CAP];
    CHECK_EQ_INT(ixh_interp_unraisable(in, exact, need, &len), 37);
    CHECK_EQ_INT((int64_t)len, (int64_t)need);
}

/* Debug mode logs each, the one raised by a module's clear during close included. */
static void check_debug_log(void)
{
    char log[4096];
    ixh_debug_take_violations(NULL, 0); /* whatever came before is not ours */
    IxInterp *in = OPEN_MODE(1);
    IxContext *ctx = ENTER(in);
    IxObject *m = IMPORT(ctx, "unraisable");
    drop(ctx, m, 1);
    Ix_Decref(ctx, CHECK_OK(ctx, ixd_call_ints(ctx, m, "raise_at_clear", INTS(1))));
    Ix_Decref(ctx, m);
    ixh_leave(ctx);
    CHECK_CLOSE(in);
    CHECK_EQ_INT(ixh_debug_take_violations(log, sizeof log), 2);
    CHECK_EQ_STR(log, "isolex debug: exception ignored in tp_dealloc of unraisable.Dealloc: RuntimeError: raised in tp_dealloc\n"
                      "isolex debug: exception ignored in clear of module 'unraisable': RuntimeError: raised in the module's clear\n");
}

void ixd_unraisable(int argc, char **argv)
{
    IXD_NO_ARGS;
    IxInterp *a = OPEN(), *b = OPEN_MODE(1);
    check_hooks(a);
    check_hooks(b);
    check_finalizer_and_callback(a);
    check_finalizer_and_callback(b);
    check_bound(a);
    check_bound(b);
    CHECK_CLOSE(a);
    CHECK_CLOSE(b);
    ixh_debug_take_violations(NULL, 0); /* b's 37, checked by check_debug_log's kind */
    check_debug_log();
    CHECK_CLEAN();
}
