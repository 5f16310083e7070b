/*
 * elf_check.c -- may this file be handed to the dynamic loader? (ABI.md 4.1)
 *
 * dlopen trusts the file: it maps every loadable segment where the program headers say and
 * reads them, so a truncated library dies with SIGBUS inside ld.so, and a library for
 * another machine comes back as glibc's misleading "No such file or directory" or worse.
 * Before the loader opens a library for the first time, this reads the ELF header and the
 * program headers with libelf (never a hand-written parser) and refuses, with a reason a
 * person can act on, anything the dynamic loader of this host cannot map safely.
 *
 * Self-contained on purpose (libc and libelf only, no interpreter state), so a fuzzer can
 * compile it alone and call ix_elf_check_memory on mutated images.
 */
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_image.h"
#include "ix_internal.h"

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define HOST_MACHINE EM_RISCV
#elif defined(__powerpc64__)
#define HOST_MACHINE EM_PPC64
#elif defined(__s390x__)
#define HOST_MACHINE EM_S390
#else
#error "elf_check.c: add this host's EM_* value"
#endif
#define HOST_CLASS (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32)
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_DATA ELFDATA2LSB
#else
#define HOST_DATA ELFDATA2MSB
#endif

/* The names people know architectures by, for the common EM_* values. */
static const char *machine_name(unsigned m, char *buf, size_t cap)
{
    switch (m) {
    case EM_X86_64: return "x86-64";
    case EM_AARCH64: return "AArch64";
    case EM_386: return "i386";
    case EM_ARM: return "ARM (32-bit)";
    case EM_RISCV: return "RISC-V";
    case EM_PPC64: return "PowerPC64";
    case EM_PPC: return "PowerPC";
    case EM_S390: return "S/390";
    case EM_MIPS: return "MIPS";
    case EM_SPARCV9: return "SPARC V9";
    case EM_IA_64: return "IA-64";
#ifdef EM_LOONGARCH
    case EM_LOONGARCH: return "LoongArch";
#endif
    default: snprintf(buf, cap, "ELF machine %u", m); return buf;
    }
}

static int refuse(char *why, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int refuse(char *why, size_t cap, const char *fmt, ...)
{
    va_list va;
    va_start(va, fmt);
    vsnprintf(why, cap, fmt, va);
    va_end(va);
    return -1;
}

static int check_header(const GElf_Ehdr *eh, char *why, size_t cap)
{
    char a[32], b[32];
    if (eh->e_machine != HOST_MACHINE)
        return refuse(why, cap, "built for %s; this host is %s", machine_name(eh->e_machine, a, sizeof a),
                      machine_name(HOST_MACHINE, b, sizeof b));
    if (eh->e_ident[EI_CLASS] != HOST_CLASS)
        return refuse(why, cap, "a %s ELF file; this host's libraries are %s",
                      eh->e_ident[EI_CLASS] == ELFCLASS32 ? "32-bit" : "64-bit",
                      HOST_CLASS == ELFCLASS64 ? "64-bit" : "32-bit");
    if (eh->e_ident[EI_DATA] != HOST_DATA)
        return refuse(why, cap, "a %s ELF file; this host is %s",
                      eh->e_ident[EI_DATA] == ELFDATA2MSB ? "big-endian" : "little-endian",
                      HOST_DATA == ELFDATA2LSB ? "little-endian" : "big-endian");
    if (eh->e_type != ET_DYN)
        return refuse(why, cap, "not a shared library (ELF type %s)",
                      eh->e_type == ET_EXEC ? "EXEC, an executable" : eh->e_type == ET_REL ? "REL, an object file"
                      : eh->e_type == ET_CORE ? "CORE, a core dump" : "unknown");
    return 0;
}

int ix_elf_refuse(IxElfImage *im, const char *fmt, ...)
{
    va_list va;
    va_start(va, fmt);
    vsnprintf(im->why, im->cap, fmt, va);
    va_end(va);
    return -1;
}

const IxElfLoad *ix_elf_load_at(const IxElfImage *im, uint64_t vaddr, uint64_t size, bool file, uint32_t flags)
{
    for (int i = 0; i < im->nload; i++) {
        const IxElfLoad *l = &im->load[i];
        uint64_t len = file ? l->filesz : l->memsz;
        if (vaddr >= l->vaddr && vaddr - l->vaddr <= len && size <= len - (vaddr - l->vaddr))
            return (l->flags & flags) == flags ? l : NULL;
    }
    return NULL;
}

static bool power_of_two(uint64_t x) { return x && !(x & (x - 1)); }

/* One PT_LOAD (the n-th, from 1): what the kernel and ld.so need to map it where it says
 * (their mmap uses MAP_FIXED inside one reservation: an unsorted or overlapping segment
 * would map over other memory of the process), and readable (ld.so and the definition
 * check read its bytes). Segments follow each other in the file as in memory, without
 * sharing bytes, as linkers lay them out: a segment whose offset was damaged would map
 * other bytes of the file (the ELF header, say) as its code. */
static int check_load(IxElfImage *im, const GElf_Phdr *ph, int n)
{
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    if (ph->p_offset > im->size || ph->p_filesz > im->size - ph->p_offset)
        return ix_elf_refuse(im, "truncated: loadable segment %d ends at byte %llu of a file of %llu bytes", n,
                             (unsigned long long)(ph->p_offset + ph->p_filesz), (unsigned long long)im->size);
    if (ph->p_memsz < ph->p_filesz)
        return ix_elf_refuse(im, "loadable segment %d is larger in the file than in memory", n);
    if ((ph->p_flags & PF_X) && ph->p_memsz != ph->p_filesz) /* zeros would run as code */
        return ix_elf_refuse(im, "executable loadable segment %d is shorter in the file than in memory", n);
    if (ph->p_vaddr + ph->p_memsz < ph->p_vaddr)
        return ix_elf_refuse(im, "loadable segment %d ends past the end of the address space", n);
    if (!power_of_two(ph->p_align) || ph->p_align < page)
        return ix_elf_refuse(im, "loadable segment %d is aligned to %llu bytes, not a power of two of at least %llu",
                             n, (unsigned long long)ph->p_align, (unsigned long long)page);
    if ((ph->p_offset - ph->p_vaddr) & (ph->p_align - 1))
        return ix_elf_refuse(im, "loadable segment %d: file offset 0x%llx and address 0x%llx differ modulo its "
                             "alignment 0x%llx", n, (unsigned long long)ph->p_offset,
                             (unsigned long long)ph->p_vaddr, (unsigned long long)ph->p_align);
    if (!(ph->p_flags & PF_R)) return ix_elf_refuse(im, "loadable segment %d is not readable", n);
    const IxElfLoad *prev = n > 1 ? &im->load[n - 2] : NULL;
    if (prev && (ph->p_vaddr < prev->vaddr + prev->memsz || ph->p_offset < prev->offset + prev->filesz))
        return ix_elf_refuse(im, "loadable segment %d (file offset 0x%llx, address 0x%llx) overlaps or precedes the "
                             "one before it", n, (unsigned long long)ph->p_offset, (unsigned long long)ph->p_vaddr);
    im->load[n - 1] = (IxElfLoad){ph->p_vaddr, ph->p_memsz, ph->p_offset, ph->p_filesz, ph->p_flags};
    return 0;
}

/* The name a message gives another segment type; NULL for types nothing here reads. */
static const char *segment_name(uint32_t type)
{
    switch (type) {
    case PT_DYNAMIC: return "dynamic";
    case PT_PHDR: return "PT_PHDR";
    case PT_TLS: return "TLS";
    case PT_GNU_RELRO: return "RELRO";
    case PT_NOTE: return "note";
    case PT_GNU_PROPERTY: return "GNU property";
    case PT_GNU_EH_FRAME: return "PT_GNU_EH_FRAME";
    case PT_INTERP: return "PT_INTERP";
    default: return NULL;
    }
}

/* A segment ld.so (or the unwinder, through dl_iterate_phdr) reads at its address: its file
 * bytes are the bytes a PT_LOAD maps there, and (when `memory`) its memory lies inside that
 * PT_LOAD's. A TLS segment's memory is a template's size, not mapped memory. */
static bool inside_load(const IxElfImage *im, const GElf_Phdr *ph, uint32_t flags, bool memory)
{
    if (ph->p_filesz > ph->p_memsz) return false;
    if (ph->p_filesz) {
        const IxElfLoad *l = ix_elf_load_at(im, ph->p_vaddr, ph->p_filesz, true, flags);
        if (!l || l->offset + (ph->p_vaddr - l->vaddr) != ph->p_offset) return false;
    }
    return !memory || !ph->p_memsz || ix_elf_load_at(im, ph->p_vaddr, ph->p_memsz, false, flags);
}

/* Notes are walked by ld.so from a stack copy of the segment (alloca of p_filesz): each
 * one's name and descriptor must end inside it, and the segment must be small. */
static bool notes_well_formed(IxElfImage *im, const GElf_Phdr *ph)
{
    if (ph->p_offset > im->size || ph->p_filesz > im->size - ph->p_offset || ph->p_filesz > 65536) return false;
    Elf_Data *d = ph->p_filesz ? elf_getdata_rawchunk(im->elf, (int64_t)ph->p_offset, ph->p_filesz, ELF_T_BYTE) : NULL;
    if (ph->p_filesz && !d) return false;
    uint64_t align = ph->p_align == 8 ? 8 : 4, at = 0;
    while (at < ph->p_filesz) {
        Elf64_Nhdr nh;
        if (ph->p_filesz - at < sizeof nh) return false;
        memcpy(&nh, (const char *)d->d_buf + at, sizeof nh);
        /* glibc's ELF_NOTE_DESC_OFFSET and ELF_NOTE_NEXT_OFFSET (the sizes are 32-bit: no overflow) */
        uint64_t desc = (sizeof nh + (uint64_t)nh.n_namesz + align - 1) & ~(align - 1);
        uint64_t len = (desc + nh.n_descsz + align - 1) & ~(align - 1);
        if (len > ph->p_filesz - at) return false;
        at += len;
    }
    return true;
}

/* The other segment types that something reads or obeys. */
static int check_other(IxElfImage *im, const GElf_Ehdr *eh, const GElf_Phdr *ph, int *dynamics)
{
    const char *name = segment_name(ph->p_type);
    bool ok = true;
    switch (ph->p_type) {
    case PT_DYNAMIC:
        if (++*dynamics > 1) return ix_elf_refuse(im, "more than one dynamic section");
        ok = ph->p_filesz >= sizeof(Elf64_Dyn) && inside_load(im, ph, PF_R, true);
        im->dyn_offset = ph->p_offset;
        im->dyn_size = ph->p_filesz;
        break;
    case PT_PHDR:
        ok = ph->p_offset == eh->e_phoff && ph->p_filesz == (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) &&
             inside_load(im, ph, PF_R, true);
        break;
    case PT_TLS:
        ok = (ph->p_align <= 1 || power_of_two(ph->p_align)) && inside_load(im, ph, PF_R, false);
        im->tls = ph->p_memsz > 0;
        break;
    case PT_GNU_RELRO: ok = inside_load(im, ph, PF_R | PF_W, true); break;
    case PT_GNU_EH_FRAME: ok = inside_load(im, ph, PF_R, true); break;
    case PT_NOTE:
    case PT_GNU_PROPERTY: ok = notes_well_formed(im, ph); break;
    case PT_INTERP: ok = ph->p_offset <= im->size && ph->p_filesz <= im->size - ph->p_offset; break;
    case PT_GNU_STACK:
        if (ph->p_flags & PF_X) return ix_elf_refuse(im, "asks for an executable stack (PT_GNU_STACK)");
        break;
    }
    if (!ok)
        return ix_elf_refuse(im, "the %s segment (file offset 0x%llx, address 0x%llx, %llu bytes) is not well-formed "
                             "or not inside a loadable segment", name, (unsigned long long)ph->p_offset,
                             (unsigned long long)ph->p_vaddr, (unsigned long long)ph->p_filesz);
    return 0;
}

/* The program headers: every loadable segment first (the others are checked against them),
 * then exactly one dynamic section. */
static int check_segments(IxElfImage *im, const GElf_Ehdr *eh)
{
    size_t n;
    if (elf_getphdrnum(im->elf, &n) != 0)
        return ix_elf_refuse(im, "unreadable program headers (%s)", elf_errmsg(-1));
    if (n == 0 || n > IX_ELF_MAX_PHDRS)
        return ix_elf_refuse(im, "%zu program headers (a shared library has 1 to %d)", n, IX_ELF_MAX_PHDRS);
    if (eh->e_phentsize != sizeof(Elf64_Phdr))
        return ix_elf_refuse(im, "program headers of %u bytes each, expected %zu", eh->e_phentsize, sizeof(Elf64_Phdr));
    GElf_Phdr ph[IX_ELF_MAX_PHDRS];
    for (size_t i = 0; i < n; i++)
        if (!gelf_getphdr(im->elf, (int)i, &ph[i]))
            return ix_elf_refuse(im, "truncated: the program headers run past the end of the file (%llu bytes)",
                                 (unsigned long long)im->size);
    for (size_t i = 0; i < n; i++)
        if (ph[i].p_type == PT_LOAD && check_load(im, &ph[i], ++im->nload) < 0) return -1;
    if (!im->nload) return ix_elf_refuse(im, "no loadable segment");
    int dynamics = 0;
    for (size_t i = 0; i < n; i++)
        if (check_other(im, eh, &ph[i], &dynamics) < 0) return -1;
    if (!dynamics) return ix_elf_refuse(im, "no dynamic section");
    return 0;
}

static int check_elf(Elf *elf, uint64_t size, char *why, size_t cap)
{
    IxElfImage im = {.elf = elf, .size = size, .why = why, .cap = cap};
    if (!elf) return ix_elf_refuse(&im, "not a readable ELF file (%s)", elf_errmsg(-1));
    if (elf_kind(elf) != ELF_K_ELF) return ix_elf_refuse(&im, "not an ELF file");
    GElf_Ehdr eh;
    if (!gelf_getehdr(elf, &eh))
        return ix_elf_refuse(&im, "truncated: no complete ELF header in a file of %llu bytes", (unsigned long long)size);
    if (check_header(&eh, why, cap) < 0 || check_segments(&im, &eh) < 0) return -1;
    return ix_elf_check_dynamic(&im);
}

int ix_elf_check_memory(const void *data, size_t size, char *why, size_t cap)
{
    elf_version(EV_CURRENT);
    /* elf_memory only reads the image (ELF_C_READ_MMAP semantics): the cast is libelf's
     * signature, not a licence to write */
    Elf *elf = elf_memory((char *)data, size);
    int rc = check_elf(elf, size, why, cap);
    if (elf) elf_end(elf);
    return rc;
}

int ix_elf_check_fd(int fd, char *why, size_t cap)
{
    struct stat st;
    if (fstat(fd, &st) != 0) return refuse(why, cap, "cannot stat the file");
    elf_version(EV_CURRENT);
    /* ELF_C_READ reads with pread as it goes: nothing is mapped, so a file that is shorter
     * than its headers claim is an error here, never a SIGBUS */
    Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
    int rc = check_elf(elf, (uint64_t)st.st_size, why, cap);
    if (elf) elf_end(elf);
    return rc;
}
