/*
 * watchdog.c -- no orphans: the worker ends when its parent goes away, even while an
 * extension call loops for ever on the main thread.
 *
 * A thread polls, every WATCH_PERIOD_MS, for the two signs of a gone parent:
 *  - the socket hung up (POLLRDHUP/POLLHUP): the kernel closes a dead process's
 *    descriptors, SIGKILL included;
 *  - getppid() changed: the worker was re-parented (to init or a subreaper). This one
 *    also covers a parent whose socket lives on in another process that inherited it.
 * Then: during a request (extension code may never return) the process ends at once with
 * _exit(IXWK_EXIT_ORPHAN) -- no atexit handler, no interpreter close, nothing that could
 * hang. Idle, the main thread sees the end of file itself and closes every interpreter
 * (serve.c); the watchdog gives that close CLOSE_GRACE_MS and then ends it the same way.
 *
 * Why not PR_SET_PDEATHSIG alone: it fires when the *thread* that forked the worker ends,
 * not its process. In a JVM that is whichever Java thread called ProcessBuilder.start(),
 * so a pool thread retiring would kill a healthy worker. It is not used, not even as a
 * second line: the poll above is already bounded by WATCH_PERIOD_MS.
 *
 * The thread blocks every signal (the fatal ones must reach the main thread, whose
 * alternate stack handles them) and touches nothing but the socket descriptor (poll does
 * not read it) and ixwk_current.busy.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "protocol.h"
#include "worker.h"

#define WATCH_PERIOD_MS 100
#define CLOSE_GRACE_MS 2000

static int watched_fd;
static pid_t parent_pid;

static int parent_gone(void)
{
    struct pollfd p = {.fd = watched_fd, .events = POLLRDHUP};
    /* Only hang-up events are asked for: a pending request (POLLIN) does not wake us. */
    int r = poll(&p, 1, WATCH_PERIOD_MS);
    if (getppid() != parent_pid)
        return 1;
    return r > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL));
}

static void *watch(void *unused)
{
    int grace = CLOSE_GRACE_MS / WATCH_PERIOD_MS;
    for (;;) {
        if (!parent_gone())
            continue;
        if (atomic_load(&ixwk_current.busy) == 1 || grace-- <= 0)
            _exit(IXWK_EXIT_ORPHAN);
        /* idle or closing: the main thread is finishing; poll would return at once now */
        struct timespec t = {0, WATCH_PERIOD_MS * 1000000L};
        nanosleep(&t, NULL);
    }
    return NULL;
}

int ixwk_watchdog_start(int fd, pid_t parent)
{
    watched_fd = fd;
    parent_pid = parent;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);  /* the thread inherits the full mask */
    pthread_t thread;
    int rc = pthread_create(&thread, NULL, watch, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return -1;
    pthread_detach(thread);
    return 0;
}
