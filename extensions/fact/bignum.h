/*
 * bignum.h -- the natural numbers fact needs, and nothing more.
 *
 * A BigNat is an array of base-10^9 limbs, least significant first, each a uint32_t below
 * 10^9. Base 10^9 makes the decimal conversion a straight copy of 9 digits per limb, and
 * the only arithmetic n! needs is "multiply by a small integer", one uint64_t multiply and
 * carry per limb. The limb array comes from IxMem_Malloc/IxMem_Realloc, so the interpreter's
 * allocator counts every byte (and its memory limit applies); it grows geometrically.
 */
#ifndef FACT_BIGNUM_H
#define FACT_BIGNUM_H

#include <stddef.h>
#include <stdint.h>

#include "isolex.h"

#define BIGNAT_BASE 1000000000u
#define BIGNAT_BASE_DIGITS 9

typedef struct BigNat {
    uint32_t *limb;  /* limb[0] is the least significant; NULL until bignat_init */
    size_t len;      /* limbs in use, >= 1 once initialised */
    size_t cap;      /* limbs allocated */
} BigNat;

/* Set *b to value (< 10^9). *b is zeroed (BigNat b = {0}) or was used before, in which
 * case its limbs are reused. 0, or -1 with MemoryError set. */
int bignat_init(IxContext *ctx, BigNat *b, uint32_t value);
/* Release the limbs; *b can be initialised again. Safe on a zeroed BigNat. */
void bignat_free(IxContext *ctx, BigNat *b);
/* *b *= m, for any uint32_t m. 0, or -1 with MemoryError set (*b is then unchanged). */
int bignat_mul_small(IxContext *ctx, BigNat *b, uint32_t m);
/* *b = n!, *b as for bignat_init. 0, or -1 with MemoryError set, or with InterruptedError
 * or TimeoutError when the host asked the call to stop (ABI.md 6.10; *b is then freed). */
int bignat_factorial(IxContext *ctx, BigNat *b, uint32_t n);
/* Number of decimal digits of *b (1 for zero). */
size_t bignat_decimal_digits(const BigNat *b);
/* Write the decimal digits of *b to out, which has room for bignat_decimal_digits(b)
 * bytes; no terminating NUL. */
void bignat_to_decimal(const BigNat *b, char *out);

#endif /* FACT_BIGNUM_H */
