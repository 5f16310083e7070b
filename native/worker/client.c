/*
 * client.c -- a parent of ixworker, in C (client.h). The steps are the ones a Java parent
 * takes with ServerSocketChannel and ProcessBuilder (README.md, "A parent, step by step").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"
#include "protocol.h"

extern char **environ;

#define ACCEPT_TIMEOUT_MS 10000

static int listen_on(char *dir, struct sockaddr_un *addr)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, 96, "%s/ixwk-XXXXXX", tmp && strlen(tmp) < 60 ? tmp : P_tmpdir);
    if (mkdtemp(dir) == NULL)
        return -1;
    *addr = (struct sockaddr_un){.sun_family = AF_UNIX};
    snprintf(addr->sun_path, sizeof addr->sun_path, "%s/s", dir);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)addr, sizeof *addr) != 0 || listen(fd, 1) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Accept the worker's connection, unless it dies or the timeout passes first. */
static int accept_worker(int lfd, pid_t pid)
{
    for (int waited = 0; waited < ACCEPT_TIMEOUT_MS; waited += 50) {
        struct pollfd p = {.fd = lfd, .events = POLLIN};
        if (poll(&p, 1, 50) > 0)
            return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return -2;  /* it died before connecting (and is reaped) */
    }
    errno = ETIMEDOUT;
    return -1;
}

int ixwk_client_receive(IxwkClient *c)
{
    uint8_t head[IXWK_REPLY_HEADER];
    if (ixwk_reader_read(c->in, head, sizeof head) != 0)
        return -1;
    uint32_t length = ixwk_get_u32(head);
    if (length < IXWK_REPLY_HEADER - 4 || length > IXWK_MAX_FRAME) {
        errno = EPROTO;
        return -1;
    }
    c->status = head[4];
    c->value = ixwk_get_i64(head + 12);
    c->len = length - (IXWK_REPLY_HEADER - 4);
    if (c->len > c->cap) {
        uint8_t *grown = realloc(c->payload, c->len);
        if (grown == NULL)
            return -1;
        c->payload = grown;
        c->cap = c->len;
    }
    return ixwk_reader_read(c->in, c->payload, c->len);
}

int ixwk_client_start(IxwkClient *c, const char *ixworker, const char *report)
{
    *c = (IxwkClient){.fd = -1, .next_id = 1, .in = calloc(1, sizeof(IxwkReader))};
    if (c->in == NULL)
        return -1;
    char dir[96];
    struct sockaddr_un addr;
    int lfd = listen_on(dir, &addr);
    if (lfd < 0) {
        perror("ixwk_client_start: listen");
        return -1;
    }
    char *argv[] = {(char *)ixworker, "--connect", addr.sun_path, NULL, NULL, NULL};
    if (report != NULL) {
        argv[3] = "--crash-report";
        argv[4] = (char *)report;
    }
    int rc = posix_spawn(&c->pid, ixworker, NULL, NULL, argv, environ);
    if (rc == 0)
        c->fd = accept_worker(lfd, c->pid);
    close(lfd);
    unlink(addr.sun_path);
    rmdir(dir);
    c->in->fd = c->fd;
    if (rc != 0 || c->fd < 0 || ixwk_client_receive(c) != 0) {
        fprintf(stderr, "ixwk_client_start: %s did not start: %s\n", ixworker,
                rc ? strerror(rc) : c->fd == -2 ? "it exited" : strerror(errno));
        if (rc == 0 && c->fd == -2)
            c->pid = 0;  /* already reaped */
        else if (rc == 0)
            kill(c->pid, SIGKILL);
        else
            c->pid = 0;
        ixwk_client_free(c);
        return -1;
    }
    c->hello_pid = c->value;
    /* hello payload: IXW_INT version, IXW_STR ixh_version() */
    if (c->len > 14) {
        size_t n = ixwk_get_u32(c->payload + 10);
        if (n >= sizeof c->version)
            n = sizeof c->version - 1;
        memcpy(c->version, c->payload + 14, n);
        c->version[n] = '\0';
    }
    return 0;
}

int ixwk_client_send(IxwkClient *c, int op, int64_t interp, int64_t target, uint64_t cap,
                     const uint8_t *payload, size_t len)
{
    uint8_t head[IXWK_REQUEST_HEADER];
    ixwk_put_u32(head, (uint32_t)(IXWK_REQUEST_HEADER - 4 + len));
    head[4] = (uint8_t)op;
    head[5] = head[6] = head[7] = 0;
    ixwk_put_u32(head + 8, c->next_id++);
    ixwk_put_i64(head + 12, interp);
    ixwk_put_i64(head + 20, target);
    ixwk_put_i64(head + 28, (int64_t)cap);
    /* One write when it is small: one wake-up of the worker, not two. */
    uint8_t small[512];
    if (len <= sizeof small - sizeof head) {
        memcpy(small, head, sizeof head);
        if (len)
            memcpy(small + sizeof head, payload, len);
        return ixwk_write_full(c->fd, small, sizeof head + len);
    }
    if (ixwk_write_full(c->fd, head, sizeof head) != 0)
        return -1;
    return ixwk_write_full(c->fd, payload, len);
}

int ixwk_client_request(IxwkClient *c, int op, int64_t interp, int64_t target, uint64_t cap,
                        const uint8_t *payload, size_t len)
{
    if (ixwk_client_send(c, op, interp, target, cap, payload, len) != 0)
        return -1;
    return ixwk_client_receive(c);
}

int ixwk_client_wait(IxwkClient *c)
{
    int status;
    if (c->pid <= 0)
        return -1;
    while (waitpid(c->pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    c->pid = 0;
    return status;
}

int ixwk_client_finish(IxwkClient *c)
{
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    return ixwk_client_wait(c);
}

void ixwk_client_free(IxwkClient *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    if (c->pid > 0)
        ixwk_client_wait(c);
    free(c->payload);
    free(c->in);
    c->payload = NULL;
    c->in = NULL;
    c->cap = c->len = 0;
}
