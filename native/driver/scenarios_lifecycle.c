/*
 * scenarios_lifecycle.c -- the life of module instances (ABI.md 4.6-4.8) as the
 * instrumented test-ext module `lifecycle` counts it: an exec that fails halfway leaves
 * nothing, and close runs clear and free exactly once per instance.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>

#include "driver.h"

/* lifecycle.stats(): process-wide call counts, kept in C globals of lifecycle.so. They
 * live as long as the library is mapped, so some interpreter must keep it imported
 * between two readings that are compared. */
typedef struct Stats {
    int64_t exec, clear, free;
} Stats;

static Stats stats(IxContext *ctx, IxObject *lifecycle)
{
    IxObject *d = CHECK_OK(ctx, CALL0(ctx, lifecycle, "stats"));
    Stats s;
    s.exec = DICT_INT(ctx, d, "exec");
    s.clear = DICT_INT(ctx, d, "clear");
    s.free = DICT_INT(ctx, d, "free");
    Ix_Decref(ctx, d);
    return s;
}

/* A new instance: all three exec slots ran in order, on zeroed state. */
static void check_fresh(IxContext *ctx, IxObject *lifecycle)
{
    char text[64];
    CHECK_EQ_STR(WANT_REPR(ctx, CALL0(ctx, lifecycle, "order"), text), "[1, 2, 3]");
    CHECK_EQ_INT(WANT_BOOL(ctx, CALL0(ctx, lifecycle, "state_was_zeroed")), 1);
    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, lifecycle, "get")), 0);
}

/* Arm lifecycle (through A's instance) to fail in exec slot k, import it in B, and check
 * the failure: the error, and clear and free run once each for the half-made instance.
 * Returns how many bytes B holds more than before. */
static int64_t failed_import(IxInterp *b, IxContext *ca, IxObject *la, int64_t k)
{
    char expected[128];
    Stats before = stats(ca, la), after;
    int64_t bytes = ixh_interp_live_bytes(b); /* B is not entered: no lock to deadlock on */
    IxContext *cb;

    Ix_Decref(ca, CHECK_OK(ca, ixd_call_ints(ca, la, "arm_failure", INTS(k))));
    cb = ENTER(b);
    snprintf(expected, sizeof expected, "ValueError: exec slot %" PRId64 " failed on purpose", k);
    CHECK_ERROR(cb, ixh_import_module(cb, "lifecycle"), expected);
    ixh_leave(cb);

    after = stats(ca, la);
    CHECK_EQ_INT(after.clear, before.clear + 1);
    CHECK_EQ_INT(after.free, before.free + 1);
    return ixh_interp_live_bytes(b) - bytes;
}

void ixd_lifecycle(int argc, char **argv)
{
    char lifecycle_so[PATH_MAX];
    IxInterp *a = OPEN(), *b = OPEN(), *c = OPEN();
    IxContext *ca = ENTER(a), *cb, *cc;
    IxObject *la = IMPORT(ca, "lifecycle"), *lb, *lc;
    Stats before_c, before_close, after_close;
    int64_t k;
    IXD_NO_ARGS;

    check_fresh(ca, la);

    /* Failing in each exec slot in turn: every failure leaves B exactly as it was. Live
     * bytes leave out the interpreter's own caches (ABI.md 8.1.1), so even the small ints
     * the exec slots made cannot count. */
    CHECK_EQ_INT(ixh_interp_live_bytes(b), 0); /* fresh (ABI.md 8.1.1) */
    for (k = 1; k <= 3; k++) CHECK_EQ_INT(failed_import(b, ca, la, k), 0);

    /* The flag was consumed: B's next import succeeds, with nothing left of the failures. */
    cb = ENTER(b);
    lb = IMPORT(cb, "lifecycle");
    check_fresh(cb, lb);
    Ix_Decref(cb, lb);
    ixh_leave(cb);

    /* C holds the library, and so the counters, while A and B close. */
    before_c = stats(ca, la);
    cc = ENTER(c);
    lc = IMPORT(cc, "lifecycle");
    before_close = stats(cc, lc);
    CHECK_EQ_INT(before_close.exec, before_c.exec + 3);
    ixh_leave(cc);

    Ix_Decref(ca, la);
    ixh_leave(ca);
    CHECK_CLOSE(b);
    CHECK_CLOSE(a);

    cc = ENTER(c);
    after_close = stats(cc, lc);
    CHECK_EQ_INT(after_close.clear, before_close.clear + 2); /* once for A's, once for B's */
    CHECK_EQ_INT(after_close.free, before_close.free + 2);
    CHECK_EQ_INT(after_close.exec, before_close.exec);
    Ix_Decref(cc, lc);
    ixh_leave(cc);

    SO_PATH("lifecycle", lifecycle_so);
    CHECK(ixd_is_mapped(lifecycle_so));
    CHECK_CLOSE(c);
    CHECK(!ixd_is_mapped(lifecycle_so));
    CHECK_CLEAN();
}
