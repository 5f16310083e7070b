/*
 * xxlimited -- CPython's Modules/xxlimited.c, the limited-API model module, ported to
 * isolex feature for feature. Use it as a template like the original: rename 'Xxo' to your
 * object and 'xx' to your module. README.md beside this file maps every piece of the
 * original to its isolex equivalent.
 *
 * Roughly, in Python (the C type keeps the attributes set on an instance in a dict of its
 * own, x_attr, which its getattro and setattro slots read and write):
 *
 *     class Error(Exception):
 *         """Exception raised by the xxlimited module"""
 *
 *     class Xxo:
 *         """A class that explicitly stores attributes in an internal dict"""
 *         def demo(self, o, /):
 *             return o if isinstance(o, (str, Xxo)) else None
 *         x_exports = property(...)  # how many buffer views of its 10 bytes are alive
 *         # x.name looks in x_attr first; x.name = v / del x.name write x_attr
 *         # ("reserved" is refused); the 10-byte buffer is writable
 *
 *     class Str(str):                # a subtype of str adding nothing
 *         pass
 *
 *     class Null:                    # a bare base class whose == is identity
 *         pass
 *
 *     def foo(i, j, /): return i + j
 *     def new(): return Xxo()
 *     def roj(a, b): ...             # its argument spec is wrong on purpose: SystemError
 *
 * Everything per interpreter: the types and the exception live in module state, made in
 * the exec slot, so the module loads into any number of interpreters running in parallel.
 * Concurrency: an instance's x_attr and x_exports are guarded by its interpreter's lock,
 * held whenever a slot runs (ABI.md 9), where CPython needs a critical section.
 */
#include <stdint.h>
#include <string.h>

#include "isolex.h"

/* ---------------------------------------------------------------- module state */

typedef struct {
    IxObject *Xxo_Type;    /* xxlimited.Xxo, strong reference */
    IxObject *Error_Type;  /* xxlimited.Error, strong reference */
} xx_state;

/* ---------------------------------------------------------------- the Xxo type */

#define BUFSIZE 10

typedef struct {
    IxObject_HEAD
    IxObject *x_attr;        /* attributes dictionary; NULL acts as an empty dict */
    int64_t x_exports;       /* how many buffer views are alive */
    char x_buffer[BUFSIZE];  /* the memory the buffer protocol lends out */
} XxoObject;

static const IxTypeSpec Xxo_Type_spec;

/* The module state from type, Xxo or any subclass of it -- one made by another module too
 * (CPython's Xxo_state_from_type): the base chain is searched for the type made from
 * Xxo_Type_spec, whose address is Xxo's token (IX_tp_token: IX_TP_USE_SPEC). Where a
 * defining class is at hand (demo) it is the simpler way. */
static xx_state *Xxo_state_from_type(IxContext *ctx, IxObject *type)
{
    IxObject *base;
    int found = IxType_GetBaseByToken(ctx, type, (void *)&Xxo_Type_spec, &base);
    if (found < 0)
        return NULL;
    if (found == 0) {
        IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_TYPEERROR), "need Xxo subclass");
        return NULL;
    }
    xx_state *state = IxType_GetModuleState(ctx, base);
    Ix_Decref(ctx, base);
    return state;
}

/* Xxo.__new__: no arguments. type may be a subclass, so the allocation is type's size. */
static IxObject *Xxo_new(IxContext *ctx, IxObject *type, IxObject *const *args, size_t nargs)
{
    (void)args;
    if (nargs != 0) {
        IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_TYPEERROR), "Xxo.__new__() takes no arguments");
        return NULL;
    }
    /* As CPython's Xxo_new, which reaches its data through the state: type must be Xxo
     * or a subclass. (An isolex instance struct is at a fixed offset, so the check is all
     * the state is needed for here.) */
    if (Xxo_state_from_type(ctx, type) == NULL)
        return NULL;
    /* IxType_GenericAlloc zeroes the instance: x_attr NULL, x_exports 0, x_buffer zeros. */
    return IxType_GenericAlloc(ctx, type);
}

/* traverse: visit every reference the instance holds. (The reference to the type is the
 * host's, ABI.md 5.2: an isolex traverse does not visit it.) */
static int Xxo_traverse(IxContext *ctx, IxObject *op, IxVisitProc visit, void *arg)
{
    XxoObject *self = (XxoObject *)op;
    IX_VISIT(self->x_attr);
    return 0;
}

/* clear: drop the references, to break reference cycles. */
static int Xxo_clear(IxContext *ctx, IxObject *op)
{
    XxoObject *self = (XxoObject *)op;
    IX_CLEAR(ctx, self->x_attr);
    return 0;
}

/* finalize: like clear, but leaves the object consistent (Python's __del__). The host
 * runs it once, before dealloc, or before the collector's clear (ABI.md 5.52). */
static void Xxo_finalize(IxContext *ctx, IxObject *op)
{
    XxoObject *self = (XxoObject *)op;
    IX_CLEAR(ctx, self->x_attr);
}

/* dealloc: drop what is left (the finalizer ran already, unless the object was resurrected
 * and given attributes again); the host frees the memory and the type reference and keeps
 * the pending error (ABI.md 5.2, 3.8). */
static void Xxo_dealloc(IxContext *ctx, IxObject *op)
{
    Xxo_finalize(ctx, op);
}

/* ---------------------------------------------------------------- Xxo attributes */

/* x.name: the attribute dict first, then the generic lookup (methods, the x_exports getset,
 * AttributeError). */
static IxObject *Xxo_getattro(IxContext *ctx, IxObject *op, IxObject *name)
{
    XxoObject *self = (XxoObject *)op;
    if (self->x_attr != NULL) {
        IxObject *v = IxDict_GetItem(ctx, self->x_attr, name); /* borrowed */
        if (v != NULL)
            return Ix_NewRef(ctx, v);
        if (IxErr_Occurred(ctx) != NULL)
            return NULL;
    }
    return IxObject_GenericGetAttr(ctx, op, name);
}

/* x.name = v and del x.name (v NULL), always in the attribute dict, made on first use.
 * The name "reserved" is refused, as the original does to show filtering. */
static int Xxo_setattro(IxContext *ctx, IxObject *op, IxObject *name, IxObject *v)
{
    XxoObject *self = (XxoObject *)op;
    size_t len;
    const char *utf8 = IxStr_AsUTF8(ctx, name, &len); /* name is a str (ABI.md 5.40) */
    if (utf8 == NULL)
        return -1;
    if (len == 8 && memcmp(utf8, "reserved", 8) == 0) {
        IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_ATTRIBUTEERROR), "cannot set 'reserved'");
        return -1;
    }
    if (self->x_attr == NULL) {
        self->x_attr = IxDict_New(ctx); /* prepare the attribute dict */
        if (self->x_attr == NULL)
            return -1;
    }
    if (v != NULL)
        return IxDict_SetItem(ctx, self->x_attr, name, v);
    int rv = IxDict_DelItem(ctx, self->x_attr, name);
    if (rv < 0 && IxErr_ExceptionMatches(ctx, Ix_Builtin(ctx, IX_EXC_KEYERROR))) {
        IxErr_Clear(ctx);
        IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_ATTRIBUTEERROR),
                        "delete non-existing Xxo attribute");
        return -1;
    }
    return rv;
}

/* demo(o) -> o when o is a str or an Xxo (a subclass's instance too), else None.
 * A defining-class method (IX_METH_METHOD, PEP 573): defining_class is Xxo, also when
 * self is a subclass's instance, so the test needs no walk to find this module's type. */
static IxObject *Xxo_demo(IxContext *ctx, IxObject *self, IxObject *defining_class,
                          IxObject *const *args, size_t nargs)
{
    (void)self;
    (void)nargs; /* the host checked: exactly one argument */
    IxObject *o = args[0];

    /* Test if the argument is "str" */
    int is = Ix_IsInstance(ctx, o, Ix_Builtin(ctx, IX_TYPE_STR));
    if (is < 0)
        return NULL;
    if (is)
        return Ix_NewRef(ctx, o);

    /* test if the argument is of the Xxo class */
    is = Ix_IsInstance(ctx, o, defining_class);
    if (is < 0)
        return NULL;
    if (is)
        return Ix_NewRef(ctx, o);

    return Ix_ReturnNone(ctx);
}

static const IxMethodDef Xxo_methods[] = {
    {"demo", (IxCFunction)(void (*)(void))Xxo_demo, 1, 1, IX_METH_METHOD, "demo(o) -> o"},
    IX_METHODS_END
};

/* ---------------------------------------------------------------- Xxo's buffer */

/* Lends x_buffer, BUFSIZE writable bytes (format "B"), and counts the views alive. */
static int Xxo_getbuffer(IxContext *ctx, IxObject *op, IxBufferView *view, int flags)
{
    XxoObject *self = (XxoObject *)op;
    if (IxBufferView_FillInfo(ctx, view, op, self->x_buffer, BUFSIZE, 0 /* writable */, flags) < 0)
        return -1;
    self->x_exports++;
    return 0;
}

/* A view ends; the host drops its reference to the object (ABI.md 5.60). */
static void Xxo_releasebuffer(IxContext *ctx, IxObject *op, IxBufferView *view)
{
    (void)ctx, (void)view;
    ((XxoObject *)op)->x_exports--;
}

static IxObject *Xxo_get_x_exports(IxContext *ctx, IxObject *op, void *closure)
{
    (void)closure;
    return IxLong_FromInt64(ctx, ((XxoObject *)op)->x_exports);
}

static const IxGetSetDef Xxo_getsetlist[] = {
    {"x_exports", Xxo_get_x_exports, NULL, NULL, NULL},
    IX_GETSET_END
};

static const IxTypeSlot Xxo_Type_slots[] = {
    {IX_tp_doc, "A class that explicitly stores attributes in an internal dict"},
    {IX_tp_new, Xxo_new},
    {IX_tp_traverse, Xxo_traverse},
    {IX_tp_clear, Xxo_clear},
    {IX_tp_finalize, Xxo_finalize},
    {IX_tp_dealloc, Xxo_dealloc},
    {IX_tp_getattro, Xxo_getattro},
    {IX_tp_setattro, Xxo_setattro},
    {IX_tp_methods, (void *)Xxo_methods},
    {IX_bf_getbuffer, Xxo_getbuffer},
    {IX_bf_releasebuffer, Xxo_releasebuffer},
    {IX_tp_getset, (void *)Xxo_getsetlist},
    {IX_tp_token, IX_TP_USE_SPEC},
    IX_TYPE_SLOTS_END
};

static const IxTypeSpec Xxo_Type_spec = {
    .name = "xxlimited.Xxo",
    .basic_size = sizeof(XxoObject),
    .flags = IX_TPFLAGS_HAVE_GC | IX_TPFLAGS_BASETYPE,
    .slots = Xxo_Type_slots,
};

/* ---------------------------------------------------------------- the Str type */

/* A subtype of str that adds nothing: no fields (basic_size 0, ABI.md 5.55), no slots. */
static const IxTypeSlot Str_Type_slots[] = {
    IX_TYPE_SLOTS_END /* intentionally empty */
};

static const IxTypeSpec Str_Type_spec = {
    .name = "xxlimited.Str",
    .basic_size = 0,
    .flags = IX_TPFLAGS_BASETYPE,
    .slots = Str_Type_slots,
};

/* ---------------------------------------------------------------- the Null type */

/* Null(): a plain instance; it takes no arguments. */
static IxObject *Null_new(IxContext *ctx, IxObject *type, IxObject *const *args, size_t nargs)
{
    (void)args;
    if (nargs != 0) {
        IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_TYPEERROR), "Null() takes no arguments");
        return NULL;
    }
    return IxType_GenericAlloc(ctx, type);
}

/* Every comparison is NotImplemented: == and != fall back to identity, the orderings raise. */
static IxObject *Null_richcompare(IxContext *ctx, IxObject *self, IxObject *other, int op)
{
    (void)self, (void)other, (void)op;
    return Ix_NewRef(ctx, Ix_Builtin(ctx, IX_NOTIMPLEMENTED));
}

static const IxTypeSlot Null_Type_slots[] = {
    {IX_tp_new, Null_new},
    {IX_tp_richcompare, Null_richcompare},
    IX_TYPE_SLOTS_END
};

static const IxTypeSpec Null_Type_spec = {
    .name = "xxlimited.Null",
    .basic_size = sizeof(IxObject),
    .flags = IX_TPFLAGS_BASETYPE,
    .slots = Null_Type_slots,
};

/* ---------------------------------------------------------------- module functions */

/* foo(i, j) -> i + j. The original adds two C longs unchecked ("XXX"); here the two
 * int64 arguments are added in 128 bits and the sum returned exactly, as Python's i + j. */
static IxObject *xx_foo(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    (void)module, (void)nargs;
    int64_t i = IxLong_AsInt64(ctx, args[0]);
    if (i == -1 && IxErr_Occurred(ctx) != NULL)
        return NULL;
    int64_t j = IxLong_AsInt64(ctx, args[1]);
    if (j == -1 && IxErr_Occurred(ctx) != NULL)
        return NULL;
    __int128 sum = (__int128)i + j;
    uint8_t bytes[sizeof sum];
    for (size_t k = 0; k < sizeof sum; k++)
        bytes[k] = (uint8_t)((unsigned __int128)sum >> (8 * k));
    return IxLong_FromBytes(ctx, bytes, sizeof bytes, 1 /* little endian */, 1 /* signed */);
}

/* new() -> a new Xxo object. */
static IxObject *xx_new(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    xx_state *state = IxModule_GetState(ctx, module);
    if (state == NULL)
        return NULL;
    return Xxo_new(ctx, state->Xxo_Type, args, nargs);
}

/* roj(a, b): tests a bad argument spec. The original parses "O#:roj", a format its parser
 * refuses; isolex's parser has no format strings, and the mistake here is a spec asking for
 * more required parameters than it names. Every call raises the parser's SystemError. */
static const char *const roj_names[] = {"a", "b", NULL};
static const IxArgSpec roj_spec = {"roj", roj_names, 3 /* > 2 names: the bad spec */, 2};

static IxObject *xx_roj(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs,
                        IxObject *kwnames)
{
    (void)module;
    IxObject *ab[2];
    if (IxArg_Parse(ctx, args, nargs, kwnames, &roj_spec, ab) < 0)
        return NULL;
    return Ix_ReturnNone(ctx);
}

static const IxMethodDef xx_methods[] = {
    {"roj", IX_KWFUNC(xx_roj), 0, IX_VARARGS, IX_METH_KEYWORDS, "roj(a,b) -> None"},
    {"foo", xx_foo, 2, 2, 0, "foo(i,j)\n\nReturn the sum of i and j."},
    {"new", xx_new, 0, 0, 0, "new() -> new Xx object"},
    IX_METHODS_END
};

/* ---------------------------------------------------------------- the module */

/* Adds the type made from spec (on base, or none) to the module; keeps it in *keep when
 * keep is not NULL. */
static int add_type(IxContext *ctx, IxObject *module, const IxTypeSpec *spec, IxObject *base,
                    IxObject **keep)
{
    IxObject *type = IxType_FromSpecWithBase(ctx, module, spec, base);
    if (type == NULL)
        return -1;
    int rc = IxModule_AddType(ctx, module, type);
    if (keep != NULL)
        *keep = type; /* the state owns it from here, also on failure: clear drops it */
    else
        Ix_Decref(ctx, type);
    return rc;
}

/* Runs once per interpreter. On failure the host runs clear and free, which drop what the
 * state already holds, so the error paths just return -1. */
static int xx_modexec(IxContext *ctx, IxObject *module)
{
    xx_state *state = IxModule_GetState(ctx, module);
    if (state == NULL)
        return -1;

    state->Error_Type = IxErr_NewException(ctx, module, "xxlimited.Error", NULL);
    if (state->Error_Type == NULL)
        return -1;
    if (IxModule_AddObject(ctx, module, "Error", state->Error_Type) < 0)
        return -1;

    if (add_type(ctx, module, &Xxo_Type_spec, NULL, &state->Xxo_Type) < 0)
        return -1;

    /* Str and Null are not needed from C code: they are only added to the module. Str's
     * base is str, not the root. */
    if (add_type(ctx, module, &Str_Type_spec, Ix_Builtin(ctx, IX_TYPE_STR), NULL) < 0)
        return -1;
    return add_type(ctx, module, &Null_Type_spec, NULL, NULL);
}

static int xx_traverse(IxContext *ctx, IxObject *module, IxVisitProc visit, void *arg)
{
    xx_state *state = IxModule_GetState(ctx, module);
    if (state == NULL)
        return 0;
    IX_VISIT(state->Xxo_Type);
    IX_VISIT(state->Error_Type);
    return 0;
}

static int xx_clear(IxContext *ctx, IxObject *module)
{
    xx_state *state = IxModule_GetState(ctx, module);
    if (state == NULL)
        return 0;
    IX_CLEAR(ctx, state->Xxo_Type);
    IX_CLEAR(ctx, state->Error_Type);
    return 0;
}

/* Lets xx_modexec omit calling xx_clear on error. */
static void xx_free(IxContext *ctx, IxObject *module)
{
    (void)xx_clear(ctx, module);
}

static const IxModuleSlot xx_slots[] = {
    {IX_MOD_EXEC, xx_modexec},
    /* No C globals: every interpreter may run this module in parallel (CPython's
     * Py_MOD_PER_INTERPRETER_GIL_SUPPORTED). */
    {IX_MOD_MULTIPLE_INTERPRETERS, IX_MOD_MULTI_PER_INTERPRETER_LOCK},
    IX_MOD_SLOTS_END
};

static const IxModuleDef xx_def = {
    IX_MODULEDEF_HEAD,
    .name = "xxlimited",
    .doc = "This is a template module just for instruction.",
    .state_size = sizeof(xx_state),
    .methods = xx_methods,
    .slots = xx_slots,
    .traverse = xx_traverse,
    .clear = xx_clear,
    .free = xx_free,
};

IX_MODINIT(xxlimited)
{
    return &xx_def;
}
