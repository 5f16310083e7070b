/*
 * protocol.c -- `protocol`: bad input to the worker, each case its exact answer.
 *  - an INTERP_NEW payload of the wrong shape, a module path with a NUL byte: the
 *    ValueErrors of README.md, "Requests", and the worker goes on;
 *  - frames that break the stream (a length shorter than the header, a cap above 1 GiB,
 *    a request cut short by the parent's end): the worker exits 122 (IXWK_EXIT_PROTOCOL),
 *    with its interpreters closed; each in a worker of its own.
 */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "isolex_host.h"
#include "protocol.h"
#include "wtest.h"

static void expect_value_error(IxwkClient *c, const char *message)
{
    CHECK(c->status == IXWK_ERROR && c->payload[0] == IXW_EXCEPTION, "an error");
    size_t tn = ixwk_get_u32(c->payload + 2), mn = ixwk_get_u32(c->payload + 7 + tn);
    CHECK(tn == 10 && memcmp(c->payload + 6, "ValueError", 10) == 0 && mn == strlen(message) &&
              memcmp(c->payload + 11 + tn, message, mn) == 0,
          "expected ValueError: %s, got %.*s", message, (int)mn, (const char *)c->payload + 11 + tn);
}

static void bad_configs(void)
{
    IxwkClient c;
    CHECK(ixwk_client_start(&c, wt_worker(), NULL) == 0, "start");
    uint8_t buf[64];
    IxWire w;
    ixw_init(&w, buf, sizeof buf);
    ixw_int(&w, 0);  /* no path at all */
    CHECK(ixwk_client_request(&c, IXWK_OP_INTERP_NEW, 0, 0, 0, buf, w.len) == 0, "request");
    expect_value_error(&c, "INTERP_NEW wants (str or none, int, int, int)");
    ixw_init(&w, buf, sizeof buf);
    ixw_str(&w, "a\0b", 3);
    ixw_int(&w, 0);
    ixw_int(&w, 0);
    ixw_int(&w, 0);
    CHECK(ixwk_client_request(&c, IXWK_OP_INTERP_NEW, 0, 0, 0, buf, w.len) == 0, "request");
    expect_value_error(&c, "the module path has a NUL byte");
    ixw_init(&w, buf, sizeof buf);  /* one int too many */
    ixw_tag(&w, IXW_NONE);
    for (int i = 0; i < 4; i++)
        ixw_int(&w, 0);
    CHECK(ixwk_client_request(&c, IXWK_OP_INTERP_NEW, 0, 0, 0, buf, w.len) == 0, "request");
    expect_value_error(&c, "INTERP_NEW wants (str or none, int, int, int)");
    CHECK(ixwk_client_request(&c, IXWK_OP_LIVE_INTERPRETERS, 0, 0, 0, NULL, 0) == 0 &&
              c.value == 0, "no interpreter was made, and the worker still answers");
    int status = ixwk_client_finish(&c);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
    ixwk_client_free(&c);
}

/* A worker with one interpreter gets `bytes` raw, then the end of the stream. */
static void broken_stream(const char *what, const uint8_t *bytes, size_t n)
{
    IxwkClient c;
    int64_t interp;
    wt_start_with(&c, NULL, "counter", &interp);
    CHECK(ixwk_write_full(c.fd, bytes, n) == 0, "write");
    shutdown(c.fd, SHUT_WR);
    uint8_t byte;
    CHECK(read(c.fd, &byte, 1) == 0, "%s: no reply", what);
    int status = ixwk_client_finish(&c);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == IXWK_EXIT_PROTOCOL,
          "%s: status %#x, expected exit %d", what, status, IXWK_EXIT_PROTOCOL);
    ixwk_client_free(&c);
}

int wt_protocol(int argc, char **argv)
{
    int fds = wt_count_fds();
    bad_configs();
    uint8_t frame[IXWK_REQUEST_HEADER + 4] = {0};
    ixwk_put_u32(frame, 5);  /* shorter than a header */
    broken_stream("length 5", frame, 4);
    ixwk_put_u32(frame, IXWK_REQUEST_HEADER - 4);
    frame[4] = IXWK_OP_LIVE_BYTES;
    ixwk_put_i64(frame + 28, (int64_t)1 << 40);  /* cap of 1 TiB */
    broken_stream("cap 2^40", frame, IXWK_REQUEST_HEADER);
    ixwk_put_u32(frame, IXWK_REQUEST_HEADER - 4 + 100);  /* 100 payload bytes promised */
    ixwk_put_i64(frame + 28, 0);
    frame[4] = IXWK_OP_IMPORT;
    broken_stream("payload cut short", frame, IXWK_REQUEST_HEADER + 4);
    CHECK(wt_count_fds() == fds, "descriptors: %d before, %d after", fds, wt_count_fds());
    return 0;
}
