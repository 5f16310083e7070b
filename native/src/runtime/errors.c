/*
 * errors.c -- exceptions and the error state of a context (ABI.md 6).
 *
 * An error is an exception instance held by the context (so by the entering thread):
 * type, message, and an optional cause. Setting one allocates; when that fails the
 * interpreter's preallocated MemoryError is raised instead, so "out of memory" can always
 * be reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ix_internal.h"

/* ---------------------------------------------------------------- the exception type */

static IxObject *exc_get_message(IxContext *ctx, IxObject *self, void *closure)
{
    IxExceptionObject *e = (IxExceptionObject *)self;
    IxObject *m = e->message ? e->message : IX_BUILTIN(ctx, IX_NONE);
    IX_INCREF(m);
    return m;
}

static IxObject *exc_get_cause(IxContext *ctx, IxObject *self, void *closure)
{
    IxExceptionObject *e = (IxExceptionObject *)self;
    IxObject *c = e->cause ? e->cause : IX_BUILTIN(ctx, IX_NONE);
    IX_INCREF(c);
    return c;
}

static IxObject *exc_get_context(IxContext *ctx, IxObject *self, void *closure)
{
    IxExceptionObject *e = (IxExceptionObject *)self;
    IxObject *c = e->context ? e->context : IX_BUILTIN(ctx, IX_NONE);
    IX_INCREF(c);
    return c;
}

static const IxGetSetDef exc_getset[] = {
    {"message", exc_get_message, NULL, "the message, a str", NULL},
    {"cause", exc_get_cause, NULL, "the exception this one was raised from, or None", NULL},
    {"context", exc_get_context, NULL, "the error pending when this one was set, or None", NULL},
    IX_GETSET_END,
};

/* An instance of `type` owning `msg` (consumed, even on failure). */
static IxObject *exception_with(IxContext *ctx, IxTypeObject *type, IxObject *msg)
{
    IxExceptionObject *e = (IxExceptionObject *)ix_object_alloc(ctx, type, ix_type_instance_size(type));
    if (!e) {
        IX_DECREF(ctx, msg);
        return NULL;
    }
    e->message = msg;
    return &e->ob_base;
}

/* Exception(message=""): a message that is not a str is shown through str(). */
static IxObject *exc_new(IxContext *ctx, IxObject *type, IxObject *const *args, size_t n)
{
    if (n > 1)
        return ix_err_format(ctx, IX_EXC_TYPEERROR, "%s() takes at most 1 argument (%zu given)",
                             ((IxTypeObject *)type)->name, n);
    IxObject *msg = n ? ix_str(ctx, args[0]) : ix_str_from_cstr(ctx, "");
    return msg ? exception_with(ctx, (IxTypeObject *)type, msg) : NULL;
}

static void exc_dealloc(IxContext *ctx, IxObject *self)
{
    IxExceptionObject *e = (IxExceptionObject *)self;
    IX_CLEAR_REF(ctx, e->message);
    IX_CLEAR_REF(ctx, e->cause);
    IX_CLEAR_REF(ctx, e->context);
}

static int exc_traverse(IxContext *ctx, IxObject *self, IxVisitProc visit, void *arg)
{
    IxExceptionObject *e = (IxExceptionObject *)self;
    IX_VISIT(e->message);
    IX_VISIT(e->cause);
    IX_VISIT(e->context);
    return 0;
}

/* Breaks a cycle through the chain (SetCause can make one: ABI.md 6.5) for the collector. */
static int exc_clear(IxContext *ctx, IxObject *self)
{
    IxExceptionObject *e = (IxExceptionObject *)self;
    IX_CLEAR_REF(ctx, e->cause);
    IX_CLEAR_REF(ctx, e->context);
    return 0;
}

static IxObject *exc_str(IxContext *ctx, IxObject *self)
{
    IxExceptionObject *e = (IxExceptionObject *)self;
    if (!e->message) return ix_str_from_cstr(ctx, "");
    IX_INCREF(e->message);
    return e->message;
}

static IxObject *exc_repr(IxContext *ctx, IxObject *self)
{
    IxExceptionObject *e = (IxExceptionObject *)self;
    IxObject *m = e->message ? ix_repr(ctx, e->message) : ix_str_from_cstr(ctx, "");
    if (!m) return NULL;
    IxObject *r = ix_str_from_format(ctx, "%s(%s)", IX_TYPE(self)->name, ((IxStrObject *)m)->data);
    IX_DECREF(ctx, m);
    return r;
}

static const IxTypeSlot exc_slots[] = {
    {IX_tp_new, (void *)exc_new},
    {IX_tp_dealloc, (void *)exc_dealloc},
    {IX_tp_traverse, (void *)exc_traverse},
    {IX_tp_clear, (void *)exc_clear},
    {IX_tp_str, (void *)exc_str},
    {IX_tp_repr, (void *)exc_repr},
    {IX_tp_getset, (void *)exc_getset},
    IX_TYPE_SLOTS_END,
};

/* Only the root carries slots; the others inherit them (and find its getsets through the
 * base chain), so an interpreter holds one exception dict, not thirteen. */
#define EXC(id, name, base) \
    {id, name, sizeof(IxExceptionObject), base, IX_TF_EXCEPTION, NULL, NULL, NULL, NULL}
const IxBuiltinTypeDef ix_exception_typedefs[] = {
    {IX_EXC_EXCEPTION, "Exception", sizeof(IxExceptionObject), UINT32_MAX, IX_TF_EXCEPTION,
     exc_slots, NULL, NULL, NULL},
    EXC(IX_EXC_TYPEERROR, "TypeError", IX_EXC_EXCEPTION),
    EXC(IX_EXC_VALUEERROR, "ValueError", IX_EXC_EXCEPTION),
    EXC(IX_EXC_KEYERROR, "KeyError", IX_EXC_EXCEPTION),
    EXC(IX_EXC_INDEXERROR, "IndexError", IX_EXC_EXCEPTION),
    EXC(IX_EXC_ATTRIBUTEERROR, "AttributeError", IX_EXC_EXCEPTION),
    EXC(IX_EXC_OVERFLOWERROR, "OverflowError", IX_EXC_EXCEPTION),
    EXC(IX_EXC_ZERODIVISIONERROR, "ZeroDivisionError", IX_EXC_EXCEPTION),
    EXC(IX_EXC_MEMORYERROR, "MemoryError", IX_EXC_EXCEPTION),
    EXC(IX_EXC_RUNTIMEERROR, "RuntimeError", IX_EXC_EXCEPTION),
    EXC(IX_EXC_NOTIMPLEMENTEDERROR, "NotImplementedError", IX_EXC_RUNTIMEERROR),
    EXC(IX_EXC_IMPORTERROR, "ImportError", IX_EXC_EXCEPTION),
    EXC(IX_EXC_SYSTEMERROR, "SystemError", IX_EXC_EXCEPTION),
    EXC(IX_EXC_QUEUEEMPTY, "QueueEmpty", IX_EXC_EXCEPTION),
    EXC(IX_EXC_QUEUEFULL, "QueueFull", IX_EXC_EXCEPTION),
    /* ABI 1.2 */
    EXC(IX_EXC_BUFFERERROR, "BufferError", IX_EXC_EXCEPTION),
    /* ABI 1.3: what Ix_CheckInterrupt raises (interrupt.c) */
    EXC(IX_EXC_TIMEOUTERROR, "TimeoutError", IX_EXC_EXCEPTION),
    EXC(IX_EXC_INTERRUPTEDERROR, "InterruptedError", IX_EXC_EXCEPTION),
    {0},
};
#undef EXC

/* ---------------------------------------------------------------- the error state */

static bool is_exception_type(IxContext *ctx, IxObject *type)
{
    return IX_IS(ctx, type, IX_TYPE_TYPE) && (((IxTypeObject *)type)->flags & IX_TF_EXCEPTION);
}

static void set_exc(IxContext *ctx, IxObject *exc)
{
    IxCtx *c = IX_CTX(ctx);
    IxObject *old = c->exc;
    c->exc = exc;
    IX_XDECREF(ctx, old);
}

void ix_err_no_memory(IxContext *ctx)
{
    IxObject *m = IX_INTERP(ctx)->memory_error;
    if (!m) return; /* still bootstrapping: the caller fails anyway */
    IX_INCREF(m);
    set_exc(ctx, m);
}

/* Build an instance of `type` with `msg`; a message that is not UTF-8 is replaced rather
 * than turned into a second error. */
static IxObject *make_exception(IxContext *ctx, IxTypeObject *type, const char *msg, size_t len)
{
    IxObject *s = ix_str_from_utf8(ctx, msg, len);
    if (!s) {
        if (IX_CTX(ctx)->exc == IX_INTERP(ctx)->memory_error) return NULL; /* the caller raises it */
        ix_err_clear(ctx);
        s = ix_str_from_cstr(ctx, "<message is not valid UTF-8>");
        if (!s) return NULL;
    }
    return exception_with(ctx, type, s);
}

void ix_err_set_string(IxContext *ctx, IxObject *type, const char *msg)
{
    if (!is_exception_type(ctx, type)) {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "IxErr_SetString: %s is not an exception type of this interpreter",
                      IX_IS(ctx, type, IX_TYPE_TYPE) ? ((IxTypeObject *)type)->name : IX_TYPE(type)->name);
        return;
    }
    IxObject *e = make_exception(ctx, (IxTypeObject *)type, msg, strlen(msg));
    if (e) set_exc(ctx, e);
    else ix_err_no_memory(ctx);
}

void ix_err_formatv(IxContext *ctx, IxObject *type, const char *fmt, va_list va)
{
    char small[256];
    va_list copy;
    va_copy(copy, va);
    int n = vsnprintf(small, sizeof small, fmt, copy);
    va_end(copy);
    if (n < 0) {
        ix_err_set_string(ctx, type, fmt);
        return;
    }
    if ((size_t)n < sizeof small) {
        ix_err_set_string(ctx, type, small);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        ix_err_no_memory(ctx);
        return;
    }
    vsnprintf(big, (size_t)n + 1, fmt, va);
    ix_err_set_string(ctx, type, big);
    free(big);
}

/* The core's errors name their type by id: made on first use (ABI.md 8.10), and when the
 * process has no memory for it, that MemoryError is the error. */
void ix_err_set(IxContext *ctx, uint32_t type_id, const char *msg)
{
    IxTypeObject *t = ix_builtin_type(ctx, type_id);
    if (t) ix_err_set_string(ctx, &t->ob_base, msg);
}

IxObject *ix_err_format(IxContext *ctx, uint32_t type_id, const char *fmt, ...)
{
    IxTypeObject *t = ix_builtin_type(ctx, type_id);
    if (!t) return NULL;
    va_list va;
    va_start(va, fmt);
    ix_err_formatv(ctx, &t->ob_base, fmt, va);
    va_end(va);
    return NULL;
}

bool ix_err_pending(IxContext *ctx)
{
    return IX_CTX(ctx)->exc != NULL;
}

void ix_err_chain_system(IxContext *ctx, const char *fmt, ...)
{
    IxCtx *c = IX_CTX(ctx);
    IxObject *cause = c->exc;
    c->exc = NULL;
    IxTypeObject *t = ix_builtin_type(ctx, IX_EXC_SYSTEMERROR);
    if (t) {
        va_list va;
        va_start(va, fmt);
        ix_err_formatv(ctx, &t->ob_base, fmt, va);
        va_end(va);
    }
    /* The shared MemoryError instance never takes a cause: it may be raised again. */
    if (cause && c->exc && c->exc != IX_INTERP(ctx)->memory_error) {
        IxExceptionObject *e = (IxExceptionObject *)c->exc;
        IX_XDECREF(ctx, e->cause);
        e->cause = cause;
    } else {
        IX_XDECREF(ctx, cause);
    }
}

IxObject *ix_err_occurred(IxContext *ctx)
{
    IxObject *e = IX_CTX(ctx)->exc;
    return e ? e->ix_type_private : NULL;
}

IxObject *ix_err_fetch(IxContext *ctx)
{
    IxCtx *c = IX_CTX(ctx);
    IxObject *e = c->exc;
    c->exc = NULL;
    return e;
}

void ix_err_raise(IxContext *ctx, IxObject *exc)
{
    if (!ix_owned_by(ctx, exc) || !(IX_TYPE(exc)->flags & IX_TF_EXCEPTION)) {
        ix_err_wrong_type(ctx, "an exception", exc);
        return;
    }
    IX_INCREF(exc);
    set_exc(ctx, exc);
}

void ix_err_clear(IxContext *ctx)
{
    set_exc(ctx, NULL);
}

int ix_err_exception_matches(IxContext *ctx, IxObject *type)
{
    IxObject *e = IX_CTX(ctx)->exc;
    return e && IX_IS(ctx, type, IX_TYPE_TYPE) && ix_is_instance(e, (IxTypeObject *)type);
}

IxObject *ix_err_new_exception(IxContext *ctx, IxObject *module, const char *name, IxObject *base)
{
    if (!base) base = IX_BUILTIN(ctx, IX_EXC_EXCEPTION);
    if (!is_exception_type(ctx, base))
        return ix_err_wrong_type(ctx, "an exception type as base", base);
    IxTypeSpec spec = {name, ((IxTypeObject *)base)->basic_size, IX_TPFLAGS_DEFAULT, NULL};
    return ix_type_from_spec_base(ctx, module, &spec, (IxTypeObject *)base, IX_TF_EXCEPTION);
}

static IxExceptionObject *as_exception(IxContext *ctx, IxObject *e)
{
    if (IX_TYPE(e)->flags & IX_TF_EXCEPTION) return (IxExceptionObject *)e;
    ix_err_wrong_type(ctx, "an exception", e);
    return NULL;
}

IxObject *ix_exception_get_message(IxContext *ctx, IxObject *e)
{
    IxExceptionObject *x = as_exception(ctx, e);
    return x ? x->message : NULL;
}

IxObject *ix_exception_get_cause(IxContext *ctx, IxObject *e)
{
    IxExceptionObject *x = as_exception(ctx, e);
    return x ? x->cause : NULL;
}

/* ---------------------------------------------------------------- chaining (ABI 1.2) */

IxObject *ix_exception_next(IxObject *e)
{
    IxExceptionObject *x = (IxExceptionObject *)e;
    return x->cause ? x->cause : x->context;
}

/* Whether `target` is `e` or on the chain shown from it (bounded: SetCause can loop it).
 * A loop would still be collected; this keeps the chain Java sees free of repeats. */
static bool on_chain(IxObject *e, IxObject *target)
{
    for (int i = 0; e && i < 64; i++, e = ix_exception_next(e))
        if (e == target) return true;
    return false;
}

IxObject *ix_exception_get_context(IxContext *ctx, IxObject *e)
{
    IxExceptionObject *x = as_exception(ctx, e);
    return x ? x->context : NULL;
}

int ix_exception_set_cause(IxContext *ctx, IxObject *e, IxObject *cause)
{
    IxExceptionObject *x = as_exception(ctx, e);
    if (!x) return -1;
    if (cause && (!ix_owned_by(ctx, cause) || !(IX_TYPE(cause)->flags & IX_TF_EXCEPTION))) {
        ix_err_wrong_type(ctx, "an exception or NULL as the cause", cause);
        return -1;
    }
    if (e == IX_INTERP(ctx)->memory_error) {
        ix_err_set(ctx, IX_EXC_VALUEERROR,
                   "IxException_SetCause: the interpreter's shared MemoryError takes no cause; it "
                   "may be raised again anywhere");
        return -1;
    }
    if (cause) IX_INCREF(cause);
    IX_XDECREF(ctx, x->cause);
    x->cause = cause;
    return 0;
}

/* ABI.md 6.6: an error set through the table while another is pending gets that one as
 * its context (unless it is the same exception, already on its chain, or the shared
 * MemoryError, which is raised again anywhere and so never links to one error). */
static void take_context(IxContext *ctx, IxObject *pending)
{
    IxObject *now = IX_CTX(ctx)->exc;
    if (!pending) return;
    if (!now || now == IX_INTERP(ctx)->memory_error || on_chain(pending, now) ||
        ((IxExceptionObject *)now)->context) {
        IX_DECREF(ctx, pending);
        return;
    }
    ((IxExceptionObject *)now)->context = pending; /* the pending error's reference moves */
}

void ix_api_err_set_string(IxContext *ctx, IxObject *type, const char *msg)
{
    IxObject *pending = ix_err_fetch(ctx);
    ix_err_set_string(ctx, type, msg);
    take_context(ctx, pending);
}

void ix_api_err_formatv(IxContext *ctx, IxObject *type, const char *fmt, va_list va)
{
    IxObject *pending = ix_err_fetch(ctx);
    ix_err_formatv(ctx, type, fmt, va);
    take_context(ctx, pending);
}

void ix_api_err_raise(IxContext *ctx, IxObject *exc)
{
    IxObject *pending = ix_err_fetch(ctx);
    ix_err_raise(ctx, exc);
    take_context(ctx, pending);
}

/* ---------------------------------------------------------------- for embedders */

IX_API const char *ixh_error_text(IxContext *ctx, char *buf, size_t cap)
{
    IxObject *e = IX_CTX(ctx)->exc;
    if (!e || cap == 0) return NULL;
    size_t used = 0;
    buf[0] = 0;
    for (int depth = 0; e && depth < 16 && used < cap; depth++) {
        IxExceptionObject *x = (IxExceptionObject *)e;
        const char *msg = x->message ? ((IxStrObject *)x->message)->data : "";
        int n = snprintf(buf + used, cap - used, "%s%s: %s", depth ? " <- " : "", IX_TYPE(e)->name, msg);
        if (n < 0) break;
        used += (size_t)n;
        e = ix_exception_next(e);
    }
    return buf;
}
