/*
 * run_call.c -- parsing and running the CALL expressions of `ixdriver run --call` and
 * `ixaudit --call` (run_call.h says what a CALL is).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isolex_host.h"
#include "run_call.h"

#define MAX_DEPTH 32           /* nesting of [lists] in a call's arguments */
#define TEXT_SIZE 1024         /* error texts */

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

static int parse_call(Parser *p, IxdCall *call)
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

int ixd_call_parse(const char *text, IxdCall *call, size_t *error_pos, char *error, size_t cap)
{
    Parser p = { text, 0, 0, 0, { 0 } };
    memset(call, 0, sizeof *call);
    call->text = text;
    if (parse_call(&p, call) == 0) return 0;
    *error_pos = p.error_pos;
    snprintf(error, cap, "%s", p.error);
    return -1;
}

void ixd_call_free(IxdCall *call)
{
    free(call->func);
    free(call->method);
    value_free(&call->args);
    value_free(&call->margs);
    call->func = call->method = NULL;
}

void ixd_call_print_error(FILE *out, const char *prog, const char *text, size_t error_pos,
                          const char *error)
{
    fprintf(out, "%s: bad --call, column %zu: %s\n  %s\n  %*s^\n", prog, error_pos + 1, error,
            text, (int)error_pos, "");
}

int ixd_call_is_name(const char *s)
{
    if (!is_name_start(*s)) return 0;
    while (is_name_char(*s)) s++;
    return *s == '\0';
}

/* ---------------------------------------------------------------- running calls */

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
    if (made == args->count)
        result = method ? Ix_CallMethod(ctx, target, method, argv, args->count)
                        : Ix_Call(ctx, target, argv, args->count);
    for (i = 0; i < made; i++) Ix_Decref(ctx, argv[i]);
    free(argv);
    return result;
}

/* The call's result (new reference), or NULL with the error set. */
IxObject *ixd_call_run(IxContext *ctx, IxObject *module, const IxdCall *call)
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
const char *ixd_call_repr(IxContext *ctx, IxObject *obj, char *buf, size_t cap)
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
