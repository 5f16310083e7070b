/*
 * handles.c -- the table that names objects held from outside the interpreter (Java, or an
 * embedder using the value API). A handle is (generation << 32 | index): a released slot
 * bumps its generation, so a stale or foreign handle is refused, never dereferenced.
 * Guarded by the interpreter lock like everything else in the interpreter.
 */
#include "ix_internal.h"

static int grow(IxContext *ctx, IxInterp *in)
{
    size_t cap = in->handles_cap ? in->handles_cap * 2 : 16;
    if (cap > UINT32_MAX) {
        ix_err_set(ctx, IX_EXC_MEMORYERROR, "too many handles");
        return -1;
    }
    IxHandleSlot *s = in->handles ? ix_heap_realloc(&in->heap, in->handles, cap * sizeof *s)
                                  : ix_heap_alloc(&in->heap, cap * sizeof *s, IX_BLOCK_RAW, IX_OWNER_BUILTIN, true);
    if (!s) {
        ix_err_no_memory(ctx);
        return -1;
    }
    /* Slot 0 is never used, so 0 is never a valid handle; new slots join the free list. */
    for (size_t i = cap; i-- > (in->handles_cap ? in->handles_cap : 1);) {
        s[i] = (IxHandleSlot){.obj = NULL, .gen = 1, .next_free = in->handles_free};
        in->handles_free = (uint32_t)i;
    }
    in->handles = s;
    in->handles_cap = cap;
    return 0;
}

int64_t ix_handle_new(IxContext *ctx, IxObject *o)
{
    return ix_handle_new_kind(ctx, o, IX_HANDLE_VALUE);
}

int64_t ix_handle_new_kind(IxContext *ctx, IxObject *o, uint32_t kind)
{
    IxInterp *in = IX_INTERP(ctx);
    if (!in->handles_free && grow(ctx, in) < 0) return -1;
    uint32_t i = in->handles_free;
    IxHandleSlot *s = &in->handles[i];
    in->handles_free = s->next_free;
    IX_INCREF(o);
    s->obj = o;
    s->kind = kind;
    in->handles_live++;
    return ((int64_t)s->gen << 32) | i;
}

static IxHandleSlot *lookup(IxInterp *in, int64_t h)
{
    uint64_t i = (uint64_t)h & 0xffffffffu, gen = (uint64_t)h >> 32;
    if (h <= 0 || i == 0 || i >= in->handles_cap) return NULL;
    IxHandleSlot *s = &in->handles[i];
    return s->obj && s->gen == gen ? s : NULL;
}

IxObject *ix_handle_get(IxContext *ctx, int64_t h)
{
    uint32_t kind;
    return ix_handle_get_kind(ctx, h, &kind);
}

IxObject *ix_handle_get_kind(IxContext *ctx, int64_t h, uint32_t *kind)
{
    IxHandleSlot *s = lookup(IX_INTERP(ctx), h);
    if (s) {
        *kind = s->kind;
        return s->obj;
    }
    ix_err_format(ctx, IX_EXC_VALUEERROR,
                  "invalid handle %lld for interpreter %lld (released, or of another interpreter)",
                  (long long)h, (long long)IX_INTERP(ctx)->id);
    return NULL;
}

static void release_slot(IxContext *ctx, IxInterp *in, IxHandleSlot *s)
{
    IxObject *o = s->obj;
    s->obj = NULL;
    s->gen = s->gen == UINT32_MAX >> 1 ? 1 : s->gen + 1; /* keep handles positive */
    s->next_free = in->handles_free;
    in->handles_free = (uint32_t)(s - in->handles);
    in->handles_live--;
    IX_DECREF(ctx, o);
}

int ix_handle_release(IxContext *ctx, int64_t h)
{
    IxInterp *in = IX_INTERP(ctx);
    IxHandleSlot *s = lookup(in, h);
    if (!s) return -1;
    release_slot(ctx, in, s);
    return 0;
}

void ix_handles_drop_all(IxContext *ctx)
{
    IxInterp *in = IX_INTERP(ctx);
    for (size_t i = 1; i < in->handles_cap; i++)
        if (in->handles[i].obj) release_slot(ctx, in, &in->handles[i]);
    ix_heap_free(&in->heap, in->handles);
    in->handles = NULL;
    in->handles_cap = 0;
    in->handles_free = 0;
}
