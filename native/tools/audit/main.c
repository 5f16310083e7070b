/*
 * main.c -- ixaudit: what keeps an extension library from running in several interpreters
 * (`isolex audit` runs it). docs/audit.md documents the rules and the output.
 *
 *   ixaudit [--json] [--module NAME] [--source-root DIR] [--dynamic] [--call 'CALL']... LIB.so
 *
 * Exit status: 0 no findings; 1 findings; 2 usage error or unreadable input.
 */
#define _GNU_SOURCE

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "run_call.h"

#define MAX_CALLS 256

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ixaudit [--json] [--module NAME] [--source-root DIR] [--dynamic]\n"
            "               [--call 'CALL']... LIB.so\n"
            "  LIB.so          the extension library to audit\n"
            "  --json          one JSON object on stdout instead of text (docs/audit.md)\n"
            "  --dynamic       import the module into two interpreters and report what each\n"
            "                  step writes into the library's globals (implied by --call)\n"
            "  --call 'CALL'   run after the imports, in each interpreter, in the order given:\n"
            "                  func(ARGS) or Type(ARGS).method(ARGS), as `ixdriver run` takes them\n"
            "  --module NAME   the module to import (default: the file name without .so)\n"
            "  --source-root DIR  show source files relative to DIR (default: the working\n"
            "                  directory)\n"
            "Exit status: 0 no findings; 1 findings; 2 usage error or unreadable input.\n");
}

_Noreturn static void usage_error(const char *fmt, const char *arg)
{
    fputs("ixaudit: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n", stderr);
    usage(stderr);
    exit(2);
}

/* NAME from DIR/NAME.so. */
static char *module_from_path(const char *path)
{
    const char *base = strrchr(path, '/');
    size_t n;
    char *name;
    base = base ? base + 1 : path;
    n = strlen(base);
    if (n > 3 && strcmp(base + n - 3, ".so") == 0) n -= 3;
    name = ixa_strdup(base);
    name[n] = '\0';
    return name;
}

static int by_kind_then_name(const void *x, const void *y)
{
    const IxaGlobal *a = x, *b = y;
    if (a->kind != b->kind) return (int)a->kind - (int)b->kind;
    return strcmp(a->name, b->name);
}

int main(int argc, char **argv)
{
    IxaAudit a;
    const char *calls[MAX_CALLS], *module = NULL;
    size_t ncalls = 0, findings;
    int i, json = 0, dynamic = 0;
    char err[1024], source_root[PATH_MAX];

    memset(&a, 0, sizeof a);
    a.declared = -1;
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) { usage(stdout); return 0; }
        else if (strcmp(arg, "--json") == 0) json = 1;
        else if (strcmp(arg, "--dynamic") == 0) dynamic = 1;
        else if (strcmp(arg, "--call") == 0 || strcmp(arg, "--module") == 0
                 || strcmp(arg, "--source-root") == 0) {
            if (i + 1 >= argc) usage_error("%s needs a value", arg);
            if (arg[2] == 'm') module = argv[++i];
            else if (arg[2] == 's') {
                /* DWARF names files by absolute path: compare with the root's */
                if (!realpath(argv[++i], source_root)) usage_error("--source-root '%s' is not a directory", argv[i]);
                a.source_root = source_root;
            }
            else if (ncalls == MAX_CALLS) usage_error("too many --call (at most %s)", "256");
            else calls[ncalls++] = argv[++i];
            if (arg[2] == 'c') dynamic = 1;
        } else if (strncmp(arg, "--", 2) == 0 && arg[2]) usage_error("unknown option '%s'", arg);
        else if (a.path) usage_error("one library at a time ('%s' is a second)", arg);
        else a.path = arg;
    }
    if (!a.path) usage_error("%s", "no library given");
    a.module = module ? ixa_strdup(module) : module_from_path(a.path);
    if (dynamic && !ixd_call_is_name(a.module))
        usage_error("'%s' is not a module name (give --module NAME)", a.module);

    if (ixa_static(&a, err, sizeof err) != 0) {
        fprintf(stderr, "ixaudit: %s\n", err);
        ixa_free(&a);
        return 2;
    }
    qsort(a.globals, a.nglobals, sizeof *a.globals, by_kind_then_name);
    if (dynamic && ixa_dynamic(&a, calls, ncalls, err, sizeof err) != 0) {
        fprintf(stderr, "ixaudit: %s\n", err);
        ixa_free(&a);
        return 2;
    }
    if (json) ixa_print_json(stdout, &a);
    else ixa_print_text(stdout, &a);
    findings = ixa_findings(&a);
    ixa_free(&a);
    return findings ? 1 : 0;
}
