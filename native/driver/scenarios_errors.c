/*
 * scenarios_errors.c -- the error side of the contract: every test-ext module that breaks
 * an ABI rule (the tables of test-ext/README.md), errors raised by extension code, and the
 * modules that may live in one interpreter only.
 */
#include <stdio.h>

#include "driver.h"

/* ---------------------------------------------------------------- conformance */

/* One row of test-ext/README.md: import `module`, expect `error` (with `cause` chained,
 * when not NULL). In `error`, '*' stands where the README has PATH, DIRS or the dynamic
 * loader's text; the rest must match exactly. */
typedef struct ImportRow {
    const char *module;
    const char *error;
    const char *cause;
} ImportRow;

static const ImportRow import_rows[] = {
    /* loading and definitions (ABI.md 1, 4.1-4.3) */
    { "bad_init_null",
      "ImportError: module 'bad_init_null': IxInit_bad_init_null returned NULL", NULL },
    /* bad_abi_major and bad_abi_minor: check_version_rows, from this host's version */
    { "no_init",
      "ImportError: module 'no_init' at */no_init.so defines neither IxInit_no_init nor "
      "IxInitLegacy_no_init", NULL },
    { "not_an_so", "ImportError: cannot load module 'not_an_so' from */not_an_so.so: *", NULL },
    { "modul\xc3\xa9",
      "ImportError: invalid module name 'modul\xc3\xa9': a module name is ASCII letters, "
      "digits and '_', not starting with a digit", NULL },
    { "does_not_exist", "ImportError: no module named 'does_not_exist' (searched: *)", NULL },
    { "bad_state_size",
      "SystemError: module 'bad_state_size': state_size is negative (-8)", NULL },
    { "bad_unknown_slot", "SystemError: module 'bad_unknown_slot': unknown slot id 99", NULL },
    { "bad_two_create", "SystemError: module 'bad_two_create' has more than one create slot",
      NULL },
    { "bad_two_multi",
      "SystemError: module 'bad_two_multi' has more than one multiple-interpreters slot",
      NULL },
    { "bad_multi_value",
      "SystemError: module 'bad_multi_value': invalid multiple-interpreters value 7", NULL },
    { "bad_slot_no_value", "SystemError: module 'bad_slot_no_value': slot 2 has no value",
      NULL },
    { "bad_name_mismatch",
      "SystemError: module 'bad_name_mismatch': definition is named 'other'", NULL },
    { "bad_no_name", "SystemError: module 'bad_no_name': definition has no name", NULL },
    { "bad_method_nofunc",
      "SystemError: module 'bad_method_nofunc': method 'm' has no function", NULL },
    { "bad_method_arity",
      "SystemError: module 'bad_method_arity': method 'm' has min_args 2 greater than "
      "max_args 1", NULL },
    { "bad_method_defining",
      "SystemError: module 'bad_method_defining': function 'm' has flag IX_METH_METHOD, which "
      "only a type's methods take", NULL },
    { "bad_method_class",
      "SystemError: module 'bad_method_class': function 'm' has flag IX_METH_CLASS, which "
      "only a type's methods take", NULL },
    /* ABI 1.3: typed signatures (ABI.md 4.32) */
    { "bad_typed_letter",
      "SystemError: module 'bad_typed_letter': typed method 'f' has the signature \"lq:l\": unknown "
      "type letter 'q' at position 2", NULL },
    { "bad_typed_many",
      "SystemError: module 'bad_typed_many': typed method 'f' has the signature \"lllllllll:l\": more "
      "than 8 parameters", NULL },
    { "bad_typed_nocolon",
      "SystemError: module 'bad_typed_nocolon': typed method 'f' has the signature \"ll\": no ':' "
      "before the result letter", NULL },
    { "bad_typed_noresult",
      "SystemError: module 'bad_typed_noresult': typed method 'f' has the signature \"l:\": one "
      "result letter must follow ':'", NULL },
    { "bad_typed_nofunc",
      "SystemError: module 'bad_typed_nofunc': typed method 'f' has no typed function", NULL },
    { "bad_typed_nosig",
      "SystemError: module 'bad_typed_nosig': typed method 'f' has no signature", NULL },
    { "bad_typed_null", "SystemError: module 'bad_typed_null': method 'f' has no function", NULL },
    { "bad_typed_arity",
      "SystemError: module 'bad_typed_arity': typed method 'f' has the signature \"ll:l\" of 2 "
      "parameters, but min_args 1 and max_args 1", NULL },
    { "bad_typed_kw",
      "SystemError: module 'bad_typed_kw': method 'f' has flags 0x3; IX_METH_TYPED does not "
      "combine with IX_METH_KEYWORDS or IX_METH_METHOD", NULL },
    /* create and exec (ABI.md 4.4-4.6) */
    { "create_null_noerr",
      "SystemError: module 'create_null_noerr': create slot returned NULL without setting an "
      "error", NULL },
    { "create_value_with_err",
      "SystemError: module 'create_value_with_err': create slot returned a result with an "
      "error set", "ValueError: create failed on purpose" },
    { "create_nonmodule_state",
      "SystemError: module 'create_nonmodule_state': create slot returned a non-module object "
      "(dict) but the definition requests module state", NULL },
    { "create_nonmodule_exec",
      "SystemError: module 'create_nonmodule_exec': create slot returned a non-module object "
      "(dict) but the definition has exec slots", NULL },
    { "create_nonmodule_methods",
      "SystemError: module 'create_nonmodule_methods': create slot returned a non-module "
      "object (dict) but the definition has methods", NULL },
    { "exec_fail_noerr",
      "SystemError: module 'exec_fail_noerr': exec slot 2 failed without setting an error",
      NULL },
    { "exec_ok_with_err",
      "SystemError: module 'exec_ok_with_err': exec slot 1 returned success with an error set",
      "ValueError: exec failed on purpose" },
};

/* In a fresh interpreter: the import fails as the row says, the interpreter still
 * imports a good module, and closing it leaves nothing behind. */
static void check_import_row(const ImportRow *row)
{
    char expected[1024];
    IxInterp *interp;
    IxContext *ctx;

    ixd_scenario_detail(row->module);
    snprintf(expected, sizeof expected, "%s%s%s", row->error, row->cause ? " <- " : "",
             row->cause ? row->cause : "");
    interp = OPEN();
    ctx = ENTER(interp);
    CHECK_ERROR(ctx, ixh_import_module(ctx, row->module), expected);
    Ix_Decref(ctx, IMPORT(ctx, "counter"));
    ixh_leave(ctx);
    CHECK_CLOSE(interp);
    CHECK_CLEAN();
}

/* The one create-slot module that is allowed to return a non-module: a dict. */
static void check_create_nonmodule_ok(void)
{
    char text[64];
    IxInterp *interp;
    IxContext *ctx;
    IxObject *d, *key, *made_by;

    ixd_scenario_detail("create_nonmodule_ok");
    interp = OPEN();
    ctx = ENTER(interp);
    d = IMPORT(ctx, "create_nonmodule_ok");
    key = CHECK_OK(ctx, IxStr_FromCString(ctx, "made_by"));
    CHECK_EQ_INT(Ix_IsInstance(ctx, d, Ix_Builtin(ctx, IX_TYPE_DICT)), 1);
    made_by = CHECK_OK(ctx, IxDict_GetItem(ctx, d, key)); /* borrowed (ABI.md 3.2.1) */
    CHECK_EQ_STR(WANT_TEXT(ctx, Ix_NewRef(ctx, made_by), text), "create");
    Ix_Decref(ctx, key);
    Ix_Decref(ctx, d);
    ixh_leave(ctx);
    CHECK_CLOSE(interp);
    CHECK_CLEAN();
}

/* ABI.md 2.3: a module built for an older minor version loads and works. */
static void check_older_minor_loads(void)
{
    char text[64];
    IxInterp *interp;
    IxContext *ctx;
    IxObject *m;

    ixd_scenario_detail("abi_1_0");
    interp = OPEN();
    ctx = ENTER(interp);
    m = IMPORT(ctx, "abi_1_0");
    CHECK_EQ_STR(WANT_TEXT(ctx, Ix_CallMethod(ctx, m, "ping", NULL, 0), text), "pong");
    Ix_Decref(ctx, m);
    ixh_leave(ctx);
    CHECK_CLOSE(interp);
    CHECK_CLEAN();
}

/* The rows that name the host's version (ABI.md 1.2, 4.13), their numbers from the header
 * this driver and the host were built with: bad_abi_minor declares IX_ABI_MINOR + 1
 * (test-ext/bad_defs.c), so all stay exact when the minor is raised. */
static size_t check_version_rows(void)
{
    char major[256], minor[256], flags[256];
    snprintf(major, sizeof major,
             "ImportError: module 'bad_abi_major' was built for isolex ABI 2.0, but this host "
             "implements ABI %d.%d (the major versions must match)", IX_ABI_MAJOR, IX_ABI_MINOR);
    snprintf(minor, sizeof minor,
             "ImportError: module 'bad_abi_minor' was built for isolex ABI %d.%d, newer than "
             "this host's ABI %d.%d", IX_ABI_MAJOR, IX_ABI_MINOR + 1, IX_ABI_MAJOR, IX_ABI_MINOR);
    snprintf(flags, sizeof flags,
             "SystemError: module 'bad_method_flags': method 'm' has flags 0x4, which ABI %d.%d "
             "does not define", IX_ABI_MAJOR, IX_ABI_MINOR);
    const ImportRow rows[] = { { "bad_abi_major", major, NULL }, { "bad_abi_minor", minor, NULL },
                               { "bad_method_flags", flags, NULL } };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        check_import_row(&rows[i]);
    return sizeof rows / sizeof rows[0];
}

void ixd_conformance(int argc, char **argv)
{
    size_t i;
    IXD_NO_ARGS;
    for (i = 0; i < sizeof import_rows / sizeof import_rows[0]; i++)
        check_import_row(&import_rows[i]);
    i += check_version_rows();
    check_create_nonmodule_ok();
    check_older_minor_loads();
    ixd_scenario_detail(NULL);
    printf("conformance: %zu import errors and create_nonmodule_ok as specified\n", i);
}

/* ---------------------------------------------------------------- errors */

/* raiser functions (test-ext/README.md) and errors the host raises itself (ABI.md 3.5,
 * 3.6, 5.4): call `func` of `module` with one str argument (or none) and expect `error`. */
typedef struct RaiseRow {
    const char *module;
    const char *func;
    const char *arg;
    const char *error;
} RaiseRow;

static const RaiseRow raise_rows[] = {
    { "raiser", "raise_own", "boom", "raiser.RaiserError: boom" },
    { "raiser", "raise_value", NULL, "ValueError: bad value" },
    { "raiser", "null_no_error", NULL,
      "SystemError: raiser.null_no_error() returned NULL without setting an error" },
    { "raiser", "value_with_error", NULL,
      "SystemError: raiser.value_with_error() returned a result with an error set"
      " <- ValueError: set but returned" },
    { "probe", "check_int", "x", "TypeError: expected int, got str" },
};

static void check_raise_row(IxContext *ctx, const RaiseRow *row)
{
    IxObject *m = IMPORT(ctx, row->module);
    CHECK_ERROR(ctx, row->arg ? ixd_call_str(ctx, m, row->func, row->arg)
                              : CALL0(ctx, m, row->func),
                row->error);
    Ix_Decref(ctx, m);
}

/* The module's exception type is a real type: raised errors match it and its base. */
static void check_own_exception_type(IxContext *ctx)
{
    IxObject *raiser = IMPORT(ctx, "raiser");
    IxObject *type = CHECK_OK(ctx, Ix_GetAttr(ctx, raiser, "RaiserError"));

    CHECK_ERROR(ctx, CALL0(ctx, raiser, "raise_value"), "ValueError: bad value");
    CHECK(ixd_call_str(ctx, raiser, "raise_own", "typed") == NULL);
    CHECK_EQ_INT(IxErr_ExceptionMatches(ctx, type), 1);
    CHECK_EQ_INT(IxErr_ExceptionMatches(ctx, Ix_Builtin(ctx, IX_EXC_EXCEPTION)), 1);
    CHECK_EQ_INT(IxErr_ExceptionMatches(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR)), 0);
    CHECK_ERROR(ctx, NULL, "raiser.RaiserError: typed");
    Ix_Decref(ctx, type);
    Ix_Decref(ctx, raiser);
}

/* Errors of the API itself, straight from the host. */
static void check_host_errors(IxContext *ctx)
{
    IxObject *counter = IMPORT(ctx, "counter"), *probe = IMPORT(ctx, "probe");
    IxObject *c = CHECK_OK(ctx, ixd_call_ints(ctx, counter, "Counter", INTS(0, 1)));
    IxObject *dict = CHECK_OK(ctx, IxDict_New(ctx)), *list = CHECK_OK(ctx, IxList_New(ctx));

    CHECK_ERROR(ctx, IxStr_FromUTF8(ctx, "ok\xff", 3), "ValueError: invalid UTF-8 at byte 2");
    CHECK_ERROR_RC(ctx, IxDict_SetItem(ctx, dict, list, list),
                   "TypeError: unhashable type: 'list'");
    CHECK_ERROR(ctx, Ix_GetAttr(ctx, c, "x"),
                "AttributeError: 'counter.Counter' object has no attribute 'x'");
    CHECK_EQ_INT(WANT_INT(ctx, ixd_call_ints(ctx, probe, "check_int", INTS(41))), 41);

    Ix_Decref(ctx, list);
    Ix_Decref(ctx, dict);
    Ix_Decref(ctx, c);
    Ix_Decref(ctx, probe);
    Ix_Decref(ctx, counter);
}

void ixd_errors(int argc, char **argv)
{
    IxInterp *interp = OPEN();
    IxContext *ctx = ENTER(interp);
    size_t i;
    IXD_NO_ARGS;

    for (i = 0; i < sizeof raise_rows / sizeof raise_rows[0]; i++)
        check_raise_row(ctx, &raise_rows[i]);
    check_own_exception_type(ctx);
    check_host_errors(ctx);
    ixh_leave(ctx);
    CHECK_CLOSE(interp);
    CHECK_CLEAN();
}

/* ---------------------------------------------------------------- one interpreter only */

/* `module` loads in A and is refused in B with `refusal` (a printf format taking A's id
 * as long long); `check_call` shows A's instance working before and after. */
typedef void CallCheck(IxContext *ctx, IxObject *module);

static void check_single_interpreter(const char *module, const char *refusal,
                                     CallCheck *check_call)
{
    char expected[1024];
    IxInterp *a = OPEN(), *b = OPEN();
    IxContext *ca = ENTER(a), *cb;
    IxObject *ma = IMPORT(ca, module);

    check_call(ca, ma);
    cb = ENTER(b);
    snprintf(expected, sizeof expected, refusal, (long long)ixh_interp_id(a));
    CHECK_ERROR(cb, ixh_import_module(cb, module), expected);
    Ix_Decref(cb, IMPORT(cb, "counter")); /* B is none the worse */
    ixh_leave(cb);
    check_call(ca, ma);
    Ix_Decref(ca, ma);
    ixh_leave(ca);
    CHECK_CLOSE(b);
    CHECK_CLOSE(a);
    CHECK_CLEAN();
}

/* count() counts calls in a C global: consecutive calls give consecutive numbers. */
static void check_legacy_count(IxContext *ctx, IxObject *m)
{
    int64_t n = WANT_INT(ctx, CALL0(ctx, m, "count"));
    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, m, "count")), n + 1);
}

static void check_ping(IxContext *ctx, IxObject *m)
{
    char text[16];
    CHECK_EQ_STR(WANT_TEXT(ctx, CALL0(ctx, m, "ping"), text), "pong");
}

void ixd_legacy(int argc, char **argv)
{
    IXD_NO_ARGS;
    check_single_interpreter(
        "legacy_point",
        "ImportError: module 'legacy_point' uses single-phase init and static types "
        "(legacy_point.Point, legacy_point.Line) and is loaded in interpreter %lld; it cannot "
        "be loaded in several interpreters. See abi/MIGRATION.md to make it multiphase",
        check_legacy_count);
}

void ixd_multi_not_supported(int argc, char **argv)
{
    IxInterp *c;
    IxContext *cc;
    IxObject *m;
    IXD_NO_ARGS;

    check_single_interpreter(
        "multi_not_supported",
        "ImportError: module 'multi_not_supported' does not support several interpreters and "
        "is already loaded in interpreter %lld",
        check_ping);
    /* "One interpreter at a time" (ABI.md 4.9): with A closed, another may load it. */
    c = OPEN();
    cc = ENTER(c);
    m = IMPORT(cc, "multi_not_supported");
    check_ping(cc, m);
    Ix_Decref(cc, m);
    ixh_leave(cc);
    CHECK_CLOSE(c);
    CHECK_CLEAN();
}
