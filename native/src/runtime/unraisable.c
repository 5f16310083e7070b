/*
 * unraisable.c -- errors the host cannot raise (ABI 1.2, ABI.md 6.8). An error that a
 * tp_dealloc, tp_clear or tp_finalize, a weakref callback, a capsule destructor or a
 * module's clear or free leaves set has no caller to fail: the code that dropped the last
 * reference keeps its own pending error. CPython hands such an error to
 * sys.unraisablehook ("Exception ignored in: ..."); here the interpreter records it -- a
 * count, and the most recent IX_UNRAISABLE_KEPT as text (where, type name, message) -- and
 * drops it. ixh_interp_unraisable answers the record; in debug mode each one is also
 * written to the violation log, which outlives the interpreter (errors raised during close
 * are seen there only).
 *
 * The record is one process-level block (ix_host_alloc, counted by ixh_live_bytes), made
 * at the first error and freed at close, not a block of the interpreter's heap:
 *  - close reports every heap block left as a leak, and the record is not one;
 *  - an interpreter at its memory limit (a MemoryError in a dealloc is a likely unraisable
 *    error) must still record it;
 *  - allocation-failure injection counts the heap's allocations: recording must not shift
 *    what a test measured.
 * It holds text, not objects, so nothing of the interpreter stays alive for it. Guarded by
 * the interpreter lock: written by code running inside the interpreter, read under it.
 */
#include <stdio.h>
#include <string.h>

#include "ix_internal.h"

typedef struct IxUnraisableEntry {
    int64_t number;     /* 1 for the interpreter's first unraisable error; 0: empty slot */
    char where[160];
    char type[128];
    char message[512];
} IxUnraisableEntry;

struct IxUnraisableLog {
    IxUnraisableEntry kept[IX_UNRAISABLE_KEPT]; /* number n sits at (n - 1) % KEPT */
};

/* src into dst (cap bytes), cut at a character boundary with "..." when it is longer.
 * Text that is not UTF-8 (a capsule's name is any C string) says so: it crosses as a str. */
static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (!ix_utf8_valid(src, n)) {
        snprintf(dst, cap, "<%zu bytes, not UTF-8>", n);
        return;
    }
    if (n < cap) {
        memcpy(dst, src, n + 1);
        return;
    }
    n = cap - 4;
    while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80) n--; /* not inside a character */
    memcpy(dst, src, n);
    memcpy(dst + n, "...", 4);
}

/* "attrs.raise_in_callback": a name for a callable that runs no code of it (its repr
 * might be extension code, and might raise again). */
const char *ix_callable_name(IxContext *ctx, IxObject *f, char *buf, size_t cap)
{
    if (IX_IS(ctx, f, IX_TYPE_FUNCTION)) {
        const IxFunctionObject *fn = (const IxFunctionObject *)f;
        snprintf(buf, cap, "%s.%s", ((IxModuleObject *)fn->self)->def->name, fn->def->name);
    } else if (IX_IS(ctx, f, IX_TYPE_METHOD)) {
        const IxDescrObject *d = (const IxDescrObject *)((IxMethodObject *)f)->descr;
        snprintf(buf, cap, "%s.%s", d->owner_type->name, d->u.method->name);
    } else if (IX_IS(ctx, f, IX_TYPE_TYPE)) {
        snprintf(buf, cap, "%s", ((IxTypeObject *)f)->name);
    } else {
        snprintf(buf, cap, "a %s object", IX_TYPE(f)->name);
    }
    return buf;
}

/* The entry for `exc`, numbered; kept in the ring unless the ring cannot be made. */
static void record(IxInterp *in, IxUnraisableEntry *e, const char *where, IxObject *exc)
{
    const IxExceptionObject *x = (const IxExceptionObject *)exc;
    e->number = ++in->unraisable_count;
    copy_text(e->where, sizeof e->where, where);
    copy_text(e->type, sizeof e->type, IX_TYPE(exc)->name);
    copy_text(e->message, sizeof e->message, x->message ? ((IxStrObject *)x->message)->data : "");
    if (!in->unraisable) in->unraisable = ix_host_alloc(sizeof *in->unraisable);
    if (in->unraisable) in->unraisable->kept[(e->number - 1) % IX_UNRAISABLE_KEPT] = *e;
    /* else out of memory: counted, not kept */
}

void ix_unraisable(IxContext *ctx, const char *fmt, ...)
{
    IxCtx *c = IX_CTX(ctx);
    IxObject *exc = c->exc;
    if (!exc) return;
    c->exc = NULL;
    char where[IX_MAX_NAME_LEN + 160]; /* whole, then cut at a character boundary */
    va_list va;
    va_start(va, fmt);
    vsnprintf(where, sizeof where, fmt, va);
    va_end(va);
    IxUnraisableEntry e;
    record(c->interp, &e, where, exc);
    if (c->interp->debug) { /* ABI.md 10.2: seen even when it happens during close */
        char line[sizeof e + 64];
        snprintf(line, sizeof line, "isolex debug: exception ignored in %s: %s%s%s", e.where, e.type,
                 e.message[0] ? ": " : "", e.message);
        ix_debug_log(line);
    }
    IX_DECREF(ctx, exc);
}

void ix_unraisable_free(IxInterp *in)
{
    ix_host_free(in->unraisable);
    in->unraisable = NULL;
}

/* ---------------------------------------------------------------- for embedders */

static void write_record(IxInterp *in, IxWire *w)
{
    int64_t first = in->unraisable_count > IX_UNRAISABLE_KEPT ? in->unraisable_count - IX_UNRAISABLE_KEPT + 1 : 1;
    const IxUnraisableEntry *kept = in->unraisable ? in->unraisable->kept : NULL;
    uint32_t n = 0;
    for (int64_t k = first; kept && k <= in->unraisable_count; k++)
        n += kept[(k - 1) % IX_UNRAISABLE_KEPT].number == k;
    ixw_count(w, IXW_LIST, n);
    for (int64_t k = first; kept && k <= in->unraisable_count; k++) {
        const IxUnraisableEntry *e = &kept[(k - 1) % IX_UNRAISABLE_KEPT];
        if (e->number != k) continue; /* lost when the record could not be made */
        ixw_count(w, IXW_TUPLE, 4);
        ixw_int(w, e->number);
        ixw_cstr(w, e->where);
        ixw_cstr(w, e->type);
        ixw_cstr(w, e->message);
    }
}

IX_API int64_t ixh_interp_unraisable(IxInterp *in, uint8_t *buf, size_t cap, size_t *len)
{
    bool mine = ix_interp_held_by_me(in); /* a thread inside reads directly, as for statistics */
    if (!mine) ix_interp_lock(in);
    IxWire w;
    ixw_init(&w, buf, buf ? cap : SIZE_MAX); /* no buffer: measure only */
    write_record(in, &w);
    int64_t count = in->unraisable_count;
    if (w.overflow) { /* measure what it needs */
        ixw_init(&w, NULL, SIZE_MAX);
        write_record(in, &w);
        count = -1;
    }
    if (!mine) ix_interp_unlock(in);
    if (len) *len = w.len;
    return count;
}
