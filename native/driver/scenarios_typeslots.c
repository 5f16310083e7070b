/*
 * scenarios_typeslots.c -- ABI 1.2's type slots (ABI.md 5.50-5.54) through test-ext's
 * initfinal, tokens_a and tokens_b: constructors with keywords, finalizers once per object
 * by reference counting and by the cycle collector, resurrection (by a lone object and by
 * a cycle), a cycle with finalizers left to close, the token downcast, and str subtype
 * instances' lifetimes (5.55); in two
 * interpreters, one in debug mode, under Valgrind and ASan too.
 */
#include <stdio.h>

#include "driver.h"

static IxObject *kwcall(IxContext *ctx, IxObject *f, int64_t pos, const char *kw, int64_t kwv)
{
    IxObject *a = CHECK_OK(ctx, IxLong_FromInt64(ctx, pos)), *b = CHECK_OK(ctx, IxLong_FromInt64(ctx, kwv));
    IxObject *name = CHECK_OK(ctx, IxStr_FromCString(ctx, kw));
    IxObject *names = CHECK_OK(ctx, IxTuple_FromArray(ctx, &name, 1));
    IxObject *args[2] = {a, b};
    IxObject *r = Ix_CallKw(ctx, f, args, 1, names);
    Ix_Decref(ctx, names);
    Ix_Decref(ctx, name);
    Ix_Decref(ctx, b);
    Ix_Decref(ctx, a);
    return r;
}

static void check_constructors(IxContext *ctx, IxObject *m)
{
    IxObject *point = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "Point"));
    IxObject *plain = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "Plain"));
    IxObject *p = CHECK_OK(ctx, kwcall(ctx, point, 1, "y", 2));
    CHECK_EQ_INT(WANT_INT(ctx, Ix_GetAttr(ctx, p, "y")), 2);
    Ix_Decref(ctx, p);
    CHECK_ERROR(ctx, kwcall(ctx, point, 1, "z", 2), "TypeError: Point() got an unexpected keyword argument 'z'");
    CHECK_ERROR(ctx, kwcall(ctx, plain, 1, "x", 2), "TypeError: initfinal.Plain() takes no keyword arguments");
    CHECK_ERROR(ctx, CALL0(ctx, m, "bad_type"),
                "SystemError: type 'initfinal.Both': IX_tp_new and IX_tp_new_kw exclude each other; give one");
    Ix_Decref(ctx, plain);
    Ix_Decref(ctx, point);
}

static IxObject *cycle(IxContext *ctx, IxObject *fin)
{
    IxObject *x = CHECK_OK(ctx, ixd_call(ctx, fin, NULL, NULL, 0));
    IxObject *y = CHECK_OK(ctx, ixd_call(ctx, fin, NULL, NULL, 0));
    CHECK_EQ_INT(Ix_SetAttr(ctx, x, "ref", y), 0);
    CHECK_EQ_INT(Ix_SetAttr(ctx, y, "ref", x), 0);
    Ix_Decref(ctx, y);
    return x;
}

static void check_counts(IxContext *ctx, IxObject *m, const char *want)
{
    char text[80];
    CHECK_EQ_STR(WANT_REPR(ctx, CALL0(ctx, m, "counts"), text), want);
}

static void check_finalizers(IxInterp *in)
{
    IxContext *ctx = ENTER(in);
    IxObject *m = IMPORT(ctx, "initfinal");
    check_constructors(ctx, m);
    IxObject *fin = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "Fin"));
    IxObject *subfin = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "SubFin"));
    Ix_Decref(ctx, CHECK_OK(ctx, ixd_call(ctx, subfin, NULL, NULL, 0)));
    check_counts(ctx, m, "(1, 1, 1, 1, 0)");
    /* a lone object resurrects itself, then dies for good without a second finalize */
    Ix_Decref(ctx, CHECK_OK(ctx, ixd_call_ints(ctx, m, "resurrect", INTS(1))));
    Ix_Decref(ctx, CHECK_OK(ctx, ixd_call(ctx, fin, NULL, NULL, 0)));
    check_counts(ctx, m, "(1, 2, 1, 1, 0)");
    Ix_Decref(ctx, CHECK_OK(ctx, CALL0(ctx, m, "release")));
    check_counts(ctx, m, "(1, 2, 1, 2, 0)");
    /* a cycle: finalized, cleared, freed */
    Ix_Decref(ctx, cycle(ctx, fin));
    ixh_leave(ctx);
    CHECK_EQ_INT(ixh_interp_collect(in), 2);
    ctx = ENTER(in);
    check_counts(ctx, m, "(1, 4, 1, 4, 0)");
    /* a cycle that resurrects: kept, then collected again without finalizing */
    Ix_Decref(ctx, CHECK_OK(ctx, ixd_call_ints(ctx, m, "resurrect", INTS(1))));
    Ix_Decref(ctx, cycle(ctx, fin));
    ixh_leave(ctx);
    CHECK_EQ_INT(ixh_interp_collect(in), 0);
    ctx = ENTER(in);
    check_counts(ctx, m, "(1, 6, 1, 4, 0)");
    Ix_Decref(ctx, CHECK_OK(ctx, CALL0(ctx, m, "release")));
    ixh_leave(ctx);
    CHECK_EQ_INT(ixh_interp_collect(in), 2);
    ctx = ENTER(in);
    check_counts(ctx, m, "(1, 6, 1, 6, 0)");
    /* a finalizer's own error is recorded (scenario unraisable) and dropped; the caller's is kept */
    Ix_Decref(ctx, CHECK_OK(ctx, ixd_call_ints(ctx, m, "raise_in_finalize", INTS(1))));
    CHECK_ERROR(ctx, CALL0(ctx, m, "drop_with_error"), "ValueError: kept");
    Ix_Decref(ctx, cycle(ctx, fin)); /* the collector's finalizers raise too: dropped */
    ixh_leave(ctx);
    CHECK_EQ_INT(ixh_interp_collect(in), 2);
    ctx = ENTER(in);
    check_counts(ctx, m, "(1, 9, 1, 9, 0)");
    Ix_Decref(ctx, CHECK_OK(ctx, ixd_call_ints(ctx, m, "raise_in_finalize", INTS(0))));
    /* left to close: a cycle (finalized by close's collection) and a resurrected object */
    Ix_Decref(ctx, cycle(ctx, fin));
    Ix_Decref(ctx, CHECK_OK(ctx, ixd_call_ints(ctx, m, "resurrect", INTS(1))));
    Ix_Decref(ctx, CHECK_OK(ctx, ixd_call(ctx, fin, NULL, NULL, 0)));
    Ix_Decref(ctx, subfin);
    Ix_Decref(ctx, fin);
    Ix_Decref(ctx, m);
    ixh_leave(ctx);
}

static void check_tokens(IxInterp *in)
{
    IxContext *ctx = ENTER(in);
    IxObject *a = IMPORT(ctx, "tokens_a"), *b = IMPORT(ctx, "tokens_b");
    IxObject *sub = CHECK_OK(ctx, Ix_GetAttr(ctx, a, "SubThing"));
    IxObject *s = CHECK_OK(ctx, ixd_call_ints(ctx, sub, NULL, INTS(7)));
    IxObject *found = CHECK_OK(ctx, ixd_call(ctx, b, "find", &s, 1));
    CHECK(found == sub);
    Ix_Decref(ctx, found);
    CHECK_EQ_INT(WANT_INT(ctx, ixd_call(ctx, b, "thing_v", &s, 1)), 7);
    CHECK_ERROR(ctx, ixd_call(ctx, b, "null_token", &s, 1),
                "SystemError: IxType_GetBaseByToken called with token=NULL");
    CHECK_ERROR(ctx, ixd_call(ctx, b, "not_a_type", &s, 1), "TypeError: expected type, got tokens_a.SubThing");
    Ix_Decref(ctx, s);
    Ix_Decref(ctx, sub);
    Ix_Decref(ctx, b);
    Ix_Decref(ctx, a);
    ixh_leave(ctx);
}

/* str subtype instances (5.55) as dict keys and values, in a list, compared and hashed with
 * plain str, then dropped in every order: memcheck and ASan watch their lifetimes. */
static void check_str_subtype(IxInterp *in)
{
    char text[96];
    IxContext *ctx = ENTER(in);
    IxObject *m = IMPORT(ctx, "strbase");
    IxObject *str = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "Str")), *sub = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "SubStr"));
    IxObject *s = CHECK_OK(ctx, ixd_call_str(ctx, str, NULL, "key"));
    IxObject *t = CHECK_OK(ctx, ixd_call_str(ctx, sub, NULL, "value"));
    IxObject *plain = CHECK_OK(ctx, IxStr_FromCString(ctx, "key"));
    IxObject *d = CHECK_OK(ctx, IxDict_New(ctx)), *l = CHECK_OK(ctx, IxList_New(ctx));
    CHECK_EQ_INT(IxDict_SetItem(ctx, d, s, t), 0);
    CHECK(IxDict_GetItem(ctx, d, plain) == t); /* found by the equal plain str */
    CHECK_EQ_INT(IxList_Append(ctx, l, s), 0);
    CHECK_EQ_INT(IxList_Append(ctx, l, t), 0);
    CHECK_EQ_INT(Ix_Hash(ctx, s), Ix_Hash(ctx, plain));
    CHECK_EQ_INT(Ix_RichCompareBool(ctx, plain, s, IX_EQ), 1);
    CHECK_EQ_STR(WANT_REPR(ctx, Ix_NewRef(ctx, t), text), "'value'"); /* str's repr */
    CHECK_EQ_STR(WANT_REPR(ctx, ixd_call(ctx, m, "probe", &s, 1), text),
                 "('strbase.Str', 'key', 3, True, True, 1, False, 3)");
    CHECK_ERROR(ctx, CALL0(ctx, m, "alloc"),
                "TypeError: IxType_GenericAlloc cannot make 'strbase.Str' instances (a subtype of str): call the type");
    CHECK_ERROR(ctx, ixd_call_ints(ctx, m, "managed", INTS(IX_TPFLAGS_MANAGED_DICT | IX_TPFLAGS_MANAGED_WEAKREF)),
                "SystemError: type 'strbase.Managed': a subtype of str cannot have IX_TPFLAGS_MANAGED_DICT or "
                "IX_TPFLAGS_MANAGED_WEAKREF");
    Ix_Decref(ctx, s);     /* the dict and the list hold it */
    Ix_Decref(ctx, plain);
    Ix_Decref(ctx, d);
    Ix_Decref(ctx, sub);   /* t still holds its type */
    Ix_Decref(ctx, str);
    Ix_Decref(ctx, m);
    Ix_Decref(ctx, t);
    Ix_Decref(ctx, l);     /* the last references: s and t and SubStr go here */
    ixh_leave(ctx);
}

void ixd_typeslots(int argc, char **argv)
{
    IXD_NO_ARGS;
    IxInterp *a = OPEN(), *b = OPEN_MODE(1);
    check_finalizers(a);
    check_finalizers(b);
    check_tokens(a);
    check_tokens(b);
    check_str_subtype(a);
    check_str_subtype(b);
    CHECK_CLOSE(a);
    CHECK_CLOSE(b);
    CHECK_CLEAN();
}
