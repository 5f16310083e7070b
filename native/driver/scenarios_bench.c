/*
 * scenarios_bench.c -- `ixdriver bench WHAT [N]`: the native side of the benchmarks
 * (docs/benchmarks.md), timed in plain C with no JVM in the way.
 *
 *   bench call [N]        one trivial call, probe.echo(1), N times each way, from the
 *                         bottom up: the dispatch alone (Ix_Call on the function object),
 *                         the method lookup too (Ix_CallMethod), the interpreter's lock
 *                         (ixh_enter/ixh_leave, and a locked statistic), and the whole
 *                         value API a JNI call runs (ixh_call on an encoded request, reply
 *                         encoded); release and debug mode. Subtracting these from the
 *                         Java figures says where a Java call's time goes.
 *   bench lifecycle [N]   N times: new interpreter, import counter, counter.created(),
 *                         close; median and p99, with counter's library kept mapped by
 *                         another interpreter (steady), mapped and unmapped each time
 *                         (cold), and in debug mode (steady); beside them the floor of
 *                         cold: dlopen + dlsym + dlclose of counter.so alone, in C.
 *   bench queue [N]       interpreter A's thread puts, interpreter B's thread gets, through
 *                         one queue (ABI.md 11): N ints, N short strs, shared buffers of
 *                         64 B, 1 MiB and 16 MiB (by reference: B sees A's address), and
 *                         1 MiB bytes (copied), for contrast.
 *   bench memory [K]      K interpreters with counter imported, open at once: live bytes,
 *                         malloc's in-use bytes and the resident set, per interpreter.
 *   bench all [N]         all four.
 *   bench typed [N]       N release-mode typed calls of add1, untimed: run it under
 *                         callgrind to count instructions per ixh_call_typed (not in all).
 *
 * Output: one "bench KEY=VALUE" line per figure (the `isolex bench` command parses them),
 * plus a line of prose each. Not a test: main.c's table gives it no numeric argument
 * count, so CMake registers no driver-/memcheck-/asan-bench test, and `all` skips it.
 */
#define _GNU_SOURCE

#include <dlfcn.h>
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver.h"

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The q-quantile (0..1) of v, sorted in place. */
static double quantile(double *v, size_t n, double q)
{
    size_t i;
    qsort(v, n, sizeof *v, cmp_double);
    i = (size_t)(q * (double)(n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

static void figure(const char *key, double value, const char *unit, const char *what)
{
    printf("bench %s=%.4g\n", key, value);
    printf("  %-34s %12.1f %-8s %s\n", key, value, unit, what);
    fflush(stdout);
}

#define ROUNDS 7 /* each timed loop runs this many times; the median round counts */

/* ---------------------------------------------------------------- call */

typedef struct CallSetup {
    IxInterp *interp;
    IxObject *probe, *echo, *one; /* owned by the setup, dropped by call_teardown */
    int64_t handle;               /* a value-API handle of probe */
    int64_t add1;                 /* ABI 1.3: a handle of test-ext/typed's add1, "l:l" */
    uint8_t request[64];
    size_t request_len;
} CallSetup;

static void call_setup(CallSetup *s, int debug)
{
    IxContext *ctx;
    IxWire w;
    s->interp = OPEN_MODE(debug);
    ctx = ENTER(s->interp);
    s->probe = IMPORT(ctx, "probe");
    s->echo = CHECK_OK(ctx, Ix_GetAttr(ctx, s->probe, "echo"));
    s->one = CHECK_OK(ctx, IxLong_FromInt64(ctx, 1));
    s->handle = ixh_handle_new(ctx, s->probe);
    CHECK(s->handle >= 0);
    IxObject *typed = IMPORT(ctx, "typed");
    IxObject *add1 = CHECK_OK(ctx, Ix_GetAttr(ctx, typed, "add1"));
    s->add1 = ixh_handle_new(ctx, add1);
    CHECK(s->add1 >= 0);
    Ix_Decref(ctx, add1);
    Ix_Decref(ctx, typed);
    ixh_leave(ctx);
    /* what Handle.invoke("echo", 1L) sends: the name, then the arguments as a tuple */
    ixw_init(&w, s->request, sizeof s->request);
    ixw_cstr(&w, "echo");
    ixw_count(&w, IXW_TUPLE, 1);
    ixw_int(&w, 1);
    CHECK(!w.overflow);
    s->request_len = w.len;
}

static void call_teardown(CallSetup *s)
{
    IxContext *ctx = ENTER(s->interp);
    Ix_Decref(ctx, s->one);
    Ix_Decref(ctx, s->echo);
    Ix_Decref(ctx, s->probe);
    ixh_leave(ctx);
    CHECK_EQ_INT(ixh_release(s->interp, s->handle), 0);
    CHECK_EQ_INT(ixh_release(s->interp, s->add1), 0);
    CHECK_CLOSE(s->interp);
}

enum { WAY_DISPATCH, WAY_METHOD, WAY_ENTER, WAY_LOCKED_STAT, WAY_VALUE_API, WAY_TYPED, WAY_BATCH };
/* ABI 1.3: the code of "l:l" (typed.c's IxSig.code), and the rows of one batch. */
#define SIG_L_L (1 | 1 << 4 | 1 << 8)
#define BATCH 1000

/* ns per operation of one way, the median of ROUNDS rounds of n operations. */
static double time_way(CallSetup *s, int way, long n)
{
    double rounds[ROUNDS];
    uint8_t buf[256];
    int r;
    for (r = 0; r < ROUNDS; r++) {
        IxContext *ctx = (way == WAY_DISPATCH || way == WAY_METHOD) ? ENTER(s->interp) : NULL;
        double t0 = now_ns();
        long i;
        switch (way) {
        case WAY_DISPATCH:
            for (i = 0; i < n; i++) Ix_Decref(ctx, CHECK_OK(ctx, Ix_Call(ctx, s->echo, &s->one, 1)));
            break;
        case WAY_METHOD:
            for (i = 0; i < n; i++)
                Ix_Decref(ctx, CHECK_OK(ctx, Ix_CallMethod(ctx, s->probe, "echo", &s->one, 1)));
            break;
        case WAY_ENTER:
            for (i = 0; i < n; i++) ixh_leave(ixh_enter(s->interp));
            break;
        case WAY_LOCKED_STAT:
            for (i = 0; i < n; i++) (void)ixh_interp_handle_count(s->interp);
            break;
        case WAY_VALUE_API:
            for (i = 0; i < n; i++) {
                int rc;
                memcpy(buf, s->request, s->request_len); /* the reply overwrote it */
                rc = ixh_call(s->interp, s->handle, buf, s->request_len, sizeof buf);
                if (rc != IXH_OK || buf[0] != IXW_INT)
                    ixd_fail(IXD_AT, "  bench call: ixh_call(echo(1)) answered %d, tag %d", rc, buf[0]);
            }
            break;
        case WAY_TYPED: /* ABI 1.3: ixh_call_typed of add1(x) */
            for (i = 0; i < n; i++) {
                IxValue v = {.i = i};
                if (ixh_call_typed(s->interp, s->add1, SIG_L_L, &v, buf, sizeof buf) != IXH_OK || v.i != i + 1)
                    ixd_fail(IXD_AT, "  bench call: ixh_call_typed(add1(%ld)) failed", i);
            }
            break;
        case WAY_BATCH: { /* ABI 1.3: n calls of add1 in batches of BATCH */
            static IxValue rows[BATCH];
            for (i = 0; i < n; i += BATCH) {
                size_t done;
                for (int k = 0; k < BATCH; k++) rows[k].i = k;
                if (ixh_call_typed_batch(s->interp, s->add1, SIG_L_L, rows, BATCH, &done, buf, sizeof buf) != IXH_OK
                    || rows[BATCH - 1].i != BATCH)
                    ixd_fail(IXD_AT, "  bench call: ixh_call_typed_batch(add1) failed");
            }
            break;
        }
        }
        rounds[r] = (now_ns() - t0) / (double)n;
        if (ctx) ixh_leave(ctx);
    }
    return quantile(rounds, ROUNDS, 0.5);
}

static void bench_call(long n)
{
    static const struct { int way; const char *key, *what; } ways[] = {
        { WAY_DISPATCH, "dispatch", "Ix_Call(echo, 1) inside the interpreter: dispatch only" },
        { WAY_METHOD, "method", "Ix_CallMethod(probe, \"echo\", 1): lookup + dispatch" },
        { WAY_ENTER, "enter_leave", "ixh_enter + ixh_leave: lock, context open/close" },
        { WAY_LOCKED_STAT, "locked_stat", "ixh_interp_handle_count: lock + unlock only" },
        { WAY_VALUE_API, "value_api", "ixh_call on an encoded echo(1): what one JNI call runs" },
        { WAY_TYPED, "typed", "ixh_call_typed of typed.add1(x), \"l:l\" (ABI 1.3)" },
        { WAY_BATCH, "batch", "ixh_call_typed_batch of add1, per call, batches of 1000 (ABI 1.3)" },
    };
    int debug;
    size_t i;
    char key[64];
    printf("bench call: probe.echo(1), %ld operations x %d rounds per way (median round)\n", n, ROUNDS);
    for (debug = 0; debug <= 1; debug++) {
        CallSetup s;
        call_setup(&s, debug);
        for (i = 0; i < sizeof ways / sizeof ways[0]; i++) {
            snprintf(key, sizeof key, "call.%s.%s_ns", debug ? "debug" : "release", ways[i].key);
            figure(key, time_way(&s, ways[i].way, n), "ns/op", ways[i].what);
        }
        call_teardown(&s);
    }
}

/* For callgrind (docs/benchmarks.md, "typed call fast path"): n release-mode typed calls
 * of add1 and nothing else, so instructions per call = (Ir of ixh_call_typed) / n. */
static void bench_typed(long n)
{
    CallSetup s;
    uint8_t buf[256];
    call_setup(&s, 0);
    for (long i = 0; i < n; i++) {
        IxValue v = {.i = i};
        if (ixh_call_typed(s.interp, s.add1, SIG_L_L, &v, buf, sizeof buf) != IXH_OK || v.i != i + 1)
            ixd_fail(IXD_AT, "  bench typed: ixh_call_typed(add1(%ld)) failed", i);
    }
    call_teardown(&s);
    printf("bench typed: %ld release-mode typed calls of add1\n", n);
}

/* ---------------------------------------------------------------- lifecycle */

/* One iteration; the four steps' times (ns) go to step[0..3]: new, import, call, close. */
static void one_lifecycle(int debug, double *step)
{
    IxInterpConfig config = { ixd_opt.module_path, 0, 0, debug };
    double t0 = now_ns(), t1, t2, t3;
    IxInterp *interp = ixh_interp_new(&config);
    IxContext *ctx;
    IxObject *counter;
    CHECK(interp != NULL);
    t1 = now_ns();
    ctx = ENTER(interp);
    counter = IMPORT(ctx, "counter");
    t2 = now_ns();
    Ix_Decref(ctx, CHECK_OK(ctx, CALL0(ctx, counter, "created")));
    t3 = now_ns();
    Ix_Decref(ctx, counter);
    ixh_leave(ctx);
    CHECK_CLOSE(interp);
    step[0] = t1 - t0;
    step[1] = t2 - t1;
    step[2] = t3 - t2;
    step[3] = now_ns() - t3;
}

/* The timings of one variant: per iteration, the whole (us) and the four steps (ns). */
typedef struct LifeSamples {
    double *total, *steps;
    long n, cap;
} LifeSamples;

static void life_block(LifeSamples *out, long iterations, int debug)
{
    double step[4];
    long i;
    for (i = 0; i < iterations; i++) {
        double t0 = now_ns();
        one_lifecycle(debug, out ? &out->steps[out->n * 4] : step);
        if (out) out->total[out->n++] = (now_ns() - t0) / 1e3;
    }
}

static void life_report(LifeSamples *s, const char *key, const char *what)
{
    static const char *const names[4] = { "new", "import", "call", "close" };
    char k[64];
    long i;
    int j;
    snprintf(k, sizeof k, "lifecycle.%s.median_us", key);
    figure(k, quantile(s->total, (size_t)s->n, 0.5), "us", what);
    snprintf(k, sizeof k, "lifecycle.%s.p99_us", key);
    figure(k, quantile(s->total, (size_t)s->n, 0.99), "us", "  (99th percentile)");
    for (j = 0; j < 4; j++) {
        for (i = 0; i < s->n; i++) s->total[i] = s->steps[i * 4 + j] / 1e3;
        snprintf(k, sizeof k, "lifecycle.%s.%s_us", key, names[j]);
        figure(k, quantile(s->total, (size_t)s->n, 0.5), "us", "  (median of this step)");
    }
    free(s->total);
    free(s->steps);
}

static void life_alloc(LifeSamples *s, long cap)
{
    s->total = malloc((size_t)cap * sizeof *s->total);
    s->steps = malloc((size_t)cap * 4 * sizeof *s->steps);
    s->n = 0;
    s->cap = cap;
    if (!s->total || !s->steps) ixd_fail(IXD_AT, "  bench lifecycle: out of memory for %ld timings", cap);
}

/* The floor of a cold iteration: what the dynamic loader alone takes to map counter.so,
 * find its init function and unmap it (the same flags as loader.c), timed as the four steps
 * are: step[1] the dlopen + dlsym, step[3] the dlclose. */
static void one_dlopen(double *step)
{
    char path[4096];
    double t0, t1, t2;
    void *h;
    snprintf(path, sizeof path, "%s/counter.so", ixd_opt.ext_dir);
    t0 = now_ns();
    h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h || !dlsym(h, "IxInit_counter")) ixd_fail(IXD_AT, "  bench lifecycle: dlopen %s: %s", path, dlerror());
    t1 = now_ns();
    dlclose(h);
    t2 = now_ns();
    step[0] = step[2] = 0;
    step[1] = t1 - t0;
    step[3] = t2 - t1;
}

static void dlopen_block(LifeSamples *out, long iterations)
{
    double step[4];
    long i;
    for (i = 0; i < iterations; i++) {
        double t0 = now_ns();
        one_dlopen(out ? &out->steps[out->n * 4] : step);
        if (out) out->total[out->n++] = (now_ns() - t0) / 1e3;
    }
}

/* 10 rounds, each a block of every variant in turn (steady, debug, cold), after a round of
 * warm-up: a slow phase of a shared machine hits all of them alike. Steady and debug run
 * while a holder interpreter keeps counter imported; cold after it closed. */
static void bench_lifecycle(long n)
{
    enum { LIFE_ROUNDS = 10 };
    long per = n / LIFE_ROUNDS > 0 ? n / LIFE_ROUNDS : 1, cold_per = per / 5 > 0 ? per / 5 : 1;
    LifeSamples steady, debug, cold, floor;
    int r;
    life_alloc(&steady, per * LIFE_ROUNDS);
    life_alloc(&debug, per * LIFE_ROUNDS);
    life_alloc(&cold, cold_per * LIFE_ROUNDS);
    life_alloc(&floor, cold_per * LIFE_ROUNDS);
    printf("bench lifecycle: new interpreter, import counter, created(), close; %d rounds of %ld "
           "(cold %ld) per variant\n", LIFE_ROUNDS, per, cold_per);
    for (r = -1; r < LIFE_ROUNDS; r++) {
        int rec = r >= 0;
        IxInterp *holder = OPEN();
        IxContext *ctx = ENTER(holder);
        IxObject *held = IMPORT(ctx, "counter");
        ixh_leave(ctx);
        life_block(rec ? &steady : NULL, per, 0);
        life_block(rec ? &debug : NULL, per, 1);
        ctx = ENTER(holder);
        Ix_Decref(ctx, held);
        ixh_leave(ctx);
        CHECK_CLOSE(holder);
        CHECK_EQ_INT(ixh_loaded_libraries(), 0);
        life_block(rec ? &cold : NULL, cold_per, 0);
        dlopen_block(rec ? &floor : NULL, cold_per);
    }
    life_report(&steady, "steady", "counter kept mapped by another interpreter");
    life_report(&debug, "debug", "the same, debug mode");
    life_report(&cold, "cold", "counter.so dlopen-ed and dlclose-d every time");
    life_report(&floor, "dlopen", "cold's floor: dlopen + dlsym + dlclose of counter.so alone (import = dlopen, close = dlclose)");
}

/* ---------------------------------------------------------------- queue */

enum { ITEM_INT, ITEM_STR, ITEM_BUFFER, ITEM_BYTES };

typedef struct QueueRun {
    IxhQueue *q;
    IxInterp *interp;
    int kind;
    size_t size;               /* of a buffer or bytes item */
    long n;
    pthread_barrier_t *start;
    _Atomic uintptr_t *address; /* the producer's buffer data: the consumer compares */
    long same_address;         /* consumer: items whose data was at that address */
    double t_end;
} QueueRun;

static void *producer(void *arg)
{
    QueueRun *r = arg;
    IxContext *ctx = ENTER(r->interp);
    IxObject *q = CHECK_OK(ctx, ixh_queue_wrap(ctx, r->q)), *item = NULL;
    long i;
    if (r->kind == ITEM_STR) item = CHECK_OK(ctx, IxStr_FromCString(ctx, "hello, queue"));
    if (r->kind == ITEM_BUFFER) {
        item = CHECK_OK(ctx, IxBuffer_New(ctx, r->size));
        atomic_store(r->address, (uintptr_t)IxBuffer_Data(ctx, item, NULL));
    }
    if (r->kind == ITEM_BYTES) {
        char *raw = calloc(1, r->size);
        CHECK(raw != NULL);
        item = CHECK_OK(ctx, IxBytes_FromData(ctx, raw, r->size));
        free(raw);
    }
    pthread_barrier_wait(r->start);
    for (i = 0; i < r->n; i++) {
        if (r->kind == ITEM_INT) {
            IxObject *v = CHECK_OK(ctx, IxLong_FromInt64(ctx, i));
            CHECK_EQ_INT(IxQueue_Put(ctx, q, v, -1.0), 0);
            Ix_Decref(ctx, v);
        } else {
            CHECK_EQ_INT(IxQueue_Put(ctx, q, item, -1.0), 0);
        }
    }
    if (item) Ix_Decref(ctx, item);
    Ix_Decref(ctx, q);
    ixh_leave(ctx);
    return NULL;
}

static void *consumer(void *arg)
{
    QueueRun *r = arg;
    IxContext *ctx = ENTER(r->interp);
    IxObject *q = CHECK_OK(ctx, ixh_queue_wrap(ctx, r->q));
    long i;
    pthread_barrier_wait(r->start);
    for (i = 0; i < r->n; i++) {
        IxObject *v = CHECK_OK(ctx, IxQueue_Get(ctx, q, -1.0));
        if (r->kind == ITEM_BUFFER) {
            size_t size = 0;
            uint8_t *data = IxBuffer_Data(ctx, v, &size);
            CHECK_EQ_INT(size, r->size);
            if ((uintptr_t)data == atomic_load(r->address)) r->same_address++;
        } else if (r->kind == ITEM_INT && i == r->n - 1) {
            CHECK_EQ_INT(IxLong_AsInt64(ctx, v), i);
        }
        Ix_Decref(ctx, v);
    }
    r->t_end = now_ns();
    Ix_Decref(ctx, q);
    ixh_leave(ctx);
    return NULL;
}

/* Items per second from A's thread to B's, the median of `rounds` runs. */
static double queue_rate(int kind, size_t size, long n, int64_t capacity, int rounds, long *same)
{
    double rate[ROUNDS];
    int r;
    for (r = 0; r < rounds; r++) {
        IxInterp *a = OPEN(), *b = OPEN();
        pthread_barrier_t start;
        pthread_t tp, tc;
        QueueRun pr = { 0 }, cr;
        _Atomic uintptr_t address = 0;
        double t0;
        pr.q = ixh_queue_new(capacity);
        CHECK(pr.q != NULL);
        pr.kind = kind;
        pr.size = size;
        pr.n = n;
        pr.start = &start;
        pr.address = &address;
        cr = pr;
        pr.interp = a;
        cr.interp = b;
        pthread_barrier_init(&start, NULL, 3);
        CHECK_EQ_INT(pthread_create(&tp, NULL, producer, &pr), 0);
        CHECK_EQ_INT(pthread_create(&tc, NULL, consumer, &cr), 0);
        /* the consumer learns the address only once the producer made its buffer: both
         * are past the barrier's wait when it opens */
        pthread_barrier_wait(&start);
        t0 = now_ns();
        CHECK_EQ_INT(pthread_join(tp, NULL), 0);
        CHECK_EQ_INT(pthread_join(tc, NULL), 0);
        pthread_barrier_destroy(&start);
        rate[r] = (double)n / ((cr.t_end - t0) / 1e9);
        if (same) *same = cr.same_address;
        CHECK_EQ_INT(ixh_queue_size(pr.q), 0);
        ixh_queue_release(pr.q);
        CHECK_CLOSE(a);
        CHECK_CLOSE(b);
    }
    return quantile(rate, (size_t)rounds, 0.5);
}

static void bench_queue(long n)
{
    static const struct { size_t size; const char *key; } buffers[] = {
        { 64, "buffer_64B" }, { 1 << 20, "buffer_1MiB" }, { 16 << 20, "buffer_16MiB" },
    };
    const int64_t capacity = 1024;
    long nbuf = n / 10 + 1, nbytes = n / 1000 + 1, same = 0;
    size_t i;
    char key[64], what[160];
    printf("bench queue: interpreter A's thread puts, interpreter B's thread gets, one queue of "
           "capacity %" PRId64 "; %d rounds, median\n", capacity, 5);
    figure("queue.int_per_s", queue_rate(ITEM_INT, 0, n, capacity, 5, NULL), "items/s",
           "ints (IxLong_FromInt64(i) put, got, checked)");
    figure("queue.str_per_s", queue_rate(ITEM_STR, 0, n, capacity, 5, NULL), "items/s",
           "12-character strs");
    figure("queue.int_unbounded_per_s", queue_rate(ITEM_INT, 0, n, 0, 5, NULL), "items/s",
           "ints, unbounded queue");
    for (i = 0; i < sizeof buffers / sizeof buffers[0]; i++) {
        double rate = queue_rate(ITEM_BUFFER, buffers[i].size, nbuf, capacity, 5, &same);
        snprintf(key, sizeof key, "queue.%s_per_s", buffers[i].key);
        snprintf(what, sizeof what, "shared buffers of %zu bytes; B saw A's address %ld of %ld times",
                 buffers[i].size, same, nbuf);
        figure(key, rate, "items/s", what);
        snprintf(key, sizeof key, "queue.%s_same_address", buffers[i].key);
        figure(key, same == nbuf ? 1 : 0, "", "1: every buffer crossed by reference (no copy)");
    }
    figure("queue.bytes_1MiB_per_s", queue_rate(ITEM_BYTES, 1 << 20, nbytes, capacity, 3, NULL),
           "items/s", "1 MiB bytes objects (copied into the queue and out of it)");
}

/* ---------------------------------------------------------------- memory */

static long rss_bytes(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1) break;
    fclose(f);
    return kb * 1024;
}

/* K interpreters with counter imported, all open at once (counter's library loaded first by
 * a holder): what each costs the process. ixh_live_bytes counts what libisolex asked for;
 * malloc's in-use bytes add its per-block headers and rounding; RSS adds page granularity
 * and the allocator's free space. */
static void bench_memory(long k)
{
    IxInterp *holder = OPEN(), **many = calloc((size_t)k, sizeof *many);
    IxContext *ctx = ENTER(holder);
    IxObject *held = IMPORT(ctx, "counter");
    int64_t live0, footprint = 0;
    size_t malloc0;
    long rss0, i;
    CHECK(many != NULL);
    ixh_leave(ctx);
    live0 = ixh_live_bytes();
    malloc0 = mallinfo2().uordblks;
    rss0 = rss_bytes();
    for (i = 0; i < k; i++) {
        many[i] = OPEN();
        ctx = ENTER(many[i]);
        Ix_Decref(ctx, IMPORT(ctx, "counter")); /* the interpreter keeps its module */
        ixh_leave(ctx);
    }
    footprint = ixh_interp_footprint(many[0]);
    printf("bench memory: %ld interpreters with counter imported, open at once\n", k);
    figure("memory.live_per_interp_bytes", (double)(ixh_live_bytes() - live0) / (double)k, "B",
           "ixh_live_bytes growth per interpreter");
    figure("memory.malloc_per_interp_bytes", (double)(mallinfo2().uordblks - malloc0) / (double)k, "B",
           "malloc in-use growth per interpreter (block headers, rounding)");
    figure("memory.rss_per_interp_bytes", (double)(rss_bytes() - rss0) / (double)k, "B",
           "resident set growth per interpreter");
    figure("memory.footprint_bytes", (double)footprint, "B", "ixh_interp_footprint of one of them");
    for (i = 0; i < k; i++) CHECK_CLOSE(many[i]);
    free(many);
    ctx = ENTER(holder);
    Ix_Decref(ctx, held);
    ixh_leave(ctx);
    CHECK_CLOSE(holder);
}

/* ---------------------------------------------------------------- interrupt (ABI 1.3) */

/* ns per Ix_CheckInterrupt with nothing asked (ABI.md 6.11), plain and debug, beside what a
 * poll that read the clock itself would cost (the per-call deadline not taken: 12.83). */
static double time_polls(IxContext *ctx, long n)
{
    double t[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now_ns();
        for (long i = 0; i < n; i++)
            if (Ix_CheckInterrupt(ctx) < 0) ixd_fail(IXD_AT, "  bench interrupt: a poll failed");
        t[r] = (now_ns() - t0) / (double)n;
    }
    return quantile(t, ROUNDS, 0.5);
}

static double time_clock(clockid_t id, long n)
{
    double t[ROUNDS];
    struct timespec ts;
    volatile long sink = 0;
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now_ns();
        for (long i = 0; i < n; i++) {
            clock_gettime(id, &ts);
            sink += ts.tv_nsec;
        }
        t[r] = (now_ns() - t0) / (double)n;
    }
    return quantile(t, ROUNDS, 0.5);
}

static void bench_interrupt(long n)
{
    for (int debug = 0; debug < 2; debug++) {
        IxInterp *in = OPEN_MODE(debug);
        IxContext *ctx = ENTER(in);
        double ns = time_polls(ctx, n);
        ixh_leave(ctx);
        CHECK_CLOSE(in);
        figure(debug ? "interrupt.poll_debug_ns" : "interrupt.poll_ns", ns, "ns",
               debug ? "Ix_CheckInterrupt, nothing asked, debug mode" : "Ix_CheckInterrupt, nothing asked");
    }
    figure("interrupt.clock_coarse_ns", time_clock(CLOCK_MONOTONIC_COARSE, n), "ns",
           "clock_gettime(CLOCK_MONOTONIC_COARSE), for comparison");
    figure("interrupt.clock_ns", time_clock(CLOCK_MONOTONIC, n), "ns", "clock_gettime(CLOCK_MONOTONIC)");
}

/* ---------------------------------------------------------------- the scenario */

void ixd_bench(int argc, char **argv)
{
    const char *what = argc > 0 ? argv[0] : "all";
    char *end = NULL;
    long n = 0;
    if (argc > 1) {
        n = strtol(argv[1], &end, 10);
        if (*end != '\0' || n <= 0 || n > 100000000)
            ixd_fail(IXD_AT, "  bench: N must be a positive integer, got \"%s\"", argv[1]);
    }
    if (strcmp(what, "call") == 0 || strcmp(what, "all") == 0) bench_call(n ? n : 1000000);
    if (strcmp(what, "lifecycle") == 0 || strcmp(what, "all") == 0) bench_lifecycle(n ? n : 20000);
    if (strcmp(what, "queue") == 0 || strcmp(what, "all") == 0) bench_queue(n ? n : 1000000);
    if (strcmp(what, "memory") == 0 || strcmp(what, "all") == 0) bench_memory(n ? n : 1000);
    if (strcmp(what, "interrupt") == 0) bench_interrupt(n ? n : 10000000); /* ABI 1.3; not in all */
    if (strcmp(what, "typed") == 0) bench_typed(n ? n : 100000); /* for callgrind; not in all */
    if (strcmp(what, "call") && strcmp(what, "lifecycle") && strcmp(what, "queue") && strcmp(what, "memory") &&
        strcmp(what, "interrupt") && strcmp(what, "typed") && strcmp(what, "all"))
        ixd_fail(IXD_AT, "  bench: WHAT is call, lifecycle, queue, memory, interrupt, typed or all; got \"%s\"",
                 what);
}
