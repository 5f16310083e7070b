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
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "wire_read.h"

#define MAX_DEPTH 32           /* nesting of [lists] in a call's arguments */
#define MAX_INTERPRETERS 64    /* K: enough to share a library widely, bounded for the array */
#define MAX_CYCLES 10000000L
#define REPORT_SIZE 65536      /* a close's leak report; a longer one is cut to a summary */
#define TEXT_SIZE 1024         /* error texts, reprs and report lines as printed */

/* ---------------------------------------------------------------- parsed calls */

typedef enum { RV_NONE, RV_TRUE, RV_FALSE, RV_INT, RV_FLOAT, RV_STR, RV_LIST } RunKind;

typedef struct RunValue RunValue;
struct RunValue {
    RunKind kind;
    int64_t i;          /* RV_INT */
    double f;           /* RV_FLOAT */
    char *s;            /* RV_STR: the bytes after escapes (may hold NULs), NUL-terminated */
    size_t n;           /* RV_STR: their count */
    RunValue *items;    /* RV_LIST, and an argument list */
    size_t count;
};

typedef struct RunCall {
    const char *text;   /* as given on the command line */
    char *func;         /* module attribute called */
    RunValue args;      /* RV_LIST: its arguments */
    char *method;       /* NULL, or the method called on func's result */
    RunValue margs;
    /* results, over all cycles and interpreters */
    long raised;
    char last_error[TEXT_SIZE]; /* the last error printed, so a repeat is only counted */
} RunCall;

static void value_free(RunValue *v)
{
    size_t i;
    for (i = 0; i < v->count; i++) value_free(&v->items[i]);
    free(v->items);
    free(v->s);
    memset(v, 0, sizeof *v);
}

/* A RunValue appended to list (RV_LIST), zeroed; NULL when out of memory. */
static RunValue *value_append(RunValue *list)
{
    RunValue *grown = realloc(list->items, (list->count + 1) * sizeof *grown);
    if (!grown) return NULL;
    list->items = grown;
    memset(&grown[list->count], 0, sizeof *grown);
    return &grown[list->count++];
}

/* ---------------------------------------------------------------- the parser
 *
 * Recursive descent over the text of one --call. The first error wins: it records its
 * message and column, and every function then returns -1 up to parse_call. */

typedef struct Parser {
    const char *text;
    size_t pos;
    int depth;
    size_t error_pos;
    char error[256];
} Parser;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int parse_fail_at(Parser *p, size_t pos, const char *fmt, ...)
{
    va_list va;
    if (p->error[0]) return -1;
    p->error_pos = pos;
    va_start(va, fmt);
    vsnprintf(p->error, sizeof p->error, fmt, va);
    va_end(va);
    return -1;
}

static int is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

static char peek(const Parser *p) { return p->text[p->pos]; }

static void skip_space(Parser *p)
{
    while (peek(p) == ' ' || peek(p) == '\t') p->pos++;
}

/* What is at the cursor, for messages: "the end" or "'x'". */
static const char *found(const Parser *p, char *buf, size_t cap)
{
    if (peek(p) == '\0') return "the end";
    snprintf(buf, cap, "'%c'", peek(p));
    return buf;
}

/* A name, [A-Za-z_][A-Za-z0-9_]*, copied into *out (malloc'd). */
static int parse_name(Parser *p, char **out, const char *what)
{
    size_t start = p->pos;
    char buf[8];
    if (!is_name_start(peek(p)))
        return parse_fail_at(p, p->pos, "expected %s, found %s", what, found(p, buf, sizeof buf));
    while (is_name_char(peek(p))) p->pos++;
    *out = malloc(p->pos - start + 1);
    if (!*out) return parse_fail_at(p, start, "out of memory");
    memcpy(*out, p->text + start, p->pos - start);
    (*out)[p->pos - start] = '\0';
    return 0;
}

/* One hex digit's value, or -1. */
static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* 'text' or "text", with backslash escapes. The result is at most as long as the
 * literal, so one allocation of that size holds it. */
static int parse_string(Parser *p, RunValue *v)
{
    char quote = peek(p);
    size_t start = p->pos++;
    size_t n = 0;
    char *s = malloc(strlen(p->text + start) + 1);

    if (!s) return parse_fail_at(p, start, "out of memory");
    v->kind = RV_STR;
    v->s = s; /* owned by v from here, freed with it on error too */
    for (;;) {
        char c = p->text[p->pos];
        if (c == '\0') return parse_fail_at(p, start, "unterminated string (no closing %c)", quote);
        p->pos++;
        if (c == quote) break;
        if (c != '\\') {
            s[n++] = c;
            continue;
        }
        c = p->text[p->pos];
        switch (c) {
        case '\\': case '\'': case '"': s[n++] = c; break;
        case 'n': s[n++] = '\n'; break;
        case 't': s[n++] = '\t'; break;
        case 'r': s[n++] = '\r'; break;
        case '0': s[n++] = '\0'; break;
        case 'x': {
            int hi = hex_value(p->text[p->pos + 1]);
            int lo = hi < 0 ? -1 : hex_value(p->text[p->pos + 2]);
            if (lo < 0)
                return parse_fail_at(p, p->pos - 1, "\\x needs two hex digits");
            s[n++] = (char)(hi * 16 + lo);
            p->pos += 2;
            break;
        }
        case '\0':
            return parse_fail_at(p, start, "unterminated string (no closing %c)", quote);
        default:
            return parse_fail_at(p, p->pos - 1,
                                 "unknown escape \\%c (known: \\\\ \\' \\\" \\n \\t \\r \\0 \\xHH)", c);
        }
        p->pos++;
    }
    s[n] = '\0';
    v->n = n;
    return 0;
}

/* [+-]digits, or a float: [+-]digits.digits with an optional exponent, or an exponent
 * alone (2e3). The span is checked here and then converted, so strtoll and strtod never
 * see (and never accept) anything else: hex, inf, nan, a leading '.'. */
static int parse_number(Parser *p, RunValue *v)
{
    size_t start = p->pos, digits = 0;
    int is_float = 0;
    char span[128], *end;

    if (peek(p) == '+' || peek(p) == '-') p->pos++;
    while (is_digit(peek(p))) p->pos++, digits++;
    if (digits == 0) return parse_fail_at(p, start, "expected a number after the sign");
    if (peek(p) == '.') {
        is_float = 1;
        p->pos++;
        if (!is_digit(peek(p)))
            return parse_fail_at(p, p->pos, "expected a digit after the decimal point");
        while (is_digit(peek(p))) p->pos++;
    }
    if (peek(p) == 'e' || peek(p) == 'E') {
        is_float = 1;
        p->pos++;
        if (peek(p) == '+' || peek(p) == '-') p->pos++;
        if (!is_digit(peek(p))) return parse_fail_at(p, p->pos, "expected the exponent's digits");
        while (is_digit(peek(p))) p->pos++;
    }
    if (is_name_char(peek(p)) || peek(p) == '.')
        return parse_fail_at(p, start, "bad number (integers are decimal; floats look like 1.5 or 2e3)");
    if (p->pos - start >= sizeof span) return parse_fail_at(p, start, "number too long");
    memcpy(span, p->text + start, p->pos - start);
    span[p->pos - start] = '\0';

    errno = 0;
    if (is_float) {
        v->kind = RV_FLOAT;
        v->f = strtod(span, &end);
        if (errno == ERANGE && (v->f > 1.0 || v->f < -1.0))
            return parse_fail_at(p, start, "float out of range: %s", span);
    } else {
        long long i = strtoll(span, &end, 10);
        if (errno == ERANGE)
            return parse_fail_at(p, start, "integer out of range (64-bit signed): %s", span);
        v->kind = RV_INT;
        v->i = (int64_t)i;
    }
    return 0;
}

static int parse_items(Parser *p, char close, RunValue *list);

static int parse_value(Parser *p, RunValue *v)
{
    char c = peek(p), buf[8];
    size_t start = p->pos;

    if (c == '[') {
        int rc;
        if (p->depth >= MAX_DEPTH)
            return parse_fail_at(p, p->pos, "lists nested more than %d deep", MAX_DEPTH);
        p->pos++;
        p->depth++;
        v->kind = RV_LIST;
        rc = parse_items(p, ']', v);
        p->depth--;
        return rc;
    }
    if (c == '\'' || c == '"') return parse_string(p, v);
    if (is_digit(c) || c == '+' || c == '-') return parse_number(p, v);
    if (is_name_start(c)) {
        char *name = NULL;
        int rc = parse_name(p, &name, "a value");
        if (rc == 0) {
            if (strcmp(name, "None") == 0) v->kind = RV_NONE;
            else if (strcmp(name, "True") == 0) v->kind = RV_TRUE;
            else if (strcmp(name, "False") == 0) v->kind = RV_FALSE;
            else rc = parse_fail_at(p, start, "'%s' is not a value (values: numbers, 'str', "
                                    "None, True, False, [lists])", name);
        }
        free(name);
        return rc;
    }
    return parse_fail_at(p, start, "expected a value, found %s", found(p, buf, sizeof buf));
}

/* Items up to `close` (the opening bracket is consumed): value, value, ... with an
 * optional trailing comma, as in Python. */
static int parse_items(Parser *p, char close, RunValue *list)
{
    char buf[8];
    for (;;) {
        RunValue *item;
        skip_space(p);
        if (peek(p) == close) {
            p->pos++;
            return 0;
        }
        if (!(item = value_append(list))) return parse_fail_at(p, p->pos, "out of memory");
        if (parse_value(p, item) < 0) return -1;
        skip_space(p);
        if (peek(p) == ',') {
            p->pos++;
            continue;
        }
        if (peek(p) != close)
            return parse_fail_at(p, p->pos, "expected ',' or '%c', found %s", close,
                                 found(p, buf, sizeof buf));
    }
}

/* NAME(ARGS) -- the name and the opening parenthesis; the arguments go into args. */
static int parse_one_call(Parser *p, char **name, RunValue *args, const char *what)
{
    char buf[8];
    skip_space(p);
    if (parse_name(p, name, what) < 0) return -1;
    skip_space(p);
    if (peek(p) != '(')
        return parse_fail_at(p, p->pos, "expected '(' after '%s', found %s", *name,
                             found(p, buf, sizeof buf));
    p->pos++;
    args->kind = RV_LIST;
    return parse_items(p, ')', args);
}

static int parse_call(Parser *p, RunCall *call)
{
    char buf[8];
    if (parse_one_call(p, &call->func, &call->args, "a function or type name") < 0) return -1;
    skip_space(p);
    if (peek(p) == '.') {
        p->pos++;
        if (parse_one_call(p, &call->method, &call->margs, "a method name") < 0) return -1;
        skip_space(p);
        if (peek(p) == '.')
            return parse_fail_at(p, p->pos, "only one .method(...) may follow the first call");
    }
    if (peek(p) != '\0')
        return parse_fail_at(p, p->pos, "unexpected %s after the call", found(p, buf, sizeof buf));
    return 0;
}

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
    for (i = 0; i < o->ncalls; i++) {
        free(o->calls[i].func);
        free(o->calls[i].method);
        value_free(&o->calls[i].args);
        value_free(&o->calls[i].margs);
    }
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
    Parser p = { text, 0, 0, 0, { 0 } };
    RunCall *grown = realloc(o->calls, (o->ncalls + 1) * sizeof *grown), *call;
    if (!grown) usage_error(o, "out of memory");
    o->calls = grown;
    call = &o->calls[o->ncalls++];
    memset(call, 0, sizeof *call);
    call->text = text;
    if (parse_call(&p, call) == 0) return;
    fflush(stdout);
    fprintf(stderr,
            "ixdriver run: bad --call, column %zu: %s\n  %s\n  %*s^\n"
            "(a call is func(ARGS) or Type(ARGS).method(ARGS); see ixdriver run --help)\n",
            p.error_pos + 1, p.error, text, (int)p.error_pos, "");
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
            const char *c = v;
            if (!is_name_start(*c)) usage_error(o, "--module '%s' is not a module name", v);
            while (is_name_char(*c)) c++;
            if (*c != '\0') usage_error(o, "--module '%s' is not a module name", v);
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

/* A new reference to the object v describes, or NULL with the error set. */
static IxObject *build_value(IxContext *ctx, const RunValue *v)
{
    IxObject *list, *item;
    size_t i;
    switch (v->kind) {
    case RV_NONE: return Ix_NewRef(ctx, Ix_None(ctx));
    case RV_TRUE: return IxBool_FromInt(ctx, 1);
    case RV_FALSE: return IxBool_FromInt(ctx, 0);
    case RV_INT: return IxLong_FromInt64(ctx, v->i);
    case RV_FLOAT: return IxFloat_FromDouble(ctx, v->f);
    case RV_STR: return IxStr_FromUTF8(ctx, v->s, v->n); /* bad UTF-8 raises, like a call */
    case RV_LIST:
        if (!(list = IxList_New(ctx))) return NULL;
        for (i = 0; i < v->count; i++) {
            item = build_value(ctx, &v->items[i]);
            if (!item || IxList_Append(ctx, list, item) < 0) {
                if (item) Ix_Decref(ctx, item);
                Ix_Decref(ctx, list);
                return NULL;
            }
            Ix_Decref(ctx, item);
        }
        return list;
    }
    return NULL; /* not reached: every kind is handled above */
}

/* target(args), or target.method(args): a new reference, or NULL with the error set. */
static IxObject *call_with(IxContext *ctx, IxObject *target, const char *method,
                           const RunValue *args)
{
    IxObject **argv = NULL, *result = NULL;
    size_t i, made = 0;
    if (args->count > 0) {
        argv = calloc(args->count, sizeof *argv);
        if (!argv) return IxErr_NoMemory(ctx);
    }
    for (; made < args->count; made++)
        if (!(argv[made] = build_value(ctx, &args->items[made]))) break;
    if (made == args->count) result = ixd_call(ctx, target, method, argv, args->count);
    for (i = 0; i < made; i++) Ix_Decref(ctx, argv[i]);
    free(argv);
    return result;
}

/* The call's result (new reference), or NULL with the error set. */
static IxObject *do_call(IxContext *ctx, IxObject *module, const RunCall *call)
{
    IxObject *f = Ix_GetAttr(ctx, module, call->func), *first, *result;
    if (!f) return NULL;
    first = call_with(ctx, f, NULL, &call->args);
    Ix_Decref(ctx, f);
    if (!first || !call->method) return first;
    result = call_with(ctx, first, call->method, &call->margs);
    Ix_Decref(ctx, first);
    return result;
}

/* repr(obj) into buf; a repr that raises is shown as such. */
static const char *repr_text(IxContext *ctx, IxObject *obj, char *buf, size_t cap)
{
    IxObject *r = Ix_Repr(ctx, obj);
    const char *s = r ? IxStr_AsUTF8(ctx, r, NULL) : NULL;
    if (s) {
        snprintf(buf, cap, "%s", s);
    } else {
        char err[TEXT_SIZE];
        const char *e = ixh_error_text(ctx, err, sizeof err);
        snprintf(buf, cap, "(repr raised %s)", e ? e : "(no error set)");
        IxErr_Clear(ctx);
    }
    if (r) Ix_Decref(ctx, r);
    return buf;
}

/* Every call in one interpreter. Results are shown once (the first interpreter of the
 * first cycle); an error is shown when it differs from the last one shown for that call,
 * and counted always. */
static void run_calls(RunOptions *o, IxContext *ctx, IxObject *module, long cycle, long k)
{
    size_t i;
    char text[TEXT_SIZE];
    for (i = 0; i < o->ncalls; i++) {
        RunCall *call = &o->calls[i];
        IxObject *result = do_call(ctx, module, call);
        o->calls_run++;
        if (result) {
            if (cycle == 1 && k == 1)
                printf("  %s -> %s\n", call->text, repr_text(ctx, result, text, sizeof text));
            Ix_Decref(ctx, result);
            continue;
        }
        call->raised++;
        if (!ixh_error_text(ctx, text, sizeof text)) snprintf(text, sizeof text, "(no error set)");
        IxErr_Clear(ctx);
        if (strcmp(text, call->last_error) != 0) {
            printf("  %s raised %s (cycle %ld, interpreter %ld; a raising call is not a leak)\n",
                   call->text, text, cycle, k);
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
    for (i = 0; i < o.ncalls; i++) printf("  call %zu: %s\n", i + 1, o.calls[i].text);
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
