/*
 * fuzz_common.c -- see fuzz_common.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "wire_read.h"

uint8_t fz_u8(FzIn *in)
{
    if (!in->n) return 0;
    in->n--;
    return *in->p++;
}

static uint64_t fz_le(FzIn *in, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) v |= (uint64_t)fz_u8(in) << (8 * i);
    return v;
}

uint16_t fz_u16(FzIn *in) { return (uint16_t)fz_le(in, 2); }
uint32_t fz_u32(FzIn *in) { return (uint32_t)fz_le(in, 4); }
uint64_t fz_u64(FzIn *in) { return fz_le(in, 8); }

const uint8_t *fz_bytes(FzIn *in, size_t n, size_t *got)
{
    const uint8_t *p = in->p;
    *got = n < in->n ? n : in->n;
    in->p += *got;
    in->n -= *got;
    return p;
}

void fz_fail(const char *fmt, ...)
{
    va_list va;
    va_start(va, fmt);
    fputs("isolex fuzz: ", stderr);
    vfprintf(stderr, fmt, va);
    fputc('\n', stderr);
    va_end(va);
    abort();
}

/* ---------------------------------------------------------------- shared objects */

void fz_shared_new(FzShared *s)
{
    static const uint8_t one[] = {IXW_INT, 1, 0, 0, 0, 0, 0, 0, 0};
    for (int i = 0; i < FZ_NSHARED; i++) {
        s->buffers[i] = ixh_buffer_new(i ? 64 : 0);
        s->queues[i] = ixh_queue_new(i);
        if (!s->buffers[i] || !s->queues[i]) fz_fail("out of memory for the shared objects");
    }
    /* a queued item: dropping the queue with it still inside is a path too */
    if (ixh_queue_put(s->queues[1], one, sizeof one, 0) != IXH_QUEUE_OK)
        fz_fail("could not queue an int");
}

void fz_shared_release(FzShared *s)
{
    for (int i = 0; i < FZ_NSHARED; i++) {
        ixh_buffer_release(s->buffers[i]);
        ixh_queue_release(s->queues[i]);
    }
}

static void put_word(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_word(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

void fz_patch_shared(uint8_t *buf, size_t len, const FzShared *s)
{
    for (size_t i = 0; i < len;) {
        uint8_t tag = buf[i];
        size_t rest = len - i - 1;
        switch (tag) {
        case IXW_BUFFER:
        case IXW_QUEUE:
            if (rest >= 8) {
                size_t k = get_word(buf + i + 1) % FZ_NSHARED;
                put_word(buf + i + 1, tag == IXW_BUFFER ? (uint64_t)(uintptr_t)s->buffers[k]
                                                        : (uint64_t)(uintptr_t)s->queues[k]);
            }
            i += 9;
            break;
        case IXW_INT:
        case IXW_FLOAT:
        case IXW_HANDLE: i += 9; break;
        case IXW_STR:
        case IXW_BYTES:
        case IXW_BIGINT: {
            uint32_t n = 0;
            if (rest >= 4) n = (uint32_t)(buf[i + 1] | buf[i + 2] << 8 | buf[i + 3] << 16 | (uint32_t)buf[i + 4] << 24);
            i += 5;
            if (i > len || n > len - i) return; /* the decoder stops here too */
            i += n;
            break;
        }
        case IXW_TUPLE:
        case IXW_LIST:
        case IXW_DICT: i += 5; break;
        default: i += 1; break;
        }
    }
}

/* ---------------------------------------------------------------- replies */

typedef struct Reply {
    const uint8_t *p;
    size_t len, pos;
    bool bad;
    void (*on_handle)(void *arg, int64_t h);
    void *arg;
} Reply;

/* Deeper than the library writes (IX_WIRE_MAX_DEPTH is 64): legal replies pass. */
#define REPLY_MAX_DEPTH 100

static uint64_t reply_word(Reply *r, size_t n)
{
    if (r->bad || n > r->len - r->pos) {
        r->bad = true;
        return 0;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v |= (uint64_t)r->p[r->pos + i] << (8 * i);
    r->pos += n;
    return v;
}

static void reply_skip(Reply *r, size_t n)
{
    if (n > r->len - r->pos) r->bad = true;
    else r->pos += n;
}

static void reply_tag(Reply *r, int tag)
{
    if (reply_word(r, 1) != (uint64_t)tag) r->bad = true;
}

static void reply_str(Reply *r)
{
    reply_tag(r, IXW_STR);
    reply_skip(r, reply_word(r, 4));
}

static void reply_value(Reply *r, int depth)
{
    int tag = (int)reply_word(r, 1);
    uint64_t n, w;
    if (r->bad || depth > REPLY_MAX_DEPTH) {
        r->bad = true;
        return;
    }
    switch (tag) {
    case IXW_NONE:
    case IXW_FALSE:
    case IXW_TRUE: break;
    case IXW_INT:
    case IXW_FLOAT: reply_skip(r, 8); break;
    case IXW_STR:
    case IXW_BYTES:
    case IXW_BIGINT: reply_skip(r, reply_word(r, 4)); break;
    case IXW_TUPLE:
    case IXW_LIST:
    case IXW_DICT:
        n = reply_word(r, 4) * (tag == IXW_DICT ? 2 : 1);
        for (uint64_t i = 0; i < n && !r->bad; i++) reply_value(r, depth + 1);
        break;
    case IXW_HANDLE:
        w = reply_word(r, 8);
        reply_str(r);
        if (!r->bad) r->on_handle(r->arg, (int64_t)w);
        break;
    case IXW_BUFFER:
    case IXW_QUEUE:
        w = reply_word(r, 8);
        if (r->bad) break;
        if (tag == IXW_BUFFER) ixh_buffer_release((IxhBuffer *)(uintptr_t)w);
        else ixh_queue_release((IxhQueue *)(uintptr_t)w);
        break;
    case IXW_EXCEPTION: /* type, message, then None or the cause */
        reply_str(r);
        reply_str(r);
        if (r->pos < r->len && r->p[r->pos] == IXW_EXCEPTION) reply_value(r, depth + 1);
        else reply_tag(r, IXW_NONE);
        break;
    default: r->bad = true;
    }
}

bool fz_take_reply(const uint8_t *p, size_t len, void (*on_handle)(void *arg, int64_t h), void *arg)
{
    Reply r = {p, len, 0, false, on_handle, arg};
    reply_value(&r, 0);
    return !r.bad;
}

/* ---------------------------------------------------------------- checks */

void fz_close_clean(IxInterp *interp)
{
    uint8_t report[8192];
    char text[8192];
    size_t len = 0;
    int rc = ixh_interp_close(interp, report, sizeof report, &len);
    if (rc == 0) return;
    IxdReader r;
    ixd_reader_init(&r, report, len);
    fz_fail("ixh_interp_close reported a leak (%d): %s", rc, ixd_wire_text(&r, text, sizeof text));
}

void fz_check_no_violations(void)
{
    char text[4096];
    if (ixh_debug_take_violations(text, sizeof text) > 0)
        fz_fail("debug mode recorded a violation:\n%s", text);
}
