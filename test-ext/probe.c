/*
 * probe -- the built-in values, per interpreter (ABI.md 3, 8).
 *
 *   echo(x)        -> x unchanged (round trip of every convertible type)
 *   type_name(x)   -> the full name of x's type
 *   none_id()      -> the address of this interpreter's None, as an int: it differs between
 *                     interpreters (3.4)
 *   make(kind)     -> a fresh empty/zero value of kind: "list", "dict", "tuple", "str",
 *                     "bytes", "int" or "float" (ValueError for anything else)
 *   check_int(x)   -> IxLong_AsInt64(x) as an int; for a non-int the host's TypeError
 *                     comes back unchanged
 *   alloc(n)       -> None; allocates n >= 1 bytes with IxMem_Malloc and keeps the block in
 *                     the module state until free (8.1: the interpreter counts it)
 *   alloc_count()  -> the number of blocks alloc() has kept
 *   nest(n)        -> [] inside n - 1 more lists: n levels of containers (a result deeper
 *                     than the host's limit is refused by the host, not by probe)
 */
#include <stdint.h>
#include <string.h>

#include "isolex.h"

typedef struct {
    void **blocks;  /* array of the blocks alloc() made, itself from IxMem_Malloc */
    size_t count;
    size_t cap;
} probe_state;

static IxObject *probe_echo(IxContext *ctx, IxObject *module, IxObject *const *args,
                            size_t nargs)
{
    return Ix_NewRef(ctx, args[0]);
}

static IxObject *probe_type_name(IxContext *ctx, IxObject *module, IxObject *const *args,
                                 size_t nargs)
{
    const char *name = IxType_GetName(ctx, Ix_Type(ctx, args[0]));
    if (name == NULL)
        return NULL;
    return IxStr_FromCString(ctx, name);
}

static IxObject *probe_none_id(IxContext *ctx, IxObject *module, IxObject *const *args,
                               size_t nargs)
{
    return IxLong_FromInt64(ctx, (int64_t)(intptr_t)Ix_None(ctx));
}

static IxObject *probe_make(IxContext *ctx, IxObject *module, IxObject *const *args,
                            size_t nargs)
{
    size_t len;
    const char *kind = IxStr_AsUTF8(ctx, args[0], &len);
    if (kind == NULL)
        return NULL;
#define IS(word) (len == sizeof(word) - 1 && memcmp(kind, word, len) == 0)
    if (IS("list"))
        return IxList_New(ctx);
    if (IS("dict"))
        return IxDict_New(ctx);
    if (IS("tuple"))
        return IxTuple_FromArray(ctx, NULL, 0);
    if (IS("str"))
        return IxStr_FromUTF8(ctx, "", 0);
    if (IS("bytes"))
        return IxBytes_FromData(ctx, "", 0);
    if (IS("int"))
        return IxLong_FromInt64(ctx, 0);
    if (IS("float"))
        return IxFloat_FromDouble(ctx, 0.0);
#undef IS
    return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "unknown kind '%.*s'",
                        len > 64 ? 64 : (int)len, kind);
}

static IxObject *probe_check_int(IxContext *ctx, IxObject *module, IxObject *const *args,
                                 size_t nargs)
{
    int64_t v = IxLong_AsInt64(ctx, args[0]);
    if (v == -1 && IxErr_Occurred(ctx) != NULL)
        return NULL;
    return IxLong_FromInt64(ctx, v);
}

static IxObject *probe_alloc(IxContext *ctx, IxObject *module, IxObject *const *args,
                             size_t nargs)
{
    probe_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return NULL;
    int64_t n = IxLong_AsInt64(ctx, args[0]);
    if (n == -1 && IxErr_Occurred(ctx) != NULL)
        return NULL;
    if (n < 1 || (uint64_t)n > SIZE_MAX)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR),
                            "alloc() needs n >= 1, got %lld", (long long)n);

    /* Room in the array first, so a failed block allocation leaves nothing behind. */
    if (st->count == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 8;
        void **blocks = st->blocks == NULL ? IxMem_Malloc(ctx, cap * sizeof(void *))
                                           : IxMem_Realloc(ctx, st->blocks, cap * sizeof(void *));
        if (blocks == NULL)
            return NULL;
        st->blocks = blocks;
        st->cap = cap;
    }
    void *block = IxMem_Malloc(ctx, (size_t)n);
    if (block == NULL)
        return NULL;
    st->blocks[st->count++] = block;
    return Ix_ReturnNone(ctx);
}

static IxObject *probe_alloc_count(IxContext *ctx, IxObject *module, IxObject *const *args,
                                   size_t nargs)
{
    probe_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return NULL;
    return IxLong_FromInt64(ctx, (int64_t)st->count);
}

static IxObject *probe_nest(IxContext *ctx, IxObject *module, IxObject *const *args,
                            size_t nargs)
{
    int64_t n = IxLong_AsInt64(ctx, args[0]);
    if (n == -1 && IxErr_Occurred(ctx) != NULL)
        return NULL;
    IxObject *v = IxList_New(ctx);
    for (int64_t i = 1; v != NULL && i < n; i++) {
        IxObject *outer = IxList_New(ctx);
        if (outer != NULL && IxList_Append(ctx, outer, v) < 0)
            IX_CLEAR(ctx, outer);
        Ix_Decref(ctx, v);
        v = outer;
    }
    return v;
}

/* The state holds no objects, so no traverse or clear: free releases the blocks. */
static void probe_free(IxContext *ctx, IxObject *module)
{
    probe_state *st = IxModule_GetState(ctx, module);
    if (st == NULL)
        return;
    for (size_t i = 0; i < st->count; i++)
        IxMem_Free(ctx, st->blocks[i]);
    IxMem_Free(ctx, st->blocks);
    st->blocks = NULL;
    st->count = st->cap = 0;
}

static const IxMethodDef probe_methods[] = {
    {"echo", probe_echo, 1, 1, 0, "echo(x) -> x"},
    {"type_name", probe_type_name, 1, 1, 0, "type_name(x) -> str: the name of x's type"},
    {"none_id", probe_none_id, 0, 0, 0, "none_id() -> int: the address of this None"},
    {"make", probe_make, 1, 1, 0, "make(kind) -> a fresh value of kind"},
    {"check_int", probe_check_int, 1, 1, 0, "check_int(x) -> int: IxLong_AsInt64(x)"},
    {"alloc", probe_alloc, 1, 1, 0, "alloc(n): keep an n-byte IxMem_Malloc block"},
    {"alloc_count", probe_alloc_count, 0, 0, 0, "alloc_count() -> int: blocks kept"},
    {"nest", probe_nest, 1, 1, 0, "nest(n) -> n levels of lists"},
    IX_METHODS_END
};

static const IxModuleDef probe_def = {
    IX_MODULEDEF_HEAD,
    .name = "probe",
    .doc = "Probes the built-in values of an interpreter.",
    .state_size = sizeof(probe_state),
    .methods = probe_methods,
    .free = probe_free,
};

IX_MODINIT(probe)
{
    return &probe_def;
}
