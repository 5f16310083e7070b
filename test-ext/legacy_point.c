/*
 * legacy_point -- a legacy single-phase module (ABI.md 7).
 *
 * Written the pre-PEP 489 way on purpose: IX_LEGACY_MODINIT builds the module itself with
 * IxModule_CreateLegacy, its types are static (IxStaticType storage in this library,
 * readied in place by IxType_ReadyStatic), and its data is a C global. That is why the
 * host lets it into one interpreter only; a second one gets (7.3)
 *   ImportError: module 'legacy_point' uses single-phase init and static types
 *   (legacy_point.Point, legacy_point.Line) and is loaded in interpreter 1; ...
 *
 *   Point(), Line()   instances with float members x, y / x1, y1, x2, y2 (all 0.0 at first)
 *   count()           -> how many times count() has been called, process-wide
 *
 * The same library also defines legacy_peek (through the symlink legacy_peek.so), a
 * multiphase module whose readied() tells whether the static storage holds a type (7.2).
 */
#include <stddef.h>
#include <stdint.h>

#include "isolex.h"

static int64_t calls;  /* the global state a single-phase module keeps */

/* ---------------------------------------------------------------- Point */

typedef struct {
    IxObject_HEAD
    double x, y;
} PointObject;

/* A zeroed instance; any arguments are refused. */
static IxObject *zeroed_new(IxContext *ctx, IxObject *type, IxObject *const *args,
                            size_t nargs)
{
    if (nargs != 0)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_TYPEERROR),
                            "%s() takes no arguments (%zu given)",
                            IxType_GetName(ctx, type), nargs);
    return IxType_GenericAlloc(ctx, type);
}

static const IxMemberDef Point_members[] = {
    {"x", IX_T_DOUBLE, offsetof(PointObject, x), 0, NULL},
    {"y", IX_T_DOUBLE, offsetof(PointObject, y), 0, NULL},
    IX_MEMBERS_END
};

static const IxTypeSlot Point_slots[] = {
    {IX_tp_new, zeroed_new},
    {IX_tp_members, (void *)Point_members},
    IX_TYPE_SLOTS_END
};

static const IxTypeSpec Point_spec = {
    .name = "legacy_point.Point",
    .basic_size = sizeof(PointObject),
    .flags = IX_TPFLAGS_DEFAULT,
    .slots = Point_slots,
};

static IxStaticType PointType = {&Point_spec};

/* ---------------------------------------------------------------- Line */

typedef struct {
    IxObject_HEAD
    double x1, y1, x2, y2;
} LineObject;

static const IxMemberDef Line_members[] = {
    {"x1", IX_T_DOUBLE, offsetof(LineObject, x1), 0, NULL},
    {"y1", IX_T_DOUBLE, offsetof(LineObject, y1), 0, NULL},
    {"x2", IX_T_DOUBLE, offsetof(LineObject, x2), 0, NULL},
    {"y2", IX_T_DOUBLE, offsetof(LineObject, y2), 0, NULL},
    IX_MEMBERS_END
};

static const IxTypeSlot Line_slots[] = {
    {IX_tp_new, zeroed_new},
    {IX_tp_members, (void *)Line_members},
    IX_TYPE_SLOTS_END
};

static const IxTypeSpec Line_spec = {
    .name = "legacy_point.Line",
    .basic_size = sizeof(LineObject),
    .flags = IX_TPFLAGS_DEFAULT,
    .slots = Line_slots,
};

static IxStaticType LineType = {&Line_spec};

/* ---------------------------------------------------------------- the module */

static IxObject *legacy_count(IxContext *ctx, IxObject *module, IxObject *const *args,
                              size_t nargs)
{
    return IxLong_FromInt64(ctx, ++calls);
}

static const IxMethodDef legacy_methods[] = {
    {"count", legacy_count, 0, 0, 0, "count() -> int: calls so far, process-wide"},
    IX_METHODS_END
};

static const IxModuleDef legacy_def = {
    IX_MODULEDEF_HEAD,
    .name = "legacy_point",
    .doc = "A legacy single-phase module with static types.",
    .methods = legacy_methods,
    /* no slots, no state: single-phase */
};

static int add_static_type(IxContext *ctx, IxObject *module, IxStaticType *st)
{
    if (IxType_ReadyStatic(ctx, st, module) < 0)
        return -1;
    return IxModule_AddType(ctx, module, st->type);
}

IX_LEGACY_MODINIT(legacy_point)
{
    IxObject *module = IxModule_CreateLegacy(ctx, &legacy_def);
    if (module == NULL)
        return NULL;
    if (add_static_type(ctx, module, &PointType) < 0
        || add_static_type(ctx, module, &LineType) < 0) {
        Ix_Decref(ctx, module);
        return NULL;
    }
    return module;
}

/* ---------------------------------------------------------------- legacy_peek (ABI.md 7.2) */

/* ABI 1.2, issue 11: a multiphase module in the same library (reached through the symlink
 * legacy_peek.so), which keeps the library mapped after the interpreter that imported
 * legacy_point closes, so a test can see what the static storage then holds. */
static IxObject *peek_readied(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    return IxBool_FromInt(ctx, PointType.type != NULL || LineType.type != NULL);
}

static const IxMethodDef peek_methods[] = {
    {"readied", peek_readied, 0, 0, 0, "readied() -> bool: does a static type of legacy_point hold a type"},
    IX_METHODS_END
};

static const IxModuleDef peek_def = {
    IX_MODULEDEF_HEAD,
    .name = "legacy_peek",
    .doc = "Looks at legacy_point's static storage.",
    .methods = peek_methods,
};

IX_MODINIT(legacy_peek)
{
    return &peek_def;
}
