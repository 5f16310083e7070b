/*
 * subclasses -- ABI 1.2's subclassing (ABI.md 5.5-5.8): a base heap type and a subtype in
 * one module, a subtype of Exception, methods that receive their defining class, and
 * IxType_GetModuleByDef from a subtype; sub_of breaks the base rules one call each.
 *
 *   Base(value=0)        IX_TPFLAGS_BASETYPE | HAVE_GC; member value, methods get(),
 *                        who() -> "Base", defining() -> the class that defines it (Base,
 *                        also called on a Sub), module() -> GetModuleByDef(type(self))
 *                        make(v) (class method) -> cls(v), a Sub when called on Sub;
 *                        doubled(v) (static method, self NULL) -> v * 2
 *   Sub(value=0)         Base's subtype with a field of its own (member `extra`, an
 *                        object); inherits tp_new; who() -> "Sub", twice() -> value * 2
 *   Error(message)       Exception's subtype (basic_size 0: Exception's layout);
 *                        describe() -> "Error says: MESSAGE"
 *   deallocs()           (base deallocs, sub deallocs) so far in this interpreter: each
 *                        level's dealloc runs once per instance, the host chains them
 *   sub_of(base, size)   IxType_FromSpecWithBase(module, {"subclasses.Made", size}, base)
 *   loose_base()         a BASETYPE type bound to no module (a base for sub_of)
 *   final_type()         the module's NoBase type, made without IX_TPFLAGS_BASETYPE
 *   by_def(type)         IxType_GetModuleByDef(type, this module's definition)
 *   fail(message)        raises Error(message)
 *   bad_kinds([1])       a type whose method is both IX_METH_CLASS and IX_METH_STATIC
 *                        (1: both IX_METH_METHOD and IX_METH_KEYWORDS)
 */
#include <stddef.h>

#include "isolex.h"

typedef struct State {
    int64_t base_deallocs, sub_deallocs;
    IxObject *no_base; /* NoBase, for final_type() */
} State;

typedef struct BaseObject {
    IxObject_HEAD
    IxObject *tag;   /* a str the base level owns */
    int64_t value;
} BaseObject;

typedef struct SubObject {
    BaseObject base;
    IxObject *extra; /* the subtype's own reference */
} SubObject;

static const IxModuleDef subclasses_def;

static State *state_of(IxContext *ctx, IxObject *self)
{
    IxObject *m = IxType_GetModuleByDef(ctx, Ix_Type(ctx, self), &subclasses_def);
    return m ? IxModule_GetState(ctx, m) : NULL;
}

/* ---------------------------------------------------------------- Base */

static IxObject *base_new(IxContext *ctx, IxObject *type, IxObject *const *args, size_t nargs)
{
    int64_t value = 0;
    if (nargs > 0 && (value = IxLong_AsInt64(ctx, args[0])) == -1 && IxErr_Occurred(ctx)) return NULL;
    BaseObject *self = (BaseObject *)IxType_GenericAlloc(ctx, type); /* Sub's size for a Sub */
    if (!self) return NULL;
    self->value = value;
    if (!(self->tag = IxStr_FromCString(ctx, "base"))) {
        Ix_Decref(ctx, &self->ob_base);
        return NULL;
    }
    return &self->ob_base;
}

/* Runs for Base and Sub instances alike, after Sub's own dealloc (ABI.md 5.6). */
static void base_dealloc(IxContext *ctx, IxObject *self)
{
    BaseObject *b = (BaseObject *)self;
    if (b->tag) IX_CLEAR(ctx, b->tag);
    State *st = state_of(ctx, self);
    if (st) st->base_deallocs++;
}

static int base_traverse(IxContext *ctx, IxObject *self, IxVisitProc visit, void *arg)
{
    IX_VISIT(((BaseObject *)self)->tag);
    return 0;
}

static int base_clear(IxContext *ctx, IxObject *self)
{
    BaseObject *b = (BaseObject *)self;
    if (b->tag) IX_CLEAR(ctx, b->tag);
    return 0;
}

static IxObject *base_get(IxContext *ctx, IxObject *self, IxObject *const *args, size_t nargs)
{
    return IxLong_FromInt64(ctx, ((BaseObject *)self)->value);
}

static IxObject *base_who(IxContext *ctx, IxObject *self, IxObject *const *args, size_t nargs)
{
    return IxStr_FromCString(ctx, "Base");
}

/* IX_METH_METHOD: defining_class is Base even when self is a Sub. */
static IxObject *base_defining(IxContext *ctx, IxObject *self, IxObject *defining_class,
                               IxObject *const *args, size_t nargs)
{
    if (!IxType_GetModuleState(ctx, defining_class)) return NULL;
    return Ix_NewRef(ctx, defining_class);
}

static IxObject *base_module(IxContext *ctx, IxObject *self, IxObject *const *args, size_t nargs)
{
    IxObject *m = IxType_GetModuleByDef(ctx, Ix_Type(ctx, self), &subclasses_def);
    return m ? Ix_NewRef(ctx, m) : NULL;
}

/* IX_METH_CLASS: self is the class it was called on, Base or Sub. */
static IxObject *base_make(IxContext *ctx, IxObject *cls, IxObject *const *args, size_t nargs)
{
    return Ix_Call(ctx, cls, args, nargs);
}

/* IX_METH_STATIC: no self at all. */
static IxObject *base_doubled(IxContext *ctx, IxObject *self, IxObject *const *args, size_t nargs)
{
    if (self) return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_SYSTEMERROR), "a static method got a self");
    int64_t v = IxLong_AsInt64(ctx, args[0]);
    return v == -1 && IxErr_Occurred(ctx) ? NULL : IxLong_FromInt64(ctx, v * 2);
}

static const IxMethodDef base_methods[] = {
    {"make", base_make, 1, 1, IX_METH_CLASS, "a new instance of the class it is called on"},
    {"doubled", base_doubled, 1, 1, IX_METH_STATIC, NULL},
    {"get", base_get, 0, 0, 0, "the value"},
    {"who", base_who, 0, 0, 0, "overridden by Sub"},
    {"defining", (IxCFunction)(void (*)(void))base_defining, 0, 0, IX_METH_METHOD,
     "the class that defines this method"},
    {"module", base_module, 0, 0, 0, "IxType_GetModuleByDef from the instance's type"},
    IX_METHODS_END,
};

static const IxMemberDef base_members[] = {
    {"value", IX_T_INT64, offsetof(BaseObject, value), 0, NULL},
    IX_MEMBERS_END,
};

static const IxTypeSlot base_slots[] = {
    {IX_tp_new, (void *)base_new},
    {IX_tp_dealloc, (void *)base_dealloc},
    {IX_tp_traverse, (void *)base_traverse},
    {IX_tp_clear, (void *)base_clear},
    {IX_tp_methods, (void *)base_methods},
    {IX_tp_members, (void *)base_members},
    IX_TYPE_SLOTS_END,
};

static const IxTypeSpec base_spec = {"subclasses.Base", sizeof(BaseObject),
                                     IX_TPFLAGS_BASETYPE | IX_TPFLAGS_HAVE_GC, base_slots};

/* ---------------------------------------------------------------- Sub */

/* Only what Sub's level owns: Base's dealloc runs after this one. */
static void sub_dealloc(IxContext *ctx, IxObject *self)
{
    SubObject *s = (SubObject *)self;
    if (s->extra) IX_CLEAR(ctx, s->extra);
    State *st = state_of(ctx, self);
    if (st) st->sub_deallocs++;
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

static IxObject *sub_who(IxContext *ctx, IxObject *self, IxObject *const *args, size_t nargs)
{
    return IxStr_FromCString(ctx, "Sub");
}

static IxObject *sub_twice(IxContext *ctx, IxObject *self, IxObject *const *args, size_t nargs)
{
    return IxLong_FromInt64(ctx, ((SubObject *)self)->base.value * 2);
}

static const IxMethodDef sub_methods[] = {
    {"who", sub_who, 0, 0, 0, "overrides Base.who"},
    {"twice", sub_twice, 0, 0, 0, "the base's value, doubled"},
    IX_METHODS_END,
};

static const IxMemberDef sub_members[] = {
    {"extra", IX_T_OBJECT, offsetof(SubObject, extra), 0, NULL},
    IX_MEMBERS_END,
};

static const IxTypeSlot sub_slots[] = {
    {IX_tp_dealloc, (void *)sub_dealloc},
    {IX_tp_traverse, (void *)sub_traverse},
    {IX_tp_clear, (void *)sub_clear},
    {IX_tp_methods, (void *)sub_methods},
    {IX_tp_members, (void *)sub_members},
    IX_TYPE_SLOTS_END,
};

static const IxTypeSpec sub_spec = {"subclasses.Sub", sizeof(SubObject), IX_TPFLAGS_HAVE_GC, sub_slots};

/* ---------------------------------------------------------------- Error(Exception) */

static IxObject *error_describe(IxContext *ctx, IxObject *self, IxObject *const *args, size_t nargs)
{
    IxObject *msg = IxException_GetMessage(ctx, self); /* borrowed */
    if (!msg) return NULL;
    return IxStr_FromFormat(ctx, "Error says: %s", IxStr_AsUTF8(ctx, msg, NULL));
}

static const IxMethodDef error_methods[] = {
    {"describe", error_describe, 0, 0, 0, NULL},
    IX_METHODS_END,
};

static const IxTypeSlot error_slots[] = {
    {IX_tp_methods, (void *)error_methods},
    IX_TYPE_SLOTS_END,
};

static const IxTypeSpec error_spec = {"subclasses.Error", 0, 0, error_slots};

static const IxTypeSpec no_base_spec = {"subclasses.NoBase", sizeof(IxObject), 0, NULL};

/* ---------------------------------------------------------------- module functions */

static IxObject *fn_deallocs(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    State *st = IxModule_GetState(ctx, module);
    IxObject *items[2] = {IxLong_FromInt64(ctx, st->base_deallocs), IxLong_FromInt64(ctx, st->sub_deallocs)};
    IxObject *r = items[0] && items[1] ? IxTuple_FromArray(ctx, items, 2) : NULL;
    for (int i = 0; i < 2; i++)
        if (items[i]) Ix_Decref(ctx, items[i]);
    return r;
}

static IxObject *fn_sub_of(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    int64_t size = IxLong_AsInt64(ctx, args[1]);
    if (size == -1 && IxErr_Occurred(ctx)) return NULL;
    IxTypeSpec spec = {"subclasses.Made", size, 0, NULL};
    return IxType_FromSpecWithBase(ctx, module, &spec, args[0]);
}

static const IxTypeSpec loose_spec = {"subclasses.Loose", sizeof(IxObject), IX_TPFLAGS_BASETYPE, NULL};

static IxObject *fn_loose_base(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    return IxType_FromSpec(ctx, NULL, &loose_spec);
}

static IxObject *fn_final_type(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    return Ix_NewRef(ctx, ((State *)IxModule_GetState(ctx, module))->no_base);
}

static IxObject *fn_by_def(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    IxObject *m = IxType_GetModuleByDef(ctx, args[0], &subclasses_def);
    return m ? Ix_NewRef(ctx, m) : NULL;
}

static IxObject *fn_fail(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    IxObject *error = Ix_GetAttr(ctx, module, "Error");
    IxObject *e = error ? Ix_Call(ctx, error, args, 1) : NULL;
    if (error) Ix_Decref(ctx, error);
    if (e) {
        IxErr_Raise(ctx, e);
        Ix_Decref(ctx, e);
    }
    return NULL;
}

/* bad_kinds(0): a method both IX_METH_CLASS and IX_METH_STATIC; bad_kinds(1): a
 * defining-class method that also asks for keywords (ABI.md 4.13). */
static const IxMethodDef both_kinds[2][2] = {
    {{"m", base_doubled, 0, 0, IX_METH_CLASS | IX_METH_STATIC, NULL}, IX_METHODS_END},
    {{"m", base_doubled, 0, 0, IX_METH_METHOD | IX_METH_KEYWORDS, NULL}, IX_METHODS_END},
};
static const IxTypeSlot both_kinds_slots[2][2] = {
    {{IX_tp_methods, (void *)both_kinds[0]}, IX_TYPE_SLOTS_END},
    {{IX_tp_methods, (void *)both_kinds[1]}, IX_TYPE_SLOTS_END},
};
static const IxTypeSpec both_kinds_spec[2] = {
    {"subclasses.BothKinds", sizeof(IxObject), 0, both_kinds_slots[0]},
    {"subclasses.BothKinds", sizeof(IxObject), 0, both_kinds_slots[1]},
};

static IxObject *fn_bad_kinds(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    int64_t which = nargs ? IxLong_AsInt64(ctx, args[0]) : 0;
    if (which == -1 && IxErr_Occurred(ctx))
        return NULL;
    return IxType_FromSpec(ctx, module, &both_kinds_spec[which == 1]);
}

static const IxMethodDef module_methods[] = {
    {"bad_kinds", fn_bad_kinds, 0, 1, 0, NULL},
    {"fail", fn_fail, 1, 1, 0, NULL},
    {"deallocs", fn_deallocs, 0, 0, 0, NULL},
    {"sub_of", fn_sub_of, 2, 2, 0, NULL},
    {"loose_base", fn_loose_base, 0, 0, 0, NULL},
    {"final_type", fn_final_type, 0, 0, 0, NULL},
    {"by_def", fn_by_def, 1, 1, 0, NULL},
    IX_METHODS_END,
};

/* Adds `type` (consumed) to the module; returns it borrowed, or NULL. */
static IxObject *add_type(IxContext *ctx, IxObject *module, IxObject *type)
{
    if (!type) return NULL;
    int rc = IxModule_AddType(ctx, module, type);
    Ix_Decref(ctx, type);
    return rc < 0 ? NULL : type;
}

static int subclasses_exec(IxContext *ctx, IxObject *module)
{
    State *st = IxModule_GetState(ctx, module);
    IxObject *base = add_type(ctx, module, IxType_FromSpec(ctx, module, &base_spec));
    if (!base || !add_type(ctx, module, IxType_FromSpecWithBase(ctx, module, &sub_spec, base))) return -1;
    IxObject *exc = Ix_Builtin(ctx, IX_EXC_EXCEPTION);
    if (!add_type(ctx, module, IxType_FromSpecWithBase(ctx, module, &error_spec, exc))) return -1;
    st->no_base = IxType_FromSpec(ctx, module, &no_base_spec);
    return st->no_base ? 0 : -1;
}

static int subclasses_traverse(IxContext *ctx, IxObject *module, IxVisitProc visit, void *arg)
{
    State *st = IxModule_GetState(ctx, module);
    IX_VISIT(st->no_base);
    return 0;
}

static int subclasses_clear(IxContext *ctx, IxObject *module)
{
    State *st = IxModule_GetState(ctx, module);
    if (st->no_base) IX_CLEAR(ctx, st->no_base);
    return 0;
}

static const IxModuleSlot subclasses_slots[] = {
    {IX_MOD_EXEC, (void *)subclasses_exec},
    {IX_MOD_MULTIPLE_INTERPRETERS, IX_MOD_MULTI_PER_INTERPRETER_LOCK},
    IX_MOD_SLOTS_END,
};

static const IxModuleDef subclasses_def = {
    IX_MODULEDEF_HEAD,
    .name = "subclasses",
    .doc = "Subclassing: a base and its subtype, an Exception subtype, defining-class methods.",
    .state_size = sizeof(State),
    .methods = module_methods,
    .slots = subclasses_slots,
    .traverse = subclasses_traverse,
    .clear = subclasses_clear,
};

IX_MODINIT(subclasses)
{
    return &subclasses_def;
}
