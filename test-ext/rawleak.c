/*
 * rawleak -- leaks outside the interpreter's accounting, on purpose.
 *
 *   leak(n)   malloc()s n >= 1 bytes with the C library's malloc -- not IxMem_Malloc -- and
 *             drops the pointer; returns None
 *
 * The interpreter cannot see this block: close reports nothing and ixh_live_bytes() is
 * back to 0. It is what the external checkers are for: Valgrind memcheck ("definitely
 * lost", allocated in rawleak_leak) and LeakSanitizer (the asan driver variant) report it.
 *
 * The pointer goes through a volatile sink: otherwise gcc -O2 sees a malloc whose result
 * is never used and deletes it, and there is nothing left to leak (BUILD-NOTES.md). The
 * sink is overwritten by the next call, so after two calls the first block is unreachable
 * too; after the last call the sink still points at the last block, but it is cleared
 * before return so that every block is "definitely lost", not "still reachable".
 */
#include <stdint.h>
#include <stdlib.h>

#include "isolex.h"

static void *volatile sink;

static IxObject *rawleak_leak(IxContext *ctx, IxObject *module, IxObject *const *args,
                              size_t nargs)
{
    int64_t n = IxLong_AsInt64(ctx, args[0]);
    if (n == -1 && IxErr_Occurred(ctx) != NULL)
        return NULL;
    if (n < 1 || (uint64_t)n > SIZE_MAX / 2)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR),
                            "leak() needs n >= 1, got %lld", (long long)n);
    sink = malloc((size_t)n);  /* the bug, on purpose: raw malloc, never freed */
    if (sink == NULL)
        return IxErr_NoMemory(ctx);
    sink = NULL;
    return Ix_ReturnNone(ctx);
}

static const IxMethodDef rawleak_methods[] = {
    {"leak", rawleak_leak, 1, 1, 0, "leak(n) -> None, leaking n bytes of raw malloc"},
    IX_METHODS_END
};

static const IxModuleDef rawleak_def = {
    IX_MODULEDEF_HEAD,
    .name = "rawleak",
    .doc = "Leaks raw malloc memory, invisible to the interpreter's accounting.",
    .methods = rawleak_methods,
};

IX_MODINIT(rawleak)
{
    return &rawleak_def;
}
