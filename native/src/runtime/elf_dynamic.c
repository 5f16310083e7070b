/*
 * elf_dynamic.c -- the dynamic section and what it points to, checked before dlopen (ABI.md 4.1)
 *
 * glibc's dynamic loader trusts every structure the dynamic section names: it asserts on a
 * wrong DT_RELAENT or DT_PLTREL (exiting the whole process with status 127), follows an
 * address into unmapped memory (SIGSEGV), writes a relocation wherever r_offset says, walks
 * hash chains and version chains without bounds, and calls DT_INIT. This file validates
 * them as ld.so reads them: the dynamic section through the PT_DYNAMIC segment (never the
 * section headers, which ld.so ignores and which may be absent), every address through the
 * PT_LOAD that maps it (elf_check.c has checked those), every size against its table, every
 * chain with a bound. What no check of the file can tell -- code bytes, a relocation that is
 * well-formed but points at the wrong place -- is listed in ABI.md ("What can still take
 * the process down").
 *
 * Written for ELFCLASS64, little-endian, x86-64 only (the structures are read as Elf64_*
 * in the host's byte order; check_header in elf_check.c has already required the file to
 * be of this host's class, byte order and machine; the relocation types are x86-64's).
 */
#include <elf.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_image.h"

#if !defined(__x86_64__)
#error "elf_dynamic.c checks x86-64 relocations: port the relocation table first"
#endif

#define MAX_DYN 4096 /* entries of a dynamic section read before its DT_NULL */

/* The dynamic tags this file knows: each one's value, and whether it was given. */
enum { T_NEEDED, T_PLTRELSZ, T_PLTGOT, T_HASH, T_STRTAB, T_SYMTAB, T_RELA, T_RELASZ, T_RELAENT, T_STRSZ,
       T_SYMENT, T_INIT, T_FINI, T_SONAME, T_RPATH, T_SYMBOLIC, T_REL, T_RELSZ, T_RELENT, T_PLTREL,
       T_TEXTREL, T_JMPREL, T_INIT_ARRAY, T_FINI_ARRAY, T_INIT_ARRAYSZ, T_FINI_ARRAYSZ, T_RUNPATH,
       T_FLAGS, T_PREINIT_ARRAY, T_PREINIT_ARRAYSZ, T_RELRSZ, T_RELR, T_RELRENT, T_GNU_HASH, T_VERSYM,
       T_RELACOUNT, T_RELCOUNT, T_VERDEF, T_VERDEFNUM, T_VERNEED, T_VERNEEDNUM, T_AUXILIARY, T_FILTER,
       T_AUDIT, T_DEPAUDIT, T_CONFIG, NTAGS };

static const struct { int64_t tag; const char *name; } tags[NTAGS] = {
    {DT_NEEDED, "DT_NEEDED"}, {DT_PLTRELSZ, "DT_PLTRELSZ"}, {DT_PLTGOT, "DT_PLTGOT"}, {DT_HASH, "DT_HASH"},
    {DT_STRTAB, "DT_STRTAB"}, {DT_SYMTAB, "DT_SYMTAB"}, {DT_RELA, "DT_RELA"}, {DT_RELASZ, "DT_RELASZ"},
    {DT_RELAENT, "DT_RELAENT"}, {DT_STRSZ, "DT_STRSZ"}, {DT_SYMENT, "DT_SYMENT"}, {DT_INIT, "DT_INIT"},
    {DT_FINI, "DT_FINI"}, {DT_SONAME, "DT_SONAME"}, {DT_RPATH, "DT_RPATH"}, {DT_SYMBOLIC, "DT_SYMBOLIC"},
    {DT_REL, "DT_REL"}, {DT_RELSZ, "DT_RELSZ"}, {DT_RELENT, "DT_RELENT"}, {DT_PLTREL, "DT_PLTREL"},
    {DT_TEXTREL, "DT_TEXTREL"}, {DT_JMPREL, "DT_JMPREL"}, {DT_INIT_ARRAY, "DT_INIT_ARRAY"},
    {DT_FINI_ARRAY, "DT_FINI_ARRAY"}, {DT_INIT_ARRAYSZ, "DT_INIT_ARRAYSZ"}, {DT_FINI_ARRAYSZ, "DT_FINI_ARRAYSZ"},
    {DT_RUNPATH, "DT_RUNPATH"}, {DT_FLAGS, "DT_FLAGS"}, {DT_PREINIT_ARRAY, "DT_PREINIT_ARRAY"},
    {DT_PREINIT_ARRAYSZ, "DT_PREINIT_ARRAYSZ"}, {DT_RELRSZ, "DT_RELRSZ"}, {DT_RELR, "DT_RELR"},
    {DT_RELRENT, "DT_RELRENT"}, {DT_GNU_HASH, "DT_GNU_HASH"}, {DT_VERSYM, "DT_VERSYM"},
    {DT_RELACOUNT, "DT_RELACOUNT"}, {DT_RELCOUNT, "DT_RELCOUNT"}, {DT_VERDEF, "DT_VERDEF"},
    {DT_VERDEFNUM, "DT_VERDEFNUM"}, {DT_VERNEED, "DT_VERNEED"}, {DT_VERNEEDNUM, "DT_VERNEEDNUM"},
    {DT_AUXILIARY, "DT_AUXILIARY"}, {DT_FILTER, "DT_FILTER"}, {DT_AUDIT, "DT_AUDIT"},
    {DT_DEPAUDIT, "DT_DEPAUDIT"}, {DT_CONFIG, "DT_CONFIG"},
};

/* Tags a library here may not have: x86-64 uses RELA (and RELR) only (ld.so ignores DT_REL
 * there, so those would be unchecked), text relocations write into code, and
 * DT_PREINIT_ARRAY is an executable's. */
static const int refused[] = {T_REL, T_RELSZ, T_RELENT, T_RELCOUNT, T_TEXTREL, T_PREINIT_ARRAY,
                              T_PREINIT_ARRAYSZ};
/* Tags naming a string of the string table (DT_NEEDED is checked entry by entry). */
static const int strings[] = {T_SONAME, T_RPATH, T_RUNPATH, T_AUXILIARY, T_FILTER, T_AUDIT, T_DEPAUDIT, T_CONFIG};

typedef struct Dyn {
    IxElfImage *im;
    uint64_t val[NTAGS];
    bool has[NTAGS];
    const Elf64_Dyn *entries; /* the dynamic section, up to its DT_NULL */
    size_t count;
    const char *strtab;
    const Elf64_Sym *symtab;
    uint64_t nsyms;
    unsigned ndx_high; /* the highest version index VERNEED and VERDEF define */
    const void *hash;  /* DT_HASH, its words */
    const void *gnu;   /* DT_GNU_HASH, its words up to the buckets' end */
    const void *gnu_chain;
    uint64_t gnu_head; /* words before the buckets */
} Dyn;

#define V(d, t) ((d)->val[t])
#define NAME(t) (tags[t].name)

/* The file bytes ld.so will read at [vaddr, vaddr+size) (inside a PT_LOAD's file bytes), or
 * NULL. libelf reads them (with pread: nothing is mapped) and keeps them until elf_end. */
static const void *bytes_at(Dyn *d, uint64_t vaddr, uint64_t size)
{
    const IxElfLoad *l = size ? ix_elf_load_at(d->im, vaddr, size, true, PF_R) : NULL;
    if (!l) return NULL;
    Elf_Data *data = elf_getdata_rawchunk(d->im->elf, (int64_t)(l->offset + (vaddr - l->vaddr)), size, ELF_T_BYTE);
    return data ? data->d_buf : NULL;
}

/* The table a tag points to, of `size` bytes, inside a PT_LOAD's file bytes. */
static const void *table(Dyn *d, int t, uint64_t size)
{
    const void *p = bytes_at(d, V(d, t), size);
    if (!p)
        ix_elf_refuse(d->im, "dynamic entry %s (0x%llx, %llu bytes) lies outside the library's loaded file bytes",
                      NAME(t), (unsigned long long)V(d, t), (unsigned long long)size);
    return p;
}

/* How many file bytes of a PT_LOAD follow vaddr (0 if none maps it). */
static uint64_t file_bytes_after(Dyn *d, uint64_t vaddr)
{
    const IxElfLoad *l = ix_elf_load_at(d->im, vaddr, 1, true, PF_R);
    return l ? l->filesz - (vaddr - l->vaddr) : 0;
}

static int slot_of(int64_t tag)
{
    for (int t = 0; t < NTAGS; t++)
        if (tags[t].tag == tag) return t;
    return -1;
}

/* ---------------------------------------------------------------- the entries */

static int read_entries(Dyn *d)
{
    IxElfImage *im = d->im;
    size_t n = (size_t)(im->dyn_size / sizeof(Elf64_Dyn));
    if (n > MAX_DYN) n = MAX_DYN;
    Elf_Data *data = elf_getdata_rawchunk(im->elf, (int64_t)im->dyn_offset, n * sizeof(Elf64_Dyn), ELF_T_BYTE);
    if (!data) return ix_elf_refuse(im, "unreadable dynamic section (%s)", elf_errmsg(-1));
    d->entries = data->d_buf; /* libelf's buffer, or the image itself (x86-64 reads unaligned words) */
    for (d->count = 0; d->count < n && d->entries[d->count].d_tag != DT_NULL; d->count++) {
        int t = slot_of(d->entries[d->count].d_tag);
        if (t < 0) continue; /* a tag ld.so does not know either: it ignores it */
        if (d->has[t] && t != T_NEEDED) return ix_elf_refuse(im, "dynamic entry %s appears twice", NAME(t));
        d->has[t] = true;
        d->val[t] = d->entries[d->count].d_un.d_val;
    }
    if (d->count == n) return ix_elf_refuse(im, "the dynamic section has no DT_NULL entry at its end");
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (d->has[refused[i]])
            return ix_elf_refuse(im, "dynamic entry %s, which a library on this host may not have", NAME(refused[i]));
    if (d->has[T_FLAGS] && (V(d, T_FLAGS) & DF_TEXTREL))
        return ix_elf_refuse(im, "dynamic entry DT_FLAGS asks for text relocations (DF_TEXTREL)");
    return 0;
}

static int expect(Dyn *d, int t, uint64_t want)
{
    if (d->has[t] && V(d, t) != want)
        return ix_elf_refuse(d->im, "dynamic entry %s is %llu, expected %llu", NAME(t), (unsigned long long)V(d, t),
                             (unsigned long long)want);
    return 0;
}

/* `t` given means `with` is given too (a table and its size, say). */
static int needs(Dyn *d, int t, int with)
{
    if (d->has[t] && !d->has[with]) return ix_elf_refuse(d->im, "dynamic entry %s without %s", NAME(t), NAME(with));
    return 0;
}

static int multiple(Dyn *d, int t, uint64_t unit)
{
    if (d->has[t] && V(d, t) % unit)
        return ix_elf_refuse(d->im, "dynamic entry %s is %llu, not a multiple of %llu", NAME(t),
                             (unsigned long long)V(d, t), (unsigned long long)unit);
    return 0;
}

/* The values ld.so asserts on or takes as given, and the pairs that go together. Every
 * library has a string table, a symbol table and a hash table (ld.so reads the first two
 * unconditionally when it relocates or looks a symbol up). */
static int check_values(Dyn *d)
{
    static const int pairs[][2] = {
        {T_STRTAB, T_STRSZ}, {T_STRSZ, T_STRTAB}, {T_RELA, T_RELASZ}, {T_RELASZ, T_RELA}, {T_RELA, T_RELAENT},
        {T_JMPREL, T_PLTRELSZ}, {T_PLTRELSZ, T_JMPREL}, {T_JMPREL, T_PLTREL}, {T_INIT_ARRAY, T_INIT_ARRAYSZ},
        {T_INIT_ARRAYSZ, T_INIT_ARRAY}, {T_FINI_ARRAY, T_FINI_ARRAYSZ}, {T_FINI_ARRAYSZ, T_FINI_ARRAY},
        {T_VERNEED, T_VERNEEDNUM}, {T_VERNEEDNUM, T_VERNEED}, {T_VERDEF, T_VERDEFNUM}, {T_VERDEFNUM, T_VERDEF},
        {T_RELACOUNT, T_RELA}, {T_SYMTAB, T_STRTAB}, {T_STRTAB, T_SYMTAB}, {T_NEEDED, T_STRTAB},
        {T_RELR, T_RELRSZ}, {T_RELRSZ, T_RELR}, {T_RELR, T_RELRENT},
    };
    if (!d->has[T_SYMTAB]) return ix_elf_refuse(d->im, "dynamic entry DT_SYMTAB is missing");
    if (!d->has[T_HASH] && !d->has[T_GNU_HASH]) return ix_elf_refuse(d->im, "no hash table (DT_GNU_HASH or DT_HASH)");
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (needs(d, pairs[i][0], pairs[i][1]) < 0) return -1;
    if (expect(d, T_RELAENT, sizeof(Elf64_Rela)) < 0 || expect(d, T_SYMENT, sizeof(Elf64_Sym)) < 0 ||
        expect(d, T_PLTREL, DT_RELA) < 0 || expect(d, T_RELRENT, 8) < 0 || multiple(d, T_RELRSZ, 8) < 0 || multiple(d, T_RELASZ, sizeof(Elf64_Rela)) < 0 ||
        multiple(d, T_PLTRELSZ, sizeof(Elf64_Rela)) < 0 || multiple(d, T_INIT_ARRAYSZ, 8) < 0 ||
        multiple(d, T_FINI_ARRAYSZ, 8) < 0)
        return -1;
    if (V(d, T_RELACOUNT) > V(d, T_RELASZ) / sizeof(Elf64_Rela))
        return ix_elf_refuse(d->im, "dynamic entry DT_RELACOUNT is %llu, more than the %llu relocations of DT_RELA",
                             (unsigned long long)V(d, T_RELACOUNT),
                             (unsigned long long)(V(d, T_RELASZ) / sizeof(Elf64_Rela)));
    return 0;
}

/* A string-table offset names a NUL-terminated string inside the table. */
static int string_at(Dyn *d, const char *what, uint64_t off)
{
    if (off >= V(d, T_STRSZ) || !memchr(d->strtab + off, 0, V(d, T_STRSZ) - off))
        return ix_elf_refuse(d->im, "%s names offset %llu of a string table of %llu bytes (no string there)", what,
                             (unsigned long long)off, (unsigned long long)V(d, T_STRSZ));
    return 0;
}

static int check_strings(Dyn *d)
{
    if (!(d->strtab = table(d, T_STRTAB, V(d, T_STRSZ)))) return -1;
    char what[64];
    for (size_t i = 0; i < d->count; i++)
        if (d->entries[i].d_tag == DT_NEEDED && string_at(d, "dynamic entry DT_NEEDED", d->entries[i].d_un.d_val) < 0)
            return -1;
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        snprintf(what, sizeof what, "dynamic entry %s", NAME(strings[i]));
        if (d->has[strings[i]] && string_at(d, what, V(d, strings[i])) < 0) return -1;
    }
    return 0;
}

/* The code ld.so calls, DT_INIT and DT_FINI, lies in an executable segment; the tables it
 * writes or calls through (DT_PLTGOT's three reserved entries, the init and fini arrays)
 * in a writable one's memory. */
static int check_addresses(Dyn *d)
{
    static const int code[] = {T_INIT, T_FINI};
    static const struct { int t, size; uint64_t fixed; } written[] = {
        {T_PLTGOT, -1, 24}, {T_INIT_ARRAY, T_INIT_ARRAYSZ, 0}, {T_FINI_ARRAY, T_FINI_ARRAYSZ, 0}};
    for (size_t i = 0; i < 2; i++)
        if (d->has[code[i]] && !ix_elf_load_at(d->im, V(d, code[i]), 1, true, PF_R | PF_X))
            return ix_elf_refuse(d->im, "dynamic entry %s (0x%llx) is not in the library's code", NAME(code[i]),
                                 (unsigned long long)V(d, code[i]));
    for (size_t i = 0; i < 3; i++) {
        uint64_t size = written[i].size < 0 ? written[i].fixed : V(d, written[i].size);
        if (d->has[written[i].t] && size && !ix_elf_load_at(d->im, V(d, written[i].t), size, false, PF_R | PF_W))
            return ix_elf_refuse(d->im, "dynamic entry %s (0x%llx, %llu bytes) is not inside a writable segment",
                                 NAME(written[i].t), (unsigned long long)V(d, written[i].t), (unsigned long long)size);
    }
    return 0;
}

/* ---------------------------------------------------------------- the hash tables */

static uint32_t word(const void *p, uint64_t i)
{
    uint32_t w;
    memcpy(&w, (const char *)p + 4 * i, 4);
    return w;
}

/* DT_HASH: nbucket, nchain, the buckets, the chains. Every index below nchain (the number
 * of symbols), and every chain ending: the chains together hold each symbol at most once,
 * so a walk longer than nchain steps is a loop (ld.so would follow it for ever). */
static int check_hash(Dyn *d)
{
    const void *h = table(d, T_HASH, 8);
    if (!h) return -1;
    uint64_t nbucket = word(h, 0), nchain = word(h, 1), steps = 0;
    if (!nbucket) return ix_elf_refuse(d->im, "DT_HASH: no buckets");
    if (!(h = table(d, T_HASH, 4 * (2 + nbucket + nchain)))) return -1;
    for (uint64_t b = 0; b < nbucket; b++)
        for (uint64_t i = word(h, 2 + b); i != STN_UNDEF; i = word(h, 2 + nbucket + i))
            if (i >= nchain || ++steps > nchain)
                return ix_elf_refuse(d->im, "DT_HASH: bucket %llu leads to symbol %llu of %llu, or loops",
                                     (unsigned long long)b, (unsigned long long)i, (unsigned long long)nchain);
    d->nsyms = nchain;
    d->hash = h;
    return 0;
}

/* DT_GNU_HASH: nbuckets, symoffset, bloom words (a power of two, as ld.so asserts), bloom
 * shift; the bloom filter, the buckets, then one chain word per hashed symbol. A bucket
 * names the first symbol of its run, runs follow each other in order, and a run ends at a
 * word with bit 0 set: that bounds the symbol count. */
static int check_gnu_hash(Dyn *d)
{
    const void *h = table(d, T_GNU_HASH, 16);
    if (!h) return -1;
    uint64_t nbuckets = word(h, 0), symoffset = word(h, 1), bloom = word(h, 2), shift = word(h, 3);
    if (!nbuckets || !bloom || (bloom & (bloom - 1)) || shift >= 64)
        return ix_elf_refuse(d->im, "DT_GNU_HASH: %llu buckets, %llu bloom words, bloom shift %llu (expected at "
                             "least one bucket, a power of two of words, a shift below 64)", (unsigned long long)nbuckets,
                             (unsigned long long)bloom, (unsigned long long)shift);
    uint64_t head = 4 + 2 * bloom; /* in words: the header and the 64-bit bloom words */
    if (!(h = table(d, T_GNU_HASH, 4 * (head + nbuckets)))) return -1;
    uint64_t chains = V(d, T_GNU_HASH) + 4 * (head + nbuckets);
    uint64_t room = file_bytes_after(d, chains) / 4; /* chain words the segment holds */
    const void *chain = room ? bytes_at(d, chains, 4 * room) : NULL;
    uint64_t next = symoffset; /* the first symbol the next run may start at */
    for (uint64_t b = 0; b < nbuckets; b++) {
        uint64_t first = word(h, head + b);
        if (first == 0) continue;
        if (first < next)
            return ix_elf_refuse(d->im, "DT_GNU_HASH: bucket %llu starts at symbol %llu, inside an earlier run or "
                                 "below the first hashed symbol", (unsigned long long)b, (unsigned long long)first);
        for (next = first; next - symoffset < room && !(word(chain, next - symoffset) & 1); next++) {}
        if (next - symoffset >= room)
            return ix_elf_refuse(d->im, "DT_GNU_HASH: the chain of bucket %llu runs out of the library's loaded "
                                 "file bytes", (unsigned long long)b);
        next++;
    }
    d->gnu = h;
    d->gnu_chain = chain;
    d->gnu_head = head;
    if (!d->has[T_HASH]) d->nsyms = next;
    else if (next > d->nsyms)
        return ix_elf_refuse(d->im, "DT_GNU_HASH hashes %llu symbols, DT_HASH only %llu", (unsigned long long)next,
                             (unsigned long long)d->nsyms);
    return 0;
}

/* ---------------------------------------------------------------- symbols and versions */

static uint32_t sysv_hash(const char *name) /* the System V ABI's */
{
    uint32_t h = 0, g;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h = (h << 4) + *p;
        if ((g = h & 0xf0000000)) h ^= g >> 24;
        h &= ~g;
    }
    return h;
}

static uint32_t gnu_hash(const char *name) /* DJB's, as GNU_HASH uses it */
{
    uint32_t h = 5381;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) h = h * 33 + *p;
    return h;
}

static int misplaced(Dyn *d, int t, uint64_t sym, uint64_t bucket)
{
    return ix_elf_refuse(d->im, "%s: symbol %llu ('%.40s') is not in bucket %llu, where its name hashes to (the "
                         "symbol or string table does not match the hash table)", NAME(t), (unsigned long long)sym,
                         d->strtab + d->symtab[sym].st_name, (unsigned long long)bucket);
}

/* Every hashed symbol sits where the hash of its name says: what ld.so relies on to find a
 * symbol, and what tells a symbol or string table address that points at the wrong bytes. */
static int check_hashed_names(Dyn *d)
{
    if (d->hash) {
        uint64_t nbucket = word(d->hash, 0);
        for (uint64_t b = 0; b < nbucket; b++)
            for (uint64_t i = word(d->hash, 2 + b); i != STN_UNDEF; i = word(d->hash, 2 + nbucket + i))
                if (sysv_hash(d->strtab + d->symtab[i].st_name) % nbucket != b) return misplaced(d, T_HASH, i, b);
    }
    if (!d->gnu) return 0;
    uint64_t nbuckets = word(d->gnu, 0), symoffset = word(d->gnu, 1);
    for (uint64_t b = 0; b < nbuckets; b++) {
        uint64_t i = word(d->gnu, d->gnu_head + b), last = 0;
        for (; i && !last; i++) {
            uint32_t h = gnu_hash(d->strtab + d->symtab[i].st_name), c = word(d->gnu_chain, i - symoffset);
            last = c & 1;
            if (h % nbuckets != b || (h | 1) != (c | 1)) return misplaced(d, T_GNU_HASH, i, b);
        }
    }
    return 0;
}

/* Without DT_HASH, the symbol count is unknown: DT_GNU_HASH counts only the symbols it
 * hashes (not the undefined ones before them, and nothing when it hashes none). Then the
 * table is taken to reach the last symbol a relocation names, which must be in the file. */
static int count_relocated_symbols(Dyn *d)
{
    static const int tables[][2] = {{T_RELA, T_RELASZ}, {T_JMPREL, T_PLTRELSZ}};
    for (int k = 0; k < 2 && !d->has[T_HASH]; k++) {
        int t = tables[k][0], size_tag = tables[k][1];
        const Elf64_Rela *rel = d->has[t] && V(d, size_tag) ? table(d, t, V(d, size_tag)) : NULL;
        if (d->has[t] && V(d, size_tag) && !rel) return -1;
        for (uint64_t i = 0; rel && i < V(d, size_tag) / sizeof *rel; i++) {
            Elf64_Rela r;
            memcpy(&r, &rel[i], sizeof r);
            if (ELF64_R_SYM(r.r_info) >= d->nsyms) d->nsyms = ELF64_R_SYM(r.r_info) + 1;
        }
    }
    return 0;
}

/* The symbol table holds the symbols the hash tables count; every name is a string of the
 * string table, and an IFUNC resolver (which ld.so calls while relocating) is code. */
static int check_symbols(Dyn *d)
{
    uint64_t n = d->nsyms ? d->nsyms : 1;
    if (!(d->symtab = table(d, T_SYMTAB, n * sizeof(Elf64_Sym)))) return -1;
    char what[64];
    for (uint64_t i = 0; i < d->nsyms; i++) {
        const Elf64_Sym *s = &d->symtab[i];
        snprintf(what, sizeof what, "symbol %llu", (unsigned long long)i);
        if (string_at(d, what, s->st_name) < 0) return -1;
        if (ELF64_ST_TYPE(s->st_info) == STT_GNU_IFUNC && s->st_shndx != SHN_UNDEF &&
            !ix_elf_load_at(d->im, s->st_value, 1, true, PF_R | PF_X))
            return ix_elf_refuse(d->im, "symbol %llu is an IFUNC resolver outside the library's code (0x%llx)",
                                 (unsigned long long)i, (unsigned long long)s->st_value);
    }
    return 0;
}

/* A version chain (DT_VERNEED or DT_VERDEF) as ld.so walks it: `count` entries linked by
 * their next offsets (the last one 0, the others moving forward by at least one entry),
 * each with `aux` entries linked the same way. Offsets stay inside the segment's file bytes,
 * and the walk inside a budget of one step per entry-sized piece of it. */
typedef struct Chain {
    int tag;
    size_t entry, aux_entry; /* sizeof the entry and the aux entry */
    /* reads entry e: its version, aux count, aux offset, next offset; adds to ndx_high; -1 if refused */
    int (*read)(Dyn *d, const void *e, unsigned *version, unsigned *cnt, uint64_t *aux, uint64_t *next);
    /* reads aux entry a: its name offset, next offset; adds to ndx_high */
    void (*read_aux)(Dyn *d, const void *a, uint64_t *name, uint64_t *next);
} Chain;

static int walk_aux(Dyn *d, const Chain *c, const char *base, uint64_t room, uint64_t at, unsigned cnt,
                    uint64_t *budget, uint64_t i)
{
    for (unsigned j = 0; j < cnt; j++) {
        if (at > room || room - at < c->aux_entry || !(*budget)--)
            return ix_elf_refuse(d->im, "%s: entry %llu: auxiliary entry %u lies outside the library's loaded file "
                                 "bytes", NAME(c->tag), (unsigned long long)i, j);
        uint64_t name, next;
        c->read_aux(d, base + at, &name, &next);
        char what[64];
        snprintf(what, sizeof what, "%s entry %llu", NAME(c->tag), (unsigned long long)i);
        if (string_at(d, what, name) < 0) return -1;
        if ((next == 0) != (j + 1 == cnt) || (next && next < c->aux_entry))
            return ix_elf_refuse(d->im, "%s: entry %llu: auxiliary entry %u links to offset %llu (expected %s)",
                                 NAME(c->tag), (unsigned long long)i, j, (unsigned long long)next,
                                 j + 1 == cnt ? "0, the last" : "a following entry");
        at += next;
    }
    return 0;
}

static int walk_chain(Dyn *d, const Chain *c, uint64_t count)
{
    if (count == 0) /* ld.so walks the chain whatever the count says: it has one entry at least */
        return ix_elf_refuse(d->im, "dynamic entry %s is 0 (a version chain has at least one entry)", NAME(c->tag + 1)); /* T_VERDEFNUM follows T_VERDEF, T_VERNEEDNUM T_VERNEED */
    uint64_t room = file_bytes_after(d, V(d, c->tag)), at = 0, budget = room / 8;
    const char *base = room ? bytes_at(d, V(d, c->tag), room) : NULL;
    if (!base) return ix_elf_refuse(d->im, "dynamic entry %s (0x%llx) lies outside the library's loaded file bytes",
                                    NAME(c->tag), (unsigned long long)V(d, c->tag));
    for (uint64_t i = 0; i < count; i++) {
        if (at > room || room - at < c->entry || !budget--)
            return ix_elf_refuse(d->im, "%s: entry %llu of %llu lies outside the library's loaded file bytes",
                                 NAME(c->tag), (unsigned long long)i, (unsigned long long)count);
        unsigned version, cnt;
        uint64_t aux, next;
        if (c->read(d, base + at, &version, &cnt, &aux, &next) < 0) return -1;
        if (version != 1 || cnt == 0)
            return ix_elf_refuse(d->im, "%s: entry %llu has version %u and %u auxiliary entries (expected 1 and at "
                                 "least 1)", NAME(c->tag), (unsigned long long)i, version, cnt);
        if (walk_aux(d, c, base, room, at + aux, cnt, &budget, i) < 0) return -1;
        if ((next == 0) != (i + 1 == count) || (next && next < c->entry))
            return ix_elf_refuse(d->im, "%s: entry %llu links to offset %llu (expected %s)", NAME(c->tag),
                                 (unsigned long long)i, (unsigned long long)next,
                                 i + 1 == count ? "0, the last of the count" : "a following entry");
        at += next;
    }
    return 0;
}

static void note_ndx(Dyn *d, unsigned ndx)
{
    if ((ndx & 0x7fff) > d->ndx_high) d->ndx_high = ndx & 0x7fff;
}

static int read_verneed(Dyn *d, const void *e, unsigned *version, unsigned *cnt, uint64_t *aux, uint64_t *next)
{
    Elf64_Verneed v;
    memcpy(&v, e, sizeof v);
    *version = v.vn_version;
    *cnt = v.vn_cnt;
    *aux = v.vn_aux;
    *next = v.vn_next;
    if (string_at(d, "DT_VERNEED's file name", v.vn_file) < 0) return -1;
    /* ld.so asserts (exiting the process) that the file is one the library needs */
    for (size_t i = 0; i < d->count; i++)
        if (d->entries[i].d_tag == DT_NEEDED && strcmp(d->strtab + d->entries[i].d_un.d_val, d->strtab + v.vn_file) == 0)
            return 0;
    return ix_elf_refuse(d->im, "DT_VERNEED names versions of %s, which no DT_NEEDED entry names",
                         d->strtab + v.vn_file);
}

static void read_vernaux(Dyn *d, const void *a, uint64_t *name, uint64_t *next)
{
    Elf64_Vernaux v;
    memcpy(&v, a, sizeof v);
    note_ndx(d, v.vna_other);
    *name = v.vna_name;
    *next = v.vna_next;
}

static int read_verdef(Dyn *d, const void *e, unsigned *version, unsigned *cnt, uint64_t *aux, uint64_t *next)
{
    Elf64_Verdef v;
    memcpy(&v, e, sizeof v);
    note_ndx(d, v.vd_ndx);
    *version = v.vd_version;
    *cnt = v.vd_cnt;
    *aux = v.vd_aux;
    *next = v.vd_next;
    return 0;
}

static void read_verdaux(Dyn *d, const void *a, uint64_t *name, uint64_t *next)
{
    (void)d;
    Elf64_Verdaux v;
    memcpy(&v, a, sizeof v);
    *name = v.vda_name;
    *next = v.vda_next;
}

/* ld.so sizes its version array by the highest index VERNEED and VERDEF define and indexes
 * it with each symbol's DT_VERSYM entry: every entry must be within it. */
static int check_versions(Dyn *d)
{
    static const Chain need = {T_VERNEED, sizeof(Elf64_Verneed), sizeof(Elf64_Vernaux), read_verneed, read_vernaux};
    static const Chain def = {T_VERDEF, sizeof(Elf64_Verdef), sizeof(Elf64_Verdaux), read_verdef, read_verdaux};
    if (d->has[T_VERNEED] && walk_chain(d, &need, V(d, T_VERNEEDNUM)) < 0) return -1;
    if (d->has[T_VERDEF] && walk_chain(d, &def, V(d, T_VERDEFNUM)) < 0) return -1;
    if (!d->has[T_VERSYM] && d->ndx_high) /* ld.so reads DT_VERSYM as soon as there are versions */
        return ix_elf_refuse(d->im, "dynamic entry %s without DT_VERSYM", d->has[T_VERNEED] ? "DT_VERNEED" : "DT_VERDEF");
    if (!d->has[T_VERSYM]) return 0;
    if (!d->ndx_high) return ix_elf_refuse(d->im, "dynamic entry DT_VERSYM without DT_VERNEED or DT_VERDEF");
    const void *versym = table(d, T_VERSYM, 2 * (d->nsyms ? d->nsyms : 1));
    if (!versym) return -1;
    for (uint64_t i = 0; i < d->nsyms; i++) {
        uint16_t v;
        memcpy(&v, (const char *)versym + 2 * i, 2);
        if ((v & 0x7fff) > d->ndx_high)
            return ix_elf_refuse(d->im, "DT_VERSYM: symbol %llu has version %u; the library defines versions up to %u",
                                 (unsigned long long)i, v & 0x7fff, d->ndx_high);
    }
    return 0;
}

/* ---------------------------------------------------------------- relocations */

static const char *reloc_name(unsigned type)
{
    switch (type) {
    case R_X86_64_NONE: return "R_X86_64_NONE";
    case R_X86_64_64: return "R_X86_64_64";
    case R_X86_64_PC32: return "R_X86_64_PC32";
    case R_X86_64_COPY: return "R_X86_64_COPY";
    case R_X86_64_GLOB_DAT: return "R_X86_64_GLOB_DAT";
    case R_X86_64_JUMP_SLOT: return "R_X86_64_JUMP_SLOT";
    case R_X86_64_RELATIVE: return "R_X86_64_RELATIVE";
    case R_X86_64_32: return "R_X86_64_32";
    case R_X86_64_DTPMOD64: return "R_X86_64_DTPMOD64";
    case R_X86_64_DTPOFF64: return "R_X86_64_DTPOFF64";
    case R_X86_64_TPOFF64: return "R_X86_64_TPOFF64";
    case R_X86_64_IRELATIVE: return "R_X86_64_IRELATIVE";
    case R_X86_64_TLSDESC: return "R_X86_64_TLSDESC";
    default: return "unknown";
    }
}

/* The init and fini arrays ld.so calls through: each slot gets its value from a relocation
 * (a library's arrays hold link-time addresses that only relocation makes real), an
 * R_X86_64_RELATIVE whose addend, or an R_X86_64_64 whose symbol, must be code. `seen`
 * marks the slots covered. */
typedef struct Array {
    int tag, size_tag;
    unsigned char *seen;
} Array;

static int array_slot(Dyn *d, Array *a, const Elf64_Rela *r)
{
    uint64_t start = V(d, a->tag), size = V(d, a->size_tag), off = r->r_offset - start;
    if (!d->has[a->tag] || r->r_offset < start || off >= size) return 0;
    const Elf64_Sym *s = ELF64_R_TYPE(r->r_info) == R_X86_64_64 ? &d->symtab[ELF64_R_SYM(r->r_info)] : NULL;
    /* R_X86_64_64: a symbol's address; one another library defines is its business, unless
     * weak (an absent weak symbol would make the entry 0) */
    bool elsewhere = s && s->st_shndx == SHN_UNDEF && ELF64_ST_BIND(s->st_info) != STB_WEAK;
    uint64_t value = (uint64_t)r->r_addend + (s ? s->st_value : 0);
    if (off % 8 || (!elsewhere && !ix_elf_load_at(d->im, value, 1, true, PF_R | PF_X)))
        return ix_elf_refuse(d->im, "entry %llu of %s is set to 0x%llx, not an address in the library's code",
                             (unsigned long long)(off / 8), NAME(a->tag), (unsigned long long)value);
    a->seen[off / 64] |= (unsigned char)(1u << (off / 8 % 8));
    return 0;
}

/* One relocation (the i-th of the table `t`): a type ld.so handles for a library on x86-64
 * (what gcc and ld produce), writing 8 bytes (a TLS descriptor 16) inside a writable segment, naming a symbol of
 * the table; an IRELATIVE resolver (called by ld.so) in code; a TLS relocation of the
 * library's own block only if it has one. */
static int check_reloc(Dyn *d, int t, uint64_t i, const Elf64_Rela *r, Array arrays[2])
{
    unsigned type = (unsigned)ELF64_R_TYPE(r->r_info);
    uint64_t sym = ELF64_R_SYM(r->r_info);
    switch (type) {
    case R_X86_64_NONE: return 0;
    case R_X86_64_RELATIVE:
    case R_X86_64_IRELATIVE:
    case R_X86_64_64:
    case R_X86_64_GLOB_DAT:
    case R_X86_64_JUMP_SLOT:
    case R_X86_64_DTPMOD64:
    case R_X86_64_DTPOFF64:
    case R_X86_64_TPOFF64:
    case R_X86_64_TLSDESC: break;
    default:
        return ix_elf_refuse(d->im, "relocation %llu of %s has type %u (%s), which a library on this host may not use",
                             (unsigned long long)i, NAME(t), type, reloc_name(type));
    }
    if (!ix_elf_load_at(d->im, r->r_offset, type == R_X86_64_TLSDESC ? 16 : 8, false, PF_R | PF_W))
        return ix_elf_refuse(d->im, "relocation %llu of %s writes at 0x%llx, outside the library's writable segments",
                             (unsigned long long)i, NAME(t), (unsigned long long)r->r_offset);
    if (sym >= d->nsyms && type != R_X86_64_RELATIVE && type != R_X86_64_IRELATIVE)
        return ix_elf_refuse(d->im, "relocation %llu of %s names symbol %llu of a table of %llu",
                             (unsigned long long)i, NAME(t), (unsigned long long)sym, (unsigned long long)d->nsyms);
    if (type == R_X86_64_IRELATIVE && !ix_elf_load_at(d->im, (uint64_t)r->r_addend, 1, true, PF_R | PF_X))
        return ix_elf_refuse(d->im, "relocation %llu of %s calls 0x%llx, outside the library's code",
                             (unsigned long long)i, NAME(t), (unsigned long long)r->r_addend);
    bool tls = type == R_X86_64_DTPMOD64 || type == R_X86_64_DTPOFF64 || type == R_X86_64_TPOFF64 ||
               type == R_X86_64_TLSDESC;
    if (tls && !d->im->tls && (sym == 0 || ELF64_ST_BIND(d->symtab[sym].st_info) == STB_LOCAL))
        return ix_elf_refuse(d->im, "relocation %llu of %s is of the library's thread-local block, which it does not "
                             "have", (unsigned long long)i, NAME(t));
    if (type != R_X86_64_RELATIVE && type != R_X86_64_64) return 0;
    return array_slot(d, &arrays[0], r) < 0 || array_slot(d, &arrays[1], r) < 0 ? -1 : 0;
}

/* The table `t` of `size_tag` bytes; its first `relative` entries are RELATIVE (ld.so
 * applies them as such without looking at their type). */
static int check_relocs(Dyn *d, int t, int size_tag, uint64_t relative, Array arrays[2])
{
    if (!d->has[t] || !V(d, size_tag)) return 0;
    const Elf64_Rela *rel = table(d, t, V(d, size_tag));
    if (!rel) return -1;
    uint64_t n = V(d, size_tag) / sizeof *rel;
    for (uint64_t i = 0; i < n; i++) {
        Elf64_Rela r;
        memcpy(&r, &rel[i], sizeof r);
        if (i < relative && ELF64_R_TYPE(r.r_info) != R_X86_64_RELATIVE)
            return ix_elf_refuse(d->im, "relocation %llu of DT_RELA is of type %u, but DT_RELACOUNT says the first "
                                 "%llu are R_X86_64_RELATIVE", (unsigned long long)i,
                                 (unsigned)ELF64_R_TYPE(r.r_info), (unsigned long long)relative);
        if (check_reloc(d, t, i, &r, arrays) < 0) return -1;
    }
    return 0;
}

/* One slot DT_RELR relocates (ld.so adds the load address to the 8 bytes there): inside a
 * writable segment; in an init or fini array, its value in the file must be code. */
static int relr_slot(Dyn *d, uint64_t i, uint64_t where, Array arrays[2])
{
    if (!ix_elf_load_at(d->im, where, 8, false, PF_R | PF_W))
        return ix_elf_refuse(d->im, "entry %llu of DT_RELR relocates 0x%llx, outside the library's writable segments",
                             (unsigned long long)i, (unsigned long long)where);
    for (int k = 0; k < 2; k++) {
        uint64_t start = V(d, arrays[k].tag), off = where - start, value;
        if (!d->has[arrays[k].tag] || where < start || off >= V(d, arrays[k].size_tag)) continue;
        const void *p = bytes_at(d, where, 8);
        if (p) memcpy(&value, p, 8);
        if (!p || off % 8 || !ix_elf_load_at(d->im, value, 1, true, PF_R | PF_X))
            return ix_elf_refuse(d->im, "entry %llu of %s is not relocated to an address in the library's code",
                                 (unsigned long long)(off / 8), NAME(arrays[k].tag));
        arrays[k].seen[off / 64] |= (unsigned char)(1u << (off / 8 % 8));
    }
    return 0;
}

/* DT_RELR, decoded as ld.so does: an even word is an address (relocated, and the next slot
 * the bitmaps count from), an odd word a bitmap of the 63 slots after it. */
static int check_relr(Dyn *d, Array arrays[2])
{
    if (!d->has[T_RELR] || !V(d, T_RELRSZ)) return 0;
    const uint64_t *relr = table(d, T_RELR, V(d, T_RELRSZ));
    if (!relr) return -1;
    uint64_t where = 0;
    bool based = false;
    for (uint64_t i = 0; i < V(d, T_RELRSZ) / 8; i++) {
        uint64_t e;
        memcpy(&e, &relr[i], 8);
        if (!(e & 1)) {
            if (relr_slot(d, i, e, arrays) < 0) return -1;
            where = e + 8;
            based = true;
            continue;
        }
        if (!based) return ix_elf_refuse(d->im, "entry %llu of DT_RELR is a bitmap before any address", (unsigned long long)i);
        for (int b = 0; b < 63; b++)
            if ((e >> (b + 1)) & 1 && relr_slot(d, i, where + 8 * (uint64_t)b, arrays) < 0) return -1;
        where += 63 * 8;
    }
    return 0;
}

static int check_arrays_covered(Dyn *d, const Array arrays[2])
{
    for (int k = 0; k < 2; k++)
        for (uint64_t s = 0; d->has[arrays[k].tag] && s < V(d, arrays[k].size_tag) / 8; s++)
            if (!(arrays[k].seen[s / 8] & (1u << (s % 8))))
                return ix_elf_refuse(d->im, "entry %llu of %s is not relocated to an address in the library's code",
                                     (unsigned long long)s, NAME(arrays[k].tag));
    return 0;
}

static int check_all_relocs(Dyn *d)
{
    Array arrays[2] = {{T_INIT_ARRAY, T_INIT_ARRAYSZ, NULL}, {T_FINI_ARRAY, T_FINI_ARRAYSZ, NULL}};
    int rc = -1;
    for (int k = 0; k < 2; k++)
        if (!(arrays[k].seen = calloc(V(d, arrays[k].size_tag) / 64 + 1, 1))) {
            ix_elf_refuse(d->im, "out of memory checking %s", NAME(arrays[k].tag));
            goto out;
        }
    if (check_relocs(d, T_RELA, T_RELASZ, V(d, T_RELACOUNT), arrays) == 0 &&
        check_relocs(d, T_JMPREL, T_PLTRELSZ, 0, arrays) == 0 && check_relr(d, arrays) == 0)
        rc = check_arrays_covered(d, arrays);
out:
    free(arrays[0].seen);
    free(arrays[1].seen);
    return rc;
}

int ix_elf_check_dynamic(IxElfImage *im)
{
    Dyn d = {.im = im};
    if (read_entries(&d) < 0 || check_values(&d) < 0 || check_strings(&d) < 0 || check_addresses(&d) < 0) return -1;
    if (d.has[T_HASH] && check_hash(&d) < 0) return -1;
    if (d.has[T_GNU_HASH] && check_gnu_hash(&d) < 0) return -1;
    if (count_relocated_symbols(&d) < 0 || check_symbols(&d) < 0 || check_hashed_names(&d) < 0 || check_versions(&d) < 0) return -1;
    return check_all_relocs(&d);
}
