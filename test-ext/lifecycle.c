/*
 * lifecycle -- instruments the module lifecycle (ABI.md 4.5-4.8).
 *
 * Observes: the state arrives zeroed (4.5); the three exec slots run once each, in order
 * (4.6); traverse/clear/free calls (4.8); and, with arm_failure(k), that a failing exec
 * slot k makes the host run clear and free exactly once and free everything exec 1..k
 * already made -- objects in the state and an IxMem_Malloc block -- so nothing leaks (4.6).
 *
 * The call counters are process-wide C globals on purpose (test instrumentation, atomics
 * because interpreters run in parallel); the module's own data is in its state.
 *
 *   order()            -> [1, 2, 3]: the exec slots, in the order they ran
 *   state_was_zeroed() -> True when exec 1 found every byte of the state zero
 *   incr()             -> the state counter after adding 1;  get() -> the counter
 *   stats()            -> {"exec": N, "clear": N, "free": N, "traverse": N}, process-wide;
 *                         "exec" counts exec slot calls (3 per successful import, k for an
 *                         import failing in slot k)
 *   arm_failure(k)     -> None; the next import of lifecycle, in any interpreter, fails in
 *                         exec slot k (1..3) with "ValueError: exec slot k failed on
 *                         purpose". The flag is consumed by that import. arm_failure(0)
 *                         disarms.
 */
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "isolex.h"

typedef struct {
    int64_t counter;
    IxObject *order;  /* list of the exec slot numbers, made by exec 1 */
    int64_t zeroed;   /* 1 when exec 1 found the state zeroed */
    void *block;      /* an IxMem_Malloc block from exec 1, released by free */
    IxObject *extra;  /* a dict made by exec 2, so a failure in 3 has two objects to drop */
    int64_t fail_at;  /* the exec slot that is to fail in this import, 0 for none */
} lifecycle_state;

static atomic_llong n_exec, n_clear, n_free, n_traverse;
static atomic_int armed_slot;  /* k of arm_failure(k), 0 when disarmed */

/* Common to every exec slot: count the call, record the slot in order, and fail if this
 * is the armed slot. Each slot has already allocated its own part before calling this. */
static int exec_step(IxContext *ctx, lifecycle_state *st, int64_t slot)
{
    atomic_fetch_add(&n_exec, 1);
    IxObject *number = IxLong_FromInt64(ctx, slot);
    if (number == NULL)
        return -1;
    int rc = IxList_Append(ctx, st->order, number);
    Ix_Decref(ctx, number);
    if (rc < 0)
        return -1;
    if (st->fail_at == slot) {
        IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR),
                     "exec slot %d failed on purpose", (int)slot);
        return -1;
    }
    return 0;
}

static int exec_1(IxContext *ctx, IxObject *module)
{
    lifecycle_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return -1;
    const unsigned char *bytes = (const unsigned char *)st;
    int64_t zeroed = 1;
    for (size_t i = 0; i < sizeof(*st); i++)
        if (bytes[i] != 0)
            zeroed = 0;
    st->zeroed = zeroed;
    st->fail_at = atomic_exchange(&armed_slot, 0);  /* consume the flag */

    st->block = IxMem_Malloc(ctx, 64);
    if (st->block == NULL)
        return -1;
    st->order = IxList_New(ctx);
    if (st->order == NULL)
        return -1;
    return exec_step(ctx, st, 1);
}

static int exec_2(IxContext *ctx, IxObject *module)
{
    lifecycle_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return -1;
    st->extra = IxDict_New(ctx);
    if (st->extra == NULL)
        return -1;
    return exec_step(ctx, st, 2);
}

static int exec_3(IxContext *ctx, IxObject *module)
{
    lifecycle_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return -1;
    return exec_step(ctx, st, 3);
}

static int lifecycle_traverse(IxContext *ctx, IxObject *module, IxVisitProc visit, void *arg)
{
    atomic_fetch_add(&n_traverse, 1);
    lifecycle_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return 0;
    IX_VISIT(st->order);
    IX_VISIT(st->extra);
    return 0;
}

/* Drop the state's references; shared by clear and free (free counts only itself). */
static void drop_references(IxContext *ctx, IxObject *module)
{
    lifecycle_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return;
    IX_CLEAR(ctx, st->order);
    IX_CLEAR(ctx, st->extra);
}

static int lifecycle_clear(IxContext *ctx, IxObject *module)
{
    atomic_fetch_add(&n_clear, 1);
    drop_references(ctx, module);
    return 0;
}

static void lifecycle_free(IxContext *ctx, IxObject *module)
{
    atomic_fetch_add(&n_free, 1);
    drop_references(ctx, module);
    lifecycle_state *st = IxModule_GetState(ctx, module);
    if (st != NULL && st->block != NULL) {
        IxMem_Free(ctx, st->block);
        st->block = NULL;
    }
}

/* ---------------------------------------------------------------- functions */

static IxObject *lifecycle_order(IxContext *ctx, IxObject *module, IxObject *const *args,
                                 size_t nargs)
{
    lifecycle_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return NULL;
    return Ix_NewRef(ctx, st->order);
}

static IxObject *lifecycle_state_was_zeroed(IxContext *ctx, IxObject *module,
                                            IxObject *const *args, size_t nargs)
{
    lifecycle_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return NULL;
    return IxBool_FromInt(ctx, st->zeroed != 0);
}

static IxObject *lifecycle_incr(IxContext *ctx, IxObject *module, IxObject *const *args,
                                size_t nargs)
{
    lifecycle_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return NULL;
    return IxLong_FromInt64(ctx, ++st->counter);
}

static IxObject *lifecycle_get(IxContext *ctx, IxObject *module, IxObject *const *args,
                               size_t nargs)
{
    lifecycle_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return NULL;
    return IxLong_FromInt64(ctx, st->counter);
}

/* dict[name] = value; 0 or -1. */
static int set_count(IxContext *ctx, IxObject *dict, const char *name, int64_t value)
{
    IxObject *key = IxStr_FromCString(ctx, name);
    if (key == NULL)
        return -1;
    IxObject *number = IxLong_FromInt64(ctx, value);
    int rc = number != NULL ? IxDict_SetItem(ctx, dict, key, number) : -1;
    Ix_Decref(ctx, number);
    Ix_Decref(ctx, key);
    return rc;
}

static IxObject *lifecycle_stats(IxContext *ctx, IxObject *module, IxObject *const *args,
                                 size_t nargs)
{
    IxObject *dict = IxDict_New(ctx);
    if (dict == NULL)
        return NULL;
    if (set_count(ctx, dict, "exec", atomic_load(&n_exec)) < 0
        || set_count(ctx, dict, "clear", atomic_load(&n_clear)) < 0
        || set_count(ctx, dict, "free", atomic_load(&n_free)) < 0
        || set_count(ctx, dict, "traverse", atomic_load(&n_traverse)) < 0) {
        Ix_Decref(ctx, dict);
        return NULL;
    }
    return dict;
}

static IxObject *lifecycle_arm_failure(IxContext *ctx, IxObject *module, IxObject *const *args,
                                       size_t nargs)
{
    int64_t k = IxLong_AsInt64(ctx, args[0]);
    if (k == -1 && IxErr_Occurred(ctx) != NULL)
        return NULL;
    if (k < 0 || k > 3)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR),
                            "arm_failure() takes an exec slot 1..3, or 0 to disarm");
    atomic_store(&armed_slot, (int)k);
    return Ix_ReturnNone(ctx);
}

static const IxMethodDef lifecycle_methods[] = {
    {"order", lifecycle_order, 0, 0, 0, "order() -> list: exec slots in the order they ran"},
    {"state_was_zeroed", lifecycle_state_was_zeroed, 0, 0, 0, "state_was_zeroed() -> bool"},
    {"incr", lifecycle_incr, 0, 0, 0, "incr() -> int: the state counter after adding 1"},
    {"get", lifecycle_get, 0, 0, 0, "get() -> int: the state counter"},
    {"stats", lifecycle_stats, 0, 0, 0, "stats() -> dict: process-wide call counts"},
    {"arm_failure", lifecycle_arm_failure, 1, 1, 0,
     "arm_failure(k): the next import fails in exec slot k"},
    IX_METHODS_END
};

static const IxModuleSlot lifecycle_slots[] = {
    {IX_MOD_EXEC, exec_1},
    {IX_MOD_EXEC, exec_2},
    {IX_MOD_EXEC, exec_3},
    {IX_MOD_MULTIPLE_INTERPRETERS, IX_MOD_MULTI_PER_INTERPRETER_LOCK},
    IX_MOD_SLOTS_END
};

static const IxModuleDef lifecycle_def = {
    IX_MODULEDEF_HEAD,
    .name = "lifecycle",
    .doc = "Instruments the module lifecycle.",
    .state_size = sizeof(lifecycle_state),
    .methods = lifecycle_methods,
    .slots = lifecycle_slots,
    .traverse = lifecycle_traverse,
    .clear = lifecycle_clear,
    .free = lifecycle_free,
};

IX_MODINIT(lifecycle)
{
    return &lifecycle_def;
}
