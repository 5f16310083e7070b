/*
 * isolex.h -- the isolex extension ABI, version 1.
 *
 * This is the only header an extension module includes. It declares:
 *   - the context every call receives (IxContext) and the function table behind it;
 *   - the module definition an extension exports (IxModuleDef, PEP 489 shape);
 *   - type specs from which the host builds per-interpreter heap types;
 *   - inline wrappers (IxLong_FromInt64, IxErr_SetString, ...) that call through the table.
 *
 * An extension links against nothing of the host's: every call goes through ctx->fn, so a
 * built extension has no undefined Ix* symbols and loads on any host of ABI major 1.
 * The rules behind every declaration are written in abi/ABI.md; section numbers in the
 * comments below ("ABI.md 4.2") point there.
 *
 * Reference conventions (ABI.md 3): "new" results are owned by the caller and must be
 * released with Ix_Decref; "borrowed" results are valid while the object they came from
 * lives. No function steals a reference passed to it.
 */
#ifndef ISOLEX_H
#define ISOLEX_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IX_ABI_MAJOR 1
#define IX_ABI_MINOR 3

typedef struct IxContext IxContext;
typedef struct IxObject IxObject;
typedef struct IxFunctionTable IxFunctionTable;
typedef struct IxModuleDef IxModuleDef;

/* ---------------------------------------------------------------- objects (ABI.md 3) */

/* The header of every object. An extension's instance struct starts with IxObject_HEAD;
 * the fields belong to the host and may only be touched through the API. */
struct IxObject {
    intptr_t ix_refcnt_private;
    IxObject *ix_type_private;
};
#define IxObject_HEAD IxObject ob_base;

/* The context: passed to every extension callback and every API call. It is valid only
 * for the duration of the callback that received it (ABI.md 2.2). */
struct IxContext {
    uint32_t abi_major;
    uint32_t abi_minor;
    const IxFunctionTable *fn;
    /* host-private fields follow */
};

/* Objects every interpreter has its own copy of (ABI.md 3.4). Append-only. */
typedef enum IxBuiltin {
    IX_NONE = 0,
    IX_TRUE,
    IX_FALSE,
    IX_NOTIMPLEMENTED,
    IX_TYPE_TYPE,
    IX_TYPE_NONE,
    IX_TYPE_BOOL,
    IX_TYPE_INT,
    IX_TYPE_FLOAT,
    IX_TYPE_STR,
    IX_TYPE_BYTES,
    IX_TYPE_TUPLE,
    IX_TYPE_LIST,
    IX_TYPE_DICT,
    IX_TYPE_MODULE,
    IX_TYPE_FUNCTION,
    IX_TYPE_METHOD,
    IX_EXC_EXCEPTION,
    IX_EXC_TYPEERROR,
    IX_EXC_VALUEERROR,
    IX_EXC_KEYERROR,
    IX_EXC_INDEXERROR,
    IX_EXC_ATTRIBUTEERROR,
    IX_EXC_OVERFLOWERROR,
    IX_EXC_ZERODIVISIONERROR,
    IX_EXC_MEMORYERROR,
    IX_EXC_RUNTIMEERROR,
    IX_EXC_NOTIMPLEMENTEDERROR,
    IX_EXC_IMPORTERROR,
    IX_EXC_SYSTEMERROR,
    IX_BUILTIN_COUNT_V1_0,
    /* ABI 1.1 */
    IX_TYPE_QUEUE = IX_BUILTIN_COUNT_V1_0,
    IX_TYPE_BUFFER,
    IX_EXC_QUEUEEMPTY,
    IX_EXC_QUEUEFULL,
    IX_BUILTIN_COUNT_V1_1,
    /* ABI 1.2: the buffer protocol (ABI.md 3.50) */
    IX_EXC_BUFFERERROR = IX_BUILTIN_COUNT_V1_1,
    IX_BUILTIN_COUNT_V1_2,
    /* ABI 1.3: what Ix_CheckInterrupt raises (ABI.md 6.10) */
    IX_EXC_TIMEOUTERROR = IX_BUILTIN_COUNT_V1_2,
    IX_EXC_INTERRUPTEDERROR,
    IX_BUILTIN_COUNT_V1_3
} IxBuiltin;

/* Rich comparison operators. */
enum { IX_LT = 0, IX_LE = 1, IX_EQ = 2, IX_NE = 3, IX_GT = 4, IX_GE = 5 };

/* ---------------------------------------------------------------- callbacks */

/* Functions and methods: self is the module for module functions, the instance for
 * methods. The host has already checked nargs against min_args/max_args (ABI.md 4.3). */
typedef IxObject *(*IxCFunction)(IxContext *ctx, IxObject *self,
                                 IxObject *const *args, size_t nargs);
/* ABI 1.2: a function or method defined with IX_METH_KEYWORDS (ABI.md 4.13): args holds
 * nargs positional values, then one value per name of kwnames (a tuple of str, or NULL when
 * the call passed no keyword). */
typedef IxObject *(*IxCFunctionKw)(IxContext *ctx, IxObject *self, IxObject *const *args,
                                   size_t nargs, IxObject *kwnames);
typedef int (*IxVisitProc)(IxContext *ctx, IxObject *obj, void *arg);
typedef int (*IxTraverseProc)(IxContext *ctx, IxObject *self, IxVisitProc visit, void *arg);
/* ABI 1.2: runs once when a capsule dies, with the pointer it holds (ABI.md 4.12). */
typedef void (*IxCapsuleDestructor)(IxContext *ctx, void *pointer);
typedef int (*IxClearProc)(IxContext *ctx, IxObject *self);
typedef void (*IxFreeProc)(IxContext *ctx, IxObject *module);
typedef void (*IxDeallocProc)(IxContext *ctx, IxObject *self);
typedef IxObject *(*IxNewProc)(IxContext *ctx, IxObject *type,
                               IxObject *const *args, size_t nargs);
typedef IxObject *(*IxUnaryProc)(IxContext *ctx, IxObject *self);
/* ABI 1.2: construction with keywords and finalization (ABI.md 5.50-5.52). args holds nargs
 * positional values, then one value per name of kwnames (NULL: no keyword), as 4.13. */
typedef int (*IxTypeInitProc)(IxContext *ctx, IxObject *self, IxObject *const *args, size_t nargs,
                          IxObject *kwnames);
typedef IxObject *(*IxNewKwProc)(IxContext *ctx, IxObject *type, IxObject *const *args,
                                 size_t nargs, IxObject *kwnames);
typedef void (*IxFinalizeProc)(IxContext *ctx, IxObject *self);
typedef int64_t (*IxHashProc)(IxContext *ctx, IxObject *self);
/* ABI 1.2: the protocol slots (ABI.md 5.20). */
typedef int64_t (*IxLenProc)(IxContext *ctx, IxObject *self);
typedef IxObject *(*IxBinaryProc)(IxContext *ctx, IxObject *self, IxObject *key);
typedef int (*IxObjObjArgProc)(IxContext *ctx, IxObject *self, IxObject *key, IxObject *value);
typedef int (*IxObjObjProc)(IxContext *ctx, IxObject *self, IxObject *value);
/* ABI 1.2: the attribute slots (ABI.md 5.40): CPython's getattrofunc and setattrofunc. */
typedef IxObject *(*IxGetAttroProc)(IxContext *ctx, IxObject *self, IxObject *name);
typedef int (*IxSetAttroProc)(IxContext *ctx, IxObject *self, IxObject *name, IxObject *value);
/* ABI 1.2: the number protocol (ABI.md 5.30). */
typedef IxObject *(*IxTernaryProc)(IxContext *ctx, IxObject *a, IxObject *b, IxObject *c);
typedef int (*IxInquiryProc)(IxContext *ctx, IxObject *self);
/* ABI 1.2: the buffer protocol slots (ABI.md 5.60); IxBufferView is below. */
typedef struct IxBufferView IxBufferView;
typedef int (*IxGetBufferProc)(IxContext *ctx, IxObject *self, IxBufferView *view, int flags);
typedef void (*IxReleaseBufferProc)(IxContext *ctx, IxObject *self, IxBufferView *view);
typedef IxObject *(*IxRichCompareProc)(IxContext *ctx, IxObject *a, IxObject *b, int op);
typedef IxObject *(*IxGetter)(IxContext *ctx, IxObject *self, void *closure);
typedef int (*IxSetter)(IxContext *ctx, IxObject *self, IxObject *value, void *closure);
typedef IxObject *(*IxCreateProc)(IxContext *ctx, IxObject *name, const IxModuleDef *def);
typedef int (*IxExecProc)(IxContext *ctx, IxObject *module);

/* ---------------------------------------------------------------- methods (ABI.md 4.3) */

typedef struct IxMethodDef {
    const char *name;
    IxCFunction func;
    int32_t min_args;   /* fewest positional arguments accepted */
    int32_t max_args;   /* most accepted; IX_VARARGS for no limit */
    uint32_t flags;     /* 0, or IX_METH_* of ABI 1.2 (ABI.md 4.13, 5.8) */
    const char *doc;
} IxMethodDef;
#define IX_VARARGS (-1)
/* ABI 1.2: a method of a type whose function is an IxCMethod, which also receives the
 * class that defines it (PEP 573's METH_METHOD; same bit as CPython's). Cast it to
 * IxCFunction in the IxMethodDef. */
#define IX_METH_METHOD 0x0200u
/* ABI 1.2: a class method gets the class as self (the instance's type when called through
 * an instance); a static method gets NULL as self (ABI.md 5.9). CPython's bits. */
#define IX_METH_CLASS 0x0010u
#define IX_METH_STATIC 0x0020u
typedef IxObject *(*IxCMethod)(IxContext *ctx, IxObject *self, IxObject *defining_class,
                               IxObject *const *args, size_t nargs);
/* ABI 1.2: the function is an IxCFunctionKw (stored in `func` through IX_KWFUNC) and takes
 * keyword arguments; min_args/max_args are not checked for it (ABI.md 4.13). */
#define IX_METH_KEYWORDS (1u << 0)
#define IX_KWFUNC(f) ((IxCFunction)(void (*)(void))(f))
#define IX_METHODS_END { NULL, NULL, 0, 0, 0, NULL }

/* ABI 1.3: typed functions (ABI.md 4.30-4.39). A function or method with IX_METH_TYPED
 * declares its parameter and result types, so the host calls it with C values instead of
 * objects: an embedder (Java) passes a long or a double without building an int or float
 * object, and a call from extension code (Ix_Call) has its objects converted by the host.
 * Its `func` points at an IxTypedDef (stored through IX_TYPEDDEF(&def)); min_args and
 * max_args must both equal the signature's parameter count. */
#define IX_METH_TYPED (1u << 1)
/* One typed value. Parameters: 'l' in i (int64), 'b' in i (0 or 1), 'd' in d, 's' and 'y'
 * in buf (borrowed for the call: UTF-8 for 's', not NUL-terminated). The result: 'l', 'b'
 * (any nonzero is true) and 'd' as parameters; 's' and 'y' in obj, a new reference to a
 * str or bytes object of the interpreter. */
typedef union IxValue {
    int64_t i;
    double d;
    struct {
        const char *data;
        size_t len;
    } buf;
    IxObject *obj;
} IxValue;
/* args holds one value per parameter; 0 with *result set, or -1 with an error set. */
typedef int (*IxTypedFunction)(IxContext *ctx, IxObject *self, const IxValue *args, IxValue *result);
/* signature: parameter letters, ':', one result letter ("ld:d"); letters l (int64),
 * d (double), b (bool), s (str), y (bytes); at most IX_TYPED_MAX_ARGS parameters. */
typedef struct IxTypedDef {
    const char *signature;
    IxTypedFunction func;
} IxTypedDef;
#define IX_TYPED_MAX_ARGS 8
#define IX_TYPEDDEF(def) ((IxCFunction)(void (*)(void))(const void *)(def))

/* ABI 1.2: what IxArg_Parse accepts (ABI.md 4.14). The parameters, in order, are
 * names[0..]; the first `required` must be given, the first `positional` may be given by
 * position (the rest are keyword-only). `fname` names the function in messages. */
typedef struct IxArgSpec {
    const char *fname;
    const char *const *names;  /* NULL-terminated */
    int32_t required;
    int32_t positional;
} IxArgSpec;

/* ---------------------------------------------------------------- modules (ABI.md 4) */

typedef struct IxModuleSlot {
    int32_t id;
    void *value;
} IxModuleSlot;

#define IX_MOD_CREATE 1                 /* value: IxCreateProc; at most one */
#define IX_MOD_EXEC 2                   /* value: IxExecProc; any number, run in order */
#define IX_MOD_MULTIPLE_INTERPRETERS 3  /* value: one of the three below; at most one */
#define IX_MOD_SLOTS_END { 0, NULL }

#define IX_MOD_MULTI_NOT_SUPPORTED ((void *)1)         /* one interpreter per process */
#define IX_MOD_MULTI_SHARED_LOCK ((void *)2)           /* every interpreter, one lock */
#define IX_MOD_MULTI_PER_INTERPRETER_LOCK ((void *)3)  /* every interpreter, in parallel */

struct IxModuleDef {
    uint32_t abi_major;          /* set both with IX_MODULEDEF_HEAD */
    uint32_t abi_minor;
    const char *name;            /* must equal the name the module is imported by */
    const char *doc;
    int64_t state_size;          /* bytes of zeroed per-interpreter state; 0 for none */
    const IxMethodDef *methods;  /* module functions, or NULL */
    const IxModuleSlot *slots;   /* or NULL */
    IxTraverseProc traverse;     /* visit the objects the state holds */
    IxClearProc clear;           /* drop them; may run before free */
    IxFreeProc free;             /* release everything else; runs exactly once */
};
#define IX_MODULEDEF_HEAD .abi_major = IX_ABI_MAJOR, .abi_minor = IX_ABI_MINOR

/* The one exported symbol of a multiphase module: IxInit_<name>, returning its definition.
 * It must not call the API (it has no context to call it with). */
#if defined(__GNUC__)
#define IX_EXPORT __attribute__((visibility("default")))
#else
#define IX_EXPORT
#endif
#define IX_MODINIT(name) IX_EXPORT const IxModuleDef *IxInit_##name(void)

/* Legacy single-phase form (ABI.md 7): IxInitLegacy_<name> builds the module itself with
 * IxModule_CreateLegacy and readies static types in place. Such a module loads into one
 * interpreter per process; see abi/MIGRATION.md for how to turn it into multiphase. */
#define IX_LEGACY_MODINIT(name) IX_EXPORT IxObject *IxInitLegacy_##name(IxContext *ctx)

/* ---------------------------------------------------------------- types (ABI.md 5) */

typedef struct IxTypeSlot {
    int32_t id;
    void *value;
} IxTypeSlot;

enum {
    IX_tp_new = 1,       /* IxNewProc; without it the type cannot be called */
    IX_tp_dealloc,       /* IxDeallocProc: release what the instance owns; the host frees */
    IX_tp_traverse,      /* IxTraverseProc */
    IX_tp_clear,         /* IxClearProc */
    IX_tp_repr,          /* IxUnaryProc */
    IX_tp_str,           /* IxUnaryProc */
    IX_tp_hash,          /* IxHashProc */
    IX_tp_richcompare,   /* IxRichCompareProc */
    IX_tp_call,          /* IxCFunction: self is the instance */
    IX_tp_methods,       /* const IxMethodDef[] */
    IX_tp_members,       /* const IxMemberDef[] */
    IX_tp_getset,        /* const IxGetSetDef[] */
    IX_tp_doc,           /* const char * */
    /* ABI 1.2: sequence and mapping protocols, iteration (ABI.md 5.20) */
    IX_sq_length,        /* IxLenProc: len(); >= 0, or -1 with an error set */
    IX_mp_length,        /* IxLenProc: the same; mp_length is asked first */
    IX_mp_subscript,     /* IxBinaryProc: self[key]: a new reference, or NULL with an error */
    IX_mp_ass_subscript, /* IxObjObjArgProc: self[key] = value (value NULL: del self[key]); 0 or -1 */
    IX_sq_contains,      /* IxObjObjProc: value in self: 1, 0, or -1 with an error */
    IX_tp_iter,          /* IxUnaryProc: iter(self): a new reference to an iterator */
    IX_tp_iternext,      /* IxUnaryProc: the next item (new reference); NULL with no error set
                          * at the end, NULL with an error set on failure */
    /* ABI 1.2: the number protocol (ABI.md 5.30). Binary slots get (a, b) with self either
     * operand, and return NotImplemented for operands they do not handle (ABI.md 3.31). */
    IX_nb_add = 21,               /* IxBinaryProc: a + b */
    IX_nb_subtract = 22,          /* IxBinaryProc: a - b */
    IX_nb_multiply = 23,          /* IxBinaryProc: a * b */
    IX_nb_true_divide = 24,       /* IxBinaryProc: a / b */
    IX_nb_floor_divide = 25,      /* IxBinaryProc: a // b */
    IX_nb_remainder = 26,         /* IxBinaryProc: a % b */
    IX_nb_power = 27,             /* IxTernaryProc: pow(a, b, c); c is None when absent */
    IX_nb_negative = 28,          /* IxUnaryProc: -a */
    IX_nb_positive = 29,          /* IxUnaryProc: +a */
    IX_nb_absolute = 30,          /* IxUnaryProc: abs(a) */
    IX_nb_bool = 31,              /* IxInquiryProc: truth: 1, 0, or -1 with an error set */
    IX_nb_int = 32,               /* IxUnaryProc: int(a); must return an int */
    IX_nb_float = 33,             /* IxUnaryProc: float(a); must return a float */
    IX_nb_index = 34,             /* IxUnaryProc: a as an index; must return an int */
    IX_nb_inplace_add = 35,       /* IxBinaryProc: a += b (NotImplemented: fall back to a + b) */
    IX_nb_inplace_subtract = 36,  /* IxBinaryProc: a -= b */
    IX_nb_inplace_multiply = 37,  /* IxBinaryProc: a *= b */
    IX_nb_inplace_true_divide = 38,  /* IxBinaryProc: a /= b */
    IX_nb_inplace_floor_divide = 39, /* IxBinaryProc: a //= b */
    IX_nb_inplace_remainder = 40, /* IxBinaryProc: a %= b */
    IX_nb_inplace_power = 41,     /* IxTernaryProc: a **= b (c is None) */
    IX_nb_and = 42,               /* IxBinaryProc: a & b */
    IX_nb_or = 43,                /* IxBinaryProc: a | b */
    IX_nb_xor = 44,               /* IxBinaryProc: a ^ b */
    IX_nb_lshift = 45,            /* IxBinaryProc: a << b */
    IX_nb_rshift = 46,            /* IxBinaryProc: a >> b */
    IX_nb_invert = 47,            /* IxUnaryProc: ~a */
    /* ABI 1.2: attribute access (ABI.md 5.40); ids 50-59 */
    IX_tp_getattro = 50, /* IxGetAttroProc: self.name (name a str): a new reference, or NULL
                          * with an error; fall back with IxObject_GenericGetAttr */
    IX_tp_setattro = 51, /* IxSetAttroProc: self.name = value (value NULL: del self.name); 0,
                          * or -1 with an error; fall back with IxObject_GenericSetAttr */
    /* ABI 1.2: construction, finalization and the type token (ABI.md 5.50-5.54) */
    IX_tp_init = 60,     /* IxTypeInitProc: runs after new when the result is an instance of the
                          * called type; 0, or -1 with an error set */
    IX_tp_new_kw = 61,   /* IxNewKwProc: tp_new taking keywords; a type has at most one of the two */
    IX_tp_finalize = 62, /* IxFinalizeProc: PEP 442; runs once per object, before clear or dealloc */
    IX_tp_token = 63,    /* void *: an address the extension owns; IX_TP_USE_SPEC: the spec's */
    /* ABI 1.2: the buffer protocol (ABI.md 5.60); explicit ids, 70-79 are its range */
    IX_bf_getbuffer = 70,     /* IxGetBufferProc: fill the view (IxBufferView_FillInfo); 0 or -1 */
    IX_bf_releasebuffer = 71  /* IxReleaseBufferProc: the view ends; optional */
};
/* ABI 1.2: the value of an IX_tp_token slot asking for the spec's own address (ABI.md 5.53),
 * as CPython's Py_TP_USE_SPEC. */
#define IX_TP_USE_SPEC NULL
#define IX_TYPE_SLOTS_END { 0, NULL }

#define IX_TPFLAGS_DEFAULT 0u
#define IX_TPFLAGS_HAVE_GC (1u << 0)  /* instances hold references: traverse is required */
#define IX_TPFLAGS_BASETYPE (1u << 1) /* ABI 1.2: the type may be a base (ABI.md 5.5) */
/* ABI 1.2: the host keeps a dict of attributes per instance (ABI.md 5.42), and a list of
 * the weak references to it (ABI.md 5.43), in storage the extension never sees. */
#define IX_TPFLAGS_MANAGED_DICT (1u << 2)
#define IX_TPFLAGS_MANAGED_WEAKREF (1u << 3)

typedef struct IxTypeSpec {
    const char *name;      /* "module.Type" */
    int64_t basic_size;    /* sizeof the instance struct, IxObject_HEAD included */
    uint32_t flags;
    const IxTypeSlot *slots;
} IxTypeSpec;

/* Members: fields of the instance struct exposed as attributes. */
enum { IX_T_INT64 = 1, IX_T_INT32, IX_T_DOUBLE, IX_T_BOOL, IX_T_OBJECT };
#define IX_READONLY 1u
typedef struct IxMemberDef {
    const char *name;
    int32_t type;
    int64_t offset;
    uint32_t flags;
    const char *doc;
} IxMemberDef;
#define IX_MEMBERS_END { NULL, 0, 0, 0, NULL }

typedef struct IxGetSetDef {
    const char *name;
    IxGetter get;
    IxSetter set;        /* NULL: read-only. value NULL means delete */
    const char *doc;
    void *closure;
} IxGetSetDef;
#define IX_GETSET_END { NULL, NULL, NULL, NULL, NULL }

/* A legacy static type (ABI.md 7.2): storage in the extension, readied in place. */
typedef struct IxStaticType {
    const IxTypeSpec *spec;
    IxObject *type;            /* set by IxType_ReadyStatic */
    void *ix_reserved_[2];
} IxStaticType;

/* ---------------------------------------------------------------- buffers (ABI.md 3.50) */

/* ABI 1.2: a view of an object's memory, CPython's Py_buffer. The consumer owns the
 * struct (usually on its stack) and passes it to Ix_GetBuffer; the exporter fills it
 * (IxBufferView_FillInfo does for plain bytes); IxBufferView_Release ends it. Between the
 * two, `obj` holds a strong reference to the exporter and the memory stays valid.
 * Versioning: the struct's size is fixed for ABI major 1. A later minor version may give
 * ix_reserved_ a meaning (an exporter of 1.2 leaves it as the host zeroed it), never
 * grow the struct, so a 1.2 binary's stack-allocated view stays right. */
struct IxBufferView {
    void *buf;               /* the first byte */
    IxObject *obj;           /* the exporter (a strong reference), NULL when not filled */
    int64_t len;             /* bytes: the product of shape[] times itemsize */
    int64_t itemsize;        /* bytes of one item (1 for "B") */
    int32_t readonly;        /* 1: the memory must not be written */
    int32_t ndim;            /* dimensions, 0..IX_BUF_MAX_NDIM (0: one item, a scalar) */
    const char *format;      /* struct-module format of one item: "B", "d", ... */
    const int64_t *shape;    /* ndim extents */
    const int64_t *strides;  /* ndim byte steps */
    void *internal;          /* the exporter's, for its releasebuffer */
    uint64_t ix_state_private;  /* the host's: filled / released */
    uint64_t ix_reserved_[5];   /* zero; see above */
};
#define IX_BUF_MAX_NDIM 64
/* Request flags (CPython's values): what the consumer needs and can handle. */
#define IX_BUF_SIMPLE 0          /* read-only bytes, C-contiguous */
#define IX_BUF_WRITABLE 0x0001   /* the consumer will write: a read-only exporter refuses */
#define IX_BUF_FORMAT 0x0004     /* accepted; format is always filled */
#define IX_BUF_ND 0x0008         /* accepted; shape is always filled */
#define IX_BUF_STRIDES (0x0010 | IX_BUF_ND) /* the consumer follows strides: a view that is
                                             * not C-contiguous is refused without it */

/* ---------------------------------------------------------------- the function table */

/* Append-only: a new minor version only adds entries at the end (ABI.md 2.3). */
struct IxFunctionTable {
    uint32_t abi_major;
    uint32_t abi_minor;
    size_t size;

    /* objects */
    IxObject *(*Builtin)(IxContext *ctx, IxBuiltin which);
    void (*Incref)(IxContext *ctx, IxObject *obj);
    void (*Decref)(IxContext *ctx, IxObject *obj);
    IxObject *(*Type)(IxContext *ctx, IxObject *obj);
    int (*IsInstance)(IxContext *ctx, IxObject *obj, IxObject *type);
    IxObject *(*GetAttr)(IxContext *ctx, IxObject *obj, const char *name);
    int (*SetAttr)(IxContext *ctx, IxObject *obj, const char *name, IxObject *value);
    IxObject *(*Call)(IxContext *ctx, IxObject *callable, IxObject *const *args, size_t nargs);
    IxObject *(*CallMethod)(IxContext *ctx, IxObject *obj, const char *name,
                            IxObject *const *args, size_t nargs);
    IxObject *(*Repr)(IxContext *ctx, IxObject *obj);
    IxObject *(*Str)(IxContext *ctx, IxObject *obj);
    int64_t (*Hash)(IxContext *ctx, IxObject *obj);
    int (*RichCompareBool)(IxContext *ctx, IxObject *a, IxObject *b, int op);
    int (*IsTrue)(IxContext *ctx, IxObject *obj);

    /* numbers */
    IxObject *(*Long_FromInt64)(IxContext *ctx, int64_t value);
    int64_t (*Long_AsInt64)(IxContext *ctx, IxObject *obj);
    IxObject *(*Float_FromDouble)(IxContext *ctx, double value);
    double (*Float_AsDouble)(IxContext *ctx, IxObject *obj);
    IxObject *(*Bool_FromInt)(IxContext *ctx, int value);

    /* str and bytes */
    IxObject *(*Str_FromUTF8)(IxContext *ctx, const char *utf8, size_t len);
    const char *(*Str_AsUTF8)(IxContext *ctx, IxObject *str, size_t *len);
    IxObject *(*Str_FromFormatV)(IxContext *ctx, const char *fmt, va_list va);
    IxObject *(*Bytes_FromData)(IxContext *ctx, const void *data, size_t len);
    const uint8_t *(*Bytes_AsData)(IxContext *ctx, IxObject *bytes, size_t *len);

    /* containers */
    IxObject *(*Tuple_FromArray)(IxContext *ctx, IxObject *const *items, size_t n);
    size_t (*Tuple_Size)(IxContext *ctx, IxObject *tuple);
    IxObject *(*Tuple_GetItem)(IxContext *ctx, IxObject *tuple, size_t i);
    IxObject *(*List_New)(IxContext *ctx);
    int (*List_Append)(IxContext *ctx, IxObject *list, IxObject *item);
    size_t (*List_Size)(IxContext *ctx, IxObject *list);
    IxObject *(*List_GetItem)(IxContext *ctx, IxObject *list, size_t i);
    int (*List_SetItem)(IxContext *ctx, IxObject *list, size_t i, IxObject *item);
    IxObject *(*Dict_New)(IxContext *ctx);
    int (*Dict_SetItem)(IxContext *ctx, IxObject *dict, IxObject *key, IxObject *value);
    IxObject *(*Dict_GetItem)(IxContext *ctx, IxObject *dict, IxObject *key);
    int (*Dict_DelItem)(IxContext *ctx, IxObject *dict, IxObject *key);
    size_t (*Dict_Size)(IxContext *ctx, IxObject *dict);
    int (*Dict_Next)(IxContext *ctx, IxObject *dict, size_t *pos, IxObject **key,
                     IxObject **value);

    /* errors (ABI.md 6) */
    void (*Err_SetString)(IxContext *ctx, IxObject *type, const char *message);
    void (*Err_FormatV)(IxContext *ctx, IxObject *type, const char *fmt, va_list va);
    IxObject *(*Err_Occurred)(IxContext *ctx);
    IxObject *(*Err_Fetch)(IxContext *ctx);
    void (*Err_Raise)(IxContext *ctx, IxObject *exception);
    void (*Err_Clear)(IxContext *ctx);
    int (*Err_ExceptionMatches)(IxContext *ctx, IxObject *type);
    IxObject *(*Err_NewException)(IxContext *ctx, IxObject *module, const char *name,
                                  IxObject *base);
    IxObject *(*Exception_GetMessage)(IxContext *ctx, IxObject *exception);
    IxObject *(*Exception_GetCause)(IxContext *ctx, IxObject *exception);

    /* modules (ABI.md 4) */
    void *(*Module_GetState)(IxContext *ctx, IxObject *module);
    const IxModuleDef *(*Module_GetDef)(IxContext *ctx, IxObject *module);
    int (*Module_AddObject)(IxContext *ctx, IxObject *module, const char *name,
                            IxObject *value);
    int (*Module_AddType)(IxContext *ctx, IxObject *module, IxObject *type);
    IxObject *(*Module_CreateLegacy)(IxContext *ctx, const IxModuleDef *def);

    /* types (ABI.md 5) */
    IxObject *(*Type_FromSpec)(IxContext *ctx, IxObject *module, const IxTypeSpec *spec);
    IxObject *(*Type_GetModule)(IxContext *ctx, IxObject *type);
    void *(*Type_GetModuleState)(IxContext *ctx, IxObject *type);
    IxObject *(*Type_GetModuleByDef)(IxContext *ctx, IxObject *type, const IxModuleDef *def);
    IxObject *(*Type_GenericAlloc)(IxContext *ctx, IxObject *type);
    const char *(*Type_GetName)(IxContext *ctx, IxObject *type);
    int (*Type_ReadyStatic)(IxContext *ctx, IxStaticType *type, IxObject *module);

    /* memory (ABI.md 8) */
    void *(*Mem_Malloc)(IxContext *ctx, size_t size);
    void *(*Mem_Calloc)(IxContext *ctx, size_t count, size_t size);
    void *(*Mem_Realloc)(IxContext *ctx, void *ptr, size_t size);
    void (*Mem_Free)(IxContext *ctx, void *ptr);

    /* the interpreter lock (ABI.md 9) */
    void (*Lock_Release)(IxContext *ctx);
    void (*Lock_Acquire)(IxContext *ctx);

    /* ---- ABI 1.1: queues and shared buffers between interpreters (ABI.md 11) */
    IxObject *(*Queue_New)(IxContext *ctx, int64_t capacity);
    int (*Queue_Put)(IxContext *ctx, IxObject *queue, IxObject *value, double timeout);
    IxObject *(*Queue_Get)(IxContext *ctx, IxObject *queue, double timeout);
    int64_t (*Queue_Size)(IxContext *ctx, IxObject *queue);
    IxObject *(*Buffer_New)(IxContext *ctx, size_t size);
    uint8_t *(*Buffer_Data)(IxContext *ctx, IxObject *buffer, size_t *size);

    /* ---- ABI 1.2: integers of any size (ABI.md 3.10) */
    IxObject *(*Long_FromBytes)(IxContext *ctx, const uint8_t *bytes, size_t n,
                                int little_endian, int is_signed);
    int64_t (*Long_AsBytes)(IxContext *ctx, IxObject *obj, uint8_t *buf, size_t n,
                            int little_endian, int is_signed);
    IxObject *(*Long_FromString)(IxContext *ctx, const char *text, int base);
    /* ---- ABI 1.2: import, capsules, exception chaining (ABI.md 4.11, 4.12, 6.5-6.7) */
    IxObject *(*Import_Import)(IxContext *ctx, const char *name);
    IxObject *(*Capsule_New)(IxContext *ctx, void *pointer, const char *name,
                             IxCapsuleDestructor destructor);
    void *(*Capsule_GetPointer)(IxContext *ctx, IxObject *capsule, const char *name);
    int (*Capsule_IsValid)(IxContext *ctx, IxObject *obj, const char *name);
    int (*Exception_SetCause)(IxContext *ctx, IxObject *exception, IxObject *cause);
    IxObject *(*Exception_GetContext)(IxContext *ctx, IxObject *exception);
    /* ---- ABI 1.2: subclassing (ABI.md 5.5-5.8) */
    IxObject *(*Type_FromSpecWithBase)(IxContext *ctx, IxObject *module, const IxTypeSpec *spec,
                                       IxObject *base);
    /* ---- ABI 1.2: keyword arguments and the argument parser (ABI.md 4.13, 4.14) */
    IxObject *(*CallKw)(IxContext *ctx, IxObject *callable, IxObject *const *args, size_t nargs,
                        IxObject *kwnames);
    int (*Arg_Parse)(IxContext *ctx, IxObject *const *args, size_t nargs, IxObject *kwnames,
                     const IxArgSpec *spec, IxObject **out);
    /* ---- ABI 1.2: the item, length, membership and iteration protocols (ABI.md 3.20-3.24) */
    IxObject *(*GetItem)(IxContext *ctx, IxObject *obj, IxObject *key);
    int (*SetItem)(IxContext *ctx, IxObject *obj, IxObject *key, IxObject *value);
    int (*DelItem)(IxContext *ctx, IxObject *obj, IxObject *key);
    int64_t (*Length)(IxContext *ctx, IxObject *obj);
    int (*Contains)(IxContext *ctx, IxObject *obj, IxObject *value);
    IxObject *(*GetIter)(IxContext *ctx, IxObject *obj);
    IxObject *(*IterNext)(IxContext *ctx, IxObject *iterator);
    /* ---- ABI 1.2: attributes, instance dicts, weak references, module constants
     * (ABI.md 3.40-3.43, 4.20, 5.40-5.43) */
    IxObject *(*Object_GenericGetAttr)(IxContext *ctx, IxObject *obj, IxObject *name);
    int (*Object_GenericSetAttr)(IxContext *ctx, IxObject *obj, IxObject *name, IxObject *value);
    IxObject *(*Object_GetDict)(IxContext *ctx, IxObject *obj);
    int (*DelAttr)(IxContext *ctx, IxObject *obj, const char *name);
    IxObject *(*Dir)(IxContext *ctx, IxObject *obj);
    IxObject *(*Weakref_New)(IxContext *ctx, IxObject *obj, IxObject *callback);
    IxObject *(*Weakref_GetObject)(IxContext *ctx, IxObject *ref);
    int (*Module_AddIntConstant)(IxContext *ctx, IxObject *module, const char *name, int64_t value);
    int (*Module_AddStringConstant)(IxContext *ctx, IxObject *module, const char *name,
                                    const char *utf8);
    /* ---- ABI 1.2: type slots (ABI.md 5.53) */
    int (*Type_GetBaseByToken)(IxContext *ctx, IxObject *type, void *token, IxObject **result);
    /* ---- ABI 1.2: the number protocol (ABI.md 3.30-3.39) */
    IxObject *(*Number_Add)(IxContext *ctx, IxObject *a, IxObject *b);
    IxObject *(*Number_Subtract)(IxContext *ctx, IxObject *a, IxObject *b);
    IxObject *(*Number_Multiply)(IxContext *ctx, IxObject *a, IxObject *b);
    IxObject *(*Number_TrueDivide)(IxContext *ctx, IxObject *a, IxObject *b);
    IxObject *(*Number_FloorDivide)(IxContext *ctx, IxObject *a, IxObject *b);
    IxObject *(*Number_Remainder)(IxContext *ctx, IxObject *a, IxObject *b);
    IxObject *(*Number_Power)(IxContext *ctx, IxObject *a, IxObject *b, IxObject *mod);
    IxObject *(*Number_Negative)(IxContext *ctx, IxObject *a);
    IxObject *(*Number_Positive)(IxContext *ctx, IxObject *a);
    IxObject *(*Number_Absolute)(IxContext *ctx, IxObject *a);
    IxObject *(*Number_Index)(IxContext *ctx, IxObject *a);
    IxObject *(*Number_Long)(IxContext *ctx, IxObject *a);
    IxObject *(*Number_Float)(IxContext *ctx, IxObject *a);
    IxObject *(*Number_InPlaceAdd)(IxContext *ctx, IxObject *a, IxObject *b);
    IxObject *(*Number_InPlaceSubtract)(IxContext *ctx, IxObject *a, IxObject *b);
    IxObject *(*Number_InPlaceMultiply)(IxContext *ctx, IxObject *a, IxObject *b);
    IxObject *(*Number_InPlaceTrueDivide)(IxContext *ctx, IxObject *a, IxObject *b);
    IxObject *(*Number_InPlaceFloorDivide)(IxContext *ctx, IxObject *a, IxObject *b);
    IxObject *(*Number_InPlaceRemainder)(IxContext *ctx, IxObject *a, IxObject *b);
    IxObject *(*Number_InPlacePower)(IxContext *ctx, IxObject *a, IxObject *b, IxObject *mod);
    IxObject *(*Number_And)(IxContext *ctx, IxObject *a, IxObject *b);
    IxObject *(*Number_Or)(IxContext *ctx, IxObject *a, IxObject *b);
    IxObject *(*Number_Xor)(IxContext *ctx, IxObject *a, IxObject *b);
    IxObject *(*Number_Lshift)(IxContext *ctx, IxObject *a, IxObject *b);
    IxObject *(*Number_Rshift)(IxContext *ctx, IxObject *a, IxObject *b);
    IxObject *(*Number_Invert)(IxContext *ctx, IxObject *a);
    IxObject *(*Number_InPlaceAnd)(IxContext *ctx, IxObject *a, IxObject *b);
    IxObject *(*Number_InPlaceOr)(IxContext *ctx, IxObject *a, IxObject *b);
    IxObject *(*Number_InPlaceXor)(IxContext *ctx, IxObject *a, IxObject *b);
    IxObject *(*Number_InPlaceLshift)(IxContext *ctx, IxObject *a, IxObject *b);
    IxObject *(*Number_InPlaceRshift)(IxContext *ctx, IxObject *a, IxObject *b);
    /* ---- ABI 1.2: the buffer protocol (ABI.md 3.50-3.59) */
    int (*GetBuffer)(IxContext *ctx, IxObject *obj, IxBufferView *view, int flags);
    void (*BufferView_Release)(IxContext *ctx, IxBufferView *view);
    int (*BufferView_FillInfo)(IxContext *ctx, IxBufferView *view, IxObject *exporter, void *buf,
                               int64_t len, int readonly, int flags);
    /* ---- ABI 1.3: a legacy static subtype (ABI.md 7.10) */
    int (*Type_ReadyStaticWithBase)(IxContext *ctx, IxStaticType *type, IxObject *module,
                                    IxStaticType *base);
    /* ---- ABI 1.3: is the call asked to stop? (ABI.md 6.10-6.16) 0: go on; -1 with
     * InterruptedError or TimeoutError set: return NULL (or -1) now. */
    int (*CheckInterrupt)(IxContext *ctx);
};

/* ---------------------------------------------------------------- inline wrappers */

#define IX_INLINE static inline

IX_INLINE IxObject *Ix_Builtin(IxContext *ctx, IxBuiltin which) { return ctx->fn->Builtin(ctx, which); }
IX_INLINE IxObject *Ix_None(IxContext *ctx) { return ctx->fn->Builtin(ctx, IX_NONE); }
IX_INLINE void Ix_Incref(IxContext *ctx, IxObject *o) { ctx->fn->Incref(ctx, o); }
IX_INLINE void Ix_Decref(IxContext *ctx, IxObject *o) { ctx->fn->Decref(ctx, o); }
IX_INLINE IxObject *Ix_NewRef(IxContext *ctx, IxObject *o) { ctx->fn->Incref(ctx, o); return o; }
IX_INLINE IxObject *Ix_ReturnNone(IxContext *ctx) { return Ix_NewRef(ctx, Ix_None(ctx)); }
IX_INLINE IxObject *Ix_Type(IxContext *ctx, IxObject *o) { return ctx->fn->Type(ctx, o); }
IX_INLINE int Ix_IsInstance(IxContext *ctx, IxObject *o, IxObject *t) { return ctx->fn->IsInstance(ctx, o, t); }
IX_INLINE int Ix_IsNone(IxContext *ctx, IxObject *o) { return o == Ix_None(ctx); }
IX_INLINE IxObject *Ix_GetAttr(IxContext *ctx, IxObject *o, const char *name) { return ctx->fn->GetAttr(ctx, o, name); }
IX_INLINE int Ix_SetAttr(IxContext *ctx, IxObject *o, const char *name, IxObject *v) { return ctx->fn->SetAttr(ctx, o, name, v); }
IX_INLINE IxObject *Ix_Call(IxContext *ctx, IxObject *f, IxObject *const *args, size_t n) { return ctx->fn->Call(ctx, f, args, n); }
IX_INLINE IxObject *Ix_CallMethod(IxContext *ctx, IxObject *o, const char *name, IxObject *const *args, size_t n) { return ctx->fn->CallMethod(ctx, o, name, args, n); }
IX_INLINE IxObject *Ix_Repr(IxContext *ctx, IxObject *o) { return ctx->fn->Repr(ctx, o); }
IX_INLINE IxObject *Ix_Str(IxContext *ctx, IxObject *o) { return ctx->fn->Str(ctx, o); }
IX_INLINE int64_t Ix_Hash(IxContext *ctx, IxObject *o) { return ctx->fn->Hash(ctx, o); }
IX_INLINE int Ix_RichCompareBool(IxContext *ctx, IxObject *a, IxObject *b, int op) { return ctx->fn->RichCompareBool(ctx, a, b, op); }
IX_INLINE int Ix_IsTrue(IxContext *ctx, IxObject *o) { return ctx->fn->IsTrue(ctx, o); }

IX_INLINE IxObject *IxLong_FromInt64(IxContext *ctx, int64_t v) { return ctx->fn->Long_FromInt64(ctx, v); }
IX_INLINE int64_t IxLong_AsInt64(IxContext *ctx, IxObject *o) { return ctx->fn->Long_AsInt64(ctx, o); }
IX_INLINE IxObject *IxFloat_FromDouble(IxContext *ctx, double v) { return ctx->fn->Float_FromDouble(ctx, v); }
IX_INLINE double IxFloat_AsDouble(IxContext *ctx, IxObject *o) { return ctx->fn->Float_AsDouble(ctx, o); }
IX_INLINE IxObject *IxBool_FromInt(IxContext *ctx, int v) { return ctx->fn->Bool_FromInt(ctx, v); }

IX_INLINE IxObject *IxStr_FromUTF8(IxContext *ctx, const char *s, size_t n) { return ctx->fn->Str_FromUTF8(ctx, s, n); }
IX_INLINE IxObject *IxStr_FromCString(IxContext *ctx, const char *s)
{
    size_t n = 0;
    while (s[n]) n++;
    return ctx->fn->Str_FromUTF8(ctx, s, n);
}
IX_INLINE const char *IxStr_AsUTF8(IxContext *ctx, IxObject *o, size_t *len) { return ctx->fn->Str_AsUTF8(ctx, o, len); }
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
IX_INLINE IxObject *IxStr_FromFormat(IxContext *ctx, const char *fmt, ...)
{
    va_list va;
    va_start(va, fmt);
    IxObject *r = ctx->fn->Str_FromFormatV(ctx, fmt, va);
    va_end(va);
    return r;
}
IX_INLINE IxObject *IxBytes_FromData(IxContext *ctx, const void *d, size_t n) { return ctx->fn->Bytes_FromData(ctx, d, n); }
IX_INLINE const uint8_t *IxBytes_AsData(IxContext *ctx, IxObject *o, size_t *len) { return ctx->fn->Bytes_AsData(ctx, o, len); }

IX_INLINE IxObject *IxTuple_FromArray(IxContext *ctx, IxObject *const *items, size_t n) { return ctx->fn->Tuple_FromArray(ctx, items, n); }
IX_INLINE size_t IxTuple_Size(IxContext *ctx, IxObject *t) { return ctx->fn->Tuple_Size(ctx, t); }
IX_INLINE IxObject *IxTuple_GetItem(IxContext *ctx, IxObject *t, size_t i) { return ctx->fn->Tuple_GetItem(ctx, t, i); }
IX_INLINE IxObject *IxList_New(IxContext *ctx) { return ctx->fn->List_New(ctx); }
IX_INLINE int IxList_Append(IxContext *ctx, IxObject *l, IxObject *item) { return ctx->fn->List_Append(ctx, l, item); }
IX_INLINE size_t IxList_Size(IxContext *ctx, IxObject *l) { return ctx->fn->List_Size(ctx, l); }
IX_INLINE IxObject *IxList_GetItem(IxContext *ctx, IxObject *l, size_t i) { return ctx->fn->List_GetItem(ctx, l, i); }
IX_INLINE int IxList_SetItem(IxContext *ctx, IxObject *l, size_t i, IxObject *item) { return ctx->fn->List_SetItem(ctx, l, i, item); }
IX_INLINE IxObject *IxDict_New(IxContext *ctx) { return ctx->fn->Dict_New(ctx); }
IX_INLINE int IxDict_SetItem(IxContext *ctx, IxObject *d, IxObject *k, IxObject *v) { return ctx->fn->Dict_SetItem(ctx, d, k, v); }
IX_INLINE IxObject *IxDict_GetItem(IxContext *ctx, IxObject *d, IxObject *k) { return ctx->fn->Dict_GetItem(ctx, d, k); }
IX_INLINE int IxDict_DelItem(IxContext *ctx, IxObject *d, IxObject *k) { return ctx->fn->Dict_DelItem(ctx, d, k); }
IX_INLINE size_t IxDict_Size(IxContext *ctx, IxObject *d) { return ctx->fn->Dict_Size(ctx, d); }
IX_INLINE int IxDict_Next(IxContext *ctx, IxObject *d, size_t *pos, IxObject **k, IxObject **v) { return ctx->fn->Dict_Next(ctx, d, pos, k, v); }

IX_INLINE void IxErr_SetString(IxContext *ctx, IxObject *type, const char *msg) { ctx->fn->Err_SetString(ctx, type, msg); }
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
IX_INLINE IxObject *IxErr_Format(IxContext *ctx, IxObject *type, const char *fmt, ...)
{
    va_list va;
    va_start(va, fmt);
    ctx->fn->Err_FormatV(ctx, type, fmt, va);
    va_end(va);
    return NULL;
}
IX_INLINE IxObject *IxErr_Occurred(IxContext *ctx) { return ctx->fn->Err_Occurred(ctx); }
IX_INLINE IxObject *IxErr_Fetch(IxContext *ctx) { return ctx->fn->Err_Fetch(ctx); }
IX_INLINE void IxErr_Raise(IxContext *ctx, IxObject *exc) { ctx->fn->Err_Raise(ctx, exc); }
IX_INLINE void IxErr_Clear(IxContext *ctx) { ctx->fn->Err_Clear(ctx); }
IX_INLINE int IxErr_ExceptionMatches(IxContext *ctx, IxObject *type) { return ctx->fn->Err_ExceptionMatches(ctx, type); }
IX_INLINE IxObject *IxErr_NewException(IxContext *ctx, IxObject *module, const char *name, IxObject *base) { return ctx->fn->Err_NewException(ctx, module, name, base); }
IX_INLINE IxObject *IxErr_NoMemory(IxContext *ctx) { ctx->fn->Err_SetString(ctx, ctx->fn->Builtin(ctx, IX_EXC_MEMORYERROR), "out of memory"); return NULL; }
IX_INLINE IxObject *IxException_GetMessage(IxContext *ctx, IxObject *e) { return ctx->fn->Exception_GetMessage(ctx, e); }
IX_INLINE IxObject *IxException_GetCause(IxContext *ctx, IxObject *e) { return ctx->fn->Exception_GetCause(ctx, e); }

IX_INLINE void *IxModule_GetState(IxContext *ctx, IxObject *m) { return ctx->fn->Module_GetState(ctx, m); }
IX_INLINE const IxModuleDef *IxModule_GetDef(IxContext *ctx, IxObject *m) { return ctx->fn->Module_GetDef(ctx, m); }
IX_INLINE int IxModule_AddObject(IxContext *ctx, IxObject *m, const char *name, IxObject *v) { return ctx->fn->Module_AddObject(ctx, m, name, v); }
IX_INLINE int IxModule_AddType(IxContext *ctx, IxObject *m, IxObject *t) { return ctx->fn->Module_AddType(ctx, m, t); }
IX_INLINE IxObject *IxModule_CreateLegacy(IxContext *ctx, const IxModuleDef *def) { return ctx->fn->Module_CreateLegacy(ctx, def); }

IX_INLINE IxObject *IxType_FromSpec(IxContext *ctx, IxObject *module, const IxTypeSpec *spec) { return ctx->fn->Type_FromSpec(ctx, module, spec); }
IX_INLINE IxObject *IxType_GetModule(IxContext *ctx, IxObject *t) { return ctx->fn->Type_GetModule(ctx, t); }
IX_INLINE void *IxType_GetModuleState(IxContext *ctx, IxObject *t) { return ctx->fn->Type_GetModuleState(ctx, t); }
IX_INLINE IxObject *IxType_GetModuleByDef(IxContext *ctx, IxObject *t, const IxModuleDef *d) { return ctx->fn->Type_GetModuleByDef(ctx, t, d); }
IX_INLINE IxObject *IxType_GenericAlloc(IxContext *ctx, IxObject *t) { return ctx->fn->Type_GenericAlloc(ctx, t); }
IX_INLINE const char *IxType_GetName(IxContext *ctx, IxObject *t) { return ctx->fn->Type_GetName(ctx, t); }
IX_INLINE int IxType_ReadyStatic(IxContext *ctx, IxStaticType *st, IxObject *m) { return ctx->fn->Type_ReadyStatic(ctx, st, m); }

IX_INLINE void *IxMem_Malloc(IxContext *ctx, size_t n) { return ctx->fn->Mem_Malloc(ctx, n); }
IX_INLINE void *IxMem_Calloc(IxContext *ctx, size_t c, size_t n) { return ctx->fn->Mem_Calloc(ctx, c, n); }
IX_INLINE void *IxMem_Realloc(IxContext *ctx, void *p, size_t n) { return ctx->fn->Mem_Realloc(ctx, p, n); }
IX_INLINE void IxMem_Free(IxContext *ctx, void *p) { ctx->fn->Mem_Free(ctx, p); }

IX_INLINE void IxLock_Release(IxContext *ctx) { ctx->fn->Lock_Release(ctx); }
IX_INLINE void IxLock_Acquire(IxContext *ctx) { ctx->fn->Lock_Acquire(ctx); }

/* ABI 1.1: a timeout < 0 waits for ever, 0 does not wait. */
IX_INLINE IxObject *IxQueue_New(IxContext *ctx, int64_t capacity) { return ctx->fn->Queue_New(ctx, capacity); }
IX_INLINE int IxQueue_Put(IxContext *ctx, IxObject *q, IxObject *v, double timeout) { return ctx->fn->Queue_Put(ctx, q, v, timeout); }
IX_INLINE IxObject *IxQueue_Get(IxContext *ctx, IxObject *q, double timeout) { return ctx->fn->Queue_Get(ctx, q, timeout); }
IX_INLINE int64_t IxQueue_Size(IxContext *ctx, IxObject *q) { return ctx->fn->Queue_Size(ctx, q); }
IX_INLINE IxObject *IxBuffer_New(IxContext *ctx, size_t size) { return ctx->fn->Buffer_New(ctx, size); }
IX_INLINE uint8_t *IxBuffer_Data(IxContext *ctx, IxObject *b, size_t *size) { return ctx->fn->Buffer_Data(ctx, b, size); }

/* ABI 1.2: integers of any size (ABI.md 3.10). AsBytes returns the bytes the value needs
 * (more than n: it did not fit, and buf holds its low n bytes), or -1 with an error. */
IX_INLINE IxObject *IxLong_FromBytes(IxContext *ctx, const uint8_t *bytes, size_t n, int little_endian, int is_signed) { return ctx->fn->Long_FromBytes(ctx, bytes, n, little_endian, is_signed); }
IX_INLINE int64_t IxLong_AsBytes(IxContext *ctx, IxObject *o, uint8_t *buf, size_t n, int little_endian, int is_signed) { return ctx->fn->Long_AsBytes(ctx, o, buf, n, little_endian, is_signed); }
IX_INLINE IxObject *IxLong_FromString(IxContext *ctx, const char *text, int base) { return ctx->fn->Long_FromString(ctx, text, base); }
/* ABI 1.2: import, capsules, exception chaining. */
IX_INLINE IxObject *IxImport_Import(IxContext *ctx, const char *name) { return ctx->fn->Import_Import(ctx, name); }
IX_INLINE IxObject *IxCapsule_New(IxContext *ctx, void *p, const char *name, IxCapsuleDestructor d) { return ctx->fn->Capsule_New(ctx, p, name, d); }
IX_INLINE void *IxCapsule_GetPointer(IxContext *ctx, IxObject *capsule, const char *name) { return ctx->fn->Capsule_GetPointer(ctx, capsule, name); }
IX_INLINE int IxCapsule_IsValid(IxContext *ctx, IxObject *o, const char *name) { return ctx->fn->Capsule_IsValid(ctx, o, name); }
IX_INLINE int IxException_SetCause(IxContext *ctx, IxObject *e, IxObject *cause) { return ctx->fn->Exception_SetCause(ctx, e, cause); }
IX_INLINE IxObject *IxException_GetContext(IxContext *ctx, IxObject *e) { return ctx->fn->Exception_GetContext(ctx, e); }
IX_INLINE IxObject *IxType_FromSpecWithBase(IxContext *ctx, IxObject *module, const IxTypeSpec *spec, IxObject *base) { return ctx->fn->Type_FromSpecWithBase(ctx, module, spec, base); }
/* ABI 1.2: keyword calls and the argument parser. Parse returns 0 and fills out[] with
 * borrowed values (NULL for an optional argument not given), or -1 with a TypeError. */
IX_INLINE IxObject *Ix_CallKw(IxContext *ctx, IxObject *f, IxObject *const *args, size_t nargs, IxObject *kwnames) { return ctx->fn->CallKw(ctx, f, args, nargs, kwnames); }
IX_INLINE int IxArg_Parse(IxContext *ctx, IxObject *const *args, size_t nargs, IxObject *kwnames, const IxArgSpec *spec, IxObject **out) { return ctx->fn->Arg_Parse(ctx, args, nargs, kwnames, spec, out); }
/* ABI 1.2: the item, length, membership and iteration protocols (ABI.md 3.20-3.24).
 * IterNext returns NULL with no error set when the iterator is exhausted. */
IX_INLINE IxObject *Ix_GetItem(IxContext *ctx, IxObject *o, IxObject *key) { return ctx->fn->GetItem(ctx, o, key); }
IX_INLINE int Ix_SetItem(IxContext *ctx, IxObject *o, IxObject *key, IxObject *v) { return ctx->fn->SetItem(ctx, o, key, v); }
IX_INLINE int Ix_DelItem(IxContext *ctx, IxObject *o, IxObject *key) { return ctx->fn->DelItem(ctx, o, key); }
IX_INLINE int64_t Ix_Length(IxContext *ctx, IxObject *o) { return ctx->fn->Length(ctx, o); }
IX_INLINE int Ix_Contains(IxContext *ctx, IxObject *o, IxObject *v) { return ctx->fn->Contains(ctx, o, v); }
IX_INLINE IxObject *Ix_GetIter(IxContext *ctx, IxObject *o) { return ctx->fn->GetIter(ctx, o); }
IX_INLINE IxObject *Ix_IterNext(IxContext *ctx, IxObject *it) { return ctx->fn->IterNext(ctx, it); }
/* ABI 1.2: attributes (ABI.md 3.40-3.41, 5.40-5.42). The generic get/set take the name as
 * a str (what an IX_tp_getattro slot receives) and do what the host does without the slot.
 * Ix_Dir returns a new sorted list of str. */
IX_INLINE IxObject *IxObject_GenericGetAttr(IxContext *ctx, IxObject *o, IxObject *name) { return ctx->fn->Object_GenericGetAttr(ctx, o, name); }
IX_INLINE int IxObject_GenericSetAttr(IxContext *ctx, IxObject *o, IxObject *name, IxObject *v) { return ctx->fn->Object_GenericSetAttr(ctx, o, name, v); }
IX_INLINE IxObject *IxObject_GetDict(IxContext *ctx, IxObject *o) { return ctx->fn->Object_GetDict(ctx, o); }
IX_INLINE int Ix_DelAttr(IxContext *ctx, IxObject *o, const char *name) { return ctx->fn->DelAttr(ctx, o, name); }
IX_INLINE IxObject *Ix_Dir(IxContext *ctx, IxObject *o) { return ctx->fn->Dir(ctx, o); }
/* ABI 1.2: weak references (ABI.md 3.42-3.43). GetObject returns a NEW reference to the
 * referent, or to None once it died (CPython 3.13's PyWeakref_GetRef, without the -1/0/1). */
IX_INLINE IxObject *IxWeakref_New(IxContext *ctx, IxObject *o, IxObject *callback) { return ctx->fn->Weakref_New(ctx, o, callback); }
IX_INLINE IxObject *IxWeakref_GetObject(IxContext *ctx, IxObject *ref) { return ctx->fn->Weakref_GetObject(ctx, ref); }
/* ABI 1.2: module constants (ABI.md 4.20). */
IX_INLINE int IxModule_AddIntConstant(IxContext *ctx, IxObject *m, const char *name, int64_t v) { return ctx->fn->Module_AddIntConstant(ctx, m, name, v); }
IX_INLINE int IxModule_AddStringConstant(IxContext *ctx, IxObject *m, const char *name, const char *utf8) { return ctx->fn->Module_AddStringConstant(ctx, m, name, utf8); }
/* ABI 1.2: the first type of type's base chain (type included) whose token is `token`:
 * 1 and *result a new reference, 0 and *result NULL when none, -1 on error (ABI.md 5.53). */
IX_INLINE int IxType_GetBaseByToken(IxContext *ctx, IxObject *type, void *token, IxObject **result) { return ctx->fn->Type_GetBaseByToken(ctx, type, token, result); }

/* ABI 1.2: the number protocol (ABI.md 3.30-3.39): new references, or NULL with an error.
 * Power's mod is None (Ix_None) for a two-argument power. */
IX_INLINE IxObject *IxNumber_Add(IxContext *ctx, IxObject *a, IxObject *b) { return ctx->fn->Number_Add(ctx, a, b); }
IX_INLINE IxObject *IxNumber_Subtract(IxContext *ctx, IxObject *a, IxObject *b) { return ctx->fn->Number_Subtract(ctx, a, b); }
IX_INLINE IxObject *IxNumber_Multiply(IxContext *ctx, IxObject *a, IxObject *b) { return ctx->fn->Number_Multiply(ctx, a, b); }
IX_INLINE IxObject *IxNumber_TrueDivide(IxContext *ctx, IxObject *a, IxObject *b) { return ctx->fn->Number_TrueDivide(ctx, a, b); }
IX_INLINE IxObject *IxNumber_FloorDivide(IxContext *ctx, IxObject *a, IxObject *b) { return ctx->fn->Number_FloorDivide(ctx, a, b); }
IX_INLINE IxObject *IxNumber_Remainder(IxContext *ctx, IxObject *a, IxObject *b) { return ctx->fn->Number_Remainder(ctx, a, b); }
IX_INLINE IxObject *IxNumber_Power(IxContext *ctx, IxObject *a, IxObject *b, IxObject *mod) { return ctx->fn->Number_Power(ctx, a, b, mod); }
IX_INLINE IxObject *IxNumber_Negative(IxContext *ctx, IxObject *a) { return ctx->fn->Number_Negative(ctx, a); }
IX_INLINE IxObject *IxNumber_Positive(IxContext *ctx, IxObject *a) { return ctx->fn->Number_Positive(ctx, a); }
IX_INLINE IxObject *IxNumber_Absolute(IxContext *ctx, IxObject *a) { return ctx->fn->Number_Absolute(ctx, a); }
IX_INLINE IxObject *IxNumber_Index(IxContext *ctx, IxObject *a) { return ctx->fn->Number_Index(ctx, a); }
IX_INLINE IxObject *IxNumber_Long(IxContext *ctx, IxObject *a) { return ctx->fn->Number_Long(ctx, a); }
IX_INLINE IxObject *IxNumber_Float(IxContext *ctx, IxObject *a) { return ctx->fn->Number_Float(ctx, a); }
IX_INLINE IxObject *IxNumber_InPlaceAdd(IxContext *ctx, IxObject *a, IxObject *b) { return ctx->fn->Number_InPlaceAdd(ctx, a, b); }
IX_INLINE IxObject *IxNumber_InPlaceSubtract(IxContext *ctx, IxObject *a, IxObject *b) { return ctx->fn->Number_InPlaceSubtract(ctx, a, b); }
IX_INLINE IxObject *IxNumber_InPlaceMultiply(IxContext *ctx, IxObject *a, IxObject *b) { return ctx->fn->Number_InPlaceMultiply(ctx, a, b); }
IX_INLINE IxObject *IxNumber_InPlaceTrueDivide(IxContext *ctx, IxObject *a, IxObject *b) { return ctx->fn->Number_InPlaceTrueDivide(ctx, a, b); }
IX_INLINE IxObject *IxNumber_InPlaceFloorDivide(IxContext *ctx, IxObject *a, IxObject *b) { return ctx->fn->Number_InPlaceFloorDivide(ctx, a, b); }
IX_INLINE IxObject *IxNumber_InPlaceRemainder(IxContext *ctx, IxObject *a, IxObject *b) { return ctx->fn->Number_InPlaceRemainder(ctx, a, b); }
IX_INLINE IxObject *IxNumber_InPlacePower(IxContext *ctx, IxObject *a, IxObject *b, IxObject *mod) { return ctx->fn->Number_InPlacePower(ctx, a, b, mod); }
/* The bitwise operators: ints (and bools) only among the builtins. The in-place forms
 * have no slots of their own in ABI 1.2: they run the binary slot (ABI.md 3.37). */
IX_INLINE IxObject *IxNumber_And(IxContext *ctx, IxObject *a, IxObject *b) { return ctx->fn->Number_And(ctx, a, b); }
IX_INLINE IxObject *IxNumber_Or(IxContext *ctx, IxObject *a, IxObject *b) { return ctx->fn->Number_Or(ctx, a, b); }
IX_INLINE IxObject *IxNumber_Xor(IxContext *ctx, IxObject *a, IxObject *b) { return ctx->fn->Number_Xor(ctx, a, b); }
IX_INLINE IxObject *IxNumber_Lshift(IxContext *ctx, IxObject *a, IxObject *b) { return ctx->fn->Number_Lshift(ctx, a, b); }
IX_INLINE IxObject *IxNumber_Rshift(IxContext *ctx, IxObject *a, IxObject *b) { return ctx->fn->Number_Rshift(ctx, a, b); }
IX_INLINE IxObject *IxNumber_Invert(IxContext *ctx, IxObject *a) { return ctx->fn->Number_Invert(ctx, a); }
IX_INLINE IxObject *IxNumber_InPlaceAnd(IxContext *ctx, IxObject *a, IxObject *b) { return ctx->fn->Number_InPlaceAnd(ctx, a, b); }
IX_INLINE IxObject *IxNumber_InPlaceOr(IxContext *ctx, IxObject *a, IxObject *b) { return ctx->fn->Number_InPlaceOr(ctx, a, b); }
IX_INLINE IxObject *IxNumber_InPlaceXor(IxContext *ctx, IxObject *a, IxObject *b) { return ctx->fn->Number_InPlaceXor(ctx, a, b); }
IX_INLINE IxObject *IxNumber_InPlaceLshift(IxContext *ctx, IxObject *a, IxObject *b) { return ctx->fn->Number_InPlaceLshift(ctx, a, b); }
IX_INLINE IxObject *IxNumber_InPlaceRshift(IxContext *ctx, IxObject *a, IxObject *b) { return ctx->fn->Number_InPlaceRshift(ctx, a, b); }
/* ABI 1.2: the buffer protocol (ABI.md 3.50-3.59). GetBuffer and FillInfo return 0, or -1
 * with an error set and view->obj NULL. (IxBuffer_* names the 1.1 shared buffer type.) */
IX_INLINE int Ix_GetBuffer(IxContext *ctx, IxObject *o, IxBufferView *view, int flags) { return ctx->fn->GetBuffer(ctx, o, view, flags); }
IX_INLINE void IxBufferView_Release(IxContext *ctx, IxBufferView *view) { ctx->fn->BufferView_Release(ctx, view); }
IX_INLINE int IxBufferView_FillInfo(IxContext *ctx, IxBufferView *view, IxObject *exporter, void *buf, int64_t len, int readonly, int flags) { return ctx->fn->BufferView_FillInfo(ctx, view, exporter, buf, len, readonly, flags); }
/* ABI 1.3: readies a legacy static type whose base is another static type of the same
 * module, readied before it -- CPython's static PyTypeObject with tp_base (ABI.md 7.10). */
IX_INLINE int IxType_ReadyStaticWithBase(IxContext *ctx, IxStaticType *st, IxObject *m, IxStaticType *base) { return ctx->fn->Type_ReadyStaticWithBase(ctx, st, m, base); }
/* ABI 1.3 (ABI.md 6.10): poll in long loops; cheap (one atomic load when nothing is asked). */
IX_INLINE int Ix_CheckInterrupt(IxContext *ctx) { return ctx->fn->CheckInterrupt(ctx); }

/* Traverse and clear helpers, as CPython's Py_VISIT / Py_CLEAR. */
#define IX_VISIT(o)                                                  \
    do {                                                             \
        if (o) {                                                     \
            int ix_visit_rc_ = visit(ctx, (IxObject *)(o), arg);     \
            if (ix_visit_rc_) return ix_visit_rc_;                   \
        }                                                            \
    } while (0)
#define IX_CLEAR(ctx, field)                                         \
    do {                                                             \
        IxObject *ix_clear_tmp_ = (IxObject *)(field);               \
        (field) = NULL;                                              \
        Ix_Decref((ctx), ix_clear_tmp_);                             \
    } while (0)

#ifdef __cplusplus
}
#endif
#endif /* ISOLEX_H */
