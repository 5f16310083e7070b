/*
 * scenarios_buffers.c -- ABI 1.2's buffer protocol (ABI.md 3.50-3.59, 5.60): bytes, shared
 * buffers and test-ext/buffers' Matrix and Chars as exporters, every rule broken with its
 * exact message, in two interpreters at once (one in debug mode); then a view never
 * released, which close reports and still frees (zero live bytes, shared bytes included).
 */
#include <stdio.h>
#include <string.h>

#include "driver.h"

static IxObject *num(IxContext *ctx, int64_t v)
{
    return CHECK_OK(ctx, IxLong_FromInt64(ctx, v));
}

/* buffers.<fn>(o) or buffers.<fn>(o, i). */
static IxObject *call_on(IxContext *ctx, IxObject *m, const char *fn, IxObject *o, int64_t i, int with_int)
{
    IxObject *args[2] = {o, with_int ? num(ctx, i) : NULL};
    IxObject *r = ixd_call(ctx, m, fn, args, with_int ? 2 : 1);
    if (with_int) Ix_Decref(ctx, args[1]);
    return r;
}

static void check_builtins(IxContext *ctx)
{
    IxBufferView v;
    IxObject *b = CHECK_OK(ctx, IxBytes_FromData(ctx, "abc", 3)), *one = num(ctx, 1);
    CHECK_EQ_INT(Ix_GetBuffer(ctx, b, &v, IX_BUF_FORMAT | IX_BUF_ND), 0);
    CHECK(v.obj == b && v.len == 3 && v.readonly == 1 && v.itemsize == 1 && v.ndim == 1);
    CHECK_EQ_STR(v.format, "B");
    CHECK(v.shape[0] == 3 && v.strides[0] == 1 && memcmp(v.buf, "abc", 3) == 0);
    IxBufferView_Release(ctx, &v);
    CHECK(v.obj == NULL && !IxErr_Occurred(ctx));
    CHECK_ERROR_RC(ctx, Ix_GetBuffer(ctx, b, &v, IX_BUF_WRITABLE), "BufferError: Object is not writable.");
    CHECK(v.obj == NULL);
    IxBufferView_Release(ctx, &v); /* obj NULL: a no-op */
    CHECK(!IxErr_Occurred(ctx));
    CHECK_ERROR_RC(ctx, Ix_GetBuffer(ctx, one, &v, IX_BUF_SIMPLE), "TypeError: a bytes-like object is required, not 'int'");

    IxObject *sb = CHECK_OK(ctx, IxBuffer_New(ctx, 16));
    size_t n;
    uint8_t *data = IxBuffer_Data(ctx, sb, &n);
    CHECK_EQ_INT(Ix_GetBuffer(ctx, sb, &v, IX_BUF_WRITABLE), 0);
    CHECK(v.buf == data && v.len == 16 && v.readonly == 0); /* the same bytes: no copy */
    memset(v.buf, 7, 16);
    CHECK(data[15] == 7);
    Ix_Decref(ctx, sb); /* the view still holds the buffer object */
    CHECK(((uint8_t *)v.buf)[0] == 7);
    IxBufferView_Release(ctx, &v);
    CHECK_ERROR_RC(ctx, (IxBufferView_Release(ctx, &v), -1), "SystemError: IxBufferView_Release: the view was released already");
    IxObject *drop[] = {b, one};
    for (size_t i = 0; i < sizeof drop / sizeof *drop; i++) Ix_Decref(ctx, drop[i]);
}

static void check_module(IxContext *ctx)
{
    char buf[256];
    IxObject *m = IMPORT(ctx, "buffers");
    IxObject *mx = CHECK_OK(ctx, ixd_call_ints(ctx, m, "matrix", INTS(2, 3)));
    IxBufferView v;
    CHECK_EQ_INT(Ix_GetBuffer(ctx, mx, &v, IX_BUF_WRITABLE | IX_BUF_FORMAT | IX_BUF_STRIDES), 0);
    CHECK(v.ndim == 2 && v.shape[0] == 2 && v.shape[1] == 3 && v.strides[0] == 24 && v.strides[1] == 8);
    CHECK(v.len == 48 && v.itemsize == 8 && !v.readonly);
    CHECK_EQ_STR(v.format, "d");
    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, mx, "exports")), 1);
    ((double *)v.buf)[5] = 100.0; /* m[1][2]: 5 -> 100 */
    IxBufferView_Release(ctx, &v);
    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, mx, "exports")), 0);
    CHECK_EQ_STR(WANT_REPR(ctx, call_on(ctx, m, "sum", mx, 0, 0), buf), "110.0");
    CHECK_EQ_STR(WANT_REPR(ctx, call_on(ctx, m, "info", mx, IX_BUF_SIMPLE, 1), buf),
                 "(48, False, 8, 'd', 2, [2, 3], [24, 8])");

    IxObject *f = CHECK_OK(ctx, ixd_call_ints(ctx, m, "fortran", INTS(2, 3)));
    CHECK_ERROR(ctx, call_on(ctx, m, "info", f, IX_BUF_SIMPLE, 1),
                "BufferError: 'buffers.Matrix' object's buffer is not C-contiguous (ask with IX_BUF_STRIDES)");
    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, f, "exports")), 0); /* refused: released again */
    CHECK_EQ_STR(WANT_REPR(ctx, call_on(ctx, m, "sum", f, 0, 0), buf), "15.0");

    IxObject *c = CHECK_OK(ctx, CALL0(ctx, m, "chars"));
    CHECK_EQ_INT(WANT_INT(ctx, call_on(ctx, m, "fill", c, 'x', 1)), 8);
    CHECK_EQ_STR(WANT_REPR(ctx, call_on(ctx, m, "info", c, IX_BUF_SIMPLE, 1), buf),
                 "(8, False, 1, 'B', 1, [8], [1])");
    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, c, "exports")), 0);

    static const char *const broken[] = {
        "SystemError: buffers.Broken.__buffer__() returned -1 without setting an error",
        "SystemError: buffers.Broken.__buffer__() returned 0 without filling the view",
        "SystemError: buffers.Broken.__buffer__() returned a result with an error set <- ValueError: left set",
        "SystemError: buffers.Broken.__buffer__() filled an inconsistent view: len 5 is not itemsize times the shape (4)",
        "BufferError: Object is not writable.",
        "ValueError: failed after filling",
    };
    for (int k = 0; k < 6; k++) {
        IxObject *b = CHECK_OK(ctx, ixd_call_ints(ctx, m, "broken", INTS(k)));
        CHECK_ERROR(ctx, call_on(ctx, m, "fill", b, 0, 1), broken[k]);
        Ix_Decref(ctx, b);
    }
    CHECK_ERROR(ctx, call_on(ctx, m, "release_twice", mx, 0, 0),
                "SystemError: IxBufferView_Release: the view was released already");
    CHECK_ERROR(ctx, call_on(ctx, m, "release_unfilled", mx, 0, 0),
                "SystemError: IxBufferView_Release: the view was not filled by Ix_GetBuffer");
    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, mx, "exports")), 0);
    IxObject *drop[] = {m, mx, f, c};
    for (size_t i = 0; i < sizeof drop / sizeof *drop; i++) Ix_Decref(ctx, drop[i]);
}

/* A view never released: close reports it and the exporter it holds, and frees both. */
static void check_unreleased(void)
{
    IxInterp *in = OPEN();
    IxContext *ctx = ENTER(in);
    IxObject *m = IMPORT(ctx, "buffers");
    IxObject *sb = CHECK_OK(ctx, IxBuffer_New(ctx, 1000));
    Ix_Decref(ctx, CHECK_OK(ctx, call_on(ctx, m, "keep", sb, 0, 0)));
    Ix_Decref(ctx, sb);
    Ix_Decref(ctx, m);
    ixh_leave(ctx);
    char text[4096];
    const char *t = CLOSE_LEAKING(in, text);
    CHECK(strstr(t, "'(buffer view not released)': 1") != NULL);
    CHECK(strstr(t, "'buffer': 1") != NULL);
}

static void check_all(IxContext *ctx)
{
    check_builtins(ctx);
    check_module(ctx);
}

static IxObject *make_bytes(IxContext *ctx) { return IxBytes_FromData(ctx, "x", 1); }

static void refuse_bytes(IxContext *ctx, IxObject *bytes)
{
    IxBufferView v;
    CHECK_ERROR_RC(ctx, Ix_GetBuffer(ctx, bytes, &v, IX_BUF_SIMPLE),
                   "TypeError: expected an object of this interpreter, got bytes (an object of interpreter *)");
}

void ixd_buffers(int argc, char **argv)
{
    IXD_NO_ARGS;
    ixd_plain_and_debug(check_all, make_bytes, refuse_bytes);
    check_unreleased();
    CHECK_CLEAN();
}
