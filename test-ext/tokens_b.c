/*
 * tokens_b -- recognises tokens_a's instances by type token (ABI.md 5.53): the safe
 * downcast across modules. It imports tokens_a and reads the token from its capsule; it
 * never sees tokens_a's spec or its instance struct's declaration but for the field read.
 *
 *   find(obj[, which])   IxType_GetBaseByToken(type(obj), token): the type found, or None;
 *                        which "own" uses tokens_a's Own token instead of Thing's
 *   thing_v(obj)         obj's v when obj is a Thing (or a subtype), else TypeError
 *                        "expected a tokens_a.Thing, got TYPE"
 *   null_token(obj)      IxType_GetBaseByToken with token NULL (SystemError)
 *   not_a_type(obj)      IxType_GetBaseByToken with obj itself as the type (TypeError)
 *   no_result(obj)       the same as find, with result NULL: 1 or 0 as an int
 */
#include <string.h>

#include "isolex.h"

typedef struct ThingView {
    IxObject_HEAD
    int64_t v; /* tokens_a's layout; read only once the token vouched for it */
} ThingView;

static void *token_of(IxContext *ctx, const char *attr, const char *capsule_name)
{
    IxObject *a = IxImport_Import(ctx, "tokens_a");
    if (!a) return NULL;
    IxObject *cap = Ix_GetAttr(ctx, a, attr);
    Ix_Decref(ctx, a);
    if (!cap) return NULL;
    void *p = IxCapsule_GetPointer(ctx, cap, capsule_name);
    Ix_Decref(ctx, cap);
    return p;
}

static void *which_token(IxContext *ctx, IxObject *const *args, size_t nargs)
{
    if (nargs > 1) {
        const char *w = IxStr_AsUTF8(ctx, args[1], NULL);
        if (!w) return NULL;
        if (!strcmp(w, "own")) return token_of(ctx, "own_token", "tokens_a.own_token");
    }
    return token_of(ctx, "token", "tokens_a.token");
}

static IxObject *find(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    void *token = which_token(ctx, args, nargs);
    if (!token) return NULL;
    IxObject *found;
    int rc = IxType_GetBaseByToken(ctx, Ix_Type(ctx, args[0]), token, &found);
    if (rc < 0) return NULL;
    return rc ? found : Ix_ReturnNone(ctx);
}

static IxObject *thing_v(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    void *token = token_of(ctx, "token", "tokens_a.token");
    if (!token) return NULL;
    int rc = IxType_GetBaseByToken(ctx, Ix_Type(ctx, args[0]), token, NULL);
    if (rc < 0) return NULL;
    if (rc == 0)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_TYPEERROR), "expected a tokens_a.Thing, got %s",
                            IxType_GetName(ctx, Ix_Type(ctx, args[0])));
    return IxLong_FromInt64(ctx, ((ThingView *)args[0])->v);
}

static IxObject *null_token(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    IxObject *found = (IxObject *)1;
    if (IxType_GetBaseByToken(ctx, Ix_Type(ctx, args[0]), NULL, &found) != -1 || found) return Ix_ReturnNone(ctx);
    return NULL;
}

static IxObject *not_a_type(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    IxObject *found;
    if (IxType_GetBaseByToken(ctx, args[0], (void *)&find, &found) != -1 || found) return Ix_ReturnNone(ctx);
    return NULL;
}

static IxObject *no_result(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    void *token = token_of(ctx, "token", "tokens_a.token");
    if (!token) return NULL;
    int rc = IxType_GetBaseByToken(ctx, Ix_Type(ctx, args[0]), token, NULL);
    return rc < 0 ? NULL : IxLong_FromInt64(ctx, rc);
}

static const IxMethodDef tokens_b_methods[] = {
    {"find", find, 1, 2, 0, NULL},
    {"thing_v", thing_v, 1, 1, 0, NULL},
    {"null_token", null_token, 1, 1, 0, NULL},
    {"not_a_type", not_a_type, 1, 1, 0, NULL},
    {"no_result", no_result, 1, 1, 0, NULL},
    IX_METHODS_END,
};

static const IxModuleSlot tokens_b_slots[] = {
    {IX_MOD_MULTIPLE_INTERPRETERS, IX_MOD_MULTI_PER_INTERPRETER_LOCK},
    IX_MOD_SLOTS_END,
};

static const IxModuleDef tokens_b_def = {
    IX_MODULEDEF_HEAD,
    .name = "tokens_b",
    .doc = "finds tokens_a's types by token (ABI 1.2)",
    .methods = tokens_b_methods,
    .slots = tokens_b_slots,
};

IX_MODINIT(tokens_b) { return &tokens_b_def; }
