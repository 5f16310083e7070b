/*
 * moddef.c -- what a module declares, as plain values (ixh_module_definition): its
 * definition (name, doc, ABI version, support level, state size, functions) and the types
 * it added to itself (their methods, members and getsets). For tools that show a module
 * without calling it (`isolex info`), so it reads definitions and type dicts only and runs
 * no extension code.
 *
 * The layout is in isolex_host.h; each builder below returns a new reference or NULL with
 * an error set, and consumes the references it is given (pack), so the callers stay flat.
 */
#include <string.h>

#include "ix_internal.h"

/* ABI 1.2 (12.30): the type flags isolex.h defines; the others are the host's (IX_TF_*). */
#define IX_PUBLIC_TPFLAGS \
    (IX_TPFLAGS_HAVE_GC | IX_TPFLAGS_BASETYPE | IX_TPFLAGS_MANAGED_DICT | IX_TPFLAGS_MANAGED_WEAKREF)

/* A tuple of the n items, consumed; NULL (the others released) when one is NULL. */
static IxObject *pack(IxContext *ctx, size_t n, IxObject **items)
{
    IxObject *t = NULL;
    bool complete = true;
    for (size_t i = 0; i < n; i++) complete = complete && items[i];
    if (complete) t = ix_tuple_from_array(ctx, items, n);
    for (size_t i = 0; i < n; i++) IX_XDECREF(ctx, items[i]);
    return t;
}

/* A C string of the extension's as a str; None for NULL. Text that is not UTF-8 says so
 * rather than failing the whole answer over a doc string. */
static IxObject *text(IxContext *ctx, const char *s)
{
    if (!s) {
        IX_INCREF(IX_BUILTIN(ctx, IX_NONE));
        return IX_BUILTIN(ctx, IX_NONE);
    }
    size_t n = strlen(s);
    if (!ix_utf8_valid(s, n)) return ix_str_from_format(ctx, "<%zu bytes, not UTF-8>", n);
    return ix_str_from_utf8(ctx, s, n);
}

static IxObject *flag(IxContext *ctx, bool v)
{
    return ix_bool_from_int(ctx, v);
}

static IxObject *num(IxContext *ctx, int64_t v)
{
    return ix_long_from_int64(ctx, v);
}

/* Appends `item` (consumed) to `list`; -1 with an error set. */
static int append(IxContext *ctx, IxObject *list, IxObject *item)
{
    if (!item) return -1;
    int rc = ix_list_append(ctx, list, item);
    IX_DECREF(ctx, item);
    return rc;
}

/* Sets d[key] = v (v consumed); -1 with an error set. */
static int put(IxContext *ctx, IxObject *d, const char *key, IxObject *v)
{
    if (!v) return -1;
    int rc = ix_dict_set_cstr(ctx, d, key, v);
    IX_DECREF(ctx, v);
    return rc;
}

/* (name, min_args, max_args, doc, flags); flags (IX_METH_*) appended in ABI 1.2 (12.30) */
static IxObject *method_entry(IxContext *ctx, const IxMethodDef *m)
{
    IxObject *items[] = {text(ctx, m->name), num(ctx, m->min_args), num(ctx, m->max_args), text(ctx, m->doc),
                         num(ctx, m->flags)};
    return pack(ctx, 5, items);
}

/* ABI 1.2 (12.30): the attribute, number and buffer slots, after slot_names' first
 * twenty (appended, so that list keeps its order): getattro, setattro, the nb_* slots in
 * slot-id order (isolex.h, 21-47), bf_getbuffer, bf_releasebuffer. -1 with an error set. */
static int more_slot_names(IxContext *ctx, IxTypeObject *t, IxObject *list)
{
    const struct { const char *name; bool has; } slots[] = {
        {"tp_getattro", t->ex->tp_getattro != NULL}, {"tp_setattro", t->ex->tp_setattro != NULL},
        {"nb_add", t->nb->nb_binary[IX_NB_ADD] != NULL}, {"nb_subtract", t->nb->nb_binary[IX_NB_SUBTRACT] != NULL},
        {"nb_multiply", t->nb->nb_binary[IX_NB_MULTIPLY] != NULL},
        {"nb_true_divide", t->nb->nb_binary[IX_NB_TRUE_DIVIDE] != NULL},
        {"nb_floor_divide", t->nb->nb_binary[IX_NB_FLOOR_DIVIDE] != NULL},
        {"nb_remainder", t->nb->nb_binary[IX_NB_REMAINDER] != NULL}, {"nb_power", t->nb->nb_power != NULL},
        {"nb_negative", t->nb->nb_negative != NULL}, {"nb_positive", t->nb->nb_positive != NULL},
        {"nb_absolute", t->nb->nb_absolute != NULL}, {"nb_bool", t->nb->nb_bool != NULL},
        {"nb_int", t->nb->nb_int != NULL}, {"nb_float", t->nb->nb_float != NULL}, {"nb_index", t->nb->nb_index != NULL},
        {"nb_inplace_add", t->nb->nb_inplace[IX_NB_ADD] != NULL},
        {"nb_inplace_subtract", t->nb->nb_inplace[IX_NB_SUBTRACT] != NULL},
        {"nb_inplace_multiply", t->nb->nb_inplace[IX_NB_MULTIPLY] != NULL},
        {"nb_inplace_true_divide", t->nb->nb_inplace[IX_NB_TRUE_DIVIDE] != NULL},
        {"nb_inplace_floor_divide", t->nb->nb_inplace[IX_NB_FLOOR_DIVIDE] != NULL},
        {"nb_inplace_remainder", t->nb->nb_inplace[IX_NB_REMAINDER] != NULL},
        {"nb_inplace_power", t->nb->nb_inplace_power != NULL},
        {"nb_and", t->nb->nb_binary[IX_NB_AND] != NULL}, {"nb_or", t->nb->nb_binary[IX_NB_OR] != NULL},
        {"nb_xor", t->nb->nb_binary[IX_NB_XOR] != NULL}, {"nb_lshift", t->nb->nb_binary[IX_NB_LSHIFT] != NULL},
        {"nb_rshift", t->nb->nb_binary[IX_NB_RSHIFT] != NULL}, {"nb_invert", t->nb->nb_invert != NULL},
        {"bf_getbuffer", t->pr->bf_getbuffer != NULL}, {"bf_releasebuffer", t->pr->bf_releasebuffer != NULL},
    };
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
        if (slots[i].has && append(ctx, list, ix_str_from_cstr(ctx, slots[i].name)) < 0) return -1;
    return 0;
}

/* ABI 1.2 (12.30): the hooks a type has, its own or inherited, by slot name; -1 with an
 * error set. What a tool can say about a type without running it. */
static int slot_names(IxContext *ctx, IxTypeObject *t, IxObject *list)
{
    const struct { const char *name; bool has; } slots[] = {
        {"tp_new", t->tp_new != NULL}, {"tp_new_kw", t->ex->tp_new_kw != NULL}, {"tp_init", t->ex->tp_init != NULL},
        {"tp_finalize", t->ex->tp_finalize != NULL}, {"tp_dealloc", t->tp_dealloc != NULL},
        {"tp_traverse", t->tp_traverse != NULL}, {"tp_clear", t->tp_clear != NULL},
        {"tp_repr", t->tp_repr != NULL}, {"tp_str", t->tp_str != NULL}, {"tp_hash", t->tp_hash != NULL},
        {"tp_richcompare", t->tp_richcompare != NULL}, {"tp_call", t->tp_call != NULL},
        {"tp_iter", t->pr->tp_iter != NULL}, {"tp_iternext", t->pr->tp_iternext != NULL},
        {"sq_length", t->pr->sq_length != NULL}, {"mp_length", t->pr->mp_length != NULL},
        {"mp_subscript", t->pr->mp_subscript != NULL}, {"mp_ass_subscript", t->pr->mp_ass_subscript != NULL},
        {"sq_contains", t->pr->sq_contains != NULL}, {"tp_token", t->ex->tp_token != NULL},
    };
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
        if (slots[i].has && append(ctx, list, ix_str_from_cstr(ctx, slots[i].name)) < 0) return -1;
    return more_slot_names(ctx, t, list);
}

static IxObject *slot_list(IxContext *ctx, IxTypeObject *t)
{
    IxObject *list = ix_list_new(ctx);
    if (list && slot_names(ctx, t, list) < 0) IX_CLEAR_REF(ctx, list);
    return list;
}

static const char *member_kind(int32_t type)
{
    switch (type) {
    case IX_T_INT64: return "int64";
    case IX_T_INT32: return "int32";
    case IX_T_DOUBLE: return "double";
    case IX_T_BOOL: return "bool";
    default: return "object";
    }
}

/* (name, kind, read_only, doc) */
static IxObject *member_entry(IxContext *ctx, const IxMemberDef *m)
{
    IxObject *items[] = {text(ctx, m->name), text(ctx, member_kind(m->type)),
                         flag(ctx, (m->flags & IX_READONLY) != 0), text(ctx, m->doc)};
    return pack(ctx, 4, items);
}

/* (name, writable, doc) */
static IxObject *getset_entry(IxContext *ctx, const IxGetSetDef *g)
{
    IxObject *items[] = {text(ctx, g->name), flag(ctx, g->set != NULL), text(ctx, g->doc)};
    return pack(ctx, 3, items);
}

/* The descriptors of a type's own dict, in the order its slots declared them, into three
 * lists: methods, members, getsets. -1 with an error set. */
static int type_descriptors(IxContext *ctx, IxTypeObject *t, IxObject *lists[3])
{
    size_t pos = 0;
    IxObject *k, *v;
    while (t->dict && ix_dict_next(ctx, t->dict, &pos, &k, &v)) {
        const IxDescrObject *d = (const IxDescrObject *)v;
        int rc = 0;
        if (IX_IS(ctx, v, IXI_TYPE_METHOD_DESCR)) rc = append(ctx, lists[0], method_entry(ctx, d->u.method));
        else if (IX_IS(ctx, v, IXI_TYPE_MEMBER_DESCR)) rc = append(ctx, lists[1], member_entry(ctx, d->u.member));
        else if (IX_IS(ctx, v, IXI_TYPE_GETSET_DESCR)) rc = append(ctx, lists[2], getset_entry(ctx, d->u.getset));
        if (rc < 0) return -1;
    }
    return 0;
}

/* A dict: name, doc, basic_size, gc, exception, static, base, methods, members, getsets;
 * ABI 1.2: basetype, slots, flags (the public IX_TPFLAGS_* bits: the spec's and those
 * inherited, MANAGED_DICT and MANAGED_WEAKREF from a base). */
static IxObject *type_entry(IxContext *ctx, IxTypeObject *t)
{
    IxObject *d = ix_dict_new(ctx);
    IxObject *lists[3] = {ix_list_new(ctx), ix_list_new(ctx), ix_list_new(ctx)};
    bool ok = d && lists[0] && lists[1] && lists[2] && type_descriptors(ctx, t, lists) == 0 &&
              put(ctx, d, "name", text(ctx, t->name)) == 0 && put(ctx, d, "doc", text(ctx, t->doc)) == 0 &&
              put(ctx, d, "basic_size", num(ctx, t->basic_size)) == 0 &&
              put(ctx, d, "gc", flag(ctx, (t->flags & IX_TPFLAGS_HAVE_GC) != 0)) == 0 &&
              put(ctx, d, "exception", flag(ctx, (t->flags & IX_TF_EXCEPTION) != 0)) == 0 &&
              put(ctx, d, "static", flag(ctx, (t->flags & IX_TF_STATIC) != 0)) == 0 &&
              put(ctx, d, "base", text(ctx, t->base ? t->base->name : NULL)) == 0 &&
              /* ABI 1.2 (12.30) */
              put(ctx, d, "basetype", flag(ctx, (t->flags & IX_TPFLAGS_BASETYPE) != 0)) == 0 &&
              put(ctx, d, "slots", slot_list(ctx, t)) == 0 &&
              put(ctx, d, "flags", num(ctx, t->flags & IX_PUBLIC_TPFLAGS)) == 0;
    static const char *const keys[3] = {"methods", "members", "getsets"};
    for (int i = 0; i < 3; i++) {
        if (ok && put(ctx, d, keys[i], lists[i]) < 0) ok = false;
        else if (!ok) IX_XDECREF(ctx, lists[i]);
        lists[i] = NULL; /* put consumed it */
    }
    if (!ok) IX_CLEAR_REF(ctx, d);
    return d;
}

/* Whether o is one of the definition's own functions, bound to module m. */
static bool is_declared_function(IxContext *ctx, IxObject *o, const IxModuleObject *m)
{
    if (!IX_IS(ctx, o, IX_TYPE_FUNCTION)) return false;
    const IxFunctionObject *f = (const IxFunctionObject *)o;
    if (f->self != &m->ob_base) return false;
    for (const IxMethodDef *md = m->def->methods; md && md->name; md++)
        if (f->def == md) return true;
    return false;
}

/* The module's attributes beyond its declared functions: the types the extension made
 * (into `types`, described) and everything else as (name, type name) into `others`. */
static int module_attributes(IxContext *ctx, const IxModuleObject *m, IxObject *types, IxObject *others)
{
    size_t pos = 0;
    IxObject *k, *v;
    while (ix_dict_next(ctx, m->dict, &pos, &k, &v)) {
        if (is_declared_function(ctx, v, m)) continue;
        int rc;
        if (IX_IS(ctx, v, IX_TYPE_TYPE) && !(((IxTypeObject *)v)->flags & IX_TF_BUILTIN)) {
            rc = append(ctx, types, type_entry(ctx, (IxTypeObject *)v));
        } else {
            IX_INCREF(k);
            IxObject *items[] = {k, text(ctx, IX_TYPE(v)->name)};
            rc = append(ctx, others, pack(ctx, 2, items));
        }
        if (rc < 0) return -1;
    }
    return 0;
}

static int count_slots(const IxModuleDef *def, int32_t id)
{
    int n = 0;
    for (const IxModuleSlot *s = def->slots; s && s->id; s++) n += s->id == id;
    return n;
}

/* The definition part: everything read from the IxModuleDef itself. */
static int definition_fields(IxContext *ctx, IxObject *d, const IxModuleObject *m)
{
    const IxModuleDef *def = m->def;
    IxObject *functions = ix_list_new(ctx);
    if (!functions) return -1;
    for (const IxMethodDef *md = def->methods; md && md->name; md++) {
        if (append(ctx, functions, method_entry(ctx, md)) < 0) {
            IX_DECREF(ctx, functions);
            return -1;
        }
    }
    /* A legacy module has no slots: it loads into one interpreter (ABI.md 7.3), whatever
     * the default for a multiphase module without the slot would be. */
    int level = m->legacy ? (int)(uintptr_t)IX_MOD_MULTI_NOT_SUPPORTED : ix_moduledef_multi_level(def);
    bool ok = put(ctx, d, "name", text(ctx, def->name)) == 0 && put(ctx, d, "doc", text(ctx, def->doc)) == 0 &&
              put(ctx, d, "abi_major", num(ctx, def->abi_major)) == 0 &&
              put(ctx, d, "abi_minor", num(ctx, def->abi_minor)) == 0 &&
              put(ctx, d, "legacy", flag(ctx, m->legacy)) == 0 &&
              put(ctx, d, "multiple_interpreters", num(ctx, level)) == 0 &&
              put(ctx, d, "multiple_interpreters_declared",
                  flag(ctx, count_slots(def, IX_MOD_MULTIPLE_INTERPRETERS) > 0)) == 0 &&
              put(ctx, d, "state_size", num(ctx, def->state_size)) == 0 &&
              put(ctx, d, "create", flag(ctx, count_slots(def, IX_MOD_CREATE) > 0)) == 0 &&
              put(ctx, d, "exec_slots", num(ctx, count_slots(def, IX_MOD_EXEC))) == 0 &&
              put(ctx, d, "traverse", flag(ctx, def->traverse != NULL)) == 0 &&
              put(ctx, d, "clear", flag(ctx, def->clear != NULL)) == 0 &&
              put(ctx, d, "free", flag(ctx, def->free != NULL)) == 0;
    if (!ok) {
        IX_DECREF(ctx, functions);
        return -1;
    }
    return put(ctx, d, "functions", functions);
}

IxObject *ix_module_definition(IxContext *ctx, IxObject *module)
{
    if (!IX_IS(ctx, module, IX_TYPE_MODULE) || !((IxModuleObject *)module)->def)
        return ix_err_wrong_type(ctx, "a module made from a definition", module);
    const IxModuleObject *m = (const IxModuleObject *)module;
    IxObject *d = ix_dict_new(ctx);
    IxObject *types = ix_list_new(ctx), *others = ix_list_new(ctx);
    bool ok = d && types && others && definition_fields(ctx, d, m) == 0 &&
              module_attributes(ctx, m, types, others) == 0;
    if (ok) { /* put consumes its value either way */
        ok = put(ctx, d, "types", types) == 0;
        types = NULL;
    }
    if (ok) {
        ok = put(ctx, d, "attributes", others) == 0;
        others = NULL;
    }
    IX_XDECREF(ctx, types);
    IX_XDECREF(ctx, others);
    if (!ok) IX_CLEAR_REF(ctx, d);
    return d;
}
