/*
 * scenarios_capsule.c -- ABI 1.2's import from C, capsules and exception chaining
 * (ABI.md 4.11, 4.12, 6.5-6.7): capi_user importing capi_provider and calling its C API
 * through a capsule, in two interpreters with separate state; every broken rule of
 * test-ext/capi_misuse.c and the import cycle of cycle_a/cycle_b with its exact message.
 */
#include <stdio.h>

#include "driver.h"

/* capi_user's calls reach this interpreter's provider: serials 1, 2, then "x#3". */
static void check_user(IxContext *ctx)
{
    char text[64];
    IxObject *user = IMPORT(ctx, "capi_user");
    IxObject *again = IMPORT(ctx, "capi_user");
    CHECK(again == user); /* imported again: the same module */
    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, user, "next_serial")), 1);
    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, user, "next_serial")), 2);
    CHECK_EQ_STR(WANT_TEXT(ctx, ixd_call_str(ctx, user, "stamp", "x"), text), "x#3");
    IxObject *provider = IMPORT(ctx, "capi_provider"); /* the one capi_user imported */
    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, provider, "issued")), 3);
    Ix_Decref(ctx, provider);
    Ix_Decref(ctx, again);
    Ix_Decref(ctx, user);
}

static IxObject *call_none(IxContext *ctx, IxObject *m, const char *func)
{
    IxObject *none = Ix_None(ctx);
    return ixd_call(ctx, m, func, &none, 1);
}

/* One function of capi_misuse per rule, with its exact message. */
static void check_misuse(IxContext *ctx)
{
    IxObject *m = IMPORT(ctx, "capi_misuse");
    CHECK_ERROR(ctx, ixd_call_str(ctx, m, "import_name", "no_such_module"),
                "ImportError: no module named 'no_such_module' (searched: *)");
    CHECK_ERROR(ctx, call_none(ctx, m, "import_name"),
                "ValueError: IxImport_Import: the name is NULL; pass a module name");
    IxObject *self = CHECK_OK(ctx, ixd_call_str(ctx, m, "import_name", "capi_misuse"));
    CHECK(self == m);
    Ix_Decref(ctx, self);

    CHECK(WANT_BOOL(ctx, ixd_call_str(ctx, m, "pointer_named", "capi_provider._C_API")));
    CHECK_ERROR(ctx, ixd_call_str(ctx, m, "pointer_named", "capi_provider._C_AP"),
                "ValueError: IxCapsule_GetPointer: the capsule is named 'capi_provider._C_API', not "
                "'capi_provider._C_AP'; pass the exact name it was created with");
    CHECK_ERROR(ctx, call_none(ctx, m, "pointer_named"),
                "ValueError: IxCapsule_GetPointer: the capsule is named 'capi_provider._C_API', not "
                "NULL; pass the exact name it was created with");
    CHECK_ERROR(ctx, ixd_call_ints(ctx, m, "pointer_of", INTS(7)), "TypeError: expected capsule, got int");
    CHECK(WANT_BOOL(ctx, call_none(ctx, m, "anon_pointer")));
    CHECK_ERROR(ctx, ixd_call_str(ctx, m, "anon_pointer", "x"),
                "ValueError: IxCapsule_GetPointer: the capsule is named NULL, not 'x'; pass the exact "
                "name it was created with");
    CHECK(WANT_BOOL(ctx, ixd_call_str(ctx, m, "valid_named", "capi_provider._C_API")));
    CHECK(!WANT_BOOL(ctx, call_none(ctx, m, "valid_named")));
    CHECK(!WANT_BOOL(ctx, ixd_call_ints(ctx, m, "valid_of", INTS(7))));
    CHECK_ERROR(ctx, CALL0(ctx, m, "null_capsule"),
                "ValueError: IxCapsule_New: the pointer is NULL; a capsule holds a non-NULL pointer");

    CHECK_ERROR(ctx, CALL0(ctx, m, "chained"), "TypeError: second (while handling first) <- ValueError: first");
    CHECK_ERROR(ctx, CALL0(ctx, m, "caused"), "RuntimeError: outer <- ValueError: root");
    char text[64];
    CHECK_EQ_STR(WANT_REPR(ctx, CALL0(ctx, m, "context_of_caused"), text), "('root', None)");
    CHECK_ERROR(ctx, ixd_call_ints(ctx, m, "bad_cause", INTS(7)),
                "TypeError: expected an exception or NULL as the cause, got int");
    IxObject *none = CHECK_OK(ctx, CALL0(ctx, m, "cause_cycle")); /* collected by close */
    Ix_Decref(ctx, none);
    Ix_Decref(ctx, m);
}

/* An exec that imports, through another module, the module being initialised. */
static void check_cycle(IxContext *ctx)
{
    CHECK_ERROR(ctx, ixh_import_module(ctx, "cycle_a"),
                "ImportError: import cycle: module 'cycle_a' is still being initialised (cycle_a -> "
                "cycle_b -> cycle_a); a module's exec must not import, directly or through other "
                "modules, a module that imports it");
    CHECK_ERROR(ctx, ixh_import_module(ctx, "cycle_b"),
                "ImportError: import cycle: module 'cycle_b' is still being initialised (cycle_b -> "
                "cycle_a -> cycle_b); a module's exec must not import, directly or through other "
                "modules, a module that imports it");
}

void ixd_capsules(int argc, char **argv)
{
    IXD_NO_ARGS;
    /* `keeper` has a provider of its own, untouched by the other two. */
    IxInterp *keeper = OPEN();
    IxContext *kctx = ENTER(keeper);
    IxObject *kprovider = IMPORT(kctx, "capi_provider");
    ixh_leave(kctx);

    IxInterp *a = OPEN(), *b = OPEN_MODE(1); /* one in debug mode: the new entries checked */
    IxContext *ctx = ENTER(a);
    check_user(ctx);
    check_misuse(ctx);
    check_cycle(ctx);
    ixh_leave(ctx);
    ctx = ENTER(b);
    check_user(ctx); /* b's provider starts at 1 too: its own state */
    check_misuse(ctx);
    check_cycle(ctx);
    ixh_leave(ctx);
    CHECK_CLOSE(a); /* clean: the capsule's destructor freed each provider's struct */
    CHECK_CLOSE(b);

    kctx = ENTER(keeper);
    CHECK_EQ_INT(WANT_INT(kctx, CALL0(kctx, kprovider, "issued")), 0);
    Ix_Decref(kctx, kprovider);
    ixh_leave(kctx);
    CHECK_CLOSE(keeper);
    CHECK_CLEAN();
}
