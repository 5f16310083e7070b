/*
 * long.c -- ints beyond int64 (ABI.md 3.10).
 *
 * An int that fits int64 (all but INT64_MIN) holds its value inline (IxIntObject): the
 * fast path, which numbers.c keeps. A bigger one is an IxBigIntObject: value IX_INT_BIG,
 * a sign, and a magnitude in 32-bit limbs, least significant first, none of them leading
 * zeros. Every constructor demotes a value that fits, so the form is canonical: a small
 * and a big int are never equal, and a big one is never zero.
 *
 * 32-bit limbs keep every step in portable uint64_t arithmetic. Temporaries come from the
 * interpreter's heap like the ints themselves, so every byte is counted.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "ix_internal.h"

/* A magnitude to read (ix_internal.h). */
typedef IxLongMag Mag;

static bool is_big(IxObject *o)
{
    return ((IxIntObject *)o)->value == IX_INT_BIG;
}

static IxBigIntObject *big_of(IxObject *o)
{
    return (IxBigIntObject *)o;
}

/* m must not be copied afterwards: m->d may point into it. */
void ix_long_mag(IxObject *o, Mag *m)
{
    if (is_big(o)) {
        m->d = big_of(o)->digits;
        m->n = big_of(o)->size;
        m->neg = big_of(o)->negative != 0;
        return;
    }
    int64_t v = ((IxIntObject *)o)->value;
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
    m->tmp[0] = (uint32_t)u;
    m->tmp[1] = (uint32_t)(u >> 32);
    m->d = m->tmp;
    m->n = m->tmp[1] ? 2 : m->tmp[0] ? 1 : 0;
    m->neg = v < 0;
}

size_t ix_long_bit_length(const uint32_t *d, size_t n)
{
    if (!n) return 0;
    uint32_t top = d[n - 1];
    size_t bits = 0;
    while (top) {
        bits++;
        top >>= 1;
    }
    return (n - 1) * 32 + bits;
}

int ix_long_mag_compare(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    if (na != nb) return na < nb ? -1 : 1;
    for (size_t i = na; i-- > 0;)
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
}

/* ---------------------------------------------------------------- making big ints */

/* A big int of `limbs` zero limbs (size not yet set), or NULL with MemoryError. */
IxBigIntObject *ix_long_big_new(IxContext *ctx, size_t limbs)
{
    if (limbs > UINT32_MAX || limbs > (SIZE_MAX - sizeof(IxBigIntObject)) / sizeof(uint32_t)) {
        ix_err_no_memory(ctx);
        return NULL;
    }
    IxBigIntObject *b = (IxBigIntObject *)ix_builtin_alloc(ctx, IX_TYPE_INT, sizeof *b + limbs * sizeof(uint32_t));
    if (!b) return NULL;
    b->base.value = IX_INT_BIG;
    b->size = 0;
    b->negative = 0; /* and the limbs are zero: objects are allocated zeroed */
    return b;
}

/* The canonical int for b's first `limbs` limbs and sign: b itself, or (freeing b) a small
 * int when the value fits. Whatever b's allocation had beyond the top limb stays unused. */
IxObject *ix_long_finish(IxContext *ctx, IxBigIntObject *b, size_t limbs, bool negative)
{
    while (limbs && !b->digits[limbs - 1]) limbs--;
    if (limbs <= 2) {
        uint64_t u = limbs ? b->digits[0] | (limbs > 1 ? (uint64_t)b->digits[1] << 32 : 0) : 0;
        if (u <= (uint64_t)INT64_MAX) {
            ix_object_free(ctx, &b->base.ob_base);
            return ix_long_from_int64(ctx, negative ? -(int64_t)u : (int64_t)u);
        }
    }
    b->size = (uint32_t)limbs;
    b->negative = negative;
    return &b->base.ob_base;
}

/* A big int is the only form of INT64_MIN: magnitude 2^63. */
IxObject *ix_long_int64_min(IxContext *ctx)
{
    IxBigIntObject *b = ix_long_big_new(ctx, 2);
    if (!b) return NULL;
    b->digits[1] = 0x80000000u;
    b->size = 2;
    b->negative = 1;
    return &b->base.ob_base;
}

/* INT64_MIN is the one big int that fits; any other raises. */
int64_t ix_long_big_as_int64(IxContext *ctx, IxObject *o)
{
    IxBigIntObject *b = big_of(o);
    if (b->negative && b->size == 2 && b->digits[1] == 0x80000000u && b->digits[0] == 0) return INT64_MIN;
    ix_err_format(ctx, IX_EXC_OVERFLOWERROR, "int too big to convert to int64");
    return -1;
}

/* ---------------------------------------------------------------- bytes */

/* Byte i (0 = least significant) of an n-byte array in the given order. */
static unsigned byte_at(const uint8_t *p, size_t n, int little_endian, size_t i)
{
    return p[little_endian ? i : n - 1 - i];
}

IxObject *ix_long_from_bytes(IxContext *ctx, const uint8_t *bytes, size_t n, int little_endian,
                             int is_signed)
{
    if (n && !bytes) return ix_err_format(ctx, IX_EXC_VALUEERROR, "IxLong_FromBytes: bytes is NULL but n is %zu", n);
    bool negative = is_signed && n && (byte_at(bytes, n, little_endian, n - 1) & 0x80);
    unsigned ext = negative ? 0xff : 0;
    /* k: the bytes that matter; those above are sign extension */
    size_t k = n;
    while (k && byte_at(bytes, n, little_endian, k - 1) == ext) k--;
    if (negative && (k == 0 || !(byte_at(bytes, n, little_endian, k - 1) & 0x80))) k++;
    if (k <= 8) { /* the fast path: no big int made on the way */
        uint64_t u = 0;
        for (size_t i = k; i-- > 0;) u = u << 8 | byte_at(bytes, n, little_endian, i);
        if (negative && k < 8) u |= ~(uint64_t)0 << (8 * k);
        if (negative || u <= (uint64_t)INT64_MAX) {
            if ((int64_t)u != IX_INT_BIG) return ix_long_from_int64(ctx, (int64_t)u);
            return ix_long_int64_min(ctx);
        }
    }
    size_t limbs = (k + 3) / 4;
    IxBigIntObject *b = ix_long_big_new(ctx, limbs);
    if (!b) return NULL;
    unsigned carry = 1; /* a negative's magnitude is its complement plus one */
    for (size_t i = 0; i < k; i++) {
        unsigned v = byte_at(bytes, n, little_endian, i);
        if (negative) {
            v = (~v & 0xff) + carry;
            carry = v >> 8;
            v &= 0xff;
        }
        b->digits[i / 4] |= (uint32_t)v << (8 * (i % 4));
    }
    return ix_long_finish(ctx, b, limbs, negative);
}

/* Bytes the value needs: as two's complement (signed), or its magnitude (unsigned). */
static size_t bytes_needed(const Mag *m, bool is_signed)
{
    size_t bits = ix_long_bit_length(m->d, m->n);
    if (!bits) return 0;
    if (is_signed) {
        bool pow2 = true; /* -2^k needs k + 1 bits, like 2^k - 1 */
        for (size_t i = 0; i < m->n && pow2; i++)
            pow2 = i + 1 < m->n ? m->d[i] == 0 : (m->d[i] & (m->d[i] - 1)) == 0;
        if (!(m->neg && pow2)) bits++;
    }
    return (bits + 7) / 8;
}

/* The low n bytes of the two's complement of m, in the given order. */
static void write_bytes(const Mag *m, uint8_t *out, size_t n, int little_endian)
{
    unsigned carry = 1;
    for (size_t i = 0; i < n; i++) {
        unsigned v = i / 4 < m->n ? (m->d[i / 4] >> (8 * (i % 4))) & 0xff : 0;
        if (m->neg) {
            v = (~v & 0xff) + carry;
            carry = v >> 8;
            v &= 0xff;
        }
        out[little_endian ? i : n - 1 - i] = (uint8_t)v;
    }
}

int64_t ix_long_as_bytes(IxContext *ctx, IxObject *o, uint8_t *buf, size_t n, int little_endian,
                         int is_signed)
{
    if (!ix_is_int(ctx, o)) {
        ix_err_wrong_type(ctx, "int", o);
        return -1;
    }
    if (n && !buf) {
        ix_err_format(ctx, IX_EXC_VALUEERROR, "IxLong_AsBytes: buffer is NULL but its size is %zu", n);
        return -1;
    }
    Mag m;
    ix_long_mag(o, &m);
    if (m.neg && !is_signed) {
        ix_err_format(ctx, IX_EXC_OVERFLOWERROR, "can't convert negative int to unsigned");
        return -1;
    }
    write_bytes(&m, buf, n, little_endian);
    return (int64_t)bytes_needed(&m, is_signed);
}

size_t ix_long_wire_size(IxObject *o)
{
    Mag m;
    ix_long_mag(o, &m);
    return bytes_needed(&m, true);
}

void ix_long_wire_write(IxObject *o, uint8_t *out, size_t n)
{
    Mag m;
    ix_long_mag(o, &m);
    write_bytes(&m, out, n, 1);
}

/* Is this the wire's one form of an int (ABI.md 12.5): outside int64, in the fewest bytes? */
bool ix_long_wire_canonical(const uint8_t *p, size_t n)
{
    if (n < 9) return false; /* 8 bytes or fewer fit int64: that is IXW_INT */
    uint8_t top = p[n - 1], next_sign = p[n - 2] & 0x80;
    return !(top == 0 && !next_sign) && !(top == 0xff && next_sign);
}

/* ---------------------------------------------------------------- text */

/* d[0..*n) = d * mul + add; d has room for one more limb. */
static void mag_mul_add(uint32_t *d, size_t *n, uint32_t mul, uint32_t add)
{
    uint64_t carry = add;
    for (size_t i = 0; i < *n; i++) {
        uint64_t t = (uint64_t)d[i] * mul + carry;
        d[i] = (uint32_t)t;
        carry = t >> 32;
    }
    if (carry) d[(*n)++] = (uint32_t)carry;
}

/* d[0..*n) /= div, dropping leading zero limbs; the remainder. */
static uint32_t mag_div_small(uint32_t *d, size_t *n, uint32_t div)
{
    uint64_t rem = 0;
    for (size_t i = *n; i-- > 0;) {
        uint64_t t = rem << 32 | d[i];
        d[i] = (uint32_t)(t / div);
        rem = t % div;
    }
    while (*n && !d[*n - 1]) (*n)--;
    return (uint32_t)rem;
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'z') return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
    return 99;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static IxObject *invalid_literal(IxContext *ctx, const char *s, int base)
{
    return ix_err_format(ctx, IX_EXC_VALUEERROR, "invalid literal for int() with base %d: '%.200s'",
                         base, s);
}

/* The prefix 0x/0o/0b: the base it names, or 0. */
static int prefix_base(const char *p)
{
    if (p[0] != '0') return 0;
    char c = p[1] | 0x20;
    return c == 'x' ? 16 : c == 'o' ? 8 : c == 'b' ? 2 : 0;
}

IxObject *ix_long_from_string(IxContext *ctx, const char *s, int base)
{
    if (!s) return ix_err_format(ctx, IX_EXC_VALUEERROR, "IxLong_FromString: the string is NULL");
    if (base != 0 && (base < 2 || base > 36))
        return ix_err_format(ctx, IX_EXC_VALUEERROR, "int() base must be >= 2 and <= 36, or 0");
    const char *p = s;
    while (is_space(*p)) p++;
    bool negative = *p == '-';
    if (*p == '-' || *p == '+') p++;
    int named = prefix_base(p);
    int b = base ? base : named ? named : 10;
    if (named && named == b) {
        p += 2;
        if (*p == '_') p++; /* "0x_ff" */
    } else if (!base && p[0] == '0') {
        for (const char *z = p; *z == '0' || *z == '_'; z++)
            if (digit_value(z[1]) < 10 && z[1] != '0') return invalid_literal(ctx, s, base); /* "010" */
    }
    /* digits, with single underscores between them, as int() reads them */
    size_t ndigits = 0;
    const char *q = p;
    for (;; q++) {
        if (*q == '_' && ndigits && digit_value(q[1]) < b) continue;
        if (digit_value(*q) >= b) break;
        ndigits++;
    }
    const char *end = q;
    while (is_space(*q)) q++;
    if (!ndigits || *q) return invalid_literal(ctx, s, base);
    /* limbs: ceil(ndigits * log2(b) / 32) + 1, with log2(b) rounded up */
    unsigned bits = 1;
    while ((1u << bits) < (unsigned)b) bits++;
    IxBigIntObject *big = ix_long_big_new(ctx, ndigits * bits / 32 + 2);
    if (!big) return NULL;
    size_t n = 0;
    uint32_t chunk = 0, scale = 1; /* digits gathered while b^k fits a limb */
    for (const char *c = p; c < end; c++) {
        if (*c == '_') continue;
        chunk = chunk * (uint32_t)b + (uint32_t)digit_value(*c);
        scale *= (uint32_t)b;
        if (scale > UINT32_MAX / (uint32_t)b) {
            mag_mul_add(big->digits, &n, scale, chunk);
            chunk = 0;
            scale = 1;
        }
    }
    if (scale > 1) mag_mul_add(big->digits, &n, scale, chunk);
    return ix_long_finish(ctx, big, n, negative);
}

IxObject *ix_long_big_repr(IxContext *ctx, IxObject *o)
{
    IxBigIntObject *b = big_of(o);
    size_t n = b->size;
    /* 9 decimal digits per chunk of 10^9; 32 bits are < 9.64 digits, so 32n/29.8 chunks */
    size_t chunks = n * 32 / 29 + 1;
    uint32_t *work = ix_mem_malloc(ctx, n * sizeof *work + chunks * sizeof(uint32_t));
    char *text = work ? ix_mem_malloc(ctx, chunks * 9 + 2) : NULL;
    if (!text) {
        ix_mem_free(ctx, work);
        return NULL;
    }
    uint32_t *out = work + n;
    memcpy(work, b->digits, n * sizeof *work);
    size_t k = 0;
    while (n) out[k++] = mag_div_small(work, &n, 1000000000u);
    char *t = text;
    if (b->negative) *t++ = '-';
    t += sprintf(t, "%u", out[--k]);
    while (k) t += sprintf(t, "%09u", out[--k]);
    IxObject *r = ix_str_from_utf8(ctx, text, (size_t)(t - text));
    ix_mem_free(ctx, text);
    ix_mem_free(ctx, work);
    return r;
}

/* ---------------------------------------------------------------- doubles */

/* A finite double's integer part as a magnitude (out has room for 34 limbs). */
static size_t mag_from_double(double d, uint32_t *out)
{
    d = trunc(fabs(d));
    if (d < 0x1p64) {
        uint64_t u = (uint64_t)d;
        out[0] = (uint32_t)u;
        out[1] = (uint32_t)(u >> 32);
        return out[1] ? 2 : out[0] ? 1 : 0;
    }
    int e;
    double f = frexp(d, &e);                 /* d = f * 2^e, 64 < e <= 1024 */
    uint64_t top = (uint64_t)ldexp(f, 53);   /* exact: 53 significant bits */
    int shift = e - 53, limb = shift / 32, off = shift % 32;
    uint64_t lo = top << off, hi = off ? top >> (64 - off) : 0;
    memset(out, 0, (size_t)limb * sizeof *out);
    out[limb] = (uint32_t)lo;
    out[limb + 1] = (uint32_t)(lo >> 32);
    out[limb + 2] = (uint32_t)hi;
    size_t n = (size_t)limb + 3;
    while (n && !out[n - 1]) n--;
    return n;
}

int ix_long_compare_double(IxObject *a, double d)
{
    Mag m;
    ix_long_mag(a, &m);
    if (isinf(d)) return d > 0 ? -1 : 1;
    bool dneg = d < 0;
    if (m.neg != dneg && (m.n || d != 0)) return m.neg ? -1 : 1;
    uint32_t dm[36];
    size_t dn = mag_from_double(d, dm);
    int c = ix_long_mag_compare(m.d, m.n, dm, dn);
    if (c == 0) { /* equal integer parts: the fraction decides */
        double frac = d - trunc(d);
        c = frac > 0 ? -1 : frac < 0 ? 1 : 0;
        return c;
    }
    return m.neg ? -c : c;
}

/* The nearest double (ties to even), or HUGE_VAL past the largest. */
double ix_long_mag_to_double(const Mag *m)
{
    size_t bits = ix_long_bit_length(m->d, m->n);
    if (bits > 1024) return HUGE_VAL;
    if (bits <= 64) {
        uint64_t u = m->n ? m->d[0] | (m->n > 1 ? (uint64_t)m->d[1] << 32 : 0) : 0;
        return (double)u;
    }
    /* the top 64 bits, and a sticky bit for any below: one rounding, the right one */
    size_t shift = bits - 64;
    uint64_t top = 0;
    for (int i = 63; i >= 0; i--) {
        size_t bit = shift + (size_t)i;
        top |= (uint64_t)((m->d[bit / 32] >> (bit % 32)) & 1) << i;
    }
    bool sticky = false;
    for (size_t bit = 0; bit < shift && !sticky; bit++) sticky = (m->d[bit / 32] >> (bit % 32)) & 1;
    if (sticky) top |= 1;
    return ldexp((double)top, (int)shift);
}

double ix_long_big_as_double(IxContext *ctx, IxObject *o)
{
    Mag m;
    ix_long_mag(o, &m);
    double d = ix_long_mag_to_double(&m);
    if (isinf(d)) {
        ix_err_format(ctx, IX_EXC_OVERFLOWERROR, "int too large to convert to float");
        return -1.0;
    }
    return m.neg ? -d : d;
}

/* ---------------------------------------------------------------- hash and order */

/* Equal numbers hash equal: a big int a double holds exactly hashes as that float does;
 * any other hashes its limbs, the same in every interpreter. */
int64_t ix_long_big_hash(IxObject *o)
{
    Mag m;
    ix_long_mag(o, &m);
    size_t bits = ix_long_bit_length(m.d, m.n);
    size_t low = 0;
    while (!((m.d[low / 32] >> (low % 32)) & 1)) low++;
    if (bits <= 1024 && bits - low <= 53) {
        double d = ix_long_mag_to_double(&m);
        return ix_hash_double(m.neg ? -d : d);
    }
    int64_t h = ix_hash_bytes(m.d, m.n * sizeof *m.d);
    if (m.neg) h = h * 31 + 7;
    return h == -1 ? -2 : h;
}

int ix_long_compare(IxObject *a, IxObject *b)
{
    Mag x, y;
    ix_long_mag(a, &x);
    ix_long_mag(b, &y);
    if (x.neg != y.neg) return x.neg ? -1 : 1;
    int c = ix_long_mag_compare(x.d, x.n, y.d, y.n);
    return x.neg ? -c : c;
}
