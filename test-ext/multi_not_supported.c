/*
 * multi_not_supported -- IX_MOD_MULTI_NOT_SUPPORTED (ABI.md 4.9).
 *
 * Declares that it can live in only one interpreter of the process at a time. The first
 * interpreter imports it normally; another gets
 *   ImportError: module 'multi_not_supported' does not support several interpreters and is
 *   already loaded in interpreter N
 *
 *   ping() -> "pong"
 */
#include <stddef.h>

#include "isolex.h"

static IxObject *mns_ping(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    return IxStr_FromCString(ctx, "pong");
}

static const IxMethodDef mns_methods[] = {
    {"ping", mns_ping, 0, 0, 0, "ping() -> 'pong'"},
    IX_METHODS_END
};

static const IxModuleSlot mns_slots[] = {
    {IX_MOD_MULTIPLE_INTERPRETERS, IX_MOD_MULTI_NOT_SUPPORTED},
    IX_MOD_SLOTS_END
};

static const IxModuleDef mns_def = {
    IX_MODULEDEF_HEAD,
    .name = "multi_not_supported",
    .doc = "Loads into one interpreter per process.",
    .methods = mns_methods,
    .slots = mns_slots,
};

IX_MODINIT(multi_not_supported)
{
    return &mns_def;
}
