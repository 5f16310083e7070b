/*
 * typeslots.c -- the type slots of ABI 1.2 that shape an object's life (ABI.md 5.50-5.54):
 * tp_init and tp_new_kw (construction with keywords), tp_finalize (PEP 442) and the type
 * token (CPython 3.14's Py_tp_token, a safe downcast across modules).
 *
 * Calling a type lives in object.c (ix_call_type), beside every other call; the collector's
 * side of finalization in gc.c. What is here: storing and inheriting the slots, running
 * tp_init, running finalizers at most once per object, and IxType_GetBaseByToken.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ix_internal.h"

/* ---------------------------------------------------------------- the slots */

bool ix_typeslot_store(IxTypeObject *t, const IxTypeSlot *s)
{
    switch (s->id) {
    case IX_tp_init: t->ex->tp_init = (IxTypeInitProc)s->value; return true;
    case IX_tp_new_kw: t->ex->tp_new_kw = (IxNewKwProc)s->value; return true;
    case IX_tp_finalize: t->ex->tp_finalize = (IxFinalizeProc)s->value; return true;
    case IX_tp_token: return true; /* ix_typeslots_finish: the value may name the spec */
    default: return false;
    }
}

/* ABI.md 5.51, 5.53: one spec gives at most one of tp_new and tp_new_kw; a token of
 * IX_TP_USE_SPEC (NULL) stands for the spec's own address. */
int ix_typeslots_finish(IxContext *ctx, IxTypeObject *t, const IxTypeSpec *spec)
{
    if (t->tp_new && t->ex->tp_new_kw) {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR,
                      "type '%s': IX_tp_new and IX_tp_new_kw exclude each other; give one", t->name);
        return -1;
    }
    for (const IxTypeSlot *s = spec->slots; s && s->id; s++)
        if (s->id == IX_tp_token) t->ex->tp_token = s->value ? s->value : (void *)spec;
    return 0;
}

/* ---------------------------------------------------------------- builtin bases (5.55) */

static bool spec_has_new(const IxTypeSpec *spec)
{
    for (const IxTypeSlot *s = spec->slots; s && s->id; s++)
        if (s->id == IX_tp_new || s->id == IX_tp_new_kw) return true;
    return false;
}

/* The exception types (5.5) and str (xxlimited's Str) may be bases. A str's size is its
 * value's, so a subtype adds no field and makes its instances with str's constructor. */
bool ix_builtin_base_ok(IxContext *ctx, const IxTypeSpec *spec, IxTypeObject *b)
{
    const char *name = spec && spec->name ? spec->name : "?";
    if (b->flags & IX_TF_EXCEPTION) return true;
    if (b->builtin_id != IX_TYPE_STR && !(b->flags & IX_TF_STR_LAYOUT)) {
        ix_err_format(ctx, IX_EXC_TYPEERROR, "type '%s' is not an acceptable base type", b->name);
        return false;
    }
    if (spec && spec->basic_size != 0 && spec->basic_size != (int64_t)sizeof(IxStrObject)) {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR,
                      "type '%s': a subtype of str cannot add fields; its basic_size must be 0 (str's size), not %lld",
                      name, (long long)spec->basic_size);
        return false;
    }
    if (spec && spec->flags & (IX_TPFLAGS_MANAGED_DICT | IX_TPFLAGS_MANAGED_WEAKREF)) {
        /* the hidden words sit after basic_size (5.42), but a str's size is its value's */
        ix_err_format(ctx, IX_EXC_SYSTEMERROR,
                      "type '%s': a subtype of str cannot have IX_TPFLAGS_MANAGED_DICT or IX_TPFLAGS_MANAGED_WEAKREF",
                      name);
        return false;
    }
    if (spec && spec_has_new(spec)) {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR,
                      "type '%s': a subtype of str is made by str's constructor; it takes no IX_tp_new or IX_tp_new_kw (IX_tp_init runs after it)",
                      name);
        return false;
    }
    return true;
}

/* Str(x): a str subtype's instance holding str(x) ("" without an argument). */
static IxObject *str_subtype_new(IxContext *ctx, IxObject *type, IxObject *const *args, size_t n)
{
    IxTypeObject *t = (IxTypeObject *)type;
    if (n > 1) return ix_err_format(ctx, IX_EXC_TYPEERROR, "%s() takes at most 1 argument (%zu given)", t->name, n);
    IxObject *v = n ? ix_str(ctx, args[0]) : ix_str_from_utf8(ctx, "", 0);
    if (!v) return NULL;
    IxStrObject *src = (IxStrObject *)v;
    IxStrObject *o = NULL;
    if (src->len <= SIZE_MAX - sizeof(IxStrObject) - 1)
        o = (IxStrObject *)ix_object_alloc(ctx, t, sizeof(IxStrObject) + src->len + 1);
    else
        ix_err_no_memory(ctx);
    if (o) {
        o->hash = -1;
        o->len = src->len;
        memcpy(o->data, src->data, src->len + 1);
    }
    IX_DECREF(ctx, v);
    return o ? &o->ob_base : NULL;
}

/* A subtype that makes its instances neither way makes them as its base does; init,
 * finalize and the token it does not set are its base's. (Finalize, like dealloc, then runs
 * once per level that defines one: object.c and gc.c.) */
void ix_typeslots_inherit(IxTypeObject *t, const IxTypeObject *b)
{
    if (!t->tp_new && !t->ex->tp_new_kw && b->builtin_id == IX_TYPE_STR && (t->flags & IX_TF_HEAP))
        t->tp_new = str_subtype_new; /* str itself cannot be called; its subtypes can (5.55) */
    bool own_new = t->tp_new || t->ex->tp_new_kw;
    if (!own_new) t->tp_new = b->tp_new;
    if (b->ex == &ix_no_extra_slots) return; /* nothing more to take (t's may be the shared empty one) */
    if (!own_new) t->ex->tp_new_kw = b->ex->tp_new_kw;
    if (!t->ex->tp_init) t->ex->tp_init = b->ex->tp_init;
    if (!t->ex->tp_finalize) t->ex->tp_finalize = b->ex->tp_finalize;
    if (!t->ex->tp_token) t->ex->tp_token = b->ex->tp_token;
}

/* ---------------------------------------------------------------- tp_init */

IxObject *ix_type_run_init(IxContext *ctx, IxTypeObject *t, IxObject *self, IxObject *const *args,
                           size_t n, IxObject *kwnames)
{
    IxEntry e;
    ix_enter_code(ctx, IX_EX_HOOK_MODULE(t, tp_init), &e); /* an inherited init: its definer's (5.5) */
    int rc = t->ex->tp_init(ctx, self, args, n, kwnames);
    ix_leave_code(ctx, &e);
    bool pending = ix_err_pending(ctx);
    if (rc == 0 && !pending) return self;
    if (rc == 0)
        ix_err_chain_system(ctx, "%s.__init__() returned 0 with an error set", t->name);
    else if (!pending)
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s.__init__() returned -1 without setting an error", t->name);
    IX_DECREF(ctx, self);
    return NULL;
}

/* ---------------------------------------------------------------- finalized objects */

/* The objects whose finalizer ran and which still live: a short array, usually empty (an
 * entry goes when the object is freed, and only resurrected objects and garbage about to be
 * cleared stay in it). An entry whose low bit is set is an object finalizing from its
 * dealloc right now: the collector must not take it as garbage (its count is a borrowed 1). */
#define DYING ((uintptr_t)1)

static ptrdiff_t find_finalized(IxInterp *in, IxObject *o)
{
    for (size_t i = 0; i < in->nfinalized; i++)
        if (((uintptr_t)in->finalized[i] & ~DYING) == (uintptr_t)o) return (ptrdiff_t)i;
    return -1;
}

static bool add_finalized(IxInterp *in, IxObject *o, uintptr_t tag)
{
    if (in->nfinalized == in->finalized_cap) {
        size_t cap = in->finalized_cap ? in->finalized_cap * 2 : 8;
        IxObject **a = realloc(in->finalized, cap * sizeof *a);
        if (!a) return false;
        in->finalized = a;
        in->finalized_cap = cap;
    }
    in->finalized[in->nfinalized++] = (IxObject *)((uintptr_t)o | tag);
    return true;
}

static bool remove_finalized(IxInterp *in, IxObject *o)
{
    ptrdiff_t i = in->nfinalized ? find_finalized(in, o) : -1;
    if (i < 0) return false;
    in->finalized[i] = in->finalized[--in->nfinalized];
    return true;
}

void ix_finalized_free(IxInterp *in)
{
    free(in->finalized);
    in->finalized = NULL;
    in->nfinalized = in->finalized_cap = 0;
}

bool ix_finalize_dying(IxInterp *in, IxObject *o)
{
    ptrdiff_t i = in->nfinalized ? find_finalized(in, o) : -1;
    return i >= 0 && ((uintptr_t)in->finalized[i] & DYING);
}

/* ---------------------------------------------------------------- running finalizers */

/* Every level of o's type that defines tp_finalize, most derived first, each as code of its
 * module, with the pending error set aside; an error a finalizer leaves has nowhere to go:
 * it is recorded and dropped, as a dealloc's (ABI.md 5.52, 6.8). */
static void run_finalizers(IxContext *ctx, IxObject *o)
{
    IxTypeObject *type = IX_TYPE(o);
    IxCtx *c = IX_CTX(ctx);
    for (IxTypeObject *t = type; t; t = t->base) {
        if (type->base ? !IX_OWN_HOOK(t, ex->tp_finalize) : t != type) continue;
        IxObject *saved = c->exc;
        IxEntry e;
        c->exc = NULL;
        ix_enter_code(ctx, t->module, &e);
        t->ex->tp_finalize(ctx, o);
        ix_leave_code(ctx, &e);
        if (c->exc) ix_unraisable(ctx, "tp_finalize of %s", t->name);
        c->exc = saved;
    }
}

bool ix_finalize_once(IxContext *ctx, IxObject *o)
{
    IxInterp *in = IX_INTERP(ctx);
    if (find_finalized(in, o) >= 0) return false;
    add_finalized(in, o, 0); /* out of memory: it may run again when o dies, not twice now */
    run_finalizers(ctx, o);
    return true;
}

/* o's count reached 0. A finalizer that ran before (o was resurrected, or is garbage being
 * cleared) does not run again; otherwise o gets a borrowed count of 1 while it runs. If the
 * count is above 1 afterwards, the finalizer stored o somewhere: o lives on, finalized. */
bool ix_finalize_on_dealloc(IxContext *ctx, IxObject *o)
{
    IxInterp *in = IX_INTERP(ctx);
    if (remove_finalized(in, o)) return false;
    bool marked = add_finalized(in, o, DYING);
    IX_REFCNT(o) = 1;
    run_finalizers(ctx, o);
    if (--IX_REFCNT(o) == 0) {
        if (marked) remove_finalized(in, o);
        return false;
    }
    ptrdiff_t i = marked ? find_finalized(in, o) : -1;
    if (i >= 0) in->finalized[i] = o; /* resurrected: finalized, no longer dying */
    return true;
}

/* ---------------------------------------------------------------- the type token */

int ix_type_get_base_by_token(IxContext *ctx, IxObject *type, void *token, IxObject **result)
{
    if (result) *result = NULL;
    if (!token) {
        ix_err_set(ctx, IX_EXC_SYSTEMERROR, "IxType_GetBaseByToken called with token=NULL");
        return -1;
    }
    if (!IX_IS(ctx, type, IX_TYPE_TYPE)) {
        ix_err_wrong_type(ctx, "type", type);
        return -1;
    }
    for (IxTypeObject *t = (IxTypeObject *)type; t; t = t->base) {
        if (t->ex->tp_token != token) continue;
        if (result) {
            IX_INCREF(t);
            *result = &t->ob_base;
        }
        return 1;
    }
    return 0;
}
