/*
 * module.c -- module objects and the multiphase init protocol (ABI.md 4): validating a
 * definition, running create and exec, and tearing a module down with clear and free
 * exactly once.
 */
#include <stdio.h>
#include <string.h>

#include "ix_internal.h"

/* ---------------------------------------------------------------- definition rules */

static int check_version(IxContext *ctx, const IxModuleDef *def, const char *name)
{
    if (def->abi_major != IX_ABI_MAJOR) {
        ix_err_format(ctx, IX_EXC_IMPORTERROR,
                      "module '%s' was built for isolex ABI %u.%u, but this host implements ABI "
                      "%d.%d (the major versions must match)",
                      name, def->abi_major, def->abi_minor, IX_ABI_MAJOR, IX_ABI_MINOR);
        return -1;
    }
    if (def->abi_minor > IX_ABI_MINOR) {
        ix_err_format(ctx, IX_EXC_IMPORTERROR,
                      "module '%s' was built for isolex ABI %u.%u, newer than this host's ABI %d.%d",
                      name, def->abi_major, def->abi_minor, IX_ABI_MAJOR, IX_ABI_MINOR);
        return -1;
    }
    return 0;
}

static int check_slots(IxContext *ctx, const IxModuleDef *def, const char *name)
{
    int creates = 0, multis = 0, index = 0;
    for (const IxModuleSlot *s = def->slots; s && s->id; s++) {
        index++;
        switch (s->id) {
        case IX_MOD_CREATE:
        case IX_MOD_EXEC:
            if (!s->value) {
                ix_err_format(ctx, IX_EXC_SYSTEMERROR, "module '%s': slot %d has no value", name, index);
                return -1;
            }
            if (s->id == IX_MOD_CREATE && ++creates > 1) {
                ix_err_format(ctx, IX_EXC_SYSTEMERROR, "module '%s' has more than one create slot", name);
                return -1;
            }
            break;
        case IX_MOD_MULTIPLE_INTERPRETERS: {
            uintptr_t v = (uintptr_t)s->value;
            if (++multis > 1) {
                ix_err_format(ctx, IX_EXC_SYSTEMERROR,
                              "module '%s' has more than one multiple-interpreters slot", name);
                return -1;
            }
            if (v < 1 || v > 3) {
                ix_err_format(ctx, IX_EXC_SYSTEMERROR, "module '%s': invalid multiple-interpreters value %llu",
                              name, (unsigned long long)v);
                return -1;
            }
            break;
        }
        default:
            ix_err_format(ctx, IX_EXC_SYSTEMERROR, "module '%s': unknown slot id %d", name, s->id);
            return -1;
        }
    }
    return 0;
}

int ix_moduledef_validate(IxContext *ctx, const IxModuleDef *def, const char *name)
{
    if (check_version(ctx, def, name) < 0) return -1;
    if (!def->name) {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "module '%s': definition has no name", name);
        return -1;
    }
    if (strcmp(def->name, name) != 0) {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "module '%s': definition is named '%s'", name, def->name);
        return -1;
    }
    if (def->state_size < 0) {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "module '%s': state_size is negative (%lld)", name,
                      (long long)def->state_size);
        return -1;
    }
    if (check_slots(ctx, def, name) < 0) return -1;
    char owner[160];
    snprintf(owner, sizeof owner, "module '%s'", name);
    return ix_check_methods(ctx, owner, def->methods, 0);
}

int ix_moduledef_multi_level(const IxModuleDef *def)
{
    for (const IxModuleSlot *s = def->slots; s && s->id; s++)
        if (s->id == IX_MOD_MULTIPLE_INTERPRETERS) return (int)(uintptr_t)s->value;
    return (int)(uintptr_t)IX_MOD_MULTI_PER_INTERPRETER_LOCK;
}

/* ---------------------------------------------------------------- module objects */

static IxModuleObject *as_module(IxContext *ctx, IxObject *o)
{
    if (IX_IS(ctx, o, IX_TYPE_MODULE)) return (IxModuleObject *)o;
    ix_err_wrong_type(ctx, "module", o);
    return NULL;
}

/* A bare module object: a name and an empty dict. */
static IxObject *module_alloc(IxContext *ctx, IxObject *name)
{
    IxModuleObject *m = (IxModuleObject *)ix_builtin_alloc(ctx, IX_TYPE_MODULE, sizeof(IxModuleObject));
    if (!m) return NULL;
    m->record = IX_CTX(ctx)->owner;
    m->cleared = m->freed = true; /* until a definition is bound there is nothing to run */
    IX_INCREF(name);
    m->name = name;
    if (!(m->dict = ix_dict_new(ctx))) {
        IX_DECREF(ctx, m);
        return NULL;
    }
    return &m->ob_base;
}

/* Bind a definition: the library reference, zeroed state, the module functions. From
 * here on clear and free are owed (ABI.md 4.8). */
static int module_bind(IxContext *ctx, IxModuleObject *m, const IxModuleDef *def, IxLibrary *lib)
{
    m->def = def;
    m->cleared = m->freed = false;
    m->shared_lock = ix_moduledef_multi_level(def) == (int)(uintptr_t)IX_MOD_MULTI_SHARED_LOCK;
    if (lib) {
        ix_library_incref(lib);
        m->lib = lib;
    }
    if (def->state_size > 0) {
        m->state = ix_heap_alloc(&IX_INTERP(ctx)->heap, (size_t)def->state_size, IX_BLOCK_RAW,
                                 m->record, true);
        if (!m->state) {
            ix_err_no_memory(ctx);
            return -1;
        }
    }
    for (const IxMethodDef *md = def->methods; md && md->name; md++) {
        IxObject *f = ix_function_new(ctx, md, &m->ob_base);
        if (!f) return -1;
        int rc = ix_dict_set_cstr(ctx, m->dict, md->name, f);
        IX_DECREF(ctx, f);
        if (rc < 0) return -1;
    }
    return 0;
}

static IxObject *module_new(IxContext *ctx, const IxModuleDef *def, const char *name, IxLibrary *lib)
{
    IxObject *name_obj = ix_str_from_cstr(ctx, name);
    if (!name_obj) return NULL;
    IxObject *m = module_alloc(ctx, name_obj);
    IX_DECREF(ctx, name_obj);
    if (m && module_bind(ctx, (IxModuleObject *)m, def, lib) < 0) {
        /* nothing of the extension ran yet: do not call its clear or free */
        ((IxModuleObject *)m)->cleared = ((IxModuleObject *)m)->freed = true;
        IX_CLEAR_REF(ctx, m);
    }
    return m;
}

/* module(name): what a create slot calls to make the module it returns (like Python's
 * types.ModuleType); the host binds the definition to it afterwards. */
static IxObject *module_type_new(IxContext *ctx, IxObject *type, IxObject *const *args, size_t n)
{
    if (n != 1)
        return ix_err_format(ctx, IX_EXC_TYPEERROR, "module() takes exactly 1 argument (%zu given)", n);
    if (!IX_IS(ctx, args[0], IX_TYPE_STR)) return ix_err_wrong_type(ctx, "str as the module name", args[0]);
    return module_alloc(ctx, args[0]);
}

/* Run an extension callback on a module during teardown: its errors have nowhere to go
 * (recorded, ABI.md 6.8), and must not disturb an error on its way out (a failed exec's). */
static void run_teardown(IxContext *ctx, IxModuleObject *m, int (*clear)(IxContext *, IxObject *),
                         void (*free_fn)(IxContext *, IxObject *))
{
    IxCtx *c = IX_CTX(ctx);
    IxObject *saved = c->exc;
    IxEntry e;
    c->exc = NULL;
    ix_enter_code(ctx, &m->ob_base, &e);
    if (clear) clear(ctx, &m->ob_base);
    if (free_fn) free_fn(ctx, &m->ob_base);
    ix_leave_code(ctx, &e);
    if (c->exc) ix_unraisable(ctx, "%s of module '%s'", clear ? "clear" : "free", m->def->name);
    c->exc = saved;
}

void ix_module_finalize(IxContext *ctx, IxObject *o)
{
    if (!IX_IS(ctx, o, IX_TYPE_MODULE)) return;
    IxModuleObject *m = (IxModuleObject *)o;
    if (!m->cleared) {
        m->cleared = true;
        run_teardown(ctx, m, m->def->clear, NULL);
    }
    if (!m->freed) {
        m->freed = true;
        run_teardown(ctx, m, NULL, m->def->free);
    }
    /* Functions in the dict and legacy static types refer back to the module: break it. */
    if (m->dict) ix_dict_clear(ctx, m->dict);
    if (m->static_types) {
        size_t n = ix_list_size(ctx, m->static_types);
        for (size_t i = 0; i < n; i++) {
            IxTypeObject *t = (IxTypeObject *)ix_list_getitem(ctx, m->static_types, i);
            if (t->static_home && t->static_home->type == &t->ob_base) {
                t->static_home->type = NULL;
                IX_DECREF(ctx, t); /* the reference the static storage held */
            }
        }
        IX_CLEAR_REF(ctx, m->static_types);
    }
}

static void module_dealloc(IxContext *ctx, IxObject *self)
{
    IxModuleObject *m = (IxModuleObject *)self;
    ix_module_finalize(ctx, self);
    if (m->state) ix_heap_free(&IX_INTERP(ctx)->heap, m->state);
    m->state = NULL;
    IX_CLEAR_REF(ctx, m->dict);
    IX_CLEAR_REF(ctx, m->name);
    /* ABI 1.2: 7.3. Only at close: the module a failed init made dies at once, while the
     * claim may be another module's of the same library, loaded and alive (ABI 1.3). */
    if (m->lib && m->def && IX_INTERP(ctx)->closing
        && (m->legacy || ix_moduledef_multi_level(m->def) == (int)(uintptr_t)IX_MOD_MULTI_NOT_SUPPORTED))
        ix_library_exclusive_closed(m->lib, IX_INTERP(ctx)->id);
    if (m->lib) ix_library_decref(m->lib); /* last: no code of the library runs after this */
    m->lib = NULL;
}

static int module_traverse(IxContext *ctx, IxObject *self, IxVisitProc visit, void *arg)
{
    IxModuleObject *m = (IxModuleObject *)self;
    IX_VISIT(m->dict);
    IX_VISIT(m->static_types);
    if (!m->def || !m->def->traverse || !m->state || m->freed) return 0;
    IxEntry e;
    ix_enter_code(ctx, self, &e);
    int rc = m->def->traverse(ctx, self, visit, arg);
    ix_leave_code(ctx, &e);
    return rc;
}

static IxObject *module_repr(IxContext *ctx, IxObject *self)
{
    return ix_str_from_format(ctx, "<module '%s'>", ((IxStrObject *)((IxModuleObject *)self)->name)->data);
}

static IxObject *module_getattr(IxContext *ctx, IxObject *self, const char *name)
{
    IxModuleObject *m = (IxModuleObject *)self;
    IxObject *v = strcmp(name, "__name__") == 0 ? m->name : ix_dict_get_cstr(ctx, m->dict, name);
    if (!v)
        return ix_err_format(ctx, IX_EXC_ATTRIBUTEERROR, "module '%s' has no attribute '%s'",
                             ((IxStrObject *)m->name)->data, name);
    IX_INCREF(v);
    return v;
}

static int module_setattr(IxContext *ctx, IxObject *self, const char *name, IxObject *v)
{
    IxModuleObject *m = (IxModuleObject *)self;
    if (strcmp(name, "__name__") == 0) { /* read from m->name, not the dict (ABI.md 4.21) */
        ix_err_format(ctx, IX_EXC_ATTRIBUTEERROR, "attribute '__name__' of 'module' objects is not writable");
        return -1;
    }
    if (v) return ix_dict_set_cstr(ctx, m->dict, name, v);
    if (!ix_dict_get_cstr(ctx, m->dict, name)) { /* ABI 1.2: del of a missing name (3.40) */
        ix_err_format(ctx, IX_EXC_ATTRIBUTEERROR, "module '%s' has no attribute '%s'",
                      ((IxStrObject *)m->name)->data, name);
        return -1;
    }
    IxObject *key = ix_str_from_cstr(ctx, name);
    if (!key) return -1;
    int rc = ix_dict_delitem(ctx, m->dict, key);
    IX_DECREF(ctx, key);
    return rc;
}

static const IxTypeSlot module_slots[] = {
    {IX_tp_new, (void *)module_type_new},
    {IX_tp_dealloc, (void *)module_dealloc},
    {IX_tp_traverse, (void *)module_traverse},
    {IX_tp_repr, (void *)module_repr},
    IX_TYPE_SLOTS_END,
};
const IxBuiltinTypeDef ix_module_typedef = {IX_TYPE_MODULE, "module", sizeof(IxModuleObject),
                                            UINT32_MAX, 0, module_slots, module_getattr,
                                            module_setattr, NULL};

/* ---------------------------------------------------------------- create and exec */

static bool has_exec(const IxModuleDef *def)
{
    for (const IxModuleSlot *s = def->slots; s && s->id; s++)
        if (s->id == IX_MOD_EXEC) return true;
    return false;
}

static IxObject *run_create(IxContext *ctx, const IxModuleDef *def, const char *name, IxLibrary *lib)
{
    IxCreateProc create = NULL;
    for (const IxModuleSlot *s = def->slots; s && s->id; s++)
        if (s->id == IX_MOD_CREATE) create = (IxCreateProc)s->value;
    if (!create) return module_new(ctx, def, name, lib);

    IxObject *name_obj = ix_str_from_cstr(ctx, name);
    if (!name_obj) return NULL;
    IxObject *r = create(ctx, name_obj, def);
    IX_DECREF(ctx, name_obj);
    bool pending = ix_err_pending(ctx);
    if (!r && !pending)
        return ix_err_format(ctx, IX_EXC_SYSTEMERROR,
                             "module '%s': create slot returned NULL without setting an error", name);
    if (r && pending) {
        IX_DECREF(ctx, r);
        ix_err_chain_system(ctx, "module '%s': create slot returned a result with an error set", name);
        return NULL;
    }
    if (!r || IX_IS(ctx, r, IX_TYPE_MODULE)) return r;
    /* Only a module has state, exec slots and functions (ABI.md 4.4): the functions of a
     * definition are bound to the module they are called with. */
    const char *why = def->state_size > 0                 ? "requests module state"
                      : has_exec(def)                     ? "has exec slots"
                      : def->methods && def->methods->name ? "has methods"
                                                           : NULL;
    if (why) {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR,
                      "module '%s': create slot returned a non-module object (%s) but the definition %s",
                      name, IX_TYPE(r)->name, why);
        IX_DECREF(ctx, r);
        return NULL;
    }
    return r;
}

static int run_exec_slots(IxContext *ctx, IxObject *module, const IxModuleDef *def, const char *name)
{
    int index = 0;
    for (const IxModuleSlot *s = def->slots; s && s->id; s++) {
        if (s->id != IX_MOD_EXEC) continue;
        index++;
        int rc = ((IxExecProc)s->value)(ctx, module);
        bool pending = ix_err_pending(ctx);
        if (rc != 0 && !pending) {
            ix_err_format(ctx, IX_EXC_SYSTEMERROR, "module '%s': exec slot %d failed without setting an error",
                          name, index);
            return -1;
        }
        if (rc == 0 && pending) {
            ix_err_chain_system(ctx, "module '%s': exec slot %d returned success with an error set",
                                name, index);
            return -1;
        }
        if (rc != 0) return -1;
    }
    return 0;
}

IxObject *ix_module_from_def(IxContext *ctx, const IxModuleDef *def, const char *name, IxLibrary *lib)
{
    IxObject *m = run_create(ctx, def, name, lib);
    if (!m || !IX_IS(ctx, m, IX_TYPE_MODULE)) return m;
    IxModuleObject *mo = (IxModuleObject *)m;
    if (!mo->def && module_bind(ctx, mo, def, lib) < 0) { /* made by calling module(name) */
        mo->cleared = mo->freed = true;
        IX_DECREF(ctx, m);
        return NULL;
    }
    if (run_exec_slots(ctx, m, def, name) < 0) {
        ix_module_finalize(ctx, m); /* ABI.md 4.6: clear and free, then nothing is left */
        IX_DECREF(ctx, m);
        return NULL;
    }
    if (mo->dict) ix_dict_trim(ctx, mo->dict); /* exec is done adding: room back (8.15) */
    return m;
}

/* ---------------------------------------------------------------- table entries */

void *ix_module_get_state(IxContext *ctx, IxObject *o)
{
    IxModuleObject *m = as_module(ctx, o);
    return m ? m->state : NULL;
}

const IxModuleDef *ix_module_get_def(IxContext *ctx, IxObject *o)
{
    IxModuleObject *m = as_module(ctx, o);
    return m ? m->def : NULL;
}

int ix_module_add_object(IxContext *ctx, IxObject *o, const char *name, IxObject *v)
{
    IxModuleObject *m = as_module(ctx, o);
    if (!m) return -1;
    if (!v) {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "IxModule_AddObject: value for '%s' is NULL", name);
        return -1;
    }
    return ix_dict_set_cstr(ctx, m->dict, name, v);
}

/* ABI 1.2 (ABI.md 4.20): CPython's PyModule_AddIntConstant and PyModule_AddStringConstant:
 * the value made here and added, the module's reference the only one left. */
static int add_made(IxContext *ctx, IxObject *o, const char *name, IxObject *v)
{
    int rc = v ? ix_module_add_object(ctx, o, name, v) : -1;
    IX_XDECREF(ctx, v);
    return rc;
}

static bool constant_named(IxContext *ctx, IxObject *o, const char *entry, const char *name)
{
    if (!as_module(ctx, o)) return false;
    if (name) return true;
    ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s: the name is NULL", entry);
    return false;
}

int ix_module_add_int_constant(IxContext *ctx, IxObject *o, const char *name, int64_t v)
{
    const char *entry = "IxModule_AddIntConstant";
    if (!constant_named(ctx, o, entry, name)) return -1;
    return add_made(ctx, o, name, ix_long_from_int64(ctx, v));
}

int ix_module_add_string_constant(IxContext *ctx, IxObject *o, const char *name, const char *utf8)
{
    const char *entry = "IxModule_AddStringConstant";
    if (!constant_named(ctx, o, entry, name)) return -1;
    if (!utf8) {
        ix_err_format(ctx, IX_EXC_SYSTEMERROR, "%s: value for '%s' is NULL", entry, name);
        return -1;
    }
    return add_made(ctx, o, name, ix_str_from_cstr(ctx, utf8));
}

int ix_module_add_type(IxContext *ctx, IxObject *o, IxObject *type)
{
    if (!IX_IS(ctx, type, IX_TYPE_TYPE)) {
        ix_err_wrong_type(ctx, "type", type);
        return -1;
    }
    return ix_module_add_object(ctx, o, ix_type_short_name((IxTypeObject *)type), type);
}

IxObject *ix_module_create_legacy(IxContext *ctx, const IxModuleDef *def)
{
    IxInterp *interp = IX_INTERP(ctx);
    if (!interp->loading_lib)
        return ix_err_format(ctx, IX_EXC_SYSTEMERROR,
                             "IxModule_CreateLegacy may only be called by a legacy init function");
    if (!def || !def->name || def->slots || def->state_size != 0)
        return ix_err_format(ctx, IX_EXC_SYSTEMERROR,
                             "IxModule_CreateLegacy: a legacy definition has a name, no slots and no state");
    if (check_version(ctx, def, def->name) < 0) return NULL;
    char owner[160];
    snprintf(owner, sizeof owner, "module '%s'", def->name);
    if (ix_check_methods(ctx, owner, def->methods, 0) < 0) return NULL;
    IxObject *m = module_new(ctx, def, def->name, interp->loading_lib);
    if (!m) return NULL;
    ((IxModuleObject *)m)->legacy = true;
    if (!interp->loading_module) { /* the loader's reference: it undoes a failed init */
        IX_INCREF(m);
        interp->loading_module = m;
    }
    return m;
}
