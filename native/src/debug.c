/*
 * debug.c -- debug mode (ABI.md 10): the checking function table, the table dead contexts
 * point at, the process-wide violation log, and naming allocation sites.
 *
 * Both tables are generated from ix_table.def, so every entry is wrapped the same way and
 * a new entry cannot be forgotten. A checking entry validates its arguments, records the
 * caller (the extension function) as the allocation site, calls the ordinary entry, and
 * turns a violation the heap found meanwhile (a double free, a broken guard) into a
 * SystemError in the caller's context.
 */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ix_internal.h"

/* ---------------------------------------------------------------- the violation log */

#define LOG_CAP (256 * 1024)

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char *log_text;      /* malloc'd, outside any accounting: a debugging aid */
static size_t log_len;
static int64_t log_count;

static void log_violation(const char *line)
{
    pthread_mutex_lock(&log_lock);
    size_t n = strlen(line);
    if (!log_text) log_text = malloc(LOG_CAP);
    if (log_text && log_len + n + 2 <= LOG_CAP) {
        memcpy(log_text + log_len, line, n);
        log_text[log_len + n] = '\n';
        log_len += n + 1;
        log_count++;
    }
    pthread_mutex_unlock(&log_lock);
}

IX_API int64_t ixh_debug_take_violations(char *buf, size_t cap)
{
    pthread_mutex_lock(&log_lock);
    int64_t count = log_count;
    if (buf && cap) {
        size_t n = log_len < cap - 1 ? log_len : cap - 1;
        if (n) memcpy(buf, log_text, n);
        buf[n] = 0;
    }
    free(log_text);
    log_text = NULL;
    log_len = 0;
    log_count = 0;
    pthread_mutex_unlock(&log_lock);
    return count;
}

/* "Ix_Call", "IxList_New": the name an extension author wrote. */
static void public_name(const char *entry, char *out, size_t cap)
{
    snprintf(out, cap, strchr(entry, '_') ? "Ix%s" : "Ix_%s", entry);
}

/* ---------------------------------------------------------------- naming sites */

/* The function of an ELF file's symbol table (.symtab, else .dynsym) containing `off`. */
static bool elf_function(const char *path, uintptr_t off, char *out, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st;
    void *map = fstat(fd, &st) == 0 && st.st_size > (off_t)sizeof(Elf64_Ehdr)
                    ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
    close(fd);
    if (map == MAP_FAILED) return false;
    bool found = false;
    const Elf64_Ehdr *eh = map;
    size_t size = (size_t)st.st_size;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 && eh->e_ident[EI_CLASS] == ELFCLASS64 &&
        eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) <= size) {
        const Elf64_Shdr *sh = (const Elf64_Shdr *)((const char *)map + eh->e_shoff);
        for (int pass = 0; pass < 2 && !found; pass++) {
            uint32_t want = pass == 0 ? SHT_SYMTAB : SHT_DYNSYM;
            for (int i = 0; i < eh->e_shnum && !found; i++) {
                if (sh[i].sh_type != want || sh[i].sh_link >= eh->e_shnum) continue;
                const Elf64_Shdr *strs = &sh[sh[i].sh_link];
                if (sh[i].sh_offset + sh[i].sh_size > size || strs->sh_offset + strs->sh_size > size) continue;
                const Elf64_Sym *sym = (const Elf64_Sym *)((const char *)map + sh[i].sh_offset);
                const char *names = (const char *)map + strs->sh_offset;
                for (size_t k = 0; k < sh[i].sh_size / sizeof *sym; k++) {
                    if (ELF64_ST_TYPE(sym[k].st_info) != STT_FUNC || sym[k].st_name >= strs->sh_size) continue;
                    if (off >= sym[k].st_value && off < sym[k].st_value + sym[k].st_size) {
                        snprintf(out, cap, "%s", names + sym[k].st_name);
                        found = true;
                        break;
                    }
                }
            }
        }
    }
    munmap(map, size);
    return found;
}

/* "leaky.so!leaky_leak_block": the library (dladdr) and the function (its symbol table:
 * an extension's static functions are invisible to dladdr alone). */
void ix_debug_site_name(uintptr_t site, char *out, size_t cap)
{
    Dl_info info;
    if (!site || !dladdr((void *)site, &info) || !info.dli_fname) {
        snprintf(out, cap, "%s", site ? "(unknown)" : "(host)");
        return;
    }
    const char *base = strrchr(info.dli_fname, '/');
    base = base ? base + 1 : info.dli_fname;
    char fn[128];
    uintptr_t off = site - (uintptr_t)info.dli_fbase;
    if (elf_function(info.dli_fname, off, fn, sizeof fn) || (info.dli_sname && snprintf(fn, sizeof fn, "%s", info.dli_sname) > 0))
        snprintf(out, cap, "%s!%s", base, fn);
    else
        snprintf(out, cap, "%s+0x%lx", base, (unsigned long)off);
}

/* ---------------------------------------------------------------- violations */

static IxInterp *interp_of_heap(IxHeap *h)
{
    return (IxInterp *)((char *)h - offsetof(IxInterp, heap));
}

/* Log a violation; in a live call also raise it there (now, or when the entry returns). */
static void violation(IxInterp *in, IxContext *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void violation(IxInterp *in, IxContext *ctx, const char *fmt, ...)
{
    char api[64], msg[512];
    public_name(in->debug_api ? in->debug_api : "(host)", api, sizeof api);
    int n = snprintf(msg, sizeof msg, "isolex debug: %s: ", in->debug_api ? api : "(host)");
    va_list va;
    va_start(va, fmt);
    vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, va);
    va_end(va);
    log_violation(msg);
    /* The first violation of a call is the one raised; the log keeps every one. */
    if (ctx && !ix_err_pending(ctx)) ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s", msg);
    else if (!ctx && in->debug_api) snprintf(in->debug_pending, sizeof in->debug_pending, "%s", msg);
}

static const char *quarantined_type(IxHeap *h, IxBlock *b)
{
    for (size_t i = 0; h->quarantine && i < IX_QUARANTINE; i++)
        if (h->quarantine[i] == b) return h->q_types[i];
    return "freed";
}

void ix_debug_block_violation(IxHeap *h, void *p, const char *what)
{
    IxBlock *b = IX_BLOCK_OF(p);
    char site[160];
    ix_debug_site_name(ix_heap_site(p), site, sizeof site);
    if (b->kind == IX_BLOCK_OBJECT)
        violation(interp_of_heap(h), NULL, "%s a %s object allocated at %s", what, IX_TYPE(p)->name, site);
    else
        violation(interp_of_heap(h), NULL, "%s a block of %zu bytes allocated at %s", what, b->size, site);
}

/* ---------------------------------------------------------------- argument checks */

static bool check_obj(IxCtx *c, IxObject *o, int k, bool optional)
{
    if (!o) {
        if (!optional) violation(c->interp, &c->pub, "argument %d is NULL", k);
        return optional;
    }
    IxBlock *b = IX_BLOCK_OF(o);
    char site[160];
    if (b->kind == IX_BLOCK_FREED) {
        ix_debug_site_name(ix_heap_site(o), site, sizeof site);
        violation(c->interp, &c->pub, "argument %d is a freed object (allocated at %s)", k, site);
        return false;
    }
    IxTypeObject *t = IX_TYPE(o);
    if (t->interp != c->interp) {
        violation(c->interp, &c->pub, "argument %d is a %s object of interpreter %lld, used in interpreter %lld",
                  k, t->name, (long long)t->interp->id, (long long)c->interp->id);
        return false;
    }
    return true;
}

static bool check_array(IxCtx *c, IxObject *const *a, size_t n, int k)
{
    for (size_t i = 0; i < n; i++)
        if (!check_obj(c, a[i], k + (int)i, false)) return false;
    return true;
}

static bool check_block(IxCtx *c, void *p)
{
    if (!p || IX_BLOCK_OF(p)->kind != IX_BLOCK_FREED) return true;
    char site[160];
    ix_debug_site_name(ix_heap_site(p), site, sizeof site);
    violation(c->interp, &c->pub, "use of a freed block of %zu bytes allocated at %s",
              IX_BLOCK_OF(p)->size, site);
    return false;
}

/* Decref of an object already freed is the underflow: its last reference went before.
 * Another interpreter's object is reported and its reference still dropped -- unless that
 * would free it from the wrong interpreter's heap. */
static bool check_decref(IxCtx *c, IxObject *o)
{
    if (!o) return true;
    IxBlock *b = IX_BLOCK_OF(o);
    if (b->kind != IX_BLOCK_FREED && IX_REFCNT(o) > 0)
        return check_obj(c, o, 1, false) || IX_REFCNT(o) > 1;
    char site[160];
    ix_debug_site_name(ix_heap_site(o), site, sizeof site);
    const char *type = b->kind == IX_BLOCK_FREED ? quarantined_type(&c->interp->heap, b) : IX_TYPE(o)->name;
    violation(c->interp, &c->pub, "refcount underflow on a %s object allocated at %s", type, site);
    return false;
}

/* A reference taken to another interpreter's object is reported, and still counted: the
 * code that took it will drop it, and refcounts must stay balanced for later checks. */
static bool check_incref(IxCtx *c, IxObject *o)
{
    bool ok = check_obj(c, o, 1, true);
    return ok || (o && IX_BLOCK_OF(o)->kind != IX_BLOCK_FREED);
}

/* ---------------------------------------------------------------- the checking table */

typedef struct Frame {
    const char *api;
    uintptr_t site;
} Frame;

static void frame_push(IxCtx *c, Frame *f, const char *api, void *caller)
{
    f->api = c->interp->debug_api;
    f->site = c->interp->heap.site;
    c->interp->debug_api = api;
    c->interp->heap.site = (uintptr_t)caller;
}

static void frame_pop(IxCtx *c, Frame *f)
{
    IxInterp *in = c->interp;
    if (in->debug_pending[0]) {
        ix_err_format(&c->pub, IX_EXC_SYSTEMERROR, "%s", in->debug_pending);
        in->debug_pending[0] = 0;
    }
    in->debug_api = f->api;
    in->heap.site = f->site;
}

/* Locals of the generated functions are named ix*_ so no parameter name in
 * ix_table.def can shadow them. */
#define OK true
#define OBJ(o, k) check_obj(ixc_, (o), (k), false)
#define OPT(o, k) check_obj(ixc_, (o), (k), true)
#define ARR(a, n, k) check_array(ixc_, (a), (n), (k))
#define BLK(p) check_block(ixc_, (p))
#define DECREF_OK(o) check_decref(ixc_, (o))
#define INCREF_OK(o) check_incref(ixc_, (o))

#define IX_FN(ret, name, params, args, checks, fail)                         \
    static ret dbg_##name params                                             \
    {                                                                        \
        IxCtx *ixc_ = IX_CTX(ctx);                                           \
        Frame ixf_;                                                          \
        frame_push(ixc_, &ixf_, #name, __builtin_return_address(0));         \
        if (!(checks)) {                                                     \
            frame_pop(ixc_, &ixf_);                                          \
            return fail;                                                     \
        }                                                                    \
        ret ixr_ = ix_function_table.name args;                              \
        frame_pop(ixc_, &ixf_);                                              \
        return ixr_;                                                         \
    }
#define IX_FNV(name, params, args, checks)                                   \
    static void dbg_##name params                                            \
    {                                                                        \
        IxCtx *ixc_ = IX_CTX(ctx);                                           \
        Frame ixf_;                                                          \
        frame_push(ixc_, &ixf_, #name, __builtin_return_address(0));         \
        if (checks) ix_function_table.name args;                             \
        frame_pop(ixc_, &ixf_);                                              \
    }
#include "ix_table.def"
#undef IX_FN
#undef IX_FNV

#define IX_FN(ret, name, params, args, checks, fail) .name = dbg_##name,
#define IX_FNV(name, params, args, checks) .name = dbg_##name,
const IxFunctionTable ix_debug_table = {
    .abi_major = IX_ABI_MAJOR,
    .abi_minor = IX_ABI_MINOR,
    .size = sizeof(IxFunctionTable),
#include "ix_table.def"
};
#undef IX_FN
#undef IX_FNV

/* ---------------------------------------------------------------- dead contexts */

/* A retired debug context points here: every call is logged and does nothing. The
 * context's memory is kept (see retire) so the pointer stays readable. */
static void dead_call(IxContext *ctx, const char *entry)
{
    char api[64], msg[200];
    public_name(entry, api, sizeof api);
    snprintf(msg, sizeof msg, "isolex debug: %s: context of interpreter %lld used after its call returned",
             api, (long long)IX_CTX(ctx)->interp_id);
    log_violation(msg);
}

#define IX_FN(ret, name, params, args, checks, fail) \
    static ret dead_##name params { dead_call(ctx, #name); return fail; }
#define IX_FNV(name, params, args, checks) \
    static void dead_##name params { dead_call(ctx, #name); }
#include "ix_table.def"
#undef IX_FN
#undef IX_FNV

#define IX_FN(ret, name, params, args, checks, fail) .name = dead_##name,
#define IX_FNV(name, params, args, checks) .name = dead_##name,
static const IxFunctionTable dead_table = {
    .abi_major = IX_ABI_MAJOR,
    .abi_minor = IX_ABI_MINOR,
    .size = sizeof(IxFunctionTable),
#include "ix_table.def"
};
#undef IX_FN
#undef IX_FNV

#undef OK
#undef OBJ
#undef OPT
#undef ARR
#undef BLK
#undef DECREF_OK
#undef INCREF_OK

/* ---------------------------------------------------------------- debug contexts */

#define RETIRED 256

static pthread_mutex_t retired_lock = PTHREAD_MUTEX_INITIALIZER;
static IxCtx *retired[RETIRED];
static size_t retired_next;

IxCtx *ix_debug_ctx_new(IxInterp *in)
{
    IxCtx *c = malloc(sizeof *c);
    if (!c) return NULL;
    ix_ctx_init(c, in);
    c->pub.fn = &ix_debug_table;
    return c;
}

/* Keep the last RETIRED dead contexts readable, so a stale pointer reaches dead_table. */
void ix_debug_ctx_retire(IxCtx *c)
{
    c->pub.fn = &dead_table;
    pthread_mutex_lock(&retired_lock);
    free(retired[retired_next]);
    retired[retired_next] = c;
    retired_next = (retired_next + 1) % RETIRED;
    pthread_mutex_unlock(&retired_lock);
}
