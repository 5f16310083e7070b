/*
 * scenarios_footprint.c -- `footprint` (ABI 1.3, ABI.md 8.10-8.11): an interpreter makes
 * only a few builtin types at start-up and the rest on first use. What that must leave as
 * it was: every type is there when asked, live bytes stay those of the code (0 for a fresh
 * interpreter), the memory limit counts every builtin whether made yet or not, and an
 * injected allocation failure never lands on a type made late. And (8.13-8.14) a type
 * carries a group of slots only when it or its base has some: a subtype without slots of
 * its own still runs its base's, and a managed dict alone brings the group holding its
 * place. And (8.15) a module's dict trimmed after exec grows again. Two interpreters at once, on two threads, one of them in debug mode.
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

/* ---- 8.14: slot groups, made by the driver itself (types bound to no module) */

static int64_t three(IxContext *ctx, IxObject *self)
{
    (void)ctx;
    (void)self;
    return 3;
}

static const IxTypeSlot sized_slots[] = {{IX_sq_length, (void *)three}, IX_TYPE_SLOTS_END};
static const IxTypeSpec sized_spec = {"footprint.Sized", sizeof(IxObject), IX_TPFLAGS_BASETYPE, sized_slots};
static const IxTypeSpec sized_sub_spec = {"footprint.SizedSub", 0, 0, NULL};
static const IxTypeSpec plain_spec = {"footprint.Plain", sizeof(IxObject), IX_TPFLAGS_BASETYPE, NULL};
static const IxTypeSpec with_dict_spec = {"footprint.WithDict", 0, IX_TPFLAGS_MANAGED_DICT, NULL};

/* An instance of `type` (a new reference), the type dropped. */
static IxObject *instance_of(IxContext *ctx, IxObject *type)
{
    IxObject *o = CHECK_OK(ctx, IxType_GenericAlloc(ctx, type));
    Ix_Decref(ctx, type);
    return o;
}

static void slot_groups(int debug)
{
    IxInterp *in = OPEN_MODE(debug);
    IxContext *ctx = ENTER(in);
    IxObject *sized = CHECK_OK(ctx, IxType_FromSpec(ctx, NULL, &sized_spec));
    IxObject *plain = CHECK_OK(ctx, IxType_FromSpec(ctx, NULL, &plain_spec));
    IxObject *sub = instance_of(ctx, CHECK_OK(ctx, IxType_FromSpecWithBase(ctx, NULL, &sized_sub_spec, sized)));
    IxObject *with_dict = instance_of(ctx, CHECK_OK(ctx, IxType_FromSpecWithBase(ctx, NULL, &with_dict_spec, plain)));
    IxObject *bare = instance_of(ctx, plain);
    IxObject *one = CHECK_OK(ctx, IxLong_FromInt64(ctx, 1));
    CHECK_EQ_INT(Ix_Length(ctx, sub), 3);                  /* the protocol group, inherited */
    CHECK_ERROR_RC(ctx, Ix_Length(ctx, bare), "TypeError: object of type 'footprint.Plain' has no len()");
    CHECK_EQ_INT(Ix_SetAttr(ctx, with_dict, "x", one), 0); /* the extra group, for a flag alone */
    CHECK(WANT_INT(ctx, Ix_GetAttr(ctx, with_dict, "x")) == 1);
    CHECK_ERROR_RC(ctx, Ix_SetAttr(ctx, bare, "x", one), "AttributeError: *");
    Ix_Decref(ctx, one);
    Ix_Decref(ctx, bare);
    Ix_Decref(ctx, with_dict);
    Ix_Decref(ctx, sub);
    Ix_Decref(ctx, sized);
    ixh_leave(ctx);
    CHECK_CLOSE(in);
}

/* ---- 8.15: a module's dict, trimmed once its exec is done, grows again and keeps every
 * name (the order, dir's and attributeNames', is the JUnit tests' to check) */

#define MORE_NAMES 40

static void trimmed_dict(int debug)
{
    IxInterp *in = OPEN_MODE(debug);
    IxContext *ctx = ENTER(in);
    IxObject *m = IMPORT(ctx, "counter");
    IxObject *names = CHECK_OK(ctx, Ix_Dir(ctx, m));
    int64_t n = IxList_Size(ctx, names);
    IxObject *one = CHECK_OK(ctx, IxLong_FromInt64(ctx, 1));
    char name[32];
    CHECK(n > 0);
    for (int i = 0; i < MORE_NAMES; i++) {
        snprintf(name, sizeof name, "added_%d", i);
        CHECK_EQ_INT(Ix_SetAttr(ctx, m, name, one), 0);
    }
    for (int64_t i = 0; i < n; i++) {
        IxObject *v = CHECK_OK(ctx, Ix_GetAttr(ctx, m, IxStr_AsUTF8(ctx, IxList_GetItem(ctx, names, i), NULL)));
        Ix_Decref(ctx, v);
    }
    for (int i = 0; i < MORE_NAMES; i++) {
        snprintf(name, sizeof name, "added_%d", i);
        CHECK(WANT_INT(ctx, Ix_GetAttr(ctx, m, name)) == 1);
    }
    IxObject *after = CHECK_OK(ctx, Ix_Dir(ctx, m));
    CHECK_EQ_INT(IxList_Size(ctx, after), n + MORE_NAMES);
    Ix_Decref(ctx, after);
    Ix_Decref(ctx, one);
    Ix_Decref(ctx, names);
    Ix_Decref(ctx, m);
    ixh_leave(ctx);
    CHECK_CLOSE(in);
}

static void *one_interpreter(void *arg)
{
    int debug = *(const int *)arg;
    made_late(debug);
    within_limit(debug);
    not_injected(debug);
    slot_groups(debug);
    trimmed_dict(debug);
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
