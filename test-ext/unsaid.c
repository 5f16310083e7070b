/*
 * unsaid -- pins behaviours ABI.md once left unsaid (issue 11), each observed from Java by
 * UnsaidRulesTest.
 *
 *   arm(k)            the next import of unsaid, in any interpreter, fails: k = 1 in its
 *                     create slot ("ValueError: create failed on purpose"), k = 2 in its
 *                     exec slot ("ValueError: exec failed on purpose"); 0 disarms
 *   stats()           (clears, frees, clear_before_free): process-wide counts of the
 *                     definition's clear and free calls (4.4, 4.6, 4.8)
 *   Flag()            a Flag: `on` an IX_T_BOOL member (a char), `obj` an IX_T_OBJECT
 *                     member released by tp_dealloc (5.4); its IX_tp_repr slot is NULL
 *   poke(flag, byte)  stores a raw byte in the `on` field (IX_T_BOOL reads any non-zero as True)
 *   call_null(f), callkw_null(f), callmethod_null(o, name)
 *                     Ix_Call / Ix_CallKw / Ix_CallMethod with args NULL and nargs 0 (4.13)
 *   call_null_n(f)    Ix_Call with args NULL and nargs 2 (a debug-mode violation; undefined
 *                     behaviour in release mode, never called there)
 *   (unsaid_solo)     a second module of this file (the symlink unsaid_solo.so), declaring
 *                     IX_MOD_MULTI_NOT_SUPPORTED (4.9)
 *   loose(k)          a type made by IxType_FromSpec(ctx, NULL, spec): k = 0 returns it,
 *                     1 IxType_GetModule, 2 IxType_GetModuleState, 3 IxType_GetModuleByDef
 *
 * The counters are process-wide C globals on purpose (test instrumentation, atomics because
 * interpreters run in parallel).
 */
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "isolex.h"

static atomic_llong n_clear, n_free, seq, last_clear, last_free;
static atomic_int armed; /* k of arm(k) */

typedef struct {
    IxObject_HEAD
    char on;       /* IX_T_BOOL: the C type is char */
    IxObject *obj; /* IX_T_OBJECT: owned by the instance, released by flag_dealloc */
} Flag;

typedef struct {
    IxObject *FlagType;
} unsaid_state;

static const IxModuleDef unsaid_def;

/* ---------------------------------------------------------------- Flag */

static void flag_dealloc(IxContext *ctx, IxObject *self)
{
    IX_CLEAR(ctx, ((Flag *)self)->obj); /* the host does not release IX_T_OBJECT members */
}

static IxObject *flag_new(IxContext *ctx, IxObject *type, IxObject *const *args, size_t nargs)
{
    return IxType_GenericAlloc(ctx, type);
}

static const IxMemberDef flag_members[] = {
    {"on", IX_T_BOOL, offsetof(Flag, on), 0, NULL},
    {"obj", IX_T_OBJECT, offsetof(Flag, obj), 0, NULL},
    IX_MEMBERS_END
};

static const IxTypeSlot flag_slots[] = {
    {IX_tp_new, (void *)flag_new},
    {IX_tp_dealloc, (void *)flag_dealloc},
    {IX_tp_members, (void *)flag_members},
    {IX_tp_repr, NULL}, /* a NULL value: the slot is as if absent (the default repr) */
    IX_TYPE_SLOTS_END
};

static const IxTypeSpec flag_spec = {"unsaid.Flag", sizeof(Flag), IX_TPFLAGS_DEFAULT, flag_slots};

static const IxTypeSlot loose_slots[] = {IX_TYPE_SLOTS_END};
static const IxTypeSpec loose_spec = {"unsaid.Loose", sizeof(IxObject), IX_TPFLAGS_DEFAULT, loose_slots};

/* ---------------------------------------------------------------- functions */

static IxObject *none(IxContext *ctx)
{
    return Ix_NewRef(ctx, Ix_Builtin(ctx, IX_NONE));
}

static IxObject *arm(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    int64_t k = IxLong_AsInt64(ctx, args[0]);
    if (k == -1 && IxErr_Occurred(ctx)) return NULL;
    atomic_store(&armed, (int)k);
    return none(ctx);
}

static IxObject *stats(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    IxObject *v[3] = {IxLong_FromInt64(ctx, atomic_load(&n_clear)), IxLong_FromInt64(ctx, atomic_load(&n_free)),
                      IxBool_FromInt(ctx, atomic_load(&last_clear) < atomic_load(&last_free))};
    IxObject *t = v[0] && v[1] && v[2] ? IxTuple_FromArray(ctx, v, 3) : NULL;
    for (int i = 0; i < 3; i++)
        if (v[i]) Ix_Decref(ctx, v[i]);
    return t;
}

static IxObject *poke(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    unsaid_state *st = IxModule_GetState(ctx, m);
    if (!Ix_IsInstance(ctx, args[0], st->FlagType)) {
        IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_TYPEERROR), "poke: expected a Flag");
        return NULL;
    }
    int64_t byte = IxLong_AsInt64(ctx, args[1]);
    if (byte == -1 && IxErr_Occurred(ctx)) return NULL;
    ((Flag *)args[0])->on = (char)byte;
    return none(ctx);
}

static IxObject *call_null(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    return Ix_Call(ctx, args[0], NULL, 0);
}

static IxObject *callkw_null(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    return Ix_CallKw(ctx, args[0], NULL, 0, NULL);
}

static IxObject *callmethod_null(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    const char *name = IxStr_AsUTF8(ctx, args[1], NULL);
    return name ? Ix_CallMethod(ctx, args[0], name, NULL, 0) : NULL;
}

static IxObject *call_null_n(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    return Ix_Call(ctx, args[0], NULL, 2);
}

static IxObject *loose(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    int64_t k = IxLong_AsInt64(ctx, args[0]);
    if (k == -1 && IxErr_Occurred(ctx)) return NULL;
    IxObject *t = IxType_FromSpec(ctx, NULL, &loose_spec);
    if (!t || k == 0) return t;
    IxObject *r = NULL;
    if (k == 1) {
        r = IxType_GetModule(ctx, t); /* borrowed */
        if (r) Ix_Incref(ctx, r);
    } else if (k == 2) {
        r = IxType_GetModuleState(ctx, t) ? none(ctx) : NULL;
    } else {
        r = IxType_GetModuleByDef(ctx, t, &unsaid_def);
        if (r) Ix_Incref(ctx, r);
    }
    Ix_Decref(ctx, t);
    return r;
}

static const IxMethodDef methods[] = {
    {"arm", arm, 1, 1, 0, "arm(k): the next import fails in create (1) or exec (2)"},
    {"stats", stats, 0, 0, 0, "stats() -> (clears, frees, clear_before_free)"},
    {"poke", poke, 2, 2, 0, "poke(flag, byte): a raw byte into the bool field"},
    {"call_null", call_null, 1, 1, 0, "Ix_Call(f, NULL, 0)"},
    {"callkw_null", callkw_null, 1, 1, 0, "Ix_CallKw(f, NULL, 0, NULL)"},
    {"callmethod_null", callmethod_null, 2, 2, 0, "Ix_CallMethod(o, name, NULL, 0)"},
    {"call_null_n", call_null_n, 1, 1, 0, "Ix_Call(f, NULL, 2): a debug-mode violation"},
    {"loose", loose, 1, 1, 0, "loose(k): a type made without a module"},
    IX_METHODS_END
};

/* ---------------------------------------------------------------- lifecycle */

static IxObject *unsaid_create(IxContext *ctx, IxObject *name, const IxModuleDef *def)
{
    if (atomic_load(&armed) == 1 && atomic_exchange(&armed, 0) == 1) {
        IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "create failed on purpose");
        return NULL;
    }
    return Ix_Call(ctx, Ix_Builtin(ctx, IX_TYPE_MODULE), &name, 1);
}

static int unsaid_exec(IxContext *ctx, IxObject *m)
{
    unsaid_state *st = IxModule_GetState(ctx, m);
    st->FlagType = IxType_FromSpec(ctx, m, &flag_spec);
    if (!st->FlagType || IxModule_AddType(ctx, m, st->FlagType) < 0) return -1;
    if (atomic_load(&armed) == 2 && atomic_exchange(&armed, 0) == 2) {
        IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "exec failed on purpose");
        return -1;
    }
    return 0;
}

static int unsaid_traverse(IxContext *ctx, IxObject *m, IxVisitProc visit, void *arg)
{
    unsaid_state *st = IxModule_GetState(ctx, m);
    IX_VISIT(st->FlagType);
    return 0;
}

static int unsaid_clear(IxContext *ctx, IxObject *m)
{
    atomic_fetch_add(&n_clear, 1);
    atomic_store(&last_clear, atomic_fetch_add(&seq, 1) + 1);
    IX_CLEAR(ctx, ((unsaid_state *)IxModule_GetState(ctx, m))->FlagType);
    return 0;
}

static void unsaid_free(IxContext *ctx, IxObject *m)
{
    atomic_fetch_add(&n_free, 1);
    atomic_store(&last_free, atomic_fetch_add(&seq, 1) + 1);
}

static const IxModuleSlot slots[] = {
    {IX_MOD_CREATE, (void *)unsaid_create},
    {IX_MOD_EXEC, (void *)unsaid_exec},
    IX_MOD_SLOTS_END
};

static const IxModuleDef unsaid_def = {
    IX_MODULEDEF_HEAD,
    .name = "unsaid",
    .doc = "Behaviours ABI.md once left unsaid.",
    .state_size = sizeof(unsaid_state),
    .methods = methods,
    .slots = slots,
    .traverse = unsaid_traverse,
    .clear = unsaid_clear,
    .free = unsaid_free,
};

IX_MODINIT(unsaid)
{
    return &unsaid_def;
}

/* ---------------------------------------------------------------- unsaid_solo (ABI.md 4.9) */

/* A not-supported module in the same library (the symlink unsaid_solo.so): `unsaid`, imported
 * in another interpreter, keeps the library loaded after unsaid_solo's interpreter closes. */
static const IxModuleSlot solo_slots[] = {
    {IX_MOD_MULTIPLE_INTERPRETERS, IX_MOD_MULTI_NOT_SUPPORTED},
    IX_MOD_SLOTS_END
};

static const IxModuleDef solo_def = {
    IX_MODULEDEF_HEAD,
    .name = "unsaid_solo",
    .doc = "A not-supported module sharing unsaid's library.",
    .slots = solo_slots,
};

IX_MODINIT(unsaid_solo)
{
    return &solo_def;
}
