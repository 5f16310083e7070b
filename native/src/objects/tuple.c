/*
 * tuple.c -- tuple, and what the three containers share: the repr of tuple, list and
 * dict, and the ordering of tuples and lists.
 *
 * A tuple is immutable once built, so it is one block: header and items. The core may
 * build one in place (ix_tuple_new_uninit), which is why dealloc tolerates NULL items.
 */
#include <string.h>

#include "ix_internal.h"

/* ---------------------------------------------------------------- tuple */

static IxTupleObject *as_tuple(IxContext *ctx, IxObject *o)
{
    if (IX_IS(ctx, o, IX_TYPE_TUPLE)) return (IxTupleObject *)o;
    ix_err_wrong_type(ctx, "tuple", o);
    return NULL;
}

/* interp.c makes the shared empty tuple through here (n == 0 always allocates). */
IxObject *ix_tuple_new_uninit(IxContext *ctx, size_t n)
{
    if (n > (SIZE_MAX - sizeof(IxTupleObject)) / sizeof(IxObject *)) {
        ix_err_no_memory(ctx);
        return NULL;
    }
    IxTupleObject *t = (IxTupleObject *)ix_builtin_alloc(ctx, IX_TYPE_TUPLE,
        sizeof(IxTupleObject) + n * sizeof(IxObject *));
    if (!t) return NULL;
    t->len = n;
    return &t->ob_base;
}

IxObject *ix_tuple_from_array(IxContext *ctx, IxObject *const *items, size_t n)
{
    IxObject *empty = IX_INTERP(ctx)->empty_tuple;
    if (n == 0 && empty) {
        IX_INCREF(empty);
        return empty;
    }
    IxTupleObject *t = (IxTupleObject *)ix_tuple_new_uninit(ctx, n);
    if (!t) return NULL;
    for (size_t i = 0; i < n; i++) {
        IX_INCREF(items[i]);
        t->items[i] = items[i];
    }
    return &t->ob_base;
}

size_t ix_tuple_size(IxContext *ctx, IxObject *o)
{
    IxTupleObject *t = as_tuple(ctx, o);
    return t ? t->len : 0;
}

IxObject *ix_tuple_getitem(IxContext *ctx, IxObject *o, size_t i)
{
    IxTupleObject *t = as_tuple(ctx, o);
    if (!t) return NULL;
    if (i >= t->len) {
        ix_err_set(ctx, IX_EXC_INDEXERROR, "tuple index out of range");
        return NULL;
    }
    return t->items[i];
}

static void tuple_dealloc(IxContext *ctx, IxObject *self)
{
    IxTupleObject *t = (IxTupleObject *)self;
    for (size_t i = 0; i < t->len; i++) IX_XDECREF(ctx, t->items[i]);
}

static int tuple_traverse(IxContext *ctx, IxObject *self, IxVisitProc visit, void *arg)
{
    IxTupleObject *t = (IxTupleObject *)self;
    for (size_t i = 0; i < t->len; i++) IX_VISIT(t->items[i]);
    return 0;
}

/* CPython's tuple hash (xxHash's round over the item hashes): the order of the items
 * matters, and (a, b) and (b, a) do not collide. */
static int64_t tuple_hash(IxContext *ctx, IxObject *self)
{
    const uint64_t p1 = 11400714785074694791u, p2 = 14029467366897019727u,
                   p5 = 2870177450012600261u;
    IxTupleObject *t = (IxTupleObject *)self;
    uint64_t acc = p5;
    for (size_t i = 0; i < t->len; i++) {
        int64_t h = ix_hash(ctx, t->items[i]);
        if (h == -1) return -1;
        acc += (uint64_t)h * p2;
        acc = (acc << 31) | (acc >> 33);
        acc *= p1;
    }
    acc += t->len ^ (p5 ^ 3527539u);
    return acc == UINT64_MAX ? 1546275796 : (int64_t)acc;
}

static int tuple_bool(IxContext *ctx, IxObject *self)
{
    return ((IxTupleObject *)self)->len != 0;
}

/* ---------------------------------------------------------------- sequences */

/* Item i of a tuple or list, borrowed, or NULL past the end. Read afresh on every step:
 * comparing or repr-ing an item runs code that may change a list under us. */
static IxObject *seq_item(IxContext *ctx, IxObject *s, size_t i)
{
    if (IX_IS(ctx, s, IX_TYPE_TUPLE)) {
        IxTupleObject *t = (IxTupleObject *)s;
        return i < t->len ? t->items[i] : NULL;
    }
    IxListObject *l = (IxListObject *)s;
    return i < l->len ? l->items[i] : NULL;
}

static size_t seq_len(IxContext *ctx, IxObject *s)
{
    return IX_IS(ctx, s, IX_TYPE_TUPLE) ? ((IxTupleObject *)s)->len : ((IxListObject *)s)->len;
}

/* x and y are the first unequal items: they decide every operator but == and !=. */
static IxObject *first_difference(IxContext *ctx, IxObject *x, IxObject *y, int op)
{
    if (op == IX_EQ || op == IX_NE) return ix_bool_from_int(ctx, op == IX_NE);
    int r = ix_richcompare_bool(ctx, x, y, op);
    return r < 0 ? NULL : ix_bool_from_int(ctx, r);
}

/* Lexicographic comparison of two tuples or two lists (a tuple never equals a list). */
IxObject *ix_seq_richcompare(IxContext *ctx, IxObject *a, IxObject *b, int op)
{
    bool tuples = IX_IS(ctx, a, IX_TYPE_TUPLE) && IX_IS(ctx, b, IX_TYPE_TUPLE);
    bool lists = IX_IS(ctx, a, IX_TYPE_LIST) && IX_IS(ctx, b, IX_TYPE_LIST);
    if (!tuples && !lists) return ix_not_implemented(ctx);
    if ((op == IX_EQ || op == IX_NE) && seq_len(ctx, a) != seq_len(ctx, b))
        return ix_bool_from_int(ctx, op == IX_NE);
    for (size_t i = 0;; i++) {
        IxObject *x = seq_item(ctx, a, i), *y = seq_item(ctx, b, i);
        if (!x || !y) break;
        IX_INCREF(x);
        IX_INCREF(y);
        int eq = ix_richcompare_bool(ctx, x, y, IX_EQ);
        IxObject *r = eq == 0 ? first_difference(ctx, x, y, op) : NULL;
        IX_DECREF(ctx, x);
        IX_DECREF(ctx, y);
        if (eq <= 0) return r;
    }
    size_t na = seq_len(ctx, a), nb = seq_len(ctx, b);
    return ix_bool_from_cmp(ctx, (na > nb) - (na < nb), op);
}

/* ---------------------------------------------------------------- container repr */

/* A growing byte buffer from the interpreter's allocator. */
typedef struct Buf {
    char *p;
    size_t len, cap;
} Buf;

static int buf_add(IxContext *ctx, Buf *b, const char *s, size_t n)
{
    if (n > b->cap - b->len) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap - b->len < n) {
            if (cap > SIZE_MAX / 2) {
                ix_err_no_memory(ctx);
                return -1;
            }
            cap *= 2;
        }
        char *p = ix_mem_realloc(ctx, b->p, cap);
        if (!p) return -1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    return 0;
}

static int buf_add_repr(IxContext *ctx, Buf *b, IxObject *o)
{
    IxObject *r = ix_repr(ctx, o);
    if (!r) return -1;
    size_t n;
    const char *s = ix_str_as_utf8(ctx, r, &n);
    int rc = s ? buf_add(ctx, b, s, n) : -1;
    IX_DECREF(ctx, r);
    return rc;
}

/* The next item of a tuple or list (key NULL) or pair of a dict; borrowed. */
static bool next_item(IxContext *ctx, IxObject *self, size_t *pos, IxObject **key,
                      IxObject **value)
{
    if (IX_IS(ctx, self, IX_TYPE_DICT)) return ix_dict_next(ctx, self, pos, key, value) == 1;
    *key = NULL;
    *value = seq_item(ctx, self, *pos);
    if (!*value) return false;
    (*pos)++;
    return true;
}

/* ", " before all but the first, then "value" or "key: value". */
static int add_item(IxContext *ctx, Buf *b, bool first, IxObject *key, IxObject *value)
{
    if (!first && buf_add(ctx, b, ", ", 2) < 0) return -1;
    if (key && (buf_add_repr(ctx, b, key) < 0 || buf_add(ctx, b, ": ", 2) < 0)) return -1;
    return buf_add_repr(ctx, b, value);
}

static int add_items(IxContext *ctx, Buf *b, IxObject *self, const char *delims)
{
    if (buf_add(ctx, b, delims, 1) < 0) return -1;
    size_t pos = 0, n = 0;
    IxObject *key, *value;
    while (next_item(ctx, self, &pos, &key, &value)) {
        /* Our own references: repr-ing one item may remove the other from self. */
        IX_INCREF(value);
        if (key) IX_INCREF(key);
        int rc = add_item(ctx, b, n++ == 0, key, value);
        IX_DECREF(ctx, value);
        IX_XDECREF(ctx, key);
        if (rc < 0) return -1;
    }
    if (n == 1 && IX_IS(ctx, self, IX_TYPE_TUPLE) && buf_add(ctx, b, ",", 1) < 0) return -1;
    return buf_add(ctx, b, delims + 1, 1);
}

/* The containers whose repr this thread is building, outermost first. One met again is
 * shown as "[...]" rather than recursed into forever, and the bound turns absurd depth
 * into an error instead of a stack overflow. Per thread, not per interpreter: a thread
 * builds one repr at a time, and others may build theirs meanwhile (with the lock
 * released, even of the same objects). */
#define REPR_MAX_DEPTH 256
static _Thread_local IxObject *repr_active[REPR_MAX_DEPTH];
static _Thread_local int repr_depth;

IxObject *ix_container_repr(IxContext *ctx, IxObject *self)
{
    const char *delims = IX_IS(ctx, self, IX_TYPE_TUPLE) ? "()"
                       : IX_IS(ctx, self, IX_TYPE_LIST)  ? "[]"
                       : IX_IS(ctx, self, IX_TYPE_DICT)  ? "{}" : NULL;
    if (!delims) return ix_err_wrong_type(ctx, "tuple, list or dict", self);
    for (int i = 0; i < repr_depth; i++)
        if (repr_active[i] == self) return ix_str_from_format(ctx, "%c...%c", delims[0], delims[1]);
    if (repr_depth == REPR_MAX_DEPTH)
        return ix_err_format(ctx, IX_EXC_RUNTIMEERROR, "repr nested deeper than %d levels",
                             REPR_MAX_DEPTH);
    repr_active[repr_depth++] = self;
    Buf b = {0};
    int rc = add_items(ctx, &b, self, delims);
    repr_depth--;
    IxObject *r = rc < 0 ? NULL : ix_str_from_utf8(ctx, b.p, b.len);
    if (b.p) ix_mem_free(ctx, b.p);
    return r;
}

/* ---------------------------------------------------------------- type definition */

static const IxTypeSlot tuple_slots[] = {
    {IX_tp_dealloc, (void *)tuple_dealloc},
    {IX_tp_traverse, (void *)tuple_traverse},
    {IX_tp_repr, (void *)ix_container_repr},
    {IX_tp_hash, (void *)tuple_hash},
    {IX_tp_richcompare, (void *)ix_seq_richcompare},
    IX_TYPE_SLOTS_END,
};

const IxBuiltinTypeDef ix_tuple_typedef = {
    .id = IX_TYPE_TUPLE, .name = "tuple", .basic_size = sizeof(IxTupleObject),
    .base_id = UINT32_MAX, .slots = tuple_slots, .tp_bool = tuple_bool,
};
