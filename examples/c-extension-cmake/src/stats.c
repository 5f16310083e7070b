/*
 * stats -- an isolex extension built outside the isolex tree: running statistics.
 *
 * The example the C SDK's users start from (examples/c-extension-cmake builds it with
 * CMake, examples/c-extension-nar with Maven's NAR plugin). It follows the pattern of
 * extensions/counter/counter.c in fewer lines:
 *   - one heap type, stats.Running, made per interpreter in the exec slot and kept in the
 *     module state; its instances hold no references, so it needs no GC slots;
 *   - a per-interpreter tally in the module state (pushes made through this module);
 *   - the module's traverse and clear for the one reference the state holds (no free:
 *     the host runs clear at close, and nothing else needs releasing).
 *
 * Python view:
 *   r = stats.Running()
 *   r.push(x) -> count       # x an int or a float
 *   r.count, r.mean()        # mean() raises ValueError when count is 0
 *   r.stddev()               # sample standard deviation; ValueError below 2 values
 *   stats.pushes()           # push() calls made in this interpreter
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "isolex.h"

typedef struct {
    IxObject *RunningType;  /* stats.Running, strong reference */
    int64_t pushes;         /* push() calls in this interpreter */
} stats_state;

/* Welford's online algorithm: exact enough for long runs, one pass, O(1) memory. */
typedef struct {
    IxObject_HEAD
    int64_t count;
    double mean;
    double m2;  /* sum of squared distances from the mean */
} RunningObject;

static IxObject *Running_new(IxContext *ctx, IxObject *type, IxObject *const *args,
                             size_t nargs)
{
    if (nargs != 0)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_TYPEERROR),
                            "stats.Running() takes no arguments (%zu given)", nargs);
    RunningObject *self = (RunningObject *)IxType_GenericAlloc(ctx, type);
    if (self == NULL)
        return NULL;
    self->count = 0;
    self->mean = 0.0;
    self->m2 = 0.0;
    return (IxObject *)self;
}

/* push(x) -> the count after adding x. */
static IxObject *Running_push(IxContext *ctx, IxObject *op, IxObject *const *args,
                              size_t nargs)
{
    RunningObject *self = (RunningObject *)op;
    stats_state *st = IxType_GetModuleState(ctx, Ix_Type(ctx, op));
    if (st == NULL)
        return NULL;
    double x = IxFloat_AsDouble(ctx, args[0]);
    if (x == -1.0 && IxErr_Occurred(ctx) != NULL)
        return NULL;
    self->count++;
    double delta = x - self->mean;
    self->mean += delta / (double)self->count;
    self->m2 += delta * (x - self->mean);
    st->pushes++;
    return IxLong_FromInt64(ctx, self->count);
}

/* ValueError "mean() needs at least 1 value, got 0"; needed is "1 value" or "2 values". */
static IxObject *too_few(IxContext *ctx, const char *what, const char *needed, int64_t count)
{
    return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR),
                        "%s needs at least %s, got %lld", what, needed, (long long)count);
}

/* mean() -> the mean of the values pushed. */
static IxObject *Running_mean(IxContext *ctx, IxObject *op, IxObject *const *args,
                              size_t nargs)
{
    RunningObject *self = (RunningObject *)op;
    if (self->count < 1)
        return too_few(ctx, "mean()", "1 value", self->count);
    return IxFloat_FromDouble(ctx, self->mean);
}

/* stddev() -> the sample standard deviation of the values pushed. */
static IxObject *Running_stddev(IxContext *ctx, IxObject *op, IxObject *const *args,
                                size_t nargs)
{
    RunningObject *self = (RunningObject *)op;
    if (self->count < 2)
        return too_few(ctx, "stddev()", "2 values", self->count);
    return IxFloat_FromDouble(ctx, sqrt(self->m2 / (double)(self->count - 1)));
}

static const IxMethodDef Running_methods[] = {
    {"push", Running_push, 1, 1, 0, "push(x) -> int: add a value, return the count"},
    {"mean", Running_mean, 0, 0, 0, "mean() -> float"},
    {"stddev", Running_stddev, 0, 0, 0, "stddev() -> float: the sample standard deviation"},
    IX_METHODS_END
};

static const IxMemberDef Running_members[] = {
    {"count", IX_T_INT64, offsetof(RunningObject, count), IX_READONLY, "values pushed"},
    IX_MEMBERS_END
};

static const IxTypeSlot Running_slots[] = {
    {IX_tp_new, Running_new},
    {IX_tp_methods, (void *)Running_methods},
    {IX_tp_members, (void *)Running_members},
    {IX_tp_doc, "Running(): mean and standard deviation of a stream of numbers"},
    IX_TYPE_SLOTS_END
};

static const IxTypeSpec Running_spec = {
    .name = "stats.Running",
    .basic_size = sizeof(RunningObject),
    .slots = Running_slots,
};

/* pushes() -> push() calls made in this interpreter. */
static IxObject *stats_pushes(IxContext *ctx, IxObject *module, IxObject *const *args,
                              size_t nargs)
{
    stats_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return NULL;
    return IxLong_FromInt64(ctx, st->pushes);
}

static const IxMethodDef stats_methods[] = {
    {"pushes", stats_pushes, 0, 0, 0, "pushes() -> int: push() calls in this interpreter"},
    IX_METHODS_END
};

/* On failure the host runs clear and free, so the error paths just return -1. */
static int stats_exec(IxContext *ctx, IxObject *module)
{
    stats_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return -1;
    st->RunningType = IxType_FromSpec(ctx, module, &Running_spec);
    if (st->RunningType == NULL)
        return -1;
    return IxModule_AddType(ctx, module, st->RunningType);
}

static int stats_traverse(IxContext *ctx, IxObject *module, IxVisitProc visit, void *arg)
{
    stats_state *st = IxModule_GetState(ctx, module);
    if (st != NULL)
        IX_VISIT(st->RunningType);
    return 0;
}

static int stats_clear(IxContext *ctx, IxObject *module)
{
    stats_state *st = IxModule_GetState(ctx, module);
    if (st != NULL)
        IX_CLEAR(ctx, st->RunningType);
    return 0;
}

static const IxModuleSlot stats_slots[] = {
    {IX_MOD_EXEC, stats_exec},
    {IX_MOD_MULTIPLE_INTERPRETERS, IX_MOD_MULTI_PER_INTERPRETER_LOCK},
    IX_MOD_SLOTS_END
};

static const IxModuleDef stats_def = {
    IX_MODULEDEF_HEAD,
    .name = "stats",
    .doc = "Running statistics: an extension built outside the isolex tree.",
    .state_size = sizeof(stats_state),
    .methods = stats_methods,
    .slots = stats_slots,
    .traverse = stats_traverse,
    .clear = stats_clear,
    /* no free: the state holds only references, and the host runs clear before free */
};

IX_MODINIT(stats)
{
    return &stats_def;
}
