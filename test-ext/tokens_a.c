/*
 * tokens_a -- a module whose types carry type tokens (ABI.md 5.53), and tokens_b's
 * counterpart: tokens_b recognises Thing's instances, and its subtype's, by the token this
 * module publishes, without knowing their layout's module.
 *
 *   Thing(v)        token IX_TP_USE_SPEC (the spec's address); BASETYPE; member v
 *   SubThing(v)     Thing's subtype without a token slot: inherits Thing's
 *   Own()           token: the address of a static of this module (not its spec)
 *   Plain()         no token
 *   token           a capsule "tokens_a.token" holding Thing's token (its spec's address)
 *   own_token       a capsule "tokens_a.own_token" holding Own's token
 */
#include <stddef.h>

#include "isolex.h"

typedef struct ThingObject {
    IxObject_HEAD
    int64_t v;
} ThingObject;

static const char own_token_storage = 0; /* an address this module owns */

static IxObject *thing_new(IxContext *ctx, IxObject *type, IxObject *const *args, size_t nargs)
{
    ThingObject *t = (ThingObject *)IxType_GenericAlloc(ctx, type);
    if (t && nargs > 0 && (t->v = IxLong_AsInt64(ctx, args[0])) == -1 && IxErr_Occurred(ctx)) {
        Ix_Decref(ctx, &t->ob_base);
        return NULL;
    }
    return t ? &t->ob_base : NULL;
}

static const IxMemberDef thing_members[] = {
    {"v", IX_T_INT64, offsetof(ThingObject, v), IX_READONLY, NULL},
    IX_MEMBERS_END,
};

static const IxTypeSlot thing_slots[] = {
    {IX_tp_new, (void *)thing_new},
    {IX_tp_members, (void *)thing_members},
    {IX_tp_token, IX_TP_USE_SPEC},
    IX_TYPE_SLOTS_END,
};
static const IxTypeSpec thing_spec = {"tokens_a.Thing", sizeof(ThingObject), IX_TPFLAGS_BASETYPE, thing_slots};

static const IxTypeSlot sub_slots[] = {IX_TYPE_SLOTS_END};
static const IxTypeSpec sub_spec = {"tokens_a.SubThing", 0, 0, sub_slots};

static const IxTypeSlot own_slots[] = {
    {IX_tp_new, (void *)thing_new},
    {IX_tp_token, (void *)&own_token_storage},
    IX_TYPE_SLOTS_END,
};
static const IxTypeSpec own_spec = {"tokens_a.Own", sizeof(ThingObject), 0, own_slots};

static const IxTypeSlot plain_slots[] = {{IX_tp_new, (void *)thing_new}, IX_TYPE_SLOTS_END};
static const IxTypeSpec plain_spec = {"tokens_a.Plain", sizeof(ThingObject), 0, plain_slots};

static int add_type(IxContext *ctx, IxObject *m, const IxTypeSpec *spec, IxObject *base, IxObject **out)
{
    IxObject *t = IxType_FromSpecWithBase(ctx, m, spec, base);
    if (!t) return -1;
    int rc = IxModule_AddType(ctx, m, t);
    if (out && rc == 0) *out = t;
    else Ix_Decref(ctx, t);
    return rc;
}

static int add_capsule(IxContext *ctx, IxObject *m, const char *attr, const char *name, const void *p)
{
    IxObject *cap = IxCapsule_New(ctx, (void *)p, name, NULL);
    if (!cap) return -1;
    int rc = IxModule_AddObject(ctx, m, attr, cap);
    Ix_Decref(ctx, cap);
    return rc;
}

static int tokens_a_exec(IxContext *ctx, IxObject *m)
{
    IxObject *thing = NULL;
    int rc = -1;
    if (add_type(ctx, m, &thing_spec, NULL, &thing) < 0 || add_type(ctx, m, &sub_spec, thing, NULL) < 0 ||
        add_type(ctx, m, &own_spec, NULL, NULL) < 0 || add_type(ctx, m, &plain_spec, NULL, NULL) < 0 ||
        add_capsule(ctx, m, "token", "tokens_a.token", &thing_spec) < 0 ||
        add_capsule(ctx, m, "own_token", "tokens_a.own_token", &own_token_storage) < 0)
        goto done;
    rc = 0;
done:
    if (thing) Ix_Decref(ctx, thing);
    return rc;
}

static const IxModuleSlot tokens_a_slots[] = {
    {IX_MOD_EXEC, (void *)tokens_a_exec},
    {IX_MOD_MULTIPLE_INTERPRETERS, IX_MOD_MULTI_PER_INTERPRETER_LOCK},
    IX_MOD_SLOTS_END,
};

static const IxModuleDef tokens_a_def = {
    IX_MODULEDEF_HEAD,
    .name = "tokens_a",
    .doc = "types with type tokens (ABI 1.2)",
    .slots = tokens_a_slots,
};

IX_MODINIT(tokens_a) { return &tokens_a_def; }
