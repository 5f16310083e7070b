/*
 * legacy_sub -- a legacy module with a static subtype (ABI 1.3, ABI.md 7.10), and two
 * modules of the same library that break the rule's conditions.
 *
 *   legacy_sub          Shape (static, subclassable: .x, kind()), Circle (a static subtype
 *                       of Shape: .r), Final (static, not subclassable);
 *                       sub_of_final() -> readies a static subtype of Final: the error of 5.5
 *   legacy_sub_peer     (symlink legacy_sub_peer.so) a second legacy module whose init
 *                       readies a static subtype of legacy_sub's Shape: refused, as "not
 *                       readied" when legacy_sub is not imported in this interpreter, else as
 *                       "belongs to another module"
 *   legacy_sub_multi    (symlink legacy_sub_multi.so) a multiphase module; ready_sub() calls
 *                       IxType_ReadyStaticWithBase with itself: refused, it is not legacy
 *   legacy_sub_also     (symlink legacy_sub_also.so) a second legacy module that loads: Also
 *                       (static); the fence's message then lists both modules' static types
 *
 * The three share this library's static storage, which is what makes the peer's mistake
 * possible at all.
 */
#include <stddef.h>

#include "isolex.h"

/* ---------------------------------------------------------------- Shape, Circle, Final */

typedef struct {
    IxObject_HEAD
    double x;
} ShapeObject;

typedef struct {
    ShapeObject shape;
    double r;
} CircleObject;

static IxObject *zeroed_new(IxContext *ctx, IxObject *type, IxObject *const *args, size_t nargs)
{
    if (nargs != 0)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_TYPEERROR), "%s() takes no arguments (%zu given)",
                            IxType_GetName(ctx, type), nargs);
    return IxType_GenericAlloc(ctx, type);
}

/* kind() -> the name of the instance's type: a subtype inherits it from Shape. */
static IxObject *Shape_kind(IxContext *ctx, IxObject *self, IxObject *const *args, size_t nargs)
{
    IxObject *type = Ix_Type(ctx, self); /* borrowed */
    return IxStr_FromCString(ctx, IxType_GetName(ctx, type));
}

static const IxMethodDef Shape_methods[] = {
    {"kind", Shape_kind, 0, 0, 0, "kind() -> the name of this shape's type"},
    IX_METHODS_END
};

static const IxMemberDef Shape_members[] = {
    {"x", IX_T_DOUBLE, offsetof(ShapeObject, x), 0, NULL},
    IX_MEMBERS_END
};

static const IxTypeSlot Shape_slots[] = {
    {IX_tp_new, zeroed_new},
    {IX_tp_methods, (void *)Shape_methods},
    {IX_tp_members, (void *)Shape_members},
    IX_TYPE_SLOTS_END
};

static const IxTypeSpec Shape_spec = {
    .name = "legacy_sub.Shape",
    .basic_size = sizeof(ShapeObject),
    .flags = IX_TPFLAGS_DEFAULT | IX_TPFLAGS_BASETYPE,
    .slots = Shape_slots,
};

static const IxMemberDef Circle_members[] = {
    {"r", IX_T_DOUBLE, offsetof(CircleObject, r), 0, NULL},
    IX_MEMBERS_END
};

static const IxTypeSlot Circle_slots[] = {
    {IX_tp_members, (void *)Circle_members},
    IX_TYPE_SLOTS_END
};

static const IxTypeSpec Circle_spec = {
    .name = "legacy_sub.Circle",
    .basic_size = sizeof(CircleObject),
    .flags = IX_TPFLAGS_DEFAULT,
    .slots = Circle_slots,
};

static const IxTypeSlot Final_slots[] = {
    {IX_tp_new, zeroed_new},
    IX_TYPE_SLOTS_END
};

static const IxTypeSpec Final_spec = {
    .name = "legacy_sub.Final",
    .basic_size = sizeof(ShapeObject),
    .flags = IX_TPFLAGS_DEFAULT, /* no IX_TPFLAGS_BASETYPE */
    .slots = Final_slots,
};

static const IxTypeSpec FinalSub_spec = {
    .name = "legacy_sub.FinalSub",
    .basic_size = sizeof(ShapeObject),
    .flags = IX_TPFLAGS_DEFAULT,
    .slots = Final_slots,
};

static IxStaticType ShapeType = {&Shape_spec};
static IxStaticType CircleType = {&Circle_spec};
static IxStaticType FinalType = {&Final_spec};
static IxStaticType FinalSubType = {&FinalSub_spec};

/* ---------------------------------------------------------------- legacy_sub */

static IxObject *sub_of_final(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    if (IxType_ReadyStaticWithBase(ctx, &FinalSubType, module, &FinalType) < 0)
        return NULL;
    return Ix_NewRef(ctx, FinalSubType.type);
}

static const IxMethodDef sub_methods[] = {
    {"sub_of_final", sub_of_final, 0, 0, 0, "readies a static subtype of Final (not subclassable)"},
    IX_METHODS_END
};

static const IxModuleDef sub_def = {
    IX_MODULEDEF_HEAD,
    .name = "legacy_sub",
    .doc = "A legacy module with a static subtype (ABI 1.3).",
    .methods = sub_methods,
};

static int add_static_type(IxContext *ctx, IxObject *module, IxStaticType *st, IxStaticType *base)
{
    if (IxType_ReadyStaticWithBase(ctx, st, module, base) < 0)
        return -1;
    return IxModule_AddType(ctx, module, st->type);
}

IX_LEGACY_MODINIT(legacy_sub)
{
    IxObject *module = IxModule_CreateLegacy(ctx, &sub_def);
    if (module == NULL)
        return NULL;
    if (add_static_type(ctx, module, &ShapeType, NULL) < 0
        || add_static_type(ctx, module, &CircleType, &ShapeType) < 0
        || add_static_type(ctx, module, &FinalType, NULL) < 0) {
        Ix_Decref(ctx, module);
        return NULL;
    }
    return module;
}

/* ---------------------------------------------------------------- legacy_sub_peer */

static const IxTypeSpec PeerShape_spec = {
    .name = "legacy_sub_peer.PeerShape",
    .basic_size = sizeof(ShapeObject),
    .flags = IX_TPFLAGS_DEFAULT,
    .slots = Final_slots,
};

static IxStaticType PeerShapeType = {&PeerShape_spec};

static const IxModuleDef peer_def = {
    IX_MODULEDEF_HEAD,
    .name = "legacy_sub_peer",
    .doc = "Readies a static subtype of another module's static type: refused.",
};

IX_LEGACY_MODINIT(legacy_sub_peer)
{
    IxObject *module = IxModule_CreateLegacy(ctx, &peer_def);
    if (module == NULL)
        return NULL;
    if (add_static_type(ctx, module, &PeerShapeType, &ShapeType) < 0) {
        Ix_Decref(ctx, module);
        return NULL;
    }
    return module;
}

/* ---------------------------------------------------------------- legacy_sub_also */

static const IxTypeSpec Also_spec = {
    .name = "legacy_sub_also.Also",
    .basic_size = sizeof(ShapeObject),
    .flags = IX_TPFLAGS_DEFAULT,
    .slots = Final_slots,
};

static IxStaticType AlsoType = {&Also_spec};

static const IxModuleDef also_def = {
    IX_MODULEDEF_HEAD,
    .name = "legacy_sub_also",
    .doc = "A second legacy module of the library, which loads.",
};

IX_LEGACY_MODINIT(legacy_sub_also)
{
    IxObject *module = IxModule_CreateLegacy(ctx, &also_def);
    if (module == NULL)
        return NULL;
    if (add_static_type(ctx, module, &AlsoType, NULL) < 0) {
        Ix_Decref(ctx, module);
        return NULL;
    }
    return module;
}

/* ---------------------------------------------------------------- legacy_sub_multi */

static const IxTypeSpec MultiShape_spec = {
    .name = "legacy_sub_multi.MultiShape",
    .basic_size = sizeof(ShapeObject),
    .flags = IX_TPFLAGS_DEFAULT,
    .slots = Final_slots,
};

static IxStaticType MultiShapeType = {&MultiShape_spec};

static IxObject *multi_ready_sub(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    if (IxType_ReadyStaticWithBase(ctx, &MultiShapeType, module, &ShapeType) < 0)
        return NULL;
    return Ix_NewRef(ctx, MultiShapeType.type);
}

static const IxMethodDef multi_methods[] = {
    {"ready_sub", multi_ready_sub, 0, 0, 0, "readies a static type in a multiphase module: refused"},
    IX_METHODS_END
};

static const IxModuleDef multi_def = {
    IX_MODULEDEF_HEAD,
    .name = "legacy_sub_multi",
    .doc = "A multiphase module that tries to ready a static type.",
    .methods = multi_methods,
};

IX_MODINIT(legacy_sub_multi)
{
    return &multi_def;
}
