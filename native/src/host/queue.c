/*
 * queue.c -- what crosses between interpreters (ABI.md 11, DESIGN decision 6).
 *
 * Nothing is shared except two host-level things, both reference counted atomically and
 * allocated by the host, so counted by no interpreter (ixh_shared_bytes says how much):
 *   - a shared buffer: bytes that cross without a copy; each interpreter (and Java) that
 *     holds it has its own `buffer` object, and the bytes go when the last holder lets go;
 *   - a queue: values cross by copy. A sender encodes a shareable value (None, bool, int,
 *     float, str, bytes, buffers, queues, tuples of these) into the wire format; the receiver
 *     decodes it into its own interpreter (or into Java values). A queue item owns a
 *     reference to every buffer and queue inside it until it is received or dropped.
 * A queue is a ring with two ends, each with its own mutex: putters take the put lock,
 * getters the get lock, and the item count between them is atomic. A producer thread and a
 * consumer thread then never take the same lock, and each lock stays in its own core's
 * cache; what crosses per item is the count and the slot. (One lock for both ends was the
 * cost of a small item: its cache line moved between the cores on every put and get.)
 * Lock order: an interpreter's lock, then a queue's put lock, then its get lock (only growing
 * the ring holds both). A thread that must wait on a queue from inside an interpreter first
 * gives up the interpreter lock (like IxLock_Release), so both ends may live in one
 * interpreter. One that need not wait keeps it: most puts and gets, and the cheap ones.
 */
#define _GNU_SOURCE /* PTHREAD_MUTEX_ADAPTIVE_NP */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "ix_internal.h"

_Atomic int64_t ix_shared_live_bytes = 0;

/* ---------------------------------------------------------------- shared buffers */

struct IxShared {
    _Atomic int64_t refs;
    size_t size;
    _Alignas(16) uint8_t data[];
};

IxShared *ix_shared_new(size_t size)
{
    if (size > SIZE_MAX / 2) return NULL;
    IxShared *s = ix_host_alloc(sizeof *s + size); /* zeroed */
    if (!s) return NULL;
    atomic_init(&s->refs, 1);
    s->size = size;
    atomic_fetch_add(&ix_shared_live_bytes, (int64_t)(sizeof *s + size));
    return s;
}

void ix_shared_incref(IxShared *s)
{
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
}

void ix_shared_decref(IxShared *s)
{
    if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1) return;
    atomic_fetch_sub(&ix_shared_live_bytes, (int64_t)(sizeof *s + s->size));
    ix_host_free(s);
}

uint8_t *ix_shared_data(IxShared *s, size_t *size)
{
    if (size) *size = s->size;
    return s->data;
}

/* ---------------------------------------------------------------- queues */

/* An item of up to this many encoded bytes (an int, a float, a buffer or a queue, a short
 * str) is kept in its ring slot: a small value's trip then allocates no block that the
 * sender's thread mallocs and the receiver's thread frees, which is what it cost most. */
#define SLOT_BYTES 24

typedef struct Item {
    size_t len;                     /* one shareable value in the wire format */
    union {
        uint8_t *data;              /* len > SLOT_BYTES: host-allocated, the item's */
        uint8_t bytes[SLOT_BYTES];  /* len <= SLOT_BYTES: in the slot itself */
    } u;
} Item;

/* Each group on cache lines of its own (the pads), so that one end's writes never evict
 * what the other end is using. */
struct IxQueue {
    /* The getters' end. */
    pthread_mutex_t get_lock;
    pthread_cond_t not_empty;  /* waited on with get_lock */
    size_t head;               /* get_lock: the slot of the first item */
    char pad1[64];
    /* The putters' end. */
    pthread_mutex_t put_lock;
    pthread_cond_t not_full;   /* waited on with put_lock */
    size_t tail;               /* put_lock: the slot after the last item */
    char pad2[64];
    /* Items in the ring. A put adds one after writing its slot, a get takes one away after
     * reading its slot (both seq_cst): a slot is only ever used by one side at a time. */
    _Atomic size_t count;
    char pad3[64];
    /* Threads waiting on not_empty / not_full: the other end signals only when nonzero.
     * Written only around a wait, so read by every put and get without a miss. */
    _Atomic int getters, putters;
    /* The ring: cap slots, cap a power of two. Replaced only by grow, which holds both
     * locks; each end reads them under its own. */
    Item *items;
    size_t cap;
    int64_t capacity;          /* 0: unbounded; never changes */
    _Atomic int64_t refs;
};

static bool in_slot(size_t len)
{
    return len <= SLOT_BYTES;
}

static const uint8_t *item_bytes(const Item *it)
{
    return in_slot(it->len) ? it->u.bytes : it->u.data;
}

/* What ixh_shared_bytes counts for a queued item beyond its slot (ABI.md 11.5). */
static int64_t item_extra(const Item *it)
{
    return in_slot(it->len) ? 0 : (int64_t)it->len;
}

/* Let go of a taken item: what it holds, and its block. */
static void item_drop(const Item *it)
{
    ix_wire_release_shared(item_bytes(it), it->len);
    if (!in_slot(it->len)) ix_host_free(it->u.data);
}

IxQueue *ix_queue_new(int64_t capacity)
{
    IxQueue *q = ix_host_alloc(sizeof *q);
    if (!q) return NULL;
    atomic_init(&q->refs, 1);
    /* Held for a few dozen instructions at a time: a contender (two putters, two getters)
     * spins briefly rather than sleeping in the kernel at once. */
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
    pthread_mutex_init(&q->get_lock, &attr);
    pthread_mutex_init(&q->put_lock, &attr);
    pthread_mutexattr_destroy(&attr);
    pthread_cond_init(&q->not_empty, NULL);
    pthread_cond_init(&q->not_full, NULL);
    q->capacity = capacity > 0 ? capacity : 0;
    atomic_fetch_add(&ix_shared_live_bytes, (int64_t)sizeof *q);
    return q;
}

void ix_queue_incref(IxQueue *q)
{
    atomic_fetch_add_explicit(&q->refs, 1, memory_order_relaxed);
}

/* The last holder let go: items still queued are dropped with what they hold. No lock:
 * nobody else can reach the queue any more. */
void ix_queue_decref(IxQueue *q)
{
    if (atomic_fetch_sub_explicit(&q->refs, 1, memory_order_acq_rel) != 1) return;
    int64_t extra = 0;
    size_t count = atomic_load(&q->count);
    for (size_t i = 0; i < count; i++) {
        const Item *it = &q->items[(q->head + i) & (q->cap - 1)];
        extra += item_extra(it);
        item_drop(it);
    }
    atomic_fetch_sub(&ix_shared_live_bytes, (int64_t)(sizeof *q + q->cap * sizeof(Item)) + extra);
    ix_host_free(q->items);
    pthread_cond_destroy(&q->not_empty);
    pthread_cond_destroy(&q->not_full);
    pthread_mutex_destroy(&q->get_lock);
    pthread_mutex_destroy(&q->put_lock);
    ix_host_free(q);
}

int64_t ix_queue_size(IxQueue *q)
{
    return (int64_t)atomic_load(&q->count);
}

/* A full ring doubles (from 16: cap stays a power of two, so positions wrap with a mask).
 * Caller holds put_lock; the get lock is taken too, so no getter reads the ring meanwhile
 * and the count cannot change. */
static bool grow(IxQueue *q)
{
    size_t cap = q->cap ? q->cap * 2 : 16;
    Item *items = ix_host_alloc(cap * sizeof *items);
    if (!items) return false;
    pthread_mutex_lock(&q->get_lock);
    size_t count = atomic_load(&q->count);
    for (size_t i = 0; i < count; i++) items[i] = q->items[(q->head + i) & (q->cap - 1)];
    ix_host_free(q->items);
    atomic_fetch_add(&ix_shared_live_bytes, (int64_t)((cap - q->cap) * sizeof *items));
    q->items = items;
    q->cap = cap;
    q->head = 0;
    q->tail = count;
    pthread_mutex_unlock(&q->get_lock);
    return true;
}

/* Deadline for a timeout in seconds (< 0: none). */
static bool deadline(double timeout, struct timespec *ts)
{
    if (timeout < 0 || isnan(timeout)) return false;
    clock_gettime(CLOCK_REALTIME, ts);
    double whole = floor(timeout);
    ts->tv_sec += (time_t)(whole > 1e9 ? 1e9 : whole);
    ts->tv_nsec += (long)((timeout - whole) * 1e9);
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
    return true;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

/* The count read without ordering: a hint, rechecked by the put or get that acts on it. */
static size_t count_hint(IxQueue *q)
{
    return atomic_load_explicit(&q->count, memory_order_relaxed);
}

/* Before a put or get that may wait takes the lock, spin a little for `ready`: on a busy
 * queue the other side makes it true within a microsecond or so, where sleeping costs a
 * system call on each side and two context switches -- more than a small item's whole
 * trip. */
#define SPINS 200

static void spin_until(IxQueue *q, bool (*ready)(IxQueue *, size_t))
{
    for (int i = 0; i < SPINS && !ready(q, count_hint(q)); i++) cpu_relax();
}

/* Wait on `cond` (with `lock`, which the caller holds) until `ready` holds; false on
 * timeout. `waiters` counts this thread before the count is checked again: the other end
 * changes the count, then reads `waiters` (all seq_cst), so either this thread sees the
 * change or that end sees the waiter and signals -- taking `lock` to do it, which it gets
 * only once this thread is inside the wait. */
static bool wait_until(IxQueue *q, pthread_cond_t *cond, pthread_mutex_t *lock, _Atomic int *waiters,
                       bool (*ready)(IxQueue *, size_t), double timeout)
{
    if (ready(q, atomic_load(&q->count))) return true;
    if (timeout == 0) return false;
    struct timespec ts;
    bool timed = deadline(timeout, &ts); /* only now: most calls never wait */
    int rc = 0;
    atomic_fetch_add(waiters, 1);
    while (!ready(q, atomic_load(&q->count)) && rc != ETIMEDOUT)
        rc = timed ? pthread_cond_timedwait(cond, lock, &ts) : pthread_cond_wait(cond, lock);
    atomic_fetch_sub(waiters, 1);
    return ready(q, atomic_load(&q->count));
}

/* Wake one thread waiting on the other end, if there is one. Called with neither lock held. */
static void wake(_Atomic int *waiters, pthread_mutex_t *lock, pthread_cond_t *cond)
{
    if (atomic_load(waiters) == 0) return;
    pthread_mutex_lock(lock);
    pthread_cond_signal(cond);
    pthread_mutex_unlock(lock);
}

/* Whether a queue of `count` items takes one more / has one (capacity never changes). */
static bool has_room(IxQueue *q, size_t count)
{
    return q->capacity == 0 || (int64_t)count < q->capacity;
}

static bool has_item(IxQueue *q, size_t count)
{
    return count > 0;
}

/* Append the encoded value at `data`, with the references it owns: a small one is copied
 * into its slot, a larger one's `block` (host-allocated, holding data) becomes the item's.
 * IX_QUEUE_OK, or _TIMEOUT / _NOMEM with everything still the caller's. */
static int put_item(IxQueue *q, const uint8_t *data, size_t len, uint8_t *block, double timeout)
{
    if (timeout != 0) spin_until(q, has_room);
    pthread_mutex_lock(&q->put_lock);
    int rc = IX_QUEUE_OK;
    if (!wait_until(q, &q->not_full, &q->put_lock, &q->putters, has_room, timeout)) {
        rc = IX_QUEUE_TIMEOUT;
    } else if (atomic_load(&q->count) == q->cap && !grow(q)) {
        rc = IX_QUEUE_NOMEM; /* (getters only ever lower the count: full now, or it has room) */
    } else {
        Item *it = &q->items[q->tail];
        it->len = len;
        if (in_slot(len)) memcpy(it->u.bytes, data, len);
        else it->u.data = block;
        q->tail = (q->tail + 1) & (q->cap - 1);
        if (item_extra(it)) atomic_fetch_add(&ix_shared_live_bytes, item_extra(it));
        atomic_fetch_add(&q->count, 1); /* the slot is the getters' from here */
    }
    pthread_mutex_unlock(&q->put_lock);
    if (rc == IX_QUEUE_OK) wake(&q->getters, &q->get_lock, &q->not_empty);
    return rc;
}

/* Take the first item into *out: its block and references become the caller's. An item
 * longer than room stays first: IX_QUEUE_TOO_BIG, its length in out->len. ANY_SIZE: no limit
 * (an interpreter's get, which makes an object of any size). */
#define ANY_SIZE SIZE_MAX

static int take_item(IxQueue *q, double timeout, Item *out, size_t room)
{
    if (timeout != 0) spin_until(q, has_item);
    pthread_mutex_lock(&q->get_lock);
    int rc = IX_QUEUE_OK;
    if (!wait_until(q, &q->not_empty, &q->get_lock, &q->getters, has_item, timeout)) {
        rc = IX_QUEUE_TIMEOUT;
    } else {
        const Item *it = &q->items[q->head];
        out->len = it->len;
        if (it->len > room) {
            rc = IX_QUEUE_TOO_BIG;
        } else {
            *out = *it;
            q->head = (q->head + 1) & (q->cap - 1);
            if (item_extra(out)) atomic_fetch_sub(&ix_shared_live_bytes, item_extra(out));
            atomic_fetch_sub(&q->count, 1); /* the slot is the putters' from here */
        }
    }
    pthread_mutex_unlock(&q->get_lock);
    if (rc == IX_QUEUE_OK) wake(&q->putters, &q->put_lock, &q->not_full);
    return rc;
}

/* ---------------------------------------------------------------- inside an interpreter */

typedef struct QueueObject { IxObject_HEAD IxQueue *q; } QueueObject;
typedef struct BufferObject { IxObject_HEAD IxShared *s; } BufferObject;

IxObject *ix_queue_object(IxContext *ctx, IxQueue *q)
{
    QueueObject *o = (QueueObject *)ix_builtin_alloc(ctx, IX_TYPE_QUEUE,
                                                    sizeof(QueueObject));
    if (!o) return NULL;
    ix_queue_incref(q);
    o->q = q;
    return &o->ob_base;
}

IxObject *ix_buffer_object(IxContext *ctx, IxShared *s)
{
    BufferObject *o = (BufferObject *)ix_builtin_alloc(ctx, IX_TYPE_BUFFER,
                                                      sizeof(BufferObject));
    if (!o) return NULL;
    ix_shared_incref(s);
    o->s = s;
    return &o->ob_base;
}

IxQueue *ix_queue_of(IxObject *o) { return ((QueueObject *)o)->q; }
IxShared *ix_shared_of(IxObject *o) { return ((BufferObject *)o)->s; }

static void queue_dealloc(IxContext *ctx, IxObject *self) { ix_queue_decref(ix_queue_of(self)); }
static void buffer_dealloc(IxContext *ctx, IxObject *self) { ix_shared_decref(ix_shared_of(self)); }

static IxObject *queue_repr(IxContext *ctx, IxObject *self)
{
    return ix_str_from_format(ctx, "<queue of %lld items>", (long long)ix_queue_size(ix_queue_of(self)));
}

static IxObject *buffer_repr(IxContext *ctx, IxObject *self)
{
    return ix_str_from_format(ctx, "<buffer of %zu bytes>", ix_shared_of(self)->size);
}

static const IxTypeSlot queue_slots[] = {
    {IX_tp_dealloc, (void *)queue_dealloc},
    {IX_tp_repr, (void *)queue_repr},
    IX_TYPE_SLOTS_END,
};
static const IxTypeSlot buffer_slots[] = {
    {IX_tp_dealloc, (void *)buffer_dealloc},
    {IX_tp_repr, (void *)buffer_repr},
    IX_TYPE_SLOTS_END,
};
const IxBuiltinTypeDef ix_queue_typedef = {IX_TYPE_QUEUE, "queue", sizeof(QueueObject), UINT32_MAX, 0,
                                           queue_slots, NULL, NULL, NULL};
const IxBuiltinTypeDef ix_buffer_typedef = {IX_TYPE_BUFFER, "buffer", sizeof(BufferObject), UINT32_MAX, 0,
                                            buffer_slots, NULL, NULL, NULL};

/* ---------------------------------------------------------------- the ABI entries */

IxObject *ix_queue_new_object(IxContext *ctx, int64_t capacity)
{
    IxQueue *q = ix_queue_new(capacity);
    if (!q) {
        ix_err_no_memory(ctx);
        return NULL;
    }
    IxObject *o = ix_queue_object(ctx, q);
    ix_queue_decref(q); /* the object holds it now */
    return o;
}

static IxQueue *as_queue(IxContext *ctx, IxObject *o)
{
    if (IX_IS(ctx, o, IX_TYPE_QUEUE)) return ix_queue_of(o);
    ix_err_wrong_type(ctx, "queue", o);
    return NULL;
}

/* A put or get from inside an interpreter that looks as if it need not wait tries first
 * without waiting, keeping the interpreter lock; only one that must wait gives it up
 * (ABI.md 11.3), and retakes it after. */
static bool release_for_wait(IxContext *ctx)
{
    if (IX_CTX(ctx)->released) return false;
    ix_ctx_release(ctx);
    return true;
}

int ix_queue_put_value(IxContext *ctx, IxObject *queue, IxObject *value, double timeout)
{
    IxQueue *q = as_queue(ctx, queue);
    if (!q) return -1;
    uint8_t *data;
    size_t len;
    if (ix_wire_encode_shared(ctx, value, &data, &len) < 0) return -1;
    uint8_t *block = in_slot(len) ? NULL : data;
    int rc = IX_QUEUE_TIMEOUT;
    if (timeout == 0 || has_room(q, count_hint(q))) rc = put_item(q, data, len, block, 0);
    if (rc == IX_QUEUE_TIMEOUT && timeout != 0) {
        bool released = release_for_wait(ctx);
        rc = put_item(q, data, len, block, timeout);
        if (released) ix_ctx_reacquire(ctx);
    }
    if (rc != IX_QUEUE_OK) ix_wire_release_shared(data, len);
    if (rc != IX_QUEUE_OK || !block) ix_host_free(data); /* a slot holds a copy */
    if (rc == IX_QUEUE_TIMEOUT) {
        ix_err_format(ctx, IX_EXC_QUEUEFULL, "queue is full (capacity %lld)", (long long)q->capacity);
        return -1;
    }
    if (rc == IX_QUEUE_NOMEM) {
        ix_err_no_memory(ctx);
        return -1;
    }
    return 0;
}

IxObject *ix_queue_get_value(IxContext *ctx, IxObject *queue, double timeout)
{
    IxQueue *q = as_queue(ctx, queue);
    if (!q) return NULL;
    Item it;
    int rc = IX_QUEUE_TIMEOUT;
    if (timeout == 0 || has_item(q, count_hint(q))) rc = take_item(q, 0, &it, ANY_SIZE);
    if (rc == IX_QUEUE_TIMEOUT && timeout != 0) {
        bool released = release_for_wait(ctx);
        rc = take_item(q, timeout, &it, ANY_SIZE);
        if (released) ix_ctx_reacquire(ctx);
    }
    if (rc == IX_QUEUE_TIMEOUT) return ix_err_format(ctx, IX_EXC_QUEUEEMPTY, "queue is empty");
    size_t pos = 0;
    IxObject *v = ix_wire_decode(ctx, item_bytes(&it), it.len, &pos);
    item_drop(&it); /* a failed decode (out of memory) drops the item */
    return v;
}

int64_t ix_queue_size_value(IxContext *ctx, IxObject *queue)
{
    IxQueue *q = as_queue(ctx, queue);
    return q ? ix_queue_size(q) : -1;
}

IxObject *ix_buffer_new(IxContext *ctx, size_t size)
{
    IxShared *s = ix_shared_new(size);
    if (!s) {
        ix_err_no_memory(ctx);
        return NULL;
    }
    IxObject *o = ix_buffer_object(ctx, s);
    ix_shared_decref(s);
    return o;
}

uint8_t *ix_buffer_data(IxContext *ctx, IxObject *o, size_t *size)
{
    if (IX_IS(ctx, o, IX_TYPE_BUFFER)) return ix_shared_data(ix_shared_of(o), size);
    ix_err_wrong_type(ctx, "buffer", o);
    return NULL;
}

/* ---------------------------------------------------------------- the host API (Java) */

IX_API int64_t ixh_shared_bytes(void)
{
    return atomic_load(&ix_shared_live_bytes);
}

IX_API IxhBuffer *ixh_buffer_new(size_t size) { return (IxhBuffer *)ix_shared_new(size); }
IX_API uint8_t *ixh_buffer_data(IxhBuffer *b, size_t *size) { return ix_shared_data((IxShared *)b, size); }
IX_API void ixh_buffer_release(IxhBuffer *b) { ix_shared_decref((IxShared *)b); }
IX_API IxhQueue *ixh_queue_new(int64_t capacity) { return (IxhQueue *)ix_queue_new(capacity); }
IX_API void ixh_queue_release(IxhQueue *q) { ix_queue_decref((IxQueue *)q); }
IX_API int64_t ixh_queue_size(IxhQueue *q) { return ix_queue_size((IxQueue *)q); }

/* A small item goes from buf straight into its slot; a larger one is copied once. */
IX_API int ixh_queue_put(IxhQueue *q, const uint8_t *buf, size_t len, double timeout)
{
    if (!ix_wire_check_shared(buf, len)) return IXH_QUEUE_NOT_SHAREABLE;
    uint8_t *block = NULL;
    if (!in_slot(len)) {
        if (!(block = ix_host_alloc(len))) return IXH_QUEUE_NOMEM;
        memcpy(block, buf, len);
    }
    ix_wire_retain_shared(buf, len); /* the item's own references; the caller keeps its */
    int rc = put_item((IxQueue *)q, buf, len, block, timeout);
    if (rc != IX_QUEUE_OK) {
        ix_wire_release_shared(buf, len);
        ix_host_free(block);
    }
    return rc;
}

IX_API int ixh_queue_get(IxhQueue *q, uint8_t *buf, size_t cap, double timeout, size_t *len)
{
    Item it;
    int rc = take_item((IxQueue *)q, timeout, &it, cap); /* cap 0: every item is too big */
    if (rc == IX_QUEUE_TIMEOUT) return rc;
    *len = it.len;
    if (rc != IX_QUEUE_OK) return rc;
    memcpy(buf, item_bytes(&it), it.len);
    if (!in_slot(it.len)) ix_host_free(it.u.data); /* its references go to the caller with the bytes */
    return IXH_QUEUE_OK;
}

IX_API IxObject *ixh_queue_wrap(IxContext *ctx, IxhQueue *q) { return ix_queue_object(ctx, (IxQueue *)q); }
IX_API IxObject *ixh_buffer_wrap(IxContext *ctx, IxhBuffer *b) { return ix_buffer_object(ctx, (IxShared *)b); }
