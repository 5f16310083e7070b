/*
 * transport.c -- the floor under a round trip, for docs/design.md's socket-or-shared-memory
 * decision: an 8-byte ping-pong between this process and a forked child, over a Unix
 * socketpair and over a shared-memory word (spin a while, then sleep on a futex, as a ring
 * would). No interpreter, no frame: only the crossing. Printed by `bench`, never asserted.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "protocol.h"
#include "wtest.h"

#define SPINS 20000  /* ~10-20 us of spinning before sleeping */

typedef struct {
    _Atomic uint32_t seq;          /* odd: the parent's turn is done; even: the child's */
    _Atomic uint32_t sleeping[2];  /* [0] the parent, [1] the child: on the futex */
} Shared;

static void futex(_Atomic uint32_t *word, int op, uint32_t value)
{
    syscall(SYS_futex, (uint32_t *)word, op, value, NULL, NULL, 0);
}

/* Wait until seq == want: spin, then sleep on the futex. Each side has its own sleeping
 * flag (one shared flag lets a waking side clear the other's and lose its wake-up). The
 * flag is set before seq is read again and read after seq is written (both seq_cst), so
 * either the waiter sees the new seq or the poster sees the flag. */
static void await(Shared *s, uint32_t want, int me)
{
    for (int i = 0; i < SPINS; i++)
        if (atomic_load(&s->seq) == want)
            return;
    while (atomic_load(&s->seq) != want) {
        atomic_store(&s->sleeping[me], 1);
        uint32_t seen = atomic_load(&s->seq);
        if (seen != want)
            futex(&s->seq, FUTEX_WAIT, seen);
        atomic_store(&s->sleeping[me], 0);
    }
}

static void post(Shared *s, uint32_t value, int other)
{
    atomic_store(&s->seq, value);
    if (atomic_load(&s->sleeping[other]))
        futex(&s->seq, FUTEX_WAKE, 1);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median_of(double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, by_value);
    return t[n / 2];
}

static double socket_floor(int n, double *t)
{
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0, "socketpair");
    pid_t child = fork();
    CHECK(child >= 0, "fork");
    uint64_t word = 0;
    if (child == 0) {
        close(sv[0]);
        while (ixwk_read_full(sv[1], &word, 8) == 0 && ixwk_write_full(sv[1], &word, 8) == 0)
            ;
        _exit(0);
    }
    close(sv[1]);
    for (int i = 0; i < n; i++) {
        double t0 = wt_now_us();
        CHECK(ixwk_write_full(sv[0], &word, 8) == 0 && ixwk_read_full(sv[0], &word, 8) == 0, "ping-pong");
        t[i] = wt_now_us() - t0;
    }
    close(sv[0]);
    waitpid(child, NULL, 0);
    return median_of(t, n);
}

static double shm_floor(int n, double *t)
{
    Shared *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(s != MAP_FAILED, "mmap");
    pid_t child = fork();
    CHECK(child >= 0, "fork");
    if (child == 0) {
        for (uint32_t i = 0;; i++) {
            await(s, 2 * i + 1, 1);
            post(s, 2 * i + 2, 0);
        }
    }
    for (int i = 0; i < n; i++) {
        double t0 = wt_now_us();
        post(s, 2 * (uint32_t)i + 1, 1);
        await(s, 2 * (uint32_t)i + 2, 0);
        t[i] = wt_now_us() - t0;
    }
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    munmap(s, 4096);
    return median_of(t, n);
}

void wt_transport_floor(int n)
{
    double *t = malloc(sizeof(double) * (size_t)n);
    double sock = socket_floor(n, t), shm = shm_floor(n, t);
    printf("bench: transport floor, 8-byte ping-pong between two processes, median of %d: "
           "Unix socket %.2f us, shared memory (spin, then futex) %.2f us\n", n, sock, shm);
    free(t);
}
