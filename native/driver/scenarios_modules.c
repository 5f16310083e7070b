/*
 * scenarios_modules.c -- modules working as they should: import, call, close and unload;
 * isolation between interpreters; objects refused at the border; many cycles.
 */
#define _POSIX_C_SOURCE 200809L

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "driver.h"

#define FACT_20 "2432902008176640000"
#define FACT_100                                                                  \
    "9332621544394415268169923885626670049071596826438162146859296389521759999322" \
    "9915608941463976156518286253697920827223758251185210916864000000000000000000" \
    "000000"

/* counter.Counter(start, step), made the way the brief spells it: GetAttr, then Call. */
static IxObject *new_counter(IxContext *ctx, IxObject *counter, int64_t start, int64_t step)
{
    IxObject *type = CHECK_OK(ctx, Ix_GetAttr(ctx, counter, "Counter"));
    IxObject *c = CHECK_OK(ctx, ixd_call_ints(ctx, type, NULL, INTS(start, step)));
    Ix_Decref(ctx, type);
    return c;
}

/* ---------------------------------------------------------------- import-call-close */

void ixd_import_call_close(int argc, char **argv)
{
    char counter_so[PATH_MAX], fact_so[PATH_MAX], text[64];
    IxInterp *interp = OPEN();
    IxContext *ctx = ENTER(interp);
    IxObject *counter = IMPORT(ctx, "counter");
    IxObject *c = new_counter(ctx, counter, 5, 2);
    IxObject *fact;
    IXD_NO_ARGS;

    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, c, "increment")), 7);
    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, c, "increment")), 9);
    CHECK_EQ_INT(WANT_INT(ctx, ixd_call(ctx, counter, "value_of", &c, 1)), 9);

    fact = IMPORT(ctx, "fact");
    /* str() of the result: the decimal text whether fact answers with str or int */
    CHECK_EQ_STR(WANT_TEXT(ctx, ixd_call_ints(ctx, fact, "factorial", INTS(20)), text), FACT_20);
    CHECK_EQ_INT(WANT_INT(ctx, ixd_call_ints(ctx, fact, "digits", INTS(1000))), 2568);

    /* Mapped now, so that "not mapped" after close means unloaded, not never seen. */
    SO_PATH("counter", counter_so);
    SO_PATH("fact", fact_so);
    CHECK(ixd_is_mapped(counter_so));
    CHECK(ixd_is_mapped(fact_so));

    Ix_Decref(ctx, c);
    Ix_Decref(ctx, counter);
    Ix_Decref(ctx, fact);
    ixh_leave(ctx);
    CHECK_CLOSE(interp);

    CHECK(!ixd_is_mapped(counter_so));
    CHECK(!ixd_is_mapped(fact_so));
    CHECK_CLEAN();
}

/* ---------------------------------------------------------------- isolation */

/* counter in A and B: own instance counts, own types; re-import gives the same module. */
static void counters_are_separate(IxContext *ca, IxContext *cb)
{
    IxObject *cnt_a = IMPORT(ca, "counter"), *cnt_b = IMPORT(cb, "counter");
    IxObject *again = IMPORT(ca, "counter");
    IxObject *made[4], *type_a, *type_b;
    int i;

    CHECK(again == cnt_a);
    for (i = 0; i < 3; i++) made[i] = new_counter(ca, cnt_a, i, 1);
    made[3] = new_counter(cb, cnt_b, 0, 1);
    CHECK_EQ_INT(WANT_INT(ca, CALL0(ca, cnt_a, "created")), 3);
    CHECK_EQ_INT(WANT_INT(cb, CALL0(cb, cnt_b, "created")), 1);

    type_a = CHECK_OK(ca, Ix_GetAttr(ca, cnt_a, "Counter"));
    type_b = CHECK_OK(cb, Ix_GetAttr(cb, cnt_b, "Counter"));
    CHECK(type_a != type_b);

    for (i = 0; i < 3; i++) Ix_Decref(ca, made[i]);
    Ix_Decref(cb, made[3]);
    Ix_Decref(ca, type_a);
    Ix_Decref(cb, type_b);
    Ix_Decref(ca, again);
    Ix_Decref(ca, cnt_a);
    Ix_Decref(cb, cnt_b);
}

/* Each interpreter has its own None, and probe sees the one of its interpreter. */
static void builtins_are_separate(IxContext *ca, IxContext *cb)
{
    IxObject *pa = IMPORT(ca, "probe"), *pb = IMPORT(cb, "probe");
    int64_t none_a = WANT_INT(ca, CALL0(ca, pa, "none_id"));
    int64_t none_b = WANT_INT(cb, CALL0(cb, pb, "none_id"));

    CHECK(none_a != none_b);
    CHECK_EQ_INT(none_a, (intptr_t)Ix_None(ca));
    CHECK_EQ_INT(none_b, (intptr_t)Ix_None(cb));
    Ix_Decref(ca, pa);
    Ix_Decref(cb, pb);
}

static int64_t exec_count(IxContext *ctx, IxObject *lifecycle)
{
    IxObject *stats = CHECK_OK(ctx, CALL0(ctx, lifecycle, "stats"));
    int64_t n = DICT_INT(ctx, stats, "exec");
    Ix_Decref(ctx, stats);
    return n;
}

/* Module state: zeroed, per interpreter; exec runs once per interpreter, not per import. */
static void state_is_separate(IxContext *ca, IxContext *cb)
{
    IxObject *la = IMPORT(ca, "lifecycle"), *again, *lb;
    int64_t execs = exec_count(ca, la);

    again = IMPORT(ca, "lifecycle");
    CHECK(again == la);
    CHECK_EQ_INT(exec_count(ca, la), execs);
    lb = IMPORT(cb, "lifecycle");
    CHECK_EQ_INT(exec_count(ca, la), execs + 3); /* B ran its own three exec slots */

    CHECK_EQ_INT(WANT_BOOL(ca, CALL0(ca, la, "state_was_zeroed")), 1);
    CHECK_EQ_INT(WANT_BOOL(cb, CALL0(cb, lb, "state_was_zeroed")), 1);
    CHECK_EQ_INT(WANT_INT(ca, CALL0(ca, la, "incr")), 1);
    CHECK_EQ_INT(WANT_INT(ca, CALL0(ca, la, "incr")), 2);
    CHECK_EQ_INT(WANT_INT(cb, CALL0(cb, lb, "get")), 0);
    CHECK_EQ_INT(WANT_INT(cb, CALL0(cb, lb, "incr")), 1);
    CHECK_EQ_INT(WANT_INT(ca, CALL0(ca, la, "get")), 2);

    Ix_Decref(ca, again);
    Ix_Decref(ca, la);
    Ix_Decref(cb, lb);
}

void ixd_isolation(int argc, char **argv)
{
    IxInterp *a = OPEN(), *b = OPEN();
    /* One thread may hold two interpreters: they have different locks. */
    IxContext *ca = ENTER(a), *cb = ENTER(b);
    IXD_NO_ARGS;

    CHECK(ixh_interp_id(a) != ixh_interp_id(b));
    counters_are_separate(ca, cb);
    builtins_are_separate(ca, cb);
    state_is_separate(ca, cb);

    ixh_leave(cb);
    ixh_leave(ca);
    CHECK_CLOSE(b);
    CHECK_CLOSE(a);
    CHECK_CLEAN();
}

/* ---------------------------------------------------------------- foreign-object */

/* "ROLE is a T object of interpreter A; objects cannot cross into interpreter B" (ABI.md
 * 3.3), or in debug mode the check of its table (10.2), which comes first, for `api`. */
static const char *crossing(char *buf, size_t cap, int debug, const char *api, const char *role,
                            const char *type, IxInterp *a, IxInterp *b)
{
    long long ida = (long long)ixh_interp_id(a), idb = (long long)ixh_interp_id(b);
    if (debug)
        snprintf(buf, cap, "SystemError: isolex debug: %s: argument 1 is a %s object of interpreter %lld, "
                 "used in interpreter %lld", api, type, ida, idb);
    else
        snprintf(buf, cap, "TypeError: %s is a %s object of interpreter %lld; objects cannot cross into "
                 "interpreter %lld", role, type, ida, idb);
    return buf;
}

/* What an operation works on is checked like its arguments: the receiver of a method call
 * or an attribute, the callable itself, the operand of repr, hash and comparison. */
static void foreign_receivers(int debug)
{
    char want[512];
    IxInterp *a = OPEN_MODE(debug), *b = OPEN_MODE(debug);
    IxContext *ca = ENTER(a), *cb = ENTER(b);
    IxObject *cnt_a = IMPORT(ca, "counter");
    IxObject *obj_a = new_counter(ca, cnt_a, 5, 2);
    IxObject *value_of_a = CHECK_OK(ca, Ix_GetAttr(ca, cnt_a, "value_of"));
    IxObject *one_b = CHECK_OK(cb, IxLong_FromInt64(cb, 1));
    ixd_scenario_detail(debug ? "receivers, debug mode" : "receivers, release mode");

    CHECK_ERROR(cb, Ix_CallMethod(cb, obj_a, "add", &one_b, 1),
                crossing(want, sizeof want, debug, "Ix_CallMethod", "the receiver of counter.Counter.add()",
                         "counter.Counter", a, b));
    CHECK_ERROR(cb, Ix_Call(cb, value_of_a, &one_b, 1),
                crossing(want, sizeof want, debug, "Ix_Call", "the callable counter.value_of()",
                         "builtin_function", a, b));
    CHECK_ERROR(cb, Ix_GetAttr(cb, obj_a, "value"),
                crossing(want, sizeof want, debug, "Ix_GetAttr", "the receiver of attribute 'value'",
                         "counter.Counter", a, b));
    CHECK_ERROR_RC(cb, Ix_SetAttr(cb, obj_a, "step", one_b),
                   crossing(want, sizeof want, debug, "Ix_SetAttr", "the receiver of attribute 'step'",
                            "counter.Counter", a, b));
    CHECK_ERROR(cb, Ix_Repr(cb, obj_a),
                crossing(want, sizeof want, debug, "Ix_Repr", "argument 1 of repr()", "counter.Counter", a, b));
    CHECK_ERROR_RC(cb, (int)Ix_Hash(cb, obj_a),
                   crossing(want, sizeof want, debug, "Ix_Hash", "argument 1 of hash()", "counter.Counter", a, b));
    CHECK_ERROR_RC(cb, Ix_RichCompareBool(cb, obj_a, one_b, IX_EQ),
                   crossing(want, sizeof want, debug, "Ix_RichCompareBool", "argument 1 of compare()",
                            "counter.Counter", a, b));
    if (debug) ixh_debug_take_violations(NULL, 0); /* each was raised, as checked above */

    /* Refused without a trace: the counter is unchanged, and both interpreters work on. */
    CHECK_EQ_INT(WANT_INT(ca, ixd_call(ca, cnt_a, "value_of", &obj_a, 1)), 5);
    IxObject *cnt_b = IMPORT(cb, "counter");
    CHECK_EQ_INT(WANT_INT(cb, CALL0(cb, cnt_b, "created")), 0);
    Ix_Decref(cb, cnt_b);
    Ix_Decref(cb, one_b);
    ixh_leave(cb);
    Ix_Decref(ca, value_of_a);
    Ix_Decref(ca, obj_a);
    Ix_Decref(ca, cnt_a);
    ixh_leave(ca);
    CHECK_CLOSE(b);
    CHECK_CLOSE(a);
    ixd_scenario_detail(NULL);
}

void ixd_foreign_object(int argc, char **argv)
{
    char expected[512];
    IxInterp *a = OPEN(), *b = OPEN();
    IxContext *ca = ENTER(a), *cb;
    IxObject *cnt_a = IMPORT(ca, "counter"), *cnt_b, *value_of_b;
    IxObject *obj_a = new_counter(ca, cnt_a, 5, 2), *obj_b;
    IXD_NO_ARGS;

    cb = ENTER(b);
    cnt_b = IMPORT(cb, "counter");
    value_of_b = CHECK_OK(cb, Ix_GetAttr(cb, cnt_b, "value_of"));
    snprintf(expected, sizeof expected,
             "TypeError: argument 1 of counter.value_of() is a counter.Counter object of "
             "interpreter %lld; objects cannot cross into interpreter %lld",
             (long long)ixh_interp_id(a), (long long)ixh_interp_id(b));
    CHECK_ERROR(cb, Ix_Call(cb, value_of_b, &obj_a, 1), expected);
    CHECK_ERROR(cb, ixd_call(cb, cnt_b, "value_of", &obj_a, 1), expected);

    /* The border is the only thing refused: B's own object passes, A's still works in A. */
    obj_b = new_counter(cb, cnt_b, 1, 1);
    CHECK_EQ_INT(WANT_INT(cb, Ix_Call(cb, value_of_b, &obj_b, 1)), 1);
    CHECK_EQ_INT(WANT_INT(ca, ixd_call(ca, cnt_a, "value_of", &obj_a, 1)), 5);

    Ix_Decref(cb, obj_b);
    Ix_Decref(cb, value_of_b);
    Ix_Decref(cb, cnt_b);
    ixh_leave(cb); /* leave in reverse order of entering */
    Ix_Decref(ca, obj_a);
    Ix_Decref(ca, cnt_a);
    ixh_leave(ca);
    CHECK_CLOSE(b);
    CHECK_CLOSE(a);
    foreign_receivers(0);
    foreign_receivers(1);
    CHECK_CLEAN();
}

/* ---------------------------------------------------------------- cycles */

/* [1, "two", {"three": (3.5, None), "four": [4]}] */
static IxObject *nested_value(IxContext *ctx)
{
    IxObject *list = CHECK_OK(ctx, IxList_New(ctx));
    IxObject *dict = CHECK_OK(ctx, IxDict_New(ctx));
    IxObject *inner = CHECK_OK(ctx, IxList_New(ctx));
    IxObject *pair[2];

    pair[0] = CHECK_OK(ctx, IxFloat_FromDouble(ctx, 3.5));
    pair[1] = Ix_None(ctx);
    SET_OWNED(ctx, dict, "three", IxTuple_FromArray(ctx, pair, 2));
    Ix_Decref(ctx, pair[0]);
    APPEND_OWNED(ctx, inner, IxLong_FromInt64(ctx, 4));
    SET_OWNED(ctx, dict, "four", inner);
    APPEND_OWNED(ctx, list, IxLong_FromInt64(ctx, 1));
    APPEND_OWNED(ctx, list, IxStr_FromCString(ctx, "two"));
    APPEND_OWNED(ctx, list, dict);
    return list;
}

static void one_cycle(void)
{
    char text[256];
    IxInterp *interp = OPEN();
    IxContext *ctx = ENTER(interp);
    IxObject *counter = IMPORT(ctx, "counter"), *fact = IMPORT(ctx, "fact");
    IxObject *probe = IMPORT(ctx, "probe");
    IxObject *c = new_counter(ctx, counter, 5, 2);
    IxObject *value = nested_value(ctx), *back;

    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, c, "increment")), 7);
    CHECK_EQ_STR(WANT_TEXT(ctx, ixd_call_ints(ctx, fact, "factorial", INTS(100)), text),
                 FACT_100);
    back = CHECK_OK(ctx, ixd_call(ctx, probe, "echo", &value, 1));
    CHECK_EQ_INT(Ix_RichCompareBool(ctx, back, value, IX_EQ), 1);

    Ix_Decref(ctx, back);
    Ix_Decref(ctx, value);
    Ix_Decref(ctx, c);
    Ix_Decref(ctx, probe);
    Ix_Decref(ctx, fact);
    Ix_Decref(ctx, counter);
    ixh_leave(ctx);
    CHECK_CLOSE(interp);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, long n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* N from the scenario's argument (default 100). */
static long cycles_arg(int argc, char **argv)
{
    char *end = NULL;
    long n = argc > 0 ? strtol(argv[0], &end, 10) : 100;
    if (argc > 0 && (*end != '\0' || n <= 0 || n > 10000000))
        ixd_fail(IXD_AT, "  %s: N must be a positive integer, got \"%s\"", ixd_scenario, argv[0]);
    return n;
}

/* n cycles, timed. After each one the process must be back to where it was before the
 * first: empty (CHECK_CLEAN), or, with a holder, exactly the holder's bytes, the holder
 * and its three libraries. */
static void run_cycles(long n, int64_t held_bytes, int held)
{
    double *us = malloc((size_t)n * sizeof *us);
    long i;

    if (!us) ixd_fail(IXD_AT, "  %s: out of memory for %ld timings", ixd_scenario, n);
    for (i = 0; i < n; i++) {
        double t0 = ixd_now_us();
        one_cycle();
        us[i] = ixd_now_us() - t0;
        if (!held) {
            CHECK_CLEAN(); /* every cycle gives back everything, not just the last */
        } else {
            CHECK_EQ_INT(ixh_live_bytes(), held_bytes);
            CHECK_EQ_INT(ixh_live_interpreters(), 1);
            CHECK_EQ_INT(ixh_loaded_libraries(), 3);
        }
    }
    printf("%s: %ld cycles, median %.1f us per cycle "
           "(new, import counter+fact+probe, calls, close)\n",
           ixd_scenario, n, median(us, n));
    free(us);
}

void ixd_cycles(int argc, char **argv)
{
    run_cycles(cycles_arg(argc, argv), 0, 0);
    CHECK_CLEAN();
}

/* ---------------------------------------------------------------- cycles-held */

/* The same cycles with one more interpreter, open throughout, holding counter, fact and
 * probe imported: their libraries stay mapped, so each cycle's imports find them loaded
 * instead of dlopen-ing them again. Under Valgrind that is the difference between about
 * 130 ms and 20 ms a cycle, and between a process that grows by ~1.5 MB a cycle and one
 * that does not: memcheck reads a library's debug information and re-instruments its
 * code every time it is mapped, and --keep-debuginfo=yes keeps every copy it read
 * (valgrind/README.md). `cycles` re-maps every cycle, as a host whose last interpreter
 * closes does; this one is for long runs (memcheck-cycles-1000). Everything the cycles
 * make must still go: after each, the process holds exactly what it held before it. */
void ixd_cycles_held(int argc, char **argv)
{
    long n = cycles_arg(argc, argv);
    IxInterp *holder = OPEN();
    IxContext *ctx = ENTER(holder);
    IxObject *held[3];
    int64_t held_bytes;

    held[0] = IMPORT(ctx, "counter");
    held[1] = IMPORT(ctx, "fact");
    held[2] = IMPORT(ctx, "probe");
    ixh_leave(ctx);
    held_bytes = ixh_live_bytes();
    CHECK_EQ_INT(ixh_loaded_libraries(), 3);

    run_cycles(n, held_bytes, 1);

    ctx = ENTER(holder);
    Ix_Decref(ctx, held[2]);
    Ix_Decref(ctx, held[1]);
    Ix_Decref(ctx, held[0]);
    ixh_leave(ctx);
    CHECK_CLOSE(holder);
    CHECK_CLEAN();
}
