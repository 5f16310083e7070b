/*
 * concurrency -- makes the interpreter lock and the shared lock observable (ABI.md 9).
 *
 * One source, compiled twice (see CMakeLists.txt) with -DCASE_<module> -DMODULE_NAME=<module>:
 *   conc_shared    declares IX_MOD_MULTI_SHARED_LOCK: the host must never run this module's
 *                  code on two threads at once, in any number of interpreters (9.3);
 *   conc_parallel  declares no multiple-interpreters slot, so the default applies
 *                  (IX_MOD_MULTI_PER_INTERPRETER_LOCK, 4.9): one thread at a time per
 *                  interpreter (9.1), different interpreters in parallel.
 *
 * The instrumentation is process-global on purpose -- C11 atomics in this library, so
 * each of the two .so files has its own set, shared by every interpreter that loaded it:
 *   inside      threads inside a critical section now
 *   max_inside  the most there ever were at once since the last reset()
 *   calls       critical sections completed
 *
 *   critical(us[, until])  count in, busy-wait `us` microseconds, count out; -> None.
 *                          With `until`, the wait also ends as soon as max_inside >= until:
 *                          a test that expects overlap waits for it (up to us) instead of
 *                          hoping two fixed-length sections happen to meet
 *   critical_released(us[, until])  the same between IxLock_Release and IxLock_Acquire (it
 *                          touches no object and calls nothing while released)
 *   max_inside(), calls()  -> int;  reset() -> None, all three back to 0
 *   token()                -> a new <module>.Token, whose tp_dealloc is a critical
 *                             section of 200 us, so dealloc serialization shows too
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, sched_yield */

#include <sched.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "isolex.h"

#ifndef MODULE_NAME
#error "compile with -DCASE_<name> -DMODULE_NAME=<name>"
#endif
#define STR_(x) #x
#define STR(x) STR_(x)
/* Expand MODULE_NAME before IX_MODINIT pastes it. */
#define MODINIT(name) IX_MODINIT(name)

#if defined(CASE_conc_shared)
#define MULTI_SLOT {IX_MOD_MULTIPLE_INTERPRETERS, IX_MOD_MULTI_SHARED_LOCK},
#elif defined(CASE_conc_parallel)
#define MULTI_SLOT /* none: the documented default applies */
#else
#error "unknown CASE_"
#endif

#define MAX_SPIN_US 10000000 /* 10 s: a longer spin is a test bug */
#define TOKEN_DEALLOC_US 200

/* ---------------------------------------------------------------- instrumentation */

static atomic_int_fast64_t inside, max_inside, calls;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The critical section every entry point runs: pure C, no API call, no object. Busy for
 * `us` microseconds, or until max_inside reaches `until` when that is positive. */
static void critical_section(int64_t us, int64_t until)
{
    int_fast64_t now = atomic_fetch_add(&inside, 1) + 1;
    int_fast64_t seen = atomic_load(&max_inside);
    while (now > seen && !atomic_compare_exchange_weak(&max_inside, &seen, now)) {
        /* seen was reloaded by the failed exchange */
    }
    int64_t end = now_ns() + us * 1000;
    while (now_ns() < end && !(until > 0 && atomic_load(&max_inside) >= until)) {
        /* Busy, as real work would be, but yielding: a thread that never makes a system
         * call can starve the others under Valgrind (which runs one thread at a time),
         * and then sections a broken lock would let overlap never get the chance. */
        sched_yield();
    }
    atomic_fetch_sub(&inside, 1);
    atomic_fetch_add(&calls, 1);
}

/* An int argument in 0..hi; -1 with the error set otherwise. */
static int64_t int_arg(IxContext *ctx, IxObject *arg, const char *what, int64_t hi)
{
    int64_t v = IxLong_AsInt64(ctx, arg);
    if (v == -1 && IxErr_Occurred(ctx) != NULL)
        return -1;
    if (v < 0 || v > hi) {
        IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "%s: %s must be in 0..%lld, got %lld",
                     STR(MODULE_NAME), what, (long long)hi, (long long)v);
        return -1;
    }
    return v;
}

/* (us[, until]) into *us and *until (0 when absent); -1 with the error set. */
static int section_args(IxContext *ctx, IxObject *const *args, size_t nargs, int64_t *us,
                        int64_t *until)
{
    *us = int_arg(ctx, args[0], "microseconds", MAX_SPIN_US);
    if (*us < 0)
        return -1;
    *until = nargs > 1 ? int_arg(ctx, args[1], "until", 1000) : 0;
    return *until < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- module functions */

static IxObject *conc_critical(IxContext *ctx, IxObject *module, IxObject *const *args,
                               size_t nargs)
{
    int64_t us, until;
    if (section_args(ctx, args, nargs, &us, &until) < 0)
        return NULL;
    critical_section(us, until);
    return Ix_ReturnNone(ctx);
}

static IxObject *conc_critical_released(IxContext *ctx, IxObject *module,
                                        IxObject *const *args, size_t nargs)
{
    int64_t us, until;
    if (section_args(ctx, args, nargs, &us, &until) < 0)
        return NULL;
    IxLock_Release(ctx); /* ABI.md 9.1: from here to Acquire, no object and no API call */
    critical_section(us, until);
    IxLock_Acquire(ctx);
    return Ix_ReturnNone(ctx);
}

static IxObject *conc_max_inside(IxContext *ctx, IxObject *module, IxObject *const *args,
                                 size_t nargs)
{
    return IxLong_FromInt64(ctx, (int64_t)atomic_load(&max_inside));
}

static IxObject *conc_calls(IxContext *ctx, IxObject *module, IxObject *const *args,
                            size_t nargs)
{
    return IxLong_FromInt64(ctx, (int64_t)atomic_load(&calls));
}

static IxObject *conc_reset(IxContext *ctx, IxObject *module, IxObject *const *args,
                            size_t nargs)
{
    atomic_store(&inside, 0);
    atomic_store(&max_inside, 0);
    atomic_store(&calls, 0);
    return Ix_ReturnNone(ctx);
}

/* ---------------------------------------------------------------- the Token type */

typedef struct {
    IxObject *TokenType; /* <module>.Token, strong reference */
} conc_state;

typedef struct {
    IxObject_HEAD
} TokenObject;

/* The host frees the memory; the critical section is what the test watches. */
static void Token_dealloc(IxContext *ctx, IxObject *self)
{
    critical_section(TOKEN_DEALLOC_US, 0);
}

static const IxTypeSlot Token_slots[] = {
    {IX_tp_dealloc, Token_dealloc},
    {IX_tp_doc, "made by token(); its dealloc is a critical section"},
    IX_TYPE_SLOTS_END
};

static const IxTypeSpec Token_spec = {
    .name = STR(MODULE_NAME) ".Token",
    .basic_size = sizeof(TokenObject),
    .flags = IX_TPFLAGS_DEFAULT,
    .slots = Token_slots,
};

static IxObject *conc_token(IxContext *ctx, IxObject *module, IxObject *const *args,
                            size_t nargs)
{
    conc_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return NULL;
    return IxType_GenericAlloc(ctx, st->TokenType);
}

static const IxMethodDef conc_methods[] = {
    {"critical", conc_critical, 1, 2, 0,
     "critical(us[, until]): a critical section busy for us microseconds, or until "
     "max_inside() >= until"},
    {"critical_released", conc_critical_released, 1, 2, 0,
     "critical_released(us[, until]): the same with the interpreter lock released"},
    {"max_inside", conc_max_inside, 0, 0, 0,
     "max_inside() -> int: most threads ever inside at once since reset()"},
    {"calls", conc_calls, 0, 0, 0, "calls() -> int: critical sections completed"},
    {"reset", conc_reset, 0, 0, 0, "reset(): all counters back to 0"},
    {"token", conc_token, 0, 0, 0, "token() -> Token: dealloc runs a critical section"},
    IX_METHODS_END
};

/* ---------------------------------------------------------------- module lifecycle */

static int conc_exec(IxContext *ctx, IxObject *module)
{
    conc_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return -1;
    st->TokenType = IxType_FromSpec(ctx, module, &Token_spec);
    if (st->TokenType == NULL)
        return -1;
    return IxModule_AddType(ctx, module, st->TokenType);
}

static int conc_traverse(IxContext *ctx, IxObject *module, IxVisitProc visit, void *arg)
{
    conc_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return 0;
    IX_VISIT(st->TokenType);
    return 0;
}

static int conc_clear(IxContext *ctx, IxObject *module)
{
    conc_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return 0;
    IX_CLEAR(ctx, st->TokenType);
    return 0;
}

static void conc_free(IxContext *ctx, IxObject *module)
{
    (void)conc_clear(ctx, module);
}

static const IxModuleSlot conc_slots[] = {
    {IX_MOD_EXEC, conc_exec},
    MULTI_SLOT
    IX_MOD_SLOTS_END
};

static const IxModuleDef conc_def = {
    IX_MODULEDEF_HEAD,
    .name = STR(MODULE_NAME),
    .doc = "makes the interpreter lock and the shared lock observable; see concurrency.c",
    .state_size = sizeof(conc_state),
    .methods = conc_methods,
    .slots = conc_slots,
    .traverse = conc_traverse,
    .clear = conc_clear,
    .free = conc_free,
};

MODINIT(MODULE_NAME)
{
    return &conc_def;
}
