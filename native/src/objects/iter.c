/*
 * iter.c -- iteration (ABI.md 3.24): Ix_GetIter and Ix_IterNext, and the one internal
 * iterator type the builtin containers hand out (list, tuple, dict keys, str code points,
 * bytes as ints). It holds a strong reference to its container (traversed, so a cycle
 * through it is collected) and a position; like any object it is freed, and counted, by
 * its interpreter, and one left over is reported at close.
 *
 * A heap type iterates through tp_iter and tp_iternext (ABI.md 5.20); the end is NULL with
 * no error set, as CPython's tp_iternext, so no StopIteration object is made per loop.
 */
#include "ix_internal.h"

typedef struct IterObject {
    IxObject_HEAD
    IxObject *seq;      /* NULL once exhausted: the container is released early */
    size_t pos;         /* index; bytes into a str; a dict's entry position */
    size_t dict_size;   /* a dict's size when iteration began */
} IterObject;

static int iter_clear(IxContext *ctx, IxObject *self)
{
    IX_CLEAR_REF(ctx, ((IterObject *)self)->seq);
    return 0;
}

static void iter_dealloc(IxContext *ctx, IxObject *self)
{
    iter_clear(ctx, self);
}

static int iter_traverse(IxContext *ctx, IxObject *self, IxVisitProc visit, void *arg)
{
    IX_VISIT(((IterObject *)self)->seq);
    return 0;
}

/* The next item of a builtin container, a new reference; NULL at the end or on error. */
static IxObject *next_of(IxContext *ctx, IterObject *it)
{
    IxObject *seq = it->seq;
    switch (IX_LAYOUT_ID(IX_TYPE(seq))) {
    case IX_TYPE_LIST: {
        IxListObject *l = (IxListObject *)seq;
        if (it->pos >= l->len) return NULL; /* re-read each time: the list may change */
        IxObject *x = l->items[it->pos++];
        IX_INCREF(x);
        return x;
    }
    case IX_TYPE_TUPLE: {
        IxTupleObject *t = (IxTupleObject *)seq;
        if (it->pos >= t->len) return NULL;
        IxObject *x = t->items[it->pos++];
        IX_INCREF(x);
        return x;
    }
    case IX_TYPE_STR: {
        IxStrObject *s = (IxStrObject *)seq;
        if (it->pos >= s->len) return NULL;
        size_t end = it->pos + 1;
        while (end < s->len && ((uint8_t)s->data[end] & 0xC0) == 0x80) end++;
        IxObject *x = ix_str_from_utf8(ctx, s->data + it->pos, end - it->pos);
        it->pos = end;
        return x;
    }
    case IX_TYPE_BYTES: {
        IxBytesObject *b = (IxBytesObject *)seq;
        return it->pos < b->len ? ix_long_from_int64(ctx, b->data[it->pos++]) : NULL;
    }
    case IX_TYPE_DICT: {
        if (ix_dict_size(ctx, seq) != it->dict_size) {
            it->dict_size = (size_t)-1; /* stays broken, as CPython's does */
            return ix_err_format(ctx, IX_EXC_RUNTIMEERROR, "dictionary changed size during iteration");
        }
        IxObject *k = NULL;
        if (!ix_dict_next(ctx, seq, &it->pos, &k, NULL)) return NULL;
        IX_INCREF(k);
        return k;
    }
    default:
        return ix_err_format(ctx, IX_EXC_SYSTEMERROR, "iterator over a '%s' object", IX_TYPE(seq)->name);
    }
}

static IxObject *iter_next(IxContext *ctx, IxObject *self)
{
    IterObject *it = (IterObject *)self;
    if (!it->seq) return NULL;
    IxObject *x = next_of(ctx, it);
    if (!x && !ix_err_pending(ctx)) IX_CLEAR_REF(ctx, it->seq);
    return x;
}

static IxObject *iter_self(IxContext *ctx, IxObject *self)
{
    IX_INCREF(self);
    return self;
}

static const IxTypeSlot iter_slots[] = {
    {IX_tp_dealloc, (void *)iter_dealloc},
    {IX_tp_traverse, (void *)iter_traverse},
    {IX_tp_clear, (void *)iter_clear},
    {IX_tp_iter, (void *)iter_self},
    {IX_tp_iternext, (void *)iter_next},
    IX_TYPE_SLOTS_END,
};
const IxBuiltinTypeDef ix_iterator_typedef = {
    .id = IXI_TYPE_ITERATOR, .name = "iterator", .basic_size = sizeof(IterObject),
    .base_id = UINT32_MAX, .slots = iter_slots,
};

IxObject *ix_builtin_iter(IxContext *ctx, IxObject *seq)
{
    IterObject *it = (IterObject *)ix_builtin_alloc(ctx, IXI_TYPE_ITERATOR,
                                                   sizeof(IterObject));
    if (!it) return NULL;
    IX_INCREF(seq);
    it->seq = seq;
    it->pos = 0;
    it->dict_size = IX_IS(ctx, seq, IX_TYPE_DICT) ? ix_dict_size(ctx, seq) : 0;
    return &it->ob_base;
}

/* ---------------------------------------------------------------- the ABI entries */

IxObject *ix_getiter(IxContext *ctx, IxObject *o)
{
    if (!ix_owned_by(ctx, o)) return ix_err_wrong_type(ctx, "an object of this interpreter", o);
    IxTypeObject *t = IX_TYPE(o);
    if (t->flags & (IX_TF_BUILTIN | IX_TF_STR_LAYOUT)) {
        switch (IX_LAYOUT_ID(t)) {
        case IX_TYPE_LIST: case IX_TYPE_TUPLE: case IX_TYPE_STR: case IX_TYPE_BYTES: case IX_TYPE_DICT:
            return ix_builtin_iter(ctx, o);
        case IXI_TYPE_ITERATOR:
            return iter_self(ctx, o);
        default:
            return ix_err_format(ctx, IX_EXC_TYPEERROR, "'%s' object is not iterable", t->name);
        }
    }
    if (!t->pr->tp_iter) return ix_err_format(ctx, IX_EXC_TYPEERROR, "'%s' object is not iterable", t->name);
    IxEntry e;
    ix_enter_code(ctx, IX_PR_HOOK_MODULE(t, tp_iter), &e);
    IxObject *r = t->pr->tp_iter(ctx, o);
    ix_leave_code(ctx, &e);
    r = ix_check_slot_result(ctx, r, t->name, "__iter__");
    if (r && !IX_TYPE(r)->pr->tp_iternext) {
        ix_err_format(ctx, IX_EXC_TYPEERROR, "iter() returned non-iterator of type '%s'", IX_TYPE(r)->name);
        IX_DECREF(ctx, r);
        return NULL;
    }
    return r;
}

IxObject *ix_iternext(IxContext *ctx, IxObject *it)
{
    if (!ix_owned_by(ctx, it)) return ix_err_wrong_type(ctx, "an object of this interpreter", it);
    IxTypeObject *t = IX_TYPE(it);
    if (!t->pr->tp_iternext) return ix_err_format(ctx, IX_EXC_TYPEERROR, "'%s' object is not an iterator", t->name);
    if (t->flags & IX_TF_BUILTIN) return t->pr->tp_iternext(ctx, it);
    IxEntry e;
    ix_enter_code(ctx, IX_PR_HOOK_MODULE(t, tp_iternext), &e);
    IxObject *r = t->pr->tp_iternext(ctx, it);
    ix_leave_code(ctx, &e);
    if (!r && !ix_err_pending(ctx)) return NULL; /* the end: not an error here */
    return ix_check_slot_result(ctx, r, t->name, "__next__");
}
