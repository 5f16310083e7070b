/*
 * object.c -- what every object has: a reference count, a type, and the generic
 * operations (attributes, calls, repr, hash, comparison, truth) dispatched on the type.
 *
 * Calls are the boundary into extension code, so this is where the host enforces the
 * contract on both sides of a call: arguments must belong to the calling interpreter
 * (ABI.md 3.3), arity is checked from the method definition (4.3), and a result must agree
 * with the error state (6.1).
 */
#define _GNU_SOURCE /* pthread_getattr_np */

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "ix_internal.h"

/* ---------------------------------------------------------------- allocation */

IxObject *ix_object_alloc(IxContext *ctx, IxTypeObject *type, size_t size)
{
    IxCtx *c = IX_CTX(ctx);
    IxObject *o = ix_heap_alloc(&c->interp->heap, size, IX_BLOCK_OBJECT, c->owner, true);
    if (!o) {
        ix_err_no_memory(ctx);
        return NULL;
    }
    o->ix_refcnt_private = 1;
    o->ix_type_private = &type->ob_base;
    if (!(type->flags & IX_TF_BUILTIN)) IX_INCREF(type);
    if (type->tp_traverse || type->ex->dict_offset) c->interp->gc_allocations++;
    return o;
}

void ix_object_free(IxContext *ctx, IxObject *o)
{
    ix_heap_free(&IX_INTERP(ctx)->heap, o);
}

/* ---------------------------------------------------------------- entering extension code */

void ix_enter_raw(IxContext *ctx, uint32_t owner, IxLibrary *lock, IxEntry *e)
{
    IxCtx *c = IX_CTX(ctx);
    e->saved_owner = c->owner;
    e->locked = lock;
    c->owner = owner;
    if (lock) {
        ix_library_code_lock(lock);
        ix_ctx_hold(c, lock);
    }
}

/* ix_leave_code (ix_internal.h) when a code lock is held or the interpreter's was released. */
void ix_leave_slow(IxContext *ctx, IxEntry *e)
{
    IxCtx *c = IX_CTX(ctx);
    /* Code that returns with the lock still released broke ABI.md 9.1; the host retakes
     * it rather than run on, or unlock, without it. */
    ix_ctx_reacquire(ctx);
    if (e->locked) {
        ix_ctx_unhold(c, e->locked);
        ix_library_code_unlock(e->locked);
    }
    c->owner = e->saved_owner;
}

/* The last reference went away. The type's dealloc releases what the instance owns
 * (extension code: the pending error is set aside so it cannot be clobbered), then the
 * memory goes, then the reference the instance held on its type. */
static inline __attribute__((always_inline)) void run_dealloc(IxContext *ctx, IxTypeObject *type, IxObject *o)
{
    if (type->flags & IX_TF_BUILTIN) {
        type->tp_dealloc(ctx, o);
    } else {
        IxCtx *c = IX_CTX(ctx);
        IxObject *saved = c->exc;
        IxEntry e;
        c->exc = NULL;
        ix_enter_code(ctx, type->module, &e);
        type->tp_dealloc(ctx, o);
        ix_leave_code(ctx, &e);
        if (__builtin_expect(c->exc != NULL, 0)) /* nobody to raise it to: recorded, dropped */
            ix_unraisable(ctx, "tp_dealloc of %s", type->name);
        c->exc = saved;
    }
}

/* A heap subtype's instance (ABI.md 5.6): the host runs the dealloc of every level that
 * defines one, most derived first, each as code of its own type; none calls its base's. */
static __attribute__((noinline)) void dealloc_levels(IxContext *ctx, IxTypeObject *type, IxObject *o)
{
    for (IxTypeObject *t = type; t; t = t->base)
        if (IX_OWN_HOOK(t, tp_dealloc)) run_dealloc(ctx, t, o);
}

/* ABI 1.2 (ABI.md 5.42-5.43): the weak references to a dying instance are cleared and
 * their callbacks run before any of its dealloc, and its instance dict goes after them. */
static __attribute__((noinline)) void dealloc_managed(IxContext *ctx, IxTypeObject *type, IxObject *o)
{
    if (type->ex->weaklist_offset) {
        IxObject *pending = NULL;
        ix_weakrefs_clear(ctx, o, NULL, NULL, &pending);
        ix_weakrefs_call(ctx, pending);
    }
    if (type->base) dealloc_levels(ctx, type, o);
    else if (type->tp_dealloc) run_dealloc(ctx, type, o);
    if (type->ex->dict_offset) ix_instance_dict_drop(ctx, o);
}

static inline __attribute__((always_inline)) void dealloc_now(IxContext *ctx, IxObject *o)
{
    IxTypeObject *type = IX_TYPE(o);
    if (type->ex->tp_finalize && ix_finalize_on_dealloc(ctx, o)) return; /* resurrected (ABI.md 5.52) */
    if (type->flags & (IX_TPFLAGS_MANAGED_DICT | IX_TPFLAGS_MANAGED_WEAKREF)) dealloc_managed(ctx, type, o);
    else if (type->base && !(type->flags & IX_TF_BUILTIN)) dealloc_levels(ctx, type, o);
    else if (type->tp_dealloc) run_dealloc(ctx, type, o);
    ix_object_free(ctx, o);
    if (!(type->flags & IX_TF_BUILTIN)) IX_DECREF(ctx, type);
}

/* A dealloc that drops the last reference to a child deallocates it in a nested call: a
 * chain a million long would need a million frames. Past IX_DEALLOC_MAX_DEPTH nested
 * frames the object waits on the entry's list instead (CPython's trashcan), and the
 * outermost frame frees what waits, one at a time, each again at most that deep. The list
 * runs through the block headers, so deferring cannot fail for want of memory. Per entry,
 * not per interpreter: a thread that gives up the lock inside a dealloc (IxLock_Release)
 * must not leave its frames for another thread's entry to count or to drain. */
static __attribute__((noinline)) void dealloc_waiting(IxContext *ctx, IxCtx *c)
{
    while (c->dealloc_later) dealloc_now(ctx, ix_heap_unpark(&c->interp->heap, &c->dealloc_later));
}

/* The shallow case, nearly every one, costs a counter and a test over what it did before:
 * dealloc_now is inlined here and the draining is out of line. */
void ix_dealloc(IxContext *ctx, IxObject *o)
{
    IxCtx *c = IX_CTX(ctx);
    if (c->dealloc_depth >= IX_DEALLOC_MAX_DEPTH) {
        ix_heap_park(&c->interp->heap, o, &c->dealloc_later);
        return;
    }
    c->dealloc_depth++;
    dealloc_now(ctx, o);
    if (c->dealloc_later && c->dealloc_depth == 1) dealloc_waiting(ctx, c);
    c->dealloc_depth--;
}

/* ---------------------------------------------------------------- stack depth */

/* The reserve host recursion leaves at the bottom of a thread's stack: for the error
 * being raised, the extension frames above it, and (in a JVM) the guard zones HotSpot
 * keeps there. A quarter of a small stack, at most 256 KiB of a large one. */
#define STACK_RESERVE_MAX (256 * 1024)

static _Thread_local uintptr_t thread_stack_lo, thread_stack_reserve;

/* This thread's stack bounds, looked up once per thread (for the main thread glibc reads
 * /proc/self/maps). A thread whose stack cannot be found is never stopped: reserve 0. */
static void find_thread_stack(void)
{
    pthread_attr_t a;
    void *addr = NULL;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &a) == 0) {
        if (pthread_attr_getstack(&a, &addr, &size) != 0) size = 0;
        pthread_attr_destroy(&a);
    }
    thread_stack_lo = size ? (uintptr_t)addr : 1;
    thread_stack_reserve = size / 4 < STACK_RESERVE_MAX ? size / 4 : STACK_RESERVE_MAX;
}

/* The stack is low, or this entry has not looked it up yet (ix_ctx_init leaves
 * stack_reserve at UINTPTR_MAX so that the first check lands here). */
static __attribute__((noinline)) bool stack_low(IxContext *ctx, const char *what, uintptr_t frame)
{
    IxCtx *c = IX_CTX(ctx);
    if (c->stack_reserve == UINTPTR_MAX) {
        if (!thread_stack_lo) find_thread_stack();
        c->stack_lo = thread_stack_lo;
        c->stack_reserve = thread_stack_reserve;
        if (frame - c->stack_lo >= c->stack_reserve) return false;
    }
    ix_err_format(ctx, IX_EXC_RUNTIMEERROR, "maximum recursion depth exceeded %s", what);
    return true;
}

/* True, with RuntimeError "maximum recursion depth exceeded WHAT" set, when this thread's
 * stack is down to its reserve (ABI.md 3.9): recursion through the host stops there.
 * Unsigned: a frame below the stack found (code running on a stack of its own making)
 * wraps around to a large distance and is not stopped. */
static inline bool stack_exhausted(IxContext *ctx, const char *what)
{
    uintptr_t frame = (uintptr_t)__builtin_frame_address(0);
    IxCtx *c = IX_CTX(ctx);
    return frame - c->stack_lo >= c->stack_reserve ? false : stack_low(ctx, what, frame);
}

/* stack_exhausted for the rest of the core (number.c: slots calling back into the API). */
bool ix_stack_exhausted(IxContext *ctx, const char *what)
{
    return stack_exhausted(ctx, what);
}

/* ---------------------------------------------------------------- identity and types */

IxObject *ix_builtin(IxContext *ctx, IxBuiltin which)
{
    if ((unsigned)which >= IX_BUILTIN_COUNT_V1_3) {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "unknown builtin id %d", (int)which);
        return NULL;
    }
    IxObject *o = IX_BUILTIN(ctx, which);
    return o ? o : ix_builtin_make(ctx, which); /* ABI.md 8.10: made on first use */
}

void ix_incref(IxContext *ctx, IxObject *o)
{
    if (o) IX_INCREF(o);
}

void ix_decref(IxContext *ctx, IxObject *o)
{
    IX_XDECREF(ctx, o);
}

IxObject *ix_type_of(IxContext *ctx, IxObject *o)
{
    return o->ix_type_private;
}

bool ix_is_subtype(IxTypeObject *sub, IxTypeObject *type)
{
    for (IxTypeObject *t = sub; t; t = t->base)
        if (t == type) return true;
    return false;
}

bool ix_is_instance(IxObject *o, IxTypeObject *type)
{
    return ix_is_subtype(IX_TYPE(o), type);
}

int ix_isinstance(IxContext *ctx, IxObject *o, IxObject *type)
{
    if (!IX_IS(ctx, type, IX_TYPE_TYPE)) {
        ix_err_wrong_type(ctx, "type", type);
        return -1;
    }
    return ix_is_instance(o, (IxTypeObject *)type);
}

bool ix_owned_by(IxContext *ctx, IxObject *o)
{
    return IX_TYPE(o)->interp == IX_INTERP(ctx);
}

IxObject *ix_err_wrong_type(IxContext *ctx, const char *what, IxObject *got)
{
    IxTypeObject *t = IX_TYPE(got);
    if (t->interp != IX_INTERP(ctx))
        return ix_err_format(ctx, IX_EXC_TYPEERROR, "expected %s, got %s (an object of interpreter %lld)",
                             what, t->name, (long long)t->interp->id);
    return ix_err_format(ctx, IX_EXC_TYPEERROR, "expected %s, got %s", what, t->name);
}

/* ABI.md 3.3, the one message for an object met at the border: `role` says where it was
 * met ("argument 2 of counter.add()", "the receiver of counter.Counter.add()"). NULL. */
static IxObject *refuse_foreign(IxContext *ctx, const char *role, IxObject *o)
{
    return ix_err_format(ctx, IX_EXC_TYPEERROR,
                         "%s is a %s object of interpreter %lld; objects cannot cross into "
                         "interpreter %lld",
                         role, IX_TYPE(o)->name, (long long)IX_TYPE(o)->interp->id,
                         (long long)IX_INTERP(ctx)->id);
}

/* The object an operation works on must be this interpreter's too: its type's code would
 * otherwise run on another interpreter's state, under the wrong lock. The role is "the
 * receiver of counter.Counter.add()" for a method call, "... of attribute 'x'" else. */
static IxObject *refuse_receiver(IxContext *ctx, IxObject *o, const char *name, bool call)
{
    char role[256];
    if (call) snprintf(role, sizeof role, "the receiver of %s.%s()", IX_TYPE(o)->name, name);
    else snprintf(role, sizeof role, "the receiver of attribute '%s'", name);
    return refuse_foreign(ctx, role, o);
}

/* ---------------------------------------------------------------- attributes */

/* ABI 1.2 (ABI.md 5.40): a type's IX_tp_getattro / IX_tp_setattro runs for every attribute
 * access; one that calls Ix_GetAttr on itself recurses, stopped like a call (3.9). */
static __attribute__((noinline)) IxObject *attr_slot_get(IxContext *ctx, IxObject *o, const char *name)
{
    if (stack_exhausted(ctx, "while getting an attribute")) return NULL;
    return ix_slot_getattr(ctx, o, name);
}

static __attribute__((noinline)) int attr_slot_set(IxContext *ctx, IxObject *o, const char *name, IxObject *v)
{
    if (stack_exhausted(ctx, "while setting an attribute")) return -1;
    return ix_slot_setattr(ctx, o, name, v);
}

IxObject *ix_getattr(IxContext *ctx, IxObject *o, const char *name)
{
    IxTypeObject *t = IX_TYPE(o);
    if (!ix_owned_by(ctx, o)) return refuse_receiver(ctx, o, name, false);
    if (t->ex->tp_getattro) return attr_slot_get(ctx, o, name);
    return t->core->tp_getattr ? t->core->tp_getattr(ctx, o, name) : ix_generic_getattr(ctx, o, name);
}

int ix_setattr(IxContext *ctx, IxObject *o, const char *name, IxObject *v)
{
    IxTypeObject *t = IX_TYPE(o);
    if (!ix_owned_by(ctx, o)) {
        refuse_receiver(ctx, o, name, false);
        return -1;
    }
    if (v && !ix_owned_by(ctx, v)) {
        ix_err_wrong_type(ctx, "an object of this interpreter", v);
        return -1;
    }
    if (t->ex->tp_setattro) return attr_slot_set(ctx, o, name, v);
    return t->core->tp_setattr ? t->core->tp_setattr(ctx, o, name, v) : ix_generic_setattr(ctx, o, name, v);
}

/* ---------------------------------------------------------------- calls */

/* The name a call is reported under: "counter.get", "counter.Counter.add", a type name.
 * Types are told apart by f's own interpreter's builtins: f may be another's. */
static void callable_name(IxObject *f, char *buf, size_t cap)
{
    IxObject *const *builtins = IX_TYPE(f)->interp->builtins, *type = f->ix_type_private;
    if (type == builtins[IX_TYPE_FUNCTION]) {
        IxFunctionObject *fn = (IxFunctionObject *)f;
        IxModuleObject *m = (IxModuleObject *)fn->self;
        snprintf(buf, cap, "%s.%s", m->def->name, fn->def->name);
    } else if (type == builtins[IX_TYPE_METHOD]) {
        IxDescrObject *d = (IxDescrObject *)((IxMethodObject *)f)->descr;
        snprintf(buf, cap, "%s.%s", d->owner_type->name, d->u.method->name);
    } else if (type == builtins[IXI_TYPE_METHOD_DESCR]) {
        IxDescrObject *d = (IxDescrObject *)f;
        snprintf(buf, cap, "%s.%s", d->owner_type->name, d->u.method->name);
    } else if (type == builtins[IX_TYPE_TYPE]) {
        snprintf(buf, cap, "%s", ((IxTypeObject *)f)->name);
    } else {
        snprintf(buf, cap, "%s", IX_TYPE(f)->name);
    }
}

/* ABI.md 3.3: no argument of another interpreter gets into this one's code. */
static int check_args_owned(IxContext *ctx, IxObject *f, IxObject *const *args, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (ix_owned_by(ctx, args[i])) continue;
        char name[200], role[256];
        callable_name(f, name, sizeof name);
        snprintf(role, sizeof role, "argument %zu of %s()", i + 1, name);
        refuse_foreign(ctx, role, args[i]);
        return -1;
    }
    return 0;
}

/* The "counter.Counter.add" in messages, formatted only when a message needs it: calls
 * that succeed never pay for it. */
typedef struct Callee {
    const char *owner;  /* module or type name */
    const char *name;   /* function, method or slot name; NULL for the owner itself */
} Callee;

static const char *callee_text(Callee who, char *buf, size_t cap)
{
    if (!who.name) return who.owner;
    snprintf(buf, cap, "%s.%s", who.owner, who.name);
    return buf;
}

static __attribute__((noinline, cold)) int arity_error(IxContext *ctx, const IxMethodDef *def, size_t n,
                                                       Callee who)
{
    int32_t lo = def->min_args, hi = def->max_args;
    char buf[256];
    const char *qual = callee_text(who, buf, sizeof buf);
    if (hi == 0)
        ix_err_format(ctx, IX_EXC_TYPEERROR, "%s() takes no arguments (%zu given)", qual, n);
    else if (lo == hi)
        ix_err_format(ctx, IX_EXC_TYPEERROR, "%s() takes exactly %d argument%s (%zu given)", qual,
                      lo, lo == 1 ? "" : "s", n);
    else if (n < (size_t)lo)
        ix_err_format(ctx, IX_EXC_TYPEERROR, "%s() takes at least %d argument%s (%zu given)", qual,
                      lo, lo == 1 ? "" : "s", n);
    else
        ix_err_format(ctx, IX_EXC_TYPEERROR, "%s() takes at most %d argument%s (%zu given)", qual,
                      hi, hi == 1 ? "" : "s", n);
    return -1;
}

/* Inline in every call; the message is formatted out of line (arity_error), so the check
 * stays inlined whatever else the call path grows by. */
static int check_arity(IxContext *ctx, const IxMethodDef *def, size_t n, Callee who)
{
    int32_t lo = def->min_args, hi = def->max_args;
    if (n >= (size_t)lo && (hi == IX_VARARGS || n <= (size_t)hi)) return 0;
    return arity_error(ctx, def, n, who);
}

/* ABI.md 6.1: a result and the error state must agree. */
static IxObject *check_result(IxContext *ctx, IxObject *r, Callee who)
{
    bool pending = ix_err_pending(ctx);
    if (r ? !pending && ix_owned_by(ctx, r) : pending) return r; /* the common case */
    char buf[256];
    const char *qual = callee_text(who, buf, sizeof buf);
    if (!r && !pending) {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s() returned NULL without setting an error", qual);
    } else if (r && pending) {
        IX_DECREF(ctx, r);
        ix_err_chain_system(ctx, "%s() returned a result with an error set", qual);
        return NULL;
    } else if (r && !ix_owned_by(ctx, r)) { /* ABI.md 3.3: results do not cross either */
        ix_err_format(ctx, IX_EXC_SYSTEMERROR,
                      "%s() returned a %s object of interpreter %lld into interpreter %lld", qual,
                      IX_TYPE(r)->name, (long long)IX_TYPE(r)->interp->id, (long long)IX_INTERP(ctx)->id);
        IX_DECREF(ctx, r);
        return NULL;
    }
    return r;
}

/* The protocol slots (abstract.c) are checked like calls: "seqmap.Ring.__getitem__". */
IxObject *ix_check_slot_result(IxContext *ctx, IxObject *r, const char *owner, const char *slot)
{
    return check_result(ctx, r, (Callee){owner, slot});
}

/* Run extension code of `module` (its entry rules apply) and check its result; debug mode
 * runs it through debug.c, which validates the result first (ABI.md 10.2). Inlined into
 * its callers as before debug mode had a branch here: release calls pay only the test of
 * the flag (`ixdriver bench call`). */
static inline __attribute__((always_inline)) IxObject *
run_checked(IxContext *ctx, IxCFunction fn, IxObject *self, IxObject *const *args, size_t n,
            IxObject *module, Callee who)
{
    if (IX_INTERP(ctx)->debug)
        return check_result(ctx, ix_debug_run(ctx, fn, self, args, n, module, who.owner, who.name), who);
    IxEntry e;
    ix_enter_code(ctx, module, &e);
    IxObject *r = fn(ctx, self, args, n);
    ix_leave_code(ctx, &e);
    return check_result(ctx, r, who);
}

/* ABI.md 4.13: a keywords function gets the names (NULL when none were passed) and does
 * its own argument checking; any other refuses keywords and has its arity checked. */
static __attribute__((noinline)) IxObject *run_kw(IxContext *ctx, const IxMethodDef *def, IxObject *self,
                                                  IxObject *const *args, size_t n, IxObject *kwnames,
                                                  IxObject *module, Callee who)
{
    IxCFunctionKw fn = (IxCFunctionKw)(void (*)(void))def->func;
    if (IX_INTERP(ctx)->debug)
        return check_result(ctx, ix_debug_run_kw(ctx, fn, self, args, n, kwnames, module, who.owner, who.name),
                            who);
    IxEntry e;
    ix_enter_code(ctx, module, &e);
    IxObject *r = fn(ctx, self, args, n, kwnames);
    ix_leave_code(ctx, &e);
    return check_result(ctx, r, who);
}

static __attribute__((noinline, cold)) IxObject *no_keywords(IxContext *ctx, Callee who)
{
    char buf[256];
    return ix_err_format(ctx, IX_EXC_TYPEERROR, "%s() takes no keyword arguments", callee_text(who, buf, sizeof buf));
}

static IxObject *call_def(IxContext *ctx, const IxMethodDef *def, IxObject *self,
                          IxObject *const *args, size_t n, IxObject *kwnames, IxObject *module, Callee who)
{
    if (def->flags & IX_METH_KEYWORDS) return run_kw(ctx, def, self, args, n, kwnames, module, who);
    if (kwnames) return no_keywords(ctx, who);
    if (check_arity(ctx, def, n, who) < 0) return NULL;
    if (def->flags & IX_METH_TYPED) /* ABI 1.3: the arguments converted to C values (typed.c) */
        return ix_typed_call_objects(ctx, def, self, args, n, module, who.owner);
    return run_checked(ctx, def->func, self, args, n, module, who);
}

/* An IX_METH_METHOD method (ABI.md 5.8) also receives the class that defines it, which
 * is the descriptor's owner: for an instance of a subtype it is still the base. */
static __attribute__((noinline)) IxObject *call_with_class(IxContext *ctx, IxDescrObject *d, IxObject *self,
                                                           IxObject *const *args, size_t n, Callee who)
{
    const IxMethodDef *def = d->u.method;
    if (check_arity(ctx, def, n, who) < 0) return NULL;
    IxCMethod fn = (IxCMethod)(void (*)(void))def->func;
    IxObject *cls = &d->owner_type->ob_base, *module = d->owner_type->module;
    if (IX_INTERP(ctx)->debug)
        return check_result(ctx, ix_debug_run_method(ctx, fn, self, cls, args, n, module, who.owner, who.name), who);
    IxEntry e;
    ix_enter_code(ctx, module, &e);
    IxObject *r = fn(ctx, self, cls, args, n);
    ix_leave_code(ctx, &e);
    return check_result(ctx, r, who);
}

static IxObject *call_method_descr(IxContext *ctx, IxDescrObject *d, IxObject *self,
                                   IxObject *const *args, size_t n, IxObject *kwnames)
{
    Callee who = {d->owner_type->name, d->u.method->name};
    uint32_t kind = d->u.method->flags;
    if (kind & IX_METH_STATIC) return call_def(ctx, d->u.method, NULL, args, n, kwnames, d->owner_type->module, who);
    if (kind & IX_METH_CLASS) {
        /* self is the class: the owner or a subtype of it (ABI.md 5.9) */
        if (!IX_IS(ctx, self, IX_TYPE_TYPE) || !ix_is_subtype((IxTypeObject *)self, d->owner_type)) {
            char qual[256], what[300];
            snprintf(what, sizeof what, "%s or a subtype as the class of %s()", d->owner_type->name,
                     callee_text(who, qual, sizeof qual));
            return ix_err_wrong_type(ctx, what, self);
        }
        return call_def(ctx, d->u.method, self, args, n, kwnames, d->owner_type->module, who);
    }
    if (!ix_is_instance(self, d->owner_type)) {
        char qual[256], what[300];
        snprintf(what, sizeof what, "%s as self of %s()", d->owner_type->name, callee_text(who, qual, sizeof qual));
        return ix_err_wrong_type(ctx, what, self);
    }
    if (d->u.method->flags & IX_METH_METHOD) {
        /* IX_METH_KEYWORDS does not combine with IX_METH_METHOD (ABI.md 4.13) */
        if (kwnames) return no_keywords(ctx, who);
        return call_with_class(ctx, d, self, args, n, who);
    }
    return call_def(ctx, d->u.method, self, args, n, kwnames, d->owner_type->module, who);
}

/* Make the instance: tp_new, or tp_new_kw with the keywords (ABI.md 5.51). */
static IxObject *new_instance(IxContext *ctx, IxTypeObject *t, IxObject *const *args, size_t n, IxObject *kwnames)
{
    Callee who = {t->name, NULL};
    if (t->ex->tp_new_kw) {
        IxCFunctionKw fn = (IxCFunctionKw)(void (*)(void))t->ex->tp_new_kw; /* type in self's place */
        if (IX_INTERP(ctx)->debug)
            return check_result(ctx, ix_debug_run_kw(ctx, fn, &t->ob_base, args, n, kwnames,
                                                     IX_EX_HOOK_MODULE(t, tp_new_kw), t->name, NULL), who);
        IxEntry e;
        ix_enter_code(ctx, IX_EX_HOOK_MODULE(t, tp_new_kw), &e);
        IxObject *r = fn(ctx, &t->ob_base, args, n, kwnames);
        ix_leave_code(ctx, &e);
        return check_result(ctx, r, who);
    }
    if (t->flags & IX_TF_BUILTIN) return t->tp_new(ctx, &t->ob_base, args, n);
    if (IX_INTERP(ctx)->debug)
        return check_result(ctx, ix_debug_run(ctx, t->tp_new, &t->ob_base, args, n, IX_HOOK_MODULE(t, tp_new), t->name,
                                              NULL), who);
    IxEntry e;
    ix_enter_code(ctx, IX_HOOK_MODULE(t, tp_new), &e);
    IxObject *r = t->tp_new(ctx, &t->ob_base, args, n);
    ix_leave_code(ctx, &e);
    return check_result(ctx, r, who);
}

/* ABI.md 5.50-5.51: new, then init when new made an instance of the called type (CPython's
 * rule). Keywords go to tp_new_kw and tp_init; a type with neither refuses them. */
IxObject *ix_call_type(IxContext *ctx, IxTypeObject *t, IxObject *const *args, size_t n, IxObject *kwnames)
{
    if (kwnames && !t->ex->tp_new_kw && !t->ex->tp_init)
        return ix_err_format(ctx, IX_EXC_TYPEERROR, "%s() takes no keyword arguments", t->name);
    if (!t->tp_new && !t->ex->tp_new_kw)
        return ix_err_format(ctx, IX_EXC_TYPEERROR, "cannot create '%s' instances", t->name);
    IxObject *r = new_instance(ctx, t, args, n, kwnames);
    if (r && t->ex->tp_init && ix_is_instance(r, t)) return ix_type_run_init(ctx, t, r, args, n, kwnames);
    return r;
}

/* The callable itself must be this interpreter's: "the callable counter.get() is ...". */
static IxObject *refuse_callable(IxContext *ctx, IxObject *f)
{
    char name[200], role[256];
    callable_name(f, name, sizeof name);
    snprintf(role, sizeof role, "the callable %s()", name);
    return refuse_foreign(ctx, role, f);
}

size_t ix_kwnames_count(IxContext *ctx, IxObject *kwnames)
{
    return kwnames && IX_IS(ctx, kwnames, IX_TYPE_TUPLE) ? ((IxTupleObject *)kwnames)->len : 0;
}

/* ABI.md 4.13: kwnames is NULL or a tuple of str of this interpreter; an empty tuple is a
 * call without keywords. Returns the names to pass on (NULL for none), or sets an error. */
static bool check_kwnames(IxContext *ctx, IxObject *f, IxObject **kwnames)
{
    IxObject *kw = *kwnames;
    if (!kw) return true;
    char name[200];
    if (!ix_owned_by(ctx, kw)) {
        char role[256];
        callable_name(f, name, sizeof name);
        snprintf(role, sizeof role, "the keyword names of %s()", name);
        refuse_foreign(ctx, role, kw);
        return false;
    }
    if (!IX_IS(ctx, kw, IX_TYPE_TUPLE)) {
        callable_name(f, name, sizeof name);
        ix_err_format(ctx, IX_EXC_TYPEERROR, "%s(): keyword names must be a tuple of str, not %s", name,
                      IX_TYPE(kw)->name);
        return false;
    }
    IxTupleObject *t = (IxTupleObject *)kw;
    for (size_t i = 0; i < t->len; i++) {
        if (IX_IS(ctx, t->items[i], IX_TYPE_STR)) continue;
        callable_name(f, name, sizeof name);
        ix_err_format(ctx, IX_EXC_TYPEERROR, "%s() keywords must be strings", name);
        return false;
    }
    if (t->len == 0) *kwnames = NULL;
    return true;
}

/* Builtin callables take no keywords in ABI 1.2 (ABI.md 4.13); types take them through
 * tp_new_kw and tp_init (5.51). */
static IxObject *call_any(IxContext *ctx, IxObject *f, IxObject *const *args, size_t n, IxObject *kwnames)
{
    if (IX_IS(ctx, f, IX_TYPE_FUNCTION)) {
        IxFunctionObject *fn = (IxFunctionObject *)f;
        IxModuleObject *m = (IxModuleObject *)fn->self;
        return call_def(ctx, fn->def, fn->self, args, n, kwnames, fn->self, (Callee){m->def->name, fn->def->name});
    }
    if (IX_IS(ctx, f, IX_TYPE_METHOD)) {
        IxMethodObject *bm = (IxMethodObject *)f;
        return call_method_descr(ctx, (IxDescrObject *)bm->descr, bm->self, args, n, kwnames);
    }
    if (IX_IS(ctx, f, IXI_TYPE_METHOD_DESCR)) {
        if (((IxDescrObject *)f)->u.method->flags & IX_METH_STATIC)
            return call_method_descr(ctx, (IxDescrObject *)f, NULL, args, n, kwnames); /* no self to take */
        if (n == 0) {
            char qual[200];
            callable_name(f, qual, sizeof qual);
            return ix_err_format(ctx, IX_EXC_TYPEERROR, "unbound method %s() needs an argument", qual);
        }
        return call_method_descr(ctx, (IxDescrObject *)f, args[0], args + 1, n - 1, kwnames);
    }
    if (IX_IS(ctx, f, IX_TYPE_TYPE)) return ix_call_type(ctx, (IxTypeObject *)f, args, n, kwnames);
    if (kwnames) {
        char qual[200];
        callable_name(f, qual, sizeof qual);
        return ix_err_format(ctx, IX_EXC_TYPEERROR, "%s() takes no keyword arguments", qual);
    }
    IxTypeObject *t = IX_TYPE(f);
    if (t->tp_call) {
        if (t->flags & IX_TF_BUILTIN) return t->tp_call(ctx, f, args, n);
        return run_checked(ctx, t->tp_call, f, args, n, IX_HOOK_MODULE(t, tp_call), (Callee){t->name, "__call__"});
    }
    return ix_err_format(ctx, IX_EXC_TYPEERROR, "'%s' object is not callable", t->name);
}

IxObject *ix_call(IxContext *ctx, IxObject *f, IxObject *const *args, size_t n)
{
    if (!ix_owned_by(ctx, f)) return refuse_callable(ctx, f);
    if (check_args_owned(ctx, f, args, n) < 0) return NULL;
    if (stack_exhausted(ctx, "while calling an object")) return NULL;
    return call_any(ctx, f, args, n, NULL);
}

IxObject *ix_call_kw(IxContext *ctx, IxObject *f, IxObject *const *args, size_t n, IxObject *kwnames)
{
    if (!ix_owned_by(ctx, f)) return refuse_callable(ctx, f);
    if (!check_kwnames(ctx, f, &kwnames)) return NULL;
    if (check_args_owned(ctx, f, args, n + ix_kwnames_count(ctx, kwnames)) < 0) return NULL;
    if (stack_exhausted(ctx, "while calling an object")) return NULL;
    return call_any(ctx, f, args, n, kwnames);
}

IxObject *ix_call_method(IxContext *ctx, IxObject *o, const char *name, IxObject *const *args,
                         size_t n)
{
    IxTypeObject *t = IX_TYPE(o);
    if (!ix_owned_by(ctx, o)) return refuse_receiver(ctx, o, name, true);
    if (!t->core->tp_getattr && !t->ex->tp_getattro && !(t->ex->dict_offset && ix_instance_has(ctx, o, name))) {
        /* Fast path: a method found on the type is called without a bound-method object. */
        IxObject *d = ix_type_lookup(ctx, t, name);
        if (d && IX_IS(ctx, d, IXI_TYPE_METHOD_DESCR)) {
            if (check_args_owned(ctx, d, args, n) < 0) return NULL;
            if (stack_exhausted(ctx, "while calling an object")) return NULL;
            bool cls = ((IxDescrObject *)d)->u.method->flags & IX_METH_CLASS;
            return call_method_descr(ctx, (IxDescrObject *)d, cls ? &t->ob_base : o, args, n, NULL);
        }
    }
    IxObject *f = ix_getattr(ctx, o, name);
    if (!f) return NULL;
    IxObject *r = ix_call(ctx, f, args, n);
    IX_DECREF(ctx, f);
    return r;
}

/* ---------------------------------------------------------------- repr, hash, compare */

/* repr and str hooks of extension types run with their module as owner, and must
 * return a str. */
static IxObject *unary_checked(IxContext *ctx, IxUnaryProc fn, size_t off, IxObject *o, const char *what)
{
    IxTypeObject *t = IX_TYPE(o);
    if (t->flags & IX_TF_BUILTIN) return fn(ctx, o);
    Callee who = {t->name, what};
    IxObject *r;
    if (IX_INTERP(ctx)->debug) {
        r = ix_debug_run_unary(ctx, fn, o, IX_HOOK_MODULE_AT(t, off), who.owner, who.name);
    } else {
        IxEntry e;
        ix_enter_code(ctx, IX_HOOK_MODULE_AT(t, off), &e);
        r = fn(ctx, o);
        ix_leave_code(ctx, &e);
    }
    r = check_result(ctx, r, who);
    if (r && !IX_IS_STR(ctx, r)) {
        char qual[256];
        ix_err_format(ctx, IX_EXC_TYPEERROR, "%s() returned %s, not str", callee_text(who, qual, sizeof qual),
                      IX_TYPE(r)->name);
        IX_DECREF(ctx, r);
        return NULL;
    }
    return r;
}

/* repr(), str(), hash() and comparisons take their operands through here: each must be
 * this interpreter's, and recursion through them stops before the stack runs out. */
static bool operand_refused(IxContext *ctx, const char *op, IxObject *o, int k, const char *deeper)
{
    if (!ix_owned_by(ctx, o)) {
        char role[64];
        snprintf(role, sizeof role, "argument %d of %s()", k, op);
        refuse_foreign(ctx, role, o);
        return true;
    }
    return deeper && stack_exhausted(ctx, deeper);
}

IxObject *ix_repr(IxContext *ctx, IxObject *o)
{
    IxTypeObject *t = IX_TYPE(o);
    if (operand_refused(ctx, "repr", o, 1, "while getting the repr of an object")) return NULL;
    if (t->tp_repr) return unary_checked(ctx, t->tp_repr, IX_HOOK_OFF(t, tp_repr), o, "__repr__");
    return ix_str_from_format(ctx, "<%s object at %p>", t->name, (void *)o);
}

IxObject *ix_str(IxContext *ctx, IxObject *o)
{
    IxTypeObject *t = IX_TYPE(o);
    if (operand_refused(ctx, "str", o, 1, "while getting the str of an object")) return NULL;
    if (t->tp_str) return unary_checked(ctx, t->tp_str, IX_HOOK_OFF(t, tp_str), o, "__str__");
    return ix_repr(ctx, o);
}

int64_t ix_hash(IxContext *ctx, IxObject *o)
{
    IxTypeObject *t = IX_TYPE(o);
    if (operand_refused(ctx, "hash", o, 1, "while hashing an object")) return -1;
    if (!t->tp_hash) {
        int64_t h = (int64_t)((uintptr_t)o >> 4);
        return h == -1 ? -2 : h;
    }
    IxEntry e;
    ix_enter_code(ctx, t->flags & IX_TF_BUILTIN ? NULL : IX_HOOK_MODULE(t, tp_hash), &e);
    int64_t h = t->tp_hash(ctx, o);
    ix_leave_code(ctx, &e);
    if (h == -1 && !ix_err_pending(ctx))
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s.__hash__() returned -1 without setting an error",
                      t->name);
    return h;
}

static const char *const op_names[] = {"<", "<=", "==", "!=", ">", ">="};
static const int swapped_op[] = {IX_GT, IX_GE, IX_EQ, IX_NE, IX_LT, IX_LE};

/* 1 if the comparison answered (result in *out), 0 for NotImplemented, -1 for an error. */
static int try_compare(IxContext *ctx, IxObject *a, IxObject *b, int op, int *out)
{
    IxTypeObject *t = IX_TYPE(a);
    IxRichCompareProc cmp = t->tp_richcompare;
    if (!cmp) return 0;
    IxEntry e;
    ix_enter_code(ctx, t->flags & IX_TF_BUILTIN ? NULL : IX_HOOK_MODULE(t, tp_richcompare), &e);
    IxObject *r = cmp(ctx, a, b, op);
    ix_leave_code(ctx, &e);
    if (!r) {
        if (!ix_err_pending(ctx))
            ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s comparison returned NULL without an error",
                          IX_TYPE(a)->name);
        return -1;
    }
    if (r == IX_BUILTIN(ctx, IX_NOTIMPLEMENTED)) {
        IX_DECREF(ctx, r);
        return 0;
    }
    int truth = ix_is_true(ctx, r);
    IX_DECREF(ctx, r);
    if (truth < 0) return -1;
    *out = truth;
    return 1;
}

int ix_richcompare_bool(IxContext *ctx, IxObject *a, IxObject *b, int op)
{
    if ((unsigned)op > IX_GE) {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "invalid comparison operator %d", op);
        return -1;
    }
    if (operand_refused(ctx, "compare", a, 1, NULL) ||
        operand_refused(ctx, "compare", b, 2, "in comparison"))
        return -1;
    if (a == b && (op == IX_EQ || op == IX_NE)) return op == IX_EQ;
    int out = 0, rc = try_compare(ctx, a, b, op, &out);
    if (rc == 0) rc = try_compare(ctx, b, a, swapped_op[op], &out);
    if (rc < 0) return -1;
    if (rc > 0) return out;
    if (op == IX_EQ || op == IX_NE) return (a == b) == (op == IX_EQ);
    ix_err_format(ctx, IX_EXC_TYPEERROR, "'%s' not supported between instances of '%s' and '%s'",
                  op_names[op], IX_TYPE(a)->name, IX_TYPE(b)->name);
    return -1;
}

int ix_is_true(IxContext *ctx, IxObject *o)
{
    IxTypeObject *t = IX_TYPE(o);
    /* builtins answer by tp_bool; other objects by nb_bool or length (ABI.md 3.33) */
    return t->core->tp_bool ? t->core->tp_bool(ctx, o) : ix_number_bool(ctx, o);
}
