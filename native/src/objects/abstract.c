/*
 * abstract.c -- the generic item, length and membership API (ABI.md 3.20-3.24): Ix_GetItem,
 * Ix_SetItem, Ix_DelItem, Ix_Length, Ix_Contains, on the builtin containers and on heap
 * types with the protocol slots (ABI.md 5.20). Iteration is iter.c.
 *
 * The builtins are answered here by type, not through slots: their storage is known, and
 * a builtin's behaviour is part of the ABI rather than something an extension overrides.
 * Every message is CPython's, so code and tests written against Python read the same.
 * A heap type's slot runs entered as its module's code (owner, shared lock), and an
 * object result is checked like a call's (ABI.md 6.1): "seqmap.Ring.__getitem__".
 */
#define _GNU_SOURCE /* memmem */
#include <string.h>

#include "ix_internal.h"

static const char *tname(IxObject *o)
{
    return IX_TYPE(o)->name;
}

static bool is_heap(IxObject *o)
{
    return !(IX_TYPE(o)->flags & IX_TF_BUILTIN);
}

/* Code points in valid UTF-8: every byte that does not continue a sequence starts one. */
int64_t ix_utf8_count(const char *s, size_t n)
{
    int64_t k = 0;
    for (size_t i = 0; i < n; i++) k += ((uint8_t)s[i] & 0xC0) != 0x80;
    return k;
}

/* ---------------------------------------------------------------- indices */

/* An int key as an index into `len` items, negatives counting from the end. 1: *out is
 * in range; 0: out of range (the caller says which IndexError); -1: an error is set. */
static int seq_index(IxContext *ctx, IxObject *key, size_t len, const char *indices_of, size_t *out)
{
    if (!ix_is_int(ctx, key)) {
        ix_err_format(ctx, IX_EXC_TYPEERROR, "%s indices must be integers or slices, not %s", indices_of,
                      tname(key));
        return -1;
    }
    int64_t i = ((IxIntObject *)key)->value;
    if (i == IX_INT_BIG) {
        ix_err_format(ctx, IX_EXC_INDEXERROR, "cannot fit 'int' into an index-sized integer");
        return -1;
    }
    if (i < 0) i += (int64_t)len;
    if (i < 0 || (uint64_t)i >= len) return 0;
    *out = (size_t)i;
    return 1;
}

static IxObject *index_error(IxContext *ctx, const char *msg)
{
    ix_err_set(ctx, IX_EXC_INDEXERROR, msg);
    return NULL;
}

/* The byte offset of code point `cp` of a str, and its length in bytes. */
static IxObject *str_item(IxContext *ctx, IxStrObject *s, size_t cp)
{
    size_t at = 0;
    for (size_t seen = 0; seen < cp; at++)
        if (((uint8_t)s->data[at + 1] & 0xC0) != 0x80) seen++;
    size_t end = at + 1;
    while (end < s->len && ((uint8_t)s->data[end] & 0xC0) == 0x80) end++;
    return ix_str_from_utf8(ctx, s->data + at, end - at);
}

/* ---------------------------------------------------------------- heap type slots */

static IxObject *slot_result(IxContext *ctx, IxObject *o, IxObject *r, const char *slot)
{
    return ix_check_slot_result(ctx, r, tname(o), slot);
}

/* An int result must agree with the error state too: -1 with an error, else none. */
int64_t ix_check_slot_int(IxContext *ctx, int64_t r, const char *owner, const char *slot)
{
    bool pending = ix_err_pending(ctx);
    if (r == -1 && !pending) {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s.%s() returned -1 without setting an error", owner, slot);
    } else if (r != -1 && pending) {
        ix_err_chain_system(ctx, "%s.%s() returned a result with an error set", owner, slot);
        return -1;
    }
    return r;
}

static int64_t int_result(IxContext *ctx, IxObject *o, int64_t r, const char *slot)
{
    return ix_check_slot_int(ctx, r, tname(o), slot);
}

#define ENTERED(ctx, o, f, call) IX_ENTERED(ctx, IX_TYPE(o), f, call)
#define PR_ENTERED(ctx, o, f, call) IX_PR_ENTERED(ctx, IX_TYPE(o), f, call)

static bool foreign(IxContext *ctx, IxObject *o, const char *what)
{
    if (ix_owned_by(ctx, o)) return false;
    ix_err_wrong_type(ctx, what, o);
    return true;
}

/* ---------------------------------------------------------------- Ix_GetItem */

IxObject *ix_getitem(IxContext *ctx, IxObject *o, IxObject *key)
{
    if (foreign(ctx, o, "an object of this interpreter") || foreign(ctx, key, "a key of this interpreter"))
        return NULL;
    IxTypeObject *t = IX_TYPE(o);
    size_t i = 0;
    int rc;
    switch (IX_LAYOUT_ID(t)) {
    case IX_TYPE_LIST: {
        IxListObject *l = (IxListObject *)o;
        rc = seq_index(ctx, key, l->len, "list", &i);
        if (rc <= 0) return rc ? NULL : index_error(ctx, "list index out of range");
        IX_INCREF(l->items[i]);
        return l->items[i];
    }
    case IX_TYPE_TUPLE: {
        IxTupleObject *tu = (IxTupleObject *)o;
        rc = seq_index(ctx, key, tu->len, "tuple", &i);
        if (rc <= 0) return rc ? NULL : index_error(ctx, "tuple index out of range");
        IX_INCREF(tu->items[i]);
        return tu->items[i];
    }
    case IX_TYPE_STR: {
        IxStrObject *s = (IxStrObject *)o;
        if (!ix_is_int(ctx, key))
            return ix_err_format(ctx, IX_EXC_TYPEERROR, "string indices must be integers, not '%s'", tname(key));
        rc = seq_index(ctx, key, (size_t)ix_utf8_count(s->data, s->len), "string", &i);
        if (rc <= 0) return rc ? NULL : index_error(ctx, "string index out of range");
        return str_item(ctx, s, i);
    }
    case IX_TYPE_BYTES: {
        IxBytesObject *b = (IxBytesObject *)o;
        rc = seq_index(ctx, key, b->len, "byte", &i);
        if (rc <= 0) return rc ? NULL : index_error(ctx, "index out of range");
        return ix_long_from_int64(ctx, b->data[i]);
    }
    case IX_TYPE_DICT: {
        IxObject *v = ix_dict_getitem(ctx, o, key);
        if (v) {
            IX_INCREF(v);
            return v;
        }
        if (!ix_err_pending(ctx)) ix_key_error(ctx, key);
        return NULL;
    }
    default:
        break;
    }
    if (!is_heap(o) || !t->pr->mp_subscript)
        return ix_err_format(ctx, IX_EXC_TYPEERROR, "'%s' object is not subscriptable", tname(o));
    return slot_result(ctx, o, PR_ENTERED(ctx, o, mp_subscript, t->pr->mp_subscript(ctx, o, key)), "__getitem__");
}

/* ---------------------------------------------------------------- Ix_SetItem, Ix_DelItem */

/* list[key] = v, or del list[key] when v is NULL. */
static int list_assign(IxContext *ctx, IxListObject *l, IxObject *key, IxObject *v)
{
    size_t i = 0;
    int rc = seq_index(ctx, key, l->len, "list", &i);
    if (rc <= 0) {
        if (rc == 0) index_error(ctx, "list assignment index out of range");
        return -1;
    }
    IxObject *old = l->items[i];
    if (v) {
        IX_INCREF(v);
        l->items[i] = v;
    } else {
        memmove(l->items + i, l->items + i + 1, (l->len - i - 1) * sizeof *l->items);
        l->len--;
    }
    IX_DECREF(ctx, old); /* last: its dealloc may look at the list */
    return 0;
}

static int assign(IxContext *ctx, IxObject *o, IxObject *key, IxObject *v)
{
    if (foreign(ctx, o, "an object of this interpreter") || foreign(ctx, key, "a key of this interpreter") ||
        (v && foreign(ctx, v, "a value of this interpreter")))
        return -1;
    IxTypeObject *t = IX_TYPE(o);
    switch (IX_LAYOUT_ID(t)) {
    case IX_TYPE_LIST: return list_assign(ctx, (IxListObject *)o, key, v);
    case IX_TYPE_DICT: return v ? ix_dict_setitem(ctx, o, key, v) : ix_dict_delitem(ctx, o, key);
    default: break;
    }
    if (!is_heap(o) || !t->pr->mp_ass_subscript) {
        if (v) ix_err_format(ctx, IX_EXC_TYPEERROR, "'%s' object does not support item assignment", tname(o));
        else ix_err_format(ctx, IX_EXC_TYPEERROR, "'%s' object doesn't support item deletion", tname(o));
        return -1;
    }
    int r = PR_ENTERED(ctx, o, mp_ass_subscript, t->pr->mp_ass_subscript(ctx, o, key, v));
    return (int)int_result(ctx, o, r < 0 ? -1 : 0, v ? "__setitem__" : "__delitem__");
}

int ix_setitem(IxContext *ctx, IxObject *o, IxObject *key, IxObject *v)
{
    return assign(ctx, o, key, v);
}

int ix_delitem(IxContext *ctx, IxObject *o, IxObject *key)
{
    return assign(ctx, o, key, NULL);
}

/* ---------------------------------------------------------------- Ix_Length */

int64_t ix_length(IxContext *ctx, IxObject *o)
{
    if (foreign(ctx, o, "an object of this interpreter")) return -1;
    IxTypeObject *t = IX_TYPE(o);
    switch (IX_LAYOUT_ID(t)) {
    case IX_TYPE_LIST: return (int64_t)((IxListObject *)o)->len;
    case IX_TYPE_TUPLE: return (int64_t)((IxTupleObject *)o)->len;
    case IX_TYPE_STR: return ix_utf8_count(((IxStrObject *)o)->data, ((IxStrObject *)o)->len);
    case IX_TYPE_BYTES: return (int64_t)((IxBytesObject *)o)->len;
    case IX_TYPE_DICT: return (int64_t)ix_dict_size(ctx, o);
    default: break;
    }
    IxLenProc len = is_heap(o) ? (t->pr->mp_length ? t->pr->mp_length : t->pr->sq_length) : NULL;
    if (!len) {
        ix_err_format(ctx, IX_EXC_TYPEERROR, "object of type '%s' has no len()", tname(o));
        return -1;
    }
    size_t off = t->pr->mp_length ? IX_PR_HOOK_OFF(t, mp_length) : IX_PR_HOOK_OFF(t, sq_length);
    int64_t n = int_result(ctx, o, IX_ENTERED_AT(ctx, t, off, len(ctx, o)), "__len__");
    if (n < -1) {
        ix_err_set(ctx, IX_EXC_VALUEERROR, "__len__() should return >= 0");
        return -1;
    }
    return n;
}

/* ---------------------------------------------------------------- Ix_Contains */

/* `v in it` by equality over an iteration, as Python falls back to. */
static int contains_by_iteration(IxContext *ctx, IxObject *o, IxObject *v)
{
    uint32_t id = IX_TYPE(o)->builtin_id;
    bool iterable = is_heap(o) ? IX_TYPE(o)->pr->tp_iter != NULL
                               : id == IX_TYPE_LIST || id == IX_TYPE_TUPLE || id == IXI_TYPE_ITERATOR;
    if (!iterable) {
        ix_err_format(ctx, IX_EXC_TYPEERROR, "argument of type '%s' is not iterable", tname(o));
        return -1;
    }
    IxObject *it = ix_getiter(ctx, o);
    if (!it) return -1;
    int found = 0;
    for (IxObject *x; !found && (x = ix_iternext(ctx, it));) {
        found = x == v ? 1 : ix_richcompare_bool(ctx, x, v, IX_EQ);
        IX_DECREF(ctx, x);
    }
    IX_DECREF(ctx, it);
    return ix_err_pending(ctx) ? -1 : found;
}

static int str_contains(IxContext *ctx, IxStrObject *s, IxObject *v)
{
    if (!IX_IS_STR(ctx, v)) {
        ix_err_format(ctx, IX_EXC_TYPEERROR, "'in <string>' requires string as left operand, not %s", tname(v));
        return -1;
    }
    IxStrObject *n = (IxStrObject *)v;
    return n->len == 0 || memmem(s->data, s->len, n->data, n->len) != NULL;
}

static int bytes_contains(IxContext *ctx, IxBytesObject *b, IxObject *v)
{
    if (ix_is_int(ctx, v)) {
        int64_t x = ((IxIntObject *)v)->value;
        if (x < 0 || x > 255) {
            ix_err_set(ctx, IX_EXC_VALUEERROR, "byte must be in range(0, 256)");
            return -1;
        }
        return memchr(b->data, (int)x, b->len) != NULL;
    }
    if (!IX_IS(ctx, v, IX_TYPE_BYTES)) {
        ix_err_format(ctx, IX_EXC_TYPEERROR, "a bytes-like object is required, not '%s'", tname(v));
        return -1;
    }
    IxBytesObject *n = (IxBytesObject *)v;
    return n->len == 0 || memmem(b->data, b->len, n->data, n->len) != NULL;
}

int ix_contains(IxContext *ctx, IxObject *o, IxObject *v)
{
    if (foreign(ctx, o, "an object of this interpreter") || foreign(ctx, v, "a value of this interpreter"))
        return -1;
    IxTypeObject *t = IX_TYPE(o);
    switch (IX_LAYOUT_ID(t)) {
    case IX_TYPE_STR: return str_contains(ctx, (IxStrObject *)o, v);
    case IX_TYPE_BYTES: return bytes_contains(ctx, (IxBytesObject *)o, v);
    case IX_TYPE_DICT:
        if (ix_dict_getitem(ctx, o, v)) return 1;
        return ix_err_pending(ctx) ? -1 : 0;
    default: break;
    }
    if (is_heap(o) && t->pr->sq_contains) {
        int r = PR_ENTERED(ctx, o, sq_contains, t->pr->sq_contains(ctx, o, v));
        return (int)int_result(ctx, o, r < 0 ? -1 : r != 0, "__contains__");
    }
    return contains_by_iteration(ctx, o, v);
}
