/*
 * crasher -- extension code that kills its process, one way per function, for the worker
 * process tests (native/worker/tests, ABI.md 13). Never import it in process: each call
 * below ends the process that runs it.
 *
 *   segfault()        writes through a NULL pointer: SIGSEGV (address 0x0)
 *   bus_error()       reads a page of an empty file mapped past its end: SIGBUS
 *   illegal()         executes the undefined instruction of __builtin_trap: SIGILL
 *   divide(n)         n / 0 in int64: SIGFPE (x86_64; other machines may return)
 *   abort()           abort(): SIGABRT
 *   overflow()        recurses with a 256-byte frame until the stack's guard page: SIGSEGV,
 *                     caught only on an alternate signal stack
 *   exit_with(n)      exit(n): the process ends normally with status n (atexit runs)
 *   loop()            spins for ever without returning or calling the host
 *   ping()            -> "pong": the module works when nothing is asked to crash
 *
 * Each crash happens in a static function named crasher_<kind> (crasher_recurse for the
 * overflow), which a symbolized crash report names. The pointers and divisors go through
 * volatile objects so that gcc cannot prove the crash and delete or reorder it.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "isolex.h"

static volatile int keep_going = 1;
static int *volatile null_pointer;
static volatile int64_t zero;

static IxObject *crasher_segfault(IxContext *ctx, IxObject *module, IxObject *const *args,
                                  size_t nargs)
{
    *null_pointer = 1;
    return Ix_ReturnNone(ctx);
}

static IxObject *crasher_bus_error(IxContext *ctx, IxObject *module, IxObject *const *args,
                                   size_t nargs)
{
    FILE *empty = tmpfile();  /* size 0: the mapped page has no file behind it */
    if (empty == NULL)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_RUNTIMEERROR), "tmpfile failed");
    volatile char *page = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fileno(empty), 0);
    if (page == MAP_FAILED) {
        fclose(empty);
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_RUNTIMEERROR), "mmap failed");
    }
    return IxLong_FromInt64(ctx, page[0]);
}

static IxObject *crasher_illegal(IxContext *ctx, IxObject *module, IxObject *const *args,
                                 size_t nargs)
{
    if (keep_going)
        __builtin_trap();
    return Ix_ReturnNone(ctx);
}

static IxObject *crasher_divide(IxContext *ctx, IxObject *module, IxObject *const *args,
                                size_t nargs)
{
    int64_t n = IxLong_AsInt64(ctx, args[0]);
    if (n == -1 && IxErr_Occurred(ctx) != NULL)
        return NULL;
    return IxLong_FromInt64(ctx, n / zero);
}

static IxObject *crasher_abort(IxContext *ctx, IxObject *module, IxObject *const *args,
                               size_t nargs)
{
    abort();
}

static int crasher_recurse(volatile char *caller, int depth)
{
    volatile char frame[256];
    frame[0] = (char)depth;
    frame[255] = caller ? caller[0] : 0;
    int below = keep_going ? crasher_recurse(frame, depth + 1) : 0;
    return below + frame[255];  /* used after the call: no tail call */
}

static IxObject *crasher_overflow(IxContext *ctx, IxObject *module, IxObject *const *args,
                                  size_t nargs)
{
    return IxLong_FromInt64(ctx, crasher_recurse(NULL, 0));
}

static IxObject *crasher_exit_with(IxContext *ctx, IxObject *module, IxObject *const *args,
                                   size_t nargs)
{
    int64_t n = IxLong_AsInt64(ctx, args[0]);
    if (n == -1 && IxErr_Occurred(ctx) != NULL)
        return NULL;
    exit((int)n);
}

static IxObject *crasher_loop(IxContext *ctx, IxObject *module, IxObject *const *args,
                              size_t nargs)
{
    static volatile uint64_t spins;
    while (keep_going)
        spins++;
    return Ix_ReturnNone(ctx);
}

static IxObject *crasher_ping(IxContext *ctx, IxObject *module, IxObject *const *args,
                              size_t nargs)
{
    return IxStr_FromCString(ctx, "pong");
}

static const IxMethodDef crasher_methods[] = {
    {"segfault", crasher_segfault, 0, 0, 0, "segfault() -> dies of SIGSEGV"},
    {"bus_error", crasher_bus_error, 0, 0, 0, "bus_error() -> dies of SIGBUS"},
    {"illegal", crasher_illegal, 0, 0, 0, "illegal() -> dies of SIGILL"},
    {"divide", crasher_divide, 1, 1, 0, "divide(n) -> n / 0: dies of SIGFPE"},
    {"abort", crasher_abort, 0, 0, 0, "abort() -> dies of SIGABRT"},
    {"overflow", crasher_overflow, 0, 0, 0, "overflow() -> overflows the stack: SIGSEGV"},
    {"exit_with", crasher_exit_with, 1, 1, 0, "exit_with(n) -> exit(n)"},
    {"loop", crasher_loop, 0, 0, 0, "loop() -> never returns"},
    {"ping", crasher_ping, 0, 0, 0, "ping() -> 'pong'"},
    IX_METHODS_END
};

static const IxModuleDef crasher_def = {
    IX_MODULEDEF_HEAD,
    .name = "crasher",
    .doc = "Functions that kill their process, one way each (worker process tests).",
    .methods = crasher_methods,
};

IX_MODINIT(crasher)
{
    return &crasher_def;
}
