/*
 * buffers -- the buffer protocol of ABI 1.2 (ABI.md 3.50-3.59, 5.60): exporters, a consumer,
 * and exporters and consumers that break each rule (test-ext/README.md has the errors).
 *
 *   matrix(rows, cols)    a Matrix of rows x cols doubles, m[i][j] = i * cols + j; it exports
 *                         them writable as format "d", ndim 2, C order, and counts its exports
 *   fortran(rows, cols)   the same in column order (strides (8, 8 * rows)): not C-contiguous
 *   Matrix.exports()      the views of it not released yet
 *   Matrix.get(i, j), Matrix.set(i, j, v)
 *   chars()               a Chars: 8 bytes "isolex!\0", exported with IxBufferView_FillInfo
 *                         (three lines, as CPython's xxlimited Xxo), counting its exports
 *   sum(obj)              the sum of a view's items (format "d": as doubles, else as bytes)
 *   fill(obj, byte)       asks for a writable view and sets every byte; returns len
 *   info(obj, flags)      (len, readonly, itemsize, format, ndim, shape, strides)
 *   broken(kind)          a Broken whose getbuffer breaks a rule: 0 returns -1 without an
 *                         error, 1 returns 0 without filling, 2 returns 0 with an error
 *                         set, 3 fills len 5 with shape (4,), 4 exports read-only bytes
 *                         whatever the flags, 5 fills then returns -1 with an error,
 *                         6 exports 4 writable bytes and its releasebuffer raises
 *   release_twice(obj)    releases a view twice (the second: SystemError)
 *   release_unfilled(obj) releases a view Ix_GetBuffer did not fill (SystemError)
 *   keep(obj)             takes a view and never releases it (a leak close reports)
 */
#include <string.h>

#include "isolex.h"

typedef struct {
    IxObject *MatrixType, *CharsType, *BrokenType;
} BuffersState;

typedef struct {
    IxObject_HEAD
    int64_t rows, cols, exports;
    int fortran;
    int64_t shape[2], strides[2];
    double *data;
} Matrix;

typedef struct {
    IxObject_HEAD
    int64_t exports;
    char x_buffer[8];
} Chars;

typedef struct {
    IxObject_HEAD
    int64_t kind;
    char bytes[4];
    int64_t shape[1];
} Broken;

static BuffersState *mstate(IxContext *ctx, IxObject *module) { return IxModule_GetState(ctx, module); }

/* ---------------------------------------------------------------- Matrix */

static int matrix_getbuffer(IxContext *ctx, IxObject *self, IxBufferView *view, int flags)
{
    Matrix *m = (Matrix *)self;
    (void)flags; /* writable: any request is served; the host checks contiguity */
    view->obj = Ix_NewRef(ctx, self);
    view->buf = m->data;
    view->itemsize = sizeof(double);
    view->len = m->rows * m->cols * (int64_t)sizeof(double);
    view->readonly = 0;
    view->ndim = 2;
    view->format = "d";
    view->shape = m->shape;
    view->strides = m->strides;
    m->exports++;
    return 0;
}

static void matrix_releasebuffer(IxContext *ctx, IxObject *self, IxBufferView *view)
{
    (void)ctx, (void)view;
    ((Matrix *)self)->exports--;
}

static void matrix_dealloc(IxContext *ctx, IxObject *self)
{
    IxMem_Free(ctx, ((Matrix *)self)->data);
}

static IxObject *new_matrix(IxContext *ctx, IxObject *module, IxObject *const *args, int fortran)
{
    int64_t rows = IxLong_AsInt64(ctx, args[0]), cols = IxLong_AsInt64(ctx, args[1]);
    if (IxErr_Occurred(ctx)) return NULL;
    if (rows < 1 || cols < 1 || rows > 4096 || cols > 4096)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "matrix of %lld x %lld", (long long)rows,
                            (long long)cols);
    Matrix *m = (Matrix *)IxType_GenericAlloc(ctx, mstate(ctx, module)->MatrixType);
    if (!m) return NULL;
    m->rows = rows, m->cols = cols, m->fortran = fortran;
    m->shape[0] = rows, m->shape[1] = cols;
    m->strides[0] = fortran ? 8 : 8 * cols;
    m->strides[1] = fortran ? 8 * rows : 8;
    if (!(m->data = IxMem_Malloc(ctx, (size_t)(rows * cols) * sizeof(double)))) {
        Ix_Decref(ctx, &m->ob_base);
        return IxErr_NoMemory(ctx);
    }
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < cols; j++)
            m->data[(i * m->strides[0] + j * m->strides[1]) / 8] = (double)(i * cols + j);
    return &m->ob_base;
}

static IxObject *f_matrix(IxContext *ctx, IxObject *module, IxObject *const *args, size_t n)
{
    (void)n;
    return new_matrix(ctx, module, args, 0);
}

static IxObject *f_fortran(IxContext *ctx, IxObject *module, IxObject *const *args, size_t n)
{
    (void)n;
    return new_matrix(ctx, module, args, 1);
}

/* The item [i][j] of self, or NULL with an IndexError. */
static double *matrix_item(IxContext *ctx, Matrix *m, IxObject *const *args)
{
    int64_t i = IxLong_AsInt64(ctx, args[0]), j = IxLong_AsInt64(ctx, args[1]);
    if (IxErr_Occurred(ctx)) return NULL;
    if (i < 0 || j < 0 || i >= m->rows || j >= m->cols) {
        IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_INDEXERROR), "matrix index out of range");
        return NULL;
    }
    return &m->data[(i * m->strides[0] + j * m->strides[1]) / 8];
}

static IxObject *matrix_get(IxContext *ctx, IxObject *self, IxObject *const *args, size_t n)
{
    (void)n;
    double *p = matrix_item(ctx, (Matrix *)self, args);
    return p ? IxFloat_FromDouble(ctx, *p) : NULL;
}

static IxObject *matrix_set(IxContext *ctx, IxObject *self, IxObject *const *args, size_t n)
{
    (void)n;
    double *p = matrix_item(ctx, (Matrix *)self, args);
    double v = p ? IxFloat_AsDouble(ctx, args[2]) : 0;
    if (!p || IxErr_Occurred(ctx)) return NULL;
    *p = v;
    return Ix_ReturnNone(ctx);
}

static IxObject *matrix_exports(IxContext *ctx, IxObject *self, IxObject *const *args, size_t n)
{
    (void)args, (void)n;
    return IxLong_FromInt64(ctx, ((Matrix *)self)->exports);
}

static const IxMethodDef matrix_methods[] = {
    {"get", matrix_get, 2, 2, 0, "m.get(i, j): the item"},
    {"set", matrix_set, 3, 3, 0, "m.set(i, j, v)"},
    {"exports", matrix_exports, 0, 0, 0, "views of it not released yet"},
    IX_METHODS_END,
};

static const IxTypeSlot matrix_slots[] = {
    {IX_tp_dealloc, (void *)matrix_dealloc},
    {IX_tp_methods, (void *)matrix_methods},
    {IX_bf_getbuffer, (void *)matrix_getbuffer},
    {IX_bf_releasebuffer, (void *)matrix_releasebuffer},
    IX_TYPE_SLOTS_END,
};
static const IxTypeSpec matrix_spec = {"buffers.Matrix", sizeof(Matrix), IX_TPFLAGS_DEFAULT, matrix_slots};

/* ---------------------------------------------------------------- Chars (xxlimited's Xxo) */

static int chars_getbuffer(IxContext *ctx, IxObject *self, IxBufferView *view, int flags)
{
    Chars *c = (Chars *)self;
    int rc = IxBufferView_FillInfo(ctx, view, self, c->x_buffer, sizeof c->x_buffer, 0, flags);
    if (rc == 0) c->exports++;
    return rc;
}

static void chars_releasebuffer(IxContext *ctx, IxObject *self, IxBufferView *view)
{
    (void)ctx, (void)view;
    ((Chars *)self)->exports--;
}

static IxObject *chars_exports(IxContext *ctx, IxObject *self, IxObject *const *args, size_t n)
{
    (void)args, (void)n;
    return IxLong_FromInt64(ctx, ((Chars *)self)->exports);
}

static const IxMethodDef chars_methods[] = {
    {"exports", chars_exports, 0, 0, 0, "views of it not released yet"},
    IX_METHODS_END,
};

static const IxTypeSlot chars_slots[] = {
    {IX_tp_methods, (void *)chars_methods},
    {IX_bf_getbuffer, (void *)chars_getbuffer},
    {IX_bf_releasebuffer, (void *)chars_releasebuffer},
    IX_TYPE_SLOTS_END,
};
static const IxTypeSpec chars_spec = {"buffers.Chars", sizeof(Chars), IX_TPFLAGS_DEFAULT, chars_slots};

static IxObject *f_chars(IxContext *ctx, IxObject *module, IxObject *const *args, size_t n)
{
    (void)args, (void)n;
    Chars *c = (Chars *)IxType_GenericAlloc(ctx, mstate(ctx, module)->CharsType);
    if (c) memcpy(c->x_buffer, "isolex!", 8);
    return (IxObject *)c;
}

/* ---------------------------------------------------------------- Broken */

static int broken_getbuffer(IxContext *ctx, IxObject *self, IxBufferView *view, int flags)
{
    Broken *b = (Broken *)self;
    switch (b->kind) {
    case 0: return -1;
    case 1: return 0;
    case 2:
        IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "left set");
        return 0;
    case 3:
        if (IxBufferView_FillInfo(ctx, view, self, b->bytes, 4, 0, flags) < 0) return -1;
        b->shape[0] = 4;
        view->len = 5;
        view->shape = b->shape;
        return 0;
    case 4: return IxBufferView_FillInfo(ctx, view, self, b->bytes, 4, 1, 0); /* ignores flags */
    case 6: return IxBufferView_FillInfo(ctx, view, self, b->bytes, 4, 0, flags); /* release raises */
    default:
        if (IxBufferView_FillInfo(ctx, view, self, b->bytes, 4, 0, flags) < 0) return -1;
        IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "failed after filling");
        return -1;
    }
}

/* kind 6 exports normally; its release raises, an error with nowhere to go (ABI.md 6.8) */
static void broken_releasebuffer(IxContext *ctx, IxObject *self, IxBufferView *view)
{
    (void)view;
    if (((Broken *)self)->kind == 6)
        IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "raised in releasebuffer");
}

static const IxTypeSlot broken_slots[] = {
    {IX_bf_getbuffer, (void *)broken_getbuffer},
    {IX_bf_releasebuffer, (void *)broken_releasebuffer},
    IX_TYPE_SLOTS_END,
};
static const IxTypeSpec broken_spec = {"buffers.Broken", sizeof(Broken), IX_TPFLAGS_DEFAULT, broken_slots};

static IxObject *f_broken(IxContext *ctx, IxObject *module, IxObject *const *args, size_t n)
{
    (void)n;
    int64_t kind = IxLong_AsInt64(ctx, args[0]);
    if (IxErr_Occurred(ctx)) return NULL;
    Broken *b = (Broken *)IxType_GenericAlloc(ctx, mstate(ctx, module)->BrokenType);
    if (b) b->kind = kind;
    return (IxObject *)b;
}

/* ---------------------------------------------------------------- consumers */

static IxObject *f_sum(IxContext *ctx, IxObject *module, IxObject *const *args, size_t n)
{
    (void)module, (void)n;
    IxBufferView v;
    if (Ix_GetBuffer(ctx, args[0], &v, IX_BUF_FORMAT | IX_BUF_STRIDES) < 0) return NULL;
    double total = 0;
    if (strcmp(v.format, "d") == 0) { /* C-contiguous or not: walk the items by index */
        int64_t count = v.len / v.itemsize, idx[IX_BUF_MAX_NDIM] = {0};
        for (int64_t k = 0; k < count; k++) {
            int64_t off = 0;
            for (int32_t d = 0; d < v.ndim; d++) off += idx[d] * v.strides[d];
            double x;
            memcpy(&x, (const char *)v.buf + off, sizeof x);
            total += x;
            for (int32_t d = v.ndim; d-- > 0 && ++idx[d] == v.shape[d];) idx[d] = 0;
        }
    } else {
        for (int64_t k = 0; k < v.len; k++) total += ((const uint8_t *)v.buf)[k];
    }
    IxBufferView_Release(ctx, &v);
    return IxFloat_FromDouble(ctx, total);
}

static IxObject *f_fill(IxContext *ctx, IxObject *module, IxObject *const *args, size_t n)
{
    (void)module, (void)n;
    int64_t byte = IxLong_AsInt64(ctx, args[1]);
    if (IxErr_Occurred(ctx)) return NULL;
    IxBufferView v;
    if (Ix_GetBuffer(ctx, args[0], &v, IX_BUF_WRITABLE) < 0) return NULL;
    memset(v.buf, (int)byte, (size_t)v.len);
    int64_t len = v.len;
    IxBufferView_Release(ctx, &v);
    return IxLong_FromInt64(ctx, len);
}

static IxObject *ints(IxContext *ctx, const int64_t *v, int32_t n)
{
    IxObject *t = IxList_New(ctx);
    for (int32_t i = 0; t && i < n; i++) {
        IxObject *x = IxLong_FromInt64(ctx, v[i]);
        if (!x || IxList_Append(ctx, t, x) < 0) IX_CLEAR(ctx, t);
        if (x) Ix_Decref(ctx, x);
    }
    return t;
}

static IxObject *f_info(IxContext *ctx, IxObject *module, IxObject *const *args, size_t n)
{
    (void)module, (void)n;
    int64_t flags = IxLong_AsInt64(ctx, args[1]);
    if (IxErr_Occurred(ctx)) return NULL;
    IxBufferView v;
    if (Ix_GetBuffer(ctx, args[0], &v, (int)flags) < 0) return NULL;
    IxObject *items[7] = {IxLong_FromInt64(ctx, v.len), IxBool_FromInt(ctx, v.readonly),
                          IxLong_FromInt64(ctx, v.itemsize), IxStr_FromCString(ctx, v.format),
                          IxLong_FromInt64(ctx, v.ndim), ints(ctx, v.shape, v.ndim), ints(ctx, v.strides, v.ndim)};
    IxBufferView_Release(ctx, &v);
    IxObject *r = NULL;
    int all = 1;
    for (int i = 0; i < 7; i++) all = all && items[i];
    if (all) r = IxTuple_FromArray(ctx, items, 7);
    for (int i = 0; i < 7; i++)
        if (items[i]) Ix_Decref(ctx, items[i]);
    return r;
}

static IxObject *f_release_twice(IxContext *ctx, IxObject *module, IxObject *const *args, size_t n)
{
    (void)module, (void)n;
    IxBufferView v;
    if (Ix_GetBuffer(ctx, args[0], &v, IX_BUF_SIMPLE) < 0) return NULL;
    IxBufferView_Release(ctx, &v);
    IxBufferView_Release(ctx, &v);
    return IxErr_Occurred(ctx) ? NULL : Ix_ReturnNone(ctx);
}

static IxObject *f_release_unfilled(IxContext *ctx, IxObject *module, IxObject *const *args, size_t n)
{
    (void)module, (void)n;
    IxBufferView v;
    memset(&v, 0, sizeof v);
    IxBufferView_Release(ctx, &v); /* obj NULL: a no-op, as CPython's */
    if (IxErr_Occurred(ctx)) return NULL;
    v.obj = args[0]; /* looks filled, but Ix_GetBuffer never saw it */
    v.buf = "x";
    v.len = 1;
    IxBufferView_Release(ctx, &v);
    return IxErr_Occurred(ctx) ? NULL : Ix_ReturnNone(ctx);
}

static IxObject *f_keep(IxContext *ctx, IxObject *module, IxObject *const *args, size_t n)
{
    (void)module, (void)n;
    IxBufferView *v = IxMem_Malloc(ctx, sizeof *v);
    if (!v) return IxErr_NoMemory(ctx);
    if (Ix_GetBuffer(ctx, args[0], v, IX_BUF_SIMPLE) < 0) {
        IxMem_Free(ctx, v);
        return NULL;
    }
    return Ix_ReturnNone(ctx); /* v is never released: close reports it */
}

static const IxMethodDef buffers_methods[] = {
    {"matrix", f_matrix, 2, 2, 0, "matrix(rows, cols): a Matrix of doubles"},
    {"fortran", f_fortran, 2, 2, 0, "fortran(rows, cols): a Matrix in column order"},
    {"chars", f_chars, 0, 0, 0, "chars(): 8 bytes exported with IxBufferView_FillInfo"},
    {"broken", f_broken, 1, 1, 0, "broken(kind): an exporter that breaks a rule"},
    {"sum", f_sum, 1, 1, 0, "sum(obj): the sum of the items of obj's buffer"},
    {"fill", f_fill, 2, 2, 0, "fill(obj, byte): set every byte of obj's writable buffer"},
    {"info", f_info, 2, 2, 0, "info(obj, flags): what a view of obj holds"},
    {"release_twice", f_release_twice, 1, 1, 0, "releases a view twice"},
    {"release_unfilled", f_release_unfilled, 1, 1, 0, "releases a view never filled"},
    {"keep", f_keep, 1, 1, 0, "takes a view and never releases it"},
    IX_METHODS_END,
};

/* ---------------------------------------------------------------- module */

static int buffers_exec(IxContext *ctx, IxObject *module)
{
    BuffersState *st = mstate(ctx, module);
    return (st->MatrixType = IxType_FromSpec(ctx, module, &matrix_spec)) &&
                   (st->CharsType = IxType_FromSpec(ctx, module, &chars_spec)) &&
                   (st->BrokenType = IxType_FromSpec(ctx, module, &broken_spec)) &&
                   IxModule_AddType(ctx, module, st->MatrixType) == 0
               ? 0
               : -1;
}

static int buffers_traverse(IxContext *ctx, IxObject *module, IxVisitProc visit, void *arg)
{
    BuffersState *st = mstate(ctx, module);
    IX_VISIT(st->MatrixType);
    IX_VISIT(st->CharsType);
    IX_VISIT(st->BrokenType);
    return 0;
}

static int buffers_clear(IxContext *ctx, IxObject *module)
{
    BuffersState *st = mstate(ctx, module);
    IX_CLEAR(ctx, st->MatrixType);
    IX_CLEAR(ctx, st->CharsType);
    IX_CLEAR(ctx, st->BrokenType);
    return 0;
}

static void buffers_free(IxContext *ctx, IxObject *module)
{
    buffers_clear(ctx, module);
}

static const IxModuleSlot buffers_slots[] = {
    {IX_MOD_EXEC, (void *)buffers_exec},
    IX_MOD_SLOTS_END
};

static const IxModuleDef buffers_def = {
    IX_MODULEDEF_HEAD,
    .name = "buffers",
    .doc = "The buffer protocol: exporters, a consumer, and the rules broken.",
    .state_size = sizeof(BuffersState),
    .methods = buffers_methods,
    .slots = buffers_slots,
    .traverse = buffers_traverse,
    .clear = buffers_clear,
    .free = buffers_free,
};

IX_MODINIT(buffers)
{
    return &buffers_def;
}
