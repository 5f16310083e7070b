/*
 * import_cycle -- two modules whose execs import each other with IxImport_Import: an
 * import cycle, refused with an exact ImportError (ABI.md 4.11). Built twice:
 * cycle_a imports cycle_b, cycle_b imports cycle_a.
 */
#include <stddef.h>

#include "isolex.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define MODINIT(name) IX_MODINIT(name) /* expands MODULE_NAME first */

#ifdef CASE_cycle_a
#define OTHER "cycle_b"
#else
#define OTHER "cycle_a"
#endif

static int cycle_exec(IxContext *ctx, IxObject *module)
{
    IxObject *other = IxImport_Import(ctx, OTHER);
    if (other == NULL)
        return -1;
    Ix_Decref(ctx, other);
    return 0;
}

static const IxModuleSlot cycle_slots[] = {
    {IX_MOD_EXEC, cycle_exec},
    {IX_MOD_MULTIPLE_INTERPRETERS, IX_MOD_MULTI_PER_INTERPRETER_LOCK},
    IX_MOD_SLOTS_END
};

static const IxModuleDef cycle_def = {
    IX_MODULEDEF_HEAD,
    .name = STR(MODULE_NAME),
    .doc = "Imports the other module of the cycle in its exec.",
    .slots = cycle_slots,
};

MODINIT(MODULE_NAME)
{
    return &cycle_def;
}
