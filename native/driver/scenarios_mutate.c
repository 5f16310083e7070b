/*
 * scenarios_mutate.c -- damaged extension files: N mutated copies of each shipped library
 * (counter.so, fact.so), each imported through the embedding API in a child process. The
 * child must end normally, with the module imported (and the interpreter closed with
 * nothing leaked) or with an ImportError or SystemError -- never by a signal (a SIGBUS on
 * a truncated file, a SIGSEGV inside dlopen), never hung, never with another error.
 *
 *   mutate [N] [seed=S]   N copies per library (default 200), from seed S (default 1)
 *
 * A mutation damages what the loader reads before any code of the library runs: the ELF
 * header, the program headers, the section headers, the dynamic section, or the file's
 * length (a truncation anywhere). Each copy gets one of: flipped bits, a byte range
 * overwritten (random bytes, zeros or 0xff), or a truncation. Code and data are left
 * alone: a changed instruction is a different, buggy extension, which no check of the
 * file can tell from a correct one. For the same reason a copy whose DT_INIT, DT_FINI,
 * DT_INIT_ARRAY or DT_FINI_ARRAY now points elsewhere in the same segment is redrawn
 * (moves_called_code). The same seed gives the same copies, and a failure
 * names the copy's number and mutation, so `mutate N seed=S` reproduces it.
 */
#define _GNU_SOURCE /* mkdtemp */
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "driver.h"

#define DEFAULT_COPIES 200
#define CHILD_SECONDS 30          /* a child still running after this is hung */
#define MAX_REPORTED 10           /* failures printed in full */
enum { CHILD_IMPORTED = 0, CHILD_REFUSED = 3, CHILD_OTHER_ERROR = 4, CHILD_LEAKED = 5 };

typedef struct Region {
    size_t start, len;
    const char *what;
} Region;

typedef struct Library {
    const char *name;
    uint8_t *bytes;
    size_t size;
    Region regions[5];
    int nregions;
} Library;

static uint64_t rng_state;

static uint64_t rng(void) /* xorshift64 */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static size_t below(size_t n) { return n ? (size_t)(rng() % n) : 0; }

/* ---------------------------------------------------------------- the original files */

static void read_file(Library *lib, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) ixd_fail(IXD_AT, "  cannot open %s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    lib->size = (size_t)ftell(f);
    rewind(f);
    lib->bytes = malloc(lib->size);
    if (!lib->bytes || fread(lib->bytes, 1, lib->size, f) != lib->size)
        ixd_fail(IXD_AT, "  cannot read %s", path);
    fclose(f);
}

static void add_region(Library *lib, uint64_t start, uint64_t len, const char *what)
{
    if (len == 0 || start >= lib->size) return;
    if (len > lib->size - start) len = lib->size - start;
    lib->regions[lib->nregions++] = (Region){(size_t)start, (size_t)len, what};
}

/* Where the loader's structures are in the (well-formed) original. */
static void find_regions(Library *lib)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)lib->bytes;
    CHECK(lib->size >= sizeof *eh && memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 &&
          eh->e_ident[EI_CLASS] == ELFCLASS64);
    add_region(lib, 0, sizeof *eh, "ELF header");
    add_region(lib, eh->e_phoff, (uint64_t)eh->e_phnum * eh->e_phentsize, "program headers");
    add_region(lib, eh->e_shoff, (uint64_t)eh->e_shnum * eh->e_shentsize, "section headers");
    for (int i = 0; i < eh->e_phnum; i++) {
        const Elf64_Phdr *ph = (const Elf64_Phdr *)(lib->bytes + eh->e_phoff) + i;
        if (ph->p_type == PT_DYNAMIC) add_region(lib, ph->p_offset, ph->p_filesz, "dynamic section");
    }
    CHECK(lib->nregions == 4);
}

/* ---------------------------------------------------------------- one mutated copy */

/* Which entry of a table region byte `at` lies in, and what the original says there. */
static void entry_at(const Library *lib, const Region *r, size_t at, char *out, size_t cap)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)lib->bytes;
    size_t k;
    out[0] = 0;
    if (r->start == eh->e_phoff && eh->e_phentsize) {
        k = (at - r->start) / eh->e_phentsize;
        snprintf(out, cap, ", header %zu of type 0x%x", k,
                 ((const Elf64_Phdr *)(lib->bytes + r->start + k * eh->e_phentsize))->p_type);
    } else if (strcmp(r->what, "dynamic section") == 0) {
        k = (at - r->start) / sizeof(Elf64_Dyn);
        snprintf(out, cap, ", entry %zu, tag %lld", k,
                 (long long)((const Elf64_Dyn *)(lib->bytes + r->start))[k].d_tag);
    }
}

/* Damage `copy` (a copy of the library's bytes) in place, within 16 bytes from one place
 * of one region, or cut it short; returns its new length and says what was done. */
static size_t mutate(const Library *lib, uint8_t *copy, char *what, size_t cap)
{
    int kind = (int)below(3);
    if (kind == 2) {
        size_t len = below(lib->size);
        snprintf(what, cap, "truncated to %zu of %zu bytes", len, lib->size);
        return len;
    }
    const Region *r = &lib->regions[below((size_t)lib->nregions)];
    size_t at = r->start + below(r->len);
    size_t n = 1 + below(16);
    char entry[64];
    if (n > r->start + r->len - at) n = r->start + r->len - at;
    entry_at(lib, r, at, entry, sizeof entry);
    if (kind == 0) {
        int bits = 1 + (int)below(4);
        for (int i = 0; i < bits; i++) copy[at + below(n)] ^= (uint8_t)(1u << below(8));
        snprintf(what, cap, "%d bit(s) flipped in %zu byte(s) at %zu of the %s%s", bits, n, at, r->what, entry);
    } else {
        int fill = (int)below(3); /* random, zeros, 0xff */
        for (size_t i = 0; i < n; i++) copy[at + i] = fill == 0 ? (uint8_t)rng() : fill == 1 ? 0 : 0xff;
        snprintf(what, cap, "%zu byte(s) at %zu of the %s%s overwritten with %s", n, at, r->what, entry,
                 fill == 0 ? "random bytes" : fill == 1 ? "zeros" : "0xff");
    }
    return lib->size;
}

/* The PT_LOAD of the original holding vaddr (its index), or -1. */
static int load_of(const Library *lib, uint64_t vaddr)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)lib->bytes;
    for (int i = 0; i < eh->e_phnum; i++) {
        const Elf64_Phdr *ph = (const Elf64_Phdr *)(lib->bytes + eh->e_phoff) + i;
        if (ph->p_type == PT_LOAD && vaddr >= ph->p_vaddr && vaddr - ph->p_vaddr < ph->p_memsz) return i;
    }
    return -1;
}

/* Does `copy` move a function address the dynamic loader calls (DT_INIT, DT_FINI) or an
 * array of them (DT_INIT_ARRAY, DT_FINI_ARRAY) to another place in the same segment? Such
 * a copy is redrawn: it calls other code of the library (another function, mid-function
 * bytes, a method given wrong arguments) -- a different, buggy extension, which no check of
 * the file can tell from a correct one, like changed code (ABI.md 4.1, "What no check can
 * see"). Moved out of its segment, the address is a mutation like any other, and refused. */
static bool moves_called_code(const Library *lib, const uint8_t *copy, size_t len)
{
    const Region *dyn = &lib->regions[3]; /* find_regions adds the dynamic section fourth */
    for (size_t at = dyn->start; at + sizeof(Elf64_Dyn) <= dyn->start + dyn->len && at + sizeof(Elf64_Dyn) <= len;
         at += sizeof(Elf64_Dyn)) {
        Elf64_Dyn was, now;
        memcpy(&was, lib->bytes + at, sizeof was);
        memcpy(&now, copy + at, sizeof now);
        bool called = was.d_tag == DT_INIT || was.d_tag == DT_FINI || was.d_tag == DT_INIT_ARRAY ||
                      was.d_tag == DT_FINI_ARRAY;
        if (called && now.d_tag == was.d_tag && now.d_un.d_ptr != was.d_un.d_ptr &&
            load_of(lib, now.d_un.d_ptr) == load_of(lib, was.d_un.d_ptr))
            return true;
    }
    return false;
}

static void write_copy(const char *path, const uint8_t *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(bytes, 1, len, f) != len || fclose(f) != 0)
        ixd_fail(IXD_AT, "  cannot write %s", path);
}

/* In the child: import `name` from dir and say how it went in the exit status. */
static _Noreturn void child_import(const char *dir, const char *name)
{
    char text[512];
    alarm(CHILD_SECONDS);
    IxInterpConfig config = {.module_path = dir};
    IxInterp *interp = ixh_interp_new(&config);
    IxContext *ctx = interp ? ixh_enter(interp) : NULL;
    if (!ctx) _exit(CHILD_OTHER_ERROR);
    IxObject *m = ixh_import_module(ctx, name);
    int status = CHILD_IMPORTED;
    if (!m) {
        const char *e = ixh_error_text(ctx, text, sizeof text);
        status = e && (ixd_match("ImportError: *", e) || ixd_match("SystemError: *", e))
                     ? CHILD_REFUSED : CHILD_OTHER_ERROR;
        if (status == CHILD_OTHER_ERROR) fprintf(stderr, "  child: %s\n", e ? e : "(no error set)");
    }
    if (m) Ix_Decref(ctx, m);
    ixh_leave(ctx);
    if (ixh_interp_close(interp, NULL, 0, NULL) != 0) status = CHILD_LEAKED;
    _exit(status);
}

/* Run one copy in a child; NULL when it ended as it may, else what went wrong. */
static const char *run_child(const char *dir, const char *name, int *refused)
{
    static char why[128];
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) ixd_fail(IXD_AT, "  fork: %s", strerror(errno));
    if (pid == 0) child_import(dir, name);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) ixd_fail(IXD_AT, "  waitpid: %s", strerror(errno));
    if (WIFEXITED(status) && (WEXITSTATUS(status) == CHILD_IMPORTED || WEXITSTATUS(status) == CHILD_REFUSED)) {
        *refused += WEXITSTATUS(status) == CHILD_REFUSED;
        return NULL;
    }
    if (WIFSIGNALED(status))
        snprintf(why, sizeof why, "killed by signal %d (%s)%s", WTERMSIG(status), strsignal(WTERMSIG(status)),
                 WTERMSIG(status) == SIGALRM ? ": hung" : "");
    else if (WEXITSTATUS(status) == CHILD_OTHER_ERROR)
        snprintf(why, sizeof why, "failed with an error other than ImportError or SystemError");
    else if (WEXITSTATUS(status) == CHILD_LEAKED)
        snprintf(why, sizeof why, "imported, but closing the interpreter found a leak");
    else
        snprintf(why, sizeof why, "exited with status %d", WEXITSTATUS(status));
    return why;
}

/* ---------------------------------------------------------------- the scenario */

/* Static, not on the stack: a child exits while both blocks are live, and under Valgrind
 * its leak check must find them reachable. */
static Library original;
static uint8_t *damaged;

static int mutate_library(const char *name, const char *dir, int copies)
{
    char path[4096], what[256];
    original = (Library){.name = name};
    snprintf(path, sizeof path, "%s/%s.so", ixd_opt.ext_dir, name);
    read_file(&original, path);
    find_regions(&original);
    snprintf(path, sizeof path, "%s/%s.so", dir, name);
    damaged = malloc(original.size);
    CHECK(damaged != NULL);
    int failures = 0, refused = 0;
    for (int i = 0; i < copies; i++) {
        size_t len;
        do {
            memcpy(damaged, original.bytes, original.size);
            len = mutate(&original, damaged, what, sizeof what);
        } while (moves_called_code(&original, damaged, len));
        write_copy(path, damaged, len);
        const char *why = run_child(dir, name, &refused);
        if (why && ++failures <= MAX_REPORTED)
            fprintf(stderr, "mutate: %s.so copy %d (%s): the import %s\n", name, i, what, why);
    }
    printf("mutate: %s.so: %d copies, %d imported, %d refused, %d failed\n", name, copies,
           copies - refused - failures, refused, failures);
    unlink(path);
    free(damaged);
    free(original.bytes);
    damaged = original.bytes = NULL;
    return failures;
}

void ixd_mutate(int argc, char **argv)
{
    int copies = DEFAULT_COPIES;
    rng_state = 1;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "seed=", 5) == 0) rng_state = strtoull(argv[i] + 5, NULL, 10);
        else copies = atoi(argv[i]);
    }
    if (copies < 1 || rng_state == 0) ixd_fail(IXD_AT, "  usage: mutate [N >= 1] [seed=S != 0]");
    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/isolex-mutate-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) ixd_fail(IXD_AT, "  mkdtemp %s: %s", dir, strerror(errno));
    int failures = mutate_library("counter", dir, copies) + mutate_library("fact", dir, copies);
    rmdir(dir);
    if (failures)
        ixd_fail(IXD_AT, "  check:    every mutated copy imports or is refused with an ImportError or "
                         "SystemError\n  actual:   %d of %d copies did not (the first are above)",
                 failures, 2 * copies);
}
