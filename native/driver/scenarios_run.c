/*
 * scenarios_run.c -- `ixdriver run`: a user's extension, run the way a leak checker needs
 * it. valgrind/check-extension runs this under memcheck; it is also useful alone, since
 * ixh_interp_close's own leak report (ABI.md 8.2) needs no Valgrind.
 *
 *   ixdriver run --module NAME [--path DIR[:DIR...]] [--call 'CALL']...
 *                [--interpreters K] [--cycles N] [--debug]
 *
 * Each cycle creates K interpreters, imports NAME in each (so K instances of the module
 * are alive at once, sharing one mapping of the library), runs every --call in each,
 * then closes all K in the order they were made. A call that raises is reported
 * ("TypeName: message") and the run goes on: raising is not leaking, and error paths are
 * where leaks hide. An error no call could raise (a dealloc's, a finalizer's: ABI.md 6.8)
 * is shown too, from the interpreter's record, before its close; it is no leak either.
 * A close that finds a leak prints its report. After the last cycle the
 * process must hold nothing: ixh_live_bytes() == 0 and ixh_loaded_libraries() == 0.
 *
 * Running several cycles is what makes a leak visible to Valgrind and to the host alike:
 * a block a module keeps in a C global across instances looks reachable after one cycle
 * and is lost (overwritten) after two; a library that is unmapped and mapped again must
 * start over cleanly.
 *
 * A CALL is `func(ARGS)` -- module.func(ARGS) -- or `Type(ARGS).method(ARGS)`, one method
 * call on what the first call returned (an instance, typically), so a user can exercise
 * a type. ARGS are comma-separated literals: integers (64-bit, decimal), floats (1.5,
 * 2e3), strings in single or double quotes (escapes \\ \' \" \n \t \r \0 \xHH), None,
 * True, False, and [lists] of these, nested. Every call is parsed before anything runs:
 * a syntax error is a usage error (exit 2), shown with a caret under the column.
 *
 * Exit status: 0 clean; 1 when a close reported a leak, the process was not back to zero,
 * or an import that had worked failed later; 2 for a usage error, including a module
 * that cannot be imported at all.
 *
 * The CALL parser and evaluator are run_call.c's, shared with ixaudit.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "run_call.h"
#include "wire_read.h"

#define MAX_INTERPRETERS 64    /* K: enough to share a library widely, bounded for the array */
#define MAX_CYCLES 10000000L
#define REPORT_SIZE 65536      /* a close's leak report; a longer one is cut to a summary */
#define TEXT_SIZE 1024         /* error texts, reprs and report lines as printed */

/* A --call (run_call.h) and its results, over all cycles and interpreters. */
typedef struct RunCall {
    IxdCall c;
    long raised;
    char last_error[TEXT_SIZE]; /* the last error printed, so a repeat is only counted */
} RunCall;

/* ---------------------------------------------------------------- options */

typedef struct RunOptions {
    const char *module;
    const char *path;
    long interpreters, cycles;
    int debug;
    RunCall *calls;
    size_t ncalls;
    long calls_run;     /* over all cycles and interpreters */
    int64_t ignored;    /* ABI 1.2: errors no call could raise (ABI.md 6.8), all interpreters */
    char last_ignored[TEXT_SIZE]; /* the last of them shown */
} RunOptions;

static void run_options_free(RunOptions *o)
{
    size_t i;
    for (i = 0; i < o->ncalls; i++) ixd_call_free(&o->calls[i].c);
    free(o->calls);
    o->calls = NULL;
    o->ncalls = 0;
}

static void run_usage(FILE *out)
{
    fprintf(out,
            "usage: ixdriver run --module NAME [--path DIR[:DIR...]] [--call 'CALL']...\n"
            "                    [--interpreters K] [--cycles N] [--debug]\n"
            "  --module NAME       the module to import: NAME.so on the path\n"
            "  --path DIRS         ':'-separated directories import searches\n"
            "                      (default: the driver's extension and test-ext directories)\n"
            "  --call 'CALL'       run in every interpreter after the import, in the order given:\n"
            "                        func(ARGS)                 module.func(ARGS)\n"
            "                        Type(ARGS).method(ARGS)    one method on what Type(ARGS) returned\n"
            "                      ARGS: comma-separated 42 -7 1.5 2e3 'str' \"str\" None True False\n"
            "                      and [lists] of them, nested\n"
            "  --interpreters K    interpreters alive at once in each cycle (default 3)\n"
            "  --cycles N          cycles of create K, import, call, close K (default 10)\n"
            "  --debug             open the interpreters in debug mode (ABI.md 10) and print\n"
            "                      the violations it records\n"
            "Exit status: 0 clean; 1 a close reported a leak or the process did not get back\n"
            "to zero; 2 usage error (a bad --call, a module that cannot be imported).\n");
}

_Noreturn static void usage_error(RunOptions *o, const char *fmt, ...)
{
    va_list va;
    fflush(stdout);
    fputs("ixdriver run: ", stderr);
    va_start(va, fmt);
    vfprintf(stderr, fmt, va);
    va_end(va);
    fputs("\n", stderr);
    run_usage(stderr);
    run_options_free(o);
    exit(2);
}

static long count_option(RunOptions *o, const char *opt, const char *value, long max)
{
    char *end = NULL;
    long n;
    errno = 0;
    n = strtol(value, &end, 10);
    if (end == value || *end != '\0' || errno == ERANGE || n < 1 || n > max)
        usage_error(o, "%s must be an integer from 1 to %ld, got '%s'", opt, max, value);
    return n;
}

static void add_call(RunOptions *o, const char *text)
{
    RunCall *grown = realloc(o->calls, (o->ncalls + 1) * sizeof *grown), *call;
    size_t error_pos = 0;
    char error[256];
    if (!grown) usage_error(o, "out of memory");
    o->calls = grown;
    call = &o->calls[o->ncalls++];
    memset(call, 0, sizeof *call);
    if (ixd_call_parse(text, &call->c, &error_pos, error, sizeof error) == 0) return;
    fflush(stdout);
    ixd_call_print_error(stderr, "ixdriver run", text, error_pos, error);
    fprintf(stderr, "(a call is func(ARGS) or Type(ARGS).method(ARGS); see ixdriver run --help)\n");
    run_options_free(o);
    exit(2);
}

/* --opt VALUE or --opt=VALUE; returns VALUE and advances *i past it, or NULL when
 * argv[*i] is not opt. */
static const char *option_value(RunOptions *o, int argc, char **argv, int *i, const char *opt)
{
    size_t n = strlen(opt);
    if (strncmp(argv[*i], opt, n) != 0) return NULL;
    if (argv[*i][n] == '=') return argv[*i] + n + 1;
    if (argv[*i][n] != '\0') return NULL;
    if (*i + 1 >= argc) usage_error(o, "%s needs a value", opt);
    return argv[++*i];
}

static void parse_options(RunOptions *o, int argc, char **argv)
{
    int i;
    const char *v;
    o->path = ixd_opt.module_path;
    o->interpreters = 3;
    o->cycles = 10;
    for (i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            run_usage(stdout);
            run_options_free(o);
            exit(0);
        } else if ((v = option_value(o, argc, argv, &i, "--module"))) {
            if (!ixd_call_is_name(v)) usage_error(o, "--module '%s' is not a module name", v);
            o->module = v;
        } else if ((v = option_value(o, argc, argv, &i, "--path"))) {
            if (!*v) usage_error(o, "--path is empty");
            o->path = v;
        } else if ((v = option_value(o, argc, argv, &i, "--call"))) {
            add_call(o, v);
        } else if ((v = option_value(o, argc, argv, &i, "--interpreters"))) {
            o->interpreters = count_option(o, "--interpreters", v, MAX_INTERPRETERS);
        } else if ((v = option_value(o, argc, argv, &i, "--cycles"))) {
            o->cycles = count_option(o, "--cycles", v, MAX_CYCLES);
        } else if (strcmp(argv[i], "--debug") == 0) {
            o->debug = 1;
        } else {
            usage_error(o, "unknown argument '%s'", argv[i]);
        }
    }
    if (!o->module) usage_error(o, "--module is required");
}

/* ---------------------------------------------------------------- running calls */

static void run_calls(RunOptions *o, IxContext *ctx, IxObject *module, long cycle, long k)
{
    size_t i;
    char text[TEXT_SIZE];
    for (i = 0; i < o->ncalls; i++) {
        RunCall *call = &o->calls[i];
        IxObject *result = ixd_call_run(ctx, module, &call->c);
        o->calls_run++;
        if (result) {
            if (cycle == 1 && k == 1)
                printf("  %s -> %s\n", call->c.text, ixd_call_repr(ctx, result, text, sizeof text));
            Ix_Decref(ctx, result);
            continue;
        }
        call->raised++;
        if (!ixh_error_text(ctx, text, sizeof text)) snprintf(text, sizeof text, "(no error set)");
        IxErr_Clear(ctx);
        if (strcmp(text, call->last_error) != 0) {
            printf("  %s raised %s (cycle %ld, interpreter %ld; a raising call is not a leak)\n",
                   call->c.text, text, cycle, k);
            snprintf(call->last_error, sizeof call->last_error, "%s", text);
        }
    }
}

/* ---------------------------------------------------------------- leak reports */

/* One line, "isolex leak report: cycle C, interpreter I of K (id N): bytes 96, blocks 2,
 * objects {...}, modules {...}, raw_blocks 0" -- the report's fields in its own order,
 * so a field added later (debug mode's "sites") shows without a change here.
 * valgrind/check-extension collects these lines by their prefix. */
static void print_report(const uint8_t *report, size_t len, long cycle, long k, long kmax)
{
    IxdReader r;
    char key[64], value[TEXT_SIZE], line[4 * TEXT_SIZE];
    size_t used = 0;
    uint32_t i, n, klen;
    int64_t id = -1;

    ixd_reader_init(&r, report, len);
    n = ixd_read_count(&r, IXW_DICT);
    for (i = 0; i < n && !r.bad; i++) {
        const char *s = ixd_read_str(&r, &klen);
        snprintf(key, sizeof key, "%.*s", (int)klen, s);
        if (strcmp(key, "interpreter") == 0) {
            id = ixd_read_int(&r);
            continue;
        }
        ixd_wire_text(&r, value, sizeof value);
        if (used < sizeof line)
            used += (size_t)snprintf(line + used, sizeof line - used, "%s%s %s",
                                     used ? ", " : "", key, value);
    }
    if (r.bad) {
        ixd_reader_init(&r, report, len);
        printf("isolex leak report: cycle %ld, interpreter %ld of %ld: (unreadable) %s\n",
               cycle, k, kmax, ixd_wire_text(&r, value, sizeof value));
        return;
    }
    printf("isolex leak report: cycle %ld, interpreter %ld of %ld (id %" PRId64 "): %s\n",
           cycle, k, kmax, id, line);
}

/* The bytes field of a report, or 0. */
static int64_t report_bytes(const uint8_t *report, size_t len)
{
    IxdReader r;
    uint32_t i, n, klen;
    ixd_reader_init(&r, report, len);
    n = ixd_read_count(&r, IXW_DICT);
    for (i = 0; i < n && !r.bad; i++) {
        const char *s = ixd_read_str(&r, &klen);
        char skip[8];
        if (klen == 5 && memcmp(s, "bytes", 5) == 0) return ixd_read_int(&r);
        ixd_wire_text(&r, skip, sizeof skip); /* steps over the value */
    }
    return 0;
}

/* ABI 1.2 (ABI.md 6.8): the errors an interpreter recorded because no call could raise
 * them (a dealloc's, a finalizer's ...), read before its close; each shown when it differs
 * from the last one shown, all counted. They fail no call and are no leak. */
static void print_unraisable(RunOptions *o, IxInterp *in, long cycle, long k)
{
    static uint8_t buf[IXH_UNRAISABLE_CAP];
    size_t len = 0;
    int64_t count = ixh_interp_unraisable(in, buf, sizeof buf, &len);
    IxdReader r;
    uint32_t i, n, wn, tn, mn;
    if (count <= 0) return;
    o->ignored += count;
    ixd_reader_init(&r, buf, len);
    n = ixd_read_count(&r, IXW_LIST);
    for (i = 0; i < n && !r.bad; i++) {
        char text[TEXT_SIZE];
        const char *where, *type, *message;
        ixd_read_count(&r, IXW_TUPLE);
        ixd_read_int(&r);
        where = ixd_read_str(&r, &wn);
        type = ixd_read_str(&r, &tn);
        message = ixd_read_str(&r, &mn);
        if (r.bad) break;
        snprintf(text, sizeof text, "exception ignored in %.*s: %.*s%s%.*s", (int)wn, where, (int)tn, type,
                 mn ? ": " : "", (int)mn, message);
        if (strcmp(text, o->last_ignored) == 0) continue;
        printf("  %s (cycle %ld, interpreter %ld; it failed no call)\n", text, cycle, k);
        snprintf(o->last_ignored, sizeof o->last_ignored, "%s", text);
    }
}

static void print_violations(void)
{
    char buf[16384];
    size_t n;
    if (ixh_debug_take_violations(buf, sizeof buf) <= 0) return;
    n = strlen(buf);
    printf("%s%s", buf, n > 0 && buf[n - 1] == '\n' ? "" : "\n");
}

/* ---------------------------------------------------------------- the scenario */

void ixd_run(int argc, char **argv)
{
    RunOptions o;
    IxInterp *interps[MAX_INTERPRETERS];
    IxObject *modules[MAX_INTERPRETERS];
    IxContext *ctx;
    static uint8_t report[REPORT_SIZE];
    char text[TEXT_SIZE];
    long cycle, k, leak_reports = 0, import_failures = 0, imports = 0;
    int64_t leaked_bytes = 0, live, libs;
    size_t i;

    memset(&o, 0, sizeof o);
    parse_options(&o, argc, argv);

    printf("run: module %s on path %s%s\n", o.module, o.path, o.debug ? " (debug mode)" : "");
    printf("run: %ld cycle%s of: create %ld interpreter%s, import %s in each, %zu call%s in "
           "each, close all; then the process must hold nothing\n",
           o.cycles, o.cycles == 1 ? "" : "s", o.interpreters, o.interpreters == 1 ? "" : "s",
           o.module, o.ncalls, o.ncalls == 1 ? "" : "s");
    for (i = 0; i < o.ncalls; i++) printf("  call %zu: %s\n", i + 1, o.calls[i].c.text);
    fflush(stdout);

    for (cycle = 1; cycle <= o.cycles && import_failures == 0; cycle++) {
        IxInterpConfig config = { .module_path = o.path, .debug = o.debug };

        for (k = 0; k < o.interpreters; k++) {
            interps[k] = ixh_interp_new(&config);
            if (!interps[k]) ixd_fail(IXD_AT, "  ixh_interp_new returned NULL (out of memory)");
            modules[k] = NULL;
        }
        /* Import in all first, so that K instances live at once before any call runs. */
        for (k = 0; k < o.interpreters; k++) {
            ctx = ENTER(interps[k]);
            modules[k] = ixh_import_module(ctx, o.module);
            if (!modules[k]) {
                if (!ixh_error_text(ctx, text, sizeof text)) snprintf(text, sizeof text, "?");
                printf("run: import %s failed in cycle %ld, interpreter %ld: %s\n", o.module,
                       cycle, k + 1, text);
                IxErr_Clear(ctx);
                import_failures++;
            } else {
                imports++;
            }
            ixh_leave(ctx);
            if (import_failures) break;
        }
        if (import_failures == 0)
            for (k = 0; k < o.interpreters; k++) {
                ctx = ENTER(interps[k]);
                run_calls(&o, ctx, modules[k], cycle, k + 1);
                ixh_leave(ctx);
            }
        for (k = 0; k < o.interpreters; k++) {
            if (modules[k]) {
                ctx = ENTER(interps[k]);
                Ix_Decref(ctx, modules[k]);
                ixh_leave(ctx);
            }
        }
        /* Close in the order they were made: the first instance goes while the others
         * still use the library -- the case a module sharing C globals gets wrong. */
        for (k = 0; k < o.interpreters; k++) {
            size_t len = 0;
            int rc;
            print_unraisable(&o, interps[k], cycle, k + 1);
            rc = ixh_interp_close(interps[k], report, sizeof report, &len);
            if (rc != 0) {
                leak_reports++;
                leaked_bytes += report_bytes(report, len);
                print_report(report, len, cycle, k + 1, o.interpreters);
            }
            if (o.debug) print_violations();
        }
        fflush(stdout);
    }

    live = ixh_live_bytes();
    libs = ixh_loaded_libraries();
    if (o.ignored)
        printf("run: %" PRId64 " exception%s ignored (ABI.md 6.8: raised where no call could fail)\n",
               o.ignored, o.ignored == 1 ? "" : "s");
    {
        long raised = 0, calls_run = o.calls_run;
        for (i = 0; i < o.ncalls; i++) raised += o.calls[i].raised;
        printf("run: %s: %ld cycle%s x %ld interpreter%s, %ld call%s (%ld raised), %ld "
               "leak report%s (%" PRId64 " bytes), at the end %" PRId64 " live bytes and %"
               PRId64 " loaded librar%s: %s\n",
               o.module, cycle - 1, cycle - 1 == 1 ? "" : "s", o.interpreters,
               o.interpreters == 1 ? "" : "s", calls_run, calls_run == 1 ? "" : "s", raised,
               leak_reports, leak_reports == 1 ? "" : "s", leaked_bytes, live, libs,
               libs == 1 ? "y" : "ies",
               import_failures ? "IMPORT FAILED"
               : leak_reports || live || libs ? "LEAKED" : "clean");
    }
    fflush(stdout);
    run_options_free(&o);
    /* A module that never imported is a usage error (a wrong name or path); one that
     * imported and then failed is a finding. */
    if (import_failures && imports == 0) exit(2);
    if (import_failures || leak_reports || live || libs) exit(1);
}
