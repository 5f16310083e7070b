/*
 * frame.c -- whole reads and writes on the socket, for both ends (the worker and the C
 * client of client.c). The socket is blocking: the worker serves one request at a time,
 * and a short read or write only means "not all yet".
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "protocol.h"

int ixwk_read_full(int fd, void *buf, size_t n)
{
    uint8_t *p = buf;
    size_t done = 0;
    while (done < n) {
        ssize_t r = read(fd, p + done, n - done);
        if (r > 0) {
            done += (size_t)r;
        } else if (r == 0) {
            errno = done == 0 ? 0 : EPIPE;  /* end of file: clean only between frames */
            return -1;
        } else if (errno != EINTR) {
            return -1;
        }
    }
    return 0;
}

int ixwk_write_full(int fd, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    size_t done = 0;
    while (done < n) {
        /* MSG_NOSIGNAL would need send(); SIGPIPE is ignored by both ends instead
         * (main.c; a parent that is a JVM ignores it too) and EPIPE comes back here. */
        ssize_t w = write(fd, p + done, n - done);
        if (w > 0)
            done += (size_t)w;
        else if (w < 0 && errno != EINTR)
            return -1;
    }
    return 0;
}

int ixwk_reader_read(IxwkReader *r, void *dst, size_t n)
{
    uint8_t *p = dst;
    size_t done = 0;
    while (done < n) {
        if (r->start < r->end) {
            size_t k = r->end - r->start < n - done ? r->end - r->start : n - done;
            memcpy(p + done, r->buf + r->start, k);
            r->start += k;
            done += k;
            continue;
        }
        if (n - done >= sizeof r->buf) {  /* a big payload: straight to its place */
            if (ixwk_read_full(r->fd, p + done, n - done) != 0) {
                if (done > 0 && errno == 0)
                    errno = EPIPE;
                return -1;
            }
            return 0;
        }
        ssize_t got = read(r->fd, r->buf, sizeof r->buf);
        if (got > 0) {
            r->start = 0;
            r->end = (size_t)got;
        } else if (got == 0) {
            errno = done == 0 ? 0 : EPIPE;
            return -1;
        } else if (errno != EINTR) {
            return -1;
        }
    }
    return 0;
}
