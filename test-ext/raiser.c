/*
 * raiser -- errors across the boundary (ABI.md 6).
 *
 * A module-defined exception type, built-in exceptions, and the two ways of breaking the
 * error protocol that the host must catch at the boundary (6.1):
 *
 *   raise_own(msg)      raises raiser.RaiserError: msg   (RaiserError's base is Exception)
 *   raise_value()       raises ValueError: bad value
 *   null_no_error()     returns NULL with no error set
 *                       -> SystemError: raiser.null_no_error() returned NULL without setting an error
 *   value_with_error()  sets ValueError: set but returned, returns None
 *                       -> SystemError: raiser.value_with_error() returned a result with an
 *                          error set, cause ValueError: set but returned
 *   error_type(name)    a new exception type named `name` (base Exception): names, reprs
 *                       and messages of any length must cross whole (host replies grow)
 *   raise_as(type, msg) raises type: msg
 */
#include <limits.h>
#include <stddef.h>

#include "isolex.h"

typedef struct {
    IxObject *RaiserError;
} raiser_state;

static IxObject *raiser_raise_own(IxContext *ctx, IxObject *module, IxObject *const *args,
                                  size_t nargs)
{
    raiser_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return NULL;
    size_t len;
    const char *msg = IxStr_AsUTF8(ctx, args[0], &len);
    if (msg == NULL)
        return NULL;
    return IxErr_Format(ctx, st->RaiserError, "%.*s", len > INT_MAX ? INT_MAX : (int)len, msg);
}

static IxObject *raiser_raise_value(IxContext *ctx, IxObject *module, IxObject *const *args,
                                    size_t nargs)
{
    IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "bad value");
    return NULL;
}

static IxObject *raiser_null_no_error(IxContext *ctx, IxObject *module, IxObject *const *args,
                                      size_t nargs)
{
    return NULL;  /* wrong on purpose: no error set */
}

static IxObject *raiser_value_with_error(IxContext *ctx, IxObject *module,
                                         IxObject *const *args, size_t nargs)
{
    IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "set but returned");
    return Ix_ReturnNone(ctx);  /* wrong on purpose: a result with an error set */
}

static IxObject *raiser_error_type(IxContext *ctx, IxObject *module, IxObject *const *args,
                                   size_t nargs)
{
    const char *name = IxStr_AsUTF8(ctx, args[0], NULL);
    if (name == NULL)
        return NULL;
    return IxErr_NewException(ctx, module, name, Ix_Builtin(ctx, IX_EXC_EXCEPTION));
}

static IxObject *raiser_raise_as(IxContext *ctx, IxObject *module, IxObject *const *args,
                                 size_t nargs)
{
    size_t len;
    const char *msg = IxStr_AsUTF8(ctx, args[1], &len);
    if (msg == NULL)
        return NULL;
    return IxErr_Format(ctx, args[0], "%.*s", len > INT_MAX ? INT_MAX : (int)len, msg);
}

static const IxMethodDef raiser_methods[] = {
    {"raise_own", raiser_raise_own, 1, 1, 0, "raise_own(msg): raise RaiserError(msg)"},
    {"raise_value", raiser_raise_value, 0, 0, 0, "raise_value(): raise ValueError"},
    {"null_no_error", raiser_null_no_error, 0, 0, 0, "return NULL without an error"},
    {"value_with_error", raiser_value_with_error, 0, 0, 0, "return None with an error set"},
    {"error_type", raiser_error_type, 1, 1, 0, "error_type(name): a new exception type"},
    {"raise_as", raiser_raise_as, 2, 2, 0, "raise_as(type, msg): raise type(msg)"},
    IX_METHODS_END
};

static int raiser_exec(IxContext *ctx, IxObject *module)
{
    raiser_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return -1;
    st->RaiserError = IxErr_NewException(ctx, module, "raiser.RaiserError",
                                         Ix_Builtin(ctx, IX_EXC_EXCEPTION));
    if (st->RaiserError == NULL)
        return -1;
    return IxModule_AddObject(ctx, module, "RaiserError", st->RaiserError);
}

static int raiser_traverse(IxContext *ctx, IxObject *module, IxVisitProc visit, void *arg)
{
    raiser_state *st = IxModule_GetState(ctx, module);
    if (st != NULL)
        IX_VISIT(st->RaiserError);
    return 0;
}

static int raiser_clear(IxContext *ctx, IxObject *module)
{
    raiser_state *st = IxModule_GetState(ctx, module);
    if (st != NULL)
        IX_CLEAR(ctx, st->RaiserError);
    return 0;
}

static void raiser_free(IxContext *ctx, IxObject *module)
{
    (void)raiser_clear(ctx, module);
}

static const IxModuleSlot raiser_slots[] = {
    {IX_MOD_EXEC, raiser_exec},
    IX_MOD_SLOTS_END
};

static const IxModuleDef raiser_def = {
    IX_MODULEDEF_HEAD,
    .name = "raiser",
    .doc = "Raises errors, correctly and not.",
    .state_size = sizeof(raiser_state),
    .methods = raiser_methods,
    .slots = raiser_slots,
    .traverse = raiser_traverse,
    .clear = raiser_clear,
    .free = raiser_free,
};

IX_MODINIT(raiser)
{
    return &raiser_def;
}
