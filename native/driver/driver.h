/*
 * driver.h -- what the scenario files of ixdriver share: the options, the scenarios, and
 * helpers that wrap the embedding API in checks so a scenario reads as its steps.
 *
 * Reference discipline: every helper returning IxObject * returns a new reference (or
 * NULL with the error set, for the raw call helpers), and scenarios drop each one before
 * leaving the interpreter. They must: a reference the driver forgets is a leak that
 * ixh_interp_close reports, and CHECK_CLOSE fails on it.
 */
#ifndef IXD_DRIVER_H
#define IXD_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "isolex_host.h"

/* ---------------------------------------------------------------- options */

typedef struct IxdOptions {
    const char *ext_dir;       /* the shipped extensions (counter, fact, ...) */
    const char *test_ext_dir;  /* test-ext/ modules */
    char module_path[8192];    /* "EXT:TEST_EXT", the path every interpreter gets */
} IxdOptions;

extern IxdOptions ixd_opt;

/* ---------------------------------------------------------------- scenarios
 *
 * One function each; argv holds the scenario's own arguments. A scenario closes every
 * interpreter it opens; main then checks that the process is back to zero. */

typedef void IxdScenarioFn(int argc, char **argv);
#define IXD_NO_ARGS ((void)argc, (void)argv)  /* for the scenarios that take none */

IxdScenarioFn ixd_import_call_close, ixd_isolation, ixd_foreign_object, ixd_cycles; /* modules */
IxdScenarioFn ixd_conformance, ixd_errors, ixd_legacy, ixd_multi_not_supported; /* errors */
IxdScenarioFn ixd_lifecycle;                                            /* lifecycle */
IxdScenarioFn ixd_value_api;                                            /* value API */
IxdScenarioFn ixd_threads, ixd_shared_lock, ixd_lock_release, ixd_reentrancy; /* threads */
IxdScenarioFn ixd_legacy_copies;                                        /* threads */
IxdScenarioFn ixd_inject;                                               /* inject */
IxdScenarioFn ixd_buggy;                                                /* buggy */
IxdScenarioFn ixd_cycles_held;                                          /* modules */
IxdScenarioFn ixd_queues;                                               /* queue */
IxdScenarioFn ixd_run;                                                  /* run */
IxdScenarioFn ixd_bench;                                                /* bench */
IxdScenarioFn ixd_deep;                                                 /* deep */
IxdScenarioFn ixd_loading, ixd_multi_module, ixd_nonmodule_type;       /* loading */
IxdScenarioFn ixd_replaced_library;                                     /* loading */
IxdScenarioFn ixd_mutate;                                               /* mutate */
IxdScenarioFn ixd_compat;                                               /* compat */
IxdScenarioFn ixd_bigint;                                               /* bigint */
IxdScenarioFn ixd_capsules;                                             /* capsule */
IxdScenarioFn ixd_subclasses;                                           /* subclass */
IxdScenarioFn ixd_kwargs;                                               /* kwargs */
IxdScenarioFn ixd_typed;                                                /* typed (ABI 1.3) */
IxdScenarioFn ixd_protocols;                                            /* protocols */
IxdScenarioFn ixd_xxlimited, ixd_vector;                                /* ports */
IxdScenarioFn ixd_attrs;                                                /* attrs (ABI 1.2) */
IxdScenarioFn ixd_typeslots;                                            /* typeslots */
IxdScenarioFn ixd_numbers;                                              /* numbers */
IxdScenarioFn ixd_buffers;                                              /* buffers */
IxdScenarioFn ixd_unraisable;                                           /* unraisable (ABI 1.2) */
IxdScenarioFn ixd_xbases;                                               /* xbase */
/* ABI 1.3: lean interpreters (issue 13) */
IxdScenarioFn ixd_footprint;                                            /* footprint */
IxdScenarioFn ixd_rechecked_library;                                    /* loading */
/* ABI 1.3: interrupts (issue 14) */
IxdScenarioFn ixd_interrupt;                                            /* interrupt */

/* `run` takes options, not a fixed count of arguments: at most this many. */
#define IXD_RUN_MAX_ARGS 1000
/* `bench WHAT [N]`; a macro for the same reason (main.c): it is not registered as a test. */
#define IXD_BENCH_MAX_ARGS 2

/* ---------------------------------------------------------------- interpreters */

/* A new interpreter on ixd_opt.module_path. */
IxInterp *ixd_open(const char *file, int line);
/* The same in debug mode (ABI.md 10) when debug is nonzero. */
IxInterp *ixd_open_mode(int debug, const char *file, int line);
IxContext *ixd_enter(IxInterp *interp, const char *file, int line);
/* Close; fail, printing the leak report, unless the close found nothing leaked. */
void ixd_close(IxInterp *interp, const char *what, const char *file, int line);
/* Close an interpreter expected to leak; fail unless the close reports a leak. The report
 * as text, in out. */
const char *ixd_close_leaking(IxInterp *interp, char *out, size_t cap, const char *file, int line);
#define CLOSE_LEAKING(interp, out) ixd_close_leaking((interp), (out), sizeof(out), IXD_AT)
/* The process holds nothing: no bytes, no interpreter, no library. */
void ixd_check_clean(const char *file, int line);

/* The shape of most ABI 1.2 scenarios: check runs in a plain interpreter, then in a debug
 * one (the checking table on every entry); then, when make is given, an object it makes in
 * the debug one is handed to refuse, run in the plain one (ABI.md 3.3: the API refuses an
 * object of another interpreter); both close clean. */
typedef IxObject *(*IxdMake)(IxContext *ctx);
typedef void (*IxdRefuse)(IxContext *ctx, IxObject *foreign);
void ixd_plain_and_debug(void (*check)(IxContext *ctx), IxdMake make, IxdRefuse refuse);

#define OPEN() ixd_open(IXD_AT)
#define OPEN_MODE(debug) ixd_open_mode((debug), IXD_AT)
#define ENTER(interp) ixd_enter((interp), IXD_AT)
#define CHECK_CLOSE(interp) ixd_close((interp), #interp, IXD_AT)
#define CHECK_CLEAN() ixd_check_clean(IXD_AT)

/* ---------------------------------------------------------------- calls */

/* import name: a new reference, checked. */
IxObject *ixd_import(IxContext *ctx, const char *name, const char *file, int line);
#define IMPORT(ctx, name) ixd_import((ctx), (name), IXD_AT)

/* obj.method(args) -- or obj(args) when method is NULL. Raw: NULL with the error set on
 * failure, for CHECK_OK / CHECK_ERROR / WANT_* to judge. Arguments are not consumed. */
IxObject *ixd_call(IxContext *ctx, IxObject *obj, const char *method,
                   IxObject *const *args, size_t n);
/* The same with int arguments, or one str argument, made and dropped here. */
IxObject *ixd_call_ints(IxContext *ctx, IxObject *obj, const char *method,
                        const int64_t *v, size_t n);
IxObject *ixd_call_str(IxContext *ctx, IxObject *obj, const char *method, const char *s);
#define CALL0(ctx, obj, method) ixd_call((ctx), (obj), (method), NULL, 0)

/* INTS(1, 2) expands to the two arguments (array, count) of ixd_call_ints. */
#define INTS(...) \
    (const int64_t[]){ __VA_ARGS__ }, sizeof((const int64_t[]){ __VA_ARGS__ }) / sizeof(int64_t)

/* dict[key] for a str key, which must be there and be an int. */
int64_t ixd_dict_int(IxContext *ctx, IxObject *dict, const char *key,
                     const char *file, int line);
#define DICT_INT(ctx, dict, key) ixd_dict_int((ctx), (dict), (key), IXD_AT)

/* Container building that drops the reference it is given (the ABI never steals one), so a
 * value can be built in one expression per item: list.append(item), dict[key] = value. */
void ixd_append_owned(IxContext *ctx, IxObject *list, IxObject *item, const char *file, int line);
void ixd_set_owned(IxContext *ctx, IxObject *dict, const char *key, IxObject *value,
                   const char *file, int line);
#define APPEND_OWNED(ctx, list, item) ixd_append_owned((ctx), (list), (item), IXD_AT)
#define SET_OWNED(ctx, dict, key, value) ixd_set_owned((ctx), (dict), (key), (value), IXD_AT)

/* ---------------------------------------------------------------- value API replies */

/* The value-API reply in buf as text (see ixd_wire_text), into out. */
const char *ixd_reply_text(const uint8_t *buf, size_t cap, char *out, size_t outcap);
/* Fail, showing the reply, unless a value-API call returned `expected` (IXH_OK, ...). */
void ixd_check_status(int status, int expected, const uint8_t *buf, size_t cap, const char *what,
                      const char *file, int line);
#define CHECK_STATUS(expr, expected, buf, cap) \
    ixd_check_status((expr), (expected), (buf), (cap), #expr, IXD_AT)

/* ---------------------------------------------------------------- process */

/* The canonical path of the NAME.so that import finds (first of the extension and the
 * test-extension directories), as /proc/self/maps spells it; the file must exist. */
void ixd_so_path(const char *name, char *out, size_t cap, const char *file, int line);
#define SO_PATH(name, out) ixd_so_path((name), (out), sizeof(out), IXD_AT)
/* 1 when a mapping of the file at path is in /proc/self/maps. */
int ixd_is_mapped(const char *path);
/* A monotonic clock, in microseconds. */
double ixd_now_us(void);

#endif /* IXD_DRIVER_H */
