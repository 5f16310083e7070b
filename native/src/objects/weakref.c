/*
 * weakref.c -- weak references (ABI 1.2, ABI.md 3.42-3.43, 5.43): objects of the internal
 * type `weakref` that name an instance of an IX_TPFLAGS_MANAGED_WEAKREF type without
 * keeping it alive.
 *
 * The referent's hidden word (weaklist_offset, attrs.c) heads a doubly linked list of the
 * references to it, so a reference that dies first unlinks itself in O(1), and a referent
 * that dies walks its list once. A dying referent's references are cleared (their referent
 * set to NULL) before any of its dealloc or clear runs, and only then are callbacks
 * called: with the cleared reference, so no callback can reach the dying object. An error
 * raised by a callback has nowhere to go, as a dealloc's (object.c): it is recorded
 * (unraisable.c) and dropped.
 *
 * Everything here runs under the interpreter lock of the referent's interpreter.
 */
#include "ix_internal.h"

typedef struct WeakrefObject {
    IxObject_HEAD
    IxObject *referent;                  /* borrowed; NULL once it died */
    IxObject *callback;                  /* strong, or NULL; dropped once called */
    struct WeakrefObject *prev, *next;   /* the referent's list */
    struct WeakrefObject *pending;       /* chained for ix_weakrefs_call */
} WeakrefObject;

#define WEAKLIST(o) ((WeakrefObject **)((char *)(o) + IX_TYPE(o)->ex->weaklist_offset))

static void unlink_ref(WeakrefObject *r)
{
    WeakrefObject **head = WEAKLIST(r->referent);
    if (r->prev) r->prev->next = r->next;
    else *head = r->next;
    if (r->next) r->next->prev = r->prev;
    r->prev = r->next = NULL;
    r->referent = NULL;
}

IxObject *ix_weakref_new(IxContext *ctx, IxObject *o, IxObject *callback)
{
    if (!ix_owned_by(ctx, o)) return ix_err_wrong_type(ctx, "an object of this interpreter", o);
    if (callback && !ix_owned_by(ctx, callback))
        return ix_err_wrong_type(ctx, "a callback of this interpreter", callback);
    if (!IX_TYPE(o)->ex->weaklist_offset)
        return ix_err_format(ctx, IX_EXC_TYPEERROR, "cannot create weak reference to '%s' object", IX_TYPE(o)->name);
    if (callback == IX_BUILTIN(ctx, IX_NONE)) callback = NULL; /* None: no callback, as in Python */
    WeakrefObject *r = (WeakrefObject *)ix_builtin_alloc(ctx, IXI_TYPE_WEAKREF,
                                                        sizeof(WeakrefObject));
    if (!r) return NULL;
    WeakrefObject **head = WEAKLIST(o);
    r->referent = o;
    r->next = *head;
    if (*head) (*head)->prev = r;
    *head = r;
    if (callback) IX_INCREF(callback);
    r->callback = callback;
    return &r->ob_base;
}

IxObject *ix_weakref_get_object(IxContext *ctx, IxObject *ref)
{
    if (!IX_IS(ctx, ref, IXI_TYPE_WEAKREF)) return ix_err_wrong_type(ctx, "weakref", ref);
    IxObject *o = ((WeakrefObject *)ref)->referent;
    if (!o) o = IX_BUILTIN(ctx, IX_NONE);
    IX_INCREF(o);
    return o;
}

void ix_weakrefs_clear(IxContext *ctx, IxObject *o, bool (*keep)(IxObject *ref, void *arg), void *arg,
                       IxObject **pending)
{
    WeakrefObject **head = WEAKLIST(o);
    while (*head) {
        WeakrefObject *r = *head;
        unlink_ref(r);
        if (!r->callback || (keep && !keep(&r->ob_base, arg))) continue;
        IX_INCREF(r);
        r->pending = (WeakrefObject *)*pending;
        *pending = &r->ob_base;
    }
}

/* Each callback runs once, with the pending error set aside (it is not the callback's). */
void ix_weakrefs_call(IxContext *ctx, IxObject *pending)
{
    IxCtx *c = IX_CTX(ctx);
    for (WeakrefObject *r = (WeakrefObject *)pending, *next; r; r = next) {
        next = r->pending;
        r->pending = NULL;
        IxObject *cb = r->callback, *saved = c->exc, *self = &r->ob_base;
        r->callback = NULL;
        c->exc = NULL;
        if (cb) {
            IX_XDECREF(ctx, ix_call(ctx, cb, &self, 1));
            if (c->exc) { /* nobody to raise it to, as for a dealloc's: recorded (ABI.md 6.8) */
                char name[128];
                ix_unraisable(ctx, "weakref callback %s", ix_callable_name(ctx, cb, name, sizeof name));
            }
            IX_DECREF(ctx, cb);
        }
        IX_CLEAR_REF(ctx, c->exc);
        c->exc = saved;
        IX_DECREF(ctx, self);
    }
}

/* ---------------------------------------------------------------- the type */

static void weakref_dealloc(IxContext *ctx, IxObject *self)
{
    WeakrefObject *r = (WeakrefObject *)self;
    if (r->referent) unlink_ref(r);
    IX_CLEAR_REF(ctx, r->callback);
}

static int weakref_traverse(IxContext *ctx, IxObject *self, IxVisitProc visit, void *arg)
{
    IX_VISIT(((WeakrefObject *)self)->callback);
    return 0;
}

static int weakref_clear(IxContext *ctx, IxObject *self)
{
    IX_CLEAR_REF(ctx, ((WeakrefObject *)self)->callback);
    return 0;
}

static IxObject *weakref_repr(IxContext *ctx, IxObject *self)
{
    IxObject *o = ((WeakrefObject *)self)->referent;
    if (!o) return ix_str_from_format(ctx, "<weakref at %p; dead>", (void *)self);
    return ix_str_from_format(ctx, "<weakref at %p; to '%s' at %p>", (void *)self, IX_TYPE(o)->name, (void *)o);
}

/* ref() is the referent, or None (Python's call of a weak reference). */
static IxObject *weakref_call(IxContext *ctx, IxObject *self, IxObject *const *args, size_t nargs)
{
    if (nargs)
        return ix_err_format(ctx, IX_EXC_TYPEERROR, "weakref() takes no arguments (%zu given)", nargs);
    return ix_weakref_get_object(ctx, self);
}

static const IxTypeSlot weakref_slots[] = {
    {IX_tp_dealloc, (void *)weakref_dealloc},
    {IX_tp_traverse, (void *)weakref_traverse},
    {IX_tp_clear, (void *)weakref_clear},
    {IX_tp_repr, (void *)weakref_repr},
    {IX_tp_call, (void *)weakref_call},
    IX_TYPE_SLOTS_END,
};
const IxBuiltinTypeDef ix_weakref_typedef = {
    .id = IXI_TYPE_WEAKREF, .name = "weakref", .basic_size = sizeof(WeakrefObject),
    .base_id = UINT32_MAX, .flags = IX_TPFLAGS_HAVE_GC, .slots = weakref_slots,
};
