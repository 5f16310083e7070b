/*
 * audit.h -- ixaudit (`isolex audit LIB.so`): what keeps an extension from running in
 * several interpreters, read from its binary (docs/audit.md has the rules and the output).
 *
 *   static.c   the ELF symbol tables (libelf) and DWARF (libdw): writable globals, static
 *              types, legacy init symbols, each classified, with file:line
 *   dynamic.c  import into two interpreters, run --call expressions, and diff the
 *              library's writable sections around each step
 *   report.c   the verdict, text and --json output
 *   main.c     options, exit status
 */
#ifndef IXA_AUDIT_H
#define IXA_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What a writable global is; the order is the report's. */
typedef enum {
    IXA_LEGACY_INIT,   /* IxInitLegacy_NAME: single-phase init */
    IXA_STATIC_TYPE,   /* IxStaticType storage */
    IXA_OBJECT_REF,    /* holds IxObject pointers: an exception, a cache, a registry */
    IXA_STATE,         /* a plain counter, flag or buffer */
    IXA_CONST_TABLE,   /* an initialized table nothing needs to write: could be const */
    IXA_UNKNOWN,       /* a writable global without DWARF to say what it is */
    IXA_UNATTRIBUTED,  /* stripped: writable bytes no symbol names */
    IXA_KIND_COUNT
} IxaKind;

/* The support levels of ABI.md 4.9, in order: IX_MOD_MULTI_NOT_SUPPORTED ... */
typedef enum { IXA_NOT_SUPPORTED, IXA_SHARED_LOCK, IXA_PER_INTERPRETER_LOCK } IxaLevel;

typedef struct IxaGlobal {
    IxaKind kind;
    char *name;            /* symbol; for IXA_UNATTRIBUTED the section */
    const char *section;   /* ".data", ".bss" ... (static strings) */
    uint64_t addr, size;   /* link-time address (st_value) and bytes */
    char *file;            /* declaring source file, or NULL (no DWARF) */
    int line;
    char *type;            /* the C type as DWARF names it, or NULL */
    int atomic;            /* an _Atomic scalar: race-free, still process-wide */
    int tls;               /* in .tdata/.tbss: one copy per thread, shared by the interpreters on it */
} IxaGlobal;

/* A writable section the dynamic part watches. */
typedef struct IxaSection {
    const char *name;
    uint64_t addr, size;
} IxaSection;

/* What one dynamic step wrote into one global (or into unnamed bytes of a section). */
typedef struct IxaWrite {
    int global;            /* index into IxaAudit.globals, or -1 */
    const char *section;
    uint64_t offset;       /* from the global's start (or the section's) */
    uint64_t bytes;        /* changed bytes in that global */
} IxaWrite;

typedef struct IxaStep {
    char *what;            /* "import in interpreter 1", "call 1 in interpreter 2: f()" */
    char *result;          /* "ok", "-> 3", "raised TypeError: ..." */
    IxaWrite *writes;
    size_t nwrites;
} IxaStep;

typedef struct IxaAudit {
    const char *path;      /* as given */
    const char *source_root; /* source files are shown relative to it (default: cwd) */
    char *module;          /* the module name imported (from the file name, or --module) */
    int has_symtab, has_dwarf;
    IxaSection sections[8];
    uint64_t tls_vaddr;    /* the TLS segment's address (PT_TLS p_vaddr): a TLS symbol's value
                            * is an offset from it; addresses here are all link-time ones */
    size_t nsections;
    uint64_t data_size, bss_size;   /* sums over the watched sections of each kind */
    IxaGlobal *globals;
    size_t nglobals;
    char *inits[16];       /* IxInit_NAME symbols (multiphase), names only */
    size_t ninits;
    /* dynamic */
    int dynamic;
    IxaStep *steps;
    size_t nsteps;
    size_t ncalls;
    int import_failed;     /* the first import failed: nothing ran */
    int declared;          /* the IxaLevel the module declares, read at its import; -1: not read */
    const char *declared_by; /* how: "its IX_MOD_MULTIPLE_INTERPRETERS slot" ... (static text) */
} IxaAudit;

/* static.c: fill a from the file. 0, or -1 with the message in err. */
int ixa_static(IxaAudit *a, char *err, size_t cap);
/* dynamic.c: 0, or -1 with the message in err (the library could not be mapped). */
int ixa_dynamic(IxaAudit *a, const char *const *calls, size_t ncalls, char *err, size_t cap);
/* report.c */
size_t ixa_findings(const IxaAudit *a);
void ixa_print_text(FILE *out, const IxaAudit *a);
void ixa_print_json(FILE *out, const IxaAudit *a);
void ixa_free(IxaAudit *a);

/* helpers */
char *ixa_strdup(const char *s);
char *ixa_format(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
const char *ixa_kind_name(IxaKind kind);

#endif
