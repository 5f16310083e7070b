/*
 * numeric -- the number slots of ABI 1.2 (ABI.md 5.30) on heap types, and the generic
 * IxNumber_* API (ABI.md 3.30-3.39) on any values, so a test can reach every builtin path.
 *
 *   num(v)             a Num holding the int64 v. Num + - * with a Num or an int on either
 *                      side (the slot sees which operand is self), NotImplemented for anything
 *                      else; n += x changes n in place (nb_inplace_add) and returns n itself;
 *                      -n; bool(n) is v != 0; index, int() give v; float() gives v as a float
 *   subnum(v)          a SubNum: a subtype of Num whose nb_add answers "SubNum.add(a, b)" (a
 *                      str of the operands' reprs), so the subtype-first rule shows
 *   broken()           a Broken: + returns NULL without an error, - always NotImplemented,
 *                      * recurses through IxNumber_Multiply (the host stops it), __index__
 *                      and __int__ return a str, __float__ returns an int, bool() returns -1
 *                      without an error
 *   binop(op, a, b)    IxNumber_<op>(a, b): op one of add sub mul truediv floordiv mod pow
 *                      and or xor lshift rshift, or the in-place forms iadd ... ipow, iand
 *                      ... irshift
 *   pow3(a, b, m)      IxNumber_Power(a, b, m)
 *   unop(op, a)        IxNumber_<op>(a): neg pos abs invert index int float
 *   truth(a)           Ix_IsTrue(a) as a bool
 */
#include <stdint.h>
#include <string.h>

#include "isolex.h"

typedef struct {
    IxObject *NumType, *SubNumType, *BrokenType;
} NumericState;

typedef struct {
    IxObject_HEAD
    int64_t v;
} Num;

static IxObject *exc(IxContext *ctx, IxBuiltin which)
{
    return Ix_Builtin(ctx, which);
}

static IxObject *not_implemented(IxContext *ctx)
{
    return Ix_NewRef(ctx, Ix_Builtin(ctx, IX_NOTIMPLEMENTED));
}

static IxObject *new_num(IxContext *ctx, IxObject *type, int64_t v)
{
    Num *n = (Num *)IxType_GenericAlloc(ctx, type);
    if (n) n->v = v;
    return (IxObject *)n;
}

/* The value of a Num (or a subtype's) or an int operand: 1, 0 for a foreign operand,
 * -1 with an error (an int beyond int64). */
static int operand(IxContext *ctx, IxObject *self_type, IxObject *o, int64_t *out)
{
    if (Ix_IsInstance(ctx, o, self_type)) {
        *out = ((Num *)o)->v;
        return 1;
    }
    if (!Ix_IsInstance(ctx, o, Ix_Builtin(ctx, IX_TYPE_INT))) return 0;
    *out = IxLong_AsInt64(ctx, o);
    return *out == -1 && IxErr_Occurred(ctx) ? -1 : 1;
}

static const IxModuleDef numeric_def;

/* The Num type of this interpreter, reached from whichever operand is self (a binary slot
 * gets self on either side): the first whose type comes from this module. */
static IxObject *num_type(IxContext *ctx, IxObject *a, IxObject *b)
{
    IxObject *m = IxType_GetModuleByDef(ctx, Ix_Type(ctx, a), &numeric_def);
    if (!m) {
        IxErr_Clear(ctx); /* a is the other operand */
        m = IxType_GetModuleByDef(ctx, Ix_Type(ctx, b), &numeric_def);
    }
    return m ? ((NumericState *)IxModule_GetState(ctx, m))->NumType : NULL;
}

/* Both operands as int64: 1, 0 for NotImplemented, -1 for an error. */
static int operands(IxContext *ctx, IxObject *a, IxObject *b, int64_t *x, int64_t *y)
{
    IxObject *numtype = num_type(ctx, a, b);
    if (!numtype) return -1;
    int ra = operand(ctx, numtype, a, x);
    if (ra <= 0) return ra;
    return operand(ctx, numtype, b, y);
}

static IxObject *num_result(IxContext *ctx, IxObject *a, IxObject *b, int64_t v)
{
    IxObject *numtype = num_type(ctx, a, b);
    return numtype ? new_num(ctx, numtype, v) : NULL;
}

#define NUM_BINARY(name, expr)                                                  \
    static IxObject *num_##name(IxContext *ctx, IxObject *a, IxObject *b)       \
    {                                                                           \
        int64_t x, y;                                                           \
        int rc = operands(ctx, a, b, &x, &y);                                   \
        if (rc <= 0) return rc ? NULL : not_implemented(ctx);                   \
        return num_result(ctx, a, b, (expr));                                   \
    }
NUM_BINARY(add, x + y)
NUM_BINARY(sub, x - y)
NUM_BINARY(mul, x * y)
#undef NUM_BINARY

/* n += x: n changes, and is the result. */
static IxObject *num_iadd(IxContext *ctx, IxObject *a, IxObject *b)
{
    int64_t x, y;
    int rc = operands(ctx, a, b, &x, &y);
    if (rc <= 0) return rc ? NULL : not_implemented(ctx);
    ((Num *)a)->v = x + y;
    return Ix_NewRef(ctx, a);
}

static IxObject *num_neg(IxContext *ctx, IxObject *self)
{
    return new_num(ctx, Ix_Type(ctx, self), -((Num *)self)->v);
}

static int num_bool(IxContext *ctx, IxObject *self)
{
    return ((Num *)self)->v != 0;
}

static IxObject *num_index(IxContext *ctx, IxObject *self)
{
    return IxLong_FromInt64(ctx, ((Num *)self)->v);
}

static IxObject *num_float(IxContext *ctx, IxObject *self)
{
    return IxFloat_FromDouble(ctx, (double)((Num *)self)->v);
}

static IxObject *num_repr(IxContext *ctx, IxObject *self)
{
    return IxStr_FromFormat(ctx, "%s(%lld)", IxType_GetName(ctx, Ix_Type(ctx, self)), (long long)((Num *)self)->v);
}

static const IxTypeSlot num_slots[] = {
    {IX_tp_repr, (void *)num_repr},
    {IX_nb_add, (void *)num_add},
    {IX_nb_subtract, (void *)num_sub},
    {IX_nb_multiply, (void *)num_mul},
    {IX_nb_inplace_add, (void *)num_iadd},
    {IX_nb_negative, (void *)num_neg},
    {IX_nb_bool, (void *)num_bool},
    {IX_nb_index, (void *)num_index},
    {IX_nb_int, (void *)num_index},
    {IX_nb_float, (void *)num_float},
    IX_TYPE_SLOTS_END
};
static const IxTypeSpec num_spec = {"numeric.Num", sizeof(Num), IX_TPFLAGS_BASETYPE, num_slots};

/* ---------------------------------------------------------------- SubNum */

static IxObject *subnum_add(IxContext *ctx, IxObject *a, IxObject *b)
{
    IxObject *ra = Ix_Repr(ctx, a), *rb = ra ? Ix_Repr(ctx, b) : NULL, *r = NULL;
    if (rb)
        r = IxStr_FromFormat(ctx, "SubNum.add(%s, %s)", IxStr_AsUTF8(ctx, ra, NULL), IxStr_AsUTF8(ctx, rb, NULL));
    if (ra) Ix_Decref(ctx, ra);
    if (rb) Ix_Decref(ctx, rb);
    return r;
}

static const IxTypeSlot subnum_slots[] = {
    {IX_nb_add, (void *)subnum_add},
    IX_TYPE_SLOTS_END
};
static const IxTypeSpec subnum_spec = {"numeric.SubNum", sizeof(Num), IX_TPFLAGS_DEFAULT, subnum_slots};

/* ---------------------------------------------------------------- Broken */

static IxObject *broken_add(IxContext *ctx, IxObject *a, IxObject *b)
{
    return NULL; /* ABI.md 6.1 broken: no error set */
}

static IxObject *broken_sub(IxContext *ctx, IxObject *a, IxObject *b)
{
    return not_implemented(ctx);
}

/* b * x is b * x: the slot calls back into the API until the host stops it. */
static IxObject *broken_mul(IxContext *ctx, IxObject *a, IxObject *b)
{
    return IxNumber_Multiply(ctx, a, b);
}

static IxObject *broken_index(IxContext *ctx, IxObject *self)
{
    return IxStr_FromCString(ctx, "seven");
}

static IxObject *broken_float(IxContext *ctx, IxObject *self)
{
    return IxLong_FromInt64(ctx, 7);
}

static int broken_bool(IxContext *ctx, IxObject *self)
{
    return -1; /* no error set */
}

static const IxTypeSlot broken_slots[] = {
    {IX_nb_add, (void *)broken_add},
    {IX_nb_subtract, (void *)broken_sub},
    {IX_nb_multiply, (void *)broken_mul},
    {IX_nb_index, (void *)broken_index},
    {IX_nb_int, (void *)broken_index},
    {IX_nb_float, (void *)broken_float},
    {IX_nb_bool, (void *)broken_bool},
    IX_TYPE_SLOTS_END
};
static const IxTypeSpec broken_spec = {"numeric.Broken", sizeof(Num), IX_TPFLAGS_DEFAULT, broken_slots};

/* ---------------------------------------------------------------- functions */

static NumericState *state(IxContext *ctx, IxObject *module)
{
    return IxModule_GetState(ctx, module);
}

static IxObject *numeric_num(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    int64_t v = IxLong_AsInt64(ctx, args[0]);
    if (v == -1 && IxErr_Occurred(ctx)) return NULL;
    return new_num(ctx, state(ctx, module)->NumType, v);
}

static IxObject *numeric_subnum(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    int64_t v = IxLong_AsInt64(ctx, args[0]);
    if (v == -1 && IxErr_Occurred(ctx)) return NULL;
    return new_num(ctx, state(ctx, module)->SubNumType, v);
}

static IxObject *numeric_broken(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    return IxType_GenericAlloc(ctx, state(ctx, module)->BrokenType);
}

typedef IxObject *(*BinaryFn)(IxContext *, IxObject *, IxObject *);
typedef IxObject *(*UnaryFn)(IxContext *, IxObject *);

static int name_is(IxContext *ctx, IxObject *name, const char *s)
{
    size_t n = 0;
    const char *t = IxStr_AsUTF8(ctx, name, &n);
    return t && n == strlen(s) && !memcmp(t, s, n);
}

static IxObject *numeric_binop(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    static const char *const names[] = {"add", "sub", "mul", "truediv", "floordiv", "mod",
                                        "and", "or", "xor", "lshift", "rshift",
                                        "iadd", "isub", "imul", "itruediv", "ifloordiv", "imod",
                                        "iand", "ior", "ixor", "ilshift", "irshift"};
    const IxFunctionTable *f = ctx->fn;
    const BinaryFn fns[] = {f->Number_Add, f->Number_Subtract, f->Number_Multiply, f->Number_TrueDivide,
                            f->Number_FloorDivide, f->Number_Remainder,
                            f->Number_And, f->Number_Or, f->Number_Xor, f->Number_Lshift, f->Number_Rshift,
                            f->Number_InPlaceAdd, f->Number_InPlaceSubtract, f->Number_InPlaceMultiply,
                            f->Number_InPlaceTrueDivide, f->Number_InPlaceFloorDivide, f->Number_InPlaceRemainder,
                            f->Number_InPlaceAnd, f->Number_InPlaceOr, f->Number_InPlaceXor,
                            f->Number_InPlaceLshift, f->Number_InPlaceRshift};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (name_is(ctx, args[0], names[i])) return fns[i](ctx, args[1], args[2]);
    if (name_is(ctx, args[0], "pow")) return IxNumber_Power(ctx, args[1], args[2], Ix_None(ctx));
    if (name_is(ctx, args[0], "ipow")) return IxNumber_InPlacePower(ctx, args[1], args[2], Ix_None(ctx));
    return IxErr_Format(ctx, exc(ctx, IX_EXC_VALUEERROR), "binop: unknown operation");
}

static IxObject *numeric_pow3(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    return IxNumber_Power(ctx, args[0], args[1], args[2]);
}

static IxObject *numeric_unop(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    static const char *const names[] = {"neg", "pos", "abs", "invert", "index", "int", "float"};
    const IxFunctionTable *f = ctx->fn;
    const UnaryFn fns[] = {f->Number_Negative, f->Number_Positive, f->Number_Absolute, f->Number_Invert,
                           f->Number_Index, f->Number_Long, f->Number_Float};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (name_is(ctx, args[0], names[i])) return fns[i](ctx, args[1]);
    return IxErr_Format(ctx, exc(ctx, IX_EXC_VALUEERROR), "unop: unknown operation");
}

static IxObject *numeric_truth(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    int t = Ix_IsTrue(ctx, args[0]);
    return t < 0 ? NULL : IxBool_FromInt(ctx, t);
}

static const IxMethodDef numeric_methods[] = {
    {"num", numeric_num, 1, 1, 0, "num(v) -> a Num"},
    {"subnum", numeric_subnum, 1, 1, 0, "subnum(v) -> a SubNum"},
    {"broken", numeric_broken, 0, 0, 0, "broken() -> a Broken, whose number slots break the rules"},
    {"binop", numeric_binop, 3, 3, 0, "binop(op, a, b) -> IxNumber_<op>(a, b)"},
    {"pow3", numeric_pow3, 3, 3, 0, "pow3(a, b, m) -> IxNumber_Power(a, b, m)"},
    {"unop", numeric_unop, 2, 2, 0, "unop(op, a) -> IxNumber_<op>(a)"},
    {"truth", numeric_truth, 1, 1, 0, "truth(a) -> Ix_IsTrue(a)"},
    IX_METHODS_END
};

/* ---------------------------------------------------------------- module */

static int numeric_exec(IxContext *ctx, IxObject *module)
{
    NumericState *st = state(ctx, module);
    return (st->NumType = IxType_FromSpec(ctx, module, &num_spec)) &&
                   (st->SubNumType = IxType_FromSpecWithBase(ctx, module, &subnum_spec, st->NumType)) &&
                   (st->BrokenType = IxType_FromSpec(ctx, module, &broken_spec)) &&
                   IxModule_AddType(ctx, module, st->NumType) == 0
               ? 0
               : -1;
}

static int numeric_traverse(IxContext *ctx, IxObject *module, IxVisitProc visit, void *arg)
{
    NumericState *st = state(ctx, module);
    IX_VISIT(st->NumType);
    IX_VISIT(st->SubNumType);
    IX_VISIT(st->BrokenType);
    return 0;
}

static int numeric_clear(IxContext *ctx, IxObject *module)
{
    NumericState *st = state(ctx, module);
    IX_CLEAR(ctx, st->NumType);
    IX_CLEAR(ctx, st->SubNumType);
    IX_CLEAR(ctx, st->BrokenType);
    return 0;
}

static void numeric_free(IxContext *ctx, IxObject *module)
{
    numeric_clear(ctx, module);
}

static const IxModuleSlot numeric_slots[] = {
    {IX_MOD_EXEC, (void *)numeric_exec},
    IX_MOD_SLOTS_END
};

static const IxModuleDef numeric_def = {
    IX_MODULEDEF_HEAD,
    .name = "numeric",
    .doc = "The number slots and the IxNumber_* API, kept and broken.",
    .state_size = sizeof(NumericState),
    .methods = numeric_methods,
    .slots = numeric_slots,
    .traverse = numeric_traverse,
    .clear = numeric_clear,
    .free = numeric_free,
};

IX_MODINIT(numeric)
{
    return &numeric_def;
}
