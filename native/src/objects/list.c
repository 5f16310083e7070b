/*
 * list.c -- list: a growable array of references.
 *
 * The item array comes from the interpreter's allocator (ix_mem_*), so it counts against
 * the memory limit like everything else. Lists are unhashable. Their repr and ordering
 * are shared with tuple (tuple.c).
 */
#include "ix_internal.h"

static IxListObject *as_list(IxContext *ctx, IxObject *o)
{
    if (IX_IS(ctx, o, IX_TYPE_LIST)) return (IxListObject *)o;
    ix_err_wrong_type(ctx, "list", o);
    return NULL;
}

static bool index_ok(IxContext *ctx, IxListObject *l, size_t i)
{
    if (i < l->len) return true;
    ix_err_set(ctx, IX_EXC_INDEXERROR, "list index out of range");
    return false;
}

IxObject *ix_list_new(IxContext *ctx)
{
    return ix_builtin_alloc(ctx, IX_TYPE_LIST,
                           sizeof(IxListObject));
}

/* Room for one more item. Growing by half again keeps appends amortised O(1). */
static int grow(IxContext *ctx, IxListObject *l)
{
    const size_t max = SIZE_MAX / sizeof(IxObject *);
    if (l->cap >= max) {
        ix_err_no_memory(ctx);
        return -1;
    }
    size_t cap = l->cap + l->cap / 2 + 4;
    if (cap > max) cap = max;
    IxObject **items = ix_mem_realloc(ctx, l->items, cap * sizeof(IxObject *));
    if (!items) return -1;
    l->items = items;
    l->cap = cap;
    return 0;
}

int ix_list_append(IxContext *ctx, IxObject *o, IxObject *item)
{
    IxListObject *l = as_list(ctx, o);
    if (!l || (l->len == l->cap && grow(ctx, l) < 0)) return -1;
    IX_INCREF(item);
    l->items[l->len++] = item;
    return 0;
}

size_t ix_list_size(IxContext *ctx, IxObject *o)
{
    IxListObject *l = as_list(ctx, o);
    return l ? l->len : 0;
}

IxObject *ix_list_getitem(IxContext *ctx, IxObject *o, size_t i)
{
    IxListObject *l = as_list(ctx, o);
    return l && index_ok(ctx, l, i) ? l->items[i] : NULL;
}

/* The old item is released after the new one is in place: its dealloc may look at us. */
int ix_list_setitem(IxContext *ctx, IxObject *o, size_t i, IxObject *item)
{
    IxListObject *l = as_list(ctx, o);
    if (!l || !index_ok(ctx, l, i)) return -1;
    IxObject *old = l->items[i];
    IX_INCREF(item);
    l->items[i] = item;
    IX_DECREF(ctx, old);
    return 0;
}

/* ---------------------------------------------------------------- slots */

/* Empty the list before releasing the items, so a dealloc that reaches this list (it may
 * hold a reference) finds it empty and consistent, never half-freed. */
static int list_clear(IxContext *ctx, IxObject *self)
{
    IxListObject *l = (IxListObject *)self;
    IxObject **items = l->items;
    size_t n = l->len;
    l->items = NULL;
    l->len = l->cap = 0;
    for (size_t i = 0; i < n; i++) IX_DECREF(ctx, items[i]);
    if (items) ix_mem_free(ctx, items);
    return 0;
}

static void list_dealloc(IxContext *ctx, IxObject *self)
{
    list_clear(ctx, self);
}

static int list_traverse(IxContext *ctx, IxObject *self, IxVisitProc visit, void *arg)
{
    IxListObject *l = (IxListObject *)self;
    for (size_t i = 0; i < l->len; i++) IX_VISIT(l->items[i]);
    return 0;
}

/* Mutable, so not hashable: an identity hash would make equal lists different keys. */
static int64_t list_hash(IxContext *ctx, IxObject *self)
{
    ix_err_set(ctx, IX_EXC_TYPEERROR, "unhashable type: 'list'");
    return -1;
}

static int list_bool(IxContext *ctx, IxObject *self)
{
    return ((IxListObject *)self)->len != 0;
}

static const IxTypeSlot list_slots[] = {
    {IX_tp_dealloc, (void *)list_dealloc},
    {IX_tp_traverse, (void *)list_traverse},
    {IX_tp_clear, (void *)list_clear},
    {IX_tp_repr, (void *)ix_container_repr},
    {IX_tp_hash, (void *)list_hash},
    {IX_tp_richcompare, (void *)ix_seq_richcompare},
    IX_TYPE_SLOTS_END,
};

const IxBuiltinTypeDef ix_list_typedef = {
    .id = IX_TYPE_LIST, .name = "list", .basic_size = sizeof(IxListObject),
    .base_id = UINT32_MAX, .slots = list_slots, .tp_bool = list_bool,
};
