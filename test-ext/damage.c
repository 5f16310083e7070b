/*
 * damage -- makes the damaged copies of a good library that the ELF checks must refuse
 * (ABI.md 4.1). A build tool, not an extension: test-ext/CMakeLists.txt runs
 *
 *   ixdamage SRC.so OUTDIR
 *
 * and writes into OUTDIR, each named after the module a test imports:
 *
 *   trunc_1k.so ... trunc_16k.so   the first 1, 2, 4, 8, 16 KiB of SRC
 *   machine_aarch64.so             e_machine patched to EM_AARCH64
 *   class_32.so                    EI_CLASS patched to ELFCLASS32
 *   type_exec.so                   e_type patched to ET_EXEC
 *   no_dynamic.so                  the PT_DYNAMIC program header turned into PT_NULL
 *   empty.so                       0 bytes
 *   relaent_12.so                  DT_RELAENT set to 12 (ld.so asserted and exited)
 *   strtab_outside.so              DT_STRTAB moved to 0x100000, outside every segment
 *   reloc_readonly.so              the first DT_RELA relocation retargeted at 0x1000, in
 *                                  the code segment (ld.so would write into code)
 *
 * The header fields are patched at their fixed offsets in e_ident/Elf64_Ehdr (elf.h); the
 * program header is found and rewritten with libelf; dynamic entries and relocations are
 * found through the PT_DYNAMIC and PT_LOAD program headers (read with libelf), as ld.so does.
 */
#include <elf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned char *image;
static size_t image_size;
static const char *outdir;

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void read_image(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) die(path);
    fseek(f, 0, SEEK_END);
    image_size = (size_t)ftell(f);
    rewind(f);
    image = malloc(image_size);
    if (!image || fread(image, 1, image_size, f) != image_size) die(path);
    fclose(f);
}

/* OUTDIR/NAME.so with the first n bytes of `bytes`; returns its path. */
static const char *write_file(const char *name, const unsigned char *bytes, size_t n)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s.so", outdir, name);
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(bytes, 1, n, f) != n) || fclose(f) != 0) die(path);
    return path;
}

/* A copy of the image with `width` bytes at `offset` set to `value` (little-endian). */
static void patched(const char *name, size_t offset, uint64_t value, size_t width)
{
    unsigned char *copy = malloc(image_size);
    if (!copy) die("malloc");
    memcpy(copy, image, image_size);
    for (size_t i = 0; i < width; i++) copy[offset + i] = (unsigned char)(value >> (8 * i));
    write_file(name, copy, image_size);
    free(copy);
}

static void no_dynamic(void)
{
    const char *path = write_file("no_dynamic", image, image_size);
    int fd = open(path, O_RDWR);
    Elf *elf = fd < 0 ? NULL : elf_begin(fd, ELF_C_RDWR, NULL);
    size_t n = 0;
    if (!elf || elf_getphdrnum(elf, &n) != 0) die("no_dynamic: libelf");
    elf_flagelf(elf, ELF_C_SET, ELF_F_LAYOUT); /* rewrite the header only, move nothing */
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_DYNAMIC) {
            ph.p_type = PT_NULL;
            gelf_update_phdr(elf, (int)i, &ph);
            elf_flagphdr(elf, ELF_C_SET, ELF_F_DIRTY);
        }
    }
    if (elf_update(elf, ELF_C_WRITE) < 0) die("no_dynamic: elf_update");
    elf_end(elf);
    close(fd);
}

/* The file offset of virtual address `vaddr` (through the PT_LOAD mapping it), and of the
 * value of the dynamic entry with tag `tag`. */
static size_t file_offset(Elf *elf, uint64_t vaddr)
{
    size_t n = 0;
    elf_getphdrnum(elf, &n);
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD && vaddr >= ph.p_vaddr &&
            vaddr - ph.p_vaddr < ph.p_filesz)
            return (size_t)(ph.p_offset + (vaddr - ph.p_vaddr));
    }
    die("damage: address not in a PT_LOAD");
    return 0;
}

static size_t dyn_value_offset(Elf *elf, int64_t tag, uint64_t *value)
{
    size_t n = 0;
    elf_getphdrnum(elf, &n);
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_DYNAMIC) continue;
        for (size_t at = ph.p_offset; at + sizeof(Elf64_Dyn) <= ph.p_offset + ph.p_filesz; at += sizeof(Elf64_Dyn)) {
            Elf64_Dyn d;
            memcpy(&d, image + at, sizeof d);
            if (d.d_tag == tag) {
                *value = d.d_un.d_val;
                return at + offsetof(Elf64_Dyn, d_un);
            }
        }
    }
    die("damage: dynamic tag not found");
    return 0;
}

static void dynamic_damages(void)
{
    Elf *elf = elf_memory((char *)image, image_size);
    uint64_t v;
    if (!elf) die("damage: elf_memory");
    patched("relaent_12", dyn_value_offset(elf, DT_RELAENT, &v), 12, 8);
    patched("strtab_outside", dyn_value_offset(elf, DT_STRTAB, &v), 0x100000, 8);
    dyn_value_offset(elf, DT_RELA, &v);
    patched("reloc_readonly", file_offset(elf, v) + offsetof(Elf64_Rela, r_offset), 0x1000, 8);
    elf_end(elf);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: ixdamage SRC.so OUTDIR\n");
        return 2;
    }
    outdir = argv[2];
    read_image(argv[1]);
    elf_version(EV_CURRENT);
    static const struct { const char *name; size_t kib; } cuts[] = {
        {"trunc_1k", 1}, {"trunc_2k", 2}, {"trunc_4k", 4}, {"trunc_8k", 8}, {"trunc_16k", 16}};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        size_t n = cuts[i].kib * 1024;
        write_file(cuts[i].name, image, n < image_size ? n : image_size);
    }
    patched("machine_aarch64", offsetof(Elf64_Ehdr, e_machine), EM_AARCH64, 2);
    patched("class_32", EI_CLASS, ELFCLASS32, 1);
    patched("type_exec", offsetof(Elf64_Ehdr, e_type), ET_EXEC, 2);
    no_dynamic();
    write_file("empty", image, 0);
    dynamic_damages();
    return 0;
}
