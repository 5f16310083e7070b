/*
 * typed.c -- typed functions (ABI 1.3, ABI.md 4.30-4.39): a function or method defined with
 * IX_METH_TYPED declares C types for its parameters and result ("ld:d"), so the host calls
 * it with IxValues. Two ways in: an embedder's typed call (host.c's ixh_call_typed, values
 * straight from Java, no object made for a long or a double), and every ordinary call
 * (Ix_Call, ixh_call), whose argument objects are converted here and whose result becomes
 * an object again. Either way the call keeps every rule of a call: the caller holds the
 * interpreter's lock, the function runs as code of its module (code lock, allocations
 * counted to it), debug mode records and checks it, and a failure is its error.
 */
#include <stdio.h>
#include <string.h>

#include "ix_internal.h"

/* Why a signature is malformed, in ABI.md 4.32's words; always -1. */
static __attribute__((noinline, cold)) int sig_error(char *err, size_t cap, const char *s, size_t i, const char *why)
{
    if (!err) return -1;
    if (why[0] == 'u') snprintf(err, cap, "unknown type letter '%c' at position %zu", s[i], i + 1);
    else if (why[0] == 't') snprintf(err, cap, "more than %d parameters", IX_TYPED_MAX_ARGS);
    else if (why[0] == 'n') snprintf(err, cap, "no ':' before the result letter");
    else snprintf(err, cap, "one result letter must follow ':'");
    return -1;
}

/* The letters, in the order of their codes (1..5): the code of a signature packs them. */
static const char LETTERS[] = "ldbsy";
static const char *const TYPE_NAMES[] = {"", "int", "float", "bool", "str", "bytes"};

/* A switch, not strchr: every typed call parses its function's signature (a few letters). */
static int letter_code(char c)
{
    switch (c) {
    case 'l': return 1;
    case 'd': return 2;
    case 'b': return 3;
    case 's': return 4;
    case 'y': return 5;
    default: return 0;
    }
}

/* ABI.md 4.31: parameter letters, ':', one result letter. 0, or -1 with the reason in err
 * (err may be NULL on the hot path: a signature checked at import cannot fail). One pass:
 * every typed call parses its function's signature, a few letters. */
int ix_sig_parse(const char *s, IxSig *sig, char *err, size_t cap)
{
    size_t i = 0;
    int64_t code = 0;
    int c;
    for (; s[i] && s[i] != ':'; i++) {
        if (!(c = letter_code(s[i]))) return sig_error(err, cap, s, i, "unknown type letter");
        if (i == IX_TYPED_MAX_ARGS) return sig_error(err, cap, s, i, "too many");
        code |= (int64_t)c << (8 + 4 * i);
    }
    if (s[i] != ':') return sig_error(err, cap, s, i, "no colon");
    if (!s[i + 1] || s[i + 2]) return sig_error(err, cap, s, i, "one result");
    if (!(c = letter_code(s[i + 1]))) return sig_error(err, cap, s, i + 1, "unknown type letter");
    sig->args = s;
    sig->nargs = (uint8_t)i;
    sig->ret = s[i + 1];
    sig->code = code | (int64_t)i | (int64_t)c << 4;
    return 0;
}

/* The signature text of a code (what the embedder declared), "?" for a malformed one. */
static void sig_text(int64_t code, char *out, size_t cap)
{
    size_t n = (size_t)(code & 0xF), at = 0;
    int ret = (int)(code >> 4 & 0xF);
    if (n > IX_TYPED_MAX_ARGS || ret < 1 || ret > 5 || cap < IX_TYPED_MAX_ARGS + 3) {
        snprintf(out, cap, "?");
        return;
    }
    for (size_t k = 0; k < n; k++) {
        int c = (int)(code >> (8 + 4 * k) & 0xF);
        out[at++] = c >= 1 && c <= 5 ? LETTERS[c - 1] : '?';
    }
    out[at++] = ':';
    out[at++] = LETTERS[ret - 1];
    out[at] = 0;
}

/* The typed definition a checked method definition (type.c, ABI.md 4.32) points at. */
static const IxTypedDef *typed_def(const IxMethodDef *def)
{
    return (const IxTypedDef *)(const void *)def->func;
}

static int fill(IxContext *ctx, IxTypedTarget *t, const IxMethodDef *def, IxObject *self, IxObject *module,
                const char *owner)
{
    char err[80];
    t->def = def;
    t->td = typed_def(def);
    t->self = self;
    t->module = module;
    t->owner = owner;
    if (__builtin_expect(ix_sig_parse(t->td->signature, &t->sig, NULL, 0) == 0, 1)) return 0;
    ix_sig_parse(t->td->signature, &t->sig, err, sizeof err);
    /* checked when the definition was; only a definition changed since can get here */
    ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s.%s(): typed signature \"%s\": %s", owner, def->name,
                  t->td->signature, err);
    return -1;
}

/* A module function: its signature's code is parsed once, at its first typed call, and kept
 * in the function object (guarded, like the object, by the interpreter's lock; up to 6
 * parameters, the code's 32 bits fit in padding the object had anyway). The parse
 * checked the whole text, and a definition is constant while its module lives (ABI.md 4.2),
 * so the code stands for the text: nargs and the result letter are unpacked from it. */
static int fill_function(IxContext *ctx, IxTypedTarget *t, IxFunctionObject *fn)
{
    const IxMethodDef *def = fn->def;
    int64_t code = fn->typed_code;
    if (__builtin_expect(code == 0, 0)) {
        if (fill(ctx, t, def, fn->self, fn->self, ((IxModuleObject *)fn->self)->def->name) < 0) return -1;
        if (t->sig.code <= UINT32_MAX) fn->typed_code = (uint32_t)t->sig.code;
        return 0;
    }
    t->def = def;
    t->td = typed_def(def);
    t->self = fn->self;
    t->module = fn->self;
    t->owner = ((IxModuleObject *)fn->self)->def->name;
    t->sig.args = t->td->signature;
    t->sig.nargs = (uint8_t)(code & 0xF);
    t->sig.ret = LETTERS[(code >> 4 & 0xF) - 1];
    t->sig.code = code;
    return 0;
}

/* ABI.md 12.70: the typed function a handle names -- a module function, a method bound to
 * its instance or class, or a static method -- with its signature checked against the
 * caller's `code`. */
int ix_typed_target(IxContext *ctx, IxObject *f, int64_t code, IxTypedTarget *t)
{
    int rc = -1;
    const IxMethodDef *def = NULL;
    if (IX_IS(ctx, f, IX_TYPE_FUNCTION)) {
        IxFunctionObject *fn = (IxFunctionObject *)f;
        def = fn->def;
        if (def->flags & IX_METH_TYPED) rc = fill_function(ctx, t, fn);
    } else if (IX_IS(ctx, f, IXI_TYPE_METHOD_DESCR) && ((IxDescrObject *)f)->u.method->flags & IX_METH_STATIC) {
        IxDescrObject *d = (IxDescrObject *)f; /* a static method, as its type gives it (5.9) */
        def = d->u.method;
        if (def->flags & IX_METH_TYPED) rc = fill(ctx, t, def, NULL, d->owner_type->module, d->owner_type->name);
    } else if (IX_IS(ctx, f, IX_TYPE_METHOD)) {
        IxMethodObject *bm = (IxMethodObject *)f;
        IxDescrObject *d = (IxDescrObject *)bm->descr;
        def = d->u.method;
        if (def->flags & IX_METH_TYPED)
            rc = fill(ctx, t, def, def->flags & IX_METH_STATIC ? NULL : bm->self, d->owner_type->module,
                      d->owner_type->name);
    }
    if (!def || !(def->flags & IX_METH_TYPED)) {
        if (def)
            ix_err_format(ctx, IX_EXC_TYPEERROR, "%s() is not a typed function (no IX_METH_TYPED)", def->name);
        else
            ix_err_format(ctx, IX_EXC_TYPEERROR, "'%s' object is not a typed function", IX_TYPE(f)->name);
        return -1;
    }
    if (rc < 0 || code < 0 || t->sig.code == code) return rc;
    char want[IX_TYPED_MAX_ARGS + 3];
    sig_text(code, want, sizeof want);
    ix_err_format(ctx, IX_EXC_TYPEERROR, "%s.%s() has the typed signature \"%s\", not \"%s\"", t->owner, def->name,
                  t->td->signature, want);
    return -1;
}

IxObject *ix_typed_signature_of(IxContext *ctx, IxObject *f)
{
    IxTypedTarget t;
    if (ix_typed_target(ctx, f, -1, &t) < 0) return NULL;
    return ix_str_from_utf8(ctx, t.td->signature, strlen(t.td->signature));
}

/* ABI.md 4.34: the function's report of its own result. 0, or -1 with an error set. */
static int check_result(IxContext *ctx, const IxTypedTarget *t, int rc, IxValue *r)
{
    bool pending = ix_err_pending(ctx), obj = ix_sig_is_object(t->sig.ret);
    const char *who = t->owner, *name = t->def->name;
    if (rc != 0) {
        if (pending) return -1;
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s.%s() failed without setting an error", who, name);
        return -1;
    }
    if (pending) {
        if (obj) IX_XDECREF(ctx, r->obj);
        ix_err_chain_system(ctx, "%s.%s() returned a result with an error set", who, name);
        return -1;
    }
    if (!obj) {
        if (t->sig.ret == 'b') r->i = r->i != 0;
        return 0;
    }
    int want = t->sig.ret == 's' ? IX_TYPE_STR : IX_TYPE_BYTES;
    if (r->obj && ix_owned_by(ctx, r->obj) && IX_IS(ctx, r->obj, want)) return 0;
    if (!r->obj)
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s.%s() returned no object for its %s result", who, name,
                      TYPE_NAMES[letter_code(t->sig.ret)]);
    else if (!ix_owned_by(ctx, r->obj))
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s.%s() returned an object of another interpreter", who, name);
    else {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s.%s() returned a %s object for its %s result", who, name,
                      IX_TYPE(r->obj)->name, TYPE_NAMES[letter_code(t->sig.ret)]);
        IX_DECREF(ctx, r->obj);
    }
    return -1;
}

/* Run the typed function as code of its module (debug mode: through debug.c, which records
 * the call and checks an object result). 0 with *result set, or -1 with an error set. */
int ix_typed_run(IxContext *ctx, const IxTypedTarget *t, const IxValue *args, IxValue *result)
{
    int rc;
    result->obj = NULL;
    if (IX_INTERP(ctx)->debug) {
        rc = ix_debug_run_typed(ctx, t->td->func, t->self, args, result, ix_sig_is_object(t->sig.ret), t->module,
                                t->owner, t->def->name);
    } else {
        IxEntry e;
        ix_enter_code(ctx, t->module, &e);
        rc = t->td->func(ctx, t->self, args, result);
        ix_leave_code(ctx, &e);
    }
    return check_result(ctx, t, rc, result);
}

/* Calls from..count-1 of a batch under one entry into the module's code. Stops after a
 * call that failed (*failed: its error is set) or that returned without the interpreter's
 * lock (ABI.md 9.1: leaving the code retakes it; that call's result stands). Returns the
 * calls completed. */
static size_t run_rows(IxContext *ctx, const IxTypedTarget *t, IxValue *values, size_t from, size_t count,
                       bool *failed)
{
    IxCtx *c = IX_CTX(ctx);
    size_t n = t->sig.nargs, i = from;
    IxTypedFunction fn = t->td->func;
    IxValue row[IX_TYPED_MAX_ARGS], r;
    int rc = 0;
    IxEntry e;
    ix_enter_code(ctx, t->module, &e);
    for (; i < count; i++) {
        for (size_t a = 0; a < n; a++) row[a] = values[i * n + a]; /* row i is read before values[i] is written */
        rc = fn(ctx, t->self, row, &r);
        if (rc != 0 || c->exc || c->released) break;
        values[i] = r;
    }
    ix_leave_code(ctx, &e);
    if (i == count) return i;
    *failed = check_result(ctx, t, rc, &r) < 0;
    if (*failed) return i;
    values[i] = r;
    return i + 1;
}

/* ABI.md 12.71: `count` calls of a function of numbers, row i at values[i*nargs], its
 * result into values[i]. The module's code is entered once for the batch (a shared-lock
 * module's code lock is held across it), and each call's result is checked as
 * ix_typed_run's; debug mode runs each call through ix_typed_run, recorded one by one.
 * Returns the calls that completed: fewer than count with the next one's error set. */
size_t ix_typed_run_batch(IxContext *ctx, const IxTypedTarget *t, IxValue *values, size_t count)
{
    size_t n = t->sig.nargs, i = 0;
    bool failed = false;
    if (IX_INTERP(ctx)->debug) {
        IxValue row[IX_TYPED_MAX_ARGS], r;
        for (; i < count; i++) {
            memcpy(row, values + i * n, n * sizeof *row);
            if (ix_typed_run(ctx, t, row, &r) < 0) break;
            values[i] = r;
        }
        return i;
    }
    while (i < count && !failed) i = run_rows(ctx, t, values, i, count, &failed);
    if (t->sig.ret == 'b')
        for (size_t k = 0; k < i; k++) values[k].i = values[k].i != 0;
    return i;
}

/* ---------------------------------------------------------------- from objects (ABI.md 4.33) */

static int arg_error(IxContext *ctx, const IxTypedTarget *t, size_t i, IxObject *o)
{
    ix_err_format(ctx, IX_EXC_TYPEERROR, "%s.%s() argument %zu must be %s, not %s", t->owner, t->def->name, i + 1,
                  TYPE_NAMES[letter_code(t->sig.args[i])], IX_TYPE(o)->name);
    return -1;
}

static int to_value(IxContext *ctx, const IxTypedTarget *t, size_t i, IxObject *o, IxValue *v)
{
    switch (t->sig.args[i]) {
    case 'l':
        if (!ix_is_int(ctx, o)) return arg_error(ctx, t, i, o);
        v->i = ix_long_as_int64(ctx, o); /* OverflowError beyond int64 */
        return ix_err_pending(ctx) ? -1 : 0;
    case 'd':
        if (!IX_IS(ctx, o, IX_TYPE_FLOAT) && !ix_is_int(ctx, o)) return arg_error(ctx, t, i, o);
        v->d = ix_float_as_double(ctx, o);
        return ix_err_pending(ctx) ? -1 : 0;
    case 'b':
        if (!IX_IS(ctx, o, IX_TYPE_BOOL)) return arg_error(ctx, t, i, o);
        v->i = o == IX_BUILTIN(ctx, IX_TRUE);
        return 0;
    case 's':
        if (!IX_IS_STR(ctx, o)) return arg_error(ctx, t, i, o);
        v->buf.data = ((IxStrObject *)o)->data;
        v->buf.len = ((IxStrObject *)o)->len;
        return 0;
    default: /* 'y' */
        if (!IX_IS(ctx, o, IX_TYPE_BYTES)) return arg_error(ctx, t, i, o);
        v->buf.data = (const char *)((IxBytesObject *)o)->data;
        v->buf.len = ((IxBytesObject *)o)->len;
        return 0;
    }
}

IxObject *ix_typed_result_object(IxContext *ctx, char letter, const IxValue *r)
{
    switch (letter) {
    case 'l': return ix_long_from_int64(ctx, r->i);
    case 'd': return ix_float_from_double(ctx, r->d);
    case 'b': return ix_bool_from_int(ctx, r->i != 0);
    default: return r->obj; /* 's', 'y': the function's new reference */
    }
}

/* An ordinary call of a typed function: object.c has checked the arity against
 * min_args/max_args, which equal the parameter count (4.32), and refused keywords. */
IxObject *ix_typed_call_objects(IxContext *ctx, const IxMethodDef *def, IxObject *self, IxObject *const *args,
                                size_t n, IxObject *module, const char *owner)
{
    IxTypedTarget t;
    if (fill(ctx, &t, def, self, module, owner) < 0) return NULL;
    IxValue v[IX_TYPED_MAX_ARGS], r;
    for (size_t i = 0; i < n && i < t.sig.nargs; i++)
        if (to_value(ctx, &t, i, args[i], &v[i]) < 0) return NULL;
    if (ix_typed_run(ctx, &t, v, &r) < 0) return NULL;
    return ix_typed_result_object(ctx, t.sig.ret, &r);
}
