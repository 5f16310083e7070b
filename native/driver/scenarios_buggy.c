/*
 * scenarios_buggy.c -- test-ext/buggy's deliberate bugs, and the layer that catches each
 * (the table in test-ext/README.md, "Deliberate bugs").
 *
 *   ixdriver buggy                debug mode (ABI.md 10): every bug is reported with its
 *                                 exact text, both as the SystemError the call raises and
 *                                 as the line in the violation log; the interpreter stays
 *                                 usable and closes clean. Then what release mode reports
 *                                 for the one bug it can survive (an object kept in a C
 *                                 global, returned into another interpreter), and the
 *                                 "sites" of a debug leak report. An object of a closed
 *                                 interpreter, kept in a C global, used from another.
 *   ixdriver buggy release:BUG    one bug in a release interpreter, where it is genuine
 *                                 undefined behaviour: decref_twice, mem_double_free,
 *                                 write_past_end, use_stashed_context. Only for the tests
 *                                 that expect a checker to stop the process (asan-buggy-*,
 *                                 memcheck-buggy-*, native/driver/CMakeLists.txt); if
 *                                 nothing stops it, it prints "buggy: release:BUG was not
 *                                 caught" and exits 3.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "wire_read.h"

/* The violation log since the last take must be exactly `expected` (lines, each ending
 * in a newline; "" for none). Patterns as everywhere in the driver. */
static void expect_violations(const char *expected, const char *file, int line)
{
    char log[8192];
    int64_t n = ixh_debug_take_violations(log, sizeof log);
    int64_t want = 0;
    const char *p;
    for (p = expected; *p; p++) want += *p == '\n';
    if (n != want || !ixd_match(expected[0] ? expected : "", log))
        ixd_fail(file, line,
                 "  check:    the debug violation log\n"
                 "  expected: %" PRId64 " line(s): %s\n"
                 "  actual:   %" PRId64 " line(s): %s",
                 want, expected[0] ? expected : "(none)", n, log[0] ? log : "(none)");
}
#define EXPECT_VIOLATIONS(expected) expect_violations((expected), IXD_AT)

/* The interpreter still works: import counter, make a Counter, call it. */
static void still_usable(IxContext *ctx)
{
    IxObject *counter = IMPORT(ctx, "counter");
    IxObject *type = CHECK_OK(ctx, Ix_GetAttr(ctx, counter, "Counter"));
    IxObject *c = CHECK_OK(ctx, ixd_call_ints(ctx, type, NULL, INTS(5, 2)));
    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, c, "increment")), 7);
    Ix_Decref(ctx, c);
    Ix_Decref(ctx, type);
    Ix_Decref(ctx, counter);
}

/* ---------------------------------------------------------------- debug mode */

#define DEBUG_PREFIX "isolex debug: "

/* A bug that debug mode turns into a SystemError in the caller and one logged line. */
static void reported_with(IxContext *ctx, IxObject *buggy, const char *function,
                          IxObject *const *args, size_t n, const char *report)
{
    char error[512], logged[512];
    ixd_scenario_detail(function);
    snprintf(error, sizeof error, "SystemError: %s", report);
    snprintf(logged, sizeof logged, "%s\n", report);
    CHECK_ERROR(ctx, ixd_call(ctx, buggy, function, args, n), error);
    EXPECT_VIOLATIONS(logged);
    still_usable(ctx);
    ixd_scenario_detail(NULL);
}

static void reported(IxContext *ctx, IxObject *buggy, const char *function, const char *report)
{
    reported_with(ctx, buggy, function, NULL, 0, report);
}

/* A bug made on a borrowed argument: a fresh list, whose only reference is ours. Debug
 * mode refuses what would free it, so it is intact, and still ours, after the report. */
static void reported_on_list(IxContext *ctx, IxObject *buggy, const char *function,
                             const char *report)
{
    IxObject *list = CHECK_OK(ctx, IxList_New(ctx));
    reported_with(ctx, buggy, function, &list, 1, report);
    CHECK_EQ_INT(IxList_Size(ctx, list), 0);
    EXPECT_VIOLATIONS("");
    Ix_Decref(ctx, list);
}

/* keep_global in A, use_global and return_global in B: the object crosses through a C
 * global. Debug mode catches the use (Ix_Repr's argument); the host's result check (3.3,
 * both modes) catches the return. */
static void global_crossing(IxInterp *a, IxInterp *b, int debug)
{
    IxContext *ca = ENTER(a), *cb;
    IxObject *buggy_a = IMPORT(ca, "buggy"), *buggy_b;
    IxObject *list = CHECK_OK(ca, IxList_New(ca));
    int64_t ida = ixh_interp_id(a), idb = ixh_interp_id(b);
    char expected[512];

    ixd_scenario_detail(debug ? "keep_global/use_global" : "release: keep_global/use_global");
    Ix_Decref(ca, CHECK_OK(ca, ixd_call(ca, buggy_a, "keep_global", &list, 1)));
    ixh_leave(ca);

    cb = ENTER(b);
    buggy_b = IMPORT(cb, "buggy");
    if (debug) {
        snprintf(expected, sizeof expected,
                 "SystemError: " DEBUG_PREFIX "Ix_Repr: argument 1 is a list object of "
                 "interpreter %" PRId64 ", used in interpreter %" PRId64, ida, idb);
        CHECK_ERROR(cb, CALL0(cb, buggy_b, "use_global"), expected);
        snprintf(expected, sizeof expected,
                 DEBUG_PREFIX "Ix_Repr: argument 1 is a list object of interpreter %" PRId64
                 ", used in interpreter %" PRId64 "\n", ida, idb);
        EXPECT_VIOLATIONS(expected);
    } else {
        /* Release mode does not check every argument of every API call, but an object
         * an operation works on (ABI.md 3.3: receivers and operands of repr, hash and
         * comparison) is checked, so B's code never runs on A's list. */
        snprintf(expected, sizeof expected,
                 "TypeError: argument 1 of repr() is a list object of interpreter %" PRId64
                 "; objects cannot cross into interpreter %" PRId64, ida, idb);
        CHECK_ERROR(cb, CALL0(cb, buggy_b, "use_global"), expected);
        EXPECT_VIOLATIONS("");
    }
    if (debug) {
        /* Debug mode stops it earlier, at the Ix_NewRef that makes the result. */
        snprintf(expected, sizeof expected,
                 "SystemError: " DEBUG_PREFIX "Ix_Incref: argument 1 is a list object of "
                 "interpreter %" PRId64 ", used in interpreter %" PRId64, ida, idb);
        CHECK_ERROR(cb, CALL0(cb, buggy_b, "return_global"), expected);
        snprintf(expected, sizeof expected,
                 DEBUG_PREFIX "Ix_Incref: argument 1 is a list object of interpreter %" PRId64
                 ", used in interpreter %" PRId64 "\n"
                 DEBUG_PREFIX "Ix_Decref: argument 1 is a list object of interpreter %" PRId64
                 ", used in interpreter %" PRId64 "\n", ida, idb, ida, idb);
        EXPECT_VIOLATIONS(expected);
    } else {
        /* The host's result check (ABI.md 3.3): results do not cross either. */
        snprintf(expected, sizeof expected,
                 "SystemError: buggy.return_global() returned a list object of interpreter "
                 "%" PRId64 " into interpreter %" PRId64, ida, idb);
        CHECK_ERROR(cb, CALL0(cb, buggy_b, "return_global"), expected);
        EXPECT_VIOLATIONS("");
    }
    still_usable(cb);
    Ix_Decref(cb, buggy_b);
    ixh_leave(cb);

    /* A releases what its global holds, or A's close would report the list. */
    ca = ENTER(a);
    Ix_Decref(ca, CHECK_OK(ca, CALL0(ca, buggy_a, "drop_global")));
    Ix_Decref(ca, list);
    Ix_Decref(ca, buggy_a);
    ixh_leave(ca);
    ixd_scenario_detail(NULL);
}

/* A debug interpreter that keeps a new list in buggy's C global and closes: the close
 * reports the list, which the global still holds. Returns the interpreter's id. */
static int64_t keep_and_close(void)
{
    IxInterp *a = OPEN_MODE(1);
    IxContext *ctx = ENTER(a);
    IxObject *buggy = IMPORT(ctx, "buggy");
    IxObject *list = CHECK_OK(ctx, IxList_New(ctx));
    int64_t id = ixh_interp_id(a);
    Ix_Decref(ctx, CHECK_OK(ctx, ixd_call(ctx, buggy, "keep_global", &list, 1)));
    Ix_Decref(ctx, list);
    Ix_Decref(ctx, buggy);
    ixh_leave(ctx);
    CHECK_EQ_INT(ixh_interp_close(a, NULL, 0, NULL), 1); /* the list in the global leaked */
    EXPECT_VIOLATIONS("");
    return id;
}

/* The kept object outlives its interpreter. Every use of it from another interpreter --
 * as an argument, as a new reference, dropped, returned -- is reported as a closed
 * interpreter's object, and debug mode neither reads nor writes what the pointer points
 * at (the closed interpreter's memory is kept, poisoned, to tell it apart). */
static void closed_crossing(IxInterp *b)
{
    IxContext *cb = ENTER(b);
    IxObject *buggy = IMPORT(cb, "buggy"); /* B holds buggy.so: its global survives A */
    int64_t ida = keep_and_close(), idb = ixh_interp_id(b);
    char closed[256], report[512], two[1024];
    snprintf(closed, sizeof closed, "argument 1 is a list object of interpreter %" PRId64
             " (closed), used in interpreter %" PRId64, ida, idb);

    snprintf(report, sizeof report, DEBUG_PREFIX "Ix_Repr: %s", closed);
    reported(cb, buggy, "use_global", report);
    /* return_global: the Ix_NewRef is refused, and so is the Ix_Decref it then does */
    ixd_scenario_detail("return_global, closed");
    snprintf(report, sizeof report, "SystemError: " DEBUG_PREFIX "Ix_Incref: %s", closed);
    CHECK_ERROR(cb, CALL0(cb, buggy, "return_global"), report);
    snprintf(two, sizeof two, DEBUG_PREFIX "Ix_Incref: %s\n" DEBUG_PREFIX "Ix_Decref: %s\n",
             closed, closed);
    EXPECT_VIOLATIONS(two);
    still_usable(cb);
    snprintf(report, sizeof report, DEBUG_PREFIX "Ix_Decref: %s", closed);
    reported(cb, buggy, "drop_global", report); /* and the global is NULL again */

    /* Returned as a result: the boundary check of the call, in debug mode */
    ida = keep_and_close();
    snprintf(report, sizeof report, DEBUG_PREFIX "buggy.take_global(): result is a list object "
             "of interpreter %" PRId64 " (closed), used in interpreter %" PRId64, ida, idb);
    reported(cb, buggy, "take_global", report);
    Ix_Decref(cb, buggy);
    ixh_leave(cb);
}

/* keep_borrowed in A keeps a list without a reference; A drops the list, which goes to
 * A's quarantine: B's use of the global finds a freed object of A. */
static void freed_crossing(IxInterp *a, IxInterp *b)
{
    IxContext *ca = ENTER(a), *cb;
    IxObject *buggy_a = IMPORT(ca, "buggy"), *buggy_b;
    IxObject *list = CHECK_OK(ca, IxList_New(ca));
    char freed[256], report[512];
    Ix_Decref(ca, CHECK_OK(ca, ixd_call(ca, buggy_a, "keep_borrowed", &list, 1)));
    Ix_Decref(ca, list); /* the global dangles from here */
    Ix_Decref(ca, buggy_a);
    ixh_leave(ca);

    cb = ENTER(b);
    buggy_b = IMPORT(cb, "buggy");
    /* the site is the driver function that made the list (ixdriver or ixdriver_asan) */
    snprintf(freed, sizeof freed, "argument 1 is a freed object of interpreter %" PRId64
             " (allocated at ixdriver*freed_crossing)", ixh_interp_id(a));
    snprintf(report, sizeof report, DEBUG_PREFIX "Ix_Repr: %s", freed);
    reported(cb, buggy_b, "use_global", report);
    snprintf(report, sizeof report, DEBUG_PREFIX "Ix_Decref: %s", freed);
    reported(cb, buggy_b, "drop_global", report); /* refused, and the global is NULL again */
    Ix_Decref(cb, buggy_b);
    ixh_leave(cb);
}

/* A context kept past its call: the next entry's use of it is logged (nothing raised:
 * there is no live call to raise it in) and does nothing. */
static void stale_context(IxInterp *a)
{
    char expected[256];
    IxContext *ctx = ENTER(a);
    IxObject *buggy = IMPORT(ctx, "buggy");
    ixd_scenario_detail("stash_context/use_stashed_context");
    Ix_Decref(ctx, CHECK_OK(ctx, CALL0(ctx, buggy, "stash_context")));
    ixh_leave(ctx); /* the stashed context dies here */

    ctx = ENTER(a);
    CHECK_EQ_INT(WANT_BOOL(ctx, CALL0(ctx, buggy, "use_stashed_context")), 0);
    snprintf(expected, sizeof expected,
             DEBUG_PREFIX "IxList_New: context of interpreter %" PRId64
             " used after its call returned\n", ixh_interp_id(a));
    EXPECT_VIOLATIONS(expected);
    still_usable(ctx);
    Ix_Decref(ctx, buggy);
    ixh_leave(ctx);
    ixd_scenario_detail(NULL);
}

/* leaky.leak_block(100) in a debug interpreter: the leak report names the site. */
static void leak_sites(void)
{
    uint8_t report[4096];
    char text[4096], key[128];
    size_t len = 0;
    IxdReader r;
    uint32_t i, n, klen;
    int64_t bytes = -1, site_bytes = -1, module_bytes = -1;
    IxInterp *interp = OPEN_MODE(1);
    IxContext *ctx = ENTER(interp);
    IxObject *leaky = IMPORT(ctx, "leaky");

    ixd_scenario_detail("leak report sites");
    Ix_Decref(ctx, CHECK_OK(ctx, ixd_call_ints(ctx, leaky, "leak_block", INTS(100))));
    Ix_Decref(ctx, leaky);
    ixh_leave(ctx);
    CHECK_EQ_INT(ixh_interp_close(interp, report, sizeof report, &len), 1);

    ixd_reader_init(&r, report, len);
    n = ixd_read_count(&r, IXW_DICT);
    for (i = 0; i < n && !r.bad; i++) {
        const char *k = ixd_read_str(&r, &klen);
        snprintf(key, sizeof key, "%.*s", (int)klen, k);
        if (strcmp(key, "bytes") == 0) {
            bytes = ixd_read_int(&r);
        } else if (strcmp(key, "sites") == 0 || strcmp(key, "modules") == 0) {
            uint32_t m = ixd_read_count(&r, IXW_DICT), j;
            const char *want = key[0] == 's' ? "leaky.so!leaky_leak_block" : "leaky";
            int64_t *into = key[0] == 's' ? &site_bytes : &module_bytes;
            CHECK_EQ_INT(m, 1);
            for (j = 0; j < m; j++) {
                const char *name = ixd_read_str(&r, &klen);
                char got[128];
                snprintf(got, sizeof got, "%.*s", (int)klen, name);
                CHECK_EQ_STR(got, want);
                *into = ixd_read_int(&r);
            }
        } else {
            ixd_wire_text(&r, text, sizeof text); /* skip the value */
        }
    }
    CHECK(!r.bad);
    /* one block: 100 bytes of payload plus the block header and the debug guard */
    CHECK(bytes > 100 && bytes <= 100 + 128);
    CHECK_EQ_INT(site_bytes, bytes);
    CHECK_EQ_INT(module_bytes, bytes);
    ixd_reader_init(&r, report, len);
    printf("buggy: debug leak report: %s\n", ixd_wire_text(&r, text, sizeof text));
    EXPECT_VIOLATIONS("");
    ixd_scenario_detail(NULL);
}

/* The bugs made and caught in one interpreter, and their reports; on_a_list: the function
 * takes a fresh list (reported_on_list). */
typedef struct OneBug {
    const char *function;
    int on_a_list;
    const char *report;
} OneBug;

static const OneBug one_interpreter[] = {
    {"decref_twice", 0, DEBUG_PREFIX "Ix_Decref: refcount underflow on a list object allocated at "
                        "buggy.so!buggy_decref_twice"},
    {"mem_double_free", 0, DEBUG_PREFIX "IxMem_Free: double free of a block of 16 bytes allocated at "
                           "buggy.so!buggy_mem_double_free"},
    {"write_past_end", 0, DEBUG_PREFIX "IxMem_Free: write past the end of a block of 16 bytes "
                          "allocated at buggy.so!buggy_write_past_end"},
    {"return_freed", 0, DEBUG_PREFIX "buggy.return_freed(): result is a freed object (allocated at "
                        "buggy.so!buggy_return_freed)"},
    {"return_borrowed", 1, DEBUG_PREFIX "buggy.return_borrowed(): result is argument 1 (a list "
                           "object), returned without a new reference"},
    {"decref_borrowed", 1, DEBUG_PREFIX "Ix_Decref: refcount underflow on a list object borrowed as "
                           "argument 1 of buggy.decref_borrowed() (its caller holds the only "
                           "reference)"},
    {"decref_stack", 0, DEBUG_PREFIX "Ix_Decref: argument 1 is not an object"},
    {"mem_free_malloced", 0, DEBUG_PREFIX "IxMem_Free: argument 1 is not a block of this interpreter"},
    {"mem_free_object", 0, DEBUG_PREFIX "IxMem_Free: argument 1 is a list object, not a block from "
                           "IxMem_Malloc"},
    {"repr_block", 0, DEBUG_PREFIX "Ix_Repr: argument 1 is a block of 16 bytes allocated at "
                      "buggy.so!buggy_repr_block, not an object"},
};

static void debug_mode(void)
{
    IxInterp *a = OPEN_MODE(1), *b = OPEN_MODE(1);
    size_t i;
    IxContext *ctx = ENTER(a);
    IxObject *buggy = IMPORT(ctx, "buggy");

    for (i = 0; i < sizeof one_interpreter / sizeof one_interpreter[0]; i++) {
        const OneBug *bug = &one_interpreter[i];
        if (bug->on_a_list) reported_on_list(ctx, buggy, bug->function, bug->report);
        else reported(ctx, buggy, bug->function, bug->report);
    }
    Ix_Decref(ctx, buggy);
    ixh_leave(ctx);

    global_crossing(a, b, 1);
    freed_crossing(a, b);
    closed_crossing(b);
    stale_context(a);

    CHECK_CLOSE(a);
    CHECK_CLOSE(b);
    EXPECT_VIOLATIONS("");
    CHECK_CLEAN();
    leak_sites();
    CHECK_CLEAN();
}

/* ---------------------------------------------------------------- release mode */

/* What release mode reports for the bug it survives: the result check. */
static void release_mode(void)
{
    IxInterp *a = OPEN_MODE(0), *b = OPEN_MODE(0);
    global_crossing(a, b, 0);
    CHECK_CLOSE(a);
    CHECK_CLOSE(b);
    CHECK_CLEAN();
}

/* One undefined-behaviour bug in a release interpreter; a checker should stop us. */
static void release_bug(const char *bug)
{
    static const char *const bugs[] = {
        "decref_twice", "mem_double_free", "write_past_end", "use_stashed_context"
    };
    size_t i;
    IxInterp *interp;
    IxContext *ctx;
    IxObject *buggy, *result;
    for (i = 0; i < sizeof bugs / sizeof bugs[0]; i++)
        if (strcmp(bug, bugs[i]) == 0) break;
    if (i == sizeof bugs / sizeof bugs[0]) {
        fprintf(stderr, "ixdriver: buggy: no release bug '%s' (decref_twice, mem_double_free, "
                "write_past_end, use_stashed_context)\n", bug);
        exit(2);
    }
    interp = OPEN_MODE(0);
    ctx = ENTER(interp);
    buggy = IMPORT(ctx, "buggy");
    if (strcmp(bug, "use_stashed_context") == 0) {
        Ix_Decref(ctx, CHECK_OK(ctx, CALL0(ctx, buggy, "stash_context")));
        ixh_leave(ctx); /* a release context is freed here */
        ctx = ENTER(interp);
    }
    printf("buggy: release:%s: calling it\n", bug);
    fflush(stdout);
    result = CALL0(ctx, buggy, bug);
    if (!result) IxErr_Clear(ctx);
    Ix_Decref(ctx, result);
    Ix_Decref(ctx, buggy);
    ixh_leave(ctx);
    (void)ixh_interp_close(interp, NULL, 0, NULL);
    printf("buggy: release:%s was not caught\n", bug);
    fflush(stdout);
    exit(3);
}

void ixd_buggy(int argc, char **argv)
{
    if (argc > 0) {
        if (strncmp(argv[0], "release:", 8) != 0) {
            fprintf(stderr, "ixdriver: buggy: the argument is release:BUG\n");
            exit(2);
        }
        release_bug(argv[0] + 8);
    }
    ixh_debug_take_violations(NULL, 0); /* whatever came before is not ours */
    debug_mode();
    release_mode();
    printf("buggy: every deliberate bug reported as documented\n");
}
