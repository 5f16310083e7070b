/*
 * helpers.c -- the embedding API wrapped in checks (see driver.h).
 */
#define _XOPEN_SOURCE 700 /* realpath, getline, clock_gettime */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver.h"
#include "wire_read.h"

IxdOptions ixd_opt;

/* ---------------------------------------------------------------- interpreters */

IxInterp *ixd_open(const char *file, int line)
{
    return ixd_open_mode(0, file, line);
}

IxInterp *ixd_open_mode(int debug, const char *file, int line)
{
    IxInterpConfig config = { .module_path = ixd_opt.module_path, .debug = debug };
    IxInterp *interp = ixh_interp_new(&config);
    if (!interp) ixd_fail(file, line, "  ixh_interp_new returned NULL (out of memory)");
    return interp;
}

IxContext *ixd_enter(IxInterp *interp, const char *file, int line)
{
    IxContext *ctx = ixh_enter(interp);
    if (!ctx) ixd_fail(file, line, "  ixh_enter returned NULL");
    return ctx;
}

void ixd_close(IxInterp *interp, const char *what, const char *file, int line)
{
    uint8_t report[8192];
    char text[8192];
    size_t len = 0;
    IxdReader r;
    int rc = ixh_interp_close(interp, report, sizeof report, &len);
    if (rc == 0) return;
    ixd_reader_init(&r, report, len);
    ixd_fail(file, line,
             "  check:    ixh_interp_close(%s) == 0 (nothing leaked)\n"
             "  actual:   %d, leak report: %s",
             what, rc, ixd_wire_text(&r, text, sizeof text));
}

const char *ixd_close_leaking(IxInterp *interp, char *out, size_t cap, const char *file, int line)
{
    uint8_t report[8192];
    size_t len = 0;
    int rc = ixh_interp_close(interp, report, sizeof report, &len);
    ixd_check_int(rc, 1, "ixh_interp_close(...) reports a leak", file, line);
    return ixd_reply_text(report, len, out, cap);
}

void ixd_plain_and_debug(void (*check)(IxContext *ctx), IxdMake make, IxdRefuse refuse)
{
    IxInterp *a = OPEN(), *b = OPEN_MODE(1);
    IxContext *ca = ENTER(a), *cb;
    IxObject *foreign = NULL;
    check(ca);
    ixh_leave(ca);
    cb = ENTER(b);
    check(cb);
    if (make) foreign = CHECK_OK(cb, make(cb));
    ixh_leave(cb);
    if (foreign) {
        ca = ENTER(a);
        refuse(ca, foreign);
        ixh_leave(ca);
        cb = ENTER(b);
        Ix_Decref(cb, foreign);
        ixh_leave(cb);
    }
    CHECK_CLOSE(a);
    CHECK_CLOSE(b);
}

void ixd_check_clean(const char *file, int line)
{
    int64_t bytes = ixh_live_bytes(), interps = ixh_live_interpreters();
    int64_t libs = ixh_loaded_libraries();
    if (bytes != 0 || interps != 0 || libs != 0)
        ixd_fail(file, line,
                 "  check:    the process holds nothing of isolex\n"
                 "  expected: 0 live bytes, 0 interpreters, 0 loaded libraries\n"
                 "  actual:   %" PRId64 " live bytes, %" PRId64 " interpreters, %" PRId64
                 " loaded libraries",
                 bytes, interps, libs);
}

/* ---------------------------------------------------------------- calls */

IxObject *ixd_import(IxContext *ctx, const char *name, const char *file, int line)
{
    char what[256];
    snprintf(what, sizeof what, "import %s", name);
    return ixd_check_ok(ctx, ixh_import_module(ctx, name), what, file, line);
}

IxObject *ixd_call(IxContext *ctx, IxObject *obj, const char *method,
                   IxObject *const *args, size_t n)
{
    return method ? Ix_CallMethod(ctx, obj, method, args, n) : Ix_Call(ctx, obj, args, n);
}

/* Drop the first n of args (the ones made so far). */
static void drop_all(IxContext *ctx, IxObject **args, size_t n)
{
    while (n > 0) Ix_Decref(ctx, args[--n]);
}

IxObject *ixd_call_ints(IxContext *ctx, IxObject *obj, const char *method,
                        const int64_t *v, size_t n)
{
    IxObject *args[8] = { NULL }, *result;
    size_t i;
    if (n > sizeof args / sizeof args[0])
        ixd_fail(__FILE__, __LINE__, "  ixd_call_ints: %zu arguments, at most 8", n);
    for (i = 0; i < n; i++) {
        args[i] = IxLong_FromInt64(ctx, v[i]);
        if (!args[i]) {
            drop_all(ctx, args, i);
            return NULL;
        }
    }
    result = ixd_call(ctx, obj, method, args, n);
    drop_all(ctx, args, n);
    return result;
}

IxObject *ixd_call_str(IxContext *ctx, IxObject *obj, const char *method, const char *s)
{
    IxObject *arg = IxStr_FromCString(ctx, s), *result;
    if (!arg) return NULL;
    result = ixd_call(ctx, obj, method, &arg, 1);
    Ix_Decref(ctx, arg);
    return result;
}

int64_t ixd_dict_int(IxContext *ctx, IxObject *dict, const char *key,
                     const char *file, int line)
{
    IxObject *k = ixd_check_ok(ctx, IxStr_FromCString(ctx, key), "IxStr_FromCString", file, line);
    /* IxDict_GetItem returns a borrowed reference (ABI.md 3.2.1); take our own so
     * ixd_want_int can consume it like every other result. */
    IxObject *v = IxDict_GetItem(ctx, dict, k);
    Ix_Decref(ctx, k);
    if (!v) {
        char what[256];
        snprintf(what, sizeof what, "dict[\"%s\"]", key);
        ixd_check_ok(ctx, v, what, file, line);
    }
    return ixd_want_int(ctx, Ix_NewRef(ctx, v), key, file, line);
}

void ixd_append_owned(IxContext *ctx, IxObject *list, IxObject *item, const char *file, int line)
{
    ixd_check_ok(ctx, item, "the item", file, line);
    if (IxList_Append(ctx, list, item) != 0) ixd_check_ok(ctx, NULL, "IxList_Append", file, line);
    Ix_Decref(ctx, item);
}

void ixd_set_owned(IxContext *ctx, IxObject *dict, const char *key, IxObject *value,
                   const char *file, int line)
{
    IxObject *k = ixd_check_ok(ctx, IxStr_FromCString(ctx, key), "IxStr_FromCString", file, line);
    ixd_check_ok(ctx, value, key, file, line);
    if (IxDict_SetItem(ctx, dict, k, value) != 0)
        ixd_check_ok(ctx, NULL, "IxDict_SetItem", file, line);
    Ix_Decref(ctx, k);
    Ix_Decref(ctx, value);
}

/* ---------------------------------------------------------------- value API replies */

const char *ixd_reply_text(const uint8_t *buf, size_t cap, char *out, size_t outcap)
{
    IxdReader r;
    ixd_reader_init(&r, buf, cap);
    return ixd_wire_text(&r, out, outcap);
}

void ixd_check_status(int status, int expected, const uint8_t *buf, size_t cap, const char *what,
                      const char *file, int line)
{
    char text[4096];
    if (status != expected)
        ixd_fail(file, line, "  check:    %s\n  expected: status %d\n  actual:   status %d, "
                 "reply %s", what, expected, status, ixd_reply_text(buf, cap, text, sizeof text));
}

/* ---------------------------------------------------------------- process */

void ixd_so_path(const char *name, char *out, size_t cap, const char *file, int line)
{
    const char *dirs[2] = { ixd_opt.ext_dir, ixd_opt.test_ext_dir };
    char raw[PATH_MAX + 64], resolved[PATH_MAX];
    size_t i;
    for (i = 0; i < 2; i++) {
        snprintf(raw, sizeof raw, "%s/%s.so", dirs[i], name);
        if (realpath(raw, resolved)) {
            if (strlen(resolved) >= cap) ixd_fail(file, line, "  path too long: %s", resolved);
            strcpy(out, resolved);
            return;
        }
    }
    ixd_fail(file, line, "  %s.so is in neither %s nor %s (was it built?)", name, dirs[0],
             dirs[1]);
}

int ixd_is_mapped(const char *path)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    char *line = NULL;
    size_t cap = 0, n = strlen(path);
    int found = 0;
    if (!maps) ixd_fail(__FILE__, __LINE__, "  /proc/self/maps: %s", strerror(errno));
    while (!found && getline(&line, &cap, maps) != -1) {
        /* The path is the last field; it may be followed by " (deleted)". Requiring the
         * end keeps "x.so" from matching "x.so.1". */
        const char *at = strstr(line, path);
        found = at && (at[n] == '\n' || at[n] == '\0' || at[n] == ' ');
    }
    free(line);
    fclose(maps);
    return found;
}

double ixd_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}
