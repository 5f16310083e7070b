/*
 * loader.c -- finding, opening, initialising and unloading extension libraries
 * (ABI.md 4.1, 4.2, 4.9, 7).
 *
 * A library is opened once per process (RTLD_NOW | RTLD_LOCAL: its symbols stay private,
 * so two extensions may use the same names) and reference counted by the module instances
 * made from it; the last release closes it. The table of libraries is the only state the
 * loader shares between interpreters, and `libs_lock` guards it. Lock order: an
 * interpreter's lock, then libs_lock, never the other way round.
 */
#define _GNU_SOURCE /* memfd_create */
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ix_internal.h"

typedef const IxModuleDef *(*IxInitProc)(void);
typedef IxObject *(*IxLegacyInitProc)(IxContext *ctx);

struct IxLibrary {
    IxLibrary *next;
    char *path;              /* canonical path, for messages */
    dev_t dev;               /* the file's identity: the key (how the dynamic loader */
    ino_t ino;               /* tells libraries apart too); 0, 0 for a private copy */
    void *handle;            /* from dlopen */
    int64_t refs;            /* module instances, plus imports in progress */
    IxInitProc init;         /* multiphase, or NULL */
    IxLegacyInitProc legacy; /* single-phase, or NULL */
    int64_t exclusive_owner; /* interpreter id holding a one-interpreter module, 0 = none */
    char *static_types;      /* legacy: "a.T, a.U" once known */
    int copy_fd;             /* a private copy (memfd) of a legacy library, or -1 */
    pthread_mutex_t code_lock; /* recursive: serializes a shared-lock module's code (9.3) */
};

static pthread_mutex_t libs_lock = PTHREAD_MUTEX_INITIALIZER;
static IxLibrary *libs;
static int64_t libs_count;

int64_t ix_loader_count(void)
{
    pthread_mutex_lock(&libs_lock);
    int64_t n = libs_count;
    pthread_mutex_unlock(&libs_lock);
    return n;
}

void ix_library_incref(IxLibrary *lib)
{
    pthread_mutex_lock(&libs_lock);
    lib->refs++;
    pthread_mutex_unlock(&libs_lock);
}

static void library_free(IxLibrary *lib)
{
    for (IxLibrary **p = &libs; *p; p = &(*p)->next) {
        if (*p == lib) {
            *p = lib->next;
            break;
        }
    }
    libs_count--;
    dlclose(lib->handle);
    if (lib->copy_fd >= 0) close(lib->copy_fd);
    pthread_mutex_destroy(&lib->code_lock);
    ix_host_free(lib->path);
    ix_host_free(lib->static_types);
    ix_host_free(lib);
}

void ix_library_code_lock(IxLibrary *lib)
{
    pthread_mutex_lock(&lib->code_lock);
}

void ix_library_code_unlock(IxLibrary *lib)
{
    pthread_mutex_unlock(&lib->code_lock);
}

void ix_library_decref(IxLibrary *lib)
{
    pthread_mutex_lock(&libs_lock);
    if (--lib->refs == 0) library_free(lib);
    pthread_mutex_unlock(&libs_lock);
}

/* ---------------------------------------------------------------- finding */

static bool valid_name(const char *name)
{
    if (!name[0] || (name[0] >= '0' && name[0] <= '9')) return false;
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return strlen(name) <= 200;
}

static bool is_file(const char *path, struct stat *st)
{
    return stat(path, st) == 0 && S_ISREG(st->st_mode);
}

/* Search the module path: the first NAME.so in `out`, its stat in `st`, or ImportError.
 * The path is as found (realpath costs a readlink per component: done only for a library
 * not loaded yet, see library_open). */
static int find_module(IxContext *ctx, const char *name, char *out, struct stat *st)
{
    const char *p = IX_INTERP(ctx)->module_path ? IX_INTERP(ctx)->module_path : "";
    char searched[1024] = "";
    size_t used = 0;
    while (*p) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > 0) {
            int w = snprintf(out, PATH_MAX, "%.*s/%s.so", (int)n, p, name);
            if (w > 0 && w < PATH_MAX && is_file(out, st)) return 0;
            int s = snprintf(searched + used, sizeof searched - used, "%s%.*s", used ? ", " : "", (int)n, p);
            if (s > 0) used = used + (size_t)s < sizeof searched ? used + (size_t)s : sizeof searched - 1;
        }
        p = end ? end + 1 : p + n;
    }
    ix_err_format(ctx, IX_EXC_IMPORTERROR, "no module named '%s' (searched: %s)", name,
                  used ? searched : "nothing, the module path is empty");
    return -1;
}

/* ---------------------------------------------------------------- opening */

static IxLibrary *find_loaded(const struct stat *st)
{
    for (IxLibrary *l = libs; l; l = l->next)
        if (l->ino == st->st_ino && l->dev == st->st_dev && l->copy_fd < 0) return l;
    return NULL;
}

/* dlopen `file` (the library, or /proc/self/fd/N of a private copy) and record it as `key`
 * (its canonical path) and `st`'s identity, with one reference. Caller holds libs_lock. */
static IxLibrary *library_load(IxContext *ctx, const char *name, const char *key, const char *file,
                               const struct stat *st, int copy_fd)
{
    void *h = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        ix_err_format(ctx, IX_EXC_IMPORTERROR, "cannot load module '%s' from %s: %s", name, key,
                      why ? why : "unknown error");
        return NULL;
    }
    char sym[256];
    snprintf(sym, sizeof sym, "IxInit_%s", name);
    IxInitProc init = (IxInitProc)dlsym(h, sym);
    snprintf(sym, sizeof sym, "IxInitLegacy_%s", name);
    IxLegacyInitProc legacy = init ? NULL : (IxLegacyInitProc)dlsym(h, sym);
    if (!init && !legacy) {
        dlclose(h);
        ix_err_format(ctx, IX_EXC_IMPORTERROR, "module '%s' at %s defines neither IxInit_%s nor IxInitLegacy_%s",
                      name, key, name, name);
        return NULL;
    }
    IxLibrary *lib = ix_host_alloc(sizeof *lib);
    if (!lib || !(lib->path = ix_host_strdup(key))) {
        ix_host_free(lib);
        dlclose(h);
        ix_err_no_memory(ctx);
        return NULL;
    }
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&lib->code_lock, &attr);
    pthread_mutexattr_destroy(&attr);
    lib->handle = h;
    lib->dev = st ? st->st_dev : 0;
    lib->ino = st ? st->st_ino : 0;
    lib->refs = 1;
    lib->init = init;
    lib->legacy = legacy;
    lib->copy_fd = copy_fd;
    lib->next = libs;
    libs = lib;
    libs_count++;
    return lib;
}

/* Find the library that is the file at `path` (stat `st`), or open it; one reference. */
static IxLibrary *library_open(IxContext *ctx, const char *name, const char *path, const struct stat *st)
{
    pthread_mutex_lock(&libs_lock);
    IxLibrary *lib = find_loaded(st);
    if (lib) {
        lib->refs++;
    } else {
        char canonical[PATH_MAX];
        lib = library_load(ctx, name, realpath(path, canonical) ? canonical : path, path, st, -1);
    }
    pthread_mutex_unlock(&libs_lock);
    return lib;
}

/* ABI.md 7.4: load a private copy of a legacy library from an anonymous in-memory file, so
 * that it gets globals of its own. The dynamic loader tells files apart by inode, so the
 * copy is a new object even though its contents are the same. */
static IxLibrary *library_open_copy(IxContext *ctx, const char *name, const char *path)
{
    int src = open(path, O_RDONLY | O_CLOEXEC);
    int fd = memfd_create(name, MFD_CLOEXEC);
    struct stat st;
    bool copied = src >= 0 && fd >= 0 && fstat(src, &st) == 0;
    for (off_t off = 0; copied && off < st.st_size;) {
        ssize_t n = sendfile(fd, src, &off, (size_t)(st.st_size - off));
        if (n <= 0) copied = false;
    }
    if (src >= 0) close(src);
    if (!copied) {
        if (fd >= 0) close(fd);
        ix_err_format(ctx, IX_EXC_IMPORTERROR, "module '%s': cannot make a private copy of %s", name, path);
        return NULL;
    }
    char file[64];
    snprintf(file, sizeof file, "/proc/self/fd/%d", fd);
    pthread_mutex_lock(&libs_lock);
    IxLibrary *lib = library_load(ctx, name, file, file, NULL, fd);
    pthread_mutex_unlock(&libs_lock);
    if (!lib) close(fd);
    return lib;
}

/* ---------------------------------------------------------------- one interpreter only */

/* Claim a library for this interpreter alone (ABI.md 4.9, 7.3). */
static int claim_exclusive(IxContext *ctx, IxLibrary *lib, const char *name)
{
    int64_t me = IX_INTERP(ctx)->id;
    char statics[512];
    pthread_mutex_lock(&libs_lock);
    int64_t owner = lib->exclusive_owner;
    if (!owner) lib->exclusive_owner = me;
    snprintf(statics, sizeof statics, "%s", lib->static_types ? lib->static_types : "none");
    pthread_mutex_unlock(&libs_lock);
    if (!owner || owner == me) return 0;
    if (lib->legacy)
        ix_err_format(ctx, IX_EXC_IMPORTERROR,
                      "module '%s' uses single-phase init and static types (%s) and is loaded in "
                      "interpreter %lld; it cannot be loaded in several interpreters. See "
                      "abi/MIGRATION.md to make it multiphase",
                      name, statics, (long long)owner);
    else
        ix_err_format(ctx, IX_EXC_IMPORTERROR,
                      "module '%s' does not support several interpreters and is already loaded in "
                      "interpreter %lld",
                      name, (long long)owner);
    return -1;
}

static bool claimed_elsewhere(IxContext *ctx, IxLibrary *lib)
{
    pthread_mutex_lock(&libs_lock);
    int64_t owner = lib->exclusive_owner;
    pthread_mutex_unlock(&libs_lock);
    return owner && owner != IX_INTERP(ctx)->id;
}

static void release_exclusive(IxLibrary *lib, int64_t me)
{
    pthread_mutex_lock(&libs_lock);
    if (lib->exclusive_owner == me) lib->exclusive_owner = 0;
    pthread_mutex_unlock(&libs_lock);
}

/* "legacy_point.Point, legacy_point.Line": kept for the error other interpreters get. */
static void remember_static_types(IxContext *ctx, IxLibrary *lib, IxObject *module)
{
    IxObject *list = ((IxModuleObject *)module)->static_types;
    size_t n = list ? ix_list_size(ctx, list) : 0, len = 1;
    for (size_t i = 0; i < n; i++) len += strlen(((IxTypeObject *)ix_list_getitem(ctx, list, i))->name) + 2;
    char *s = ix_host_alloc(len);
    if (!s) return; /* the message will say "none"; not worth failing the import */
    for (size_t i = 0; i < n; i++) {
        if (i) strcat(s, ", ");
        strcat(s, ((IxTypeObject *)ix_list_getitem(ctx, list, i))->name);
    }
    pthread_mutex_lock(&libs_lock);
    ix_host_free(lib->static_types);
    lib->static_types = n ? s : NULL;
    pthread_mutex_unlock(&libs_lock);
    if (!n) ix_host_free(s);
}

/* ---------------------------------------------------------------- initialising */

static IxObject *init_multiphase(IxContext *ctx, IxLibrary *lib, const char *name)
{
    const IxModuleDef *def = lib->init();
    if (!def)
        return ix_err_format(ctx, IX_EXC_IMPORTERROR, "module '%s': IxInit_%s returned NULL", name, name);
    if (ix_moduledef_validate(ctx, def, name) < 0) return NULL;
    int level = ix_moduledef_multi_level(def);
    bool exclusive = level == (int)(uintptr_t)IX_MOD_MULTI_NOT_SUPPORTED;
    if (exclusive && claim_exclusive(ctx, lib, name) < 0) return NULL;
    /* create and exec of a shared-lock module run under its code lock too (ABI.md 9.3) */
    IxEntry e;
    bool shared = level == (int)(uintptr_t)IX_MOD_MULTI_SHARED_LOCK;
    ix_enter_raw(ctx, IX_CTX(ctx)->owner, shared ? lib : NULL, &e);
    IxObject *m = ix_module_from_def(ctx, def, name, lib);
    ix_leave_code(ctx, &e);
    if (!m && exclusive) release_exclusive(lib, IX_INTERP(ctx)->id);
    return m;
}

static IxObject *init_legacy(IxContext *ctx, IxLibrary *lib, const char *name)
{
    if (claim_exclusive(ctx, lib, name) < 0) return NULL;
    IxInterp *interp = IX_INTERP(ctx);
    interp->loading_lib = lib;
    IxObject *m = lib->legacy(ctx);
    IxObject *made = interp->loading_module;
    interp->loading_lib = NULL;
    interp->loading_module = NULL;
    bool pending = ix_err_pending(ctx);
    if (!m && !pending) {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "module '%s': IxInitLegacy_%s returned NULL without setting an error",
                      name, name);
    } else if (m && pending) {
        IX_CLEAR_REF(ctx, m);
        ix_err_chain_system(ctx, "module '%s': IxInitLegacy_%s returned a result with an error set", name, name);
    } else if (m && !(IX_IS(ctx, m, IX_TYPE_MODULE) && ((IxModuleObject *)m)->legacy)) {
        IX_CLEAR_REF(ctx, m);
        ix_err_format(ctx, IX_EXC_SYSTEMERROR,
                      "module '%s': IxInitLegacy_%s must return the module made by IxModule_CreateLegacy",
                      name, name);
    }
    /* A failed init may have readied static types, which point back at the module from the
     * library's storage: only finalizing the module it made lets them go. */
    if (!m && made) ix_module_finalize(ctx, made);
    IX_XDECREF(ctx, made);
    if (!m) {
        release_exclusive(lib, interp->id);
        return NULL;
    }
    remember_static_types(ctx, lib, m);
    return m;
}

/* The module table is the interpreter's own (IX_OWNER_BUILTIN): it lives until close,
 * where the leak report still needs the names in it. */
static int register_module(IxContext *ctx, const char *name, IxObject *m)
{
    IxInterp *interp = IX_INTERP(ctx);
    if (interp->nmodules == interp->modules_cap) {
        size_t cap = interp->modules_cap ? interp->modules_cap * 2 : 4;
        IxModuleRecord *r = interp->modules
                                ? ix_heap_realloc(&interp->heap, interp->modules, cap * sizeof *r)
                                : ix_heap_alloc(&interp->heap, cap * sizeof *r, IX_BLOCK_RAW, IX_OWNER_BUILTIN, true);
        if (!r) {
            ix_err_no_memory(ctx);
            return -1;
        }
        interp->modules = r;
        interp->modules_cap = cap;
    }
    size_t n = strlen(name) + 1;
    char *copy = ix_heap_alloc(&interp->heap, n, IX_BLOCK_RAW, IX_OWNER_BUILTIN, false);
    if (!copy) {
        ix_err_no_memory(ctx);
        return -1;
    }
    memcpy(copy, name, n);
    IX_INCREF(m);
    interp->modules[interp->nmodules++] = (IxModuleRecord){m, copy};
    return 0;
}

IxObject *ix_loader_import(IxContext *ctx, const char *name)
{
    IxObject *existing = ix_interp_find_module(IX_INTERP(ctx), name);
    if (existing) {
        IX_INCREF(existing);
        return existing;
    }
    if (!valid_name(name))
        return ix_err_format(ctx, IX_EXC_IMPORTERROR,
                             "invalid module name '%s': a module name is ASCII letters, digits and "
                             "'_', not starting with a digit",
                             name);
    char path[PATH_MAX];
    struct stat st;
    if (find_module(ctx, name, path, &st) < 0) return NULL;
    IxLibrary *lib = library_open(ctx, name, path, &st);
    if (!lib) return NULL;
    if (lib->legacy && IX_INTERP(ctx)->legacy_copies && claimed_elsewhere(ctx, lib)) {
        ix_library_decref(lib);
        if (!(lib = library_open_copy(ctx, name, path))) return NULL;
    }

    /* What the module allocates while it initialises is attributed to its future record. */
    IxCtx *c = IX_CTX(ctx);
    uint32_t saved = c->owner;
    c->owner = (uint32_t)IX_INTERP(ctx)->nmodules + 1;
    IxObject *m = lib->init ? init_multiphase(ctx, lib, name) : init_legacy(ctx, lib, name);
    c->owner = saved;
    if (m && register_module(ctx, name, m) < 0) {
        ix_module_finalize(ctx, m); /* exec ran: clear and free are owed (ABI.md 4.8) */
        IX_CLEAR_REF(ctx, m);
    }
    ix_library_decref(lib); /* the import's own reference; instances hold theirs */
    return m;
}
