/*
 * heap.c -- the per-interpreter allocator.
 *
 * Every block carries an IxBlock header and sits on its heap's ring, so that:
 *   - live bytes and blocks are known at any time (the leak check is a subtraction),
 *   - close can walk what is left, report it by type and owner, and free it.
 * The heap is guarded by its interpreter's lock; only the process-wide byte counter is
 * shared, and it is atomic. Debug mode adds a registry of addresses, which other threads
 * read too (its locks are described where it is defined, below).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ix_internal.h"

/* The process-wide count of live bytes, in shards a cache line apart. Every allocation of
 * every interpreter updates it, and a single word would bounce between the cores of threads
 * that otherwise share nothing (two interpreters on two threads, a queue between them). A
 * heap keeps to one shard, given in turn as heaps start (an interpreter runs on one thread
 * at a time), and the host's own allocations to their thread's; the count is their sum,
 * exact whenever the threads that allocated are synchronized with the reader (joined, or
 * past a lock it then took). ABI 1.3: a heap's shard is a field, where a thread-local
 * would cost a __tls_get_addr call per allocation (libisolex is dlopen-ed: no static TLS). */
#define LIVE_SHARDS 16

static struct {
    _Alignas(64) _Atomic int64_t bytes;
} live_shards[LIVE_SHARDS];
static _Atomic unsigned next_shard;
static _Thread_local int my_shard = -1;

static unsigned take_shard(void)
{
    return atomic_fetch_add_explicit(&next_shard, 1, memory_order_relaxed) % LIVE_SHARDS;
}

static void shard_add(unsigned shard, int64_t bytes)
{
    atomic_fetch_add_explicit(&live_shards[shard].bytes, bytes, memory_order_relaxed);
}

static void live_add(int64_t bytes)
{
    if (my_shard < 0) my_shard = (int)take_shard();
    shard_add((unsigned)my_shard, bytes);
}

int64_t ix_global_live_bytes(void)
{
    int64_t sum = 0;
    for (int i = 0; i < LIVE_SHARDS; i++) sum += atomic_load_explicit(&live_shards[i].bytes, memory_order_relaxed);
    return sum;
}

void ix_heap_init(IxHeap *h, int64_t limit)
{
    h->ring.prev = h->ring.next = &h->ring;
    h->live_bytes = 0;
    h->live_blocks = 0;
    h->core_bytes = 0;
    h->core_blocks = 0;
    h->limit = limit;
    h->allocations = 0;
    h->fail_at = 0;
    h->reserve = 0;
    h->deferred = false;
    h->shard = take_shard();
    h->debug = false;
    h->site = 0;
    h->dbg = NULL;
}

/* ---------------------------------------------------------------- debug mode: the registry
 *
 * A debug heap registers the payload address of every block it hands out, from the
 * allocation until the block really goes back to the C library (after the quarantine).
 * debug.c asks it before it reads anything through a pointer an extension gave it: one of
 * this interpreter's blocks (live or freed), another debug interpreter's (live or closed),
 * or no block at all. At close the blocks left, and the quarantine, are kept (the most
 * recently closed heaps, up to KEPT_BLOCKS blocks and KEPT_BYTES bytes, and always the
 * last one), so a pointer that outlives its interpreter still finds its record, and no
 * other allocation can take its address meanwhile.
 *
 * Locks: `debug_heaps_lock` guards the list of debug heaps and the totals kept by closed
 * ones. Each IxDebugHeap's `lock` guards its registry, its quarantine and kept blocks, and
 * the header and payload of its blocks as far as other threads read them. The owner (the
 * thread holding the interpreter lock) takes its `lock` to change any of these, and reads
 * its own registry without it: nobody else writes there. Order: debug_heaps_lock before a
 * heap's lock; a heap's lock is never held while another lock is taken.
 */
struct IxDebugHeap {
    pthread_mutex_t lock;
    int64_t interp_id;
    bool closed;
    uintptr_t *slots;            /* open addressing, linear probing; 0 = empty */
    size_t cap, count;           /* cap is 0 or a power of two; count <= cap / 2 */
    IxBlock **quarantine;        /* IX_QUARANTINE freed blocks (malloc'd when first needed) */
    char (*q_types)[48];         /* the type name of each quarantined object, for reports */
    size_t q_next;               /* the oldest, replaced next */
    IxBlock kept;                /* closed: the ring of the blocks left at close */
    int64_t kept_blocks, kept_bytes; /* closed: what it keeps, the quarantine included */
    IxDebugHeap *next;           /* every debug heap, oldest first (debug_heaps_lock) */
};

#define KEPT_BLOCKS (4 * IX_QUARANTINE)
#define KEPT_BYTES ((int64_t)64 << 20)

static pthread_mutex_t debug_heaps_lock = PTHREAD_MUTEX_INITIALIZER;
static IxDebugHeap *debug_heaps;              /* oldest first */
static int64_t closed_blocks, closed_bytes;   /* kept by closed heaps */

static size_t reg_slot(uintptr_t k, size_t cap)
{
    uint64_t x = (uint64_t)k >> 4; /* payloads are 16-aligned */
    x ^= x >> 21;
    x *= 0x9E3779B97F4A7C15ull;
    return (size_t)(x >> 32) & (cap - 1);
}

static bool reg_find(const IxDebugHeap *d, uintptr_t k)
{
    if (!d->count) return false;
    for (size_t i = reg_slot(k, d->cap);; i = (i + 1) & (d->cap - 1)) {
        if (d->slots[i] == k) return true;
        if (!d->slots[i]) return false;
    }
}

static bool reg_grow(IxDebugHeap *d)
{
    size_t cap = d->cap ? d->cap * 2 : 1024;
    uintptr_t *slots = calloc(cap, sizeof *slots);
    if (!slots) return false;
    for (size_t i = 0; i < d->cap; i++) {
        if (!d->slots[i]) continue;
        size_t j = reg_slot(d->slots[i], cap);
        while (slots[j]) j = (j + 1) & (cap - 1);
        slots[j] = d->slots[i];
    }
    free(d->slots);
    d->slots = slots;
    d->cap = cap;
    return true;
}

/* With d->lock held. */
static bool reg_add(IxDebugHeap *d, uintptr_t k)
{
    if ((d->count + 1) * 2 > d->cap && !reg_grow(d)) return false;
    size_t i = reg_slot(k, d->cap);
    while (d->slots[i]) i = (i + 1) & (d->cap - 1);
    d->slots[i] = k;
    d->count++;
    return true;
}

/* With d->lock held. Backward-shift deletion: the entries after the hole that may fill it
 * (the hole lies between their home slot and where they sit) move up, so no tombstones
 * are needed and lookups stay short. */
static void reg_remove(IxDebugHeap *d, uintptr_t k)
{
    size_t mask = d->cap - 1, i = reg_slot(k, d->cap);
    while (d->slots[i] != k) {
        if (!d->slots[i]) return;
        i = (i + 1) & mask;
    }
    for (size_t j = (i + 1) & mask; d->slots[j]; j = (j + 1) & mask) {
        size_t home = reg_slot(d->slots[j], d->cap);
        if (((j - home) & mask) >= ((j - i) & mask)) {
            d->slots[i] = d->slots[j];
            i = j;
        }
    }
    d->slots[i] = 0;
    d->count--;
}

bool ix_heap_debug_start(IxHeap *h, int64_t interp_id)
{
    IxDebugHeap *d = calloc(1, sizeof *d);
    if (!d) return false;
    pthread_mutex_init(&d->lock, NULL);
    d->interp_id = interp_id;
    d->kept.prev = d->kept.next = &d->kept;
    pthread_mutex_lock(&debug_heaps_lock);
    IxDebugHeap **end = &debug_heaps;
    while (*end) end = &(*end)->next;
    *end = d;
    pthread_mutex_unlock(&debug_heaps_lock);
    h->dbg = d;
    h->debug = true;
    return true;
}

bool ix_heap_owns(const IxHeap *h, const void *p)
{
    return h->dbg && reg_find(h->dbg, (uintptr_t)p);
}

static const char *freed_type(const IxDebugHeap *d, const IxBlock *b)
{
    for (size_t i = 0; d->quarantine && i < IX_QUARANTINE; i++)
        if (d->quarantine[i] == b) return d->q_types[i];
    return "freed";
}

const char *ix_heap_freed_type(const IxHeap *h, const void *p)
{
    return freed_type(h->dbg, IX_BLOCK_OF(p));
}

/* An object's type name, reading only registered memory: the object's type must be an
 * object block of the same heap (a block just allocated may have no type yet). */
static void object_type_name(const IxDebugHeap *d, const void *p, char *out, size_t cap)
{
    const IxObject *t = ((const IxObject *)p)->ix_type_private;
    const char *name = NULL;
    if (t && reg_find(d, (uintptr_t)t) && IX_BLOCK_OF(t)->kind == IX_BLOCK_OBJECT)
        name = ((const IxTypeObject *)t)->name;
    snprintf(out, cap, "%s", name ? name : "(unknown type)");
}

bool ix_heap_find_foreign(const IxHeap *self, const void *p, IxForeignBlock *out)
{
    bool found = false;
    pthread_mutex_lock(&debug_heaps_lock);
    for (IxDebugHeap *d = debug_heaps; d && !found; d = d->next) {
        if (d == self->dbg) continue;
        pthread_mutex_lock(&d->lock);
        if ((found = reg_find(d, (uintptr_t)p))) {
            const IxBlock *b = IX_BLOCK_OF(p);
            out->interp_id = d->interp_id;
            out->closed = d->closed;
            out->kind = b->kind;
            out->size = b->size;
            out->site = ix_heap_site((void *)p);
            if (b->kind == IX_BLOCK_OBJECT) object_type_name(d, p, out->type, sizeof out->type);
            else snprintf(out->type, sizeof out->type, "%s", b->kind == IX_BLOCK_FREED ? freed_type(d, b) : "");
        }
        pthread_mutex_unlock(&d->lock);
    }
    pthread_mutex_unlock(&debug_heaps_lock);
    return found;
}

/* `total` bytes, zeroed after the first `head` (a header the caller fills) when asked.
 * glibc's calloc (before 2.41) bypasses the per-thread cache and takes an arena lock every
 * time, which is most of what making a small object costs: small blocks are malloc'd and
 * zeroed here (past the header, which also keeps gcc from turning this back into calloc).
 * A large block keeps calloc: fresh pages come zeroed, untouched. */
#define CALLOC_ABOVE 1024

static void *raw_alloc(size_t total, size_t head, bool zero)
{
    if (zero && total > CALLOC_ABOVE) return calloc(1, total);
    char *p = malloc(total);
    if (p && zero) memset(p + head, 0, total - head);
    return p;
}

static void ring_insert(IxBlock *ring, IxBlock *b)
{
    b->next = ring->next;
    b->prev = ring;
    ring->next->prev = b;
    ring->next = b;
}

static void ring_remove(IxBlock *b)
{
    b->prev->next = b->next;
    b->next->prev = b->prev;
}

static void account(IxHeap *h, uint32_t owner, int64_t bytes, int64_t blocks)
{
    h->live_bytes += bytes;
    h->live_blocks += blocks;
    if (owner == IX_OWNER_BUILTIN) {
        h->core_bytes += bytes;
        h->core_blocks += blocks;
    }
    shard_add(h->shard, bytes);
}

/* Every allocation and every growing reallocation counts, and may be the injected failure
 * (ixh_interp_fail_allocation): sweeping the failure over all of them exercises every
 * error path of the core and of the extensions. */
static bool refuse(IxHeap *h, size_t extra)
{
    if (h->deferred) return false; /* a builtin made late: start-up's, reserved (ABI.md 8.11) */
    if (++h->allocations == h->fail_at) {
        h->fail_at = 0;
        return true;
    }
    /* extra is at most SIZE_MAX / 2 (both callers cap it), and live_bytes + extra may not fit
     * an int64: compare with the room left instead */
    return h->limit > 0 && (int64_t)extra > h->limit - h->live_bytes - h->reserve;
}

/* Bytes a block of `size` occupies (header, payload, and in debug mode its guard). */
static size_t block_total(IxHeap *h, size_t size)
{
    return sizeof(IxBlock) + size + (h->debug ? sizeof(IxGuard) : 0);
}

static IxGuard *guard_of(IxBlock *b)
{
    return (IxGuard *)((char *)(b + 1) + b->size); /* may be unaligned: memcpy only */
}

static void set_guard(IxHeap *h, IxBlock *b)
{
    IxGuard g = {IX_CANARY, h->site};
    memcpy(guard_of(b), &g, sizeof g);
}

uintptr_t ix_heap_site(void *p)
{
    IxGuard g;
    memcpy(&g, guard_of(IX_BLOCK_OF(p)), sizeof g);
    return g.site;
}

/* A new debug block: its guard, and its address in the registry (false: no memory). */
static bool debug_register(IxHeap *h, IxBlock *b)
{
    set_guard(h, b);
    pthread_mutex_lock(&h->dbg->lock);
    bool ok = reg_add(h->dbg, (uintptr_t)(b + 1));
    pthread_mutex_unlock(&h->dbg->lock);
    return ok;
}

void *ix_heap_alloc(IxHeap *h, size_t size, uint32_t kind, uint32_t owner, bool zero)
{
    if (size > SIZE_MAX / 2 - sizeof(IxBlock) - sizeof(IxGuard)) return NULL;
    size_t total = block_total(h, size);
    if (refuse(h, total)) return NULL;
    IxBlock *b = raw_alloc(total, sizeof(IxBlock), zero);
    if (!b) return NULL;
    b->size = size;
    b->kind = kind;
    b->owner = owner;
    if (h->debug && !debug_register(h, b)) {
        free(b);
        return NULL;
    }
    ring_insert(&h->ring, b);
    account(h, owner, (int64_t)total, 1);
    return b + 1;
}

/* Debug mode moves every reallocated block, so a pointer kept to the old one finds poison. */
static void *debug_realloc(IxHeap *h, void *p, size_t size)
{
    IxBlock *old = IX_BLOCK_OF(p);
    uintptr_t site = h->site;
    h->site = ix_heap_site(p); /* the block keeps the site of its first allocation */
    void *q = ix_heap_alloc(h, size, old->kind, old->owner, false);
    h->site = site;
    if (!q) return NULL;
    memcpy(q, p, old->size < size ? old->size : size);
    ix_heap_free(h, p);
    return q;
}

void *ix_heap_realloc(IxHeap *h, void *p, size_t size)
{
    if (h->debug) return debug_realloc(h, p, size);
    if (size > SIZE_MAX / 2 - sizeof(IxBlock)) return NULL;
    IxBlock *old = IX_BLOCK_OF(p);
    if (size > old->size && refuse(h, size - old->size)) return NULL;
    IxBlock *prev = old->prev, *next = old->next;
    size_t old_size = old->size;
    IxBlock *b = realloc(old, sizeof(IxBlock) + size);
    if (!b) return NULL;
    /* The block may have moved: re-link its neighbours to the new address. */
    b->prev = prev;
    b->next = next;
    prev->next = b;
    next->prev = b;
    b->size = size;
    account(h, b->owner, (int64_t)size - (int64_t)old_size, 0);
    return b + 1;
}

/* Debug free: check, poison, park. The block leaves the ring and the accounting now; its
 * memory stays allocated, registered and recognisable until IX_QUARANTINE later frees push
 * it out. */
static void debug_free(IxHeap *h, IxBlock *b)
{
    if (b->kind == IX_BLOCK_FREED) {
        ix_debug_block_violation(h, b + 1, "double free of");
        return;
    }
    IxGuard g;
    memcpy(&g, guard_of(b), sizeof g);
    if (g.canary != IX_CANARY) ix_debug_block_violation(h, b + 1, "write past the end of");
    ring_remove(b);
    account(h, b->owner, -(int64_t)block_total(h, b->size), -1);
    /* An object's type may be gone by the time a stale pointer is used: keep its name. */
    char type[48];
    snprintf(type, sizeof type, "%s", b->kind == IX_BLOCK_OBJECT ? IX_TYPE(b + 1)->name : "block");
    IxDebugHeap *d = h->dbg;
    IxBlock *out = b; /* what really goes now: the oldest quarantined block, or b itself */
    pthread_mutex_lock(&d->lock);
    if (!d->quarantine) {
        d->quarantine = calloc(IX_QUARANTINE, sizeof *d->quarantine);
        d->q_types = calloc(IX_QUARANTINE, sizeof *d->q_types);
    }
    if (d->quarantine && d->q_types) {
        memcpy(d->q_types[d->q_next], type, sizeof type);
        b->kind = IX_BLOCK_FREED;
        memset(b + 1, IX_POISON, b->size);
        g.canary = IX_CANARY; /* keep the site readable for later reports */
        memcpy(guard_of(b), &g, sizeof g);
        out = d->quarantine[d->q_next];
        d->quarantine[d->q_next] = b;
        d->q_next = (d->q_next + 1) % IX_QUARANTINE;
    } /* else no memory for checking: b just goes */
    if (out) reg_remove(d, (uintptr_t)(out + 1));
    pthread_mutex_unlock(&d->lock);
    free(out);
}

void ix_heap_free(IxHeap *h, void *p)
{
    if (!p) return;
    IxBlock *b = IX_BLOCK_OF(p);
    if (h->debug) {
        debug_free(h, b);
        return;
    }
    ring_remove(b);
    account(h, b->owner, -(int64_t)(sizeof(IxBlock) + b->size), -1);
    free(b);
}

void ix_heap_park(IxHeap *h, void *p, IxBlock **list)
{
    (void)h;
    IxBlock *b = IX_BLOCK_OF(p);
    ring_remove(b);
    b->prev = NULL;
    b->next = *list;
    *list = b;
}

void *ix_heap_unpark(IxHeap *h, IxBlock **list)
{
    IxBlock *b = *list;
    if (!b) return NULL;
    *list = b->next;
    ring_insert(&h->ring, b);
    return b + 1;
}

void ix_heap_retag(IxHeap *h, void *p, uint32_t owner)
{
    IxBlock *b = IX_BLOCK_OF(p);
    int64_t size = (int64_t)block_total(h, b->size);
    if (b->owner == IX_OWNER_BUILTIN) {
        h->core_bytes -= size;
        h->core_blocks--;
    }
    b->owner = owner;
    if (owner == IX_OWNER_BUILTIN) {
        h->core_bytes += size;
        h->core_blocks++;
    }
}

/* Every block of a closed debug heap, kept or quarantined, really goes (debug_heaps_lock
 * held, d off the list: nobody can be reading it). */
static void drop_closed(IxDebugHeap *d)
{
    while (d->kept.next != &d->kept) {
        IxBlock *b = d->kept.next;
        ring_remove(b);
        free(b);
    }
    for (size_t i = 0; d->quarantine && i < IX_QUARANTINE; i++) free(d->quarantine[i]);
    free(d->quarantine);
    free(d->q_types);
    free(d->slots);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

/* The oldest closed heaps go while the closed ones keep too much; `newest` stays. */
static void trim_closed(IxDebugHeap *newest)
{
    IxDebugHeap **at = &debug_heaps;
    while (*at && (closed_blocks > KEPT_BLOCKS || closed_bytes > KEPT_BYTES)) {
        IxDebugHeap *d = *at;
        if (!d->closed || d == newest) {
            at = &d->next;
            continue;
        }
        *at = d->next;
        closed_blocks -= d->kept_blocks;
        closed_bytes -= d->kept_bytes;
        drop_closed(d);
    }
}

/* Close in debug mode: the blocks left leave the accounting, not the memory. */
static void debug_close(IxHeap *h)
{
    IxDebugHeap *d = h->dbg;
    pthread_mutex_lock(&debug_heaps_lock);
    pthread_mutex_lock(&d->lock);
    while (h->ring.next != &h->ring) {
        IxBlock *b = h->ring.next;
        int64_t total = (int64_t)block_total(h, b->size);
        ring_remove(b);
        account(h, b->owner, -total, -1);
        ring_insert(&d->kept, b);
        d->kept_blocks++;
        d->kept_bytes += total;
    }
    for (size_t i = 0; d->quarantine && i < IX_QUARANTINE; i++) {
        if (!d->quarantine[i]) continue;
        d->kept_blocks++;
        d->kept_bytes += (int64_t)block_total(h, d->quarantine[i]->size);
    }
    d->closed = true;
    pthread_mutex_unlock(&d->lock);
    closed_blocks += d->kept_blocks;
    closed_bytes += d->kept_bytes;
    trim_closed(d);
    pthread_mutex_unlock(&debug_heaps_lock);
    h->dbg = NULL;
}

/* What is left goes now, unchecked (close has reported it); debug mode keeps it. */
void ix_heap_free_all(IxHeap *h)
{
    if (h->dbg) {
        debug_close(h);
        return;
    }
    while (h->ring.next != &h->ring) {
        IxBlock *b = h->ring.next;
        ring_remove(b);
        account(h, b->owner, -(int64_t)block_total(h, b->size), -1);
        free(b);
    }
}

/* Process-level allocations: a size word in front keeps the global count exact. */
void *ix_host_alloc(size_t size)
{
    if (size > SIZE_MAX - 16) return NULL;
    size_t *p = raw_alloc(size + 16, 16, true);
    if (!p) return NULL;
    p[0] = size + 16;
    live_add((int64_t)p[0]);
    return (char *)p + 16;
}

void ix_host_free(void *q)
{
    if (!q) return;
    size_t *p = (size_t *)((char *)q - 16);
    live_add(-(int64_t)p[0]);
    free(p);
}

char *ix_host_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = ix_host_alloc(n);
    if (d) memcpy(d, s, n);
    return d;
}
