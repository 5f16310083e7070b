/*
 * scenarios_bigint.c -- ints of any size (ABI.md 3.10, 12.5), in two interpreters on two
 * threads at once, each closed with nothing left: the int64 boundary both ways, exact
 * reprs, hash and equality across int, big int and float, bytes round trips of every size
 * 0..64 in both orders, signed and unsigned, the exact messages, the wire and a queue, and
 * the test-ext module bigops that uses the entries from an extension.
 */
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "driver.h"

#define TWO_64 "18446744073709551616"
#define TWO_200 "1606938044258990275541962092341162602522202993782792835301376"
#define TEN_100 "1" "0000000000" "0000000000" "0000000000" "0000000000" "0000000000" \
                "0000000000" "0000000000" "0000000000" "0000000000" "0000000000"

static IxObject *parse(IxContext *ctx, const char *s)
{
    return CHECK_OK(ctx, IxLong_FromString(ctx, s, 10));
}

/* repr(o) is `want`; o is dropped. */
static void check_repr(IxContext *ctx, IxObject *o, const char *want)
{
    char buf[256];
    CHECK_EQ_STR(WANT_REPR(ctx, o, buf), want);
}

static int compare(IxContext *ctx, IxObject *a, IxObject *b, int op)
{
    int r = Ix_RichCompareBool(ctx, a, b, op);
    CHECK(r >= 0);
    return r;
}

static void check_reprs(IxContext *ctx)
{
    check_repr(ctx, parse(ctx, TWO_64), TWO_64);
    check_repr(ctx, parse(ctx, "-9223372036854775809"), "-9223372036854775809");
    check_repr(ctx, parse(ctx, TEN_100), TEN_100);
    check_repr(ctx, parse(ctx, "-" TEN_100), "-" TEN_100);
    check_repr(ctx, CHECK_OK(ctx, IxLong_FromInt64(ctx, INT64_MIN)), "-9223372036854775808");
    uint8_t two_200[26] = {0};
    two_200[25] = 1;
    check_repr(ctx, CHECK_OK(ctx, IxLong_FromBytes(ctx, two_200, sizeof two_200, 1, 0)), TWO_200);
    /* text forms int() reads, and the ones it refuses */
    check_repr(ctx, CHECK_OK(ctx, IxLong_FromString(ctx, " -0x_FF_ff\n", 0)), "-65535");
    check_repr(ctx, CHECK_OK(ctx, IxLong_FromString(ctx, "0b101", 0)), "5");
    check_repr(ctx, CHECK_OK(ctx, IxLong_FromString(ctx, "1_000_000", 10)), "1000000");
    check_repr(ctx, CHECK_OK(ctx, IxLong_FromString(ctx, "zz", 36)), "1295");
    check_repr(ctx, CHECK_OK(ctx, IxLong_FromString(ctx, "+000", 0)), "0");
    check_repr(ctx, CHECK_OK(ctx, IxLong_FromString(ctx, "1" "0000000000000000000000000000000000000000000000000000000000000000", 2)),
               TWO_64);
    CHECK_ERROR(ctx, IxLong_FromString(ctx, "12a", 10), "ValueError: invalid literal for int() with base 10: '12a'");
    CHECK_ERROR(ctx, IxLong_FromString(ctx, "010", 0), "ValueError: invalid literal for int() with base 0: '010'");
    CHECK_ERROR(ctx, IxLong_FromString(ctx, "1__0", 10), "ValueError: invalid literal for int() with base 10: '1__0'");
    CHECK_ERROR(ctx, IxLong_FromString(ctx, "", 10), "ValueError: invalid literal for int() with base 10: ''");
    CHECK_ERROR(ctx, IxLong_FromString(ctx, "1", 37), "ValueError: int() base must be >= 2 and <= 36, or 0");
}

/* INT64_MAX, 2^63, INT64_MIN and -2^63-1: which fit, in order, and AsInt64's answers. */
static void check_boundary(IxContext *ctx)
{
    IxObject *max = CHECK_OK(ctx, IxLong_FromString(ctx, "9223372036854775807", 10));
    IxObject *over = CHECK_OK(ctx, IxLong_FromString(ctx, "9223372036854775808", 10));
    IxObject *min = CHECK_OK(ctx, IxLong_FromInt64(ctx, INT64_MIN));
    IxObject *under = parse(ctx, "-9223372036854775809");
    CHECK_EQ_INT(IxLong_AsInt64(ctx, max), INT64_MAX);
    CHECK_EQ_INT(IxLong_AsInt64(ctx, min), INT64_MIN);
    CHECK(!IxErr_Occurred(ctx));
    CHECK_EQ_INT(IxLong_AsInt64(ctx, over), -1);
    CHECK_ERROR(ctx, NULL, "OverflowError: int too big to convert to int64");
    CHECK_EQ_INT(IxLong_AsInt64(ctx, under), -1);
    CHECK_ERROR(ctx, NULL, "OverflowError: int too big to convert to int64");
    IxObject *order[] = {under, min, max, over};
    for (size_t i = 0; i + 1 < 4; i++) {
        CHECK(compare(ctx, order[i], order[i + 1], IX_LT));
        CHECK(compare(ctx, order[i + 1], order[i], IX_GT));
        CHECK(!compare(ctx, order[i], order[i + 1], IX_EQ));
    }
    /* 2^63 from unsigned bytes is the 2^63 parsed: the canonical form makes them equal */
    uint8_t b[8] = {0, 0, 0, 0, 0, 0, 0, 0x80};
    IxObject *over2 = CHECK_OK(ctx, IxLong_FromBytes(ctx, b, 8, 1, 0));
    IxObject *min2 = CHECK_OK(ctx, IxLong_FromBytes(ctx, b, 8, 1, 1));
    CHECK(compare(ctx, over, over2, IX_EQ));
    CHECK(compare(ctx, min, min2, IX_EQ));
    CHECK_EQ_INT(Ix_Hash(ctx, over), Ix_Hash(ctx, over2));
    CHECK_EQ_INT(Ix_Hash(ctx, min), Ix_Hash(ctx, min2));
    CHECK(Ix_IsTrue(ctx, over) == 1 && Ix_IsTrue(ctx, under) == 1);
    IxObject *objs[] = {max, over, min, under, over2, min2};
    for (size_t i = 0; i < 6; i++) Ix_Decref(ctx, objs[i]);
}

/* Equal numbers hash equal and compare equal, whatever their form. */
static void check_hash_floats(IxContext *ctx)
{
    IxObject *small = CHECK_OK(ctx, IxLong_FromInt64(ctx, 42));
    IxObject *parsed = parse(ctx, "42");
    CHECK_EQ_INT(Ix_Hash(ctx, small), Ix_Hash(ctx, parsed));
    IxObject *big = parse(ctx, TWO_64), *big1 = parse(ctx, "18446744073709551617");
    IxObject *f = CHECK_OK(ctx, IxFloat_FromDouble(ctx, 0x1p64));
    IxObject *fmin = CHECK_OK(ctx, IxFloat_FromDouble(ctx, -0x1p63));
    IxObject *min = CHECK_OK(ctx, IxLong_FromInt64(ctx, INT64_MIN));
    IxObject *half = CHECK_OK(ctx, IxFloat_FromDouble(ctx, 0x1p64 + 0x1p12)); /* > 2^64 + 1 */
    IxObject *inf = CHECK_OK(ctx, IxFloat_FromDouble(ctx, INFINITY));
    IxObject *nan = CHECK_OK(ctx, IxFloat_FromDouble(ctx, NAN));
    CHECK(compare(ctx, big, f, IX_EQ) && compare(ctx, f, big, IX_EQ));
    CHECK_EQ_INT(Ix_Hash(ctx, big), Ix_Hash(ctx, f));
    CHECK(compare(ctx, min, fmin, IX_EQ));
    CHECK_EQ_INT(Ix_Hash(ctx, min), Ix_Hash(ctx, fmin));
    CHECK(compare(ctx, big1, f, IX_GT) && compare(ctx, f, big1, IX_LT));
    CHECK(compare(ctx, big1, half, IX_LT));
    CHECK(compare(ctx, big1, inf, IX_LT) && !compare(ctx, big1, nan, IX_EQ) && compare(ctx, big1, nan, IX_NE));
    CHECK(!compare(ctx, big1, nan, IX_LT) && !compare(ctx, big1, nan, IX_GT));
    CHECK(Ix_Hash(ctx, big) != Ix_Hash(ctx, big1));
    /* conversions to float: rounded to nearest; too large raises */
    CHECK(IxFloat_AsDouble(ctx, big1) == 0x1p64);
    IxObject *huge = CHECK_OK(ctx, IxLong_FromString(ctx, "1" "0000000000000000000000000000000000000000000000000000000000000000", 16));
    CHECK(IxFloat_AsDouble(ctx, huge) == 0x1p256);
    uint8_t b[129] = {0};
    b[128] = 1; /* 2^1024 */
    IxObject *too_big = CHECK_OK(ctx, IxLong_FromBytes(ctx, b, sizeof b, 1, 0));
    CHECK(IxFloat_AsDouble(ctx, too_big) == -1.0);
    CHECK_ERROR(ctx, NULL, "OverflowError: int too large to convert to float");
    /* as dict keys: one entry for 2^64, whichever number names it */
    IxObject *d = CHECK_OK(ctx, IxDict_New(ctx));
    CHECK(IxDict_SetItem(ctx, d, big, small) == 0);
    CHECK(IxDict_GetItem(ctx, d, f) == small);
    CHECK(IxDict_SetItem(ctx, d, f, parsed) == 0);
    CHECK_EQ_INT(IxDict_Size(ctx, d), 1);
    IxObject *objs[] = {small, parsed, big, big1, f, fmin, min, half, inf, nan, huge, too_big, d};
    for (size_t i = 0; i < sizeof objs / sizeof *objs; i++) Ix_Decref(ctx, objs[i]);
}

static uint64_t next_random(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

/* Every size 0..64, both orders, signed and unsigned: bytes -> int -> the same bytes; the
 * size reported is what the value needs; a buffer one byte short gets the low bytes and a
 * size larger than itself; repr -> FromString gives the same int back. */
static void check_bytes(IxContext *ctx, uint64_t seed)
{
    for (size_t n = 0; n <= 64; n++) {
        for (int form = 0; form < 4; form++) {
            int little = form & 1, is_signed = form >> 1;
            uint8_t in[64], out[64], le[64];
            for (size_t i = 0; i < n; i++) in[i] = (uint8_t)next_random(&seed);
            if (n && form == 3) in[n - 1] |= 0x80; /* signed, little-endian: negative */
            IxObject *v = CHECK_OK(ctx, IxLong_FromBytes(ctx, in, n, little, is_signed));
            int64_t need = IxLong_AsBytes(ctx, v, out, n, little, is_signed);
            CHECK(need >= 0 && need <= (int64_t)n);
            CHECK(memcmp(in, out, n) == 0);
            if (need > 0) {
                int64_t again = IxLong_AsBytes(ctx, v, out, (size_t)need - 1, 1, is_signed);
                CHECK_EQ_INT(again, need);
                IxLong_AsBytes(ctx, v, le, n, 1, is_signed);
                CHECK(memcmp(out, le, (size_t)need - 1) == 0);
            }
            CHECK_EQ_INT(IxLong_AsBytes(ctx, v, NULL, 0, 1, is_signed), need);
            IxObject *r = CHECK_OK(ctx, Ix_Repr(ctx, v));
            IxObject *back = CHECK_OK(ctx, IxLong_FromString(ctx, IxStr_AsUTF8(ctx, r, NULL), 10));
            CHECK(compare(ctx, v, back, IX_EQ));
            CHECK_EQ_INT(Ix_Hash(ctx, v), Ix_Hash(ctx, back));
            Ix_Decref(ctx, back);
            Ix_Decref(ctx, r);
            Ix_Decref(ctx, v);
        }
    }
    /* the exact sizes at the edges of a byte */
    static const struct { const char *text; int is_signed; int64_t need; } sizes[] = {
        {"0", 1, 0}, {"127", 1, 1}, {"128", 1, 2}, {"-128", 1, 1}, {"-129", 1, 2}, {"255", 0, 1},
        {"256", 0, 2}, {"-1", 1, 1}, {TWO_64, 0, 9}, {TWO_64, 1, 9}, {"-" TWO_64, 1, 9},
        {"-18446744073709551617", 1, 9}, {"-2361183241434822606848", 1, 9},
        {"-2361183241434822606849", 1, 10}, {"2361183241434822606847", 1, 9}, {"2361183241434822606848", 1, 10},
    };
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        IxObject *v = parse(ctx, sizes[i].text);
        CHECK_EQ_INT(IxLong_AsBytes(ctx, v, NULL, 0, 1, sizes[i].is_signed), sizes[i].need);
        Ix_Decref(ctx, v);
    }
    IxObject *neg = parse(ctx, "-" TWO_64);
    CHECK_ERROR_RC(ctx, (int)IxLong_AsBytes(ctx, neg, NULL, 0, 1, 0), "OverflowError: can't convert negative int to unsigned");
    Ix_Decref(ctx, neg);
    IxObject *s = CHECK_OK(ctx, IxStr_FromCString(ctx, "12"));
    CHECK_ERROR_RC(ctx, (int)IxLong_AsBytes(ctx, s, NULL, 0, 1, 1), "TypeError: expected int, got str");
    Ix_Decref(ctx, s);
}

/* bigops.name(args...) with the args made here (new references, dropped here). */
static IxObject *call_owned(IxContext *ctx, IxObject *m, const char *name, IxObject **args, size_t n)
{
    IxObject *r = ixd_call(ctx, m, name, args, n);
    for (size_t i = 0; i < n; i++) Ix_Decref(ctx, args[i]);
    return r;
}

static IxObject *flag(IxContext *ctx, int v)
{
    return IxBool_FromInt(ctx, v);
}

/* An extension's view: test-ext/bigops uses the entries as an author would. */
static void check_extension(IxContext *ctx)
{
    IxObject *m = IMPORT(ctx, "bigops");
    check_repr(ctx, CHECK_OK(ctx, ixd_call_ints(ctx, m, "fact", INTS(30))), "265252859812191058636308480000000");
    check_repr(ctx, CHECK_OK(ctx, ixd_call_ints(ctx, m, "fact", INTS(20))), "2432902008176640000");
    check_repr(ctx, CHECK_OK(ctx, ixd_call_ints(ctx, m, "fact", INTS(0))), "1");
    IxObject *f1000 = CHECK_OK(ctx, ixd_call_ints(ctx, m, "fact", INTS(1000)));
    char text[4096];
    CHECK(strlen(WANT_REPR(ctx, f1000, text)) == 2568 && strncmp(text, "40238726007709377354", 20) == 0);
    IxObject *args[4];
    args[0] = parse(ctx, TWO_64);
    CHECK_ERROR(ctx, call_owned(ctx, m, "as_int64", args, 1), "OverflowError: int too big to convert to int64");
    args[0] = CHECK_OK(ctx, IxLong_FromInt64(ctx, INT64_MIN));
    check_repr(ctx, CHECK_OK(ctx, call_owned(ctx, m, "as_int64", args, 1)), "-9223372036854775808");
    args[0] = parse(ctx, "-" TWO_64);
    args[1] = CHECK_OK(ctx, IxLong_FromInt64(ctx, 9));
    args[2] = flag(ctx, 0);
    args[3] = flag(ctx, 1);
    IxObject *b = CHECK_OK(ctx, call_owned(ctx, m, "to_bytes", args, 4));
    size_t n;
    const uint8_t *p = IxBytes_AsData(ctx, b, &n);
    static const uint8_t want[9] = {0xff, 0, 0, 0, 0, 0, 0, 0, 0}; /* big-endian -2^64 */
    CHECK(n == 9 && memcmp(p, want, 9) == 0);
    args[0] = b;
    args[1] = flag(ctx, 0);
    args[2] = flag(ctx, 1);
    check_repr(ctx, CHECK_OK(ctx, call_owned(ctx, m, "from_bytes", args, 3)), "-" TWO_64);
    args[0] = parse(ctx, TWO_64);
    args[1] = CHECK_OK(ctx, IxLong_FromInt64(ctx, 8));
    args[2] = flag(ctx, 1);
    args[3] = flag(ctx, 0);
    CHECK_ERROR(ctx, call_owned(ctx, m, "to_bytes", args, 4), "OverflowError: int needs 9 bytes, not 8");
    args[0] = CHECK_OK(ctx, IxStr_FromCString(ctx, "-0o777"));
    args[1] = CHECK_OK(ctx, IxLong_FromInt64(ctx, 0));
    check_repr(ctx, CHECK_OK(ctx, call_owned(ctx, m, "parse", args, 2)), "-511");
    Ix_Decref(ctx, m);
}

/* A queue carries big ints like the others (its items are in the wire format). */
static void check_queue(IxContext *ctx)
{
    IxObject *q = CHECK_OK(ctx, IxQueue_New(ctx, 4));
    IxObject *big = parse(ctx, "-" TEN_100), *min = CHECK_OK(ctx, IxLong_FromInt64(ctx, INT64_MIN));
    IxObject *items[] = {big, min};
    IxObject *t = CHECK_OK(ctx, IxTuple_FromArray(ctx, items, 2));
    CHECK(IxQueue_Put(ctx, q, t, 0) == 0);
    IxObject *got = CHECK_OK(ctx, IxQueue_Get(ctx, q, 0));
    CHECK(compare(ctx, got, t, IX_EQ));
    IxObject *objs[] = {q, big, min, t, got};
    for (size_t i = 0; i < sizeof objs / sizeof *objs; i++) Ix_Decref(ctx, objs[i]);
}

/* The value API: IXW_BIGINT in a request, back in the reply in the same bytes; one form
 * only, so a value that fits int64, or a padded one, is malformed. */
static void check_wire(IxInterp *in)
{
    uint8_t buf[512];
    IxWire w;
    ixw_init(&w, buf, sizeof buf);
    ixw_cstr(&w, "probe");
    CHECK_STATUS(ixh_import(in, buf, w.len, sizeof buf), IXH_OK, buf, sizeof buf);
    CHECK(buf[0] == IXW_HANDLE);
    int64_t probe;
    memcpy(&probe, buf + 1, 8);
    static const uint8_t two_64[9] = {0, 0, 0, 0, 0, 0, 0, 0, 1}; /* 2^64 */
    static const uint8_t minus_42[16] = {0xd6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                         0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    ixw_init(&w, buf, sizeof buf);
    ixw_cstr(&w, "echo");
    ixw_count(&w, IXW_TUPLE, 1);
    ixw_bigint(&w, two_64, sizeof two_64);
    CHECK_STATUS(ixh_call(in, probe, buf, w.len, sizeof buf), IXH_OK, buf, sizeof buf);
    static const uint8_t want[] = {IXW_BIGINT, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    CHECK(memcmp(buf, want, sizeof want) == 0);
    ixw_init(&w, buf, sizeof buf); /* not the fewest bytes: refused, at its length */
    ixw_cstr(&w, "echo");
    ixw_count(&w, IXW_TUPLE, 1);
    ixw_bigint(&w, minus_42, sizeof minus_42);
    CHECK_STATUS(ixh_call(in, probe, buf, w.len, sizeof buf), IXH_ERROR, buf, sizeof buf);
    char text[256];
    CHECK_EQ_STR(ixd_reply_text(buf, sizeof buf, text, sizeof text), "ValueError: malformed wire data at byte 15");
    int64_t v;
    ixw_init(&w, buf, sizeof buf); /* INT64_MIN is stored big, and crosses as IXW_INT */
    ixw_cstr(&w, "echo");
    ixw_count(&w, IXW_TUPLE, 1);
    ixw_int(&w, INT64_MIN);
    CHECK_STATUS(ixh_call(in, probe, buf, w.len, sizeof buf), IXH_OK, buf, sizeof buf);
    memcpy(&v, buf + 1, 8);
    CHECK(buf[0] == IXW_INT && v == INT64_MIN);
    CHECK(ixh_release(in, probe) == IXH_OK);
    /* an embedder's queue item: the one form, or refused */
    IxhQueue *q = ixh_queue_new(2);
    CHECK(q != NULL);
    ixw_init(&w, buf, sizeof buf);
    ixw_bigint(&w, minus_42, sizeof minus_42);
    CHECK_EQ_INT(ixh_queue_put(q, buf, w.len, 0), IXH_QUEUE_NOT_SHAREABLE);
    ixw_init(&w, buf, sizeof buf);
    ixw_bigint(&w, two_64, sizeof two_64);
    CHECK_EQ_INT(ixh_queue_put(q, buf, w.len, 0), IXH_QUEUE_OK);
    uint8_t got[64];
    size_t len = 0;
    CHECK_EQ_INT(ixh_queue_get(q, got, sizeof got, 0, &len), IXH_QUEUE_OK);
    CHECK(len == w.len && memcmp(got, buf, len) == 0);
    ixh_queue_release(q);
}

typedef struct Run {
    uint64_t seed;
} Run;

static void *one_interpreter(void *arg)
{
    Run *run = arg;
    IxInterp *in = OPEN();
    IxContext *ctx = ENTER(in);
    check_reprs(ctx);
    check_boundary(ctx);
    check_hash_floats(ctx);
    check_bytes(ctx, run->seed);
    check_extension(ctx);
    check_queue(ctx);
    ixh_leave(ctx);
    check_wire(in);
    CHECK_CLOSE(in);
    return NULL;
}

/* Debug mode checks the new entries like the others (ix_table.def): a NULL int. */
static void check_debug(void)
{
    char log[1024];
    ixh_debug_take_violations(NULL, 0); /* whatever came before is not ours */
    IxInterp *in = OPEN_MODE(1);
    IxContext *ctx = ENTER(in);
    CHECK_EQ_INT(IxLong_AsBytes(ctx, NULL, NULL, 0, 1, 1), -1);
    IxErr_Clear(ctx);
    ixh_leave(ctx);
    CHECK_CLOSE(in);
    CHECK_EQ_INT(ixh_debug_take_violations(log, sizeof log), 1);
    CHECK_EQ_STR(log, "isolex debug: IxLong_AsBytes: argument 1 is NULL\n");
}

void ixd_bigint(int argc, char **argv)
{
    IXD_NO_ARGS;
    Run runs[2] = {{1}, {2}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++) CHECK(pthread_create(&t[i], NULL, one_interpreter, &runs[i]) == 0);
    for (int i = 0; i < 2; i++) CHECK(pthread_join(t[i], NULL) == 0);
    check_debug();
}
