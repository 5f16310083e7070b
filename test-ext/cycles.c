/*
 * cycles -- reference cycles, for the cycle collector (native/src/gc.c).
 *
 *   make_cycle(n)      n unreachable cycles: a Node whose `next` is itself, and a list
 *                      holding itself; returns None (only the cycles keep them alive)
 *   make_kept()        a Node pointing at itself, returned: reachable through the handle
 *   make_opaque()      an unreachable cycle through an Opaque, a type that holds a reference
 *                      but has no traverse: the collector cannot see it, close reports it
 *   Node               type with `next` (an object member), traverse and clear
 */
#include <stddef.h>

#include "isolex.h"

typedef struct {
    IxObject *NodeType;
    IxObject *OpaqueType;
} CyclesState;

typedef struct {
    IxObject_HEAD
    IxObject *next;
} Node;

static CyclesState *state_of(IxContext *ctx, IxObject *module)
{
    return IxModule_GetState(ctx, module);
}

/* ---------------------------------------------------------------- Node (collectable) */

static int node_traverse(IxContext *ctx, IxObject *self, IxVisitProc visit, void *arg)
{
    IX_VISIT(((Node *)self)->next);
    return 0;
}

static int node_clear(IxContext *ctx, IxObject *self)
{
    IX_CLEAR(ctx, ((Node *)self)->next);
    return 0;
}

static void node_dealloc(IxContext *ctx, IxObject *self)
{
    node_clear(ctx, self);
}

static const IxMemberDef node_members[] = {
    {"next", IX_T_OBJECT, offsetof(Node, next), 0, "the next node, or None"},
    IX_MEMBERS_END
};

static const IxTypeSlot node_slots[] = {
    {IX_tp_traverse, (void *)node_traverse},
    {IX_tp_clear, (void *)node_clear},
    {IX_tp_dealloc, (void *)node_dealloc},
    {IX_tp_members, (void *)node_members},
    IX_TYPE_SLOTS_END
};

static const IxTypeSpec node_spec = {"cycles.Node", sizeof(Node), IX_TPFLAGS_HAVE_GC, node_slots};

/* ---------------------------------------------------------------- Opaque (not traversable) */

static const IxTypeSlot opaque_slots[] = {
    {IX_tp_dealloc, (void *)node_dealloc}, /* releases `next` when it is ever freed */
    IX_TYPE_SLOTS_END
};

static const IxTypeSpec opaque_spec = {"cycles.Opaque", sizeof(Node), IX_TPFLAGS_DEFAULT, opaque_slots};

/* ---------------------------------------------------------------- functions */

/* A new instance of `type` whose `next` is itself. */
static IxObject *self_loop(IxContext *ctx, IxObject *type)
{
    IxObject *n = IxType_GenericAlloc(ctx, type);
    if (!n) return NULL;
    ((Node *)n)->next = Ix_NewRef(ctx, n);
    return n;
}

static IxObject *cycles_make_cycle(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    int64_t count = IxLong_AsInt64(ctx, args[0]);
    if (count == -1 && IxErr_Occurred(ctx)) return NULL;
    for (int64_t i = 0; i < count; i++) {
        IxObject *node = self_loop(ctx, state_of(ctx, module)->NodeType);
        if (!node) return NULL;
        Ix_Decref(ctx, node);
        IxObject *list = IxList_New(ctx);
        if (!list) return NULL;
        int rc = IxList_Append(ctx, list, list);
        Ix_Decref(ctx, list);
        if (rc < 0) return NULL;
    }
    return Ix_ReturnNone(ctx);
}

static IxObject *cycles_make_kept(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    return self_loop(ctx, state_of(ctx, module)->NodeType);
}

static IxObject *cycles_make_opaque(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    IxObject *o = self_loop(ctx, state_of(ctx, module)->OpaqueType);
    if (!o) return NULL;
    Ix_Decref(ctx, o);
    return Ix_ReturnNone(ctx);
}

static const IxMethodDef cycles_methods[] = {
    {"make_cycle", cycles_make_cycle, 1, 1, 0, "make_cycle(n): n unreachable Node and list cycles"},
    {"make_kept", cycles_make_kept, 0, 0, 0, "make_kept() -> a Node whose next is itself"},
    {"make_opaque", cycles_make_opaque, 0, 0, 0, "make_opaque(): an uncollectable cycle"},
    IX_METHODS_END
};

/* ---------------------------------------------------------------- module */

static int cycles_exec(IxContext *ctx, IxObject *module)
{
    CyclesState *st = state_of(ctx, module);
    st->NodeType = IxType_FromSpec(ctx, module, &node_spec);
    if (!st->NodeType || IxModule_AddType(ctx, module, st->NodeType) < 0) return -1;
    st->OpaqueType = IxType_FromSpec(ctx, module, &opaque_spec);
    if (!st->OpaqueType || IxModule_AddType(ctx, module, st->OpaqueType) < 0) return -1;
    return 0;
}

static int cycles_traverse(IxContext *ctx, IxObject *module, IxVisitProc visit, void *arg)
{
    CyclesState *st = state_of(ctx, module);
    IX_VISIT(st->NodeType);
    IX_VISIT(st->OpaqueType);
    return 0;
}

static int cycles_clear(IxContext *ctx, IxObject *module)
{
    CyclesState *st = state_of(ctx, module);
    IX_CLEAR(ctx, st->NodeType);
    IX_CLEAR(ctx, st->OpaqueType);
    return 0;
}

static void cycles_free(IxContext *ctx, IxObject *module)
{
    cycles_clear(ctx, module);
}

static const IxModuleSlot cycles_slots[] = {
    {IX_MOD_EXEC, (void *)cycles_exec},
    IX_MOD_SLOTS_END
};

static const IxModuleDef cycles_def = {
    IX_MODULEDEF_HEAD,
    .name = "cycles",
    .doc = "Reference cycles, collectable and not.",
    .state_size = sizeof(CyclesState),
    .methods = cycles_methods,
    .slots = cycles_slots,
    .traverse = cycles_traverse,
    .clear = cycles_clear,
    .free = cycles_free,
};

IX_MODINIT(cycles)
{
    return &cycles_def;
}
