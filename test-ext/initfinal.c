/*
 * initfinal -- ABI 1.2's construction and finalization slots (ABI.md 5.50-5.52): tp_init,
 * tp_new_kw, keywords to constructors, tp_finalize once per object (refcount and cycles),
 * resurrection, a subtype's finalizer; bad_type(k) breaks one rule per call.
 *
 *   Point(x, y=0)        tp_new (positional only, makes a zero point) + tp_init parsing
 *                        (x, y) with IxArg_Parse: Point(1, y=2); members x, y; BASETYPE
 *   SubPoint(x, y=0)     Point's subtype: inherits tp_new and tp_init
 *   KwNew(a, *, b=None)  tp_new_kw parsing (a, b) with b keyword-only; members a, b
 *   Plain(x=None)        tp_new only: refuses keywords ("initfinal.Plain() takes no ...")
 *   Other()              tp_new returns the int 5, not an instance: its tp_init must not run
 *   Fin()                HAVE_GC; member ref (object); tp_finalize counts, may resurrect
 *                        (stores self in the state), may raise (the error is dropped), and
 *                        records whether it found an error pending; tp_dealloc counts
 *   SubFin()             Fin's subtype with a finalizer of its own (both levels run)
 *   counts()             (inits, finalized, sub_finalized, deallocs, saw_pending)
 *   resurrect(flag)      Fin's finalizer stores self in the state (once per flag set)
 *   raise_in_finalize(flag)  Fin's finalizer leaves a ValueError
 *   kept()               how many objects the finalizer stored; release() drops them
 *   drop_with_error()    sets ValueError('kept'), drops a new Fin, returns NULL: the
 *                        caller sees 'kept' (the finalizer's state is set aside)
 *   BadInit()            tp_init returns -1 without an error
 *   InitErr()            tp_init sets ValueError('init failed quietly') and returns 0
 *   bad_type()           a spec with both tp_new and tp_new_kw
 */
#include <stddef.h>

#include "isolex.h"

typedef struct State {
    int64_t inits, finalized, sub_finalized, deallocs, saw_pending;
    int resurrect, raise;
    IxObject *kept; /* list of resurrected objects, or NULL */
} State;

static const IxModuleDef initfinal_def;

static State *state_of(IxContext *ctx, IxObject *self)
{
    IxObject *m = IxType_GetModuleByDef(ctx, Ix_Type(ctx, self), &initfinal_def);
    return m ? IxModule_GetState(ctx, m) : NULL;
}

/* ---------------------------------------------------------------- Point: new + init */

typedef struct PointObject {
    IxObject_HEAD
    int64_t x, y;
} PointObject;

/* Positional only: the keywords go to tp_init (ABI.md 5.51). */
static IxObject *point_new(IxContext *ctx, IxObject *type, IxObject *const *args, size_t nargs)
{
    return IxType_GenericAlloc(ctx, type);
}

static int point_init(IxContext *ctx, IxObject *self, IxObject *const *args, size_t nargs, IxObject *kwnames)
{
    static const char *const names[] = {"x", "y", NULL};
    static const IxArgSpec spec = {"Point", names, 1, 2};
    IxObject *out[2];
    if (IxArg_Parse(ctx, args, nargs, kwnames, &spec, out) < 0) return -1;
    PointObject *p = (PointObject *)self;
    if ((p->x = IxLong_AsInt64(ctx, out[0])) == -1 && IxErr_Occurred(ctx)) return -1;
    if (out[1] && (p->y = IxLong_AsInt64(ctx, out[1])) == -1 && IxErr_Occurred(ctx)) return -1;
    State *st = state_of(ctx, self);
    if (!st) return -1;
    st->inits++;
    return 0;
}

static const IxMemberDef point_members[] = {
    {"x", IX_T_INT64, offsetof(PointObject, x), IX_READONLY, NULL},
    {"y", IX_T_INT64, offsetof(PointObject, y), IX_READONLY, NULL},
    IX_MEMBERS_END,
};

static const IxTypeSlot point_slots[] = {
    {IX_tp_new, (void *)point_new},
    {IX_tp_init, (void *)point_init},
    {IX_tp_members, (void *)point_members},
    IX_TYPE_SLOTS_END,
};
static const IxTypeSpec point_spec = {"initfinal.Point", sizeof(PointObject), IX_TPFLAGS_BASETYPE, point_slots};

static const IxTypeSlot subpoint_slots[] = {IX_TYPE_SLOTS_END};
static const IxTypeSpec subpoint_spec = {"initfinal.SubPoint", 0, 0, subpoint_slots};

/* ---------------------------------------------------------------- KwNew: new with keywords */

typedef struct KwNewObject {
    IxObject_HEAD
    IxObject *a, *b;
} KwNewObject;

static IxObject *kwnew_new(IxContext *ctx, IxObject *type, IxObject *const *args, size_t nargs, IxObject *kwnames)
{
    static const char *const names[] = {"a", "b", NULL};
    static const IxArgSpec spec = {"KwNew", names, 1, 1};
    IxObject *out[2];
    if (IxArg_Parse(ctx, args, nargs, kwnames, &spec, out) < 0) return NULL;
    KwNewObject *o = (KwNewObject *)IxType_GenericAlloc(ctx, type);
    if (!o) return NULL;
    o->a = Ix_NewRef(ctx, out[0]);
    o->b = Ix_NewRef(ctx, out[1] ? out[1] : Ix_None(ctx));
    return &o->ob_base;
}

static void kwnew_dealloc(IxContext *ctx, IxObject *self)
{
    KwNewObject *o = (KwNewObject *)self;
    if (o->a) IX_CLEAR(ctx, o->a);
    if (o->b) IX_CLEAR(ctx, o->b);
}

static const IxMemberDef kwnew_members[] = {
    {"a", IX_T_OBJECT, offsetof(KwNewObject, a), IX_READONLY, NULL},
    {"b", IX_T_OBJECT, offsetof(KwNewObject, b), IX_READONLY, NULL},
    IX_MEMBERS_END,
};

static const IxTypeSlot kwnew_slots[] = {
    {IX_tp_new_kw, (void *)kwnew_new},
    {IX_tp_dealloc, (void *)kwnew_dealloc},
    {IX_tp_members, (void *)kwnew_members},
    IX_TYPE_SLOTS_END,
};
static const IxTypeSpec kwnew_spec = {"initfinal.KwNew", sizeof(KwNewObject), 0, kwnew_slots};

/* ---------------------------------------------------------------- Plain, Other, BadInit */

static const IxTypeSlot plain_slots[] = {{IX_tp_new, (void *)point_new}, IX_TYPE_SLOTS_END};
static const IxTypeSpec plain_spec = {"initfinal.Plain", sizeof(IxObject), 0, plain_slots};

static IxObject *other_new(IxContext *ctx, IxObject *type, IxObject *const *args, size_t nargs)
{
    return IxLong_FromInt64(ctx, 5);
}

static const IxTypeSlot other_slots[] = {
    {IX_tp_new, (void *)other_new},
    {IX_tp_init, (void *)point_init}, /* would count an init, and read past an int */
    IX_TYPE_SLOTS_END,
};
static const IxTypeSpec other_spec = {"initfinal.Other", sizeof(PointObject), 0, other_slots};

static int badinit_init(IxContext *ctx, IxObject *self, IxObject *const *args, size_t nargs, IxObject *kwnames)
{
    return -1;
}

/* Sets an error and claims success. */
static int initerr_init(IxContext *ctx, IxObject *self, IxObject *const *args, size_t nargs, IxObject *kwnames)
{
    IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "init failed quietly");
    return 0;
}

static const IxTypeSlot initerr_slots[] = {
    {IX_tp_new, (void *)point_new},
    {IX_tp_init, (void *)initerr_init},
    IX_TYPE_SLOTS_END,
};
static const IxTypeSpec initerr_spec = {"initfinal.InitErr", sizeof(IxObject), 0, initerr_slots};

static const IxTypeSlot badinit_slots[] = {
    {IX_tp_new, (void *)point_new},
    {IX_tp_init, (void *)badinit_init},
    IX_TYPE_SLOTS_END,
};
static const IxTypeSpec badinit_spec = {"initfinal.BadInit", sizeof(IxObject), 0, badinit_slots};

/* ---------------------------------------------------------------- Fin: finalization */

typedef struct FinObject {
    IxObject_HEAD
    IxObject *ref;
} FinObject;

static void fin_finalize(IxContext *ctx, IxObject *self)
{
    int pending = IxErr_Occurred(ctx) != NULL; /* the host sets the caller's error aside (5.52) */
    State *st = state_of(ctx, self);
    if (!st) return;
    st->saw_pending += pending;
    st->finalized++;
    if (st->resurrect) {
        st->resurrect = 0;
        if (!st->kept && !(st->kept = IxList_New(ctx))) return;
        IxList_Append(ctx, st->kept, self); /* self lives on */
    }
    if (st->raise) IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "from a finalizer");
}

static void fin_dealloc(IxContext *ctx, IxObject *self)
{
    FinObject *f = (FinObject *)self;
    if (f->ref) IX_CLEAR(ctx, f->ref);
    State *st = state_of(ctx, self);
    if (st) st->deallocs++;
}

static int fin_traverse(IxContext *ctx, IxObject *self, IxVisitProc visit, void *arg)
{
    IX_VISIT(((FinObject *)self)->ref);
    return 0;
}

static int fin_clear(IxContext *ctx, IxObject *self)
{
    FinObject *f = (FinObject *)self;
    if (f->ref) IX_CLEAR(ctx, f->ref);
    return 0;
}

static const IxMemberDef fin_members[] = {
    {"ref", IX_T_OBJECT, offsetof(FinObject, ref), 0, NULL},
    IX_MEMBERS_END,
};

static const IxTypeSlot fin_slots[] = {
    {IX_tp_new, (void *)point_new},
    {IX_tp_finalize, (void *)fin_finalize},
    {IX_tp_dealloc, (void *)fin_dealloc},
    {IX_tp_traverse, (void *)fin_traverse},
    {IX_tp_clear, (void *)fin_clear},
    {IX_tp_members, (void *)fin_members},
    IX_TYPE_SLOTS_END,
};
static const IxTypeSpec fin_spec = {"initfinal.Fin", sizeof(FinObject),
                                    IX_TPFLAGS_HAVE_GC | IX_TPFLAGS_BASETYPE, fin_slots};

/* Runs before Fin's own finalizer, like dealloc levels (ABI.md 5.6). */
static void subfin_finalize(IxContext *ctx, IxObject *self)
{
    State *st = state_of(ctx, self);
    if (st) st->sub_finalized++;
}

static const IxTypeSlot subfin_slots[] = {{IX_tp_finalize, (void *)subfin_finalize}, IX_TYPE_SLOTS_END};
static const IxTypeSpec subfin_spec = {"initfinal.SubFin", 0, IX_TPFLAGS_HAVE_GC, subfin_slots};

/* ---------------------------------------------------------------- module functions */

static State *mstate(IxContext *ctx, IxObject *m) { return IxModule_GetState(ctx, m); }

static IxObject *counts(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    State *st = mstate(ctx, m);
    int64_t v[] = {st->inits, st->finalized, st->sub_finalized, st->deallocs, st->saw_pending};
    IxObject *items[5] = {NULL};
    IxObject *r = NULL;
    for (int i = 0; i < 5; i++)
        if (!(items[i] = IxLong_FromInt64(ctx, v[i]))) goto done;
    r = IxTuple_FromArray(ctx, items, 5);
done:
    for (int i = 0; i < 5; i++)
        if (items[i]) Ix_Decref(ctx, items[i]);
    return r;
}

static IxObject *set_flag(IxContext *ctx, IxObject *arg, int *flag)
{
    int v = Ix_IsTrue(ctx, arg);
    if (v < 0) return NULL;
    *flag = v;
    return Ix_ReturnNone(ctx);
}

static IxObject *resurrect(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    return set_flag(ctx, args[0], &mstate(ctx, m)->resurrect);
}

static IxObject *raise_in_finalize(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    return set_flag(ctx, args[0], &mstate(ctx, m)->raise);
}

static IxObject *kept(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    State *st = mstate(ctx, m);
    return IxLong_FromInt64(ctx, st->kept ? (int64_t)IxList_Size(ctx, st->kept) : 0);
}

static IxObject *release(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    State *st = mstate(ctx, m);
    if (st->kept) IX_CLEAR(ctx, st->kept);
    return Ix_ReturnNone(ctx);
}

static IxObject *drop_with_error(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    IxObject *fin = Ix_GetAttr(ctx, m, "Fin");
    if (!fin) return NULL;
    IxObject *o = Ix_Call(ctx, fin, NULL, 0);
    Ix_Decref(ctx, fin);
    if (!o) return NULL;
    IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "kept");
    Ix_Decref(ctx, o); /* the finalizer runs here, the error set aside */
    return NULL;
}

static const IxTypeSlot both_slots[] = {
    {IX_tp_new, (void *)point_new},
    {IX_tp_new_kw, (void *)kwnew_new},
    IX_TYPE_SLOTS_END,
};
static const IxTypeSpec both_spec = {"initfinal.Both", sizeof(KwNewObject), 0, both_slots};

static IxObject *bad_type(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    return IxType_FromSpec(ctx, m, &both_spec);
}

static const IxMethodDef initfinal_methods[] = {
    {"counts", counts, 0, 0, 0, NULL},
    {"resurrect", resurrect, 1, 1, 0, NULL},
    {"raise_in_finalize", raise_in_finalize, 1, 1, 0, NULL},
    {"kept", kept, 0, 0, 0, NULL},
    {"release", release, 0, 0, 0, NULL},
    {"drop_with_error", drop_with_error, 0, 0, 0, NULL},
    {"bad_type", bad_type, 0, 1, 0, NULL},
    IX_METHODS_END,
};

static int add_type(IxContext *ctx, IxObject *m, const IxTypeSpec *spec, IxObject *base, IxObject **out)
{
    IxObject *t = IxType_FromSpecWithBase(ctx, m, spec, base);
    if (!t) return -1;
    int rc = IxModule_AddType(ctx, m, t);
    if (out && rc == 0) *out = t;
    else Ix_Decref(ctx, t);
    return rc;
}

static int initfinal_exec(IxContext *ctx, IxObject *m)
{
    IxObject *point = NULL, *fin = NULL;
    int rc = -1;
    if (add_type(ctx, m, &point_spec, NULL, &point) < 0 || add_type(ctx, m, &subpoint_spec, point, NULL) < 0 ||
        add_type(ctx, m, &kwnew_spec, NULL, NULL) < 0 || add_type(ctx, m, &plain_spec, NULL, NULL) < 0 ||
        add_type(ctx, m, &other_spec, NULL, NULL) < 0 || add_type(ctx, m, &badinit_spec, NULL, NULL) < 0 ||
        add_type(ctx, m, &initerr_spec, NULL, NULL) < 0 ||
        add_type(ctx, m, &fin_spec, NULL, &fin) < 0 || add_type(ctx, m, &subfin_spec, fin, NULL) < 0)
        goto done;
    rc = 0;
done:
    if (point) Ix_Decref(ctx, point);
    if (fin) Ix_Decref(ctx, fin);
    return rc;
}

static int initfinal_traverse(IxContext *ctx, IxObject *m, IxVisitProc visit, void *arg)
{
    IX_VISIT(mstate(ctx, m)->kept);
    return 0;
}

static int initfinal_clear(IxContext *ctx, IxObject *m)
{
    State *st = mstate(ctx, m);
    if (st->kept) IX_CLEAR(ctx, st->kept);
    return 0;
}

static const IxModuleSlot initfinal_slots[] = {
    {IX_MOD_EXEC, (void *)initfinal_exec},
    {IX_MOD_MULTIPLE_INTERPRETERS, IX_MOD_MULTI_PER_INTERPRETER_LOCK},
    IX_MOD_SLOTS_END,
};

static const IxModuleDef initfinal_def = {
    IX_MODULEDEF_HEAD,
    .name = "initfinal",
    .doc = "tp_init, tp_new_kw, tp_finalize (ABI 1.2)",
    .state_size = sizeof(State),
    .methods = initfinal_methods,
    .slots = initfinal_slots,
    .traverse = initfinal_traverse,
    .clear = initfinal_clear,
};

IX_MODINIT(initfinal) { return &initfinal_def; }
