/*
 * scenarios_queue.c -- queues and shared buffers (ABI.md 11) from both ends: the
 * embedder's wire-format calls (isolex_host.h) and IxQueue_* inside interpreters.
 *
 *   queues [N]   put/get statuses, TOO_BIG, timeouts and refused encodings; the exact
 *                ixh_shared_bytes of queues, items and buffers (11.5), including buffers
 *                held only by items when their queue goes; the ring wrapping while it
 *                grows; QueueFull / QueueEmpty; a wait that gives up the interpreter lock
 *                (11.3); an item outliving the interpreter that made it; and N items
 *                (default 50000) per run from a producer thread in A to a consumer in B
 *                or the embedder, at capacities 1 and 32.
 *
 * Determinism: the only waits that must time out are 0.05 s ones on a queue nobody else
 * touches. Every other timed wait is 60 s, far longer than a healthy run needs: it takes
 * the timed path, and a lost wake-up there fails with QueueEmpty / QueueFull instead of
 * hanging. (The producer/consumer runs also block without a timeout on every other item:
 * that path has to be covered too, and CTest's timeout is its watchdog.)
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "wire_read.h"

#define LONG_WAIT 60.0
#define SHORT_WAIT 0.05
/* Encoded in more than 24 bytes, so an item holding it is a block of its own, counted in
 * ixh_shared_bytes; an int is kept in its ring slot (ABI.md 11.5). */
#define LONG_STR "a str too long to sit in a ring slot"

/* ---------------------------------------------------------------- helpers */

/* One int in the wire format, into buf (room for 9 bytes): its length. */
static size_t wire_int(uint8_t *buf, int64_t v)
{
    IxWire w;
    ixw_init(&w, buf, 9);
    ixw_int(&w, v);
    CHECK(!w.overflow);
    return w.len;
}

/* A buffer lent in a request: its tag and pointer, laid out like an IXW_INT. */
static void wire_buffer(IxWire *w, IxhBuffer *b)
{
    size_t at = w->len;
    ixw_int(w, (int64_t)(intptr_t)b);
    if (!w->overflow) w->buf[at] = IXW_BUFFER;
}

/* Take the next item as the embedder, into out: its length. */
static size_t take(IxhQueue *q, uint8_t *out, size_t cap, double timeout,
                   const char *file, int line)
{
    size_t len = 0;
    int rc = ixh_queue_get(q, out, cap, timeout, &len);
    if (rc != IXH_QUEUE_OK)
        ixd_fail(file, line, "  check:    ixh_queue_get\n  expected: IXH_QUEUE_OK (0)\n"
                 "  actual:   %d", rc);
    return len;
}

/* The next item as text (ixd_wire_text), taken by the embedder. */
static const char *take_text(IxhQueue *q, double timeout, char *text, size_t cap,
                             const char *file, int line)
{
    uint8_t out[256];
    IxdReader r;
    ixd_reader_init(&r, out, take(q, out, sizeof out, timeout, file, line));
    return ixd_wire_text(&r, text, cap);
}
#define TAKE_TEXT(q, timeout, text) take_text((q), (timeout), (text), sizeof(text), IXD_AT)

/* IxQueue_Put that must succeed; on failure the pending error is printed. */
static void put_ok(IxContext *ctx, IxObject *q, IxObject *v, double timeout,
                   const char *file, int line)
{
    if (IxQueue_Put(ctx, q, v, timeout) != 0) ixd_check_ok(ctx, NULL, "IxQueue_Put", file, line);
}
#define PUT_OK(ctx, q, v, timeout) put_ok((ctx), (q), (v), (timeout), IXD_AT)

static void check_shared(int64_t expected, const char *file, int line)
{
    ixd_check_int(ixh_shared_bytes(), expected, "ixh_shared_bytes()", file, line);
}
#define CHECK_SHARED(expected) check_shared((expected), IXD_AT)

/* ---------------------------------------------------------------- the embedder's side */

/* Encodings ixh_queue_put refuses whole (ABI.md 11.6): nothing is queued. */
static const struct { const char *what; uint8_t bytes[8]; size_t len; } refused[] = {
    { "a list", { IXW_LIST, 0, 0, 0, 0 }, 5 },
    { "an unknown tag", { 99 }, 1 },
    { "trailing bytes", { IXW_NONE, IXW_NONE }, 2 },
    { "invalid UTF-8", { IXW_STR, 1, 0, 0, 0, 0xff }, 6 },
    { "a cut int", { IXW_INT, 1, 2 }, 3 },
};

/* A queue of capacity 2 through the wire-format calls: what is refused, what happens when
 * it is full, and how a get answers a buffer too small for the item or an empty queue. */
static void embedder_put_get(void)
{
    uint8_t in[256], out[256], raw[100] = { 1, 2, 3 };
    char text[64];
    size_t len = 0, i, n_int;
    IxhQueue *q = ixh_queue_new(2);
    IxWire w;

    CHECK(q != NULL);
    for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        ixd_scenario_detail(refused[i].what);
        CHECK_EQ_INT(ixh_queue_put(q, refused[i].bytes, refused[i].len, 0),
                     IXH_QUEUE_NOT_SHAREABLE);
    }
    ixd_scenario_detail(NULL);
    CHECK_EQ_INT(ixh_queue_size(q), 0);

    n_int = wire_int(in, 42);
    CHECK_EQ_INT(ixh_queue_put(q, in, n_int, 0), IXH_QUEUE_OK);
    ixw_init(&w, in, sizeof in);
    ixw_bytes(&w, raw, sizeof raw);
    CHECK_EQ_INT(ixh_queue_put(q, in, w.len, 0), IXH_QUEUE_OK);
    CHECK_EQ_INT(ixh_queue_put(q, in, w.len, 0), IXH_QUEUE_TIMEOUT); /* full, at once */
    CHECK_EQ_INT(ixh_queue_put(q, in, w.len, SHORT_WAIT), IXH_QUEUE_TIMEOUT);
    CHECK_EQ_INT(ixh_queue_size(q), 2);

    /* Too small a buffer: the length needed, and the item stays first. */
    CHECK_EQ_INT(ixh_queue_get(q, out, n_int - 1, 0, &len), IXH_QUEUE_TOO_BIG);
    CHECK_EQ_INT(len, n_int);
    CHECK_EQ_STR(TAKE_TEXT(q, 0, text), "42");
    CHECK_EQ_INT(ixh_queue_get(q, out, 50, 0, &len), IXH_QUEUE_TOO_BIG);
    CHECK_EQ_INT(len, w.len);
    CHECK_EQ_INT(ixh_queue_get(q, out, 0, 0, &len), IXH_QUEUE_TOO_BIG);
    CHECK_EQ_INT(len, w.len);
    CHECK_EQ_INT(take(q, out, sizeof out, 0, IXD_AT), w.len);
    CHECK(memcmp(out, in, w.len) == 0);
    /* The smallest item (None: one byte) does not fit a buffer of 0 bytes either. */
    CHECK_EQ_INT(ixh_queue_put(q, (const uint8_t[]){ IXW_NONE }, 1, 0), IXH_QUEUE_OK);
    CHECK_EQ_INT(ixh_queue_get(q, out, 0, 0, &len), IXH_QUEUE_TOO_BIG);
    CHECK_EQ_INT(len, 1);
    CHECK_EQ_STR(TAKE_TEXT(q, 0, text), "None");

    /* Empty: a timeout, at once or after waiting, and len is left alone. */
    len = 77;
    CHECK_EQ_INT(ixh_queue_get(q, out, sizeof out, 0, &len), IXH_QUEUE_TIMEOUT);
    CHECK_EQ_INT(ixh_queue_get(q, out, sizeof out, SHORT_WAIT, &len), IXH_QUEUE_TIMEOUT);
    CHECK_EQ_INT(len, 77);
    ixh_queue_release(q);
}

/* ABI.md 11.5, byte for byte: the queue, its ring (once, on the first put), items of more
 * than 24 encoded bytes, and buffers -- which items keep after their other holders, and
 * which go with the last item when the queue is dropped. */
static void shared_accounting(void)
{
    uint8_t in[256], raw[100] = { 0 };
    char text[64];
    int64_t base = ixh_shared_bytes(), queue, ring, buffer;
    size_t big;
    IxhQueue *q = ixh_queue_new(0);
    IxhBuffer *b, *b2;
    IxWire w;

    CHECK(q != NULL);
    queue = ixh_shared_bytes() - base;
    CHECK(queue > 0);
    CHECK_EQ_INT(ixh_queue_put(q, in, wire_int(in, 1), 0), IXH_QUEUE_OK);
    ring = ixh_shared_bytes() - base - queue;
    CHECK(ring > 0);
    CHECK_EQ_INT(ixh_queue_put(q, in, wire_int(in, 2), 0), IXH_QUEUE_OK);
    CHECK_SHARED(base + queue + ring); /* a small item sits in its slot */
    ixw_init(&w, in, sizeof in);
    ixw_bytes(&w, raw, sizeof raw);
    CHECK_EQ_INT(ixh_queue_put(q, in, w.len, 0), IXH_QUEUE_OK);
    CHECK_SHARED(base + queue + ring + (int64_t)w.len);
    CHECK_EQ_STR(TAKE_TEXT(q, 0, text), "1");
    CHECK_EQ_STR(TAKE_TEXT(q, 0, text), "2");
    CHECK_MATCH(TAKE_TEXT(q, 0, text), "b'\\x00\\x00*"); /* cut to the buffer */
    CHECK_SHARED(base + queue + ring);

    /* A buffer counts its payload exactly: twice the size, 1000 bytes more. */
    b = ixh_buffer_new(1000);
    CHECK(b != NULL);
    buffer = ixh_shared_bytes() - base - queue - ring;
    CHECK(buffer >= 1000);
    b2 = ixh_buffer_new(2000);
    CHECK(b2 != NULL);
    CHECK_SHARED(base + queue + ring + 2 * buffer + 1000);
    ixh_buffer_release(b2);

    /* The buffer in a small item and in a large one; then only they hold it. */
    ixw_init(&w, in, sizeof in);
    wire_buffer(&w, b);
    CHECK_EQ_INT(ixh_queue_put(q, in, w.len, 0), IXH_QUEUE_OK);
    ixw_init(&w, in, sizeof in);
    ixw_count(&w, IXW_TUPLE, 2);
    ixw_cstr(&w, LONG_STR);
    wire_buffer(&w, b);
    CHECK(!w.overflow);
    big = w.len;
    CHECK_EQ_INT(ixh_queue_put(q, in, big, 0), IXH_QUEUE_OK);
    ixh_buffer_release(b);
    CHECK_SHARED(base + queue + ring + buffer + (int64_t)big);
    ixh_queue_release(q); /* the items go, and the buffer with the last */
    CHECK_SHARED(base);
}

/* Put the ints [from, to) into q as the embedder. */
static void put_ints(IxhQueue *q, int64_t from, int64_t to)
{
    uint8_t in[16];
    for (; from < to; from++)
        CHECK_EQ_INT(ixh_queue_put(q, in, wire_int(in, from), -1.0), IXH_QUEUE_OK);
}

/* Take them back: the ints [from, to), in order. */
static void take_ints(IxhQueue *q, int64_t from, int64_t to)
{
    char text[32], expected[32];
    for (; from < to; from++) {
        snprintf(expected, sizeof expected, "%" PRId64, from);
        CHECK_EQ_STR(TAKE_TEXT(q, -1.0, text), expected);
    }
}

/* An unbounded ring that grows while its items wrap past the end: order is kept. */
static void wrap_around(void)
{
    IxhQueue *q = ixh_queue_new(0);
    CHECK(q != NULL);
    put_ints(q, 0, 10);
    take_ints(q, 0, 5);
    put_ints(q, 10, 100); /* from the middle of the ring, growing three times */
    take_ints(q, 5, 100);
    CHECK_EQ_INT(ixh_queue_size(q), 0);
    ixh_queue_release(q);
}

/* ---------------------------------------------------------------- inside an interpreter */

/* QueueFull and QueueEmpty, without waiting (the lock kept) and after a wait (given up);
 * the two TypeErrors of 11.1 and 11.2. */
static void full_and_empty(IxInterp *interp)
{
    IxContext *ctx = ENTER(interp);
    IxObject *q = CHECK_OK(ctx, IxQueue_New(ctx, 1));
    IxObject *one = CHECK_OK(ctx, IxLong_FromInt64(ctx, 1)), *list = CHECK_OK(ctx, IxList_New(ctx));

    CHECK_ERROR_RC(ctx, IxQueue_Put(ctx, q, list, 0), "TypeError: a list is not shareable: *");
    CHECK_ERROR(ctx, IxQueue_Get(ctx, one, 0), "TypeError: expected queue, got int");
    PUT_OK(ctx, q, one, 0);
    CHECK_ERROR_RC(ctx, IxQueue_Put(ctx, q, one, 0), "QueueFull: queue is full (capacity 1)");
    CHECK_ERROR_RC(ctx, IxQueue_Put(ctx, q, one, SHORT_WAIT),
                   "QueueFull: queue is full (capacity 1)");
    CHECK_EQ_INT(IxQueue_Size(ctx, q), 1);
    CHECK_EQ_INT(WANT_INT(ctx, IxQueue_Get(ctx, q, LONG_WAIT)), 1);
    CHECK_ERROR(ctx, IxQueue_Get(ctx, q, 0), "QueueEmpty: queue is empty");
    CHECK_ERROR(ctx, IxQueue_Get(ctx, q, SHORT_WAIT), "QueueEmpty: queue is empty");
    Ix_Decref(ctx, list);
    Ix_Decref(ctx, one);
    Ix_Decref(ctx, q);
    ixh_leave(ctx);
}

typedef struct Waiter {
    IxInterp *interp;
    IxhQueue *q;
    pthread_barrier_t inside;
    char got[64];
} Waiter;

static void *wait_inside(void *arg)
{
    Waiter *w = arg;
    IxContext *ctx = ENTER(w->interp);
    IxObject *q = CHECK_OK(ctx, ixh_queue_wrap(ctx, w->q));
    int rc = pthread_barrier_wait(&w->inside);
    CHECK(rc == 0 || rc == PTHREAD_BARRIER_SERIAL_THREAD);
    WANT_REPR(ctx, IxQueue_Get(ctx, q, LONG_WAIT), w->got);
    Ix_Decref(ctx, q);
    ixh_leave(ctx);
    return NULL;
}

/* 11.3: both ends in one interpreter. The waiter holds A's lock when the barrier opens,
 * so this thread can enter A -- and put what the waiter gets -- only because a get that
 * waits gives the lock up. */
static void both_ends_in_one(IxInterp *interp)
{
    Waiter w;
    IxContext *ctx;
    IxObject *q, *v;
    pthread_t t;
    int rc;

    w.interp = interp;
    w.q = ixh_queue_new(0);
    CHECK(w.q != NULL);
    CHECK_EQ_INT(pthread_barrier_init(&w.inside, NULL, 2), 0);
    CHECK_EQ_INT(pthread_create(&t, NULL, wait_inside, &w), 0);
    rc = pthread_barrier_wait(&w.inside);
    CHECK(rc == 0 || rc == PTHREAD_BARRIER_SERIAL_THREAD);
    ctx = ENTER(interp);
    q = CHECK_OK(ctx, ixh_queue_wrap(ctx, w.q));
    v = CHECK_OK(ctx, IxStr_FromCString(ctx, "hello"));
    PUT_OK(ctx, q, v, 0);
    Ix_Decref(ctx, v);
    Ix_Decref(ctx, q);
    ixh_leave(ctx);
    CHECK_EQ_INT(pthread_join(t, NULL), 0);
    CHECK_EQ_STR(w.got, "'hello'");
    pthread_barrier_destroy(&w.inside);
    ixh_queue_release(w.q);
}

/* 11.5: an item holding a str and a buffer, put by A, is got by B after A closed -- the
 * same bytes at the same address. A's close finds nothing leaked: the item is the host's. */
static void outlives_its_maker(IxInterp *b)
{
    IxInterp *a = OPEN();
    IxContext *ctx = ENTER(a);
    IxhQueue *hq = ixh_queue_new(0);
    IxObject *q = CHECK_OK(ctx, ixh_queue_wrap(ctx, hq)), *items[2], *t;
    uint8_t *data;
    size_t size = 0, i;
    char text[128];

    items[0] = CHECK_OK(ctx, IxStr_FromCString(ctx, LONG_STR));
    items[1] = CHECK_OK(ctx, IxBuffer_New(ctx, 64));
    data = IxBuffer_Data(ctx, items[1], NULL);
    memset(data, 3, 64);
    t = CHECK_OK(ctx, IxTuple_FromArray(ctx, items, 2));
    PUT_OK(ctx, q, t, 0);
    Ix_Decref(ctx, t);
    Ix_Decref(ctx, items[1]);
    Ix_Decref(ctx, items[0]);
    Ix_Decref(ctx, q);
    ixh_leave(ctx);
    CHECK_CLOSE(a);

    ctx = ENTER(b);
    q = CHECK_OK(ctx, ixh_queue_wrap(ctx, hq));
    t = CHECK_OK(ctx, IxQueue_Get(ctx, q, 0));
    CHECK_EQ_STR(WANT_REPR(ctx, Ix_NewRef(ctx, t), text),
                 "('" LONG_STR "', <buffer of 64 bytes>)");
    CHECK(IxBuffer_Data(ctx, IxTuple_GetItem(ctx, t, 1), &size) == data);
    CHECK_EQ_INT(size, 64);
    for (i = 0; i < size; i++) CHECK_EQ_INT(data[i], 3);
    Ix_Decref(ctx, t);
    Ix_Decref(ctx, q);
    ixh_leave(ctx);
    ixh_queue_release(hq);
}

/* ---------------------------------------------------------------- producer and consumers */

/* One end of a run: a thread in interp, or the embedder's wire calls (interp NULL, for a
 * consumer). Item i is the int i, or with `mixed` every third one LONG_STR, so items in
 * their slots and items in blocks of their own interleave. Waits alternate between
 * blocking and timed. */
typedef struct End {
    IxhQueue *q;
    IxInterp *interp;
    long n;
    int mixed;
} End;

static double wait_for(long i)
{
    return i % 2 ? -1.0 : LONG_WAIT;
}

static int is_str(const End *e, long i)
{
    return e->mixed && i % 3 == 0;
}

/* Item i as repr and ixd_wire_text both spell it. */
static const char *expected_text(const End *e, long i, char *buf, size_t cap)
{
    if (is_str(e, i))
        snprintf(buf, cap, "'%s'", LONG_STR);
    else
        snprintf(buf, cap, "%ld", i);
    return buf;
}

static void *produce(void *arg)
{
    End *e = arg;
    IxContext *ctx = ENTER(e->interp);
    IxObject *q = CHECK_OK(ctx, ixh_queue_wrap(ctx, e->q));
    IxObject *s = CHECK_OK(ctx, IxStr_FromCString(ctx, LONG_STR));
    long i;
    for (i = 0; i < e->n; i++) {
        IxObject *v = is_str(e, i) ? Ix_NewRef(ctx, s) : CHECK_OK(ctx, IxLong_FromInt64(ctx, i));
        PUT_OK(ctx, q, v, wait_for(i));
        Ix_Decref(ctx, v);
    }
    Ix_Decref(ctx, s);
    Ix_Decref(ctx, q);
    ixh_leave(ctx);
    return NULL;
}

static void *consume(void *arg)
{
    End *e = arg;
    IxContext *ctx = e->interp ? ENTER(e->interp) : NULL;
    IxObject *q = ctx ? CHECK_OK(ctx, ixh_queue_wrap(ctx, e->q)) : NULL;
    char got[64], expected[64];
    long i;
    for (i = 0; i < e->n; i++) {
        if (ctx)
            WANT_REPR(ctx, IxQueue_Get(ctx, q, wait_for(i)), got);
        else
            TAKE_TEXT(e->q, wait_for(i), got);
        CHECK_EQ_STR(got, expected_text(e, i, expected, sizeof expected));
    }
    if (ctx) {
        Ix_Decref(ctx, q);
        ixh_leave(ctx);
    }
    return NULL;
}

/* n items from a thread in a to one in b (or the embedder's, b NULL), in order; at
 * capacity 1 nearly every put and get waits for the other side. */
static void run_pipe(IxInterp *a, IxInterp *b, int64_t capacity, int mixed, long n)
{
    char detail[64];
    End producer = { ixh_queue_new(capacity), a, n, mixed }, consumer = producer;
    pthread_t tp, tc;

    CHECK(producer.q != NULL);
    consumer.interp = b;
    snprintf(detail, sizeof detail, "capacity %d, %s, consumer %s", (int)capacity,
             mixed ? "ints and strs" : "ints", b ? "B" : "the embedder");
    ixd_scenario_detail(detail);
    CHECK_EQ_INT(pthread_create(&tp, NULL, produce, &producer), 0);
    CHECK_EQ_INT(pthread_create(&tc, NULL, consume, &consumer), 0);
    CHECK_EQ_INT(pthread_join(tp, NULL), 0);
    CHECK_EQ_INT(pthread_join(tc, NULL), 0);
    CHECK_EQ_INT(ixh_queue_size(producer.q), 0);
    ixh_queue_release(producer.q);
    ixd_scenario_detail(NULL);
}

/* Many to many: PEERS embedder threads put ints, PEERS others take them, through one
 * queue; every put and get contends with others on its own end and with the other end.
 * Every int arrives exactly once, and each taker sees each putter's ints in the order they
 * were put (the queue is FIFO and every putter puts in order). */
#define PEERS 3

typedef struct Peer {
    IxhQueue *q;
    long n, id;             /* a putter puts id * n .. id * n + n - 1 */
    _Atomic char *seen;     /* PEERS * n flags, one per int */
} Peer;

static void *many_put(void *arg)
{
    Peer *p = arg;
    put_ints(p->q, p->id * p->n, p->id * p->n + p->n);
    return NULL;
}

static void *many_take(void *arg)
{
    Peer *p = arg;
    uint8_t out[16];
    int64_t last[PEERS] = { -1, -1, -1 };
    long i;
    for (i = 0; i < p->n; i++) {
        size_t n = take(p->q, out, sizeof out, LONG_WAIT, IXD_AT);
        int64_t v;
        CHECK(n == 9 && out[0] == IXW_INT);
        memcpy(&v, out + 1, 8);
        CHECK(v >= 0 && v < PEERS * p->n);
        CHECK(v > last[v / p->n]); /* in order from its putter */
        last[v / p->n] = v;
        CHECK(atomic_exchange(&p->seen[v], 1) == 0); /* once */
    }
    return NULL;
}

static void many_to_many(int64_t capacity, long n)
{
    char detail[64];
    _Atomic char *seen = calloc((size_t)(PEERS * n), sizeof *seen);
    Peer putters[PEERS], takers[PEERS];
    pthread_t threads[2 * PEERS];
    IxhQueue *q = ixh_queue_new(capacity);
    long i;
    CHECK(q != NULL && seen != NULL);
    snprintf(detail, sizeof detail, "%d putters, %d takers, capacity %d", PEERS, PEERS, (int)capacity);
    ixd_scenario_detail(detail);
    for (i = 0; i < PEERS; i++) {
        putters[i] = (Peer){ q, n, i, seen };
        takers[i] = putters[i];
        CHECK_EQ_INT(pthread_create(&threads[2 * i], NULL, many_put, &putters[i]), 0);
        CHECK_EQ_INT(pthread_create(&threads[2 * i + 1], NULL, many_take, &takers[i]), 0);
    }
    for (i = 0; i < 2 * PEERS; i++) CHECK_EQ_INT(pthread_join(threads[i], NULL), 0);
    for (i = 0; i < PEERS * n; i++) CHECK(seen[i] == 1);
    CHECK_EQ_INT(ixh_queue_size(q), 0);
    ixh_queue_release(q);
    free((void *)seen);
    ixd_scenario_detail(NULL);
}

/* N from the scenario's argument (default 50000). */
static long items_arg(int argc, char **argv)
{
    char *end = NULL;
    long n = argc > 0 ? strtol(argv[0], &end, 10) : 50000;
    if (argc > 0 && (*end != '\0' || n <= 0 || n > 100000000))
        ixd_fail(IXD_AT, "  queues: N must be a positive integer, got \"%s\"", argv[0]);
    return n;
}

void ixd_queues(int argc, char **argv)
{
    long n = items_arg(argc, argv);
    IxInterp *a, *b;
    int mixed, capacity;

    CHECK_SHARED(0);
    embedder_put_get();
    shared_accounting();
    wrap_around();
    CHECK_SHARED(0);

    a = OPEN();
    b = OPEN();
    full_and_empty(a);
    both_ends_in_one(a);
    outlives_its_maker(b);
    for (mixed = 0; mixed < 2; mixed++)
        for (capacity = 1; capacity <= 32; capacity *= 32) {
            run_pipe(a, b, capacity, mixed, n);
            run_pipe(a, NULL, capacity, mixed, n);
        }
    many_to_many(4, n);
    many_to_many(0, n);
    CHECK_CLOSE(a);
    CHECK_CLOSE(b);
    CHECK_SHARED(0);
}
