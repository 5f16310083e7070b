/*
 * bench.c -- `bench [N]`: what crossing to a worker costs, printed, never asserted (the
 * machine is shared and noisy; docs/benchmarks.md has the figures and the load):
 *  - a trivial call round trip, probe.echo(1), over the socket vs ixh_call in process:
 *    medians of N single calls each, timed one by one, interleaved in rounds;
 *  - the transport alone (transport.c): socket vs a shared-memory word;
 *  - worker start (spawn, connect, hello) and start + new interpreter + import counter:
 *    medians of N / 100 (at least 20) fresh workers, beside the machine's floor: a
 *    posix_spawn of /bin/true and its waitpid.
 */
#include <spawn.h>
#include <string.h>

extern char **environ;

#include "isolex_host.h"
#include "protocol.h"
#include "wtest.h"

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, by_value);
    return v[n / 2];
}

static size_t echo_request(uint8_t *buf, size_t cap)
{
    IxWire w;
    ixw_init(&w, buf, cap);
    ixw_cstr(&w, "echo");
    ixw_count(&w, IXW_TUPLE, 1);
    ixw_int(&w, 1);
    return w.len;
}

static void round_trips(int n)
{
    IxwkClient c;
    int64_t interp, probe = wt_start_with(&c, NULL, "probe", &interp);
    IxInterpConfig config = {.module_path = wt_module_path()};
    IxInterp *local = ixh_interp_new(&config);
    uint8_t req[64], buf[256];
    size_t len = echo_request(req, sizeof req);
    memcpy(buf, req, len);
    CHECK(ixh_import(local, buf, wt_import_request(buf, sizeof buf, "probe"), sizeof buf) == IXH_OK,
          "import");
    int64_t local_probe = ixwk_get_i64(buf + 1);
    double *remote = malloc(sizeof(double) * (size_t)n), *inproc = malloc(sizeof(double) * (size_t)n);
    for (int i = 0; i < n / 10; i++)  /* warm up */
        ixwk_client_request(&c, IXWK_OP_CALL, interp, probe, 256, req, len);
    for (int i = 0; i < n; i++) {
        double t0 = wt_now_us();
        CHECK(ixwk_client_request(&c, IXWK_OP_CALL, interp, probe, 256, req, len) == 0 &&
                  c.status == IXH_OK, "echo");
        double t1 = wt_now_us();
        memcpy(buf, req, len);
        CHECK(ixh_call(local, local_probe, buf, len, sizeof buf) == IXH_OK, "echo");
        double t2 = wt_now_us();
        remote[i] = t1 - t0;
        inproc[i] = t2 - t1;
    }
    double r = median(remote, n), l = median(inproc, n);
    printf("bench: trivial call probe.echo(1), median of %d: worker %.2f us, in process %.3f us"
           " (%.0fx); worker p90 %.2f us\n", n, r, l, r / l, remote[n * 9 / 10]);
    free(remote);
    free(inproc);
    ixh_interp_close(local, NULL, 0, NULL);
    ixwk_client_finish(&c);
    ixwk_client_free(&c);
}

/* The floor: posix_spawn of /bin/true and its reaping, on this machine, in this run. */
static double spawn_floor(int n)
{
    double *t = malloc(sizeof(double) * (size_t)n);
    for (int i = 0; i < n; i++) {
        char *argv[] = {"true", NULL};
        pid_t pid;
        double t0 = wt_now_us();
        CHECK(posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) == 0, "spawn");
        waitpid(pid, NULL, 0);
        t[i] = wt_now_us() - t0;
    }
    double m = median(t, n);
    free(t);
    return m;
}

static void starts(int n)
{
    double *hello = malloc(sizeof(double) * (size_t)n), *ready = malloc(sizeof(double) * (size_t)n);
    double *stop = malloc(sizeof(double) * (size_t)n);
    for (int i = 0; i < n; i++) {
        IxwkClient c;
        int64_t interp;
        double t0 = wt_now_us();
        CHECK(ixwk_client_start(&c, wt_worker(), NULL) == 0, "start");
        double t1 = wt_now_us();
        ixwk_client_free(&c);
        double t2 = wt_now_us();
        wt_start_with(&c, NULL, "counter", &interp);
        double t3 = wt_now_us();
        ixwk_client_finish(&c);
        double t4 = wt_now_us();
        ixwk_client_free(&c);
        hello[i] = t1 - t0;
        ready[i] = t3 - t2;
        stop[i] = t4 - t3;
    }
    printf("bench: worker start to hello, median of %d: %.0f us (posix_spawn of /bin/true + "
           "waitpid: %.0f us)\n", n, median(hello, n), spawn_floor(n));
    printf("bench: worker start + interpreter + import counter, median of %d: %.0f us\n", n,
           median(ready, n));
    printf("bench: worker close (socket closed to exit reaped), median of %d: %.0f us\n", n,
           median(stop, n));
    free(hello);
    free(ready);
    free(stop);
}

int wt_bench(int argc, char **argv)
{
    int n = argc > 0 ? atoi(argv[0]) : 20000;
    if (n < 100)
        n = 100;
    round_trips(n);
    wt_transport_floor(n);
    starts(n / 100 < 20 ? 20 : n / 100);
    return 0;
}
