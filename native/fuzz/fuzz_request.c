/*
 * fuzz_request.c -- libFuzzer harness for the value API's request decoding (host.c, wire.c):
 * fuzzed request bytes go through the real entry points (ixh_import, ixh_call,
 * ixh_getattr, ixh_setattr, ixh_describe, ixh_expand, ixh_release, ixh_protocol,
 * ixh_delattr, ixh_dir) of a fresh interpreter
 * that has imported counter, probe and raiser, so the whole path runs: decoding, handle
 * lookups, calls into the modules, encoding the reply.
 *
 * Input layout (seeds.c writes it):
 *   u8 flags                bit 0: the interpreter runs in debug mode (ABI.md 10);
 *                           bit 1: a u8 k follows, and the interpreter's (k+1)-th
 *                           allocation after the imports fails (an injected MemoryError)
 *   then up to MAX_OPS operations, each
 *     u8  op                % 7: import call getattr setattr describe expand release;
 *                           0xFF: ixh_protocol (ABI 1.2; taken from setattr, which 0xFF
 *                           meant before, so the committed corpora keep their other ops);
 *                           0xFE: ixh_delattr, 0xFD: ixh_dir (ABI 1.2, taken from getattr
 *                           and call the same way; no committed input used them)
 *     u8  target            < 0xF0: one of the handles known so far (the three modules,
 *                           then every handle a reply carried), modulo their count;
 *                           else a raw int64 handle follows
 *     [u64 raw handle]
 *     u8  room              reply room: 0 = the request's length, 1..63 = that many
 *                           bytes, else the request's length + 4 * room
 *     u16 len               request length (cut to what is left), then the request bytes
 *   IXW_BUFFER / IXW_QUEUE pointers in a request are rewritten to real ones
 *   (fuzz_common.h says why).
 *
 * Checks, besides the sanitizers': every status is one the header defines; a reply given
 * room enough is well-formed wire data; closing the interpreter finds no leak; debug mode
 * records no violation; and the process is back to the bytes it held before the input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "wire_read.h"

#define MAX_OPS 16
#define MAX_HANDLES 64
#define RAW_TARGET 0xF0
/* Room in which every reply fits whole: a value, an error, or a handle with its size. */
#define AMPLE_ROOM 512
#define MEMORY_LIMIT (16 << 20)

enum { OP_IMPORT, OP_CALL, OP_GETATTR, OP_SETATTR, OP_DESCRIBE, OP_EXPAND, OP_RELEASE, NOPS,
       OP_PROTOCOL = NOPS, OP_DELATTR, OP_DIR };
#define PROTOCOL_BYTE 0xFF
#define DELATTR_BYTE 0xFE
#define DIR_BYTE 0xFD

typedef struct Session {
    IxInterp *interp;
    FzShared shared;
    int64_t handles[MAX_HANDLES];
    size_t nhandles;
} Session;

static IxInterp *anchor;        /* keeps the three libraries mapped between inputs */
static int64_t baseline_bytes;  /* what the process holds between inputs */

static void remember(Session *s, int64_t h)
{
    if (s->nhandles < MAX_HANDLES) s->handles[s->nhandles++] = h;
}

static void remember_cb(void *arg, int64_t h)
{
    remember(arg, h);
}

/* The reply hands the harness its handles (remembered, for later operations to target;
 * the close drops them) and a reference to each buffer and queue in it (released). With
 * room enough, a reply must be whole and well-formed; in less, it may be cut short. */
static void take_reply(Session *s, int op, int status, const uint8_t *buf, size_t cap)
{
    if (status != IXH_OK && status != IXH_ERROR && status != IXH_TOO_BIG)
        fz_fail("operation %d returned status %d", op, status);
    if (!fz_take_reply(buf, cap, remember_cb, s) && cap >= AMPLE_ROOM)
        fz_fail("operation %d (status %d) wrote a malformed reply", op, status);
}

static int run_op(Session *s, int op, int64_t target, uint8_t *buf, size_t len, size_t cap)
{
    switch (op) {
    case OP_IMPORT: return ixh_import(s->interp, buf, len, cap);
    case OP_CALL: return ixh_call(s->interp, target, buf, len, cap);
    case OP_GETATTR: return ixh_getattr(s->interp, target, buf, len, cap);
    case OP_SETATTR: return ixh_setattr(s->interp, target, buf, len, cap);
    case OP_DESCRIBE: return ixh_describe(s->interp, target, buf, len, cap);
    case OP_PROTOCOL: return ixh_protocol(s->interp, target, buf, len, cap);
    case OP_DELATTR: return ixh_delattr(s->interp, target, buf, len, cap);
    case OP_DIR: return ixh_dir(s->interp, target, buf, len, cap);
    default: return ixh_expand(s->interp, target, buf, len, cap);
    }
}

static size_t reply_room(uint8_t room, size_t len)
{
    if (room == 0) return len;
    return room < 64 ? room : len + 4 * (size_t)room;
}

/* One operation from the input; false once the input is used up. */
static bool next_op(Session *s, FzIn *in)
{
    if (!in->n) return false;
    uint8_t code = fz_u8(in);
    int op = code == PROTOCOL_BYTE ? OP_PROTOCOL : code == DELATTR_BYTE ? OP_DELATTR
           : code == DIR_BYTE ? OP_DIR : code % NOPS;
    uint8_t pick = fz_u8(in);
    int64_t target = pick < RAW_TARGET ? s->handles[pick % s->nhandles] : (int64_t)fz_u64(in);
    if (op == OP_RELEASE) {
        int rc = ixh_release(s->interp, target);
        if (rc != 0 && rc != -1) fz_fail("ixh_release returned %d", rc);
        return true;
    }
    uint8_t room = fz_u8(in);
    size_t len;
    const uint8_t *req = fz_bytes(in, fz_u16(in), &len);
    size_t cap = reply_room(room, len);
    uint8_t *buf = malloc(len > cap ? len : cap ? cap : 1); /* exactly: ASan sees overruns */
    if (!buf) fz_fail("out of memory");
    memcpy(buf, req, len);
    fz_patch_shared(buf, len, &s->shared);
    int status = run_op(s, op, target, buf, len, cap);
    take_reply(s, op, status, buf, cap);
    free(buf);
    return true;
}

/* A request holding one str: the name to import. */
static int64_t import(IxInterp *interp, const char *name)
{
    uint8_t buf[256];
    IxWire w;
    ixw_init(&w, buf, sizeof buf);
    ixw_cstr(&w, name);
    IxdReader r;
    if (ixh_import(interp, buf, w.len, sizeof buf) != IXH_OK) fz_fail("import %s failed", name);
    ixd_reader_init(&r, buf, sizeof buf);
    return ixd_read_handle(&r, NULL, 0);
}

static const char *const modules[] = {"counter", "probe", "raiser"};
#define NMODULES (sizeof modules / sizeof modules[0])

static IxInterp *open_interp(int debug, Session *s)
{
    IxInterpConfig config = {.module_path = FZ_MODULE_DIR, .memory_limit = MEMORY_LIMIT, .debug = debug};
    IxInterp *interp = ixh_interp_new(&config);
    if (!interp) fz_fail("ixh_interp_new failed");
    for (size_t i = 0; i < NMODULES; i++) {
        int64_t h = import(interp, modules[i]);
        if (s) remember(s, h);
    }
    return interp;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    anchor = open_interp(0, NULL);
    baseline_bytes = ixh_live_bytes();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FzIn in = {data, size};
    Session s = {0};
    uint8_t flags = fz_u8(&in);
    fz_shared_new(&s.shared);
    s.interp = open_interp(flags & 1, &s);
    if (flags & 2) ixh_interp_fail_allocation(s.interp, 1 + fz_u8(&in));
    for (int i = 0; i < MAX_OPS && next_op(&s, &in); i++) {
    }
    fz_close_clean(s.interp);
    fz_shared_release(&s.shared);
    fz_check_no_violations();
    if (ixh_live_bytes() != baseline_bytes || ixh_live_interpreters() != 1)
        fz_fail("the process holds %lld bytes in %lld interpreters after the input, %lld in 1 before",
                (long long)ixh_live_bytes(), (long long)ixh_live_interpreters(), (long long)baseline_bytes);
    return 0;
}
