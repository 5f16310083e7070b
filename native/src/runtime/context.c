/*
 * context.c -- the function table extensions call through, and the contexts that carry it.
 *
 * A context is made per entry into an interpreter, on the entering thread, and holds that
 * entry's error state. The table is one constant: every context of every interpreter
 * points at it, and an extension's inline wrappers reach the host only through it.
 */
#include <string.h>

#include "ix_internal.h"

/* ---------------------------------------------------------------- memory (ABI.md 8) */

void *ix_mem_malloc(IxContext *ctx, size_t n)
{
    IxCtx *c = IX_CTX(ctx);
    void *p = ix_heap_alloc(&c->interp->heap, n, IX_BLOCK_RAW, c->owner, false);
    if (!p) ix_err_no_memory(ctx);
    return p;
}

void *ix_mem_calloc(IxContext *ctx, size_t count, size_t n)
{
    IxCtx *c = IX_CTX(ctx);
    if (n && count > SIZE_MAX / n) {
        ix_err_no_memory(ctx);
        return NULL;
    }
    void *p = ix_heap_alloc(&c->interp->heap, count * n, IX_BLOCK_RAW, c->owner, true);
    if (!p) ix_err_no_memory(ctx);
    return p;
}

void *ix_mem_realloc(IxContext *ctx, void *p, size_t n)
{
    if (!p) return ix_mem_malloc(ctx, n);
    void *q = ix_heap_realloc(&IX_INTERP(ctx)->heap, p, n);
    if (!q) ix_err_no_memory(ctx);
    return q;
}

void ix_mem_free(IxContext *ctx, void *p)
{
    ix_heap_free(&IX_INTERP(ctx)->heap, p);
}

/* ---------------------------------------------------------------- the lock (ABI.md 9) */

static uintptr_t self_id(void)
{
    return (uintptr_t)pthread_self();
}

void ix_interp_lock(IxInterp *in)
{
    pthread_mutex_lock(&in->lock);
    atomic_store_explicit(&in->holder, self_id(), memory_order_relaxed);
}

void ix_interp_unlock(IxInterp *in)
{
    atomic_store_explicit(&in->holder, 0, memory_order_relaxed);
    pthread_mutex_unlock(&in->lock);
}

/* Only this thread ever stores its own id, so a relaxed read answers "is it me" exactly. */
bool ix_interp_held_by_me(IxInterp *in)
{
    return atomic_load_explicit(&in->holder, memory_order_relaxed) == self_id();
}

void ix_ctx_hold(IxCtx *c, IxLibrary *lib)
{
    if (c->nheld > 0 && c->held[c->nheld - 1].lib == lib) {
        c->held[c->nheld - 1].depth++;
    } else if (c->nheld < IX_MAX_HELD_LIBS) {
        c->held[c->nheld].lib = lib;
        c->held[c->nheld].depth = 1;
        c->nheld++;
    }
    /* Deeper nesting of distinct shared-lock libraries is forbidden (ABI.md 9.3); such a
     * lock is still taken, just not given up by IxLock_Release. */
}

void ix_ctx_unhold(IxCtx *c, IxLibrary *lib)
{
    if (c->nheld > 0 && c->held[c->nheld - 1].lib == lib && --c->held[c->nheld - 1].depth == 0)
        c->nheld--;
}

/* Give up the code locks (innermost first), then the interpreter lock; retake them in the
 * opposite order, so every thread takes interpreter lock before code locks. */
void ix_ctx_release(IxContext *ctx)
{
    IxCtx *c = IX_CTX(ctx);
    if (c->released) return;
    c->released = true;
    for (int i = c->nheld; i-- > 0;)
        for (int d = 0; d < c->held[i].depth; d++) ix_library_code_unlock(c->held[i].lib);
    ix_interp_unlock(c->interp);
}

void ix_ctx_reacquire(IxContext *ctx)
{
    IxCtx *c = IX_CTX(ctx);
    if (!c->released) return;
    ix_interp_lock(c->interp);
    for (int i = 0; i < c->nheld; i++)
        for (int d = 0; d < c->held[i].depth; d++) ix_library_code_lock(c->held[i].lib);
    c->released = false;
}

/* ---------------------------------------------------------------- the table */

const IxFunctionTable ix_function_table = {
    .abi_major = IX_ABI_MAJOR,
    .abi_minor = IX_ABI_MINOR,
    .size = sizeof(IxFunctionTable),

    .Builtin = ix_builtin,
    .Incref = ix_incref,
    .Decref = ix_decref,
    .Type = ix_type_of,
    .IsInstance = ix_isinstance,
    .GetAttr = ix_getattr,
    .SetAttr = ix_setattr,
    .Call = ix_call,
    .CallMethod = ix_call_method,
    .Repr = ix_repr,
    .Str = ix_str,
    .Hash = ix_hash,
    .RichCompareBool = ix_richcompare_bool,
    .IsTrue = ix_is_true,

    .Long_FromInt64 = ix_long_from_int64,
    .Long_AsInt64 = ix_long_as_int64,
    .Float_FromDouble = ix_float_from_double,
    .Float_AsDouble = ix_float_as_double,
    .Bool_FromInt = ix_bool_from_int,

    .Str_FromUTF8 = ix_str_from_utf8,
    .Str_AsUTF8 = ix_str_as_utf8,
    .Str_FromFormatV = ix_str_from_formatv,
    .Bytes_FromData = ix_bytes_from_data,
    .Bytes_AsData = ix_bytes_as_data,

    .Tuple_FromArray = ix_tuple_from_array,
    .Tuple_Size = ix_tuple_size,
    .Tuple_GetItem = ix_tuple_getitem,
    .List_New = ix_list_new,
    .List_Append = ix_list_append,
    .List_Size = ix_list_size,
    .List_GetItem = ix_list_getitem,
    .List_SetItem = ix_list_setitem,
    .Dict_New = ix_dict_new,
    .Dict_SetItem = ix_dict_setitem,
    .Dict_GetItem = ix_dict_getitem,
    .Dict_DelItem = ix_dict_delitem,
    .Dict_Size = ix_dict_size,
    .Dict_Next = ix_dict_next,

    .Err_SetString = ix_api_err_set_string,
    .Err_FormatV = ix_api_err_formatv,
    .Err_Occurred = ix_err_occurred,
    .Err_Fetch = ix_err_fetch,
    .Err_Raise = ix_api_err_raise,
    .Err_Clear = ix_err_clear,
    .Err_ExceptionMatches = ix_err_exception_matches,
    .Err_NewException = ix_err_new_exception,
    .Exception_GetMessage = ix_exception_get_message,
    .Exception_GetCause = ix_exception_get_cause,

    .Module_GetState = ix_module_get_state,
    .Module_GetDef = ix_module_get_def,
    .Module_AddObject = ix_module_add_object,
    .Module_AddType = ix_module_add_type,
    .Module_CreateLegacy = ix_module_create_legacy,

    .Type_FromSpec = ix_type_from_spec,
    .Type_GetModule = ix_type_get_module,
    .Type_GetModuleState = ix_type_get_module_state,
    .Type_GetModuleByDef = ix_type_get_module_by_def,
    .Type_GenericAlloc = ix_type_generic_alloc,
    .Type_GetName = ix_type_get_name,
    .Type_ReadyStatic = ix_type_ready_static,

    .Mem_Malloc = ix_mem_malloc,
    .Mem_Calloc = ix_mem_calloc,
    .Mem_Realloc = ix_mem_realloc,
    .Mem_Free = ix_mem_free,

    .Lock_Release = ix_ctx_release,
    .Lock_Acquire = ix_ctx_reacquire,

    .Queue_New = ix_queue_new_object,
    .Queue_Put = ix_queue_put_value,
    .Queue_Get = ix_queue_get_value,
    .Queue_Size = ix_queue_size_value,
    .Buffer_New = ix_buffer_new,
    .Buffer_Data = ix_buffer_data,

    /* ABI 1.2: integers of any size */
    .Long_FromBytes = ix_long_from_bytes,
    .Long_AsBytes = ix_long_as_bytes,
    .Long_FromString = ix_long_from_string,
    /* ABI 1.2: import, capsules, exception chaining */
    .Import_Import = ix_import_import,
    .Capsule_New = ix_capsule_new,
    .Capsule_GetPointer = ix_capsule_get_pointer,
    .Capsule_IsValid = ix_capsule_is_valid,
    .Exception_SetCause = ix_exception_set_cause,
    .Exception_GetContext = ix_exception_get_context,
    /* ABI 1.2: subclassing */
    .Type_FromSpecWithBase = ix_type_from_spec_with_base,
    /* ABI 1.2: keyword arguments and the argument parser */
    .CallKw = ix_call_kw,
    .Arg_Parse = ix_arg_parse,
    /* ABI 1.2: the item, length, membership and iteration protocols */
    .GetItem = ix_getitem,
    .SetItem = ix_setitem,
    .DelItem = ix_delitem,
    .Length = ix_length,
    .Contains = ix_contains,
    .GetIter = ix_getiter,
    .IterNext = ix_iternext,
    /* ABI 1.2: attributes, instance dicts, weak references, module constants */
    .Object_GenericGetAttr = ix_object_generic_getattr,
    .Object_GenericSetAttr = ix_object_generic_setattr,
    .Object_GetDict = ix_object_get_dict,
    .DelAttr = ix_delattr,
    .Dir = ix_dir,
    .Weakref_New = ix_weakref_new,
    .Weakref_GetObject = ix_weakref_get_object,
    .Module_AddIntConstant = ix_module_add_int_constant,
    .Module_AddStringConstant = ix_module_add_string_constant,
    /* ABI 1.2: type slots */
    .Type_GetBaseByToken = ix_type_get_base_by_token,
    /* ABI 1.2: the number protocol */
    .Number_Add = ix_number_add,
    .Number_Subtract = ix_number_subtract,
    .Number_Multiply = ix_number_multiply,
    .Number_TrueDivide = ix_number_true_divide,
    .Number_FloorDivide = ix_number_floor_divide,
    .Number_Remainder = ix_number_remainder,
    .Number_Power = ix_number_power,
    .Number_Negative = ix_number_negative,
    .Number_Positive = ix_number_positive,
    .Number_Absolute = ix_number_absolute,
    .Number_Index = ix_number_index,
    .Number_Long = ix_number_long,
    .Number_Float = ix_number_float,
    .Number_InPlaceAdd = ix_number_inplace_add,
    .Number_InPlaceSubtract = ix_number_inplace_subtract,
    .Number_InPlaceMultiply = ix_number_inplace_multiply,
    .Number_InPlaceTrueDivide = ix_number_inplace_true_divide,
    .Number_InPlaceFloorDivide = ix_number_inplace_floor_divide,
    .Number_InPlaceRemainder = ix_number_inplace_remainder,
    .Number_InPlacePower = ix_number_inplace_power,
    .Number_And = ix_number_and,
    .Number_Or = ix_number_or,
    .Number_Xor = ix_number_xor,
    .Number_Lshift = ix_number_lshift,
    .Number_Rshift = ix_number_rshift,
    .Number_Invert = ix_number_invert,
    .Number_InPlaceAnd = ix_number_inplace_and,
    .Number_InPlaceOr = ix_number_inplace_or,
    .Number_InPlaceXor = ix_number_inplace_xor,
    .Number_InPlaceLshift = ix_number_inplace_lshift,
    .Number_InPlaceRshift = ix_number_inplace_rshift,
    /* ABI 1.2: the buffer protocol */
    .GetBuffer = ix_get_buffer,
    .BufferView_Release = ix_buffer_view_release,
    .BufferView_FillInfo = ix_buffer_view_fill_info,
    /* ABI 1.3: a legacy static subtype */
    .Type_ReadyStaticWithBase = ix_type_ready_static_with_base,
    /* ABI 1.3: interrupts (interrupt.c) */
    .CheckInterrupt = ix_check_interrupt,
};

/* ---------------------------------------------------------------- contexts */

/* Every call passes through here: set the fields, do not clear the whole struct (the held
 * array is only read below nheld). */
void ix_ctx_init(IxCtx *c, IxInterp *interp)
{
    c->exc = NULL;
    c->owner = 0;
    c->released = false;
    c->nheld = 0;
    c->dealloc_depth = 0;
    c->dealloc_later = NULL;
    c->stack_lo = 0;
    c->stack_reserve = UINTPTR_MAX; /* looked up at the first depth check (object.c) */
    c->debug_calls = NULL;
    c->call = 0;
    c->pub.abi_major = IX_ABI_MAJOR;
    c->pub.abi_minor = IX_ABI_MINOR;
    c->pub.fn = interp->debug ? &ix_debug_table : &ix_function_table;
    c->interp = interp;
    c->interp_id = interp->id;
}

IxCtx *ix_ctx_open(IxInterp *in, IxCtx *local)
{
    IxCtx *c = in->debug ? ix_debug_ctx_new(in) : NULL;
    if (!c) {
        c = local; /* release mode, or no memory for a debug context: still works */
        ix_ctx_init(c, in);
    }
    return c;
}

void ix_ctx_close(IxCtx *c, IxCtx *local)
{
    ix_ctx_fini(c);
    if (c != local) ix_debug_ctx_retire(c);
}

void ix_ctx_fini(IxCtx *c)
{
    IX_CLEAR_REF(&c->pub, c->exc);
}

IX_API IxContext *ixh_enter(IxInterp *interp)
{
    if (ix_interp_held_by_me(interp)) return NULL; /* re-entry (ABI.md 9.2) */
    IxCtx *c = interp->debug ? NULL : ix_host_alloc(sizeof *c);
    if (!interp->debug && !c) return NULL;
    ix_interp_lock(interp);
    if (interp->debug && !(c = ix_debug_ctx_new(interp))) {
        ix_interp_unlock(interp);
        return NULL;
    }
    if (!interp->debug) ix_ctx_init(c, interp);
    ix_interrupt_begin(c, (uintptr_t)c); /* ABI.md 12.81: the entry is named by its context */
    return &c->pub;
}

IX_API void ixh_leave(IxContext *ctx)
{
    IxCtx *c = IX_CTX(ctx);
    IxInterp *in = c->interp;
    ix_ctx_reacquire(ctx); /* if released: dropping the error needs the interpreter */
    ix_ctx_fini(c);
    if (in->debug) ix_debug_ctx_retire(c);
    else ix_host_free(c);
    ix_interp_unlock(in);
}
