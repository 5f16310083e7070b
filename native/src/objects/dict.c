/*
 * dict.c -- dict: an insertion-ordered hash table, laid out as CPython's since 3.6.
 *
 * Entries (hash, key, value) are appended to a dense array in insertion order; a
 * separate open-addressed index, a power of two in size, maps hash slots to entry
 * positions. Iteration walks the dense array, so it is ordered and cheap. Deleting leaves
 * a hole (key NULL) that the index still points at, so probe chains stay intact; holes
 * are squeezed out at the next resize. Both arrays share one block from the interpreter's
 * allocator.
 *
 * Comparing keys may run extension code that changes this very dict; lookups notice
 * (the table generation or the entry moved) and start over, as CPython's do.
 */
#include <string.h>

#include "ix_internal.h"

typedef struct IxDictEntry {
    int64_t hash;
    IxObject *key;        /* NULL: deleted */
    IxObject *value;
} IxDictEntry;

typedef struct IxDictObject {
    IxObject_HEAD
    size_t used;          /* live entries */
    size_t nentries;      /* entries[0..nentries) taken, holes included */
    size_t usable;        /* room in entries[] */
    size_t mask;          /* index slots - 1 */
    void *index;          /* entry position + 1, or 0 for an empty slot; NULL: no table.
                           * One byte a slot in a table of up to SMALL_SLOTS, else size_t */
    IxDictEntry *entries; /* in the block that starts at index */
    uint64_t generation;  /* bumped whenever the table is replaced or dropped */
} IxDictObject;

#define MIN_SLOTS 8
/* Keeps the block size (slots * (index + entry)) from overflowing. */
#define MAX_SLOTS (SIZE_MAX / (sizeof(size_t) + sizeof(IxDictEntry)) / 2)

/* ABI 1.3 (8.15): a small table's positions (at most usable_of(SMALL_SLOTS) = 85) fit a
 * byte, which saves 7 bytes a slot in the dicts of every type and module; the entries
 * that follow stay 8-aligned (slots are a power of two, at least 8). */
#define SMALL_SLOTS 128

static size_t index_bytes(size_t slots)
{
    return slots * (slots <= SMALL_SLOTS ? 1 : sizeof(size_t));
}

static size_t slot_get(const IxDictObject *d, size_t slot)
{
    return d->mask < SMALL_SLOTS ? ((const uint8_t *)d->index)[slot] : ((const size_t *)d->index)[slot];
}

static void slot_set(IxDictObject *d, size_t slot, size_t position)
{
    if (d->mask < SMALL_SLOTS) ((uint8_t *)d->index)[slot] = (uint8_t)position;
    else ((size_t *)d->index)[slot] = position;
}

/* Two thirds full at most, so a probe always reaches an empty slot soon. */
static size_t usable_of(size_t slots)
{
    return slots * 2 / 3;
}

static IxDictObject *as_dict(IxContext *ctx, IxObject *o)
{
    if (IX_IS(ctx, o, IX_TYPE_DICT)) return (IxDictObject *)o;
    ix_err_wrong_type(ctx, "dict", o);
    return NULL;
}

/* ---------------------------------------------------------------- probing */

/* The slots a hash visits: CPython's recurrence, which folds in the high bits of the
 * hash and visits every slot of a power-of-two table. */
typedef struct Probe {
    size_t slot, perturb;
} Probe;

static Probe probe_start(const IxDictObject *d, int64_t hash)
{
    Probe p = {(size_t)(uint64_t)hash & d->mask, (size_t)(uint64_t)hash};
    return p;
}

static void probe_next(const IxDictObject *d, Probe *p)
{
    p->perturb >>= 5;
    p->slot = (p->slot * 5 + p->perturb + 1) & d->mask;
}

/* The first empty slot of hash's chain (the table is never full). */
static size_t free_slot(const IxDictObject *d, int64_t hash)
{
    Probe p = probe_start(d, hash);
    while (slot_get(d, p.slot)) probe_next(d, &p);
    return p.slot;
}

enum { NOT_FOUND = -1, LOOKUP_ERROR = -2 };

/* The position of key's entry, NOT_FOUND, or LOOKUP_ERROR when a comparison failed.
 * Identity settles most lookups without calling anything. */
static ptrdiff_t find(IxContext *ctx, IxDictObject *d, IxObject *key, int64_t hash)
{
restart:
    if (!d->index) return NOT_FOUND;
    for (Probe p = probe_start(d, hash);; probe_next(d, &p)) {
        size_t ix = slot_get(d, p.slot);
        if (!ix) return NOT_FOUND;
        IxObject *k = d->entries[ix - 1].key;
        if (k == key) return (ptrdiff_t)(ix - 1);
        if (!k || d->entries[ix - 1].hash != hash) continue;
        uint64_t generation = d->generation;
        IX_INCREF(k);
        int eq = ix_richcompare_bool(ctx, k, key, IX_EQ);
        bool moved = d->generation != generation || d->entries[ix - 1].key != k;
        IX_DECREF(ctx, k); /* not the last reference unless moved */
        if (eq < 0) return LOOKUP_ERROR;
        if (moved) goto restart;
        if (eq) return (ptrdiff_t)(ix - 1);
    }
}

/* As find, for a str key given as bytes: nothing is called, nothing allocated. */
static ptrdiff_t find_cstr(IxContext *ctx, IxDictObject *d, const char *key, size_t n,
                           int64_t hash)
{
    if (!d->index) return NOT_FOUND;
    for (Probe p = probe_start(d, hash);; probe_next(d, &p)) {
        size_t ix = slot_get(d, p.slot);
        if (!ix) return NOT_FOUND;
        IxDictEntry *e = &d->entries[ix - 1];
        if (e->key && e->hash == hash && IX_IS_STR(ctx, e->key) &&
            ix_str_eq_cstr(e->key, key, n))
            return (ptrdiff_t)(ix - 1);
    }
}

/* ---------------------------------------------------------------- the table */

/* A fresh table with room for twice the live entries, which are moved over in order.
 * Also how holes go away: the table may shrink. */
static int resize(IxContext *ctx, IxDictObject *d)
{
    size_t slots = MIN_SLOTS;
    while (usable_of(slots) < d->used * 2 + 1) {
        if (slots >= MAX_SLOTS) {
            ix_err_no_memory(ctx);
            return -1;
        }
        slots *= 2;
    }
    size_t usable = usable_of(slots);
    char *index = ix_mem_malloc(ctx, index_bytes(slots) + usable * sizeof(IxDictEntry));
    if (!index) return -1;
    memset(index, 0, index_bytes(slots));
    IxDictEntry *entries = (IxDictEntry *)(index + index_bytes(slots));
    size_t n = 0;
    for (size_t i = 0; i < d->nentries; i++)
        if (d->entries[i].key) entries[n++] = d->entries[i];
    if (d->index) ix_mem_free(ctx, d->index);
    d->index = index;
    d->entries = entries;
    d->mask = slots - 1;
    d->usable = usable;
    d->nentries = n;
    d->generation++;
    for (size_t i = 0; i < n; i++) slot_set(d, free_slot(d, entries[i].hash), i + 1);
    return 0;
}

/* ABI 1.3 (ABI.md 8.15): a dict that is done growing (a type's or a module's, once made)
 * gives back what resize left it for growth: the smallest index that holds its entries and
 * room for exactly those, in their order. Shrinking in place takes no allocation, so it
 * cannot fail nor use up an injected failure; a debug heap moves every reallocated block
 * (a new allocation), so there the dict keeps its table. A later insert grows it again. */
void ix_dict_trim(IxContext *ctx, IxObject *o)
{
    IxDictObject *d = (IxDictObject *)o;
    IxHeap *h = &IX_INTERP(ctx)->heap;
    if (!d->index || h->debug) return;
    size_t slots = MIN_SLOTS;
    while (usable_of(slots) < d->used) slots *= 2;
    if (slots > d->mask + 1 || (slots == d->mask + 1 && d->used == d->usable)) return;
    /* Entries move down (the new index is no larger, and holes only close up), in order,
     * so a move never overwrites an entry still to be moved. */
    IxDictEntry *entries = (IxDictEntry *)((char *)d->index + index_bytes(slots));
    size_t n = 0;
    for (size_t i = 0; i < d->nentries; i++)
        if (d->entries[i].key) memmove(&entries[n++], &d->entries[i], sizeof *entries);
    memset(d->index, 0, index_bytes(slots));
    d->entries = entries;
    d->mask = slots - 1;
    d->usable = d->nentries = n;
    d->generation++;
    for (size_t i = 0; i < n; i++) slot_set(d, free_slot(d, entries[i].hash), i + 1);
    char *index = ix_heap_realloc(h, d->index, index_bytes(slots) + n * sizeof(IxDictEntry));
    if (!index) return; /* the C library kept the larger block: still right */
    d->index = index;
    d->entries = (IxDictEntry *)(index + index_bytes(slots));
}

/* Append an entry for a key known to be absent; the dict takes its own references. */
static int insert_new(IxContext *ctx, IxDictObject *d, IxObject *key, int64_t hash,
                      IxObject *value)
{
    if (d->nentries == d->usable && resize(ctx, d) < 0) return -1;
    IX_INCREF(key);
    IX_INCREF(value);
    d->entries[d->nentries++] = (IxDictEntry){hash, key, value};
    slot_set(d, free_slot(d, hash), d->nentries); /* position + 1 */
    d->used++;
    return 0;
}

/* The old value is released after the new one is in place: its dealloc may look at us. */
static void replace_value(IxContext *ctx, IxDictEntry *e, IxObject *value)
{
    IxObject *old = e->value;
    IX_INCREF(value);
    e->value = value;
    IX_DECREF(ctx, old);
}

/* Detach the whole table, then release what it held: deallocs run by those releases
 * may reach this dict and must find it empty and consistent. */
static void drop_all(IxContext *ctx, IxDictObject *d)
{
    void *block = d->index;
    IxDictEntry *e = d->entries;
    size_t n = d->nentries;
    d->index = NULL;
    d->entries = NULL;
    d->used = d->nentries = d->usable = d->mask = 0;
    d->generation++;
    for (size_t i = 0; i < n; i++) {
        if (!e[i].key) continue;
        IX_DECREF(ctx, e[i].key);
        IX_DECREF(ctx, e[i].value);
    }
    if (block) ix_mem_free(ctx, block);
}

/* ---------------------------------------------------------------- the API */

IxObject *ix_dict_new(IxContext *ctx)
{
    return ix_builtin_alloc(ctx, IX_TYPE_DICT,
                           sizeof(IxDictObject));
}

int ix_dict_setitem(IxContext *ctx, IxObject *o, IxObject *key, IxObject *value)
{
    IxDictObject *d = as_dict(ctx, o);
    if (!d) return -1;
    int64_t hash = ix_hash(ctx, key);
    if (hash == -1) return -1;
    ptrdiff_t i = find(ctx, d, key, hash);
    if (i == LOOKUP_ERROR) return -1;
    if (i == NOT_FOUND) return insert_new(ctx, d, key, hash, value);
    replace_value(ctx, &d->entries[i], value);
    return 0;
}

/* Borrowed; NULL with no error when the key is missing, with one when it is unhashable
 * or a comparison failed (tell them apart with ix_err_pending). */
IxObject *ix_dict_getitem(IxContext *ctx, IxObject *o, IxObject *key)
{
    IxDictObject *d = as_dict(ctx, o);
    if (!d) return NULL;
    int64_t hash = ix_hash(ctx, key);
    if (hash == -1) return NULL;
    ptrdiff_t i = find(ctx, d, key, hash);
    return i < 0 ? NULL : d->entries[i].value;
}

/* KeyError carries the key's repr, as Python's does. */
int ix_key_error(IxContext *ctx, IxObject *key)
{
    IxObject *r = ix_repr(ctx, key);
    if (!r) return -1;
    const char *s = ix_str_as_utf8(ctx, r, NULL);
    if (s) ix_err_format(ctx, IX_EXC_KEYERROR, "%s", s);
    IX_DECREF(ctx, r);
    return -1;
}

int ix_dict_delitem(IxContext *ctx, IxObject *o, IxObject *key)
{
    IxDictObject *d = as_dict(ctx, o);
    if (!d) return -1;
    int64_t hash = ix_hash(ctx, key);
    if (hash == -1) return -1;
    ptrdiff_t i = find(ctx, d, key, hash);
    if (i == LOOKUP_ERROR) return -1;
    if (i == NOT_FOUND) return ix_key_error(ctx, key);
    IxDictEntry *e = &d->entries[i];
    IxObject *k = e->key, *v = e->value;
    e->key = e->value = NULL; /* a hole: the index keeps pointing here */
    d->used--;
    IX_DECREF(ctx, k);
    IX_DECREF(ctx, v);
    return 0;
}

size_t ix_dict_size(IxContext *ctx, IxObject *o)
{
    IxDictObject *d = as_dict(ctx, o);
    return d ? d->used : 0;
}

/* *pos is a position in the entry array (start at 0); holes are skipped. Bounded by the
 * current table on every call, so a dict changed mid-iteration is never overrun. */
int ix_dict_next(IxContext *ctx, IxObject *o, size_t *pos, IxObject **key, IxObject **value)
{
    IxDictObject *d = as_dict(ctx, o);
    if (!d) return 0;
    while (*pos < d->nentries) {
        IxDictEntry *e = &d->entries[(*pos)++];
        if (!e->key) continue;
        if (key) *key = e->key;
        if (value) *value = e->value;
        return 1;
    }
    return 0;
}

IxObject *ix_dict_get_cstr(IxContext *ctx, IxObject *o, const char *key)
{
    IxDictObject *d = as_dict(ctx, o);
    if (!d) return NULL;
    size_t n = strlen(key);
    ptrdiff_t i = find_cstr(ctx, d, key, n, ix_hash_bytes(key, n));
    return i < 0 ? NULL : d->entries[i].value;
}

int ix_dict_set_cstr(IxContext *ctx, IxObject *o, const char *key, IxObject *value)
{
    IxDictObject *d = as_dict(ctx, o);
    if (!d) return -1;
    size_t n = strlen(key);
    int64_t hash = ix_hash_bytes(key, n);
    ptrdiff_t i = find_cstr(ctx, d, key, n, hash);
    if (i >= 0) {
        replace_value(ctx, &d->entries[i], value);
        return 0;
    }
    IxObject *k = ix_str_from_utf8(ctx, key, n);
    if (!k) return -1;
    int rc = insert_new(ctx, d, k, hash, value);
    IX_DECREF(ctx, k);
    return rc;
}

void ix_dict_clear(IxContext *ctx, IxObject *o)
{
    IxDictObject *d = as_dict(ctx, o);
    if (d) drop_all(ctx, d);
}

/* ---------------------------------------------------------------- slots */

static void dict_dealloc(IxContext *ctx, IxObject *self)
{
    drop_all(ctx, (IxDictObject *)self);
}

static int dict_clear_slot(IxContext *ctx, IxObject *self)
{
    drop_all(ctx, (IxDictObject *)self);
    return 0;
}

static int dict_traverse(IxContext *ctx, IxObject *self, IxVisitProc visit, void *arg)
{
    IxDictObject *d = (IxDictObject *)self;
    for (size_t i = 0; i < d->nentries; i++) {
        IX_VISIT(d->entries[i].key);
        IX_VISIT(d->entries[i].value);
    }
    return 0;
}

static int64_t dict_hash(IxContext *ctx, IxObject *self)
{
    ix_err_set(ctx, IX_EXC_TYPEERROR, "unhashable type: 'dict'");
    return -1;
}

static int dict_bool(IxContext *ctx, IxObject *self)
{
    return ((IxDictObject *)self)->used != 0;
}

/* Does b hold a's entry at position i, with an equal value? Both read afresh each time:
 * comparing values may change either dict. */
static int entry_in(IxContext *ctx, IxDictObject *a, size_t i, IxDictObject *b)
{
    IxDictEntry *e = &a->entries[i];
    if (!e->key) return 1;
    IxObject *key = e->key, *value = e->value;
    IX_INCREF(key);
    IX_INCREF(value);
    ptrdiff_t j = find(ctx, b, key, e->hash);
    int eq = j == LOOKUP_ERROR ? -1 : 0;
    if (j >= 0) {
        IxObject *other = b->entries[j].value;
        IX_INCREF(other);
        eq = ix_richcompare_bool(ctx, value, other, IX_EQ);
        IX_DECREF(ctx, other);
    }
    IX_DECREF(ctx, key);
    IX_DECREF(ctx, value);
    return eq;
}

/* Equal: the same keys, mapping to equal values; order does not matter. */
static IxObject *dict_richcompare(IxContext *ctx, IxObject *a, IxObject *b, int op)
{
    if (!IX_IS(ctx, a, IX_TYPE_DICT) || !IX_IS(ctx, b, IX_TYPE_DICT) ||
        (op != IX_EQ && op != IX_NE))
        return ix_not_implemented(ctx);
    IxDictObject *x = (IxDictObject *)a, *y = (IxDictObject *)b;
    int eq = x->used == y->used;
    for (size_t i = 0; eq == 1 && i < x->nentries; i++) eq = entry_in(ctx, x, i, y);
    if (eq < 0) return NULL;
    return ix_bool_from_int(ctx, eq == (op == IX_EQ));
}

static const IxTypeSlot dict_slots[] = {
    {IX_tp_dealloc, (void *)dict_dealloc},
    {IX_tp_traverse, (void *)dict_traverse},
    {IX_tp_clear, (void *)dict_clear_slot},
    {IX_tp_repr, (void *)ix_container_repr},
    {IX_tp_hash, (void *)dict_hash},
    {IX_tp_richcompare, (void *)dict_richcompare},
    IX_TYPE_SLOTS_END,
};

const IxBuiltinTypeDef ix_dict_typedef = {
    .id = IX_TYPE_DICT, .name = "dict", .basic_size = sizeof(IxDictObject),
    .base_id = UINT32_MAX, .slots = dict_slots, .tp_bool = dict_bool,
};
