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
 * A type or constant added to isolex.h is added at the END of its struct here, which the
 * suppressions accept (abi/baseline/isolex.abignore); anything else is a failure.
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
    /* ABI 1.2 and later: append here */
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
    /* ABI 1.2 and later: append here */
};

IX_EXPORT const struct IxAbiTypes ix_abi_types;
