/*
 * strbase -- builtin types as bases (ABI.md 5.55): Str, a subtype of str made as CPython's
 * xxlimited makes its Str (basic_size 0, BASETYPE), its own subtype with a tp_init, and
 * base_of(name, size) breaking each rule.
 *
 *   Str(x="")          a str holding str(x); method nbytes() -> IxStr_AsUTF8's length
 *   SubStr(x="")       Str's subtype; tp_init counts (inits())
 *   probe(s)           what the API sees of s (of Str(s) for a plain str): (type name, IxStr_AsUTF8 text, Ix_Length,
 *                      hash(s) == hash(str(s)), s == str(s), {str(s): 1}[s], "b" in s,
 *                      the number of items iteration gives)
 *   base_of(name, size)  IxType_FromSpecWithBase(m, {"strbase.Made", size}, builtins[name])
 *                      for name in str, int, float, bytes, tuple, list, dict, Str
 *   bad_new()          a str subtype with its own tp_new
 *   managed(flags)     a str subtype whose spec has these flags (IX_TPFLAGS_MANAGED_DICT 4,
 *                      IX_TPFLAGS_MANAGED_WEAKREF 8): refused
 *   alloc()            IxType_GenericAlloc(Str)
 */
#include <string.h>

#include "isolex.h"

typedef struct State {
    int64_t inits;
    IxObject *str_type; /* Str, for base_of("Str") and alloc() */
} State;

static IxObject *nbytes(IxContext *ctx, IxObject *self, IxObject *const *args, size_t nargs)
{
    size_t n;
    return IxStr_AsUTF8(ctx, self, &n) ? IxLong_FromInt64(ctx, (int64_t)n) : NULL;
}

static const IxMethodDef str_methods[] = {{"nbytes", nbytes, 0, 0, 0, NULL}, IX_METHODS_END};

static const IxTypeSlot str_slots[] = {
    {IX_tp_doc, (void *)"a str subtype, as xxlimited.Str"},
    {IX_tp_methods, (void *)str_methods},
    IX_TYPE_SLOTS_END,
};
static const IxTypeSpec str_spec = {"strbase.Str", 0, IX_TPFLAGS_DEFAULT | IX_TPFLAGS_BASETYPE, str_slots};

static int substr_init(IxContext *ctx, IxObject *self, IxObject *const *args, size_t nargs, IxObject *kwnames)
{
    IxObject *m = IxType_GetModule(ctx, Ix_Type(ctx, self));
    if (!m) return -1;
    ((State *)IxModule_GetState(ctx, m))->inits++;
    return 0;
}

static const IxTypeSlot substr_slots[] = {{IX_tp_init, (void *)substr_init}, IX_TYPE_SLOTS_END};
static const IxTypeSpec substr_spec = {"strbase.SubStr", 0, 0, substr_slots};

static IxObject *inits(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    return IxLong_FromInt64(ctx, ((State *)IxModule_GetState(ctx, m))->inits);
}

/* Each step's value, or NULL with the error of the first that failed. */
static IxObject *probe(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    IxObject *items[8] = {NULL}, *plain = NULL, *d = NULL, *b = NULL, *it = NULL, *r = NULL;
    IxObject *str_type = ((State *)IxModule_GetState(ctx, m))->str_type;
    int mine = Ix_IsInstance(ctx, args[0], str_type);
    IxObject *s = mine ? Ix_NewRef(ctx, args[0]) : Ix_Call(ctx, str_type, args, 1); /* a plain str: Str(it) */
    if (!s) return NULL;
    size_t n;
    const char *text = IxStr_AsUTF8(ctx, s, &n);
    if (!text || !(plain = Ix_Str(ctx, s)) || !(d = IxDict_New(ctx)) || !(b = IxStr_FromCString(ctx, "b")))
        goto done;
    int64_t h1 = Ix_Hash(ctx, s), h2 = Ix_Hash(ctx, plain), len = Ix_Length(ctx, s);
    int eq = Ix_RichCompareBool(ctx, s, plain, IX_EQ), in = Ix_Contains(ctx, s, b);
    if (len < 0 || eq < 0 || in < 0 || IxErr_Occurred(ctx)) goto done;
    IxObject *one = IxLong_FromInt64(ctx, 1);
    if (!one || IxDict_SetItem(ctx, d, plain, one) < 0) {
        if (one) Ix_Decref(ctx, one);
        goto done;
    }
    Ix_Decref(ctx, one);
    IxObject *found = IxDict_GetItem(ctx, d, s); /* borrowed */
    if (!found && IxErr_Occurred(ctx)) goto done;
    if (!(it = Ix_GetIter(ctx, s))) goto done;
    int64_t count = 0;
    for (IxObject *x; (x = Ix_IterNext(ctx, it)); count++) Ix_Decref(ctx, x);
    if (IxErr_Occurred(ctx)) goto done;
    if (!(items[0] = IxStr_FromCString(ctx, IxType_GetName(ctx, Ix_Type(ctx, s)))) ||
        !(items[1] = IxStr_FromUTF8(ctx, text, n)) || !(items[2] = IxLong_FromInt64(ctx, len)) ||
        !(items[3] = IxBool_FromInt(ctx, h1 == h2)) || !(items[4] = IxBool_FromInt(ctx, eq)) ||
        !(items[5] = found ? Ix_NewRef(ctx, found) : Ix_ReturnNone(ctx)) || !(items[6] = IxBool_FromInt(ctx, in)) ||
        !(items[7] = IxLong_FromInt64(ctx, count)))
        goto done;
    r = IxTuple_FromArray(ctx, items, 8);
done:
    for (int i = 0; i < 8; i++)
        if (items[i]) Ix_Decref(ctx, items[i]);
    if (plain) Ix_Decref(ctx, plain);
    if (d) Ix_Decref(ctx, d);
    if (b) Ix_Decref(ctx, b);
    if (it) Ix_Decref(ctx, it);
    Ix_Decref(ctx, s);
    return r;
}

static IxObject *base_of(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    static const struct { const char *name; IxBuiltin id; } known[] = {
        {"str", IX_TYPE_STR}, {"int", IX_TYPE_INT}, {"float", IX_TYPE_FLOAT}, {"bytes", IX_TYPE_BYTES},
        {"tuple", IX_TYPE_TUPLE}, {"list", IX_TYPE_LIST}, {"dict", IX_TYPE_DICT},
    };
    const char *name = IxStr_AsUTF8(ctx, args[0], NULL);
    int64_t size = IxLong_AsInt64(ctx, args[1]);
    if (!name || (size == -1 && IxErr_Occurred(ctx))) return NULL;
    IxObject *base = ((State *)IxModule_GetState(ctx, m))->str_type;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(name, known[i].name)) base = Ix_Builtin(ctx, known[i].id);
    IxTypeSpec spec = {"strbase.Made", size, 0, substr_slots};
    return IxType_FromSpecWithBase(ctx, m, &spec, base);
}

static IxObject *my_new(IxContext *ctx, IxObject *type, IxObject *const *args, size_t nargs)
{
    return IxType_GenericAlloc(ctx, type);
}

static const IxTypeSlot bad_new_slots[] = {{IX_tp_new, (void *)my_new}, IX_TYPE_SLOTS_END};
static const IxTypeSpec bad_new_spec = {"strbase.BadNew", 0, 0, bad_new_slots};

static IxObject *bad_new(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    return IxType_FromSpecWithBase(ctx, m, &bad_new_spec, Ix_Builtin(ctx, IX_TYPE_STR));
}

/* The hidden words of 5.42-5.43 sit after basic_size, but a str's size is its value's. */
static IxObject *managed(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    int64_t flags = IxLong_AsInt64(ctx, args[0]);
    if (flags == -1 && IxErr_Occurred(ctx)) return NULL;
    IxTypeSpec spec = {"strbase.Managed", 0, (uint32_t)flags, substr_slots};
    return IxType_FromSpecWithBase(ctx, m, &spec, Ix_Builtin(ctx, IX_TYPE_STR));
}

static IxObject *alloc(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    return IxType_GenericAlloc(ctx, ((State *)IxModule_GetState(ctx, m))->str_type);
}

static const IxMethodDef strbase_methods[] = {
    {"inits", inits, 0, 0, 0, NULL},
    {"probe", probe, 1, 1, 0, NULL},
    {"base_of", base_of, 2, 2, 0, NULL},
    {"bad_new", bad_new, 0, 0, 0, NULL},
    {"managed", managed, 1, 1, 0, NULL},
    {"alloc", alloc, 0, 0, 0, NULL},
    IX_METHODS_END,
};

static int strbase_exec(IxContext *ctx, IxObject *m)
{
    State *st = IxModule_GetState(ctx, m);
    IxObject *str = IxType_FromSpecWithBase(ctx, m, &str_spec, Ix_Builtin(ctx, IX_TYPE_STR));
    if (!str) return -1;
    st->str_type = str; /* the state's reference */
    if (IxModule_AddType(ctx, m, str) < 0) return -1;
    IxObject *sub = IxType_FromSpecWithBase(ctx, m, &substr_spec, str);
    if (!sub) return -1;
    int rc = IxModule_AddType(ctx, m, sub);
    Ix_Decref(ctx, sub);
    return rc;
}

static int strbase_traverse(IxContext *ctx, IxObject *m, IxVisitProc visit, void *arg)
{
    IX_VISIT(((State *)IxModule_GetState(ctx, m))->str_type);
    return 0;
}

static int strbase_clear(IxContext *ctx, IxObject *m)
{
    State *st = IxModule_GetState(ctx, m);
    if (st->str_type) IX_CLEAR(ctx, st->str_type);
    return 0;
}

static const IxModuleSlot strbase_slots[] = {
    {IX_MOD_EXEC, (void *)strbase_exec},
    {IX_MOD_MULTIPLE_INTERPRETERS, IX_MOD_MULTI_PER_INTERPRETER_LOCK},
    IX_MOD_SLOTS_END,
};

static const IxModuleDef strbase_def = {
    IX_MODULEDEF_HEAD,
    .name = "strbase",
    .doc = "str as a base (ABI 1.2)",
    .state_size = sizeof(State),
    .methods = strbase_methods,
    .slots = strbase_slots,
    .traverse = strbase_traverse,
    .clear = strbase_clear,
};

IX_MODINIT(strbase) { return &strbase_def; }
