/*
 * seeds.c -- writes the seed corpora of the harnesses, in their input layouts (each
 * harness's top comment), into DIR/request, DIR/queue_item and DIR/moduledef:
 *
 *   fuzz_seeds native/fuzz/corpus
 *
 * The output is committed; run this again after changing a layout. Each seed is a valid
 * use (or one broken rule of ABI.md 4), so the fuzzer starts from inputs that reach deep.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isolex_host.h"

static const char *root;

/* ---------------------------------------------------------------- a byte builder */

typedef struct Bytes {
    uint8_t p[4096];
    size_t n;
} Bytes;

static void add(Bytes *b, const void *p, size_t n)
{
    if (n > sizeof b->p - b->n) {
        fprintf(stderr, "fuzz_seeds: a seed is too long\n");
        exit(1);
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void add_u8(Bytes *b, uint8_t v) { add(b, &v, 1); }

static void add_u16(Bytes *b, uint16_t v)
{
    uint8_t le[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    add(b, le, 2);
}

/* A harness str: u8 length, then the bytes. */
static void add_str(Bytes *b, const char *s)
{
    add_u8(b, (uint8_t)strlen(s));
    add(b, s, strlen(s));
}

static void save(const char *target, const char *name, const Bytes *b)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s", root, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b->p, 1, b->n, f) != b->n || fclose(f) != 0) {
        fprintf(stderr, "fuzz_seeds: cannot write %s\n", path);
        exit(1);
    }
}

/* ---------------------------------------------------------------- wire values */

/* A tuple of one of each shareable value; with `all`, a list and a dict too. */
static void wire_sample(IxWire *w, int all)
{
    ixw_count(w, IXW_TUPLE, all ? 11 : 9);
    ixw_tag(w, IXW_NONE);
    ixw_tag(w, IXW_TRUE);
    ixw_tag(w, IXW_FALSE);
    ixw_int(w, -7);
    ixw_float(w, 2.5);
    ixw_cstr(w, "h\xc3\xa9llo");
    ixw_bytes(w, "\x00\xff", 2);
    ixw_tag(w, IXW_BUFFER);
    for (int i = 0; i < 8; i++) ixw_tag(w, 0);
    ixw_tag(w, IXW_QUEUE);
    for (int i = 0; i < 8; i++) ixw_tag(w, i == 0);
    if (!all) return;
    ixw_count(w, IXW_LIST, 2);
    ixw_int(w, 1);
    ixw_count(w, IXW_TUPLE, 0);
    ixw_count(w, IXW_DICT, 1);
    ixw_cstr(w, "k");
    ixw_int(w, 2);
}

static void wire_nested(IxWire *w, int depth)
{
    for (int i = 0; i < depth; i++) ixw_count(w, IXW_TUPLE, 1);
    ixw_int(w, 1);
}

/* ---------------------------------------------------------------- request */

enum { OP_IMPORT, OP_CALL, OP_GETATTR, OP_SETATTR, OP_DESCRIBE, OP_EXPAND, OP_RELEASE };
#define OP_PROTOCOL 0xFF /* ixh_protocol (ABI 1.2), fuzz_request.c's PROTOCOL_BYTE */
#define OP_DELATTR 0xFE  /* ixh_delattr (ABI 1.2), DELATTR_BYTE */
#define OP_DIR 0xFD      /* ixh_dir (ABI 1.2), DIR_BYTE */
enum { H_COUNTER, H_PROBE, H_RAISER, H_FIRST_REPLY }; /* the handles a session starts with */
#define AMPLE 0x80 /* room byte: the request's length + 512 */

static void op(Bytes *b, int code, int target, uint8_t room, const IxWire *req)
{
    add_u8(b, (uint8_t)code);
    add_u8(b, (uint8_t)target);
    if (code == OP_RELEASE) return;
    add_u8(b, room);
    add_u16(b, (uint16_t)(req ? req->len : 0));
    if (req) add(b, req->buf, req->len);
}

/* A call request: method name (NULL: call the target itself), then `nargs` int args. */
static void call_req(IxWire *w, uint8_t *buf, const char *method, int nargs)
{
    ixw_init(w, buf, 2048);
    if (method) ixw_cstr(w, method);
    else ixw_tag(w, IXW_NONE);
    ixw_count(w, IXW_TUPLE, (uint32_t)nargs);
    for (int i = 0; i < nargs; i++) ixw_int(w, 10 + i);
}

/* A call of `method` with one str argument. */
static void call_str_req(IxWire *w, uint8_t *buf, const char *method, const char *arg)
{
    ixw_init(w, buf, 2048);
    ixw_cstr(w, method);
    ixw_count(w, IXW_TUPLE, 1);
    ixw_cstr(w, arg);
}

static void name_req(IxWire *w, uint8_t *buf, const char *name)
{
    ixw_init(w, buf, 2048);
    ixw_cstr(w, name);
}

/* flags: bit 0 debug mode; bit 1 the allocation after fail_after fails */
static void seed_counter(int flags, int fail_after, const char *file)
{
    Bytes b = {.n = 0};
    uint8_t buf[2048];
    IxWire w;
    add_u8(&b, (uint8_t)flags);
    if (flags & 2) add_u8(&b, (uint8_t)fail_after);
    call_req(&w, buf, "Counter", 2);
    op(&b, OP_CALL, H_COUNTER, AMPLE, &w); /* the reply's handle: H_FIRST_REPLY */
    call_req(&w, buf, "increment", 0);
    op(&b, OP_CALL, H_FIRST_REPLY, AMPLE, &w);
    call_req(&w, buf, "add", 1);
    op(&b, OP_CALL, H_FIRST_REPLY, AMPLE, &w);
    name_req(&w, buf, "value");
    op(&b, OP_GETATTR, H_FIRST_REPLY, AMPLE, &w);
    name_req(&w, buf, "label");
    ixw_cstr(&w, "mine");
    op(&b, OP_SETATTR, H_FIRST_REPLY, AMPLE, &w);
    op(&b, OP_DESCRIBE, H_FIRST_REPLY, AMPLE, NULL);
    op(&b, OP_EXPAND, H_FIRST_REPLY, AMPLE, NULL);
    call_req(&w, buf, "created", 0);
    op(&b, OP_CALL, H_COUNTER, AMPLE, &w);
    op(&b, OP_RELEASE, H_FIRST_REPLY, 0, NULL);
    save("request", file, &b);
}

/* ixh_protocol (ABI 1.2, ABI.md 12.20): every operation on a module (each a TypeError),
 * then on the list probe.echo returns as a handle when the reply has too little room (a
 * list it can index, measure, test and iterate), and an unknown operation. */
static void seed_protocol(void)
{
    Bytes b = {.n = 0};
    uint8_t buf[2048];
    IxWire w;
    add_u8(&b, 0);
    for (int code = IXH_PROTO_GET; code <= IXH_PROTO_NEXT + 1; code++) {
        ixw_init(&w, buf, sizeof buf);
        ixw_int(&w, code);
        if (code != IXH_PROTO_LEN && code != IXH_PROTO_ITER) ixw_int(&w, code == IXH_PROTO_NEXT ? 4 : 0);
        if (code == IXH_PROTO_SET) ixw_int(&w, 1);
        op(&b, OP_PROTOCOL, H_COUNTER, AMPLE, &w);
    }
    ixw_init(&w, buf, sizeof buf);
    ixw_cstr(&w, "echo");
    ixw_count(&w, IXW_TUPLE, 1);
    ixw_count(&w, IXW_LIST, 20);
    for (int i = 0; i < 20; i++) ixw_int(&w, i);
    op(&b, OP_CALL, H_PROBE, 40, &w); /* too little room: the list as H_FIRST_REPLY */
    ixw_init(&w, buf, sizeof buf);
    ixw_int(&w, IXH_PROTO_GET);
    ixw_int(&w, -1);
    op(&b, OP_PROTOCOL, H_FIRST_REPLY, AMPLE, &w);
    ixw_init(&w, buf, sizeof buf);
    ixw_int(&w, IXH_PROTO_LEN);
    op(&b, OP_PROTOCOL, H_FIRST_REPLY, AMPLE, &w);
    ixw_init(&w, buf, sizeof buf);
    ixw_int(&w, IXH_PROTO_ITER);
    op(&b, OP_PROTOCOL, H_FIRST_REPLY, AMPLE, &w); /* the iterator: the next handle */
    ixw_init(&w, buf, sizeof buf);
    ixw_int(&w, IXH_PROTO_NEXT);
    ixw_int(&w, 8);
    op(&b, OP_PROTOCOL, H_FIRST_REPLY + 1, AMPLE, &w);
    save("request", "protocol", &b);
}

/* ixh_delattr and ixh_dir (ABI 1.2, ABI.md 12.40) on a Counter and on a module, then the
 * buffer protocol (IXH_PROTO_BUFFER, 12.50) on bytes probe.echo hands back as a handle,
 * and an operation ixh_protocol does not know. */
static void seed_attrs_buffer(void)
{
    Bytes b = {.n = 0};
    uint8_t buf[2048];
    IxWire w;
    add_u8(&b, 0);
    call_req(&w, buf, "Counter", 2);
    op(&b, OP_CALL, H_COUNTER, AMPLE, &w); /* H_FIRST_REPLY */
    name_req(&w, buf, "label");
    ixw_cstr(&w, "mine");
    op(&b, OP_SETATTR, H_FIRST_REPLY, AMPLE, &w);
    name_req(&w, buf, "label");
    op(&b, OP_DELATTR, H_FIRST_REPLY, AMPLE, &w);
    op(&b, OP_DELATTR, H_FIRST_REPLY, AMPLE, &w); /* again: AttributeError */
    op(&b, OP_DIR, H_FIRST_REPLY, AMPLE, NULL);
    op(&b, OP_DIR, H_COUNTER, AMPLE, NULL);
    name_req(&w, buf, "__name__");
    op(&b, OP_DELATTR, H_COUNTER, AMPLE, &w); /* read-only */
    ixw_init(&w, buf, sizeof buf);
    ixw_cstr(&w, "echo");
    ixw_count(&w, IXW_TUPLE, 1);
    ixw_bytes(&w, "0123456789abcdef0123456789abcdef0123456789", 42);
    op(&b, OP_CALL, H_PROBE, 40, &w); /* too little room: the bytes as H_FIRST_REPLY + 1 */
    for (int flags = 0; flags <= 1; flags++) {
        ixw_init(&w, buf, sizeof buf);
        ixw_int(&w, IXH_PROTO_BUFFER);
        ixw_int(&w, flags); /* IX_BUF_SIMPLE, then writable: a BufferError */
        op(&b, OP_PROTOCOL, H_FIRST_REPLY + 1, AMPLE, &w);
    }
    ixw_init(&w, buf, sizeof buf);
    ixw_int(&w, 99);
    op(&b, OP_PROTOCOL, H_FIRST_REPLY + 1, AMPLE, &w);
    save("request", "attrs-buffer", &b);
}

/* A request calling probe.echo with one argument, which `arg` writes. */
static void echo_req(IxWire *w, uint8_t *buf, size_t cap, void (*arg)(IxWire *w, int all), int all)
{
    ixw_init(w, buf, cap);
    ixw_cstr(w, "echo");
    ixw_count(w, IXW_TUPLE, 1);
    arg(w, all);
}

static void seed_echo(void)
{
    Bytes b = {.n = 0};
    uint8_t buf[2048];
    IxWire w;
    add_u8(&b, 0);
    echo_req(&w, buf, sizeof buf, wire_sample, 1);
    op(&b, OP_CALL, H_PROBE, AMPLE, &w);
    op(&b, OP_CALL, H_PROBE, 40, &w); /* too little room: IXH_TOO_BIG and a handle */
    op(&b, OP_EXPAND, H_FIRST_REPLY, AMPLE, NULL);
    save("request", "echo", &b);
}

/* Ints of any size (ABI.md 12.5): 2^64 and -2^64 - 1, as libisolex writes them, then 42 in
 * 16 bytes, which it refuses as malformed (the one form rule). */
static void wire_bigints(IxWire *w, int all)
{
    static const uint8_t two_64[9] = {0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const uint8_t minus[9] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe};
    static const uint8_t forty_two[16] = {42};
    ixw_count(w, IXW_TUPLE, all ? 3 : 2);
    ixw_bigint(w, two_64, sizeof two_64);
    ixw_bigint(w, minus, sizeof minus);
    if (all) ixw_bigint(w, forty_two, sizeof forty_two);
}

static void seed_echo_bigint(void)
{
    Bytes b = {.n = 0};
    uint8_t buf[2048];
    IxWire w;
    add_u8(&b, 0);
    echo_req(&w, buf, sizeof buf, wire_bigints, 0);
    op(&b, OP_CALL, H_PROBE, AMPLE, &w);
    echo_req(&w, buf, sizeof buf, wire_bigints, 1);
    op(&b, OP_CALL, H_PROBE, AMPLE, &w);
    save("request", "echo-bigint", &b);
}

static void seed_probe(void)
{
    static const char *const kinds[] = {"list", "dict", "tuple", "str", "bytes", "int", "float"};
    Bytes b = {.n = 0};
    uint8_t buf[2048];
    IxWire w;
    add_u8(&b, 0);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        call_str_req(&w, buf, "make", kinds[i]);
        op(&b, OP_CALL, H_PROBE, AMPLE, &w);
    }
    call_req(&w, buf, "alloc", 1);
    op(&b, OP_CALL, H_PROBE, AMPLE, &w);
    call_req(&w, buf, "alloc_count", 0);
    op(&b, OP_CALL, H_PROBE, AMPLE, &w);
    call_req(&w, buf, "check_int", 1);
    op(&b, OP_CALL, H_PROBE, AMPLE, &w);
    save("request", "probe", &b);
}

static void seed_errors(void)
{
    static const char *const calls[] = {"raise_value", "null_no_error", "value_with_error", "missing"};
    Bytes b = {.n = 0};
    uint8_t buf[2048];
    IxWire w;
    add_u8(&b, 0);
    call_str_req(&w, buf, "raise_own", "a message");
    op(&b, OP_CALL, H_RAISER, AMPLE, &w);
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        call_req(&w, buf, calls[i], 0);
        op(&b, OP_CALL, H_RAISER, AMPLE, &w);
    }
    call_req(&w, buf, "Counter", 2);
    op(&b, OP_CALL, H_COUNTER, 4, &w); /* an error that does not fit */
    save("request", "errors", &b);
}

/* The general call path: a name too long to read in place, more than 8 arguments. */
static void seed_general(void)
{
    char long_name[200];
    Bytes b = {.n = 0};
    uint8_t buf[2048];
    IxWire w;
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = 0;
    add_u8(&b, 0);
    call_req(&w, buf, long_name, 0);
    op(&b, OP_CALL, H_COUNTER, AMPLE, &w);
    call_req(&w, buf, "Counter", 10);
    op(&b, OP_CALL, H_COUNTER, AMPLE, &w);
    call_req(&w, buf, NULL, 0);
    op(&b, OP_CALL, H_COUNTER, AMPLE, &w);
    save("request", "general", &b);
}

static void seed_imports(void)
{
    static const char *const names[] = {"counter", "does_not_exist", "mod\xc3\xa9", "", "9lives"};
    Bytes b = {.n = 0};
    uint8_t buf[2048];
    IxWire w;
    add_u8(&b, 0);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        name_req(&w, buf, names[i]);
        op(&b, OP_IMPORT, 0, AMPLE, &w);
    }
    add_u8(&b, OP_CALL); /* a raw handle: stale */
    add_u8(&b, 0xFF);
    add(&b, "\x07\x00\x00\x00\x02\x00\x00\x00", 8);
    add_u8(&b, AMPLE);
    add_u16(&b, 0);
    save("request", "imports", &b);
}

/* ---------------------------------------------------------------- queue_item */

static void seed_item(const char *file, int mode, void (*write)(IxWire *w))
{
    Bytes b = {.n = 0};
    uint8_t buf[2048];
    IxWire w;
    ixw_init(&w, buf, sizeof buf);
    write(&w);
    add_u8(&b, (uint8_t)mode);
    add(&b, buf, w.len);
    save("queue_item", file, &b);
}

static void item_sample(IxWire *w) { wire_sample(w, 0); }
static void item_int(IxWire *w) { ixw_int(w, 1234567); }
static void item_str(IxWire *w) { ixw_cstr(w, "a str longer than the twenty-four bytes of a slot"); }
static void item_deep(IxWire *w) { wire_nested(w, 63); }
static void item_too_deep(IxWire *w) { wire_nested(w, 64); }
static void item_list(IxWire *w) { wire_sample(w, 1); } /* not shareable */
static void item_bigints(IxWire *w) { wire_bigints(w, 0); }
static void item_bigint_padded(IxWire *w) { wire_bigints(w, 1); } /* refused */

static void seed_items(void)
{
    seed_item("sample-inside", 0, item_sample);
    seed_item("sample-outside", 1, item_sample);
    seed_item("sample-left", 2, item_sample);
    seed_item("int-inside", 0, item_int);
    seed_item("str-outside", 1, item_str);
    seed_item("deep-inside", 0, item_deep);
    seed_item("too-deep", 0, item_too_deep);
    seed_item("list", 0, item_list);
    seed_item("bigint-inside", 0, item_bigints);
    seed_item("bigint-padded", 0, item_bigint_padded);
}

/* ---------------------------------------------------------------- moduledef */

/* One seed: the definition's head (name "m" unless said), then what the case appends. */
typedef struct Def {
    const char *file;
    uint8_t def_name, abi, state;
    const char *slots;    /* u8 count, then (id, value) pairs */
    size_t slots_len;
    const char *methods;  /* u8 count, then per method str name, func, min, max, flags */
    size_t methods_len;
} Def;

static void seed_def(const Def *d)
{
    Bytes b = {.n = 0};
    add_str(&b, "m");
    add_u8(&b, d->def_name);
    if (d->def_name == 3) add_str(&b, "other");
    add_u8(&b, d->abi);
    if (d->abi & 0x80) add(&b, "\x02\x00\x00\x00", 4); /* major 2 */
    if (d->abi & 0x40) add(&b, "\x07\x00\x00\x00", 4); /* minor 7 */
    add_u8(&b, 1); /* doc */
    add_u8(&b, d->state);
    if (d->state >= 0xC0) add(&b, "\xf8\xff\xff\xff\xff\xff\xff\xff", 8); /* -8 */
    add(&b, d->slots, d->slots_len);
    add(&b, d->methods, d->methods_len);
    add_u8(&b, 7);                      /* traverse, clear, free */
    add(&b, "\x03\x00\x00\x01\x02\x00\x01", 7); /* calls: f(), g(0, 1), f(0) */
    save("moduledef", d->file, &b);
}

#define S(lit) lit, sizeof lit - 1
/* f: fn_none, 0..1 args; g: fn_args, varargs */
#define METHODS S("\x02" "\x01" "f" "\x01\x00\x02\x00" "\x01" "g" "\x02\x00\x00\x00")

static void seed_defs(void)
{
    static const Def defs[] = {
        {"valid", 0, 1, 1, S("\x02" "\x02\x01" "\x03\x03"), METHODS},
        {"create-module", 0, 1, 1, S("\x02" "\x01\x01" "\x02\x01"), METHODS},
        {"create-dict", 0, 1, 0, S("\x01" "\x01\x02"), METHODS},
        {"create-null", 0, 1, 0, S("\x01" "\x01\x03"), METHODS},
        {"create-raise", 0, 1, 0, S("\x01" "\x01\x04"), METHODS},
        {"create-value-with-error", 0, 1, 0, S("\x01" "\x01\x05"), METHODS},
        {"exec-raise", 0, 1, 1, S("\x02" "\x02\x01" "\x02\x02"), METHODS},
        {"exec-fail-quietly", 0, 1, 1, S("\x01" "\x02\x03"), METHODS},
        {"exec-ok-with-error", 0, 1, 1, S("\x01" "\x02\x04"), METHODS},
        {"shared-lock", 0, 0, 0, S("\x01" "\x03\x02"), METHODS},
        {"abi-major", 0, 0x80, 0, S("\x00"), S("\x00")},
        {"abi-minor", 0, 0x40, 0, S("\x00"), S("\x00")},
        {"no-name", 2, 1, 0, S("\x00"), S("\x00")},
        {"other-name", 3, 1, 0, S("\x00"), S("\x00")},
        {"negative-state", 0, 1, 0xC0, S("\x00"), S("\x00")},
        {"unknown-slot", 0, 1, 0, S("\x01" "\x04\x01"), S("\x00")},
        {"two-creates", 0, 1, 0, S("\x02" "\x01\x01" "\x01\x01"), S("\x00")},
        {"two-multis", 0, 1, 0, S("\x02" "\x03\x03" "\x03\x03"), S("\x00")},
        {"multi-value", 0, 1, 0, S("\x01" "\x03\x04"), S("\x00")},
        {"exec-null", 0, 1, 0, S("\x01" "\x02\x00"), S("\x00")},
        {"method-no-function", 0, 1, 0, S("\x80"), S("\x01" "\x01" "f" "\x00\x00\x01\x00")},
        {"method-arity", 0, 1, 0, S("\x80"), S("\x01" "\x01" "f" "\x01\x02\x01\x00")},
        {"method-flags", 0, 1, 0, S("\x80"), S("\x01" "\x01" "f" "\x01\x00\x01\xf0\x04\x00\x00\x00")},
        /* ABI 1.3: typed methods (IX_METH_TYPED, raw flags 0x2, then the signature) */
        {"typed-method", 0, 1, 0, S("\x80"), S("\x01" "\x01" "f" "\x01\x01\x02\xf0\x02\x00\x00\x00" "\x03" "l:l")},
        {"typed-bad-signature", 0, 1, 0, S("\x80"), S("\x01" "\x01" "f" "\x01\x01\x02\xf0\x02\x00\x00\x00" "\x02" "q:")},
    };
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) seed_def(&defs[i]);
}

/* Keyword calls (ABI.md 12.6): the request's third value names the last arguments. The
 * sessions' modules take no keywords, so these reach the refusal and the request checks:
 * keyword names as a tuple, as an int, more names than arguments, an empty tuple. */
static void seed_kwargs(void)
{
    Bytes b = {.n = 0};
    uint8_t buf[2048];
    IxWire w;
    add_u8(&b, 1);
    for (int form = 0; form < 4; form++) {
        call_req(&w, buf, "increment", 2);
        if (form == 1) ixw_int(&w, 3);
        else ixw_count(&w, IXW_TUPLE, form == 2 ? 3 : form == 3 ? 0 : 1);
        for (int i = 0; form != 1 && i < (form == 2 ? 3 : form == 3 ? 0 : 1); i++) ixw_cstr(&w, "by");
        op(&b, OP_CALL, H_COUNTER, AMPLE, &w);
    }
    save("request", "call-kwargs", &b);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fuzz_seeds CORPUS_DIR (native/fuzz/corpus)\n");
        return 2;
    }
    root = argv[1];
    seed_counter(0, 0, "counter");
    seed_counter(1, 0, "counter-debug");
    seed_counter(2, 3, "counter-fail-alloc-4");
    seed_counter(2, 12, "counter-fail-alloc-13");
    seed_echo();
    seed_echo_bigint();
    seed_protocol();
    seed_attrs_buffer();
    seed_probe();
    seed_errors();
    seed_general();
    seed_imports();
    seed_kwargs();
    seed_items();
    seed_defs();
    return 0;
}
