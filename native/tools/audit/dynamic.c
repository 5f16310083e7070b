/*
 * dynamic.c -- the dynamic half of ixaudit: import the module into two interpreters, run
 * the --call expressions (run_call.c, the parser `ixdriver run` uses) in each, and compare
 * the library's watched sections (.data, .bss: static.c) before and after every step.
 *
 * The library is dlopen'ed here first, so its writable sections can be read before the
 * first import: the host's own dlopen of the same file then finds it loaded (the loader
 * knows a file by its identity) and both see one mapping. Relocation has happened by then,
 * so a relocated pointer is not mistaken for a write. TLS sections (.tdata, .tbss) are
 * watched in this thread's block (the one every step runs on), or, before the block
 * exists, in the image it will be made from.
 *
 * Single-threaded: one thread enters one interpreter at a time.
 */
#define _GNU_SOURCE

#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "isolex_host.h"
#include "run_call.h"

#define TEXT_SIZE 1024
#define INTERPRETERS 2

typedef struct Snapshot {
    unsigned char *bytes[8];  /* one per watched section */
} Snapshot;

static int is_tls(const char *section) { return strncmp(section, ".t", 2) == 0; }

/* Where a watched section's bytes are now: in the mapping, or for a TLS section in this
 * thread's TLS block (NULL: not made yet, so still its image -- .tdata's initial bytes in
 * the mapping, .tbss's zeros). */
static const void *section_bytes(const IxaAudit *a, const IxaSection *sec, uintptr_t base, void *handle)
{
    void *block = NULL;
    if (!is_tls(sec->name)) return (const void *)(base + sec->addr);
    if (dlinfo(handle, RTLD_DI_TLS_DATA, &block) == 0 && block)
        return (const unsigned char *)block + (sec->addr - a->tls_vaddr);
    return strcmp(sec->name, ".tdata") == 0 ? (const void *)(base + sec->addr) : NULL;
}

static void snapshot_take(const IxaAudit *a, uintptr_t base, void *handle, Snapshot *s)
{
    size_t i;
    for (i = 0; i < a->nsections; i++) {
        const void *now = section_bytes(a, &a->sections[i], base, handle);
        if (!(s->bytes[i] = calloc(1, a->sections[i].size ? a->sections[i].size : 1))) {
            perror("ixaudit");
            exit(2);
        }
        if (now) memcpy(s->bytes[i], now, a->sections[i].size);
    }
}

static void snapshot_free(const IxaAudit *a, Snapshot *s)
{
    size_t i;
    for (i = 0; i < a->nsections; i++) free(s->bytes[i]);
}

/* The global holding addr, or -1. */
static int global_holding(const IxaAudit *a, uint64_t addr)
{
    size_t i;
    for (i = 0; i < a->nglobals; i++) {
        const IxaGlobal *g = &a->globals[i];
        if (g->kind != IXA_LEGACY_INIT && g->kind != IXA_UNATTRIBUTED
            && addr >= g->addr && addr < g->addr + g->size)
            return (int)i;
    }
    return -1;
}

/* One changed byte at addr: it extends the step's last write when that covers the same
 * global (or, for bytes no symbol names, lies within a word of it), else starts one. */
static void note_write(IxaStep *step, const IxaAudit *a, const char *section, uint64_t section_addr,
                       uint64_t addr)
{
    int g = global_holding(a, addr);
    IxaWrite *w;
    if (step->nwrites > 0) {
        w = &step->writes[step->nwrites - 1];
        uint64_t start = (w->global >= 0 ? a->globals[w->global].addr : section_addr) + w->offset;
        if ((g >= 0 && w->global == g)
            || (g < 0 && w->global < 0 && w->section == section && addr - (start + w->bytes) < 8)) {
            w->bytes = addr - start + 1;
            return;
        }
    }
    w = realloc(step->writes, (step->nwrites + 1) * sizeof *w);
    if (!w) { perror("ixaudit"); exit(2); }
    step->writes = w;
    w = &w[step->nwrites++];
    w->global = g;
    w->section = section;
    w->offset = g >= 0 ? addr - a->globals[g].addr : addr - section_addr;
    w->bytes = 1;
}

/* Widen each write to whole 8-byte words (within its global or section): which bytes of
 * a pointer change depends on where the allocator put its target, the words do not. */
static void round_to_words(IxaStep *step, const IxaAudit *a, uint64_t section_size)
{
    size_t i;
    for (i = 0; i < step->nwrites; i++) {
        IxaWrite *w = &step->writes[i];
        uint64_t limit = w->global >= 0 ? a->globals[w->global].size : section_size;
        uint64_t start = w->offset & ~(uint64_t)7, end = (w->offset + w->bytes + 7) & ~(uint64_t)7;
        if (end > limit) end = limit;
        w->offset = start;
        w->bytes = end - start;
    }
}

static void diff(IxaStep *step, const IxaAudit *a, const Snapshot *before, const Snapshot *after)
{
    size_t i, first;
    uint64_t k;
    for (i = 0; i < a->nsections; i++) {
        if (!before->bytes[i]) continue;
        first = step->nwrites;
        for (k = 0; k < a->sections[i].size; k++)
            if (before->bytes[i][k] != after->bytes[i][k])
                note_write(step, a, a->sections[i].name, a->sections[i].addr,
                           a->sections[i].addr + k);
        {
            IxaStep part = *step;  /* this section's writes only */
            part.writes += first;
            part.nwrites -= first;
            round_to_words(&part, a, a->sections[i].size);
        }
    }
}

static IxaStep *new_step(IxaAudit *a, char *what)
{
    IxaStep *grown = realloc(a->steps, (a->nsteps + 1) * sizeof *grown);
    if (!grown) { perror("ixaudit"); exit(2); }
    a->steps = grown;
    memset(&grown[a->nsteps], 0, sizeof *grown);
    grown[a->nsteps].what = what;
    return &grown[a->nsteps++];
}

/* The outcome of a step that returned result (new reference, consumed) or raised. */
static char *outcome(IxContext *ctx, IxObject *result, int import)
{
    char text[TEXT_SIZE];
    if (result) {
        char *s = import ? ixa_strdup("ok") : ixa_format("-> %s", ixd_call_repr(ctx, result, text, sizeof text));
        Ix_Decref(ctx, result);
        return s;
    }
    if (!ixh_error_text(ctx, text, sizeof text)) snprintf(text, sizeof text, "(no error set)");
    IxErr_Clear(ctx);
    return ixa_format("raised %s", text);
}

typedef struct Run {
    IxaAudit *a;
    uintptr_t base;
    void *handle;              /* the library, dlopen'ed here: its TLS block is asked of it */
    IxInterp *interps[INTERPRETERS];
    IxObject *modules[INTERPRETERS];
} Run;

/* The level the module declares (ABI.md 4.9), into a->declared and a->declared_by: its
 * IX_MOD_MULTIPLE_INTERPRETERS slot, else the multiphase default; a legacy module is one
 * interpreter's (7.3). Left at -1 when the import gave no module (4.4). */
static void read_declared(IxaAudit *a, IxContext *ctx, IxObject *module)
{
    const IxModuleDef *def;
    const IxModuleSlot *s;
    size_t i;
    for (i = 0; i < a->nglobals; i++)
        if (a->globals[i].kind == IXA_LEGACY_INIT && !strcmp(a->globals[i].name + strlen("IxInitLegacy_"), a->module)) {
            a->declared = IXA_NOT_SUPPORTED;
            a->declared_by = "single-phase init";
            return;
        }
    if (!(def = IxModule_GetDef(ctx, module))) {
        IxErr_Clear(ctx);
        return;
    }
    a->declared = IXA_PER_INTERPRETER_LOCK;
    a->declared_by = "no IX_MOD_MULTIPLE_INTERPRETERS slot: the multiphase default";
    for (s = def->slots; s && s->id; s++)
        if (s->id == IX_MOD_MULTIPLE_INTERPRETERS) {
            a->declared = (int)((uintptr_t)s->value - 1);
            a->declared_by = "its IX_MOD_MULTIPLE_INTERPRETERS slot";
        }
}

/* One step in interpreter k: an import (call == NULL) or a call, watched. */
static void watched_step(Run *r, int k, const IxdCall *call, size_t index)
{
    Snapshot before, after;
    IxContext *ctx = ixh_enter(r->interps[k]);
    IxaStep *step;
    IxObject *result;
    if (!ctx) { fprintf(stderr, "ixaudit: ixh_enter failed\n"); exit(2); }
    step = new_step(r->a, call ? ixa_format("call %zu in interpreter %d: %s", index, k + 1, call->text)
                               : ixa_format("import in interpreter %d", k + 1));
    snapshot_take(r->a, r->base, r->handle, &before);
    if (call) {
        result = ixd_call_run(ctx, r->modules[k], call);
    } else {
        result = ixh_import_module(ctx, r->a->module);
        if (result) r->modules[k] = Ix_NewRef(ctx, result);
        if (result && k == 0) read_declared(r->a, ctx, result);
    }
    step->result = outcome(ctx, result, call == NULL);
    snapshot_take(r->a, r->base, r->handle, &after);
    diff(step, r->a, &before, &after);
    snapshot_free(r->a, &before);
    snapshot_free(r->a, &after);
    ixh_leave(ctx);
}

static void close_all(Run *r)
{
    int k;
    for (k = 0; k < INTERPRETERS; k++) {
        if (r->modules[k]) {
            IxContext *ctx = ixh_enter(r->interps[k]);
            Ix_Decref(ctx, r->modules[k]);
            ixh_leave(ctx);
        }
        ixh_interp_close(r->interps[k], NULL, 0, NULL);
    }
}

int ixa_dynamic(IxaAudit *a, const char *const *texts, size_t ncalls, char *err, size_t cap)
{
    Run r;
    IxdCall *calls = calloc(ncalls ? ncalls : 1, sizeof *calls);
    char real[PATH_MAX], dir[PATH_MAX], *slash;
    struct link_map *map = NULL;
    void *handle;
    size_t i;
    int k;

    if (!calls) { perror("ixaudit"); exit(2); }
    for (i = 0; i < ncalls; i++) {
        size_t pos = 0;
        char msg[256];
        if (ixd_call_parse(texts[i], &calls[i], &pos, msg, sizeof msg) != 0) {
            ixd_call_print_error(stderr, "ixaudit", texts[i], pos, msg);
            exit(2);
        }
    }
    if (!realpath(a->path, real)) {
        snprintf(err, cap, "%s: cannot resolve the path", a->path);
        return -1;
    }
    /* The module path is the file's own directory, as given (a symlink such as
     * legacy_peek.so names its module), so import finds NAME.so there. */
    snprintf(dir, sizeof dir, "%s", a->path);
    slash = strrchr(dir, '/');
    if (slash) *slash = '\0'; else snprintf(dir, sizeof dir, ".");
    if (!(handle = dlopen(real, RTLD_NOW | RTLD_LOCAL))
        || dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0) {
        snprintf(err, cap, "%s: cannot load: %s", a->path, dlerror());
        if (handle) dlclose(handle);
        return -1;
    }
    memset(&r, 0, sizeof r);
    r.a = a;
    r.base = (uintptr_t)map->l_addr;
    r.handle = handle;
    a->dynamic = 1;
    a->ncalls = ncalls;
    for (k = 0; k < INTERPRETERS; k++) {
        IxInterpConfig config = { .module_path = dir };
        if (!(r.interps[k] = ixh_interp_new(&config))) { fprintf(stderr, "ixaudit: out of memory\n"); exit(2); }
    }
    for (k = 0; k < INTERPRETERS; k++) watched_step(&r, k, NULL, 0);
    if (!r.modules[0]) a->import_failed = 1;
    for (i = 0; i < ncalls && !a->import_failed; i++)
        for (k = 0; k < INTERPRETERS; k++)
            if (r.modules[k]) watched_step(&r, k, &calls[i], i + 1);
    close_all(&r);
    for (i = 0; i < ncalls; i++) ixd_call_free(&calls[i]);
    free(calls);
    dlclose(handle);
    return 0;
}
