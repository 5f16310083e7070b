/*
 * str.c -- str (always valid UTF-8) and bytes, and the byte hash they share.
 *
 * Both are immutable and variable-size: the bytes live in the object, after the header,
 * NUL-terminated so C code can use them as strings. UTF-8 is checked once, when a str is
 * made, so everything downstream (the wire, Java) can trust it. Byte order of UTF-8 is
 * code point order, so comparing bytes compares strings.
 */
#include <stdio.h>
#include <string.h>

#include "ix_internal.h"

/* ---------------------------------------------------------------- hashing */

/* FNV-1a, 64-bit. dict.c hashes a C string with this to find a str key without making a
 * str, so a str's hash must be exactly this function of its bytes. */
int64_t ix_hash_bytes(const void *p, size_t n)
{
    const uint8_t *s = p;
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211u;
    }
    int64_t r = (int64_t)h;
    return r == -1 ? -2 : r;
}

static int64_t cached_hash(int64_t *slot, const void *p, size_t n)
{
    if (*slot == -1) *slot = ix_hash_bytes(p, n);
    return *slot;
}

/* ---------------------------------------------------------------- UTF-8 */

/* Length of the well-formed UTF-8 sequence at s[0..n), or 0. The bounds on the second
 * byte rule out overlong forms (after E0, F0), surrogates (after ED) and code points
 * past U+10FFFF (after F4). */
static size_t utf8_seq(const uint8_t *s, size_t n)
{
    uint8_t c = s[0], lo = 0x80, hi = 0xBF;
    size_t len;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    return len;
}

/* Offset of the first byte that does not start a well-formed sequence, or n. ASCII, most
 * text and every attribute name, is skipped 8 bytes at a time (ABI 1.3: a third of making a
 * type's dict went here). */
static size_t utf8_error_at(const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0, k;
    while (i < n) {
        uint64_t w;
        while (i + 8 <= n && (memcpy(&w, p + i, 8), !(w & 0x8080808080808080ull))) i += 8;
        while (i < n && p[i] < 0x80) i++;
        if (i == n || !(k = utf8_seq(p + i, n - i))) break;
        i += k;
    }
    return i;
}

bool ix_utf8_valid(const char *s, size_t n)
{
    return utf8_error_at(s, n) == n;
}

static bool check_utf8(IxContext *ctx, const char *s, size_t n)
{
    size_t at = utf8_error_at(s, n);
    if (at == n) return true;
    ix_err_format(ctx, IX_EXC_VALUEERROR, "invalid UTF-8 at byte %zu", at);
    return false;
}

/* ---------------------------------------------------------------- allocation */

/* An object of `header` bytes followed by n bytes and a NUL (zeroed, so the NUL is there). */
static IxObject *alloc_var(IxContext *ctx, uint32_t type_id, size_t header, size_t n)
{
    if (n > SIZE_MAX - header - 1) {
        ix_err_no_memory(ctx);
        return NULL;
    }
    return ix_builtin_alloc(ctx, type_id, header + n + 1);
}

/* A str of n bytes for the caller to fill with valid UTF-8. */
static IxStrObject *str_new(IxContext *ctx, size_t n)
{
    IxStrObject *o = (IxStrObject *)alloc_var(ctx, IX_TYPE_STR, sizeof(IxStrObject), n);
    if (o) {
        o->hash = -1;
        o->len = n;
    }
    return o;
}

static IxBytesObject *bytes_new(IxContext *ctx, size_t n)
{
    IxBytesObject *o = (IxBytesObject *)alloc_var(ctx, IX_TYPE_BYTES, sizeof(IxBytesObject), n);
    if (o) {
        o->hash = -1;
        o->len = n;
    }
    return o;
}

/* ---------------------------------------------------------------- str */

/* interp.c makes the shared empty str through here, while empty_str is still NULL. */
IxObject *ix_str_from_utf8(IxContext *ctx, const char *s, size_t n)
{
    IxObject *empty = IX_INTERP(ctx)->empty_str;
    if (n == 0 && empty) {
        IX_INCREF(empty);
        return empty;
    }
    if (!check_utf8(ctx, s, n)) return NULL;
    IxStrObject *o = str_new(ctx, n);
    if (!o) return NULL;
    if (n) memcpy(o->data, s, n);
    return &o->ob_base;
}

IxObject *ix_str_from_cstr(IxContext *ctx, const char *s)
{
    return ix_str_from_utf8(ctx, s, strlen(s));
}

/* Short results are formatted on the stack; a long one is formatted a second time,
 * straight into a str of the size the first attempt reported. Each pass gets its own
 * copy of va, so the caller's list is never consumed. */
IxObject *ix_str_from_formatv(IxContext *ctx, const char *fmt, va_list va)
{
    char small[256];
    va_list ap;
    va_copy(ap, va);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        ix_err_set(ctx, IX_EXC_SYSTEMERROR, "string formatting failed");
        return NULL;
    }
    if ((size_t)n < sizeof small) return ix_str_from_utf8(ctx, small, (size_t)n);
    IxStrObject *o = str_new(ctx, (size_t)n);
    if (!o) return NULL;
    va_copy(ap, va);
    vsnprintf(o->data, (size_t)n + 1, fmt, ap);
    va_end(ap);
    if (!check_utf8(ctx, o->data, o->len)) {
        IX_DECREF(ctx, o);
        return NULL;
    }
    return &o->ob_base;
}

IxObject *ix_str_from_format(IxContext *ctx, const char *fmt, ...)
{
    va_list va;
    va_start(va, fmt);
    IxObject *r = ix_str_from_formatv(ctx, fmt, va);
    va_end(va);
    return r;
}

const char *ix_str_as_utf8(IxContext *ctx, IxObject *o, size_t *len)
{
    if (!IX_IS_STR(ctx, o)) {
        ix_err_wrong_type(ctx, "str", o);
        return NULL;
    }
    IxStrObject *s = (IxStrObject *)o;
    if (len) *len = s->len;
    return s->data;
}

/* `str` must be a str: callers have checked, this has no context to report with. */
bool ix_str_eq_cstr(IxObject *str, const char *s, size_t n)
{
    IxStrObject *o = (IxStrObject *)str;
    return o->len == n && memcmp(o->data, s, n) == 0;
}

/* ---------------------------------------------------------------- bytes */

IxObject *ix_bytes_from_data(IxContext *ctx, const void *p, size_t n)
{
    IxBytesObject *o = bytes_new(ctx, n);
    if (!o) return NULL;
    if (n) memcpy(o->data, p, n);
    return &o->ob_base;
}

const uint8_t *ix_bytes_as_data(IxContext *ctx, IxObject *o, size_t *len)
{
    if (!IX_IS(ctx, o, IX_TYPE_BYTES)) {
        ix_err_wrong_type(ctx, "bytes", o);
        return NULL;
    }
    IxBytesObject *b = (IxBytesObject *)o;
    if (len) *len = b->len;
    return b->data;
}

/* ---------------------------------------------------------------- repr */

static void emit(char *out, size_t *len, char c)
{
    if (out) out[*len] = c;
    (*len)++;
}

/* The two-character escape of c, or NULL. */
static const char *escape_of(uint8_t c)
{
    switch (c) {
    case '\\': return "\\\\";
    case '\'': return "\\'";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    }
    return NULL;
}

/* p[0..n) in single quotes with escapes, written to out when it is not NULL; returns the
 * length either way, so one function both measures and writes. bytes escape everything
 * but printable ASCII; a str keeps its other characters except the C0/C1 controls. */
static size_t quote(const uint8_t *p, size_t n, bool bytes, char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t len = 0;
    emit(out, &len, '\'');
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        const char *esc = escape_of(c);
        if (esc) {
            emit(out, &len, esc[0]);
            emit(out, &len, esc[1]);
            continue;
        }
        if (!bytes && c == 0xC2 && i + 1 < n && p[i + 1] <= 0x9F) {
            c = p[++i]; /* U+0080..U+009F, a C1 control: \x80..\x9f */
        } else if ((c >= 0x20 && c < 0x7F) || (!bytes && c >= 0x80)) {
            emit(out, &len, (char)c);
            continue;
        }
        emit(out, &len, '\\');
        emit(out, &len, 'x');
        emit(out, &len, hex[c >> 4]);
        emit(out, &len, hex[c & 15]);
    }
    emit(out, &len, '\'');
    return len;
}

/* The result is printable ASCII plus whole UTF-8 sequences of a valid str: valid UTF-8. */
static IxObject *quoted(IxContext *ctx, const char *prefix, const void *p, size_t n, bool bytes)
{
    size_t plen = strlen(prefix), qlen = quote(p, n, bytes, NULL);
    IxStrObject *o = str_new(ctx, plen + qlen);
    if (!o) return NULL;
    memcpy(o->data, prefix, plen);
    quote(p, n, bytes, o->data + plen);
    return &o->ob_base;
}

/* ---------------------------------------------------------------- slots */

/* Bytewise order, the shorter first on a common prefix. */
static IxObject *compare_bytes(IxContext *ctx, const void *a, size_t na, const void *b,
                               size_t nb, int op)
{
    size_t n = na < nb ? na : nb;
    int c = n ? memcmp(a, b, n) : 0;
    if (c == 0) c = (na > nb) - (na < nb);
    return ix_bool_from_cmp(ctx, c, op);
}

static IxObject *str_repr(IxContext *ctx, IxObject *self)
{
    IxStrObject *s = (IxStrObject *)self;
    return quoted(ctx, "", s->data, s->len, false);
}

static IxObject *str_str(IxContext *ctx, IxObject *self)
{
    IX_INCREF(self);
    return self;
}

static int64_t str_hash(IxContext *ctx, IxObject *self)
{
    IxStrObject *s = (IxStrObject *)self;
    return cached_hash(&s->hash, s->data, s->len);
}

static IxObject *str_richcompare(IxContext *ctx, IxObject *a, IxObject *b, int op)
{
    if (!IX_IS_STR(ctx, a) || !IX_IS_STR(ctx, b)) return ix_not_implemented(ctx);
    IxStrObject *x = (IxStrObject *)a, *y = (IxStrObject *)b;
    return compare_bytes(ctx, x->data, x->len, y->data, y->len, op);
}

static int str_bool(IxContext *ctx, IxObject *self)
{
    return ((IxStrObject *)self)->len != 0;
}

static IxObject *bytes_repr(IxContext *ctx, IxObject *self)
{
    IxBytesObject *b = (IxBytesObject *)self;
    return quoted(ctx, "b", b->data, b->len, true);
}

static int64_t bytes_hash(IxContext *ctx, IxObject *self)
{
    IxBytesObject *b = (IxBytesObject *)self;
    return cached_hash(&b->hash, b->data, b->len);
}

static IxObject *bytes_richcompare(IxContext *ctx, IxObject *a, IxObject *b, int op)
{
    if (!IX_IS(ctx, a, IX_TYPE_BYTES) || !IX_IS(ctx, b, IX_TYPE_BYTES))
        return ix_not_implemented(ctx);
    IxBytesObject *x = (IxBytesObject *)a, *y = (IxBytesObject *)b;
    return compare_bytes(ctx, x->data, x->len, y->data, y->len, op);
}

static int bytes_bool(IxContext *ctx, IxObject *self)
{
    return ((IxBytesObject *)self)->len != 0;
}

static const IxTypeSlot str_slots[] = {
    {IX_tp_repr, (void *)str_repr},
    {IX_tp_str, (void *)str_str},
    {IX_tp_hash, (void *)str_hash},
    {IX_tp_richcompare, (void *)str_richcompare},
    IX_TYPE_SLOTS_END,
};

static const IxTypeSlot bytes_slots[] = {
    {IX_tp_repr, (void *)bytes_repr},
    {IX_tp_hash, (void *)bytes_hash},
    {IX_tp_richcompare, (void *)bytes_richcompare},
    IX_TYPE_SLOTS_END,
};

const IxBuiltinTypeDef ix_str_typedef = {
    .id = IX_TYPE_STR, .name = "str", .basic_size = sizeof(IxStrObject),
    .base_id = UINT32_MAX, .slots = str_slots, .tp_bool = str_bool,
};

const IxBuiltinTypeDef ix_bytes_typedef = {
    .id = IX_TYPE_BYTES, .name = "bytes", .basic_size = sizeof(IxBytesObject),
    .base_id = UINT32_MAX, .slots = bytes_slots, .tp_bool = bytes_bool,
};
