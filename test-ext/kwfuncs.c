/*
 * kwfuncs -- keyword calls and IxArg_Parse (ABI.md 4.13, 4.14); tests assert the results
 * and the exact messages.
 *
 *   span(a, b=None, *, step=None)  -> (a, b, step), None for what was not given
 *   pair(x, y)                     -> (x, y): every parameter required, positional or keyword
 *   only_kw(*, key)                -> key: a required keyword-only parameter
 *   names(*args, **kw)             -> kwnames as passed to the function (None for NULL)
 *   plain(x)                       -> x: no IX_METH_KEYWORDS, so keywords are refused
 *   bad_spec()                     IxArg_Parse with a spec whose required exceeds its names
 *   return_kw_borrowed(*, v)       BUG: returns v without a new reference (debug mode
 *                                  reports it; call it only in a debug interpreter)
 */
#include <stddef.h>

#include "isolex.h"

static IxObject *tuple_of(IxContext *ctx, IxObject **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (items[i] == NULL)
            items[i] = Ix_None(ctx);
    return IxTuple_FromArray(ctx, items, n);
}

static const char *const span_names[] = {"a", "b", "step", NULL};
static const IxArgSpec span_spec = {"span", span_names, 1, 2};

static IxObject *kw_span(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs,
                         IxObject *kwnames)
{
    IxObject *out[3];
    if (IxArg_Parse(ctx, args, nargs, kwnames, &span_spec, out) < 0)
        return NULL;
    return tuple_of(ctx, out, 3);
}

static const char *const pair_names[] = {"x", "y", NULL};
static const IxArgSpec pair_spec = {"pair", pair_names, 2, 2};

static IxObject *kw_pair(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs,
                         IxObject *kwnames)
{
    IxObject *out[2];
    if (IxArg_Parse(ctx, args, nargs, kwnames, &pair_spec, out) < 0)
        return NULL;
    return tuple_of(ctx, out, 2);
}

static const char *const only_kw_names[] = {"key", NULL};
static const IxArgSpec only_kw_spec = {"only_kw", only_kw_names, 1, 0};

static IxObject *kw_only_kw(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs,
                            IxObject *kwnames)
{
    IxObject *key;
    if (IxArg_Parse(ctx, args, nargs, kwnames, &only_kw_spec, &key) < 0)
        return NULL;
    return Ix_NewRef(ctx, key);
}

static IxObject *kw_names(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs,
                          IxObject *kwnames)
{
    return Ix_NewRef(ctx, kwnames ? kwnames : Ix_None(ctx));
}

static IxObject *kw_plain(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    return Ix_NewRef(ctx, args[0]);
}

static const char *const bad_names[] = {"a", NULL};
static const IxArgSpec bad_spec = {"bad_spec", bad_names, 2, 1};

static IxObject *kw_bad_spec(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs,
                             IxObject *kwnames)
{
    IxObject *out[2];
    if (IxArg_Parse(ctx, args, nargs, kwnames, &bad_spec, out) < 0)
        return NULL;
    return Ix_ReturnNone(ctx);
}

static IxObject *kw_return_kw_borrowed(IxContext *ctx, IxObject *module, IxObject *const *args,
                                       size_t nargs, IxObject *kwnames)
{
    return kwnames ? args[nargs] : Ix_ReturnNone(ctx);
}

static const IxMethodDef kw_methods[] = {
    {"span", IX_KWFUNC(kw_span), 0, IX_VARARGS, IX_METH_KEYWORDS, "span(a, b=None, *, step=None)"},
    {"pair", IX_KWFUNC(kw_pair), 0, IX_VARARGS, IX_METH_KEYWORDS, "pair(x, y)"},
    {"only_kw", IX_KWFUNC(kw_only_kw), 0, IX_VARARGS, IX_METH_KEYWORDS, "only_kw(*, key)"},
    {"names", IX_KWFUNC(kw_names), 0, IX_VARARGS, IX_METH_KEYWORDS, "names(*args, **kw)"},
    {"plain", kw_plain, 1, 1, 0, "plain(x)"},
    {"bad_spec", IX_KWFUNC(kw_bad_spec), 0, IX_VARARGS, IX_METH_KEYWORDS, "bad_spec()"},
    {"return_kw_borrowed", IX_KWFUNC(kw_return_kw_borrowed), 0, IX_VARARGS, IX_METH_KEYWORDS,
     "return_kw_borrowed(*, v): a bug"},
    IX_METHODS_END
};

static const IxModuleDef kw_def = {
    IX_MODULEDEF_HEAD,
    .name = "kwfuncs",
    .doc = "Keyword calls and the argument parser.",
    .methods = kw_methods,
};

IX_MODINIT(kwfuncs)
{
    return &kw_def;
}
