/*
 * vector_number.c -- Vector's arithmetic (the number protocol, ABI.md 3.30-3.33, 5.30)
 * and its buffer (ABI.md 3.50-3.55, 5.60).
 *
 *     v + w, v - w          vectors of the same length; the result is a new vector
 *     v * 2, 2 * v, v / 2   a scalar (int or float) on either side of *, on the right of /
 *     -v, +v                a new vector; abs(v) is v.norm(), a float (as abs(complex))
 *     bool(v)               True when a component is nonzero (a zero vector is false)
 *     v += w, v -= w, v *= 2, v /= 2   change a Vector in place; a FrozenVector is replaced
 *                           by a new FrozenVector (the in-place slots answer NotImplemented)
 *
 * A binary slot runs for either operand (ABI.md 3.31): for `2 * v` it is called as
 * (2, v). Anything it does not handle answers NotImplemented, so Python's TypeError names
 * both operand types. A result is a FrozenVector when its vector operand on the left is
 * one, else a Vector (a subclass's instance gives its base's type, as list + list does).
 *
 * The buffer: one run of size doubles, format "d", ndim 1, shape [size], the instance's
 * own memory (no copy); read-only for a FrozenVector. No operation changes a vector's
 * length, so nothing has to be refused while views are alive.
 */
#include <math.h>

#include "vector.h"

/* The state of this module from either operand (one of them is a vector of it). */
static vector_state *binary_state(IxContext *ctx, IxObject *a, IxObject *b)
{
    vector_state *st = vector_state_of(ctx, Ix_Type(ctx, a));
    if (st != NULL)
        return st;
    IxErr_Clear(ctx); /* a is the scalar: b is the vector */
    return vector_state_of(ctx, Ix_Type(ctx, b));
}

/* 1 when o is a vector of this module, 0 when not, -1 with an error. */
static int is_vector(IxContext *ctx, vector_state *st, IxObject *o)
{
    return Ix_IsInstance(ctx, o, st->VectorType);
}

/* 1 with *out when o is a scalar (an int, a bool or a float), 0 when not, -1 with an
 * error (an int too big for a float: OverflowError). */
static int as_scalar(IxContext *ctx, IxObject *o, double *out)
{
    int ok = Ix_IsInstance(ctx, o, Ix_Builtin(ctx, IX_TYPE_FLOAT));
    if (ok == 0)
        ok = Ix_IsInstance(ctx, o, Ix_Builtin(ctx, IX_TYPE_INT));
    if (ok <= 0)
        return ok;
    double d = IxFloat_AsDouble(ctx, o);
    if (d == -1.0 && IxErr_Occurred(ctx) != NULL)
        return -1;
    *out = d;
    return 1;
}

/* The type of a result whose vector operand on the left is `left`. */
static IxObject *result_type(IxContext *ctx, vector_state *st, IxObject *left)
{
    int frozen = Ix_IsInstance(ctx, left, st->FrozenVectorType);
    return frozen > 0 ? st->FrozenVectorType : st->VectorType;
}

static IxObject *not_implemented(IxContext *ctx)
{
    return Ix_NewRef(ctx, Ix_Builtin(ctx, IX_NOTIMPLEMENTED));
}

/* ---------------------------------------------------------------- element-wise kernels */

typedef enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV } Op;

static const char *const op_symbol[] = {"+", "-", "*", "/"};

/* dst[i] = a[i] op b[i] (b a vector) -- dst may be a. */
static void combine(double *dst, const double *a, const double *b, int64_t n, Op op)
{
    for (int64_t i = 0; i < n; i++)
        dst[i] = op == OP_ADD ? a[i] + b[i] : a[i] - b[i];
}

/* dst[i] = a[i] op k (k a scalar) -- dst may be a. */
static void scale(double *dst, const double *a, double k, int64_t n, Op op)
{
    for (int64_t i = 0; i < n; i++)
        dst[i] = op == OP_MUL ? a[i] * k : a[i] / k;
}

/* The operands of a vector-vector op must be of one length: 0, or -1 with ValueError. */
static int same_length(IxContext *ctx, const VectorObject *a, const VectorObject *b, Op op)
{
    if (a->size == b->size)
        return 0;
    IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR),
                 "vectors of different lengths for %s: %lld and %lld", op_symbol[op],
                 (long long)a->size, (long long)b->size);
    return -1;
}

/* The scalar of v * k or v / k: 1 and *k; 0 when other is no scalar (NotImplemented);
 * -1 with an error (ZeroDivisionError for v / 0). */
static int scalar_operand(IxContext *ctx, IxObject *other, Op op, double *k)
{
    int ok = as_scalar(ctx, other, k);
    if (ok <= 0)
        return ok;
    if (op == OP_DIV && *k == 0.0) {
        IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_ZERODIVISIONERROR), "vector division by zero");
        return -1;
    }
    return 1;
}

/* ---------------------------------------------------------------- binary slots */

/* a + b, a - b: both vectors, else NotImplemented. */
static IxObject *vector_vector(IxContext *ctx, IxObject *a, IxObject *b, Op op)
{
    vector_state *st = binary_state(ctx, a, b);
    if (st == NULL)
        return NULL;
    int ok = is_vector(ctx, st, a);
    if (ok > 0)
        ok = is_vector(ctx, st, b);
    if (ok <= 0)
        return ok < 0 ? NULL : not_implemented(ctx);
    VectorObject *va = (VectorObject *)a, *vb = (VectorObject *)b;
    if (same_length(ctx, va, vb, op) < 0)
        return NULL;
    VectorObject *r = vector_alloc(ctx, result_type(ctx, st, a), va->size);
    if (r != NULL)
        combine(r->data, va->data, vb->data, va->size, op);
    return (IxObject *)r;
}

/* v * k, k * v (reflected: allowed when `reflected_ok`), v / k: one vector and one
 * scalar, else NotImplemented. */
static IxObject *vector_scalar(IxContext *ctx, IxObject *a, IxObject *b, Op op, int reflected_ok)
{
    vector_state *st = binary_state(ctx, a, b);
    if (st == NULL)
        return NULL;
    int a_is = is_vector(ctx, st, a);
    if (a_is < 0)
        return NULL;
    if (!a_is && !reflected_ok)
        return not_implemented(ctx); /* k / v: no such thing */
    IxObject *v = a_is ? a : b, *other = a_is ? b : a;
    double k;
    int ok = scalar_operand(ctx, other, op, &k);
    if (ok <= 0)
        return ok < 0 ? NULL : not_implemented(ctx);
    VectorObject *vv = (VectorObject *)v;
    VectorObject *r = vector_alloc(ctx, result_type(ctx, st, v), vv->size);
    if (r != NULL)
        scale(r->data, vv->data, k, vv->size, op);
    return (IxObject *)r;
}

IxObject *Vector_add(IxContext *ctx, IxObject *a, IxObject *b)
{
    return vector_vector(ctx, a, b, OP_ADD);
}

IxObject *Vector_sub(IxContext *ctx, IxObject *a, IxObject *b)
{
    return vector_vector(ctx, a, b, OP_SUB);
}

IxObject *Vector_mul(IxContext *ctx, IxObject *a, IxObject *b)
{
    return vector_scalar(ctx, a, b, OP_MUL, 1);
}

IxObject *Vector_truediv(IxContext *ctx, IxObject *a, IxObject *b)
{
    return vector_scalar(ctx, a, b, OP_DIV, 0);
}

/* ---------------------------------------------------------------- in place */

/* self op= other: a Vector changes in place and is returned; a FrozenVector (or an
 * operand this op does not take) answers NotImplemented, so the binary slot makes a new
 * vector or Python's TypeError names the operands. */
static IxObject *vector_inplace(IxContext *ctx, IxObject *self, IxObject *other, Op op)
{
    vector_state *st = vector_state_of(ctx, Ix_Type(ctx, self));
    if (st == NULL)
        return NULL;
    int frozen = Ix_IsInstance(ctx, self, st->FrozenVectorType);
    if (frozen != 0)
        return frozen < 0 ? NULL : not_implemented(ctx);
    VectorObject *v = (VectorObject *)self;
    if (op == OP_ADD || op == OP_SUB) {
        int ok = is_vector(ctx, st, other);
        if (ok <= 0)
            return ok < 0 ? NULL : not_implemented(ctx);
        if (same_length(ctx, v, (VectorObject *)other, op) < 0)
            return NULL;
        combine(v->data, v->data, ((VectorObject *)other)->data, v->size, op);
    } else {
        double k;
        int ok = scalar_operand(ctx, other, op, &k);
        if (ok <= 0)
            return ok < 0 ? NULL : not_implemented(ctx);
        scale(v->data, v->data, k, v->size, op);
    }
    return Ix_NewRef(ctx, self);
}

IxObject *Vector_iadd(IxContext *ctx, IxObject *a, IxObject *b)
{
    return vector_inplace(ctx, a, b, OP_ADD);
}

IxObject *Vector_isub(IxContext *ctx, IxObject *a, IxObject *b)
{
    return vector_inplace(ctx, a, b, OP_SUB);
}

IxObject *Vector_imul(IxContext *ctx, IxObject *a, IxObject *b)
{
    return vector_inplace(ctx, a, b, OP_MUL);
}

IxObject *Vector_itruediv(IxContext *ctx, IxObject *a, IxObject *b)
{
    return vector_inplace(ctx, a, b, OP_DIV);
}

/* ---------------------------------------------------------------- unary */

/* -v and +v: a new vector of v's result type (-0.0 for a 0.0 component, as -0.0 is). */
static IxObject *unary(IxContext *ctx, IxObject *self, double sign)
{
    vector_state *st = vector_state_of(ctx, Ix_Type(ctx, self));
    if (st == NULL)
        return NULL;
    VectorObject *v = (VectorObject *)self;
    VectorObject *r = vector_alloc(ctx, result_type(ctx, st, self), v->size);
    if (r != NULL)
        scale(r->data, v->data, sign, v->size, OP_MUL);
    return (IxObject *)r;
}

IxObject *Vector_neg(IxContext *ctx, IxObject *self)
{
    return unary(ctx, self, -1.0);
}

IxObject *Vector_pos(IxContext *ctx, IxObject *self)
{
    return unary(ctx, self, 1.0);
}

/* abs(v) is the Euclidean length, a float, as abs() of a complex number is. */
IxObject *Vector_abs(IxContext *ctx, IxObject *self)
{
    return IxFloat_FromDouble(ctx, vector_norm((VectorObject *)self));
}

/* A vector is true when a component is nonzero (nan is nonzero, as bool(nan)). */
int Vector_bool(IxContext *ctx, IxObject *self)
{
    (void)ctx;
    VectorObject *v = (VectorObject *)self;
    for (int64_t i = 0; i < v->size; i++)
        if (v->data[i] != 0.0)
            return 1;
    return 0;
}

/* ---------------------------------------------------------------- the buffer */

static const int64_t double_stride = sizeof(double);
static const double no_components = 0.0; /* buf of an empty vector's view: len 0, never read or written;
                                    * const, so it is no global state (isolex audit) */

/* Lends the components themselves: format "d", one dimension of size items. The shape
 * points at the instance's size, which never changes while it lives (and the view holds
 * it). Read-only for a FrozenVector. */
int Vector_getbuffer(IxContext *ctx, IxObject *self, IxBufferView *view, int flags)
{
    vector_state *st = vector_state_of(ctx, Ix_Type(ctx, self));
    if (st == NULL)
        return -1;
    int frozen = Ix_IsInstance(ctx, self, st->FrozenVectorType);
    if (frozen < 0)
        return -1;
    if (frozen && (flags & IX_BUF_WRITABLE)) {
        IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_BUFFERERROR), "Object is not writable.");
        return -1;
    }
    VectorObject *v = (VectorObject *)self;
    view->buf = v->data != NULL ? (void *)v->data : (void *)&no_components;
    view->len = v->size * (int64_t)sizeof(double);
    view->itemsize = sizeof(double);
    view->readonly = frozen;
    view->ndim = 1;
    view->format = "d";
    view->shape = &v->size;
    view->strides = &double_stride;
    view->obj = Ix_NewRef(ctx, self);
    return 0;
}
