/*
 * abi-types.c -- every public type and constant of isolex.h, in one shared object's DWARF,
 * for libabigail (abi/baseline/README.md, ABI.md 1.4).
 *
 * abidw and abidiff see only what an exported symbol reaches, so one exported variable,
 * ix_abi_types, points at every public struct and holds every enum and callback type. The
 * structs are reached through pointers, so that a struct growing at its end (the function
 * table's appends) moves nothing in IxAbiTypes itself.
 *
 * Constants have no type of their own in DWARF (the #defines none at all, the anonymous
 * enums only an int), so IxAbiConstants records each one's value as an array length:
 * `char IX_MOD_EXEC_[IX_MOD_EXEC + K]` is a `char[2 + K]`, and a changed value is a changed
 * member type abidiff reports. K keeps every length positive (IX_VARARGS is -1, IX_LT 0).
 *
 * A type or constant added to isolex.h is added at the END of its struct here, which
 * cmake/check-abi.py accepts (it cuts the appends before its strict diff); anything else is
 * a failure. Appended before the minor version's baseline is written (abi/baseline/README.md).
 */
#include <stdint.h>

#include "isolex.h"

#define K 2
#define VALUE(c) char c##_[(intptr_t)(c) + K];  /* ## keeps the name unexpanded */

struct IxAbiConstants {
    VALUE(IX_ABI_MAJOR)
    /* IX_ABI_MINOR is not here: raising it is the one change every minor version makes */
    VALUE(IX_LT) VALUE(IX_LE) VALUE(IX_EQ) VALUE(IX_NE) VALUE(IX_GT) VALUE(IX_GE)
    VALUE(IX_VARARGS)
    VALUE(IX_MOD_CREATE) VALUE(IX_MOD_EXEC) VALUE(IX_MOD_MULTIPLE_INTERPRETERS)
    /* not IX_MOD_MULTI_*: pointers, never an integer constant expression (test-ext's
     * bad_multi_value and the concurrency modules pin their values) */
    VALUE(IX_tp_new) VALUE(IX_tp_dealloc) VALUE(IX_tp_traverse) VALUE(IX_tp_clear)
    VALUE(IX_tp_repr) VALUE(IX_tp_str) VALUE(IX_tp_hash) VALUE(IX_tp_richcompare)
    VALUE(IX_tp_call) VALUE(IX_tp_methods) VALUE(IX_tp_members) VALUE(IX_tp_getset)
    VALUE(IX_tp_doc)
    VALUE(IX_TPFLAGS_DEFAULT) VALUE(IX_TPFLAGS_HAVE_GC)
    VALUE(IX_T_INT64) VALUE(IX_T_INT32) VALUE(IX_T_DOUBLE) VALUE(IX_T_BOOL) VALUE(IX_T_OBJECT)
    VALUE(IX_READONLY)
    /* ABI 1.2 */
    VALUE(IX_METH_METHOD) VALUE(IX_METH_CLASS) VALUE(IX_METH_STATIC) VALUE(IX_METH_KEYWORDS)
    VALUE(IX_sq_length) VALUE(IX_mp_length) VALUE(IX_mp_subscript) VALUE(IX_mp_ass_subscript)
    VALUE(IX_sq_contains) VALUE(IX_tp_iter) VALUE(IX_tp_iternext)
    VALUE(IX_nb_add) VALUE(IX_nb_subtract) VALUE(IX_nb_multiply) VALUE(IX_nb_true_divide)
    VALUE(IX_nb_floor_divide) VALUE(IX_nb_remainder) VALUE(IX_nb_power) VALUE(IX_nb_negative)
    VALUE(IX_nb_positive) VALUE(IX_nb_absolute) VALUE(IX_nb_bool) VALUE(IX_nb_int)
    VALUE(IX_nb_float) VALUE(IX_nb_index) VALUE(IX_nb_inplace_add) VALUE(IX_nb_inplace_subtract)
    VALUE(IX_nb_inplace_multiply) VALUE(IX_nb_inplace_true_divide)
    VALUE(IX_nb_inplace_floor_divide) VALUE(IX_nb_inplace_remainder) VALUE(IX_nb_inplace_power)
    VALUE(IX_nb_and) VALUE(IX_nb_or) VALUE(IX_nb_xor) VALUE(IX_nb_lshift) VALUE(IX_nb_rshift)
    VALUE(IX_nb_invert)
    VALUE(IX_tp_getattro) VALUE(IX_tp_setattro)
    VALUE(IX_tp_init) VALUE(IX_tp_new_kw) VALUE(IX_tp_finalize) VALUE(IX_tp_token)
    VALUE(IX_bf_getbuffer) VALUE(IX_bf_releasebuffer)
    /* not IX_TP_USE_SPEC: NULL, a pointer (as IX_MOD_MULTI_*) */
    VALUE(IX_TPFLAGS_BASETYPE) VALUE(IX_TPFLAGS_MANAGED_DICT) VALUE(IX_TPFLAGS_MANAGED_WEAKREF)
    VALUE(IX_BUF_MAX_NDIM) VALUE(IX_BUF_SIMPLE) VALUE(IX_BUF_WRITABLE) VALUE(IX_BUF_FORMAT)
    VALUE(IX_BUF_ND) VALUE(IX_BUF_STRIDES)
    /* ABI 1.3 and later: append here */
};

struct IxAbiTypes {
    const IxObject *object;
    const IxContext *context;
    const IxFunctionTable *table;
    IxBuiltin builtin;
    const IxModuleDef *module_def;
    const IxMethodDef *method_def;
    const IxModuleSlot *module_slot;
    const IxTypeSlot *type_slot;
    const IxTypeSpec *type_spec;
    const IxMemberDef *member_def;
    const IxGetSetDef *getset_def;
    const IxStaticType *static_type;
    IxCFunction cfunction;
    IxVisitProc visit;
    IxTraverseProc traverse;
    IxClearProc clear;
    IxFreeProc free;
    IxDeallocProc dealloc;
    IxNewProc new_;
    IxUnaryProc unary;
    IxHashProc hash;
    IxRichCompareProc richcompare;
    IxGetter getter;
    IxSetter setter;
    IxCreateProc create;
    IxExecProc exec;
    const struct IxAbiConstants *constants;
    /* ABI 1.2 (its new IxBuiltin enumerators are in `builtin`'s enum already) */
    IxCFunctionKw cfunction_kw;
    IxCMethod cmethod;
    const IxArgSpec *arg_spec;
    IxCapsuleDestructor capsule_destructor;
    IxTypeInitProc init;
    IxNewKwProc new_kw;
    IxFinalizeProc finalize;
    IxLenProc len;
    IxBinaryProc binary;
    IxObjObjArgProc objobjarg;
    IxObjObjProc objobj;
    IxGetAttroProc getattro;
    IxSetAttroProc setattro;
    IxTernaryProc ternary;
    IxInquiryProc inquiry;
    IxGetBufferProc getbuffer;
    IxReleaseBufferProc releasebuffer;
    const IxBufferView *buffer_view;
    /* ABI 1.3 and later: append here */
};

IX_EXPORT const struct IxAbiTypes ix_abi_types;
