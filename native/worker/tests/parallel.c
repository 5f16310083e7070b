/*
 * parallel.c -- `parallel [N]`: two threads of this process, each with a worker of its
 * own, at once. Thread 1 makes a counter.Counter and calls increment() N times, checking
 * every result; thread 2 pings crasher a few times, then crashes its worker with
 * segfault(). The crash ends only thread 2's worker: thread 1's calls all answer, its
 * interpreter closes clean (leak report value 0), both workers are reaped, no descriptor
 * is left.
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "isolex_host.h"
#include "protocol.h"
#include "wtest.h"

static int calls = 2000;

static void *counting(void *unused)
{
    IxwkClient c;
    int64_t interp, counter = wt_start_with(&c, NULL, "counter", &interp);
    uint8_t buf[256];
    IxWire w;
    ixw_init(&w, buf, sizeof buf);
    ixw_cstr(&w, "Counter");
    CHECK(ixwk_client_request(&c, IXWK_OP_GETATTR, interp, counter, 256, buf, w.len) == 0 &&
              c.payload[0] == IXW_HANDLE, "counter.Counter");
    int64_t type = ixwk_get_i64(c.payload + 1);
    ixw_init(&w, buf, sizeof buf);
    ixw_tag(&w, IXW_NONE);
    ixw_count(&w, IXW_TUPLE, 0);
    CHECK(ixwk_client_request(&c, IXWK_OP_CALL, interp, type, 256, buf, w.len) == 0 &&
              c.payload[0] == IXW_HANDLE, "Counter()");
    int64_t obj = ixwk_get_i64(c.payload + 1);
    for (int i = 1; i <= calls; i++) {
        wt_send_call(&c, interp, obj, "increment", 0, 0);
        CHECK(ixwk_client_receive(&c) == 0 && c.status == IXWK_OK && c.payload[0] == IXW_INT &&
                  ixwk_get_i64(c.payload + 1) == i, "increment() number %d", i);
    }
    CHECK(ixwk_client_request(&c, IXWK_OP_RELEASE, interp, obj, 0, NULL, 0) == 0 && c.value == 0,
          "release");
    CHECK(ixwk_client_request(&c, IXWK_OP_INTERP_CLOSE, interp, 0, 4096, NULL, 0) == 0 &&
              c.value == 0, "close: clean");
    int status = ixwk_client_finish(&c);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "counting worker: status %#x", status);
    ixwk_client_free(&c);
    return NULL;
}

static void *crashing(void *unused)
{
    IxwkClient c;
    int64_t interp, crasher = wt_start_with(&c, NULL, "crasher", &interp);
    for (int i = 0; i < 10; i++) {
        wt_send_call(&c, interp, crasher, "ping", 0, 0);
        CHECK(ixwk_client_receive(&c) == 0 && c.status == IXWK_OK, "ping");
    }
    wt_send_call(&c, interp, crasher, "segfault", 0, 0);
    CHECK(ixwk_client_receive(&c) != 0, "segfault() never answers");
    int status = ixwk_client_finish(&c);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, "crashing worker: status %#x",
          status);
    ixwk_client_free(&c);
    return NULL;
}

int wt_parallel(int argc, char **argv)
{
    if (argc > 0)
        calls = atoi(argv[0]);
    int fds = wt_count_fds();
    pthread_t a, b;
    CHECK(pthread_create(&a, NULL, counting, NULL) == 0, "thread");
    CHECK(pthread_create(&b, NULL, crashing, NULL) == 0, "thread");
    pthread_join(b, NULL);
    pthread_join(a, NULL);
    CHECK(wt_count_fds() == fds, "descriptors: %d before, %d after", fds, wt_count_fds());
    printf("parallel: %d calls answered in one worker while the other crashed\n", calls);
    return 0;
}
