/*
 * bigops -- ints of any size through the ABI 1.2 entries (ABI.md 3.10), as an extension
 * author uses them.
 *
 *   fact(n)                          -> n! as an int: multiplied here, in little-endian
 *                                       bytes, and made with IxLong_FromBytes
 *   from_bytes(b, little, signed)    -> IxLong_FromBytes(b)
 *   to_bytes(x, n, little, signed)   -> the n bytes of IxLong_AsBytes(x); a value that needs
 *                                       more raises OverflowError: int needs K bytes, not n
 *   needed(x, signed)                -> the bytes x needs (IxLong_AsBytes into no buffer)
 *   parse(s, base)                   -> IxLong_FromString(s, base)
 *   as_int64(x)                      -> IxLong_FromInt64(IxLong_AsInt64(x)): x when it fits,
 *                                       else the host's OverflowError
 */
#include <stdint.h>
#include <string.h>

#include "isolex.h"

static int flag(IxContext *ctx, IxObject *o)
{
    return IxLong_AsInt64(ctx, o) != 0;
}

static IxObject *bigops_fact(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    int64_t n = IxLong_AsInt64(ctx, args[0]);
    if (n == -1 && IxErr_Occurred(ctx)) return NULL;
    if (n < 0 || n > 5000) return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "fact(%lld): n must be 0..5000", (long long)n);
    /* n! < n^n: n * 13 bits, at most, plus one byte for the sign of IxLong_FromBytes */
    size_t cap = (size_t)n * 13 / 8 + 2, len = 1;
    uint8_t *digits = IxMem_Calloc(ctx, cap, 1);
    if (!digits) return NULL;
    digits[0] = 1;
    for (int64_t k = 2; k <= n; k++) {
        uint32_t carry = 0;
        for (size_t i = 0; i < len; i++) {
            uint32_t t = digits[i] * (uint32_t)k + carry;
            digits[i] = (uint8_t)t;
            carry = t >> 8;
        }
        while (carry) {
            digits[len++] = (uint8_t)carry;
            carry >>= 8;
        }
    }
    IxObject *r = IxLong_FromBytes(ctx, digits, len, 1, 0);
    IxMem_Free(ctx, digits);
    return r;
}

static IxObject *bigops_from_bytes(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    size_t n;
    const uint8_t *b = IxBytes_AsData(ctx, args[0], &n);
    if (!b) return NULL;
    int little = flag(ctx, args[1]), is_signed = flag(ctx, args[2]);
    if (IxErr_Occurred(ctx)) return NULL;
    return IxLong_FromBytes(ctx, b, n, little, is_signed);
}

static IxObject *bigops_to_bytes(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    int64_t n = IxLong_AsInt64(ctx, args[1]);
    int little = flag(ctx, args[2]), is_signed = flag(ctx, args[3]);
    if (IxErr_Occurred(ctx)) return NULL;
    if (n < 0 || n > (1 << 20)) return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "to_bytes: n must be 0..2^20");
    uint8_t *buf = IxMem_Malloc(ctx, n ? (size_t)n : 1);
    if (!buf) return NULL;
    int64_t need = IxLong_AsBytes(ctx, args[0], buf, (size_t)n, little, is_signed);
    IxObject *r = need < 0 ? NULL
                : need > n ? IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_OVERFLOWERROR), "int needs %lld bytes, not %lld", (long long)need, (long long)n)
                           : IxBytes_FromData(ctx, buf, (size_t)n);
    IxMem_Free(ctx, buf);
    return r;
}

static IxObject *bigops_needed(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    int is_signed = flag(ctx, args[1]);
    if (IxErr_Occurred(ctx)) return NULL;
    int64_t need = IxLong_AsBytes(ctx, args[0], NULL, 0, 1, is_signed);
    return need < 0 ? NULL : IxLong_FromInt64(ctx, need);
}

static IxObject *bigops_parse(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    const char *s = IxStr_AsUTF8(ctx, args[0], NULL);
    int64_t base = IxLong_AsInt64(ctx, args[1]);
    if (!s || IxErr_Occurred(ctx)) return NULL;
    return IxLong_FromString(ctx, s, (int)base);
}

static IxObject *bigops_as_int64(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    int64_t v = IxLong_AsInt64(ctx, args[0]);
    if (v == -1 && IxErr_Occurred(ctx)) return NULL;
    return IxLong_FromInt64(ctx, v);
}

static const IxMethodDef bigops_methods[] = {
    {"fact", bigops_fact, 1, 1, 0, "fact(n) -> n! as an int"},
    {"from_bytes", bigops_from_bytes, 3, 3, 0, "from_bytes(b, little, signed) -> int"},
    {"to_bytes", bigops_to_bytes, 4, 4, 0, "to_bytes(x, n, little, signed) -> bytes"},
    {"needed", bigops_needed, 2, 2, 0, "needed(x, signed) -> int: the bytes x needs"},
    {"parse", bigops_parse, 2, 2, 0, "parse(s, base) -> int"},
    {"as_int64", bigops_as_int64, 1, 1, 0, "as_int64(x) -> x if it fits int64"},
    IX_METHODS_END
};

static const IxModuleDef bigops_def = {
    IX_MODULEDEF_HEAD,
    .name = "bigops",
    .doc = "Ints of any size through IxLong_FromBytes, IxLong_AsBytes and IxLong_FromString.",
    .methods = bigops_methods,
};

IX_MODINIT(bigops)
{
    return &bigops_def;
}
