/*
 * scenarios_xbase.c -- ABI 1.2's bases of another module (ABI.md 5.5) through test-ext's
 * xbase_b, which subclasses xbase_a.Base, xbase_shared.Base, xbase_a.Error and
 * vector.Vector: inherited hooks run as code of the module that defined them (a leak in
 * one is the base module's; a shared-lock base's lock is taken through a subtype of a
 * per-interpreter module, on two threads in two interpreters), close meets a subtype's
 * instance held by the base's module, and the libraries are unmapped at the end; the base
 * rules that stay (a legacy static type) with their exact message.
 */
#include <pthread.h>
#include <string.h>

#include "driver.h"

/* Every subtype once, as each interpreter sees it. */
static void check_subtypes(IxContext *ctx)
{
    char text[64];
    IxObject *m = IMPORT(ctx, "xbase_b");
    IxObject *sub = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "Sub"));
    IxObject *s = CHECK_OK(ctx, CALL0(ctx, sub, NULL)); /* xbase_a's new */
    CHECK_EQ_STR(WANT_REPR(ctx, Ix_NewRef(ctx, s), text), "<xbase_a.Base>");
    CHECK_EQ_STR(WANT_TEXT(ctx, CALL0(ctx, s, "home"), text), "xbase_a");
    Ix_Decref(ctx, CHECK_OK(ctx, ixd_call_str(ctx, s, "set_extra", "x")));
    CHECK_EQ_STR(WANT_TEXT(ctx, CALL0(ctx, s, "extra"), text), "x");
    Ix_Decref(ctx, CHECK_OK(ctx, ixd_call_ints(ctx, s, NULL, INTS(0)))); /* Base's tp_call */
    IxObject *vec = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "VecSub"));
    IxObject *v = CHECK_OK(ctx, ixd_call_ints(ctx, vec, NULL, INTS(1, 2)));
    CHECK_EQ_STR(WANT_TEXT(ctx, CALL0(ctx, v, "tag"), text), "VecSub");
    IxObject *error = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "SubError"));
    IxObject *e = CHECK_OK(ctx, ixd_call_str(ctx, error, NULL, "boom"));
    CHECK_EQ_STR(IxType_GetName(ctx, Ix_Type(ctx, e)), "xbase_b.SubError");
    Ix_Decref(ctx, CHECK_OK(ctx, CALL0(ctx, m, "entangle"))); /* held by xbase_a at close */
    Ix_Decref(ctx, e);
    Ix_Decref(ctx, error);
    Ix_Decref(ctx, v);
    Ix_Decref(ctx, vec);
    Ix_Decref(ctx, s);
    Ix_Decref(ctx, sub);
    Ix_Decref(ctx, m);
}

typedef struct Caller {
    IxInterp *interp;
    pthread_t thread;
} Caller;

/* 50 calls of a SharedSub instance: xbase_shared's tp_call, under its library lock. */
static void *call_shared(void *arg)
{
    Caller *c = arg;
    IxContext *ctx = ENTER(c->interp);
    IxObject *m = IMPORT(ctx, "xbase_b");
    IxObject *t = CHECK_OK(ctx, CALL0(ctx, m, "shared_sub")); /* imports xbase_shared */
    IxObject *s = CHECK_OK(ctx, CALL0(ctx, t, NULL));
    for (int k = 0; k < 50; k++) Ix_Decref(ctx, CHECK_OK(ctx, ixd_call_ints(ctx, s, NULL, INTS(0))));
    Ix_Decref(ctx, s);
    Ix_Decref(ctx, t);
    Ix_Decref(ctx, m);
    ixh_leave(ctx);
    return NULL;
}

static void check_shared_lock(IxInterp *a, IxInterp *b)
{
    Caller callers[2] = {{a, 0}, {b, 0}};
    for (int i = 0; i < 2; i++) CHECK(pthread_create(&callers[i].thread, NULL, call_shared, &callers[i]) == 0);
    for (int i = 0; i < 2; i++) pthread_join(callers[i].thread, NULL);
    IxContext *ctx = ENTER(a);
    IxObject *shared = IMPORT(ctx, "xbase_shared");
    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, shared, "max_inside")), 1);
    Ix_Decref(ctx, shared);
    ixh_leave(ctx);
}

/* The base rules that stay (ABI.md 5.5), with a module-less base that is now fine. */
static void check_rules(IxContext *ctx, IxObject *m)
{
    IxObject *legacy = IMPORT(ctx, "legacy_point");
    IxObject *point = CHECK_OK(ctx, Ix_GetAttr(ctx, legacy, "Point"));
    IxObject *zero = CHECK_OK(ctx, IxLong_FromInt64(ctx, 0));
    IxObject *args[2] = {point, zero};
    CHECK_ERROR(ctx, ixd_call(ctx, m, "sub_of", args, 2),
                "SystemError: type 'xbase_b.Made': base 'legacy_point.Point' is a static type of a "
                "legacy module; it is a base only in that module");
    IxObject *subclasses = IMPORT(ctx, "subclasses");
    args[0] = CHECK_OK(ctx, CALL0(ctx, subclasses, "loose_base"));
    Ix_Decref(ctx, CHECK_OK(ctx, ixd_call(ctx, m, "sub_of", args, 2)));
    Ix_Decref(ctx, args[0]);
    Ix_Decref(ctx, subclasses);
    Ix_Decref(ctx, zero);
    Ix_Decref(ctx, point);
    Ix_Decref(ctx, legacy);
}

/* A leak in Base's tp_call, through a Sub: the close report names xbase_a, not xbase_b. */
static void check_leak_attribution(void)
{
    IxInterp *in = OPEN();
    IxContext *ctx = ENTER(in);
    IxObject *m = IMPORT(ctx, "xbase_b");
    check_rules(ctx, m);
    IxObject *sub = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "Sub"));
    IxObject *s = CHECK_OK(ctx, CALL0(ctx, sub, NULL));
    Ix_Decref(ctx, CHECK_OK(ctx, ixd_call_ints(ctx, s, NULL, INTS(100))));
    Ix_Decref(ctx, s);
    Ix_Decref(ctx, sub);
    Ix_Decref(ctx, m);
    ixh_leave(ctx);
    char text[4096];
    const char *t = CLOSE_LEAKING(in, text);
    CHECK(strstr(t, "'xbase_a': ") != NULL);
    CHECK(strstr(t, "'xbase_b'") == NULL);
}

void ixd_xbases(int argc, char **argv)
{
    IXD_NO_ARGS;
    char so[4096];
    SO_PATH("xbase_a", so);
    IxInterp *a = OPEN(), *b = OPEN_MODE(1); /* one in debug mode: inherited entries checked */
    IxContext *ctx = ENTER(a);
    check_subtypes(ctx);
    ixh_leave(ctx);
    ctx = ENTER(b);
    check_subtypes(ctx);
    ixh_leave(ctx);
    check_shared_lock(a, b);
    CHECK(ixd_is_mapped(so));
    CHECK_CLOSE(a);
    CHECK_CLOSE(b);
    CHECK(!ixd_is_mapped(so)); /* after the last subtype's instance */
    check_leak_attribution();
    CHECK_CLEAN();
}
