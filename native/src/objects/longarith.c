/*
 * longarith.c -- int arithmetic (ABI 1.2, ABI.md 3.34-3.36): + - * / // % ** neg abs.
 *
 * Two ints that fit int64 take the fast path: the result is checked for overflow and, when
 * it overflows, the same operation runs again on magnitudes (32-bit limbs, long.c's form).
 * Every result goes through ix_long_finish, so one that fits int64 comes back inline: the
 * form stays canonical whichever path made it.
 *
 * Magnitudes: d[0..n), least significant limb first, no leading zero limbs. Scratch
 * comes from the interpreter's heap like everything else, so every byte is counted.
 * Runs under the interpreter lock of ctx, like every object operation.
 */
#include <math.h>
#include <string.h>

#include "ix_internal.h"

static bool is_big(IxObject *o)
{
    return ((IxIntObject *)o)->value == IX_INT_BIG;
}

static int64_t small(IxObject *o)
{
    return ((IxIntObject *)o)->value;
}

/* ---------------------------------------------------------------- magnitudes */

/* out = a + b (na >= nb); out has na + 1 limbs. The limbs used. */
static size_t mag_add(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, uint32_t *out)
{
    uint64_t carry = 0;
    for (size_t i = 0; i < na; i++) {
        carry += (uint64_t)a[i] + (i < nb ? b[i] : 0);
        out[i] = (uint32_t)carry;
        carry >>= 32;
    }
    out[na] = (uint32_t)carry;
    return na + 1;
}

/* out = a - b, a >= b; out has na limbs. */
static size_t mag_sub(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, uint32_t *out)
{
    int64_t borrow = 0;
    for (size_t i = 0; i < na; i++) {
        int64_t t = (int64_t)a[i] - (i < nb ? b[i] : 0) - borrow;
        borrow = t < 0;
        out[i] = (uint32_t)(t + (borrow ? ((int64_t)1 << 32) : 0));
    }
    return na;
}

/* out = a * b; out has na + nb zeroed limbs (schoolbook: operands here are small). */
static size_t mag_mul(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, uint32_t *out)
{
    for (size_t i = 0; i < na; i++) {
        uint64_t carry = 0;
        for (size_t j = 0; j < nb; j++) {
            uint64_t t = (uint64_t)a[i] * b[j] + out[i + j] + carry;
            out[i + j] = (uint32_t)t;
            carry = t >> 32;
        }
        out[i + nb] = (uint32_t)carry;
    }
    return na + nb;
}

static int leading_zeros(uint32_t x)
{
    return x ? __builtin_clz(x) : 32;
}

/* Knuth's algorithm D (Hacker's Delight divmnu): q = u / v (nu - nv + 1 limbs), r = u % v
 * (nv limbs), u >= v, nv >= 1, v[nv - 1] != 0. `work` has 2 * (nu + 1) limbs of scratch. */
static void mag_divmod(const uint32_t *u, size_t nu, const uint32_t *v, size_t nv, uint32_t *q, uint32_t *r,
                       uint32_t *work)
{
    const uint64_t b = (uint64_t)1 << 32;
    if (nv == 1) { /* one limb: short division */
        uint64_t rem = 0;
        for (size_t i = nu; i-- > 0;) {
            uint64_t t = rem << 32 | u[i];
            q[i] = (uint32_t)(t / v[0]);
            rem = t % v[0];
        }
        r[0] = (uint32_t)rem;
        return;
    }
    int s = leading_zeros(v[nv - 1]); /* normalise: v's top bit set */
    uint32_t *vn = work, *un = work + nv;
    for (size_t i = nv - 1; i > 0; i--) vn[i] = v[i] << s | (s ? (uint32_t)((uint64_t)v[i - 1] >> (32 - s)) : 0);
    vn[0] = v[0] << s;
    un[nu] = s ? (uint32_t)((uint64_t)u[nu - 1] >> (32 - s)) : 0;
    for (size_t i = nu - 1; i > 0; i--) un[i] = u[i] << s | (s ? (uint32_t)((uint64_t)u[i - 1] >> (32 - s)) : 0);
    un[0] = u[0] << s;
    for (size_t j = nu - nv + 1; j-- > 0;) {
        uint64_t num = (uint64_t)un[j + nv] << 32 | un[j + nv - 1];
        uint64_t qhat = num / vn[nv - 1], rhat = num % vn[nv - 1];
        while (qhat >= b || qhat * vn[nv - 2] > (rhat << 32 | un[j + nv - 2])) {
            qhat--;
            rhat += vn[nv - 1];
            if (rhat >= b) break;
        }
        int64_t borrow = 0, t;
        for (size_t i = 0; i < nv; i++) { /* un[j..] -= qhat * vn */
            uint64_t p = qhat * vn[i];
            t = (int64_t)un[i + j] - borrow - (int64_t)(p & 0xFFFFFFFFu);
            un[i + j] = (uint32_t)t;
            borrow = (int64_t)(p >> 32) - (t >> 32);
        }
        t = (int64_t)un[j + nv] - borrow;
        un[j + nv] = (uint32_t)t;
        q[j] = (uint32_t)qhat;
        if (t < 0) { /* qhat was one too big: add v back */
            q[j]--;
            uint64_t carry = 0;
            for (size_t i = 0; i < nv; i++) {
                carry += (uint64_t)un[i + j] + vn[i];
                un[i + j] = (uint32_t)carry;
                carry >>= 32;
            }
            un[j + nv] += (uint32_t)carry;
        }
    }
    for (size_t i = 0; i < nv - 1; i++) r[i] = un[i] >> s | (s ? (uint32_t)((uint64_t)un[i + 1] << (32 - s)) : 0);
    r[nv - 1] = un[nv - 1] >> s;
}

/* d += 1 in place; d has room for one more limb. The limbs used. */
static size_t mag_increment(uint32_t *d, size_t n)
{
    size_t i = 0;
    while (i < n && ++d[i] == 0) i++;
    if (i == n) d[n++] = 1;
    return n;
}

static size_t trim(const uint32_t *d, size_t n)
{
    while (n && !d[n - 1]) n--;
    return n;
}

/* ---------------------------------------------------------------- signed results */

/* A new int of sign `neg` and magnitude a +/- b (subtract: the magnitudes' difference). */
static IxObject *add_mags(IxContext *ctx, const IxLongMag *a, const IxLongMag *b, bool subtract_mags, bool neg)
{
    const IxLongMag *x = a, *y = b;
    if (ix_long_mag_compare(a->d, a->n, b->d, b->n) < 0) {
        x = b;
        y = a;
        if (subtract_mags) neg = !neg;
    }
    IxBigIntObject *r = ix_long_big_new(ctx, x->n + 1);
    if (!r) return NULL;
    size_t n = subtract_mags ? mag_sub(x->d, x->n, y->d, y->n, r->digits) : mag_add(x->d, x->n, y->d, y->n, r->digits);
    return ix_long_finish(ctx, r, n, neg);
}

/* a + b, or a - b (negate_b): same signs add magnitudes, different ones subtract. */
static IxObject *big_add(IxContext *ctx, IxObject *ao, IxObject *bo, bool negate_b)
{
    IxLongMag a, b;
    ix_long_mag(ao, &a);
    ix_long_mag(bo, &b);
    bool bneg = b.neg != negate_b && b.n;
    return add_mags(ctx, &a, &b, a.neg != bneg, a.neg);
}

static IxObject *big_mul(IxContext *ctx, IxObject *ao, IxObject *bo)
{
    IxLongMag a, b;
    ix_long_mag(ao, &a);
    ix_long_mag(bo, &b);
    IxBigIntObject *r = ix_long_big_new(ctx, a.n + b.n);
    if (!r) return NULL;
    size_t n = mag_mul(a.d, a.n, b.d, b.n, r->digits);
    return ix_long_finish(ctx, r, n, a.neg != b.neg);
}

/* Python's floor division and modulo (either pointer may be NULL): the quotient rounds
 * toward minus infinity, the remainder takes the divisor's sign. b is not zero. */
static int big_divmod(IxContext *ctx, IxObject *ao, IxObject *bo, IxObject **qo, IxObject **ro)
{
    IxLongMag a, b;
    ix_long_mag(ao, &a);
    ix_long_mag(bo, &b);
    size_t nq = a.n >= b.n ? a.n - b.n + 1 : 1;
    IxBigIntObject *q = ix_long_big_new(ctx, nq + 1);
    IxBigIntObject *r = q ? ix_long_big_new(ctx, b.n + 1) : NULL;
    uint32_t *work = r ? ix_mem_calloc(ctx, 2 * (a.n + b.n + 2), sizeof *work) : NULL;
    if (!work) {
        if (r) ix_object_free(ctx, &r->base.ob_base);
        if (q) ix_object_free(ctx, &q->base.ob_base);
        return -1;
    }
    size_t nr;
    if (ix_long_mag_compare(a.d, a.n, b.d, b.n) < 0) { /* |a| < |b|: q = 0, r = a */
        memcpy(r->digits, a.d, a.n * sizeof *a.d);
        nr = a.n;
    } else {
        mag_divmod(a.d, a.n, b.d, b.n, q->digits, r->digits, work);
        nr = trim(r->digits, b.n);
    }
    ix_mem_free(ctx, work);
    nq = trim(q->digits, nq);
    bool neg = a.neg != b.neg;
    if (neg && nr) { /* round toward minus infinity: |q| + 1, r = |b| - |r| */
        nq = mag_increment(q->digits, nq);
        nr = mag_sub(b.d, b.n, r->digits, nr, r->digits);
    }
    IxObject *qr = ix_long_finish(ctx, q, nq, neg);
    IxObject *rr = ix_long_finish(ctx, r, nr, b.neg);
    if (!qr || !rr) {
        IX_XDECREF(ctx, qr);
        IX_XDECREF(ctx, rr);
        return -1;
    }
    if (qo) *qo = qr; else IX_DECREF(ctx, qr);
    if (ro) *ro = rr; else IX_DECREF(ctx, rr);
    return 0;
}

/* ---------------------------------------------------------------- true division */

/* a / b correctly rounded (bar subnormal results): shift a so the quotient has 64 or more
 * bits, divide, fold the remainder into the lowest bit, and let the one rounding of
 * ix_long_mag_to_double do the rest. */
static IxObject *big_true_divide(IxContext *ctx, IxObject *ao, IxObject *bo)
{
    IxLongMag a, b;
    ix_long_mag(ao, &a);
    ix_long_mag(bo, &b);
    if (!a.n) return ix_float_from_double(ctx, a.neg != b.neg ? -0.0 : 0.0);
    int64_t shift = (int64_t)ix_long_bit_length(b.d, b.n) - (int64_t)ix_long_bit_length(a.d, a.n) + 66;
    if (shift < 0) shift = 0;
    size_t limbs = (size_t)shift / 32, bits = (size_t)shift % 32;
    size_t nu = a.n + limbs + 1, nq = nu + 1;
    uint32_t *buf = ix_mem_calloc(ctx, nu + nq + b.n + 2 * (nu + 1) + 1, sizeof *buf);
    if (!buf) return NULL;
    uint32_t *u = buf, *q = u + nu, *r = q + nq, *work = r + b.n;
    for (size_t i = 0; i < a.n; i++) { /* u = |a| << shift */
        u[i + limbs] |= a.d[i] << bits;
        if (bits) u[i + limbs + 1] = (uint32_t)((uint64_t)a.d[i] >> (32 - bits));
    }
    nu = trim(u, nu);
    memset(q, 0, nq * sizeof *q);
    double d;
    if (ix_long_mag_compare(u, nu, b.d, b.n) < 0) {
        d = 0.0;
    } else {
        mag_divmod(u, nu, b.d, b.n, q, r, work);
        if (trim(r, b.n)) q[0] |= 1; /* sticky: the quotient was not exact */
        IxLongMag m = {.d = q, .n = trim(q, nu - b.n + 1)};
        d = ldexp(ix_long_mag_to_double(&m), -(int)shift);
    }
    ix_mem_free(ctx, buf);
    if (isinf(d))
        return ix_err_format(ctx, IX_EXC_OVERFLOWERROR, "integer division result too large for a float");
    return ix_float_from_double(ctx, a.neg != b.neg ? -d : d);
}

/* ---------------------------------------------------------------- the operations */

static IxObject *zero_division(IxContext *ctx, int op)
{
    ix_err_set(ctx, IX_EXC_ZERODIVISIONERROR,
               op == IX_NB_TRUE_DIVIDE ? "division by zero"
               : op == IX_NB_REMAINDER ? "integer modulo by zero"
                                       : "integer division or modulo by zero");
    return NULL;
}

static bool is_zero(IxObject *o)
{
    return small(o) == 0; /* a big int is never zero */
}

/* Both int64 (neither big): the fast path; false when it overflowed. */
static bool small_binary(int op, int64_t x, int64_t y, int64_t *out)
{
    switch (op) {
    case IX_NB_ADD: return !__builtin_add_overflow(x, y, out);
    case IX_NB_SUBTRACT: return !__builtin_sub_overflow(x, y, out);
    case IX_NB_MULTIPLY: return !__builtin_mul_overflow(x, y, out);
    case IX_NB_FLOOR_DIVIDE: { /* no overflow: INT64_MIN is never small */
        int64_t q = x / y;
        if ((x % y != 0) && ((x < 0) != (y < 0))) q--;
        *out = q;
        return true;
    }
    case IX_NB_REMAINDER: {
        int64_t r = x % y;
        if (r != 0 && ((r < 0) != (y < 0))) r += y;
        *out = r;
        return true;
    }
    }
    return false;
}

IxObject *ix_long_binary(IxContext *ctx, IxObject *a, IxObject *b, int op)
{
    bool divides = op == IX_NB_TRUE_DIVIDE || op == IX_NB_FLOOR_DIVIDE || op == IX_NB_REMAINDER;
    if (divides && is_zero(b)) return zero_division(ctx, op);
    if (!is_big(a) && !is_big(b)) {
        int64_t x = small(a), y = small(b), r;
        if (op == IX_NB_TRUE_DIVIDE && x >= -(1LL << 53) && x <= (1LL << 53) && y >= -(1LL << 53) &&
            y <= (1LL << 53))
            return ix_float_from_double(ctx, (double)x / (double)y); /* exact operands: one rounding */
        if (op != IX_NB_TRUE_DIVIDE && small_binary(op, x, y, &r)) return ix_long_from_int64(ctx, r);
    }
    IxObject *r = NULL;
    switch (op) {
    case IX_NB_ADD: return big_add(ctx, a, b, false);
    case IX_NB_SUBTRACT: return big_add(ctx, a, b, true);
    case IX_NB_MULTIPLY: return big_mul(ctx, a, b);
    case IX_NB_TRUE_DIVIDE: return big_true_divide(ctx, a, b);
    case IX_NB_FLOOR_DIVIDE: return big_divmod(ctx, a, b, &r, NULL) < 0 ? NULL : r;
    case IX_NB_REMAINDER: return big_divmod(ctx, a, b, NULL, &r) < 0 ? NULL : r;
    }
    return ix_err_format(ctx, IX_EXC_SYSTEMERROR, "unknown int operation %d", op);
}

IxObject *ix_long_negative(IxContext *ctx, IxObject *a)
{
    if (!is_big(a)) return ix_long_from_int64(ctx, -small(a)); /* small: never INT64_MIN */
    IxLongMag m;
    ix_long_mag(a, &m);
    IxBigIntObject *r = ix_long_big_new(ctx, m.n);
    if (!r) return NULL;
    memcpy(r->digits, m.d, m.n * sizeof *m.d);
    return ix_long_finish(ctx, r, m.n, !m.neg);
}

IxObject *ix_long_absolute(IxContext *ctx, IxObject *a)
{
    IxLongMag m;
    ix_long_mag(a, &m);
    if (m.neg) return ix_long_negative(ctx, a);
    if (IX_IS(ctx, a, IX_TYPE_INT)) {
        IX_INCREF(a);
        return a;
    }
    return ix_long_from_int64(ctx, small(a)); /* abs(True) is the int 1 */
}

/* ---------------------------------------------------------------- power */

/* r = r op b, consuming r's reference; NULL (r released) on failure. */
static IxObject *step(IxContext *ctx, IxObject *r, IxObject *b, int op)
{
    IxObject *n = r ? ix_long_binary(ctx, r, b, op) : NULL;
    IX_XDECREF(ctx, r);
    return n;
}

/* (r * b) % m, or r * b when m is NULL. */
static IxObject *mul_mod(IxContext *ctx, IxObject *r, IxObject *b, IxObject *m)
{
    r = step(ctx, r, b, IX_NB_MULTIPLY);
    return m ? step(ctx, r, m, IX_NB_REMAINDER) : r;
}

/* The inverse of a modulo m (m > 0) by the extended Euclidean algorithm, or NULL with
 * ValueError when gcd(a, m) != 1. */
static IxObject *mod_inverse(IxContext *ctx, IxObject *a, IxObject *m)
{
    IxObject *r0 = ix_long_binary(ctx, a, m, IX_NB_REMAINDER), *r1 = m, *s0 = ix_long_from_int64(ctx, 1),
             *s1 = ix_long_from_int64(ctx, 0);
    IX_INCREF(m);
    while (r0 && s0 && s1 && !is_zero(r1)) {
        IxObject *q = ix_long_binary(ctx, r0, r1, IX_NB_FLOOR_DIVIDE);
        IxObject *qr = q ? ix_long_binary(ctx, q, r1, IX_NB_MULTIPLY) : NULL;
        IxObject *qs = q ? ix_long_binary(ctx, q, s1, IX_NB_MULTIPLY) : NULL;
        IxObject *r2 = qr ? ix_long_binary(ctx, r0, qr, IX_NB_SUBTRACT) : NULL;
        IxObject *s2 = qs ? ix_long_binary(ctx, s0, qs, IX_NB_SUBTRACT) : NULL;
        IX_XDECREF(ctx, q);
        IX_XDECREF(ctx, qr);
        IX_XDECREF(ctx, qs);
        IX_DECREF(ctx, r0);
        IX_DECREF(ctx, s0);
        r0 = r1, s0 = s1, r1 = r2, s1 = s2;
        if (!r1 || !s1) break;
    }
    IxObject *inv = NULL;
    if (r0 && r1 && s0 && s1) {
        if (small(r0) == 1 && !is_big(r0)) inv = ix_long_binary(ctx, s0, m, IX_NB_REMAINDER);
        else ix_err_set(ctx, IX_EXC_VALUEERROR, "base is not invertible for the given modulus");
    }
    IX_XDECREF(ctx, r0);
    IX_XDECREF(ctx, r1);
    IX_XDECREF(ctx, s0);
    IX_XDECREF(ctx, s1);
    return inv;
}

/* Results past this many bits are refused as out of memory before any work is done. */
#define POW_MAX_BITS ((uint64_t)1 << 32)

/* base ** e (e >= 0), reduced modulo m on the way when m is not NULL. */
static IxObject *pow_nonneg(IxContext *ctx, IxObject *base, IxObject *e, IxObject *m)
{
    IxLongMag em, bm;
    ix_long_mag(e, &em);
    ix_long_mag(base, &bm);
    size_t ebits = ix_long_bit_length(em.d, em.n), bbits = ix_long_bit_length(bm.d, bm.n);
    if (!m && bbits > 1 && (ebits > 32 || (uint64_t)(bbits - 1) * (em.d[0] | (uint64_t)0) > POW_MAX_BITS))
    {
        ix_err_no_memory(ctx);
        return NULL;
    }
    IxObject *r = ix_long_from_int64(ctx, 1);
    if (m) r = step(ctx, r, m, IX_NB_REMAINDER);
    for (size_t i = ebits; i-- > 0 && r;) { /* left to right: square, multiply by the bit */
        r = mul_mod(ctx, r, r, m);
        if (r && (em.d[i / 32] >> (i % 32) & 1)) r = mul_mod(ctx, r, base, m);
    }
    return r;
}

IxObject *ix_long_power(IxContext *ctx, IxObject *a, IxObject *b, IxObject *m)
{
    IxLongMag bm;
    ix_long_mag(b, &bm);
    if (!m) {
        if (!bm.neg) return pow_nonneg(ctx, a, b, NULL);
        double x = ix_float_as_double(ctx, a), y = ix_float_as_double(ctx, b); /* 2 ** -1 == 0.5 */
        if (ix_err_pending(ctx)) return NULL;
        return ix_float_power(ctx, x, y);
    }
    if (is_zero(m)) {
        ix_err_set(ctx, IX_EXC_VALUEERROR, "pow() 3rd argument cannot be 0");
        return NULL;
    }
    IxObject *base = a, *e = b, *am = ix_long_absolute(ctx, m);
    if (!am) return NULL;
    IX_INCREF(base);
    IX_INCREF(e);
    if (bm.neg) { /* pow(a, -e, m) == pow(inverse of a, e, m) */
        IxObject *inv = mod_inverse(ctx, a, am), *ne = ix_long_negative(ctx, b);
        IX_DECREF(ctx, base);
        IX_DECREF(ctx, e);
        base = inv, e = ne;
    }
    IxObject *r = base && e ? pow_nonneg(ctx, base, e, am) : NULL;
    IX_XDECREF(ctx, base);
    IX_XDECREF(ctx, e);
    IX_DECREF(ctx, am);
    /* reduced modulo |m| (>= 0); Python's result takes m's sign */
    IxLongMag mm;
    ix_long_mag(m, &mm);
    return r && !is_zero(r) && mm.neg ? step(ctx, r, m, IX_NB_ADD) : r;
}

/* ---------------------------------------------------------------- bitwise (two's complement) */

/* m as n limbs of two's complement (n above m's limbs, so the top one holds the sign). */
static void to_twos(const IxLongMag *m, uint32_t *out, size_t n)
{
    uint64_t carry = 1;
    for (size_t i = 0; i < n; i++) {
        uint32_t v = i < m->n ? m->d[i] : 0;
        if (m->neg) { /* the complement plus one */
            carry += (uint32_t)~v;
            v = (uint32_t)carry;
            carry >>= 32;
        }
        out[i] = v;
    }
}

/* The int whose n-limb two's complement r holds (in place: a negative's is negated). */
static IxObject *from_twos(IxContext *ctx, IxBigIntObject *r, size_t n)
{
    bool neg = r->digits[n - 1] >> 31;
    if (neg) {
        uint64_t carry = 1;
        for (size_t i = 0; i < n; i++) {
            carry += (uint32_t)~r->digits[i];
            r->digits[i] = (uint32_t)carry;
            carry >>= 32;
        }
    }
    return ix_long_finish(ctx, r, n, neg);
}

/* a & b, a | b, a ^ b as Python defines them: on the infinite two's complement. */
static IxObject *big_logic(IxContext *ctx, IxObject *ao, IxObject *bo, int op)
{
    IxLongMag a, b;
    ix_long_mag(ao, &a);
    ix_long_mag(bo, &b);
    size_t n = (a.n > b.n ? a.n : b.n) + 1;
    IxBigIntObject *r = ix_long_big_new(ctx, n);
    uint32_t *y = r ? ix_mem_malloc(ctx, n * sizeof *y) : NULL;
    if (!y) {
        if (r) ix_object_free(ctx, &r->base.ob_base);
        return NULL;
    }
    to_twos(&a, r->digits, n);
    to_twos(&b, y, n);
    for (size_t i = 0; i < n; i++)
        r->digits[i] = op == IX_NB_AND ? r->digits[i] & y[i] : op == IX_NB_OR ? r->digits[i] | y[i] : r->digits[i] ^ y[i];
    ix_mem_free(ctx, y);
    return from_twos(ctx, r, n);
}

/* |a| shifted left by k bits, a's sign. */
static IxObject *big_lshift(IxContext *ctx, const IxLongMag *a, uint64_t k)
{
    size_t limbs = (size_t)(k / 32), bits = (size_t)(k % 32), n = a->n + limbs + 1;
    IxBigIntObject *r = ix_long_big_new(ctx, n);
    if (!r) return NULL;
    for (size_t i = 0; i < a->n; i++) {
        r->digits[i + limbs] |= a->d[i] << bits;
        if (bits) r->digits[i + limbs + 1] = (uint32_t)((uint64_t)a->d[i] >> (32 - bits));
    }
    return ix_long_finish(ctx, r, n, a->neg);
}

/* a >> k: floor(a / 2^k), so a negative rounds toward minus infinity: -((|a| - 1) >> k) - 1. */
static IxObject *big_rshift(IxContext *ctx, const IxLongMag *a, uint64_t k)
{
    size_t limbs = (size_t)(k / 32), bits = (size_t)(k % 32);
    IxBigIntObject *r = ix_long_big_new(ctx, a->n + 1);
    if (!r) return NULL;
    memcpy(r->digits, a->d, a->n * sizeof *a->d);
    size_t n = a->n;
    if (a->neg) { /* |a| - 1 */
        uint32_t one = 1;
        n = trim(r->digits, mag_sub(r->digits, n, &one, 1, r->digits));
    }
    size_t out = limbs < n ? n - limbs : 0;
    for (size_t i = 0; i < out; i++) {
        uint64_t lo = r->digits[i + limbs], hi = i + limbs + 1 < n ? r->digits[i + limbs + 1] : 0;
        r->digits[i] = (uint32_t)((hi << 32 | lo) >> bits);
    }
    memset(r->digits + out, 0, (a->n + 1 - out) * sizeof *r->digits);
    out = trim(r->digits, out);
    if (a->neg) out = mag_increment(r->digits, out);
    return ix_long_finish(ctx, r, out, a->neg);
}

static IxObject *shift(IxContext *ctx, IxObject *a, IxObject *b, int op)
{
    IxLongMag am, bm;
    ix_long_mag(a, &am);
    ix_long_mag(b, &bm);
    if (bm.neg) {
        ix_err_set(ctx, IX_EXC_VALUEERROR, "negative shift count");
        return NULL;
    }
    size_t kbits = ix_long_bit_length(bm.d, bm.n);
    uint64_t k = bm.n ? bm.d[0] | (bm.n > 1 ? (uint64_t)bm.d[1] << 32 : 0) : 0;
    if (!am.n) return ix_long_from_int64(ctx, 0);
    if (op == IX_NB_RSHIFT) {
        if (kbits > 63) return ix_long_from_int64(ctx, am.neg ? -1 : 0);
        if (!is_big(a)) return ix_long_from_int64(ctx, k >= 64 ? (am.neg ? -1 : 0) : small(a) >> k);
        return big_rshift(ctx, &am, k);
    }
    if (kbits > 32 || ix_long_bit_length(am.d, am.n) + k > POW_MAX_BITS) { /* as for **: refused up front */
        ix_err_no_memory(ctx);
        return NULL;
    }
    int64_t r;
    if (!is_big(a) && k < 63 && !__builtin_mul_overflow(small(a), (int64_t)1 << k, &r)) return ix_long_from_int64(ctx, r);
    return big_lshift(ctx, &am, k);
}

IxObject *ix_long_bitwise(IxContext *ctx, IxObject *a, IxObject *b, int op)
{
    if (op == IX_NB_LSHIFT || op == IX_NB_RSHIFT) return shift(ctx, a, b, op);
    if (!is_big(a) && !is_big(b)) { /* int64 in, int64 out (INT64_MIN made big by the constructor) */
        int64_t x = small(a), y = small(b);
        int64_t r = op == IX_NB_AND ? x & y : op == IX_NB_OR ? x | y : x ^ y;
        bool bools = IX_IS(ctx, a, IX_TYPE_BOOL) && IX_IS(ctx, b, IX_TYPE_BOOL);
        return bools ? ix_bool_from_int(ctx, (int)r) : ix_long_from_int64(ctx, r); /* True & True is True */
    }
    return big_logic(ctx, a, b, op);
}

/* ~a == -a - 1. */
IxObject *ix_long_invert(IxContext *ctx, IxObject *a)
{
    if (!is_big(a)) return ix_long_from_int64(ctx, ~small(a));
    IxObject *n = ix_long_negative(ctx, a), *one = n ? ix_long_from_int64(ctx, 1) : NULL;
    IxObject *r = one ? ix_long_binary(ctx, n, one, IX_NB_SUBTRACT) : NULL;
    IX_XDECREF(ctx, n);
    IX_XDECREF(ctx, one);
    return r;
}
