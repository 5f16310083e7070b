/*
 * host.c -- the value API (isolex_host.h): one call in, one reply out, through a caller's
 * byte buffer in the wire format. This is the path Java takes: a single JNI crossing per
 * operation, with the interpreter's lock held for exactly its duration.
 */
#include <stdio.h>
#include <string.h>

#include "ix_internal.h"

typedef struct Call {
    IxCtx *c;           /* the entry's context: &local, or a debug context */
    IxCtx local;
    uint8_t *buf;
    size_t len, cap;
    size_t pos;       /* read position in the request */
} Call;

/* ABI.md 9.2: this thread is already inside `in`. The reply is written without touching
 * the interpreter (its state belongs to the suspended outer entry). */
static bool refuse_reentry(IxInterp *in, uint8_t *buf, size_t cap)
{
    if (!ix_interp_held_by_me(in)) return false;
    char msg[200];
    snprintf(msg, sizeof msg,
             "interpreter %lld is already entered by this thread; re-entrant calls into the same "
             "interpreter are not supported",
             (long long)in->id);
    IxWire w;
    ixw_init(&w, buf, cap);
    ixw_tag(&w, IXW_EXCEPTION);
    ixw_cstr(&w, "RuntimeError");
    ixw_cstr(&w, msg);
    ixw_tag(&w, IXW_NONE);
    return true;
}

/* NULL when the call is refused as a re-entry (the reply is written: return IXH_ERROR). */
static IxContext *begin(Call *k, IxInterp *in, uint8_t *buf, size_t len, size_t cap)
{
    if (refuse_reentry(in, buf, cap)) return NULL;
    ix_interp_lock(in);
    k->c = ix_ctx_open(in, &k->local);
    ix_interrupt_begin(k->c, (uintptr_t)buf); /* ABI.md 12.81: a request names the call by its buffer */
    k->buf = buf;
    k->len = len;
    k->cap = cap;
    k->pos = 0;
    return &k->c->pub;
}

static int end(Call *k, int status)
{
    IxInterp *in = k->c->interp;
    ix_gc_maybe_collect(&k->c->pub);
    ix_ctx_close(k->c, &k->local);
    ix_interp_unlock(in);
    return status;
}

static int reply_error(Call *k);

/* The IXH_TOO_BIG answer: `o` (consumed) kept as a handle of `kind`, and the `need`ed
 * size (-1: measuring failed, the error is set). The type name is for people reading the
 * wire: it is cut, at a character boundary, to the room the buffer has, so the answer
 * fits any buffer of IXH_MIN_CAP bytes (ABI.md 12.3). */
static int reply_too_big(Call *k, IxObject *o, int64_t need, uint32_t kind)
{
    IxContext *ctx = &k->c->pub;
    int64_t h = need < 0 ? -1 : ix_handle_new_kind(ctx, o, kind);
    const char *name = IX_TYPE(o)->name;
    size_t fixed = 9 + 5 + 9, n = strlen(name); /* handle tag and id, STR header, INT need */
    size_t room = k->cap > fixed ? k->cap - fixed : 0;
    if (n > room) {
        n = room;
        while (n > 0 && ((unsigned char)name[n] & 0xC0) == 0x80) n--; /* not inside a character */
    }
    IxWire w;
    ixw_init(&w, k->buf, k->cap);
    ix_wire_handle_n(&w, h, name, n);
    ixw_int(&w, need);
    IX_DECREF(ctx, o); /* the handle holds it (the name with it) */
    return h < 0 ? reply_error(k) : end(k, IXH_TOO_BIG);
}

/* The exact size of an error's encoding (ix_wire_exception only measures without a buffer). */
static int64_t exception_size(IxContext *ctx, IxObject *exc)
{
    IxWire w;
    ixw_init(&w, NULL, SIZE_MAX);
    ix_wire_exception(ctx, &w, exc);
    return (int64_t)w.len;
}

/* Reply with the pending error, or, when it does not fit (a long message or type name),
 * keep it as a handle that ixh_expand answers as the error. */
static int reply_error(Call *k)
{
    IxContext *ctx = &k->c->pub;
    IxObject *exc = ix_err_fetch(ctx);
    IxWire w;
    ixw_init(&w, k->buf, k->cap);
    if (exc) ix_wire_exception(ctx, &w, exc);
    if (exc && w.overflow && k->cap >= IXH_MIN_CAP) /* else even a MemoryError might not fit */
        return reply_too_big(k, exc, exception_size(ctx, exc), IX_HANDLE_RAISED);
    if (!exc || w.overflow) {
        ixw_init(&w, k->buf, k->cap);
        ixw_tag(&w, IXW_EXCEPTION);
        ixw_cstr(&w, "SystemError");
        ixw_cstr(&w, exc ? "reply buffer below IXH_MIN_CAP" : "error expected but none set");
        ixw_tag(&w, IXW_NONE);
    }
    IX_XDECREF(ctx, exc);
    return end(k, IXH_ERROR);
}

/* Reply with `r` (consumed): converted, or as one handle when `as_handle`; a reply that
 * does not fit becomes a handle plus the size needed (IXH_TOO_BIG). */
static int reply_value(Call *k, IxObject *r, bool as_handle)
{
    IxContext *ctx = &k->c->pub;
    if (!r) return reply_error(k);
    IxWire w;
    ixw_init(&w, k->buf, k->cap);
    int rc = 0;
    if (as_handle) {
        int64_t h = ix_handle_new(ctx, r);
        if (h < 0) rc = -1;
        else {
            ixw_handle(&w, h, IX_TYPE(r)->name);
        }
    } else {
        rc = ix_wire_encode(ctx, &w, r);
    }
    if (rc < 0) {
        ix_wire_release(ctx, k->buf, w.len);
        IX_DECREF(ctx, r);
        return reply_error(k);
    }
    if (!w.overflow) {
        IX_DECREF(ctx, r);
        return end(k, IXH_OK);
    }
    /* Too big: keep the whole result as one handle and say how much room it needs. */
    ix_wire_release(ctx, k->buf, w.len);
    return reply_too_big(k, r, ix_wire_measure(ctx, r), IX_HANDLE_VALUE);
}

/* Reply to an operation that returns nothing: None, or the error when rc < 0. */
static int reply_status(Call *k, int rc)
{
    IxContext *ctx = &k->c->pub;
    if (rc < 0) return reply_error(k);
    IX_INCREF(IX_BUILTIN(ctx, IX_NONE));
    return reply_value(k, IX_BUILTIN(ctx, IX_NONE), false);
}

/* Decode the next request value; NULL with an error set on malformed input. */
static IxObject *next_value(Call *k)
{
    return ix_wire_decode(&k->c->pub, k->buf, k->len, &k->pos);
}

/* ABI.md 3.7: names are C strings from here on, so a str with a NUL in it would be cut
 * short there ("counter\0evil" would import counter): refused with ValueError. */
static bool name_ok(IxContext *ctx, IxObject *s)
{
    const IxStrObject *str = (const IxStrObject *)s;
    const char *nul = memchr(str->data, 0, str->len);
    if (!nul) return true;
    ix_err_format(ctx, IX_EXC_VALUEERROR, "name contains a NUL character (at byte %zu)", (size_t)(nul - str->data));
    return false;
}

/* The next request value as a C string (it lives in the returned str object). */
static IxObject *next_name(Call *k, const char **name)
{
    IxObject *s = next_value(k);
    if (s && !IX_IS(&k->c->pub, s, IX_TYPE_STR)) {
        ix_err_wrong_type(&k->c->pub, "str as the name", s);
        IX_CLEAR_REF(&k->c->pub, s);
    }
    if (s && !name_ok(&k->c->pub, s)) IX_CLEAR_REF(&k->c->pub, s);
    if (s) *name = ((IxStrObject *)s)->data;
    return s;
}

/* A request is exactly the values its operation reads: bytes after them are refused
 * before anything runs (ABI.md 12.1). 0, or -1 with an error set. */
static int request_end(Call *k)
{
    if (k->pos == k->len) return 0;
    size_t extra = k->len - k->pos;
    ix_err_format(&k->c->pub, IX_EXC_VALUEERROR,
                  "malformed request: %zu unread byte%s after its last value, from byte %zu", extra,
                  extra == 1 ? "" : "s", k->pos);
    return -1;
}

IX_API int ixh_import(IxInterp *in, uint8_t *buf, size_t len, size_t cap)
{
    Call k;
    IxContext *ctx = begin(&k, in, buf, len, cap);
    if (!ctx) return IXH_ERROR;
    const char *name;
    IxObject *s = next_name(&k, &name);
    if (s && request_end(&k) < 0) IX_CLEAR_REF(ctx, s);
    if (!s) return reply_error(&k);
    IxObject *m = ix_loader_import(ctx, name);
    IX_DECREF(ctx, s);
    return reply_value(&k, m, true);
}

/* The hot path of every call from Java: a short method name is read in place and a few
 * arguments are decoded onto the stack, so a call allocates nothing of its own. Longer
 * names and argument lists go through objects. */
#define INLINE_NAME 128
#define INLINE_ARGS 8

/* 1: name read into `out` ("" for IXW_NONE); 0: not a short str or none (use objects). */
static int peek_name(Call *k, char *out)
{
    if (k->pos >= k->len) return 0;
    if (k->buf[k->pos] == IXW_NONE) {
        k->pos++;
        out[0] = 0;
        return 1;
    }
    uint32_t n;
    if (k->buf[k->pos] != IXW_STR || k->len - k->pos < 5) return 0;
    memcpy(&n, k->buf + k->pos + 1, 4);
    if (n == 0 || n >= INLINE_NAME || k->len - k->pos - 5 < n || memchr(k->buf + k->pos + 5, 0, n)) return 0;
    memcpy(out, k->buf + k->pos + 5, n);
    out[n] = 0;
    k->pos += 5 + (size_t)n;
    return 1;
}

/* The method name: a short one read into `inline_name`, else a str object (*held, which
 * holds the text) or None (""). -1 with an error set. */
static int method_name(Call *k, char *inline_name, IxObject **held, const char **name)
{
    *held = NULL;
    *name = inline_name;
    if (peek_name(k, inline_name)) return 0;
    IxContext *ctx = &k->c->pub;
    IxObject *o = next_value(k);
    if (!o) return -1;
    if (IX_IS(ctx, o, IX_TYPE_STR)) {
        if (!name_ok(ctx, o)) { /* peek_name leaves a name with a NUL in it to us */
            IX_DECREF(ctx, o);
            return -1;
        }
        *held = o;
        *name = ((IxStrObject *)o)->data;
        return 0;
    }
    bool none = o == IX_BUILTIN(ctx, IX_NONE);
    if (!none) ix_err_wrong_type(ctx, "str or None as the method name", o);
    IX_DECREF(ctx, o);
    inline_name[0] = 0;
    return none ? 0 : -1;
}

/* The argument tuple. Each argument is decoded as a top-level value: the tuple around
 * them is no level of nesting (ABI.md 12.2), so an argument nests as deep as any value.
 * Up to INLINE_ARGS go to `items`, more into a new tuple *args. The count, or -1 with an
 * error set (and the position unchanged). */
static int64_t next_args(Call *k, IxObject **items, IxObject **args)
{
    IxContext *ctx = &k->c->pub;
    size_t at = k->pos;
    uint32_t n;
    *args = NULL;
    if (k->len - k->pos < 5 || k->buf[k->pos] != IXW_TUPLE) {
        IxObject *o = next_value(k); /* a malformed request's error, or the wrong type's */
        if (o) {
            ix_err_wrong_type(ctx, "tuple of arguments", o);
            IX_DECREF(ctx, o);
            k->pos = at;
        }
        return -1;
    }
    memcpy(&n, k->buf + k->pos + 1, 4);
    if (n > k->len - k->pos - 5) { /* every value takes a byte at least */
        ix_err_format(ctx, IX_EXC_VALUEERROR, "malformed wire data at byte %zu", at + 1);
        return -1;
    }
    if (n > INLINE_ARGS && !(*args = ix_tuple_new_uninit(ctx, n))) return -1;
    IxObject **dst = *args ? ((IxTupleObject *)*args)->items : items;
    k->pos += 5;
    for (uint32_t i = 0; i < n; i++) {
        if (!(dst[i] = next_value(k))) {
            if (*args) IX_CLEAR_REF(ctx, *args); /* the items not yet set are NULL */
            else while (i > 0) IX_DECREF(ctx, items[--i]);
            k->pos = at;
            return -1;
        }
    }
    return n;
}

/* ABI.md 12.6: an optional third value, the keyword names, a tuple naming the last
 * len(kwnames) arguments. NULL in *kwnames when the request ends after the arguments;
 * -1 with an error set. */
static int next_kwnames(Call *k, int64_t nargs, IxObject **kwnames)
{
    IxContext *ctx = &k->c->pub;
    *kwnames = NULL;
    if (k->pos == k->len) return 0;
    IxObject *kw = next_value(k);
    if (!kw) return -1;
    if (!IX_IS(ctx, kw, IX_TYPE_TUPLE)) {
        ix_err_wrong_type(ctx, "tuple of keyword names", kw);
        IX_DECREF(ctx, kw);
        return -1;
    }
    size_t nkw = ((IxTupleObject *)kw)->len;
    if (nkw > (size_t)nargs) {
        ix_err_format(ctx, IX_EXC_VALUEERROR, "malformed request: %zu keyword names for %lld argument%s", nkw,
                      (long long)nargs, nargs == 1 ? "" : "s");
        IX_DECREF(ctx, kw);
        return -1;
    }
    *kwnames = kw;
    return 0;
}

static IxObject *call_named(IxContext *ctx, IxObject *f, const char *name, IxObject *const *args, size_t n,
                            IxObject *kwnames)
{
    if (!kwnames) return name[0] ? ix_call_method(ctx, f, name, args, n) : ix_call(ctx, f, args, n);
    size_t npos = n - ((IxTupleObject *)kwnames)->len;
    if (!name[0]) return ix_call_kw(ctx, f, args, npos, kwnames);
    IxObject *m = ix_getattr(ctx, f, name);
    if (!m) return NULL;
    IxObject *r = ix_call_kw(ctx, m, args, npos, kwnames);
    IX_DECREF(ctx, m);
    return r;
}

IX_API int ixh_call(IxInterp *in, int64_t target, uint8_t *buf, size_t len, size_t cap)
{
    Call k;
    IxContext *ctx = begin(&k, in, buf, len, cap);
    if (!ctx) return IXH_ERROR;
    IxObject *f = ix_handle_get(ctx, target);
    if (!f) return reply_error(&k);
    char inline_name[INLINE_NAME];
    const char *name;
    IxObject *held, *items[INLINE_ARGS], *args, *kwnames = NULL;
    if (method_name(&k, inline_name, &held, &name) < 0) return reply_error(&k);
    int64_t n = next_args(&k, items, &args);
    IxObject *r = NULL;
    if (n >= 0 && next_kwnames(&k, n, &kwnames) == 0 && request_end(&k) == 0)
        r = call_named(ctx, f, name, args ? ((IxTupleObject *)args)->items : items, (size_t)n, kwnames);
    if (kwnames) IX_DECREF(ctx, kwnames);
    if (args) IX_DECREF(ctx, args);
    else while (n > 0) IX_DECREF(ctx, items[--n]);
    IX_XDECREF(ctx, held);
    return reply_value(&k, r, false);
}

/* The object behind `target` (borrowed) and the attribute name the request starts with
 * (and, when `last`, ends with); the returned str holds the name. NULL with an error set. */
static IxObject *target_and_name(Call *k, int64_t target, IxObject **o, const char **name, bool last)
{
    *o = ix_handle_get(&k->c->pub, target);
    IxObject *s = *o ? next_name(k, name) : NULL;
    if (s && last && request_end(k) < 0) IX_CLEAR_REF(&k->c->pub, s);
    return s;
}

IX_API int ixh_getattr(IxInterp *in, int64_t target, uint8_t *buf, size_t len, size_t cap)
{
    Call k;
    IxContext *ctx = begin(&k, in, buf, len, cap);
    if (!ctx) return IXH_ERROR;
    IxObject *o;
    const char *name;
    IxObject *s = target_and_name(&k, target, &o, &name, true);
    if (!s) return reply_error(&k);
    IxObject *r = ix_getattr(ctx, o, name);
    IX_DECREF(ctx, s);
    return reply_value(&k, r, false);
}

IX_API int ixh_setattr(IxInterp *in, int64_t target, uint8_t *buf, size_t len, size_t cap)
{
    Call k;
    IxContext *ctx = begin(&k, in, buf, len, cap);
    if (!ctx) return IXH_ERROR;
    IxObject *o;
    const char *name;
    IxObject *s = target_and_name(&k, target, &o, &name, false);
    if (!s) return reply_error(&k);
    IxObject *v = next_value(&k);
    int rc = v && request_end(&k) == 0 ? ix_setattr(ctx, o, name, v) : -1;
    IX_DECREF(ctx, s);
    IX_XDECREF(ctx, v);
    return reply_status(&k, rc);
}

/* ABI 1.2 (ABI.md 12.40): del target.name, and dir(target). */
IX_API int ixh_delattr(IxInterp *in, int64_t target, uint8_t *buf, size_t len, size_t cap)
{
    Call k;
    IxContext *ctx = begin(&k, in, buf, len, cap);
    if (!ctx) return IXH_ERROR;
    IxObject *o;
    const char *name;
    IxObject *s = target_and_name(&k, target, &o, &name, true);
    if (!s) return reply_error(&k);
    int rc = ix_delattr(ctx, o, name);
    IX_DECREF(ctx, s);
    return reply_status(&k, rc);
}

/* A request naming one object and nothing else, answered with fn(object) (a new reference). */
static int query_one(IxInterp *in, int64_t target, uint8_t *buf, size_t len, size_t cap,
                     IxObject *(*fn)(IxContext *ctx, IxObject *o))
{
    Call k;
    IxContext *ctx = begin(&k, in, buf, len, cap);
    if (!ctx) return IXH_ERROR;
    IxObject *o = request_end(&k) == 0 ? ix_handle_get(ctx, target) : NULL;
    return reply_value(&k, o ? fn(ctx, o) : NULL, false);
}

IX_API int ixh_dir(IxInterp *in, int64_t target, uint8_t *buf, size_t len, size_t cap)
{
    return query_one(in, target, buf, len, cap, ix_dir);
}

IX_API int ixh_describe(IxInterp *in, int64_t target, uint8_t *buf, size_t len, size_t cap)
{
    Call k;
    IxContext *ctx = begin(&k, in, buf, len, cap);
    if (!ctx) return IXH_ERROR;
    IxObject *o = request_end(&k) == 0 ? ix_handle_get(ctx, target) : NULL;
    IxObject *repr = o ? ix_repr(ctx, o) : NULL;
    if (!repr) return reply_error(&k);
    IxWire w;
    ixw_init(&w, buf, cap);
    ixw_count(&w, IXW_TUPLE, 3);
    ixw_cstr(&w, IX_TYPE(o)->name);
    ixw_str(&w, ((IxStrObject *)repr)->data, ((IxStrObject *)repr)->len);
    ixw_int(&w, (int64_t)(uintptr_t)o);
    if (!w.overflow) {
        IX_DECREF(ctx, repr);
        return end(&k, IXH_OK);
    }
    /* A long repr or type name: the same answer as a tuple object, which reply_value keeps
     * as a handle for ixh_expand. */
    IxObject *parts[3] = {ix_str_from_utf8(ctx, IX_TYPE(o)->name, strlen(IX_TYPE(o)->name)), repr,
                          ix_long_from_int64(ctx, (int64_t)(uintptr_t)o)};
    IxObject *t = parts[0] && parts[2] ? ix_tuple_from_array(ctx, parts, 3) : NULL;
    for (int i = 0; i < 3; i++) IX_XDECREF(ctx, parts[i]);
    return reply_value(&k, t, false);
}

IX_API int ixh_module_definition(IxInterp *in, int64_t target, uint8_t *buf, size_t len, size_t cap)
{
    return query_one(in, target, buf, len, cap, ix_module_definition);
}

IX_API int ixh_expand(IxInterp *in, int64_t target, uint8_t *buf, size_t len, size_t cap)
{
    Call k;
    IxContext *ctx = begin(&k, in, buf, len, cap);
    if (!ctx) return IXH_ERROR;
    uint32_t kind = IX_HANDLE_VALUE;
    IxObject *o = request_end(&k) == 0 ? ix_handle_get_kind(ctx, target, &kind) : NULL;
    if (o && kind == IX_HANDLE_RAISED) { /* the error a reply had no room for: raise it again */
        ix_err_raise(ctx, o);
        return reply_error(&k);
    }
    if (o) IX_INCREF(o);
    return reply_value(&k, o, false);
}

IX_API int ixh_release(IxInterp *in, int64_t handle)
{
    Call k;
    if (!begin(&k, in, NULL, 0, 0)) return -1;
    int rc = ix_handle_release(&k.c->pub, handle);
    end(&k, 0);
    return rc;
}

/* ---------------------------------------------------------------- embedding helpers */

IX_API IxObject *ixh_import_module(IxContext *ctx, const char *name)
{
    return ix_loader_import(ctx, name);
}

IX_API int64_t ixh_handle_new(IxContext *ctx, IxObject *obj)
{
    return ix_handle_new(ctx, obj);
}

IX_API IxObject *ixh_handle_get(IxContext *ctx, int64_t handle)
{
    return ix_handle_get(ctx, handle);
}

/* ---------------------------------------------------------------- items and iteration */

/* ABI 1.2 (ABI.md 12.20): o[k], o[k] = v, del o[k], len(o), v in o, iter(o), and up to n
 * items of an iterator in one reply, so Java pulls lazily without a native call per item. */
static IxObject *protocol_op(IxContext *ctx, Call *k, IxObject *o, int64_t op)
{
    if (op < IXH_PROTO_GET || op > IXH_PROTO_BUFFER)
        return ix_err_format(ctx, IX_EXC_VALUEERROR, "ixh_protocol: unknown operation %lld", (long long)op);
    IxObject *a = op == IXH_PROTO_LEN || op == IXH_PROTO_ITER ? NULL : next_value(k);
    IxObject *b = a && op == IXH_PROTO_SET ? next_value(k) : NULL;
    IxObject *r = NULL;
    if ((op != IXH_PROTO_LEN && op != IXH_PROTO_ITER && !a) || (op == IXH_PROTO_SET && !b) || request_end(k) < 0)
        goto out;
    switch (op) {
    case IXH_PROTO_GET: r = ix_getitem(ctx, o, a); break;
    case IXH_PROTO_SET:
    case IXH_PROTO_DEL:
        if ((op == IXH_PROTO_SET ? ix_setitem(ctx, o, a, b) : ix_delitem(ctx, o, a)) == 0)
            r = IX_BUILTIN(ctx, IX_NONE), IX_INCREF(r);
        break;
    case IXH_PROTO_LEN: {
        int64_t n = ix_length(ctx, o);
        r = n < 0 ? NULL : ix_long_from_int64(ctx, n);
        break;
    }
    case IXH_PROTO_CONTAINS: {
        int in = ix_contains(ctx, o, a);
        r = in < 0 ? NULL : ix_bool_from_int(ctx, in);
        break;
    }
    case IXH_PROTO_ITER: r = ix_getiter(ctx, o); break;
    case IXH_PROTO_BUFFER: { /* ABI 1.2 (buffer.c) */
        int64_t flags = ix_long_as_int64(ctx, a);
        if (!ix_err_pending(ctx)) r = ix_buffer_export(ctx, o, flags);
        break;
    }
    case IXH_PROTO_NEXT: {
        int64_t n = ix_long_as_int64(ctx, a);
        if (n < 1 && !ix_err_pending(ctx))
            ix_err_format(ctx, IX_EXC_VALUEERROR, "ixh_protocol next: the batch size is %lld, not >= 1", (long long)n);
        if (ix_err_pending(ctx) || !(r = ix_list_new(ctx))) break;
        for (int64_t i = 0; i < n; i++) { /* fewer than n items: the end */
            IxObject *x = ix_iternext(ctx, o);
            if (!x) break;
            int rc = ix_list_append(ctx, r, x);
            IX_DECREF(ctx, x);
            if (rc < 0) break;
        }
        if (ix_err_pending(ctx)) IX_CLEAR_REF(ctx, r);
        break;
    }
    }
out:
    IX_XDECREF(ctx, a);
    IX_XDECREF(ctx, b);
    return r;
}

IX_API int ixh_protocol(IxInterp *in, int64_t target, uint8_t *buf, size_t len, size_t cap)
{
    Call k;
    IxContext *ctx = begin(&k, in, buf, len, cap);
    if (!ctx) return IXH_ERROR;
    IxObject *o = ix_handle_get(ctx, target);
    if (!o) return reply_error(&k);
    IxObject *op = next_value(&k);
    if (!op) return reply_error(&k);
    int64_t which = ix_long_as_int64(ctx, op);
    IX_DECREF(ctx, op);
    if (ix_err_pending(ctx)) return reply_error(&k);
    IxObject *r = protocol_op(ctx, &k, o, which);
    return reply_value(&k, r, false);
}

/* ---------------------------------------------------------------- typed and batched calls (ABI 1.3) */

/* ABI.md 12.70: the typed function `function` names, called with values[0..nargs-1]; its
 * result replaces values[0] ('l', 'd', 'b'), or is the reply in buf ('s', 'y'). Nothing is
 * decoded from the wire and, for numbers, nothing is encoded: the lock, the context and the
 * call's own rules (typed.c) are all that is left of ixh_call. */
IX_API int ixh_call_typed(IxInterp *in, int64_t function, int64_t signature, IxValue *values, uint8_t *buf,
                          size_t cap)
{
    Call k;
    IxContext *ctx = begin(&k, in, buf, 0, cap);
    if (!ctx) return IXH_ERROR;
    IxObject *f = ix_handle_get(ctx, function);
    IxTypedTarget t;
    IxValue r;
    if (!f || ix_typed_target(ctx, f, signature, &t) < 0 || ix_typed_run(ctx, &t, values, &r) < 0)
        return reply_error(&k);
    if (ix_sig_is_object(t.sig.ret)) return reply_value(&k, r.obj, false);
    values[0] = r;
    return end(&k, IXH_OK);
}

/* ABI.md 12.71: `count` calls of one typed function of numbers under one lock: row i is
 * values[i*nargs .. i*nargs+nargs-1], and its result replaces values[i] (row i is read
 * before, and later rows start after it). The first failure stops the batch: *done
 * results are in place, the error is the reply. */
IX_API int ixh_call_typed_batch(IxInterp *in, int64_t function, int64_t signature, IxValue *values, size_t count,
                                size_t *done, uint8_t *buf, size_t cap)
{
    Call k;
    *done = 0;
    IxContext *ctx = begin(&k, in, buf, 0, cap);
    if (!ctx) return IXH_ERROR;
    IxObject *f = ix_handle_get(ctx, function);
    IxTypedTarget t;
    if (!f || ix_typed_target(ctx, f, signature, &t) < 0) return reply_error(&k);
    bool objects = ix_sig_is_object(t.sig.ret);
    for (size_t a = 0; a < t.sig.nargs; a++) objects |= ix_sig_is_object(t.sig.args[a]);
    if (objects) {
        ix_err_format(ctx, IX_EXC_TYPEERROR, "%s.%s() has the typed signature \"%s\"; a batch takes l, d and b only",
                      t.owner, t.def->name, t.td->signature);
        return reply_error(&k);
    }
    *done = ix_typed_run_batch(ctx, &t, values, count);
    return *done < count ? reply_error(&k) : end(&k, IXH_OK);
}

/* ABI.md 12.72. in: nothing.  out: str, the typed signature of the function `target`. */
IX_API int ixh_typed_signature(IxInterp *in, int64_t target, uint8_t *buf, size_t len, size_t cap)
{
    return query_one(in, target, buf, len, cap, ix_typed_signature_of);
}
