/*
 * check.h -- the driver's checks.
 *
 * A check that fails prints the scenario, where it failed, the expression, what was
 * expected and what came, and exits with status 1. The driver stops at the first failure:
 * what follows a broken step only repeats it, and the exit status is all CTest reads.
 *
 * Expected error texts are patterns: '*' matches one or more characters of any kind and
 * everything else matches itself, so a prefix is written "ValueError: *" and a message
 * with a path in it "... at *" "/no_init.so defines ..." (a star before a slash would
 * end this comment). No message the tests assert contains a literal '*'.
 */
#ifndef IXD_CHECK_H
#define IXD_CHECK_H

#include <stdint.h>

#include "isolex.h"

#if defined(__GNUC__)
#define IXD_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define IXD_PRINTF(f, a)
#endif

/* The scenario running now, named in every failure, and which case of it (a table row,
 * say), or NULL. */
extern const char *ixd_scenario;
void ixd_scenario_detail(const char *detail);

_Noreturn void ixd_fail(const char *file, int line, const char *fmt, ...) IXD_PRINTF(3, 4);

/* 1 when text matches pattern (see above). */
int ixd_match(const char *pattern, const char *text);

void ixd_check(int ok, const char *what, const char *file, int line);
void ixd_check_int(int64_t actual, int64_t expected, const char *what,
                   const char *file, int line);
void ixd_check_str(const char *actual, const char *expected, const char *what,
                   const char *file, int line);
void ixd_check_match(const char *actual, const char *pattern, const char *what,
                     const char *file, int line);
/* `result` is what a call returned; it must be NULL with an error matching `pattern`
 * set. The error is cleared, so the context is usable again. */
void ixd_check_error(IxContext *ctx, IxObject *result, const char *pattern,
                     const char *what, const char *file, int line);
void ixd_check_error_rc(IxContext *ctx, int rc, const char *pattern,
                        const char *what, const char *file, int line);
/* `result` must not be NULL (else the pending error is printed); returns it. */
IxObject *ixd_check_ok(IxContext *ctx, IxObject *result, const char *what,
                       const char *file, int line);

/* Conversions that check as they go; each consumes the new reference it is given. */
int64_t ixd_want_int(IxContext *ctx, IxObject *result, const char *what,
                     const char *file, int line);
int ixd_want_bool(IxContext *ctx, IxObject *result, const char *what,
                  const char *file, int line);
/* str(result) copied into buf (cut to cap). */
const char *ixd_want_text(IxContext *ctx, IxObject *result, char *buf, size_t cap,
                          const char *what, const char *file, int line);
/* repr(result) copied into buf (cut to cap). */
const char *ixd_want_repr(IxContext *ctx, IxObject *result, char *buf, size_t cap,
                          const char *what, const char *file, int line);

#define IXD_AT __FILE__, __LINE__

#define CHECK(cond) ixd_check(!!(cond), #cond, IXD_AT)
#define CHECK_EQ_INT(actual, expected) \
    ixd_check_int((int64_t)(actual), (int64_t)(expected), #actual, IXD_AT)
#define CHECK_EQ_STR(actual, expected) ixd_check_str((actual), (expected), #actual, IXD_AT)
#define CHECK_MATCH(actual, pattern) ixd_check_match((actual), (pattern), #actual, IXD_AT)
#define CHECK_ERROR(ctx, expr, pattern) \
    ixd_check_error((ctx), (expr), (pattern), #expr, IXD_AT)
#define CHECK_ERROR_RC(ctx, expr, pattern) \
    ixd_check_error_rc((ctx), (expr), (pattern), #expr, IXD_AT)
#define CHECK_OK(ctx, expr) ixd_check_ok((ctx), (expr), #expr, IXD_AT)

#define WANT_INT(ctx, expr) ixd_want_int((ctx), (expr), #expr, IXD_AT)
#define WANT_BOOL(ctx, expr) ixd_want_bool((ctx), (expr), #expr, IXD_AT)
/* buf must be an array (its size is taken with sizeof). */
#define WANT_TEXT(ctx, expr, buf) ixd_want_text((ctx), (expr), (buf), sizeof(buf), #expr, IXD_AT)
#define WANT_REPR(ctx, expr, buf) ixd_want_repr((ctx), (expr), (buf), sizeof(buf), #expr, IXD_AT)

#endif /* IXD_CHECK_H */
