/*
 * multidef -- one library file, two modules (ABI.md 4.2), as CPython's _testmultiphase
 * has: it exports IxInit_multi_a and IxInit_multi_b. Built as multi_a.so; the build adds
 * the symlinks multi_b.so and multi_c.so to it, so that `import multi_b` finds the same
 * file under another name, and `import multi_c` a file that does not define multi_c.
 *
 * Each module's which() answers its own name: the definition used is the one of the name
 * imported, whatever was imported from the file before.
 */
#include <stddef.h>

#include "isolex.h"

static IxObject *which_a(IxContext *ctx, IxObject *self, IxObject *const *args, size_t n)
{
    return IxStr_FromCString(ctx, "multi_a");
}

static IxObject *which_b(IxContext *ctx, IxObject *self, IxObject *const *args, size_t n)
{
    return IxStr_FromCString(ctx, "multi_b");
}

static const IxMethodDef methods_a[] = {
    {"which", which_a, 0, 0, 0, "the name of this module"},
    IX_METHODS_END,
};
static const IxMethodDef methods_b[] = {
    {"which", which_b, 0, 0, 0, "the name of this module"},
    IX_METHODS_END,
};

static const IxModuleDef def_a = {IX_MODULEDEF_HEAD, .name = "multi_a", .methods = methods_a};
static const IxModuleDef def_b = {IX_MODULEDEF_HEAD, .name = "multi_b", .methods = methods_b};

IX_MODINIT(multi_a)
{
    return &def_a;
}

IX_MODINIT(multi_b)
{
    return &def_b;
}
