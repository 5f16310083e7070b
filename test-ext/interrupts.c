/*
 * interrupts -- Ix_CheckInterrupt (ABI 1.3, ABI.md 6.10-6.16): the pattern, and the ways
 * of breaking it the host must catch.
 *
 *   poll()           one poll: 0 when nothing is asked; else the poll's error
 *   spin(n)          polls up to n times (n < 0: until asked), with a little work between:
 *                    returns the polls made, or the poll's error (the pattern, 6.12)
 *   ignore(n)        spin, but on -1 returns an int anyway (the error still set)
 *                    -> SystemError: interrupts.ignore() returned a result with an error
 *                       set, cause InterruptedError: the call was interrupted (6.1)
 *   swallow(n)       spin, but on -1 clears the error and polls again: every later poll
 *                    of the call fails too (6.13); returns how many failed of 1 + 3
 *   in_dealloc()     a Poller object whose tp_dealloc polls: after a request the error
 *                    is recorded, not raised (6.8): "tp_dealloc of interrupts.Poller"
 *   spin_then_dealloc()  spin until asked, clear the error, then in_dealloc: None
 *   in_exec          module exec polls (at import): 0 when nothing is asked
 */
#include <stddef.h>
#include <stdint.h>

#include "isolex.h"

/* A little work between polls, which the compiler cannot drop. */
static volatile uint64_t sink;

static void work(void)
{
    for (int i = 0; i < 1000; i++)
        sink += (uint64_t)i * 2654435761u;
}

/* Polls up to n times (n < 0: no limit); the polls made, or -1 at the first failing one. */
static int64_t spin(IxContext *ctx, int64_t n)
{
    int64_t i;
    for (i = 0; n < 0 || i < n; i++) {
        if (Ix_CheckInterrupt(ctx) < 0)
            return -1;
        work();
    }
    return i;
}

static int arg_n(IxContext *ctx, IxObject *const *args, size_t nargs, int64_t *n)
{
    *n = nargs ? IxLong_AsInt64(ctx, args[0]) : -1;
    return *n == -1 && IxErr_Occurred(ctx) ? -1 : 0;
}

static IxObject *ir_poll(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    return Ix_CheckInterrupt(ctx) < 0 ? NULL : IxLong_FromInt64(ctx, 0);
}

static IxObject *ir_spin(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    int64_t n;
    if (arg_n(ctx, args, nargs, &n) < 0)
        return NULL;
    int64_t done = spin(ctx, n);
    return done < 0 ? NULL : IxLong_FromInt64(ctx, done);
}

/* Breaks 6.12: -1 came back, and the function returns a value anyway. */
static IxObject *ir_ignore(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    int64_t n;
    if (arg_n(ctx, args, nargs, &n) < 0)
        return NULL;
    int64_t done = spin(ctx, n);
    return IxLong_FromInt64(ctx, done);
}

/* Clears the error and goes on: the request stays for the whole call (6.13). */
static IxObject *ir_swallow(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    int64_t n;
    if (arg_n(ctx, args, nargs, &n) < 0)
        return NULL;
    if (spin(ctx, n) >= 0)
        return IxLong_FromInt64(ctx, 0);
    int64_t failed = 1;
    for (int i = 0; i < 3; i++) {
        IxErr_Clear(ctx);
        failed += Ix_CheckInterrupt(ctx) < 0;
    }
    IxErr_Clear(ctx);
    return IxLong_FromInt64(ctx, failed);
}

/* A Poller polls in its tp_dealloc (where no caller waits for an error: 6.8). */
static void poller_dealloc(IxContext *ctx, IxObject *self)
{
    (void)Ix_CheckInterrupt(ctx); /* the host frees the object */
}

static IxObject *poller_new(IxContext *ctx, IxObject *type, IxObject *const *args, size_t nargs)
{
    return IxType_GenericAlloc(ctx, type);
}

static const IxTypeSlot poller_slots[] = {
    {IX_tp_new, (void *)poller_new},
    {IX_tp_dealloc, (void *)poller_dealloc},
    IX_TYPE_SLOTS_END,
};

static const IxTypeSpec poller_spec = {"interrupts.Poller", sizeof(IxObject), IX_TPFLAGS_DEFAULT, poller_slots};

/* Makes a Poller and drops it: its dealloc polls inside this call. */
static IxObject *ir_in_dealloc(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    IxObject *type = Ix_GetAttr(ctx, m, "Poller");
    if (type == NULL)
        return NULL;
    IxObject *p = Ix_Call(ctx, type, NULL, 0);
    Ix_Decref(ctx, type);
    if (p == NULL)
        return NULL;
    Ix_Decref(ctx, p);
    return Ix_ReturnNone(ctx);
}

/* Waits for a request (so a Java caller's watcher has raised it), then drops a Poller. */
static IxObject *ir_spin_then_dealloc(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    if (spin(ctx, -1) < 0)
        IxErr_Clear(ctx);
    return ir_in_dealloc(ctx, m, args, nargs);
}

static int ir_exec(IxContext *ctx, IxObject *m)
{
    if (Ix_CheckInterrupt(ctx) < 0)
        return -1;
    IxObject *type = IxType_FromSpec(ctx, m, &poller_spec);
    if (type == NULL)
        return -1;
    int rc = IxModule_AddObject(ctx, m, "Poller", type);
    Ix_Decref(ctx, type);
    return rc;
}

static const IxMethodDef ir_methods[] = {
    {"poll", ir_poll, 0, 0, 0, "poll() -> 0, or the poll's error"},
    {"spin", ir_spin, 0, 1, 0, "spin([n]) -> polls made, or the poll's error"},
    {"ignore", ir_ignore, 0, 1, 0, "ignore([n]): returns a value with the poll's error set"},
    {"swallow", ir_swallow, 0, 1, 0, "swallow([n]) -> failed polls of 4 after the first failure"},
    {"in_dealloc", ir_in_dealloc, 0, 0, 0, "in_dealloc(): a dealloc that polls"},
    {"spin_then_dealloc", ir_spin_then_dealloc, 0, 0, 0, "spin until asked, then in_dealloc()"},
    IX_METHODS_END
};

static const IxModuleSlot ir_slots[] = {
    {IX_MOD_EXEC, (void *)ir_exec},
    IX_MOD_SLOTS_END
};

static const IxModuleDef ir_def = {
    IX_MODULEDEF_HEAD,
    .name = "interrupts",
    .methods = ir_methods,
    .slots = ir_slots,
};

IX_MODINIT(interrupts)
{
    return &ir_def;
}
