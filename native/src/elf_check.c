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

/* Every loadable segment inside the file (what dlopen maps and reads), and a dynamic
 * section (without one there is nothing to look symbols up in). */
static int check_segments(Elf *elf, uint64_t size, char *why, size_t cap)
{
    size_t n;
    if (elf_getphdrnum(elf, &n) != 0)
        return refuse(why, cap, "unreadable program headers (%s)", elf_errmsg(-1));
    if (n == 0 || n > IX_ELF_MAX_PHDRS)
        return refuse(why, cap, "%zu program headers (a shared library has 1 to %d)", n, IX_ELF_MAX_PHDRS);
    bool dynamic = false;
    int loads = 0;
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, (int)i, &ph))
            return refuse(why, cap, "truncated: the program headers run past the end of the file (%llu bytes)",
                          (unsigned long long)size);
        if (ph.p_type == PT_DYNAMIC) dynamic = true;
        if (ph.p_type != PT_LOAD) continue;
        loads++;
        if (ph.p_offset > size || ph.p_filesz > size - ph.p_offset)
            return refuse(why, cap, "truncated: loadable segment %d ends at byte %llu of a file of %llu bytes",
                          loads, (unsigned long long)(ph.p_offset + ph.p_filesz), (unsigned long long)size);
        if (ph.p_memsz < ph.p_filesz)
            return refuse(why, cap, "loadable segment %d is larger in the file than in memory", loads);
    }
    if (!loads) return refuse(why, cap, "no loadable segment");
    if (!dynamic) return refuse(why, cap, "no dynamic section");
    return 0;
}

static int check_elf(Elf *elf, uint64_t size, char *why, size_t cap)
{
    if (!elf) return refuse(why, cap, "not a readable ELF file (%s)", elf_errmsg(-1));
    if (elf_kind(elf) != ELF_K_ELF) return refuse(why, cap, "not an ELF file");
    GElf_Ehdr eh;
    if (!gelf_getehdr(elf, &eh))
        return refuse(why, cap, "truncated: no complete ELF header in a file of %llu bytes", (unsigned long long)size);
    if (check_header(&eh, why, cap) < 0) return -1;
    return check_segments(elf, size, why, cap);
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
