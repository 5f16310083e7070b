/*
 * scenarios_attrs.c -- ABI 1.2's attributes, instance dicts, weak references and module
 * constants (ABI.md 3.40-3.43, 4.20, 5.40-5.43) on test-ext/attrs, in two interpreters,
 * one in debug mode: the getattro/setattro slots and their fallback, the lookup order, an
 * inherited managed dict, weakref callbacks on refcount death and on collection of a cycle
 * through an instance dict, the broken slots with their exact messages, and weak
 * references and their referents left for close (which must leave nothing).
 */
#include <stdio.h>

#include "driver.h"

static IxObject *text(IxContext *ctx, const char *s)
{
    return CHECK_OK(ctx, IxStr_FromCString(ctx, s));
}

static IxObject *num(IxContext *ctx, int64_t v)
{
    return CHECK_OK(ctx, IxLong_FromInt64(ctx, v));
}

/* Set o.name = v (v dropped), checked. */
static void set_owned(IxContext *ctx, IxObject *o, const char *name, IxObject *v)
{
    CHECK_EQ_INT(Ix_SetAttr(ctx, o, name, v), 0);
    Ix_Decref(ctx, v);
}

/* The repr of Ix_Dir(o) into buf. */
static const char *dir_repr(IxContext *ctx, IxObject *o, char *buf, size_t cap)
{
    return ixd_want_repr(ctx, Ix_Dir(ctx, o), buf, cap, "Ix_Dir", IXD_AT);
}

static void check_constants(IxContext *ctx, IxObject *m)
{
    char buf[128];
    CHECK_EQ_INT(WANT_INT(ctx, Ix_GetAttr(ctx, m, "ANSWER")), 42);
    CHECK_EQ_INT(WANT_INT(ctx, Ix_GetAttr(ctx, m, "LOWEST")), INT64_MIN);
    CHECK_EQ_STR(WANT_TEXT(ctx, Ix_GetAttr(ctx, m, "GREETING"), buf), "h\xc3\xa9llo");
    CHECK_ERROR(ctx, CALL0(ctx, m, "const_null_name"), "SystemError: IxModule_AddIntConstant: the name is NULL");
    CHECK_ERROR(ctx, CALL0(ctx, m, "const_null_value"),
                "SystemError: IxModule_AddStringConstant: value for 'NOTHING' is NULL");
    CHECK_ERROR(ctx, CALL0(ctx, m, "const_bad_utf8"), "ValueError: invalid UTF-8 at byte 2");
    CHECK_EQ_INT(Ix_DelAttr(ctx, m, "ANSWER"), 0);
    CHECK_ERROR_RC(ctx, Ix_DelAttr(ctx, m, "ANSWER"), "AttributeError: module 'attrs' has no attribute 'ANSWER'");
}

static void check_xo(IxContext *ctx, IxObject *m)
{
    char buf[128];
    IxObject *x = CHECK_OK(ctx, CALL0(ctx, m, "xo"));
    set_owned(ctx, x, "color", text(ctx, "red"));
    CHECK_EQ_STR(WANT_TEXT(ctx, Ix_GetAttr(ctx, x, "color"), buf), "red");
    CHECK_EQ_STR(WANT_TEXT(ctx, CALL0(ctx, x, "demo"), buf), "demo of Xo"); /* the generic fallback */
    CHECK_EQ_INT(Ix_DelAttr(ctx, x, "color"), 0);
    CHECK_ERROR_RC(ctx, Ix_DelAttr(ctx, x, "color"), "AttributeError: delete non-existing Xo attribute");
    CHECK_ERROR(ctx, Ix_GetAttr(ctx, x, "color"), "AttributeError: 'attrs.Xo' object has no attribute 'color'");
    IxObject *seven = num(ctx, 7);
    CHECK_ERROR(ctx, IxObject_GenericGetAttr(ctx, x, seven), "TypeError: attribute name must be string, not 'int'");
    CHECK_ERROR_RC(ctx, IxObject_GenericSetAttr(ctx, x, seven, seven), "TypeError: attribute name must be string, not 'int'");
    IxObject *nul = CHECK_OK(ctx, IxStr_FromUTF8(ctx, "a\0b", 3));
    CHECK_ERROR(ctx, IxObject_GenericGetAttr(ctx, x, nul), "ValueError: name contains a NUL character (at byte 1)");
    CHECK_ERROR(ctx, IxObject_GetDict(ctx, x), "TypeError: 'attrs.Xo' object has no __dict__");
    set_owned(ctx, x, "me", Ix_NewRef(ctx, x)); /* a cycle through its own dict: collected */
    IxObject *drop[] = {x, seven, nul};
    for (size_t i = 0; i < sizeof drop / sizeof *drop; i++) Ix_Decref(ctx, drop[i]);
}

static void check_box(IxContext *ctx, IxObject *m)
{
    char buf[256];
    IxObject *b = CHECK_OK(ctx, CALL0(ctx, m, "box"));
    CHECK_EQ_STR(dir_repr(ctx, b, buf, sizeof buf), "['__dict__', 'hello', 'label', 'size']");
    set_owned(ctx, b, "zeta", num(ctx, 1));
    set_owned(ctx, b, "alpha", num(ctx, 2));
    set_owned(ctx, b, "size", num(ctx, 9)); /* a member: a data descriptor wins over the dict */
    CHECK_EQ_STR(WANT_REPR(ctx, IxObject_GetDict(ctx, b), buf), "{'zeta': 1, 'alpha': 2}");
    CHECK_EQ_STR(WANT_REPR(ctx, Ix_GetAttr(ctx, b, "__dict__"), buf), "{'zeta': 1, 'alpha': 2}");
    CHECK_EQ_STR(dir_repr(ctx, b, buf, sizeof buf), "['__dict__', 'alpha', 'hello', 'label', 'size', 'zeta']");
    CHECK_EQ_INT(WANT_INT(ctx, Ix_GetAttr(ctx, b, "size")), 9);
    CHECK_ERROR_RC(ctx, Ix_SetAttr(ctx, b, "label", b), "AttributeError: attribute 'label' of 'attrs.Box' objects is not writable");
    CHECK_ERROR_RC(ctx, Ix_SetAttr(ctx, b, "__dict__", b), "AttributeError: attribute '__dict__' of 'attrs.Box' objects is not writable");
    CHECK_EQ_STR(WANT_TEXT(ctx, CALL0(ctx, b, "hello"), buf), "hello from Box");
    set_owned(ctx, b, "hello", num(ctx, 3)); /* the dict comes before a method */
    CHECK_EQ_INT(WANT_INT(ctx, Ix_GetAttr(ctx, b, "hello")), 3);
    CHECK_ERROR(ctx, CALL0(ctx, b, "hello"), "TypeError: 'int' object is not callable");
    CHECK_EQ_INT(Ix_DelAttr(ctx, b, "hello"), 0);
    CHECK_EQ_STR(WANT_TEXT(ctx, CALL0(ctx, b, "hello"), buf), "hello from Box");
    CHECK_ERROR_RC(ctx, Ix_DelAttr(ctx, b, "nothing"), "AttributeError: 'attrs.Box' object has no attribute 'nothing'");

    IxObject *s = CHECK_OK(ctx, CALL0(ctx, m, "sub_box")); /* inherits the dict */
    set_owned(ctx, s, "extra", num(ctx, 5));
    set_owned(ctx, s, "size", num(ctx, 6));
    set_owned(ctx, s, "mine", num(ctx, 7));
    CHECK_EQ_STR(WANT_REPR(ctx, IxObject_GetDict(ctx, s), buf), "{'mine': 7}");
    CHECK_EQ_INT(WANT_INT(ctx, Ix_GetAttr(ctx, s, "extra")), 5);
    CHECK_EQ_INT(WANT_INT(ctx, Ix_GetAttr(ctx, s, "size")), 6);
    CHECK_EQ_STR(dir_repr(ctx, s, buf, sizeof buf), "['__dict__', 'extra', 'hello', 'label', 'mine', 'size']");
    set_owned(ctx, s, "box", Ix_NewRef(ctx, b)); /* b <-> s through two instance dicts */
    set_owned(ctx, b, "sub", Ix_NewRef(ctx, s));
    Ix_Decref(ctx, s);
    Ix_Decref(ctx, b);
}

/* Weak references: callbacks on refcount death, a raising callback, refusals. */
static void check_weak(IxContext *ctx, IxObject *m)
{
    char buf[128];
    IxObject *w = CHECK_OK(ctx, ixd_call_ints(ctx, m, "weak", INTS(4)));
    IxObject *record = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "record"));
    IxObject *raiser = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "raise_in_callback"));
    IxObject *r1 = CHECK_OK(ctx, IxWeakref_New(ctx, w, record));
    IxObject *r2 = CHECK_OK(ctx, IxWeakref_New(ctx, w, raiser));
    IxObject *r3 = CHECK_OK(ctx, IxWeakref_New(ctx, w, NULL));
    IxObject *got = CHECK_OK(ctx, IxWeakref_GetObject(ctx, r3));
    CHECK(got == w);
    Ix_Decref(ctx, got);
    got = CHECK_OK(ctx, Ix_Call(ctx, r3, NULL, 0)); /* ref() is the referent */
    CHECK(got == w);
    Ix_Decref(ctx, got);
    CHECK_ERROR(ctx, Ix_Call(ctx, r3, &w, 1), "TypeError: weakref() takes no arguments (1 given)");
    Ix_Decref(ctx, w); /* dies: r1 records None, r2's error is dropped */
    CHECK(!IxErr_Occurred(ctx));
    CHECK_EQ_STR(WANT_REPR(ctx, CALL0(ctx, m, "log"), buf), "[None]");
    CHECK(Ix_IsNone(ctx, got = CHECK_OK(ctx, IxWeakref_GetObject(ctx, r1))));
    Ix_Decref(ctx, got);
    CHECK_MATCH(WANT_TEXT(ctx, Ix_Repr(ctx, r1), buf), "<weakref at *; dead>");

    IxObject *p = CHECK_OK(ctx, CALL0(ctx, m, "plain")), *seven = num(ctx, 7);
    CHECK_ERROR(ctx, IxWeakref_New(ctx, p, NULL), "TypeError: cannot create weak reference to 'attrs.Plain' object");
    CHECK_ERROR(ctx, IxWeakref_New(ctx, seven, NULL), "TypeError: cannot create weak reference to 'int' object");
    CHECK_ERROR(ctx, IxWeakref_GetObject(ctx, seven), "TypeError: expected weakref, got int");
    IxObject *drop[] = {record, raiser, r1, r2, r3, p, seven};
    for (size_t i = 0; i < sizeof drop / sizeof *drop; i++) Ix_Decref(ctx, drop[i]);
}

/* A WeakBox holding itself in its dict; a weak reference with a callback sees it collected. */
static IxObject *make_cycle(IxContext *ctx, IxObject *m)
{
    IxObject *b = CHECK_OK(ctx, CALL0(ctx, m, "weak_box"));
    set_owned(ctx, b, "me", Ix_NewRef(ctx, b));
    IxObject *record = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "record"));
    IxObject *r = CHECK_OK(ctx, IxWeakref_New(ctx, b, record));
    Ix_Decref(ctx, record);
    Ix_Decref(ctx, b); /* only the cycle holds it now */
    return r;
}

static void check_broken(IxContext *ctx, IxObject *m)
{
    IxObject *g = CHECK_OK(ctx, CALL0(ctx, m, "bad_get")), *s = CHECK_OK(ctx, CALL0(ctx, m, "bad_set"));
    CHECK_ERROR(ctx, Ix_GetAttr(ctx, g, "noerr"),
                "SystemError: attrs.BadGet.__getattribute__() returned NULL without setting an error");
    CHECK_ERROR(ctx, Ix_GetAttr(ctx, g, "both"),
                "SystemError: attrs.BadGet.__getattribute__() returned a result with an error set <- ValueError: both");
    CHECK_ERROR(ctx, Ix_GetAttr(ctx, g, "recurse"), "RuntimeError: maximum recursion depth exceeded while getting an attribute");
    CHECK_ERROR(ctx, Ix_GetAttr(ctx, g, "other"), "AttributeError: 'attrs.BadGet' object has no attribute 'other'");
    CHECK_ERROR_RC(ctx, Ix_SetAttr(ctx, s, "x", s), "SystemError: attrs.BadSet.__setattr__() returned -1 without setting an error");
    CHECK_ERROR_RC(ctx, Ix_DelAttr(ctx, s, "x"), "SystemError: attrs.BadSet.__delattr__() returned -1 without setting an error");
    Ix_Decref(ctx, g);
    Ix_Decref(ctx, s);
}

static void check_in(IxInterp *in)
{
    char buf[128];
    IxContext *ctx = ENTER(in);
    IxObject *m = IMPORT(ctx, "attrs");
    check_constants(ctx, m);
    check_xo(ctx, m);
    check_box(ctx, m);
    check_weak(ctx, m);
    check_broken(ctx, m);
    IxObject *r = make_cycle(ctx, m);
    ixh_leave(ctx);
    CHECK(ixh_interp_collect(in) >= 3); /* the WeakBox and its dict, the Xo ..., the Boxes */
    ctx = ENTER(in);
    IxObject *got = CHECK_OK(ctx, IxWeakref_GetObject(ctx, r));
    CHECK(Ix_IsNone(ctx, got));
    Ix_Decref(ctx, got);
    CHECK_EQ_STR(WANT_REPR(ctx, CALL0(ctx, m, "log"), buf), "[None, None]");
    Ix_Decref(ctx, r);
    /* Left for close: a referent and its weak references, one with a callback. */
    IxObject *w = CHECK_OK(ctx, ixd_call_ints(ctx, m, "weak", INTS(1)));
    IxObject *record = CHECK_OK(ctx, Ix_GetAttr(ctx, m, "record"));
    set_owned(ctx, m, "kept_ref", CHECK_OK(ctx, IxWeakref_New(ctx, w, record)));
    set_owned(ctx, m, "kept_plain_ref", CHECK_OK(ctx, IxWeakref_New(ctx, w, NULL)));
    set_owned(ctx, m, "kept", w);
    Ix_Decref(ctx, record);
    Ix_Decref(ctx, m);
    ixh_leave(ctx);
}

/* Objects of b handed to a's new entries are refused (ABI.md 3.3, 3.41-3.42). */
static void check_foreign(IxInterp *a, IxInterp *b)
{
    IxContext *cb = ENTER(b);
    IxObject *l = CHECK_OK(cb, IxList_New(cb));
    ixh_leave(cb);
    IxContext *ca = ENTER(a);
    IxObject *m = IMPORT(ca, "attrs"), *w = CHECK_OK(ca, ixd_call_ints(ca, m, "weak", INTS(2)));
    CHECK_ERROR(ca, IxWeakref_New(ca, w, l),
                "TypeError: expected a callback of this interpreter, got list (an object of interpreter *)");
    CHECK_ERROR(ca, IxWeakref_New(ca, l, NULL),
                "TypeError: expected an object of this interpreter, got list (an object of interpreter *)");
    CHECK_ERROR(ca, Ix_Dir(ca, l), "TypeError: expected an object of this interpreter, got list (an object of interpreter *)");
    CHECK_ERROR(ca, IxObject_GetDict(ca, l),
                "TypeError: expected an object of this interpreter, got list (an object of interpreter *)");
    Ix_Decref(ca, w);
    Ix_Decref(ca, m);
    ixh_leave(ca);
    cb = ENTER(b);
    Ix_Decref(cb, l);
    ixh_leave(cb);
}

/* Debug mode checks the new entries like the others (ix_table.def): NULL objects. */
static void check_debug(void)
{
    char log[1024];
    ixh_debug_take_violations(NULL, 0); /* whatever came before is not ours */
    IxInterp *in = OPEN_MODE(1);
    IxContext *ctx = ENTER(in);
    IxObject *m = IMPORT(ctx, "attrs");
    CHECK(!Ix_Dir(ctx, NULL));
    CHECK(!IxWeakref_GetObject(ctx, NULL));
    CHECK_EQ_INT(IxObject_GenericSetAttr(ctx, m, NULL, NULL), -1);
    CHECK_EQ_INT(IxModule_AddIntConstant(ctx, NULL, "X", 1), -1);
    IxErr_Clear(ctx);
    Ix_Decref(ctx, m);
    ixh_leave(ctx);
    CHECK_CLOSE(in);
    CHECK_EQ_INT(ixh_debug_take_violations(log, sizeof log), 4);
    CHECK_EQ_STR(log, "isolex debug: Ix_Dir: argument 1 is NULL\n"
                      "isolex debug: IxWeakref_GetObject: argument 1 is NULL\n"
                      "isolex debug: IxObject_GenericSetAttr: argument 2 is NULL\n"
                      "isolex debug: IxModule_AddIntConstant: argument 1 is NULL\n");
}

void ixd_attrs(int argc, char **argv)
{
    IXD_NO_ARGS;
    IxInterp *a = OPEN(), *b = OPEN_MODE(1); /* one in debug mode: the new entries checked */
    check_in(a);
    check_in(b);
    check_foreign(a, b);
    check_debug();
    CHECK_CLOSE(a);
    CHECK_CLOSE(b);
}
