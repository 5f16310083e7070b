/*
 * scenarios_value.c -- the value API as the JNI bridge uses it: requests written with
 * ixw_*, replies read back with wire_read.c, objects named by handles. No interpreter is
 * entered here; every ixh_* call takes the lock itself.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "wire_read.h"

/* What the bridge keeps per thread; big enough for every reply here but one, which is
 * the point of too_big_reply. */
#define BUF_SIZE 4096

#define FACT_1000_HEAD "40238726007709377354"
#define FACT_1000_DIGITS 2568

/* One handle from a reply, of the type named (when want_type is not NULL). */
static int64_t reply_handle(const uint8_t *buf, size_t cap, const char *want_type)
{
    char type[128], text[BUF_SIZE];
    IxdReader r;
    int64_t h;
    ixd_reader_init(&r, buf, cap);
    h = ixd_read_handle(&r, type, sizeof type);
    if (r.bad)
        ixd_fail(IXD_AT, "  expected a handle, got %s",
                 ixd_reply_text(buf, cap, text, sizeof text));
    if (want_type) CHECK_EQ_STR(type, want_type);
    return h;
}

/* ---------------------------------------------------------------- requests */

static int64_t import_handle(IxInterp *interp, const char *name)
{
    uint8_t buf[BUF_SIZE];
    IxWire w;
    ixw_init(&w, buf, sizeof buf);
    ixw_cstr(&w, name);
    CHECK(!w.overflow);
    CHECK_STATUS(ixh_import(interp, buf, w.len, sizeof buf), IXH_OK, buf, sizeof buf);
    return reply_handle(buf, sizeof buf, "module");
}

static int64_t getattr_handle(IxInterp *interp, int64_t target, const char *name,
                              const char *want_type)
{
    uint8_t buf[BUF_SIZE];
    IxWire w;
    ixw_init(&w, buf, sizeof buf);
    ixw_cstr(&w, name);
    CHECK(!w.overflow);
    CHECK_STATUS(ixh_getattr(interp, target, buf, w.len, sizeof buf), IXH_OK, buf, sizeof buf);
    return reply_handle(buf, sizeof buf, want_type);
}

/* target.method(ints...), or target(ints...) when method is NULL; the reply is in buf. */
static int call_ints(IxInterp *interp, int64_t target, const char *method,
                     const int64_t *v, size_t n, uint8_t *buf, size_t cap)
{
    IxWire w;
    size_t i;
    ixw_init(&w, buf, cap);
    if (method) ixw_cstr(&w, method); else ixw_tag(&w, IXW_NONE);
    ixw_count(&w, IXW_TUPLE, (uint32_t)n);
    for (i = 0; i < n; i++) ixw_int(&w, v[i]);
    CHECK(!w.overflow);
    return ixh_call(interp, target, buf, w.len, cap);
}

static int call_str(IxInterp *interp, int64_t target, const char *method, const char *s,
                    uint8_t *buf, size_t cap)
{
    IxWire w;
    ixw_init(&w, buf, cap);
    ixw_cstr(&w, method);
    ixw_count(&w, IXW_TUPLE, s ? 1 : 0);
    if (s) ixw_cstr(&w, s);
    CHECK(!w.overflow);
    return ixh_call(interp, target, buf, w.len, cap);
}

/* ixh_describe: the type name into type, and the identity. */
static int64_t describe(IxInterp *interp, int64_t h, char *type, size_t cap)
{
    uint8_t buf[BUF_SIZE];
    IxdReader r;
    uint32_t n;
    const char *s;
    int64_t identity;
    CHECK_STATUS(ixh_describe(interp, h, buf, 0, sizeof buf), IXH_OK, buf, sizeof buf);
    ixd_reader_init(&r, buf, sizeof buf);
    CHECK_EQ_INT(ixd_read_count(&r, IXW_TUPLE), 3);
    s = ixd_read_str(&r, &n);
    snprintf(type, cap, "%.*s", (int)n, s);
    ixd_read_str(&r, &n); /* the repr: its text is the type's business */
    identity = ixd_read_int(&r);
    CHECK(!r.bad);
    return identity;
}

/* ---------------------------------------------------------------- parts */

/* The library's writer puts down what the header says, in the reader's terms. */
static void writer_layout(void)
{
    uint8_t b[32], canary[8];
    IxWire w;
    IxdReader r;
    uint32_t n;
    const char *s;

    ixw_init(&w, b, sizeof b);
    ixw_cstr(&w, "ab");
    ixw_int(&w, -2);
    CHECK(!w.overflow);
    CHECK_EQ_INT(w.len, 1 + 4 + 2 + 1 + 8);
    CHECK_EQ_INT(b[0], IXW_STR);
    CHECK(b[1] == 2 && b[2] == 0 && b[3] == 0 && b[4] == 0); /* little-endian length */
    ixd_reader_init(&r, b, w.len);
    s = ixd_read_str(&r, &n);
    CHECK(n == 2 && memcmp(s, "ab", 2) == 0);
    CHECK_EQ_INT(ixd_read_int(&r), -2);
    CHECK(!r.bad && r.pos == w.len);

    /* A write past cap sets overflow and writes nothing. */
    memset(b, 0xAA, sizeof b);
    memset(canary, 0xAA, sizeof canary);
    ixw_init(&w, b, 4);
    ixw_cstr(&w, "abcdef");
    CHECK(w.overflow);
    CHECK(memcmp(b + 4, canary, sizeof canary) == 0);
}

static void converted_results(IxInterp *interp, int64_t fact, int64_t probe)
{
    uint8_t buf[BUF_SIZE];
    char text[BUF_SIZE];
    CHECK_STATUS(call_ints(interp, fact, "digits", INTS(1000), buf, sizeof buf),
                 IXH_OK, buf, sizeof buf);
    CHECK_EQ_STR(ixd_reply_text(buf, sizeof buf, text, sizeof text), "2568");
    CHECK_STATUS(call_ints(interp, fact, "factorial", INTS(20), buf, sizeof buf),
                 IXH_OK, buf, sizeof buf);
    CHECK_EQ_STR(ixd_reply_text(buf, sizeof buf, text, sizeof text), "'2432902008176640000'");
    CHECK_STATUS(call_str(interp, probe, "type_name", "x", buf, sizeof buf),
                 IXH_OK, buf, sizeof buf);
    CHECK_EQ_STR(ixd_reply_text(buf, sizeof buf, text, sizeof text), "'str'");
}

/* Every convertible kind, nested: echo must give back the very same bytes. */
static void write_sample(IxWire *w)
{
    static const uint8_t raw[] = { 0x00, 0xff, 'a' };
    ixw_count(w, IXW_LIST, 10);
    ixw_tag(w, IXW_NONE);
    ixw_tag(w, IXW_TRUE);
    ixw_tag(w, IXW_FALSE);
    ixw_int(w, -5);
    ixw_int(w, INT64_C(1) << 62);
    ixw_float(w, 1.5);
    ixw_cstr(w, "h\xc3\xa9llo");
    ixw_bytes(w, raw, sizeof raw);
    ixw_count(w, IXW_TUPLE, 2);
    ixw_int(w, 1);
    ixw_cstr(w, "two");
    ixw_count(w, IXW_DICT, 2);
    ixw_cstr(w, "k");
    ixw_count(w, IXW_LIST, 2);
    ixw_int(w, 1);
    ixw_int(w, 2);
    ixw_cstr(w, "d");
    ixw_count(w, IXW_DICT, 0);
}

static void echo_round_trip(IxInterp *interp, int64_t probe)
{
    uint8_t buf[BUF_SIZE], sent[BUF_SIZE];
    char text[BUF_SIZE], want[BUF_SIZE];
    size_t start, n;
    IxWire w;

    ixw_init(&w, buf, sizeof buf);
    ixw_cstr(&w, "echo");
    ixw_count(&w, IXW_TUPLE, 1);
    start = w.len;
    write_sample(&w);
    CHECK(!w.overflow);
    n = w.len - start;
    memcpy(sent, buf + start, n); /* the reply overwrites the request */
    CHECK_STATUS(ixh_call(interp, probe, buf, w.len, sizeof buf), IXH_OK, buf, sizeof buf);
    CHECK_EQ_STR(ixd_reply_text(buf, sizeof buf, text, sizeof text),
                 ixd_reply_text(sent, n, want, sizeof want));
    CHECK(memcmp(buf, sent, n) == 0);
}

/* A result bigger than the buffer stays behind as a handle; expand fetches it. */
static void too_big_reply(IxInterp *interp, int64_t fact)
{
    uint8_t small[64], *big;
    char type[32];
    IxdReader r;
    int64_t h, need;
    uint32_t n;
    const char *digits;

    CHECK_STATUS(call_ints(interp, fact, "factorial", INTS(1000), small, sizeof small),
                 IXH_TOO_BIG, small, sizeof small);
    ixd_reader_init(&r, small, sizeof small);
    h = ixd_read_handle(&r, type, sizeof type);
    need = ixd_read_int(&r);
    CHECK(!r.bad);
    CHECK_EQ_STR(type, "str");
    CHECK(need >= 1 + 4 + FACT_1000_DIGITS);

    big = malloc((size_t)need);
    CHECK(big != NULL);
    CHECK_STATUS(ixh_expand(interp, h, big, 0, (size_t)need), IXH_OK, big, (size_t)need);
    ixd_reader_init(&r, big, (size_t)need);
    digits = ixd_read_str(&r, &n);
    CHECK(!r.bad);
    CHECK_EQ_INT(n, FACT_1000_DIGITS);
    CHECK(memcmp(digits, FACT_1000_HEAD, strlen(FACT_1000_HEAD)) == 0);
    free(big);

    CHECK_EQ_INT(ixh_release(interp, h), 0);
    CHECK_EQ_INT(ixh_release(interp, h), -1); /* once only */
}

/* Objects through handles: a type, an instance made from it, its methods. */
static void counter_handles(IxInterp *interp, int64_t counter)
{
    uint8_t buf[BUF_SIZE];
    char text[BUF_SIZE], type[128];
    int64_t t1 = getattr_handle(interp, counter, "Counter", "type");
    int64_t t2 = getattr_handle(interp, counter, "Counter", "type");
    int64_t c, type_id;

    CHECK(t1 != t2); /* two handles, one object */
    type_id = describe(interp, t1, type, sizeof type);
    CHECK_EQ_STR(type, "type");
    CHECK_EQ_INT(describe(interp, t2, type, sizeof type), type_id);

    CHECK_STATUS(call_ints(interp, t1, NULL, INTS(5, 2), buf, sizeof buf), IXH_OK, buf, sizeof buf);
    c = reply_handle(buf, sizeof buf, "counter.Counter");
    CHECK(describe(interp, c, type, sizeof type) != type_id);
    CHECK_EQ_STR(type, "counter.Counter");
    CHECK_STATUS(call_ints(interp, c, "increment", NULL, 0, buf, sizeof buf),
                 IXH_OK, buf, sizeof buf);
    CHECK_EQ_STR(ixd_reply_text(buf, sizeof buf, text, sizeof text), "7");
    CHECK_STATUS(call_ints(interp, c, "increment", NULL, 0, buf, sizeof buf),
                 IXH_OK, buf, sizeof buf);
    CHECK_EQ_STR(ixd_reply_text(buf, sizeof buf, text, sizeof text), "9");

    CHECK_EQ_INT(ixh_release(interp, c), 0);
    CHECK_EQ_INT(ixh_release(interp, t2), 0);
    CHECK_EQ_INT(ixh_release(interp, t1), 0);
}

/* Errors come back as IXW_EXCEPTION, cause chain included. */
static void error_replies(IxInterp *interp, int64_t raiser)
{
    uint8_t buf[BUF_SIZE];
    char text[BUF_SIZE];
    CHECK_STATUS(call_str(interp, raiser, "raise_own", "boom", buf, sizeof buf),
                 IXH_ERROR, buf, sizeof buf);
    CHECK_EQ_STR(ixd_reply_text(buf, sizeof buf, text, sizeof text), "raiser.RaiserError: boom");
    CHECK_STATUS(call_str(interp, raiser, "value_with_error", NULL, buf, sizeof buf),
                 IXH_ERROR, buf, sizeof buf);
    CHECK_EQ_STR(ixd_reply_text(buf, sizeof buf, text, sizeof text),
                 "SystemError: raiser.value_with_error() returned a result with an error set"
                 " <- ValueError: set but returned");
}

/* ABI.md 3.7: a name with a NUL in it is refused (it would be cut short at the NUL);
 * nothing is imported, called or set, and the interpreter carries on. */
static void nul_names(IxInterp *interp, int64_t counter)
{
    static const char bad[] = "created\0junk", expected[] = "ValueError: name contains a NUL character (at byte 7)";
    uint8_t buf[BUF_SIZE];
    char text[BUF_SIZE];
    IxWire w;
    int64_t handles = ixh_interp_handle_count(interp);

    ixw_init(&w, buf, sizeof buf);
    ixw_str(&w, "counter\0evil", 12);
    CHECK_STATUS(ixh_import(interp, buf, w.len, sizeof buf), IXH_ERROR, buf, sizeof buf);
    CHECK_EQ_STR(ixd_reply_text(buf, sizeof buf, text, sizeof text), expected);

    ixw_init(&w, buf, sizeof buf);
    ixw_str(&w, bad, sizeof bad - 1);
    ixw_count(&w, IXW_TUPLE, 0);
    CHECK_STATUS(ixh_call(interp, counter, buf, w.len, sizeof buf), IXH_ERROR, buf, sizeof buf);
    CHECK_EQ_STR(ixd_reply_text(buf, sizeof buf, text, sizeof text), expected);

    ixw_init(&w, buf, sizeof buf);
    ixw_str(&w, bad, sizeof bad - 1);
    CHECK_STATUS(ixh_getattr(interp, counter, buf, w.len, sizeof buf), IXH_ERROR, buf, sizeof buf);
    CHECK_EQ_STR(ixd_reply_text(buf, sizeof buf, text, sizeof text), expected);

    ixw_init(&w, buf, sizeof buf);
    ixw_str(&w, bad, sizeof bad - 1);
    ixw_int(&w, 1);
    CHECK_STATUS(ixh_setattr(interp, counter, buf, w.len, sizeof buf), IXH_ERROR, buf, sizeof buf);
    CHECK_EQ_STR(ixd_reply_text(buf, sizeof buf, text, sizeof text), expected);

    CHECK_STATUS(call_ints(interp, counter, "created", NULL, 0, buf, sizeof buf), IXH_OK, buf, sizeof buf);
    CHECK_EQ_INT(ixh_interp_handle_count(interp), handles);
}

/* Stale and made-up handles are refused with ValueError, never dereferenced. */
static void refused_handles(IxInterp *interp, int64_t probe)
{
    uint8_t buf[BUF_SIZE];
    char text[BUF_SIZE];
    int64_t h = getattr_handle(interp, probe, "echo", NULL);
    const int64_t bogus[] = { h, 0, -1, h + 1000, INT64_MAX };
    size_t i;

    CHECK_EQ_INT(ixh_release(interp, h), 0); /* h is stale from here on */
    for (i = 0; i < sizeof bogus / sizeof bogus[0]; i++) {
        CHECK_STATUS(ixh_describe(interp, bogus[i], buf, 0, sizeof buf),
                     IXH_ERROR, buf, sizeof buf);
        CHECK_MATCH(ixd_reply_text(buf, sizeof buf, text, sizeof text), "ValueError: *");
        CHECK_EQ_INT(ixh_release(interp, bogus[i]), -1);
    }
}

/* ixh_call of probe.alloc(4096) as bytes, in buf: its length (24). */
static size_t alloc_request(uint8_t *buf, size_t cap, uint32_t nargs)
{
    IxWire w;
    ixw_init(&w, buf, cap);
    ixw_cstr(&w, "alloc");
    ixw_count(&w, IXW_TUPLE, nargs);
    for (uint32_t i = 0; i < nargs; i++) ixw_int(&w, 4096);
    CHECK(!w.overflow);
    return w.len;
}

/* An empty tuple of keyword names (a call without keywords), at p: its length. */
static size_t no_keywords(uint8_t *p)
{
    IxWire w;
    ixw_init(&w, p, 5);
    ixw_count(&w, IXW_TUPLE, 0);
    return w.len;
}

/* The request in buf[0..len) is refused with `expected`: status and text. */
static void refused(int status, const uint8_t *buf, const char *expected)
{
    char text[BUF_SIZE];
    CHECK_STATUS(status, IXH_ERROR, buf, BUF_SIZE);
    CHECK_EQ_STR(ixd_reply_text(buf, BUF_SIZE, text, sizeof text), expected);
}

/* ixh_protocol's own refusals (ABI.md 12.20): an operation it does not know, before its
 * operands are read, and a batch of no items, before the target is asked for one. */
static void protocol_refusals(IxInterp *interp, int64_t counter)
{
    uint8_t buf[BUF_SIZE];
    IxWire w;
    ixw_init(&w, buf, sizeof buf);
    ixw_int(&w, 9);
    refused(ixh_protocol(interp, counter, buf, w.len, sizeof buf), buf,
            "ValueError: ixh_protocol: unknown operation 9");
    ixw_init(&w, buf, sizeof buf);
    ixw_int(&w, IXH_PROTO_NEXT);
    ixw_int(&w, 0);
    refused(ixh_protocol(interp, counter, buf, w.len, sizeof buf), buf,
            "ValueError: ixh_protocol next: the batch size is 0, not >= 1");
}

/* ABI 1.2 (ABI.md 12.40): ixh_dir lists, ixh_delattr deletes; a NUL in the name and an
 * ixh_dir request with a value are refused like any. */
static void delattr_and_dir(IxInterp *interp, int64_t counter)
{
    uint8_t buf[BUF_SIZE];
    char text[BUF_SIZE];
    IxWire w;
    CHECK_STATUS(ixh_dir(interp, counter, buf, 0, sizeof buf), IXH_OK, buf, sizeof buf);
    CHECK_EQ_STR(ixd_reply_text(buf, sizeof buf, text, sizeof text),
                 "['Counter', 'CounterError', 'created', 'increments', 'value_of']");
    ixw_init(&w, buf, sizeof buf);
    ixw_cstr(&w, "spare");
    ixw_int(&w, 1);
    CHECK_STATUS(ixh_setattr(interp, counter, buf, w.len, sizeof buf), IXH_OK, buf, sizeof buf);
    for (int round = 0; round < 2; round++) {
        ixw_init(&w, buf, sizeof buf);
        ixw_cstr(&w, "spare");
        CHECK_STATUS(ixh_delattr(interp, counter, buf, w.len, sizeof buf), round ? IXH_ERROR : IXH_OK, buf,
                     sizeof buf);
    }
    CHECK_EQ_STR(ixd_reply_text(buf, sizeof buf, text, sizeof text),
                 "AttributeError: module 'counter' has no attribute 'spare'");
    ixw_init(&w, buf, sizeof buf);
    ixw_str(&w, "spare\0x", 7);
    refused(ixh_delattr(interp, counter, buf, w.len, sizeof buf), buf,
            "ValueError: name contains a NUL character (at byte 5)");
    ixw_init(&w, buf, sizeof buf);
    ixw_int(&w, 1);
    refused(ixh_dir(interp, counter, buf, w.len, sizeof buf), buf,
            "ValueError: malformed request: 9 unread bytes after its last value, from byte 0");
}

/* A request is exactly its values: trailing bytes and a request cut short are refused
 * before anything runs (ABI.md 12.1), on every path of every operation. */
static void malformed_requests(IxInterp *interp, int64_t probe)
{
    uint8_t buf[BUF_SIZE];
    char text[BUF_SIZE];
    size_t n = alloc_request(buf, sizeof buf, 1);

    /* a call's last value may be its keyword names (ABI.md 12.6): after them, nothing */
    n += no_keywords(buf + n);
    buf[n] = IXW_NONE; /* one value too many */
    refused(ixh_call(interp, probe, buf, n + 1, sizeof buf),
            buf, "ValueError: malformed request: 1 unread byte after its last value, from byte 29");
    n = alloc_request(buf, sizeof buf, 9); /* 9 arguments: the path through a tuple object */
    n += no_keywords(buf + n);
    memset(buf + n, 0, 3);
    refused(ixh_call(interp, probe, buf, n + 3, sizeof buf),
            buf, "ValueError: malformed request: 3 unread bytes after its last value, from byte 101");
    n = alloc_request(buf, sizeof buf, 1);
    buf[n] = IXW_NONE;
    refused(ixh_call(interp, probe, buf, n + 1, sizeof buf),
            buf, "TypeError: expected tuple of keyword names, got NoneType");
    n = alloc_request(buf, sizeof buf, 1);
    IxWire kw;
    ixw_init(&kw, buf + n, sizeof buf - n);
    ixw_count(&kw, IXW_TUPLE, 2);
    ixw_cstr(&kw, "a");
    ixw_cstr(&kw, "b");
    refused(ixh_call(interp, probe, buf, n + kw.len, sizeof buf),
            buf, "ValueError: malformed request: 2 keyword names for 1 argument");
    n = alloc_request(buf, sizeof buf, 1);
    refused(ixh_call(interp, probe, buf, n - 1, sizeof buf), buf, "ValueError: malformed wire data at byte 16");
    n = alloc_request(buf, sizeof buf, 1);
    refused(ixh_call(interp, probe, buf, 10, sizeof buf), buf, "ValueError: malformed wire data at byte 10");
    n = alloc_request(buf, sizeof buf, 9);
    refused(ixh_call(interp, probe, buf, 12, sizeof buf), buf, "ValueError: malformed wire data at byte 11");
    refused(ixh_call(interp, probe, buf, 0, sizeof buf), buf, "ValueError: malformed wire data at byte 0");

    n = alloc_request(buf, sizeof buf, 1); /* the name alone, and more */
    refused(ixh_getattr(interp, probe, buf, 11, sizeof buf),
            buf, "ValueError: malformed request: 1 unread byte after its last value, from byte 10");
    n = alloc_request(buf, sizeof buf, 1);
    refused(ixh_import(interp, buf, n, sizeof buf),
            buf, "ValueError: malformed request: 14 unread bytes after its last value, from byte 10");
    n = alloc_request(buf, sizeof buf, 1); /* setattr probe.alloc = (4096,) and a byte */
    refused(ixh_setattr(interp, probe, buf, n + 1, sizeof buf),
            buf, "ValueError: malformed request: 1 unread byte after its last value, from byte 24");
    refused(ixh_describe(interp, probe, buf, 2, sizeof buf),
            buf, "ValueError: malformed request: 2 unread bytes after its last value, from byte 0");
    refused(ixh_expand(interp, probe, buf, 1, sizeof buf),
            buf, "ValueError: malformed request: 1 unread byte after its last value, from byte 0");

    /* nothing ran, and the interpreter is as usable as before */
    CHECK_STATUS(call_ints(interp, probe, "alloc_count", NULL, 0, buf, sizeof buf), IXH_OK, buf, sizeof buf);
    CHECK_EQ_STR(ixd_reply_text(buf, sizeof buf, text, sizeof text), "0");
}

/* probe.echo(x, ...) with `extra` more arguments (so 9 take the path through a tuple
 * object) and x `levels` levels of lists deep: libisolex's status. */
static int echo_nested(IxInterp *interp, int64_t probe, int levels, uint32_t extra, uint8_t *buf)
{
    IxWire w;
    ixw_init(&w, buf, BUF_SIZE);
    ixw_cstr(&w, "echo");
    ixw_count(&w, IXW_TUPLE, 1 + extra);
    for (int i = 0; i < levels; i++) ixw_count(&w, IXW_LIST, i + 1 < levels ? 1 : 0);
    for (uint32_t i = 0; i < extra; i++) ixw_tag(&w, IXW_NONE);
    CHECK(!w.overflow);
    return ixh_call(interp, probe, buf, w.len, BUF_SIZE);
}

/* The host's one nesting limit, on requests too: an argument may have 64 levels of
 * containers on either path, the tuple of arguments not counted (ABI.md 12.2). */
static void nesting_limit(IxInterp *interp, int64_t probe)
{
    uint8_t buf[BUF_SIZE];
    IxdReader r;
    const char *too_deep = "ValueError: value nested deeper than 64 levels, the isolex host's limit"
                           " (does it contain itself?)";
    CHECK_STATUS(echo_nested(interp, probe, 64, 0, buf), IXH_OK, buf, sizeof buf);
    ixd_reader_init(&r, buf, sizeof buf);
    CHECK_EQ_INT(ixd_read_count(&r, IXW_LIST), 1); /* the reply is the list, 64 deep */
    CHECK(!r.bad);
    refused(echo_nested(interp, probe, 65, 0, buf), buf, too_deep);
    /* 9 arguments: refused for the depth, not the count (probe.echo takes one) */
    refused(echo_nested(interp, probe, 64, 8, buf), buf,
            "TypeError: probe.echo() takes exactly 1 argument (9 given)");
    refused(echo_nested(interp, probe, 65, 8, buf), buf, too_deep);
}

/* An error longer than the room for the reply is kept as a handle (IXH_TOO_BIG), and
 * ixh_expand answers it whole as IXH_ERROR (ABI.md 12.3). */
static void too_big_error(IxInterp *interp, int64_t raiser)
{
    uint8_t buf[BUF_SIZE];
    char msg[1000], text[BUF_SIZE], want[BUF_SIZE], type[64];
    IxdReader r;
    IxWire w;
    int64_t h, need;

    memset(msg, 'm', sizeof msg - 1);
    msg[sizeof msg - 1] = 0;
    ixw_init(&w, buf, sizeof buf);
    ixw_cstr(&w, "raise_own");
    ixw_count(&w, IXW_TUPLE, 1);
    ixw_cstr(&w, msg);
    CHECK(!w.overflow);
    /* room for the request only: the error is longer */
    CHECK_STATUS(ixh_call(interp, raiser, buf, w.len, w.len), IXH_TOO_BIG, buf, w.len);
    ixd_reader_init(&r, buf, w.len);
    h = ixd_read_handle(&r, type, sizeof type);
    need = ixd_read_int(&r);
    CHECK(!r.bad);
    CHECK_EQ_STR(type, "raiser.RaiserError");
    CHECK(need > (int64_t)w.len && need <= BUF_SIZE);
    CHECK_STATUS(ixh_expand(interp, h, buf, 0, (size_t)need), IXH_ERROR, buf, (size_t)need);
    snprintf(want, sizeof want, "raiser.RaiserError: %s", msg);
    CHECK_EQ_STR(ixd_reply_text(buf, (size_t)need, text, sizeof text), want);
    CHECK_EQ_INT(ixh_release(interp, h), 0);
}

/* The smallest memory limit an interpreter starts with is exact (ABI.md 8.3). */
static void memory_minimum(void)
{
    for (int debug = 0; debug <= 1; debug++) {
        int64_t min = ixh_interp_min_memory_limit(debug);
        IxInterpConfig config = {.memory_limit = min - 1, .debug = debug};
        CHECK(min > 0);
        CHECK(ixh_interp_new(&config) == NULL);
        config.memory_limit = min;
        IxInterp *interp = ixh_interp_new(&config);
        CHECK(interp != NULL);
        CHECK(ixh_interp_footprint(interp) <= min);
        CHECK_CLOSE(interp);
    }
    CHECK(ixh_interp_min_memory_limit(1) > ixh_interp_min_memory_limit(0));
}

void ixd_value_api(int argc, char **argv)
{
    IxInterp *interp = OPEN();
    int64_t fact = import_handle(interp, "fact"), counter = import_handle(interp, "counter");
    int64_t probe = import_handle(interp, "probe"), raiser = import_handle(interp, "raiser");
    IXD_NO_ARGS;

    writer_layout();
    CHECK_EQ_INT(ixh_interp_handle_count(interp), 4);
    converted_results(interp, fact, probe);
    echo_round_trip(interp, probe);
    too_big_reply(interp, fact);
    counter_handles(interp, counter);
    error_replies(interp, raiser);
    refused_handles(interp, probe);
    nul_names(interp, counter);
    malformed_requests(interp, probe);
    protocol_refusals(interp, counter);
    delattr_and_dir(interp, counter);
    too_big_error(interp, raiser);
    nesting_limit(interp, probe);
    memory_minimum();
    CHECK_EQ_INT(ixh_interp_handle_count(interp), 4);

    CHECK_EQ_INT(ixh_release(interp, raiser), 0);
    CHECK_EQ_INT(ixh_release(interp, probe), 0);
    CHECK_EQ_INT(ixh_release(interp, counter), 0);
    CHECK_EQ_INT(ixh_release(interp, fact), 0);
    CHECK_EQ_INT(ixh_interp_handle_count(interp), 0);
    CHECK_CLOSE(interp);
    CHECK_CLEAN();
}
