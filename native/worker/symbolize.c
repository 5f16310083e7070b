/*
 * symbolize.c -- `ixworker --symbolize REPORT`: a crash report (crash.c) with the names
 * dladdr could not give.
 *
 * dladdr sees only a library's dynamic symbols, and an extension's functions are mostly
 * `static` (only IxInit_NAME is exported), so in the report a crash in crasher_segfault
 * reads "IxInit_crasher+0x..." or "?". Here each "frame N: NAME at PATH+0xOFFSET" line is
 * looked up again in PATH's own symbol table (.symtab, then .dynsym) with elfutils' libelf,
 * and in its DWARF line table with libdw, and printed as
 *     frame N: FUNCTION+0xOFF at PATH+0xOFFSET (FILE:LINE)
 * (the source part only when the library has DWARF). Every other line is copied.
 *
 * OFFSET is from the library's load base, the start of its first PT_LOAD segment
 * (dladdr's dli_fbase); the ELF address is OFFSET plus that segment's page-aligned
 * p_vaddr. A return address (every frame but the first of a report "from the fault")
 * is looked up one byte back: a call to a noreturn function such as abort() may be the
 * last instruction of its function, and its return address the next function's first.
 *
 * Built without libdw (optional, like native/tools/audit), the report is copied unchanged:
 * the names stay dladdr's, the offsets are there for addr2line / eu-addr2line.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "worker.h"

#ifdef IXWK_HAVE_LIBDW
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

typedef struct {
    char *path;
    int fd;
    Elf *elf;
    Dwarf *dwarf;  /* NULL without DWARF */
    uint64_t base; /* page-aligned p_vaddr of the first PT_LOAD */
} Image;

static void image_close(Image *im)
{
    if (im->dwarf)
        dwarf_end(im->dwarf);
    if (im->elf)
        elf_end(im->elf);
    if (im->fd >= 0)
        close(im->fd);
    free(im->path);
    *im = (Image){.fd = -1};
}

/* The image for path, kept open while consecutive frames name the same library. */
static Image *image_open(Image *im, const char *path)
{
    if (im->path != NULL && strcmp(im->path, path) == 0)
        return im->elf ? im : NULL;
    image_close(im);
    im->path = strdup(path);
    im->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (im->fd < 0)
        return NULL;
    im->elf = elf_begin(im->fd, ELF_C_READ_MMAP, NULL);
    size_t n;
    if (im->elf == NULL || elf_kind(im->elf) != ELF_K_ELF || elf_getphdrnum(im->elf, &n) != 0) {
        if (im->elf)
            elf_end(im->elf);
        im->elf = NULL;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (gelf_getphdr(im->elf, (int)i, &ph) && ph.p_type == PT_LOAD) {
            im->base = ph.p_vaddr & ~(uint64_t)0xfff;
            break;
        }
    }
    im->dwarf = dwarf_begin_elf(im->elf, DWARF_C_READ, NULL);
    return im;
}

/* The function symbol of one symbol table section containing addr. */
static const char *find_in(Elf *elf, Elf_Scn *scn, uint64_t addr, uint64_t *start)
{
    GElf_Shdr sh;
    Elf_Data *data = elf_getdata(scn, NULL);
    if (gelf_getshdr(scn, &sh) == NULL || data == NULL || sh.sh_entsize == 0)
        return NULL;
    size_t count = sh.sh_size / sh.sh_entsize;
    for (size_t i = 0; i < count; i++) {
        GElf_Sym sym;
        if (gelf_getsym(data, (int)i, &sym) == NULL || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
            sym.st_shndx == SHN_UNDEF)
            continue;
        if (addr >= sym.st_value && addr < sym.st_value + (sym.st_size ? sym.st_size : 1)) {
            *start = sym.st_value;
            return elf_strptr(elf, sh.sh_link, sym.st_name);
        }
    }
    return NULL;
}

static const char *find_function(Image *im, uint64_t addr, uint64_t *start)
{
    const char *name = NULL;
    for (int want = SHT_SYMTAB; name == NULL; want = SHT_DYNSYM) {
        for (Elf_Scn *scn = NULL; name == NULL && (scn = elf_nextscn(im->elf, scn)) != NULL;) {
            GElf_Shdr sh;
            if (gelf_getshdr(scn, &sh) && sh.sh_type == (Elf64_Word)want)
                name = find_in(im->elf, scn, addr, start);
        }
        if (want == SHT_DYNSYM)
            break;
    }
    return name;
}

static void put_source(FILE *out, Image *im, uint64_t addr)
{
    Dwarf_Die cu;
    if (im->dwarf == NULL || dwarf_addrdie(im->dwarf, addr, &cu) == NULL)
        return;
    Dwarf_Line *line = dwarf_getsrc_die(&cu, addr);
    int lineno;
    const char *file = line ? dwarf_linesrc(line, NULL, NULL) : NULL;
    if (file == NULL || dwarf_lineno(line, &lineno) != 0)
        return;
    const char *slash = strrchr(file, '/');
    fprintf(out, " (%s:%d)", slash ? slash + 1 : file, lineno);
}

/* One "frame N: NAME at PATH+0xOFFSET" line, resolved; 0 when it is not such a line. */
static int symbolize_frame(FILE *out, Image *im, const char *line, int exact)
{
    int number, consumed = 0;
    if (sscanf(line, "frame %d: %n", &number, &consumed) != 1 || consumed == 0)
        return 0;
    const char *at = strstr(line + consumed, " at ");
    const char *plus = strrchr(line, '+');
    if (at == NULL || plus == NULL || plus < at || strncmp(plus, "+0x", 3) != 0)
        return 0;
    uint64_t offset = strtoull(plus + 3, NULL, 16);
    char *path = strndup(at + 4, (size_t)(plus - at - 4));
    Image *image = path ? image_open(im, path) : NULL;
    uint64_t start = 0, addr = offset + (image ? image->base : 0);
    uint64_t lookup = exact || addr == 0 ? addr : addr - 1;
    const char *name = image ? find_function(image, lookup, &start) : NULL;
    if (name == NULL) {
        free(path);
        return 0;
    }
    fprintf(out, "frame %d: %s+0x%" PRIx64 " at %s+0x%" PRIx64, number, name, addr - start,
            path, offset);
    put_source(out, image, lookup);
    fputc('\n', out);
    free(path);
    return 1;
}

int ixwk_symbolize(const char *report_path, FILE *out)
{
    FILE *in = fopen(report_path, "re");
    if (in == NULL) {
        perror(report_path);
        return 2;
    }
    elf_version(EV_CURRENT);
    Image im = {.fd = -1};
    char *line = NULL;
    size_t cap = 0;
    int from_fault = 0, first = 1;
    while (getline(&line, &cap, in) >= 0) {
        if (strncmp(line, "frames: ", 8) == 0)
            from_fault = strstr(line, " from the fault") != NULL;
        if (strncmp(line, "frame ", 6) == 0) {
            int exact = first && from_fault;  /* the faulting instruction itself */
            first = 0;
            if (symbolize_frame(out, &im, line, exact))
                continue;
        }
        fputs(line, out);
    }
    free(line);
    image_close(&im);
    fclose(in);
    return 0;
}

#else /* no libdw */

int ixwk_symbolize(const char *report_path, FILE *out)
{
    FILE *in = fopen(report_path, "re");
    if (in == NULL) {
        perror(report_path);
        return 2;
    }
    fprintf(stderr, "ixworker: built without libdw: the names are dladdr's\n");
    int c;
    while ((c = fgetc(in)) != EOF)
        fputc(c, out);
    fclose(in);
    return 0;
}
#endif
