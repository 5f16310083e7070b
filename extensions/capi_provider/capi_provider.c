/*
 * capi_provider -- a module that exports a C API to other modules through a capsule
 * (ABI.md 4.12); capi_user is its client. Together they are the example of one C module
 * calling another in the same interpreter, per interpreter.
 *
 * Exec allocates this interpreter's CapiProvider (IxMem_Malloc: counted, freed at close)
 * and publishes it as the capsule `capi_provider._C_API`; the module state keeps a strong
 * reference to the capsule, because anyone may delete or replace the attribute and the
 * module's own functions use the pointer too. The capsule's destructor frees the struct
 * when the last reference goes, which at the latest is when the interpreter closes (a
 * close that finds the struct still allocated reports it as leaked: that is the proof the
 * destructor ran, and the only one needed -- the module keeps no C global).
 *
 * Python view:
 *   capi_provider._C_API        the capsule (for C clients; see capi_provider.h)
 *   capi_provider.issued()      serials issued in this interpreter (by any client)
 */
#include <stddef.h>
#include <stdint.h>

#include "capi_provider.h"

typedef struct {
    IxObject *capsule;   /* strong: keeps `api` valid */
    CapiProvider *api;   /* this interpreter's, owned by the capsule */
} provider_state;

/* ---------------------------------------------------------------- the exported API */

static int64_t api_next_serial(IxContext *ctx, CapiProvider *api)
{
    (void)ctx;
    return ++api->issued;
}

static IxObject *api_stamp(IxContext *ctx, CapiProvider *api, const char *text)
{
    return IxStr_FromFormat(ctx, "%s#%lld", text, (long long)api_next_serial(ctx, api));
}

static const CapiProviderFunctions provider_functions = {
    .next_serial = api_next_serial,
    .stamp = api_stamp,
};

/* Runs once, when the capsule dies, with the interpreter lock held. */
static void api_destroy(IxContext *ctx, void *pointer)
{
    IxMem_Free(ctx, pointer);
}

/* ---------------------------------------------------------------- module functions */

static IxObject *provider_issued(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    provider_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return NULL;
    return IxLong_FromInt64(ctx, st->api->issued);
}

static const IxMethodDef provider_methods[] = {
    {"issued", provider_issued, 0, 0, 0, "issued() -> int: serials issued in this interpreter"},
    IX_METHODS_END
};

/* ---------------------------------------------------------------- module lifecycle */

static int provider_exec(IxContext *ctx, IxObject *module)
{
    provider_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return -1;
    CapiProvider *api = IxMem_Calloc(ctx, 1, sizeof *api);
    if (api == NULL)
        return -1;
    api->version = CAPI_PROVIDER_VERSION;
    api->fn = &provider_functions;
    /* From here the capsule owns `api`: its destructor frees it, also if exec fails. */
    st->capsule = IxCapsule_New(ctx, api, CAPI_PROVIDER_CAPSULE, api_destroy);
    if (st->capsule == NULL) {
        IxMem_Free(ctx, api);
        return -1;
    }
    st->api = api;
    return IxModule_AddObject(ctx, module, "_C_API", st->capsule);
}

static int provider_traverse(IxContext *ctx, IxObject *module, IxVisitProc visit, void *arg)
{
    provider_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return 0;
    IX_VISIT(st->capsule);
    return 0;
}

static int provider_clear(IxContext *ctx, IxObject *module)
{
    provider_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return 0;
    st->api = NULL; /* dies with the capsule */
    IX_CLEAR(ctx, st->capsule);
    return 0;
}

static void provider_free(IxContext *ctx, IxObject *module)
{
    (void)provider_clear(ctx, module);
}

static const IxModuleSlot provider_slots[] = {
    {IX_MOD_EXEC, provider_exec},
    {IX_MOD_MULTIPLE_INTERPRETERS, IX_MOD_MULTI_PER_INTERPRETER_LOCK},
    IX_MOD_SLOTS_END
};

static const IxModuleDef provider_def = {
    IX_MODULEDEF_HEAD,
    .name = "capi_provider",
    .doc = "Exports a per-interpreter C API through the capsule capi_provider._C_API.",
    .state_size = sizeof(provider_state),
    .methods = provider_methods,
    .slots = provider_slots,
    .traverse = provider_traverse,
    .clear = provider_clear,
    .free = provider_free,
};

IX_MODINIT(capi_provider)
{
    return &provider_def;
}
