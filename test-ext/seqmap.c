/*
 * seqmap -- the protocol slots of ABI 1.2 (ABI.md 5.20) on a heap type, and their broken
 * forms (ABI.md 3.20-3.24 say what the host makes of each).
 *
 *   ring(n)        a Ring of n slots (1..40), every one None
 *   Ring           r[i] wraps around (any int, negatives too); r[i] = v; del r[i] puts None
 *                  back; len(r) == n; v in r compares by ==; iter(r) is a RingIter
 *   RingIter       the ring's slots in order, then the end (NULL, no error)
 *   broken()       a Broken: r[k] returns NULL without an error, len() returns -5, iter()
 *                  returns the Broken itself (which is no iterator), assignment returns -1
 *                  without an error, `in` returns 7 (any nonzero is true)
 */
#include <stddef.h>

#include "isolex.h"

#define RING_MAX 40

typedef struct {
    IxObject *RingType, *IterType, *BrokenType;
} SeqmapState;

typedef struct {
    IxObject_HEAD
    int64_t n;
    IxObject *items[RING_MAX];
} Ring;

typedef struct {
    IxObject_HEAD
    IxObject *ring;
    int64_t pos;
} RingIter;

static SeqmapState *state_of(IxContext *ctx, IxObject *type_or_module, int is_type)
{
    return is_type ? IxType_GetModuleState(ctx, type_or_module) : IxModule_GetState(ctx, type_or_module);
}

/* ---------------------------------------------------------------- Ring */

static int ring_traverse(IxContext *ctx, IxObject *self, IxVisitProc visit, void *arg)
{
    Ring *r = (Ring *)self;
    for (int64_t i = 0; i < r->n; i++) IX_VISIT(r->items[i]);
    return 0;
}

static int ring_clear(IxContext *ctx, IxObject *self)
{
    Ring *r = (Ring *)self;
    for (int64_t i = 0; i < r->n; i++) IX_CLEAR(ctx, r->items[i]);
    return 0;
}

static void ring_dealloc(IxContext *ctx, IxObject *self)
{
    ring_clear(ctx, self);
}

/* The slot an int key names, wrapped into 0..n-1; -1 with an error for other keys. */
static int64_t ring_slot(IxContext *ctx, Ring *r, IxObject *key)
{
    if (!Ix_IsInstance(ctx, key, Ix_Builtin(ctx, IX_TYPE_INT))) {
        IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_TYPEERROR), "ring keys are ints, not %s",
                     IxType_GetName(ctx, Ix_Type(ctx, key)));
        return -1;
    }
    int64_t i = IxLong_AsInt64(ctx, key);
    if (i == -1 && IxErr_Occurred(ctx)) return -1;
    return ((i % r->n) + r->n) % r->n;
}

static IxObject *ring_getitem(IxContext *ctx, IxObject *self, IxObject *key)
{
    Ring *r = (Ring *)self;
    int64_t i = ring_slot(ctx, r, key);
    return i < 0 ? NULL : Ix_NewRef(ctx, r->items[i]);
}

static int ring_setitem(IxContext *ctx, IxObject *self, IxObject *key, IxObject *value)
{
    Ring *r = (Ring *)self;
    int64_t i = ring_slot(ctx, r, key);
    if (i < 0) return -1;
    IxObject *old = r->items[i];
    r->items[i] = Ix_NewRef(ctx, value ? value : Ix_None(ctx));
    Ix_Decref(ctx, old);
    return 0;
}

static int64_t ring_length(IxContext *ctx, IxObject *self)
{
    return ((Ring *)self)->n;
}

static int ring_contains(IxContext *ctx, IxObject *self, IxObject *value)
{
    Ring *r = (Ring *)self;
    for (int64_t i = 0; i < r->n; i++) {
        int eq = Ix_RichCompareBool(ctx, r->items[i], value, IX_EQ);
        if (eq) return eq;
    }
    return 0;
}

static IxObject *ring_iter(IxContext *ctx, IxObject *self)
{
    RingIter *it = (RingIter *)IxType_GenericAlloc(ctx, state_of(ctx, Ix_Type(ctx, self), 1)->IterType);
    if (!it) return NULL;
    it->ring = Ix_NewRef(ctx, self);
    it->pos = 0;
    return (IxObject *)it;
}

static const IxTypeSlot ring_slots[] = {
    {IX_tp_traverse, (void *)ring_traverse},
    {IX_tp_clear, (void *)ring_clear},
    {IX_tp_dealloc, (void *)ring_dealloc},
    {IX_mp_subscript, (void *)ring_getitem},
    {IX_mp_ass_subscript, (void *)ring_setitem},
    {IX_mp_length, (void *)ring_length},
    {IX_sq_contains, (void *)ring_contains},
    {IX_tp_iter, (void *)ring_iter},
    IX_TYPE_SLOTS_END
};
static const IxTypeSpec ring_spec = {"seqmap.Ring", sizeof(Ring), IX_TPFLAGS_HAVE_GC, ring_slots};

/* ---------------------------------------------------------------- RingIter */

static int iter_traverse(IxContext *ctx, IxObject *self, IxVisitProc visit, void *arg)
{
    IX_VISIT(((RingIter *)self)->ring);
    return 0;
}

static int iter_clear(IxContext *ctx, IxObject *self)
{
    IX_CLEAR(ctx, ((RingIter *)self)->ring);
    return 0;
}

static void iter_dealloc(IxContext *ctx, IxObject *self)
{
    iter_clear(ctx, self);
}

static IxObject *iter_self(IxContext *ctx, IxObject *self)
{
    return Ix_NewRef(ctx, self);
}

static IxObject *iter_next(IxContext *ctx, IxObject *self)
{
    RingIter *it = (RingIter *)self;
    Ring *r = (Ring *)it->ring;
    if (!r || it->pos >= r->n) return NULL; /* the end: no error */
    return Ix_NewRef(ctx, r->items[it->pos++]);
}

static const IxTypeSlot iter_slots[] = {
    {IX_tp_traverse, (void *)iter_traverse},
    {IX_tp_clear, (void *)iter_clear},
    {IX_tp_dealloc, (void *)iter_dealloc},
    {IX_tp_iter, (void *)iter_self},
    {IX_tp_iternext, (void *)iter_next},
    IX_TYPE_SLOTS_END
};
static const IxTypeSpec iter_spec = {"seqmap.RingIter", sizeof(RingIter), IX_TPFLAGS_HAVE_GC, iter_slots};

/* ---------------------------------------------------------------- Broken */

static IxObject *broken_getitem(IxContext *ctx, IxObject *self, IxObject *key)
{
    return NULL; /* ABI.md 6.1 broken: no error set */
}

static int broken_setitem(IxContext *ctx, IxObject *self, IxObject *key, IxObject *value)
{
    return -1; /* no error set */
}

static int64_t broken_length(IxContext *ctx, IxObject *self)
{
    return -5;
}

static int broken_contains(IxContext *ctx, IxObject *self, IxObject *value)
{
    return 7;
}

static const IxTypeSlot broken_slots[] = {
    {IX_mp_subscript, (void *)broken_getitem},
    {IX_mp_ass_subscript, (void *)broken_setitem},
    {IX_sq_length, (void *)broken_length},
    {IX_sq_contains, (void *)broken_contains},
    {IX_tp_iter, (void *)iter_self},
    IX_TYPE_SLOTS_END
};
static const IxTypeSpec broken_spec = {"seqmap.Broken", sizeof(Ring), IX_TPFLAGS_DEFAULT, broken_slots};

/* ---------------------------------------------------------------- functions */

static IxObject *seqmap_ring(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    int64_t n = IxLong_AsInt64(ctx, args[0]);
    if (n == -1 && IxErr_Occurred(ctx)) return NULL;
    if (n < 1 || n > RING_MAX)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "ring(n): n is 1 to %d, not %lld",
                            RING_MAX, (long long)n);
    Ring *r = (Ring *)IxType_GenericAlloc(ctx, state_of(ctx, module, 0)->RingType);
    if (!r) return NULL;
    r->n = n;
    for (int64_t i = 0; i < n; i++) r->items[i] = Ix_ReturnNone(ctx);
    return (IxObject *)r;
}

static IxObject *seqmap_broken(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    return IxType_GenericAlloc(ctx, state_of(ctx, module, 0)->BrokenType);
}

static const IxMethodDef seqmap_methods[] = {
    {"ring", seqmap_ring, 1, 1, 0, "ring(n) -> a Ring of n slots, all None"},
    {"broken", seqmap_broken, 0, 0, 0, "broken() -> a Broken, whose slots break ABI.md 6.1"},
    IX_METHODS_END
};

/* ---------------------------------------------------------------- module */

static int seqmap_exec(IxContext *ctx, IxObject *module)
{
    SeqmapState *st = state_of(ctx, module, 0);
    return (st->RingType = IxType_FromSpec(ctx, module, &ring_spec)) &&
                   (st->IterType = IxType_FromSpec(ctx, module, &iter_spec)) &&
                   (st->BrokenType = IxType_FromSpec(ctx, module, &broken_spec)) &&
                   IxModule_AddType(ctx, module, st->RingType) == 0
               ? 0
               : -1;
}

static int seqmap_traverse(IxContext *ctx, IxObject *module, IxVisitProc visit, void *arg)
{
    SeqmapState *st = state_of(ctx, module, 0);
    IX_VISIT(st->RingType);
    IX_VISIT(st->IterType);
    IX_VISIT(st->BrokenType);
    return 0;
}

static int seqmap_clear(IxContext *ctx, IxObject *module)
{
    SeqmapState *st = state_of(ctx, module, 0);
    IX_CLEAR(ctx, st->RingType);
    IX_CLEAR(ctx, st->IterType);
    IX_CLEAR(ctx, st->BrokenType);
    return 0;
}

static void seqmap_free(IxContext *ctx, IxObject *module)
{
    seqmap_clear(ctx, module);
}

static const IxModuleSlot seqmap_slots[] = {
    {IX_MOD_EXEC, (void *)seqmap_exec},
    IX_MOD_SLOTS_END
};

static const IxModuleDef seqmap_def = {
    IX_MODULEDEF_HEAD,
    .name = "seqmap",
    .doc = "The sequence, mapping and iteration slots, kept and broken.",
    .state_size = sizeof(SeqmapState),
    .methods = seqmap_methods,
    .slots = seqmap_slots,
    .traverse = seqmap_traverse,
    .clear = seqmap_clear,
    .free = seqmap_free,
};

IX_MODINIT(seqmap)
{
    return &seqmap_def;
}
