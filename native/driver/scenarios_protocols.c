/*
 * scenarios_protocols.c -- ABI 1.2's item, length, membership and iteration API (ABI.md
 * 3.20-3.24) on the builtin containers and on test-ext/seqmap's Ring (the slots of ABI.md
 * 5.20) and Broken (each slot breaking ABI.md 6.1, with the exact message), in two
 * interpreters at once, one in debug mode; an iterator dropped early, one left to close.
 */
#include <stdio.h>

#include "driver.h"

static IxObject *num(IxContext *ctx, int64_t v)
{
    return CHECK_OK(ctx, IxLong_FromInt64(ctx, v));
}

static IxObject *text(IxContext *ctx, const char *s)
{
    return CHECK_OK(ctx, IxStr_FromCString(ctx, s));
}

/* o[i] for an int i, a new reference or NULL with the error. */
static IxObject *at(IxContext *ctx, IxObject *o, int64_t i)
{
    IxObject *k = num(ctx, i), *r = Ix_GetItem(ctx, o, k);
    Ix_Decref(ctx, k);
    return r;
}

/* repr of every item an iteration yields, joined by spaces, into out. */
static const char *drain(IxContext *ctx, IxObject *o, char *out, size_t cap)
{
    IxObject *it = CHECK_OK(ctx, Ix_GetIter(ctx, o));
    size_t used = 0;
    out[0] = 0;
    for (IxObject *x; (x = Ix_IterNext(ctx, it));) {
        char r[64];
        used += (size_t)snprintf(out + used, cap - used, "%s%s", used ? " " : "", WANT_REPR(ctx, x, r));
    }
    CHECK(!IxErr_Occurred(ctx)); /* the end is NULL with no error */
    CHECK(!Ix_IterNext(ctx, it) && !IxErr_Occurred(ctx)); /* and stays the end */
    Ix_Decref(ctx, it);
    return out;
}

static void check_list_tuple(IxContext *ctx)
{
    char buf[256];
    IxObject *l = CHECK_OK(ctx, IxList_New(ctx));
    for (int64_t i = 10; i <= 30; i += 10) APPEND_OWNED(ctx, l, num(ctx, i));
    CHECK_EQ_INT(Ix_Length(ctx, l), 3);
    CHECK_EQ_INT(WANT_INT(ctx, at(ctx, l, -1)), 30);
    CHECK_ERROR(ctx, at(ctx, l, 3), "IndexError: list index out of range");
    CHECK_ERROR(ctx, at(ctx, l, -4), "IndexError: list index out of range");
    IxObject *s = text(ctx, "a"), *k = num(ctx, 0), *v = num(ctx, 5), *big = CHECK_OK(ctx, IxLong_FromString(ctx, "1" "000000000000000000000", 10));
    CHECK_ERROR(ctx, Ix_GetItem(ctx, l, s), "TypeError: list indices must be integers or slices, not str");
    CHECK_ERROR(ctx, Ix_GetItem(ctx, l, big), "IndexError: cannot fit 'int' into an index-sized integer");
    CHECK_EQ_INT(Ix_SetItem(ctx, l, k, v), 0);
    CHECK_EQ_INT(Ix_Contains(ctx, l, v), 1);
    CHECK_EQ_INT(Ix_Contains(ctx, l, s), 0);
    CHECK_EQ_STR(drain(ctx, l, buf, sizeof buf), "5 20 30");
    CHECK_EQ_INT(Ix_DelItem(ctx, l, k), 0);
    CHECK_EQ_STR(drain(ctx, l, buf, sizeof buf), "20 30");
    IxObject *nine = num(ctx, 9);
    CHECK_ERROR_RC(ctx, Ix_SetItem(ctx, l, nine, v), "IndexError: list assignment index out of range");
    CHECK_ERROR_RC(ctx, Ix_DelItem(ctx, l, nine), "IndexError: list assignment index out of range");

    IxObject *items[] = {k, s};
    IxObject *t = CHECK_OK(ctx, IxTuple_FromArray(ctx, items, 2));
    CHECK_EQ_INT(Ix_Length(ctx, t), 2);
    CHECK_EQ_STR(WANT_REPR(ctx, at(ctx, t, -1), buf), "'a'");
    CHECK_ERROR(ctx, at(ctx, t, 2), "IndexError: tuple index out of range");
    CHECK_ERROR_RC(ctx, Ix_SetItem(ctx, t, k, v), "TypeError: 'tuple' object does not support item assignment");
    CHECK_ERROR_RC(ctx, Ix_DelItem(ctx, t, k), "TypeError: 'tuple' object doesn't support item deletion");
    CHECK_EQ_INT(Ix_Contains(ctx, t, s), 1);
    CHECK_EQ_STR(drain(ctx, t, buf, sizeof buf), "0 'a'");
    IxObject *drop[] = {l, s, k, v, big, nine, t};
    for (size_t i = 0; i < sizeof drop / sizeof *drop; i++) Ix_Decref(ctx, drop[i]);
}

static void check_dict_str_bytes(IxContext *ctx)
{
    char buf[256];
    IxObject *d = CHECK_OK(ctx, IxDict_New(ctx));
    IxObject *ka = text(ctx, "a"), *kb = text(ctx, "b"), *one = num(ctx, 1);
    CHECK_EQ_INT(Ix_SetItem(ctx, d, ka, one), 0);
    CHECK_EQ_INT(Ix_SetItem(ctx, d, kb, one), 0);
    CHECK_EQ_INT(WANT_INT(ctx, Ix_GetItem(ctx, d, ka)), 1);
    CHECK_EQ_INT(Ix_Length(ctx, d), 2);
    CHECK_EQ_INT(Ix_Contains(ctx, d, kb), 1);
    CHECK_EQ_STR(drain(ctx, d, buf, sizeof buf), "'a' 'b'");
    CHECK_EQ_INT(Ix_DelItem(ctx, d, kb), 0);
    CHECK_ERROR(ctx, Ix_GetItem(ctx, d, kb), "KeyError: 'b'");
    CHECK_ERROR_RC(ctx, Ix_DelItem(ctx, d, kb), "KeyError: 'b'");
    CHECK_EQ_INT(Ix_Contains(ctx, d, kb), 0);
    IxObject *l = CHECK_OK(ctx, IxList_New(ctx));
    CHECK_ERROR(ctx, Ix_GetItem(ctx, d, l), "TypeError: unhashable type: 'list'");
    IxObject *it = CHECK_OK(ctx, Ix_GetIter(ctx, d)); /* the dict grows under it */
    CHECK_EQ_INT(Ix_SetItem(ctx, d, kb, one), 0);
    CHECK_ERROR(ctx, Ix_IterNext(ctx, it), "RuntimeError: dictionary changed size during iteration");
    Ix_Decref(ctx, it);

    IxObject *s = text(ctx, "h\xc3\xa9llo");
    CHECK_EQ_INT(Ix_Length(ctx, s), 5);
    CHECK_EQ_STR(WANT_TEXT(ctx, at(ctx, s, 1), buf), "\xc3\xa9");
    CHECK_EQ_STR(WANT_TEXT(ctx, at(ctx, s, -1), buf), "o");
    CHECK_ERROR(ctx, at(ctx, s, 5), "IndexError: string index out of range");
    CHECK_ERROR(ctx, Ix_GetItem(ctx, s, ka), "TypeError: string indices must be integers, not 'str'");
    CHECK_ERROR_RC(ctx, Ix_SetItem(ctx, s, one, ka), "TypeError: 'str' object does not support item assignment");
    IxObject *ll = text(ctx, "ll");
    CHECK_EQ_INT(Ix_Contains(ctx, s, ll), 1);
    CHECK_EQ_INT(Ix_Contains(ctx, s, ka), 0);
    CHECK_ERROR_RC(ctx, Ix_Contains(ctx, s, one), "TypeError: 'in <string>' requires string as left operand, not int");
    CHECK_EQ_STR(drain(ctx, s, buf, sizeof buf), "'h' '\xc3\xa9' 'l' 'l' 'o'");

    IxObject *b = CHECK_OK(ctx, IxBytes_FromData(ctx, "AB", 2));
    CHECK_EQ_INT(WANT_INT(ctx, at(ctx, b, -1)), 66);
    CHECK_ERROR(ctx, at(ctx, b, 2), "IndexError: index out of range");
    IxObject *sixty_five = num(ctx, 65);
    CHECK_EQ_INT(Ix_Contains(ctx, b, sixty_five), 1);
    CHECK_ERROR_RC(ctx, Ix_Contains(ctx, b, ka), "TypeError: a bytes-like object is required, not 'str'");
    CHECK_EQ_STR(drain(ctx, b, buf, sizeof buf), "65 66");

    CHECK_ERROR(ctx, Ix_GetItem(ctx, one, one), "TypeError: 'int' object is not subscriptable");
    CHECK_ERROR_RC(ctx, Ix_SetItem(ctx, one, one, one), "TypeError: 'int' object does not support item assignment");
    CHECK_ERROR_RC(ctx, Ix_DelItem(ctx, one, one), "TypeError: 'int' object doesn't support item deletion");
    CHECK_ERROR_RC(ctx, (int)Ix_Length(ctx, one), "TypeError: object of type 'int' has no len()");
    CHECK_ERROR(ctx, Ix_GetIter(ctx, one), "TypeError: 'int' object is not iterable");
    CHECK_ERROR(ctx, Ix_IterNext(ctx, one), "TypeError: 'int' object is not an iterator");
    CHECK_ERROR_RC(ctx, Ix_Contains(ctx, one, one), "TypeError: argument of type 'int' is not iterable");
    IxObject *drop[] = {d, ka, kb, one, l, s, ll, b, sixty_five};
    for (size_t i = 0; i < sizeof drop / sizeof *drop; i++) Ix_Decref(ctx, drop[i]);
}

static void check_seqmap(IxContext *ctx)
{
    char buf[256];
    IxObject *m = IMPORT(ctx, "seqmap");
    IxObject *r = CHECK_OK(ctx, ixd_call_ints(ctx, m, "ring", INTS(3)));
    IxObject *seven = num(ctx, 7), *k = num(ctx, -1), *s = text(ctx, "x");
    CHECK_EQ_INT(Ix_Length(ctx, r), 3);
    CHECK_EQ_INT(Ix_SetItem(ctx, r, k, seven), 0); /* slot 2 */
    CHECK_EQ_INT(WANT_INT(ctx, at(ctx, r, 5)), 7);  /* 5 wraps to 2 */
    CHECK_EQ_INT(Ix_Contains(ctx, r, seven), 1);
    CHECK_EQ_INT(Ix_Contains(ctx, r, s), 0);
    CHECK_ERROR(ctx, Ix_GetItem(ctx, r, s), "TypeError: ring keys are ints, not str");
    CHECK_EQ_STR(drain(ctx, r, buf, sizeof buf), "None None 7");
    CHECK_EQ_INT(Ix_DelItem(ctx, r, k), 0);
    CHECK_EQ_INT(Ix_Contains(ctx, r, seven), 0);
    IxObject *early = CHECK_OK(ctx, Ix_GetIter(ctx, r)); /* dropped after one item */
    Ix_Decref(ctx, CHECK_OK(ctx, Ix_IterNext(ctx, early)));
    Ix_Decref(ctx, early);
    IxObject *kept = CHECK_OK(ctx, Ix_GetIter(ctx, r)); /* a ring <-> iterator cycle via the list */
    IxObject *l = CHECK_OK(ctx, IxList_New(ctx));
    CHECK_EQ_INT(IxList_Append(ctx, l, kept), 0);
    CHECK_EQ_INT(Ix_SetItem(ctx, r, k, l), 0);
    Ix_Decref(ctx, kept);
    Ix_Decref(ctx, l); /* unreachable once r goes: close collects it */

    IxObject *b = CHECK_OK(ctx, CALL0(ctx, m, "broken"));
    CHECK_ERROR(ctx, Ix_GetItem(ctx, b, k), "SystemError: seqmap.Broken.__getitem__() returned NULL without setting an error");
    CHECK_ERROR_RC(ctx, Ix_SetItem(ctx, b, k, k), "SystemError: seqmap.Broken.__setitem__() returned -1 without setting an error");
    CHECK_ERROR_RC(ctx, Ix_DelItem(ctx, b, k), "SystemError: seqmap.Broken.__delitem__() returned -1 without setting an error");
    CHECK_ERROR_RC(ctx, (int)Ix_Length(ctx, b), "ValueError: __len__() should return >= 0");
    CHECK_EQ_INT(Ix_Contains(ctx, b, k), 1);
    CHECK_ERROR(ctx, Ix_GetIter(ctx, b), "TypeError: iter() returned non-iterator of type 'seqmap.Broken'");
    IxObject *drop[] = {m, r, seven, k, s, b};
    for (size_t i = 0; i < sizeof drop / sizeof *drop; i++) Ix_Decref(ctx, drop[i]);
}

static void check_all(IxContext *ctx)
{
    check_list_tuple(ctx);
    check_dict_str_bytes(ctx);
    check_seqmap(ctx);
}

static IxObject *make_list(IxContext *ctx) { return IxList_New(ctx); }

static void refuse_list(IxContext *ctx, IxObject *l)
{
    CHECK_ERROR(ctx, Ix_GetIter(ctx, l), "TypeError: expected an object of this interpreter, got list (an object of interpreter *)");
}

void ixd_protocols(int argc, char **argv)
{
    IXD_NO_ARGS;
    ixd_plain_and_debug(check_all, make_list, refuse_list);
}
