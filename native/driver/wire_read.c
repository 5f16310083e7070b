/*
 * wire_read.c -- reading the wire format back (see wire_read.h).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "isolex_host.h"
#include "wire_read.h"

/* Deeper than the library ever writes (IX_WIRE_MAX_DEPTH is 64), so legal data passes
 * and a malformed self-nesting run cannot exhaust the stack. */
#define READ_MAX_DEPTH 100

void ixd_reader_init(IxdReader *r, const uint8_t *buf, size_t len)
{
    r->buf = buf;
    r->len = len;
    r->pos = 0;
    r->bad = 0;
}

/* n bytes at the cursor, or NULL (and bad) when they are not all there. */
static const uint8_t *take(IxdReader *r, size_t n)
{
    const uint8_t *p;
    if (r->bad || n > r->len - r->pos) {
        r->bad = 1;
        return NULL;
    }
    p = r->buf + r->pos;
    r->pos += n;
    return p;
}

/* Little-endian, byte by byte: independent of the host's byte order and alignment. */
static uint64_t take_le(IxdReader *r, size_t n)
{
    const uint8_t *p = take(r, n);
    uint64_t v = 0;
    if (!p) return 0;
    while (n--) v = (v << 8) | p[n];
    return v;
}

static uint32_t take_u32(IxdReader *r) { return (uint32_t)take_le(r, 4); }
static int64_t take_i64(IxdReader *r) { return (int64_t)take_le(r, 8); }

int ixd_read_tag(IxdReader *r)
{
    const uint8_t *p = take(r, 1);
    return p ? *p : -1;
}

static void expect_tag(IxdReader *r, int tag)
{
    if (ixd_read_tag(r) != tag) r->bad = 1;
}

int64_t ixd_read_int(IxdReader *r)
{
    expect_tag(r, IXW_INT);
    return take_i64(r);
}

uint32_t ixd_read_count(IxdReader *r, int tag)
{
    expect_tag(r, tag);
    return take_u32(r);
}

/* Payload of a str or bytes value (after its tag). */
static const char *take_chars(IxdReader *r, uint32_t *n)
{
    uint32_t len = take_u32(r);
    const uint8_t *p = take(r, len);
    *n = p ? len : 0;
    return p ? (const char *)p : "";
}

const char *ixd_read_str(IxdReader *r, uint32_t *n)
{
    expect_tag(r, IXW_STR);
    return take_chars(r, n);
}

int64_t ixd_read_handle(IxdReader *r, char *type, size_t cap)
{
    int64_t h;
    uint32_t n;
    const char *s;
    expect_tag(r, IXW_HANDLE);
    h = take_i64(r);
    s = ixd_read_str(r, &n);
    snprintf(type, cap, "%.*s", (int)n, s);
    return r->bad ? 0 : h;
}

/* ---------------------------------------------------------------- formatting */

/* Text being built in a caller's buffer; appends past the end are dropped. */
typedef struct Text {
    char *p;
    size_t cap, len;
} Text;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void put(Text *t, const char *fmt, ...)
{
    va_list va;
    int n;
    if (t->len + 1 >= t->cap) return;
    va_start(va, fmt);
    n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, va);
    va_end(va);
    if (n > 0) t->len += (size_t)n < t->cap - t->len ? (size_t)n : t->cap - t->len - 1;
}

static void put_bytes(Text *t, const char *s, uint32_t n)
{
    uint32_t i;
    put(t, "b'");
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\')
            put(t, "%c", c);
        else
            put(t, "\\x%02x", c);
    }
    put(t, "'");
}

static void put_value(IxdReader *r, Text *t, int depth);

/* count items (or key/value pairs) between open and close */
static void put_items(IxdReader *r, Text *t, int depth, const char *open,
                      const char *close, int pairs)
{
    uint32_t i, n = take_u32(r);
    put(t, "%s", open);
    for (i = 0; i < n && !r->bad; i++) {
        if (i) put(t, ", ");
        put_value(r, t, depth + 1);
        if (pairs) {
            put(t, ": ");
            put_value(r, t, depth + 1);
        }
    }
    if (n == 1 && !pairs && strcmp(open, "(") == 0) put(t, ",");
    put(t, "%s", close);
}

/* The payload of an exception: type, message, then None or the cause. */
static void put_exception(IxdReader *r, Text *t, int depth)
{
    uint32_t n;
    const char *s = ixd_read_str(r, &n);
    put(t, "%.*s: ", (int)n, s);
    s = ixd_read_str(r, &n);
    put(t, "%.*s", (int)n, s);
    switch (ixd_read_tag(r)) {
    case IXW_NONE:
        break;
    case IXW_EXCEPTION:
        put(t, " <- ");
        if (depth < READ_MAX_DEPTH) put_exception(r, t, depth + 1); else r->bad = 1;
        break;
    default:
        r->bad = 1;
    }
}

static void put_value(IxdReader *r, Text *t, int depth)
{
    uint32_t n;
    const char *s;
    if (depth > READ_MAX_DEPTH) {
        r->bad = 1;
        return;
    }
    switch (ixd_read_tag(r)) {
    case IXW_NONE: put(t, "None"); break;
    case IXW_FALSE: put(t, "False"); break;
    case IXW_TRUE: put(t, "True"); break;
    case IXW_INT: put(t, "%" PRId64, take_i64(r)); break;
    case IXW_FLOAT: {
        uint64_t bits = take_le(r, 8);
        double d;
        memcpy(&d, &bits, sizeof d);
        put(t, "%.17g", d);
        break;
    }
    case IXW_STR:
        s = take_chars(r, &n);
        put(t, "'%.*s'", (int)n, s);
        break;
    case IXW_BYTES:
        s = take_chars(r, &n);
        put_bytes(t, s, n);
        break;
    case IXW_BIGINT: /* its bytes, most significant first, in hex: 0x010000000000000000 */
        s = take_chars(r, &n);
        put(t, "0x");
        for (uint32_t i = n; s && i-- > 0;) put(t, "%02x", (unsigned)(uint8_t)s[i]);
        break;
    case IXW_TUPLE: put_items(r, t, depth, "(", ")", 0); break;
    case IXW_LIST: put_items(r, t, depth, "[", "]", 0); break;
    case IXW_DICT: put_items(r, t, depth, "{", "}", 1); break;
    case IXW_HANDLE: {
        int64_t h = take_i64(r);
        s = ixd_read_str(r, &n);
        put(t, "<handle %" PRId64 ": %.*s>", h, (int)n, s);
        break;
    }
    case IXW_EXCEPTION: put_exception(r, t, depth); break;
    default: r->bad = 1;
    }
}

const char *ixd_wire_text(IxdReader *r, char *out, size_t cap)
{
    Text t = { out, cap, 0 };
    out[0] = '\0';
    put_value(r, &t, 0);
    if (r->bad) snprintf(out, cap, "<malformed wire data at byte %zu>", r->pos);
    return out;
}
