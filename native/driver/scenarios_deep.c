/*
 * scenarios_deep.c -- `ixdriver deep [N]`: object graphs N levels deep (default 10^6),
 * made by test-ext/deep, on a thread with a small stack (ABI.md 3.8, 3.9).
 *
 * For each kind (nested lists, tuples, dicts, and deep.Node chains, an extension type
 * whose dealloc drops `next` through Ix_Decref), in release and in debug mode, the whole
 * graph is freed in each way there is: the embedder drops the head, the extension drops
 * it inside a call, the cycle collector breaks an N + 1 long cycle, and close clears the
 * module holding it. Then repr, hash and comparison of such graphs must raise, not crash,
 * and the interpreter must still work.
 *
 * Everything runs on a thread with a 512 KiB stack: less than a JVM thread's 1 MiB, and
 * little enough that a recursion per level overflows it at a few thousand levels, so the
 * memcheck run (N = 20000) proves as much as the full one.
 */
#define _GNU_SOURCE

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "driver.h"

#define DEEP_STACK_BYTES (512 * 1024)
#define DEFAULT_LEVELS 1000000

static const char *const kinds[] = {"list", "tuple", "dict", "node"};

/* deep.FN(kind, n): raw, for CHECK_OK / CHECK_ERROR to judge. */
static IxObject *deep_call(IxContext *ctx, IxObject *deep, const char *fn, const char *kind,
                           int64_t n)
{
    IxObject *args[2] = {CHECK_OK(ctx, IxStr_FromCString(ctx, kind)),
                         CHECK_OK(ctx, IxLong_FromInt64(ctx, n))};
    IxObject *r = ixd_call(ctx, deep, fn, args, 2);
    Ix_Decref(ctx, args[0]);
    Ix_Decref(ctx, args[1]);
    return r;
}

/* Each way a graph of `kind` goes, in one interpreter, which must close clean. */
static void free_each_way(int debug, const char *kind, int64_t n)
{
    char detail[64];
    snprintf(detail, sizeof detail, "%s mode, %s", debug ? "debug" : "release", kind);
    ixd_scenario_detail(detail);
    IxInterp *in = OPEN_MODE(debug);
    IxContext *ctx = ENTER(in);
    IxObject *deep = IMPORT(ctx, "deep");

    Ix_Decref(ctx, CHECK_OK(ctx, deep_call(ctx, deep, "nest", kind, n))); /* by the embedder */
    Ix_Decref(ctx, CHECK_OK(ctx, deep_call(ctx, deep, "drop", kind, n))); /* inside a call */
    Ix_Decref(ctx, CHECK_OK(ctx, deep_call(ctx, deep, "cycle", kind, n)));
    ixh_leave(ctx);
    CHECK_EQ_INT(ixh_interp_collect(in), n + 1); /* the cycle: n levels and the bottom list */

    ctx = ENTER(in);
    IxObject *held = CHECK_OK(ctx, deep_call(ctx, deep, "nest", kind, n));
    CHECK_EQ_INT(Ix_SetAttr(ctx, deep, "held", held), 0); /* freed by close */
    Ix_Decref(ctx, held);
    Ix_Decref(ctx, deep);
    ixh_leave(ctx);
    CHECK_CLOSE(in);
}

/* Repr, hash and comparison of graphs n deep raise (ABI.md 3.9); small ones still work. */
static void recursion_raises(int debug, int64_t n)
{
    char text[64];
    ixd_scenario_detail(debug ? "debug mode, recursion" : "release mode, recursion");
    IxInterp *in = OPEN_MODE(debug);
    IxContext *ctx = ENTER(in);
    IxObject *deep = IMPORT(ctx, "deep");
    IxObject *a = CHECK_OK(ctx, deep_call(ctx, deep, "nest", "tuple", n));
    IxObject *b = CHECK_OK(ctx, deep_call(ctx, deep, "nest", "tuple", n));
    IxObject *lists = CHECK_OK(ctx, deep_call(ctx, deep, "nest", "list", n));
    IxObject *nodes = CHECK_OK(ctx, deep_call(ctx, deep, "nest", "node", n));

    CHECK_ERROR_RC(ctx, Ix_RichCompareBool(ctx, a, b, IX_EQ),
                   "RuntimeError: maximum recursion depth exceeded in comparison");
    CHECK_ERROR_RC(ctx, (int)Ix_Hash(ctx, a),
                   "RuntimeError: maximum recursion depth exceeded while hashing an object");
    CHECK_ERROR(ctx, Ix_Repr(ctx, lists), "RuntimeError: repr nested deeper than 256 levels");
    CHECK_ERROR(ctx, Ix_Repr(ctx, nodes),
                "RuntimeError: maximum recursion depth exceeded while getting the repr of an object");

    IxObject *small = CHECK_OK(ctx, deep_call(ctx, deep, "nest", "node", 2));
    CHECK_EQ_STR(WANT_REPR(ctx, Ix_NewRef(ctx, small), text), "Node(Node(None))");
    IxObject *c = CHECK_OK(ctx, deep_call(ctx, deep, "nest", "tuple", 3));
    IxObject *d = CHECK_OK(ctx, deep_call(ctx, deep, "nest", "tuple", 3));
    CHECK_EQ_INT(Ix_RichCompareBool(ctx, c, d, IX_EQ), 1);
    CHECK_EQ_INT(Ix_Hash(ctx, c), Ix_Hash(ctx, d));
    IxObject *all[] = {a, b, lists, nodes, small, c, d, deep};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) Ix_Decref(ctx, all[i]);
    ixh_leave(ctx);
    CHECK_CLOSE(in);
}

static void *deep_body(void *arg)
{
    int64_t n = *(const int64_t *)arg;
    for (int debug = 0; debug <= 1; debug++) {
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) free_each_way(debug, kinds[k], n);
        recursion_raises(debug, n);
    }
    ixd_scenario_detail(NULL);
    return NULL;
}

void ixd_deep(int argc, char **argv)
{
    int64_t n = argc > 0 ? strtoll(argv[0], NULL, 10) : DEFAULT_LEVELS;
    CHECK(n > 0);
    pthread_attr_t attr;
    pthread_t t;
    CHECK_EQ_INT(pthread_attr_init(&attr), 0);
    CHECK_EQ_INT(pthread_attr_setstacksize(&attr, DEEP_STACK_BYTES), 0);
    CHECK_EQ_INT(pthread_create(&t, &attr, deep_body, &n), 0);
    CHECK_EQ_INT(pthread_join(t, NULL), 0);
    pthread_attr_destroy(&attr);
    printf("deep: %lld levels of each kind freed every way, on a %d KiB stack\n", (long long)n,
           DEEP_STACK_BYTES / 1024);
    CHECK_CLEAN();
}
