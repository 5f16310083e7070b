/*
 * check.c -- the driver's checks (see check.h): report the first failure and exit.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "isolex_host.h"

const char *ixd_scenario = "(none)";
static const char *detail;

void ixd_scenario_detail(const char *d) { detail = d; }

_Noreturn void ixd_fail(const char *file, int line, const char *fmt, ...)
{
    va_list va;
    fflush(stdout);  /* keep what the scenario printed before the failure, in order */
    fprintf(stderr, "ixdriver: %s%s%s%s: FAILED at %s:%d\n", ixd_scenario,
            detail ? " [" : "", detail ? detail : "", detail ? "]" : "", file, line);
    va_start(va, fmt);
    vfprintf(stderr, fmt, va);
    va_end(va);
    fputc('\n', stderr);
    exit(1);
}

int ixd_match(const char *p, const char *t)
{
    for (; *p; p++, t++) {
        if (*p == '*') {  /* one or more characters: try every split after the first */
            if (*t == '\0') return 0;
            for (t++;; t++) {
                if (ixd_match(p + 1, t)) return 1;
                if (*t == '\0') return 0;
            }
        }
        if (*p != *t) return 0;
    }
    return *t == '\0';
}

/* The pending error as text, for messages; never NULL. */
static const char *error_text(IxContext *ctx, char *buf, size_t cap)
{
    const char *s = ixh_error_text(ctx, buf, cap);
    return s ? s : "(no error set)";
}

/* repr(obj) into buf for a failure message. Best effort: a failing repr says so. */
static const char *describe(IxContext *ctx, IxObject *obj, char *buf, size_t cap)
{
    IxObject *r = Ix_Repr(ctx, obj);
    const char *s = r ? IxStr_AsUTF8(ctx, r, NULL) : NULL;
    snprintf(buf, cap, "%s", s ? s : "(repr failed)");
    if (!s) IxErr_Clear(ctx);
    Ix_Decref(ctx, r);
    return buf;
}

void ixd_check(int ok, const char *what, const char *file, int line)
{
    if (!ok) ixd_fail(file, line, "  check:    %s\n  expected: true\n  actual:   false", what);
}

void ixd_check_int(int64_t actual, int64_t expected, const char *what,
                   const char *file, int line)
{
    if (actual != expected)
        ixd_fail(file, line, "  check:    %s\n  expected: %" PRId64 "\n  actual:   %" PRId64,
                 what, expected, actual);
}

/* The failure of a string comparison; actual may be NULL. */
_Noreturn static void fail_str(const char *actual, const char *expected, const char *what,
                               const char *file, int line)
{
    ixd_fail(file, line, "  check:    %s\n  expected: \"%s\"\n  actual:   %s%s%s", what,
             expected, actual ? "\"" : "", actual ? actual : "NULL", actual ? "\"" : "");
}

void ixd_check_str(const char *actual, const char *expected, const char *what,
                   const char *file, int line)
{
    if (!actual || strcmp(actual, expected) != 0) fail_str(actual, expected, what, file, line);
}

void ixd_check_match(const char *actual, const char *pattern, const char *what,
                     const char *file, int line)
{
    if (!actual || !ixd_match(pattern, actual)) fail_str(actual, pattern, what, file, line);
}

/* The error-side half of both CHECK_ERROR forms: an error is set and matches. */
static void expect_error(IxContext *ctx, const char *pattern, const char *what,
                         const char *file, int line)
{
    char buf[2048];
    const char *text = ixh_error_text(ctx, buf, sizeof buf);
    if (!text)
        ixd_fail(file, line, "  check:    %s\n  expected: error \"%s\"\n  actual:   no error set",
                 what, pattern);
    if (!ixd_match(pattern, text))
        ixd_fail(file, line, "  check:    %s\n  expected: error \"%s\"\n  actual:   error \"%s\"",
                 what, pattern, text);
    IxErr_Clear(ctx);
}

void ixd_check_error(IxContext *ctx, IxObject *result, const char *pattern,
                     const char *what, const char *file, int line)
{
    char buf[512];
    if (result)
        ixd_fail(file, line, "  check:    %s\n  expected: error \"%s\"\n  actual:   result %s",
                 what, pattern, describe(ctx, result, buf, sizeof buf));
    expect_error(ctx, pattern, what, file, line);
}

void ixd_check_error_rc(IxContext *ctx, int rc, const char *pattern,
                        const char *what, const char *file, int line)
{
    if (rc != -1)
        ixd_fail(file, line, "  check:    %s\n  expected: -1 with error \"%s\"\n  actual:   %d",
                 what, pattern, rc);
    expect_error(ctx, pattern, what, file, line);
}

IxObject *ixd_check_ok(IxContext *ctx, IxObject *result, const char *what,
                       const char *file, int line)
{
    char buf[2048];
    if (!result)
        ixd_fail(file, line, "  check:    %s\n  expected: a result\n  actual:   error \"%s\"",
                 what, error_text(ctx, buf, sizeof buf));
    return result;
}

int64_t ixd_want_int(IxContext *ctx, IxObject *result, const char *what,
                     const char *file, int line)
{
    char buf[2048];
    int64_t v;
    ixd_check_ok(ctx, result, what, file, line);
    if (Ix_IsInstance(ctx, result, Ix_Builtin(ctx, IX_TYPE_INT)) != 1)
        ixd_fail(file, line, "  check:    %s\n  expected: an int\n  actual:   %s", what,
                 describe(ctx, result, buf, sizeof buf));
    v = IxLong_AsInt64(ctx, result);
    if (IxErr_Occurred(ctx))
        ixd_fail(file, line, "  check:    %s\n  expected: an int64\n  actual:   error \"%s\"",
                 what, error_text(ctx, buf, sizeof buf));
    Ix_Decref(ctx, result);
    return v;
}

int ixd_want_bool(IxContext *ctx, IxObject *result, const char *what,
                  const char *file, int line)
{
    char buf[512];
    int v;
    ixd_check_ok(ctx, result, what, file, line);
    if (result == Ix_Builtin(ctx, IX_TRUE))
        v = 1;
    else if (result == Ix_Builtin(ctx, IX_FALSE))
        v = 0;
    else
        ixd_fail(file, line, "  check:    %s\n  expected: True or False\n  actual:   %s", what,
                 describe(ctx, result, buf, sizeof buf));
    Ix_Decref(ctx, result);
    return v;
}

/* Shared by want_text and want_repr: convert with `conv`, copy out, drop both. */
static const char *want_converted(IxContext *ctx, IxObject *result,
                                  IxObject *(*conv)(IxContext *, IxObject *),
                                  char *buf, size_t cap, const char *what,
                                  const char *file, int line)
{
    char err[2048];
    IxObject *s;
    const char *u;
    size_t n = 0;
    ixd_check_ok(ctx, result, what, file, line);
    s = ixd_check_ok(ctx, conv(ctx, result), what, file, line);
    u = IxStr_AsUTF8(ctx, s, &n);
    if (!u)
        ixd_fail(file, line, "  check:    %s\n  expected: UTF-8 text\n  actual:   error \"%s\"",
                 what, error_text(ctx, err, sizeof err));
    if (n >= cap) n = cap - 1;
    memcpy(buf, u, n);
    buf[n] = '\0';
    Ix_Decref(ctx, s);
    Ix_Decref(ctx, result);
    return buf;
}

const char *ixd_want_text(IxContext *ctx, IxObject *result, char *buf, size_t cap,
                          const char *what, const char *file, int line)
{
    return want_converted(ctx, result, Ix_Str, buf, cap, what, file, line);
}

const char *ixd_want_repr(IxContext *ctx, IxObject *result, char *buf, size_t cap,
                          const char *what, const char *file, int line)
{
    return want_converted(ctx, result, Ix_Repr, buf, cap, what, file, line);
}
