/*
 * interrupt.c -- asking a call in flight to stop (ABI 1.3, ABI.md 6.10-6.16 and 12.80-12.84).
 *
 * Nothing can stop extension code from outside safely; it stops itself, by polling
 * Ix_CheckInterrupt in its long loops. The host side (Java's watcher thread, an embedder's
 * timer) raises a request on the interpreter with ixh_interp_interrupt, from any thread,
 * without the interpreter lock: one atomic word per interpreter, `interrupt`, holds
 * (call << 2) | reason, 0 when nothing is asked. `call` names the call the request is for
 * (the address of its request buffer, 0 for whatever call is in flight), so a request meant
 * for a thread still waiting for the lock does not stop the call of the thread holding it.
 *
 * The word is cleared when an outermost entry begins (ix_interrupt_begin: a value-API call,
 * ixh_enter): a request left from an earlier call never reaches a later one. A request that
 * clear loses (raised for a thread still waiting) is raised again by its requester, which
 * re-raises while its reason holds (Java's InterruptWatcher does, every tick).
 *
 * Relaxed atomics suffice: the word publishes nothing but itself.
 */
#include "ix_internal.h"

/* The high bits of the word hold the call; an address always fits (user space is < 2^62). */
#define IX_CALL_MAX (UINT64_MAX >> 2)

void ix_interrupt_begin(IxCtx *c, uintptr_t call)
{
    atomic_store_explicit(&c->interp->interrupt, 0, memory_order_relaxed);
    c->call = call;
}

/* The slow path: something is asked. Is it for this entry? */
static int raise_interrupt(IxContext *ctx, uint64_t word)
{
    IxCtx *c = IX_CTX(ctx);
    uint64_t call = word >> 2;
    if (!c->call || (call && call != c->call)) return 0; /* not interruptible, or another call */
    if ((word & 3) == IXH_INTERRUPT_DEADLINE)
        ix_err_set(ctx, IX_EXC_TIMEOUTERROR, "the call's deadline has passed");
    else
        ix_err_set(ctx, IX_EXC_INTERRUPTEDERROR, "the call was interrupted");
    return -1;
}

/* The table entry: one relaxed load when nothing is asked (the usual case). */
int ix_check_interrupt(IxContext *ctx)
{
    uint64_t word = atomic_load_explicit(&IX_INTERP(ctx)->interrupt, memory_order_relaxed);
    return word ? raise_interrupt(ctx, word) : 0;
}

/* Any thread, no lock: a store to one word of an interpreter that is alive (12.81). */
IX_API int ixh_interp_interrupt(IxInterp *in, uint64_t call, int reason)
{
    if ((reason != IXH_INTERRUPT_THREAD && reason != IXH_INTERRUPT_DEADLINE) || call > IX_CALL_MAX) return -1;
    atomic_store_explicit(&in->interrupt, call << 2 | (uint64_t)reason, memory_order_relaxed);
    return 0;
}
