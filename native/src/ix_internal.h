/*
 * ix_internal.h -- what the files of libisolex share. Not installed, not part of the ABI.
 *
 * The map of the core (one concern per file; README.md here groups them by layer):
 *   heap.c       per-interpreter allocator: counts live blocks/bytes, lists them for close
 *   object.c     refcounts, dealloc, attribute access, calls, repr/hash/compare dispatch
 *   numbers.c    None, NotImplemented, bool, int (64-bit), float (and float arithmetic)
 *   long.c longarith.c   ints beyond int64; int arithmetic (ABI 1.2)
 *   number.c     the number protocol: IxNumber_*, operand dispatch, NotImplemented (ABI 1.2)
 *   str.c        str (UTF-8) and bytes; the shared byte hash
 *   tuple.c list.c dict.c   the containers
 *   buffer.c     the buffer protocol (ABI 1.2): views, their release, memoryview
 *   errors.c     exception types and instances, the error state of a context
 *   type.c       type objects: builtin and heap types from specs, descriptors, bound methods
 *   attrs.c      attribute slots, the instance dict the host keeps, dir, delete (ABI 1.2)
 *   weakref.c    weak references: the referent's list, clearing, callbacks (ABI 1.2)
 *   module.c     module objects, definition validation, create/exec slots
 *   moddef.c     what a module declares, as values (ixh_module_definition)
 *   loader.c     finding, dlopen-ing, reference counting and unloading extension libraries
 *   elf_check.c  the ELF file checks made before a library's first dlopen: header, program headers
 *   elf_dynamic.c  ... and the dynamic section and what it points to (elf_image.h joins the two)
 *   interp.c     interpreter lifecycle: builtins, module table, close and leak report
 *   unraisable.c errors nobody can raise (a dealloc's, a finalizer's ...): recorded (ABI 1.2)
 *   context.c    the function table and contexts (enter/leave, the interpreter lock)
 *   handles.c    the handle table behind the value API
 *   wire.c       the wire format (encode/decode values)
 *   host.c       the ixh_* value API entry points
 *
 * Locks: an interpreter's `lock` guards everything reachable from that interpreter (its
 * heap, objects, module table, handles). The loader's library table has its own mutex
 * (loader.c). Process-wide counters are atomics. Nothing else is shared.
 */
#ifndef IX_INTERNAL_H
#define IX_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isolex.h"
#include "isolex_host.h"

#define IX_HIDDEN __attribute__((visibility("hidden")))
#define IX_API __attribute__((visibility("default")))

/* ---------------------------------------------------------------- heap.c */

enum { IX_BLOCK_RAW = 1, IX_BLOCK_OBJECT = 2, IX_BLOCK_FREED = 3 /* debug quarantine */ };

/* Every block an interpreter allocates sits behind this header, on the heap's ring, so
 * close can find, report and free whatever is left. 32 bytes keeps payloads 16-aligned. */
typedef struct IxBlock {
    struct IxBlock *prev, *next;
    size_t size;     /* payload bytes */
    uint32_t kind;   /* IX_BLOCK_RAW or IX_BLOCK_OBJECT */
    uint32_t owner;  /* module record index + 1 whose code was running; 0 = the core */
} IxBlock;

/* Debug mode's record of a heap (heap.c): the registry of the addresses it handed out, the
 * quarantine, and after close what was left. malloc'd: it outlives its interpreter. */
typedef struct IxDebugHeap IxDebugHeap;

typedef struct IxHeap {
    IxBlock ring;          /* sentinel of the circular list of live blocks */
    int64_t live_bytes;    /* payload + header of live blocks */
    int64_t live_blocks;
    int64_t core_bytes;    /* the part owned by IX_OWNER_BUILTIN (see below) */
    int64_t core_blocks;
    int64_t limit;         /* 0: none */
    int64_t allocations;   /* allocations and growing reallocations made so far */
    int64_t fail_at;       /* make allocation number fail_at fail (once); 0: never */
    /* ABI 1.3 (ABI.md 8.10-8.11): the builtin types an interpreter makes on first use are
     * reserved under its limit from the start: `reserve` bytes (0 without a limit) count
     * against the limit until they are made, and while `deferred` is set (one is being
     * made) allocations draw on the reserve: neither counted nor refused. */
    int64_t reserve;
    bool deferred;
    unsigned shard;        /* ABI 1.3: its shard of the process-wide live bytes (heap.c) */
    /* Debug mode (ABI.md 10.3): each payload is followed by an IxGuard; frees are checked,
     * poisoned and parked in a quarantine ring before they really go; every address handed
     * out is registered, so a pointer is validated before anything reads through it. */
    bool debug;
    uintptr_t site;        /* return address of the API call allocating now (debug.c) */
    IxDebugHeap *dbg;      /* debug mode's record, or NULL */
} IxHeap;

#define IX_QUARANTINE 4096
#define IX_POISON 0xDB
/* What follows a payload in debug mode: a canary that must survive, and the site. */
typedef struct IxGuard {
    uint64_t canary;
    uintptr_t site;
} IxGuard;
#define IX_CANARY 0xFDFDFDFDFDFDFDFDull

#define IX_BLOCK_OF(p) ((IxBlock *)(p) - 1)
/* Owner tag of what the interpreter itself made at startup or caches (builtin types,
 * singletons, the small-int cache ...): close does not count these as leaks. */
#define IX_OWNER_BUILTIN UINT32_MAX
#define IX_BLOCK_OVERHEAD ((int64_t)sizeof(IxBlock))

IX_HIDDEN void ix_heap_init(IxHeap *h, int64_t limit);
/* NULL when out of memory or over the limit (no error is set here). */
IX_HIDDEN void *ix_heap_alloc(IxHeap *h, size_t size, uint32_t kind, uint32_t owner, bool zero);
IX_HIDDEN void *ix_heap_realloc(IxHeap *h, void *p, size_t size);
IX_HIDDEN void ix_heap_free(IxHeap *h, void *p);
/* Hand a block to another owner (a cache adopting an object makes it IX_OWNER_BUILTIN). */
IX_HIDDEN void ix_heap_retag(IxHeap *h, void *p, uint32_t owner);
/* Deferred deallocation (object.c): park a dead object off the ring, on `list`, linked
 * through its header (waiting needs no memory); unpark puts the last parked back on the
 * ring and returns it, or NULL when the list is empty. */
IX_HIDDEN void ix_heap_park(IxHeap *h, void *p, IxBlock **list);
IX_HIDDEN void *ix_heap_unpark(IxHeap *h, IxBlock **list);
/* The allocation site recorded for a debug block (0 when none). */
IX_HIDDEN uintptr_t ix_heap_site(void *p);
/* Free every block still on the ring (close, after reporting). In debug mode the blocks,
 * and the quarantine, are kept instead (poisoned ones stay poisoned), uncounted, so that a
 * pointer to them kept past the close is still recognised (ABI.md 10.3). */
IX_HIDDEN void ix_heap_free_all(IxHeap *h);

/* Debug mode on, for the interpreter `interp_id`: false when out of memory. */
IX_HIDDEN bool ix_heap_debug_start(IxHeap *h, int64_t interp_id);
/* Whether p is the payload address of a block of this debug heap, live or quarantined:
 * only then may its header be read. Asked by the thread holding the interpreter lock. */
IX_HIDDEN bool ix_heap_owns(const IxHeap *h, const void *p);
/* The type name a quarantined block of this heap had ("block" for a raw one). */
IX_HIDDEN const char *ix_heap_freed_type(const IxHeap *h, const void *p);
/* What another debug heap, live or closed, knows of p: copied out under that heap's lock,
 * so nothing is read through p here. False when no other debug heap made p. */
typedef struct IxForeignBlock {
    int64_t interp_id;
    bool closed;        /* its interpreter has closed (the block is kept, uncounted) */
    uint32_t kind;      /* IX_BLOCK_RAW, IX_BLOCK_OBJECT or IX_BLOCK_FREED */
    size_t size;
    uintptr_t site;
    char type[48];      /* an object's type name, or a freed object's */
} IxForeignBlock;
IX_HIDDEN bool ix_heap_find_foreign(const IxHeap *self, const void *p, IxForeignBlock *out);

/* Process-level allocations (interpreter structs, library records), counted too. */
IX_HIDDEN void *ix_host_alloc(size_t size);   /* zeroed; NULL when out of memory */
IX_HIDDEN void ix_host_free(void *p);
IX_HIDDEN char *ix_host_strdup(const char *s);
IX_HIDDEN int64_t ix_global_live_bytes(void); /* the sum of every heap and host block */

/* ---------------------------------------------------------------- objects */

typedef struct IxInterp IxInterp;
typedef struct IxTypeObject IxTypeObject;
typedef struct IxLibrary IxLibrary;

/* Internal builtin ids, after the public ones: types the ABI does not name. */
enum {
    IXI_TYPE_METHOD_DESCR = IX_BUILTIN_COUNT_V1_3,
    IXI_TYPE_MEMBER_DESCR,
    IXI_TYPE_GETSET_DESCR,
    IXI_TYPE_NOTIMPLEMENTED,   /* the type of NotImplemented (use this id in numbers.c) */
    IXI_TYPE_CAPSULE,          /* ABI 1.2 (capsule.c) */
    IXI_TYPE_ITERATOR,         /* ABI 1.2: iterators over the builtin containers (iter.c) */
    IXI_TYPE_WEAKREF,          /* ABI 1.2: weak references (weakref.c) */
    IXI_TYPE_MEMORYVIEW,       /* ABI 1.2: a view held for the embedder (buffer.c) */
    IXI_BUILTIN_COUNT
};

/* The host's side of a context. One per entry into an interpreter (ixh_enter or a value
 * API call), on the entering thread's stack: the error state is per entry, so per thread. */
#define IX_MAX_HELD_LIBS 8

typedef struct IxCtx {
    IxContext pub;
    IxInterp *interp;
    IxObject *exc;      /* the pending exception, or NULL */
    uint32_t owner;     /* module record index + 1 whose code runs now (leak attribution) */
    bool released;      /* the lock was given up with IxLock_Release */
    int64_t interp_id;  /* kept for reports about a context used after its call */
    /* Code locks of shared-lock libraries this entry holds, outermost first, each with its
     * recursion depth: IxLock_Release gives them up and IxLock_Acquire retakes them after
     * the interpreter lock, always in that order (ABI.md 9.3). */
    int nheld;
    struct { IxLibrary *lib; int depth; } held[IX_MAX_HELD_LIBS];
    /* Bounded stack (object.c, ABI.md 3.8-3.9): how many ix_dealloc frames of this entry
     * are running, the dead objects deferred past IX_DEALLOC_MAX_DEPTH (linked through
     * their block headers), and this thread's stack: its lowest address and the reserve
     * above it that host recursion leaves alone (UINTPTR_MAX: not looked up yet). */
    int dealloc_depth;
    IxBlock *dealloc_later;
    uintptr_t stack_lo, stack_reserve;
    struct IxDebugCall *debug_calls; /* debug mode: the innermost call into extension code
                                      * running in this entry (debug.c) */
    uintptr_t call;     /* ABI 1.3 (interrupt.c): what an interrupt request names this entry
                         * by (a value-API call's buffer, ixh_enter's context); 0: an entry
                         * nobody can interrupt (close, collect) */
} IxCtx;

/* Entering extension code: what it allocates is attributed to its module, and for a
 * shared-lock module the library's code lock is held (object.c). */
typedef struct IxEntry {
    uint32_t saved_owner;
    IxLibrary *locked;
} IxEntry;

#define IX_CTX(ctx) ((IxCtx *)(ctx))
#define IX_INTERP(ctx) (IX_CTX(ctx)->interp)
#define IX_TYPE(o) ((IxTypeObject *)((IxObject *)(o))->ix_type_private)
#define IX_REFCNT(o) (((IxObject *)(o))->ix_refcnt_private)
#define IX_BUILTIN(ctx, id) (IX_INTERP(ctx)->builtins[id])
#define IX_IS(ctx, o, id) (((IxObject *)(o))->ix_type_private == IX_BUILTIN(ctx, id))
#define IX_INCREF(o) ((void)(IX_REFCNT(o)++))
#define IX_DECREF(ctx, o)                                 \
    do {                                                  \
        IxObject *ix_d_ = (IxObject *)(o);                \
        if (--IX_REFCNT(ix_d_) == 0) ix_dealloc(ctx, ix_d_); \
    } while (0)
#define IX_XDECREF(ctx, o)                                \
    do {                                                  \
        IxObject *ix_xd_ = (IxObject *)(o);               \
        if (ix_xd_) IX_DECREF(ctx, ix_xd_);               \
    } while (0)
#define IX_CLEAR_REF(ctx, field)                          \
    do {                                                  \
        IxObject *ix_c_ = (IxObject *)(field);            \
        (field) = NULL;                                   \
        IX_XDECREF(ctx, ix_c_);                           \
    } while (0)

/* Type flags beyond the public IX_TPFLAGS_*. */
#define IX_TF_BUILTIN (1u << 16)    /* created by the interpreter; instances hold no type ref */
#define IX_TF_HEAP (1u << 17)       /* created from an extension's spec */
#define IX_TF_EXCEPTION (1u << 18)  /* instances are IxExceptionObject */
#define IX_TF_STATIC (1u << 19)     /* a legacy static type readied in place */
/* ABI 1.2 (typeslots.c, ABI.md 5.55): a heap subtype of str; its instances are
 * IxStrObject and behave as str wherever str is accepted. */
#define IX_TF_STR_LAYOUT (1u << 24)
#define IX_IS_STR(ctx, o) (IX_IS(ctx, o, IX_TYPE_STR) || (IX_TYPE(o)->flags & IX_TF_STR_LAYOUT))
/* The builtin whose layout t's instances have: builtin_id, or str for a str subtype. */
#define IX_LAYOUT_ID(t) ((t)->flags & IX_TF_STR_LAYOUT ? (uint32_t)IX_TYPE_STR : (t)->builtin_id)

/* ABI.md 5.6: level `t` of a type's base chain defined hook `f` itself (a subtype copies
 * the hooks it lacks from its base, so an equal pointer one level down is inherited).
 * Dealloc, traverse and clear run once per level that defines them, most derived first. */
#define IX_OWN_HOOK(t, f) ((t)->f && (!(t)->base || (t)->base->f != (t)->f))

/* ABI 1.2 (ABI.md 5.5): a heap type whose base chain holds a heap type of another module.
 * Its inherited hooks run as code of the module of the level that defined them; a chain of
 * one module (the common case) runs every hook as t->module without walking. */
#define IX_TF_FOREIGN_CHAIN (1u << 30)
/* The module whose code hook field `f` of heap type t is (entry rules, attribution, the
 * shared-lock library's code lock): that of the farthest heap level, up the chain, holding
 * the same pointer -- the level that defined it (IX_OWN_HOOK's test). */
IX_HIDDEN IxObject *ix_hook_module_at(const IxTypeObject *t, size_t off);
#define IX_HOOK_OFF(t, f) ((size_t)((const char *)&(t)->f - (const char *)(t)))
/* ABI 1.3: a number slot's place: its offset in IxNumberSlots, marked as such. */
#define IX_HOOK_IN_NB ((size_t)1 << 30)
#define IX_NB_HOOK_OFF(t, f) (IX_HOOK_IN_NB | (size_t)((const char *)&(t)->nb->f - (const char *)(t)->nb))
/* ABI 1.3: a protocol slot's place: its offset in IxProtocolSlots, marked as such. */
#define IX_HOOK_IN_PR ((size_t)1 << 29)
#define IX_PR_HOOK_OFF(t, f) (IX_HOOK_IN_PR | offsetof(IxProtocolSlots, f))
#define IX_PR_HOOK_MODULE(t, f) IX_HOOK_MODULE_AT(t, IX_PR_HOOK_OFF(t, f))
/* ABI 1.3: the same for a hook among the extra slots. */
#define IX_HOOK_IN_EX ((size_t)1 << 28)
#define IX_EX_HOOK_OFF(t, f) (IX_HOOK_IN_EX | offsetof(IxExtraSlots, f))
#define IX_EX_HOOK_MODULE(t, f) IX_HOOK_MODULE_AT(t, IX_EX_HOOK_OFF(t, f))
/* (ix_hook_field, after the struct, reads the field at either kind of offset.) */
#define IX_HOOK_MODULE_AT(t, off) \
    ((t)->flags & IX_TF_FOREIGN_CHAIN ? ix_hook_module_at((t), (off)) : (t)->module)
#define IX_HOOK_MODULE(t, f) IX_HOOK_MODULE_AT(t, IX_HOOK_OFF(t, f))

/* ABI 1.2: the binary number operations, in the order of their slot ids (IX_nb_add ..
 * IX_nb_remainder, IX_nb_and .. IX_nb_rshift; IX_nb_inplace_add ..): the index into
 * nb_binary / nb_inplace. IX_NB_POWER is ternary and has slots of its own. */
enum { IX_NB_ADD, IX_NB_SUBTRACT, IX_NB_MULTIPLY, IX_NB_TRUE_DIVIDE, IX_NB_FLOOR_DIVIDE,
       IX_NB_REMAINDER, IX_NB_INPLACE, /* the ones with in-place slots end here */
       IX_NB_AND = IX_NB_INPLACE, IX_NB_OR, IX_NB_XOR, IX_NB_LSHIFT, IX_NB_RSHIFT, IX_NB_BINARY,
       IX_NB_POWER = IX_NB_BINARY };

/* ABI 1.2: the number slots (number.c); binary ones indexed by IX_NB_ADD.. ABI 1.3
 * (ABI.md 8.13): kept apart from the type object, so that a type without any (most types:
 * every builtin but the numbers, most heap types) does not carry 216 bytes of NULLs. */
typedef struct IxNumberSlots {
    IxBinaryProc nb_binary[IX_NB_BINARY], nb_inplace[IX_NB_INPLACE];
    IxTernaryProc nb_power, nb_inplace_power;
    IxUnaryProc nb_negative, nb_positive, nb_absolute, nb_int, nb_float, nb_index, nb_invert;
    IxInquiryProc nb_bool;
} IxNumberSlots;
/* What `nb` of a type without number slots points to: all NULL, never written. */
IX_HIDDEN extern const IxNumberSlots ix_no_number_slots;

/* ABI 1.3 (ABI.md 8.14): the container, iteration and buffer protocol slots, kept apart
 * as the number slots are: no builtin type of an idle interpreter has any (the builtin
 * containers are served by type checks in abstract.c), and most heap types none either. */
typedef struct IxProtocolSlots {
    IxLenProc sq_length, mp_length;
    IxBinaryProc mp_subscript;
    IxObjObjArgProc mp_ass_subscript;
    IxObjObjProc sq_contains;
    IxUnaryProc tp_iter, tp_iternext;
    IxGetBufferProc bf_getbuffer;
    IxReleaseBufferProc bf_releasebuffer;
} IxProtocolSlots;
/* What `pr` of a type without protocol slots points to: all NULL, never written. */
IX_HIDDEN extern const IxProtocolSlots ix_no_protocol_slots;

/* ABI 1.3 (ABI.md 8.14): what no builtin type has. */
typedef struct IxExtraSlots {
    /* ABI 1.2: attribute slots, and where the host keeps an instance's dict and weak
     * references (attrs.c, weakref.c): byte offsets past basic_size, 0 for none */
    IxGetAttroProc tp_getattro;
    IxSetAttroProc tp_setattro;
    int64_t dict_offset, weaklist_offset;
    /* ABI 1.2: construction, finalization, token (typeslots.c) */
    IxTypeInitProc tp_init;
    IxNewKwProc tp_new_kw;
    IxFinalizeProc tp_finalize;
    void *tp_token;          /* NULL: none */
} IxExtraSlots;
/* What `ex` of a type without any points to: all NULL and 0, never written. */
IX_HIDDEN extern const IxExtraSlots ix_no_extra_slots;

struct IxTypeObject {
    IxObject ob_base;
    IxInterp *interp;
    const char *name;        /* full dotted name; a heap type's copy of it is in its own
                              * block, after the slot groups (ABI 1.3, 8.14) */
    int64_t basic_size;
    uint32_t flags;
    uint32_t builtin_id;     /* index in interp->builtins, or UINT32_MAX */
    IxTypeObject *base;      /* strong for heap types; NULL at the root */
    IxObject *module;        /* defining module, strong; NULL for builtins */
    const IxModuleDef *module_def;
    IxObject *dict;          /* name -> descriptor or value; NULL when empty */
    const char *doc;
    IxStaticType *static_home;  /* legacy: the extension's storage pointing at us */
    IxLibrary *lib;          /* heap types: the library their spec lies in (one reference,
                              * so its code stays mapped while the type lives), or NULL */

    IxNewProc tp_new;
    IxDeallocProc tp_dealloc;
    IxTraverseProc tp_traverse;
    IxClearProc tp_clear;
    IxUnaryProc tp_repr;
    IxUnaryProc tp_str;
    IxHashProc tp_hash;
    IxRichCompareProc tp_richcompare;
    IxCFunction tp_call;
    /* ABI 1.2: the protocol slots (abstract.c, iter.c, buffer.c). ABI 1.3 (8.14):
     * &ix_no_protocol_slots, or the IxProtocolSlots in the type's own block, after the
     * number slots if any (the same rule as nb: some of its own or its base's). */
    IxProtocolSlots *pr;
    /* ABI 1.3 (8.14): &ix_no_extra_slots, or the IxExtraSlots in the type's own block,
     * after the protocol slots if any: attribute, construction and finalization hooks,
     * the token and the managed dict and weak reference offsets, which only heap types
     * have (the same rule as nb: some of its own, a managed flag, or its base's). */
    IxExtraSlots *ex;
    /* ABI 1.2: the number slots (number.c). ABI 1.3: &ix_no_number_slots, or, for a type
     * with any of its own or its base's, the IxNumberSlots allocated right after it, in
     * the type's own block (so a type is still one block: leak reports count it so). */
    IxNumberSlots *nb;

    /* The core-only hooks (tp_getattr, tp_setattr, tp_bool) of the builtin this type is or
     * derives from, read from that builtin's static definition; &ix_no_core_hooks for a
     * chain without a builtin that has them. ABI 1.3 (8.14): one pointer instead of three
     * copies of them in every type. */
    const struct IxBuiltinTypeDef *core;
};

/* How a value file describes a builtin type; interp.c builds one per interpreter. */
/* The hook field at `off` (IX_HOOK_OFF, IX_NB_, IX_PR_ or IX_EX_HOOK_OFF) of type t. */
static inline const void *ix_hook_field(const IxTypeObject *t, size_t off)
{
    if (off & IX_HOOK_IN_NB) return (const char *)t->nb + (off & ~IX_HOOK_IN_NB);
    if (off & IX_HOOK_IN_PR) return (const char *)t->pr + (off & ~IX_HOOK_IN_PR);
    if (off & IX_HOOK_IN_EX) return (const char *)t->ex + (off & ~IX_HOOK_IN_EX);
    return (const char *)t + off;
}

typedef struct IxBuiltinTypeDef {
    uint32_t id;             /* IX_TYPE_* / IX_EXC_* / IXI_TYPE_* */
    const char *name;
    int64_t basic_size;
    uint32_t base_id;        /* UINT32_MAX for none */
    uint32_t flags;
    const IxTypeSlot *slots; /* the same slots extensions use */
    IxObject *(*tp_getattr)(IxContext *ctx, IxObject *self, const char *name);
    int (*tp_setattr)(IxContext *ctx, IxObject *self, const char *name, IxObject *value);
    int (*tp_bool)(IxContext *ctx, IxObject *self);
} IxBuiltinTypeDef;
/* What `core` of a type without core-only hooks points to: all NULL. */
IX_HIDDEN extern const IxBuiltinTypeDef ix_no_core_hooks;

/* ---- value objects (numbers.c, str.c, tuple.c, list.c) */

typedef struct IxIntObject { IxObject_HEAD int64_t value; } IxIntObject;  /* int and bool */
/* An int whose value is IX_INT_BIG is an IxBigIntObject (long.c, ABI.md 3.10): INT64_MIN
 * itself is stored big, so every other int64 stays inline and one compare tells them apart. */
#define IX_INT_BIG INT64_MIN
typedef struct IxBigIntObject {
    IxIntObject base;   /* value == IX_INT_BIG */
    uint32_t size;      /* limbs in use, > 0: the top one is not zero */
    uint32_t negative;
    uint32_t digits[];  /* the magnitude, base 2^32, least significant first */
} IxBigIntObject;
typedef struct IxFloatObject { IxObject_HEAD double value; } IxFloatObject;
typedef struct IxStrObject {
    IxObject_HEAD
    int64_t hash;    /* -1 until computed */
    size_t len;      /* bytes, not counting the trailing NUL */
    char data[];     /* valid UTF-8, NUL-terminated */
} IxStrObject;
typedef struct IxBytesObject {
    IxObject_HEAD
    int64_t hash;
    size_t len;
    uint8_t data[];  /* NUL-terminated too, for convenience */
} IxBytesObject;
typedef struct IxTupleObject { IxObject_HEAD size_t len; IxObject *items[]; } IxTupleObject;
typedef struct IxListObject { IxObject_HEAD size_t len, cap; IxObject **items; } IxListObject;

/* ---- errors.c */
typedef struct IxExceptionObject {
    IxObject_HEAD
    IxObject *message;  /* str */
    IxObject *cause;    /* exception or NULL */
    IxObject *context;  /* ABI 1.2: the error pending when this one was set, or NULL */
} IxExceptionObject;

/* ---- module.c */
typedef struct IxModuleObject {
    IxObject_HEAD
    const IxModuleDef *def;
    void *state;        /* state_size zeroed bytes from the interpreter's heap, or NULL */
    IxObject *dict;     /* attributes */
    IxObject *name;     /* str */
    IxLibrary *lib;     /* the library that holds def's code; one reference */
    uint32_t record;    /* module record index + 1 in the interpreter, 0 while importing */
    bool cleared;       /* def->clear has run */
    bool freed;         /* def->free has run (exactly once) */
    bool legacy;        /* built by a single-phase init */
    bool shared_lock;   /* IX_MOD_MULTI_SHARED_LOCK: its code runs under lib's code lock */
    IxObject *static_types; /* legacy: list of the static types it readied, or NULL */
} IxModuleObject;

/* ---- type.c */
typedef struct IxFunctionObject {  /* IX_TYPE_FUNCTION: a module function */
    IxObject_HEAD
    const IxMethodDef *def;
    IxObject *self;       /* the module, strong */
    uint32_t owner;
    uint32_t typed_code;  /* ABI 1.3: an IX_METH_TYPED def's IxSig.code, kept at its first typed
                           * call so later ones skip the parse (typed.c); 0 until then, and for
                           * 7-8 parameters (a code above 32 bits). In owner's padding: no bytes */
} IxFunctionObject;
typedef struct IxMethodObject {    /* IX_TYPE_METHOD: a method bound to an instance */
    IxObject_HEAD
    IxObject *descr;      /* method descriptor, strong */
    IxObject *self;       /* strong */
} IxMethodObject;
typedef struct IxDescrObject {     /* method, member and getset descriptors */
    IxObject_HEAD
    IxTypeObject *owner_type;  /* borrowed: the type's dict owns the descriptor */
    union {
        const IxMethodDef *method;
        const IxMemberDef *member;
        const IxGetSetDef *getset;
    } u;
} IxDescrObject;

/* ---------------------------------------------------------------- interp.c */

typedef struct IxModuleRecord {
    IxObject *module;     /* strong; NULL while importing, once closed, or when the import failed */
    char *name;           /* host-allocated */
    bool importing;       /* its init (create and exec) is running (ABI.md 4.11) */
    pthread_t importer;   /* the thread running it, while importing */
} IxModuleRecord;

typedef struct IxHandleSlot {
    IxObject *obj;        /* strong, or NULL when free */
    uint32_t gen;
    union {
        uint32_t next_free; /* while free: the next free slot */
        uint32_t kind;      /* while live: IX_HANDLE_VALUE or IX_HANDLE_RAISED */
    };
} IxHandleSlot;

/* What a handle stands for: an object, or an error raised by a call whose reply did not
 * fit the caller's buffer (ixh_expand answers it as IXH_ERROR: ABI.md 12.3). */
enum { IX_HANDLE_VALUE = 0, IX_HANDLE_RAISED = 1 };

#define IX_SMALL_INT_MIN (-5)
#define IX_SMALL_INT_MAX 256
#define IX_SMALL_INTS (IX_SMALL_INT_MAX - IX_SMALL_INT_MIN + 1)

struct IxInterp {
    int64_t id;
    IxHeap heap;
    pthread_mutex_t lock;             /* the interpreter lock */
    IxObject *builtins[IXI_BUILTIN_COUNT];
    IxObject *empty_tuple;
    IxObject *empty_str;
    IxObject **small_ints;            /* IX_SMALL_INTS slots on the heap, made and filled lazily */
    IxObject *memory_error;           /* preallocated, raised when allocation fails */
    IxModuleRecord *modules;          /* in import order; heap-allocated array */
    size_t nmodules, modules_cap;
    IxHandleSlot *handles;            /* heap-allocated; slot 0 unused */
    size_t handles_cap;
    uint32_t handles_free;            /* head of the free list, 0 = none */
    int64_t handles_live;
    char *module_path;                /* host-allocated, ':'-separated */
    IxLibrary *loading_lib;           /* set while a legacy init runs (IxModule_CreateLegacy) */
    IxObject *loading_module;         /* the module it made (a reference), to undo on failure */
    _Atomic uintptr_t holder;         /* the thread holding `lock`, 0 when none (re-entry check) */
    bool legacy_copies;               /* IxInterpConfig.legacy_private_copies */
    bool debug;                       /* IxInterpConfig.debug: contexts use ix_debug_table */
    const char *debug_api;            /* the table entry running now (debug mode) */
    char *debug_pending;              /* debug mode: a violation found inside an entry, raised as
                                       * it returns (IX_DEBUG_PENDING bytes, host-allocated with
                                       * the interpreter: ABI 1.3 keeps them out of the struct) */
    int64_t gc_allocations;           /* traversable objects made since the last collection */
    int64_t gc_threshold;             /* collect when gc_allocations passes this */
    /* ABI 1.2 (typeslots.c, ABI.md 5.52): objects whose tp_finalize ran and which are still
     * alive (resurrected, or garbage the collector is about to clear), so it never runs
     * twice. malloc'd, outside the heap; usually empty. Guarded by the interpreter lock. */
    IxObject **finalized;
    size_t nfinalized, finalized_cap;
    bool closing;
    int64_t views_live;               /* ABI 1.2: buffer views filled and not released (buffer.c) */
    /* ABI 1.2 (unraisable.c, ABI.md 6.8): errors nobody could raise, counted; the most
     * recent kept as text in a process-level block made at the first one (not on the
     * heap), freed at close. Guarded by the interpreter lock. */
    int64_t unraisable_count;
    struct IxUnraisableLog *unraisable;
    /* ABI 1.3 (interrupt.c, ABI.md 6.10): the pending interrupt request, (call << 2) | reason,
     * 0 = none. Written by any thread without the lock (ixh_interp_interrupt), cleared as an
     * outermost entry begins, read by Ix_CheckInterrupt. */
    _Atomic uint64_t interrupt;
};

#define IX_DEBUG_PENDING 512
IX_HIDDEN IxObject *ix_interp_find_module(IxInterp *interp, const char *name);
/* ABI 1.3 (ABI.md 8.10): builtin type `id` (or NotImplemented, the one builtin object made
 * late), made now if this interpreter has not made it yet (only a few are made at
 * start-up); NULL with MemoryError set when the process is out of memory. Every place that
 * makes an instance of a builtin type, or hands one out, asks through these; a compare
 * (IX_IS, == NotImplemented) needs nothing made: no object is one not made yet. */
IX_HIDDEN IxObject *ix_builtin_make(IxContext *ctx, uint32_t id);
static inline IxTypeObject *ix_builtin_type(IxContext *ctx, uint32_t id)
{
    IxObject *t = IX_BUILTIN(ctx, id);
    return (IxTypeObject *)(t ? t : ix_builtin_make(ctx, id));
}
/* ix_object_alloc of builtin type `id` (object.c), the type made first if need be. */
IX_HIDDEN IxObject *ix_object_alloc(IxContext *ctx, IxTypeObject *type, size_t size);
static inline IxObject *ix_builtin_alloc(IxContext *ctx, uint32_t id, size_t size)
{
    IxTypeObject *t = ix_builtin_type(ctx, id);
    return t ? ix_object_alloc(ctx, t, size) : NULL;
}

/* ---------------------------------------------------------------- object.c */

/* Runs the type's dealloc and frees o; nested more than IX_DEALLOC_MAX_DEPTH deep in one
 * entry, o waits instead and the outermost ix_dealloc frame frees it (ABI.md 3.8). */
#define IX_DEALLOC_MAX_DEPTH 50
IX_HIDDEN void ix_dealloc(IxContext *ctx, IxObject *o);
/* A zeroed object of `type`, refcount 1, `size` bytes (>= sizeof(IxObject)); a heap type
 * gains a reference. NULL with MemoryError set on failure. */
IX_HIDDEN IxObject *ix_object_alloc(IxContext *ctx, IxTypeObject *type, size_t size);
IX_HIDDEN void ix_object_free(IxContext *ctx, IxObject *o);   /* memory only */
IX_HIDDEN bool ix_is_instance(IxObject *o, IxTypeObject *type); /* walks base chain */
IX_HIDDEN bool ix_is_subtype(IxTypeObject *sub, IxTypeObject *type); /* sub is type or below */
/* "expected <what>, got <type>" as TypeError; says so when `got` is another interpreter's.
 * Returns NULL. */
IX_HIDDEN IxObject *ix_err_wrong_type(IxContext *ctx, const char *what, IxObject *got);
IX_HIDDEN bool ix_owned_by(IxContext *ctx, IxObject *o);
/* True, with RuntimeError "maximum recursion depth exceeded WHAT", when this thread's stack
 * is down to its reserve (ABI.md 3.9). */
IX_HIDDEN bool ix_stack_exhausted(IxContext *ctx, const char *what);
/* Bracket every call into extension code (ABI.md 9.3): `module` may be NULL (core code).
 * Inline, as every call passes here: the usual case is two stores each way; a shared-lock
 * module's code lock, and code that returned without the interpreter's lock, go out of line
 * (object.c). */
IX_HIDDEN void ix_enter_raw(IxContext *ctx, uint32_t owner, IxLibrary *lock, IxEntry *e);
IX_HIDDEN void ix_leave_slow(IxContext *ctx, IxEntry *e);
static inline void ix_enter_code(IxContext *ctx, IxObject *module, IxEntry *e)
{
    IxModuleObject *m = (IxModuleObject *)module;
    if (m && m->shared_lock) {
        ix_enter_raw(ctx, m->record, m->lib, e);
        return;
    }
    e->saved_owner = IX_CTX(ctx)->owner;
    e->locked = NULL;
    IX_CTX(ctx)->owner = m ? m->record : 0;
}
static inline void ix_leave_code(IxContext *ctx, IxEntry *e)
{
    if (IX_CTX(ctx)->released || e->locked) ix_leave_slow(ctx, e);
    else IX_CTX(ctx)->owner = e->saved_owner;
}

/* Table entries (same signatures as IxFunctionTable). */
IX_HIDDEN IxObject *ix_builtin(IxContext *ctx, IxBuiltin which);
IX_HIDDEN void ix_incref(IxContext *ctx, IxObject *o);
IX_HIDDEN void ix_decref(IxContext *ctx, IxObject *o);
IX_HIDDEN IxObject *ix_type_of(IxContext *ctx, IxObject *o);
IX_HIDDEN int ix_isinstance(IxContext *ctx, IxObject *o, IxObject *type);
IX_HIDDEN IxObject *ix_getattr(IxContext *ctx, IxObject *o, const char *name);
IX_HIDDEN int ix_setattr(IxContext *ctx, IxObject *o, const char *name, IxObject *v);
IX_HIDDEN IxObject *ix_call(IxContext *ctx, IxObject *f, IxObject *const *args, size_t n);
IX_HIDDEN IxObject *ix_call_method(IxContext *ctx, IxObject *o, const char *name,
                                   IxObject *const *args, size_t n);
/* ABI 1.2 (ABI.md 4.13, 4.14): keyword calls and the argument parser (argparse.c). */
IX_HIDDEN IxObject *ix_call_kw(IxContext *ctx, IxObject *f, IxObject *const *args, size_t n,
                               IxObject *kwnames);
IX_HIDDEN size_t ix_kwnames_count(IxContext *ctx, IxObject *kwnames); /* 0 unless a tuple */
IX_HIDDEN int ix_arg_parse(IxContext *ctx, IxObject *const *args, size_t n, IxObject *kwnames,
                           const IxArgSpec *spec, IxObject **out);
IX_HIDDEN IxObject *ix_repr(IxContext *ctx, IxObject *o);
IX_HIDDEN IxObject *ix_str(IxContext *ctx, IxObject *o);
IX_HIDDEN int64_t ix_hash(IxContext *ctx, IxObject *o);
IX_HIDDEN int ix_richcompare_bool(IxContext *ctx, IxObject *a, IxObject *b, int op);
IX_HIDDEN int ix_is_true(IxContext *ctx, IxObject *o);


/* ---------------------------------------------------------------- numbers.c */
IX_HIDDEN extern const IxBuiltinTypeDef ix_none_typedef, ix_notimpl_typedef, ix_bool_typedef,
    ix_int_typedef, ix_float_typedef;
IX_HIDDEN IxObject *ix_long_from_int64(IxContext *ctx, int64_t v);
IX_HIDDEN int64_t ix_long_as_int64(IxContext *ctx, IxObject *o);
IX_HIDDEN IxObject *ix_float_from_double(IxContext *ctx, double v);
IX_HIDDEN double ix_float_as_double(IxContext *ctx, IxObject *o);
IX_HIDDEN IxObject *ix_bool_from_int(IxContext *ctx, int v);
IX_HIDDEN IxObject *ix_not_implemented(IxContext *ctx);          /* new reference */
/* True/False for an ordering c (<0, 0, >0) under comparison `op`. */
IX_HIDDEN IxObject *ix_bool_from_cmp(IxContext *ctx, int c, int op);
IX_HIDDEN int64_t ix_hash_double(double d);   /* a float's hash (an integral one's is its int's) */

/* ---------------------------------------------------------------- long.c (ints beyond int64) */
/* int or bool: inline, as every int operation asks it first */
static inline bool ix_is_int(IxContext *ctx, IxObject *o)
{
    return IX_IS(ctx, o, IX_TYPE_INT) || IX_IS(ctx, o, IX_TYPE_BOOL);
}
IX_HIDDEN IxObject *ix_long_int64_min(IxContext *ctx);          /* the one int64 stored big */
IX_HIDDEN IxObject *ix_long_from_bytes(IxContext *ctx, const uint8_t *bytes, size_t n,
                                       int little_endian, int is_signed);
IX_HIDDEN int64_t ix_long_as_bytes(IxContext *ctx, IxObject *o, uint8_t *buf, size_t n,
                                   int little_endian, int is_signed);
IX_HIDDEN IxObject *ix_long_from_string(IxContext *ctx, const char *s, int base);
/* The parts of int's slots and conversions for a big int (value IX_INT_BIG). */
IX_HIDDEN IxObject *ix_long_big_repr(IxContext *ctx, IxObject *o);
IX_HIDDEN int64_t ix_long_big_hash(IxObject *o);
IX_HIDDEN int64_t ix_long_big_as_int64(IxContext *ctx, IxObject *o); /* -1 + OverflowError */
IX_HIDDEN double ix_long_big_as_double(IxContext *ctx, IxObject *o); /* -1.0 + OverflowError */
/* Orderings (<0, 0, >0) of two ints, and of an int and a double that is not NaN. */
IX_HIDDEN int ix_long_compare(IxObject *a, IxObject *b);
IX_HIDDEN int ix_long_compare_double(IxObject *a, double d);
/* The wire's form of an int (ABI.md 12.5): minimal little-endian two's complement. */
IX_HIDDEN size_t ix_long_wire_size(IxObject *o);
IX_HIDDEN void ix_long_wire_write(IxObject *o, uint8_t *out, size_t n);
IX_HIDDEN bool ix_long_wire_canonical(const uint8_t *p, size_t n);
/* ABI 1.2: what longarith.c builds on. A magnitude to read, whichever form the int has (a
 * small one's is copied into tmp, so an IxLongMag must not be copied after it is filled). */
typedef struct IxLongMag {
    const uint32_t *d;
    size_t n;
    bool neg;
    uint32_t tmp[2];
} IxLongMag;
IX_HIDDEN void ix_long_mag(IxObject *o, IxLongMag *m);
/* A big int of `limbs` zero limbs, or NULL with MemoryError. */
IX_HIDDEN IxBigIntObject *ix_long_big_new(IxContext *ctx, size_t limbs);
/* The canonical int for b's first `limbs` limbs and the sign: b, or (b freed) a small int. */
IX_HIDDEN IxObject *ix_long_finish(IxContext *ctx, IxBigIntObject *b, size_t limbs, bool negative);
/* The nearest double to a magnitude (ties to even), HUGE_VAL past the largest. */
IX_HIDDEN double ix_long_mag_to_double(const IxLongMag *m);
IX_HIDDEN size_t ix_long_bit_length(const uint32_t *d, size_t n);
IX_HIDDEN int ix_long_mag_compare(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);

/* ---------------------------------------------------------------- str.c */
IX_HIDDEN extern const IxBuiltinTypeDef ix_str_typedef, ix_bytes_typedef;
IX_HIDDEN int64_t ix_hash_bytes(const void *p, size_t n);  /* never -1 */
IX_HIDDEN bool ix_utf8_valid(const char *s, size_t n);
IX_HIDDEN IxObject *ix_str_from_utf8(IxContext *ctx, const char *s, size_t n);
IX_HIDDEN IxObject *ix_str_from_cstr(IxContext *ctx, const char *s);
IX_HIDDEN const char *ix_str_as_utf8(IxContext *ctx, IxObject *o, size_t *len);
IX_HIDDEN IxObject *ix_str_from_formatv(IxContext *ctx, const char *fmt, va_list va);
IX_HIDDEN IxObject *ix_str_from_format(IxContext *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
IX_HIDDEN bool ix_str_eq_cstr(IxObject *str, const char *s, size_t n);
IX_HIDDEN IxObject *ix_bytes_from_data(IxContext *ctx, const void *p, size_t n);
IX_HIDDEN const uint8_t *ix_bytes_as_data(IxContext *ctx, IxObject *o, size_t *len);

/* ---------------------------------------------------------------- tuple.c list.c dict.c */
IX_HIDDEN extern const IxBuiltinTypeDef ix_tuple_typedef, ix_list_typedef, ix_dict_typedef;
IX_HIDDEN IxObject *ix_tuple_from_array(IxContext *ctx, IxObject *const *items, size_t n);
/* A tuple of n NULL items for the core to fill (every item set before anyone sees it). */
IX_HIDDEN IxObject *ix_tuple_new_uninit(IxContext *ctx, size_t n);
IX_HIDDEN size_t ix_tuple_size(IxContext *ctx, IxObject *t);
IX_HIDDEN IxObject *ix_tuple_getitem(IxContext *ctx, IxObject *t, size_t i);
IX_HIDDEN IxObject *ix_list_new(IxContext *ctx);
IX_HIDDEN int ix_list_append(IxContext *ctx, IxObject *l, IxObject *item);
IX_HIDDEN size_t ix_list_size(IxContext *ctx, IxObject *l);
IX_HIDDEN IxObject *ix_list_getitem(IxContext *ctx, IxObject *l, size_t i);
IX_HIDDEN int ix_list_setitem(IxContext *ctx, IxObject *l, size_t i, IxObject *item);
IX_HIDDEN IxObject *ix_dict_new(IxContext *ctx);
/* ABI 1.3 (8.15): give back a finished dict's room for growth; never fails (dict.c). */
IX_HIDDEN void ix_dict_trim(IxContext *ctx, IxObject *dict);
IX_HIDDEN int ix_dict_setitem(IxContext *ctx, IxObject *d, IxObject *k, IxObject *v);
IX_HIDDEN IxObject *ix_dict_getitem(IxContext *ctx, IxObject *d, IxObject *k);
IX_HIDDEN int ix_dict_delitem(IxContext *ctx, IxObject *d, IxObject *k);
IX_HIDDEN size_t ix_dict_size(IxContext *ctx, IxObject *d);
IX_HIDDEN int ix_dict_next(IxContext *ctx, IxObject *d, size_t *pos, IxObject **k,
                           IxObject **v);
/* Lookups by a C string key among str keys, without allocating (attribute access). */
IX_HIDDEN IxObject *ix_dict_get_cstr(IxContext *ctx, IxObject *d, const char *key);
IX_HIDDEN int ix_dict_set_cstr(IxContext *ctx, IxObject *d, const char *key, IxObject *v);
IX_HIDDEN void ix_dict_clear(IxContext *ctx, IxObject *d);
/* Shared by the containers (defined in tuple.c): repr of tuple/list/dict, guarding
 * against self-reference; lexicographic comparison of tuples and lists. */
IX_HIDDEN IxObject *ix_container_repr(IxContext *ctx, IxObject *self);
IX_HIDDEN IxObject *ix_seq_richcompare(IxContext *ctx, IxObject *a, IxObject *b, int op);

/* ---------------------------------------------------------------- errors.c */
IX_HIDDEN extern const IxBuiltinTypeDef ix_exception_typedefs[];  /* ends with id 0 */
IX_HIDDEN void ix_err_set(IxContext *ctx, uint32_t type_id, const char *msg);
IX_HIDDEN IxObject *ix_err_format(IxContext *ctx, uint32_t type_id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
IX_HIDDEN void ix_err_no_memory(IxContext *ctx);
IX_HIDDEN bool ix_err_pending(IxContext *ctx);
/* Replace the pending error (if any) with a SystemError whose cause is that error. */
IX_HIDDEN void ix_err_chain_system(IxContext *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
IX_HIDDEN void ix_err_set_string(IxContext *ctx, IxObject *type, const char *msg);
IX_HIDDEN void ix_err_formatv(IxContext *ctx, IxObject *type, const char *fmt, va_list va);
IX_HIDDEN IxObject *ix_err_occurred(IxContext *ctx);
IX_HIDDEN IxObject *ix_err_fetch(IxContext *ctx);
IX_HIDDEN void ix_err_raise(IxContext *ctx, IxObject *exc);
IX_HIDDEN void ix_err_clear(IxContext *ctx);
IX_HIDDEN int ix_err_exception_matches(IxContext *ctx, IxObject *type);
IX_HIDDEN IxObject *ix_err_new_exception(IxContext *ctx, IxObject *module, const char *name,
                                         IxObject *base);
IX_HIDDEN IxObject *ix_exception_get_message(IxContext *ctx, IxObject *e);
IX_HIDDEN IxObject *ix_exception_get_cause(IxContext *ctx, IxObject *e);
/* ABI 1.2: the table's error setters record the pending error as the new one's context. */
IX_HIDDEN void ix_api_err_set_string(IxContext *ctx, IxObject *type, const char *msg);
IX_HIDDEN void ix_api_err_formatv(IxContext *ctx, IxObject *type, const char *fmt, va_list va);
IX_HIDDEN void ix_api_err_raise(IxContext *ctx, IxObject *exc);
IX_HIDDEN int ix_exception_set_cause(IxContext *ctx, IxObject *e, IxObject *cause);
IX_HIDDEN IxObject *ix_exception_get_context(IxContext *ctx, IxObject *e);
/* The next link of the chain Java is shown: the cause, else the context. */
IX_HIDDEN IxObject *ix_exception_next(IxObject *e);

/* ---- capsule.c (ABI 1.2) */
IX_HIDDEN extern const IxBuiltinTypeDef ix_capsule_typedef;
IX_HIDDEN IxObject *ix_capsule_new(IxContext *ctx, void *pointer, const char *name, IxCapsuleDestructor destructor);
IX_HIDDEN void *ix_capsule_get_pointer(IxContext *ctx, IxObject *o, const char *name);
IX_HIDDEN int ix_capsule_is_valid(IxContext *ctx, IxObject *o, const char *name);

/* ---- abstract.c, iter.c (ABI 1.2): the item, length, membership and iteration protocols */
IX_HIDDEN IxObject *ix_getitem(IxContext *ctx, IxObject *o, IxObject *key);
IX_HIDDEN int ix_setitem(IxContext *ctx, IxObject *o, IxObject *key, IxObject *v);
IX_HIDDEN int ix_delitem(IxContext *ctx, IxObject *o, IxObject *key);
IX_HIDDEN int64_t ix_length(IxContext *ctx, IxObject *o);
IX_HIDDEN int ix_contains(IxContext *ctx, IxObject *o, IxObject *v);
IX_HIDDEN IxObject *ix_getiter(IxContext *ctx, IxObject *o);
IX_HIDDEN IxObject *ix_iternext(IxContext *ctx, IxObject *it);
/* ABI 1.2: type slots (typeslots.c, ABI.md 5.50-5.54) */
IX_HIDDEN int ix_type_get_base_by_token(IxContext *ctx, IxObject *type, void *token, IxObject **result);
/* Calling a type: new (tp_new or tp_new_kw), then tp_init (ABI.md 5.50-5.51). */
IX_HIDDEN IxObject *ix_call_type(IxContext *ctx, IxTypeObject *t, IxObject *const *args, size_t n,
                                 IxObject *kwnames);
/* Runs t's tp_init on the new instance `self` (a reference the call owns): returns self, or
 * releases it and returns NULL with the error set. */
IX_HIDDEN IxObject *ix_type_run_init(IxContext *ctx, IxTypeObject *t, IxObject *self, IxObject *const *args,
                                     size_t n, IxObject *kwnames);
/* type.c hooks: store slot ids 60-63 (false: not one of them); check and complete them
 * once a spec's slots are read, before the base's hooks are inherited; inherit them. */
IX_HIDDEN bool ix_typeslot_store(IxTypeObject *t, const IxTypeSlot *s);
IX_HIDDEN int ix_typeslots_finish(IxContext *ctx, IxTypeObject *t, const IxTypeSpec *spec);
IX_HIDDEN void ix_typeslots_inherit(IxTypeObject *t, const IxTypeObject *b);
/* ABI.md 5.55: whether builtin `b` may be a base of spec (TypeError/SystemError set if
 * not), and the str layout rules of a subtype of str. */
IX_HIDDEN bool ix_builtin_base_ok(IxContext *ctx, const IxTypeSpec *spec, IxTypeObject *b);
/* Refcount reached 0 on an object whose type has tp_finalize: runs it unless it ran
 * before; returns true when the object was resurrected and must not be freed (5.52). */
IX_HIDDEN bool ix_finalize_on_dealloc(IxContext *ctx, IxObject *o);
/* Runs tp_finalize of o once (the caller holds a reference); returns whether it ran. */
IX_HIDDEN bool ix_finalize_once(IxContext *ctx, IxObject *o);
/* Whether o is finalizing from its dealloc now (the collector leaves it alone); the set
 * of finalized objects is freed at interpreter close. */
IX_HIDDEN bool ix_finalize_dying(IxInterp *in, IxObject *o);
IX_HIDDEN void ix_finalized_free(IxInterp *in);
IX_HIDDEN extern const IxBuiltinTypeDef ix_iterator_typedef;
IX_HIDDEN IxObject *ix_builtin_iter(IxContext *ctx, IxObject *container);
IX_HIDDEN int64_t ix_utf8_count(const char *s, size_t n);
IX_HIDDEN int ix_key_error(IxContext *ctx, IxObject *key);
IX_HIDDEN IxObject *ix_check_slot_result(IxContext *ctx, IxObject *r, const char *owner, const char *slot);

/* ---------------------------------------------------------------- buffer.c (ABI 1.2) */
IX_HIDDEN int ix_get_buffer(IxContext *ctx, IxObject *o, IxBufferView *view, int flags);
IX_HIDDEN void ix_buffer_view_release(IxContext *ctx, IxBufferView *view);
IX_HIDDEN int ix_buffer_view_fill_info(IxContext *ctx, IxBufferView *view, IxObject *exporter, void *buf,
                                       int64_t len, int readonly, int flags);
IX_HIDDEN extern const IxBuiltinTypeDef ix_memoryview_typedef;
/* A memoryview object holding a view of o (the embedder's export, ABI.md 12.50): new
 * reference, or NULL with the error Ix_GetBuffer set. */
IX_HIDDEN IxObject *ix_memoryview_new(IxContext *ctx, IxObject *o, int flags);
IX_HIDDEN const IxBufferView *ix_memoryview_view(IxObject *mv);
/* ixh_protocol's IXH_PROTO_BUFFER: the tuple ABI.md 12.50 describes, or NULL with an error. */
IX_HIDDEN IxObject *ix_buffer_export(IxContext *ctx, IxObject *o, int64_t flags);

/* ---- attrs.c (ABI 1.2): attribute slots, instance dicts, dir, delete (ABI.md 3.40, 5.40-5.42) */
/* Lay out the hidden words of a type with IX_TPFLAGS_MANAGED_DICT / _WEAKREF (set
 * dict_offset, weaklist_offset) after its basic_size: each concrete type appends its own. */
IX_HIDDEN void ix_attrs_layout(IxTypeObject *t);
/* Bytes an instance of t takes: basic_size plus the hidden words. */
IX_HIDDEN size_t ix_type_instance_size(IxTypeObject *t);
/* The instance dict slot of o (its type has dict_offset), the dict NULL until first used. */
#define IX_DICT_SLOT(o) ((IxObject **)((char *)(o) + IX_TYPE(o)->ex->dict_offset))
/* A managed-dict instance's attribute `name`: new reference; NULL with no error when it is
 * not there; NULL with an error (making __dict__ ran out of memory). */
IX_HIDDEN IxObject *ix_instance_getattr(IxContext *ctx, IxObject *o, const char *name);
IX_HIDDEN int ix_instance_setattr(IxContext *ctx, IxObject *o, const char *name, IxObject *v);
/* Whether a managed-dict instance has `name` in its dict (ix_call_method's fast path). */
IX_HIDDEN bool ix_instance_has(IxContext *ctx, IxObject *o, const char *name);
/* An IX_tp_getattro / IX_tp_setattro slot run for a C-string name (object.c calls them). */
IX_HIDDEN IxObject *ix_slot_getattr(IxContext *ctx, IxObject *o, const char *name);
IX_HIDDEN int ix_slot_setattr(IxContext *ctx, IxObject *o, const char *name, IxObject *v);
/* The collector and dealloc: visit, and drop, the instance dict. */
IX_HIDDEN int ix_instance_dict_visit(IxContext *ctx, IxObject *o, IxVisitProc visit, void *arg);
IX_HIDDEN void ix_instance_dict_drop(IxContext *ctx, IxObject *o);
IX_HIDDEN IxObject *ix_object_generic_getattr(IxContext *ctx, IxObject *o, IxObject *name);
IX_HIDDEN int ix_object_generic_setattr(IxContext *ctx, IxObject *o, IxObject *name, IxObject *v);
IX_HIDDEN IxObject *ix_object_get_dict(IxContext *ctx, IxObject *o);
IX_HIDDEN int ix_delattr(IxContext *ctx, IxObject *o, const char *name);
IX_HIDDEN IxObject *ix_dir(IxContext *ctx, IxObject *o);

/* ---- weakref.c (ABI 1.2): weak references (ABI.md 3.42-3.43, 5.43) */
IX_HIDDEN extern const IxBuiltinTypeDef ix_weakref_typedef;
IX_HIDDEN IxObject *ix_weakref_new(IxContext *ctx, IxObject *o, IxObject *callback);
IX_HIDDEN IxObject *ix_weakref_get_object(IxContext *ctx, IxObject *ref);
/* o is dying: clear every weak reference to it. Those with a callback that `keep` accepts
 * (keep NULL: all) gain a reference and are chained on *pending for ix_weakrefs_call, which
 * runs the callbacks once every dying object's references are cleared. */
IX_HIDDEN void ix_weakrefs_clear(IxContext *ctx, IxObject *o, bool (*keep)(IxObject *ref, void *arg),
                                 void *arg, IxObject **pending);
IX_HIDDEN void ix_weakrefs_call(IxContext *ctx, IxObject *pending);
/* An int slot result agrees with the error state: -1 with an error, anything else without
 * (else a SystemError naming owner.slot, and -1). */
IX_HIDDEN int64_t ix_check_slot_int(IxContext *ctx, int64_t r, const char *owner, const char *slot);
/* Run a heap type's slot `call` as the code of the module that defined its hook field `f`
 * (entry rules, attribution; IX_HOOK_MODULE): the protocol files wrap every slot call in
 * this. IX_ENTERED_AT names the field by its offset (IX_HOOK_OFF), for a slot chosen at run time. */
#define IX_ENTERED_AT(ctx, type, off, call)                          \
    ({                                                               \
        IxEntry ix_e_;                                               \
        ix_enter_code((ctx), IX_HOOK_MODULE_AT(type, off), &ix_e_);  \
        __typeof__(call) ix_r_ = (call);                             \
        ix_leave_code((ctx), &ix_e_);                                \
        ix_r_;                                                       \
    })
#define IX_ENTERED(ctx, type, f, call) IX_ENTERED_AT(ctx, type, IX_HOOK_OFF(type, f), call)
#define IX_PR_ENTERED(ctx, type, f, call) IX_ENTERED_AT(ctx, type, IX_PR_HOOK_OFF(type, f), call)

/* ---- number.c, longarith.c (ABI 1.2): the number protocol and int arithmetic */
IX_HIDDEN IxObject *ix_number_add(IxContext *ctx, IxObject *a, IxObject *b);
IX_HIDDEN IxObject *ix_number_subtract(IxContext *ctx, IxObject *a, IxObject *b);
IX_HIDDEN IxObject *ix_number_multiply(IxContext *ctx, IxObject *a, IxObject *b);
IX_HIDDEN IxObject *ix_number_true_divide(IxContext *ctx, IxObject *a, IxObject *b);
IX_HIDDEN IxObject *ix_number_floor_divide(IxContext *ctx, IxObject *a, IxObject *b);
IX_HIDDEN IxObject *ix_number_remainder(IxContext *ctx, IxObject *a, IxObject *b);
IX_HIDDEN IxObject *ix_number_power(IxContext *ctx, IxObject *a, IxObject *b, IxObject *mod);
IX_HIDDEN IxObject *ix_number_inplace_add(IxContext *ctx, IxObject *a, IxObject *b);
IX_HIDDEN IxObject *ix_number_inplace_subtract(IxContext *ctx, IxObject *a, IxObject *b);
IX_HIDDEN IxObject *ix_number_inplace_multiply(IxContext *ctx, IxObject *a, IxObject *b);
IX_HIDDEN IxObject *ix_number_inplace_true_divide(IxContext *ctx, IxObject *a, IxObject *b);
IX_HIDDEN IxObject *ix_number_inplace_floor_divide(IxContext *ctx, IxObject *a, IxObject *b);
IX_HIDDEN IxObject *ix_number_inplace_remainder(IxContext *ctx, IxObject *a, IxObject *b);
IX_HIDDEN IxObject *ix_number_inplace_power(IxContext *ctx, IxObject *a, IxObject *b, IxObject *mod);
IX_HIDDEN IxObject *ix_number_and(IxContext *ctx, IxObject *a, IxObject *b);
IX_HIDDEN IxObject *ix_number_or(IxContext *ctx, IxObject *a, IxObject *b);
IX_HIDDEN IxObject *ix_number_xor(IxContext *ctx, IxObject *a, IxObject *b);
IX_HIDDEN IxObject *ix_number_lshift(IxContext *ctx, IxObject *a, IxObject *b);
IX_HIDDEN IxObject *ix_number_rshift(IxContext *ctx, IxObject *a, IxObject *b);
IX_HIDDEN IxObject *ix_number_invert(IxContext *ctx, IxObject *a);
IX_HIDDEN IxObject *ix_number_inplace_and(IxContext *ctx, IxObject *a, IxObject *b);
IX_HIDDEN IxObject *ix_number_inplace_or(IxContext *ctx, IxObject *a, IxObject *b);
IX_HIDDEN IxObject *ix_number_inplace_xor(IxContext *ctx, IxObject *a, IxObject *b);
IX_HIDDEN IxObject *ix_number_inplace_lshift(IxContext *ctx, IxObject *a, IxObject *b);
IX_HIDDEN IxObject *ix_number_inplace_rshift(IxContext *ctx, IxObject *a, IxObject *b);
IX_HIDDEN IxObject *ix_number_negative(IxContext *ctx, IxObject *a);
IX_HIDDEN IxObject *ix_number_positive(IxContext *ctx, IxObject *a);
IX_HIDDEN IxObject *ix_number_absolute(IxContext *ctx, IxObject *a);
IX_HIDDEN IxObject *ix_number_index(IxContext *ctx, IxObject *a);
IX_HIDDEN IxObject *ix_number_long(IxContext *ctx, IxObject *a);
IX_HIDDEN IxObject *ix_number_float(IxContext *ctx, IxObject *a);
/* Truth of an object without tp_bool: nb_bool, then the length; 1, 0, or -1 with an error. */
IX_HIDDEN int ix_number_bool(IxContext *ctx, IxObject *o);
/* int arithmetic (longarith.c): both operands ints (or bools); op is IX_NB_*. */
IX_HIDDEN IxObject *ix_long_binary(IxContext *ctx, IxObject *a, IxObject *b, int op);
IX_HIDDEN IxObject *ix_long_power(IxContext *ctx, IxObject *a, IxObject *b, IxObject *mod); /* mod NULL: none */
IX_HIDDEN IxObject *ix_long_negative(IxContext *ctx, IxObject *a);
IX_HIDDEN IxObject *ix_long_absolute(IxContext *ctx, IxObject *a);
IX_HIDDEN IxObject *ix_long_bitwise(IxContext *ctx, IxObject *a, IxObject *b, int op); /* & | ^ << >> */
IX_HIDDEN IxObject *ix_long_invert(IxContext *ctx, IxObject *a);
/* float arithmetic (numbers.c): both operands numbers, at least one a float. */
IX_HIDDEN IxObject *ix_float_binary(IxContext *ctx, double x, double y, int op);
IX_HIDDEN IxObject *ix_float_power(IxContext *ctx, double x, double y);

/* ---------------------------------------------------------------- type.c */
IX_HIDDEN extern const IxBuiltinTypeDef ix_type_typedef, ix_function_typedef,
    ix_method_typedef, ix_method_descr_typedef, ix_member_descr_typedef,
    ix_getset_descr_typedef;
/* Build a builtin type in a fresh interpreter (type type first, then the rest). */
IX_HIDDEN IxTypeObject *ix_type_new_builtin(IxContext *ctx, const IxBuiltinTypeDef *def);
IX_HIDDEN const char *ix_type_short_name(const IxTypeObject *t);
IX_HIDDEN IxObject *ix_type_from_spec(IxContext *ctx, IxObject *module, const IxTypeSpec *spec);
IX_HIDDEN IxObject *ix_type_from_spec_with_base(IxContext *ctx, IxObject *module,
                                                const IxTypeSpec *spec, IxObject *base);
IX_HIDDEN IxObject *ix_type_from_spec_base(IxContext *ctx, IxObject *module,
                                           const IxTypeSpec *spec, IxTypeObject *base,
                                           uint32_t extra_flags);
IX_HIDDEN IxObject *ix_type_get_module(IxContext *ctx, IxObject *type);
IX_HIDDEN void *ix_type_get_module_state(IxContext *ctx, IxObject *type);
IX_HIDDEN IxObject *ix_type_get_module_by_def(IxContext *ctx, IxObject *type,
                                              const IxModuleDef *def);
IX_HIDDEN IxObject *ix_type_generic_alloc(IxContext *ctx, IxObject *type);
IX_HIDDEN const char *ix_type_get_name(IxContext *ctx, IxObject *type);
IX_HIDDEN int ix_type_ready_static(IxContext *ctx, IxStaticType *st, IxObject *module);
IX_HIDDEN int ix_type_ready_static_with_base(IxContext *ctx, IxStaticType *st, IxObject *module,
                                             IxStaticType *base);
/* Looks `name` up in the type and its bases; borrowed or NULL (no error set). */
IX_HIDDEN IxObject *ix_type_lookup(IxContext *ctx, IxTypeObject *type, const char *name);
IX_HIDDEN IxObject *ix_function_new(IxContext *ctx, const IxMethodDef *def, IxObject *module);
/* Attribute access through the type's descriptors (methods, members, getsets). */
IX_HIDDEN IxObject *ix_generic_getattr(IxContext *ctx, IxObject *o, const char *name);
IX_HIDDEN int ix_generic_setattr(IxContext *ctx, IxObject *o, const char *name, IxObject *v);
/* Check a method table against ABI.md 4.3 (`owner` names it in messages). */
IX_HIDDEN int ix_check_methods(IxContext *ctx, const char *owner, const IxMethodDef *methods,
                               uint32_t allowed);

/* ---------------------------------------------------------------- typed.c (ABI 1.3) */
/* A parsed typed signature (ABI.md 4.31). code packs it: nargs in bits 0-3, the result's
 * letter code (l d b s y: 1..5) in 4-7, parameter k's in 8+4k..11+4k; the embedder
 * computes the same number from the signature it declares (Java's TypedFunction). */
typedef struct IxSig {
    const char *args;  /* the signature: its first nargs letters are the parameters' */
    uint8_t nargs;
    char ret;
    int64_t code;
} IxSig;
/* A typed function resolved for a call: its definitions, what it gets as self, the module
 * whose code it is, and the owner's name for messages ("probe", "counter.Counter"). */
typedef struct IxTypedTarget {
    const IxMethodDef *def;
    const IxTypedDef *td;
    IxObject *self, *module;
    const char *owner;
    IxSig sig;
} IxTypedTarget;
/* 0, or -1 with the reason in err (NULL: no reason wanted). */
IX_HIDDEN int ix_sig_parse(const char *s, IxSig *sig, char *err, size_t cap);
/* Inline: a typed call asks it several times. */
static inline bool ix_sig_is_object(char letter)
{
    return letter == 's' || letter == 'y';
}
/* The typed function f (a module function or bound method) for a call with signature
 * `code` (-1: any). 0, or -1 with a TypeError. */
IX_HIDDEN int ix_typed_target(IxContext *ctx, IxObject *f, int64_t code, IxTypedTarget *t);
IX_HIDDEN IxObject *ix_typed_signature_of(IxContext *ctx, IxObject *f);
/* Run it as code of its module: 0 with *result set, or -1 with an error set. */
IX_HIDDEN int ix_typed_run(IxContext *ctx, const IxTypedTarget *t, const IxValue *args, IxValue *result);
/* count calls of a function of numbers (rows of values, results in place); the calls
 * completed, fewer than count with the next one's error set. */
IX_HIDDEN size_t ix_typed_run_batch(IxContext *ctx, const IxTypedTarget *t, IxValue *values, size_t count);
IX_HIDDEN IxObject *ix_typed_result_object(IxContext *ctx, char letter, const IxValue *r);
IX_HIDDEN IxObject *ix_typed_call_objects(IxContext *ctx, const IxMethodDef *def, IxObject *self,
                                          IxObject *const *args, size_t n, IxObject *module,
                                          const char *owner);

/* ---------------------------------------------------------------- module.c */
IX_HIDDEN extern const IxBuiltinTypeDef ix_module_typedef;
/* Validate a definition against every rule of ABI.md 4; error set and -1 on a violation. */
IX_HIDDEN int ix_moduledef_validate(IxContext *ctx, const IxModuleDef *def, const char *name);
/* Run create + exec slots; new reference or NULL with the error set (nothing left). */
IX_HIDDEN IxObject *ix_module_from_def(IxContext *ctx, const IxModuleDef *def,
                                       const char *name, IxLibrary *lib);
/* Run def->clear then def->free once each (close or failed exec). */
IX_HIDDEN void ix_module_finalize(IxContext *ctx, IxObject *module);
IX_HIDDEN void *ix_module_get_state(IxContext *ctx, IxObject *m);
IX_HIDDEN const IxModuleDef *ix_module_get_def(IxContext *ctx, IxObject *m);
IX_HIDDEN int ix_module_add_object(IxContext *ctx, IxObject *m, const char *name, IxObject *v);
IX_HIDDEN int ix_module_add_type(IxContext *ctx, IxObject *m, IxObject *type);
IX_HIDDEN IxObject *ix_module_create_legacy(IxContext *ctx, const IxModuleDef *def);
/* ABI 1.2 (ABI.md 4.20): IxModule_AddIntConstant, IxModule_AddStringConstant. */
IX_HIDDEN int ix_module_add_int_constant(IxContext *ctx, IxObject *m, const char *name, int64_t v);
IX_HIDDEN int ix_module_add_string_constant(IxContext *ctx, IxObject *m, const char *name, const char *utf8);
/* The multiple-interpreters level a def declares (IX_MOD_MULTI_* as an int 1..3). */
IX_HIDDEN int ix_moduledef_multi_level(const IxModuleDef *def);

/* ---------------------------------------------------------------- moddef.c */
/* What a module declares, as the dict ixh_module_definition answers (isolex_host.h): new
 * reference, or NULL with an error set (TypeError for anything but a module object). */
IX_HIDDEN IxObject *ix_module_definition(IxContext *ctx, IxObject *module);

/* ---------------------------------------------------------------- unraisable.c */
/* ABI 1.2 (ABI.md 6.8): the error pending in ctx (if any) was left by code that has no
 * caller to fail (a dealloc, clear, finalizer, weakref callback, capsule destructor, a
 * module's clear or free): record it as happening in `fmt` ("tp_dealloc of %s"), write it
 * to the violation log in debug mode, and drop it. ctx has no error pending afterwards. */
#define IX_UNRAISABLE_KEPT IXH_UNRAISABLE_KEPT
IX_HIDDEN void ix_unraisable(IxContext *ctx, const char *fmt, ...) __attribute__((cold, format(printf, 2, 3)));
/* "attrs.raise_in_callback", "attrs.Box.hello", "a T object": names f without running it. */
IX_HIDDEN const char *ix_callable_name(IxContext *ctx, IxObject *f, char *buf, size_t cap);
IX_HIDDEN void ix_unraisable_free(IxInterp *in); /* close */

/* ---------------------------------------------------------------- loader.c */
/* Find, load and initialise `name` for the calling interpreter: new reference or NULL
 * with ImportError/SystemError set. */
IX_HIDDEN IxObject *ix_loader_import(IxContext *ctx, const char *name);
/* IxImport_Import (ABI 1.2, ABI.md 4.11): ix_loader_import for extension code. */
IX_HIDDEN IxObject *ix_import_import(IxContext *ctx, const char *name);
IX_HIDDEN void ix_library_incref(IxLibrary *lib);
IX_HIDDEN void ix_library_decref(IxLibrary *lib);   /* dlclose after the last reference */
IX_HIDDEN void ix_library_exclusive_closed(IxLibrary *lib, int64_t interp_id); /* ABI 1.2: 7.3 */
/* The loaded library whose mapped segments hold address p, with a new reference; or NULL. */
IX_HIDDEN IxLibrary *ix_library_of_address(const void *p);
/* ABI.md 4.2: `def` (what `source` gave, "IxInit_x returned") and every table and string it
 * points to lie in `lib`'s mapped memory, walks bounded by these; error set and -1 if not. */
#define IX_MAX_TABLE_ENTRIES 4096
#define IX_MAX_NAME_LEN 1024
#define IX_MAX_DOC_LEN 65536
IX_HIDDEN int ix_library_check_def(IxContext *ctx, const IxLibrary *lib, const IxModuleDef *def,
                                   const char *name, const char *source);
IX_HIDDEN int64_t ix_loader_count(void);
/* The recursive code lock of a library (for shared-lock modules). */
IX_HIDDEN void ix_library_code_lock(IxLibrary *lib);
IX_HIDDEN void ix_library_code_unlock(IxLibrary *lib);

/* ---------------------------------------------------------------- elf_check.c */
/* Before the first dlopen of a library (ABI.md 4.1): the file is an ELF shared library for
 * this host's machine, class and byte order, with every loadable segment inside the file
 * and a dynamic section. 0, or -1 with the reason in `why` (cut to cap). Self-contained
 * (libc and libelf only), so a fuzzer can link it alone. */
#define IX_ELF_MAX_PHDRS 64
IX_HIDDEN int ix_elf_check_fd(int fd, char *why, size_t cap);
IX_HIDDEN int ix_elf_check_memory(const void *data, size_t size, char *why, size_t cap);

/* ---------------------------------------------------------------- gc.c */
#define IX_GC_MIN_THRESHOLD 2000
/* Collect unreachable cycles now; returns how many objects were garbage. */
IX_HIDDEN int64_t ix_gc_collect(IxContext *ctx);
/* Collect if enough traversable objects were made since the last time. Called only at the
 * host boundary, where no extension code is half-way through building something. */
IX_HIDDEN void ix_gc_maybe_collect(IxContext *ctx);

/* ---------------------------------------------------------------- queue.c */
typedef struct IxShared IxShared;   /* a shared buffer: host-level, atomically counted */
typedef struct IxQueue IxQueue;     /* a queue: host-level, atomically counted */
enum { IX_QUEUE_OK = 0, IX_QUEUE_TIMEOUT = 1, IX_QUEUE_TOO_BIG = 2, IX_QUEUE_NOMEM = 3 };
IX_HIDDEN extern const IxBuiltinTypeDef ix_queue_typedef, ix_buffer_typedef;
IX_HIDDEN extern _Atomic int64_t ix_shared_live_bytes;
IX_HIDDEN IxShared *ix_shared_new(size_t size);      /* one reference; NULL: no memory */
IX_HIDDEN void ix_shared_incref(IxShared *s);
IX_HIDDEN void ix_shared_decref(IxShared *s);
IX_HIDDEN uint8_t *ix_shared_data(IxShared *s, size_t *size);
IX_HIDDEN IxQueue *ix_queue_new(int64_t capacity);   /* one reference; NULL: no memory */
IX_HIDDEN void ix_queue_incref(IxQueue *q);
IX_HIDDEN void ix_queue_decref(IxQueue *q);
IX_HIDDEN int64_t ix_queue_size(IxQueue *q);
/* The per-interpreter objects standing for them (each holds one reference). */
IX_HIDDEN IxObject *ix_queue_object(IxContext *ctx, IxQueue *q);
IX_HIDDEN IxObject *ix_buffer_object(IxContext *ctx, IxShared *s);
IX_HIDDEN IxQueue *ix_queue_of(IxObject *o);
IX_HIDDEN IxShared *ix_shared_of(IxObject *o);
/* Table entries. */
IX_HIDDEN IxObject *ix_queue_new_object(IxContext *ctx, int64_t capacity);
IX_HIDDEN int ix_queue_put_value(IxContext *ctx, IxObject *q, IxObject *v, double timeout);
IX_HIDDEN IxObject *ix_queue_get_value(IxContext *ctx, IxObject *q, double timeout);
IX_HIDDEN int64_t ix_queue_size_value(IxContext *ctx, IxObject *q);
IX_HIDDEN IxObject *ix_buffer_new(IxContext *ctx, size_t size);
IX_HIDDEN uint8_t *ix_buffer_data(IxContext *ctx, IxObject *b, size_t *size);

/* ---------------------------------------------------------------- debug.c */
IX_HIDDEN extern const IxFunctionTable ix_debug_table;
/* The heap found a double free or a broken guard on the block at p ("double free of"). */
IX_HIDDEN void ix_debug_block_violation(IxHeap *h, void *p, const char *what);
/* "library.so!function" for an allocation site. */
IX_HIDDEN void ix_debug_site_name(uintptr_t site, char *out, size_t cap);
/* ABI 1.2: append a line ("isolex debug: ...") to the process-wide violation log. */
IX_HIDDEN void ix_debug_log(const char *line);
/* A call into extension code in a debug interpreter (object.c runs it here, entry rules
 * and all): what the callee borrows (self, args) is recorded while it runs, and its result
 * is checked before anything reads it -- a live object of this interpreter, and not a
 * borrowed argument without a reference of its own. Returns it, or NULL with a
 * SystemError. `owner`, `name`: the callee in reports ("buggy", "take_global"). */
IX_HIDDEN IxObject *ix_debug_run(IxContext *ctx, IxCFunction fn, IxObject *self,
                                 IxObject *const *args, size_t n, IxObject *module,
                                 const char *owner, const char *name);
IX_HIDDEN IxObject *ix_debug_run_method(IxContext *ctx, IxCMethod fn, IxObject *self, IxObject *cls,
                                        IxObject *const *args, size_t n, IxObject *module,
                                        const char *owner, const char *name);
IX_HIDDEN IxObject *ix_debug_run_kw(IxContext *ctx, IxCFunctionKw fn, IxObject *self,
                                    IxObject *const *args, size_t n, IxObject *kwnames,
                                    IxObject *module, const char *owner, const char *name);
IX_HIDDEN IxObject *ix_debug_run_unary(IxContext *ctx, IxUnaryProc fn, IxObject *self,
                                       IxObject *module, const char *owner, const char *name);
/* ABI 1.3: a typed function (typed.c); `obj_result`: its result is an object ('s', 'y'),
 * checked as ix_debug_run's. Returns the function's status (-1 for a refused result). */
IX_HIDDEN int ix_debug_run_typed(IxContext *ctx, IxTypedFunction fn, IxObject *self, const IxValue *args,
                                 IxValue *result, bool obj_result, IxObject *module, const char *owner,
                                 const char *name);
IX_HIDDEN IxCtx *ix_debug_ctx_new(IxInterp *in);
IX_HIDDEN void ix_debug_ctx_retire(IxCtx *c);

/* ---------------------------------------------------------------- handles.c */
/* Register `o` (a new reference is taken): the handle, or -1 with MemoryError set. */
IX_HIDDEN int64_t ix_handle_new(IxContext *ctx, IxObject *o);
IX_HIDDEN int64_t ix_handle_new_kind(IxContext *ctx, IxObject *o, uint32_t kind);
/* Borrowed object behind a handle, or NULL with ValueError set for a stale/foreign one. */
IX_HIDDEN IxObject *ix_handle_get(IxContext *ctx, int64_t h);
/* ix_handle_get, and the handle's kind into *kind. */
IX_HIDDEN IxObject *ix_handle_get_kind(IxContext *ctx, int64_t h, uint32_t *kind);
IX_HIDDEN int ix_handle_release(IxContext *ctx, int64_t h);
IX_HIDDEN void ix_handles_drop_all(IxContext *ctx);   /* close: release every handle */

/* ---------------------------------------------------------------- wire.c */
/* Decode one value at buf[*pos]: new reference, or NULL with an error (ValueError for
 * malformed input, TypeError for an unhashable dict key); handles resolve through
 * ix_handle_get. */
IX_HIDDEN IxObject *ix_wire_decode(IxContext *ctx, const uint8_t *buf, size_t len, size_t *pos);
/* Encode `o`: None/bool/int/float/str/bytes as values; tuple/list/dict recursively (up to
 * IX_WIRE_MAX_DEPTH levels, then ValueError); anything else as a new handle.
 * Returns 0, or -1 with an error set. Overflow of the buffer is w->overflow, not an error. */
#define IX_WIRE_MAX_DEPTH 64
IX_HIDDEN int ix_wire_encode(IxContext *ctx, IxWire *w, IxObject *o);
/* The size of o's encoding, measured without making handles; -1 with an error set. */
IX_HIDDEN int64_t ix_wire_measure(IxContext *ctx, IxObject *o);
/* ixw_handle with the first n bytes of the type name. */
IX_HIDDEN void ix_wire_handle_n(IxWire *w, int64_t handle, const char *type_name, size_t n);
/* A shareable value (ABI.md 11) into a new host-allocated buffer; -1 with TypeError for a
 * value that may not cross. The encoding owns a reference to each buffer/queue in it. */
IX_HIDDEN int ix_wire_encode_shared(IxContext *ctx, IxObject *o, uint8_t **data, size_t *len);
/* Let go of what encoded values own: handles (if ctx), buffer and queue references. */
IX_HIDDEN void ix_wire_release(IxContext *ctx, const uint8_t *p, size_t len);
IX_HIDDEN void ix_wire_release_shared(const uint8_t *p, size_t len);
IX_HIDDEN void ix_wire_retain_shared(const uint8_t *p, size_t len);
/* One well-formed shareable value and nothing else (for values an embedder queues). */
IX_HIDDEN bool ix_wire_check_shared(const uint8_t *p, size_t len);
/* Encode an exception (type name, message, cause chain) as IXW_EXCEPTION. */
IX_HIDDEN void ix_wire_exception(IxContext *ctx, IxWire *w, IxObject *exc);

/* ---------------------------------------------------------------- interrupt.c (ABI 1.3) */

/* An outermost entry begins: the pending request is dropped, `call` names the entry. */
IX_HIDDEN void ix_interrupt_begin(IxCtx *c, uintptr_t call);
IX_HIDDEN int ix_check_interrupt(IxContext *ctx);

/* ---------------------------------------------------------------- memory (context.c) */
IX_HIDDEN void *ix_mem_malloc(IxContext *ctx, size_t n);
IX_HIDDEN void *ix_mem_calloc(IxContext *ctx, size_t c, size_t n);
IX_HIDDEN void *ix_mem_realloc(IxContext *ctx, void *p, size_t n);
IX_HIDDEN void ix_mem_free(IxContext *ctx, void *p);
IX_HIDDEN void ix_ctx_init(IxCtx *c, IxInterp *interp);
/* A context for one entry: `local` (on the caller's stack) in release mode; in debug mode
 * one that outlives the entry as a dead context (debug.c). ix_ctx_close ends either. */
IX_HIDDEN IxCtx *ix_ctx_open(IxInterp *in, IxCtx *local);
IX_HIDDEN void ix_ctx_close(IxCtx *c, IxCtx *local);
/* The interpreter lock, with the holding thread recorded so re-entry is refused. */
IX_HIDDEN void ix_interp_lock(IxInterp *in);
IX_HIDDEN void ix_interp_unlock(IxInterp *in);
IX_HIDDEN bool ix_interp_held_by_me(IxInterp *in);
/* Push/pop a library code lock on the context's held list (after/before locking it). */
IX_HIDDEN void ix_ctx_hold(IxCtx *c, IxLibrary *lib);
IX_HIDDEN void ix_ctx_unhold(IxCtx *c, IxLibrary *lib);
/* IxLock_Acquire: retake the interpreter lock and the code locks if they were released. */
IX_HIDDEN void ix_ctx_reacquire(IxContext *ctx);
/* IxLock_Release: give up the interpreter lock (and held code locks) until reacquire. */
IX_HIDDEN void ix_ctx_release(IxContext *ctx);
IX_HIDDEN void ix_ctx_fini(IxCtx *c);     /* drops a pending error */
IX_HIDDEN extern const IxFunctionTable ix_function_table;

#endif /* IX_INTERNAL_H */
