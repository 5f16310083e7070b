/*
 * vector -- a numeric type, vector.Vector of double components, the model of a "real"
 * numeric extension (README.md beside this file is its manual):
 *   - a heap type with module state, found from any subclass by IxType_GetModuleByDef;
 *   - components in memory the instance owns (IxMem_*), freed by tp_dealloc;
 *   - the sequence protocol (len, v[i], v[i] = x, in) and its own iterator type;
 *   - repr, ==, and hash refused for the mutable Vector (as list) but given to its
 *     immutable subtype FrozenVector (as tuple);
 *   - a defining-class method (dot), a class method taking keywords (zeros);
 *   - a constructor taking keywords (IX_tp_new_kw: Vector(size=3, fill=0.5)), components
 *     through float() (IxNumber_Float), indices through __index__ (IxNumber_Index);
 *   - weak references (IX_TPFLAGS_MANAGED_WEAKREF);
 *   - arithmetic and the buffer: vector_number.c.
 *
 *     v = vector.Vector(3, 4.0)      # Vector(3.0, 4.0)
 *     v.norm(), v.dot(v), v[-1], v[0] = 1, 2.0 in v, list(v), len(v)
 *     vector.Vector.zeros(3), vector.FrozenVector.zeros(n=2)
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "vector.h"

/* ---------------------------------------------------------------- helpers */

vector_state *vector_state_of(IxContext *ctx, IxObject *type)
{
    IxObject *module = IxType_GetModuleByDef(ctx, type, &vector_def);
    return module != NULL ? IxModule_GetState(ctx, module) : NULL;
}

static IxObject *type_error(IxContext *ctx, const char *fmt, IxObject *culprit)
{
    return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_TYPEERROR), fmt,
                        IxType_GetName(ctx, Ix_Type(ctx, culprit)));
}

/* o as a component: float(o) for any real number -- an int, a bool, a float, or an object
 * with __float__ or __index__ (IxNumber_Float) -- but not a str, which float() would
 * parse; -1 with an error otherwise. */
static int as_component(IxContext *ctx, IxObject *o, double *out)
{
    int is_str = Ix_IsInstance(ctx, o, Ix_Builtin(ctx, IX_TYPE_STR));
    if (is_str < 0)
        return -1;
    if (is_str) {
        type_error(ctx, "vector components must be real numbers, not %s", o);
        return -1;
    }
    /* float(o): an int beyond the doubles is OverflowError, an object without __float__
     * or __index__ float()'s TypeError */
    IxObject *f = IxNumber_Float(ctx, o);
    if (f == NULL)
        return -1;
    *out = IxFloat_AsDouble(ctx, f);
    Ix_Decref(ctx, f);
    return 0;
}

/* o as an int64 index or length: an int, a bool, or an object with __index__
 * (IxNumber_Index). Anything else is TypeError with fmt (one %s: o's type); an int beyond
 * int64 is OverflowError. -1 with an error, or 0. */
static int as_int64(IxContext *ctx, IxObject *o, const char *fmt, int64_t *out)
{
    IxObject *i = IxNumber_Index(ctx, o);
    if (i == NULL) {
        if (IxErr_ExceptionMatches(ctx, Ix_Builtin(ctx, IX_EXC_TYPEERROR))) {
            IxErr_Clear(ctx);
            type_error(ctx, fmt, o);
        }
        return -1;
    }
    *out = IxLong_AsInt64(ctx, i);
    Ix_Decref(ctx, i);
    return *out == -1 && IxErr_Occurred(ctx) != NULL ? -1 : 0;
}

/* A zeroed vector of n components, an instance of type (Vector or a subtype). */
VectorObject *vector_alloc(IxContext *ctx, IxObject *type, int64_t n)
{
    VectorObject *v = (VectorObject *)IxType_GenericAlloc(ctx, type);
    if (v == NULL)
        return NULL;
    if (n > 0) {
        v->data = IxMem_Calloc(ctx, (size_t)n, sizeof(double)); /* MemoryError if too big */
        if (v->data == NULL) {
            Ix_Decref(ctx, (IxObject *)v);
            return NULL;
        }
    }
    v->size = n;
    return v;
}

/* key as an index of v, negative counting from the end; -1 with an error. `what` names
 * the operation in the IndexError, "index" or "assignment index", as list does. */
static int vector_index(IxContext *ctx, VectorObject *v, IxObject *key, const char *what,
                        int64_t *out)
{
    int64_t i;
    if (as_int64(ctx, key, "vector indices must be integers, not %s", &i) < 0) {
        if (!IxErr_ExceptionMatches(ctx, Ix_Builtin(ctx, IX_EXC_OVERFLOWERROR)))
            return -1;
        IxErr_Clear(ctx);
        IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_INDEXERROR),
                        "cannot fit 'int' into an index-sized integer");
        return -1;
    }
    if (i < 0)
        i += v->size;
    if (i < 0 || i >= v->size) {
        IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_INDEXERROR), "vector %s out of range", what);
        return -1;
    }
    *out = i;
    return 0;
}

/* A growing UTF-8 text in interpreter memory, for repr. */
typedef struct {
    char *bytes;
    size_t len, cap;
} Text;

static int text_add(IxContext *ctx, Text *t, const char *s, size_t n)
{
    if (t->len + n > t->cap) {
        size_t cap = t->cap ? t->cap : 64;
        while (cap < t->len + n)
            cap *= 2;
        char *bigger = IxMem_Realloc(ctx, t->bytes, cap);
        if (bigger == NULL)
            return -1;
        t->bytes = bigger;
        t->cap = cap;
    }
    memcpy(t->bytes + t->len, s, n);
    t->len += n;
    return 0;
}

/* Appends repr(float(d)): Python's shortest round-trip form ("1.0", "1e+16", "nan"). */
static int text_add_double(IxContext *ctx, Text *t, double d)
{
    IxObject *f = IxFloat_FromDouble(ctx, d);
    if (f == NULL)
        return -1;
    IxObject *r = Ix_Repr(ctx, f);
    Ix_Decref(ctx, f);
    if (r == NULL)
        return -1;
    size_t n;
    const char *s = IxStr_AsUTF8(ctx, r, &n);
    int rc = s != NULL ? text_add(ctx, t, s, n) : -1;
    Ix_Decref(ctx, r);
    return rc;
}

/* ---------------------------------------------------------------- Vector */

/* Vector(size=n, fill=0.0): n components equal to fill. */
static const char *const sized_names[] = {"size", "fill", NULL};
static const IxArgSpec sized_spec = {"Vector", sized_names, 1, 0 /* keywords only */};

static IxObject *Vector_new_sized(IxContext *ctx, IxObject *type, IxObject *const *kwvalues,
                                  IxObject *kwnames)
{
    IxObject *out[2];
    if (IxArg_Parse(ctx, kwvalues, 0, kwnames, &sized_spec, out) < 0)
        return NULL;
    int64_t n;
    double fill = 0.0;
    if (as_int64(ctx, out[0], "Vector() size must be an int, not %s", &n) < 0)
        return NULL;
    if (n < 0)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR),
                            "Vector() size must be >= 0, not %lld", (long long)n);
    if (out[1] != NULL && as_component(ctx, out[1], &fill) < 0)
        return NULL;
    VectorObject *v = vector_alloc(ctx, type, n);
    for (int64_t i = 0; v != NULL && i < n; i++)
        v->data[i] = fill;
    return (IxObject *)v;
}

/* Vector(*components): real numbers, any number of them (none too); or, with keywords
 * only, Vector(size=n, fill=x). A subtype's call makes the subtype (type). */
static IxObject *Vector_new(IxContext *ctx, IxObject *type, IxObject *const *args, size_t nargs,
                            IxObject *kwnames)
{
    if (kwnames != NULL) {
        if (nargs > 0)
            return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_TYPEERROR),
                                "%s() takes components or the keywords size and fill, not both",
                                IxType_GetName(ctx, type));
        return Vector_new_sized(ctx, type, args, kwnames);
    }
    VectorObject *v = vector_alloc(ctx, type, (int64_t)nargs);
    if (v == NULL)
        return NULL;
    for (size_t i = 0; i < nargs; i++) {
        if (as_component(ctx, args[i], &v->data[i]) < 0) {
            Ix_Decref(ctx, (IxObject *)v);
            return NULL;
        }
    }
    return (IxObject *)v;
}

/* The instance owns its components; the host frees the object itself (ABI.md 5.2). A
 * FrozenVector has no dealloc of its own: the host runs this one for it (ABI.md 5.6). */
static void Vector_dealloc(IxContext *ctx, IxObject *op)
{
    VectorObject *v = (VectorObject *)op;
    IxMem_Free(ctx, v->data);
    v->data = NULL;
}

/* "Vector(1.0, 2.0)"; a subtype's instance shows its own class name. */
static IxObject *Vector_repr(IxContext *ctx, IxObject *op)
{
    VectorObject *v = (VectorObject *)op;
    const char *name = IxType_GetName(ctx, Ix_Type(ctx, op)); /* "vector.Vector" */
    if (name == NULL)
        return NULL;
    const char *dot = strrchr(name, '.');
    if (dot != NULL)
        name = dot + 1;

    Text t = {NULL, 0, 0};
    int rc = text_add(ctx, &t, name, strlen(name));
    rc = rc < 0 ? rc : text_add(ctx, &t, "(", 1);
    for (int64_t i = 0; rc == 0 && i < v->size; i++) {
        if (i > 0)
            rc = text_add(ctx, &t, ", ", 2);
        rc = rc < 0 ? rc : text_add_double(ctx, &t, v->data[i]);
    }
    rc = rc < 0 ? rc : text_add(ctx, &t, ")", 1);
    IxObject *result = rc == 0 ? IxStr_FromUTF8(ctx, t.bytes, t.len) : NULL;
    IxMem_Free(ctx, t.bytes);
    return result;
}

/* == and != between vectors of this module (Vector and FrozenVector alike): the same
 * length and equal components (so a NaN component makes a vector unequal to itself).
 * Anything else, and every ordering, is NotImplemented. */
static IxObject *Vector_richcompare(IxContext *ctx, IxObject *self, IxObject *other, int op)
{
    if (op != IX_EQ && op != IX_NE)
        return Ix_NewRef(ctx, Ix_Builtin(ctx, IX_NOTIMPLEMENTED));
    vector_state *st = vector_state_of(ctx, Ix_Type(ctx, self));
    if (st == NULL)
        return NULL;
    int ok = Ix_IsInstance(ctx, other, st->VectorType);
    if (ok < 0)
        return NULL;
    if (!ok)
        return Ix_NewRef(ctx, Ix_Builtin(ctx, IX_NOTIMPLEMENTED));

    VectorObject *a = (VectorObject *)self, *b = (VectorObject *)other;
    int equal = a->size == b->size;
    for (int64_t i = 0; equal && i < a->size; i++)
        equal = a->data[i] == b->data[i];
    return IxBool_FromInt(ctx, op == IX_EQ ? equal : !equal);
}

/* A mutable vector is unhashable, as a list: its hash would change with its components. */
static int64_t Vector_hash(IxContext *ctx, IxObject *op)
{
    type_error(ctx, "unhashable type: '%s'", op);
    return -1;
}

static int64_t Vector_length(IxContext *ctx, IxObject *op)
{
    return ((VectorObject *)op)->size;
}

/* v[i] -> float */
static IxObject *Vector_getitem(IxContext *ctx, IxObject *op, IxObject *key)
{
    VectorObject *v = (VectorObject *)op;
    int64_t i;
    if (vector_index(ctx, v, key, "index", &i) < 0)
        return NULL;
    return IxFloat_FromDouble(ctx, v->data[i]);
}

/* del v[i]: never, the length is fixed. */
static int refuse_deletion(IxContext *ctx, IxObject *op)
{
    type_error(ctx, "'%s' object doesn't support item deletion", op);
    return -1;
}

/* v[i] = x for an int or float x. */
static int Vector_setitem(IxContext *ctx, IxObject *op, IxObject *key, IxObject *value)
{
    if (value == NULL)
        return refuse_deletion(ctx, op);
    VectorObject *v = (VectorObject *)op;
    int64_t i;
    double d;
    if (vector_index(ctx, v, key, "assignment index", &i) < 0 || as_component(ctx, value, &d) < 0)
        return -1;
    v->data[i] = d;
    return 0;
}

/* x in v: a component equals x. A float compares directly; anything else as Python's ==
 * between a float and it (an int exactly, even beyond 2**53). */
static int Vector_contains(IxContext *ctx, IxObject *op, IxObject *value)
{
    VectorObject *v = (VectorObject *)op;
    int is_float = Ix_IsInstance(ctx, value, Ix_Builtin(ctx, IX_TYPE_FLOAT));
    if (is_float < 0)
        return -1;
    if (is_float) {
        double x = IxFloat_AsDouble(ctx, value);
        for (int64_t i = 0; i < v->size; i++)
            if (v->data[i] == x)
                return 1;
        return 0;
    }
    for (int64_t i = 0; i < v->size; i++) {
        IxObject *f = IxFloat_FromDouble(ctx, v->data[i]);
        if (f == NULL)
            return -1;
        int eq = Ix_RichCompareBool(ctx, f, value, IX_EQ);
        Ix_Decref(ctx, f);
        if (eq != 0)
            return eq; /* 1, or -1 with the error */
    }
    return 0;
}

/* dot(other) -> float. A defining-class method (PEP 573): defining_class is Vector even
 * when self is a FrozenVector, so its module state names this interpreter's Vector type
 * without a walk up the bases. */
static IxObject *Vector_dot(IxContext *ctx, IxObject *self, IxObject *defining_class,
                            IxObject *const *args, size_t nargs)
{
    (void)nargs; /* the host checked: exactly one */
    vector_state *st = IxType_GetModuleState(ctx, defining_class);
    if (st == NULL)
        return NULL;
    int ok = Ix_IsInstance(ctx, args[0], st->VectorType);
    if (ok < 0)
        return NULL;
    if (!ok)
        return type_error(ctx, "dot() argument must be vector.Vector, not %s", args[0]);
    VectorObject *a = (VectorObject *)self, *b = (VectorObject *)args[0];
    if (a->size != b->size)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR),
                            "dot() of vectors of different lengths (%lld and %lld)",
                            (long long)a->size, (long long)b->size);
    double sum = 0.0;
    for (int64_t i = 0; i < a->size; i++)
        sum += a->data[i] * b->data[i];
    return IxFloat_FromDouble(ctx, sum);
}

/* The sum of the squares of v's components divided by scale (1.0: plain squares). */
static double sum_of_squares(const VectorObject *v, double scale)
{
    double sum = 0.0;
    for (int64_t i = 0; i < v->size; i++) {
        double x = v->data[i] / scale;
        sum += x * x;
    }
    return sum;
}

/* norm() -> the Euclidean length: the square root of the sum of squares, correctly
 * rounded for small components (Vector(3, 5).norm() == sqrt(34)). When the squares would
 * overflow or underflow, the components are scaled by the largest first. inf if any
 * component is infinite, else nan if any is nan (as math.hypot). */
double vector_norm(const VectorObject *v)
{
    double scale = 0.0;
    int has_nan = 0;
    for (int64_t i = 0; i < v->size; i++) {
        double a = fabs(v->data[i]);
        if (isnan(a))
            has_nan = 1;
        else if (a > scale)
            scale = a;
    }
    if (isinf(scale))
        return scale;
    if (has_nan)
        return NAN;
    if (scale == 0.0)
        return 0.0;
    double sum = sum_of_squares(v, 1.0);
    if (isinf(sum) || sum < DBL_MIN)
        return scale * sqrt(sum_of_squares(v, scale));
    return sqrt(sum);
}

static IxObject *Vector_norm(IxContext *ctx, IxObject *op, IxObject *const *args, size_t nargs)
{
    (void)args, (void)nargs;
    return IxFloat_FromDouble(ctx, vector_norm((VectorObject *)op));
}

/* Vector.zeros(n) -> n zero components, an instance of the class it is called on (a class
 * method: cls is FrozenVector for FrozenVector.zeros, or for frozen.zeros). */
static const char *const zeros_names[] = {"n", NULL};
static const IxArgSpec zeros_spec = {"zeros", zeros_names, 1, 1};

static IxObject *Vector_zeros(IxContext *ctx, IxObject *cls, IxObject *const *args, size_t nargs,
                              IxObject *kwnames)
{
    IxObject *n_arg;
    if (IxArg_Parse(ctx, args, nargs, kwnames, &zeros_spec, &n_arg) < 0)
        return NULL;
    int64_t n;
    if (as_int64(ctx, n_arg, "zeros() length must be an int, not %s", &n) < 0)
        return NULL;
    if (n < 0)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR),
                            "zeros() length must be >= 0, not %lld", (long long)n);
    return (IxObject *)vector_alloc(ctx, cls, n);
}

static const IxMethodDef Vector_methods[] = {
    {"dot", (IxCFunction)(void (*)(void))Vector_dot, 1, 1, IX_METH_METHOD,
     "dot(other) -> float: the dot product with a vector of the same length"},
    {"norm", Vector_norm, 0, 0, 0, "norm() -> float: the Euclidean length"},
    {"zeros", IX_KWFUNC(Vector_zeros), 0, IX_VARARGS, IX_METH_CLASS | IX_METH_KEYWORDS,
     "zeros(n) -> a vector of n zeros, of the class it is called on"},
    IX_METHODS_END
};

static const IxTypeSlot Vector_slots[] = {
    {IX_tp_new_kw, Vector_new},
    {IX_tp_dealloc, Vector_dealloc},
    {IX_tp_repr, Vector_repr},
    {IX_tp_richcompare, Vector_richcompare},
    {IX_tp_hash, Vector_hash},
    {IX_sq_length, Vector_length},
    {IX_mp_subscript, Vector_getitem},
    {IX_mp_ass_subscript, Vector_setitem},
    {IX_sq_contains, Vector_contains},
    {IX_tp_iter, vector_iter},
    /* vector_number.c: arithmetic and the buffer */
    {IX_nb_add, Vector_add},
    {IX_nb_subtract, Vector_sub},
    {IX_nb_multiply, Vector_mul},
    {IX_nb_true_divide, Vector_truediv},
    {IX_nb_inplace_add, Vector_iadd},
    {IX_nb_inplace_subtract, Vector_isub},
    {IX_nb_inplace_multiply, Vector_imul},
    {IX_nb_inplace_true_divide, Vector_itruediv},
    {IX_nb_negative, Vector_neg},
    {IX_nb_positive, Vector_pos},
    {IX_nb_absolute, Vector_abs},
    {IX_nb_bool, Vector_bool},
    {IX_bf_getbuffer, Vector_getbuffer},
    {IX_tp_methods, (void *)Vector_methods},
    {IX_tp_doc, "Vector(*components) or Vector(size=n, fill=0.0): a mutable vector of floats"},
    IX_TYPE_SLOTS_END
};

static const IxTypeSpec Vector_spec = {
    .name = "vector.Vector",
    .basic_size = sizeof(VectorObject),
    /* holds no object references: not a GC type; weak references are the host's */
    .flags = IX_TPFLAGS_BASETYPE | IX_TPFLAGS_MANAGED_WEAKREF,
    .slots = Vector_slots,
};

/* ---------------------------------------------------------------- FrozenVector */

/* FrozenVector's components never change, so it may be hashed, as a tuple: hash(f) is
 * hash(tuple(f)), which agrees with == (equal vectors have equal components). */
static int64_t FrozenVector_hash(IxContext *ctx, IxObject *op)
{
    VectorObject *v = (VectorObject *)op;
    IxObject **items = v->size > 0 ? IxMem_Calloc(ctx, (size_t)v->size, sizeof *items) : NULL;
    if (v->size > 0 && items == NULL)
        return -1;
    int64_t made = 0, h = -1;
    while (made < v->size && (items[made] = IxFloat_FromDouble(ctx, v->data[made])) != NULL)
        made++;
    if (made == v->size) {
        IxObject *t = IxTuple_FromArray(ctx, items, (size_t)v->size);
        if (t != NULL) {
            h = Ix_Hash(ctx, t);
            Ix_Decref(ctx, t);
        }
    }
    for (int64_t i = 0; i < made; i++)
        Ix_Decref(ctx, items[i]);
    IxMem_Free(ctx, items);
    return h;
}

static int FrozenVector_setitem(IxContext *ctx, IxObject *op, IxObject *key, IxObject *value)
{
    (void)key;
    if (value == NULL)
        return refuse_deletion(ctx, op);
    type_error(ctx, "'%s' object does not support item assignment", op);
    return -1;
}

/* Everything else -- tp_new_kw, dealloc, the number slots and the buffer (which look at
 * the type to refuse writing), weak references, repr, ==, the sequence slots, dot/norm/zeros -- is
 * Vector's, inherited (ABI.md 5.5). */
static const IxTypeSlot FrozenVector_slots[] = {
    {IX_tp_hash, FrozenVector_hash},
    {IX_mp_ass_subscript, FrozenVector_setitem},
    {IX_tp_doc, "FrozenVector(*components) or FrozenVector(size=n, fill=0.0): an immutable, hashable Vector"},
    IX_TYPE_SLOTS_END
};

static const IxTypeSpec FrozenVector_spec = {
    .name = "vector.FrozenVector",
    .basic_size = sizeof(VectorObject), /* adds no field to Vector's */
    .flags = 0,
    .slots = FrozenVector_slots,
};

/* ---------------------------------------------------------------- the module */

/* Makes a type from spec (with base, or none), adds it to the module and keeps it in *keep,
 * which owns it from here: on failure the host runs clear, which drops it. */
static int add_type(IxContext *ctx, IxObject *module, const IxTypeSpec *spec, IxObject *base,
                    IxObject **keep)
{
    *keep = IxType_FromSpecWithBase(ctx, module, spec, base);
    if (*keep == NULL)
        return -1;
    return IxModule_AddType(ctx, module, *keep);
}

static int vector_exec(IxContext *ctx, IxObject *module)
{
    vector_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return -1;
    if (add_type(ctx, module, &Vector_spec, NULL, &st->VectorType) < 0 ||
        add_type(ctx, module, &FrozenVector_spec, st->VectorType, &st->FrozenVectorType) < 0 ||
        add_type(ctx, module, &VectorIterator_spec, NULL, &st->VectorIteratorType) < 0)
        return -1;
    return 0;
}

static int vector_traverse(IxContext *ctx, IxObject *module, IxVisitProc visit, void *arg)
{
    vector_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return 0;
    IX_VISIT(st->VectorType);
    IX_VISIT(st->FrozenVectorType);
    IX_VISIT(st->VectorIteratorType);
    return 0;
}

static int vector_clear(IxContext *ctx, IxObject *module)
{
    vector_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return 0;
    IX_CLEAR(ctx, st->VectorType);
    IX_CLEAR(ctx, st->FrozenVectorType);
    IX_CLEAR(ctx, st->VectorIteratorType);
    return 0;
}

static void vector_free(IxContext *ctx, IxObject *module)
{
    (void)vector_clear(ctx, module);
}

static const IxModuleSlot vector_slots[] = {
    {IX_MOD_EXEC, vector_exec},
    {IX_MOD_MULTIPLE_INTERPRETERS, IX_MOD_MULTI_PER_INTERPRETER_LOCK},
    IX_MOD_SLOTS_END
};

const IxModuleDef vector_def = {
    IX_MODULEDEF_HEAD,
    .name = "vector",
    .doc = "Vectors of floats: a numeric type with the sequence protocol and its iterator.",
    .state_size = sizeof(vector_state),
    .slots = vector_slots,
    .traverse = vector_traverse,
    .clear = vector_clear,
    .free = vector_free,
};

IX_MODINIT(vector)
{
    return &vector_def;
}
