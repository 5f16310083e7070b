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
 * A queue has its own mutex and condition variables. Lock order: an interpreter's lock,
 * then a queue's lock; a thread blocked on a queue from inside an interpreter first gives
 * up the interpreter lock (like IxLock_Release), so both ends may live in one interpreter.
 */
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

typedef struct Item {
    uint8_t *data;   /* one shareable value in the wire format, host-allocated */
    size_t len;
} Item;

struct IxQueue {
    _Atomic int64_t refs;
    pthread_mutex_t lock;
    pthread_cond_t not_empty, not_full;
    int64_t capacity;      /* 0: unbounded */
    Item *items;           /* ring */
    size_t head, count, cap;
};

IxQueue *ix_queue_new(int64_t capacity)
{
    IxQueue *q = ix_host_alloc(sizeof *q);
    if (!q) return NULL;
    atomic_init(&q->refs, 1);
    pthread_mutex_init(&q->lock, NULL);
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

static void item_free(Item *it)
{
    ix_wire_release_shared(it->data, it->len);
    atomic_fetch_sub(&ix_shared_live_bytes, (int64_t)it->len);
    ix_host_free(it->data);
}

/* The last holder let go: items still queued are dropped with what they hold. */
void ix_queue_decref(IxQueue *q)
{
    if (atomic_fetch_sub_explicit(&q->refs, 1, memory_order_acq_rel) != 1) return;
    for (size_t i = 0; i < q->count; i++) item_free(&q->items[(q->head + i) % q->cap]);
    atomic_fetch_sub(&ix_shared_live_bytes, (int64_t)(sizeof *q + q->cap * sizeof(Item)));
    ix_host_free(q->items);
    pthread_cond_destroy(&q->not_empty);
    pthread_cond_destroy(&q->not_full);
    pthread_mutex_destroy(&q->lock);
    ix_host_free(q);
}

int64_t ix_queue_size(IxQueue *q)
{
    pthread_mutex_lock(&q->lock);
    int64_t n = (int64_t)q->count;
    pthread_mutex_unlock(&q->lock);
    return n;
}

static bool grow(IxQueue *q)
{
    size_t cap = q->cap ? q->cap * 2 : 16;
    Item *items = ix_host_alloc(cap * sizeof *items);
    if (!items) return false;
    for (size_t i = 0; i < q->count; i++) items[i] = q->items[(q->head + i) % q->cap];
    ix_host_free(q->items);
    atomic_fetch_add(&ix_shared_live_bytes, (int64_t)((cap - q->cap) * sizeof *items));
    q->items = items;
    q->cap = cap;
    q->head = 0;
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

/* Wait on `cond` until `ready` holds; false on timeout. Caller holds q->lock. */
static bool wait_until(IxQueue *q, pthread_cond_t *cond, bool (*ready)(IxQueue *), double timeout)
{
    struct timespec ts;
    bool timed = deadline(timeout, &ts);
    while (!ready(q)) {
        if (timeout == 0) return false;
        if (!timed) pthread_cond_wait(cond, &q->lock);
        else if (pthread_cond_timedwait(cond, &q->lock, &ts) == ETIMEDOUT) return ready(q);
    }
    return true;
}

static bool has_room(IxQueue *q)
{
    return q->capacity == 0 || (int64_t)q->count < q->capacity;
}

static bool has_item(IxQueue *q)
{
    return q->count > 0;
}

/* Put an encoded value (taken over: freed here on failure). IX_QUEUE_OK, _TIMEOUT, _NOMEM. */
int ix_queue_put_encoded(IxQueue *q, uint8_t *data, size_t len, double timeout)
{
    pthread_mutex_lock(&q->lock);
    int rc = IX_QUEUE_OK;
    if (!wait_until(q, &q->not_full, has_room, timeout)) rc = IX_QUEUE_TIMEOUT;
    else if (q->count == q->cap && !grow(q)) rc = IX_QUEUE_NOMEM;
    if (rc == IX_QUEUE_OK) {
        q->items[(q->head + q->count) % q->cap] = (Item){data, len};
        q->count++;
        atomic_fetch_add(&ix_shared_live_bytes, (int64_t)len);
        pthread_cond_signal(&q->not_empty);
    }
    pthread_mutex_unlock(&q->lock);
    if (rc != IX_QUEUE_OK) {
        ix_wire_release_shared(data, len);
        ix_host_free(data);
    }
    return rc;
}

/* Take the next item (its data becomes the caller's: ix_queue_item_free it). When `fits`
 * is given and says the item does not fit, it stays queued and IX_QUEUE_TOO_BIG returns
 * with its length. */
int ix_queue_take(IxQueue *q, double timeout, uint8_t **data, size_t *len, size_t room)
{
    pthread_mutex_lock(&q->lock);
    int rc = IX_QUEUE_OK;
    if (!wait_until(q, &q->not_empty, has_item, timeout)) {
        rc = IX_QUEUE_TIMEOUT;
    } else {
        Item *it = &q->items[q->head];
        *len = it->len;
        if (room && it->len > room) {
            rc = IX_QUEUE_TOO_BIG;
        } else {
            *data = it->data;
            q->head = (q->head + 1) % q->cap;
            q->count--;
            atomic_fetch_sub(&ix_shared_live_bytes, (int64_t)it->len);
            pthread_cond_signal(&q->not_full);
        }
    }
    pthread_mutex_unlock(&q->lock);
    return rc;
}

void ix_queue_item_free(uint8_t *data, size_t len)
{
    ix_wire_release_shared(data, len);
    ix_host_free(data);
}

/* ---------------------------------------------------------------- inside an interpreter */

typedef struct QueueObject { IxObject_HEAD IxQueue *q; } QueueObject;
typedef struct BufferObject { IxObject_HEAD IxShared *s; } BufferObject;

IxObject *ix_queue_object(IxContext *ctx, IxQueue *q)
{
    QueueObject *o = (QueueObject *)ix_object_alloc(ctx, (IxTypeObject *)IX_BUILTIN(ctx, IX_TYPE_QUEUE),
                                                    sizeof(QueueObject));
    if (!o) return NULL;
    ix_queue_incref(q);
    o->q = q;
    return &o->ob_base;
}

IxObject *ix_buffer_object(IxContext *ctx, IxShared *s)
{
    BufferObject *o = (BufferObject *)ix_object_alloc(ctx, (IxTypeObject *)IX_BUILTIN(ctx, IX_TYPE_BUFFER),
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

/* Waiting on a queue from inside an interpreter gives up the interpreter's lock. */
static void release_for_wait(IxContext *ctx, double timeout, bool *released)
{
    *released = timeout != 0 && !IX_CTX(ctx)->released;
    if (*released) ix_ctx_release(ctx);
}

int ix_queue_put_value(IxContext *ctx, IxObject *queue, IxObject *value, double timeout)
{
    IxQueue *q = as_queue(ctx, queue);
    if (!q) return -1;
    uint8_t *data;
    size_t len;
    if (ix_wire_encode_shared(ctx, value, &data, &len) < 0) return -1;
    bool released;
    release_for_wait(ctx, timeout, &released);
    int rc = ix_queue_put_encoded(q, data, len, timeout);
    if (released) ix_ctx_reacquire(ctx);
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
    uint8_t *data = NULL;
    size_t len = 0;
    bool released;
    release_for_wait(ctx, timeout, &released);
    int rc = ix_queue_take(q, timeout, &data, &len, 0);
    if (released) ix_ctx_reacquire(ctx);
    if (rc == IX_QUEUE_TIMEOUT) return ix_err_format(ctx, IX_EXC_QUEUEEMPTY, "queue is empty");
    size_t pos = 0;
    IxObject *v = ix_wire_decode(ctx, data, len, &pos);
    ix_queue_item_free(data, len); /* a failed decode (out of memory) drops the item */
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

IX_API int ixh_queue_put(IxhQueue *q, const uint8_t *buf, size_t len, double timeout)
{
    if (!ix_wire_check_shared(buf, len)) return IXH_QUEUE_NOT_SHAREABLE;
    uint8_t *data = ix_host_alloc(len ? len : 1);
    if (!data) return IXH_QUEUE_NOMEM;
    memcpy(data, buf, len);
    ix_wire_retain_shared(data, len); /* the item's own references; the caller keeps its */
    return ix_queue_put_encoded((IxQueue *)q, data, len, timeout);
}

IX_API int ixh_queue_get(IxhQueue *q, uint8_t *buf, size_t cap, double timeout, size_t *len)
{
    uint8_t *data = NULL;
    int rc = ix_queue_take((IxQueue *)q, timeout, &data, len, cap ? cap : 1);
    if (rc != IX_QUEUE_OK) return rc;
    memcpy(buf, data, *len);
    ix_host_free(data); /* its references go to the caller with the bytes */
    return IXH_QUEUE_OK;
}

IX_API IxObject *ixh_queue_wrap(IxContext *ctx, IxhQueue *q) { return ix_queue_object(ctx, (IxQueue *)q); }
IX_API IxObject *ixh_buffer_wrap(IxContext *ctx, IxhBuffer *b) { return ix_buffer_object(ctx, (IxShared *)b); }
