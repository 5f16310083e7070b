/*
 * worker.h -- what the files of ixworker share (not the protocol: protocol.h).
 *
 * ixworker is single-threaded where it matters: the main thread reads a request, runs it
 * and writes the reply, one at a time; the watchdog thread (watchdog.c) only reads the two
 * atomics below and never touches an interpreter.
 */
#ifndef IXWK_WORKER_H
#define IXWK_WORKER_H

#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* What the main thread is running, for the watchdog (busy: a hang-up now is fatal) and the
 * crash report (which request was in flight). Written by the main thread only. */
typedef struct {
    atomic_int busy;
    volatile sig_atomic_t op;
    volatile int64_t interp;
    volatile int64_t target;
} IxwkCurrent;
extern IxwkCurrent ixwk_current;

/* serve.c: answer requests on fd until the parent closes it; then close every
 * interpreter. Returns the process exit status (IXWK_EXIT_*). */
int ixwk_serve(int fd);

/* crash.c: install the fatal-signal handlers on an alternate stack; the report goes to
 * path (created when a crash happens), or to standard error when path is NULL. */
int ixwk_crash_install(const char *path);

/* watchdog.c: start the thread that ends the process when the parent goes away. */
int ixwk_watchdog_start(int fd, pid_t parent);

/* symbolize.c: `ixworker --symbolize REPORT`: the report with the frames' function names
 * resolved from the libraries' symbol tables (and source lines when there is DWARF),
 * written to out. Returns an exit status. */
int ixwk_symbolize(const char *report_path, FILE *out);

#endif
