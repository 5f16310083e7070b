/*
 * scenarios_footprint.c -- `footprint` (ABI 1.3, ABI.md 8.10-8.11): an interpreter makes
 * only a few builtin types at start-up and the rest on first use. What that must leave as
 * it was: every type is there when asked, live bytes stay those of the code (0 for a fresh
 * interpreter), the memory limit counts every builtin whether made yet or not, and an
 * injected allocation failure never lands on a type made late. Two interpreters at once,
 * on two threads, one of them in debug mode.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "driver.h"

/* Every builtin type Ix_Builtin names (the ids after the four objects). */
#define FIRST_TYPE IX_TYPE_TYPE
#define END_TYPES IX_BUILTIN_COUNT_V1_3 /* ABI 1.3: TimeoutError, InterruptedError (interrupt) */

/* Each type is there when asked, the same object the second time, and a type; so is
 * NotImplemented, the one builtin object made late. */
static void every_type(IxContext *ctx)
{
    IxObject *type_type = Ix_Builtin(ctx, IX_TYPE_TYPE), *ni = Ix_Builtin(ctx, IX_NOTIMPLEMENTED);
    CHECK(ni != NULL && Ix_Builtin(ctx, IX_NOTIMPLEMENTED) == ni);
    for (int id = FIRST_TYPE; id < END_TYPES; id++) {
        IxObject *t = Ix_Builtin(ctx, (IxBuiltin)id);
        CHECK(t != NULL);
        CHECK(Ix_Builtin(ctx, (IxBuiltin)id) == t);
        CHECK(Ix_Type(ctx, t) == type_type);
    }
}

/* Each exception type made late raises as itself (not as a MemoryError of its making). */
static void every_exception(IxContext *ctx)
{
    for (int id = IX_EXC_EXCEPTION; id < END_TYPES; id++) {
        IxObject *t = Ix_Builtin(ctx, (IxBuiltin)id);
        if (id > IX_EXC_SYSTEMERROR && id < IX_EXC_QUEUEEMPTY) continue; /* queue, buffer */
        IxErr_SetString(ctx, t, "raised");
        CHECK(IxErr_Occurred(ctx) == t);
        IxErr_Clear(ctx);
    }
}

/* 8.10: a fresh interpreter has 0 live bytes, and making every builtin keeps it 0 (they are
 * the interpreter's own); its footprint grows by them. */
static void made_late(int debug)
{
    IxInterp *in = OPEN_MODE(debug);
    int64_t fresh = ixh_interp_footprint(in);
    IxContext *ctx;
    CHECK_EQ_INT(ixh_interp_live_bytes(in), 0);
    CHECK_EQ_INT(ixh_interp_live_blocks(in), 0);
    ctx = ENTER(in);
    every_type(ctx);
    every_exception(ctx);
    ixh_leave(ctx);
    CHECK_EQ_INT(ixh_interp_live_bytes(in), 0);
    CHECK(ixh_interp_footprint(in) > fresh);
    CHECK_CLOSE(in);
}

/* 8.11: the limit counts the builtins not made yet. With the interpreter's memory used up
 * to its limit, every builtin type is still made (from what start-up reserved for it), and
 * the footprint stays within the limit. */
static void within_limit(int debug)
{
    enum { MAX_BLOCKS = 4096 };
    static _Thread_local void *blocks[MAX_BLOCKS];
    int64_t limit = ixh_interp_min_memory_limit(debug) + 8192;
    IxInterpConfig config = { ixd_opt.module_path, limit, 0, debug };
    IxInterp *in = ixh_interp_new(&config);
    IxContext *ctx;
    int n = 0;
    CHECK(in != NULL);
    ctx = ENTER(in);
    while (n < MAX_BLOCKS && (blocks[n] = IxMem_Malloc(ctx, 48)) != NULL) n++;
    CHECK(n > 0 && n < MAX_BLOCKS);
    CHECK_ERROR(ctx, (IxObject *)NULL, "MemoryError: out of memory");
    every_type(ctx);
    CHECK(ixh_interp_footprint(in) <= limit);
    CHECK(IxMem_Malloc(ctx, 48) == NULL); /* still full */
    IxErr_Clear(ctx);
    while (n > 0) IxMem_Free(ctx, blocks[--n]);
    every_exception(ctx);
    ixh_leave(ctx);
    CHECK_CLOSE(in);
}

/* 8.11: a type made late is no allocation of the sweep (ixh_interp_fail_allocation): the
 * first one after it is the object's own. */
static void not_injected(int debug)
{
    IxInterp *in = OPEN_MODE(debug);
    IxContext *ctx = ENTER(in);
    int64_t before = ixh_interp_allocations(in);
    IxObject *list;
    ixh_interp_fail_allocation(in, 1);
    CHECK_ERROR(ctx, IxList_New(ctx), "MemoryError: out of memory");
    CHECK_EQ_INT(ixh_interp_allocations(in), before + 1); /* the list's, not its type's */
    list = CHECK_OK(ctx, IxList_New(ctx));
    Ix_Decref(ctx, list);
    ixh_leave(ctx);
    CHECK_CLOSE(in);
}

static void *one_interpreter(void *arg)
{
    int debug = *(const int *)arg;
    made_late(debug);
    within_limit(debug);
    not_injected(debug);
    return NULL;
}

void ixd_footprint(int argc, char **argv)
{
    static const int modes[2] = { 0, 1 };
    pthread_t t[2];
    IXD_NO_ARGS;
    for (int i = 0; i < 2; i++) CHECK(pthread_create(&t[i], NULL, one_interpreter, (void *)&modes[i]) == 0);
    for (int i = 0; i < 2; i++) CHECK(pthread_join(t[i], NULL) == 0);
    CHECK_CLEAN();
}
