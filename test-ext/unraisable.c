/*
 * unraisable -- errors raised where nobody can catch them (ABI.md 6.8): the host records
 * each (ixh_interp_unraisable, Interpreter.unraisableErrors()) and drops it; the code that
 * dropped the reference keeps its own pending error. (tp_finalize: test-ext/initfinal;
 * weakref callbacks: test-ext/attrs.)
 *
 *   Dealloc()          its tp_dealloc raises RuntimeError('raised in tp_dealloc'), or
 *                      RuntimeError(text) after set_message(text)
 *   Cycle()            HAVE_GC, member `ref` (object); its tp_clear raises
 *                      ValueError('raised in tp_clear') (make it a cycle, collect it)
 *   capsule(name)      a capsule named `name` (None: NULL) whose destructor raises
 *                      TypeError('raised in a capsule destructor'); drop it
 *   drop(n)            makes and drops n Dealloc instances
 *   drop_with_error()  sets ValueError('kept'), drops a Dealloc, returns NULL: the caller
 *                      sees 'kept'
 *   set_message(text)  the message Dealloc's tp_dealloc raises from now on (None: the default)
 *   raise_at_clear(flag)  the module's clear raises RuntimeError('raised in the module's
 *                      clear') (it runs at close: only debug mode's log sees it)
 */
#include <stddef.h>

#include "isolex.h"

typedef struct {
    IxObject *DeallocType, *CycleType;
    IxObject *message; /* str, or NULL: "raised in tp_dealloc" */
    int raise_at_clear;
} State;

typedef struct {
    IxObject_HEAD
    IxObject *ref;
} CycleObject;

static State *state_of(IxContext *ctx, IxObject *module)
{
    return IxModule_GetState(ctx, module);
}

static void set_error(IxContext *ctx, IxBuiltin type, const char *message)
{
    IxErr_SetString(ctx, Ix_Builtin(ctx, type), message);
}

/* ---------------------------------------------------------------- the types */

static IxObject *plain_new(IxContext *ctx, IxObject *type, IxObject *const *args, size_t nargs)
{
    return IxType_GenericAlloc(ctx, type);
}

static void dealloc_dealloc(IxContext *ctx, IxObject *self)
{
    State *st = IxType_GetModuleState(ctx, Ix_Type(ctx, self));
    const char *message = st && st->message ? IxStr_AsUTF8(ctx, st->message, NULL) : NULL;
    set_error(ctx, IX_EXC_RUNTIMEERROR, message ? message : "raised in tp_dealloc");
}

static const IxTypeSlot dealloc_slots[] = {
    {IX_tp_new, (void *)plain_new},
    {IX_tp_dealloc, (void *)dealloc_dealloc},
    IX_TYPE_SLOTS_END,
};
static const IxTypeSpec dealloc_spec = {"unraisable.Dealloc", sizeof(IxObject), IX_TPFLAGS_DEFAULT, dealloc_slots};

static int cycle_traverse(IxContext *ctx, IxObject *self, IxVisitProc visit, void *arg)
{
    IX_VISIT(((CycleObject *)self)->ref);
    return 0;
}

static int cycle_clear(IxContext *ctx, IxObject *self)
{
    CycleObject *c = (CycleObject *)self;
    if (c->ref) IX_CLEAR(ctx, c->ref);
    set_error(ctx, IX_EXC_VALUEERROR, "raised in tp_clear");
    return -1;
}

static void cycle_dealloc(IxContext *ctx, IxObject *self)
{
    CycleObject *c = (CycleObject *)self;
    if (c->ref) IX_CLEAR(ctx, c->ref);
}

static const IxMemberDef cycle_members[] = {
    {"ref", IX_T_OBJECT, offsetof(CycleObject, ref), 0, NULL},
    IX_MEMBERS_END,
};

static const IxTypeSlot cycle_slots[] = {
    {IX_tp_new, (void *)plain_new},
    {IX_tp_traverse, (void *)cycle_traverse},
    {IX_tp_clear, (void *)cycle_clear},
    {IX_tp_dealloc, (void *)cycle_dealloc},
    {IX_tp_members, (void *)cycle_members},
    IX_TYPE_SLOTS_END,
};
static const IxTypeSpec cycle_spec = {"unraisable.Cycle", sizeof(CycleObject), IX_TPFLAGS_HAVE_GC, cycle_slots};

/* ---------------------------------------------------------------- functions */

static int anchor; /* what the capsules point at: they own nothing */

static void capsule_destructor(IxContext *ctx, void *pointer)
{
    set_error(ctx, IX_EXC_TYPEERROR, "raised in a capsule destructor");
}

static IxObject *capsule(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    const char *name = NULL;
    if (!Ix_IsNone(ctx, args[0]) && !(name = IxStr_AsUTF8(ctx, args[0], NULL))) return NULL;
    return IxCapsule_New(ctx, &anchor, name, capsule_destructor);
}

static int drop_one(IxContext *ctx, IxObject *m)
{
    IxObject *o = IxType_GenericAlloc(ctx, state_of(ctx, m)->DeallocType);
    if (!o) return -1;
    Ix_Decref(ctx, o);
    return 0;
}

static IxObject *drop(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    int64_t n = IxLong_AsInt64(ctx, args[0]);
    if (n == -1 && IxErr_Occurred(ctx)) return NULL;
    for (int64_t i = 0; i < n; i++)
        if (drop_one(ctx, m) < 0) return NULL;
    return Ix_ReturnNone(ctx);
}

static IxObject *drop_with_error(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    set_error(ctx, IX_EXC_VALUEERROR, "kept");
    IxObject *o = IxType_GenericAlloc(ctx, state_of(ctx, m)->DeallocType);
    if (o) Ix_Decref(ctx, o); /* its dealloc's error must not replace 'kept' */
    return NULL;
}

static IxObject *set_message(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    State *st = state_of(ctx, m);
    if (!Ix_IsNone(ctx, args[0]) && !IxStr_AsUTF8(ctx, args[0], NULL)) return NULL; /* a str or None */
    if (st->message) IX_CLEAR(ctx, st->message);
    if (!Ix_IsNone(ctx, args[0])) st->message = Ix_NewRef(ctx, args[0]);
    return Ix_ReturnNone(ctx);
}

static IxObject *raise_at_clear(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    int v = Ix_IsTrue(ctx, args[0]);
    if (v < 0) return NULL;
    state_of(ctx, m)->raise_at_clear = v;
    return Ix_ReturnNone(ctx);
}

static const IxMethodDef methods[] = {
    {"capsule", capsule, 1, 1, 0, "capsule(name) -> a capsule whose destructor raises"},
    {"drop", drop, 1, 1, 0, "drop(n): make and drop n Dealloc instances"},
    {"drop_with_error", drop_with_error, 0, 0, 0, "ValueError('kept') pending while a Dealloc dies"},
    {"set_message", set_message, 1, 1, 0, "set_message(text): what Dealloc's tp_dealloc raises"},
    {"raise_at_clear", raise_at_clear, 1, 1, 0, "raise_at_clear(flag): the module's clear raises"},
    IX_METHODS_END,
};

/* ---------------------------------------------------------------- module */

static int unraisable_exec(IxContext *ctx, IxObject *m)
{
    State *st = state_of(ctx, m);
    st->DeallocType = IxType_FromSpec(ctx, m, &dealloc_spec);
    if (!st->DeallocType || IxModule_AddType(ctx, m, st->DeallocType) < 0) return -1;
    st->CycleType = IxType_FromSpec(ctx, m, &cycle_spec);
    if (!st->CycleType || IxModule_AddType(ctx, m, st->CycleType) < 0) return -1;
    return 0;
}

static int unraisable_traverse(IxContext *ctx, IxObject *m, IxVisitProc visit, void *arg)
{
    State *st = state_of(ctx, m);
    IX_VISIT(st->DeallocType);
    IX_VISIT(st->CycleType);
    IX_VISIT(st->message);
    return 0;
}

static int unraisable_clear(IxContext *ctx, IxObject *m)
{
    State *st = state_of(ctx, m);
    if (st->DeallocType) IX_CLEAR(ctx, st->DeallocType);
    if (st->CycleType) IX_CLEAR(ctx, st->CycleType);
    if (st->message) IX_CLEAR(ctx, st->message);
    if (!st->raise_at_clear) return 0;
    st->raise_at_clear = 0;
    set_error(ctx, IX_EXC_RUNTIMEERROR, "raised in the module's clear");
    return -1;
}

static const IxModuleSlot slots[] = {
    {IX_MOD_EXEC, (void *)unraisable_exec},
    IX_MOD_SLOTS_END,
};

static const IxModuleDef unraisable_def = {
    IX_MODULEDEF_HEAD,
    .name = "unraisable",
    .doc = "Errors raised where nobody can catch them (ABI.md 6.8).",
    .state_size = sizeof(State),
    .methods = methods,
    .slots = slots,
    .traverse = unraisable_traverse,
    .clear = unraisable_clear,
};

IX_MODINIT(unraisable)
{
    return &unraisable_def;
}
