/*
 * fuzz_moduledef.c -- libFuzzer harness for the definition and slot validator (module.c,
 * ix_moduledef_validate; ABI.md 4): a module definition built in memory from the fuzzed
 * bytes -- names, ABI version, state size, slots with ids and values, methods with
 * argument counts and flags, the teardown callbacks -- is validated, and when it is valid,
 * made into a module (create and exec slots), its functions are called, and it is dropped.
 *
 * Every pointer in the definition points to memory the harness owns: the strings it copies
 * from the input, and its own functions below, chosen by index. Raw pointer values are not
 * fuzzed: the validator trusts an extension's pointers (a bad one is caught, if at all, by
 * a range check against the library's mapped segments, not by reading through it).
 *
 * Input layout (seeds.c writes it):
 *   str name                          the name the module is imported by
 *   u8  def name                      % 4: 0-1 the same name, 2 NULL, 3 another str follows
 *   u8  abi                           bit 7: raw u32 major follows, else 1; bit 6: raw u32
 *                                     minor follows, else abi % 3
 *   u8  doc                           odd: a doc string
 *   u8  state                         < 0xC0: (state % 8) * 8 bytes; else a raw i64 follows
 *   u8  slots                         bit 7: NULL; else (slots % 8) slots, each
 *     u8 id                           < 0xF0: id % 5 (0 ends the list early), else raw i32
 *     u8 value                        per id: a create/exec function by index (0: NULL),
 *                                     the multiple-interpreters level (raw u64 when >= 0xF0)
 *   u8  methods                       bit 7: NULL; else (methods % 6) methods, each
 *     str name, u8 function (0: NULL), u8 min, u8 max (>= 0xF0: raw i32 follows; else
 *     min % 4 and max % 5 - 1), u8 flags (>= 0xF0: raw u32 follows, else 0); with
 *     IX_METH_TYPED in the flags (ABI 1.3), str signature: func then names the harness's
 *     typed definition of that signature (a typed function that raises), as an
 *     extension's would, never the plain function read as one
 *   u8  callbacks                     bit 0 traverse, bit 1 clear, bit 2 free
 *   u8  calls                         (calls % 8) calls, each u8 method index, u8 nargs % 5
 *   (str: u8 length % 16, then that many bytes, copied and NUL-terminated)
 *
 * Checks, besides the sanitizers': a failure sets an error and a success none; free runs at
 * most once per module; and after a collection the interpreter is back to the bytes it
 * held before.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "ix_internal.h"

#define MAX_STRINGS 32
#define MEMORY_LIMIT (16 << 20)

/* What one input allocates (freed after it) and counts. */
typedef struct Build {
    FzIn in;
    char *strings[MAX_STRINGS];
    int nstrings;
    IxModuleDef def;
    IxModuleSlot slots[8];
    IxMethodDef methods[6];
    IxTypedDef typed[6];  /* ABI 1.3: what a typed method's func points at */
} Build;

static IxInterp *interp;
static int frees; /* calls of the free callback for the current input */

/* ---------------------------------------------------------------- the extension's code */

static void fill_state(IxContext *ctx, IxObject *module)
{
    const IxModuleDef *def = ix_module_get_def(ctx, module);
    void *state = ix_module_get_state(ctx, module);
    if (state && def->state_size > 0) memset(state, 0x5A, (size_t)def->state_size);
}

static IxObject *create_module(IxContext *ctx, IxObject *name, const IxModuleDef *def)
{
    return ix_call(ctx, IX_BUILTIN(ctx, IX_TYPE_MODULE), &name, 1);
}

static IxObject *create_dict(IxContext *ctx, IxObject *name, const IxModuleDef *def)
{
    return ix_dict_new(ctx);
}

static IxObject *create_null(IxContext *ctx, IxObject *name, const IxModuleDef *def)
{
    return NULL;
}

static IxObject *create_raise(IxContext *ctx, IxObject *name, const IxModuleDef *def)
{
    ix_err_set(ctx, IX_EXC_VALUEERROR, "create failed");
    return NULL;
}

static IxObject *create_value_with_error(IxContext *ctx, IxObject *name, const IxModuleDef *def)
{
    ix_err_set(ctx, IX_EXC_VALUEERROR, "create set an error");
    return create_module(ctx, name, def);
}

static int exec_ok(IxContext *ctx, IxObject *module)
{
    fill_state(ctx, module);
    IxObject *v = ix_long_from_int64(ctx, 42);
    int rc = v ? ix_setattr(ctx, module, "answer", v) : -1;
    IX_XDECREF(ctx, v);
    return rc;
}

static int exec_raise(IxContext *ctx, IxObject *module)
{
    ix_err_set(ctx, IX_EXC_VALUEERROR, "exec failed");
    return -1;
}

static int exec_fail_quietly(IxContext *ctx, IxObject *module)
{
    return -1;
}

static int exec_ok_with_error(IxContext *ctx, IxObject *module)
{
    ix_err_set(ctx, IX_EXC_VALUEERROR, "exec set an error");
    return 0;
}

static IxObject *fn_none(IxContext *ctx, IxObject *self, IxObject *const *args, size_t n)
{
    IX_INCREF(IX_BUILTIN(ctx, IX_NONE));
    return IX_BUILTIN(ctx, IX_NONE);
}

static IxObject *fn_args(IxContext *ctx, IxObject *self, IxObject *const *args, size_t n)
{
    return ix_tuple_from_array(ctx, args, n);
}

static IxObject *fn_state(IxContext *ctx, IxObject *self, IxObject *const *args, size_t n)
{
    fill_state(ctx, self);
    return fn_none(ctx, self, args, n);
}

static IxObject *fn_raise(IxContext *ctx, IxObject *self, IxObject *const *args, size_t n)
{
    ix_err_set(ctx, IX_EXC_VALUEERROR, "function failed");
    return NULL;
}

static IxObject *fn_null(IxContext *ctx, IxObject *self, IxObject *const *args, size_t n)
{
    return NULL;
}

static int traverse(IxContext *ctx, IxObject *module, IxVisitProc visit, void *arg) { return 0; }
static int clear(IxContext *ctx, IxObject *module) { return 0; }
static void free_module(IxContext *ctx, IxObject *module) { frees++; }

static const IxCreateProc creates[] = {NULL, create_module, create_dict, create_null, create_raise,
                                       create_value_with_error};
static const IxExecProc execs[] = {NULL, exec_ok, exec_raise, exec_fail_quietly, exec_ok_with_error};
static const IxCFunction functions[] = {NULL, fn_none, fn_args, fn_state, fn_raise, fn_null};

/* ABI 1.3: the function of every typed method; it raises, which every signature allows. */
static int fn_typed(IxContext *ctx, IxObject *self, const IxValue *args, IxValue *result)
{
    ix_err_set(ctx, IX_EXC_VALUEERROR, "typed function failed");
    return -1;
}
#define PICK(table, i) (table[(i) % (sizeof table / sizeof table[0])])

/* ---------------------------------------------------------------- building the definition */

static const char *str(Build *b)
{
    size_t n;
    const uint8_t *p = fz_bytes(&b->in, fz_u8(&b->in) % 16, &n);
    char *s = malloc(n + 1);
    if (!s || b->nstrings == MAX_STRINGS) fz_fail("out of string room");
    memcpy(s, p, n);
    s[n] = 0;
    b->strings[b->nstrings++] = s;
    return s;
}

/* A small value from the byte, or the raw word that follows when the byte says so. */
static int64_t small_or_raw(Build *b, int64_t (*small)(uint8_t), int raw_bytes)
{
    uint8_t v = fz_u8(&b->in);
    if (v < 0xF0) return small(v);
    return raw_bytes == 4 ? (int32_t)fz_u32(&b->in) : (int64_t)fz_u64(&b->in);
}

static int64_t min_args(uint8_t v) { return v % 4; }
static int64_t max_args(uint8_t v) { return v % 5 - 1; }
static int64_t no_flags(uint8_t v) { return 0; }
static int64_t slot_id(uint8_t v) { return v % 5; }
static int64_t multi_level(uint8_t v) { return v % 5; }

static void *slot_value(Build *b, int64_t id)
{
    if (id == IX_MOD_MULTIPLE_INTERPRETERS)
        return (void *)(uintptr_t)small_or_raw(b, multi_level, 8); /* an int, never followed */
    uint8_t v = fz_u8(&b->in);
    if (id == IX_MOD_CREATE) return (void *)PICK(creates, v);
    return (void *)PICK(execs, v); /* exec; for an unknown id, never called */
}

static const IxModuleSlot *build_slots(Build *b)
{
    uint8_t v = fz_u8(&b->in);
    if (v & 0x80) return NULL;
    int n = v % 8;
    for (int i = 0; i < n; i++) {
        int64_t id = small_or_raw(b, slot_id, 4);
        b->slots[i].id = (int32_t)id;
        b->slots[i].value = slot_value(b, id);
    }
    return b->slots; /* the rest stays zero: the end */
}

static const IxMethodDef *build_methods(Build *b)
{
    uint8_t v = fz_u8(&b->in);
    if (v & 0x80) return NULL;
    int n = v % 6;
    for (int i = 0; i < n; i++) {
        IxMethodDef *m = &b->methods[i];
        m->name = str(b);
        m->func = PICK(functions, fz_u8(&b->in));
        m->min_args = (int32_t)small_or_raw(b, min_args, 4);
        m->max_args = (int32_t)small_or_raw(b, max_args, 4);
        m->flags = (uint32_t)small_or_raw(b, no_flags, 4);
        if (m->flags & IX_METH_TYPED) {
            b->typed[i].signature = str(b);
            b->typed[i].func = fn_typed;
            m->func = IX_TYPEDDEF(&b->typed[i]);
        }
    }
    return b->methods;
}

static void build_def(Build *b, const char *name)
{
    IxModuleDef *d = &b->def;
    uint8_t v = fz_u8(&b->in) % 4;
    d->name = v < 2 ? name : v == 2 ? NULL : str(b);
    v = fz_u8(&b->in);
    d->abi_major = v & 0x80 ? fz_u32(&b->in) : IX_ABI_MAJOR;
    d->abi_minor = v & 0x40 ? fz_u32(&b->in) : v % 3;
    d->doc = fz_u8(&b->in) & 1 ? "a fuzzed module" : NULL;
    v = fz_u8(&b->in);
    d->state_size = v < 0xC0 ? (v % 8) * 8 : (int64_t)fz_u64(&b->in);
    d->slots = build_slots(b);
    d->methods = build_methods(b);
    v = fz_u8(&b->in);
    d->traverse = v & 1 ? traverse : NULL;
    d->clear = v & 2 ? clear : NULL;
    d->free = v & 4 ? free_module : NULL;
}

/* ---------------------------------------------------------------- running it */

static void check_error_agrees(IxContext *ctx, bool failed, const char *what)
{
    if (failed != ix_err_pending(ctx))
        fz_fail("%s %s %s an error set", what, failed ? "failed" : "succeeded", failed ? "without" : "with");
}

/* Call the module's functions as the input says, with small int arguments. */
static void call_functions(Build *b, IxContext *ctx, IxObject *m)
{
    size_t nmethods = 0;
    while (b->def.methods && b->def.methods[nmethods].name) nmethods++;
    int calls = fz_u8(&b->in) % 8;
    for (int i = 0; i < calls; i++) {
        const char *name = nmethods ? b->def.methods[fz_u8(&b->in) % nmethods].name : "missing";
        IxObject *args[4];
        size_t n = fz_u8(&b->in) % 5, made = 0;
        while (made < n && (args[made] = ix_long_from_int64(ctx, (int64_t)made))) made++;
        IxObject *r = made == n ? ix_call_method(ctx, m, name, args, n) : NULL;
        check_error_agrees(ctx, !r, "a call");
        IX_XDECREF(ctx, r);
        while (made) IX_DECREF(ctx, args[--made]);
        ix_err_clear(ctx);
    }
}

static void run(Build *b, IxContext *ctx, const char *name)
{
    int rc = ix_moduledef_validate(ctx, &b->def, name);
    check_error_agrees(ctx, rc < 0, "ix_moduledef_validate");
    if (rc < 0) return;
    int level = ix_moduledef_multi_level(&b->def);
    if (level < 1 || level > 3) fz_fail("a valid definition has multiple-interpreters level %d", level);
    IxObject *m = ix_module_from_def(ctx, &b->def, name, NULL);
    check_error_agrees(ctx, !m, "ix_module_from_def");
    if (!m) return;
    call_functions(b, ctx, m);
    IxObject *repr = ix_repr(ctx, m);
    IX_XDECREF(ctx, repr);
    ix_err_clear(ctx);
    IX_DECREF(ctx, m);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    IxInterpConfig config = {.memory_limit = MEMORY_LIMIT};
    if (!(interp = ixh_interp_new(&config))) fz_fail("ixh_interp_new failed");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Build *b = calloc(1, sizeof *b);
    if (!b) fz_fail("out of memory");
    b->in = (FzIn){data, size};
    int64_t before = ixh_interp_live_bytes(interp);
    const char *name = str(b);
    build_def(b, name);
    frees = 0;
    IxContext *ctx = ixh_enter(interp);
    if (!ctx) fz_fail("ixh_enter failed");
    run(b, ctx, name);
    ix_err_clear(ctx);
    /* A module and its functions refer to each other, so a dropped module -- and one whose
     * binding failed half-way -- is a cycle, freed by the collector. */
    ix_gc_collect(ctx);
    ixh_leave(ctx);
    if (frees > 1) fz_fail("the free callback ran %d times for one module", frees);
    if (ixh_interp_live_bytes(interp) != before)
        fz_fail("the interpreter holds %lld bytes after the input, %lld before",
                (long long)ixh_interp_live_bytes(interp), (long long)before);
    for (int i = 0; i < b->nstrings; i++) free(b->strings[i]);
    free(b);
    return 0;
}
