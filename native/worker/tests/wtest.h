/*
 * wtest.h -- what the worker tests share: checks that stop the test with a message, the
 * paths CMake gives, and the /proc probes for leftovers.
 */
#ifndef IXWT_WTEST_H
#define IXWT_WTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "client.h"

#define CHECK(cond, ...)                                                              \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);  \
            fprintf(stderr, __VA_ARGS__);                                             \
            fputc('\n', stderr);                                                      \
            exit(1);                                                                  \
        }                                                                             \
    } while (0)

/* helpers.c */
const char *wt_worker(void);        /* the ixworker executable */
const char *wt_module_path(void);   /* extensions and test-ext */
int wt_count_fds(void);             /* this process's open descriptors (/proc/self/fd) */
int wt_process_exists(pid_t pid);   /* /proc/PID is there and not a zombie */
/* A worker with one interpreter (the module path above) that imported `module`: its id
 * in *interp, the module's handle returned. */
int64_t wt_start_with(IxwkClient *c, const char *report, const char *module, int64_t *interp);
/* Request payloads */
size_t wt_import_request(uint8_t *buf, size_t cap, const char *name);
size_t wt_config_request(uint8_t *buf, size_t cap, const char *path, int debug,
                         int64_t memory_limit);
/* A call of module.name() with no argument or one int, sent without waiting. */
void wt_send_call(IxwkClient *c, int64_t interp, int64_t target, const char *name, int nargs,
                  int64_t arg);
double wt_now_us(void);

/* the scenarios */
int wt_values(int argc, char **argv);
int wt_crash(int argc, char **argv);
int wt_orphan(int argc, char **argv);
int wt_bench(int argc, char **argv);
int wt_parallel(int argc, char **argv);
int wt_protocol(int argc, char **argv);
void wt_transport_floor(int n);  /* transport.c, part of bench */

#endif
