/*
 * xbase_b -- subclasses heap types of other modules (ABI.md 5.5.1): its exec imports
 * xbase_a and vector with IxImport_Import and makes
 *   Sub(held)      of xbase_a.Base (a base too), with a field of its own (`extra`, a reference: its own
 *                  traverse, clear and dealloc); new, call, repr and home are Base's
 *   VecSub(*xs)    of vector.Vector, basic_size 0 (Vector's struct is not public): it only
 *                  adds a method, tag() -> "VecSub"
 *   SubError       of xbase_a.Error (made by IxErr_NewException)
 *
 *   s.set_extra(o)   Sub's own field;  s.extra() -> it, or None
 *   shared_sub()   SharedSub, of xbase_shared.Base, basic_size 0: every hook is
 *                  xbase_shared's, so calling an instance takes xbase_shared's library
 *                  lock. Made on the first call, which imports xbase_shared after this
 *                  module (so close clears the base's module first) and leaves an instance
 *                  in xbase_shared's namespace (`kept`)
 *   entangle()     a Sub holding itself, kept in xbase_a's namespace (`kept`) and in this
 *                  module's, so interpreter close meets an instance of this module's type
 *                  held by the base's module, whichever module it clears first
 *   sub_of(base, size)  IxType_FromSpecWithBase("xbase_b.Made", size) for the base rules
 */
#include <stddef.h>

#include "isolex.h"

typedef struct BaseView { /* xbase_a.Base's instance struct, which a subtype starts with */
    IxObject_HEAD
    IxObject *held;
    char *block;
} BaseView;

typedef struct SubObject {
    BaseView base;
    IxObject *extra;
} SubObject;

static void sub_dealloc(IxContext *ctx, IxObject *self)
{
    SubObject *s = (SubObject *)self;
    if (s->extra) IX_CLEAR(ctx, s->extra); /* Base's level runs after, as xbase_a's code */
}

static int sub_traverse(IxContext *ctx, IxObject *self, IxVisitProc visit, void *arg)
{
    IX_VISIT(((SubObject *)self)->extra);
    return 0;
}

static int sub_clear(IxContext *ctx, IxObject *self)
{
    SubObject *s = (SubObject *)self;
    if (s->extra) IX_CLEAR(ctx, s->extra);
    return 0;
}

static IxObject *sub_set_extra(IxContext *ctx, IxObject *self, IxObject *const *args, size_t nargs)
{
    SubObject *s = (SubObject *)self;
    IxObject *old = s->extra;
    s->extra = Ix_NewRef(ctx, args[0]);
    if (old) Ix_Decref(ctx, old);
    return Ix_ReturnNone(ctx);
}

static IxObject *sub_extra(IxContext *ctx, IxObject *self, IxObject *const *args, size_t nargs)
{
    SubObject *s = (SubObject *)self;
    return s->extra ? Ix_NewRef(ctx, s->extra) : Ix_ReturnNone(ctx);
}

static const IxMethodDef sub_methods[] = {
    {"set_extra", sub_set_extra, 1, 1, 0, NULL},
    {"extra", sub_extra, 0, 0, 0, NULL},
    IX_METHODS_END,
};

static const IxTypeSlot sub_slots[] = {
    {IX_tp_dealloc, (void *)sub_dealloc},
    {IX_tp_traverse, (void *)sub_traverse},
    {IX_tp_clear, (void *)sub_clear},
    {IX_tp_methods, (void *)sub_methods},
    IX_TYPE_SLOTS_END,
};
static const IxTypeSpec sub_spec = {"xbase_b.Sub", sizeof(SubObject), IX_TPFLAGS_HAVE_GC | IX_TPFLAGS_BASETYPE,
                                    sub_slots};
static const IxTypeSpec shared_sub_spec = {"xbase_b.SharedSub", 0, 0, NULL};
static const IxTypeSpec sub_error_spec = {"xbase_b.SubError", 0, 0, NULL};

static IxObject *vec_tag(IxContext *ctx, IxObject *self, IxObject *const *args, size_t nargs)
{
    return IxStr_FromCString(ctx, "VecSub");
}

static const IxMethodDef vec_methods[] = {
    {"tag", vec_tag, 0, 0, 0, NULL},
    IX_METHODS_END,
};
static const IxTypeSlot vec_slots[] = {
    {IX_tp_methods, (void *)vec_methods},
    IX_TYPE_SLOTS_END,
};
static const IxTypeSpec vec_sub_spec = {"xbase_b.VecSub", 0, 0, vec_slots};

static IxObject *fn_sub_of(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    int64_t size = IxLong_AsInt64(ctx, args[1]);
    if (size == -1 && IxErr_Occurred(ctx)) return NULL;
    IxTypeSpec spec = {"xbase_b.Made", size, 0, NULL};
    return IxType_FromSpecWithBase(ctx, module, &spec, args[0]);
}

static IxObject *fn_entangle(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    IxObject *sub = Ix_GetAttr(ctx, module, "Sub");
    IxObject *s = sub ? Ix_Call(ctx, sub, NULL, 0) : NULL;
    IxObject *a = s ? IxImport_Import(ctx, "xbase_a") : NULL;
    int rc = a ? 0 : -1;
    if (a) {
        ((SubObject *)s)->extra = Ix_NewRef(ctx, s); /* a cycle through Sub's own field */
        rc = Ix_SetAttr(ctx, a, "kept", s) < 0 || Ix_SetAttr(ctx, module, "kept", s) < 0 ? -1 : 0;
    }
    if (a) Ix_Decref(ctx, a);
    if (s) Ix_Decref(ctx, s);
    if (sub) Ix_Decref(ctx, sub);
    return rc < 0 ? NULL : Ix_ReturnNone(ctx);
}

/* module.name = a subtype (spec) of `from`.`base`, imported by name. */
static int subclass(IxContext *ctx, IxObject *module, const char *from, const char *base, const IxTypeSpec *spec,
                    const char *name);

static IxObject *fn_shared_sub(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    IxObject *t = Ix_GetAttr(ctx, module, "SharedSub");
    if (t) return t;
    IxErr_Clear(ctx);
    if (subclass(ctx, module, "xbase_shared", "Base", &shared_sub_spec, "SharedSub") < 0) return NULL;
    t = Ix_GetAttr(ctx, module, "SharedSub");
    IxObject *s = t ? Ix_Call(ctx, t, NULL, 0) : NULL;
    IxObject *shared = s ? IxImport_Import(ctx, "xbase_shared") : NULL;
    int rc = shared ? Ix_SetAttr(ctx, shared, "kept", s) : -1;
    if (shared) Ix_Decref(ctx, shared);
    if (s) Ix_Decref(ctx, s);
    if (rc < 0 && t) IX_CLEAR(ctx, t);
    return t;
}

static const IxMethodDef module_methods[] = {
    {"shared_sub", fn_shared_sub, 0, 0, 0, NULL},
    {"sub_of", fn_sub_of, 2, 2, 0, NULL},
    {"entangle", fn_entangle, 0, 0, 0, NULL},
    IX_METHODS_END,
};

static int subclass(IxContext *ctx, IxObject *module, const char *from, const char *base, const IxTypeSpec *spec,
                    const char *name)
{
    IxObject *m = IxImport_Import(ctx, from);
    IxObject *b = m ? Ix_GetAttr(ctx, m, base) : NULL;
    IxObject *t = b ? IxType_FromSpecWithBase(ctx, module, spec, b) : NULL;
    int rc = t ? Ix_SetAttr(ctx, module, name, t) : -1;
    if (t) Ix_Decref(ctx, t);
    if (b) Ix_Decref(ctx, b);
    if (m) Ix_Decref(ctx, m);
    return rc;
}

static int xbase_b_exec(IxContext *ctx, IxObject *module)
{
    if (subclass(ctx, module, "xbase_a", "Base", &sub_spec, "Sub") < 0 ||
        subclass(ctx, module, "xbase_a", "Error", &sub_error_spec, "SubError") < 0)
        return -1;
    return subclass(ctx, module, "vector", "Vector", &vec_sub_spec, "VecSub");
}

static const IxModuleSlot xbase_b_slots[] = {
    {IX_MOD_EXEC, xbase_b_exec},
    IX_MOD_SLOTS_END
};

static const IxModuleDef xbase_b_def = {
    IX_MODULEDEF_HEAD,
    .name = "xbase_b",
    .doc = "subclasses heap types of other modules (ABI.md 5.5)",
    .methods = module_methods,
    .slots = xbase_b_slots,
};

IX_MODINIT(xbase_b)
{
    return &xbase_b_def;
}
