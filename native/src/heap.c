/*
 * heap.c -- the per-interpreter allocator.
 *
 * Every block carries an IxBlock header and sits on its heap's ring, so that:
 *   - live bytes and blocks are known at any time (the leak check is a subtraction),
 *   - close can walk what is left, report it by type and owner, and free it.
 * The heap is guarded by its interpreter's lock; only the process-wide byte counter is
 * shared, and it is atomic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ix_internal.h"

/* The process-wide count of live bytes, in shards a cache line apart. Every allocation of
 * every interpreter updates it, and a single word would bounce between the cores of threads
 * that otherwise share nothing (two interpreters on two threads, a queue between them). A
 * thread keeps to one shard; the count is their sum, exact whenever the threads that
 * allocated are synchronized with the reader (joined, or past a lock it then took). */
#define LIVE_SHARDS 16

static struct {
    _Alignas(64) _Atomic int64_t bytes;
} live_shards[LIVE_SHARDS];
static _Atomic unsigned next_shard;
static _Thread_local int my_shard = -1;

static void live_add(int64_t bytes)
{
    if (my_shard < 0) my_shard = (int)(atomic_fetch_add_explicit(&next_shard, 1, memory_order_relaxed) % LIVE_SHARDS);
    atomic_fetch_add_explicit(&live_shards[my_shard].bytes, bytes, memory_order_relaxed);
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
    h->debug = false;
    h->site = 0;
    h->quarantine = NULL;
    h->q_types = NULL;
    h->q_next = 0;
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

static void ring_insert(IxHeap *h, IxBlock *b)
{
    b->next = h->ring.next;
    b->prev = &h->ring;
    h->ring.next->prev = b;
    h->ring.next = b;
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
    live_add(bytes);
}

/* Every allocation and every growing reallocation counts, and may be the injected failure
 * (ixh_interp_fail_allocation): sweeping the failure over all of them exercises every
 * error path of the core and of the extensions. */
static bool refuse(IxHeap *h, size_t extra)
{
    if (++h->allocations == h->fail_at) {
        h->fail_at = 0;
        return true;
    }
    /* extra is at most SIZE_MAX / 2 (both callers cap it), and live_bytes + extra may not fit
     * an int64: compare with the room left instead */
    return h->limit > 0 && (int64_t)extra > h->limit - h->live_bytes;
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
    if (h->debug) set_guard(h, b);
    ring_insert(h, b);
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
 * memory stays allocated (and recognisable) until IX_QUARANTINE later frees push it out. */
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
    if (!h->quarantine) {
        h->quarantine = calloc(IX_QUARANTINE, sizeof *h->quarantine);
        h->q_types = calloc(IX_QUARANTINE, sizeof *h->q_types);
    }
    if (!h->quarantine || !h->q_types) { /* no memory for checking: just free */
        free(b);
        return;
    }
    /* An object's type may be gone by the time a stale pointer is used: keep its name. */
    snprintf(h->q_types[h->q_next], sizeof h->q_types[0], "%s",
             b->kind == IX_BLOCK_OBJECT ? IX_TYPE(b + 1)->name : "block");
    b->kind = IX_BLOCK_FREED;
    memset(b + 1, IX_POISON, b->size);
    g.canary = IX_CANARY; /* keep the site readable for later reports */
    memcpy(guard_of(b), &g, sizeof g);
    free(h->quarantine[h->q_next]);
    h->quarantine[h->q_next] = b;
    h->q_next = (h->q_next + 1) % IX_QUARANTINE;
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
    ring_insert(h, b);
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

/* What is left goes now, unchecked (close has reported it), and so does the quarantine. */
void ix_heap_free_all(IxHeap *h)
{
    while (h->ring.next != &h->ring) {
        IxBlock *b = h->ring.next;
        ring_remove(b);
        account(h, b->owner, -(int64_t)block_total(h, b->size), -1);
        free(b);
    }
    if (h->quarantine) {
        for (size_t i = 0; i < IX_QUARANTINE; i++) free(h->quarantine[i]);
        free(h->quarantine);
        h->quarantine = NULL;
    }
    free(h->q_types);
    h->q_types = NULL;
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
