/*
 * bignum.c -- base-10^9 natural numbers for fact; see bignum.h.
 */
#include "bignum.h"

/* Make room for at least `need` limbs, doubling the capacity so that a number grown one
 * limb at a time is reallocated only O(log len) times. On failure *b is unchanged. */
static int bignat_reserve(IxContext *ctx, BigNat *b, size_t need)
{
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4;
    while (cap < need) {
        if (cap > SIZE_MAX / 2 / sizeof(uint32_t)) {
            IxErr_NoMemory(ctx);
            return -1;
        }
        cap *= 2;
    }
    uint32_t *limb = b->limb == NULL ? IxMem_Malloc(ctx, cap * sizeof(uint32_t))
                                     : IxMem_Realloc(ctx, b->limb, cap * sizeof(uint32_t));
    if (limb == NULL)
        return -1;  /* MemoryError is set; the old block is still ours */
    b->limb = limb;
    b->cap = cap;
    return 0;
}

int bignat_init(IxContext *ctx, BigNat *b, uint32_t value)
{
    b->len = 0;
    if (bignat_reserve(ctx, b, 1) < 0)
        return -1;
    b->limb[0] = value;
    b->len = 1;
    return 0;
}

void bignat_free(IxContext *ctx, BigNat *b)
{
    IxMem_Free(ctx, b->limb);
    b->limb = NULL;
    b->len = 0;
    b->cap = 0;
}

/* One limb of the product: limb * m + carry, returning the new carry. limb < 10^9 and
 * carry < m < 2^32, so the sum is below 10^9 * 2^32 < 2^63: one 64-bit multiply-add, and
 * the compiler turns / by the constant base into a multiplication. */
static inline uint64_t mul_limb(uint32_t *limb, uint32_t m, uint64_t carry)
{
    uint64_t t = (uint64_t)*limb * m + carry;
    carry = t / BIGNAT_BASE;
    *limb = (uint32_t)(t - carry * BIGNAT_BASE);
    return carry;
}

int bignat_mul_small(IxContext *ctx, BigNat *b, uint32_t m)
{
    /* The final carry is below m < 2^32, so the product has at most two more limbs.
     * Reserve them first: after this nothing can fail. */
    if (bignat_reserve(ctx, b, b->len + 2) < 0)
        return -1;
    uint32_t *limb = b->limb;
    size_t len = b->len;

    /* The hot loop. Each limb's carry depends on the previous one, so a single pass runs
     * at the latency of that chain. Instead the lower and the upper half are multiplied
     * as two independent chains in one loop, which the CPU overlaps (about 1.5x faster),
     * and the lower half's carry is added into the upper half afterwards. */
    size_t half = len / 2, i;
    uint64_t carry_low = 0, carry_high = 0;
    for (i = 0; i < half; i++) {
        carry_low = mul_limb(&limb[i], m, carry_low);
        carry_high = mul_limb(&limb[half + i], m, carry_high);
    }
    for (i = 2 * half; i < len; i++)  /* the last limb when len is odd */
        carry_high = mul_limb(&limb[i], m, carry_high);
    while (carry_high) {
        limb[len++] = (uint32_t)(carry_high % BIGNAT_BASE);
        carry_high /= BIGNAT_BASE;
    }
    /* Add carry_low (< 2^32) at limb[half]; it dies out within a limb or two. The product
     * fits in len + 2 limbs, so if it reaches the top that limb is reserved. */
    for (i = half; carry_low; i++) {
        if (i == len)
            limb[len++] = 0;
        carry_low = mul_limb(&limb[i], 1, carry_low);
    }

    /* Multiplying by zero leaves leading zero limbs: keep the representation canonical. */
    while (len > 1 && limb[len - 1] == 0)
        len--;
    b->len = len;
    return 0;
}

/* ABI 1.3 (ABI.md 6.12): a long factorial stops when the host asks (Thread.interrupt of
 * the Java caller, a deadline). Polling is one atomic load, but a pass over one limb is a
 * few ns too: so poll by work done, once per BIGNAT_POLL_LIMBS limbs multiplied (about
 * 100 us of work; the poll costs under 0.01% of it). 1 when the call must stop (the error
 * is set), else 0. */
#define BIGNAT_POLL_LIMBS (1u << 16)

static int poll_due(IxContext *ctx, size_t *work, size_t limbs)
{
    if ((*work += limbs) < BIGNAT_POLL_LIMBS)
        return 0;
    *work = 0;
    return Ix_CheckInterrupt(ctx) < 0;
}

int bignat_factorial(IxContext *ctx, BigNat *b, uint32_t n)
{
    if (bignat_init(ctx, b, 1) < 0)
        return -1;
    uint64_t k = 2;
    size_t work = 0; /* limbs multiplied since the last poll */
    while (k <= n) {
        /* Multiply by as many consecutive factors at once as fit in 32 bits: one pass over
         * the limbs per group instead of one per factor (2 factors per pass near 50000,
         * 3 below 1600 ...), which halves the work for the sizes benchmarks use. */
        uint64_t m = k++;
        while (k <= n && m * k <= UINT32_MAX)
            m *= k++;
        if (bignat_mul_small(ctx, b, (uint32_t)m) < 0 || poll_due(ctx, &work, b->len)) {
            bignat_free(ctx, b);
            return -1;
        }
    }
    return 0;
}

static size_t limb_digits(uint32_t v)
{
    size_t d = 1;
    while (v >= 10) {
        v /= 10;
        d++;
    }
    return d;
}

size_t bignat_decimal_digits(const BigNat *b)
{
    return (b->len - 1) * BIGNAT_BASE_DIGITS + limb_digits(b->limb[b->len - 1]);
}

void bignat_to_decimal(const BigNat *b, char *out)
{
    /* Fill from the right: every limb but the most significant is exactly 9 digits,
     * zero-padded; the most significant one has no leading zeros. */
    char *p = out + bignat_decimal_digits(b);
    for (size_t i = 0; i + 1 < b->len; i++) {
        uint32_t v = b->limb[i];
        for (int j = 0; j < BIGNAT_BASE_DIGITS; j++) {
            *--p = (char)('0' + v % 10);
            v /= 10;
        }
    }
    uint32_t v = b->limb[b->len - 1];
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
}
