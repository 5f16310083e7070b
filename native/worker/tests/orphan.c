/*
 * orphan.c -- `orphan [busy|idle]`: a middle process starts a worker and (busy) sends it
 * crasher.loop(), which never returns, or (idle) nothing; then the middle is SIGKILLed.
 * The worker must end by itself within a bounded time (watchdog.c): busy, with
 * IXWK_EXIT_ORPHAN at once; idle, with a clean exit after closing its interpreter.
 *
 * This process makes itself a child subreaper, so the orphaned worker is re-parented to
 * it (not to init): getppid() changes for the worker as it would, and we can reap it and
 * read its exit status.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "protocol.h"
#include "wtest.h"

#define BOUND_MS 5000  /* what "bounded" means here; the watchdog polls every 100 ms */

static void middle(int out, int busy)
{
    IxwkClient c;
    int64_t interp, crasher = wt_start_with(&c, NULL, "crasher", &interp);
    if (busy)
        wt_send_call(&c, interp, crasher, "loop", 0, 0);
    pid_t pid = c.pid;
    CHECK(write(out, &pid, sizeof pid) == sizeof pid, "pipe");
    for (;;)
        pause();  /* until SIGKILL */
}

int wt_orphan(int argc, char **argv)
{
    int busy = argc == 0 || strcmp(argv[0], "busy") == 0;
    CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0, "subreaper");
    int fds = wt_count_fds();
    int p[2];
    CHECK(pipe2(p, O_CLOEXEC) == 0, "pipe");
    pid_t mid = fork();
    CHECK(mid >= 0, "fork");
    if (mid == 0) {
        close(p[0]);
        middle(p[1], busy);
    }
    close(p[1]);
    pid_t worker;
    CHECK(read(p[0], &worker, sizeof worker) == sizeof worker, "the middle started a worker");
    close(p[0]);
    struct timespec settle = {0, 200 * 1000000L};  /* the worker is inside loop() now */
    nanosleep(&settle, NULL);
    CHECK(wt_process_exists(worker), "the worker runs");
    double t0 = wt_now_us();
    kill(mid, SIGKILL);
    CHECK(waitpid(mid, NULL, 0) == mid, "reap the middle");
    int status = 0;
    pid_t got = 0;
    while ((got = waitpid(worker, &status, WNOHANG)) == 0 && wt_now_us() - t0 < BOUND_MS * 1e3) {
        struct timespec t = {0, 5 * 1000000L};
        nanosleep(&t, NULL);
    }
    double took = (wt_now_us() - t0) / 1e3;
    if (got == 0)
        kill(worker, SIGKILL);
    CHECK(got == worker, "the worker outlived its parent by %d ms", BOUND_MS);
    int expected = busy ? IXWK_EXIT_ORPHAN : IXWK_EXIT_CLEAN;
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == expected, "worker status %#x, expected exit %d",
          status, expected);
    printf("orphan %s: the worker ended %.1f ms after its parent was killed (exit %d)\n",
           busy ? "busy" : "idle", took, WEXITSTATUS(status));
    CHECK(!wt_process_exists(worker), "worker gone");
    CHECK(wt_count_fds() == fds, "descriptors: %d before, %d after", fds, wt_count_fds());
    return 0;
}
