/*
 * argparse.c -- IxArg_Parse (ABI.md 4.14): positional and keyword arguments matched to the
 * parameters of an IxArgSpec, with CPython's messages. Values are borrowed from the
 * caller's array; nothing is allocated, so a parse that fails leaves nothing to release.
 */
#include "../ix_internal.h"

#include <string.h>

static const char *fn_name(const IxArgSpec *spec)
{
    return spec->fname ? spec->fname : "function";
}

/* A spec is the extension's constant: a wrong one is a bug of its author (SystemError). */
static int check_spec(IxContext *ctx, const IxArgSpec *spec, int32_t *total)
{
    int32_t n = 0;
    if (spec && spec->names)
        while (n < 256 && spec->names[n]) n++;
    if (!spec || !spec->names || n == 256 || spec->required < 0 || spec->required > n ||
        spec->positional < 0 || spec->positional > n) {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR,
                      "IxArg_Parse: invalid spec for %.200s(): names must be NULL-terminated (at most 255), "
                      "0 <= required <= count and 0 <= positional <= count",
                      spec ? fn_name(spec) : "function");
        return -1;
    }
    *total = n;
    return 0;
}

static int too_many(IxContext *ctx, const IxArgSpec *spec, int32_t total, size_t n)
{
    int32_t pos = spec->positional;
    const char *noun = pos < total ? "positional argument" : "argument";
    if (pos == 0)
        ix_err_format(ctx, IX_EXC_TYPEERROR, "%.200s() takes no %ss (%zu given)", fn_name(spec), noun, n);
    else
        ix_err_format(ctx, IX_EXC_TYPEERROR, "%.200s() takes %s %d %s%s (%zu given)", fn_name(spec),
                      spec->required >= pos ? "exactly" : "at most", pos, noun, pos == 1 ? "" : "s", n);
    return -1;
}

static int32_t find_param(const IxArgSpec *spec, int32_t total, const IxStrObject *key)
{
    for (int32_t i = 0; i < total; i++)
        if (strlen(spec->names[i]) == key->len && memcmp(spec->names[i], key->data, key->len) == 0) return i;
    return -1;
}

int ix_arg_parse(IxContext *ctx, IxObject *const *args, size_t n, IxObject *kwnames, const IxArgSpec *spec,
                 IxObject **out)
{
    int32_t total;
    if (check_spec(ctx, spec, &total) < 0) return -1;
    if (kwnames && !IX_IS(ctx, kwnames, IX_TYPE_TUPLE)) {
        ix_err_format(ctx, IX_EXC_TYPEERROR, "%.200s(): keyword names must be a tuple of str, not %s",
                      fn_name(spec), IX_TYPE(kwnames)->name);
        return -1;
    }
    if (n > (size_t)spec->positional) return too_many(ctx, spec, total, n);
    for (int32_t i = 0; i < total; i++) out[i] = (size_t)i < n ? args[i] : NULL;
    size_t nkw = ix_kwnames_count(ctx, kwnames);
    for (size_t j = 0; j < nkw; j++) {
        IxObject *key = ((IxTupleObject *)kwnames)->items[j];
        if (!IX_IS(ctx, key, IX_TYPE_STR)) {
            ix_err_format(ctx, IX_EXC_TYPEERROR, "%.200s() keywords must be strings", fn_name(spec));
            return -1;
        }
        int32_t i = find_param(spec, total, (IxStrObject *)key);
        if (i < 0) {
            ix_err_format(ctx, IX_EXC_TYPEERROR, "%.200s() got an unexpected keyword argument '%.200s'",
                          fn_name(spec), ((IxStrObject *)key)->data);
            return -1;
        }
        if (out[i]) {
            ix_err_format(ctx, IX_EXC_TYPEERROR, "%.200s() got multiple values for argument '%s'",
                          fn_name(spec), spec->names[i]);
            return -1;
        }
        out[i] = args[n + j];
    }
    for (int32_t i = 0; i < spec->required; i++) {
        if (out[i]) continue;
        if (i < spec->positional)
            ix_err_format(ctx, IX_EXC_TYPEERROR, "%.200s() missing required argument '%s' (pos %d)",
                          fn_name(spec), spec->names[i], i + 1);
        else
            ix_err_format(ctx, IX_EXC_TYPEERROR, "%.200s() missing required keyword-only argument '%s'",
                          fn_name(spec), spec->names[i]);
        return -1;
    }
    return 0;
}
