/*
 * hostile -- libraries whose definition points where it must not (ABI.md 4.2). Each of
 * these crashed the host before it checked a definition's memory; now each is an exact
 * error and the host stays usable.
 *
 * One source, compiled once per case with -DCASE_<name> -DMODULE_NAME=<name> (see
 * CMakeLists.txt); the definition below is valid and each case breaks one thing:
 *
 *   hostile_init_data       IxInit_hostile_init_data is a data object (a valid definition,
 *                           not a function returning one): calling it jumps into data
 *   hostile_init_wild       IxInit_ returns 0x10
 *   hostile_name_wild       the definition's name is 0x20
 *   hostile_slots_wild      the slot table is at 0x40
 *   hostile_method_name_wild  method 1's name is 0x30
 *   hostile_method_func_data  method 'm''s function is a data object
 *   hostile_typed_def_wild  ABI 1.3: typed method 'm''s IxTypedDef is at 0x30
 *   hostile_typed_func_data ABI 1.3: typed method 'm''s typed function is a data object
 *   hostile_noterm          the method table has no terminator: IxInit_ fills 10 valid
 *                           entries (in .bss) that end at the end of the library's memory,
 *                           then non-zero bytes to the end of its last page
 *   hostile_many            the method table has 5000 valid entries and no terminator
 *   hostile_long_name       the definition's name is 2000 bytes long
 */
#define _GNU_SOURCE /* dl_iterate_phdr */
#include <link.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "isolex.h"

#ifndef MODULE_NAME
#error "compile with -DCASE_<name> -DMODULE_NAME=<name>"
#endif
#define STR_(x) #x
#define STR(x) STR_(x)
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define MODINIT(name) IX_MODINIT(name)

/* Every case compiles all of these but uses only some. */
#define UNUSED __attribute__((unused))

UNUSED static IxObject *m(IxContext *ctx, IxObject *self, IxObject *const *args, size_t n)
{
    return Ix_NewRef(ctx, Ix_None(ctx));
}

UNUSED static const int not_code = 42;
UNUSED static const IxTypedDef typed_data = {"l:l", (IxTypedFunction)(uintptr_t)&not_code};

static const IxMethodDef methods[] = {
#if defined(CASE_hostile_method_name_wild)
    {(const char *)(uintptr_t)0x30, m, 0, 0, 0, NULL},
#elif defined(CASE_hostile_method_func_data)
    {"m", (IxCFunction)(uintptr_t)&not_code, 0, 0, 0, NULL},
#elif defined(CASE_hostile_typed_def_wild) /* ABI 1.3: the IxTypedDef at 0x30 */
    {"m", (IxCFunction)(uintptr_t)0x30, 1, 1, IX_METH_TYPED, NULL},
#elif defined(CASE_hostile_typed_func_data) /* ABI 1.3: the typed function is a data object */
    {"m", IX_TYPEDDEF(&typed_data), 1, 1, IX_METH_TYPED, NULL},
#else
    {"m", m, 0, 0, 0, "a method"},
#endif
    IX_METHODS_END,
};

/* The tables IxInit_ fills for hostile_noterm and hostile_many: no terminator. */
#define MANY 5000
UNUSED static IxMethodDef unterminated[MANY];

/* The end of the loadable segment holding `unterminated` (the dynamic loader's view, which
 * is the host's): found with dl_iterate_phdr, since this library calls no one else's
 * code otherwise. */
UNUSED static int find_end(struct dl_phdr_info *info, size_t size, void *arg)
{
    uintptr_t *at = arg, a = *at;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && a >= start && a < start + ph->p_memsz) {
            *at = start + ph->p_memsz;
            return 1;
        }
    }
    return 0;
}

UNUSED static void fill(IxMethodDef *from, IxMethodDef *to)
{
    for (IxMethodDef *e = from; e + 1 <= to; e++) *e = methods[0];
}

#if defined(CASE_hostile_long_name)
static char long_name[2001];
#endif

UNUSED static IxModuleDef def = {
    IX_MODULEDEF_HEAD,
#if defined(CASE_hostile_name_wild)
    .name = (const char *)(uintptr_t)0x20,
#else
    .name = STR(MODULE_NAME),
#endif
    .doc = "a hostile definition",
    .methods = methods,
#if defined(CASE_hostile_slots_wild)
    .slots = (const IxModuleSlot *)(uintptr_t)0x40,
#endif
};

#if defined(CASE_hostile_init_data)
/* The exported init symbol is the definition itself. */
IX_EXPORT const IxModuleDef IxInit_hostile_init_data = {IX_MODULEDEF_HEAD, .name = "hostile_init_data"};
#else
MODINIT(MODULE_NAME)
{
#if defined(CASE_hostile_init_wild)
    return (const IxModuleDef *)(uintptr_t)0x10;
#else
#if defined(CASE_hostile_noterm)
    /* 10 valid entries that end as near the end of the library's memory as they fit, then
     * no zero byte up to the end of its last mapped page (in .bss all the same) */
    uintptr_t mem_end = (uintptr_t)unterminated, page = (uintptr_t)sysconf(_SC_PAGESIZE);
    dl_iterate_phdr(find_end, &mem_end);
    char *end = (char *)((mem_end + page - 1) & ~(page - 1));
    IxMethodDef *last = (IxMethodDef *)(mem_end - (mem_end - (uintptr_t)unterminated) % sizeof *last);
    fill(last - 10, last);
    memset(last, 1, (size_t)(end - (char *)last));
    def.methods = last - 10;
#elif defined(CASE_hostile_many)
    fill(unterminated, unterminated + MANY);
    def.methods = unterminated;
#elif defined(CASE_hostile_long_name)
    memset(long_name, 'a', sizeof long_name - 1);
    def.name = long_name;
#endif
    return &def;
#endif
}
#endif
