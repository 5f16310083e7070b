/*
 * vector_iter.c -- vector.VectorIterator: what iter(Vector) returns. It holds a strong
 * reference to its vector until the end, then drops it, so an exhausted iterator keeps
 * nothing alive (as the builtin iterators, ABI.md 3.23). Holding a reference makes it a
 * GC type: traverse, clear, dealloc.
 */
#include "vector.h"

typedef struct {
    IxObject_HEAD
    IxObject *vector;  /* the VectorObject iterated; NULL once exhausted */
    int64_t index;     /* the next component */
} VectorIteratorObject;

IxObject *vector_iter(IxContext *ctx, IxObject *v)
{
    vector_state *st = vector_state_of(ctx, Ix_Type(ctx, v));
    if (st == NULL)
        return NULL;
    VectorIteratorObject *it =
        (VectorIteratorObject *)IxType_GenericAlloc(ctx, st->VectorIteratorType);
    if (it == NULL)
        return NULL;
    it->vector = Ix_NewRef(ctx, v);
    it->index = 0;
    return (IxObject *)it;
}

/* An iterator's iter() is itself. */
static IxObject *VectorIterator_iter(IxContext *ctx, IxObject *self)
{
    return Ix_NewRef(ctx, self);
}

/* The next component as a float; NULL with no error set at the end (ABI.md 5.20). */
static IxObject *VectorIterator_next(IxContext *ctx, IxObject *op)
{
    VectorIteratorObject *it = (VectorIteratorObject *)op;
    if (it->vector == NULL)
        return NULL;
    VectorObject *v = (VectorObject *)it->vector;
    if (it->index < v->size)
        return IxFloat_FromDouble(ctx, v->data[it->index++]);
    IX_CLEAR(ctx, it->vector);
    return NULL;
}

static int VectorIterator_traverse(IxContext *ctx, IxObject *op, IxVisitProc visit, void *arg)
{
    IX_VISIT(((VectorIteratorObject *)op)->vector);
    return 0;
}

static int VectorIterator_clear(IxContext *ctx, IxObject *op)
{
    IX_CLEAR(ctx, ((VectorIteratorObject *)op)->vector);
    return 0;
}

static void VectorIterator_dealloc(IxContext *ctx, IxObject *op)
{
    IX_CLEAR(ctx, ((VectorIteratorObject *)op)->vector);
}

/* No tp_new: iterators come from iter(vector) only. */
static const IxTypeSlot VectorIterator_slots[] = {
    {IX_tp_iter, VectorIterator_iter},
    {IX_tp_iternext, VectorIterator_next},
    {IX_tp_traverse, VectorIterator_traverse},
    {IX_tp_clear, VectorIterator_clear},
    {IX_tp_dealloc, VectorIterator_dealloc},
    {IX_tp_doc, "iterator over a Vector's components"},
    IX_TYPE_SLOTS_END
};

const IxTypeSpec VectorIterator_spec = {
    .name = "vector.VectorIterator",
    .basic_size = sizeof(VectorIteratorObject),
    .flags = IX_TPFLAGS_HAVE_GC,
    .slots = VectorIterator_slots,
};
