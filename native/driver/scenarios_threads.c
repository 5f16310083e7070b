/*
 * scenarios_threads.c -- the interpreter lock and what is built on it (ABI.md 9, 7.4):
 * many threads on a few interpreters, the shared lock of IX_MOD_MULTI_SHARED_LOCK
 * modules, IxLock_Release, re-entry refusal, and legacy private copies.
 *
 * Every scenario here runs under a watchdog (alarm): a deadlock fails with a message
 * instead of hanging until CTest's timeout. The checks are the driver's usual ones; a
 * failing check in a worker thread prints and exits the process like anywhere else.
 */
#define _GNU_SOURCE /* pthread_rwlockattr_setkind_np; brings in the POSIX declarations */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "driver.h"
#include "wire_read.h"

#define REPLY_SIZE 4096 /* a value-API buffer: every reply here fits */

/* ---------------------------------------------------------------- the watchdog */

static char watchdog_text[256];
static size_t watchdog_len;

static void watchdog_fire(int sig)
{
    ssize_t n = write(STDERR_FILENO, watchdog_text, watchdog_len); /* async-signal-safe */
    (void)n;
    (void)sig;
    _exit(1);
}

/* Fail the process, naming the scenario, unless watchdog_disarm comes within `seconds`. */
static void watchdog_arm(unsigned seconds)
{
    struct sigaction sa;
    int n = snprintf(watchdog_text, sizeof watchdog_text,
                     "ixdriver: %s: FAILED: watchdog: still running %u s after it started "
                     "(a deadlock, or a thread that never returned)\n",
                     ixd_scenario, seconds);
    watchdog_len = n < 0 ? 0 : (size_t)n < sizeof watchdog_text ? (size_t)n
                                                                 : sizeof watchdog_text - 1;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = watchdog_fire;
    sigemptyset(&sa.sa_mask);
    CHECK_EQ_INT(sigaction(SIGALRM, &sa, NULL), 0);
    alarm(seconds);
}

static void watchdog_disarm(void)
{
    alarm(0);
}

/* ---------------------------------------------------------------- small helpers */

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

static void barrier_wait(pthread_barrier_t *b)
{
    int rc = pthread_barrier_wait(b);
    CHECK(rc == 0 || rc == PTHREAD_BARRIER_SERIAL_THREAD);
}

/* xorshift64*: a per-thread PRNG, so no thread shares generator state. */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * UINT64_C(0x2545F4914F6CDD1D);
}

static int64_t rand_in(uint64_t *s, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(next_rand(s) % (uint64_t)(hi - lo + 1));
}

/* module.function() of the interpreter as an int, entering and leaving around it. */
static int64_t module_int(IxInterp *interp, const char *module, const char *function)
{
    IxContext *ctx = ENTER(interp);
    IxObject *m = IMPORT(ctx, module);
    int64_t v = WANT_INT(ctx, CALL0(ctx, m, function));
    Ix_Decref(ctx, m);
    ixh_leave(ctx);
    return v;
}

static void module_call0(IxInterp *interp, const char *module, const char *function)
{
    IxContext *ctx = ENTER(interp);
    IxObject *m = IMPORT(ctx, module);
    Ix_Decref(ctx, CHECK_OK(ctx, CALL0(ctx, m, function)));
    Ix_Decref(ctx, m);
    ixh_leave(ctx);
}

/* ---------------------------------------------------------------- value API helpers */

/* The handle in a reply. */
static int64_t reply_handle(const uint8_t *buf, size_t cap, const char *file, int line)
{
    char type[128], text[REPLY_SIZE];
    IxdReader r;
    int64_t h;
    ixd_reader_init(&r, buf, cap);
    h = ixd_read_handle(&r, type, sizeof type);
    if (r.bad)
        ixd_fail(file, line, "  expected a handle, got %s",
                 ixd_reply_text(buf, cap, text, sizeof text));
    return h;
}

/* The int in a reply. */
static int64_t reply_int(const uint8_t *buf, size_t cap, const char *file, int line)
{
    char text[REPLY_SIZE];
    IxdReader r;
    int64_t v;
    ixd_reader_init(&r, buf, cap);
    v = ixd_read_int(&r);
    if (r.bad)
        ixd_fail(file, line, "  expected an int, got %s", ixd_reply_text(buf, cap, text, sizeof text));
    return v;
}

/* ixh_import of name; the reply is in buf. */
static int value_import(IxInterp *interp, const char *name, uint8_t *buf, size_t cap)
{
    IxWire w;
    ixw_init(&w, buf, cap);
    ixw_cstr(&w, name);
    CHECK(!w.overflow);
    return ixh_import(interp, buf, w.len, cap);
}

/* target.method(ints...); the reply is in buf. */
static int value_call(IxInterp *interp, int64_t target, const char *method,
                      const int64_t *v, size_t n, uint8_t *buf, size_t cap)
{
    IxWire w;
    size_t i;
    ixw_init(&w, buf, cap);
    ixw_cstr(&w, method);
    ixw_count(&w, IXW_TUPLE, (uint32_t)n);
    for (i = 0; i < n; i++) ixw_int(&w, v[i]);
    CHECK(!w.overflow);
    return ixh_call(interp, target, buf, w.len, cap);
}

/* ================================================================ threads
 *
 * THREADS threads on SLOTS interpreter slots. A slot is an interpreter plus a rwlock of
 * the driver's: a thread holds it shared while it uses the interpreter, exclusively to
 * close it and open a new one in its place. A thread that uses two slots takes them in
 * index order, so the rwlocks (and the interpreter locks under them) cannot deadlock;
 * writer preference keeps a recreating thread from starving. */

#define THREADS 8
#define SLOTS 4
#define FACT_LO 30
#define FACT_HI 200
#define FACT_LIMBS 64 /* base 10^9: 576 digits, 200! has 375 */

enum { OP_COUNTER, OP_FACT, OP_ECHO, OP_VALUE, OP_TWO, OP_SHARED, OP_RECREATE, NOPS };
static const char *const op_name[NOPS] = {
    "counter", "fact", "echo", "value-api", "two-interps", "shared-lock", "recreate",
};

typedef struct Slot {
    pthread_rwlock_t rw;
    IxInterp *interp; /* read under rw shared, replaced under rw exclusive */
} Slot;

typedef struct World {
    Slot slot[SLOTS];
    char *fact[FACT_HI + 1]; /* decimal n! for FACT_LO <= n <= FACT_HI, computed here */
    double deadline_us;
    pthread_barrier_t start;
} World;

typedef struct Worker {
    World *world;
    pthread_t tid;
    uint64_t rng;
    int64_t ops[NOPS];
    uint8_t buf[REPLY_SIZE]; /* this thread's value-API buffer */
} Worker;

/* n! in decimal, with a bignum of the driver's own: fact's answers are checked against
 * an independent computation. malloc'd. */
static char *decimal_factorial(unsigned n)
{
    uint32_t limb[FACT_LIMBS] = { 1 };
    size_t len = 1, i, pos;
    unsigned k;
    char *s;
    for (k = 2; k <= n; k++) {
        uint64_t carry = 0;
        for (i = 0; i < len; i++) {
            uint64_t cur = (uint64_t)limb[i] * k + carry;
            limb[i] = (uint32_t)(cur % 1000000000u);
            carry = cur / 1000000000u;
        }
        for (; carry; carry /= 1000000000u) {
            CHECK(len < FACT_LIMBS);
            limb[len++] = (uint32_t)(carry % 1000000000u);
        }
    }
    s = malloc(len * 9 + 1);
    CHECK(s != NULL);
    pos = (size_t)sprintf(s, "%" PRIu32, limb[len - 1]);
    for (i = len - 1; i-- > 0;) pos += (size_t)sprintf(s + pos, "%09" PRIu32, limb[i]);
    return s;
}

static IxInterp *slot_acquire(Slot *s)
{
    CHECK_EQ_INT(pthread_rwlock_rdlock(&s->rw), 0);
    return s->interp;
}

static void slot_release(Slot *s)
{
    CHECK_EQ_INT(pthread_rwlock_unlock(&s->rw), 0);
}

/* Counter(start, step), incremented twice, read back through the module. */
static void op_counter(Worker *w, IxInterp *interp)
{
    int64_t start = rand_in(&w->rng, -1000000, 1000000), step = rand_in(&w->rng, 1, 9);
    IxContext *ctx = ENTER(interp);
    IxObject *counter = IMPORT(ctx, "counter");
    IxObject *type = CHECK_OK(ctx, Ix_GetAttr(ctx, counter, "Counter"));
    IxObject *c = CHECK_OK(ctx, ixd_call_ints(ctx, type, NULL, INTS(start, step)));

    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, c, "increment")), start + step);
    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, c, "increment")), start + 2 * step);
    CHECK_EQ_INT(WANT_INT(ctx, ixd_call(ctx, counter, "value_of", &c, 1)), start + 2 * step);
    Ix_Decref(ctx, c);
    Ix_Decref(ctx, type);
    Ix_Decref(ctx, counter);
    ixh_leave(ctx);
}

/* factorial(n) against the driver's own digits, and the exact digit count. */
static void op_fact(Worker *w, IxInterp *interp)
{
    int64_t n = rand_in(&w->rng, FACT_LO, FACT_HI);
    const char *want = w->world->fact[n];
    char text[FACT_LIMBS * 9 + 1];
    IxContext *ctx = ENTER(interp);
    IxObject *fact = IMPORT(ctx, "fact");

    CHECK_EQ_STR(WANT_TEXT(ctx, ixd_call_ints(ctx, fact, "factorial", INTS(n)), text), want);
    CHECK_EQ_INT(WANT_INT(ctx, ixd_call_ints(ctx, fact, "factorial_digits", INTS(n))),
                 strlen(want));
    Ix_Decref(ctx, fact);
    ixh_leave(ctx);
}

/* [k, "item-k", {"list": [k, 2.5, None], "tuple": (True, "x")}] */
static IxObject *nested_value(IxContext *ctx, int64_t k)
{
    IxObject *list = CHECK_OK(ctx, IxList_New(ctx));
    IxObject *dict = CHECK_OK(ctx, IxDict_New(ctx));
    IxObject *inner = CHECK_OK(ctx, IxList_New(ctx));
    IxObject *pair[2];

    APPEND_OWNED(ctx, inner, IxLong_FromInt64(ctx, k));
    APPEND_OWNED(ctx, inner, IxFloat_FromDouble(ctx, 2.5));
    APPEND_OWNED(ctx, inner, Ix_NewRef(ctx, Ix_None(ctx)));
    SET_OWNED(ctx, dict, "list", inner);
    pair[0] = Ix_Builtin(ctx, IX_TRUE);
    pair[1] = CHECK_OK(ctx, IxStr_FromCString(ctx, "x"));
    SET_OWNED(ctx, dict, "tuple", IxTuple_FromArray(ctx, pair, 2));
    Ix_Decref(ctx, pair[1]);
    APPEND_OWNED(ctx, list, IxLong_FromInt64(ctx, k));
    APPEND_OWNED(ctx, list, IxStr_FromFormat(ctx, "item-%" PRId64, k));
    APPEND_OWNED(ctx, list, dict);
    return list;
}

/* probe.echo of a nested value equals a second, independently built copy. */
static void op_echo(Worker *w, IxInterp *interp)
{
    int64_t k = rand_in(&w->rng, 0, 1000000);
    IxContext *ctx = ENTER(interp);
    IxObject *probe = IMPORT(ctx, "probe");
    IxObject *value = nested_value(ctx, k), *twin = nested_value(ctx, k);
    IxObject *back = CHECK_OK(ctx, ixd_call(ctx, probe, "echo", &value, 1));

    CHECK_EQ_INT(Ix_RichCompareBool(ctx, back, twin, IX_EQ), 1);
    Ix_Decref(ctx, back);
    Ix_Decref(ctx, twin);
    Ix_Decref(ctx, value);
    Ix_Decref(ctx, probe);
    ixh_leave(ctx);
}

/* The value API, as the JNI bridge uses it from many threads: handles in, values out. */
static void op_value(Worker *w, IxInterp *interp)
{
    int64_t start = rand_in(&w->rng, -1000, 1000), n = rand_in(&w->rng, FACT_LO, FACT_HI);
    uint8_t *buf = w->buf;
    int64_t counter, c, fact;

    CHECK_STATUS(value_import(interp, "counter", buf, REPLY_SIZE), IXH_OK, buf, REPLY_SIZE);
    counter = reply_handle(buf, REPLY_SIZE, IXD_AT);
    CHECK_STATUS(value_call(interp, counter, "Counter", INTS(start, 3), buf, REPLY_SIZE),
                 IXH_OK, buf, REPLY_SIZE);
    c = reply_handle(buf, REPLY_SIZE, IXD_AT);
    CHECK_STATUS(value_call(interp, c, "increment", NULL, 0, buf, REPLY_SIZE), IXH_OK, buf,
                 REPLY_SIZE);
    CHECK_EQ_INT(reply_int(buf, REPLY_SIZE, IXD_AT), start + 3);

    CHECK_STATUS(value_import(interp, "fact", buf, REPLY_SIZE), IXH_OK, buf, REPLY_SIZE);
    fact = reply_handle(buf, REPLY_SIZE, IXD_AT);
    CHECK_STATUS(value_call(interp, fact, "factorial_digits", INTS(n), buf, REPLY_SIZE),
                 IXH_OK, buf, REPLY_SIZE);
    CHECK_EQ_INT(reply_int(buf, REPLY_SIZE, IXD_AT), strlen(w->world->fact[n]));

    CHECK_EQ_INT(ixh_release(interp, fact), 0);
    CHECK_EQ_INT(ixh_release(interp, c), 0);
    CHECK_EQ_INT(ixh_release(interp, counter), 0);
    CHECK_EQ_INT(ixh_release(interp, c), -1); /* released once only */
}

/* Two interpreters entered at once by one thread: an object of A is refused by B. */
static void op_two(IxInterp *a, IxInterp *b)
{
    IxContext *ca = ENTER(a), *cb = ENTER(b);
    IxObject *cnt_a = IMPORT(ca, "counter"), *cnt_b = IMPORT(cb, "counter");
    IxObject *type = CHECK_OK(ca, Ix_GetAttr(ca, cnt_a, "Counter"));
    IxObject *obj_a = CHECK_OK(ca, CALL0(ca, type, NULL));

    CHECK_ERROR(cb, ixd_call(cb, cnt_b, "value_of", &obj_a, 1),
                "TypeError: argument 1 of counter.value_of() is a counter.Counter object of "
                "interpreter *; objects cannot cross into interpreter *");
    CHECK_EQ_INT(WANT_INT(ca, ixd_call(ca, cnt_a, "value_of", &obj_a, 1)), 0);
    Ix_Decref(ca, obj_a);
    Ix_Decref(ca, type);
    Ix_Decref(cb, cnt_b);
    ixh_leave(cb);
    Ix_Decref(ca, cnt_a);
    ixh_leave(ca);
}

/* A shared-lock module (ABI.md 9.3) in the mix: its code lock is taken by calls and by
 * deallocs, and its library is unloaded and reloaded as interpreters come and go. */
static void op_shared(Worker *w, IxInterp *interp)
{
    int64_t us = rand_in(&w->rng, 0, 10);
    IxContext *ctx = ENTER(interp);
    IxObject *m = IMPORT(ctx, "conc_shared");
    IxObject *token = CHECK_OK(ctx, CALL0(ctx, m, "token"));
    Ix_Decref(ctx, CHECK_OK(ctx, ixd_call_ints(ctx, m, "critical", INTS(us))));
    Ix_Decref(ctx, CHECK_OK(ctx, ixd_call_ints(ctx, m, "critical_released", INTS(us))));
    Ix_Decref(ctx, token); /* Token's dealloc: module code, under the code lock */
    Ix_Decref(ctx, m);
    ixh_leave(ctx);
}

/* Close the slot's interpreter and open a fresh one in its place. */
static void op_recreate(Slot *s)
{
    CHECK_EQ_INT(pthread_rwlock_wrlock(&s->rw), 0);
    CHECK_CLOSE(s->interp);
    s->interp = OPEN();
    CHECK_EQ_INT(pthread_rwlock_unlock(&s->rw), 0);
}

static void *worker_run(void *arg)
{
    Worker *w = arg;
    World *world = w->world;
    barrier_wait(&world->start);
    while (ixd_now_us() < world->deadline_us) {
        int64_t pick = rand_in(&w->rng, 0, 99);
        int op = pick < 22 ? OP_COUNTER : pick < 41 ? OP_FACT : pick < 60 ? OP_ECHO
               : pick < 82 ? OP_VALUE : pick < 96 ? OP_TWO : pick < 99 ? OP_SHARED
               : OP_RECREATE;
        Slot *s = &world->slot[rand_in(&w->rng, 0, SLOTS - 1)];
        if (op == OP_RECREATE) {
            op_recreate(s);
        } else if (op == OP_TWO) {
            int64_t i = rand_in(&w->rng, 0, SLOTS - 2), j = rand_in(&w->rng, i + 1, SLOTS - 1);
            IxInterp *a = slot_acquire(&world->slot[i]), *b = slot_acquire(&world->slot[j]);
            op_two(a, b);
            slot_release(&world->slot[j]);
            slot_release(&world->slot[i]);
        } else {
            IxInterp *interp = slot_acquire(s);
            if (op == OP_COUNTER) op_counter(w, interp);
            else if (op == OP_FACT) op_fact(w, interp);
            else if (op == OP_ECHO) op_echo(w, interp);
            else if (op == OP_SHARED) op_shared(w, interp);
            else op_value(w, interp);
            slot_release(s);
        }
        w->ops[op]++;
    }
    return NULL;
}

void ixd_threads(int argc, char **argv)
{
    World world;
    Worker *workers = calloc(THREADS, sizeof *workers);
    pthread_rwlockattr_t attr;
    char *end = NULL;
    double seconds = argc > 0 ? strtod(argv[0], &end) : 2.0, t0, elapsed;
    int64_t total[NOPS] = { 0 }, sum = 0;
    unsigned i, k;

    if (argc > 0 && (*end != '\0' || !(seconds > 0 && seconds <= 3600)))
        ixd_fail(IXD_AT, "  threads: SECONDS must be a number in (0, 3600], got \"%s\"",
                 argv[0]);
    CHECK(workers != NULL);
    watchdog_arm((unsigned)seconds + 30);

    memset(&world, 0, sizeof world);
    for (k = FACT_LO; k <= FACT_HI; k++) world.fact[k] = decimal_factorial(k);
    CHECK_EQ_INT(pthread_rwlockattr_init(&attr), 0);
    CHECK_EQ_INT(pthread_rwlockattr_setkind_np(&attr,
                                               PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP), 0);
    for (i = 0; i < SLOTS; i++) {
        CHECK_EQ_INT(pthread_rwlock_init(&world.slot[i].rw, &attr), 0);
        world.slot[i].interp = OPEN();
    }
    CHECK_EQ_INT(pthread_rwlockattr_destroy(&attr), 0);
    CHECK_EQ_INT(pthread_barrier_init(&world.start, NULL, THREADS), 0);

    t0 = ixd_now_us();
    world.deadline_us = t0 + seconds * 1e6;
    for (i = 0; i < THREADS; i++) {
        workers[i].world = &world;
        workers[i].rng = UINT64_C(0x9E3779B97F4A7C15) * (i + 1); /* fixed seeds, per thread */
        CHECK_EQ_INT(pthread_create(&workers[i].tid, NULL, worker_run, &workers[i]), 0);
    }
    for (i = 0; i < THREADS; i++) CHECK_EQ_INT(pthread_join(workers[i].tid, NULL), 0);
    elapsed = (ixd_now_us() - t0) / 1e6;

    for (i = 0; i < THREADS; i++)
        for (k = 0; k < NOPS; k++) total[k] += workers[i].ops[k];
    for (k = 0; k < NOPS; k++) sum += total[k];
    for (i = 0; i < SLOTS; i++) {
        CHECK_CLOSE(world.slot[i].interp);
        CHECK_EQ_INT(pthread_rwlock_destroy(&world.slot[i].rw), 0);
    }
    CHECK_EQ_INT(pthread_barrier_destroy(&world.start), 0);
    for (k = FACT_LO; k <= FACT_HI; k++) free(world.fact[k]);
    free(workers);
    CHECK_EQ_INT(ixh_live_bytes(), 0);
    CHECK_EQ_INT(ixh_live_interpreters(), 0);
    CHECK_EQ_INT(ixh_loaded_libraries(), 0);
    watchdog_disarm();

    printf("threads: %d threads, %d interpreters, %.2f s: %" PRId64 " ops, %.0f ops/s (",
           THREADS, SLOTS, elapsed, sum, (double)sum / elapsed);
    for (k = 0; k < NOPS; k++)
        printf("%s%s %" PRId64, k ? ", " : "", op_name[k], total[k]);
    printf(")\n");
}

/* ================================================================ two-thread jobs
 *
 * Each of two threads runs `count` calls of module.function(us[, until]), entering its
 * interpreter for each call and leaving after it -- or, for tokens, makes `count` tokens
 * first and drops them all after the start barrier. Both threads start together.
 *
 * A check that the two must NOT overlap runs fixed-length sections (no `until`): long and
 * many enough that a lock that fails to serialize shows as max_inside 2. A check that they
 * MUST overlap passes until=2: the first thread in waits (up to `us`) for the second
 * instead of hoping two fixed-length sections meet, which under Valgrind's one-thread-at-
 * a-time scheduling on a loaded machine they sometimes do not. */

typedef struct Job {
    IxInterp *interp;
    const char *module;
    const char *function; /* "critical" or "critical_released"; NULL: tokens */
    int64_t us;
    int64_t until; /* 0, or end each section once max_inside reaches it */
    int count;
    pthread_barrier_t *start;
    pthread_t tid;
} Job;

#define MAX_TOKENS 64

static void job_calls(Job *j)
{
    int i;
    barrier_wait(j->start);
    for (i = 0; i < j->count; i++) {
        IxContext *ctx = ENTER(j->interp);
        IxObject *m = IMPORT(ctx, j->module);
        IxObject *r = j->until > 0 ? ixd_call_ints(ctx, m, j->function, INTS(j->us, j->until))
                                   : ixd_call_ints(ctx, m, j->function, INTS(j->us));
        Ix_Decref(ctx, CHECK_OK(ctx, r));
        Ix_Decref(ctx, m);
        ixh_leave(ctx);
    }
}

static void job_tokens(Job *j)
{
    IxObject *token[MAX_TOKENS];
    IxContext *ctx = ENTER(j->interp);
    IxObject *m = IMPORT(ctx, j->module);
    int i;
    CHECK(j->count <= MAX_TOKENS);
    for (i = 0; i < j->count; i++) token[i] = CHECK_OK(ctx, CALL0(ctx, m, "token"));
    Ix_Decref(ctx, m);
    ixh_leave(ctx);

    barrier_wait(j->start);
    ctx = ENTER(j->interp);
    for (i = 0; i < j->count; i++) Ix_Decref(ctx, token[i]); /* each runs Token's dealloc */
    ixh_leave(ctx);
}

static void *job_run(void *arg)
{
    Job *j = arg;
    if (j->function) job_calls(j); else job_tokens(j);
    return NULL;
}

/* Both jobs on two threads; back when both are done. */
static void run_pair(Job jobs[2])
{
    pthread_barrier_t start;
    int i;
    CHECK_EQ_INT(pthread_barrier_init(&start, NULL, 2), 0);
    for (i = 0; i < 2; i++) {
        jobs[i].start = &start;
        CHECK_EQ_INT(pthread_create(&jobs[i].tid, NULL, job_run, &jobs[i]), 0);
    }
    for (i = 0; i < 2; i++) CHECK_EQ_INT(pthread_join(jobs[i].tid, NULL), 0);
    CHECK_EQ_INT(pthread_barrier_destroy(&start), 0);
}

/* Run `count` calls of module.function(us[, until]) on each of a and b (a == b: one
 * interpreter, two threads); reset the module's counters first. Returns max_inside(). */
static int64_t pair_max_inside(IxInterp *a, IxInterp *b, const char *module,
                               const char *function, int64_t us, int64_t until, int count)
{
    Job jobs[2] = {
        { a, module, function, us, until, count, NULL, 0 },
        { b, module, function, us, until, count, NULL, 0 },
    };
    module_call0(a, module, "reset");
    run_pair(jobs);
    CHECK_EQ_INT(module_int(a, module, "calls"), 2 * count);
    return module_int(a, module, "max_inside");
}

/* Where the two calls must overlap: each first section waits up to 3 s for the other
 * (until=2), the rest return at once. A lock that serializes them shows as max_inside 1,
 * after 3 s per section. */
#define OVERLAP_WAIT_US 3000000
static void check_overlap(IxInterp *a, IxInterp *b, const char *module, const char *function)
{
    CHECK_EQ_INT(pair_max_inside(a, b, module, function, OVERLAP_WAIT_US, 2, 2), 2);
}

/* ================================================================ shared-lock */

void ixd_shared_lock(int argc, char **argv)
{
    IxInterp *a, *b;
    Job tokens[2];
    IXD_NO_ARGS;

    watchdog_arm(60);
    a = OPEN();
    b = OPEN();

    /* ABI.md 9.3: a shared-lock module never runs on two threads, across interpreters. */
    CHECK_EQ_INT(pair_max_inside(a, b, "conc_shared", "critical", 2000, 0, 50), 1);

    /* The default (per-interpreter lock): two interpreters do overlap. */
    check_overlap(a, b, "conc_parallel", "critical");

    /* Type slots are module code too: deallocs from two interpreters at once, serialized. */
    memset(tokens, 0, sizeof tokens);
    tokens[0].interp = a;
    tokens[1].interp = b;
    tokens[0].module = tokens[1].module = "conc_shared";
    tokens[0].count = tokens[1].count = 25;
    module_call0(a, "conc_shared", "reset");
    run_pair(tokens);
    CHECK_EQ_INT(module_int(a, "conc_shared", "calls"), 50);
    CHECK_EQ_INT(module_int(b, "conc_shared", "max_inside"), 1);

    /* IxLock_Release gives up the shared lock with the interpreter lock, so released
     * sections of a shared-lock module do overlap (a lock kept would show as 1). */
    check_overlap(a, b, "conc_shared", "critical_released");

    CHECK_CLOSE(b);
    CHECK_CLOSE(a);
    watchdog_disarm();
    CHECK_CLEAN();
}

/* ================================================================ lock-release */

void ixd_lock_release(int argc, char **argv)
{
    IxInterp *a;
    IXD_NO_ARGS;

    watchdog_arm(60);
    a = OPEN();
    /* ABI.md 9.1: one interpreter, two threads -- its lock lets one in at a time... */
    CHECK_EQ_INT(pair_max_inside(a, a, "conc_parallel", "critical", 20000, 0, 5), 1);
    /* ...unless the code releases it. */
    check_overlap(a, a, "conc_parallel", "critical_released");
    CHECK_CLOSE(a);
    watchdog_disarm();
    CHECK_CLEAN();
}

/* ================================================================ reentrancy */

typedef struct Waiter {
    IxInterp *interp;
    int64_t handle;
    atomic_int done;
    int status;
    uint8_t buf[REPLY_SIZE];
    pthread_t tid;
} Waiter;

static void *waiter_run(void *arg)
{
    Waiter *w = arg;
    w->status = value_call(w->interp, w->handle, "created", NULL, 0, w->buf, sizeof w->buf);
    atomic_store(&w->done, 1);
    return NULL;
}

/* Every value-API call on `interp` from this thread, which is inside it, is refused
 * with `expected`, without waiting and without touching the interpreter. */
static void value_api_refused(IxInterp *interp, int64_t h, const char *expected)
{
    uint8_t buf[REPLY_SIZE];
    char text[REPLY_SIZE];
    IxWire w;

    CHECK_STATUS(value_call(interp, h, "created", NULL, 0, buf, sizeof buf), IXH_ERROR, buf,
                 sizeof buf);
    CHECK_EQ_STR(ixd_reply_text(buf, sizeof buf, text, sizeof text), expected);
    CHECK_STATUS(value_import(interp, "fact", buf, sizeof buf), IXH_ERROR, buf, sizeof buf);
    CHECK_EQ_STR(ixd_reply_text(buf, sizeof buf, text, sizeof text), expected);
    ixw_init(&w, buf, sizeof buf);
    ixw_cstr(&w, "Counter");
    CHECK_STATUS(ixh_getattr(interp, h, buf, w.len, sizeof buf), IXH_ERROR, buf, sizeof buf);
    CHECK_EQ_STR(ixd_reply_text(buf, sizeof buf, text, sizeof text), expected);
    CHECK_STATUS(ixh_describe(interp, h, buf, 0, sizeof buf), IXH_ERROR, buf, sizeof buf);
    CHECK_EQ_STR(ixd_reply_text(buf, sizeof buf, text, sizeof text), expected);
    CHECK_STATUS(ixh_expand(interp, h, buf, 0, sizeof buf), IXH_ERROR, buf, sizeof buf);
    CHECK_EQ_STR(ixd_reply_text(buf, sizeof buf, text, sizeof text), expected);
    CHECK_EQ_INT(ixh_release(interp, h), -1); /* refused: the handle lives on (used below) */
}

void ixd_reentrancy(int argc, char **argv)
{
    uint8_t buf[REPLY_SIZE];
    char expected[256], text[512];
    IxInterp *a, *b;
    IxContext *ctx, *cb;
    IxObject *m;
    int64_t h, hb;
    Waiter *waiter = calloc(1, sizeof *waiter);
    IXD_NO_ARGS;

    CHECK(waiter != NULL);
    watchdog_arm(30);
    a = OPEN();
    b = OPEN();
    CHECK_STATUS(value_import(a, "counter", buf, sizeof buf), IXH_OK, buf, sizeof buf);
    h = reply_handle(buf, sizeof buf, IXD_AT); /* obtained before entering */
    snprintf(expected, sizeof expected,
             "RuntimeError: interpreter %lld is already entered by this thread; re-entrant "
             "calls into the same interpreter are not supported",
             (long long)ixh_interp_id(a));

    ctx = ENTER(a);
    /* An error pending in the outer entry: the refusals must leave it alone. */
    IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "outer error");

    CHECK(ixh_enter(a) == NULL);                         /* ABI.md 9.2: refused, no deadlock */
    value_api_refused(a, h, expected);
    CHECK_EQ_INT(ixh_interp_close(a, NULL, 0, NULL), -1); /* closing from inside: refused */
    CHECK_EQ_INT(ixh_interp_handle_count(a), 1);          /* and the statistics answer */
    CHECK_EQ_STR(ixh_error_text(ctx, text, sizeof text), "ValueError: outer error");
    IxErr_Clear(ctx);

    /* Another interpreter meanwhile: both ways in work. */
    cb = ENTER(b);
    m = IMPORT(cb, "counter");
    CHECK_EQ_INT(WANT_INT(cb, CALL0(cb, m, "created")), 0);
    Ix_Decref(cb, m);
    ixh_leave(cb);
    CHECK_STATUS(value_import(b, "counter", buf, sizeof buf), IXH_OK, buf, sizeof buf);
    hb = reply_handle(buf, sizeof buf, IXD_AT);
    CHECK_EQ_INT(ixh_release(b, hb), 0);

    /* The entry itself is as good as before. */
    m = IMPORT(ctx, "counter");
    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, m, "created")), 0);
    Ix_Decref(ctx, m);

    /* Refusal is for this thread only: another thread waits for the lock, as it should. */
    waiter->interp = a;
    waiter->handle = h;
    CHECK_EQ_INT(pthread_create(&waiter->tid, NULL, waiter_run, waiter), 0);
    sleep_ms(100);
    CHECK(!atomic_load(&waiter->done));
    ixh_leave(ctx);
    CHECK_EQ_INT(pthread_join(waiter->tid, NULL), 0);
    CHECK_STATUS(waiter->status, IXH_OK, waiter->buf, sizeof waiter->buf);
    CHECK_EQ_INT(reply_int(waiter->buf, sizeof waiter->buf, IXD_AT), 0);

    /* After leave, everything works again from this thread. */
    CHECK_STATUS(value_call(a, h, "created", NULL, 0, buf, sizeof buf), IXH_OK, buf, sizeof buf);
    CHECK_EQ_INT(reply_int(buf, sizeof buf, IXD_AT), 0);
    ctx = ENTER(a);
    ixh_leave(ctx);
    CHECK_EQ_INT(ixh_release(a, h), 0);

    free(waiter);
    CHECK_CLOSE(b);
    CHECK_CLOSE(a);
    watchdog_disarm();
    CHECK_CLEAN();
}

/* ================================================================ legacy-copies */

/* Lines of /proc/self/maps that map an anonymous in-memory file (memfd). */
static int memfd_mappings(void)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    char *line = NULL;
    size_t cap = 0;
    int n = 0;
    if (!maps) ixd_fail(IXD_AT, "  /proc/self/maps: %s", strerror(errno));
    while (getline(&line, &cap, maps) != -1)
        if (strstr(line, "/memfd:")) n++;
    free(line);
    fclose(maps);
    return n;
}

static IxInterp *open_private_copies(void)
{
    IxInterpConfig config;
    IxInterp *interp;
    memset(&config, 0, sizeof config);
    config.module_path = ixd_opt.module_path;
    config.legacy_private_copies = 1;
    interp = ixh_interp_new(&config);
    CHECK(interp != NULL);
    return interp;
}

static int64_t legacy_count(IxContext *ctx, IxObject *m)
{
    return WANT_INT(ctx, CALL0(ctx, m, "count"));
}

void ixd_legacy_copies(int argc, char **argv)
{
    char expected[1024];
    IxInterp *a, *b, *c, *d;
    IxContext *ca, *cb, *cc, *cd;
    IxObject *ma, *mb, *md, *type_a, *type_b, *point_b;
    int memfd_before = memfd_mappings();
    IXD_NO_ARGS;

    watchdog_arm(60);
    a = OPEN();
    ca = ENTER(a);
    ma = IMPORT(ca, "legacy_point");
    CHECK_EQ_INT(legacy_count(ca, ma), 1);
    CHECK_EQ_INT(legacy_count(ca, ma), 2);

    /* ABI.md 7.4: B opted in, so it gets a private copy with its own C globals. */
    b = open_private_copies();
    cb = ENTER(b);
    mb = IMPORT(cb, "legacy_point");
    CHECK_EQ_INT(legacy_count(cb, mb), 1);
    CHECK_EQ_INT(legacy_count(ca, ma), 3);
    CHECK_EQ_INT(legacy_count(cb, mb), 2);
    CHECK(memfd_mappings() > memfd_before);

    /* ...and its own static types. */
    type_a = CHECK_OK(ca, Ix_GetAttr(ca, ma, "Point"));
    type_b = CHECK_OK(cb, Ix_GetAttr(cb, mb, "Point"));
    CHECK(type_a != type_b);
    point_b = CHECK_OK(cb, CALL0(cb, type_b, NULL));
    CHECK_EQ_STR(IxType_GetName(cb, Ix_Type(cb, point_b)), "legacy_point.Point");
    CHECK(Ix_Type(cb, point_b) == type_b);
    Ix_Decref(cb, point_b);
    Ix_Decref(cb, type_b);
    Ix_Decref(ca, type_a);

    /* A second opted-in interpreter gets a copy of its own too. */
    d = open_private_copies();
    cd = ENTER(d);
    md = IMPORT(cd, "legacy_point");
    CHECK_EQ_INT(legacy_count(cd, md), 1);
    CHECK_EQ_INT(legacy_count(cb, mb), 3);

    /* C did not opt in: still the ImportError of ABI.md 7.3, naming the first loader. */
    c = OPEN();
    cc = ENTER(c);
    snprintf(expected, sizeof expected,
             "ImportError: module 'legacy_point' uses single-phase init and static types "
             "(legacy_point.Point, legacy_point.Line) and is loaded in interpreter %lld; it "
             "cannot be loaded in several interpreters. See abi/MIGRATION.md to make it "
             "multiphase",
             (long long)ixh_interp_id(a));
    CHECK_ERROR(cc, ixh_import_module(cc, "legacy_point"), expected);
    ixh_leave(cc);
    CHECK_CLOSE(c);

    Ix_Decref(cd, md);
    ixh_leave(cd);
    CHECK_CLOSE(d);
    Ix_Decref(cb, mb);
    ixh_leave(cb);
    CHECK_CLOSE(b);
    CHECK_EQ_INT(memfd_mappings(), memfd_before); /* the copies are gone with their users */

    CHECK_EQ_INT(legacy_count(ca, ma), 4); /* A never noticed */
    Ix_Decref(ca, ma);
    ixh_leave(ca);
    CHECK_CLOSE(a);
    CHECK_EQ_INT(ixh_loaded_libraries(), 0);
    CHECK_EQ_INT(ixh_live_bytes(), 0);
    watchdog_disarm();
    CHECK_CLEAN();
}
