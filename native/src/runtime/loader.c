/*
 * loader.c -- finding, opening, initialising and unloading extension libraries
 * (ABI.md 4.1, 4.2, 4.9, 7).
 *
 * A library is opened once per process (RTLD_NOW | RTLD_LOCAL: its symbols stay private,
 * so two extensions may use the same names) and reference counted by the module instances
 * and heap types made from it; the last release closes it. Its record caches, per module
 * name, the init function found for that name (one file may define several modules), and
 * the address ranges of its loadable segments: a definition and the tables it points to
 * must lie in them (ABI.md 4.2), and a heap type finds the library it must keep loaded by
 * the addresses in its spec (ABI.md 5.2).
 *
 * The table of libraries is the only state the loader shares between interpreters, and
 * `libs_lock` guards it (and every record in it). Lock order: an interpreter's lock, then
 * libs_lock, never the other way round.
 */
#define _GNU_SOURCE /* memfd_create, dladdr1, dlinfo, dl_iterate_phdr */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <limits.h>
#include <link.h>
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

/* What one module name found in a library: its init function (one of the two). */
typedef struct IxInitEntry {
    struct IxInitEntry *next;
    char *name;
    IxInitProc init;         /* multiphase, or NULL */
    IxLegacyInitProc legacy; /* single-phase, or NULL */
    _Atomic(const IxModuleDef *) checked; /* the definition init returned that passed
                                           * ix_library_check_def, so later imports skip it */
} IxInitEntry;

/* A loadable segment as mapped: [start, end), and whether it holds code. */
typedef struct IxSegment {
    uintptr_t start, end;
    bool exec;
} IxSegment;
#define IX_MAX_SEGMENTS 16

struct IxLibrary {
    IxLibrary *next;
    char *path;              /* canonical path, for messages and Host.libraries() */
    dev_t dev;               /* the file's identity: the key (how the dynamic loader */
    ino_t ino;               /* tells libraries apart too); 0, 0 for a private copy */
    struct timespec mtime;   /* the file's modification time and size when it was loaded: */
    off_t size;              /* a change under the same identity is an overwrite in place */
    void *handle;            /* from dlopen */
    int64_t refs;            /* module instances and heap types, plus imports in progress */
    IxInitEntry *inits;      /* per module name, filled as names are imported */
    int nsegs;
    IxSegment segs[IX_MAX_SEGMENTS];
    int64_t exclusive_owner; /* interpreter id holding a one-interpreter module, 0 = none */
    bool exclusive_closed;   /* ABI 1.2: that interpreter's module is gone, the claim stays (7.3) */
    char *static_types;      /* legacy: "a.T, a.U" once known */
    int fd;                  /* kept open while loaded when dlopen-ed by /proc/self/fd/N, or -1 */
    bool private_copy;       /* a memfd copy of a legacy library (ABI.md 7.4) */
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
    if (lib->fd >= 0) close(lib->fd);
    while (lib->inits) {
        IxInitEntry *e = lib->inits;
        lib->inits = e->next;
        ix_host_free(e->name);
        ix_host_free(e);
    }
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

/* ---------------------------------------------------------------- a library's memory */

/* The segment of `lib` holding [p, p + n), or NULL. */
static const IxSegment *segment_of(const IxLibrary *lib, const void *p, size_t n)
{
    uintptr_t a = (uintptr_t)p;
    for (int i = 0; i < lib->nsegs; i++) {
        const IxSegment *s = &lib->segs[i];
        if (a >= s->start && a < s->end && n <= s->end - a) return s;
    }
    return NULL;
}

static bool in_code(const IxLibrary *lib, const void *p)
{
    const IxSegment *s = segment_of(lib, p, 1);
    return s && s->exec;
}

IxLibrary *ix_library_of_address(const void *p)
{
    pthread_mutex_lock(&libs_lock);
    IxLibrary *lib = libs;
    while (lib && !segment_of(lib, p, 1)) lib = lib->next;
    if (lib) lib->refs++;
    pthread_mutex_unlock(&libs_lock);
    return lib;
}

typedef struct SegmentSearch {
    uintptr_t base;
    IxSegment *segs;
    int n;
} SegmentSearch;

static int collect_segments(struct dl_phdr_info *info, size_t size, void *arg)
{
    SegmentSearch *s = arg;
    if (info->dlpi_addr != s->base || !info->dlpi_name || !info->dlpi_name[0]) return 0;
    for (int i = 0; i < info->dlpi_phnum && s->n < IX_MAX_SEGMENTS; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_R)) continue;
        IxSegment *seg = &s->segs[s->n++];
        seg->start = info->dlpi_addr + ph->p_vaddr;
        seg->end = seg->start + ph->p_memsz;
        seg->exec = (ph->p_flags & PF_X) != 0;
    }
    return 1;
}

/* Where the dynamic loader mapped the readable segments of the library `h`: how many. */
static int find_segments(void *h, IxSegment *segs)
{
    struct link_map *lm = NULL;
    if (dlinfo(h, RTLD_DI_LINKMAP, &lm) != 0 || !lm) return 0;
    SegmentSearch s = {(uintptr_t)lm->l_addr, segs, 0};
    dl_iterate_phdr(collect_segments, &s);
    return s.n;
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

/* What the search of the module path looked at, for its ImportError: each directory, and
 * whether it is missing or not a directory (a typo in the path must not read as a missing
 * module). Run only after the search failed, so a found module costs no extra stat. */
static void describe_search(const char *p, char *searched, size_t cap)
{
    size_t used = 0;
    searched[0] = '\0';
    while (*p && used + 1 < cap) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > 0) {
            char dir[PATH_MAX];
            struct stat st;
            const char *why = "";
            if (n < sizeof dir) {
                memcpy(dir, p, n);
                dir[n] = '\0';
                if (stat(dir, &st) != 0) why = errno == ENOENT ? " (does not exist)" : "";
                else if (!S_ISDIR(st.st_mode)) why = " (not a directory)";
            }
            int s = snprintf(searched + used, cap - used, "%s%.*s%s", used ? ", " : "", (int)n, p, why);
            if (s > 0) used = used + (size_t)s < cap ? used + (size_t)s : cap - 1;
        }
        p = end ? end + 1 : p + n;
    }
}

/* Search the module path: the first NAME.so in `out`, its stat in `st`, or ImportError.
 * The path is as found: messages name it so (realpath costs a readlink per component: done
 * only for a library not loaded yet, see library_open). */
static int find_module(IxContext *ctx, const char *name, char *out, struct stat *st)
{
    const char *path = IX_INTERP(ctx)->module_path ? IX_INTERP(ctx)->module_path : "";
    for (const char *p = path; *p;) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > 0) {
            int w = snprintf(out, PATH_MAX, "%.*s/%s.so", (int)n, p, name);
            if (w > 0 && w < PATH_MAX && is_file(out, st)) return 0;
        }
        p = end ? end + 1 : p + n;
    }
    char searched[1024];
    describe_search(path, searched, sizeof searched);
    ix_err_format(ctx, IX_EXC_IMPORTERROR, "no module named '%s' (searched: %s)", name,
                  searched[0] ? searched : "nothing, the module path is empty");
    return -1;
}

/* ---------------------------------------------------------------- opening */

static bool same_time(struct timespec a, struct timespec b)
{
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static IxLibrary *find_loaded(const struct stat *st)
{
    for (IxLibrary *l = libs; l; l = l->next)
        if (l->ino == st->st_ino && l->dev == st->st_dev && !l->private_copy) return l;
    return NULL;
}

/* A loaded library that was the file at `canonical` before that file was replaced (renamed
 * over): dlopen(path) would hand back that old library, because the dynamic loader first
 * matches libraries by the name they were opened with. */
static bool path_taken(const char *canonical)
{
    for (IxLibrary *l = libs; l; l = l->next)
        if (!l->private_copy && strcmp(l->path, canonical) == 0) return true;
    return false;
}

/* ABI 1.3 (ABI.md 8.12): the files that passed the ELF checks, by identity: a library
 * unloaded and loaded again (the cold path of an interpreter's life) is not read again.
 * The change time is in the identity because nobody can set it: any write to the file, or
 * to its times, moves it. Static storage (no allocation, so nothing to count or free), a
 * few entries replaced in turn; guarded by libs_lock. */
typedef struct CheckedFile {
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime, ctime;
} CheckedFile;
#define CHECKED_FILES 32
static CheckedFile checked_files[CHECKED_FILES];
static unsigned checked_next, checked_count;

static bool same_file(const CheckedFile *f, const struct stat *st)
{
    return f->ino == st->st_ino && f->dev == st->st_dev && f->size == st->st_size &&
           same_time(f->mtime, st->st_mtim) && same_time(f->ctime, st->st_ctim);
}

static bool checked_before(const struct stat *st)
{
    for (unsigned i = 0; i < checked_count; i++)
        if (same_file(&checked_files[i], st)) return true;
    return false;
}

static void remember_checked(const struct stat *st)
{
    checked_files[checked_next] = (CheckedFile){st->st_dev, st->st_ino, st->st_size, st->st_mtim, st->st_ctim};
    checked_next = (checked_next + 1) % CHECKED_FILES;
    if (checked_count < CHECKED_FILES) checked_count++;
}

/* The ELF checks (elf_check.c) on the open file `st` describes, before the dynamic loader
 * sees it; a pass is remembered when `remember` (not for a private copy, whose memfd is
 * never seen again). */
static int precheck(IxContext *ctx, const char *name, const char *path, int fd, const struct stat *st,
                    bool remember)
{
    char why[256];
    if (checked_before(st)) return 0;
    if (ix_elf_check_fd(fd, why, sizeof why) == 0) {
        if (remember) remember_checked(st);
        return 0;
    }
    ix_err_format(ctx, IX_EXC_IMPORTERROR, "cannot load module '%s' from %s: %s", name, path, why);
    return -1;
}

static IxLibrary *library_record(IxContext *ctx, void *h, const char *key, const struct stat *st, int fd)
{
    IxSegment segs[IX_MAX_SEGMENTS];
    int nsegs = find_segments(h, segs);
    IxLibrary *lib = nsegs ? ix_host_alloc(sizeof *lib) : NULL;
    if (!lib || !(lib->path = ix_host_strdup(key))) {
        ix_host_free(lib);
        dlclose(h);
        if (nsegs) ix_err_no_memory(ctx);
        else ix_err_format(ctx, IX_EXC_IMPORTERROR, "cannot load %s: the dynamic loader shows no segment of it", key);
        return NULL;
    }
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&lib->code_lock, &attr);
    pthread_mutexattr_destroy(&attr);
    lib->handle = h;
    lib->dev = st->st_dev;
    lib->ino = st->st_ino;
    lib->mtime = st->st_mtim;
    lib->size = st->st_size;
    lib->refs = 1;
    lib->fd = fd;
    lib->nsegs = nsegs;
    memcpy(lib->segs, segs, sizeof segs);
    lib->next = libs;
    libs = lib;
    libs_count++;
    return lib;
}

/* Check and dlopen the file open at `fd` (the library at `path`, or a private copy) and
 * record it as `key` (its canonical path) with one reference. `by_fd`: open it as
 * /proc/self/fd/N and keep the descriptor while loaded (a copy, or a file replaced while
 * its old version is loaded); otherwise fd is closed. Caller holds libs_lock. */
static IxLibrary *library_load(IxContext *ctx, const char *name, const char *key, const char *path, int fd,
                               bool by_fd, bool copy)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || precheck(ctx, name, path, fd, &st, !copy) < 0) {
        if (!ix_err_pending(ctx))
            ix_err_format(ctx, IX_EXC_IMPORTERROR, "cannot load module '%s' from %s: cannot stat it", name, path);
        close(fd);
        return NULL;
    }
    char file[64];
    snprintf(file, sizeof file, "/proc/self/fd/%d", fd);
    void *h = dlopen(by_fd ? file : path, RTLD_NOW | RTLD_LOCAL);
    if (!by_fd) {
        close(fd);
        fd = -1;
    }
    if (!h) {
        const char *why = dlerror();
        ix_err_format(ctx, IX_EXC_IMPORTERROR, "cannot load module '%s' from %s: %s", name, path,
                      why ? why : "unknown error");
        if (fd >= 0) close(fd);
        return NULL;
    }
    IxLibrary *lib = library_record(ctx, h, key, &st, fd);
    if (!lib && fd >= 0) close(fd);
    return lib;
}

/* ABI.md 4.10: the file at `path` has the identity of a loaded library but not its size or
 * modification time: it was overwritten in place, under the running code. */
static int check_unchanged(IxContext *ctx, const IxLibrary *lib, const char *name, const char *path,
                           const struct stat *st)
{
    if (same_time(lib->mtime, st->st_mtim) && lib->size == st->st_size) return 0;
    ix_err_format(ctx, IX_EXC_IMPORTERROR,
                  "cannot load module '%s' from %s: the file was overwritten in place while its library "
                  "is loaded; close every module loaded from it, then import again",
                  name, path);
    return -1;
}

/* The canonical path of the file open at fd, into out (PATH_MAX): the kernel's name for the
 * descriptor, one readlink, where realpath would look at every component of `path`; the
 * path itself when neither answers. */
static const char *canonical_path(int fd, const char *path, char *out)
{
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, out, PATH_MAX - 1);
    if (n > 0 && out[0] == '/') {
        out[n] = '\0';
        return out;
    }
    return realpath(path, out) ? out : path;
}

/* Find the library that is the file at `path` (stat `st`), or open it; one reference. */
static IxLibrary *library_open(IxContext *ctx, const char *name, const char *path, const struct stat *st)
{
    pthread_mutex_lock(&libs_lock);
    IxLibrary *lib = find_loaded(st);
    if (lib) {
        if (check_unchanged(ctx, lib, name, path, st) < 0) lib = NULL;
        else lib->refs++;
    } else {
        char canonical[PATH_MAX];
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            ix_err_format(ctx, IX_EXC_IMPORTERROR, "cannot load module '%s' from %s: cannot open it", name, path);
        } else {
            const char *key = canonical_path(fd, path, canonical);
            lib = library_load(ctx, name, key, path, fd, path_taken(key), false);
        }
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
    IxLibrary *lib = library_load(ctx, name, file, path, fd, true, true);
    if (lib) lib->private_copy = true;
    pthread_mutex_unlock(&libs_lock);
    return lib;
}

/* ---------------------------------------------------------------- init symbols, per name */

static const char *symbol_kind(void *addr)
{
    Dl_info info;
    const ElfW(Sym) *sym = NULL;
    if (!dladdr1(addr, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym) return NULL;
    switch (ELF64_ST_TYPE(sym->st_info)) {
    case STT_FUNC:
    case STT_GNU_IFUNC:
    case STT_NOTYPE: return NULL; /* an assembler label: where it points decides (in_code) */
    case STT_OBJECT: return "a data object";
    case STT_TLS: return "a thread-local variable";
    default: return "a symbol of another type";
    }
}

/* The init function `sym` names, which must be code of this very library (a data object
 * or a dependency's symbol would be jumped into blindly). */
static void *find_init(IxContext *ctx, IxLibrary *lib, const char *sym, const char *name, const char *path,
                       bool *bad)
{
    void *p = dlsym(lib->handle, sym);
    if (!p) return NULL;
    const char *kind = symbol_kind(p);
    if (kind)
        ix_err_format(ctx, IX_EXC_IMPORTERROR, "module '%s' at %s: %s is %s, not a function", name, path, sym, kind);
    else if (!in_code(lib, p))
        ix_err_format(ctx, IX_EXC_IMPORTERROR, "module '%s' at %s: %s is not in the library's own code", name,
                      path, sym);
    else
        return p;
    *bad = true;
    return NULL;
}

/* The init entry of `name` in `lib` (looked up once per library and name), or NULL with
 * ImportError set. Caller holds libs_lock. */
static IxInitEntry *init_entry_locked(IxContext *ctx, IxLibrary *lib, const char *name, const char *path)
{
    for (IxInitEntry *e = lib->inits; e; e = e->next)
        if (strcmp(e->name, name) == 0) return e;
    char sym[256];
    bool bad = false;
    snprintf(sym, sizeof sym, "IxInit_%s", name);
    IxInitProc init = (IxInitProc)find_init(ctx, lib, sym, name, path, &bad);
    snprintf(sym, sizeof sym, "IxInitLegacy_%s", name);
    IxLegacyInitProc legacy = init || bad ? NULL : (IxLegacyInitProc)find_init(ctx, lib, sym, name, path, &bad);
    if (bad) return NULL;
    if (!init && !legacy) {
        ix_err_format(ctx, IX_EXC_IMPORTERROR, "module '%s' at %s defines neither IxInit_%s nor IxInitLegacy_%s",
                      name, path, name, name);
        return NULL;
    }
    IxInitEntry *e = ix_host_alloc(sizeof *e);
    if (!e || !(e->name = ix_host_strdup(name))) {
        ix_host_free(e);
        ix_err_no_memory(ctx);
        return NULL;
    }
    e->init = init;
    e->legacy = legacy;
    e->next = lib->inits;
    lib->inits = e;
    return e;
}

/* Entries are never changed once made, so the caller may read one without the lock while
 * it holds a reference on the library. */
static IxInitEntry *init_entry(IxContext *ctx, IxLibrary *lib, const char *name, const char *path)
{
    pthread_mutex_lock(&libs_lock);
    IxInitEntry *e = init_entry_locked(ctx, lib, name, path);
    pthread_mutex_unlock(&libs_lock);
    return e;
}

/* ---------------------------------------------------------------- one interpreter only */

/* Claim a library for this interpreter alone (ABI.md 4.9, 7.3). *took says whether this
 * call made the claim: only then may a failed import give it back, since a claim this
 * interpreter already held belongs to another module of the library that loaded. */
static int claim_exclusive(IxContext *ctx, IxLibrary *lib, const char *name, bool legacy, bool *took)
{
    int64_t me = IX_INTERP(ctx)->id;
    char statics[512];
    pthread_mutex_lock(&libs_lock);
    int64_t owner = lib->exclusive_owner;
    bool closed = owner && lib->exclusive_closed;
    *took = !owner;
    if (!owner) {
        lib->exclusive_owner = me;
        lib->exclusive_closed = false;
    }
    snprintf(statics, sizeof statics, "%s", lib->static_types ? lib->static_types : "none");
    pthread_mutex_unlock(&libs_lock);
    if (!owner || owner == me) return 0;
    if (closed)
        ix_err_format(ctx, IX_EXC_IMPORTERROR,
                      "module '%s' %s and was loaded in interpreter %lld, which has closed; its library "
                      "is still loaded (a module or type made from it lives), and with it the C globals "
                      "that import left, so the module loads again only once the library is unloaded",
                      name, legacy ? "uses single-phase init" : "does not support several interpreters",
                      (long long)owner);
    else if (legacy)
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

/* ABI 1.2 (ABI.md 7.3): the one-interpreter module of interpreter `me` is being freed (its
 * interpreter closes). The claim stays while the library is loaded -- the library's C
 * globals are what that interpreter left -- but the refusal then says the owner closed. */
void ix_library_exclusive_closed(IxLibrary *lib, int64_t me)
{
    pthread_mutex_lock(&libs_lock);
    if (lib->exclusive_owner == me) lib->exclusive_closed = true;
    pthread_mutex_unlock(&libs_lock);
}

static void release_exclusive(IxLibrary *lib, int64_t me)
{
    pthread_mutex_lock(&libs_lock);
    if (lib->exclusive_owner == me) lib->exclusive_owner = 0;
    pthread_mutex_unlock(&libs_lock);
}

/* "legacy_point.Point, legacy_point.Line": kept for the error other interpreters get,
 * after those of the library's legacy modules loaded before (the claim is the library's). */
static void remember_static_types(IxContext *ctx, IxLibrary *lib, IxObject *module)
{
    IxObject *list = ((IxModuleObject *)module)->static_types;
    size_t n = list ? ix_list_size(ctx, list) : 0;
    if (!n) return;
    pthread_mutex_lock(&libs_lock);
    size_t len = lib->static_types ? strlen(lib->static_types) + 1 : 1;
    for (size_t i = 0; i < n; i++) len += strlen(((IxTypeObject *)ix_list_getitem(ctx, list, i))->name) + 2;
    char *s = ix_host_alloc(len);
    if (s) { /* else the message keeps what it had; not worth failing the import */
        strcpy(s, lib->static_types ? lib->static_types : "");
        for (size_t i = 0; i < n; i++) {
            if (*s) strcat(s, ", ");
            strcat(s, ((IxTypeObject *)ix_list_getitem(ctx, list, i))->name);
        }
        ix_host_free(lib->static_types);
        lib->static_types = s;
    }
    pthread_mutex_unlock(&libs_lock);
}

/* ---------------------------------------------------------------- checking a definition */

/* ABI.md 4.2: a definition, every table it points to and every string in them lie in the
 * library's own mapped memory, and every walk over them is bounded, so a wild pointer or a
 * table without its terminator is an error message, never a crash. Only the first import
 * of a definition in an interpreter pays; the walks are as long as the tables. */

typedef struct DefCheck {
    IxContext *ctx;
    const IxLibrary *lib;
    const char *name;  /* the module name, for messages */
} DefCheck;

static int def_fail(const DefCheck *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int def_fail(const DefCheck *c, const char *fmt, ...)
{
    char what[256];
    va_list va;
    va_start(va, fmt);
    vsnprintf(what, sizeof what, fmt, va);
    va_end(va);
    ix_err_format(c->ctx, IX_EXC_SYSTEMERROR, "module '%s': %s", c->name, what);
    return -1;
}

/* A NUL-terminated string of at most `max` bytes in the library's memory (or NULL). */
static int check_string(const DefCheck *c, const char *s, size_t max, const char *what)
{
    if (!s) return 0;
    const IxSegment *seg = segment_of(c->lib, s, 1);
    if (!seg) return def_fail(c, "%s points outside the library's memory (%p)", what, (const void *)s);
    size_t room = seg->end - (uintptr_t)s;
    size_t n = strnlen(s, room < max + 1 ? room : max + 1);
    if (n > max) return def_fail(c, "%s is longer than %zu bytes", what, max);
    if (n == room) return def_fail(c, "%s runs past the end of the library's memory (no NUL)", what);
    return 0;
}

/* A table of `size`-byte entries ending with an entry whose first pointer-sized field is 0
 * (or whose int32 id is 0, for slots): its entry count, or -1 with the error set. */
static int64_t check_table(const DefCheck *c, const void *table, size_t size, bool id32, const char *what)
{
    if (!table) return 0;
    const IxSegment *seg = segment_of(c->lib, table, 1);
    if (!seg) return def_fail(c, "%s points outside the library's memory (%p)", what, table);
    const char *p = table;
    for (int64_t n = 0;; n++, p += size) {
        if (n > IX_MAX_TABLE_ENTRIES)
            return def_fail(c, "%s has more than %d entries (no terminator?)", what, IX_MAX_TABLE_ENTRIES);
        if (size > seg->end - (uintptr_t)p)
            return def_fail(c, "%s runs past the end of the library's memory (no terminator)", what);
        if (id32 ? *(const int32_t *)p == 0 : *(const void *const *)p == NULL) return n;
    }
}

static int check_function(const DefCheck *c, const void *f, const char *what)
{
    if (!f || in_code(c->lib, f)) return 0;
    return def_fail(c, "%s is not in the library's code (%p)", what, f);
}

/* ABI 1.3 (ABI.md 4.32): a typed method's `func` is its IxTypedDef, in the library's
 * memory, with a short signature and a function in its code. (NULL pointers are left to
 * the definition rules, 4.3, which name them.) */
#define IX_MAX_SIGNATURE_LEN 64
static int check_typed_def(const DefCheck *c, const IxMethodDef *m, const char *what)
{
    const IxTypedDef *td = (const IxTypedDef *)(const void *)m->func;
    if (!td) return 0;
    if (!segment_of(c->lib, td, sizeof *td))
        return def_fail(c, "%s (an IxTypedDef) points outside the library's memory (%p)", what, (const void *)td);
    char sub[96];
    snprintf(sub, sizeof sub, "the signature of method '%.20s'", m->name);
    if (check_string(c, td->signature, IX_MAX_SIGNATURE_LEN, sub) < 0) return -1;
    snprintf(sub, sizeof sub, "the typed function of method '%.20s'", m->name);
    return check_function(c, (const void *)td->func, sub);
}

static int check_methods(const DefCheck *c, const IxMethodDef *methods)
{
    int64_t n = check_table(c, methods, sizeof *methods, false, "the method table");
    if (n < 0) return -1;
    for (int64_t i = 0; i < n; i++) {
        char what[64];
        snprintf(what, sizeof what, "the name of method %" PRId64, i + 1);
        if (check_string(c, methods[i].name, IX_MAX_NAME_LEN, what) < 0) return -1;
        snprintf(what, sizeof what, "the doc of method '%.20s'", methods[i].name);
        if (check_string(c, methods[i].doc, IX_MAX_DOC_LEN, what) < 0) return -1;
        snprintf(what, sizeof what, "the function of method '%.20s'", methods[i].name);
        if (methods[i].flags & IX_METH_TYPED) {
            if (check_typed_def(c, &methods[i], what) < 0) return -1;
        } else if (check_function(c, (const void *)methods[i].func, what) < 0) {
            return -1;
        }
    }
    return 0;
}

static int check_slot_table(const DefCheck *c, const IxModuleSlot *slots)
{
    int64_t n = check_table(c, slots, sizeof *slots, true, "the slot table");
    for (int64_t i = 0; i < n; i++) {
        char what[64];
        snprintf(what, sizeof what, "the function of slot %" PRId64, i + 1);
        if ((slots[i].id == IX_MOD_CREATE || slots[i].id == IX_MOD_EXEC) &&
            check_function(c, slots[i].value, what) < 0)
            return -1;
    }
    return n < 0 ? -1 : 0;
}

int ix_library_check_def(IxContext *ctx, const IxLibrary *lib, const IxModuleDef *def, const char *name,
                         const char *source)
{
    DefCheck c = {ctx, lib, name};
    if (!segment_of(lib, def, sizeof *def)) {
        ix_err_format(ctx, IX_EXC_IMPORTERROR, "module '%s': %s a pointer outside the library's memory (%p)", name,
                      source, (const void *)def);
        return -1;
    }
    if (check_string(&c, def->name, IX_MAX_NAME_LEN, "the definition's name") < 0 ||
        check_string(&c, def->doc, IX_MAX_DOC_LEN, "the definition's doc") < 0 ||
        check_slot_table(&c, def->slots) < 0 || check_methods(&c, def->methods) < 0 ||
        check_function(&c, (const void *)def->traverse, "the traverse function") < 0 ||
        check_function(&c, (const void *)def->clear, "the clear function") < 0 ||
        check_function(&c, (const void *)def->free, "the free function") < 0)
        return -1;
    return 0;
}

/* ---------------------------------------------------------------- initialising */

static IxObject *init_multiphase(IxContext *ctx, IxLibrary *lib, IxInitEntry *entry, const char *name)
{
    const IxModuleDef *def = entry->init();
    if (!def)
        return ix_err_format(ctx, IX_EXC_IMPORTERROR, "module '%s': IxInit_%s returned NULL", name, name);
    /* A definition is constant (ABI.md 4.2): checked on its first import, not again. */
    if (def != atomic_load(&entry->checked)) {
        char source[256];
        snprintf(source, sizeof source, "IxInit_%s returned", name);
        if (ix_library_check_def(ctx, lib, def, name, source) < 0) return NULL;
        atomic_store(&entry->checked, def);
    }
    if (ix_moduledef_validate(ctx, def, name) < 0) return NULL;
    int level = ix_moduledef_multi_level(def);
    bool exclusive = level == (int)(uintptr_t)IX_MOD_MULTI_NOT_SUPPORTED, took = false;
    if (exclusive && claim_exclusive(ctx, lib, name, false, &took) < 0) return NULL;
    /* create and exec of a shared-lock module run under its code lock too (ABI.md 9.3) */
    IxEntry e;
    bool shared = level == (int)(uintptr_t)IX_MOD_MULTI_SHARED_LOCK;
    ix_enter_raw(ctx, IX_CTX(ctx)->owner, shared ? lib : NULL, &e);
    IxObject *m = ix_module_from_def(ctx, def, name, lib);
    ix_leave_code(ctx, &e);
    if (!m && took) release_exclusive(lib, IX_INTERP(ctx)->id);
    return m;
}

static IxObject *init_legacy(IxContext *ctx, IxLibrary *lib, IxInitEntry *entry, const char *name)
{
    bool took;
    if (claim_exclusive(ctx, lib, name, true, &took) < 0) return NULL;
    IxInterp *interp = IX_INTERP(ctx);
    /* Saved and restored: a legacy init may import another legacy module (ABI.md 4.11). */
    IxLibrary *outer_lib = interp->loading_lib;
    IxObject *outer_module = interp->loading_module;
    interp->loading_lib = lib;
    interp->loading_module = NULL;
    IxObject *m = entry->legacy(ctx);
    IxObject *made = interp->loading_module;
    interp->loading_lib = outer_lib;
    interp->loading_module = outer_module;
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
        if (took) release_exclusive(lib, interp->id);
        return NULL;
    }
    remember_static_types(ctx, lib, m);
    return m;
}

/* The module table is the interpreter's own (IX_OWNER_BUILTIN): it lives until close,
 * where the leak report still needs the names in it. A record is reserved before the
 * module's init runs, so its number is the module's owner from the first allocation on,
 * even when its exec imports other modules (which reserve records after it). */
static int reserve_record(IxContext *ctx, const char *name, size_t *index)
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
    *index = interp->nmodules;
    interp->modules[interp->nmodules++] = (IxModuleRecord){NULL, copy, true, pthread_self()};
    return 0;
}

/* The init's outcome goes into its record. A failed import's record is given back when it
 * is the last one; otherwise (its exec imported others first) it stays, module-less, so
 * the numbers of the records after it stay right, and it names what the failed import
 * left behind in a leak report. */
static void settle_record(IxInterp *interp, size_t index, IxObject *m)
{
    IxModuleRecord *r = &interp->modules[index];
    r->importing = false;
    if (m) {
        IX_INCREF(m);
        r->module = m;
    } else if (index + 1 == interp->nmodules) {
        ix_heap_free(&interp->heap, r->name);
        interp->nmodules--;
    }
}

/* ABI.md 4.11: NAME is being initialised. By this thread, it is an import cycle: its exec
 * (or the exec of a module it imports) imports it again. */
static IxObject *refuse_busy(IxContext *ctx, size_t index)
{
    IxInterp *in = IX_INTERP(ctx);
    const char *name = in->modules[index].name;
    if (!pthread_equal(in->modules[index].importer, pthread_self()))
        return ix_err_format(ctx, IX_EXC_IMPORTERROR,
                             "module '%s' is being imported by another thread (its exec released the "
                             "interpreter lock); import it again once that import has finished",
                             name);
    char chain[512];
    size_t used = 0;
    for (size_t i = index; i < in->nmodules && used < sizeof chain; i++) {
        const IxModuleRecord *r = &in->modules[i];
        if (!r->importing || !pthread_equal(r->importer, pthread_self())) continue;
        int n = snprintf(chain + used, sizeof chain - used, "%s -> ", r->name);
        if (n < 0) break;
        used += (size_t)n;
    }
    if (used < sizeof chain) snprintf(chain + used, sizeof chain - used, "%s", name);
    return ix_err_format(ctx, IX_EXC_IMPORTERROR,
                         "import cycle: module '%s' is still being initialised (%s); a module's exec must "
                         "not import, directly or through other modules, a module that imports it",
                         name, chain);
}

static bool find_busy(IxInterp *in, const char *name, size_t *index)
{
    for (size_t i = 0; i < in->nmodules; i++)
        if (in->modules[i].importing && strcmp(in->modules[i].name, name) == 0) {
            *index = i;
            return true;
        }
    return false;
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
    size_t busy;
    if (find_busy(IX_INTERP(ctx), name, &busy)) return refuse_busy(ctx, busy);
    char path[PATH_MAX];
    struct stat st;
    if (find_module(ctx, name, path, &st) < 0) return NULL;
    IxLibrary *lib = library_open(ctx, name, path, &st);
    if (!lib) return NULL;
    IxInitEntry *entry = init_entry(ctx, lib, name, path);
    if (entry && entry->legacy && IX_INTERP(ctx)->legacy_copies && claimed_elsewhere(ctx, lib)) {
        ix_library_decref(lib);
        lib = library_open_copy(ctx, name, path);
        entry = lib ? init_entry(ctx, lib, name, path) : NULL;
        if (!lib) return NULL;
    }
    size_t record;
    if (!entry || reserve_record(ctx, name, &record) < 0) {
        ix_library_decref(lib);
        return NULL;
    }

    /* What the module allocates while it initialises is attributed to its record. */
    IxCtx *c = IX_CTX(ctx);
    uint32_t saved = c->owner;
    c->owner = (uint32_t)record + 1;
    IxObject *m = entry->init ? init_multiphase(ctx, lib, entry, name) : init_legacy(ctx, lib, entry, name);
    c->owner = saved;
    settle_record(IX_INTERP(ctx), record, m);
    ix_library_decref(lib); /* the import's own reference; instances and types hold theirs */
    return m;
}

IxObject *ix_import_import(IxContext *ctx, const char *name)
{
    if (!name) return ix_err_format(ctx, IX_EXC_VALUEERROR, "IxImport_Import: the name is NULL; pass a module name");
    return ix_loader_import(ctx, name);
}

/* ---------------------------------------------------------------- ixh_libraries */

/* What the file at the library's path is now (ABI.md 4.10). */
static const char *file_state(const IxLibrary *lib)
{
    struct stat st;
    if (lib->private_copy) return "private copy";
    if (stat(lib->path, &st) != 0) return "removed";
    if (st.st_dev != lib->dev || st.st_ino != lib->ino) return "replaced";
    if (!same_time(st.st_mtim, lib->mtime) || st.st_size != lib->size) return "modified";
    return "current";
}

static void describe_library(IxWire *w, const IxLibrary *lib)
{
    int64_t nnames = 0;
    for (const IxInitEntry *e = lib->inits; e; e = e->next) nnames++;
    ixw_count(w, IXW_TUPLE, 8);
    ixw_cstr(w, lib->path);
    ixw_int(w, (int64_t)lib->dev);
    ixw_int(w, (int64_t)lib->ino);
    ixw_int(w, (int64_t)lib->mtime.tv_sec * 1000000000 + lib->mtime.tv_nsec);
    ixw_int(w, (int64_t)lib->size);
    ixw_int(w, lib->refs);
    ixw_cstr(w, file_state(lib));
    ixw_count(w, IXW_LIST, (uint32_t)nnames);
    for (const IxInitEntry *e = lib->inits; e; e = e->next) ixw_cstr(w, e->name);
}

IX_API int64_t ixh_libraries(uint8_t *buf, size_t cap, size_t *len)
{
    IxWire w;
    ixw_init(&w, buf, cap);
    pthread_mutex_lock(&libs_lock);
    int64_t n = libs_count;
    ixw_count(&w, IXW_LIST, (uint32_t)n);
    for (const IxLibrary *lib = libs; lib; lib = lib->next) describe_library(&w, lib);
    if (w.overflow) { /* measure what it needs */
        ixw_init(&w, NULL, SIZE_MAX);
        ixw_count(&w, IXW_LIST, (uint32_t)n);
        for (const IxLibrary *lib = libs; lib; lib = lib->next) describe_library(&w, lib);
        n = -1;
    }
    pthread_mutex_unlock(&libs_lock);
    if (len) *len = w.len;
    return n;
}
