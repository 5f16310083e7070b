/*
 * counter -- the model extension: copy this one to start your own.
 *
 * It demonstrates the isolated-module pattern of isolex (CPython's PEP 489 + PEP 573):
 *   - all mutable data lives in per-interpreter module state, never in C globals;
 *   - the type counter.Counter is a heap type made from a spec in the exec slot,
 *     IxType_FromSpec(ctx, module, &spec), so each interpreter gets its own type bound
 *     to its own module;
 *   - the module exception counter.CounterError is made the same way (IxErr_NewException);
 *   - methods reach the module state from the instance's type
 *     (IxType_GetModuleState(ctx, Ix_Type(ctx, self))), module functions from the module;
 *   - traverse/clear/free for the module state, and traverse/clear/dealloc for a GC type
 *     whose instances hold a reference;
 *   - IX_MOD_MULTI_PER_INTERPRETER_LOCK: with no globals, every interpreter may run this
 *     module's code in parallel.
 *
 * Python view:
 *   c = counter.Counter(start=0, step=1)   # positional only: Counter(), Counter(5), Counter(5, 2)
 *   c.increment() -> new value             # raises counter.CounterError on int64 overflow
 *   c.add(n) -> new value, c.reset(), c.get() -> value
 *   c.value (read-only), c.step (writable), c.label (str or None)
 *   counter.created(), counter.increments(), counter.value_of(c)
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>

#include "isolex.h"

/* ---------------------------------------------------------------- module state */

typedef struct {
    IxObject *CounterType;   /* counter.Counter, strong reference */
    IxObject *CounterError;  /* counter.CounterError, strong reference */
    int64_t created;         /* Counter instances made in this interpreter */
    int64_t increments;      /* successful increment() calls in this interpreter */
} counter_state;

/* ---------------------------------------------------------------- the Counter type */

typedef struct {
    IxObject_HEAD
    int64_t value;
    int64_t step;
    IxObject *label;  /* a str, or NULL for None */
} CounterObject;

/* a + b into *out; -1, leaving *out alone, when the sum does not fit in an int64. */
static int add_int64(int64_t a, int64_t b, int64_t *out)
{
    if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b))
        return -1;
    *out = a + b;
    return 0;
}

/* The state of the module that made self's type: the PEP 573 pattern. The instance knows
 * its type, the type knows the module it was made for, so no global is needed to find
 * the state -- and an instance always finds its own interpreter's state. */
static counter_state *state_of_instance(IxContext *ctx, IxObject *self)
{
    return IxType_GetModuleState(ctx, Ix_Type(ctx, self));
}

/* Counter(start=0, step=1). A type's tp_new gets its arguments unchecked. */
static IxObject *Counter_new(IxContext *ctx, IxObject *type, IxObject *const *args,
                             size_t nargs)
{
    counter_state *st = IxType_GetModuleState(ctx, type);
    if (st == NULL)
        return NULL;
    if (nargs > 2)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_TYPEERROR),
                            "counter.Counter() takes at most 2 arguments (%zu given)", nargs);

    int64_t start = 0, step = 1;
    if (nargs >= 1) {
        start = IxLong_AsInt64(ctx, args[0]);
        if (start == -1 && IxErr_Occurred(ctx) != NULL)
            return NULL;
    }
    if (nargs >= 2) {
        step = IxLong_AsInt64(ctx, args[1]);
        if (step == -1 && IxErr_Occurred(ctx) != NULL)
            return NULL;
    }
    if (step == 0) {
        IxErr_SetString(ctx, st->CounterError, "step must not be zero");
        return NULL;
    }

    CounterObject *self = (CounterObject *)IxType_GenericAlloc(ctx, type);
    if (self == NULL)
        return NULL;
    self->value = start;
    self->step = step;
    self->label = NULL;
    st->created++;
    return (IxObject *)self;
}

static int Counter_traverse(IxContext *ctx, IxObject *op, IxVisitProc visit, void *arg)
{
    CounterObject *self = (CounterObject *)op;
    IX_VISIT(self->label);
    return 0;
}

static int Counter_clear(IxContext *ctx, IxObject *op)
{
    CounterObject *self = (CounterObject *)op;
    IX_CLEAR(ctx, self->label);
    return 0;
}

/* Release what the instance owns; the host frees the memory and drops the type reference. */
static void Counter_dealloc(IxContext *ctx, IxObject *op)
{
    CounterObject *self = (CounterObject *)op;
    IX_CLEAR(ctx, self->label);
}

static IxObject *Counter_repr(IxContext *ctx, IxObject *op)
{
    CounterObject *self = (CounterObject *)op;
    if (self->label == NULL)
        return IxStr_FromFormat(ctx, "Counter(value=%" PRId64 ", step=%" PRId64 ")",
                                self->value, self->step);

    IxObject *label_repr = Ix_Repr(ctx, self->label);
    if (label_repr == NULL)
        return NULL;
    size_t len;
    const char *text = IxStr_AsUTF8(ctx, label_repr, &len);
    IxObject *result = NULL;
    if (text != NULL)
        result = IxStr_FromFormat(ctx,
                                  "Counter(value=%" PRId64 ", step=%" PRId64 ", label=%.*s)",
                                  self->value, self->step, (int)len, text);
    Ix_Decref(ctx, label_repr);
    return result;
}

/* increment() -> the new value. */
static IxObject *Counter_increment(IxContext *ctx, IxObject *op, IxObject *const *args,
                                   size_t nargs)
{
    CounterObject *self = (CounterObject *)op;
    counter_state *st = state_of_instance(ctx, op);
    if (st == NULL)
        return NULL;
    int64_t next;
    if (add_int64(self->value, self->step, &next) < 0) {
        IxErr_SetString(ctx, st->CounterError, "counter overflow");
        return NULL;
    }
    self->value = next;
    st->increments++;
    return IxLong_FromInt64(ctx, next);
}

/* add(n) -> the new value. */
static IxObject *Counter_add(IxContext *ctx, IxObject *op, IxObject *const *args, size_t nargs)
{
    CounterObject *self = (CounterObject *)op;
    int64_t n = IxLong_AsInt64(ctx, args[0]);
    if (n == -1 && IxErr_Occurred(ctx) != NULL)
        return NULL;
    int64_t next;
    if (add_int64(self->value, n, &next) < 0) {
        counter_state *st = state_of_instance(ctx, op);
        if (st != NULL)
            IxErr_SetString(ctx, st->CounterError, "counter overflow");
        return NULL;
    }
    self->value = next;
    return IxLong_FromInt64(ctx, next);
}

/* reset() -> None; the value goes back to 0. */
static IxObject *Counter_reset(IxContext *ctx, IxObject *op, IxObject *const *args,
                               size_t nargs)
{
    ((CounterObject *)op)->value = 0;
    return Ix_ReturnNone(ctx);
}

/* get() -> the value. */
static IxObject *Counter_get(IxContext *ctx, IxObject *op, IxObject *const *args, size_t nargs)
{
    return IxLong_FromInt64(ctx, ((CounterObject *)op)->value);
}

static IxObject *Counter_get_label(IxContext *ctx, IxObject *op, void *closure)
{
    CounterObject *self = (CounterObject *)op;
    return Ix_NewRef(ctx, self->label != NULL ? self->label : Ix_None(ctx));
}

/* label = str | None; del label is label = None. */
static int Counter_set_label(IxContext *ctx, IxObject *op, IxObject *value, void *closure)
{
    CounterObject *self = (CounterObject *)op;
    if (value == NULL || Ix_IsNone(ctx, value)) {
        IX_CLEAR(ctx, self->label);
        return 0;
    }
    int is_str = Ix_IsInstance(ctx, value, Ix_Builtin(ctx, IX_TYPE_STR));
    if (is_str < 0)
        return -1;
    if (!is_str) {
        IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_TYPEERROR), "label must be a str or None");
        return -1;
    }
    IxObject *old = self->label;
    self->label = Ix_NewRef(ctx, value);
    Ix_Decref(ctx, old);
    return 0;
}

static const IxMethodDef Counter_methods[] = {
    {"increment", Counter_increment, 0, 0, 0, "increment() -> int: add step, return the value"},
    {"add", Counter_add, 1, 1, 0, "add(n) -> int: add n, return the value"},
    {"reset", Counter_reset, 0, 0, 0, "reset(): set the value to 0"},
    {"get", Counter_get, 0, 0, 0, "get() -> int: the value"},
    IX_METHODS_END
};

static const IxMemberDef Counter_members[] = {
    {"value", IX_T_INT64, offsetof(CounterObject, value), IX_READONLY, "the current value"},
    {"step", IX_T_INT64, offsetof(CounterObject, step), 0, "what increment() adds"},
    IX_MEMBERS_END
};

static const IxGetSetDef Counter_getset[] = {
    {"label", Counter_get_label, Counter_set_label, "a str, or None", NULL},
    IX_GETSET_END
};

static const IxTypeSlot Counter_slots[] = {
    {IX_tp_new, Counter_new},
    {IX_tp_dealloc, Counter_dealloc},
    {IX_tp_traverse, Counter_traverse},
    {IX_tp_clear, Counter_clear},
    {IX_tp_repr, Counter_repr},
    {IX_tp_methods, (void *)Counter_methods},
    {IX_tp_members, (void *)Counter_members},
    {IX_tp_getset, (void *)Counter_getset},
    {IX_tp_doc, "Counter(start=0, step=1): an int64 counter"},
    IX_TYPE_SLOTS_END
};

static const IxTypeSpec Counter_spec = {
    .name = "counter.Counter",
    .basic_size = sizeof(CounterObject),
    .flags = IX_TPFLAGS_HAVE_GC,  /* instances hold a reference (label) */
    .slots = Counter_slots,
};

/* ---------------------------------------------------------------- module functions */

/* created() -> Counter instances made in this interpreter. */
static IxObject *counter_created(IxContext *ctx, IxObject *module, IxObject *const *args,
                                 size_t nargs)
{
    counter_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return NULL;
    return IxLong_FromInt64(ctx, st->created);
}

/* increments() -> successful increment() calls in this interpreter. */
static IxObject *counter_increments(IxContext *ctx, IxObject *module, IxObject *const *args,
                                    size_t nargs)
{
    counter_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return NULL;
    return IxLong_FromInt64(ctx, st->increments);
}

/* value_of(c) -> c.value, for a counter.Counter of this module. */
static IxObject *counter_value_of(IxContext *ctx, IxObject *module, IxObject *const *args,
                                  size_t nargs)
{
    counter_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return NULL;
    int ok = Ix_IsInstance(ctx, args[0], st->CounterType);
    if (ok < 0)
        return NULL;
    if (!ok)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_TYPEERROR),
                            "expected counter.Counter, got %s",
                            IxType_GetName(ctx, Ix_Type(ctx, args[0])));
    return IxLong_FromInt64(ctx, ((CounterObject *)args[0])->value);
}

static const IxMethodDef counter_methods[] = {
    {"created", counter_created, 0, 0, 0, "created() -> int: Counters made here"},
    {"increments", counter_increments, 0, 0, 0, "increments() -> int: increment() calls here"},
    {"value_of", counter_value_of, 1, 1, 0, "value_of(c) -> int: c.value"},
    IX_METHODS_END
};

/* ---------------------------------------------------------------- module lifecycle */

/* Runs once per interpreter. On failure the host runs clear and free, which release
 * whatever was already stored in the state, so the error paths just return -1. */
static int counter_exec(IxContext *ctx, IxObject *module)
{
    counter_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return -1;

    st->CounterType = IxType_FromSpec(ctx, module, &Counter_spec);
    if (st->CounterType == NULL)
        return -1;
    if (IxModule_AddType(ctx, module, st->CounterType) < 0)
        return -1;

    st->CounterError = IxErr_NewException(ctx, module, "counter.CounterError",
                                          NULL /* base: Exception */);
    if (st->CounterError == NULL)
        return -1;
    if (IxModule_AddObject(ctx, module, "CounterError", st->CounterError) < 0)
        return -1;
    return 0;
}

static int counter_traverse(IxContext *ctx, IxObject *module, IxVisitProc visit, void *arg)
{
    counter_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return 0;
    IX_VISIT(st->CounterType);
    IX_VISIT(st->CounterError);
    return 0;
}

/* May run more than once, and before exec filled the state: IX_CLEAR copes with both. */
static int counter_clear(IxContext *ctx, IxObject *module)
{
    counter_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return 0;
    IX_CLEAR(ctx, st->CounterType);
    IX_CLEAR(ctx, st->CounterError);
    return 0;
}

/* Runs exactly once, after clear. The state memory itself belongs to the host. */
static void counter_free(IxContext *ctx, IxObject *module)
{
    (void)counter_clear(ctx, module);
}

static const IxModuleSlot counter_slots[] = {
    {IX_MOD_EXEC, counter_exec},
    {IX_MOD_MULTIPLE_INTERPRETERS, IX_MOD_MULTI_PER_INTERPRETER_LOCK},
    IX_MOD_SLOTS_END
};

static const IxModuleDef counter_def = {
    IX_MODULEDEF_HEAD,
    .name = "counter",
    .doc = "The model extension: per-interpreter state, a heap type, a module exception.",
    .state_size = sizeof(counter_state),
    .methods = counter_methods,
    .slots = counter_slots,
    .traverse = counter_traverse,
    .clear = counter_clear,
    .free = counter_free,
};

IX_MODINIT(counter)
{
    return &counter_def;
}
