/*
 * debug.c -- debug mode (ABI.md 10): the checking function table, the table dead contexts
 * point at, the process-wide violation log, and naming allocation sites.
 *
 * Both tables are generated from ix_table.def, so every entry is wrapped the same way and
 * a new entry cannot be forgotten. A checking entry validates its arguments, records the
 * caller (the extension function) as the allocation site, calls the ordinary entry, and
 * turns a violation the heap found meanwhile (a double free, a broken guard) into a
 * SystemError in the caller's context. Around each call into extension code (object.c)
 * the same checks apply to the result, and to decrefs of what the callee borrowed.
 *
 * A pointer is validated by address, against the heaps' registries (heap.c), before
 * anything reads through it: see "what a pointer is" below.
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
#include <sys/uio.h>
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

void ix_debug_log(const char *line)
{
    log_violation(line);
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

/* Log a violation; in a live call also raise it there (now, or when the entry returns).
 * `where` heads the report: NULL for the API entry running now ("Ix_Decref"), else what
 * the caller names ("buggy.take_global()"). */
static void violation(IxInterp *in, IxContext *ctx, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void violation(IxInterp *in, IxContext *ctx, const char *where, const char *fmt, ...)
{
    char api[64], msg[512];
    if (!where) {
        public_name(in->debug_api ? in->debug_api : "(host)", api, sizeof api);
        where = in->debug_api ? api : "(host)";
    }
    int n = snprintf(msg, sizeof msg, "isolex debug: %s: ", where);
    va_list va;
    va_start(va, fmt);
    vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, va);
    va_end(va);
    log_violation(msg);
    /* The first violation of a call is the one raised; the log keeps every one. */
    if (ctx && !ix_err_pending(ctx)) ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s", msg);
    else if (!ctx && in->debug_api && in->debug_pending) snprintf(in->debug_pending, IX_DEBUG_PENDING, "%s", msg);
}

void ix_debug_block_violation(IxHeap *h, void *p, const char *what)
{
    IxBlock *b = IX_BLOCK_OF(p);
    char site[160];
    ix_debug_site_name(ix_heap_site(p), site, sizeof site);
    if (b->kind == IX_BLOCK_OBJECT)
        violation(interp_of_heap(h), NULL, NULL, "%s a %s object allocated at %s", what, IX_TYPE(p)->name, site);
    else
        violation(interp_of_heap(h), NULL, NULL, "%s a block of %zu bytes allocated at %s", what, b->size, site);
}

/* ---------------------------------------------------------------- what a pointer is
 *
 * Nothing here reads through a pointer an extension passed before a heap's registry has
 * vouched for it (ix_heap_owns, ix_heap_find_foreign): a freed object, another
 * interpreter's, one of a closed interpreter, a stack buffer, a malloc'd block are all
 * told apart by address first. Only a pointer no debug heap knows is probed, through the
 * kernel (which fails where nothing is mapped instead of faulting), to recognise an object
 * of a release interpreter. */

static bool own_object(IxInterp *in, const void *p)
{
    return ix_heap_owns(&in->heap, p) && IX_BLOCK_OF(p)->kind == IX_BLOCK_OBJECT;
}

/* n bytes at p into out, or false where they are not all mapped. */
static bool safe_read(const void *p, void *out, size_t n)
{
    struct iovec local = {out, n}, remote = {(void *)p, n};
    return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == (ssize_t)n;
}

/* An object of a release interpreter, judged by its shape: its type is a type (whose own
 * type is its own type), of the interpreter whose 'type' builtin that is. Describes only:
 * the memory may be stale, so nothing is written through it. */
static bool probe_object(const void *p, char *type, size_t cap, int64_t *interp_id)
{
    IxObject o, meta;
    IxTypeObject t;
    IxObject *interp_type;
    if (!safe_read(p, &o, sizeof o) || o.ix_refcnt_private <= 0 ||
        !safe_read(o.ix_type_private, &t, sizeof t) ||
        !safe_read(t.ob_base.ix_type_private, &meta, sizeof meta) ||
        meta.ix_type_private != t.ob_base.ix_type_private ||
        !safe_read(&t.interp->builtins[IX_TYPE_TYPE], &interp_type, sizeof interp_type) ||
        interp_type != t.ob_base.ix_type_private || !safe_read(&t.interp->id, interp_id, sizeof *interp_id))
        return false;
    /* the name, byte by byte up to its NUL: it may end just before an unmapped page */
    size_t n = 0;
    while (n + 1 < cap && safe_read(t.name + n, type + n, 1) && type[n]) n++;
    type[n] = 0;
    return n > 0;
}

/* The description of what another debug heap knows of a pointer; true for a live object
 * of a live interpreter (which may still be counted, 10.2.1), false for what is never
 * touched. */
static bool describe_foreign(IxInterp *in, const IxForeignBlock *f, char *what, size_t cap)
{
    char site[160];
    const char *closed = f->closed ? " (closed)" : "";
    if (f->kind == IX_BLOCK_OBJECT) {
        snprintf(what, cap, "a %s object of interpreter %lld%s, used in interpreter %lld", f->type,
                 (long long)f->interp_id, closed, (long long)in->id);
        return !f->closed;
    }
    ix_debug_site_name(f->site, site, sizeof site);
    if (f->kind == IX_BLOCK_FREED)
        snprintf(what, cap, "a freed object of interpreter %lld%s (allocated at %s)", (long long)f->interp_id,
                 closed, site);
    else
        snprintf(what, cap, "a block of %zu bytes of interpreter %lld%s, not an object", f->size,
                 (long long)f->interp_id, closed);
    return false;
}

/* What p, which is not a live object of this interpreter, is: the end of "argument 1 is
 * ..." / "result is ...". True only for a live object of another live debug interpreter. */
static bool describe(IxInterp *in, const void *p, char *what, size_t cap)
{
    char site[160], type[48];
    int64_t id;
    if (ix_heap_owns(&in->heap, p)) {
        ix_debug_site_name(ix_heap_site((void *)p), site, sizeof site);
        if (IX_BLOCK_OF(p)->kind == IX_BLOCK_FREED)
            snprintf(what, cap, "a freed object (allocated at %s)", site);
        else
            snprintf(what, cap, "a block of %zu bytes allocated at %s, not an object", IX_BLOCK_OF(p)->size, site);
        return false;
    }
    IxForeignBlock f;
    if (ix_heap_find_foreign(&in->heap, p, &f)) return describe_foreign(in, &f, what, cap);
    if (probe_object(p, type, sizeof type, &id) && id != in->id)
        snprintf(what, cap, "a %s object of interpreter %lld, used in interpreter %lld", type, (long long)id,
                 (long long)in->id);
    else
        snprintf(what, cap, "not an object");
    return false;
}

/* ---------------------------------------------------------------- argument checks */

/* Report argument k, which is not a live object of this interpreter. True when it is one
 * of another live debug interpreter (see describe). */
static bool bad_argument(IxCtx *c, const void *p, int k)
{
    char what[320];
    bool foreign_live = describe(c->interp, p, what, sizeof what);
    violation(c->interp, &c->pub, NULL, "argument %d is %s", k, what);
    return foreign_live;
}

static bool check_obj(IxCtx *c, IxObject *o, int k, bool optional)
{
    if (!o) {
        if (!optional) violation(c->interp, &c->pub, NULL, "argument %d is NULL", k);
        return optional;
    }
    if (own_object(c->interp, o)) return true;
    bad_argument(c, o, k);
    return false;
}

/* An array of n objects; NULL is an empty array, allowed only when n is 0 (ABI.md 4.13). */
static bool check_array(IxCtx *c, IxObject *const *a, size_t n, int k)
{
    if (!a && n) {
        violation(c->interp, &c->pub, NULL, "args is NULL but nargs is %zu", n);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        if (!check_obj(c, a[i], k + (int)i, false)) return false;
    return true;
}

/* IxMem_Realloc and IxMem_Free take a live block of this interpreter, or NULL. A freed
 * one, given to IxMem_Free, is the heap's to report (a double free). */
static bool check_block(IxCtx *c, void *p, bool freeing)
{
    if (!p) return true;
    IxInterp *in = c->interp;
    char site[160];
    if (!ix_heap_owns(&in->heap, p)) {
        violation(in, &c->pub, NULL, "argument 1 is not a block of this interpreter");
        return false;
    }
    IxBlock *b = IX_BLOCK_OF(p);
    if (b->kind == IX_BLOCK_RAW || (b->kind == IX_BLOCK_FREED && freeing)) return true;
    if (b->kind == IX_BLOCK_OBJECT) {
        violation(in, &c->pub, NULL, "argument 1 is a %s object, not a block from IxMem_Malloc", IX_TYPE(p)->name);
        return false;
    }
    ix_debug_site_name(ix_heap_site(p), site, sizeof site);
    violation(in, &c->pub, NULL, "use of a freed block of %zu bytes allocated at %s", b->size, site);
    return false;
}

/* One call into extension code while it runs, on the caller's stack: what the callee
 * borrowed from its caller, for the decref and result checks. */
typedef struct IxDebugCall {
    struct IxDebugCall *outer;
    IxObject *self;
    IxObject *const *args;
    size_t nargs;
    const char *owner, *name;
    IxEntry entry;
} IxDebugCall;

/* "buggy.take_global()", "counter.Counter()": the callee of a debug call, in reports. */
static void callee_text(const IxDebugCall *dc, char *out, size_t cap)
{
    if (dc->name) snprintf(out, cap, "%s.%s()", dc->owner, dc->name);
    else snprintf(out, cap, "%s()", dc->owner);
}

/* Which reference dc's callee borrowed o as: "argument 2", "self", or NULL. */
static const char *borrowed_as(const IxDebugCall *dc, const IxObject *o, char *out, size_t cap)
{
    for (size_t i = 0; i < dc->nargs; i++)
        if (dc->args[i] == o) {
            snprintf(out, cap, "argument %zu", i + 1);
            return out;
        }
    return dc->self == o ? "self" : NULL;
}

/* A decref that would free o, which a call running in this entry borrowed: its caller
 * still holds that reference (ABI.md 3.1). Reported, and true, when so. */
static bool frees_borrowed(IxCtx *c, IxObject *o)
{
    char buf[32], callee[256];
    for (const IxDebugCall *dc = c->debug_calls; dc; dc = dc->outer) {
        const char *as = borrowed_as(dc, o, buf, sizeof buf);
        if (!as) continue;
        callee_text(dc, callee, sizeof callee);
        violation(c->interp, &c->pub, NULL,
                  "refcount underflow on a %s object borrowed as %s of %s (its caller holds the only reference)",
                  IX_TYPE(o)->name, as, callee);
        return true;
    }
    return false;
}

/* Decref of an object already freed is the underflow: its last reference went before. So
 * is one that would free an argument the caller still holds. A live object of another
 * debug interpreter is reported and its reference still dropped -- unless that would free
 * it from the wrong interpreter's heap. Anything else is reported and left alone. */
static bool check_decref(IxCtx *c, IxObject *o)
{
    if (!o) return true;
    IxInterp *in = c->interp;
    if (own_object(in, o)) return IX_REFCNT(o) > 1 || !frees_borrowed(c, o);
    if (ix_heap_owns(&in->heap, o) && IX_BLOCK_OF(o)->kind == IX_BLOCK_FREED) {
        char site[160];
        ix_debug_site_name(ix_heap_site(o), site, sizeof site);
        violation(in, &c->pub, NULL, "refcount underflow on a %s object allocated at %s",
                  ix_heap_freed_type(&in->heap, o), site);
        return false;
    }
    return bad_argument(c, o, 1) && IX_REFCNT(o) > 1;
}

/* A reference taken to a live object of another debug interpreter is reported, and still
 * counted: the code that took it will drop it, and refcounts must stay balanced for later
 * checks. Anything else that is not a live object here is reported and not touched. */
static bool check_incref(IxCtx *c, IxObject *o)
{
    if (!o || own_object(c->interp, o)) return true;
    return bad_argument(c, o, 1);
}

/* ---------------------------------------------------------------- calls into extension code */

/* Record the call and enter the callee's code (object.c's entry rules). */
static void call_push(IxContext *ctx, IxDebugCall *dc, IxObject *self, IxObject *const *args, size_t n,
                      IxObject *module, const char *owner, const char *name)
{
    IxCtx *c = IX_CTX(ctx);
    dc->outer = c->debug_calls;
    dc->self = self;
    dc->args = args;
    dc->nargs = n;
    dc->owner = owner;
    dc->name = name;
    c->debug_calls = dc;
    ix_enter_code(ctx, module, &dc->entry);
}

/* The result must be a live object of this interpreter with a reference of its own. Held
 * by the caller as an argument (or self), it needs a count above the one the caller's
 * reference makes: at 1, the callee returned its borrowed argument. A result refused here
 * is not dropped: the reference it would be is not the callee's to give. */
static IxObject *call_pop(IxContext *ctx, IxDebugCall *dc, IxObject *r)
{
    IxCtx *c = IX_CTX(ctx);
    char callee[256], what[320], buf[32];
    ix_leave_code(ctx, &dc->entry);
    c->debug_calls = dc->outer;
    if (!r) return NULL;
    bool own = own_object(c->interp, r);
    const char *as = own && IX_REFCNT(r) <= 1 ? borrowed_as(dc, r, buf, sizeof buf) : NULL;
    if (own && !as) return r;
    callee_text(dc, callee, sizeof callee);
    if (own) {
        violation(c->interp, ctx, callee, "result is %s (a %s object), returned without a new reference", as,
                  IX_TYPE(r)->name);
        return NULL;
    }
    bool foreign_live = describe(c->interp, r, what, sizeof what);
    violation(c->interp, ctx, callee, "result is %s", what);
    if (foreign_live && IX_REFCNT(r) > 1) IX_REFCNT(r)--; /* as check_decref would */
    return NULL;
}

IxObject *ix_debug_run(IxContext *ctx, IxCFunction fn, IxObject *self, IxObject *const *args, size_t n,
                       IxObject *module, const char *owner, const char *name)
{
    IxDebugCall dc;
    call_push(ctx, &dc, self, args, n, module, owner, name);
    return call_pop(ctx, &dc, fn(ctx, self, args, n));
}

IxObject *ix_debug_run_method(IxContext *ctx, IxCMethod fn, IxObject *self, IxObject *cls,
                              IxObject *const *args, size_t n, IxObject *module, const char *owner,
                              const char *name)
{
    IxDebugCall dc;
    call_push(ctx, &dc, self, args, n, module, owner, name);
    return call_pop(ctx, &dc, fn(ctx, self, cls, args, n));
}

/* The keyword values follow the positional ones in args: all are borrowed by the callee. */
IxObject *ix_debug_run_kw(IxContext *ctx, IxCFunctionKw fn, IxObject *self, IxObject *const *args, size_t n,
                          IxObject *kwnames, IxObject *module, const char *owner, const char *name)
{
    IxDebugCall dc;
    call_push(ctx, &dc, self, args, n + ix_kwnames_count(ctx, kwnames), module, owner, name);
    return call_pop(ctx, &dc, fn(ctx, self, args, n, kwnames));
}

/* ABI 1.3 (ABI.md 4.36): a typed function borrows no object but self; an object result
 * ('s', 'y') is checked as any call's, and a refused one fails the call. */
int ix_debug_run_typed(IxContext *ctx, IxTypedFunction fn, IxObject *self, const IxValue *args, IxValue *result,
                       bool obj_result, IxObject *module, const char *owner, const char *name)
{
    IxDebugCall dc;
    call_push(ctx, &dc, self, NULL, 0, module, owner, name);
    int rc = fn(ctx, self, args, result);
    IxObject *r = call_pop(ctx, &dc, obj_result && rc == 0 ? result->obj : NULL);
    if (obj_result && rc == 0 && !r) result->obj = NULL; /* not the callee's to give: checked as missing */
    return rc;
}

IxObject *ix_debug_run_unary(IxContext *ctx, IxUnaryProc fn, IxObject *self, IxObject *module,
                             const char *owner, const char *name)
{
    IxDebugCall dc;
    call_push(ctx, &dc, self, NULL, 0, module, owner, name);
    return call_pop(ctx, &dc, fn(ctx, self));
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
    if (in->debug_pending && in->debug_pending[0]) {
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
#define BLK(p) check_block(ixc_, (p), false)
#define FREE_OK(p) check_block(ixc_, (p), true)
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
#undef FREE_OK
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
