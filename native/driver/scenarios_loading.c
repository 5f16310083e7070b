/*
 * scenarios_loading.c -- libraries that are damaged, hostile, shared by several modules,
 * or replaced on disk while loaded (ABI.md 4.1, 4.2, 4.4, 4.10, 5.2). Every case here
 * killed the process (SIGBUS, SIGSEGV) or ran the wrong code before the loader checked
 * it; now each is an exact error or a defined result, and the host stays usable.
 */
#define _GNU_SOURCE /* mkdtemp, utimensat */

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver.h"
#include "wire_read.h"

/* An interpreter whose module path is `dirs`, with the shipped extensions last (so that
 * counter proves the host still works). */
static IxInterp *open_on(const char *dirs)
{
    char path[8192];
    snprintf(path, sizeof path, "%s:%s", dirs, ixd_opt.ext_dir);
    IxInterpConfig config = { .module_path = path };
    IxInterp *interp = ixh_interp_new(&config);
    CHECK(interp != NULL);
    return interp;
}

/* Import `module` from `dirs` in a fresh interpreter: the error matches `pattern`; then
 * counter still imports and works, and closing leaves nothing. */
static void expect_import_error(const char *dirs, const char *module, const char *pattern)
{
    IxInterp *interp = open_on(dirs);
    IxContext *ctx = ENTER(interp);
    IxObject *counter, *c;

    ixd_scenario_detail(module);
    CHECK_ERROR(ctx, ixh_import_module(ctx, module), pattern);
    CHECK_ERROR(ctx, ixh_import_module(ctx, module), pattern); /* the same, every time */
    counter = IMPORT(ctx, "counter");
    c = CHECK_OK(ctx, ixd_call_ints(ctx, counter, "Counter", INTS(41)));
    CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, c, "increment")), 42);
    Ix_Decref(ctx, c);
    Ix_Decref(ctx, counter);
    ixh_leave(ctx);
    CHECK_CLOSE(interp);
    CHECK_CLEAN();
}

typedef struct LoadRow {
    const char *module;
    const char *error;  /* a pattern: '*' for the path, a build's byte offsets, an address */
} LoadRow;

/* test-ext-damaged/ (test-ext/damage.c): copies of counter.so refused before dlopen. */
static const LoadRow damaged_rows[] = {
    { "trunc_1k", "ImportError: cannot load module 'trunc_1k' from */trunc_1k.so: truncated: "
                  "loadable segment * ends at byte * of a file of 1024 bytes" },
    { "trunc_2k", "ImportError: cannot load module 'trunc_2k' from */trunc_2k.so: truncated: "
                  "loadable segment * ends at byte * of a file of 2048 bytes" },
    { "trunc_4k", "ImportError: cannot load module 'trunc_4k' from */trunc_4k.so: truncated: "
                  "loadable segment * ends at byte * of a file of 4096 bytes" },
    { "trunc_8k", "ImportError: cannot load module 'trunc_8k' from */trunc_8k.so: truncated: "
                  "loadable segment * ends at byte * of a file of 8192 bytes" },
    /* the first 16 KiB hold every loadable segment: a whole library without its section
     * headers, which the dynamic loader maps and which defines counter, not trunc_16k */
    { "trunc_16k", "ImportError: module 'trunc_16k' at */trunc_16k.so defines neither "
                   "IxInit_trunc_16k nor IxInitLegacy_trunc_16k" },
    { "machine_aarch64", "ImportError: cannot load module 'machine_aarch64' from "
                         "*/machine_aarch64.so: built for AArch64; this host is x86-64" },
    { "class_32", "ImportError: cannot load module 'class_32' from */class_32.so: a 32-bit "
                  "ELF file; this host's libraries are 64-bit" },
    { "type_exec", "ImportError: cannot load module 'type_exec' from */type_exec.so: not a "
                   "shared library (ELF type EXEC, an executable)" },
    { "no_dynamic", "ImportError: cannot load module 'no_dynamic' from */no_dynamic.so: no "
                    "dynamic section" },
    { "empty", "ImportError: cannot load module 'empty' from */empty.so: not an ELF file" },
    /* ld.so asserted on this one and exited the process with status 127 */
    { "relaent_12", "ImportError: cannot load module 'relaent_12' from */relaent_12.so: dynamic entry "
                    "DT_RELAENT is 12, expected 24" },
    { "strtab_outside", "ImportError: cannot load module 'strtab_outside' from */strtab_outside.so: dynamic "
                        "entry DT_STRTAB (0x100000, * bytes) lies outside the library's loaded file bytes" },
    { "reloc_readonly", "ImportError: cannot load module 'reloc_readonly' from */reloc_readonly.so: "
                        "relocation 0 of DT_RELA writes at 0x1000, outside the library's writable segments" },
};

/* test-ext/hostile.c: definitions that point where they must not. */
static const LoadRow hostile_rows[] = {
    { "hostile_init_data", "ImportError: module 'hostile_init_data' at */hostile_init_data.so: "
                           "IxInit_hostile_init_data is a data object, not a function" },
    { "hostile_init_wild", "ImportError: module 'hostile_init_wild': IxInit_hostile_init_wild "
                           "returned a pointer outside the library's memory (0x10)" },
    { "hostile_name_wild", "SystemError: module 'hostile_name_wild': the definition's name "
                           "points outside the library's memory (0x20)" },
    { "hostile_slots_wild", "SystemError: module 'hostile_slots_wild': the slot table points "
                            "outside the library's memory (0x40)" },
    { "hostile_method_name_wild", "SystemError: module 'hostile_method_name_wild': the name of "
                                  "method 1 points outside the library's memory (0x30)" },
    { "hostile_method_func_data", "SystemError: module 'hostile_method_func_data': the "
                                  "function of method 'm' is not in the library's code (0x*)" },
    /* ABI 1.3: a typed method's IxTypedDef and its function (ABI.md 4.32) */
    { "hostile_typed_def_wild", "SystemError: module 'hostile_typed_def_wild': the function of "
                                "method 'm' (an IxTypedDef) points outside the library's memory (0x30)" },
    { "hostile_typed_func_data", "SystemError: module 'hostile_typed_func_data': the typed "
                                 "function of method 'm' is not in the library's code (0x*)" },
    { "hostile_noterm", "SystemError: module 'hostile_noterm': the method table runs past the "
                        "end of the library's memory (no terminator)" },
    { "hostile_many", "SystemError: module 'hostile_many': the method table has more than 4096 "
                      "entries (no terminator?)" },
    { "hostile_long_name", "SystemError: module 'hostile_long_name': the definition's name is "
                           "longer than 1024 bytes" },
};

static void run_rows(const char *dirs, const LoadRow *rows, size_t n, const char *skip)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!skip || strcmp(rows[i].module, skip) != 0) expect_import_error(dirs, rows[i].module, rows[i].error);
}

/* A module path naming a directory that is missing, or a file: the ImportError says so, so
 * that a typo in the path does not read as a missing module (ABI.md 4.1). */
static void check_missing_directories(void)
{
    char dirs[8192];
    snprintf(dirs, sizeof dirs, "%s/no-such-dir:%s/counter.so", ixd_opt.test_ext_dir, ixd_opt.ext_dir);
    expect_import_error(dirs, "nosuch",
                        "ImportError: no module named 'nosuch' (searched: */no-such-dir (does not exist), "
                        "*/counter.so (not a directory), *)");
}

/* `loading no-trunc16k` leaves out trunc_16k, the one damaged file that is mapped: Valgrind
 * 3.19 aborts on a library without section headers ("Missing or invalid ELF Section Header
 * Table", then an assertion in its debug-info reader), so memcheck runs it that way. */
void ixd_loading(int argc, char **argv)
{
    char damaged[4096];
    const char *skip = argc > 0 && strcmp(argv[0], "no-trunc16k") == 0 ? "trunc_16k" : NULL;
    if (argc > 0 && !skip) ixd_fail(IXD_AT, "  loading: unknown argument '%s'", argv[0]);
    snprintf(damaged, sizeof damaged, "%s-damaged", ixd_opt.test_ext_dir);
    run_rows(damaged, damaged_rows, sizeof damaged_rows / sizeof damaged_rows[0], skip);
    run_rows(ixd_opt.test_ext_dir, hostile_rows, sizeof hostile_rows / sizeof hostile_rows[0], NULL);
    check_missing_directories();
    ixd_scenario_detail(NULL);
    printf("loading: %zu damaged files and %zu hostile definitions refused, missing module-path "
           "directories named, host usable\n",
           sizeof damaged_rows / sizeof damaged_rows[0], sizeof hostile_rows / sizeof hostile_rows[0]);
}

/* ---------------------------------------------------------------- one file, several modules */

static void check_which(IxContext *ctx, const char *module)
{
    char text[64];
    IxObject *m = IMPORT(ctx, module);
    CHECK_EQ_STR(WANT_TEXT(ctx, CALL0(ctx, m, "which"), text), module);
    Ix_Decref(ctx, m);
}

/* multi_a.so defines multi_a and multi_b; multi_b.so and multi_c.so are symlinks to it. */
void ixd_multi_module(int argc, char **argv)
{
    IxInterp *a, *b;
    IxContext *ctx;
    IXD_NO_ARGS;

    a = OPEN();
    ctx = ENTER(a);
    check_which(ctx, "multi_a");
    check_which(ctx, "multi_b"); /* the same file, its other definition */
    CHECK_EQ_INT(ixh_loaded_libraries(), 1);
    CHECK_ERROR(ctx, ixh_import_module(ctx, "multi_c"),
                "ImportError: module 'multi_c' at */multi_c.so defines neither IxInit_multi_c nor "
                "IxInitLegacy_multi_c");
    ixh_leave(ctx);

    b = OPEN(); /* the other order, while the library is loaded by a */
    ctx = ENTER(b);
    check_which(ctx, "multi_b");
    check_which(ctx, "multi_a");
    CHECK_EQ_INT(ixh_loaded_libraries(), 1);
    ixh_leave(ctx);
    CHECK_CLOSE(a);
    CHECK_CLOSE(b);
    CHECK_CLEAN();
}

/* ---------------------------------------------------------------- create returns a non-module */

/* create_nonmodule_type's module is an instance of a heap type bound to no module: the type
 * keeps the library mapped for as long as the instance lives (ABI.md 5.2). */
void ixd_nonmodule_type(int argc, char **argv)
{
    char text[64], path[4096];
    IxInterp *interp;
    IxContext *ctx;
    IxObject *thing;
    IXD_NO_ARGS;

    SO_PATH("create_nonmodule_type", path);
    interp = OPEN();
    ctx = ENTER(interp);
    thing = IMPORT(ctx, "create_nonmodule_type");
    CHECK_EQ_INT(ixh_loaded_libraries(), 1);
    CHECK(ixd_is_mapped(path));
    CHECK_EQ_STR(WANT_TEXT(ctx, CALL0(ctx, thing, "ping"), text), "pong");
    CHECK_EQ_STR(WANT_REPR(ctx, Ix_NewRef(ctx, thing), text), "<Thing>");
    Ix_Decref(ctx, thing);
    ixh_leave(ctx);
    CHECK_CLOSE(interp);
    CHECK(!ixd_is_mapped(path));
    CHECK_CLEAN();
    expect_import_error(ixd_opt.test_ext_dir, "create_nonmodule_methods",
                        "SystemError: module 'create_nonmodule_methods': create slot returned a "
                        "non-module object (dict) but the definition has methods");
}

/* ---------------------------------------------------------------- replaced on disk */

static void copy_file(const char *from, const char *to)
{
    char buf[65536];
    ssize_t n;
    int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    CHECK(in >= 0 && out >= 0);
    while ((n = read(in, buf, sizeof buf)) > 0) CHECK(write(out, buf, (size_t)n) == n);
    CHECK(n == 0);
    close(in);
    close(out);
}

/* 1 when some mapping of the process is of the file with this inode. */
static int inode_mapped(ino_t ino)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[4096];
    int found = 0;
    CHECK(maps != NULL);
    while (!found && fgets(line, sizeof line, maps)) {
        unsigned long long inode = 0;
        if (sscanf(line, "%*s %*s %*s %*s %llu", &inode) == 1 && inode == (unsigned long long)ino)
            found = 1;
    }
    fclose(maps);
    return found;
}

/* ixh_libraries as text: "path|state|modules;" per library (newest first). */
static const char *libraries_text(char *out, size_t cap)
{
    uint8_t buf[8192];
    char item[4096];
    size_t len = 0, used = 0;
    IxdReader r;
    int64_t i, n = ixh_libraries(buf, sizeof buf, &len);
    CHECK(n >= 0);
    ixd_reader_init(&r, buf, len);
    out[0] = '\0';
    CHECK_EQ_INT(ixd_read_count(&r, IXW_LIST), n);
    for (i = 0; i < n; i++) {
        used += (size_t)snprintf(out + used, cap - used, "%s;", ixd_wire_text(&r, item, sizeof item));
        CHECK(used < cap);
    }
    return out;
}

static void import_counter(IxInterp *interp, const char *expected_error)
{
    IxContext *ctx = ENTER(interp);
    if (expected_error) {
        CHECK_ERROR(ctx, ixh_import_module(ctx, "counter"), expected_error);
    } else {
        IxObject *m = IMPORT(ctx, "counter");
        IxObject *c = CHECK_OK(ctx, ixd_call_ints(ctx, m, "Counter", INTS(1)));
        CHECK_EQ_INT(WANT_INT(ctx, CALL0(ctx, c, "increment")), 2);
        Ix_Decref(ctx, c);
        Ix_Decref(ctx, m);
    }
    ixh_leave(ctx);
}

/* ABI.md 4.10: a file renamed over a loaded library is a new library, loaded beside the
 * old one; a file overwritten in place (same inode, new size or time) is refused until
 * nothing uses the library it replaced. */
void ixd_replaced_library(int argc, char **argv)
{
    char dir[2048], so[4096], next[4096], src[4096], text[16384];
    IxInterp *a, *b, *c;
    struct stat old_st, new_st;
    struct timespec later[2] = { { 0, UTIME_OMIT }, { 0, 0 } };
    IXD_NO_ARGS;

    /* in the build tree, beside test-ext-damaged/: removed at the end */
    CHECK((size_t)snprintf(dir, sizeof dir, "%s-replaced-XXXXXX", ixd_opt.test_ext_dir) < sizeof dir);
    CHECK(mkdtemp(dir) != NULL);
    snprintf(so, sizeof so, "%s/counter.so", dir);
    snprintf(next, sizeof next, "%s/counter.so.next", dir);
    snprintf(src, sizeof src, "%s/counter.so", ixd_opt.ext_dir);
    copy_file(src, so);
    CHECK(stat(so, &old_st) == 0);
    a = open_on(dir);
    import_counter(a, NULL);

    /* renamed over: the next import loads the new file beside the old one */
    copy_file(src, next);
    CHECK(rename(next, so) == 0);
    CHECK(stat(so, &new_st) == 0 && new_st.st_ino != old_st.st_ino);
    CHECK_MATCH(libraries_text(text, sizeof text), "('*/counter.so', *, 'replaced', ['counter']);");
    b = open_on(dir);
    import_counter(b, NULL);
    CHECK_EQ_INT(ixh_loaded_libraries(), 2);
    CHECK(inode_mapped(old_st.st_ino) && inode_mapped(new_st.st_ino));
    CHECK_MATCH(libraries_text(text, sizeof text),
                "('*/counter.so', *, 'current', ['counter']);('*/counter.so', *, 'replaced', ['counter']);");
    CHECK_CLOSE(a);
    CHECK(!inode_mapped(old_st.st_ino));

    /* overwritten in place (the time stands for it: writing into the mapped file would be
     * the undefined behaviour this refuses to build on) */
    later[1].tv_sec = new_st.st_mtim.tv_sec + 60;
    CHECK(utimensat(AT_FDCWD, so, later, 0) == 0);
    CHECK_MATCH(libraries_text(text, sizeof text), "('*/counter.so', *, 'modified', ['counter']);");
    c = open_on(dir);
    import_counter(c, "ImportError: cannot load module 'counter' from */counter.so: the file was "
                      "overwritten in place while its library is loaded; close every module "
                      "loaded from it, then import again");
    CHECK_CLOSE(b);
    import_counter(c, NULL); /* nothing used the old library any more: loaded afresh */
    CHECK_CLOSE(c);
    CHECK_CLEAN();
    CHECK(unlink(so) == 0 && rmdir(dir) == 0);
}

/* Write `bytes` at offset 0 of the file, then put its old modification time back: only
 * the change time, which nobody can set, tells that it changed. */
static void overwrite_head(const char *path, const char *bytes, const struct stat *was)
{
    struct timespec times[2] = { { 0, UTIME_OMIT }, was->st_mtim };
    int fd = open(path, O_WRONLY);
    CHECK(fd >= 0);
    CHECK(pwrite(fd, bytes, strlen(bytes), 0) == (ssize_t)strlen(bytes));
    close(fd);
    CHECK(utimensat(AT_FDCWD, path, times, 0) == 0);
}

/* ABI 1.3 (ABI.md 8.12): a file that passed the ELF checks is remembered by its identity
 * (device, inode, size, modification and change times), so loading it again after an
 * unload does not read it again; a file changed in place is checked again, even with its
 * size and modification time as they were. */
void ixd_rechecked_library(int argc, char **argv)
{
    char dir[2048], so[4096], src[4096];
    struct stat st, now;
    IxInterp *a;
    IXD_NO_ARGS;

    CHECK((size_t)snprintf(dir, sizeof dir, "%s-rechecked-XXXXXX", ixd_opt.test_ext_dir) < sizeof dir);
    CHECK(mkdtemp(dir) != NULL);
    snprintf(so, sizeof so, "%s/counter.so", dir);
    snprintf(src, sizeof src, "%s/counter.so", ixd_opt.ext_dir);
    copy_file(src, so);
    CHECK(stat(so, &st) == 0);
    for (int i = 0; i < 2; i++) { /* checked, then remembered */
        a = open_on(dir);
        import_counter(a, NULL);
        CHECK_CLOSE(a);
        CHECK(!inode_mapped(st.st_ino));
    }

    overwrite_head(so, "XXXX", &st); /* not mapped any more: safe to write */
    CHECK(stat(so, &now) == 0);
    CHECK(now.st_ino == st.st_ino && now.st_size == st.st_size);
    CHECK(now.st_mtim.tv_sec == st.st_mtim.tv_sec && now.st_mtim.tv_nsec == st.st_mtim.tv_nsec);
    a = open_on(dir);
    import_counter(a, "ImportError: cannot load module 'counter' from */counter.so: not an ELF file");
    CHECK_CLOSE(a);

    overwrite_head(so, "\177ELF", &st); /* whole again: loads, checked afresh */
    a = open_on(dir);
    import_counter(a, NULL);
    CHECK_CLOSE(a);
    CHECK_CLEAN();
    CHECK(unlink(so) == 0 && rmdir(dir) == 0);
}
