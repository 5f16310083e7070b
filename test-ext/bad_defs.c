/*
 * bad_defs -- the loading and definition rules (ABI.md 1.2, 4.2, 4.3).
 *
 * One source for every module that breaks one definition rule. CMake compiles it once per
 * case with -DCASE_<module> -DMODULE_NAME=<module> (see CMakeLists.txt). The definition
 * below is valid; each case changes exactly the one field its rule is about, so the host
 * must reject the module for that rule and no other. Nothing here ever runs: the host
 * checks a definition before calling anything in it.
 *
 *   bad_init_null       IxInit_ returns NULL
 *   bad_abi_major       abi 2.0
 *   bad_abi_minor       abi 1.(host minor + 1): one newer than the header it is built with,
 *                       so it stays "one newer" whenever the minor is raised
 *   bad_state_size      state_size -8
 *   bad_unknown_slot    slot 2 has id 99
 *   bad_two_create      two create slots
 *   bad_two_multi       two multiple-interpreters slots
 *   bad_multi_value     multiple-interpreters value 7
 *   bad_slot_no_value   slot 2, an exec slot (id 2, the 2nd exec slot), has a NULL value
 *   bad_slot_null_create slot 3, a create slot (id 1), has a NULL value: N in 'slot N has no
 *                       value' is the position in the slot array, counted from 1, not the id
 *   bad_name_mismatch   definition named 'other'
 *   bad_no_name         definition name NULL
 *   bad_method_nofunc   method 'm' has no function
 *   bad_method_arity    method 'm' has min_args 2, max_args 1
 *   bad_method_flags    method 'm' has flags 0x4
 *   bad_method_defining function 'm' has IX_METH_METHOD, which only a type's methods take
 *   bad_method_class    function 'm' has IX_METH_CLASS, likewise
 *   bad_typed_letter    ABI 1.3 (ABI.md 4.32): typed method 'f' has the signature "lq:l"
 *   bad_typed_many      typed method 'f' has 9 parameters ("lllllllll:l")
 *   bad_typed_nocolon   typed method 'f' has the signature "ll"
 *   bad_typed_noresult  typed method 'f' has the signature "l:"
 *   bad_typed_nofunc    typed method 'f': its IxTypedDef has a NULL function
 *   bad_typed_nosig     typed method 'f': its IxTypedDef has a NULL signature
 *   bad_typed_null      method 'f' has IX_METH_TYPED and a NULL func (no IxTypedDef)
 *   bad_typed_arity     typed method 'f' has the signature "ll:l" but min/max_args 1
 *   bad_typed_kw        method 'f' has IX_METH_TYPED | IX_METH_KEYWORDS
 *   abi_1_0             abi 1.0: not bad at all -- a 1.1 host must load a module built for
 *                       1.0, because the function table only grows (ABI.md 2.3)
 */
#include <stddef.h>

#include "isolex.h"

#ifndef MODULE_NAME
#error "compile with -DCASE_<name> -DMODULE_NAME=<name>"
#endif
#define STR_(x) #x
#define STR(x) STR_(x)
/* Expand MODULE_NAME before IX_MODINIT pastes it. */
#define MODINIT(name) IX_MODINIT(name)

/* ---------------------------------------------------------------- what each case changes */

#define ABI_MAJOR IX_ABI_MAJOR
#define ABI_MINOR IX_ABI_MINOR
#define DEF_NAME STR(MODULE_NAME)
#define STATE_SIZE 0

#if defined(CASE_bad_abi_major)
#undef ABI_MAJOR
#define ABI_MAJOR 2
#undef ABI_MINOR
#define ABI_MINOR 0 /* "2.0" whatever this host's minor is */
#elif defined(CASE_bad_abi_minor)
#undef ABI_MINOR
#define ABI_MINOR (IX_ABI_MINOR + 1)
#elif defined(CASE_abi_1_0)
#undef ABI_MINOR
#define ABI_MINOR 0
#elif defined(CASE_bad_state_size)
#undef STATE_SIZE
#define STATE_SIZE (-8)
#elif defined(CASE_bad_name_mismatch)
#undef DEF_NAME
#define DEF_NAME "other"
#elif defined(CASE_bad_no_name)
#undef DEF_NAME
#define DEF_NAME NULL
#elif defined(CASE_bad_unknown_slot)
#define EXTRA_SLOT {99, (void *)exec_ok},
#elif defined(CASE_bad_two_create)
#define EXTRA_SLOT {IX_MOD_CREATE, (void *)create_never}, {IX_MOD_CREATE, (void *)create_never},
#elif defined(CASE_bad_two_multi)
#define EXTRA_SLOT {IX_MOD_MULTIPLE_INTERPRETERS, IX_MOD_MULTI_PER_INTERPRETER_LOCK}, \
                   {IX_MOD_MULTIPLE_INTERPRETERS, IX_MOD_MULTI_SHARED_LOCK},
#elif defined(CASE_bad_multi_value)
#define EXTRA_SLOT {IX_MOD_MULTIPLE_INTERPRETERS, (void *)7},
#elif defined(CASE_bad_slot_no_value)
#define EXTRA_SLOT {IX_MOD_EXEC, NULL},
#elif defined(CASE_bad_slot_null_create)
#define EXTRA_SLOT {IX_MOD_MULTIPLE_INTERPRETERS, IX_MOD_MULTI_PER_INTERPRETER_LOCK}, {IX_MOD_CREATE, NULL},
#elif defined(CASE_bad_method_nofunc)
#define EXTRA_METHOD {"m", NULL, 0, 0, 0, NULL},
#elif defined(CASE_bad_method_arity)
#define EXTRA_METHOD {"m", ping, 2, 1, 0, NULL},
#elif defined(CASE_bad_method_flags)
#define EXTRA_METHOD {"m", ping, 0, 0, 0x4, NULL},
#elif defined(CASE_bad_method_defining)
#define EXTRA_METHOD {"m", ping, 0, 0, IX_METH_METHOD, NULL},
#elif defined(CASE_bad_method_class)
#define EXTRA_METHOD {"m", ping, 0, 0, IX_METH_CLASS, NULL},
#elif defined(CASE_bad_typed_letter)
#define TYPED_CASE "lq:l", typed_f, 2
#elif defined(CASE_bad_typed_many)
#define TYPED_CASE "lllllllll:l", typed_f, 9
#elif defined(CASE_bad_typed_nocolon)
#define TYPED_CASE "ll", typed_f, 2
#elif defined(CASE_bad_typed_noresult)
#define TYPED_CASE "l:", typed_f, 1
#elif defined(CASE_bad_typed_nofunc)
#define TYPED_CASE "l:l", NULL, 1
#elif defined(CASE_bad_typed_nosig)
#define TYPED_CASE NULL, typed_f, 1
#elif defined(CASE_bad_typed_arity)
#define TYPED_CASE "ll:l", typed_f, 1
#elif defined(CASE_bad_typed_null)
#define EXTRA_METHOD {"f", NULL, 1, 1, IX_METH_TYPED, NULL},
#elif defined(CASE_bad_typed_kw)
#define TYPED_CASE "l:l", typed_f, 1
#define TYPED_FLAGS (IX_METH_TYPED | IX_METH_KEYWORDS)
#elif !defined(CASE_bad_init_null)
#error "unknown CASE_"
#endif

#ifdef TYPED_CASE
/* ABI 1.3: a typed method 'f' whose definition breaks one rule of 4.32. */
__attribute__((unused)) static int typed_f(IxContext *ctx, IxObject *module, const IxValue *args, IxValue *result)
{
    result->i = 0;
    return 0;
}
#define TYPED_ARGS_(sig, fn, n) sig, fn
#define TYPED_N_(sig, fn, n) n
#define TYPED_ARGS(...) TYPED_ARGS_(__VA_ARGS__)
#define TYPED_N(...) TYPED_N_(__VA_ARGS__)
#ifndef TYPED_FLAGS
#define TYPED_FLAGS IX_METH_TYPED
#endif
static const IxTypedDef typed_def = {TYPED_ARGS(TYPED_CASE)};
#define EXTRA_METHOD {"f", IX_TYPEDDEF(&typed_def), TYPED_N(TYPED_CASE), TYPED_N(TYPED_CASE), TYPED_FLAGS, NULL},
#endif

#ifndef EXTRA_SLOT
#define EXTRA_SLOT
#endif
#ifndef EXTRA_METHOD
#define EXTRA_METHOD
#endif

/* ---------------------------------------------------------------- the valid definition */

static IxObject *ping(IxContext *ctx, IxObject *module, IxObject *const *args, size_t nargs)
{
    return IxStr_FromCString(ctx, "pong");
}

static int exec_ok(IxContext *ctx, IxObject *module)
{
    return 0;
}

#if defined(CASE_bad_two_create)
static IxObject *create_never(IxContext *ctx, IxObject *name, const IxModuleDef *def)
{
    IxErr_SetString(ctx, Ix_Builtin(ctx, IX_EXC_SYSTEMERROR), "bad_two_create: create ran");
    return NULL;
}
#endif

static const IxMethodDef methods[] = {
    {"ping", ping, 0, 0, 0, "ping() -> 'pong'"},
    EXTRA_METHOD
    IX_METHODS_END
};

static const IxModuleSlot slots[] = {
    {IX_MOD_EXEC, (void *)exec_ok},  /* slot 1: a case's extra slot is slot 2 */
    EXTRA_SLOT
    IX_MOD_SLOTS_END
};

static const IxModuleDef def = {
    .abi_major = ABI_MAJOR,
    .abi_minor = ABI_MINOR,
    .name = DEF_NAME,
    .doc = "breaks one definition rule; see bad_defs.c",
    .state_size = STATE_SIZE,
    .methods = methods,
    .slots = slots,
};

MODINIT(MODULE_NAME)
{
#if defined(CASE_bad_init_null)
    (void)def;
    return NULL;
#else
    return &def;
#endif
}
