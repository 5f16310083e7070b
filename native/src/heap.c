/*
 * heap.c -- the per-interpreter allocator.
 *
 * Every block carries an IxBlock header and sits on its heap's ring, so that:
 *   - live bytes and blocks are known at any time (the leak check is a subtraction),
 *   - close can walk what is left, report it by type and owner, and free it.
 * The heap is guarded by its interpreter's lock; only the process-wide byte counter is
 * shared, and it is atomic.
 */
#include <stdlib.h>
#include <string.h>

#include "ix_internal.h"

_Atomic int64_t ix_global_live_bytes = 0;

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
    atomic_fetch_add_explicit(&ix_global_live_bytes, bytes, memory_order_relaxed);
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
    return h->limit > 0 && h->live_bytes + (int64_t)extra > h->limit;
}

void *ix_heap_alloc(IxHeap *h, size_t size, uint32_t kind, uint32_t owner, bool zero)
{
    if (size > SIZE_MAX / 2 - sizeof(IxBlock)) return NULL;
    size_t total = sizeof(IxBlock) + size;
    if (refuse(h, total)) return NULL;
    IxBlock *b = zero ? calloc(1, total) : malloc(total);
    if (!b) return NULL;
    b->size = size;
    b->kind = kind;
    b->owner = owner;
    ring_insert(h, b);
    account(h, owner, (int64_t)total, 1);
    return b + 1;
}

void *ix_heap_realloc(IxHeap *h, void *p, size_t size)
{
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

void ix_heap_free(IxHeap *h, void *p)
{
    if (!p) return;
    IxBlock *b = IX_BLOCK_OF(p);
    ring_remove(b);
    account(h, b->owner, -(int64_t)(sizeof(IxBlock) + b->size), -1);
    free(b);
}

void ix_heap_retag(IxHeap *h, void *p, uint32_t owner)
{
    IxBlock *b = IX_BLOCK_OF(p);
    int64_t size = (int64_t)(sizeof(IxBlock) + b->size);
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

void ix_heap_free_all(IxHeap *h)
{
    while (h->ring.next != &h->ring) ix_heap_free(h, h->ring.next + 1);
}

/* Process-level allocations: a size word in front keeps the global count exact. */
void *ix_host_alloc(size_t size)
{
    if (size > SIZE_MAX - 16) return NULL;
    size_t *p = calloc(1, size + 16);
    if (!p) return NULL;
    p[0] = size + 16;
    atomic_fetch_add_explicit(&ix_global_live_bytes, (int64_t)p[0], memory_order_relaxed);
    return (char *)p + 16;
}

void ix_host_free(void *q)
{
    if (!q) return;
    size_t *p = (size_t *)((char *)q - 16);
    atomic_fetch_sub_explicit(&ix_global_live_bytes, (int64_t)p[0], memory_order_relaxed);
    free(p);
}

char *ix_host_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = ix_host_alloc(n);
    if (d) memcpy(d, s, n);
    return d;
}
