/*
 * static.c -- the static half of ixaudit: ELF symbol tables through libelf, DWARF through
 * libdw (elfutils), never a parser of our own.
 *
 * A writable global is a sized STT_OBJECT symbol in a watched section (.data, .bss, .tdata,
 * .tbss and their .data.X/.bss.X variants -- never .data.rel.ro, which the loader makes
 * read-only after relocation, which is where a `const` table of pointers lands), minus the
 * C runtime's own (crtstuff's completed.0 and the like). DWARF then says what it is: its
 * declaring file and line and its type, from which the kind follows (audit.h, docs/audit.md).
 * A stripped library has no .symtab and no DWARF: .dynsym still shows the init symbols,
 * and the watched sections' sizes show whether anything beyond the runtime's bytes is there.
 */
#define _GNU_SOURCE

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"

/* The C runtime's own writable objects (gcc's crtstuff, glibc's crti/crtn): in every
 * library, never the extension's. */
static const char *const runtime_objects[] = {
    "completed.0", "completed.1", "__dso_handle", "__TMC_END__", "dtor_idx.0", NULL,
};

/* What crtstuff puts in a stripped library's .data (__dso_handle) and .bss (completed.0,
 * padded): anything beyond these is the extension's. */
#define RUNTIME_DATA_BYTES 8
#define RUNTIME_BSS_BYTES 8

static int is_runtime_object(const char *name)
{
    size_t i;
    for (i = 0; runtime_objects[i]; i++)
        if (strcmp(name, runtime_objects[i]) == 0) return 1;
    return 0;
}

/* A watched section's name, as a static string, or NULL. */
static const char *watched_section(const char *name)
{
    static const char *const exact[] = { ".data", ".bss", ".tdata", ".tbss", NULL };
    size_t i;
    for (i = 0; exact[i]; i++)
        if (strcmp(name, exact[i]) == 0) return exact[i];
    if (strncmp(name, ".data.rel.ro", 12) == 0) return NULL;
    if (strncmp(name, ".data.", 6) == 0) return ".data";
    if (strncmp(name, ".bss.", 5) == 0) return ".bss";
    return NULL;
}

/* ---------------------------------------------------------------- DWARF */

/* The DIE a type attribute points to; 0 when there is none (void). */
static int type_of(Dwarf_Die *die, Dwarf_Die *out)
{
    Dwarf_Attribute attr;
    if (!dwarf_attr_integrate(die, DW_AT_type, &attr)) return 0;
    return dwarf_formref_die(&attr, out) != NULL;
}

/* Strips typedef, const, volatile (and notes _Atomic) down to the type that decides the
 * kind; stops at a typedef named stop_at (IxStaticType, IxObject), returning 2. */
static int peel(Dwarf_Die *t, int *atomic, const char *stop_at)
{
    for (;;) {
        int tag = dwarf_tag(t);
        const char *name = dwarf_diename(t);
        Dwarf_Die next;
        if (stop_at && name && strcmp(name, stop_at) == 0) return 2;
        if (tag == DW_TAG_atomic_type && atomic) *atomic = 1;
        if (tag != DW_TAG_typedef && tag != DW_TAG_const_type && tag != DW_TAG_volatile_type
            && tag != DW_TAG_atomic_type && tag != DW_TAG_restrict_type)
            return 1;
        if (!type_of(t, &next)) return 0;
        *t = next;
    }
}

static int is_named(Dwarf_Die *t, const char *name)
{
    Dwarf_Die u = *t;
    return peel(&u, NULL, name) == 2;
}

/* Does t hold an IxObject pointer anywhere (a pointer, an array of them, a struct with
 * one)? depth bounds a self-referencing struct. */
static int holds_object(Dwarf_Die *t, int depth)
{
    Dwarf_Die u = *t, child, pointee;
    if (depth > 8 || peel(&u, NULL, NULL) == 0) return 0;
    switch (dwarf_tag(&u)) {
    case DW_TAG_pointer_type:
        return type_of(&u, &pointee) && is_named(&pointee, "IxObject");
    case DW_TAG_array_type:
        return type_of(&u, &child) && holds_object(&child, depth + 1);
    case DW_TAG_structure_type: case DW_TAG_union_type:
        if (is_named(&u, "IxStaticType")) return 0;
        if (dwarf_child(&u, &child) != 0) return 0;
        do {
            Dwarf_Die mt;
            if (dwarf_tag(&child) == DW_TAG_member && type_of(&child, &mt)
                && holds_object(&mt, depth + 1))
                return 1;
        } while (dwarf_siblingof(&child, &child) == 0);
        return 0;
    default:
        return 0;
    }
}

/* The type as C spells it, roughly: "IxStaticType", "int64_t", "IxObject *", "T[4]". */
static void describe(Dwarf_Die *t, char *buf, size_t cap, int depth)
{
    const char *name = dwarf_diename(t);
    Dwarf_Die next;
    char inner[256];
    int tag = dwarf_tag(t);
    if (depth > 8) { snprintf(buf, cap, "..."); return; }
    switch (tag) {
    case DW_TAG_pointer_type:
        if (type_of(t, &next)) describe(&next, inner, sizeof inner, depth + 1);
        else snprintf(inner, sizeof inner, "void");
        snprintf(buf, cap, "%s *", inner);
        return;
    case DW_TAG_array_type: {
        Dwarf_Die sub;
        Dwarf_Word n = 0;
        Dwarf_Attribute attr;
        if (type_of(t, &next)) describe(&next, inner, sizeof inner, depth + 1);
        else snprintf(inner, sizeof inner, "?");
        if (dwarf_child(t, &sub) == 0 && dwarf_attr(&sub, DW_AT_upper_bound, &attr)
            && dwarf_formudata(&attr, &n) == 0)
            snprintf(buf, cap, "%s[%llu]", inner, (unsigned long long)n + 1);
        else
            snprintf(buf, cap, "%s[]", inner);
        return;
    }
    case DW_TAG_const_type: case DW_TAG_volatile_type: case DW_TAG_atomic_type:
        if (type_of(t, &next)) describe(&next, inner, sizeof inner, depth + 1);
        else snprintf(inner, sizeof inner, "void");
        snprintf(buf, cap, "%s %s",
                 tag == DW_TAG_const_type ? "const" : tag == DW_TAG_volatile_type ? "volatile" : "_Atomic",
                 inner);
        return;
    case DW_TAG_structure_type: snprintf(buf, cap, "struct %s", name ? name : "{...}"); return;
    case DW_TAG_union_type: snprintf(buf, cap, "union %s", name ? name : "{...}"); return;
    case DW_TAG_enumeration_type: snprintf(buf, cap, "enum %s", name ? name : "{...}"); return;
    default: snprintf(buf, cap, "%s", name ? name : "?");
    }
}

/* The kind of a global of type t in section (see docs/audit.md, "Kinds"). */
static IxaKind classify(Dwarf_Die *t, const char *section, int *atomic)
{
    Dwarf_Die u = *t, elem;
    if (is_named(&u, "IxStaticType")) return IXA_STATIC_TYPE;
    if (peel(&u, atomic, NULL) == 1 && dwarf_tag(&u) == DW_TAG_array_type && type_of(&u, &elem)
        && is_named(&elem, "IxStaticType"))
        return IXA_STATIC_TYPE;
    if (holds_object(t, 0)) return IXA_OBJECT_REF;
    u = *t;
    if (peel(&u, NULL, NULL) == 1 && strcmp(section, ".data") == 0) {
        int tag = dwarf_tag(&u);
        if (tag == DW_TAG_array_type || tag == DW_TAG_structure_type || tag == DW_TAG_union_type)
            return IXA_CONST_TABLE;
    }
    return IXA_STATE;
}

/* A file name relative to the source root (--source-root, else the working directory)
 * when it is under it, so reports read the same on every machine; else as DWARF has it. */
static char *relative_file(const IxaAudit *a, const char *file)
{
    char cwd[4096];
    size_t n;
    if (a->source_root) snprintf(cwd, sizeof cwd, "%s", a->source_root);
    if (file && (a->source_root || getcwd(cwd, sizeof cwd))) {
        n = strlen(cwd);
        while (n > 1 && cwd[n - 1] == '/') cwd[--n] = '\0';
        n = strlen(cwd);
        if (strncmp(file, cwd, n) == 0 && file[n] == '/') return ixa_strdup(file + n + 1);
    }
    return ixa_strdup(file ? file : "?");
}

static IxaGlobal *global_at(IxaAudit *a, uint64_t addr)
{
    size_t i;
    for (i = 0; i < a->nglobals; i++)
        if (a->globals[i].addr == addr) return &a->globals[i];
    return NULL;
}

/* The link-time address of a variable whose location is fixed: DW_OP_addr, or a thread-local
 * offset (a constant, then DW_OP_form_tls_address or GCC's DW_OP_GNU_push_tls_address). 0 if
 * the location is anything else. */
static uint64_t variable_address(const IxaAudit *a, Dwarf_Die *die)
{
    Dwarf_Attribute attr;
    Dwarf_Op *ops;
    size_t nops;
    if (!dwarf_attr(die, DW_AT_location, &attr) || dwarf_getlocation(&attr, &ops, &nops) != 0 || nops < 1)
        return 0;
    if (nops == 1 && ops[0].atom == DW_OP_addr) return ops[0].number;
    if (nops == 2 && (ops[1].atom == DW_OP_form_tls_address || ops[1].atom == DW_OP_GNU_push_tls_address)
        && (ops[0].atom == DW_OP_const8u || ops[0].atom == DW_OP_const4u || ops[0].atom == DW_OP_constu))
        return ops[0].number + a->tls_vaddr;
    return 0;
}

/* A variable DIE with a fixed address: give the global there its details. */
static void describe_variable(IxaAudit *a, Dwarf_Die *die)
{
    Dwarf_Die t;
    IxaGlobal *g;
    int line = 0;
    char text[512];
    uint64_t addr = variable_address(a, die);

    if (!addr || !(g = global_at(a, addr)) || g->file) return;
    g->file = relative_file(a, dwarf_decl_file(die));
    if (dwarf_decl_line(die, &line) == 0) g->line = line;
    if (type_of(die, &t)) {
        describe(&t, text, sizeof text, 0);
        g->type = ixa_strdup(text);
        g->kind = classify(&t, g->section, &g->atomic);
    }
}

/* Every variable in die's subtree: file scope and function statics alike. */
static void walk_dies(IxaAudit *a, Dwarf_Die *die)
{
    Dwarf_Die child;
    if (dwarf_child(die, &child) != 0) return;
    do {
        int tag = dwarf_tag(&child);
        if (tag == DW_TAG_variable) describe_variable(a, &child);
        else if (tag == DW_TAG_subprogram || tag == DW_TAG_lexical_block) walk_dies(a, &child);
    } while (dwarf_siblingof(&child, &child) == 0);
}

static void read_dwarf(IxaAudit *a, Elf *elf)
{
    Dwarf *dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
    Dwarf_Off off = 0, next;
    size_t header;
    if (!dw) return;
    a->has_dwarf = 1;
    while (dwarf_nextcu(dw, off, &next, &header, NULL, NULL, NULL) == 0) {
        Dwarf_Die cu;
        if (dwarf_offdie(dw, off + header, &cu)) walk_dies(a, &cu);
        off = next;
    }
    dwarf_end(dw);
}

/* ---------------------------------------------------------------- ELF */

static void add_global(IxaAudit *a, IxaKind kind, const char *name, const char *section,
                       uint64_t addr, uint64_t size)
{
    IxaGlobal *grown = realloc(a->globals, (a->nglobals + 1) * sizeof *grown);
    if (!grown) { perror("ixaudit"); exit(2); }
    a->globals = grown;
    memset(&grown[a->nglobals], 0, sizeof *grown);
    grown[a->nglobals].kind = kind;
    grown[a->nglobals].name = ixa_strdup(name);
    grown[a->nglobals].section = section;
    grown[a->nglobals].addr = addr;
    grown[a->nglobals].size = size;
    a->nglobals++;
}

/* The watched section a section index is, or NULL. */
static const IxaSection *watched_index(const IxaAudit *a, const char *names[], size_t index)
{
    size_t i;
    if (!names[index]) return NULL;
    for (i = 0; i < a->nsections; i++)
        if (a->sections[i].name == names[index]) return &a->sections[i];
    return NULL;
}

/* Symbols of one table: the init functions, and the writable objects. */
static void read_symbols(IxaAudit *a, Elf_Scn *scn, GElf_Shdr *sh, const char *names[],
                         size_t nnames, Elf *elf)
{
    Elf_Data *data = elf_getdata(scn, NULL);
    size_t i, n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
    for (i = 0; data && i < n; i++) {
        GElf_Sym sym;
        const char *name;
        if (!gelf_getsym(data, (int)i, &sym)) continue;
        name = elf_strptr(elf, sh->sh_link, sym.st_name);
        if (!name || !*name || sym.st_shndx == SHN_UNDEF) continue;
        if (GELF_ST_TYPE(sym.st_info) == STT_FUNC) {
            if (strncmp(name, "IxInitLegacy_", 13) == 0 && !global_at(a, sym.st_value))
                add_global(a, IXA_LEGACY_INIT, name, ".text", sym.st_value, sym.st_size);
            else if (strncmp(name, "IxInit_", 7) == 0 && a->ninits < 16) {
                size_t k;
                for (k = 0; k < a->ninits && strcmp(a->inits[k], name) != 0; k++) {}
                if (k == a->ninits) a->inits[a->ninits++] = ixa_strdup(name);
            }
            continue;
        }
        if ((GELF_ST_TYPE(sym.st_info) != STT_OBJECT && GELF_ST_TYPE(sym.st_info) != STT_TLS)
            || sym.st_size == 0 || sym.st_shndx >= nnames || is_runtime_object(name))
            continue;
        {
            const IxaSection *s = watched_index(a, names, sym.st_shndx);
            int tls = GELF_ST_TYPE(sym.st_info) == STT_TLS;
            uint64_t addr = sym.st_value + (tls ? a->tls_vaddr : 0);
            if (s && !global_at(a, addr)) {
                add_global(a, IXA_UNKNOWN, name, s->name, addr, sym.st_size);
                a->globals[a->nglobals - 1].tls = tls;
            }
        }
    }
}

/* Stripped: the watched sections' bytes beyond the runtime's, one finding per section. */
static void add_unattributed(IxaAudit *a)
{
    size_t i;
    for (i = 0; i < a->nsections; i++) {
        const IxaSection *s = &a->sections[i];
        uint64_t runtime = strcmp(s->name, ".data") == 0 ? RUNTIME_DATA_BYTES
                         : strcmp(s->name, ".bss") == 0 ? RUNTIME_BSS_BYTES : 0;
        if (s->size > runtime) add_global(a, IXA_UNATTRIBUTED, s->name, s->name, s->addr, s->size);
    }
}

/* The TLS segment's address (PT_TLS), or 0 when the library has none. */
static uint64_t tls_segment(Elf *elf)
{
    size_t n, i;
    GElf_Phdr ph;
    if (elf_getphdrnum(elf, &n) != 0) return 0;
    for (i = 0; i < n; i++)
        if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_TLS) return ph.p_vaddr;
    return 0;
}

/* The ELF file's sections and symbols, then its DWARF. */
static int read_elf(IxaAudit *a, Elf *elf, char *err, size_t cap)
{
    GElf_Ehdr eh;
    size_t shstrndx, nnames, i;
    Elf_Scn *scn = NULL, *symtab = NULL, *dynsym = NULL;
    GElf_Shdr symtab_sh, dynsym_sh;
    const char **names;

    if (!gelf_getehdr(elf, &eh) || elf_getshdrstrndx(elf, &shstrndx) != 0
        || elf_getshdrnum(elf, &nnames) != 0) {
        snprintf(err, cap, "%s: cannot read the ELF headers: %s", a->path, elf_errmsg(-1));
        return -1;
    }
    if (eh.e_type != ET_DYN) {
        snprintf(err, cap, "%s: not a shared library (ELF type %u; an extension is ET_DYN)",
                 a->path, (unsigned)eh.e_type);
        return -1;
    }
    names = calloc(nnames ? nnames : 1, sizeof *names);
    if (!names) { perror("ixaudit"); exit(2); }
    a->tls_vaddr = tls_segment(elf);
    while ((scn = elf_nextscn(elf, scn))) {
        GElf_Shdr sh;
        const char *name, *w;
        if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name))) continue;
        if (sh.sh_type == SHT_SYMTAB) { symtab = scn; symtab_sh = sh; }
        if (sh.sh_type == SHT_DYNSYM) { dynsym = scn; dynsym_sh = sh; }
        if (!(sh.sh_flags & SHF_WRITE) || !(w = watched_section(name))) continue;
        names[elf_ndxscn(scn)] = w;
        for (i = 0; i < a->nsections && a->sections[i].name != w; i++) {}
        if (i == a->nsections) {
            if (a->nsections == sizeof a->sections / sizeof a->sections[0]) continue;
            a->sections[a->nsections].name = w;
            a->sections[a->nsections].addr = sh.sh_addr;
            a->nsections++;
        }
        a->sections[i].size = sh.sh_addr + sh.sh_size - a->sections[i].addr;
        if (w[1] == 'd' || w[2] == 'd') a->data_size += sh.sh_size; /* .data, .tdata */
        else a->bss_size += sh.sh_size;
    }
    if (dynsym) read_symbols(a, dynsym, &dynsym_sh, names, nnames, elf);
    if (symtab) {
        a->has_symtab = 1;
        read_symbols(a, symtab, &symtab_sh, names, nnames, elf);
        read_dwarf(a, elf);
    } else {
        add_unattributed(a);
    }
    free(names);
    return 0;
}

int ixa_static(IxaAudit *a, char *err, size_t cap)
{
    int fd, rc;
    Elf *elf;

    if (elf_version(EV_CURRENT) == EV_NONE) {
        snprintf(err, cap, "libelf: %s", elf_errmsg(-1));
        return -1;
    }
    if ((fd = open(a->path, O_RDONLY)) < 0) {
        snprintf(err, cap, "%s: %s", a->path, strerror(errno));
        return -1;
    }
    elf = elf_begin(fd, ELF_C_READ, NULL);
    if (!elf || elf_kind(elf) != ELF_K_ELF) {
        snprintf(err, cap, "%s: not an ELF file", a->path);
        rc = -1;
    } else {
        rc = read_elf(a, elf, err, cap);
    }
    if (elf) elf_end(elf);
    close(fd);
    return rc;
}
