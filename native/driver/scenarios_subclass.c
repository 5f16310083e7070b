/*
 * scenarios_subclass.c -- ABI 1.2's subclassing (ABI.md 5.5-5.8) through test-ext's
 * subclasses module: a subtype's methods, members and isinstance through its base, the
 * host chaining each level's dealloc, an Exception subtype, methods receiving their
 * defining class, IxType_GetModuleByDef from a subtype, and every base rule's exact
 * message; in two interpreters at once, one in debug mode.
 */
#include <stdio.h>

#include "driver.h"

static IxObject *sub_of(IxContext *ctx, IxObject *m, IxObject *base, int64_t size)
{
    IxObject *n = CHECK_OK(ctx, IxLong_FromInt64(ctx, size));
    IxObject *args[2] = {base, n};
    IxObject *r = ixd_call(ctx, m, "sub_of", args, 2);
    Ix_Decref(ctx, n);
    return r;
}

static void check_instances(IxContext *ctx, IxObject *m, IxObject *base, IxObject *sub)
{
    char text[64];
    IxObject *b = CHECK_OK(ctx, ixd_call_ints(ctx, base, NULL, INTS(5)));
    IxObject *s = CHECK_OK(ctx, ixd_call_ints(ctx, sub, NULL, INTS(7))); /* Base's tp_new */
    CHECK_EQ_STR(WANT_TEXT(ctx, CALL0(ctx, b, "who"), text), "Base");
    CHECK_EQ_STR(WANT_TEXT(ctx, CALL0(ctx, s, "who"), text), "Sub"); /* overridden */
    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, s, "get")), 7);           /* inherited */
    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, s, "twice")), 14);
    CHECK_EQ_INT(WANT_INT(ctx, Ix_GetAttr(ctx, s, "value")), 7);     /* base's member */
    CHECK_EQ_INT(Ix_IsInstance(ctx, s, base), 1);
    CHECK_EQ_INT(Ix_IsInstance(ctx, b, sub), 0);
    IxObject *cls = CHECK_OK(ctx, CALL0(ctx, s, "defining"));
    CHECK(cls == base); /* the defining class, not the instance's type */
    Ix_Decref(ctx, cls);
    IxObject *mod = CHECK_OK(ctx, CALL0(ctx, s, "module"));
    CHECK(mod == m);
    Ix_Decref(ctx, mod);
    /* class and static methods (ABI.md 5.9), through the type and through an instance */
    IxObject *made = CHECK_OK(ctx, ixd_call_ints(ctx, sub, "make", INTS(4)));
    CHECK(Ix_Type(ctx, made) == sub);
    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, made, "twice")), 8);
    Ix_Decref(ctx, made);
    made = CHECK_OK(ctx, ixd_call_ints(ctx, b, "make", INTS(2)));
    CHECK(Ix_Type(ctx, made) == base);
    Ix_Decref(ctx, made);
    IxObject *bound = CHECK_OK(ctx, Ix_GetAttr(ctx, s, "make")); /* bound to Sub */
    made = CHECK_OK(ctx, ixd_call_ints(ctx, bound, NULL, INTS(1)));
    CHECK(Ix_Type(ctx, made) == sub);
    Ix_Decref(ctx, made);
    Ix_Decref(ctx, bound);
    CHECK_EQ_INT(WANT_INT(ctx, ixd_call_ints(ctx, sub, "doubled", INTS(21))), 42);
    CHECK_EQ_INT(WANT_INT(ctx, ixd_call_ints(ctx, s, "doubled", INTS(5))), 10);
    CHECK_ERROR(ctx, CALL0(ctx, m, "bad_kinds"),
                "SystemError: type 'subclasses.BothKinds': method 'm' has flags 0x30; IX_METH_METHOD, "
                "IX_METH_CLASS and IX_METH_STATIC exclude each other");
    CHECK_ERROR(ctx, ixd_call_ints(ctx, m, "bad_kinds", INTS(1)),
                "SystemError: type 'subclasses.BothKinds': method 'm' has flags 0x201; "
                "IX_METH_KEYWORDS does not combine with IX_METH_METHOD in ABI 1.2");
    CHECK_ERROR(ctx, CALL0(ctx, b, "twice"), "AttributeError: 'subclasses.Base' object has no attribute 'twice'");

    /* Each level's dealloc runs once: Sub's, then Base's (ABI.md 5.6). */
    CHECK_EQ_STR(WANT_REPR(ctx, CALL0(ctx, m, "deallocs"), text), "(3, 2)"); /* the three made above */
    CHECK_EQ_INT(Ix_SetAttr(ctx, s, "extra", b), 0);
    Ix_Decref(ctx, s);
    CHECK_EQ_STR(WANT_REPR(ctx, CALL0(ctx, m, "deallocs"), text), "(4, 3)");
    Ix_Decref(ctx, b); /* its last reference went with s's extra */
    CHECK_EQ_STR(WANT_REPR(ctx, CALL0(ctx, m, "deallocs"), text), "(5, 3)");

    /* A cycle through the subtype's own field: the collector traverses and clears both
     * levels, so close finds nothing left. */
    IxObject *c = CHECK_OK(ctx, ixd_call_ints(ctx, sub, NULL, INTS(1)));
    CHECK_EQ_INT(Ix_SetAttr(ctx, c, "extra", c), 0);
    Ix_Decref(ctx, c);
}

static void check_error_type(IxContext *ctx, IxObject *m)
{
    char text[64];
    IxObject *err = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "Error"));
    IxObject *e = CHECK_OK(ctx, ixd_call_str(ctx, err, NULL, "boom"));
    CHECK_EQ_INT(Ix_IsInstance(ctx, e, Ix_Builtin(ctx, IX_EXC_EXCEPTION)), 1);
    CHECK_EQ_STR(WANT_TEXT(ctx, CALL0(ctx, e, "describe"), text), "Error says: boom");
    IxErr_Raise(ctx, e);
    CHECK_ERROR(ctx, (IxObject *)NULL, "subclasses.Error: boom");
    CHECK_ERROR(ctx, ixd_call_str(ctx, m, "fail", "from C"), "subclasses.Error: from C");
    IxObject *mod = CHECK_OK(ctx, ixd_call(ctx, m, "by_def", &err, 1));
    CHECK(mod == m);
    Ix_Decref(ctx, mod);
    Ix_Decref(ctx, e);
    Ix_Decref(ctx, err);
}

/* Every base rule (ABI.md 5.5) and GetModuleByDef's (5.7), with the exact message. */
static void check_rules(IxContext *ctx, IxObject *m, IxObject *base)
{
    char text[64];
    CHECK_ERROR(ctx, sub_of(ctx, m, base, 16),
                "SystemError: type 'subclasses.Made': basic_size 16 is smaller than its base's (32)");
    CHECK_ERROR(ctx, sub_of(ctx, m, Ix_Builtin(ctx, IX_TYPE_INT), 0),
                "TypeError: type 'int' is not an acceptable base type"); /* ABI.md 5.55 */
    IxObject *final = CHECK_OK(ctx, CALL0(ctx, m, "final_type"));
    CHECK_ERROR(ctx, sub_of(ctx, m, final, 16),
                "SystemError: type 'subclasses.Made': base 'subclasses.NoBase' does not allow "
                "subclassing; add IX_TPFLAGS_BASETYPE to its spec's flags");
    Ix_Decref(ctx, final);
    IxObject *loose = CHECK_OK(ctx, CALL0(ctx, m, "loose_base"));
    Ix_Decref(ctx, CHECK_OK(ctx, sub_of(ctx, m, loose, 16))); /* another module's type is a base (5.5) */
    Ix_Decref(ctx, loose);
    IxObject *seven = CHECK_OK(ctx, IxLong_FromInt64(ctx, 7));
    CHECK_ERROR(ctx, sub_of(ctx, m, seven, 16), "TypeError: expected a type as base, got int");
    IxObject *int_type = Ix_Builtin(ctx, IX_TYPE_INT);
    CHECK_ERROR(ctx, ixd_call(ctx, m, "by_def", &int_type, 1),
                "TypeError: IxType_GetModuleByDef: no superclass of 'int' has module 'subclasses'");
    Ix_Decref(ctx, seven);
    /* A good one: basic_size 0 is the base's; instances work as Base's. */
    IxObject *made = CHECK_OK(ctx, sub_of(ctx, m, base, 0));
    IxObject *x = CHECK_OK(ctx, ixd_call_ints(ctx, made, NULL, INTS(3)));
    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, x, "get")), 3);
    CHECK_EQ_STR(WANT_REPR(ctx, Ix_Type(ctx, x) == made ? Ix_NewRef(ctx, made) : NULL, text),
                 "<class 'subclasses.Made'>");
    Ix_Decref(ctx, x);
    Ix_Decref(ctx, made);
}

static void check_module(IxContext *ctx)
{
    IxObject *m = IMPORT(ctx, "subclasses");
    IxObject *base = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "Base"));
    IxObject *sub = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "Sub"));
    check_instances(ctx, m, base, sub);
    check_error_type(ctx, m);
    check_rules(ctx, m, base);
    Ix_Decref(ctx, sub);
    Ix_Decref(ctx, base);
    Ix_Decref(ctx, m);
}

/* A base of another interpreter, as only an embedder holding both could pass it (release
 * mode: debug mode refuses the foreign argument before the call, ABI.md 10). */
static void check_foreign_base(IxInterp *a, IxInterp *b)
{
    IxContext *ctx = ENTER(a);
    IxObject *m = IMPORT(ctx, "subclasses");
    IxObject *base = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "Base"));
    ixh_leave(ctx);
    IxContext *bctx = ENTER(b);
    IxTypeSpec spec = {"subclasses.Made", 40, 0, NULL};
    CHECK_ERROR(bctx, IxType_FromSpecWithBase(bctx, NULL, &spec, base),
                "SystemError: type 'subclasses.Made': base 'subclasses.Base' belongs to another "
                "interpreter; use this interpreter's type");
    ixh_leave(bctx);
    ctx = ENTER(a);
    Ix_Decref(ctx, base);
    Ix_Decref(ctx, m);
    ixh_leave(ctx);
}

void ixd_subclasses(int argc, char **argv)
{
    IXD_NO_ARGS;
    IxInterp *a = OPEN(), *b = OPEN_MODE(1); /* one in debug mode: the new entry checked */
    IxContext *ctx = ENTER(a);
    check_module(ctx);
    ixh_leave(ctx);
    ctx = ENTER(b);
    check_module(ctx); /* b's module: its own counts and types */
    ixh_leave(ctx);
    IxInterp *c = OPEN();
    check_foreign_base(b, c);
    CHECK_CLOSE(c);
    CHECK_CLOSE(a);
    CHECK_CLOSE(b);
    CHECK_CLEAN();
}
