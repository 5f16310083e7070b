/*
 * channels -- queues and shared buffers from inside an interpreter (ABI.md 11, ABI 1.1).
 *
 *   new_queue(capacity)        a new queue (capacity <= 0: unbounded)
 *   put(q, value, timeout)     IxQueue_Put; QueueFull on timeout, TypeError if not shareable
 *   get(q, timeout)            IxQueue_Get; QueueEmpty on timeout
 *   size(q)                    IxQueue_Size
 *   new_buffer(n)              a zeroed shared buffer of n bytes
 *   fill(buffer, byte)         sets every byte; returns the buffer's size
 *   checksum(buffer)           sum of the bytes (proves what another interpreter wrote)
 *   address(buffer)            where its bytes are: equal across interpreters (no copy)
 *   pump(q_in, q_out, n)       moves n values from q_in to q_out (waiting for each)
 */
#include <stdint.h>

#include "isolex.h"

static double timeout_arg(IxContext *ctx, IxObject *o)
{
    return Ix_IsNone(ctx, o) ? -1.0 : IxFloat_AsDouble(ctx, o);
}

static IxObject *ch_new_queue(IxContext *ctx, IxObject *m, IxObject *const *args, size_t n)
{
    int64_t cap = IxLong_AsInt64(ctx, args[0]);
    if (cap == -1 && IxErr_Occurred(ctx)) return NULL;
    return IxQueue_New(ctx, cap);
}

static IxObject *ch_put(IxContext *ctx, IxObject *m, IxObject *const *args, size_t n)
{
    double t = n > 2 ? timeout_arg(ctx, args[2]) : -1.0;
    if (t == -1.0 && IxErr_Occurred(ctx)) return NULL;
    if (IxQueue_Put(ctx, args[0], args[1], t) < 0) return NULL;
    return Ix_ReturnNone(ctx);
}

static IxObject *ch_get(IxContext *ctx, IxObject *m, IxObject *const *args, size_t n)
{
    double t = n > 1 ? timeout_arg(ctx, args[1]) : -1.0;
    if (t == -1.0 && IxErr_Occurred(ctx)) return NULL;
    return IxQueue_Get(ctx, args[0], t);
}

static IxObject *ch_size(IxContext *ctx, IxObject *m, IxObject *const *args, size_t n)
{
    int64_t size = IxQueue_Size(ctx, args[0]);
    return size < 0 ? NULL : IxLong_FromInt64(ctx, size);
}

static IxObject *ch_new_buffer(IxContext *ctx, IxObject *m, IxObject *const *args, size_t n)
{
    int64_t size = IxLong_AsInt64(ctx, args[0]);
    if (size == -1 && IxErr_Occurred(ctx)) return NULL;
    if (size < 0) return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "size must be >= 0");
    return IxBuffer_New(ctx, (size_t)size);
}

static IxObject *ch_fill(IxContext *ctx, IxObject *m, IxObject *const *args, size_t n)
{
    size_t size;
    uint8_t *p = IxBuffer_Data(ctx, args[0], &size);
    int64_t byte = IxLong_AsInt64(ctx, args[1]);
    if (!p || (byte == -1 && IxErr_Occurred(ctx))) return NULL;
    for (size_t i = 0; i < size; i++) p[i] = (uint8_t)byte;
    return IxLong_FromInt64(ctx, (int64_t)size);
}

static IxObject *ch_checksum(IxContext *ctx, IxObject *m, IxObject *const *args, size_t n)
{
    size_t size;
    const uint8_t *p = IxBuffer_Data(ctx, args[0], &size);
    if (!p) return NULL;
    int64_t sum = 0;
    for (size_t i = 0; i < size; i++) sum += p[i];
    return IxLong_FromInt64(ctx, sum);
}

static IxObject *ch_address(IxContext *ctx, IxObject *m, IxObject *const *args, size_t n)
{
    uint8_t *p = IxBuffer_Data(ctx, args[0], NULL);
    return p ? IxLong_FromInt64(ctx, (int64_t)(intptr_t)p) : NULL;
}

static IxObject *ch_pump(IxContext *ctx, IxObject *m, IxObject *const *args, size_t n)
{
    int64_t count = IxLong_AsInt64(ctx, args[2]);
    if (count == -1 && IxErr_Occurred(ctx)) return NULL;
    for (int64_t i = 0; i < count; i++) {
        IxObject *v = IxQueue_Get(ctx, args[0], -1.0);
        if (!v) return NULL;
        int rc = IxQueue_Put(ctx, args[1], v, -1.0);
        Ix_Decref(ctx, v);
        if (rc < 0) return NULL;
    }
    return Ix_ReturnNone(ctx);
}

static const IxMethodDef ch_methods[] = {
    {"new_queue", ch_new_queue, 1, 1, 0, "new_queue(capacity) -> queue"},
    {"put", ch_put, 2, 3, 0, "put(q, value, timeout=None)"},
    {"get", ch_get, 1, 2, 0, "get(q, timeout=None) -> value"},
    {"size", ch_size, 1, 1, 0, "size(q) -> int"},
    {"new_buffer", ch_new_buffer, 1, 1, 0, "new_buffer(n) -> buffer"},
    {"fill", ch_fill, 2, 2, 0, "fill(buffer, byte) -> size"},
    {"checksum", ch_checksum, 1, 1, 0, "checksum(buffer) -> int"},
    {"address", ch_address, 1, 1, 0, "address(buffer) -> int"},
    {"pump", ch_pump, 3, 3, 0, "pump(q_in, q_out, n)"},
    IX_METHODS_END
};

static const IxModuleDef ch_def = {
    IX_MODULEDEF_HEAD,
    .name = "channels",
    .doc = "Queues and shared buffers from inside an interpreter.",
    .methods = ch_methods,
};

IX_MODINIT(channels)
{
    return &ch_def;
}
