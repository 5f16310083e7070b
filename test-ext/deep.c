/*
 * deep -- object graphs a million levels deep, built and dropped inside extension code, for
 * the bounded-stack guarantees of ABI.md 3.8 (deallocation, clear, the cycle collector) and
 * 3.9 (repr, hash and comparison raise instead of overflowing the stack).
 *
 *   nest(kind, n)     n nested containers, the outermost returned: kind "list" ([[...]]),
 *                     "tuple" (((...),),), "dict" ({"in": {"in": ...}}) or "node" (a chain
 *                     of deep.Node through `next`); the innermost holds None
 *   drop(kind, n)     the same, dropped here: the whole chain is freed inside this call
 *   cycle(kind, n)    the same n levels around a list at the bottom that holds the
 *                     outermost: one unreachable cycle of n + 1 objects; returns None
 *   Node              `next` (an object member), traverse, clear, a dealloc that drops
 *                     `next` through Ix_Decref, and a repr that recurses: Node(<repr of next>)
 */
#include <stddef.h>
#include <string.h>

#include "isolex.h"

typedef struct {
    IxObject *NodeType;
} DeepState;

typedef struct {
    IxObject_HEAD
    IxObject *next;
} Node;

static DeepState *state_of(IxContext *ctx, IxObject *module)
{
    return IxModule_GetState(ctx, module);
}

/* ---------------------------------------------------------------- Node */

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

/* Recurses through the host at every level: a long chain needs the host's depth guard. */
static IxObject *node_repr(IxContext *ctx, IxObject *self)
{
    IxObject *next = ((Node *)self)->next;
    IxObject *inner = next ? Ix_Repr(ctx, next) : IxStr_FromCString(ctx, "None");
    if (!inner) return NULL;
    IxObject *r = IxStr_FromFormat(ctx, "Node(%s)", IxStr_AsUTF8(ctx, inner, NULL));
    Ix_Decref(ctx, inner);
    return r;
}

static const IxMemberDef node_members[] = {
    {"next", IX_T_OBJECT, offsetof(Node, next), 0, "the next node, or None"},
    IX_MEMBERS_END
};

static const IxTypeSlot node_slots[] = {
    {IX_tp_traverse, (void *)node_traverse},
    {IX_tp_clear, (void *)node_clear},
    {IX_tp_dealloc, (void *)node_dealloc},
    {IX_tp_repr, (void *)node_repr},
    {IX_tp_members, (void *)node_members},
    IX_TYPE_SLOTS_END
};

static const IxTypeSpec node_spec = {"deep.Node", sizeof(Node), IX_TPFLAGS_HAVE_GC, node_slots};

/* ---------------------------------------------------------------- building */

/* One level around `inner` (borrowed): a new reference, or NULL with the error set. */
static IxObject *wrap(IxContext *ctx, IxObject *module, char kind, IxObject *inner)
{
    IxObject *o = NULL;
    switch (kind) {
    case 'l':
        o = IxList_New(ctx);
        if (o && IxList_Append(ctx, o, inner) < 0) IX_CLEAR(ctx, o);
        return o;
    case 't':
        return IxTuple_FromArray(ctx, &inner, 1);
    case 'd':
        o = IxDict_New(ctx);
        if (o) {
            IxObject *key = IxStr_FromCString(ctx, "in");
            if (!key || IxDict_SetItem(ctx, o, key, inner) < 0) IX_CLEAR(ctx, o);
            Ix_Decref(ctx, key);
        }
        return o;
    default:
        o = IxType_GenericAlloc(ctx, state_of(ctx, module)->NodeType);
        if (o) ((Node *)o)->next = Ix_NewRef(ctx, inner);
        return o;
    }
}

/* "list", "tuple", "dict" or "node" as its first letter, or 0 with ValueError set. */
static char kind_of(IxContext *ctx, IxObject *arg)
{
    const char *s = IxStr_AsUTF8(ctx, arg, NULL);
    if (!s) return 0;
    if (strcmp(s, "list") && strcmp(s, "tuple") && strcmp(s, "dict") && strcmp(s, "node")) {
        IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "unknown kind '%s'", s);
        return 0;
    }
    return s[0];
}

/* n levels of `kind` around `bottom` (borrowed): the outermost, a new reference. */
static IxObject *build(IxContext *ctx, IxObject *module, IxObject *const *args, IxObject *bottom)
{
    char kind = kind_of(ctx, args[0]);
    int64_t n = IxLong_AsInt64(ctx, args[1]);
    if (!kind || (n == -1 && IxErr_Occurred(ctx))) return NULL;
    IxObject *head = Ix_NewRef(ctx, bottom);
    for (int64_t i = 0; i < n && head; i++) {
        IxObject *outer = wrap(ctx, module, kind, head);
        Ix_Decref(ctx, head); /* the new level holds it now (or, on failure, it all goes) */
        head = outer;
    }
    return head;
}

static IxObject *deep_nest(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    return build(ctx, module, args, Ix_None(ctx));
}

static IxObject *deep_drop(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    IxObject *head = build(ctx, module, args, Ix_None(ctx));
    if (!head) return NULL;
    Ix_Decref(ctx, head);
    return Ix_ReturnNone(ctx);
}

static IxObject *deep_cycle(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    IxObject *bottom = IxList_New(ctx);
    if (!bottom) return NULL;
    IxObject *head = build(ctx, module, args, bottom);
    int rc = head ? IxList_Append(ctx, bottom, head) : -1;
    Ix_Decref(ctx, head);
    Ix_Decref(ctx, bottom);
    return rc < 0 ? NULL : Ix_ReturnNone(ctx);
}

static const IxMethodDef deep_methods[] = {
    {"nest", deep_nest, 2, 2, 0, "nest(kind, n) -> n nested lists, tuples, dicts or nodes"},
    {"drop", deep_drop, 2, 2, 0, "drop(kind, n): build nest(kind, n) and drop it here"},
    {"cycle", deep_cycle, 2, 2, 0, "cycle(kind, n): an unreachable cycle n + 1 objects long"},
    IX_METHODS_END
};

/* ---------------------------------------------------------------- module */

static int deep_exec(IxContext *ctx, IxObject *module)
{
    DeepState *st = state_of(ctx, module);
    st->NodeType = IxType_FromSpec(ctx, module, &node_spec);
    if (!st->NodeType || IxModule_AddType(ctx, module, st->NodeType) < 0) return -1;
    return 0;
}

static int deep_traverse(IxContext *ctx, IxObject *module, IxVisitProc visit, void *arg)
{
    IX_VISIT(state_of(ctx, module)->NodeType);
    return 0;
}

static int deep_clear(IxContext *ctx, IxObject *module)
{
    IX_CLEAR(ctx, state_of(ctx, module)->NodeType);
    return 0;
}

static void deep_free(IxContext *ctx, IxObject *module)
{
    deep_clear(ctx, module);
}

static const IxModuleSlot deep_slots[] = {
    {IX_MOD_EXEC, (void *)deep_exec},
    IX_MOD_SLOTS_END
};

static const IxModuleDef deep_def = {
    IX_MODULEDEF_HEAD,
    .name = "deep",
    .doc = "Object graphs a million levels deep.",
    .state_size = sizeof(DeepState),
    .methods = deep_methods,
    .slots = deep_slots,
    .traverse = deep_traverse,
    .clear = deep_clear,
    .free = deep_free,
};

IX_MODINIT(deep)
{
    return &deep_def;
}
