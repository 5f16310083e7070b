/*
 * values.c -- `values`: the same requests to two interpreters in one worker and to two
 * in this process, replies compared byte for byte (status, value, payload); then what the
 * worker refuses, with its exact messages; then the leak reports at close, compared too.
 *
 * Handles are numbered per interpreter, and interpreters per process, so fresh ones on
 * both sides give equal numbers: the comparison includes them. The one thing that may
 * differ is an object's identity (its address): describe's replies are compared without
 * their last value, the identity int.
 */
#include <string.h>

#include "isolex_host.h"
#include "protocol.h"
#include "wtest.h"

typedef struct {
    IxwkClient *worker;
    int64_t remote;    /* the worker's interpreter id */
    IxInterp *local;
    uint8_t *buf;      /* the local side's buffer */
    size_t cap;
    int status;
    int64_t value;
    size_t len;
    int compared;
} Pair;

/* Runs a request in process the way serve.c does, into p->buf. */
static void run_local(Pair *p, int op, int64_t target, size_t cap, const uint8_t *in,
                      size_t len)
{
    size_t room = cap > len ? cap : len;
    if (room < IXH_MIN_CAP)
        room = IXH_MIN_CAP;
    if (room + 8 > p->cap) {
        p->buf = realloc(p->buf, room + 8);
        p->cap = room + 8;
    }
    memcpy(p->buf, in, len);
    size_t n = 0;
    p->value = 0;
    switch (op) {
    case IXWK_OP_RELEASE:
        p->status = IXWK_OK;
        p->value = ixh_release(p->local, target);
        p->len = 0;
        return;
    case IXWK_OP_INTERP_LIVE_BYTES:
        p->status = IXWK_OK;
        p->value = ixh_interp_live_bytes(p->local);
        p->len = 0;
        return;
    case IXWK_OP_INTERP_HANDLE_COUNT:
        p->status = IXWK_OK;
        p->value = ixh_interp_handle_count(p->local);
        p->len = 0;
        return;
    case IXWK_OP_INTERP_UNRAISABLE:
    case IXWK_OP_INTERP_CLOSE:
        p->status = IXWK_OK;
        p->value = op == IXWK_OP_INTERP_CLOSE
                       ? ixh_interp_close(p->local, p->buf + 8, cap, &n)
                       : ixh_interp_unraisable(p->local, p->buf + 8, cap, &n);
        ixwk_put_i64(p->buf, (int64_t)n);
        p->len = 8 + (p->value >= 0 ? n : 0);
        return;
    case IXWK_OP_IMPORT: p->status = ixh_import(p->local, p->buf, len, room); break;
    case IXWK_OP_CALL: p->status = ixh_call(p->local, target, p->buf, len, room); break;
    case IXWK_OP_GETATTR: p->status = ixh_getattr(p->local, target, p->buf, len, room); break;
    case IXWK_OP_SETATTR: p->status = ixh_setattr(p->local, target, p->buf, len, room); break;
    case IXWK_OP_DELATTR: p->status = ixh_delattr(p->local, target, p->buf, len, room); break;
    case IXWK_OP_DESCRIBE: p->status = ixh_describe(p->local, target, p->buf, len, room); break;
    case IXWK_OP_EXPAND: p->status = ixh_expand(p->local, target, p->buf, len, room); break;
    case IXWK_OP_DIR: p->status = ixh_dir(p->local, target, p->buf, len, room); break;
    case IXWK_OP_PROTOCOL: p->status = ixh_protocol(p->local, target, p->buf, len, room); break;
    case IXWK_OP_MODULE_DEFINITION:
        p->status = ixh_module_definition(p->local, target, p->buf, len, room);
        break;
    case IXWK_OP_TYPED_SIGNATURE:
        p->status = ixh_typed_signature(p->local, target, p->buf, len, room);
        break;
    default:
        CHECK(0, "op %d has no local twin here", op);
    }
    int shared = 0;
    n = ixwk_value_length(p->buf, room, &shared);
    if (p->status == IXH_TOO_BIG)
        n += ixwk_value_length(p->buf + n, room - n, &shared);
    p->len = n;
}

/* One request on both sides; the replies must be equal. Returns the handle the reply
 * starts with, if it does (else 0). */
static int64_t both(Pair *p, int op, int64_t target, size_t cap, const uint8_t *in, size_t len)
{
    IxwkClient *c = p->worker;
    CHECK(ixwk_client_request(c, op, p->remote, target, cap, in, len) == 0, "op %d: worker gone", op);
    run_local(p, op, target, cap, in, len);
    size_t compare = op == IXWK_OP_DESCRIBE && p->len >= 9 ? p->len - 9 : p->len;
    CHECK(c->status == p->status && c->value == p->value && c->len == p->len &&
              memcmp(c->payload, p->buf, compare) == 0,
          "op %d target %lld: worker (status %d, value %lld, %zu bytes) != in process "
          "(status %d, value %lld, %zu bytes)",
          op, (long long)target, c->status, (long long)c->value, c->len, p->status,
          (long long)p->value, p->len);
    p->compared++;
    return p->len >= 9 && p->buf[0] == IXW_HANDLE ? ixwk_get_i64(p->buf + 1) : 0;
}

static IxWire w;
static uint8_t req[4096];
static void begin(void) { ixw_init(&w, req, sizeof req); }

static int64_t call(Pair *p, int64_t target, const char *method, size_t cap)
{
    return both(p, IXWK_OP_CALL, target, cap, req, w.len);
}

static int64_t named(Pair *p, int op, int64_t target, const char *name)
{
    begin();
    ixw_cstr(&w, name);
    return both(p, op, target, 4096, req, w.len);
}

/* The requests: imports, calls with every kind of value, attributes, errors, a reply too
 * big for its buffer, definitions, protocol, statistics. */
static void exercise(Pair *p, int with_leak)
{
    int64_t counter = named(p, IXWK_OP_IMPORT, 0, "counter");
    int64_t probe = named(p, IXWK_OP_IMPORT, 0, "probe");
    CHECK(counter > 0 && probe > 0, "imports gave handles");
    named(p, IXWK_OP_IMPORT, 0, "no_such_module");  /* ImportError, searched dirs */

    begin();  /* probe.echo((1, 2.5, "x", b"y", [None, True], {"k": -3}, 2**70)) */
    ixw_cstr(&w, "echo");
    ixw_count(&w, IXW_TUPLE, 1);
    ixw_count(&w, IXW_TUPLE, 7);
    ixw_int(&w, 1);
    ixw_float(&w, 2.5);
    ixw_cstr(&w, "x");
    ixw_bytes(&w, "y", 1);
    ixw_count(&w, IXW_LIST, 2);
    ixw_tag(&w, IXW_NONE);
    ixw_tag(&w, IXW_TRUE);
    ixw_count(&w, IXW_DICT, 1);
    ixw_cstr(&w, "k");
    ixw_int(&w, -3);
    static const uint8_t big[] = {0, 0, 0, 0, 0, 0, 0, 0, 0x40};
    ixw_bigint(&w, big, sizeof big);
    call(p, probe, "echo", 4096);

    int64_t type = named(p, IXWK_OP_GETATTR, counter, "Counter");
    begin();  /* Counter(5, 2) */
    ixw_tag(&w, IXW_NONE);
    ixw_count(&w, IXW_TUPLE, 2);
    ixw_int(&w, 5);
    ixw_int(&w, 2);
    int64_t obj = call(p, type, NULL, 4096);
    CHECK(obj > 0, "Counter(5, 2) is a handle");
    begin();
    ixw_cstr(&w, "increment");
    ixw_count(&w, IXW_TUPLE, 0);
    call(p, obj, "increment", 4096);
    CHECK(p->status == IXH_OK && p->buf[0] == IXW_INT && ixwk_get_i64(p->buf + 1) == 7,
          "increment() -> 7");
    begin();  /* obj.step = 3 */
    ixw_cstr(&w, "step");
    ixw_int(&w, 3);
    both(p, IXWK_OP_SETATTR, obj, 4096, req, w.len);
    named(p, IXWK_OP_GETATTR, obj, "step");
    named(p, IXWK_OP_GETATTR, obj, "no_such_attribute");  /* AttributeError */
    named(p, IXWK_OP_DELATTR, obj, "label");
    both(p, IXWK_OP_DESCRIBE, obj, 4096, NULL, 0);
    both(p, IXWK_OP_DIR, obj, 4096, NULL, 0);
    both(p, IXWK_OP_MODULE_DEFINITION, counter, 1 << 16, NULL, 0);
    begin();  /* len(obj): TypeError */
    ixw_int(&w, IXH_PROTO_LEN);
    both(p, IXWK_OP_PROTOCOL, obj, 4096, req, w.len);
    begin();  /* counter.value_of("x"): TypeError */
    ixw_cstr(&w, "value_of");
    ixw_count(&w, IXW_TUPLE, 1);
    ixw_cstr(&w, "x");
    call(p, counter, "value_of", 4096);
    CHECK(p->status == IXH_ERROR, "value_of('x') raises");

    /* ABI 1.3: the typed signature of typed.add1 ("l:l"), and the TypeError of a plain
     * object (what TypedFunction asks in a worker, ABI.md 13.15) */
    int64_t typed = named(p, IXWK_OP_IMPORT, 0, "typed");
    int64_t add1 = named(p, IXWK_OP_GETATTR, typed, "add1");
    both(p, IXWK_OP_TYPED_SIGNATURE, add1, 4096, NULL, 0);
    CHECK(p->status == IXH_OK && p->buf[0] == IXW_STR, "typed_signature(add1) is a str");
    both(p, IXWK_OP_TYPED_SIGNATURE, obj, 4096, NULL, 0);
    CHECK(p->status == IXH_ERROR, "typed_signature of a Counter raises");

    /* dir(obj) into 64 bytes: IXH_TOO_BIG, the list kept as a handle; then expand it */
    int64_t kept = both(p, IXWK_OP_DIR, obj, IXH_MIN_CAP, NULL, 0);
    CHECK(p->status == IXH_TOO_BIG && kept > 0, "dir() in 64 bytes is too big");
    both(p, IXWK_OP_EXPAND, kept, 4096, NULL, 0);
    CHECK(p->status == IXH_OK && p->buf[0] == IXW_LIST, "expand gives the list");
    both(p, IXWK_OP_RELEASE, kept, 0, NULL, 0);
    both(p, IXWK_OP_RELEASE, kept, 0, NULL, 0);  /* stale: -1 */
    CHECK(p->value == -1, "a released handle is stale");

    both(p, IXWK_OP_INTERP_HANDLE_COUNT, 0, 0, NULL, 0);
    both(p, IXWK_OP_INTERP_LIVE_BYTES, 0, 0, NULL, 0);
    both(p, IXWK_OP_INTERP_UNRAISABLE, 0, IXH_UNRAISABLE_CAP, NULL, 0);
    if (with_leak) {
        int64_t leaky = named(p, IXWK_OP_IMPORT, 0, "leaky");
        begin();
        ixw_cstr(&w, "leak_list");
        ixw_count(&w, IXW_TUPLE, 0);
        call(p, leaky, "leak_list", 4096);
    }
    both(p, IXWK_OP_RELEASE, obj, 0, NULL, 0);
}

/* What only a worker says: its refusals, exact (README.md, "Limits"). */
static void expect_error(IxwkClient *c, const char *type, const char *message)
{
    CHECK(c->status == IXWK_ERROR && c->payload[0] == IXW_EXCEPTION, "an error (status %d)",
          c->status);
    size_t tn = ixwk_get_u32(c->payload + 2), mn = ixwk_get_u32(c->payload + 7 + tn);
    const char *t = (const char *)c->payload + 6, *m = (const char *)c->payload + 11 + tn;
    CHECK(tn == strlen(type) && memcmp(t, type, tn) == 0 && mn == strlen(message) &&
              memcmp(m, message, mn) == 0,
          "expected %s: %s; got %.*s: %.*s", type, message, (int)tn, t, (int)mn, m);
}

static void refusals(IxwkClient *c, int64_t interp)
{
    static const char shared[] = "queues and shared buffers cannot cross to a worker process "
                                 "(isolex worker protocol 1): use an in-process interpreter for them";
    int64_t channels;
    begin();
    ixw_cstr(&w, "channels");
    CHECK(ixwk_client_request(c, IXWK_OP_IMPORT, interp, 0, 256, req, w.len) == 0, "import");
    channels = ixwk_get_i64(c->payload + 1);
    /* a queue in a request: refused before anything runs */
    begin();
    ixw_cstr(&w, "size");
    ixw_count(&w, IXW_TUPLE, 1);
    ixw_tag(&w, IXW_QUEUE);
    uint8_t pointer[8];
    ixwk_put_i64(pointer, 0x1234);
    memcpy(req + w.len, pointer, 8);
    w.len += 8;
    CHECK(ixwk_client_request(c, IXWK_OP_CALL, interp, channels, 256, req, w.len) == 0, "call");
    expect_error(c, "NotImplementedError", shared);
    /* a queue in a reply: its reference dropped, refused */
    begin();
    ixw_cstr(&w, "new_queue");
    ixw_count(&w, IXW_TUPLE, 1);
    ixw_int(&w, 4);
    CHECK(ixwk_client_request(c, IXWK_OP_CALL, interp, channels, 256, req, w.len) == 0, "call");
    expect_error(c, "NotImplementedError", shared);
    CHECK(ixwk_client_request(c, IXWK_OP_SHARED_BYTES, 0, 0, 0, NULL, 0) == 0, "shared bytes");
    CHECK(c->value == 0, "the refused queue was freed (%lld shared bytes)", (long long)c->value);
    /* a buffer export */
    begin();
    ixw_int(&w, IXH_PROTO_BUFFER);
    ixw_int(&w, 0);
    CHECK(ixwk_client_request(c, IXWK_OP_PROTOCOL, interp, channels, 256, req, w.len) == 0, "request");
    expect_error(c, "NotImplementedError",
                 "a buffer export (IXH_PROTO_BUFFER) cannot cross to a worker process "
                 "(isolex worker protocol 1): its memory is in the worker");
    CHECK(ixwk_client_request(c, IXWK_OP_DIR, 99, channels, 256, NULL, 0) == 0, "request");
    expect_error(c, "ValueError", "no interpreter 99 in this worker");
    CHECK(ixwk_client_request(c, 99, interp, 0, 256, NULL, 0) == 0, "request");
    expect_error(c, "ValueError", "unknown worker op 99");
    CHECK(ixwk_client_request(c, IXWK_OP_RELEASE, interp, channels, 0, NULL, 0) == 0 &&
              c->value == 0, "release");
}

/* The configuration's other fields: debug mode and the memory limit reach the worker's
 * interpreter (the smallest limit agrees, one below it fails the same way, a debug-mode
 * interpreter answers as one in process), then it is closed. */
static void debug_and_limits(IxwkClient *c)
{
    CHECK(ixwk_client_request(c, IXWK_OP_MIN_MEMORY_LIMIT, 0, 1, 0, NULL, 0) == 0, "request");
    int64_t min = ixh_interp_min_memory_limit(1);
    CHECK(c->value == min && min > 0, "debug-mode minimum limit: worker %lld, in process %lld",
          (long long)c->value, (long long)min);
    uint8_t config[512];
    size_t n = wt_config_request(config, sizeof config, wt_module_path(), 1, min - 1);
    CHECK(ixwk_client_request(c, IXWK_OP_INTERP_NEW, 0, 0, 0, config, n) == 0 && c->value == 0,
          "a limit below the minimum: no interpreter");
    IxInterpConfig local = {.module_path = wt_module_path(), .debug = 1, .memory_limit = min - 1};
    CHECK(ixh_interp_new(&local) == NULL, "nor in process");
    n = wt_config_request(config, sizeof config, wt_module_path(), 1, min + (1 << 20));
    CHECK(ixwk_client_request(c, IXWK_OP_INTERP_NEW, 0, 0, 0, config, n) == 0 && c->value > 0,
          "a debug-mode interpreter with a limit");
    local.memory_limit = min + (1 << 20);
    Pair p = {.worker = c, .remote = c->value, .local = ixh_interp_new(&local)};
    CHECK(p.local != NULL && p.remote == ixh_interp_id(p.local), "ids: %lld, %lld",
          (long long)p.remote, (long long)ixh_interp_id(p.local));
    exercise(&p, 1);
    both(&p, IXWK_OP_INTERP_CLOSE, 0, 4096, NULL, 0);
    CHECK(p.value == 1, "the leak is reported in debug mode too");
    printf("debug-mode interpreter, limit %lld: %d requests compared\n",
           (long long)local.memory_limit, p.compared);
    free(p.buf);
}

int wt_values(int argc, char **argv)
{
    int fds = wt_count_fds();
    IxwkClient c;
    CHECK(ixwk_client_start(&c, wt_worker(), NULL) == 0, "start");
    CHECK(c.hello_pid == c.pid && strcmp(c.version, ixh_version()) == 0,
          "hello: pid %lld, version %s", (long long)c.hello_pid, c.version);
    Pair pairs[2];
    uint8_t config[512];
    size_t n = wt_config_request(config, sizeof config, wt_module_path(), 0, 0);
    for (int i = 0; i < 2; i++) {
        CHECK(ixwk_client_request(&c, IXWK_OP_INTERP_NEW, 0, 0, 0, config, n) == 0, "new");
        IxInterpConfig local = {.module_path = wt_module_path()};
        pairs[i] = (Pair){.worker = &c, .remote = c.value, .local = ixh_interp_new(&local)};
        CHECK(pairs[i].remote == ixh_interp_id(pairs[i].local),
              "interpreter ids: worker %lld, in process %lld", (long long)pairs[i].remote,
              (long long)ixh_interp_id(pairs[i].local));
    }
    exercise(&pairs[0], 0);
    exercise(&pairs[1], 1);
    refusals(&c, pairs[0].remote);
    debug_and_limits(&c);
    for (int i = 0; i < 2; i++) {
        both(&pairs[i], IXWK_OP_INTERP_CLOSE, 0, 4096, NULL, 0);
        CHECK(pairs[i].value == i, "interpreter %d: close says %lld (1: leaked)", i + 1,
              (long long)pairs[i].value);
        printf("interpreter %d: %d requests compared, leak report of %zu bytes equal\n", i + 1,
               pairs[i].compared, pairs[i].len - 8);
        free(pairs[i].buf);
    }
    CHECK(ixwk_client_request(&c, IXWK_OP_LIVE_INTERPRETERS, 0, 0, 0, NULL, 0) == 0 &&
              c.value == 0, "no interpreter left in the worker");
    CHECK(ixwk_client_request(&c, IXWK_OP_LIVE_BYTES, 0, 0, 0, NULL, 0) == 0 && c.value == 0,
          "no live bytes left in the worker: %lld", (long long)c.value);
    int status = ixwk_client_finish(&c);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == IXWK_EXIT_CLEAN, "clean exit (%#x)", status);
    ixwk_client_free(&c);
    CHECK(ixh_live_bytes() == 0, "no live bytes in process");
    CHECK(wt_count_fds() == fds, "descriptors: %d before, %d after", fds, wt_count_fds());
    return 0;
}
