/*
 * leaky -- leaks through the ABI on purpose, so the close-time leak report (ABI.md 8.2)
 * can be checked against what really leaked.
 *
 *   leak_list()      makes a list holding a str and drops it without its last decref
 *   leak_block(n)    allocates n bytes with IxMem_Malloc and never frees them
 *
 * The interpreter's close frees both anyway and reports them, attributed to this module.
 */
#include <stddef.h>

#include "isolex.h"

static IxObject *leaky_leak_list(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    IxObject *list = IxList_New(ctx);
    if (!list) return NULL;
    IxObject *s = IxStr_FromCString(ctx, "kept alive by a leaked list");
    if (!s || IxList_Append(ctx, list, s) < 0) {
        Ix_Decref(ctx, s);
        Ix_Decref(ctx, list);
        return NULL;
    }
    Ix_Decref(ctx, s);
    /* the bug, on purpose: `list` is never released */
    return Ix_ReturnNone(ctx);
}

static IxObject *leaky_leak_block(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    int64_t n = IxLong_AsInt64(ctx, args[0]);
    if (n == -1 && IxErr_Occurred(ctx)) return NULL;
    if (n < 1) return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "n must be >= 1");
    if (!IxMem_Malloc(ctx, (size_t)n)) return NULL; /* the bug, on purpose: never freed */
    return Ix_ReturnNone(ctx);
}

static const IxMethodDef leaky_methods[] = {
    {"leak_list", leaky_leak_list, 0, 0, 0, "leak_list() -> None, leaking a list and a str"},
    {"leak_block", leaky_leak_block, 1, 1, 0, "leak_block(n) -> None, leaking n bytes"},
    IX_METHODS_END
};

static const IxModuleDef leaky_def = {
    IX_MODULEDEF_HEAD,
    .name = "leaky",
    .doc = "Leaks on purpose, for the leak report tests.",
    .methods = leaky_methods,
};

IX_MODINIT(leaky)
{
    return &leaky_def;
}
