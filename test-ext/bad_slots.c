/*
 * bad_slots -- what the host does with the results of create and exec slots (ABI.md 4.4,
 * 4.6).
 *
 * One source for the create/exec modules; CMake compiles it once per case with
 * -DCASE_<module> -DMODULE_NAME=<module>. Each case picks its create slot, exec slots and
 * state size from the functions below:
 *
 *   create_null_noerr       create returns NULL and sets no error
 *   create_value_with_err   create sets "ValueError: create failed on purpose" and returns
 *                           a module anyway
 *   create_nonmodule_state  create returns a dict, but state_size is 8
 *   create_nonmodule_exec   create returns a dict, but there is an exec slot
 *   create_nonmodule_ok     create returns the dict {"made_by": "create"}; no state, no exec:
 *                           the import succeeds and is that dict
 *   create_nonmodule_methods  create returns a dict, but the definition has methods
 *   create_nonmodule_type   create returns an instance of a heap type it makes from a spec
 *                           with no module (create_nonmodule_type.Thing: ping() -> "pong",
 *                           repr "<Thing>"); no state, no exec, no methods: the import
 *                           succeeds, and the type keeps the library loaded (ABI.md 5.2)
 *   exec_fail_noerr         exec slot 1 succeeds, exec slot 2 returns -1 with no error
 *   exec_ok_with_err        exec slot 1 sets "ValueError: exec failed on purpose", returns 0
 */
#include <stddef.h>

#include "isolex.h"

#ifndef MODULE_NAME
#error "compile with -DCASE_<name> -DMODULE_NAME=<name>"
#endif
#define STR_(x) #x
#define STR(x) STR_(x)
#define MODINIT(name) IX_MODINIT(name)

/* Every case compiles all the functions but uses only its own. */
#define CASE_FUNCTION __attribute__((unused)) static

#if defined(CASE_create_null_noerr)
#define CREATE create_null_noerr
#elif defined(CASE_create_value_with_err)
#define CREATE create_module_with_error
#elif defined(CASE_create_nonmodule_state)
#define CREATE create_dict
#define STATE_SIZE 8
#elif defined(CASE_create_nonmodule_exec)
#define CREATE create_dict
#define EXEC1 exec_ok
#elif defined(CASE_create_nonmodule_ok)
#define CREATE create_dict
#elif defined(CASE_create_nonmodule_methods)
#define CREATE create_dict
#define METHODS methods
#elif defined(CASE_create_nonmodule_type)
#define CREATE create_thing
#elif defined(CASE_exec_fail_noerr)
#define EXEC1 exec_ok
#define EXEC2 exec_fail_noerr
#elif defined(CASE_exec_ok_with_err)
#define EXEC1 exec_ok_with_err
#else
#error "unknown CASE_"
#endif

#ifndef STATE_SIZE
#define STATE_SIZE 0
#endif
#ifndef METHODS
#define METHODS NULL
#endif

/* ---------------------------------------------------------------- create slots */

CASE_FUNCTION IxObject *create_null_noerr(IxContext *ctx, IxObject *name, const IxModuleDef *def)
{
    return NULL;
}

/* A plain module object, as Python's types.ModuleType(name): the ABI has no IxModule_New,
 * so call the interpreter's module type. Then set an error and return the module anyway. */
CASE_FUNCTION IxObject *create_module_with_error(IxContext *ctx, IxObject *name,
                                                 const IxModuleDef *def)
{
    IxObject *module = Ix_Call(ctx, Ix_Builtin(ctx, IX_TYPE_MODULE), &name, 1);
    if (module == NULL)
        return NULL;
    IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "create failed on purpose");
    return module;
}

/* {"made_by": "create"} */
CASE_FUNCTION IxObject *create_dict(IxContext *ctx, IxObject *name, const IxModuleDef *def)
{
    IxObject *dict = IxDict_New(ctx);
    if (dict == NULL)
        return NULL;
    IxObject *key = IxStr_FromCString(ctx, "made_by");
    IxObject *value = key != NULL ? IxStr_FromCString(ctx, "create") : NULL;
    int rc = value != NULL ? IxDict_SetItem(ctx, dict, key, value) : -1;
    Ix_Decref(ctx, key);
    Ix_Decref(ctx, value);
    if (rc < 0) {
        Ix_Decref(ctx, dict);
        return NULL;
    }
    return dict;
}

/* An instance of a heap type bound to no module: only the library's code defines it. */
CASE_FUNCTION IxObject *thing_ping(IxContext *ctx, IxObject *self, IxObject *const *args, size_t n)
{
    return IxStr_FromCString(ctx, "pong");
}

CASE_FUNCTION IxObject *thing_repr(IxContext *ctx, IxObject *self)
{
    return IxStr_FromCString(ctx, "<Thing>");
}

static const IxMethodDef thing_methods[] = {
    {"ping", thing_ping, 0, 0, 0, NULL},
    IX_METHODS_END,
};
static const IxTypeSlot thing_slots[] = {
    {IX_tp_methods, (void *)thing_methods},
    {IX_tp_repr, (void *)thing_repr},
    IX_TYPE_SLOTS_END,
};
static const IxTypeSpec thing_spec = {STR(MODULE_NAME) ".Thing", sizeof(IxObject), 0, thing_slots};

CASE_FUNCTION IxObject *create_thing(IxContext *ctx, IxObject *name, const IxModuleDef *def)
{
    IxObject *type = IxType_FromSpec(ctx, NULL, &thing_spec);
    if (type == NULL)
        return NULL;
    IxObject *thing = IxType_GenericAlloc(ctx, type);
    Ix_Decref(ctx, type); /* the instance holds its own reference */
    return thing;
}

/* ---------------------------------------------------------------- module functions */

CASE_FUNCTION IxObject *ping(IxContext *ctx, IxObject *self, IxObject *const *args, size_t n)
{
    return IxStr_FromCString(ctx, "pong");
}

__attribute__((unused)) static const IxMethodDef methods[] = {
    {"ping", ping, 0, 0, 0, NULL},
    IX_METHODS_END,
};

/* ---------------------------------------------------------------- exec slots */

CASE_FUNCTION int exec_ok(IxContext *ctx, IxObject *module)
{
    return 0;
}

CASE_FUNCTION int exec_fail_noerr(IxContext *ctx, IxObject *module)
{
    return -1;
}

CASE_FUNCTION int exec_ok_with_err(IxContext *ctx, IxObject *module)
{
    IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "exec failed on purpose");
    return 0;
}

/* ---------------------------------------------------------------- the definition */

static const IxModuleSlot slots[] = {
#ifdef CREATE
    {IX_MOD_CREATE, (void *)CREATE},
#endif
#ifdef EXEC1
    {IX_MOD_EXEC, (void *)EXEC1},
#endif
#ifdef EXEC2
    {IX_MOD_EXEC, (void *)EXEC2},
#endif
    IX_MOD_SLOTS_END
};

static const IxModuleDef def = {
    IX_MODULEDEF_HEAD,
    .name = STR(MODULE_NAME),
    .doc = "exercises a create or exec slot result; see bad_slots.c",
    .state_size = STATE_SIZE,
    .methods = METHODS,
    .slots = slots,
};

MODINIT(MODULE_NAME)
{
    return &def;
}
