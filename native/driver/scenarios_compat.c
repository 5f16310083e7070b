/*
 * scenarios_compat.c -- extensions built for older ABI versions load and work (ABI.md 1.3).
 *
 * test-ext/abi-compat/1.N/ holds counter, fact, lifecycle and legacy_point (and, from 1.1
 * on, channels; from 1.2 on, capi_provider, capi_user, xxlimited and vector) as built when
 * ABI 1.N was current, committed as binaries. For each such directory this points the module
 * path at it first (test-ext/ after it, for probe) and runs the very scenarios that test
 * today's builds of those modules -- import-call-close, isolation, legacy; capsule,
 * xxlimited, vector -- so an old binary must give the same results, and then the queue and
 * buffer calls of channels. import-call-close and ports_mapped prove the old files are the
 * ones mapped.
 */
#define _XOPEN_SOURCE 700 /* realpath */

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "driver.h"

#ifndef IXD_ABI_COMPAT_DIR
#error "IXD_ABI_COMPAT_DIR must be defined (test-ext/abi-compat in the source tree)"
#endif

/* The modules every version directory has; the scenarios below use them all. */
static const char *const compat_modules[] = { "counter", "fact", "lifecycle", "legacy_point" };

static int has_module(const char *dir, const char *name)
{
    char path[PATH_MAX];
    struct stat st;
    int n = snprintf(path, sizeof path, "%s/%s.so", dir, name);
    if (n < 0 || (size_t)n >= sizeof path)
        return 0; /* a path too long to name is not there */
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* channels (ABI 1.1): a queue and a shared buffer made and used inside each of two
 * interpreters, the calls QueueTest and SharedBufferTest make. */
static void channels_work(void)
{
    IxInterp *interp[2] = { OPEN(), OPEN() };
    int i;
    for (i = 0; i < 2; i++) {
        IxContext *ctx = ENTER(interp[i]);
        IxObject *ch = IMPORT(ctx, "channels");
        IxObject *q = CHECK_OK(ctx, ixd_call_ints(ctx, ch, "new_queue", INTS(2)));
        IxObject *args[3] = { q, CHECK_OK(ctx, IxLong_FromInt64(ctx, 42 + i)), Ix_None(ctx) };
        IxObject *buf = CHECK_OK(ctx, ixd_call_ints(ctx, ch, "new_buffer", INTS(16)));
        IxObject *fill[2] = { buf, CHECK_OK(ctx, IxLong_FromInt64(ctx, 3)) };

        Ix_Decref(ctx, CHECK_OK(ctx, ixd_call(ctx, ch, "put", args, 3)));
        CHECK_EQ_INT(WANT_INT(ctx, ixd_call(ctx, ch, "size", &q, 1)), 1);
        CHECK_EQ_INT(WANT_INT(ctx, ixd_call(ctx, ch, "get", &q, 1)), 42 + i);
        CHECK_EQ_INT(WANT_INT(ctx, ixd_call(ctx, ch, "size", &q, 1)), 0);
        CHECK_EQ_INT(WANT_INT(ctx, ixd_call(ctx, ch, "fill", fill, 2)), 16);
        CHECK_EQ_INT(WANT_INT(ctx, ixd_call(ctx, ch, "checksum", &buf, 1)), 48);

        Ix_Decref(ctx, fill[1]);
        Ix_Decref(ctx, buf);
        Ix_Decref(ctx, args[1]);
        Ix_Decref(ctx, q);
        Ix_Decref(ctx, ch);
        ixh_leave(ctx);
    }
    CHECK_CLOSE(interp[1]);
    CHECK_CLOSE(interp[0]);
    CHECK_CLEAN();
}

/* The modules frozen from 1.2 on, each tested by the scenario of today's build. */
static const char *const ports_modules[] = { "capi_provider", "capi_user", "xxlimited", "vector" };

/* The 1.2 modules imported here are the files of the version directory (ext_dir). */
static void ports_mapped(void)
{
    IxInterp *interp = OPEN();
    IxContext *ctx = ENTER(interp);
    char path[PATH_MAX];
    size_t i;
    for (i = 0; i < sizeof ports_modules / sizeof ports_modules[0]; i++) {
        IxObject *m = IMPORT(ctx, ports_modules[i]);
        SO_PATH(ports_modules[i], path);
        if (!ixd_is_mapped(path)) ixd_fail(IXD_AT, "  %s is not mapped", path);
        Ix_Decref(ctx, m);
    }
    ixh_leave(ctx);
    CHECK_CLOSE(interp);
    CHECK_CLEAN();
}

/* ABI 1.2's modules, when the directory has them (all or none: a partial set is an error).
 * The capsule, xxlimited and vector scenarios check what these modules did at 1.2; when a
 * later version of one does more, the checks of the new behaviour go in a scenario of their
 * own, or this would hold a 1.2 binary to checks it cannot pass. */
static int ports_work(const char *dir)
{
    size_t i, have = 0, n = sizeof ports_modules / sizeof ports_modules[0];
    for (i = 0; i < n; i++) have += (size_t)has_module(dir, ports_modules[i]);
    if (have == 0) return 0;
    if (have != n)
        ixd_fail(IXD_AT, "  %s has %zu of capi_provider, capi_user, xxlimited, vector", dir, have);
    ports_mapped();
    ixd_capsules(0, NULL);
    ixd_xxlimited(0, NULL);
    ixd_vector(0, NULL);
    return 1;
}

static void check_version(const char *dir)
{
    IxdOptions saved = ixd_opt;
    size_t i;

    for (i = 0; i < sizeof compat_modules / sizeof compat_modules[0]; i++)
        if (!has_module(dir, compat_modules[i]))
            ixd_fail(IXD_AT, "  %s/%s.so is missing (test-ext/abi-compat/README.md)", dir,
                     compat_modules[i]);
    /* ext_dir too: import-call-close's SO_PATH then names the old files it checks mapped */
    ixd_opt.ext_dir = dir;
    if ((size_t)snprintf(ixd_opt.module_path, sizeof ixd_opt.module_path, "%s:%s", dir,
                         saved.test_ext_dir) >= sizeof ixd_opt.module_path)
        ixd_fail(IXD_AT, "  module path too long");

    ixd_scenario_detail(dir);
    ixd_import_call_close(0, NULL);
    ixd_isolation(0, NULL);
    ixd_legacy(0, NULL);
    if (has_module(dir, "channels")) channels_work();
    int ports = ports_work(dir);
    ixd_opt = saved;
    printf("  compat: %s: counter, fact, lifecycle, legacy_point%s%s\n", dir,
           has_module(dir, "channels") ? ", channels" : "",
           ports ? ", capi_provider, capi_user, xxlimited, vector" : "");
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void ixd_compat(int argc, char **argv)
{
    const char *root = argc > 0 ? argv[0] : IXD_ABI_COMPAT_DIR;
    char *names[64], path[PATH_MAX];
    size_t n = 0, i;
    struct dirent *e;
    DIR *d = opendir(root);

    if (!d) ixd_fail(IXD_AT, "  cannot open %s (test-ext/abi-compat of the source tree)", root);
    /* every 1.N directory: a newly committed minor version is tested without a change here */
    while ((e = readdir(d)) != NULL) {
        unsigned minor;
        char rest;
        if (sscanf(e->d_name, "1.%u%c", &minor, &rest) != 1) continue;
        if (n == sizeof names / sizeof names[0]) ixd_fail(IXD_AT, "  too many versions in %s", root);
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n < 3)
        ixd_fail(IXD_AT, "  %s has %zu version directories, expected 1.0, 1.1 and 1.2 at least",
                 root, n);
    qsort(names, n, sizeof names[0], by_name);
    for (i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", root, names[i]);
        check_version(path);
        free(names[i]);
    }
}
