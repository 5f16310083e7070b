/*
 * buffer.c -- the buffer protocol (ABI 1.2, ABI.md 3.50-3.59, 5.60): Ix_GetBuffer,
 * IxBufferView_Release, IxBufferView_FillInfo; bytes and shared buffers as exporters; and
 * the memoryview object that holds a view for the embedder (ABI.md 12.50).
 *
 * A view is the consumer's struct, so the host cannot keep a list of them without memory
 * of its own; instead its state word says whether Ix_GetBuffer filled it and whether it was
 * released, keyed by the view's own address (a view copied elsewhere is not "filled"), and
 * the interpreter counts the views filled and not released for the leak report.
 * Everything here runs under the interpreter lock, which guards the views and the count.
 */
#include <stdio.h>
#include <string.h>

#include "ix_internal.h"

#define FILLED(v) ((uint64_t)(uintptr_t)(v) ^ 0x1F1EDB0FFE4ull)
#define RELEASED(v) ((uint64_t)(uintptr_t)(v) ^ 0x2E1EA5EDB0Full)

/* ---------------------------------------------------------------- IxBufferView_FillInfo */

/* CPython's PyBuffer_FillInfo: one contiguous run of `len` bytes, format "B". shape and
 * strides point into the view itself (at len and itemsize), as CPython's do, so a 1-D view
 * needs no storage of the exporter's. */
int ix_buffer_view_fill_info(IxContext *ctx, IxBufferView *view, IxObject *exporter, void *buf, int64_t len,
                             int readonly, int flags)
{
    if (!view) {
        ix_err_set(ctx, IX_EXC_SYSTEMERROR, "IxBufferView_FillInfo: view is NULL");
        return -1;
    }
    view->obj = NULL;
    if ((flags & IX_BUF_WRITABLE) && readonly) {
        ix_err_set(ctx, IX_EXC_BUFFERERROR, "Object is not writable.");
        return -1;
    }
    if (len < 0 || (!buf && len > 0)) {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "IxBufferView_FillInfo: %lld bytes at %p", (long long)len, buf);
        return -1;
    }
    IX_INCREF(exporter);
    view->obj = exporter;
    view->buf = buf;
    view->len = len;
    view->itemsize = 1;
    view->readonly = readonly != 0;
    view->ndim = 1;
    view->format = "B";
    view->shape = &view->len;
    view->strides = &view->itemsize;
    view->internal = NULL;
    return 0;
}

/* ---------------------------------------------------------------- checks of a slot's view */

static bool c_contiguous(const IxBufferView *v)
{
    int64_t step = v->itemsize;
    for (int32_t i = v->ndim; i-- > 0;) {
        if (v->shape[i] > 1 && v->strides[i] != step) return false;
        step *= v->shape[i];
    }
    return true;
}

/* What is wrong with a view an exporter filled, or NULL. Every field is the exporter's, so
 * each is checked before the next one is read through. */
static const char *inconsistent(const IxBufferView *v, char *why, size_t cap)
{
    if (v->itemsize <= 0) return snprintf(why, cap, "itemsize %lld", (long long)v->itemsize), why;
    if (v->len < 0 || (!v->buf && v->len > 0)) return snprintf(why, cap, "len %lld at %p", (long long)v->len, v->buf), why;
    if (v->ndim < 0 || v->ndim > IX_BUF_MAX_NDIM) return snprintf(why, cap, "ndim %d", (int)v->ndim), why;
    if (!v->format) return "format is NULL";
    if (v->ndim > 0 && (!v->shape || !v->strides)) return "shape or strides is NULL";
    int64_t n = v->itemsize;
    for (int32_t i = 0; i < v->ndim; i++) {
        if (v->shape[i] < 0 || (v->shape[i] && n > INT64_MAX / v->shape[i]))
            return snprintf(why, cap, "shape[%d] is %lld", (int)i, (long long)v->shape[i]), why;
        n *= v->shape[i];
    }
    if (n != v->len)
        return snprintf(why, cap, "len %lld is not itemsize times the shape (%lld)", (long long)v->len, (long long)n), why;
    return NULL;
}

/* ---------------------------------------------------------------- Ix_GetBuffer */

static const char *tname(IxObject *o)
{
    return IX_TYPE(o)->name;
}

/* Run the exporter's releasebuffer, entered as its module's code. */
static void run_release_slot(IxContext *ctx, IxObject *obj, IxBufferView *view)
{
    IxTypeObject *t = IX_TYPE(obj);
    if (!t->pr->bf_releasebuffer || (t->flags & IX_TF_BUILTIN)) return;
    /* CPython's releasebuffer returns nothing: an error it leaves is the caller's no more
     * than a dealloc's is, so it is set aside, recorded and dropped (ABI.md 6.8) */
    IxCtx *c = IX_CTX(ctx);
    IxObject *saved = c->exc;
    IxEntry e;
    c->exc = NULL;
    ix_enter_code(ctx, IX_PR_HOOK_MODULE(t, bf_releasebuffer), &e);
    t->pr->bf_releasebuffer(ctx, obj, view);
    ix_leave_code(ctx, &e);
    if (c->exc) ix_unraisable(ctx, "bf_releasebuffer of %s", t->name);
    c->exc = saved;
}

/* A view the exporter filled but the host refuses: give it back, leave view->obj NULL. */
static int refuse(IxContext *ctx, IxBufferView *view)
{
    IxObject *obj = view->obj;
    run_release_slot(ctx, obj, view);
    view->obj = NULL;
    IX_DECREF(ctx, obj);
    return -1;
}

static int from_slot(IxContext *ctx, IxObject *o, IxBufferView *view, int flags)
{
    IxTypeObject *t = IX_TYPE(o);
    IxEntry e;
    ix_enter_code(ctx, IX_PR_HOOK_MODULE(t, bf_getbuffer), &e);
    int rc = t->pr->bf_getbuffer(ctx, o, view, flags);
    ix_leave_code(ctx, &e);
    if (ix_check_slot_int(ctx, rc == 0 ? 0 : -1, IX_TYPE(o)->name, "__buffer__") < 0) {
        if (view->obj) IX_CLEAR_REF(ctx, view->obj); /* failed after filling: the host drops it */
        return -1;
    }
    if (!view->obj) {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s.__buffer__() returned 0 without filling the view", tname(o));
        return -1;
    }
    char why[160];
    const char *bad = inconsistent(view, why, sizeof why);
    if (bad) {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s.__buffer__() filled an inconsistent view: %s", tname(o), bad);
        return refuse(ctx, view);
    }
    if ((flags & IX_BUF_WRITABLE) && view->readonly) { /* an exporter that ignored the flag */
        ix_err_set(ctx, IX_EXC_BUFFERERROR, "Object is not writable.");
        return refuse(ctx, view);
    }
    return 0;
}

int ix_get_buffer(IxContext *ctx, IxObject *o, IxBufferView *view, int flags)
{
    if (!view) {
        ix_err_set(ctx, IX_EXC_SYSTEMERROR, "Ix_GetBuffer: view is NULL");
        return -1;
    }
    memset(view, 0, sizeof *view);
    if (!ix_owned_by(ctx, o)) {
        ix_err_wrong_type(ctx, "an object of this interpreter", o);
        return -1;
    }
    int rc;
    IxTypeObject *t = IX_TYPE(o);
    if (IX_IS(ctx, o, IX_TYPE_BYTES)) {
        IxBytesObject *b = (IxBytesObject *)o;
        rc = ix_buffer_view_fill_info(ctx, view, o, b->data, (int64_t)b->len, 1, flags);
    } else if (IX_IS(ctx, o, IX_TYPE_BUFFER)) { /* shared: writable by every holder (ABI.md 11.4) */
        size_t n;
        uint8_t *data = ix_shared_data(ix_shared_of(o), &n);
        rc = ix_buffer_view_fill_info(ctx, view, o, data, (int64_t)n, 0, flags);
    } else if (t->pr->bf_getbuffer && !(t->flags & IX_TF_BUILTIN)) {
        rc = from_slot(ctx, o, view, flags);
    } else {
        ix_err_format(ctx, IX_EXC_TYPEERROR, "a bytes-like object is required, not '%s'", tname(o));
        return -1;
    }
    if (rc < 0) return -1;
    if (!(flags & 0x0010) && !c_contiguous(view)) {
        ix_err_format(ctx, IX_EXC_BUFFERERROR, "'%s' object's buffer is not C-contiguous (ask with IX_BUF_STRIDES)",
                      tname(o));
        return refuse(ctx, view);
    }
    view->ix_state_private = FILLED(view);
    IX_INTERP(ctx)->views_live++;
    return 0;
}

/* ---------------------------------------------------------------- IxBufferView_Release */

void ix_buffer_view_release(IxContext *ctx, IxBufferView *view)
{
    if (!view) return;
    if (view->ix_state_private == RELEASED(view)) {
        ix_err_chain_system(ctx, "IxBufferView_Release: the view was released already");
        return;
    }
    if (view->ix_state_private != FILLED(view)) {
        /* CPython's rule: a view whose obj is NULL (never filled, or GetBuffer failed) is
         * released as a no-op, so cleanup paths may release unconditionally. */
        if (view->obj) ix_err_chain_system(ctx, "IxBufferView_Release: the view was not filled by Ix_GetBuffer");
        return;
    }
    IxObject *obj = view->obj;
    run_release_slot(ctx, obj, view);
    view->obj = NULL;
    view->ix_state_private = RELEASED(view);
    IX_INTERP(ctx)->views_live--;
    IX_DECREF(ctx, obj);
}

/* ---------------------------------------------------------------- memoryview (the embedder's) */

typedef struct MemoryViewObject {
    IxObject_HEAD
    IxBufferView view;
} MemoryViewObject;

static void memoryview_dealloc(IxContext *ctx, IxObject *self)
{
    ix_buffer_view_release(ctx, &((MemoryViewObject *)self)->view);
}

static IxObject *memoryview_repr(IxContext *ctx, IxObject *self)
{
    const IxBufferView *v = &((MemoryViewObject *)self)->view;
    return ix_str_from_format(ctx, "<memoryview of %s, %lld bytes>", v->obj ? tname(v->obj) : "nothing",
                              (long long)v->len);
}

static const IxTypeSlot memoryview_slots[] = {
    {IX_tp_dealloc, (void *)memoryview_dealloc},
    {IX_tp_repr, (void *)memoryview_repr},
    IX_TYPE_SLOTS_END,
};

const IxBuiltinTypeDef ix_memoryview_typedef = {
    .id = IXI_TYPE_MEMORYVIEW, .name = "memoryview", .basic_size = sizeof(MemoryViewObject),
    .base_id = UINT32_MAX, .slots = memoryview_slots,
};

IxObject *ix_memoryview_new(IxContext *ctx, IxObject *o, int flags)
{
    MemoryViewObject *mv = (MemoryViewObject *)ix_builtin_alloc(ctx, IXI_TYPE_MEMORYVIEW, sizeof(MemoryViewObject));
    if (!mv) return NULL;
    if (ix_get_buffer(ctx, o, &mv->view, flags) < 0) {
        IX_DECREF(ctx, &mv->ob_base); /* its dealloc sees a view never filled: a no-op */
        return NULL;
    }
    return &mv->ob_base;
}

const IxBufferView *ix_memoryview_view(IxObject *mv)
{
    return &((MemoryViewObject *)mv)->view;
}

/* A tuple of n ints from an int64 array. */
static IxObject *int_tuple(IxContext *ctx, const int64_t *v, int32_t n)
{
    IxObject *items[IX_BUF_MAX_NDIM] = {0};
    int32_t k = 0;
    for (; k < n; k++)
        if (!(items[k] = ix_long_from_int64(ctx, v[k]))) break;
    IxObject *t = k == n ? ix_tuple_from_array(ctx, items, (size_t)n) : NULL;
    while (k-- > 0) IX_DECREF(ctx, items[k]);
    return t;
}

/* ABI.md 12.50: (memoryview, address, len, readonly, itemsize, format, shape, strides). */
IxObject *ix_buffer_export(IxContext *ctx, IxObject *o, int64_t flags)
{
    if (flags < 0 || flags > 0x7fffffff)
        return ix_err_format(ctx, IX_EXC_VALUEERROR, "ixh_protocol buffer: flags %lld out of range", (long long)flags);
    IxObject *mv = ix_memoryview_new(ctx, o, (int)flags);
    if (!mv) return NULL;
    const IxBufferView *v = ix_memoryview_view(mv);
    IxObject *items[8] = {mv,
                          ix_long_from_int64(ctx, (int64_t)(intptr_t)v->buf),
                          ix_long_from_int64(ctx, v->len),
                          ix_bool_from_int(ctx, v->readonly),
                          ix_long_from_int64(ctx, v->itemsize),
                          ix_str_from_cstr(ctx, v->format),
                          int_tuple(ctx, v->shape, v->ndim),
                          int_tuple(ctx, v->strides, v->ndim)};
    IxObject *r = NULL;
    bool all = true;
    for (int i = 0; i < 8; i++) all = all && items[i];
    if (all) r = ix_tuple_from_array(ctx, items, 8);
    for (int i = 0; i < 8; i++) IX_XDECREF(ctx, items[i]);
    return r;
}
