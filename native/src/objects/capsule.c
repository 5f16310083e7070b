/*
 * capsule.c -- capsules: an opaque C pointer in an object, so one module can hand a C API
 * (or per-interpreter state) to another through an ordinary attribute (ABI.md 4.12).
 *
 * The name is copied into the capsule (it is compared with strcmp, and a copy cannot
 * dangle when the creating library's string is gone). The destructor is extension code:
 * it runs entered like a heap type's dealloc (attributed to the module whose code made the
 * capsule, under its shared lock if it has one, with the pending error set aside).
 */
#include <stdio.h>
#include <string.h>

#include "ix_internal.h"

typedef struct CapsuleObject {
    IxObject_HEAD
    void *pointer;
    IxCapsuleDestructor destructor;
    uint32_t owner;     /* the module record whose code made it (0: the host) */
    bool has_name;
    char name[];        /* the copied name, when has_name */
} CapsuleObject;

static void capsule_dealloc(IxContext *ctx, IxObject *self)
{
    CapsuleObject *cap = (CapsuleObject *)self;
    if (!cap->destructor) return;
    IxCtx *c = IX_CTX(ctx);
    IxInterp *in = c->interp;
    IxObject *module = cap->owner && cap->owner - 1 < in->nmodules ? in->modules[cap->owner - 1].module : NULL;
    IxObject *saved = c->exc;
    IxEntry e;
    c->exc = NULL;
    if (module) ix_enter_code(ctx, module, &e);
    else ix_enter_raw(ctx, cap->owner, NULL, &e); /* its module is still importing, or the host */
    cap->destructor(ctx, cap->pointer);
    ix_leave_code(ctx, &e);
    if (c->exc) { /* like any dealloc's error, nobody to raise it to (ABI.md 6.8) */
        if (cap->has_name) ix_unraisable(ctx, "destructor of capsule \"%s\"", cap->name);
        else ix_unraisable(ctx, "destructor of capsule NULL");
    }
    c->exc = saved;
}

static IxObject *capsule_repr(IxContext *ctx, IxObject *self)
{
    CapsuleObject *cap = (CapsuleObject *)self;
    return cap->has_name ? ix_str_from_format(ctx, "<capsule \"%s\">", cap->name)
                         : ix_str_from_cstr(ctx, "<capsule NULL>");
}

static const IxTypeSlot capsule_slots[] = {
    {IX_tp_dealloc, (void *)capsule_dealloc},
    {IX_tp_repr, (void *)capsule_repr},
    IX_TYPE_SLOTS_END,
};
const IxBuiltinTypeDef ix_capsule_typedef = {IXI_TYPE_CAPSULE, "capsule", sizeof(CapsuleObject), UINT32_MAX, 0,
                                             capsule_slots, NULL, NULL, NULL};

/* ---------------------------------------------------------------- the ABI entries */

IxObject *ix_capsule_new(IxContext *ctx, void *pointer, const char *name, IxCapsuleDestructor destructor)
{
    if (!pointer)
        return ix_err_format(ctx, IX_EXC_VALUEERROR,
                             "IxCapsule_New: the pointer is NULL; a capsule holds a non-NULL pointer");
    size_t n = name ? strlen(name) + 1 : 0;
    CapsuleObject *cap = (CapsuleObject *)ix_builtin_alloc(ctx, IXI_TYPE_CAPSULE,
                                                          sizeof(CapsuleObject) + n);
    if (!cap) return NULL;
    cap->pointer = pointer;
    cap->destructor = destructor;
    cap->owner = IX_CTX(ctx)->owner;
    cap->has_name = name != NULL;
    if (name) memcpy(cap->name, name, n);
    return &cap->ob_base;
}

static bool is_capsule(IxContext *ctx, IxObject *o)
{
    return IX_IS(ctx, o, IXI_TYPE_CAPSULE);
}

/* NULL names match only NULL; two strings match when strcmp says so. */
static bool name_matches(const CapsuleObject *cap, const char *name)
{
    if (!cap->has_name || !name) return !cap->has_name && !name;
    return strcmp(cap->name, name) == 0;
}

void *ix_capsule_get_pointer(IxContext *ctx, IxObject *o, const char *name)
{
    if (!is_capsule(ctx, o)) {
        ix_err_wrong_type(ctx, "capsule", o);
        return NULL;
    }
    CapsuleObject *cap = (CapsuleObject *)o;
    if (name_matches(cap, name)) return cap->pointer;
    char have[160], want[160];
    if (cap->has_name) snprintf(have, sizeof have, "'%s'", cap->name);
    else snprintf(have, sizeof have, "NULL");
    if (name) snprintf(want, sizeof want, "'%s'", name);
    else snprintf(want, sizeof want, "NULL");
    ix_err_format(ctx, IX_EXC_VALUEERROR,
                  "IxCapsule_GetPointer: the capsule is named %s, not %s; pass the exact name it was "
                  "created with",
                  have, want);
    return NULL;
}

int ix_capsule_is_valid(IxContext *ctx, IxObject *o, const char *name)
{
    return is_capsule(ctx, o) && name_matches((CapsuleObject *)o, name);
}
