/*
 * buggy -- one deliberate bug per function, for the layers that must catch them: debug
 * mode (ABI.md 10), the host's boundary checks (3.3), AddressSanitizer on the core and
 * Valgrind memcheck. test-ext/README.md ("Deliberate bugs") has the table of which layer
 * catches which bug, with the exact texts; native/driver/scenarios_buggy.c asserts them.
 *
 *   decref_twice()          makes a list and drops it twice: a refcount underflow
 *   mem_double_free()       IxMem_Malloc(16), IxMem_Free twice
 *   write_past_end()        IxMem_Malloc(16), writes byte [16], IxMem_Free
 *   keep_global(x)          keeps a new reference to x in a C global (any interpreter's x:
 *                           the global is process-wide, which is the bug)
 *   use_global()            Ix_Repr of the kept object, from whichever interpreter calls
 *   return_global()         returns the kept object (a new reference) to the caller
 *   drop_global()           releases the kept object: call it in the interpreter that
 *                           made it, before that interpreter closes
 *   keep_borrowed(x)        keeps x in the C global without a reference of its own: the
 *                           global dangles once the caller drops x (forget it with
 *                           drop_global, whose Ix_Decref debug mode then refuses)
 *   take_global()           returns the kept object, handing the global's reference to the
 *                           caller (kept = NULL): correct in the interpreter that made it
 *   return_freed()          makes a list, drops it, returns it: a freed object as a result
 *   return_borrowed(x)      returns its argument without a new reference
 *   decref_borrowed(x)      drops a reference to its argument that it never owned
 *   decref_stack()          Ix_Decref on a stack buffer: a pointer that is no object
 *   mem_free_malloced()     IxMem_Free on a block from the C library's malloc
 *   mem_free_object()       IxMem_Free on a list (the host frees objects, not IxMem_Free)
 *   repr_block()            Ix_Repr of an IxMem_Malloc block: memory that is no object
 *   stash_context()         keeps the call's ctx in a C global
 *   use_stashed_context()   IxList_New on the stashed context after its call returned;
 *                           -> True if that made a list (dropped at once), else False
 *
 * Not here because they exist already: forgetting a decref is leaky.leak_list; a cycle
 * through a type without traverse is cycles.make_opaque.
 *
 * Every function returns None, or NULL when the host raised an error during the bug (debug
 * mode raises each violation as a SystemError in the calling context): checking
 * IxErr_Occurred after a void call is not what real code does, but it lets the error
 * surface as itself rather than as "returned a result with an error set".
 *
 * Never run decref_twice, mem_double_free, use_stashed_context, return_freed,
 * return_borrowed, decref_borrowed, decref_stack, mem_free_malloced, mem_free_object or
 * repr_block outside debug mode in a process that is to go on, nor use the kept object
 * after its interpreter closed or after keep_borrowed's x went: there they are undefined
 * behaviour (use after free, or reading memory that is no object).
 *
 * Each bug is in its own function, called only through the method table, so the
 * allocation site debug mode names (buggy.so!buggy_<function>) is that function. The C
 * globals are the bug, not test instrumentation.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "isolex.h"

static IxObject *kept;              /* keep_global: an object of whoever called */
static IxContext *stashed;          /* stash_context: a context that will die */

/* None, or NULL when the host raised an error meanwhile (see above). */
static IxObject *result(IxContext *ctx)
{
    return IxErr_Occurred(ctx) != NULL ? NULL : Ix_ReturnNone(ctx);
}

static IxObject *buggy_decref_twice(IxContext *ctx, IxObject *module, IxObject *const *args,
                                    size_t nargs)
{
    IxObject *list = IxList_New(ctx);
    if (list == NULL)
        return NULL;
    Ix_Decref(ctx, list);
    Ix_Decref(ctx, list);  /* the bug: the list is already gone */
    return result(ctx);
}

static IxObject *buggy_mem_double_free(IxContext *ctx, IxObject *module,
                                       IxObject *const *args, size_t nargs)
{
    void *block = IxMem_Malloc(ctx, 16);
    if (block == NULL)
        return NULL;
    IxMem_Free(ctx, block);
    IxMem_Free(ctx, block);  /* the bug */
    return result(ctx);
}

static IxObject *buggy_write_past_end(IxContext *ctx, IxObject *module,
                                      IxObject *const *args, size_t nargs)
{
    unsigned char *block = IxMem_Malloc(ctx, 16);
    if (block == NULL)
        return NULL;
    /* The bug: one byte past the 16. Volatile, so the compiler keeps the store. */
    ((volatile unsigned char *)block)[16] = 0x42;
    IxMem_Free(ctx, block);
    return result(ctx);
}

static IxObject *buggy_keep_global(IxContext *ctx, IxObject *module, IxObject *const *args,
                                   size_t nargs)
{
    if (kept != NULL)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR),
                            "an object is kept already: drop_global() first");
    kept = Ix_NewRef(ctx, args[0]);  /* the bug: a process-wide global holds an object */
    return Ix_ReturnNone(ctx);
}

static IxObject *buggy_use_global(IxContext *ctx, IxObject *module, IxObject *const *args,
                                  size_t nargs)
{
    if (kept == NULL)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "nothing kept");
    return Ix_Repr(ctx, kept);  /* the bug, when another interpreter kept it */
}

static IxObject *buggy_return_global(IxContext *ctx, IxObject *module, IxObject *const *args,
                                     size_t nargs)
{
    if (kept == NULL)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "nothing kept");
    IxObject *o = Ix_NewRef(ctx, kept);  /* the bug, when another interpreter kept it */
    if (IxErr_Occurred(ctx) == NULL) return o;
    Ix_Decref(ctx, o);  /* debug mode reported it; give back the reference all the same */
    return NULL;
}

static IxObject *buggy_drop_global(IxContext *ctx, IxObject *module, IxObject *const *args,
                                   size_t nargs)
{
    IX_CLEAR(ctx, kept);
    return result(ctx);
}

static IxObject *buggy_keep_borrowed(IxContext *ctx, IxObject *module,
                                     IxObject *const *args, size_t nargs)
{
    if (kept != NULL)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR),
                            "an object is kept already: drop_global() first");
    kept = args[0];  /* the bug: no reference of its own, so it dangles once x goes */
    return Ix_ReturnNone(ctx);
}

static IxObject *buggy_take_global(IxContext *ctx, IxObject *module, IxObject *const *args,
                                   size_t nargs)
{
    IxObject *o = kept;
    if (o == NULL)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "nothing kept");
    kept = NULL;
    return o;  /* the global's reference, handed over: the bug when another interpreter kept it */
}

static IxObject *buggy_return_freed(IxContext *ctx, IxObject *module, IxObject *const *args,
                                    size_t nargs)
{
    IxObject *list = IxList_New(ctx);
    if (list == NULL)
        return NULL;
    Ix_Decref(ctx, list);
    return list;  /* the bug: the list is gone */
}

static IxObject *buggy_return_borrowed(IxContext *ctx, IxObject *module,
                                       IxObject *const *args, size_t nargs)
{
    return args[0];  /* the bug: the caller owns this reference, the result needs its own */
}

static IxObject *buggy_decref_borrowed(IxContext *ctx, IxObject *module,
                                       IxObject *const *args, size_t nargs)
{
    Ix_Decref(ctx, args[0]);  /* the bug: an argument is borrowed, never owned */
    return result(ctx);
}

static IxObject *buggy_decref_stack(IxContext *ctx, IxObject *module, IxObject *const *args,
                                    size_t nargs)
{
    /* The bug: a pointer to stack bytes is no object. Filled, so what it points at is
     * the same on every run (bytes that make no valid pointer), and volatile so the
     * compiler keeps them. */
    volatile unsigned char buf[64];
    memset((void *)buf, 0x5A, sizeof buf);
    Ix_Decref(ctx, (IxObject *)buf);
    return result(ctx);
}

static IxObject *buggy_mem_free_malloced(IxContext *ctx, IxObject *module,
                                         IxObject *const *args, size_t nargs)
{
    void *block = malloc(16);
    if (block == NULL)
        return IxErr_NoMemory(ctx);
    memset(block, 0x5A, 16);
    IxMem_Free(ctx, block);  /* the bug: the C library's block, not the interpreter's */
    free(block);             /* reached only where the host refused it (debug mode) */
    return result(ctx);
}

static IxObject *buggy_mem_free_object(IxContext *ctx, IxObject *module,
                                       IxObject *const *args, size_t nargs)
{
    IxObject *list = IxList_New(ctx);
    if (list == NULL)
        return NULL;
    IxMem_Free(ctx, list);  /* the bug: an object goes with its last reference, not this */
    Ix_Decref(ctx, list);   /* reached only where the host refused it (debug mode) */
    return result(ctx);
}

static IxObject *buggy_repr_block(IxContext *ctx, IxObject *module, IxObject *const *args,
                                  size_t nargs)
{
    void *block = IxMem_Calloc(ctx, 1, 16);
    if (block == NULL)
        return NULL;
    IxObject *r = Ix_Repr(ctx, (IxObject *)block);  /* the bug: a block is no object */
    IxMem_Free(ctx, block);
    Ix_Decref(ctx, r);
    return result(ctx);
}

static IxObject *buggy_stash_context(IxContext *ctx, IxObject *module, IxObject *const *args,
                                     size_t nargs)
{
    stashed = ctx;  /* the bug: a context is valid only during this call (ABI.md 2.2) */
    return Ix_ReturnNone(ctx);
}

static IxObject *buggy_use_stashed_context(IxContext *ctx, IxObject *module,
                                           IxObject *const *args, size_t nargs)
{
    if (stashed == NULL)
        return IxErr_Format(ctx, Ix_Builtin(ctx, IX_EXC_VALUEERROR), "nothing stashed");
    IxObject *list = IxList_New(stashed);  /* the bug */
    int made = list != NULL;
    if (made)
        Ix_Decref(stashed, list);  /* the same bug again, only when the first "worked" */
    stashed = NULL;
    return IxBool_FromInt(ctx, made);
}

static const IxMethodDef buggy_methods[] = {
    {"decref_twice", buggy_decref_twice, 0, 0, 0, "decref_twice(): drop a list twice"},
    {"mem_double_free", buggy_mem_double_free, 0, 0, 0,
     "mem_double_free(): IxMem_Free a 16-byte block twice"},
    {"write_past_end", buggy_write_past_end, 0, 0, 0,
     "write_past_end(): write one byte past a 16-byte block"},
    {"keep_global", buggy_keep_global, 1, 1, 0, "keep_global(x): keep x in a C global"},
    {"use_global", buggy_use_global, 0, 0, 0, "use_global() -> repr of the kept object"},
    {"return_global", buggy_return_global, 0, 0, 0, "return_global() -> the kept object"},
    {"drop_global", buggy_drop_global, 0, 0, 0, "drop_global(): release the kept object"},
    {"keep_borrowed", buggy_keep_borrowed, 1, 1, 0,
     "keep_borrowed(x): keep x in a C global without a reference"},
    {"take_global", buggy_take_global, 0, 0, 0,
     "take_global() -> the kept object, with the global's reference"},
    {"return_freed", buggy_return_freed, 0, 0, 0, "return_freed() -> a list it already dropped"},
    {"return_borrowed", buggy_return_borrowed, 1, 1, 0,
     "return_borrowed(x) -> x, without a new reference"},
    {"decref_borrowed", buggy_decref_borrowed, 1, 1, 0,
     "decref_borrowed(x): drop a reference to x it does not own"},
    {"decref_stack", buggy_decref_stack, 0, 0, 0, "decref_stack(): Ix_Decref a stack buffer"},
    {"mem_free_malloced", buggy_mem_free_malloced, 0, 0, 0,
     "mem_free_malloced(): IxMem_Free a block from malloc"},
    {"mem_free_object", buggy_mem_free_object, 0, 0, 0, "mem_free_object(): IxMem_Free a list"},
    {"repr_block", buggy_repr_block, 0, 0, 0, "repr_block(): Ix_Repr of an IxMem block"},
    {"stash_context", buggy_stash_context, 0, 0, 0, "stash_context(): keep ctx in a global"},
    {"use_stashed_context", buggy_use_stashed_context, 0, 0, 0,
     "use_stashed_context() -> bool: IxList_New on the stashed context worked"},
    IX_METHODS_END
};

static const IxModuleDef buggy_def = {
    IX_MODULEDEF_HEAD,
    .name = "buggy",
    .doc = "One deliberate bug per function, for debug mode, ASan and Valgrind to catch.",
    .methods = buggy_methods,
};

IX_MODINIT(buggy)
{
    return &buggy_def;
}
