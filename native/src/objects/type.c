/*
 * type.c -- type objects (ABI.md 5): the builtin types an interpreter starts with, heap
 * types built from extension specs, and the descriptor objects that put methods, members
 * and getsets into a type's dict.
 *
 * One function, apply_slots, reads a slot array for both builtin and extension types, so
 * the core's own types are built the way extensions build theirs.
 */
#include <stdio.h>
#include <string.h>

#include "ix_internal.h"

/* ---------------------------------------------------------------- small helpers */

static IxTypeObject *as_type(IxContext *ctx, IxObject *o)
{
    if (IX_IS(ctx, o, IX_TYPE_TYPE)) return (IxTypeObject *)o;
    ix_err_wrong_type(ctx, "type", o);
    return NULL;
}

IxObject *ix_type_lookup(IxContext *ctx, IxTypeObject *type, const char *name)
{
    for (IxTypeObject *t = type; t; t = t->base) {
        if (!t->dict) continue;
        IxObject *v = ix_dict_get_cstr(ctx, t->dict, name);
        if (v) return v;
    }
    return NULL;
}

/* ---------------------------------------------------------------- descriptors */

static IxObject *descr_new(IxContext *ctx, uint32_t kind, IxTypeObject *owner, const void *def)
{
    IxDescrObject *d = (IxDescrObject *)ix_builtin_alloc(ctx, kind, sizeof(IxDescrObject));
    if (!d) return NULL;
    d->owner_type = owner;
    d->u.method = def; /* the union's members are all pointers to const definitions */
    return &d->ob_base;
}

static IxObject *member_get(IxContext *ctx, IxObject *o, const IxMemberDef *m)
{
    char *field = (char *)o + m->offset;
    switch (m->type) {
    case IX_T_INT64: return ix_long_from_int64(ctx, *(int64_t *)field);
    case IX_T_INT32: return ix_long_from_int64(ctx, *(int32_t *)field);
    case IX_T_DOUBLE: return ix_float_from_double(ctx, *(double *)field);
    case IX_T_BOOL: return ix_bool_from_int(ctx, *(char *)field != 0);
    default: {
        IxObject *v = *(IxObject **)field;
        if (!v) v = IX_BUILTIN(ctx, IX_NONE);
        IX_INCREF(v);
        return v;
    }
    }
}

static int member_set(IxContext *ctx, IxObject *o, const IxMemberDef *m, IxObject *v)
{
    char *field = (char *)o + m->offset;
    if (!v && m->type != IX_T_OBJECT) {
        ix_err_format(ctx, IX_EXC_TYPEERROR, "cannot delete attribute '%s'", m->name);
        return -1;
    }
    switch (m->type) {
    case IX_T_INT64:
    case IX_T_INT32: {
        int64_t x = ix_long_as_int64(ctx, v);
        if (x == -1 && ix_err_pending(ctx)) return -1;
        if (m->type == IX_T_INT64) {
            *(int64_t *)field = x;
        } else if (x < INT32_MIN || x > INT32_MAX) {
            ix_err_format(ctx, IX_EXC_OVERFLOWERROR, "%lld does not fit attribute '%s' (32-bit)",
                          (long long)x, m->name);
            return -1;
        } else {
            *(int32_t *)field = (int32_t)x;
        }
        return 0;
    }
    case IX_T_DOUBLE: {
        double x = ix_float_as_double(ctx, v);
        if (x == -1.0 && ix_err_pending(ctx)) return -1;
        *(double *)field = x;
        return 0;
    }
    case IX_T_BOOL:
        if (!IX_IS(ctx, v, IX_TYPE_BOOL)) {
            ix_err_wrong_type(ctx, "bool", v);
            return -1;
        }
        *(char *)field = v == IX_BUILTIN(ctx, IX_TRUE);
        return 0;
    default: {
        IxObject *old = *(IxObject **)field;
        if (v) IX_INCREF(v);
        *(IxObject **)field = v;
        IX_XDECREF(ctx, old);
        return 0;
    }
    }
}

static IxObject *bound_method_new(IxContext *ctx, IxObject *descr, IxObject *self)
{
    IxMethodObject *m = (IxMethodObject *)ix_builtin_alloc(ctx, IX_TYPE_METHOD, sizeof(IxMethodObject));
    if (!m) return NULL;
    IX_INCREF(descr);
    IX_INCREF(self);
    m->descr = descr;
    m->self = self;
    return &m->ob_base;
}

/* Runs an extension getter or setter with its module as owner; checks its result. */
static IxObject *run_getter(IxContext *ctx, IxDescrObject *d, IxObject *o)
{
    IxEntry e;
    ix_enter_code(ctx, d->owner_type->module, &e);
    IxObject *r = d->u.getset->get(ctx, o, d->u.getset->closure);
    ix_leave_code(ctx, &e);
    if (!r && !ix_err_pending(ctx))
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "getter of %s.%s returned NULL without setting an error",
                      d->owner_type->name, d->u.getset->name);
    return r;
}

static int run_setter(IxContext *ctx, IxDescrObject *d, IxObject *o, IxObject *v)
{
    IxEntry e;
    ix_enter_code(ctx, d->owner_type->module, &e);
    int rc = d->u.getset->set(ctx, o, v, d->u.getset->closure);
    ix_leave_code(ctx, &e);
    if (rc < 0 && !ix_err_pending(ctx)) {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "setter of %s.%s failed without setting an error",
                      d->owner_type->name, d->u.getset->name);
    }
    return rc < 0 ? -1 : 0;
}

/* Members and getsets come before an instance dict (ABI.md 5.41); methods after it. */
static bool is_data_descr(IxContext *ctx, IxObject *d)
{
    return d && (IX_IS(ctx, d, IXI_TYPE_MEMBER_DESCR) || IX_IS(ctx, d, IXI_TYPE_GETSET_DESCR));
}

IxObject *ix_generic_getattr(IxContext *ctx, IxObject *o, const char *name)
{
    IxTypeObject *t = IX_TYPE(o);
    IxObject *d = ix_type_lookup(ctx, t, name);
    if (t->ex->dict_offset && !is_data_descr(ctx, d)) {
        IxObject *v = ix_instance_getattr(ctx, o, name);
        if (v || ix_err_pending(ctx)) return v;
    }
    if (!d)
        return ix_err_format(ctx, IX_EXC_ATTRIBUTEERROR, "'%s' object has no attribute '%s'",
                             t->name, name);
    if (IX_IS(ctx, d, IXI_TYPE_METHOD_DESCR))
        return bound_method_new(ctx, d, ((IxDescrObject *)d)->u.method->flags & IX_METH_CLASS ? &t->ob_base : o);
    if (IX_IS(ctx, d, IXI_TYPE_MEMBER_DESCR)) return member_get(ctx, o, ((IxDescrObject *)d)->u.member);
    if (IX_IS(ctx, d, IXI_TYPE_GETSET_DESCR)) return run_getter(ctx, (IxDescrObject *)d, o);
    IX_INCREF(d);
    return d;
}

int ix_generic_setattr(IxContext *ctx, IxObject *o, const char *name, IxObject *v)
{
    IxTypeObject *t = IX_TYPE(o);
    IxObject *d = ix_type_lookup(ctx, t, name);
    if (t->ex->dict_offset && !is_data_descr(ctx, d)) return ix_instance_setattr(ctx, o, name, v);
    if (!d) {
        ix_err_format(ctx, IX_EXC_ATTRIBUTEERROR, "'%s' object has no attribute '%s'", t->name, name);
        return -1;
    }
    IxDescrObject *dd = (IxDescrObject *)d;
    if (IX_IS(ctx, d, IXI_TYPE_MEMBER_DESCR) && !(dd->u.member->flags & IX_READONLY))
        return member_set(ctx, o, dd->u.member, v);
    if (IX_IS(ctx, d, IXI_TYPE_GETSET_DESCR) && dd->u.getset->set) return run_setter(ctx, dd, o, v);
    ix_err_format(ctx, IX_EXC_ATTRIBUTEERROR, "attribute '%s' of '%s' objects is not writable", name,
                  t->name);
    return -1;
}

/* ---------------------------------------------------------------- building types */

static int type_dict_add(IxContext *ctx, IxTypeObject *t, const char *name, IxObject *v)
{
    if (!t->dict && !(t->dict = ix_dict_new(ctx))) return -1;
    return ix_dict_set_cstr(ctx, t->dict, name, v);
}

static int add_descr(IxContext *ctx, IxTypeObject *t, uint32_t kind, const char *name,
                     const void *def)
{
    IxObject *d = descr_new(ctx, kind, t, def);
    if (!d) return -1;
    int rc = type_dict_add(ctx, t, name, d);
    IX_DECREF(ctx, d);
    return rc;
}

#define MANAGED_FLAGS (IX_TPFLAGS_MANAGED_DICT | IX_TPFLAGS_MANAGED_WEAKREF)
#define METH_KINDS (IX_METH_METHOD | IX_METH_CLASS | IX_METH_STATIC)

static const char *meth_kind_name(uint32_t flags)
{
    return flags & IX_METH_METHOD ? "IX_METH_METHOD" : flags & IX_METH_CLASS ? "IX_METH_CLASS" : "IX_METH_STATIC";
}

/* ABI 1.3 (ABI.md 4.32): what `func` of an IX_METH_TYPED method points at. */
static int check_typed(IxContext *ctx, const char *owner, const IxMethodDef *m)
{
    const IxTypedDef *td = (const IxTypedDef *)(const void *)m->func;
    IxSig sig;
    char err[80];
    if (!td->signature)
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s: typed method '%s' has no signature", owner, m->name);
    else if (!td->func)
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s: typed method '%s' has no typed function", owner, m->name);
    else if (ix_sig_parse(td->signature, &sig, err, sizeof err) < 0)
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s: typed method '%s' has the signature \"%.40s\": %s", owner, m->name,
                      td->signature, err);
    else if (m->min_args != sig.nargs || m->max_args != sig.nargs)
        ix_err_format(ctx, IX_EXC_SYSTEMERROR,
                      "%s: typed method '%s' has the signature \"%s\" of %d parameter%s, but min_args %d and max_args %d",
                      owner, m->name, td->signature, sig.nargs, sig.nargs == 1 ? "" : "s", m->min_args, m->max_args);
    else
        return 0;
    return -1;
}

/* `allowed`: the IX_METH_* flags this owner's methods may carry (ABI.md 5.8): a module
 * function has no defining class, so only a type's methods may ask for one. */
static int check_method(IxContext *ctx, const char *owner, const IxMethodDef *m, uint32_t allowed)
{
    if (!m->func)
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s: method '%s' has no function", owner, m->name);
    else if (m->max_args != IX_VARARGS && m->min_args > m->max_args)
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s: method '%s' has min_args %d greater than max_args %d",
                      owner, m->name, m->min_args, m->max_args);
    else if (m->min_args < 0 || m->max_args < IX_VARARGS)
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s: method '%s' has a negative argument count",
                      owner, m->name);
    else if (m->flags & ~(METH_KINDS | IX_METH_KEYWORDS | IX_METH_TYPED))
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s: method '%s' has flags 0x%x, which ABI %d.%d does not define",
                      owner, m->name, m->flags, IX_ABI_MAJOR, IX_ABI_MINOR);
    else if (m->flags & ~allowed & METH_KINDS)
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s: function '%s' has flag %s, which only a type's methods take",
                      owner, m->name, meth_kind_name(m->flags));
    else if ((m->flags & METH_KINDS) & ((m->flags & METH_KINDS) - 1))
        ix_err_format(ctx, IX_EXC_SYSTEMERROR,
                      "%s: method '%s' has flags 0x%x; IX_METH_METHOD, IX_METH_CLASS and IX_METH_STATIC exclude each other",
                      owner, m->name, m->flags);
    else if ((m->flags & IX_METH_METHOD) && (m->flags & IX_METH_KEYWORDS))
        ix_err_format(ctx, IX_EXC_SYSTEMERROR,
                      "%s: method '%s' has flags 0x%x; IX_METH_KEYWORDS does not combine with IX_METH_METHOD in ABI 1.2",
                      owner, m->name, m->flags);
    else if ((m->flags & IX_METH_TYPED) && (m->flags & (IX_METH_KEYWORDS | IX_METH_METHOD)))
        ix_err_format(ctx, IX_EXC_SYSTEMERROR,
                      "%s: method '%s' has flags 0x%x; IX_METH_TYPED does not combine with IX_METH_KEYWORDS or IX_METH_METHOD",
                      owner, m->name, m->flags);
    else if (m->flags & IX_METH_TYPED)
        return check_typed(ctx, owner, m);
    else
        return 0;
    return -1;
}

int ix_check_methods(IxContext *ctx, const char *owner, const IxMethodDef *methods, uint32_t allowed)
{
    for (const IxMethodDef *m = methods; m && m->name; m++)
        if (check_method(ctx, owner, m, allowed) < 0) return -1;
    return 0;
}

static int add_methods(IxContext *ctx, IxTypeObject *t, const IxMethodDef *defs)
{
    char owner[220];
    snprintf(owner, sizeof owner, "type '%s'", t->name);
    if (ix_check_methods(ctx, owner, defs, METH_KINDS) < 0) return -1;
    for (const IxMethodDef *m = defs; m && m->name; m++)
        if (add_descr(ctx, t, IXI_TYPE_METHOD_DESCR, m->name, m) < 0) return -1;
    return 0;
}

static int add_members(IxContext *ctx, IxTypeObject *t, const IxMemberDef *defs)
{
    for (const IxMemberDef *m = defs; m && m->name; m++) {
        size_t width = m->type == IX_T_BOOL ? 1 : m->type == IX_T_INT32 ? 4 : 8;
        if (m->type < IX_T_INT64 || m->type > IX_T_OBJECT || m->offset < (int64_t)sizeof(IxObject) ||
            m->offset + (int64_t)width > t->basic_size) {
            ix_err_format(ctx, IX_EXC_SYSTEMERROR, "type '%s': member '%s' has a bad type or offset",
                          t->name, m->name);
            return -1;
        }
        if (add_descr(ctx, t, IXI_TYPE_MEMBER_DESCR, m->name, m) < 0) return -1;
    }
    return 0;
}

static int add_getsets(IxContext *ctx, IxTypeObject *t, const IxGetSetDef *defs)
{
    for (const IxGetSetDef *g = defs; g && g->name; g++) {
        if (!g->get) {
            ix_err_format(ctx, IX_EXC_SYSTEMERROR, "type '%s': getset '%s' has no getter", t->name, g->name);
            return -1;
        }
        if (add_descr(ctx, t, IXI_TYPE_GETSET_DESCR, g->name, g) < 0) return -1;
    }
    return 0;
}

static int apply_slots(IxContext *ctx, IxTypeObject *t, const IxTypeSlot *slots)
{
    for (const IxTypeSlot *s = slots; s && s->id; s++) {
        void *v = s->value;
        int rc = 0;
        switch (s->id) {
        case IX_tp_new: t->tp_new = (IxNewProc)v; break;
        case IX_tp_dealloc: t->tp_dealloc = (IxDeallocProc)v; break;
        case IX_tp_traverse: t->tp_traverse = (IxTraverseProc)v; break;
        case IX_tp_clear: t->tp_clear = (IxClearProc)v; break;
        case IX_tp_repr: t->tp_repr = (IxUnaryProc)v; break;
        case IX_tp_str: t->tp_str = (IxUnaryProc)v; break;
        case IX_tp_hash: t->tp_hash = (IxHashProc)v; break;
        case IX_tp_richcompare: t->tp_richcompare = (IxRichCompareProc)v; break;
        case IX_tp_call: t->tp_call = (IxCFunction)v; break;
        case IX_tp_methods: rc = add_methods(ctx, t, v); break;
        case IX_tp_members: rc = add_members(ctx, t, v); break;
        case IX_tp_getset: rc = add_getsets(ctx, t, v); break;
        case IX_tp_doc: t->doc = v; break;
        case IX_sq_length: t->pr->sq_length = (IxLenProc)v; break;
        case IX_mp_length: t->pr->mp_length = (IxLenProc)v; break;
        case IX_mp_subscript: t->pr->mp_subscript = (IxBinaryProc)v; break;
        case IX_mp_ass_subscript: t->pr->mp_ass_subscript = (IxObjObjArgProc)v; break;
        case IX_sq_contains: t->pr->sq_contains = (IxObjObjProc)v; break;
        case IX_tp_iter: t->pr->tp_iter = (IxUnaryProc)v; break;
        case IX_tp_iternext: t->pr->tp_iternext = (IxUnaryProc)v; break;
        /* ABI 1.2: attribute slots (attrs.c) */
        case IX_tp_getattro: t->ex->tp_getattro = (IxGetAttroProc)v; break;
        case IX_tp_setattro: t->ex->tp_setattro = (IxSetAttroProc)v; break;
        /* ABI 1.2: the number slots (ABI.md 5.30) */
        case IX_nb_add: case IX_nb_subtract: case IX_nb_multiply:
        case IX_nb_true_divide: case IX_nb_floor_divide: case IX_nb_remainder:
            t->nb->nb_binary[s->id - IX_nb_add] = (IxBinaryProc)v;
            break;
        case IX_nb_inplace_add: case IX_nb_inplace_subtract: case IX_nb_inplace_multiply:
        case IX_nb_inplace_true_divide: case IX_nb_inplace_floor_divide: case IX_nb_inplace_remainder:
            t->nb->nb_inplace[s->id - IX_nb_inplace_add] = (IxBinaryProc)v;
            break;
        case IX_nb_power: t->nb->nb_power = (IxTernaryProc)v; break;
        case IX_nb_inplace_power: t->nb->nb_inplace_power = (IxTernaryProc)v; break;
        case IX_nb_and: case IX_nb_or: case IX_nb_xor: case IX_nb_lshift: case IX_nb_rshift:
            t->nb->nb_binary[IX_NB_AND + (s->id - IX_nb_and)] = (IxBinaryProc)v;
            break;
        case IX_nb_invert: t->nb->nb_invert = (IxUnaryProc)v; break;
        case IX_nb_negative: t->nb->nb_negative = (IxUnaryProc)v; break;
        case IX_nb_positive: t->nb->nb_positive = (IxUnaryProc)v; break;
        case IX_nb_absolute: t->nb->nb_absolute = (IxUnaryProc)v; break;
        case IX_nb_bool: t->nb->nb_bool = (IxInquiryProc)v; break;
        case IX_nb_int: t->nb->nb_int = (IxUnaryProc)v; break;
        case IX_nb_float: t->nb->nb_float = (IxUnaryProc)v; break;
        case IX_nb_index: t->nb->nb_index = (IxUnaryProc)v; break;
        case IX_bf_getbuffer: t->pr->bf_getbuffer = (IxGetBufferProc)v; break;
        case IX_bf_releasebuffer: t->pr->bf_releasebuffer = (IxReleaseBufferProc)v; break;
        default:
            if (ix_typeslot_store(t, s)) break; /* ABI 1.2: ids 60-63 (typeslots.c) */
            ix_err_format(ctx, IX_EXC_SYSTEMERROR, "type '%s': unknown slot id %d", t->name, s->id);
            return -1;
        }
        if (rc < 0) return -1;
    }
    return 0;
}

/* A subtype takes every hook it does not define from its base. */
static void inherit(IxTypeObject *t, const IxTypeObject *b)
{
#define INHERIT(f) if (!t->f) t->f = b->f
    INHERIT(tp_dealloc); INHERIT(tp_traverse); INHERIT(tp_clear);
    INHERIT(tp_repr); INHERIT(tp_str); INHERIT(tp_hash); INHERIT(tp_richcompare);
    INHERIT(tp_call);
    if (t->core == &ix_no_core_hooks) t->core = b->core; /* a builtin's, or the heap chain's */
    if (b->nb != &ix_no_number_slots) { /* then t has number slots of its own too (type_alloc) */
        for (int i = 0; i < IX_NB_BINARY; i++) INHERIT(nb->nb_binary[i]);
        for (int i = 0; i < IX_NB_INPLACE; i++) INHERIT(nb->nb_inplace[i]);
        INHERIT(nb->nb_invert); INHERIT(nb->nb_power); INHERIT(nb->nb_inplace_power); INHERIT(nb->nb_negative);
        INHERIT(nb->nb_positive); INHERIT(nb->nb_absolute); INHERIT(nb->nb_bool); INHERIT(nb->nb_int);
        INHERIT(nb->nb_float); INHERIT(nb->nb_index);
    }
    if (b->pr != &ix_no_protocol_slots) { /* then t has protocol slots of its own too (type_alloc) */
        INHERIT(pr->sq_length); INHERIT(pr->mp_length); INHERIT(pr->mp_subscript); INHERIT(pr->mp_ass_subscript);
        INHERIT(pr->sq_contains); INHERIT(pr->tp_iter); INHERIT(pr->tp_iternext);
        INHERIT(pr->bf_getbuffer); INHERIT(pr->bf_releasebuffer); /* ABI 1.2 */
    }
    if (b->ex != &ix_no_extra_slots) { /* the same rule */
        INHERIT(ex->tp_getattro); INHERIT(ex->tp_setattro); /* ABI 1.2: attribute slots */
    }
#undef INHERIT
    ix_typeslots_inherit(t, b); /* tp_new and tp_new_kw, tp_init, tp_finalize, the token */
}

/* IX_HOOK_MODULE's walk, for a chain holding other modules' levels: an inherited hook is
 * the same pointer one level down, so its definer is the farthest heap level holding it. */
IxObject *ix_hook_module_at(const IxTypeObject *t, size_t off)
{
    while (t->base && !(t->base->flags & IX_TF_BUILTIN) &&
           !memcmp(ix_hook_field(t, off), ix_hook_field(t->base, off), sizeof(void (*)(void))))
        t = t->base;
    return t->module;
}

/* The name after the last dot (worked out when asked: __name__ and IxModule_AddType). */
const char *ix_type_short_name(const IxTypeObject *t)
{
    const char *dot = strrchr(t->name, '.');
    return dot ? dot + 1 : t->name;
}

/* ABI 1.3 (ABI.md 8.13, 8.14): the number slots, the protocol slots and the extra slots
 * live after the type, in its block and in that order, each group only when the type has
 * some of its own (a slot id of the group among `slots`; for the extra slots also a
 * managed-dict or -weakref flag) or its base has the group to inherit. */
const IxNumberSlots ix_no_number_slots;
const IxProtocolSlots ix_no_protocol_slots;
const IxExtraSlots ix_no_extra_slots;
const IxBuiltinTypeDef ix_no_core_hooks;

static bool is_number_slot(int id) { return id >= IX_nb_add && id <= IX_nb_invert; }

static bool is_protocol_slot(int id)
{
    return (id >= IX_sq_length && id <= IX_tp_iternext) || id == IX_bf_getbuffer || id == IX_bf_releasebuffer;
}

static bool is_extra_slot(int id)
{
    return id == IX_tp_getattro || id == IX_tp_setattro || (id >= IX_tp_init && id <= IX_tp_token);
}

static bool has_slots(const IxTypeSlot *slots, bool base_has, bool (*in_group)(int id))
{
    if (base_has) return true;
    for (const IxTypeSlot *s = slots; s && s->id; s++)
        if (in_group(s->id)) return true;
    return false;
}

/* The groups a type has go after it in its block, in that order; the others are the
 * shared empty ones, never written through (apply_slots and inherit write a group only
 * when the type has it). No core hooks until a builtin's definition or a base gives some. */
static void place_groups(IxTypeObject *t, bool nb, bool pr, bool ex)
{
    char *after = (char *)(t + 1);
    t->nb = nb ? (IxNumberSlots *)after : (IxNumberSlots *)&ix_no_number_slots;
    after += nb ? sizeof(IxNumberSlots) : 0;
    t->pr = pr ? (IxProtocolSlots *)after : (IxProtocolSlots *)&ix_no_protocol_slots;
    after += pr ? sizeof(IxProtocolSlots) : 0;
    t->ex = ex ? (IxExtraSlots *)after : (IxExtraSlots *)&ix_no_extra_slots;
    t->core = &ix_no_core_hooks;
}

/* A new type object (zeroed, its nb, pr and ex placed, and `name`, when not NULL, copied
 * after them); NULL with MemoryError set. */
static IxTypeObject *type_alloc(IxContext *ctx, const IxTypeSlot *slots, const IxTypeObject *base, uint32_t flags,
                                const char *name)
{
    bool nb = has_slots(slots, base && base->nb != &ix_no_number_slots, is_number_slot);
    bool pr = has_slots(slots, base && base->pr != &ix_no_protocol_slots, is_protocol_slot);
    bool ex = has_slots(slots, (base && base->ex != &ix_no_extra_slots) || (flags & MANAGED_FLAGS), is_extra_slot);
    size_t size = sizeof(IxTypeObject) + (nb ? sizeof(IxNumberSlots) : 0) + (pr ? sizeof(IxProtocolSlots) : 0) +
                  (ex ? sizeof(IxExtraSlots) : 0);
    size_t name_len = name ? strlen(name) + 1 : 0;
    IxTypeObject *t = (IxTypeObject *)ix_builtin_alloc(ctx, IX_TYPE_TYPE, size + name_len);
    if (!t) return NULL;
    place_groups(t, nb, pr, ex);
    if (name) t->name = memcpy((char *)t + size, name, name_len);
    return t;
}

IxTypeObject *ix_type_new_builtin(IxContext *ctx, const IxBuiltinTypeDef *def)
{
    IxInterp *interp = IX_INTERP(ctx);
    IxTypeObject *t;
    if (!interp->builtins[IX_TYPE_TYPE]) { /* bootstrap: the type of types is its own type */
        t = ix_heap_alloc(&interp->heap, sizeof(IxTypeObject), IX_BLOCK_OBJECT, IX_OWNER_BUILTIN, true);
        if (!t) return NULL;
        t->ob_base.ix_refcnt_private = 1;
        t->ob_base.ix_type_private = &t->ob_base;
        place_groups(t, false, false, false);
    } else if (!(t = type_alloc(ctx, def->slots,
                                def->base_id != UINT32_MAX ? (IxTypeObject *)interp->builtins[def->base_id] : NULL,
                                def->flags, NULL))) {
        return NULL;
    }
    t->interp = interp;
    t->name = def->name;
    t->basic_size = def->basic_size;
    t->flags = def->flags | IX_TF_BUILTIN;
    t->builtin_id = def->id;
    if (def->tp_getattr || def->tp_setattr || def->tp_bool) t->core = def; /* else its base's (inherit) */
    interp->builtins[def->id] = &t->ob_base; /* before the slots: descriptors need it */
    if (def->base_id != UINT32_MAX) t->base = (IxTypeObject *)interp->builtins[def->base_id];
    if (apply_slots(ctx, t, def->slots) < 0) return NULL;
    if (t->base) inherit(t, t->base);
    if (t->dict) ix_dict_trim(ctx, t->dict); /* complete: its room for growth back (8.15) */
    return t;
}

static int check_spec(IxContext *ctx, const IxTypeSpec *spec, IxTypeObject *base)
{
    const char *name = spec->name ? spec->name : "?";
    int64_t min = base ? base->basic_size : (int64_t)sizeof(IxObject);
    if (!spec->name || !spec->name[0]) {
        ix_err_set(ctx, IX_EXC_SYSTEMERROR, "type spec has no name");
    } else if (spec->basic_size < min && !(base && spec->basic_size == 0)) {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "type '%s': basic_size %lld is smaller than %s (%lld)",
                      name, (long long)spec->basic_size, base ? "its base's" : "the object header",
                      (long long)min);
    } else if (spec->flags & ~(IX_TPFLAGS_HAVE_GC | IX_TPFLAGS_BASETYPE | MANAGED_FLAGS)) {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "type '%s': unknown flags 0x%x", name, spec->flags);
    } else {
        return 0;
    }
    return -1;
}

/* ABI 1.2 (ABI.md 5.42-5.43): a subtype keeps its base's managed dict and weak references. */
static void inherit_managed(IxTypeObject *t, const IxTypeObject *base)
{
    if (base) t->flags |= base->flags & MANAGED_FLAGS;
    ix_attrs_layout(t);
}

/* ABI.md 5.2: a heap type keeps the library that defines it loaded, whether or not it is
 * bound to a module (a create slot may return an instance of a type bound to none). The
 * library is the one whose memory holds the spec, its slot table or a slot's value. */
static IxLibrary *library_of_spec(const IxTypeSpec *spec)
{
    IxLibrary *lib = ix_library_of_address(spec);
    if (!lib && spec->slots) lib = ix_library_of_address(spec->slots);
    for (const IxTypeSlot *s = spec->slots; !lib && s && s->id; s++)
        if (s->value) lib = ix_library_of_address(s->value);
    return lib;
}

IxObject *ix_type_from_spec_base(IxContext *ctx, IxObject *module, const IxTypeSpec *spec,
                                 IxTypeObject *base, uint32_t extra_flags)
{
    if (module && !IX_IS(ctx, module, IX_TYPE_MODULE)) return ix_err_wrong_type(ctx, "module", module);
    if (!spec) return ix_err_format(ctx, IX_EXC_SYSTEMERROR, "type spec is NULL");
    if (check_spec(ctx, spec, base) < 0) return NULL;
    IxTypeObject *t = type_alloc(ctx, spec->slots, base, spec->flags, spec->name);
    if (!t) return NULL;
    t->interp = IX_INTERP(ctx);
    t->basic_size = spec->basic_size ? spec->basic_size : base->basic_size; /* 0: the base's (5.5) */
    t->flags = spec->flags | IX_TF_HEAP | extra_flags | (base ? base->flags & IX_TF_EXCEPTION : 0);
    if (base && (base->flags & IX_TF_STR_LAYOUT || base->builtin_id == IX_TYPE_STR)) t->flags |= IX_TF_STR_LAYOUT;
    t->builtin_id = UINT32_MAX;
    inherit_managed(t, base);
    if (base) {
        t->base = base;
        if (!(base->flags & IX_TF_BUILTIN)) IX_INCREF(base);
    }
    if (module) {
        IX_INCREF(module);
        t->module = module;
        t->module_def = ((IxModuleObject *)module)->def;
    }
    t->lib = library_of_spec(spec);
    if (apply_slots(ctx, t, spec->slots) < 0 || ix_typeslots_finish(ctx, t, spec) < 0) goto fail;
    if (base) inherit(t, base); /* a GC base's traverse serves a subtype without one */
    if (base && !(base->flags & IX_TF_BUILTIN) && (base->module != t->module || base->flags & IX_TF_FOREIGN_CHAIN))
        t->flags |= IX_TF_FOREIGN_CHAIN; /* hooks of other modules in the chain (5.5) */
    if ((spec->flags & IX_TPFLAGS_HAVE_GC) && !t->tp_traverse) {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "type '%s': IX_TPFLAGS_HAVE_GC requires a traverse slot",
                      t->name);
        goto fail;
    }
    if (t->dict) ix_dict_trim(ctx, t->dict); /* complete: its room for growth back (8.15) */
    return &t->ob_base;
fail:
    IX_DECREF(ctx, t);
    return NULL;
}

IxObject *ix_type_from_spec(IxContext *ctx, IxObject *module, const IxTypeSpec *spec)
{
    return ix_type_from_spec_base(ctx, module, spec, NULL, 0);
}

/* ABI.md 5.5: what may be a base. Among the builtins only the exception types, whose
 * instance layout the host owns and a subtype extends by basic_size 0 (no fields of its
 * own); a heap type of this interpreter when its spec allowed it, made by any module: every
 * hook a subtype inherits runs as code of the module of the level that defined it
 * (IX_HOOK_MODULE). A legacy static type stays a base only in its own module. */
static IxTypeObject *check_base(IxContext *ctx, IxObject *module, const IxTypeSpec *spec, IxObject *base)
{
    const char *name = spec && spec->name ? spec->name : "?";
    IxTypeObject *b = (IxTypeObject *)base;
    if (!ix_owned_by(ctx, base)) /* an embedder holding two interpreters could pass one */
        return (IxTypeObject *)ix_err_format(ctx, IX_EXC_SYSTEMERROR,
                             "type '%s': base '%s' belongs to another interpreter; use this interpreter's type",
                             name, IX_TYPE(IX_TYPE(base)) == IX_TYPE(base) ? b->name : IX_TYPE(base)->name);
    if (!IX_IS(ctx, base, IX_TYPE_TYPE)) return (IxTypeObject *)ix_err_wrong_type(ctx, "a type as base", base);
    if (b->flags & IX_TF_BUILTIN) return ix_builtin_base_ok(ctx, spec, b) ? b : NULL; /* 5.5, 5.55 */
    if (b->flags & IX_TF_STR_LAYOUT && !ix_builtin_base_ok(ctx, spec, b)) return NULL;
    if (b->flags & IX_TF_STATIC && b->module != module) /* its storage is the legacy library's */
        return (IxTypeObject *)ix_err_format(ctx, IX_EXC_SYSTEMERROR,
                             "type '%s': base '%s' is a static type of a legacy module; it is a base only in that module",
                             name, b->name);
    if (!(b->flags & (IX_TPFLAGS_BASETYPE | IX_TF_EXCEPTION)))
        return (IxTypeObject *)ix_err_format(ctx, IX_EXC_SYSTEMERROR,
                             "type '%s': base '%s' does not allow subclassing; add IX_TPFLAGS_BASETYPE to its spec's flags",
                             name, b->name);
    return b;
}

IxObject *ix_type_from_spec_with_base(IxContext *ctx, IxObject *module, const IxTypeSpec *spec,
                                      IxObject *base)
{
    if (!base) return ix_type_from_spec(ctx, module, spec);
    if (module && !IX_IS(ctx, module, IX_TYPE_MODULE)) return ix_err_wrong_type(ctx, "module", module);
    IxTypeObject *b = check_base(ctx, module, spec, base);
    return b ? ix_type_from_spec_base(ctx, module, spec, b, 0) : NULL;
}

/* ---------------------------------------------------------------- PEP 573 lookups */

IxObject *ix_type_get_module(IxContext *ctx, IxObject *type)
{
    IxTypeObject *t = as_type(ctx, type);
    if (!t) return NULL;
    if (!t->module) return ix_err_format(ctx, IX_EXC_TYPEERROR, "type '%s' has no module", t->name);
    return t->module;
}

void *ix_type_get_module_state(IxContext *ctx, IxObject *type)
{
    IxObject *m = ix_type_get_module(ctx, type);
    return m ? ((IxModuleObject *)m)->state : NULL;
}

IxObject *ix_type_get_module_by_def(IxContext *ctx, IxObject *type, const IxModuleDef *def)
{
    IxTypeObject *t = as_type(ctx, type);
    if (!t) return NULL;
    for (IxTypeObject *b = t; b; b = b->base)
        if (b->module && b->module_def == def) return b->module;
    return ix_err_format(ctx, IX_EXC_TYPEERROR, "IxType_GetModuleByDef: no superclass of '%s' has module '%s'",
                         t->name, def && def->name ? def->name : "?");
}

IxObject *ix_type_generic_alloc(IxContext *ctx, IxObject *type)
{
    IxTypeObject *t = as_type(ctx, type);
    if (t && t->flags & IX_TF_STR_LAYOUT) /* its size is its value's: made by calling it (5.55) */
        return ix_err_format(ctx, IX_EXC_TYPEERROR, "IxType_GenericAlloc cannot make '%s' instances (a subtype of str): call the type", t->name);
    return t ? ix_object_alloc(ctx, t, ix_type_instance_size(t)) : NULL;
}

const char *ix_type_get_name(IxContext *ctx, IxObject *type)
{
    IxTypeObject *t = as_type(ctx, type);
    return t ? t->name : NULL;
}

/* The base of a static subtype (ABI.md 7.10): a static type readied before the subtype,
 * then what 5.5 asks of every base (of the module being built, when static; subclassable). */
static IxTypeObject *static_base(IxContext *ctx, IxObject *module, const IxTypeSpec *spec,
                                 const IxStaticType *base)
{
    if (!base->type)
        return (IxTypeObject *)ix_err_format(ctx, IX_EXC_SYSTEMERROR,
                             "type '%s': the base static type '%s' is not readied; ready it first",
                             spec && spec->name ? spec->name : "?",
                             base->spec && base->spec->name ? base->spec->name : "?");
    return check_base(ctx, module, spec, base->type);
}

/* Legacy static type (ABI.md 7.2): a heap type in disguise, whose reference lives in the
 * extension's static storage; the legacy module remembers it to release it at close. With
 * a base (7.10), a static subtype of another static type of the module. */
int ix_type_ready_static_with_base(IxContext *ctx, IxStaticType *st, IxObject *module, IxStaticType *base)
{
    const char *fn = base ? "IxType_ReadyStaticWithBase" : "IxType_ReadyStatic";
    if (!module || !IX_IS(ctx, module, IX_TYPE_MODULE) || !((IxModuleObject *)module)->legacy) {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s needs the legacy module being built", fn);
        return -1;
    }
    if (st->type) return 0; /* readied already in this process */
    IxTypeObject *base_type = base ? static_base(ctx, module, st->spec, base) : NULL;
    if (base && !base_type) return -1;
    IxModuleObject *m = (IxModuleObject *)module;
    if (!m->static_types && !(m->static_types = ix_list_new(ctx))) return -1;
    IxObject *t = ix_type_from_spec_base(ctx, module, st->spec, base_type, IX_TF_STATIC);
    if (!t) return -1;
    if (ix_list_append(ctx, m->static_types, t) < 0) {
        IX_DECREF(ctx, t);
        return -1;
    }
    ((IxTypeObject *)t)->static_home = st;
    st->type = t; /* the static storage owns this reference */
    return 0;
}

int ix_type_ready_static(IxContext *ctx, IxStaticType *st, IxObject *module)
{
    return ix_type_ready_static_with_base(ctx, st, module, NULL);
}

/* ---------------------------------------------------------------- module functions */

IxObject *ix_function_new(IxContext *ctx, const IxMethodDef *def, IxObject *module)
{
    IxFunctionObject *f = (IxFunctionObject *)ix_builtin_alloc(ctx, IX_TYPE_FUNCTION, sizeof(IxFunctionObject));
    if (!f) return NULL;
    f->def = def;
    IX_INCREF(module);
    f->self = module;
    return &f->ob_base;
}

/* ---------------------------------------------------------------- the builtin types here */

static void type_dealloc(IxContext *ctx, IxObject *self)
{
    IxTypeObject *t = (IxTypeObject *)self;
    if (t->static_home && t->static_home->type == self) t->static_home->type = NULL;
    IX_CLEAR_REF(ctx, t->dict);
    IX_CLEAR_REF(ctx, t->module);
    if (t->base && !(t->base->flags & IX_TF_BUILTIN)) IX_CLEAR_REF(ctx, t->base);
    if (t->lib) ix_library_decref(t->lib); /* last: no code of the library runs after this */
    t->lib = NULL;
}

static int type_traverse(IxContext *ctx, IxObject *self, IxVisitProc visit, void *arg)
{
    IxTypeObject *t = (IxTypeObject *)self;
    IX_VISIT(t->dict);
    IX_VISIT(t->module);
    if (t->base && !(t->base->flags & IX_TF_BUILTIN)) IX_VISIT(t->base);
    return 0;
}

static IxObject *type_repr(IxContext *ctx, IxObject *self)
{
    return ix_str_from_format(ctx, "<class '%s'>", ((IxTypeObject *)self)->name);
}

static IxObject *type_getattr(IxContext *ctx, IxObject *self, const char *name)
{
    IxTypeObject *t = (IxTypeObject *)self;
    if (!strcmp(name, "__name__")) return ix_str_from_cstr(ctx, ix_type_short_name(t));
    if (!strcmp(name, "__qualname__")) return ix_str_from_cstr(ctx, t->name);
    if (!strcmp(name, "__module__") && t->module) {
        IX_INCREF(((IxModuleObject *)t->module)->name);
        return ((IxModuleObject *)t->module)->name;
    }
    IxObject *v = ix_type_lookup(ctx, t, name);
    if (!v)
        return ix_err_format(ctx, IX_EXC_ATTRIBUTEERROR, "type object '%s' has no attribute '%s'",
                             t->name, name);
    /* class and static methods are bound to the type itself (ABI.md 5.9) */
    if (IX_IS(ctx, v, IXI_TYPE_METHOD_DESCR) &&
        ((IxDescrObject *)v)->u.method->flags & (IX_METH_CLASS | IX_METH_STATIC))
        return bound_method_new(ctx, v, self);
    IX_INCREF(v);
    return v;
}

static int type_setattr(IxContext *ctx, IxObject *self, const char *name, IxObject *v)
{
    ix_err_format(ctx, IX_EXC_TYPEERROR, "cannot set '%s' attribute of type '%s'", name,
                  ((IxTypeObject *)self)->name);
    return -1;
}

static const IxTypeSlot type_slots[] = {
    {IX_tp_dealloc, (void *)type_dealloc},
    {IX_tp_traverse, (void *)type_traverse},
    {IX_tp_repr, (void *)type_repr},
    IX_TYPE_SLOTS_END,
};
const IxBuiltinTypeDef ix_type_typedef = {IX_TYPE_TYPE, "type", sizeof(IxTypeObject), UINT32_MAX, 0,
                                          type_slots, type_getattr, type_setattr, NULL};

static void function_dealloc(IxContext *ctx, IxObject *self)
{
    IX_CLEAR_REF(ctx, ((IxFunctionObject *)self)->self);
}

static int function_traverse(IxContext *ctx, IxObject *self, IxVisitProc visit, void *arg)
{
    IX_VISIT(((IxFunctionObject *)self)->self);
    return 0;
}

static IxObject *function_repr(IxContext *ctx, IxObject *self)
{
    IxFunctionObject *f = (IxFunctionObject *)self;
    return ix_str_from_format(ctx, "<built-in function %s.%s>",
                              ((IxModuleObject *)f->self)->def->name, f->def->name);
}

static IxObject *function_getattr(IxContext *ctx, IxObject *self, const char *name)
{
    IxFunctionObject *f = (IxFunctionObject *)self;
    if (!strcmp(name, "__name__")) return ix_str_from_cstr(ctx, f->def->name);
    if (!strcmp(name, "__doc__")) {
        if (f->def->doc) return ix_str_from_cstr(ctx, f->def->doc);
        IX_INCREF(IX_BUILTIN(ctx, IX_NONE));
        return IX_BUILTIN(ctx, IX_NONE);
    }
    return ix_err_format(ctx, IX_EXC_ATTRIBUTEERROR, "'builtin_function' object has no attribute '%s'",
                         name);
}

static const IxTypeSlot function_slots[] = {
    {IX_tp_dealloc, (void *)function_dealloc},
    {IX_tp_traverse, (void *)function_traverse},
    {IX_tp_repr, (void *)function_repr},
    IX_TYPE_SLOTS_END,
};
const IxBuiltinTypeDef ix_function_typedef = {IX_TYPE_FUNCTION, "builtin_function",
                                              sizeof(IxFunctionObject), UINT32_MAX, 0,
                                              function_slots, function_getattr, NULL, NULL};

static void method_dealloc(IxContext *ctx, IxObject *self)
{
    IxMethodObject *m = (IxMethodObject *)self;
    IX_CLEAR_REF(ctx, m->descr);
    IX_CLEAR_REF(ctx, m->self);
}

static int method_traverse(IxContext *ctx, IxObject *self, IxVisitProc visit, void *arg)
{
    IxMethodObject *m = (IxMethodObject *)self;
    IX_VISIT(m->descr);
    IX_VISIT(m->self);
    return 0;
}

static IxObject *method_repr(IxContext *ctx, IxObject *self)
{
    IxMethodObject *m = (IxMethodObject *)self;
    IxDescrObject *d = (IxDescrObject *)m->descr;
    return ix_str_from_format(ctx, "<bound method %s.%s of %s object at %p>", d->owner_type->name,
                              d->u.method->name, IX_TYPE(m->self)->name, (void *)m->self);
}

static const IxTypeSlot method_slots[] = {
    {IX_tp_dealloc, (void *)method_dealloc},
    {IX_tp_traverse, (void *)method_traverse},
    {IX_tp_repr, (void *)method_repr},
    IX_TYPE_SLOTS_END,
};
const IxBuiltinTypeDef ix_method_typedef = {IX_TYPE_METHOD, "method", sizeof(IxMethodObject),
                                            UINT32_MAX, 0, method_slots, NULL, NULL, NULL};

static IxObject *descr_repr(IxContext *ctx, IxObject *self)
{
    IxDescrObject *d = (IxDescrObject *)self;
    /* the name is the first field of every definition kind */
    return ix_str_from_format(ctx, "<%s '%s' of '%s' objects>", IX_TYPE(self)->name,
                              *(const char *const *)d->u.method, d->owner_type->name);
}

static const IxTypeSlot descr_slots[] = {
    {IX_tp_repr, (void *)descr_repr},
    IX_TYPE_SLOTS_END,
};
const IxBuiltinTypeDef ix_method_descr_typedef = {IXI_TYPE_METHOD_DESCR, "method_descriptor",
                                                  sizeof(IxDescrObject), UINT32_MAX, 0,
                                                  descr_slots, NULL, NULL, NULL};
const IxBuiltinTypeDef ix_member_descr_typedef = {IXI_TYPE_MEMBER_DESCR, "member_descriptor",
                                                  sizeof(IxDescrObject), UINT32_MAX, 0,
                                                  descr_slots, NULL, NULL, NULL};
const IxBuiltinTypeDef ix_getset_descr_typedef = {IXI_TYPE_GETSET_DESCR, "getset_descriptor",
                                                  sizeof(IxDescrObject), UINT32_MAX, 0,
                                                  descr_slots, NULL, NULL, NULL};
