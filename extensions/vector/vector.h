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

#endif /* VECTOR_H */
