/*
 * isolex_host.h -- the embedding API of libisolex: what the JNI bridge and the C driver use.
 *
 * Extensions never include this file (they see only abi/include/isolex.h). Two ways in:
 *
 *  1. The value API (ixh_import, ixh_call, ...): arguments and results travel in one
 *     caller-owned byte buffer in the wire format below; objects that do not convert stay
 *     in the interpreter and are named by a *handle* (an index into the interpreter's handle
 *     table plus a generation, so a stale or foreign handle is refused, never dereferenced).
 *     This is what Java uses: one JNI crossing per operation.
 *  2. The embedding API (ixh_enter / ixh_leave): a C program takes the interpreter's lock
 *     and gets an IxContext to call the ABI directly. The C driver uses it.
 *
 * Every ixh_* function is thread-safe; the ones that take an IxInterp take its lock. A
 * thread that has entered an interpreter (ixh_enter) and calls them on that same
 * interpreter is never blocked: the statistics answer directly, everything else is refused
 * (ABI.md 9.2).
 */
#ifndef ISOLEX_HOST_H
#define ISOLEX_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "isolex.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct IxInterp IxInterp;

/* ---------------------------------------------------------------- process level */

const char *ixh_version(void);
/* Native bytes currently held by the core for all interpreters and libraries. */
int64_t ixh_live_bytes(void);
int64_t ixh_live_interpreters(void);
/* Extension libraries currently mapped by the loader. */
int64_t ixh_loaded_libraries(void);
/* Those libraries, described in buf (wire format, ABI.md 4.10): a list with one tuple per
 * library, newest first: (str canonical path, int device, int inode, int modification time
 * in ns since the epoch, int size, int references, str state, list of str module names
 * imported from it), where the state says what the file at the path is now: "current",
 * "modified" (same inode, other size or time: overwritten in place), "replaced" (another
 * file: renamed over), "removed", or "private copy" (ABI.md 7.4). Returns the number of
 * libraries, with *len the bytes written; or -1 when cap is too small, with *len the bytes
 * needed. */
int64_t ixh_libraries(uint8_t *buf, size_t cap, size_t *len);

/* ---------------------------------------------------------------- interpreters */

typedef struct IxInterpConfig {
    const char *module_path;  /* ':'-separated directories searched by import; may be NULL */
    int64_t memory_limit;     /* bytes; 0 for none. Going over raises MemoryError */
    int legacy_private_copies; /* nonzero: a legacy module already loaded by another
                                * interpreter is loaded here from a private copy of its
                                * library file (own globals; see abi/MIGRATION.md) */
    int debug;                 /* nonzero: debug mode (ABI.md 10): the checking function
                                * table, poisoned and quarantined frees, allocation sites */
} IxInterpConfig;

/* NULL when the process is out of memory, or when config->memory_limit is below what an
 * interpreter needs to start (ixh_interp_min_memory_limit). */
IxInterp *ixh_interp_new(const IxInterpConfig *config);
/* The smallest memory_limit an interpreter starts with, in debug mode (debug != 0) or not:
 * what its builtins take (ABI.md 8.3). Measured on first use, then remembered; 0 when the
 * process is out of memory. */
int64_t ixh_interp_min_memory_limit(int debug);
int64_t ixh_interp_id(IxInterp *interp);
/* Bytes and blocks held by modules, objects and allocations, not counting what the
 * interpreter made for itself (builtin types, singletons, caches): 0 for a fresh one. */
int64_t ixh_interp_live_bytes(IxInterp *interp);
int64_t ixh_interp_live_blocks(IxInterp *interp);
/* Every byte the interpreter holds, its own builtins and caches included. */
int64_t ixh_interp_footprint(IxInterp *interp);
/* Run the cycle collector now (it also runs by itself at the end of value API calls once
 * enough traversable objects were made, and at close). Returns the number of objects that
 * were unreachable garbage, or -1 when called from inside the interpreter. */
int64_t ixh_interp_collect(IxInterp *interp);

/* Allocation-failure injection (for testing error paths): the n-th allocation the
 * interpreter makes from now on fails once, as if memory ran out (n <= 0 turns it off).
 * ixh_interp_allocations counts every allocation and growing reallocation so far, so a
 * test can measure a scenario and then sweep n over all of its allocations. Both may be
 * called by a thread inside the interpreter. */
int64_t ixh_interp_allocations(IxInterp *interp);
void ixh_interp_fail_allocation(IxInterp *interp, int64_t n);
int64_t ixh_interp_handle_count(IxInterp *interp);

/* Close and free the interpreter: drops every handle, clears and frees every module
 * (reverse import order), frees types and objects, unloads libraries nobody else uses.
 * Returns 0 when nothing leaked, 1 when something did; either way all its memory is freed.
 * If buf is not NULL the leak report is written to it in the wire format (see
 * ixh_wire_leak_report) and *len receives its length; a report that does not fit is cut
 * to a summary. The interpreter pointer is invalid afterwards. Returns -1, and does
 * nothing, when called by a thread that has entered this interpreter. */
int ixh_interp_close(IxInterp *interp, uint8_t *buf, size_t cap, size_t *len);

/* ABI 1.2 (ABI.md 6.8, 12.60): errors the interpreter could not raise -- left by a
 * tp_dealloc, tp_clear or tp_finalize, a weakref callback, a capsule destructor, a module's
 * clear or free -- and dropped (the calling code keeps its own pending error), as
 * CPython's sys.unraisablehook sees them. Writes to buf, in the wire format, a list of the
 * most recent IXH_UNRAISABLE_KEPT, oldest first, one tuple each: (int number -- 1 for the
 * interpreter's first --, str where -- "tp_finalize of initfinal.Fin" --, str exception
 * type name, str message), texts cut at a character boundary (with "...") past 159, 127
 * and 511 bytes. Returns how many there were since the interpreter was created (the last
 * tuple's number), with *len the bytes written; or -1 when cap is too small, with *len
 * the bytes needed (IXH_UNRAISABLE_CAP always suffices; a NULL buf only measures). Reading
 * does not forget them.
 * Errors raised during close are not kept (debug mode logs every one, ABI.md 10.2). */
#define IXH_UNRAISABLE_KEPT 16
#define IXH_UNRAISABLE_CAP (5 + IXH_UNRAISABLE_KEPT * (5 + 9 + 3 * 5 + 159 + 127 + 511 + 3))
int64_t ixh_interp_unraisable(IxInterp *interp, uint8_t *buf, size_t cap, size_t *len);

/* ABI 1.3 (ABI.md 12.80-12.84): ask a call in flight to stop. From any thread, without the
 * interpreter lock, lock-free; never blocks. `call` names the call: the address of the
 * request buffer the value-API call was given (ixh_call's buf ...), the context of an
 * ixh_enter entry, or 0 for whatever call is in flight. The next Ix_CheckInterrupt of that
 * call returns -1 with InterruptedError (IXH_INTERRUPT_THREAD) or TimeoutError
 * (IXH_INTERRUPT_DEADLINE) set, and so does every later one in that call. The request is
 * dropped when the next outermost call into the interpreter begins: with no call in
 * flight, or a call that never polls, it does nothing. Returns 0, or -1 for a reason
 * that is neither (or a call >= 2^62). Like every ixh_interp_* function, not after
 * ixh_interp_close has begun. */
#define IXH_INTERRUPT_THREAD 1
#define IXH_INTERRUPT_DEADLINE 2
int ixh_interp_interrupt(IxInterp *interp, uint64_t call, int reason);

/* Debug-mode violations (ABI.md 10) recorded since the last call, oldest first, one per
 * line ("isolex debug: ..."), written to buf (cut to cap, NUL-terminated) and forgotten.
 * Returns how many there were. Process-wide: violations from every interpreter. */
int64_t ixh_debug_take_violations(char *buf, size_t cap);

/* ---------------------------------------------------------------- value API
 *
 * Each takes the interpreter, an in/out buffer holding `len` bytes of input and `cap`
 * bytes of room, and returns a status. On IXH_OK the buffer holds one encoded value; on
 * IXH_ERROR one encoded exception (IXW_EXCEPTION); on IXH_TOO_BIG the result was kept as
 * a handle and the buffer holds IXW_HANDLE + the needed size as IXW_INT: grow the buffer,
 * call ixh_expand on the handle, then release it. A request is exactly the values listed
 * for its function: trailing bytes or a value cut short are refused with IXH_ERROR before
 * anything runs (ABI.md 12.1). A name (module, method, attribute) with a NUL byte in it is
 * refused with IXH_ERROR, ValueError (ABI.md 3.7).
 */
enum {
    IXH_OK = 0,
    IXH_ERROR = 1,
    IXH_TOO_BIG = 2
};
/* The smallest `cap` every reply fits in, the IXH_TOO_BIG answer included (its type name
 * is cut to the room there is). An error that does not fit is an IXH_TOO_BIG answer too:
 * ixh_expand of its handle answers IXH_ERROR with the whole error (ABI.md 12.3). */
#define IXH_MIN_CAP 64

/* in: str name.                         out: handle of the module */
int ixh_import(IxInterp *interp, uint8_t *buf, size_t len, size_t cap);
/* in: str method name or none, tuple args. Calls target(args) or target.name(args).
 * out: the result, converted (containers recursively) or as a handle */
int ixh_call(IxInterp *interp, int64_t target, uint8_t *buf, size_t len, size_t cap);
/* in: str name.                         out: the attribute */
int ixh_getattr(IxInterp *interp, int64_t target, uint8_t *buf, size_t len, size_t cap);
/* in: str name, value.                  out: none */
int ixh_setattr(IxInterp *interp, int64_t target, uint8_t *buf, size_t len, size_t cap);
/* in: nothing.      out: tuple(str type name, str repr, int identity) -- identity is equal
 * for two handles exactly when they name the same object */
int ixh_describe(IxInterp *interp, int64_t target, uint8_t *buf, size_t len, size_t cap);
/* in: nothing.      out: what the module `target` declares (ABI.md 12.4), a dict:
 *   "name", "doc" (str or none), "abi_major", "abi_minor": int, "legacy": bool (single-phase),
 *   "multiple_interpreters": int 1..3 (IX_MOD_MULTI_*: the level in effect; 1 for a legacy
 *   module), "multiple_interpreters_declared": bool (the slot is present), "state_size": int,
 *   "create": bool, "exec_slots": int, "traverse", "clear", "free": bool (defined),
 *   "functions": list of (str name, int min_args, int max_args (-1: IX_VARARGS), doc,
 *     int flags (IX_METH_*; ABI 1.2, ABI.md 12.30)),
 *   "types": list, one dict per type object of the extension's among the module's
 *     attributes: "name", "doc", "basic_size", "gc" (IX_TPFLAGS_HAVE_GC), "exception"
 *     (IxErr_NewException), "static" (legacy IxType_ReadyStatic), "base" (str or none),
 *     "methods" (as "functions"), "members": list of (name, str kind "int64"|"int32"|
 *     "double"|"bool"|"object", bool read_only, doc), "getsets": list of (name, bool
 *     writable, doc); ABI 1.2 (ABI.md 12.30): "basetype" (IX_TPFLAGS_BASETYPE), "slots"
 *     (list of str: the hooks it has, its own or inherited, by slot name: "tp_new", ...,
 *     "tp_getattro", "nb_add", ..., "bf_getbuffer", ...), "flags" (int: its IX_TPFLAGS_*
 *     bits, its spec's and those it inherits),
 *   "attributes": list of (str name, str type name) for every other attribute.
 * Lists keep declaration order. Reads definitions and type dicts only: no extension code
 * runs. TypeError for a target that is not a module made from a definition. */
int ixh_module_definition(IxInterp *interp, int64_t target, uint8_t *buf, size_t len, size_t cap);
/* ABI 1.2 (ABI.md 12.20). in: int operation, then its operands:
 *   IXH_PROTO_GET key -> target[key]       IXH_PROTO_SET key, value -> none
 *   IXH_PROTO_DEL key -> none              IXH_PROTO_LEN -> int
 *   IXH_PROTO_CONTAINS value -> bool       IXH_PROTO_ITER -> iter(target) (a handle)
 *   IXH_PROTO_NEXT int n -> list of up to n next items of the iterator target; fewer
 *                           than n: it is exhausted
 *   IXH_PROTO_BUFFER int flags -> (view, address, len, readonly, itemsize, format, shape,
 *                           strides): an export of target's memory (ABI 1.2, ABI.md 12.50);
 *                           view is a handle whose release ends the export */
enum {
    IXH_PROTO_GET = 1,
    IXH_PROTO_SET = 2,
    IXH_PROTO_DEL = 3,
    IXH_PROTO_LEN = 4,
    IXH_PROTO_CONTAINS = 5,
    IXH_PROTO_ITER = 6,
    IXH_PROTO_NEXT = 7,
    IXH_PROTO_BUFFER = 8 /* ABI 1.2: the buffer protocol */
};
int ixh_protocol(IxInterp *interp, int64_t target, uint8_t *buf, size_t len, size_t cap);
/* ABI 1.2 (ABI.md 12.40). in: str name.  out: none -- del target.name */
int ixh_delattr(IxInterp *interp, int64_t target, uint8_t *buf, size_t len, size_t cap);
/* ABI 1.2 (ABI.md 12.40). in: nothing.   out: list of str, sorted -- dir(target) (Ix_Dir) */
int ixh_dir(IxInterp *interp, int64_t target, uint8_t *buf, size_t len, size_t cap);
/* in: nothing.                          out: the object fully converted where it can be */
int ixh_expand(IxInterp *interp, int64_t target, uint8_t *buf, size_t len, size_t cap);
/* Drop the reference a handle owns. Returns 0, or -1 for a stale/foreign handle (or a
 * re-entry). Every value API call from a thread already inside the interpreter answers
 * IXH_ERROR with the RuntimeError of ABI.md 9.2. */
int ixh_release(IxInterp *interp, int64_t handle);

/* ABI 1.3: typed and batched calls (ABI.md 12.70-12.79). Plain C functions of numbers and
 * pointers, so a JNI binding and a java.lang.foreign downcall call them alike.
 *
 * ixh_call_typed: calls the typed function (IX_METH_TYPED, ABI.md 4.30) that handle
 * `function` names -- a module function or a bound method -- with values[0..nargs-1]
 * ('s'/'y' parameters: data and len, borrowed for the call, UTF-8 for 's'). `signature` is
 * the code of the signature the caller expects (IxSig in typed.c, ABI.md 12.70; -1: any):
 * another is refused with a TypeError before anything runs. IXH_OK: an 'l', 'd' or 'b'
 * result is in values[0] ('b': 0 or 1), an 's' or 'y' result is the reply in buf (IXW_STR,
 * IXW_BYTES, or IXH_TOO_BIG as any reply). IXH_ERROR: the error, in buf, as ixh_call's. */
int ixh_call_typed(IxInterp *interp, int64_t function, int64_t signature, IxValue *values, uint8_t *buf,
                   size_t cap);
/* ixh_call_typed_batch: `count` calls of a typed function whose parameters and result are
 * all 'l', 'd' or 'b', under one lock: call i takes values[i*nargs ..], and its result
 * replaces values[i]. The first call that fails ends the batch: IXH_ERROR with its error in
 * buf and *done the calls that completed (their results in place); IXH_OK and *done ==
 * count otherwise. */
int ixh_call_typed_batch(IxInterp *interp, int64_t function, int64_t signature, IxValue *values, size_t count,
                         size_t *done, uint8_t *buf, size_t cap);
/* in: nothing.  out: str, the typed signature ("ll:l") of the function `target`;
 * TypeError for a callable that is not typed. */
int ixh_typed_signature(IxInterp *interp, int64_t target, uint8_t *buf, size_t len, size_t cap);

/* ---------------------------------------------------------------- queues and buffers
 *
 * Host-level objects (ABI.md 11): shared by every interpreter and by the embedder,
 * reference counted atomically, counted by no interpreter (ixh_shared_bytes). Each
 * function returning one hands the caller a reference.
 */
typedef struct IxhQueue IxhQueue;
typedef struct IxhBuffer IxhBuffer;

/* Bytes held by buffers, queues and queued items (part of ixh_live_bytes, too). */
int64_t ixh_shared_bytes(void);

IxhBuffer *ixh_buffer_new(size_t size);           /* zeroed; NULL when out of memory */
uint8_t *ixh_buffer_data(IxhBuffer *b, size_t *size);
void ixh_buffer_release(IxhBuffer *b);

enum { IXH_QUEUE_OK = 0, IXH_QUEUE_TIMEOUT = 1, IXH_QUEUE_TOO_BIG = 2, IXH_QUEUE_NOMEM = 3,
       IXH_QUEUE_NOT_SHAREABLE = 4 };
IxhQueue *ixh_queue_new(int64_t capacity);        /* capacity <= 0: unbounded */
void ixh_queue_release(IxhQueue *q);
int64_t ixh_queue_size(IxhQueue *q);
/* Put one value encoded in buf (shareable only: none, bools, int, float, str, bytes,
 * buffer, queue, tuples of these; else IXH_QUEUE_NOT_SHAREABLE). The queue takes its own
 * references to buffers and queues in it. Timeout in seconds: < 0 waits for ever, 0 not
 * at all. */
int ixh_queue_put(IxhQueue *q, const uint8_t *buf, size_t len, double timeout);
/* Take the next value into buf: IXH_QUEUE_OK with *len set (references to buffers and
 * queues in it become the caller's), IXH_QUEUE_TIMEOUT, or IXH_QUEUE_TOO_BIG with the
 * length needed in *len (the item stays queued). */
int ixh_queue_get(IxhQueue *q, uint8_t *buf, size_t cap, double timeout, size_t *len);
/* The object standing for a queue or buffer inside an entered interpreter (new ref). */
IxObject *ixh_queue_wrap(IxContext *ctx, IxhQueue *q);
IxObject *ixh_buffer_wrap(IxContext *ctx, IxhBuffer *b);

/* ---------------------------------------------------------------- embedding API */

/* Take the interpreter's lock and return a context for this thread's use of it. Every
 * ixh_enter is paired with one ixh_leave on the same thread; any error still set at leave
 * is dropped. Returns NULL when out of memory, or when this thread has already entered
 * this interpreter (re-entry is refused, never a deadlock: ABI.md 9.2). */
IxContext *ixh_enter(IxInterp *interp);
void ixh_leave(IxContext *ctx);
/* Import inside an entered interpreter: new reference, or NULL with an error set. */
IxObject *ixh_import_module(IxContext *ctx, const char *name);
/* The current error as "TypeName: message" (cause appended as " <- ..."), or NULL. The
 * string is in buf, cut to cap. The error stays set. */
const char *ixh_error_text(IxContext *ctx, char *buf, size_t cap);
/* Handles from C: register an object (new reference taken) and resolve one (borrowed). */
int64_t ixh_handle_new(IxContext *ctx, IxObject *obj);
IxObject *ixh_handle_get(IxContext *ctx, int64_t handle);

/* ---------------------------------------------------------------- wire format
 *
 * Little-endian. A value is one tag byte followed by its payload:
 *   IXW_NONE, IXW_FALSE, IXW_TRUE    nothing
 *   IXW_INT                          int64
 *   IXW_FLOAT                        float64 (IEEE 754 bits)
 *   IXW_STR, IXW_BYTES               uint32 length, then that many bytes (UTF-8 for str)
 *   IXW_TUPLE, IXW_LIST              uint32 count, then count values
 *   IXW_DICT                         uint32 count, then count (key, value) pairs
 *   IXW_HANDLE                       int64 handle, then IXW_STR type name
 *   IXW_EXCEPTION                    IXW_STR type name, IXW_STR message, then either
 *                                    IXW_NONE or the cause as another IXW_EXCEPTION
 *   IXW_BUFFER, IXW_QUEUE            int64 pointer of a host-level buffer or queue. A reply
 *                                    carrying one hands the reader a reference (release it
 *                                    with ixh_buffer_release / ixh_queue_release); a request
 *                                    only lends the caller's.
 *   IXW_BIGINT                       uint32 length, then that many bytes: an int as two's
 *                                    complement, least significant byte first (ABI.md
 *                                    12.5), for an int outside int64 only, in the
 *                                    fewest bytes: the one form written and read.
 */
enum {
    IXW_NONE = 0,
    IXW_FALSE = 1,
    IXW_TRUE = 2,
    IXW_INT = 3,
    IXW_FLOAT = 4,
    IXW_STR = 5,
    IXW_BYTES = 6,
    IXW_TUPLE = 7,
    IXW_LIST = 8,
    IXW_DICT = 9,
    IXW_HANDLE = 10,
    IXW_EXCEPTION = 11,
    IXW_BUFFER = 12,     /* int64: a shared buffer (IxhBuffer *), crossing by reference */
    IXW_QUEUE = 13,      /* int64: a queue (IxhQueue *), crossing by reference */
    IXW_BIGINT = 14      /* an int of any size (ABI 1.2) */
};

/* A writer over a caller's buffer. Each ixw_* call except ixw_tag writes one complete
 * value, tag included (ixw_count writes a container header; its items follow). A write
 * that does not fit sets `overflow`, and from then on nothing more is written, so `len`
 * never passes `cap`. A NULL buffer with cap SIZE_MAX only measures. */
typedef struct IxWire {
    uint8_t *buf;
    size_t cap;
    size_t len;
    int overflow;
} IxWire;

void ixw_init(IxWire *w, uint8_t *buf, size_t cap);
void ixw_tag(IxWire *w, int tag);
void ixw_int(IxWire *w, int64_t v);
void ixw_float(IxWire *w, double v);
void ixw_str(IxWire *w, const char *s, size_t n);
void ixw_cstr(IxWire *w, const char *s);
void ixw_bytes(IxWire *w, const void *p, size_t n);
void ixw_count(IxWire *w, int tag, uint32_t n); /* IXW_TUPLE/LIST/DICT header */
void ixw_handle(IxWire *w, int64_t handle, const char *type_name);
/* An int of any size: n bytes of little-endian two's complement (IXW_BIGINT). */
void ixw_bigint(IxWire *w, const uint8_t *le_twos_complement, size_t n);

/* Leak report layout, as written by ixh_interp_close: a dict with
 *   "interpreter": int, "bytes": int, "blocks": int,
 *   "objects": dict {type name: count}, "modules": dict {module name: bytes},
 *   "raw_blocks": int (allocations made with IxMem_Malloc and not freed),
 *   and in debug mode "sites": dict {"library.so!function": bytes} -- where the leaked
 *   blocks were allocated (the extension function that called the API) */

#ifdef __cplusplus
}
#endif
#endif /* ISOLEX_HOST_H */
