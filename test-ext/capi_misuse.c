/*
 * capi_misuse -- breaks each rule of IxImport_Import, capsules and exception chaining
 * (ABI.md 4.11, 4.12, 6.5-6.7), one function per rule; tests assert the exact messages.
 *
 *   import_name(name)          IxImport_Import(name): the module, or the ImportError a Java
 *                              import of `name` would raise
 *   pointer_named(name|None)   IxCapsule_GetPointer(capi_provider._C_API, name) -> True
 *   pointer_of(obj)            IxCapsule_GetPointer(obj, "capi_provider._C_API") -> True
 *   valid_named(name|None)     IxCapsule_IsValid(capi_provider._C_API, name) -> bool
 *   valid_of(obj)              IxCapsule_IsValid(obj, "capi_provider._C_API") -> bool
 *   anon_pointer(name|None)    GetPointer on a capsule made with a NULL name -> True
 *   null_capsule()             IxCapsule_New with a NULL pointer
 *   chained()                  ValueError("first") pending, then TypeError("second") set
 *   caused()                   RuntimeError("outer") with cause ValueError("root"), raised
 *   bad_cause(obj)             IxException_SetCause(exc, obj)
 *   context_of_caused()        GetCause/GetContext of caused()'s exception, as a tuple
 *   cause_cycle()              two exceptions, each the other's cause, dropped: the
 *                              collector frees them (close reports nothing) -> None
 */
#include <stddef.h>
#include <string.h>

#include "isolex.h"

#define CAPSULE_NAME "capi_provider._C_API"

/* A name argument: a str, or None for a NULL name. */
static int name_arg(IxContext *ctx, IxObject *arg, const char **out)
{
    if (Ix_IsNone(ctx, arg)) {
        *out = NULL;
        return 0;
    }
    *out = IxStr_AsUTF8(ctx, arg, NULL);
    return *out ? 0 : -1;
}

static IxObject *provider_capsule(IxContext *ctx)
{
    IxObject *m = IxImport_Import(ctx, "capi_provider");
    if (m == NULL)
        return NULL;
    IxObject *cap = Ix_GetAttr(ctx, m, "_C_API");
    Ix_Decref(ctx, m);
    return cap;
}

static IxObject *misuse_import_name(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    const char *name;
    if (name_arg(ctx, args[0], &name) < 0)
        return NULL;
    return IxImport_Import(ctx, name);
}

static IxObject *pointer_result(IxContext *ctx, void *p)
{
    return p ? IxBool_FromInt(ctx, 1) : NULL;
}

/* capi_provider's capsule, and the name argument (a str, or None for NULL). */
static IxObject *named_capsule(IxContext *ctx, IxObject *arg, const char **name)
{
    return name_arg(ctx, arg, name) < 0 ? NULL : provider_capsule(ctx);
}

static IxObject *misuse_pointer_named(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    const char *name;
    IxObject *cap = named_capsule(ctx, args[0], &name);
    void *p = cap ? IxCapsule_GetPointer(ctx, cap, name) : NULL;
    Ix_Decref(ctx, cap);
    return pointer_result(ctx, p);
}

static IxObject *misuse_pointer_of(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    return pointer_result(ctx, IxCapsule_GetPointer(ctx, args[0], CAPSULE_NAME));
}

static IxObject *misuse_valid_named(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    const char *name;
    IxObject *cap = named_capsule(ctx, args[0], &name);
    if (cap == NULL)
        return NULL;
    int ok = IxCapsule_IsValid(ctx, cap, name);
    Ix_Decref(ctx, cap);
    return IxBool_FromInt(ctx, ok);
}

static IxObject *misuse_valid_of(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    return IxBool_FromInt(ctx, IxCapsule_IsValid(ctx, args[0], CAPSULE_NAME));
}

static IxObject *misuse_anon_pointer(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    static const int target = 42; /* a pointer to constant data: nothing to destroy */
    const char *name;
    if (name_arg(ctx, args[0], &name) < 0)
        return NULL;
    IxObject *cap = IxCapsule_New(ctx, (void *)&target, NULL, NULL);
    if (cap == NULL)
        return NULL;
    void *p = IxCapsule_GetPointer(ctx, cap, name);
    Ix_Decref(ctx, cap);
    return pointer_result(ctx, p);
}

static IxObject *misuse_null_capsule(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    return IxCapsule_New(ctx, NULL, CAPSULE_NAME, NULL);
}

static IxObject *misuse_chained(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "first");
    return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_TYPEERROR), "second (while handling %s)", "first");
}

/* RuntimeError("outer") whose cause is ValueError("root"); a new reference. */
static IxObject *make_caused(IxContext *ctx)
{
    IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "root");
    IxObject *root = IxErr_Fetch(ctx);
    IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_RUNTIMEERROR), "outer");
    IxObject *outer = IxErr_Fetch(ctx);
    int rc = IxException_SetCause(ctx, outer, root);
    Ix_Decref(ctx, root);
    if (rc < 0) {
        Ix_Decref(ctx, outer);
        return NULL;
    }
    return outer;
}

static IxObject *misuse_caused(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    IxObject *outer = make_caused(ctx);
    if (outer == NULL)
        return NULL;
    IxErr_Raise(ctx, outer);
    Ix_Decref(ctx, outer);
    return NULL;
}

static IxObject *misuse_context_of_caused(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    IxObject *outer = make_caused(ctx);
    if (outer == NULL)
        return NULL;
    IxObject *cause = IxException_GetCause(ctx, outer);     /* borrowed */
    IxObject *context = IxException_GetContext(ctx, outer); /* borrowed, NULL: none was pending */
    IxObject *items[2] = {IxException_GetMessage(ctx, cause), context ? context : Ix_None(ctx)};
    IxObject *r = IxTuple_FromArray(ctx, items, 2);
    Ix_Decref(ctx, outer);
    return r;
}

static IxObject *misuse_bad_cause(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_RUNTIMEERROR), "outer");
    IxObject *outer = IxErr_Fetch(ctx);
    int rc = IxException_SetCause(ctx, outer, args[0]);
    Ix_Decref(ctx, outer);
    return rc < 0 ? NULL : Ix_ReturnNone(ctx);
}

static IxObject *misuse_cause_cycle(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    IxObject *a = make_caused(ctx);
    if (a == NULL)
        return NULL;
    int rc = IxException_SetCause(ctx, IxException_GetCause(ctx, a), a);
    Ix_Decref(ctx, a);
    return rc < 0 ? NULL : Ix_ReturnNone(ctx);
}

static const IxMethodDef misuse_methods[] = {
    {"import_name", misuse_import_name, 1, 1, 0, "import_name(name): IxImport_Import"},
    {"pointer_named", misuse_pointer_named, 1, 1, 0, "pointer_named(name|None)"},
    {"pointer_of", misuse_pointer_of, 1, 1, 0, "pointer_of(obj)"},
    {"valid_named", misuse_valid_named, 1, 1, 0, "valid_named(name|None)"},
    {"valid_of", misuse_valid_of, 1, 1, 0, "valid_of(obj)"},
    {"anon_pointer", misuse_anon_pointer, 1, 1, 0, "anon_pointer(name|None)"},
    {"null_capsule", misuse_null_capsule, 0, 0, 0, "null_capsule()"},
    {"chained", misuse_chained, 0, 0, 0, "chained()"},
    {"caused", misuse_caused, 0, 0, 0, "caused()"},
    {"context_of_caused", misuse_context_of_caused, 0, 0, 0, "context_of_caused()"},
    {"bad_cause", misuse_bad_cause, 1, 1, 0, "bad_cause(obj)"},
    {"cause_cycle", misuse_cause_cycle, 0, 0, 0, "cause_cycle()"},
    IX_METHODS_END
};

static const IxModuleSlot misuse_slots[] = {
    {IX_MOD_MULTIPLE_INTERPRETERS, IX_MOD_MULTI_PER_INTERPRETER_LOCK},
    IX_MOD_SLOTS_END
};

static const IxModuleDef misuse_def = {
    IX_MODULEDEF_HEAD,
    .name = "capi_misuse",
    .doc = "Breaks the rules of IxImport_Import, capsules and exception chaining.",
    .methods = misuse_methods,
    .slots = misuse_slots,
};

IX_MODINIT(capi_misuse)
{
    return &misuse_def;
}
