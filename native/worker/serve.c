/*
 * serve.c -- ixworker's request loop: one frame in, the ixh_* function it names, one frame
 * out (README.md, "Requests"). The payloads are the value API's own bytes, so this file
 * only routes: it never decodes a value except to refuse what cannot cross (a queue or a
 * shared buffer: their wire form is a pointer into one process) and to measure a reply.
 *
 * The main thread alone runs this file; every interpreter of the worker is used by it
 * only, one request at a time, so the table below needs no lock.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isolex_host.h"
#include "protocol.h"
#include "wirescan.h"
#include "worker.h"

IxwkCurrent ixwk_current;

/* ---------------------------------------------------------------- the interpreters */

typedef struct {
    int64_t id;  /* ixh_interp_id: the id the parent names it by, and its leak report's */
    IxInterp *interp;
} Slot;

static Slot *slots;
static size_t nslots, slots_cap;

static IxInterp *find_interp(int64_t id)
{
    for (size_t i = 0; i < nslots; i++)
        if (slots[i].id == id)
            return slots[i].interp;
    return NULL;
}

static int add_interp(IxInterp *interp)
{
    if (nslots == slots_cap) {
        size_t cap = slots_cap ? 2 * slots_cap : 8;
        Slot *grown = realloc(slots, cap * sizeof *grown);
        if (grown == NULL)
            return -1;
        slots = grown;
        slots_cap = cap;
    }
    slots[nslots++] = (Slot){ixh_interp_id(interp), interp};
    return 0;
}

static void drop_interp(int64_t id)
{
    for (size_t i = 0; i < nslots; i++)
        if (slots[i].id == id) {
            slots[i] = slots[--nslots];
            return;
        }
}

/* At the end: every interpreter still open is closed, newest first, so its modules'
 * clear and free run as they would in process (the parent has gone: nobody reads a
 * leak report). */
static void close_all(void)
{
    while (nslots > 0) {
        nslots--;
        ixh_interp_close(slots[nslots].interp, NULL, 0, NULL);
    }
    free(slots);
    slots = NULL;
    slots_cap = 0;
}

/* ---------------------------------------------------------------- the reply buffer
 *
 * One buffer, grown as needed and kept: the reply header's room, then the work area the
 * ixh_* function gets as its in/out buffer (the request payload is read straight into it).
 */
static uint8_t *frame;
static size_t frame_cap;

static uint8_t *work_area(size_t need)
{
    size_t total = IXWK_REPLY_HEADER + need;
    if (total > frame_cap) {
        uint8_t *grown = realloc(frame, total);
        if (grown == NULL)
            return NULL;
        frame = grown;
        frame_cap = total;
    }
    return frame + IXWK_REPLY_HEADER;
}

typedef struct {
    int status;
    int64_t value;
    size_t len;  /* payload bytes, in the work area */
} Reply;

/* An error of the worker's own: an encoded exception (type, message, no cause) in the
 * work area, grown to fit it. */
static Reply error_reply(const char *type, const char *message)
{
    size_t need = 3 * 5 + strlen(type) + strlen(message) + 1;
    uint8_t *buf = work_area(need);
    Reply r = {IXWK_ERROR, 0, 0};
    if (buf == NULL)
        return r;  /* out of memory: an error with an empty payload */
    IxWire w;
    ixw_init(&w, buf, need);
    ixw_tag(&w, IXW_EXCEPTION);
    ixw_cstr(&w, type);
    ixw_cstr(&w, message);
    ixw_tag(&w, IXW_NONE);
    r.len = w.len;
    return r;
}

/* The exact refusals of README.md, "Limits" (and ABI.md 13.7). */
#define SHARED_REFUSAL "queues and shared buffers cannot cross to a worker process " \
    "(isolex worker protocol 1): use an in-process interpreter for them"
#define EXPORT_REFUSAL "a buffer export (IXH_PROTO_BUFFER) cannot cross to a worker " \
    "process (isolex worker protocol 1): its memory is in the worker"

static Reply no_interp(int64_t id)
{
    char message[96];
    snprintf(message, sizeof message, "no interpreter %" PRId64 " in this worker", id);
    return error_reply("ValueError", message);
}

/* ---------------------------------------------------------------- the ops */

typedef struct {
    int op;
    int64_t interp, target;
    uint64_t cap;
    uint8_t *payload;  /* in the work area */
    size_t len;
} Request;

/* INTERP_NEW's payload: module path (str or none), then int memory limit, int legacy
 * private copies, int debug. */
static Reply interp_new(Request *q)
{
    const uint8_t *p = q->payload, *end = q->payload + q->len;
    char *path = NULL;
    IxInterpConfig config = {0};
    if (p < end && *p == IXW_STR && end - p >= 5 && (size_t)(end - p - 5) >= ixwk_get_u32(p + 1)) {
        uint32_t n = ixwk_get_u32(p + 1);
        if (memchr(p + 5, 0, n) != NULL)
            return error_reply("ValueError", "the module path has a NUL byte");
        path = malloc((size_t)n + 1);
        if (path == NULL)
            return error_reply("MemoryError", "worker out of memory");
        memcpy(path, p + 5, n);
        path[n] = '\0';
        p += 5 + n;
    } else if (p < end && *p == IXW_NONE) {
        p++;
    } else {
        p = end + 1;  /* malformed */
    }
    int64_t ints[3];
    for (int i = 0; i < 3; i++, p += 9) {
        if (p > end || end - p < 9 || *p != IXW_INT) {
            free(path);
            return error_reply("ValueError", "INTERP_NEW wants (str or none, int, int, int)");
        }
        ints[i] = ixwk_get_i64(p + 1);
    }
    if (p != end) {
        free(path);
        return error_reply("ValueError", "INTERP_NEW wants (str or none, int, int, int)");
    }
    config.module_path = path;
    config.memory_limit = ints[0];
    config.legacy_private_copies = ints[1] != 0;
    config.debug = ints[2] != 0;
    IxInterp *interp = ixh_interp_new(&config);  /* it copies the path */
    free(path);
    Reply r = {IXWK_OK, 0, 0};
    if (interp == NULL)
        return r;  /* value 0, as ixh_interp_new's NULL: the parent asks MIN_MEMORY_LIMIT why */
    if (add_interp(interp) != 0) {
        ixh_interp_close(interp, NULL, 0, NULL);
        return r;
    }
    r.value = ixh_interp_id(interp);
    return r;
}

/* The ops that answer through a length (*len): value = the return, payload = i64 len and
 * then the bytes written, when the call wrote them (ret >= 0; README.md, "Requests"). */
static Reply with_cap(Request *q, IxInterp *interp)
{
    size_t cap = (size_t)q->cap, len = 0;
    uint8_t *area = work_area(cap + 8);
    if (area == NULL)
        return error_reply("MemoryError", "worker out of memory");
    uint8_t *out = cap ? area + 8 : NULL;  /* after the length's room */
    int64_t ret;
    switch (q->op) {
    case IXWK_OP_LIBRARIES:
        ret = ixh_libraries(out, cap, &len);
        break;
    case IXWK_OP_INTERP_UNRAISABLE:
        ret = ixh_interp_unraisable(interp, out, cap, &len);
        break;
    case IXWK_OP_DEBUG_VIOLATIONS:
        ret = ixh_debug_take_violations((char *)out, cap);
        len = out != NULL ? strlen((char *)out) : 0;  /* the text, without its NUL */
        break;
    default: /* IXWK_OP_INTERP_CLOSE */
        ret = ixh_interp_close(interp, out, cap, out ? &len : NULL);
        if (ret >= 0)
            drop_interp(q->interp);
        break;
    }
    ixwk_put_i64(area, (int64_t)len);
    return (Reply){IXWK_OK, ret, 8 + (ret >= 0 ? len : 0)};
}

static void release_shared(int tag, int64_t pointer, void *user)
{
    if (tag == IXW_QUEUE)
        ixh_queue_release((IxhQueue *)(intptr_t)pointer);
    else
        ixh_buffer_release((IxhBuffer *)(intptr_t)pointer);
}

/* The value API: the payload is the function's input, the work area its buffer. */
static Reply value_api(Request *q, IxInterp *interp)
{
    if (ixwk_holds_shared(q->payload, q->len))
        return error_reply("NotImplementedError", SHARED_REFUSAL);
    if (q->op == IXWK_OP_PROTOCOL && q->len >= 9 && q->payload[0] == IXW_INT &&
        ixwk_get_i64(q->payload + 1) == IXH_PROTO_BUFFER)
        return error_reply("NotImplementedError", EXPORT_REFUSAL);
    uint8_t *buf = q->payload;
    size_t cap = (size_t)q->cap;
    int status;
    switch (q->op) {
    case IXWK_OP_IMPORT: status = ixh_import(interp, buf, q->len, cap); break;
    case IXWK_OP_CALL: status = ixh_call(interp, q->target, buf, q->len, cap); break;
    case IXWK_OP_GETATTR: status = ixh_getattr(interp, q->target, buf, q->len, cap); break;
    case IXWK_OP_SETATTR: status = ixh_setattr(interp, q->target, buf, q->len, cap); break;
    case IXWK_OP_DESCRIBE: status = ixh_describe(interp, q->target, buf, q->len, cap); break;
    case IXWK_OP_EXPAND: status = ixh_expand(interp, q->target, buf, q->len, cap); break;
    case IXWK_OP_MODULE_DEFINITION:
        status = ixh_module_definition(interp, q->target, buf, q->len, cap);
        break;
    case IXWK_OP_PROTOCOL: status = ixh_protocol(interp, q->target, buf, q->len, cap); break;
    case IXWK_OP_DELATTR: status = ixh_delattr(interp, q->target, buf, q->len, cap); break;
    case IXWK_OP_TYPED_SIGNATURE:
        status = ixh_typed_signature(interp, q->target, buf, q->len, cap);
        break;
    default: status = ixh_dir(interp, q->target, buf, q->len, cap); break;
    }
    /* One value; IXH_TOO_BIG leaves two (the handle, then the size needed). */
    int shared = 0;
    size_t n = ixwk_value_length(buf, cap, &shared);
    if (n != 0 && status == IXH_TOO_BIG) {
        size_t more = ixwk_value_length(buf + n, cap - n, &shared);
        n = more ? n + more : 0;
    }
    if (n == 0)
        return error_reply("SystemError", "ixworker: the reply is not one encoded value");
    if (shared) {
        /* The reply handed us references to a queue or buffer: drop them, then refuse. */
        ixwk_scan_value(buf, n, release_shared, NULL, NULL);
        return error_reply("NotImplementedError", SHARED_REFUSAL);
    }
    return (Reply){status, 0, n};
}

static Reply dispatch(Request *q)
{
    switch (q->op) {
    case IXWK_OP_LIVE_BYTES: return (Reply){IXWK_OK, ixh_live_bytes(), 0};
    case IXWK_OP_LIVE_INTERPRETERS: return (Reply){IXWK_OK, ixh_live_interpreters(), 0};
    case IXWK_OP_LOADED_LIBRARIES: return (Reply){IXWK_OK, ixh_loaded_libraries(), 0};
    case IXWK_OP_SHARED_BYTES: return (Reply){IXWK_OK, ixh_shared_bytes(), 0};
    case IXWK_OP_MIN_MEMORY_LIMIT:
        return (Reply){IXWK_OK, ixh_interp_min_memory_limit(q->target != 0), 0};
    case IXWK_OP_LIBRARIES: case IXWK_OP_DEBUG_VIOLATIONS:
        return with_cap(q, NULL);
    case IXWK_OP_INTERP_NEW:
        return interp_new(q);
    default:
        break;
    }
    if (q->op < IXWK_OP_INTERP_CLOSE || q->op > IXWK_OP_TYPED_SIGNATURE ||
        (q->op > IXWK_OP_INTERP_UNRAISABLE && q->op < IXWK_OP_IMPORT)) {
        char message[64];
        snprintf(message, sizeof message, "unknown worker op %d", q->op);
        return error_reply("ValueError", message);
    }
    IxInterp *interp = find_interp(q->interp);
    if (interp == NULL)
        return no_interp(q->interp);
    switch (q->op) {
    case IXWK_OP_INTERP_CLOSE: case IXWK_OP_INTERP_UNRAISABLE:
        return with_cap(q, interp);
    case IXWK_OP_INTERP_LIVE_BYTES: return (Reply){IXWK_OK, ixh_interp_live_bytes(interp), 0};
    case IXWK_OP_INTERP_LIVE_BLOCKS: return (Reply){IXWK_OK, ixh_interp_live_blocks(interp), 0};
    case IXWK_OP_INTERP_FOOTPRINT: return (Reply){IXWK_OK, ixh_interp_footprint(interp), 0};
    case IXWK_OP_INTERP_COLLECT: return (Reply){IXWK_OK, ixh_interp_collect(interp), 0};
    case IXWK_OP_INTERP_HANDLE_COUNT:
        return (Reply){IXWK_OK, ixh_interp_handle_count(interp), 0};
    case IXWK_OP_INTERP_ALLOCATIONS: return (Reply){IXWK_OK, ixh_interp_allocations(interp), 0};
    case IXWK_OP_INTERP_FAIL_ALLOCATION:
        ixh_interp_fail_allocation(interp, q->target);
        return (Reply){IXWK_OK, 0, 0};
    case IXWK_OP_RELEASE: return (Reply){IXWK_OK, ixh_release(interp, q->target), 0};
    default: return value_api(q, interp);
    }
}

/* ---------------------------------------------------------------- the loop */

/* Reads one request: its header, then its payload straight into a work area big enough
 * for the reply too (the value API writes its reply over its request). 1 for a request,
 * 0 for a clean end of file, -1 for a protocol error. */
static IxwkReader in;

static int read_request(Request *q, uint32_t *id)
{
    uint8_t head[IXWK_REQUEST_HEADER];
    if (ixwk_reader_read(&in, head, 4) != 0)
        return errno == 0 ? 0 : -1;
    uint32_t length = ixwk_get_u32(head);
    if (length < IXWK_REQUEST_HEADER - 4 || length > IXWK_MAX_FRAME - 4) {
        fprintf(stderr, "ixworker: bad request length %" PRIu32 "\n", length);
        return -1;
    }
    if (ixwk_reader_read(&in, head + 4, IXWK_REQUEST_HEADER - 4) != 0)
        return -1;
    q->op = head[4];
    *id = ixwk_get_u32(head + 8);
    q->interp = ixwk_get_i64(head + 12);
    q->target = ixwk_get_i64(head + 20);
    q->cap = (uint64_t)ixwk_get_i64(head + 28);
    q->len = length - (IXWK_REQUEST_HEADER - 4);
    /* The value API's buffer holds the request and has cap bytes of room; never less than
     * the request or than IXH_MIN_CAP (a parent asking for less gets that much). */
    if (q->cap > IXWK_MAX_FRAME - IXWK_REPLY_HEADER - 8) {
        fprintf(stderr, "ixworker: bad cap %" PRIu64 "\n", q->cap);
        return -1;
    }
    if (q->cap < q->len)
        q->cap = q->len;
    if (q->op >= IXWK_OP_IMPORT && q->cap < IXH_MIN_CAP)
        q->cap = IXH_MIN_CAP;
    q->payload = work_area((size_t)q->cap + 8);
    if (q->payload == NULL) {
        fprintf(stderr, "ixworker: out of memory for a request of %zu bytes\n", q->len);
        return -1;
    }
    return ixwk_reader_read(&in, q->payload, q->len) == 0 ? 1 : -1;
}

static int write_reply(int fd, uint32_t id, Reply r)
{
    uint8_t *head = frame;  /* the payload already sits after the header's room */
    ixwk_put_u32(head, (uint32_t)(IXWK_REPLY_HEADER - 4 + r.len));
    head[4] = (uint8_t)r.status;
    head[5] = head[6] = head[7] = 0;
    ixwk_put_u32(head + 8, id);
    ixwk_put_i64(head + 12, r.value);
    return ixwk_write_full(fd, head, IXWK_REPLY_HEADER + r.len);
}

/* The first frame, before any request: id 0, value = the worker's pid, payload = int
 * protocol version, str ixh_version() (README.md, "Start"). */
static int hello(int fd)
{
    const char *version = ixh_version();
    uint8_t *area = work_area(9 + 5 + strlen(version));
    if (area == NULL)
        return -1;
    IxWire w;
    ixw_init(&w, area, 9 + 5 + strlen(version));
    ixw_int(&w, IXWK_PROTOCOL_VERSION);
    ixw_cstr(&w, version);
    return write_reply(fd, 0, (Reply){IXWK_OK, (int64_t)getpid(), w.len});
}

int ixwk_serve(int fd)
{
    in.fd = fd;
    if (hello(fd) != 0)
        return IXWK_EXIT_PROTOCOL;
    for (;;) {
        Request q;
        uint32_t id;
        int got = read_request(&q, &id);
        if (got <= 0) {
            atomic_store(&ixwk_current.busy, 2);  /* closing: the watchdog's grace */
            close_all();
            free(frame);
            return got == 0 ? IXWK_EXIT_CLEAN : IXWK_EXIT_PROTOCOL;
        }
        ixwk_current.op = q.op;
        ixwk_current.interp = q.interp;
        ixwk_current.target = q.target;
        atomic_store(&ixwk_current.busy, 1);
        Reply r = dispatch(&q);
        atomic_store(&ixwk_current.busy, 0);
        ixwk_current.op = 0;
        if (write_reply(fd, id, r) != 0) {
            /* The parent went away: nothing more to answer. */
            atomic_store(&ixwk_current.busy, 2);
            close_all();
            free(frame);
            return IXWK_EXIT_CLEAN;
        }
    }
}
