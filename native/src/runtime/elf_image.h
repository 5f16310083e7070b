/*
 * elf_image.h -- what elf_check.c learns from the program headers and elf_dynamic.c uses to
 * read the dynamic-linking structures (private to those two files; ABI.md 4.1).
 */
#ifndef IX_ELF_IMAGE_H
#define IX_ELF_IMAGE_H

#include <libelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ix_internal.h"

/* One PT_LOAD: the bytes [offset, offset+filesz) of the file appear at [vaddr, vaddr+filesz),
 * and zeros up to vaddr+memsz. Checked: inside the file, filesz <= memsz, no overflow. */
typedef struct IxElfLoad {
    uint64_t vaddr, memsz, offset, filesz;
    uint32_t flags; /* PF_R, PF_W, PF_X */
} IxElfLoad;

typedef struct IxElfImage {
    Elf *elf;
    uint64_t size;                  /* of the file */
    IxElfLoad load[IX_ELF_MAX_PHDRS];
    int nload;                      /* sorted by vaddr, not overlapping */
    uint64_t dyn_offset, dyn_size;  /* PT_DYNAMIC's file bytes (inside a PT_LOAD's) */
    bool tls;                       /* a PT_TLS segment with a block */
    char *why;
    size_t cap;
} IxElfImage;

/* The PT_LOAD holding all of [vaddr, vaddr+size) -- in its file bytes when `file`, else in
 * its memory image -- and having every flag of `flags`; NULL if none. size > 0. */
IX_HIDDEN const IxElfLoad *ix_elf_load_at(const IxElfImage *im, uint64_t vaddr, uint64_t size, bool file, uint32_t flags);

/* Writes the reason into im->why and returns -1. */
IX_HIDDEN int ix_elf_refuse(IxElfImage *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The dynamic section and everything it points to (elf_dynamic.c). */
IX_HIDDEN int ix_elf_check_dynamic(IxElfImage *im);

#endif
