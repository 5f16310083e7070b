/*
 * main.c -- ixdriver: runs isolex scenarios in plain C, without a JVM, so that CTest,
 * Valgrind and the sanitizers can watch the core and the extensions alone.
 *
 *   ixdriver [--ext-dir DIR] [--test-ext-dir DIR] SCENARIO [ARGS]
 *
 * Exit status: 0 when every check passed, 1 at the first failed check (which is printed),
 * 2 for a usage error.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver.h"

/* Baked in by native/driver/CMakeLists.txt: the build's output directories, and where the
 * installed SDK keeps the shipped extensions relative to bin/ (cmake/IsolexInstall.cmake). */
#ifndef IXD_DEFAULT_EXT_DIR
#error "IXD_DEFAULT_EXT_DIR must be defined (the build's extension directory)"
#endif
#ifndef IXD_DEFAULT_TEST_EXT_DIR
#error "IXD_DEFAULT_TEST_EXT_DIR must be defined (the build's test-ext directory)"
#endif
#ifndef IXD_INSTALLED_EXT_DIR
#error "IXD_INSTALLED_EXT_DIR must be defined (the SDK's extension directory, relative to bin/)"
#endif

/* The SDK's extension directory when this ixdriver is the installed one (the directory
 * exists beside it), wherever the SDK was unpacked; NULL in the build tree. */
static const char *installed_ext_dir(void)
{
    static char exe[PATH_MAX], dir[PATH_MAX];
    struct stat st;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash;
    if (n <= 0) return NULL;
    exe[n] = '\0';
    if (!(slash = strrchr(exe, '/'))) return NULL;
    *slash = '\0';
    if ((size_t)snprintf(dir, sizeof dir, "%s/%s", exe, IXD_INSTALLED_EXT_DIR) >= sizeof dir) return NULL;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) return NULL;
    return realpath(dir, exe) ? exe : dir; /* without the bin/.. for --help */
}

typedef struct Scenario {
    const char *name;
    IxdScenarioFn *run;
    int max_args;
    const char *usage;
    const char *all_arg; /* the argument `all` runs it with (a smaller size), or NULL */
} Scenario;

static IxdScenarioFn run_all;

/* The all_arg of a scenario `all` does not run. */
static const char IXD_NOT_IN_ALL[] = "(not in all)";

/* CMake reads the names from this table (native/driver/CMakeLists.txt) to register one
 * test per scenario: keep each entry starting on its own line with `{ "name", function,`. */
static const Scenario scenarios[] = {
    { "import-call-close", ixd_import_call_close, 0,
      "import counter and fact, call them, close; the libraries are unmapped" },
    { "isolation", ixd_isolation, 0,
      "two interpreters: separate counts, types, None, module state" },
    { "foreign-object", ixd_foreign_object, 0,
      "an object of A passed to a function of B is refused" },
    { "conformance", ixd_conformance, 0,
      "every test-ext module of test-ext/README.md fails with its exact error" },
    { "lifecycle", ixd_lifecycle, 0,
      "failed exec leaves nothing; clear and free run once per instance" },
    { "errors", ixd_errors, 0, "errors raised by extensions and by the host" },
    { "legacy", ixd_legacy, 0, "a single-phase module loads in one interpreter only" },
    { "capsules", ixd_capsules, 0,
      "ABI 1.2: import from C, a C API through a capsule, exception chaining; two interpreters" },
    { "subclasses", ixd_subclasses, 0,
      "ABI 1.2: a base and its subtype, an Exception subtype, defining-class methods; two interpreters" },
    { "kwargs", ixd_kwargs, 0,
      "ABI 1.2: keyword calls and IxArg_Parse, every message; two interpreters, one debug" },
    { "protocols", ixd_protocols, 0,
      "ABI 1.2: get/set/del item, len, in, iteration on builtins and slots; two interpreters" },
    /* ABI 1.2: the ported extensions (extensions/xxlimited, extensions/vector) */
    { "xxlimited", ixd_xxlimited, 0,
      "ABI 1.2: CPython's xxlimited ported: Xxo, Null, Error, foo/new/roj; two interpreters" },
    { "vector", ixd_vector, 0,
      "ABI 1.2: vector.Vector/FrozenVector: items, in, iteration, ==, hash, dot, norm, zeros" },
    { "attrs", ixd_attrs, 0,
      "ABI 1.2: getattro/setattro, instance dicts, dir, weakrefs and callbacks, cycles; two interpreters" },
    { "typeslots", ixd_typeslots, 0,
      "ABI 1.2: tp_init, tp_new_kw, tp_finalize (cycles, resurrection), tokens, str bases; two interpreters" },
    { "numbers", ixd_numbers, 0,
      "ABI 1.2: the number protocol and int arithmetic, every message; two interpreters, one debug" },
    { "buffers", ixd_buffers, 0,
      "ABI 1.2: the buffer protocol, every rule; two interpreters; an unreleased view at close" },
    { "unraisable", ixd_unraisable, 0,
      "ABI 1.2: errors raised in dealloc/clear/finalize/callbacks/destructors are recorded; two interpreters" },
    { "xbases", ixd_xbases, 0,
      "ABI 1.2: bases of another module: whose code inherited hooks run as, shared lock, close" },
    { "typed", ixd_typed, 0,
      "typed functions (ABI 1.3): ixh_call_typed, batches, Ix_Call, every message" },
    { "multi-not-supported", ixd_multi_not_supported, 0,
      "a not-supported module loads in one interpreter at a time" },
    { "cycles", ixd_cycles, 1,
      "[N]  N (default 100) times new, import, call, close; prints the median", "20" },
    { "value-api", ixd_value_api, 0, "the wire-format API the JNI bridge uses" },
    { "threads", ixd_threads, 1,
      "[SECONDS]  8 threads on 4 interpreters, random work (default 2 s); prints ops/s",
      "1" },
    { "shared-lock", ixd_shared_lock, 0,
      "a shared-lock module never runs on two threads; a default module overlaps" },
    { "lock-release", ixd_lock_release, 0,
      "one interpreter serializes two threads unless the code releases its lock" },
    { "reentrancy", ixd_reentrancy, 0,
      "entering an interpreter this thread is inside is refused, never a deadlock" },
    { "legacy-copies", ixd_legacy_copies, 0,
      "legacy_private_copies: a legacy module loads again from a private copy" },
    { "cycles-held", ixd_cycles_held, 1,
      "[N]  cycles with one more interpreter keeping the libraries mapped", "20" },
    { "queues", ixd_queues, 1,
      "[N]  queues and shared buffers (ABI.md 11), the embedder's side and\n"
      "                       inside: errors, shared bytes, wrap-around, a wait giving up\n"
      "                       the lock; N items (default 50000) per producer/consumer run",
      "2000" },
    { "loading", ixd_loading, 1,
      "[no-trunc16k]  damaged library files and hostile definitions are refused\n"
      "                       with exact errors (no-trunc16k: for Valgrind, see the source)",
      "no-trunc16k" }, /* `all` runs under memcheck too */
    { "compat", ixd_compat, 1,
      "[DIR]  extensions built for ABI 1.0, 1.1, ... (test-ext/abi-compat, committed as\n"
      "                       binaries) pass today's import-call-close, isolation, legacy\n"
      "                       (from 1.2 on: capsule, xxlimited, vector)" },
    { "multi-module", ixd_multi_module, 0,
      "one library file defining two modules, under two names (symlinks), and a third" },
    { "nonmodule-type", ixd_nonmodule_type, 0,
      "a create slot's non-module of a library's heap type keeps the library mapped" },
    { "replaced-library", ixd_replaced_library, 0,
      "a library renamed over or overwritten in place while loaded" },
    /* ABI 1.3: lean interpreters (issue 13) */
    { "footprint", ixd_footprint, 0,
      "ABI 1.3: builtin types made on first use: live bytes, the limit, injection; two interpreters" },
    { "rechecked-library", ixd_rechecked_library, 0,
      "ABI 1.3: a file that passed the ELF checks is checked again once it changed" },
    /* ABI 1.3: interrupts (issue 14) */
    { "interrupt", ixd_interrupt, 0,
      "ABI 1.3: Ix_CheckInterrupt and ixh_interp_interrupt from another thread; two interpreters" },
    /* `run` is a tool, not a test: it needs --module, so its max_args is a macro, which
     * keeps CMake from registering driver-run (and memcheck-, asan-run) with no
     * arguments; valgrind/CMakeLists.txt registers its tests. In `all` it runs counter. */
    { "run", ixd_run, IXD_RUN_MAX_ARGS,
      "--module NAME [--path DIRS] [--call 'f(ARGS)']... [--interpreters K] [--cycles N]\n"
      "                       import a module in K interpreters N times, call, close, and\n"
      "                       report leaks (`ixdriver run --help`; valgrind/check-extension)",
      "--module=counter" },
    { "inject", ixd_inject, 2,
      "[[debug:]CASE|all [N|step=S]]  allocation-failure sweep: each allocation of each\n"
      "                       case fails once; MemoryError or success, no leak, no crash",
      "counter" },
    { "mutate", ixd_mutate, 2,
      "[N] [seed=S]  N damaged copies of counter.so and fact.so (ELF headers, dynamic\n"
      "                       section, truncations), each imported in a child process:\n"
      "                       imported or ImportError/SystemError, never a signal",
      IXD_NOT_IN_ALL },
    { "buggy", ixd_buggy, 1,
      "[release:BUG]  test-ext/buggy's bugs under debug mode: the exact reports;\n"
      "                       release:BUG runs one without it (for asan-/memcheck-buggy-*)" },
    { "bigint", ixd_bigint, 0,
      "ints of any size in two interpreters at once: int64 boundary, reprs, hash,\n"
      "                       bytes round trips, messages, bigops, wire and queue" },
    { "deep", ixd_deep, 1,
      "[N]  graphs N levels deep (default 10^6) freed every way with a bounded stack;\n"
      "                       repr, hash and compare of them raise (ABI.md 3.8, 3.9)",
      "20000" },
    /* `bench` is a measurement, not a test (docs/benchmarks.md; `isolex bench` runs it):
     * its max_args is a macro, so CMake registers no driver-, memcheck- or asan-bench,
     * and `all` skips it (IXD_NOT_IN_ALL). */
    { "bench", ixd_bench, IXD_BENCH_MAX_ARGS,
      "call|lifecycle|queue|memory|interrupt|all [N]  native figures for the benchmarks: a\n"
      "                       trivial call layer by layer, create/import/call/close, queue\n"
      "                       throughput, the memory of K interpreters; interrupt (not in\n"
      "                       all): ns per Ix_CheckInterrupt",
      IXD_NOT_IN_ALL },
    { "all", run_all, 0,
      "every scenario above in turn (cycles with N=20, threads 1 s, queues N=2000,\n"
      "                       deep N=20000)" },
};
#define NSCENARIOS (sizeof scenarios / sizeof scenarios[0])

static void run(const Scenario *s, int argc, char **argv)
{
    ixd_scenario = s->name;
    s->run(argc, argv);
    ixd_scenario_detail(NULL);
    CHECK_CLEAN(); /* whatever the scenario checked, it must leave the process empty */
    printf("ok %s\n", s->name);
    fflush(stdout);
}

static void run_all(int argc, char **argv)
{
    size_t i;
    IXD_NO_ARGS;
    for (i = 0; i < NSCENARIOS; i++) {
        const Scenario *s = &scenarios[i];
        char *args[1];
        if (s->run == run_all || s->all_arg == IXD_NOT_IN_ALL) continue;
        args[0] = (char *)s->all_arg; /* scenarios read their arguments, never write them */
        run(s, s->all_arg ? 1 : 0, s->all_arg ? args : NULL);
    }
    ixd_scenario = "all";
}

static int usage(FILE *out, int status)
{
    size_t i;
    fprintf(out,
            "usage: ixdriver [--ext-dir DIR] [--test-ext-dir DIR] SCENARIO [ARGS]\n"
            "  --ext-dir DIR       extension modules (default %s)\n"
            "  --test-ext-dir DIR  test-ext modules (default %s)\n"
            "scenarios:\n",
            ixd_opt.ext_dir, ixd_opt.test_ext_dir);
    for (i = 0; i < NSCENARIOS; i++)
        fprintf(out, "  %-20s %s\n", scenarios[i].name, scenarios[i].usage);
    return status;
}

static const Scenario *find(const char *name)
{
    size_t i;
    for (i = 0; i < NSCENARIOS; i++)
        if (strcmp(scenarios[i].name, name) == 0) return &scenarios[i];
    return NULL;
}

int main(int argc, char **argv)
{
    const Scenario *s;
    int i = 1;

    ixd_opt.test_ext_dir = IXD_DEFAULT_TEST_EXT_DIR;
    if ((ixd_opt.ext_dir = installed_ext_dir()))
        ixd_opt.test_ext_dir = ixd_opt.ext_dir; /* the SDK has no test-ext modules */
    else
        ixd_opt.ext_dir = IXD_DEFAULT_EXT_DIR;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (strcmp(argv[i], "--help") == 0) return usage(stdout, 0);
        if (i + 1 >= argc) return usage(stderr, 2);
        if (strcmp(argv[i], "--ext-dir") == 0)
            ixd_opt.ext_dir = argv[i + 1];
        else if (strcmp(argv[i], "--test-ext-dir") == 0)
            ixd_opt.test_ext_dir = argv[i + 1];
        else
            return usage(stderr, 2);
    }
    if (i >= argc) return usage(stderr, 2);
    s = find(argv[i]);
    if (!s) {
        fprintf(stderr, "ixdriver: no scenario '%s'\n", argv[i]);
        return usage(stderr, 2);
    }
    if (argc - i - 1 > s->max_args) {
        fprintf(stderr, "ixdriver: too many arguments for %s\n", s->name);
        return usage(stderr, 2);
    }
    if ((size_t)snprintf(ixd_opt.module_path, sizeof ixd_opt.module_path, "%s:%s",
                         ixd_opt.ext_dir, ixd_opt.test_ext_dir) >= sizeof ixd_opt.module_path) {
        fprintf(stderr, "ixdriver: module path too long\n");
        return 2;
    }
    run(s, argc - i - 1, argv + i + 1);
    return 0;
}
