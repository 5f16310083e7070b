/*
 * run_call.h -- the CALL expressions of `ixdriver run --call` (valgrind/check-extension)
 * and `ixaudit --call`: one parser and one evaluator, shared by both programs.
 *
 * A CALL is `func(ARGS)` -- module.func(ARGS) -- or `Type(ARGS).method(ARGS)`, one method
 * call on what the first call returned. ARGS are comma-separated literals: integers
 * (64-bit, decimal), floats (1.5, 2e3), strings in single or double quotes (escapes
 * \\ \' \" \n \t \r \0 \xHH), None, True, False, and [lists] of these, nested.
 */
#ifndef IXD_RUN_CALL_H
#define IXD_RUN_CALL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "isolex.h"

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

/* One parsed CALL. */
typedef struct IxdCall {
    const char *text;   /* as given on the command line (not owned) */
    char *func;         /* module attribute called */
    RunValue args;      /* RV_LIST: its arguments */
    char *method;       /* NULL, or the method called on func's result */
    RunValue margs;
} IxdCall;

/* Parse text into *call (zeroed first; text is kept, not copied). 0 on success; -1 with
 * the message in error (cut to cap) and its 0-based column in *error_pos. Either way
 * ixd_call_free(call) releases what was parsed. */
int ixd_call_parse(const char *text, IxdCall *call, size_t *error_pos, char *error, size_t cap);
void ixd_call_free(IxdCall *call);
/* "PROG: bad --call, column N: MESSAGE", the text and a caret under the column, on out. */
void ixd_call_print_error(FILE *out, const char *prog, const char *text, size_t error_pos,
                          const char *error);
/* Nonzero when s is a name, [A-Za-z_][A-Za-z0-9_]* (a module name, for instance). */
int ixd_call_is_name(const char *s);

/* Run the call on module: a new reference, or NULL with the error set. */
IxObject *ixd_call_run(IxContext *ctx, IxObject *module, const IxdCall *call);
/* repr(obj) into buf; a repr that raises is shown as such (and its error cleared). */
const char *ixd_call_repr(IxContext *ctx, IxObject *obj, char *buf, size_t cap);

#endif
