/*
 * capi_user -- the client of capi_provider's C API (ABI.md 4.11, 4.12).
 *
 * Exec imports capi_provider into the same interpreter with IxImport_Import, takes its
 * `_C_API` capsule and the pointer in it, and keeps both in the module state: the capsule
 * as a strong reference, because the pointer is valid only while one is held (the provider
 * module, or whoever, may drop theirs). Then its functions call the provider directly, in
 * C, with the provider's state of this interpreter.
 *
 * Python view:
 *   capi_user.next_serial()  -> int: the provider's next serial in this interpreter
 *   capi_user.stamp(text)    -> str "text#N"
 */
#include <stddef.h>

#include "../capi_provider/capi_provider.h"

typedef struct {
    IxObject *capsule;   /* strong: keeps `api` valid as long as this module lives */
    CapiProvider *api;
} user_state;

static IxObject *user_next_serial(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    user_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return NULL;
    return IxLong_FromInt64(ctx, st->api->fn->next_serial(ctx, st->api));
}

static IxObject *user_stamp(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    user_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return NULL;
    const char *text = IxStr_AsUTF8(ctx, args[0], NULL);
    if (text == NULL)
        return NULL;
    return st->api->fn->stamp(ctx, st->api, text);
}

static const IxMethodDef user_methods[] = {
    {"next_serial", user_next_serial, 0, 0, 0, "next_serial() -> int: the provider's next serial"},
    {"stamp", user_stamp, 1, 1, 0, "stamp(text) -> str: text#N with the provider's next serial"},
    IX_METHODS_END
};

static int user_exec(IxContext *ctx, IxObject *module)
{
    user_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return -1;
    IxObject *provider = IxImport_Import(ctx, "capi_provider");
    if (provider == NULL)
        return -1;
    st->capsule = Ix_GetAttr(ctx, provider, "_C_API");
    Ix_Decref(ctx, provider); /* the capsule is what must stay alive, not the module */
    if (st->capsule == NULL)
        return -1;
    st->api = IxCapsule_GetPointer(ctx, st->capsule, CAPI_PROVIDER_CAPSULE);
    if (st->api == NULL)
        return -1;
    if (st->api->version < CAPI_PROVIDER_VERSION) {
        IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_IMPORTERROR),
                     "capi_user needs capi_provider's C API version %d, found %d; update capi_provider",
                     CAPI_PROVIDER_VERSION, st->api->version);
        return -1;
    }
    return 0;
}

static int user_traverse(IxContext *ctx, IxObject *module, IxVisitProc visit, void *arg)
{
    user_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return 0;
    IX_VISIT(st->capsule);
    return 0;
}

static int user_clear(IxContext *ctx, IxObject *module)
{
    user_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return 0;
    st->api = NULL; /* not valid once the capsule reference is gone */
    IX_CLEAR(ctx, st->capsule);
    return 0;
}

static void user_free(IxContext *ctx, IxObject *module)
{
    (void)user_clear(ctx, module);
}

static const IxModuleSlot user_slots[] = {
    {IX_MOD_EXEC, user_exec},
    {IX_MOD_MULTIPLE_INTERPRETERS, IX_MOD_MULTI_PER_INTERPRETER_LOCK},
    IX_MOD_SLOTS_END
};

static const IxModuleDef user_def = {
    IX_MODULEDEF_HEAD,
    .name = "capi_user",
    .doc = "Calls capi_provider's C API, found through its capsule.",
    .state_size = sizeof(user_state),
    .methods = user_methods,
    .slots = user_slots,
    .traverse = user_traverse,
    .clear = user_clear,
    .free = user_free,
};

IX_MODINIT(capi_user)
{
    return &user_def;
}
