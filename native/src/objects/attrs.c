/*
 * attrs.c -- attributes beyond the type's descriptors (ABI 1.2, ABI.md 3.40-3.41,
 * 5.40-5.42): the IX_tp_getattro / IX_tp_setattro slots, the instance dict the host keeps
 * for IX_TPFLAGS_MANAGED_DICT types, deleting and listing attributes.
 *
 * Where the hidden words live: after the instance struct. A type with either managed
 * flag gets dict_offset / weaklist_offset = its basic_size rounded up to 8 (then + 8), and
 * its instances are allocated that much larger (ix_type_instance_size). Each concrete type
 * appends its own words after its own basic_size, so a subtype that grows the struct moves
 * them with it, and no public struct changes. The extension never sees them: members are
 * checked against basic_size, and only the host reads the words.
 *
 * Lookup order (CPython's PyObject_GenericGetAttr): a data descriptor of the type chain
 * (member, getset), then the instance dict, then anything else the chain holds (methods,
 * plain values). Setting: a data descriptor, else the instance dict.
 *
 * Everything here runs under the interpreter lock of the object's interpreter.
 */
#include <stdlib.h>
#include <string.h>

#include "ix_internal.h"

/* ---------------------------------------------------------------- layout */

void ix_attrs_layout(IxTypeObject *t)
{
    if (t->ex == &ix_no_extra_slots) return; /* no managed flag (type_alloc): offsets 0 */
    int64_t at = (t->basic_size + 7) & ~(int64_t)7;
    t->ex->dict_offset = t->ex->weaklist_offset = 0;
    if (t->flags & IX_TPFLAGS_MANAGED_DICT) t->ex->dict_offset = at, at += 8;
    if (t->flags & IX_TPFLAGS_MANAGED_WEAKREF) t->ex->weaklist_offset = at;
}

size_t ix_type_instance_size(IxTypeObject *t)
{
    int64_t end = t->ex->weaklist_offset ? t->ex->weaklist_offset + 8 : t->ex->dict_offset ? t->ex->dict_offset + 8 : t->basic_size;
    return (size_t)end;
}

/* ---------------------------------------------------------------- the instance dict */

/* The dict, made on first use (borrowed); NULL with MemoryError. */
static IxObject *dict_of(IxContext *ctx, IxObject *o)
{
    IxObject **slot = IX_DICT_SLOT(o);
    if (!*slot) *slot = ix_dict_new(ctx);
    return *slot;
}

IxObject *ix_instance_getattr(IxContext *ctx, IxObject *o, const char *name)
{
    if (!strcmp(name, "__dict__")) {
        IxObject *d = dict_of(ctx, o);
        if (d) IX_INCREF(d);
        return d;
    }
    IxObject *d = *IX_DICT_SLOT(o), *v = d ? ix_dict_get_cstr(ctx, d, name) : NULL;
    if (v) IX_INCREF(v);
    return v;
}

bool ix_instance_has(IxContext *ctx, IxObject *o, const char *name)
{
    IxObject *d = *IX_DICT_SLOT(o);
    return d && ix_dict_get_cstr(ctx, d, name);
}

static int no_attribute(IxContext *ctx, IxObject *o, const char *name)
{
    ix_err_format(ctx, IX_EXC_ATTRIBUTEERROR, "'%s' object has no attribute '%s'", IX_TYPE(o)->name, name);
    return -1;
}

int ix_instance_setattr(IxContext *ctx, IxObject *o, const char *name, IxObject *v)
{
    if (!strcmp(name, "__dict__")) { /* the host owns it: it is read, never replaced */
        ix_err_format(ctx, IX_EXC_ATTRIBUTEERROR, "attribute '__dict__' of '%s' objects is not writable",
                      IX_TYPE(o)->name);
        return -1;
    }
    if (v) {
        IxObject *d = dict_of(ctx, o);
        return d ? ix_dict_set_cstr(ctx, d, name, v) : -1;
    }
    IxObject *d = *IX_DICT_SLOT(o);
    if (!d || !ix_dict_get_cstr(ctx, d, name)) return no_attribute(ctx, o, name);
    IxObject *key = ix_str_from_cstr(ctx, name);
    if (!key) return -1;
    int rc = ix_dict_delitem(ctx, d, key);
    IX_DECREF(ctx, key);
    return rc;
}

int ix_instance_dict_visit(IxContext *ctx, IxObject *o, IxVisitProc visit, void *arg)
{
    IX_VISIT(*IX_DICT_SLOT(o));
    return 0;
}

void ix_instance_dict_drop(IxContext *ctx, IxObject *o)
{
    IX_CLEAR_REF(ctx, *IX_DICT_SLOT(o));
}

IxObject *ix_object_get_dict(IxContext *ctx, IxObject *o)
{
    if (!ix_owned_by(ctx, o)) return ix_err_wrong_type(ctx, "an object of this interpreter", o);
    if (!IX_TYPE(o)->ex->dict_offset)
        return ix_err_format(ctx, IX_EXC_TYPEERROR, "'%s' object has no __dict__", IX_TYPE(o)->name);
    return ix_instance_getattr(ctx, o, "__dict__");
}

/* ---------------------------------------------------------------- the slots */

/* The slot receives the name as a str made here (the C-string API is the older one). */
IxObject *ix_slot_getattr(IxContext *ctx, IxObject *o, const char *name)
{
    IxTypeObject *t = IX_TYPE(o);
    IxObject *s = ix_str_from_cstr(ctx, name);
    if (!s) return NULL;
    IxEntry e;
    ix_enter_code(ctx, IX_EX_HOOK_MODULE(t, tp_getattro), &e);
    IxObject *r = t->ex->tp_getattro(ctx, o, s);
    ix_leave_code(ctx, &e);
    IX_DECREF(ctx, s);
    return ix_check_slot_result(ctx, r, t->name, "__getattribute__");
}

int ix_slot_setattr(IxContext *ctx, IxObject *o, const char *name, IxObject *v)
{
    IxTypeObject *t = IX_TYPE(o);
    IxObject *s = ix_str_from_cstr(ctx, name);
    if (!s) return -1;
    IxEntry e;
    ix_enter_code(ctx, IX_EX_HOOK_MODULE(t, tp_setattro), &e);
    int rc = t->ex->tp_setattro(ctx, o, s, v);
    ix_leave_code(ctx, &e);
    IX_DECREF(ctx, s);
    return (int)ix_check_slot_int(ctx, rc < 0 ? -1 : 0, IX_TYPE(o)->name, v ? "__setattr__" : "__delattr__");
}

/* ---------------------------------------------------------------- the generic entries */

/* The C string of an attribute name given as a str: NULL with the error for anything else
 * (CPython's TypeError), or a name with a NUL in it (ABI.md 3.7). */
static const char *name_text(IxContext *ctx, IxObject *name)
{
    if (!IX_IS(ctx, name, IX_TYPE_STR)) {
        ix_err_format(ctx, IX_EXC_TYPEERROR, "attribute name must be string, not '%s'", IX_TYPE(name)->name);
        return NULL;
    }
    IxStrObject *s = (IxStrObject *)name;
    const char *nul = memchr(s->data, 0, s->len);
    if (nul) {
        ix_err_format(ctx, IX_EXC_VALUEERROR, "name contains a NUL character (at byte %zu)", (size_t)(nul - s->data));
        return NULL;
    }
    return s->data;
}

/* What the host does without a slot: a builtin's own hook, else the descriptors and dict. */
IxObject *ix_object_generic_getattr(IxContext *ctx, IxObject *o, IxObject *name)
{
    if (!ix_owned_by(ctx, o) || !ix_owned_by(ctx, name))
        return ix_err_wrong_type(ctx, "an object of this interpreter", ix_owned_by(ctx, o) ? name : o);
    const char *n = name_text(ctx, name);
    if (!n) return NULL;
    IxTypeObject *t = IX_TYPE(o);
    return t->core->tp_getattr ? t->core->tp_getattr(ctx, o, n) : ix_generic_getattr(ctx, o, n);
}

int ix_object_generic_setattr(IxContext *ctx, IxObject *o, IxObject *name, IxObject *v)
{
    IxObject *foreign = !ix_owned_by(ctx, o) ? o : !ix_owned_by(ctx, name) ? name : v && !ix_owned_by(ctx, v) ? v : NULL;
    if (foreign) {
        ix_err_wrong_type(ctx, "an object of this interpreter", foreign);
        return -1;
    }
    const char *n = name_text(ctx, name);
    if (!n) return -1;
    IxTypeObject *t = IX_TYPE(o);
    return t->core->tp_setattr ? t->core->tp_setattr(ctx, o, n, v) : ix_generic_setattr(ctx, o, n, v);
}

int ix_delattr(IxContext *ctx, IxObject *o, const char *name)
{
    return ix_setattr(ctx, o, name, NULL);
}

/* ---------------------------------------------------------------- dir */

static int cmp_names(const void *a, const void *b)
{
    const IxStrObject *x = *(IxStrObject *const *)a, *y = *(IxStrObject *const *)b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->data, y->data, n); /* UTF-8 byte order is code point order */
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Append the str keys of dict d (may be NULL) to list l. */
static int add_keys(IxContext *ctx, IxObject *l, IxObject *d)
{
    size_t pos = 0;
    IxObject *k, *v;
    while (d && ix_dict_next(ctx, d, &pos, &k, &v))
        if (IX_IS(ctx, k, IX_TYPE_STR) && ix_list_append(ctx, l, k) < 0) return -1;
    return 0;
}

/* Sort the list's names in place and drop the repeats. */
static void sort_unique(IxContext *ctx, IxObject *list)
{
    IxListObject *l = (IxListObject *)list;
    if (l->len > 1) qsort(l->items, l->len, sizeof *l->items, cmp_names);
    size_t w = 0;
    for (size_t i = 0; i < l->len; i++) {
        if (w > 0 && cmp_names(&l->items[w - 1], &l->items[i]) == 0) {
            IX_DECREF(ctx, l->items[i]);
            continue;
        }
        l->items[w++] = l->items[i];
    }
    l->len = w;
}

/* A module lists its dict; a type its chain's dicts; any other object its type chain's
 * dicts and its instance dict (with "__dict__" itself). */
IxObject *ix_dir(IxContext *ctx, IxObject *o)
{
    if (!ix_owned_by(ctx, o)) return ix_err_wrong_type(ctx, "an object of this interpreter", o);
    IxObject *l = ix_list_new(ctx);
    if (!l) return NULL;
    int rc = 0;
    IxTypeObject *chain = IX_TYPE(o);
    if (IX_IS(ctx, o, IX_TYPE_MODULE)) {
        rc = add_keys(ctx, l, ((IxModuleObject *)o)->dict);
        chain = NULL;
    } else if (IX_IS(ctx, o, IX_TYPE_TYPE)) {
        chain = (IxTypeObject *)o;
    } else if (chain->ex->dict_offset) {
        IxObject *name = ix_str_from_cstr(ctx, "__dict__");
        rc = name ? ix_list_append(ctx, l, name) : -1;
        IX_XDECREF(ctx, name);
        if (rc == 0) rc = add_keys(ctx, l, *IX_DICT_SLOT(o));
    }
    for (IxTypeObject *t = chain; t && rc == 0; t = t->base) rc = add_keys(ctx, l, t->dict);
    if (rc < 0) {
        IX_DECREF(ctx, l);
        return NULL;
    }
    sort_unique(ctx, l);
    return l;
}
