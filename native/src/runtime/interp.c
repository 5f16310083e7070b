/*
 * interp.c -- an interpreter's life: creating its builtins, finding its modules, and
 * closing it so that every byte it caused is freed and anything left over is reported.
 */
#include <stdio.h>
#include <string.h>

#include "ix_internal.h"

static _Atomic int64_t next_id = 1;
static _Atomic int64_t live_interps = 0;

/* Every builtin type but the exceptions (ix_exception_typedefs has those). */
static const IxBuiltinTypeDef *const builtin_types[] = {
    &ix_type_typedef, &ix_str_typedef, &ix_dict_typedef, &ix_method_descr_typedef,
    &ix_member_descr_typedef, &ix_getset_descr_typedef, &ix_none_typedef, &ix_notimpl_typedef,
    &ix_int_typedef, &ix_bool_typedef, &ix_float_typedef, &ix_bytes_typedef, &ix_tuple_typedef,
    &ix_list_typedef, &ix_module_typedef, &ix_function_typedef, &ix_method_typedef,
    &ix_queue_typedef, &ix_buffer_typedef, &ix_capsule_typedef, &ix_iterator_typedef,
    &ix_weakref_typedef, /* ABI 1.2 */
    &ix_memoryview_typedef, /* ABI 1.2 */
};

/* ABI 1.3 (ABI.md 8.10): the types start-up makes, in dependency order (the type of types
 * first; str and dict before a type gets a dict; getset descriptors before Exception gets
 * its getsets). The rest are made on first use (ix_builtin_make): the types of None, True
 * and False, the empty str and tuple, and the preallocated MemoryError are needed from the
 * start. */
static const uint32_t startup_types[] = {
    IX_TYPE_TYPE, IX_TYPE_STR, IX_TYPE_DICT, IXI_TYPE_GETSET_DESCR, IX_TYPE_NONE, IX_TYPE_INT,
    IX_TYPE_BOOL, IX_TYPE_TUPLE, IX_EXC_EXCEPTION, IX_EXC_MEMORYERROR,
};

static const IxBuiltinTypeDef *typedef_of(uint32_t id)
{
    for (size_t i = 0; i < sizeof builtin_types / sizeof *builtin_types; i++)
        if (builtin_types[i]->id == id) return builtin_types[i];
    for (const IxBuiltinTypeDef *e = ix_exception_typedefs; e->name; e++)
        if (e->id == id) return e;
    return NULL;
}

static IxObject *singleton(IxContext *ctx, uint32_t type_id, size_t size)
{
    return ix_builtin_alloc(ctx, type_id, size);
}

/* Makes builtin `id`: a type, or NotImplemented (start-up leaves it for later too: only
 * number code and comparisons ever see it). */
static IxObject *make(IxContext *ctx, uint32_t id)
{
    IxInterp *in = IX_INTERP(ctx);
    if (id == IX_NOTIMPLEMENTED)
        return in->builtins[id] = singleton(ctx, IXI_TYPE_NOTIMPLEMENTED, sizeof(IxObject));
    const IxBuiltinTypeDef *def = typedef_of(id);
    if (!def) { /* IX_NONE and the like are made at start-up: a bug of the core */
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "no builtin type %u", id);
        return NULL;
    }
    if (def->base_id != UINT32_MAX && !ix_builtin_type(ctx, def->base_id)) return NULL;
    IxTypeObject *t = ix_type_new_builtin(ctx, def);
    if (!t) {
        in->builtins[id] = NULL; /* what it made is the interpreter's, freed at close */
        return NULL;
    }
    return &t->ob_base;
}

/* What it makes belongs to the interpreter (IX_OWNER_BUILTIN, never a leak nor live bytes)
 * and draws on the heap's reserve (no injected failure, no limit: 8.11), whichever code
 * runs now; the outermost call takes what it all took off the reserve. Under the
 * interpreter lock, as every use of a builtin is. */
IxObject *ix_builtin_make(IxContext *ctx, uint32_t id)
{
    IxInterp *in = IX_INTERP(ctx);
    if (in->builtins[id]) return in->builtins[id];
    IxCtx *c = IX_CTX(ctx);
    uint32_t owner = c->owner;
    bool outermost = !in->heap.deferred;
    int64_t before = in->heap.live_bytes;
    c->owner = IX_OWNER_BUILTIN;
    in->heap.deferred = true;
    IxObject *o = make(ctx, id);
    in->heap.deferred = !outermost;
    c->owner = owner;
    if (outermost) {
        in->heap.reserve -= in->heap.live_bytes - before;
        if (in->heap.reserve < 0) in->heap.reserve = 0;
    }
    return o;
}

static IxObject *bool_object(IxContext *ctx, int64_t v)
{
    IxIntObject *o = (IxIntObject *)singleton(ctx, IX_TYPE_BOOL, sizeof(IxIntObject));
    if (o) o->value = v;
    return &o->ob_base;
}

static int bootstrap(IxContext *ctx)
{
    IxInterp *in = IX_INTERP(ctx);
    for (size_t i = 0; i < sizeof startup_types / sizeof *startup_types; i++)
        if (!ix_type_new_builtin(ctx, typedef_of(startup_types[i]))) return -1;
    if (!(in->builtins[IX_NONE] = singleton(ctx, IX_TYPE_NONE, sizeof(IxObject))) ||
        !(in->builtins[IX_TRUE] = bool_object(ctx, 1)) || !(in->builtins[IX_FALSE] = bool_object(ctx, 0)) ||
        !(in->empty_str = ix_str_from_utf8(ctx, "", 0)) || !(in->empty_tuple = ix_tuple_new_uninit(ctx, 0)))
        return -1;
    ix_err_set(ctx, IX_EXC_MEMORYERROR, "out of memory");
    in->memory_error = ix_err_fetch(ctx);
    return in->memory_error ? 0 : -1;
}

static void discard(IxInterp *in);
static IxInterp *create(const IxInterpConfig *config, int64_t id);

/* What making every builtin type start-up leaves for later takes (ABI.md 8.11): measured
 * once per mode on a probe interpreter without a limit (the same allocations every time,
 * larger in debug mode); 0 when the process is out of memory. */
static int64_t lazy_types_bytes(bool debug)
{
    static _Atomic int64_t found[2];
    int64_t bytes = atomic_load(&found[debug]);
    if (bytes) return bytes;
    IxInterpConfig config = {.debug = debug};
    IxInterp *in = create(&config, 0);
    if (!in) return 0;
    IxCtx c;
    ix_ctx_init(&c, in);
    int64_t before = in->heap.live_bytes;
    bool ok = true;
    for (size_t i = 0; ok && i < sizeof builtin_types / sizeof *builtin_types; i++)
        ok = ix_builtin_make(&c.pub, builtin_types[i]->id) != NULL;
    for (const IxBuiltinTypeDef *e = ix_exception_typedefs; ok && e->name; e++)
        ok = ix_builtin_make(&c.pub, e->id) != NULL;
    ok = ok && ix_builtin_make(&c.pub, IX_NOTIMPLEMENTED) != NULL;
    bytes = in->heap.live_bytes - before;
    ix_ctx_fini(&c);
    discard(in);
    if (!ok) return 0;
    atomic_store(&found[debug], bytes);
    return bytes;
}

/* An interpreter with its builtins, numbered `id` (0 for a probe of start-up's footprint)
 * but not yet counted; NULL when start-up runs out of memory (the process's, or the
 * configured limit). The id is set first: a debug heap records it for its reports. */
static IxInterp *create(const IxInterpConfig *config, int64_t id)
{
    IxInterp *in = ix_host_alloc(sizeof *in);
    if (!in) return NULL;
    in->id = id;
    ix_heap_init(&in->heap, config ? config->memory_limit : 0);
    if (in->heap.limit > 0 && !(in->heap.reserve = lazy_types_bytes(config->debug != 0))) {
        ix_host_free(in);
        return NULL;
    }
    in->gc_threshold = IX_GC_MIN_THRESHOLD;
    pthread_mutex_init(&in->lock, NULL);
    in->legacy_copies = config && config->legacy_private_copies;
    in->debug = config && config->debug;
    if ((in->debug && (!ix_heap_debug_start(&in->heap, in->id) || !(in->debug_pending = ix_host_alloc(IX_DEBUG_PENDING)))) ||
        (config && config->module_path && !(in->module_path = ix_host_strdup(config->module_path)))) {
        ix_heap_free_all(&in->heap);
        ix_host_free(in->debug_pending);
        ix_host_free(in);
        return NULL;
    }
    IxCtx c;
    ix_ctx_init(&c, in);
    c.owner = IX_OWNER_BUILTIN;
    int rc = bootstrap(&c.pub);
    ix_ctx_fini(&c);
    if (rc < 0) {
        discard(in);
        return NULL;
    }
    return in;
}

/* Frees an interpreter create() made that never ran anything. */
static void discard(IxInterp *in)
{
    ix_heap_free_all(&in->heap);
    pthread_mutex_destroy(&in->lock);
    ix_host_free(in->module_path);
    ix_host_free(in->debug_pending);
    ix_host_free(in);
}

IX_API IxInterp *ixh_interp_new(const IxInterpConfig *config)
{
    IxInterp *in = create(config, atomic_fetch_add(&next_id, 1));
    if (!in) return NULL;
    atomic_fetch_add(&live_interps, 1);
    return in;
}

/* Does start-up succeed within `limit` bytes? */
static bool starts_within(int64_t limit, int debug)
{
    IxInterpConfig config = {.memory_limit = limit, .debug = debug};
    IxInterp *in = create(&config, 0);
    if (in) discard(in);
    return in != NULL;
}

/* Start-up makes the same allocations every time, so whether it succeeds within a limit is
 * monotonic in the limit: the smallest one is found by bisection, once per mode. 0 when
 * the process itself is out of memory. */
IX_API int64_t ixh_interp_min_memory_limit(int debug)
{
    static _Atomic int64_t found[2];
    int mode = debug != 0;
    int64_t min = atomic_load(&found[mode]);
    if (min) return min;
    int64_t lo = 0, hi = 64 * 1024; /* lo fails (0 would mean "no limit": never tried) */
    while (!starts_within(hi, mode)) {
        if (hi > INT64_MAX / 4) return 0;
        lo = hi;
        hi *= 2;
    }
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (starts_within(mid, mode)) hi = mid;
        else lo = mid;
    }
    atomic_store(&found[mode], hi);
    return hi;
}

IxObject *ix_interp_find_module(IxInterp *in, const char *name)
{
    for (size_t i = 0; i < in->nmodules; i++)
        if (in->modules[i].module && strcmp(in->modules[i].name, name) == 0) return in->modules[i].module;
    return NULL;
}

/* ---------------------------------------------------------------- accessors */

/* A thread that has entered the interpreter already holds the lock: it reads directly. */
static int64_t locked_diff(IxInterp *in, const int64_t *a, const int64_t *b)
{
    if (ix_interp_held_by_me(in)) return *a - (b ? *b : 0);
    ix_interp_lock(in);
    int64_t v = *a - (b ? *b : 0);
    ix_interp_unlock(in);
    return v;
}

IX_API int64_t ixh_interp_id(IxInterp *in) { return in->id; }
IX_API int64_t ixh_interp_live_bytes(IxInterp *in) { return locked_diff(in, &in->heap.live_bytes, &in->heap.core_bytes); }
IX_API int64_t ixh_interp_live_blocks(IxInterp *in) { return locked_diff(in, &in->heap.live_blocks, &in->heap.core_blocks); }
IX_API int64_t ixh_interp_footprint(IxInterp *in) { return locked_diff(in, &in->heap.live_bytes, NULL); }
IX_API int64_t ixh_interp_handle_count(IxInterp *in) { return locked_diff(in, &in->handles_live, NULL); }
IX_API int64_t ixh_interp_allocations(IxInterp *in)
{
    return locked_diff(in, &in->heap.allocations, NULL);
}

IX_API void ixh_interp_fail_allocation(IxInterp *in, int64_t n)
{
    bool mine = ix_interp_held_by_me(in);
    if (!mine) ix_interp_lock(in);
    in->heap.fail_at = n > 0 ? in->heap.allocations + n : 0;
    if (!mine) ix_interp_unlock(in);
}

IX_API int64_t ixh_interp_collect(IxInterp *in)
{
    if (ix_interp_held_by_me(in)) return -1;
    ix_interp_lock(in);
    IxCtx local, *c = ix_ctx_open(in, &local);
    int64_t n = ix_gc_collect(&c->pub);
    ix_ctx_close(c, &local);
    ix_interp_unlock(in);
    return n;
}

IX_API int64_t ixh_live_interpreters(void) { return atomic_load(&live_interps); }
IX_API int64_t ixh_live_bytes(void) { return ix_global_live_bytes(); }
IX_API int64_t ixh_loaded_libraries(void) { return ix_loader_count(); }

/* ---------------------------------------------------------------- the leak report */

#define REPORT_ROWS 32

typedef struct Tally {
    const char *name[REPORT_ROWS];
    int64_t count[REPORT_ROWS];
    int n;
} Tally;

static void tally(Tally *t, const char *name, int64_t amount)
{
    int i = 0;
    while (i < t->n && strcmp(t->name[i], name) != 0) i++;
    if (i == t->n) {
        if (t->n == REPORT_ROWS) {
            i = REPORT_ROWS - 1, name = "(other)";
        } else {
            t->n++;
            t->count[i] = 0;
        }
        t->name[i] = name;
    }
    t->count[i] += amount;
}

static void write_tally(IxWire *w, const char *key, const Tally *t)
{
    ixw_cstr(w, key);
    ixw_count(w, IXW_DICT, (uint32_t)t->n);
    for (int i = 0; i < t->n; i++) {
        ixw_cstr(w, t->name[i]);
        ixw_int(w, t->count[i]);
    }
}

static const char *owner_name(IxInterp *in, uint32_t owner)
{
    if (owner == 0) return "(host)";
    return owner - 1 < in->nmodules ? in->modules[owner - 1].name : "(a module that failed to import)";
}

typedef struct Leak {
    int64_t bytes, blocks, raw_blocks;
    Tally objects, modules, sites;
    char site_names[REPORT_ROWS][160]; /* storage for the names `sites` points at */
} Leak;

/* Debug mode: tally by allocation site, whose name is made here and must be kept. */
static void tally_site(Leak *lk, uintptr_t site, int64_t amount)
{
    char name[160];
    ix_debug_site_name(site, name, sizeof name);
    for (int i = 0; i < lk->sites.n; i++) {
        if (strcmp(lk->sites.name[i], name) == 0) {
            lk->sites.count[i] += amount;
            return;
        }
    }
    int row = lk->sites.n < REPORT_ROWS ? lk->sites.n : REPORT_ROWS - 1;
    snprintf(lk->site_names[row], sizeof lk->site_names[row], "%s", row < REPORT_ROWS - 1 ? name : "(other)");
    tally(&lk->sites, lk->site_names[row], amount);
}

/* Everything on the heap not made by the interpreter for itself is a leak. */
static void find_leaks(IxInterp *in, Leak *lk)
{
    lk->bytes = lk->blocks = lk->raw_blocks = 0;
    lk->objects.n = lk->modules.n = lk->sites.n = 0;
    for (IxBlock *b = in->heap.ring.next; b != &in->heap.ring; b = b->next) {
        if (b->owner == IX_OWNER_BUILTIN) continue;
        int64_t size = (int64_t)(sizeof *b + b->size);
        lk->bytes += size;
        lk->blocks++;
        tally(&lk->modules, owner_name(in, b->owner), size);
        if (b->kind == IX_BLOCK_RAW) lk->raw_blocks++;
        else tally(&lk->objects, IX_TYPE(b + 1)->name, 1);
        if (in->heap.debug) tally_site(lk, ix_heap_site(b + 1), size);
    }
    /* ABI 1.2: a view never released holds its exporter (counted above); named too */
    if (in->views_live > 0) tally(&lk->objects, "(buffer view not released)", in->views_live);
}

static void write_report(IxInterp *in, const Leak *lk, uint8_t *buf, size_t cap, size_t *len)
{
    IxWire w;
    ixw_init(&w, buf, cap);
    ixw_count(&w, IXW_DICT, in->heap.debug ? 7 : 6);
    ixw_cstr(&w, "interpreter"); ixw_int(&w, in->id);
    ixw_cstr(&w, "bytes"); ixw_int(&w, lk->bytes);
    ixw_cstr(&w, "blocks"); ixw_int(&w, lk->blocks);
    ixw_cstr(&w, "raw_blocks"); ixw_int(&w, lk->raw_blocks);
    write_tally(&w, "objects", &lk->objects);
    write_tally(&w, "modules", &lk->modules);
    if (in->heap.debug) write_tally(&w, "sites", &lk->sites);
    if (w.overflow) { /* too many rows for the buffer: the totals alone */
        ixw_init(&w, buf, cap);
        ixw_count(&w, IXW_DICT, 3);
        ixw_cstr(&w, "interpreter"); ixw_int(&w, in->id);
        ixw_cstr(&w, "bytes"); ixw_int(&w, lk->bytes);
        ixw_cstr(&w, "blocks"); ixw_int(&w, lk->blocks);
    }
    if (len) *len = w.overflow ? 0 : w.len;
}

/* Leaked module objects and heap types still hold their library (ABI.md 5.2), and leaked
 * legacy types are still pointed at by the library's static storage: undo these before
 * the memory goes. */
static void release_leaked_links(IxContext *ctx, IxInterp *in)
{
    for (IxBlock *b = in->heap.ring.next; b != &in->heap.ring; b = b->next) {
        if (b->kind != IX_BLOCK_OBJECT) continue;
        IxObject *o = (IxObject *)(b + 1);
        if (IX_IS(ctx, o, IX_TYPE_MODULE) && ((IxModuleObject *)o)->lib) {
            ix_library_decref(((IxModuleObject *)o)->lib);
            ((IxModuleObject *)o)->lib = NULL;
        } else if (IX_IS(ctx, o, IX_TYPE_TYPE)) {
            IxTypeObject *t = (IxTypeObject *)o;
            if (t->static_home && t->static_home->type == o) t->static_home->type = NULL;
            if (t->lib) ix_library_decref(t->lib);
            t->lib = NULL;
        } else if (IX_IS(ctx, o, IX_TYPE_BUFFER)) {
            /* a leaked buffer object (an unreleased view holds one) still holds its shared
             * bytes, which belong to no interpreter: let go of them (ABI.md 3.56) */
            ix_shared_decref(ix_shared_of(o));
        }
    }
}

/* Close keeps its modules' libraries mapped until the leak report is written: the report
 * names allocation sites inside them (debug mode). Returns a host-allocated array. */
static IxLibrary **hold_libraries(IxInterp *in, size_t *n)
{
    IxLibrary **libs = ix_host_alloc((in->nmodules ? in->nmodules : 1) * sizeof *libs);
    *n = 0;
    for (size_t i = 0; libs && i < in->nmodules; i++) {
        IxObject *m = in->modules[i].module;
        IxLibrary *lib = m && IX_TYPE(m)->builtin_id == IX_TYPE_MODULE ? ((IxModuleObject *)m)->lib : NULL;
        if (lib) {
            ix_library_incref(lib);
            libs[(*n)++] = lib;
        }
    }
    return libs;
}

static void release_libraries(IxLibrary **libs, size_t n)
{
    for (size_t i = 0; i < n; i++) ix_library_decref(libs[i]);
    ix_host_free(libs);
}

static void drop_modules(IxContext *ctx, IxInterp *in)
{
    for (size_t i = in->nmodules; i-- > 0;)
        if (in->modules[i].module) ix_module_finalize(ctx, in->modules[i].module);
    for (size_t i = in->nmodules; i-- > 0;) IX_CLEAR_REF(ctx, in->modules[i].module);
}

IX_API int ixh_interp_close(IxInterp *in, uint8_t *buf, size_t cap, size_t *len)
{
    if (ix_interp_held_by_me(in)) return -1; /* closing from inside: refused (ABI.md 9.2) */
    ix_interp_lock(in);
    in->closing = true;
    size_t nlibs;
    IxLibrary **libs = hold_libraries(in, &nlibs);
    IxCtx local, *c = ix_ctx_open(in, &local);
    ix_handles_drop_all(&c->pub);
    drop_modules(&c->pub, in);
    ix_gc_collect(&c->pub); /* cycles left among objects are not leaks: collect them first */
    ix_ctx_close(c, &local);

    Leak lk;
    find_leaks(in, &lk);
    if (buf) write_report(in, &lk, buf, cap, len);
    else if (len) *len = 0;
    IxCtx last;
    ix_ctx_init(&last, in); /* only for IX_IS below: no extension code runs any more */
    release_leaked_links(&last.pub, in);
    ix_heap_free_all(&in->heap); /* builtins, caches, leftovers: no destructor runs */
    ix_finalized_free(in); /* ABI 1.2: resurrected objects among the leftovers (5.52) */
    ix_unraisable_free(in); /* ABI 1.2: the record of errors nobody could raise (6.8) */
    release_libraries(libs, nlibs);

    ix_interp_unlock(in);
    pthread_mutex_destroy(&in->lock);
    ix_host_free(in->module_path);
    ix_host_free(in->debug_pending);
    ix_host_free(in);
    atomic_fetch_sub(&live_interps, 1);
    return lk.blocks ? 1 : 0;
}
