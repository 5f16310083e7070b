/*
 * vector.h -- what vector.c (the module, Vector, FrozenVector) and vector_iter.c
 * (VectorIterator) share. Internal to the extension.
 *
 * Concurrency: every object here belongs to one interpreter, and that interpreter's lock
 * guards everything reachable from it (ABI.md 9), so instance fields need no lock of their
 * own.
 */
#ifndef VECTOR_H
#define VECTOR_H

#include <stdint.h>

#include "isolex.h"

/* Per-interpreter module state: the three types, strong references. */
typedef struct {
    IxObject *VectorType;          /* vector.Vector */
    IxObject *FrozenVectorType;    /* vector.FrozenVector, a subtype of Vector */
    IxObject *VectorIteratorType;  /* vector.VectorIterator */
} vector_state;

/* A Vector (and a FrozenVector: same layout). The components live in memory the instance
 * owns, from IxMem_Calloc, freed by its dealloc: one block of doubles, so a view of it
 * can be handed out without a copy. The length never changes after creation. */
typedef struct {
    IxObject_HEAD
    double *data;  /* size doubles; NULL when size is 0 */
    int64_t size;
} VectorObject;

extern const IxModuleDef vector_def;
extern const IxTypeSpec VectorIterator_spec;

/* The state of the vector module that made type or one of its bases (PEP 573 from any
 * subclass); NULL with an error. */
vector_state *vector_state_of(IxContext *ctx, IxObject *type);

/* iter(v): a new VectorIterator holding a strong reference to v. */
IxObject *vector_iter(IxContext *ctx, IxObject *v);

/* A zeroed vector of n components, an instance of type (Vector or a subtype). */
VectorObject *vector_alloc(IxContext *ctx, IxObject *type, int64_t n);

/* The Euclidean length of v (norm(), abs(v)). */
double vector_norm(const VectorObject *v);

/* vector_number.c: the number slots and the buffer slot of Vector's slot table. */
IxObject *Vector_add(IxContext *ctx, IxObject *a, IxObject *b);
IxObject *Vector_sub(IxContext *ctx, IxObject *a, IxObject *b);
IxObject *Vector_mul(IxContext *ctx, IxObject *a, IxObject *b);
IxObject *Vector_truediv(IxContext *ctx, IxObject *a, IxObject *b);
IxObject *Vector_iadd(IxContext *ctx, IxObject *self, IxObject *other);
IxObject *Vector_isub(IxContext *ctx, IxObject *self, IxObject *other);
IxObject *Vector_imul(IxContext *ctx, IxObject *self, IxObject *other);
IxObject *Vector_itruediv(IxContext *ctx, IxObject *self, IxObject *other);
IxObject *Vector_neg(IxContext *ctx, IxObject *self);
IxObject *Vector_pos(IxContext *ctx, IxObject *self);
IxObject *Vector_abs(IxContext *ctx, IxObject *self);
int Vector_bool(IxContext *ctx, IxObject *self);
int Vector_getbuffer(IxContext *ctx, IxObject *self, IxBufferView *view, int flags);

#endif /* VECTOR_H */
