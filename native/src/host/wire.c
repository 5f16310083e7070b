/*
 * wire.c -- the wire format of the value API (layout in isolex_host.h).
 *
 * Values cross as bytes in a caller's buffer: plain data by value, containers
 * recursively, anything else as a handle. Numbers are written byte by byte, little-endian,
 * so neither the host's byte order nor the buffer's alignment matters.
 *
 * The writers ixw_int, ixw_bigint, ixw_float, ixw_str, ixw_cstr, ixw_bytes, ixw_count and ixw_handle
 * each write a whole value, tag included; ixw_tag writes a bare tag (IXW_NONE/FALSE/TRUE,
 * or the start of an IXW_EXCEPTION). They never fail: a write that does not fit sets
 * overflow and writes nothing, then and after, so len never passes cap. A writer with no
 * buffer (NULL, cap SIZE_MAX) only measures.
 */
#include <string.h>

#include "ix_internal.h"

/* ---------------------------------------------------------------- writing */

static void put(IxWire *w, const void *p, size_t n)
{
    if (w->overflow || n > w->cap - w->len) {
        w->overflow = 1;
        return;
    }
    if (w->buf && n) memcpy(w->buf + w->len, p, n);
    w->len += n;
}

/* The wire is little-endian: on such a host the value's own bytes are the encoding. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static void put_u32(IxWire *w, uint32_t v) { put(w, &v, sizeof v); }
static void put_u64(IxWire *w, uint64_t v) { put(w, &v, sizeof v); }
#else
static void put_u32(IxWire *w, uint32_t v)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++) b[i] = (uint8_t)(v >> (8 * i));
    put(w, b, sizeof b);
}

static void put_u64(IxWire *w, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (8 * i));
    put(w, b, sizeof b);
}
#endif

/* A str or bytes value. One longer than a uint32 can say has no encoding at all: an
 * overflow no buffer cures. */
static void put_blob(IxWire *w, int tag, const void *p, size_t n)
{
    if (n > UINT32_MAX) {
        w->overflow = 1;
        return;
    }
    ixw_tag(w, tag);
    put_u32(w, (uint32_t)n);
    put(w, p, n);
}

IX_API void ixw_init(IxWire *w, uint8_t *buf, size_t cap)
{
    w->buf = buf;
    w->cap = cap;
    w->len = 0;
    w->overflow = 0;
}

IX_API void ixw_tag(IxWire *w, int tag)
{
    uint8_t t = (uint8_t)tag;
    put(w, &t, 1);
}

IX_API void ixw_int(IxWire *w, int64_t v)
{
    ixw_tag(w, IXW_INT);
    put_u64(w, (uint64_t)v);
}

IX_API void ixw_float(IxWire *w, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    ixw_tag(w, IXW_FLOAT);
    put_u64(w, bits);
}

IX_API void ixw_str(IxWire *w, const char *s, size_t n)
{
    put_blob(w, IXW_STR, s, n);
}

IX_API void ixw_cstr(IxWire *w, const char *s)
{
    ixw_str(w, s, strlen(s));
}

IX_API void ixw_bytes(IxWire *w, const void *p, size_t n)
{
    put_blob(w, IXW_BYTES, p, n);
}

IX_API void ixw_bigint(IxWire *w, const uint8_t *le_twos_complement, size_t n)
{
    put_blob(w, IXW_BIGINT, le_twos_complement, n);
}

/* An int: IXW_INT when it fits, else its bytes written in place (no copy made first). */
static void put_int(IxWire *w, IxObject *o)
{
    int64_t v = ((IxIntObject *)o)->value;
    if (v != IX_INT_BIG) {
        ixw_int(w, v);
        return;
    }
    size_t n = ix_long_wire_size(o);
    if (n <= 8) { /* INT64_MIN, stored big (ABI.md 3.10), fits IXW_INT */
        ixw_int(w, INT64_MIN);
        return;
    }
    if (n > UINT32_MAX) {
        w->overflow = 1;
        return;
    }
    ixw_tag(w, IXW_BIGINT);
    put_u32(w, (uint32_t)n);
    if (w->overflow || n > w->cap - w->len) {
        w->overflow = 1;
        return;
    }
    if (w->buf) ix_long_wire_write(o, w->buf + w->len, n);
    w->len += n;
}

IX_API void ixw_count(IxWire *w, int tag, uint32_t n)
{
    ixw_tag(w, tag);
    put_u32(w, n);
}

IX_API void ixw_handle(IxWire *w, int64_t handle, const char *type_name)
{
    ix_wire_handle_n(w, handle, type_name, strlen(type_name));
}

void ix_wire_handle_n(IxWire *w, int64_t handle, const char *type_name, size_t n)
{
    ixw_tag(w, IXW_HANDLE);
    put_u64(w, (uint64_t)handle);
    ixw_str(w, type_name, n);
}

/* ---------------------------------------------------------------- encoding */

/* Encoding modes: REAL writes (else only measures, making no handles and taking no
 * references); SHARED admits only what may cross between interpreters (ABI.md 11). */
enum { REAL = 1, SHARED = 2 };

static int encode(IxContext *ctx, IxWire *w, IxObject *o, int depth, int mode);

/* The one message of the nesting limit, for values going either way (ABI.md 12.2): the
 * limit is the host's, whoever made the value. */
static IxObject *too_deep(IxContext *ctx)
{
    return ix_err_format(ctx, IX_EXC_VALUEERROR,
                         "value nested deeper than %d levels, the isolex host's limit (does it contain itself?)",
                         IX_WIRE_MAX_DEPTH);
}

/* Nothing below calls code that could change a container while it is being written
 * (handles are made without running any), so items are read in place. */
static int put_header(IxContext *ctx, IxWire *w, int tag, size_t n, int depth)
{
    if (depth >= IX_WIRE_MAX_DEPTH) {
        too_deep(ctx);
        return -1;
    }
    if (n > UINT32_MAX) {
        ix_err_format(ctx, IX_EXC_VALUEERROR, "%zu items are too many for the wire format", n);
        return -1;
    }
    ixw_count(w, tag, (uint32_t)n);
    return 0;
}

static int encode_items(IxContext *ctx, IxWire *w, int tag, IxObject *const *items, size_t n,
                        int depth, int mode)
{
    if (put_header(ctx, w, tag, n, depth) < 0) return -1;
    for (size_t i = 0; i < n; i++)
        if (encode(ctx, w, items[i], depth + 1, mode) < 0) return -1;
    return 0;
}

static int encode_dict(IxContext *ctx, IxWire *w, IxObject *d, int depth, int mode)
{
    if (put_header(ctx, w, IXW_DICT, ix_dict_size(ctx, d), depth) < 0) return -1;
    size_t pos = 0;
    IxObject *k, *v;
    while (ix_dict_next(ctx, d, &pos, &k, &v))
        if (encode(ctx, w, k, depth + 1, mode) < 0 || encode(ctx, w, v, depth + 1, mode) < 0)
            return -1;
    return 0;
}

static int not_shareable(IxContext *ctx, IxObject *o)
{
    ix_err_format(ctx, IX_EXC_TYPEERROR,
                  "a %s is not shareable: values cross between interpreters as None, bool, int, "
                  "float, str, bytes, buffer, queue, or tuples of these",
                  IX_TYPE(o)->name);
    return -1;
}

/* A buffer or queue crosses by reference: the encoded value owns one (REAL mode). */
static void encode_shared_ref(IxWire *w, int tag, void *ptr, int mode)
{
    if (mode & REAL) {
        if (tag == IXW_BUFFER) ix_shared_incref(ptr);
        else ix_queue_incref(ptr);
    }
    ixw_tag(w, tag);
    put_u64(w, (uint64_t)(uintptr_t)ptr);
}

static int encode_blob(IxContext *ctx, IxWire *w, int tag, const void *p, size_t n)
{
    if (n > UINT32_MAX) {
        ix_err_format(ctx, IX_EXC_VALUEERROR, "%s of %zu bytes is too long for the wire format",
                      tag == IXW_STR ? "str" : "bytes", n);
        return -1;
    }
    put_blob(w, tag, p, n);
    return 0;
}

/* One value. The measuring pass makes no handles: a handle's size does not depend on its
 * id. */
static int encode(IxContext *ctx, IxWire *w, IxObject *o, int depth, int mode)
{
    if (o == IX_BUILTIN(ctx, IX_NONE)) {
        ixw_tag(w, IXW_NONE);
    } else if (IX_IS(ctx, o, IX_TYPE_BOOL)) {
        ixw_tag(w, ((IxIntObject *)o)->value ? IXW_TRUE : IXW_FALSE);
    } else if (IX_IS(ctx, o, IX_TYPE_INT)) {
        put_int(w, o);
    } else if (IX_IS(ctx, o, IX_TYPE_FLOAT)) {
        ixw_float(w, ((IxFloatObject *)o)->value);
    } else if (IX_IS_STR(ctx, o)) { /* a str subtype's instance is a str: a String (5.55) */
        IxStrObject *s = (IxStrObject *)o;
        return encode_blob(ctx, w, IXW_STR, s->data, s->len);
    } else if (IX_IS(ctx, o, IX_TYPE_BYTES)) {
        IxBytesObject *b = (IxBytesObject *)o;
        return encode_blob(ctx, w, IXW_BYTES, b->data, b->len);
    } else if (IX_IS(ctx, o, IX_TYPE_TUPLE)) {
        IxTupleObject *t = (IxTupleObject *)o;
        return encode_items(ctx, w, IXW_TUPLE, t->items, t->len, depth, mode);
    } else if (IX_IS(ctx, o, IX_TYPE_BUFFER)) {
        encode_shared_ref(w, IXW_BUFFER, ix_shared_of(o), mode);
    } else if (IX_IS(ctx, o, IX_TYPE_QUEUE)) {
        encode_shared_ref(w, IXW_QUEUE, ix_queue_of(o), mode);
    } else if (mode & SHARED) {
        return not_shareable(ctx, o);
    } else if (IX_IS(ctx, o, IX_TYPE_LIST)) {
        IxListObject *l = (IxListObject *)o;
        return encode_items(ctx, w, IXW_LIST, l->items, l->len, depth, mode);
    } else if (IX_IS(ctx, o, IX_TYPE_DICT)) {
        return encode_dict(ctx, w, o, depth, mode);
    } else {
        int64_t h = 0;
        if ((mode & REAL) && (h = ix_handle_new(ctx, o)) < 0) return -1;
        ixw_handle(w, h, IX_TYPE(o)->name);
    }
    return 0;
}

/* Measure first, then write: a value that does not fit writes nothing and makes no
 * handles, so nothing is left to undo for a reply the caller never sees. A writer without
 * a buffer only measures: the writing pass makes handles and takes buffer and queue
 * references, which only a reader of the bytes can own. */
/* None, a bool, an int64 or a float: at most 9 bytes, owning nothing (a call's usual reply). */
static bool is_scalar(IxContext *ctx, IxObject *o)
{
    return o == IX_BUILTIN(ctx, IX_NONE) || IX_IS(ctx, o, IX_TYPE_BOOL) || IX_IS(ctx, o, IX_TYPE_FLOAT) ||
           (IX_IS(ctx, o, IX_TYPE_INT) && ((IxIntObject *)o)->value != IX_INT_BIG);
}

int ix_wire_encode(IxContext *ctx, IxWire *w, IxObject *o)
{
    /* A scalar that fits is written at once: it cannot fail half-way, so it needs no
     * measuring pass (ABI 1.3, issue 13: the pass was ~50 instructions of a call's reply). */
    if (w->buf && !w->overflow && w->cap - w->len >= 9 && is_scalar(ctx, o)) return encode(ctx, w, o, 0, REAL);
    IxWire probe;
    ixw_init(&probe, NULL, SIZE_MAX);
    if (encode(ctx, &probe, o, 0, 0) < 0) return -1;
    if (w->overflow || probe.overflow || probe.len > w->cap - w->len) {
        w->overflow = 1;
        return 0;
    }
    if (!w->buf) {
        w->len += probe.len;
        return 0;
    }
    return encode(ctx, w, o, 0, REAL);
}

int64_t ix_wire_measure(IxContext *ctx, IxObject *o)
{
    IxWire probe;
    ixw_init(&probe, NULL, SIZE_MAX);
    return encode(ctx, &probe, o, 0, 0) < 0 ? -1 : (int64_t)probe.len;
}

int ix_wire_encode_shared(IxContext *ctx, IxObject *o, uint8_t **data, size_t *len)
{
    IxWire w;
    ixw_init(&w, NULL, SIZE_MAX);
    if (encode(ctx, &w, o, 0, SHARED) < 0) return -1;
    uint8_t *buf = ix_host_alloc(w.len ? w.len : 1);
    if (!buf) {
        ix_err_no_memory(ctx);
        return -1;
    }
    size_t n = w.len;
    ixw_init(&w, buf, n);
    encode(ctx, &w, o, 0, SHARED | REAL); /* cannot fail: the measuring pass did not */
    *data = buf;
    *len = n;
    return 0;
}

/* Walk encoded values and take (delta 1) or let go of (delta -1) what they own: handles
 * (released through ctx, when given), buffer and queue references. The format is a flat
 * pre-order sequence of tagged items, so a linear walk by tag finds every one. */
static void walk_refs(IxContext *ctx, const uint8_t *p, size_t len, int delta)
{
    for (size_t i = 0; i < len;) {
        uint8_t tag = p[i];
        uint64_t word = 0;
        if (i + 9 <= len) memcpy(&word, p + i + 1, 8);
        switch (tag) {
        case IXW_HANDLE:
            if (ctx && delta < 0) ix_handle_release(ctx, (int64_t)word);
            i += 9;
            break;
        case IXW_BUFFER:
            if (delta > 0) ix_shared_incref((IxShared *)(uintptr_t)word);
            else ix_shared_decref((IxShared *)(uintptr_t)word);
            i += 9;
            break;
        case IXW_QUEUE:
            if (delta > 0) ix_queue_incref((IxQueue *)(uintptr_t)word);
            else ix_queue_decref((IxQueue *)(uintptr_t)word);
            i += 9;
            break;
        case IXW_INT:
        case IXW_FLOAT: i += 9; break;
        case IXW_STR:
        case IXW_BYTES:
        case IXW_BIGINT: {
            uint32_t n = 0;
            if (i + 5 <= len) memcpy(&n, p + i + 1, 4);
            i += 5 + (size_t)n;
            break;
        }
        case IXW_TUPLE:
        case IXW_LIST:
        case IXW_DICT: i += 5; break;
        default: i += 1; break;
        }
    }
}

void ix_wire_release(IxContext *ctx, const uint8_t *p, size_t len)
{
    walk_refs(ctx, p, len, -1);
}

void ix_wire_release_shared(const uint8_t *p, size_t len)
{
    walk_refs(NULL, p, len, -1);
}

void ix_wire_retain_shared(const uint8_t *p, size_t len)
{
    walk_refs(NULL, p, len, 1);
}

/* Is p[*pos..] one well-formed shareable value (an embedder's, to be queued)? */
static bool check_shared(const uint8_t *p, size_t len, size_t *pos, int depth)
{
    if (*pos >= len || depth > IX_WIRE_MAX_DEPTH) return false;
    uint8_t tag = p[(*pos)++];
    uint32_t n;
    switch (tag) {
    case IXW_NONE:
    case IXW_FALSE:
    case IXW_TRUE: return true;
    case IXW_INT:
    case IXW_FLOAT:
    case IXW_BUFFER:
    case IXW_QUEUE:
        if (len - *pos < 8) return false;
        *pos += 8;
        return true;
    case IXW_STR:
    case IXW_BYTES:
    case IXW_BIGINT:
        if (len - *pos < 4) return false;
        memcpy(&n, p + *pos, 4);
        *pos += 4;
        if (len - *pos < n || (tag == IXW_STR && !ix_utf8_valid((const char *)p + *pos, n))) return false;
        if (tag == IXW_BIGINT && !ix_long_wire_canonical(p + *pos, n)) return false;
        *pos += n;
        return true;
    case IXW_TUPLE:
        /* the same limit decoding has: a tuple at depth 64 is refused even when empty */
        if (depth >= IX_WIRE_MAX_DEPTH || len - *pos < 4) return false;
        memcpy(&n, p + *pos, 4);
        *pos += 4;
        for (uint32_t i = 0; i < n; i++)
            if (!check_shared(p, len, pos, depth + 1)) return false;
        return true;
    default: return false;
    }
}

bool ix_wire_check_shared(const uint8_t *p, size_t len)
{
    size_t pos = 0;
    return check_shared(p, len, &pos, 0) && pos == len;
}

/* The exception, then its cause (else its context: ABI.md 6.7), and so on: a chain ends
 * in IXW_NONE, and is cut there after a bounded number of links (a chain may loop). */
#define MAX_CAUSES 16

void ix_wire_exception(IxContext *ctx, IxWire *w, IxObject *exc)
{
    for (int i = 0; exc && i < MAX_CAUSES; i++) {
        IxTypeObject *t = IX_TYPE(exc);
        IxExceptionObject *e = (t->flags & IX_TF_EXCEPTION) ? (IxExceptionObject *)exc : NULL;
        IxObject *msg = e ? e->message : NULL;
        ixw_tag(w, IXW_EXCEPTION);
        ixw_cstr(w, t->name);
        if (msg && IX_IS(ctx, msg, IX_TYPE_STR))
            ixw_str(w, ((IxStrObject *)msg)->data, ((IxStrObject *)msg)->len);
        else
            ixw_str(w, "", 0);
        exc = e ? ix_exception_next(exc) : NULL;
    }
    ixw_tag(w, IXW_NONE);
}

/* ---------------------------------------------------------------- decoding */

typedef struct Reader {
    const uint8_t *buf;
    size_t len, pos;
} Reader;

static IxObject *malformed(IxContext *ctx, size_t at)
{
    return ix_err_format(ctx, IX_EXC_VALUEERROR, "malformed wire data at byte %zu", at);
}

/* The next n bytes, or NULL with the error set when the input ends first. */
static const uint8_t *take(IxContext *ctx, Reader *r, size_t n)
{
    if (n > r->len - r->pos) {
        malformed(ctx, r->pos);
        return NULL;
    }
    const uint8_t *p = r->buf + r->pos;
    r->pos += n;
    return p;
}

/* Little-endian, any alignment: on such a host the bytes are the value (as put_u32), else
 * assembled byte by byte (gcc did not fold the loop: 79 instructions a read_u64). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define READ_LE(p, v) memcpy((v), (p), sizeof *(v))
#else
#define READ_LE(p, v)                                                       \
    do {                                                                    \
        *(v) = 0;                                                           \
        for (size_t i_ = 0; i_ < sizeof *(v); i_++) *(v) |= (__typeof__(*(v)))(p)[i_] << (8 * i_); \
    } while (0)
#endif

static bool read_u32(IxContext *ctx, Reader *r, uint32_t *v)
{
    const uint8_t *p = take(ctx, r, 4);
    if (!p) return false;
    READ_LE(p, v);
    return true;
}

static bool read_u64(IxContext *ctx, Reader *r, uint64_t *v)
{
    const uint8_t *p = take(ctx, r, 8);
    if (!p) return false;
    READ_LE(p, v);
    return true;
}

/* A uint32 length and that many bytes. */
static const uint8_t *read_blob(IxContext *ctx, Reader *r, uint32_t *n)
{
    return read_u32(ctx, r, n) ? take(ctx, r, *n) : NULL;
}

/* An item count. Every value takes at least one byte, so a count the rest of the input
 * cannot hold is refused before anything is allocated for it. */
static bool read_count(IxContext *ctx, Reader *r, size_t bytes_per_item, size_t *n)
{
    size_t at = r->pos;
    uint32_t v;
    if (!read_u32(ctx, r, &v)) return false;
    if (v > (r->len - r->pos) / bytes_per_item) {
        malformed(ctx, at);
        return false;
    }
    *n = v;
    return true;
}

static IxObject *decode(IxContext *ctx, Reader *r, int depth);

static IxObject *decode_tuple(IxContext *ctx, Reader *r, int depth)
{
    size_t n;
    if (!read_count(ctx, r, 1, &n)) return NULL;
    if (n == 0) return ix_tuple_from_array(ctx, NULL, 0); /* the shared empty tuple */
    IxObject *t = ix_tuple_new_uninit(ctx, n);
    if (!t) return NULL;
    for (size_t i = 0; i < n; i++) {
        IxObject *item = decode(ctx, r, depth + 1);
        if (!item) {
            IX_DECREF(ctx, t); /* the items not yet set are NULL */
            return NULL;
        }
        ((IxTupleObject *)t)->items[i] = item;
    }
    return t;
}

static IxObject *decode_list(IxContext *ctx, Reader *r, int depth)
{
    size_t n;
    if (!read_count(ctx, r, 1, &n)) return NULL;
    IxObject *l = ix_list_new(ctx);
    if (!l) return NULL;
    for (size_t i = 0; i < n; i++) {
        IxObject *item = decode(ctx, r, depth + 1);
        int rc = item ? ix_list_append(ctx, l, item) : -1;
        IX_XDECREF(ctx, item);
        if (rc < 0) {
            IX_DECREF(ctx, l);
            return NULL;
        }
    }
    return l;
}

static IxObject *decode_dict(IxContext *ctx, Reader *r, int depth)
{
    size_t n;
    if (!read_count(ctx, r, 2, &n)) return NULL;
    IxObject *d = ix_dict_new(ctx);
    if (!d) return NULL;
    for (size_t i = 0; i < n; i++) {
        IxObject *k = decode(ctx, r, depth + 1);
        IxObject *v = k ? decode(ctx, r, depth + 1) : NULL;
        int rc = v ? ix_dict_setitem(ctx, d, k, v) : -1; /* an unhashable key fails here */
        IX_XDECREF(ctx, k);
        IX_XDECREF(ctx, v);
        if (rc < 0) {
            IX_DECREF(ctx, d);
            return NULL;
        }
    }
    return d;
}

/* The id decides; the type name after it is for readers of the wire and is skipped. */
static IxObject *decode_handle(IxContext *ctx, Reader *r)
{
    uint64_t id;
    if (!read_u64(ctx, r, &id)) return NULL;
    size_t at = r->pos;
    const uint8_t *tag = take(ctx, r, 1);
    if (!tag) return NULL;
    if (*tag != IXW_STR) return malformed(ctx, at);
    uint32_t n;
    if (!read_blob(ctx, r, &n)) return NULL;
    IxObject *o = ix_handle_get(ctx, (int64_t)id);
    if (o) IX_INCREF(o);
    return o;
}

static IxObject *decode_blob(IxContext *ctx, Reader *r, int tag)
{
    uint32_t n;
    const uint8_t *p = read_blob(ctx, r, &n);
    if (!p) return NULL;
    return tag == IXW_STR ? ix_str_from_utf8(ctx, (const char *)p, n)
                          : ix_bytes_from_data(ctx, p, n);
}

/* Only the one form libisolex writes (ABI.md 12.5), so a value decoded and encoded again
 * is the same bytes, and a queue holds each int one way. */
static IxObject *decode_bigint(IxContext *ctx, Reader *r)
{
    size_t at = r->pos;
    uint32_t n;
    const uint8_t *p = read_blob(ctx, r, &n);
    if (!p) return NULL;
    if (!ix_long_wire_canonical(p, n)) return malformed(ctx, at);
    return ix_long_from_bytes(ctx, p, n, 1, 1);
}

static IxObject *decode_scalar(IxContext *ctx, Reader *r, int tag)
{
    uint64_t bits;
    if (!read_u64(ctx, r, &bits)) return NULL;
    if (tag == IXW_INT) return ix_long_from_int64(ctx, (int64_t)bits);
    double d;
    memcpy(&d, &bits, sizeof d);
    return ix_float_from_double(ctx, d);
}

static IxObject *decode(IxContext *ctx, Reader *r, int depth)
{
    size_t at = r->pos;
    const uint8_t *tag = take(ctx, r, 1);
    if (!tag) return NULL;
    switch (*tag) {
    case IXW_NONE: {
        IxObject *none = IX_BUILTIN(ctx, IX_NONE);
        IX_INCREF(none);
        return none;
    }
    case IXW_FALSE:
    case IXW_TRUE: return ix_bool_from_int(ctx, *tag == IXW_TRUE);
    case IXW_INT:
    case IXW_FLOAT: return decode_scalar(ctx, r, *tag);
    case IXW_STR:
    case IXW_BYTES: return decode_blob(ctx, r, *tag);
    case IXW_BIGINT: return decode_bigint(ctx, r);
    case IXW_HANDLE: return decode_handle(ctx, r);
    case IXW_BUFFER:
    case IXW_QUEUE: {
        uint64_t ptr;
        if (!read_u64(ctx, r, &ptr)) return NULL;
        return *tag == IXW_BUFFER ? ix_buffer_object(ctx, (IxShared *)(uintptr_t)ptr)
                                  : ix_queue_object(ctx, (IxQueue *)(uintptr_t)ptr);
    }
    case IXW_TUPLE:
    case IXW_LIST:
    case IXW_DICT:
        if (depth >= IX_WIRE_MAX_DEPTH) return too_deep(ctx);
        return *tag == IXW_TUPLE ? decode_tuple(ctx, r, depth)
             : *tag == IXW_LIST  ? decode_list(ctx, r, depth)
                                 : decode_dict(ctx, r, depth);
    }
    return malformed(ctx, at); /* an unknown tag, or IXW_EXCEPTION where a value belongs */
}

/* On success *pos moves past the value; on failure it stays. */
IxObject *ix_wire_decode(IxContext *ctx, const uint8_t *buf, size_t len, size_t *pos)
{
    if (*pos > len) return malformed(ctx, *pos);
    Reader r = {buf, len, *pos};
    IxObject *o = decode(ctx, &r, 0);
    if (o) *pos = r.pos;
    return o;
}
