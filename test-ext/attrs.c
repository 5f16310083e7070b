/*
 * attrs -- attributes, instance dicts, weak references and module constants of ABI 1.2
 * (ABI.md 3.40-3.43, 4.20, 5.40-5.43), kept and broken (test-ext/README.md lists every
 * expected error).
 *
 *   xo()            an Xo: CPython's xxlimited Xxo -- IX_tp_getattro/IX_tp_setattro over a
 *                   dict of its own, falling back to IxObject_GenericGetAttr (so its method
 *                   demo() is found); del of a missing name: AttributeError
 *   box()           a Box: IX_TPFLAGS_MANAGED_DICT | BASETYPE, member `size` (int64),
 *                   read-only getset `label`, method hello()
 *   sub_box()       a SubBox: a subtype of Box with a field of its own (member `extra`);
 *                   its spec asks for no dict, it inherits Box's
 *   weak(v)         a Weak: IX_TPFLAGS_MANAGED_WEAKREF only (member `v`)
 *   weak_box()      a WeakBox: both flags, no traverse of its own (the host's dict is all)
 *   plain()         a Plain: neither flag
 *   bad_get()       a BadGet: getattro returns NULL without an error for "noerr", a value
 *                   with an error set for "both", recurses through Ix_GetAttr for "recurse"
 *   bad_set()       a BadSet: setattro returns -1 without an error
 *   ref(o, cb=None) IxWeakref_New;  deref(r): IxWeakref_GetObject
 *   record(r)       a weakref callback: appends deref(r) to the log;  log(): the log
 *   raise_in_callback(r)  a callback that raises ValueError
 *   get_dict(o), dir(o), getattr(o, n), setattr(o, n, v), delattr(o, n): the C entries
 *   generic_get(o, n), generic_set(o, n, v): IxObject_GenericGetAttr/SetAttr with any n
 *   const_null_name(), const_null_value(), const_bad_utf8(): IxModule_Add*Constant misuse
 *   Module constants: ANSWER = 42, LOWEST = INT64_MIN, GREETING = "héllo"
 */
#include <stdint.h>
#include <string.h>

#include "isolex.h"

typedef struct {
    IxObject *XoType, *BoxType, *SubBoxType, *WeakType, *WeakBoxType, *PlainType, *BadGetType, *BadSetType;
    IxObject *log; /* list: what record() saw */
} AttrsState;

static AttrsState *state(IxContext *ctx, IxObject *module)
{
    return IxModule_GetState(ctx, module);
}

static IxObject *type_error(IxContext *ctx, const char *msg)
{
    IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_TYPEERROR), msg);
    return NULL;
}

/* ---------------------------------------------------------------- Xo (xxlimited's Xxo) */

typedef struct {
    IxObject_HEAD
    IxObject *x_attr; /* attributes set on it, or NULL */
} Xo;

static int xo_traverse(IxContext *ctx, IxObject *self, IxVisitProc visit, void *arg)
{
    IX_VISIT(((Xo *)self)->x_attr);
    return 0;
}

static int xo_clear(IxContext *ctx, IxObject *self)
{
    IX_CLEAR(ctx, ((Xo *)self)->x_attr);
    return 0;
}

static void xo_dealloc(IxContext *ctx, IxObject *self)
{
    xo_clear(ctx, self);
}

static IxObject *xo_getattro(IxContext *ctx, IxObject *self, IxObject *name)
{
    Xo *x = (Xo *)self;
    if (x->x_attr) {
        IxObject *v = IxDict_GetItem(ctx, x->x_attr, name);
        if (v) return Ix_NewRef(ctx, v);
        if (IxErr_Occurred(ctx)) return NULL;
    }
    return IxObject_GenericGetAttr(ctx, self, name);
}

static int xo_setattro(IxContext *ctx, IxObject *self, IxObject *name, IxObject *v)
{
    Xo *x = (Xo *)self;
    if (!x->x_attr && !(x->x_attr = IxDict_New(ctx))) return -1;
    if (v) return IxDict_SetItem(ctx, x->x_attr, name, v);
    int rc = IxDict_DelItem(ctx, x->x_attr, name);
    if (rc < 0 && IxErr_ExceptionMatches(ctx, Ix_Builtin(ctx, IX_EXC_KEYERROR))) {
        IxErr_Clear(ctx);
        IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_ATTRIBUTEERROR), "delete non-existing Xo attribute");
    }
    return rc;
}

static IxObject *xo_demo(IxContext *ctx, IxObject *self, IxObject *const *args, size_t nargs)
{
    return IxStr_FromCString(ctx, "demo of Xo");
}

static const IxMethodDef xo_methods[] = {
    {"demo", xo_demo, 0, 0, 0, NULL},
    IX_METHODS_END,
};

static const IxTypeSlot xo_slots[] = {
    {IX_tp_traverse, (void *)xo_traverse}, {IX_tp_clear, (void *)xo_clear},
    {IX_tp_dealloc, (void *)xo_dealloc},   {IX_tp_getattro, (void *)xo_getattro},
    {IX_tp_setattro, (void *)xo_setattro}, {IX_tp_methods, (void *)xo_methods},
    IX_TYPE_SLOTS_END,
};
static const IxTypeSpec xo_spec = {"attrs.Xo", sizeof(Xo), IX_TPFLAGS_HAVE_GC, xo_slots};

/* ---------------------------------------------------------------- Box, SubBox */

typedef struct {
    IxObject_HEAD
    int64_t size;
} Box;

typedef struct {
    Box base;
    int64_t extra;
} SubBox;

static IxObject *box_hello(IxContext *ctx, IxObject *self, IxObject *const *args, size_t nargs)
{
    return IxStr_FromCString(ctx, "hello from Box");
}

static IxObject *box_label(IxContext *ctx, IxObject *self, void *closure)
{
    return IxStr_FromCString(ctx, "box-label");
}

static const IxMethodDef box_methods[] = {
    {"hello", box_hello, 0, 0, 0, NULL},
    IX_METHODS_END,
};
static const IxMemberDef box_members[] = {
    {"size", IX_T_INT64, offsetof(Box, size), 0, NULL},
    IX_MEMBERS_END,
};
static const IxGetSetDef box_getset[] = {
    {"label", box_label, NULL, NULL, NULL},
    IX_GETSET_END,
};
static const IxTypeSlot box_slots[] = {
    {IX_tp_methods, (void *)box_methods},
    {IX_tp_members, (void *)box_members},
    {IX_tp_getset, (void *)box_getset},
    IX_TYPE_SLOTS_END,
};
static const IxTypeSpec box_spec = {"attrs.Box", sizeof(Box), IX_TPFLAGS_MANAGED_DICT | IX_TPFLAGS_BASETYPE,
                                    box_slots};

static const IxMemberDef sub_box_members[] = {
    {"extra", IX_T_INT64, offsetof(SubBox, extra), 0, NULL},
    IX_MEMBERS_END,
};
static const IxTypeSlot sub_box_slots[] = {
    {IX_tp_members, (void *)sub_box_members},
    IX_TYPE_SLOTS_END,
};
static const IxTypeSpec sub_box_spec = {"attrs.SubBox", sizeof(SubBox), 0, sub_box_slots};

/* ---------------------------------------------------------------- Weak, WeakBox, Plain */

typedef struct {
    IxObject_HEAD
    int64_t v;
} Weak;

static const IxMemberDef weak_members[] = {
    {"v", IX_T_INT64, offsetof(Weak, v), 0, NULL},
    IX_MEMBERS_END,
};
static const IxTypeSlot weak_slots[] = {
    {IX_tp_members, (void *)weak_members},
    IX_TYPE_SLOTS_END,
};
static const IxTypeSpec weak_spec = {"attrs.Weak", sizeof(Weak), IX_TPFLAGS_MANAGED_WEAKREF, weak_slots};
static const IxTypeSpec weak_box_spec = {"attrs.WeakBox", sizeof(Weak),
                                         IX_TPFLAGS_MANAGED_DICT | IX_TPFLAGS_MANAGED_WEAKREF, weak_slots};
static const IxTypeSpec plain_spec = {"attrs.Plain", sizeof(Weak), 0, weak_slots};

/* ---------------------------------------------------------------- BadGet, BadSet */

static IxObject *bad_getattro(IxContext *ctx, IxObject *self, IxObject *name)
{
    const char *n = IxStr_AsUTF8(ctx, name, NULL);
    if (!n) return NULL;
    if (!strcmp(n, "noerr")) return NULL; /* broken: no error set */
    if (!strcmp(n, "both")) {             /* broken: a result and an error */
        IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "both");
        return Ix_ReturnNone(ctx);
    }
    if (!strcmp(n, "recurse")) return Ix_GetAttr(ctx, self, "recurse"); /* without end */
    return IxObject_GenericGetAttr(ctx, self, name);
}

static int bad_setattro(IxContext *ctx, IxObject *self, IxObject *name, IxObject *v)
{
    return -1; /* broken: no error set */
}

static const IxTypeSlot bad_get_slots[] = {
    {IX_tp_getattro, (void *)bad_getattro},
    IX_TYPE_SLOTS_END,
};
static const IxTypeSpec bad_get_spec = {"attrs.BadGet", sizeof(IxObject), 0, bad_get_slots};
static const IxTypeSlot bad_set_slots[] = {
    {IX_tp_setattro, (void *)bad_setattro},
    IX_TYPE_SLOTS_END,
};
static const IxTypeSpec bad_set_spec = {"attrs.BadSet", sizeof(IxObject), 0, bad_set_slots};

/* ---------------------------------------------------------------- module functions */

static IxObject *make(IxContext *ctx, IxObject *type)
{
    return IxType_GenericAlloc(ctx, type);
}

#define MAKER(fname, field)                                                                  \
    static IxObject *fname(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs) \
    {                                                                                        \
        return make(ctx, state(ctx, m)->field);                                              \
    }
MAKER(xo_new, XoType)
MAKER(box_new, BoxType)
MAKER(sub_box_new, SubBoxType)
MAKER(weak_box_new, WeakBoxType)
MAKER(plain_new, PlainType)
MAKER(bad_get_new, BadGetType)
MAKER(bad_set_new, BadSetType)

static IxObject *weak_new(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    IxObject *o = make(ctx, state(ctx, m)->WeakType);
    if (o && nargs) {
        ((Weak *)o)->v = IxLong_AsInt64(ctx, args[0]);
        if (IxErr_Occurred(ctx)) IX_CLEAR(ctx, o);
    }
    return o;
}

static IxObject *ref(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    return IxWeakref_New(ctx, args[0], nargs > 1 ? args[1] : NULL);
}

static IxObject *deref(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    return IxWeakref_GetObject(ctx, args[0]);
}

static IxObject *record(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    AttrsState *st = state(ctx, m);
    if (!st->log) return Ix_ReturnNone(ctx); /* a referent outliving the module's clear (close) */
    IxObject *seen = IxWeakref_GetObject(ctx, args[0]);
    if (!seen) return NULL;
    int rc = IxList_Append(ctx, st->log, seen);
    Ix_Decref(ctx, seen);
    return rc < 0 ? NULL : Ix_ReturnNone(ctx);
}

static IxObject *log_of(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    return Ix_NewRef(ctx, state(ctx, m)->log);
}

static IxObject *raise_in_callback(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "raised in a weakref callback");
    return NULL;
}

static IxObject *get_dict(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    return IxObject_GetDict(ctx, args[0]);
}

static IxObject *dir_of(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    return Ix_Dir(ctx, args[0]);
}

static const char *name_arg(IxContext *ctx, IxObject *name)
{
    if (!Ix_IsInstance(ctx, name, Ix_Builtin(ctx, IX_TYPE_STR))) return type_error(ctx, "the name is a str"), NULL;
    return IxStr_AsUTF8(ctx, name, NULL);
}

static IxObject *c_getattr(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    const char *n = name_arg(ctx, args[1]);
    return n ? Ix_GetAttr(ctx, args[0], n) : NULL;
}

static IxObject *c_setattr(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    const char *n = name_arg(ctx, args[1]);
    return n && Ix_SetAttr(ctx, args[0], n, args[2]) == 0 ? Ix_ReturnNone(ctx) : NULL;
}

static IxObject *c_delattr(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    const char *n = name_arg(ctx, args[1]);
    return n && Ix_DelAttr(ctx, args[0], n) == 0 ? Ix_ReturnNone(ctx) : NULL;
}

static IxObject *generic_get(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    return IxObject_GenericGetAttr(ctx, args[0], args[1]);
}

static IxObject *generic_set(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    return IxObject_GenericSetAttr(ctx, args[0], args[1], nargs > 2 ? args[2] : NULL) == 0 ? Ix_ReturnNone(ctx)
                                                                                          : NULL;
}

static IxObject *const_null_name(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    return IxModule_AddIntConstant(ctx, m, NULL, 1) == 0 ? Ix_ReturnNone(ctx) : NULL;
}

static IxObject *const_null_value(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    return IxModule_AddStringConstant(ctx, m, "NOTHING", NULL) == 0 ? Ix_ReturnNone(ctx) : NULL;
}

static IxObject *const_bad_utf8(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    return IxModule_AddStringConstant(ctx, m, "BAD", "ok\xff") == 0 ? Ix_ReturnNone(ctx) : NULL;
}

static const IxMethodDef methods[] = {
    {"xo", xo_new, 0, 0, 0, NULL},
    {"box", box_new, 0, 0, 0, NULL},
    {"sub_box", sub_box_new, 0, 0, 0, NULL},
    {"weak", weak_new, 0, 1, 0, NULL},
    {"weak_box", weak_box_new, 0, 0, 0, NULL},
    {"plain", plain_new, 0, 0, 0, NULL},
    {"bad_get", bad_get_new, 0, 0, 0, NULL},
    {"bad_set", bad_set_new, 0, 0, 0, NULL},
    {"ref", ref, 1, 2, 0, NULL},
    {"deref", deref, 1, 1, 0, NULL},
    {"record", record, 1, 1, 0, NULL},
    {"log", log_of, 0, 0, 0, NULL},
    {"raise_in_callback", raise_in_callback, 1, 1, 0, NULL},
    {"get_dict", get_dict, 1, 1, 0, NULL},
    {"dir", dir_of, 1, 1, 0, NULL},
    {"getattr", c_getattr, 2, 2, 0, NULL},
    {"setattr", c_setattr, 3, 3, 0, NULL},
    {"delattr", c_delattr, 2, 2, 0, NULL},
    {"generic_get", generic_get, 2, 2, 0, NULL},
    {"generic_set", generic_set, 2, 3, 0, NULL},
    {"const_null_name", const_null_name, 0, 0, 0, NULL},
    {"const_null_value", const_null_value, 0, 0, 0, NULL},
    {"const_bad_utf8", const_bad_utf8, 0, 0, 0, NULL},
    IX_METHODS_END,
};

/* ---------------------------------------------------------------- the module */

static int add_type(IxContext *ctx, IxObject *m, IxObject **slot, const IxTypeSpec *spec, IxObject *base)
{
    *slot = IxType_FromSpecWithBase(ctx, m, spec, base);
    return *slot ? IxModule_AddType(ctx, m, *slot) : -1;
}

static int attrs_exec(IxContext *ctx, IxObject *m)
{
    AttrsState *st = state(ctx, m);
    if (add_type(ctx, m, &st->XoType, &xo_spec, NULL) < 0 || add_type(ctx, m, &st->BoxType, &box_spec, NULL) < 0 ||
        add_type(ctx, m, &st->SubBoxType, &sub_box_spec, st->BoxType) < 0 ||
        add_type(ctx, m, &st->WeakType, &weak_spec, NULL) < 0 ||
        add_type(ctx, m, &st->WeakBoxType, &weak_box_spec, NULL) < 0 ||
        add_type(ctx, m, &st->PlainType, &plain_spec, NULL) < 0 ||
        add_type(ctx, m, &st->BadGetType, &bad_get_spec, NULL) < 0 ||
        add_type(ctx, m, &st->BadSetType, &bad_set_spec, NULL) < 0)
        return -1;
    if (!(st->log = IxList_New(ctx))) return -1;
    if (IxModule_AddIntConstant(ctx, m, "ANSWER", 42) < 0 || IxModule_AddIntConstant(ctx, m, "LOWEST", INT64_MIN) < 0 ||
        IxModule_AddStringConstant(ctx, m, "GREETING", "h\xc3\xa9llo") < 0)
        return -1;
    return 0;
}

static int attrs_traverse(IxContext *ctx, IxObject *m, IxVisitProc visit, void *arg)
{
    AttrsState *st = state(ctx, m);
    IX_VISIT(st->XoType);
    IX_VISIT(st->BoxType);
    IX_VISIT(st->SubBoxType);
    IX_VISIT(st->WeakType);
    IX_VISIT(st->WeakBoxType);
    IX_VISIT(st->PlainType);
    IX_VISIT(st->BadGetType);
    IX_VISIT(st->BadSetType);
    IX_VISIT(st->log);
    return 0;
}

static int attrs_clear(IxContext *ctx, IxObject *m)
{
    AttrsState *st = state(ctx, m);
    IX_CLEAR(ctx, st->XoType);
    IX_CLEAR(ctx, st->BoxType);
    IX_CLEAR(ctx, st->SubBoxType);
    IX_CLEAR(ctx, st->WeakType);
    IX_CLEAR(ctx, st->WeakBoxType);
    IX_CLEAR(ctx, st->PlainType);
    IX_CLEAR(ctx, st->BadGetType);
    IX_CLEAR(ctx, st->BadSetType);
    IX_CLEAR(ctx, st->log);
    return 0;
}

static void attrs_free(IxContext *ctx, IxObject *m)
{
    attrs_clear(ctx, m);
}

static const IxModuleSlot slots[] = {
    {IX_MOD_EXEC, (void *)attrs_exec},
    {IX_MOD_MULTIPLE_INTERPRETERS, IX_MOD_MULTI_PER_INTERPRETER_LOCK},
    IX_MOD_SLOTS_END,
};

static const IxModuleDef def = {
    IX_MODULEDEF_HEAD,
    .name = "attrs",
    .doc = "attributes, instance dicts, weak references, module constants (ABI 1.2)",
    .state_size = sizeof(AttrsState),
    .methods = methods,
    .slots = slots,
    .traverse = attrs_traverse,
    .clear = attrs_clear,
    .free = attrs_free,
};

IX_MODINIT(attrs)
{
    return &def;
}
