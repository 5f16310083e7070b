/*
 * audit_shared -- a multiphase module whose exec writes a plain C global, for ixaudit
 * (docs/audit.md): an import's write counts as a call's does, so the verdict is
 * IX_MOD_MULTI_SHARED_LOCK -- below the level it declares (no IX_MOD_MULTIPLE_INTERPRETERS
 * slot: the multiphase default, per-interpreter lock), which the audit says.
 *
 *   imports()   -> how many times the exec slot has run, process-wide
 */
#include <stdint.h>

#include "isolex.h"

static int64_t imports; /* written by every import: shared by every interpreter */

static int shared_exec(IxContext *ctx, IxObject *module)
{
    (void)ctx;
    (void)module;
    imports++;
    return 0;
}

static IxObject *shared_imports(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    return IxLong_FromInt64(ctx, imports);
}

static const IxMethodDef shared_methods[] = {
    {"imports", shared_imports, 0, 0, 0, "imports() -> how many times exec has run, process-wide"},
    IX_METHODS_END
};

static const IxModuleSlot shared_slots[] = {
    {IX_MOD_EXEC, shared_exec},
    IX_MOD_SLOTS_END
};

static const IxModuleDef shared_def = {
    IX_MODULEDEF_HEAD,
    .name = "audit_shared",
    .doc = "A multiphase module whose exec writes a C global.",
    .methods = shared_methods,
    .slots = shared_slots,
};

IX_MODINIT(audit_shared)
{
    return &shared_def;
}
