/*
 * audit_globals -- a multiphase module that keeps C globals anyway, one of each kind
 * `isolex audit` classifies (docs/audit.md). It declares the per-interpreter-lock level
 * and imports everywhere: nothing in the host stops it, which is why the audit exists.
 *
 *   bump()      -> int: ++hits, process-wide (a call that writes a global at run time)
 *   prime(i)    -> int: audit_primes[i % 4] (a table only read: it could be const)
 *   has_error() -> bool: whether audit_error_type is set (never: a classification fixture)
 *   seen()      -> int: ++seen, atomically (race-free, still process-wide)
 *   first()     -> bool: True on the first call in the process (a function's static flag)
 *   on_thread() -> int: ++per_thread, this thread's copy (thread-local: race-free, still
 *                  shared by every interpreter that runs on the thread)
 */
#include <stdatomic.h>
#include <stdint.h>

#include "isolex.h"

static int64_t hits;                       /* state: a counter */
static _Atomic int64_t seen_count;         /* state, atomic */
static _Thread_local int64_t per_thread;   /* state, thread-local */
/* External linkage, so the compiler cannot prove them unwritten and fold them away (a
 * static never written becomes read-only data, or disappears). */
IxObject *audit_error_type;                /* object-ref: an exception kept in a global */
int64_t audit_primes[4] = {2, 3, 5, 7};    /* const-table: initialized, only read */

static IxObject *ag_bump(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    return IxLong_FromInt64(ctx, ++hits);
}

static IxObject *ag_on_thread(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    return IxLong_FromInt64(ctx, ++per_thread);
}

static IxObject *ag_prime(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    int64_t i = IxLong_AsInt64(ctx, args[0]);
    if (i == -1 && IxErr_Occurred(ctx))
        return NULL;
    return IxLong_FromInt64(ctx, audit_primes[(uint64_t)i % 4]);
}

static IxObject *ag_has_error(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    return IxBool_FromInt(ctx, audit_error_type != NULL);
}

static IxObject *ag_seen(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    return IxLong_FromInt64(ctx, atomic_fetch_add(&seen_count, 1) + 1);
}

static IxObject *ag_first(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    static int done;  /* state: a flag, named done.N in the symbol table */
    int was = done;
    done = 1;
    return IxBool_FromInt(ctx, !was);
}

static const IxMethodDef ag_methods[] = {
    {"bump", ag_bump, 0, 0, 0, "bump() -> int: calls so far, process-wide"},
    {"prime", ag_prime, 1, 1, 0, "prime(i) -> int: one of the first four primes"},
    {"has_error", ag_has_error, 0, 0, 0, "has_error() -> bool: is the global exception set"},
    {"seen", ag_seen, 0, 0, 0, "seen() -> int: calls so far, atomically"},
    {"first", ag_first, 0, 0, 0, "first() -> bool: is this the first call in the process"},
    {"on_thread", ag_on_thread, 0, 0, 0, "on_thread() -> int: calls so far on this thread"},
    IX_METHODS_END
};

static const IxModuleSlot ag_slots[] = {
    {IX_MOD_MULTIPLE_INTERPRETERS, IX_MOD_MULTI_PER_INTERPRETER_LOCK},
    IX_MOD_SLOTS_END
};

static const IxModuleDef ag_def = {
    IX_MODULEDEF_HEAD,
    .name = "audit_globals",
    .doc = "Keeps C globals of every kind isolex audit classifies.",
    .methods = ag_methods,
    .slots = ag_slots,
};

IX_MODINIT(audit_globals)
{
    return &ag_def;
}
