/*
 * xbase_a -- a base type other modules subclass (ABI.md 5.5): its hooks allocate, leak on
 * request and count how many threads run them at once, so a test sees whose code an
 * inherited hook runs as (attribution, the shared lock). xbase_b subclasses it.
 *
 * One source, compiled twice (see CMakeLists.txt) with -DCASE_<module> -DMODULE_NAME=<module>:
 *   xbase_a       the default lock (IX_MOD_MULTI_PER_INTERPRETER_LOCK)
 *   xbase_shared  IX_MOD_MULTI_SHARED_LOCK: its hooks never run on two threads at once,
 *                 even when called through a subtype of a per-interpreter-lock module
 *
 *   Base([held])     a GC type with IX_TPFLAGS_BASETYPE; new allocates a 32-byte block
 *                    the base level's dealloc frees; it holds `held` (traverse, clear)
 *     b(n)           tp_call: a critical section of 200 us; n > 0 leaks n bytes
 *     repr(b)        "<MODULE.Base>", through a block allocated and freed in the hook
 *     b.home()       IX_METH_METHOD: the name of IxType_GetModuleByDef(defining class)
 *   Error            IxErr_NewException(module, "MODULE.Error", Exception), a base too
 *   max_inside(), reset()   the most threads inside Base's call at once; back to 0
 */
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "isolex.h"

#ifndef MODULE_NAME
#error "compile with -DCASE_<name> -DMODULE_NAME=<name>"
#endif
#define STR_(x) #x
#define STR(x) STR_(x)
#define MODINIT(name) IX_MODINIT(name)
#if defined(CASE_xbase_shared)
#define MULTI_SLOT {IX_MOD_MULTIPLE_INTERPRETERS, IX_MOD_MULTI_SHARED_LOCK},
#else
#define MULTI_SLOT
#endif

typedef struct BaseObject {
    IxObject_HEAD
    IxObject *held;
    char *block; /* IxMem_Malloc'd by new: the base module's */
} BaseObject;

static atomic_int_fast64_t inside, max_inside;
static void *volatile leak_sink; /* gcc would delete an unused leak */
static const IxModuleDef xbase_def;

static IxObject *base_new(IxContext *ctx, IxObject *type, IxObject *const *args, size_t nargs)
{
    BaseObject *self = (BaseObject *)IxType_GenericAlloc(ctx, type);
    if (!self) return NULL;
    if (!(self->block = IxMem_Malloc(ctx, 32))) {
        Ix_Decref(ctx, &self->ob_base);
        return NULL;
    }
    if (nargs > 0) self->held = Ix_NewRef(ctx, args[0]);
    return &self->ob_base;
}

static void base_dealloc(IxContext *ctx, IxObject *self)
{
    BaseObject *b = (BaseObject *)self;
    if (b->held) IX_CLEAR(ctx, b->held);
    IxMem_Free(ctx, b->block);
}

static int base_traverse(IxContext *ctx, IxObject *self, IxVisitProc visit, void *arg)
{
    IX_VISIT(((BaseObject *)self)->held);
    return 0;
}

static int base_clear(IxContext *ctx, IxObject *self)
{
    BaseObject *b = (BaseObject *)self;
    if (b->held) IX_CLEAR(ctx, b->held);
    return 0;
}

static void spin_us(int64_t us)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do clock_gettime(CLOCK_MONOTONIC, &t);
    while ((t.tv_sec - t0.tv_sec) * 1000000 + (t.tv_nsec - t0.tv_nsec) / 1000 < us);
}

static IxObject *base_call(IxContext *ctx, IxObject *self, IxObject *const *args, size_t nargs)
{
    int64_t n = nargs ? IxLong_AsInt64(ctx, args[0]) : 0;
    if (n == -1 && IxErr_Occurred(ctx)) return NULL;
    int_fast64_t now = atomic_fetch_add(&inside, 1) + 1, seen = atomic_load(&max_inside);
    while (now > seen && !atomic_compare_exchange_weak(&max_inside, &seen, now)) {
    }
    spin_us(200);
    atomic_fetch_sub(&inside, 1);
    if (n > 0 && !(leak_sink = IxMem_Malloc(ctx, (size_t)n))) return NULL;
    return Ix_ReturnNone(ctx);
}

static IxObject *base_repr(IxContext *ctx, IxObject *self)
{
    char *text = IxMem_Malloc(ctx, 64);
    if (!text) return NULL;
    strcpy(text, "<" STR(MODULE_NAME) ".Base>");
    IxObject *r = IxStr_FromCString(ctx, text);
    IxMem_Free(ctx, text);
    return r;
}

/* The defining class is Base for a subtype of another module too; its module is ours. */
static IxObject *base_home(IxContext *ctx, IxObject *self, IxObject *cls, IxObject *const *args, size_t nargs)
{
    IxObject *m = IxType_GetModuleByDef(ctx, cls, &xbase_def);
    return m ? Ix_GetAttr(ctx, m, "__name__") : NULL;
}

static const IxMethodDef base_methods[] = {
    {"home", (IxCFunction)(void (*)(void))base_home, 0, 0, IX_METH_METHOD, "the defining class's module name"},
    IX_METHODS_END,
};

static const IxTypeSlot base_slots[] = {
    {IX_tp_new, (void *)base_new},
    {IX_tp_dealloc, (void *)base_dealloc},
    {IX_tp_traverse, (void *)base_traverse},
    {IX_tp_clear, (void *)base_clear},
    {IX_tp_call, (void *)base_call},
    {IX_tp_repr, (void *)base_repr},
    {IX_tp_methods, (void *)base_methods},
    IX_TYPE_SLOTS_END,
};

static const IxTypeSpec base_spec = {STR(MODULE_NAME) ".Base", sizeof(BaseObject),
                                     IX_TPFLAGS_HAVE_GC | IX_TPFLAGS_BASETYPE, base_slots};

static IxObject *fn_max_inside(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    return IxLong_FromInt64(ctx, (int64_t)atomic_load(&max_inside));
}

static IxObject *fn_reset(IxContext *ctx, IxObject *m, IxObject *const *args, size_t nargs)
{
    atomic_store(&max_inside, 0);
    return Ix_ReturnNone(ctx);
}

static const IxMethodDef module_methods[] = {
    {"max_inside", fn_max_inside, 0, 0, 0, NULL},
    {"reset", fn_reset, 0, 0, 0, NULL},
    IX_METHODS_END,
};

static int add_type(IxContext *ctx, IxObject *module, const char *name, IxObject *type)
{
    if (!type) return -1;
    int rc = Ix_SetAttr(ctx, module, name, type);
    Ix_Decref(ctx, type);
    return rc;
}

static int xbase_exec(IxContext *ctx, IxObject *module)
{
    if (add_type(ctx, module, "Base", IxType_FromSpec(ctx, module, &base_spec)) < 0) return -1;
    return add_type(ctx, module, "Error",
                    IxErr_NewException(ctx, module, STR(MODULE_NAME) ".Error", Ix_Builtin(ctx, IX_EXC_EXCEPTION)));
}

static const IxModuleSlot xbase_slots[] = {
    {IX_MOD_EXEC, xbase_exec},
    MULTI_SLOT
    IX_MOD_SLOTS_END
};

static const IxModuleDef xbase_def = {
    IX_MODULEDEF_HEAD,
    .name = STR(MODULE_NAME),
    .doc = "a base type other modules subclass (ABI.md 5.5)",
    .methods = module_methods,
    .slots = xbase_slots,
};

MODINIT(MODULE_NAME)
{
    return &xbase_def;
}
