/*
 * client.h -- the parent's side of the worker protocol, in C: what the tests and the
 * benchmark use, and a model for the Java side (README.md, "A parent, step by step").
 * One client is one worker process; its calls are not thread-safe (one request at a time,
 * as the worker serves them).
 */
#ifndef IXWK_CLIENT_H
#define IXWK_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct {
    pid_t pid;           /* the worker; 0 once reaped */
    int fd;              /* the connected socket; -1 once closed */
    struct IxwkReader *in; /* its buffered reader */
    uint32_t next_id;
    int64_t hello_pid;   /* what the hello frame said */
    char version[64];    /* ixh_version() of the worker */
    /* the last reply */
    int status;
    int64_t value;
    uint8_t *payload;
    size_t len, cap;
} IxwkClient;

/* Listen on a fresh socket in a private temporary directory, spawn `ixworker --connect
 * SOCKET [--crash-report report]`, accept its connection (10 s at most), read its hello;
 * the socket's path and directory are removed once connected. 0, or -1 with a message on
 * standard error (the worker, if started, is killed and reaped). */
int ixwk_client_start(IxwkClient *c, const char *ixworker, const char *report);
/* Send one request and wait for its reply (c->status, c->value, c->payload, c->len).
 * 0, or -1 when the worker hung up (it died: ixwk_client_wait tells how). */
int ixwk_client_request(IxwkClient *c, int op, int64_t interp, int64_t target, uint64_t cap,
                        const uint8_t *payload, size_t len);
/* Send a request and return without waiting for the reply. */
int ixwk_client_send(IxwkClient *c, int op, int64_t interp, int64_t target, uint64_t cap,
                     const uint8_t *payload, size_t len);
/* Wait for the next reply (as ixwk_client_request does after sending). */
int ixwk_client_receive(IxwkClient *c);
/* Close the socket (the worker closes its interpreters and exits), reap the worker and
 * return its waitpid status; -1 when already reaped. */
int ixwk_client_finish(IxwkClient *c);
/* Reap the worker without closing anything first: its waitpid status. */
int ixwk_client_wait(IxwkClient *c);
void ixwk_client_free(IxwkClient *c);

#endif
