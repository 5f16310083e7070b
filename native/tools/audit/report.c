/*
 * report.c -- ixaudit's verdict and its two outputs: text for people, --json for tools.
 * docs/audit.md documents both formats; tests assert them, so change them with the doc.
 */
#define _GNU_SOURCE

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"

/* ---------------------------------------------------------------- helpers */

char *ixa_strdup(const char *s)
{
    char *d = strdup(s);
    if (!d) { perror("ixaudit"); exit(2); }
    return d;
}

char *ixa_format(const char *fmt, ...)
{
    va_list va;
    char *s = NULL;
    va_start(va, fmt);
    if (vasprintf(&s, fmt, va) < 0) { perror("ixaudit"); exit(2); }
    va_end(va);
    return s;
}

static const char *const kind_names[IXA_KIND_COUNT] = {
    "legacy-init", "static-type", "object-ref", "state", "const-table", "unknown", "unattributed",
};

const char *ixa_kind_name(IxaKind kind) { return kind_names[kind]; }

/* How to fix a finding, and where the rules say so. */
static const char *fix_text(const IxaGlobal *g)
{
    switch (g->kind) {
    case IXA_LEGACY_INIT:
        return "single-phase init: export IxInit_NAME returning a definition with slots instead "
               "(MIGRATION.md 3; ABI.md 4.2, 7.1)";
    case IXA_STATIC_TYPE:
        return "a static type: make a heap type in an exec slot, kept in module state "
               "(MIGRATION.md 2; ABI.md 7.2)";
    case IXA_OBJECT_REF:
        return "holds objects: move it into module state; traverse visits it, clear drops it "
               "(MIGRATION.md 1; ABI.md 4.5, 4.8)";
    case IXA_STATE:
        if (g->tls)
            return "thread-local, so race-free, but every interpreter that runs on a thread shares "
                   "that thread's copy: move it into module state (MIGRATION.md 1; ABI.md 4.5)";
        return g->atomic ? "atomic, so race-free, but every interpreter shares it: move it into "
                           "module state unless it is process-wide on purpose (MIGRATION.md 1; ABI.md 4.5)"
                         : "C state shared by every interpreter: move it into module state "
                           "(MIGRATION.md 1; ABI.md 4.5)";
    case IXA_CONST_TABLE:
        return "an initialized table: declare it const (it then leaves the writable sections) "
               "(MIGRATION.md 1)";
    case IXA_UNKNOWN:
        return "no DWARF says what it is: rebuild with -g to classify it, or move it into "
               "module state (MIGRATION.md 1)";
    case IXA_UNATTRIBUTED:
        return "writable bytes beyond the C runtime's own, and no symbol table to name them: "
               "audit the unstripped library (MIGRATION.md 1)";
    default:
        return "?";
    }
}

/* ---------------------------------------------------------------- the verdict */

enum { NOT_SUPPORTED = IXA_NOT_SUPPORTED, SHARED_LOCK = IXA_SHARED_LOCK,
       PER_INTERPRETER_LOCK = IXA_PER_INTERPRETER_LOCK };
static const char *const level_names[] = {
    "IX_MOD_MULTI_NOT_SUPPORTED", "IX_MOD_MULTI_SHARED_LOCK", "IX_MOD_MULTI_PER_INTERPRETER_LOCK",
};

/* The highest level a global allows. */
static int global_level(const IxaGlobal *g)
{
    switch (g->kind) {
    case IXA_STATE: return g->atomic || g->tls ? PER_INTERPRETER_LOCK : SHARED_LOCK;
    case IXA_CONST_TABLE: return PER_INTERPRETER_LOCK;
    default: return NOT_SUPPORTED;
    }
}

static int is_call_step(const IxaStep *s) { return strncmp(s->what, "call ", 5) == 0; }
static int step_raised(const IxaStep *s) { return strncmp(s->result, "raised ", 7) == 0; }

/* An import that raised: a finding, unless the module declares IX_MOD_MULTI_NOT_SUPPORTED
 * (a legacy module does, 7.3), for which the second interpreter's refusal is the rule it
 * asked for, not news. */
static int import_refused(const IxaAudit *a, const IxaStep *s)
{
    return !is_call_step(s) && step_raised(s) && a->declared != NOT_SUPPORTED;
}

/* The highest level a dynamic write allows, by an import as by a call: a write into a
 * global cannot happen in parallel interpreters (an atomic one excepted), and one into a
 * global that holds objects or a static type means one interpreter only. (A second import
 * that is refused means one interpreter only too: verdict() counts that.) */
static int write_level(const IxaAudit *a, const IxaWrite *w)
{
    if (w->global >= 0 && (a->globals[w->global].atomic || a->globals[w->global].tls)
        && a->globals[w->global].kind == IXA_STATE)
        return PER_INTERPRETER_LOCK;
    if (w->global >= 0 && global_level(&a->globals[w->global]) == NOT_SUPPORTED) return NOT_SUPPORTED;
    return SHARED_LOCK;
}

static int verdict(const IxaAudit *a)
{
    int level = PER_INTERPRETER_LOCK;
    size_t i, j;
    for (i = 0; i < a->nglobals; i++)
        if (global_level(&a->globals[i]) < level) level = global_level(&a->globals[i]);
    for (i = 0; i < a->nsteps; i++) {
        if (import_refused(a, &a->steps[i])) level = NOT_SUPPORTED;
        for (j = 0; j < a->steps[i].nwrites; j++) {
            int l = write_level(a, &a->steps[i].writes[j]);
            if (l < level) level = l;
        }
    }
    return level;
}

static size_t dynamic_findings(const IxaAudit *a)
{
    size_t i, n = 0;
    for (i = 0; i < a->nsteps; i++) {
        n += a->steps[i].nwrites;
        if (import_refused(a, &a->steps[i])) n++;
    }
    return n;
}

size_t ixa_findings(const IxaAudit *a) { return a->nglobals + dynamic_findings(a); }

/* What the report cannot see, one sentence each (NULL-terminated into out). */
static size_t blind_spots(const IxaAudit *a, const char *out[5])
{
    size_t n = 0, i;
    if (!a->has_symtab)
        out[n++] = "no .symtab (stripped): globals are not named, only the writable sections' "
                   "sizes and .dynsym's exported symbols are read";
    if (!a->has_dwarf)
        out[n++] = "no DWARF: no source lines, and globals are not classified (kind unknown)";
    if (!a->dynamic)
        out[n++] = "no dynamic run (give --call, or --dynamic): writes at run time are not observed";
    for (i = 0; a->declared == NOT_SUPPORTED && i < a->nsteps; i++)
        if (!is_call_step(&a->steps[i]) && step_raised(&a->steps[i]) && i > 0) {
            out[n++] = "the second interpreter refused the module, as it declares: the calls ran in "
                       "one interpreter only";
            break;
        }
    out[n] = NULL;
    return n;
}

/* ---------------------------------------------------------------- text */

static void text_where(FILE *out, const IxaGlobal *g)
{
    if (g->file) fprintf(out, ", %s:%d", g->file, g->line);
    if (g->type) fprintf(out, ", %s", g->type);
}

static void text_write(FILE *out, const IxaAudit *a, const IxaWrite *w)
{
    if (w->global < 0) {
        fprintf(out, "    wrote %s+0x%" PRIx64 ", %" PRIu64 " byte%s (no symbol)\n", w->section,
                w->offset, w->bytes, w->bytes == 1 ? "" : "s");
        return;
    }
    {
        const IxaGlobal *g = &a->globals[w->global];
        fprintf(out, "    wrote %s+%" PRIu64 ", %" PRIu64 " byte%s (%s, %s", g->name, w->offset, w->bytes,
                w->bytes == 1 ? "" : "s", ixa_kind_name(g->kind), g->section);
        if (g->file) fprintf(out, ", %s:%d", g->file, g->line);
        fprintf(out, ")\n");
    }
}

/* An import's write into a global the list names already, for the same level: the
 * import readies and fills what the module keeps, so saying it again adds nothing. A
 * call's write says which call to change, and stays. */
static int listed_above(const IxaAudit *a, const IxaStep *s, const IxaWrite *w, int level)
{
    return !is_call_step(s) && w->global >= 0 && global_level(&a->globals[w->global]) == level;
}

/* The declared level beside the verdict (ABI.md 4.9), and what to do when they differ. */
static void text_declared(FILE *out, const IxaAudit *a, int level)
{
    if (a->declared < 0) return;
    fprintf(out, "declared: %s (%s)", level_names[a->declared], a->declared_by);
    if (a->declared > level)
        fprintf(out, ": above the verdict; declare %s until the changes below are made (ABI.md 4.9)",
                level_names[level]);
    else if (a->declared < level)
        fprintf(out, ": below the verdict; it may declare %s (ABI.md 4.9)", level_names[level]);
    fputc('\n', out);
}

void ixa_print_text(FILE *out, const IxaAudit *a)
{
    const char *blind[5];
    size_t i, j, n = ixa_findings(a);
    int level = verdict(a);

    fprintf(out, "isolex audit: %s (module %s)\n", a->path, a->module);
    fprintf(out, "read: .symtab %s, DWARF %s; writable: .data %" PRIu64 " bytes, .bss %" PRIu64 " bytes",
            a->has_symtab ? "yes" : "no", a->has_dwarf ? "yes" : "no", a->data_size, a->bss_size);
    for (i = 0; i < a->ninits; i++) fprintf(out, "%s%s", i ? ", " : "; multiphase init: ", a->inits[i]);
    fprintf(out, "\n");
    fprintf(out, "static findings: %zu\n", a->nglobals);
    for (i = 0; i < a->nglobals; i++) {
        const IxaGlobal *g = &a->globals[i];
        fprintf(out, "  %s %s (%s, %" PRIu64 " bytes", ixa_kind_name(g->kind), g->name, g->section, g->size);
        text_where(out, g);
        fprintf(out, "): %s\n", fix_text(g));
    }
    if (blind_spots(a, blind) > 0) {
        fprintf(out, "cannot see:\n");
        for (i = 0; blind[i]; i++) fprintf(out, "  - %s\n", blind[i]);
    }
    if (a->dynamic) {
        fprintf(out, "dynamic: 2 interpreters, %zu call%s; findings: %zu\n", a->ncalls,
                a->ncalls == 1 ? "" : "s", dynamic_findings(a));
        for (i = 0; i < a->nsteps; i++) {
            fprintf(out, "  %s: %s\n", a->steps[i].what, a->steps[i].result);
            for (j = 0; j < a->steps[i].nwrites; j++) text_write(out, a, &a->steps[i].writes[j]);
        }
    }
    fprintf(out, "verdict: %s\n", level_names[level]);
    text_declared(out, a, level);
    if (level < PER_INTERPRETER_LOCK) {
        fprintf(out, "  for %s:\n", level_names[level + 1]);
        for (i = 0; i < a->nglobals; i++)
            if (global_level(&a->globals[i]) == level)
                fprintf(out, "  - %s: %s\n", a->globals[i].name, fix_text(&a->globals[i]));
        for (i = 0; i < a->nsteps; i++) {
            if (import_refused(a, &a->steps[i]))
                fprintf(out, "  - %s %s\n", a->steps[i].what, a->steps[i].result);
            for (j = 0; j < a->steps[i].nwrites; j++) {
                const IxaWrite *w = &a->steps[i].writes[j];
                if (write_level(a, w) == level && !listed_above(a, &a->steps[i], w, level))
                    fprintf(out, "  - %s wrote %s\n", a->steps[i].what,
                            w->global >= 0 ? a->globals[w->global].name : w->section);
            }
        }
    }
    fprintf(out, "result: %zu finding%s\n", n, n == 1 ? "" : "s");
}

/* ---------------------------------------------------------------- JSON */

static void json_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
        else if (c == '\n') fputs("\\n", out);
        else if (c < 0x20) fprintf(out, "\\u%04x", c);
        else fputc(c, out);
    }
    fputc('"', out);
}

static void json_field(FILE *out, const char *key, const char *value, int comma)
{
    fprintf(out, "%s\"%s\": ", comma ? ", " : "", key);
    if (value) json_str(out, value); else fputs("null", out);
}

static void json_global(FILE *out, const IxaGlobal *g)
{
    fputs("{", out);
    json_field(out, "kind", ixa_kind_name(g->kind), 0);
    json_field(out, "symbol", g->name, 1);
    json_field(out, "section", g->section, 1);
    fprintf(out, ", \"size\": %" PRIu64, g->size);
    json_field(out, "file", g->file, 1);
    if (g->file) fprintf(out, ", \"line\": %d", g->line); else fputs(", \"line\": null", out);
    json_field(out, "type", g->type, 1);
    fprintf(out, ", \"atomic\": %s", g->atomic ? "true" : "false");
    json_field(out, "fix", fix_text(g), 1);
    fputs("}", out);
}

static void json_step(FILE *out, const IxaAudit *a, const IxaStep *s)
{
    size_t j;
    fputs("{", out);
    json_field(out, "step", s->what, 0);
    json_field(out, "result", s->result, 1);
    fputs(", \"writes\": [", out);
    for (j = 0; j < s->nwrites; j++) {
        const IxaWrite *w = &s->writes[j];
        const IxaGlobal *g = w->global >= 0 ? &a->globals[w->global] : NULL;
        fputs(j ? ", {" : "{", out);
        json_field(out, "symbol", g ? g->name : NULL, 0);
        json_field(out, "section", w->section, 1);
        fprintf(out, ", \"offset\": %" PRIu64 ", \"bytes\": %" PRIu64, w->offset, w->bytes);
        json_field(out, "file", g ? g->file : NULL, 1);
        if (g && g->file) fprintf(out, ", \"line\": %d}", g->line); else fputs(", \"line\": null}", out);
    }
    fputs("]}", out);
}

void ixa_print_json(FILE *out, const IxaAudit *a)
{
    const char *blind[5];
    size_t i;
    int level = verdict(a);

    fputs("{", out);
    json_field(out, "file", a->path, 0);
    json_field(out, "module", a->module, 1);
    fprintf(out, ", \"symtab\": %s, \"dwarf\": %s", a->has_symtab ? "true" : "false",
            a->has_dwarf ? "true" : "false");
    fprintf(out, ", \"writable\": {\"data\": %" PRIu64 ", \"bss\": %" PRIu64 "}", a->data_size, a->bss_size);
    fputs(", \"inits\": [", out);
    for (i = 0; i < a->ninits; i++) { if (i) fputs(", ", out); json_str(out, a->inits[i]); }
    fputs("], \"findings\": [", out);
    for (i = 0; i < a->nglobals; i++) { if (i) fputs(", ", out); json_global(out, &a->globals[i]); }
    fputs("], \"cannot_see\": [", out);
    blind_spots(a, blind);
    for (i = 0; blind[i]; i++) { if (i) fputs(", ", out); json_str(out, blind[i]); }
    fputs("], \"dynamic\": ", out);
    if (a->dynamic) {
        fprintf(out, "{\"interpreters\": 2, \"calls\": %zu, \"findings\": %zu, \"steps\": [", a->ncalls,
                dynamic_findings(a));
        for (i = 0; i < a->nsteps; i++) { if (i) fputs(", ", out); json_step(out, a, &a->steps[i]); }
        fputs("]}", out);
    } else {
        fputs("null", out);
    }
    fputs(", \"verdict\": {", out);
    json_field(out, "level", level_names[level], 0);
    json_field(out, "next", level < PER_INTERPRETER_LOCK ? level_names[level + 1] : NULL, 1);
    json_field(out, "declared", a->declared >= 0 ? level_names[a->declared] : NULL, 1);
    json_field(out, "declared_by", a->declared >= 0 ? a->declared_by : NULL, 1);
    fputs("}", out);
    fprintf(out, ", \"findings_total\": %zu}\n", ixa_findings(a));
}

void ixa_free(IxaAudit *a)
{
    size_t i;
    for (i = 0; i < a->nglobals; i++) {
        free(a->globals[i].name);
        free(a->globals[i].file);
        free(a->globals[i].type);
    }
    free(a->globals);
    for (i = 0; i < a->ninits; i++) free(a->inits[i]);
    for (i = 0; i < a->nsteps; i++) {
        free(a->steps[i].what);
        free(a->steps[i].result);
        free(a->steps[i].writes);
    }
    free(a->steps);
    free(a->module);
}
