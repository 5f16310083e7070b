/*
 * scenarios_interrupt.c -- `interrupt` (ABI 1.3, ABI.md 6.10-6.16, 12.80-12.84): a call
 * polls Ix_CheckInterrupt; ixh_interp_interrupt, from another thread, asks it to stop.
 *
 * In an entry (ixh_enter), plain and debug: nothing asked polls 0, a request naming
 * another call is not this one's, the two reasons and their exact errors, a request stays
 * for the whole entry and is gone at the next, a bad reason is refused, the rule breakers
 * of test-ext interrupts. Then the value API on threads (TSan watches the word): two
 * interpreters, each running a long fact.factorial_digits that the main thread stops (one
 * interrupted, one past its deadline), each usable after; and two threads on one
 * interpreter, the one waiting for the lock named: the holder's call completes, the
 * waiter's is interrupted once it runs.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "driver.h"
#include "wire_read.h"

#define REPLY 512
/* Long enough that a request always lands first (seconds uninterrupted); polled every
 * ~100 us of work (extensions/fact/bignum.c). */
#define LONG_N 2000000

/* ---------------------------------------------------------------- in an entry */

static void in_entry(int debug)
{
    IxInterp *in = OPEN_MODE(debug);
    IxContext *ctx = ENTER(in);
    IxObject *m = IMPORT(ctx, "interrupts"); /* its exec polls: nothing asked */
    char text[256];

    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, m, "poll")), 0);
    CHECK_EQ_INT(WANT_INT(ctx, ixd_call_ints(ctx, m, "spin", INTS(100))), 100);
    CHECK_EQ_INT(ixh_interp_interrupt(in, 0, 3), -1);           /* no such reason */
    CHECK_EQ_INT(ixh_interp_interrupt(in, 0, 0), -1);
    CHECK_EQ_INT(ixh_interp_interrupt(in, UINT64_MAX, IXH_INTERRUPT_THREAD), -1);
    CHECK_EQ_INT(ixh_interp_interrupt(in, 8, IXH_INTERRUPT_THREAD), 0); /* another call's */
    CHECK_EQ_INT(WANT_INT(ctx, ixd_call_ints(ctx, m, "spin", INTS(100))), 100);
    CHECK_EQ_INT(ixh_interp_interrupt(in, 0, IXH_INTERRUPT_THREAD), 0);
    CHECK_ERROR(ctx, CALL0(ctx, m, "spin"), "InterruptedError: the call was interrupted");
    CHECK_ERROR(ctx, CALL0(ctx, m, "poll"), "InterruptedError: the call was interrupted"); /* stays */
    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, m, "swallow")), 4);
    CHECK_ERROR(ctx, CALL0(ctx, m, "ignore"),
                "SystemError: interrupts.ignore() returned a result with an error set"
                " <- InterruptedError: the call was interrupted");
    CHECK_EQ_INT(ixh_interp_interrupt(in, 0, IXH_INTERRUPT_DEADLINE), 0); /* the last one wins */
    CHECK_ERROR(ctx, CALL0(ctx, m, "spin"), "TimeoutError: the call's deadline has passed");
    /* a dealloc that polls: recorded, not raised (ABI.md 6.8); the call goes on */
    Ix_Decref(ctx, CHECK_OK(ctx, CALL0(ctx, m, "in_dealloc")));
    CHECK_EQ_INT(ixh_interp_unraisable(in, NULL, 0, NULL), 1);
    ixh_leave(ctx);

    ctx = ENTER(in); /* a new entry: the request is gone */
    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, m, "poll")), 0);
    IxObject *fact = IMPORT(ctx, "fact");
    CHECK_EQ_STR(WANT_TEXT(ctx, ixd_call_ints(ctx, fact, "factorial", INTS(10)), text), "3628800");
    Ix_Decref(ctx, fact);
    Ix_Decref(ctx, m);
    ixh_leave(ctx);
    CHECK_CLOSE(in);
}

/* ---------------------------------------------------------------- the value API, threads */

typedef struct Caller {
    IxInterp *interp;
    int64_t fact;          /* the module's handle */
    int64_t n;
    uint8_t buf[REPLY];    /* the call's request and reply: its name for a request */
    int status;
    _Atomic int done;
} Caller;

static int value_import(IxInterp *in, const char *name, uint8_t *buf, size_t cap)
{
    IxWire w;
    ixw_init(&w, buf, cap);
    ixw_cstr(&w, name);
    return ixh_import(in, buf, w.len, cap);
}

static int64_t import_fact(IxInterp *in)
{
    uint8_t buf[REPLY];
    CHECK_STATUS(value_import(in, "fact", buf, sizeof buf), IXH_OK, buf, sizeof buf);
    IxdReader r;
    ixd_reader_init(&r, buf, sizeof buf);
    char type[64];
    return ixd_read_handle(&r, type, sizeof type);
}

static void *run_call(void *arg)
{
    Caller *k = arg;
    IxWire w;
    ixw_init(&w, k->buf, sizeof k->buf);
    ixw_cstr(&w, "factorial_digits");
    ixw_count(&w, IXW_TUPLE, 1);
    ixw_int(&w, k->n);
    k->status = ixh_call(k->interp, k->fact, k->buf, w.len, sizeof k->buf);
    atomic_store(&k->done, 1);
    return NULL;
}

static void start(Caller *k, IxInterp *in, int64_t fact, int64_t n, pthread_t *t)
{
    k->interp = in;
    k->fact = fact;
    k->n = n;
    atomic_store(&k->done, 0);
    CHECK(pthread_create(t, NULL, run_call, k) == 0);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

/* What Java's InterruptWatcher does: raise the request every few ms until the call ends
 * (a request raised before the call began is dropped as it begins, ABI.md 12.82). */
static void raise_until_done(Caller *k, uint64_t call, int reason)
{
    while (!atomic_load(&k->done)) {
        CHECK_EQ_INT(ixh_interp_interrupt(k->interp, call, reason), 0);
        sleep_ms(2);
    }
}

static const char *reply(Caller *k, char *out, size_t cap)
{
    return ixd_reply_text(k->buf, sizeof k->buf, out, cap);
}

/* Two interpreters, a long call in each, stopped from this thread: one interrupted, one
 * past its deadline; each then answers a short call. */
static void two_interpreters(void)
{
    IxInterp *a = OPEN(), *b = OPEN();
    int64_t fa = import_fact(a), fb = import_fact(b);
    static Caller ka, kb;
    pthread_t ta, tb;
    char text[REPLY];
    start(&ka, a, fa, LONG_N, &ta);
    start(&kb, b, fb, LONG_N, &tb);
    sleep_ms(20);
    raise_until_done(&ka, (uint64_t)(uintptr_t)ka.buf, IXH_INTERRUPT_THREAD);
    raise_until_done(&kb, (uint64_t)(uintptr_t)kb.buf, IXH_INTERRUPT_DEADLINE);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    CHECK_EQ_INT(ka.status, IXH_ERROR);
    CHECK_EQ_STR(reply(&ka, text, sizeof text), "InterruptedError: the call was interrupted");
    CHECK_EQ_INT(kb.status, IXH_ERROR);
    CHECK_EQ_STR(reply(&kb, text, sizeof text), "TimeoutError: the call's deadline has passed");
    /* usable after, and a later call is not hit by the old request */
    ixh_interp_interrupt(a, 0, IXH_INTERRUPT_THREAD); /* no call in flight: dropped at the next */
    start(&ka, a, fa, 1000, &ta);
    pthread_join(ta, NULL);
    CHECK_EQ_STR(reply(&ka, text, sizeof text), "2568");
    CHECK(ixh_release(a, fa) == IXH_OK && ixh_release(b, fb) == IXH_OK);
    CHECK_CLOSE(a);
    CHECK_CLOSE(b);
}

/* One interpreter, two threads: the request names the call waiting for the lock, so the
 * call holding it completes; the waiter's call is interrupted once it runs. */
static void waiter_named(void)
{
    IxInterp *in = OPEN();
    int64_t f = import_fact(in);
    static Caller holder, waiter;
    pthread_t th, tw;
    char text[REPLY];
    start(&holder, in, f, 60000, &th);
    sleep_ms(5);
    start(&waiter, in, f, LONG_N, &tw);
    raise_until_done(&waiter, (uint64_t)(uintptr_t)waiter.buf, IXH_INTERRUPT_THREAD);
    pthread_join(th, NULL);
    pthread_join(tw, NULL);
    CHECK_EQ_INT(holder.status, IXH_OK);
    CHECK_EQ_STR(reply(&holder, text, sizeof text), "260635");
    CHECK_EQ_STR(reply(&waiter, text, sizeof text), "InterruptedError: the call was interrupted");
    CHECK(ixh_release(in, f) == IXH_OK);
    CHECK_CLOSE(in);
}

void ixd_interrupt(int argc, char **argv)
{
    IXD_NO_ARGS;
    in_entry(0);
    in_entry(1);
    two_interpreters();
    waiter_named();
}
