/*
 * gc.c -- the per-interpreter cycle collector.
 *
 * Reference counting frees everything except cycles. The candidates are the objects on the
 * interpreter's heap whose type can traverse; the interpreter's own builtins are never
 * candidates (they are roots). The algorithm is CPython's:
 *   1. every candidate starts with gc_refs = its reference count;
 *   2. each candidate's traverse subtracts one from every candidate it references, so what
 *      is left counts the references from outside the candidates (handles, the module
 *      table, C locals of running code, ...);
 *   3. candidates with gc_refs > 0, and everything they reach, are alive;
 *   4. the rest is garbage kept alive only by itself: each gets a temporary reference and
 *      its tp_clear, then the temporary references go and the cycles fall apart.
 * A cycle whose members all lack tp_clear cannot be broken; it stays, and close reports it.
 * The bookkeeping lives in a malloc'd table sorted by address, outside the interpreter's
 * heap, so collecting never disturbs the accounting it is there to keep honest.
 */
#include <stdlib.h>

#include "ix_internal.h"

typedef struct Cand {
    IxObject *obj;
    int64_t refs;
    bool alive;
} Cand;

typedef struct Gc {
    Cand *c;
    size_t n;
    size_t *stack;   /* alive candidates whose referents are still to be marked */
    size_t top;
} Gc;

static int cmp_cand(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const Cand *)a)->obj, y = (uintptr_t)((const Cand *)b)->obj;
    return x < y ? -1 : x > y;
}

static Cand *find(Gc *gc, IxObject *o)
{
    size_t lo = 0, hi = gc->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (gc->c[mid].obj == o) return &gc->c[mid];
        if ((uintptr_t)gc->c[mid].obj < (uintptr_t)o) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

static bool is_candidate(IxInterp *in, IxBlock *b)
{
    if (b->kind != IX_BLOCK_OBJECT || b->owner == IX_OWNER_BUILTIN) return false;
    if (IX_TYPE(b + 1)->tp_traverse == NULL && !IX_TYPE(b + 1)->ex->dict_offset) return false; /* ABI 1.2: or its dict */
    /* ABI 1.2: an object finalizing from its dealloc holds a borrowed count (5.52) */
    return !(in->nfinalized && ix_finalize_dying(in, (IxObject *)(b + 1)));
}

/* Whether level `t` of o's type chain runs hook `f` for o: a builtin type runs its own or
 * inherited hook once; a heap subtype's instance runs each level that defines one (ABI.md
 * 5.6), as dealloc does. */
#define RUNS_HOOK(type, t, f) \
    ((type)->flags & IX_TF_BUILTIN || !(type)->base ? (t) == (type) && (t)->f : IX_OWN_HOOK(t, f))

/* Traverse one object, running extension code under its module's entry rules. */
static void traverse(IxContext *ctx, IxObject *o, IxVisitProc visit, Gc *gc)
{
    IxTypeObject *type = IX_TYPE(o);
    for (IxTypeObject *t = type; t; t = t->base) {
        if (!RUNS_HOOK(type, t, tp_traverse)) continue;
        IxEntry e;
        ix_enter_code(ctx, t->flags & IX_TF_BUILTIN ? NULL : t->module, &e);
        t->tp_traverse(ctx, o, visit, gc);
        ix_leave_code(ctx, &e);
    }
    if (type->ex->dict_offset) ix_instance_dict_visit(ctx, o, visit, gc); /* the host's own (ABI 1.2) */
}

static int subtract_ref(IxContext *ctx, IxObject *o, void *arg)
{
    Cand *c = find(arg, o);
    if (c) c->refs--;
    return 0;
}

static int mark_alive(IxContext *ctx, IxObject *o, void *arg)
{
    Gc *gc = arg;
    Cand *c = find(gc, o);
    if (c && !c->alive) {
        c->alive = true;
        gc->stack[gc->top++] = (size_t)(c - gc->c);
    }
    return 0;
}

static bool gather(IxInterp *in, Gc *gc)
{
    size_t n = 0;
    for (IxBlock *b = in->heap.ring.next; b != &in->heap.ring; b = b->next) n += is_candidate(in, b);
    gc->n = n;
    gc->top = 0;
    gc->c = malloc((n ? n : 1) * sizeof *gc->c);
    gc->stack = malloc((n ? n : 1) * sizeof *gc->stack);
    if (!gc->c || !gc->stack) return false;
    size_t i = 0;
    for (IxBlock *b = in->heap.ring.next; b != &in->heap.ring; b = b->next)
        if (is_candidate(in, b)) gc->c[i++] = (Cand){(IxObject *)(b + 1), IX_REFCNT(b + 1), false};
    qsort(gc->c, n, sizeof *gc->c, cmp_cand);
    return true;
}

static void find_alive(IxContext *ctx, Gc *gc)
{
    for (size_t i = 0; i < gc->n; i++) traverse(ctx, gc->c[i].obj, subtract_ref, gc);
    for (size_t i = 0; i < gc->n; i++) {
        if (gc->c[i].refs > 0 && !gc->c[i].alive) {
            gc->c[i].alive = true;
            gc->stack[gc->top++] = i;
        }
    }
    while (gc->top > 0) traverse(ctx, gc->c[gc->stack[--gc->top]].obj, mark_alive, gc);
}

/* A weak reference's callback runs only when the reference itself survives: one that is
 * garbage too goes with the rest, uncalled (CPython's rule). */
static bool weakref_survives(IxObject *ref, void *arg)
{
    Cand *c = find(arg, ref);
    return !c || c->alive;
}

/* ABI 1.2 (ABI.md 5.43): every weak reference to the garbage is cleared before any of it
 * is, then the callbacks run; none of them can reach the garbage any more. */
static void clear_weakrefs(IxContext *ctx, Gc *gc, int64_t garbage)
{
    IxObject *pending = NULL;
    for (int64_t k = 0; k < garbage; k++) {
        IxObject *o = gc->c[gc->stack[k]].obj;
        if (IX_TYPE(o)->ex->weaklist_offset) ix_weakrefs_clear(ctx, o, weakref_survives, gc, &pending);
    }
    ix_weakrefs_call(ctx, pending);
}

/* ABI 1.2 (ABI.md 5.52): run the garbage's finalizers, each once in an object's life,
 * while the garbage is held; then find what they resurrected, as find_alive does but among
 * the garbage only, its count less the reference held here: a garbage object referenced
 * from outside the garbage now (a finalizer stored it), and all it reaches, stays. */
static void finalize_garbage(IxContext *ctx, Gc *gc, int64_t garbage)
{
    bool ran = false;
    for (int64_t k = 0; k < garbage; k++) {
        IxObject *o = gc->c[gc->stack[k]].obj;
        if (IX_TYPE(o)->ex->tp_finalize) ran |= ix_finalize_once(ctx, o);
    }
    if (!ran) return;
    size_t *list = gc->stack, *stack = malloc((size_t)garbage * sizeof *stack);
    if (!stack) { /* cannot tell: keep it all, the next collection clears it */
        for (int64_t k = 0; k < garbage; k++) gc->c[list[k]].alive = true;
        return;
    }
    for (int64_t k = 0; k < garbage; k++) gc->c[list[k]].refs = IX_REFCNT(gc->c[list[k]].obj) - 1;
    for (int64_t k = 0; k < garbage; k++) traverse(ctx, gc->c[list[k]].obj, subtract_ref, gc);
    gc->stack = stack;
    gc->top = 0;
    for (int64_t k = 0; k < garbage; k++) {
        Cand *c = &gc->c[list[k]];
        if (c->refs > 0) {
            c->alive = true;
            stack[gc->top++] = list[k];
        }
    }
    while (gc->top > 0) traverse(ctx, gc->c[stack[--gc->top]].obj, mark_alive, gc);
    gc->stack = list;
    free(stack);
}

/* Break the garbage: hold it, clear it, let go. Returns how many objects were garbage
 * (not counting those a finalizer resurrected). */
static int64_t break_garbage(IxContext *ctx, Gc *gc)
{
    int64_t garbage = 0;
    for (size_t i = 0; i < gc->n; i++) {
        if (gc->c[i].alive) continue;
        IX_INCREF(gc->c[i].obj);
        gc->stack[garbage++] = i;
    }
    clear_weakrefs(ctx, gc, garbage);   /* CPython's order: weak references, then finalizers */
    finalize_garbage(ctx, gc, garbage);
    int64_t cleared = 0;
    for (int64_t k = 0; k < garbage; k++) {
        if (gc->c[gc->stack[k]].alive) continue; /* resurrected by a finalizer */
        cleared++;
        IxObject *o = gc->c[gc->stack[k]].obj;
        IxTypeObject *type = IX_TYPE(o);
        for (IxTypeObject *t = type; t; t = t->base) {
            if (!RUNS_HOOK(type, t, tp_clear)) continue;
            IxCtx *c = IX_CTX(ctx);
            IxObject *saved = c->exc;
            IxEntry e;
            c->exc = NULL;
            ix_enter_code(ctx, t->flags & IX_TF_BUILTIN ? NULL : t->module, &e);
            t->tp_clear(ctx, o);
            ix_leave_code(ctx, &e);
            if (c->exc) ix_unraisable(ctx, "tp_clear of %s", t->name); /* nobody to raise it to */
            c->exc = saved;
        }
        if (type->ex->dict_offset) ix_instance_dict_drop(ctx, o); /* ABI 1.2: the host's own */
    }
    for (int64_t k = 0; k < garbage; k++) IX_DECREF(ctx, gc->c[gc->stack[k]].obj);
    return cleared;
}

int64_t ix_gc_collect(IxContext *ctx)
{
    IxInterp *in = IX_INTERP(ctx);
    Gc gc = {0};
    int64_t garbage = 0;
    if (gather(in, &gc)) {
        find_alive(ctx, &gc);
        garbage = break_garbage(ctx, &gc);
    }
    free(gc.c);
    free(gc.stack);
    /* Collect again after as many new traversable objects as half the survivors (at least
     * IX_GC_MIN_THRESHOLD): the cost of collecting stays proportional to the allocation. */
    int64_t survivors = (int64_t)gc.n - garbage;
    in->gc_allocations = 0;
    in->gc_threshold = survivors / 2 > IX_GC_MIN_THRESHOLD ? survivors / 2 : IX_GC_MIN_THRESHOLD;
    return garbage;
}

void ix_gc_maybe_collect(IxContext *ctx)
{
    IxInterp *in = IX_INTERP(ctx);
    if (in->gc_allocations > in->gc_threshold) ix_gc_collect(ctx);
}
