/*
 * protocol.h -- the isolex worker protocol (version 1): the frames a parent and ixworker
 * exchange over one Unix stream socket. README.md beside this file describes every byte;
 * this header is the one place the numbers are written, shared by the worker (main.c,
 * serve.c) and the C client the tests use (client.c).
 *
 * Everything is little-endian, with no padding. A request and a reply have one header:
 *
 *   request:  u32 length  u8 op      u8[3] zero  u32 id  i64 interp  i64 target  u64 cap
 *   reply:    u32 length  u8 status  u8[3] zero  u32 id  i64 value
 *
 * followed by the payload; `length` counts every byte after itself. The payload of a value
 * API request is exactly the bytes the in-process ixh_* function takes (isolex_host.h), and
 * the payload of its reply exactly the bytes it leaves in the buffer (one encoded value).
 */
#ifndef IXWK_PROTOCOL_H
#define IXWK_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#define IXWK_PROTOCOL_VERSION 1

#define IXWK_REQUEST_HEADER 36 /* length field included */
#define IXWK_REPLY_HEADER 20
/* The largest frame either side accepts (length field included): a longer length is a
 * protocol error, since the stream cannot be resynchronised after it. */
#define IXWK_MAX_FRAME ((size_t)1 << 30)

/* Request op codes. Each names the ixh_* function it runs; "target" and "cap" are the
 * header fields the function takes (README.md, "Requests", has the table). */
enum {
    /* process level */
    IXWK_OP_LIVE_BYTES = 1,        /* ixh_live_bytes */
    IXWK_OP_LIVE_INTERPRETERS = 2, /* ixh_live_interpreters */
    IXWK_OP_LOADED_LIBRARIES = 3,  /* ixh_loaded_libraries */
    IXWK_OP_LIBRARIES = 4,         /* ixh_libraries(cap) */
    IXWK_OP_MIN_MEMORY_LIMIT = 5,  /* ixh_interp_min_memory_limit(debug = target) */
    IXWK_OP_DEBUG_VIOLATIONS = 6,  /* ixh_debug_take_violations(cap) */
    IXWK_OP_SHARED_BYTES = 7,      /* ixh_shared_bytes */
    /* an interpreter's life */
    IXWK_OP_INTERP_NEW = 16,       /* ixh_interp_new(config in the payload) */
    IXWK_OP_INTERP_CLOSE = 17,     /* ixh_interp_close(cap) */
    IXWK_OP_INTERP_LIVE_BYTES = 18,
    IXWK_OP_INTERP_LIVE_BLOCKS = 19,
    IXWK_OP_INTERP_FOOTPRINT = 20,
    IXWK_OP_INTERP_COLLECT = 21,
    IXWK_OP_INTERP_HANDLE_COUNT = 22,
    IXWK_OP_INTERP_ALLOCATIONS = 23,
    IXWK_OP_INTERP_FAIL_ALLOCATION = 24, /* n = target */
    IXWK_OP_INTERP_UNRAISABLE = 25,      /* cap */
    /* the value API: payload in, one encoded value out */
    IXWK_OP_IMPORT = 32,
    IXWK_OP_CALL = 33,
    IXWK_OP_GETATTR = 34,
    IXWK_OP_SETATTR = 35,
    IXWK_OP_DESCRIBE = 36,
    IXWK_OP_EXPAND = 37,
    IXWK_OP_MODULE_DEFINITION = 38,
    IXWK_OP_PROTOCOL = 39,
    IXWK_OP_DELATTR = 40,
    IXWK_OP_DIR = 41,
    IXWK_OP_RELEASE = 42,          /* handle = target */
    /* ABI 1.3: ixh_typed_signature (ABI.md 12.72), for TypedFunction in a worker (13.15) */
    IXWK_OP_TYPED_SIGNATURE = 43
};

/* Reply status: the value API's IXH_OK / IXH_ERROR / IXH_TOO_BIG, for every op. An op
 * that is no value API call answers IXWK_OK with its result in `value`, or IXWK_ERROR with
 * an encoded exception (an unknown interpreter id, a refused request). */
enum { IXWK_OK = 0, IXWK_ERROR = 1, IXWK_TOO_BIG = 2 };

/* The worker's own exit statuses. An extension that calls exit(n) exits with n: a status
 * the parent did not cause by closing the socket is a crash whatever its value. */
enum {
    IXWK_EXIT_CLEAN = 0,     /* the parent closed the socket; every interpreter closed */
    IXWK_EXIT_USAGE = 120,   /* bad command line */
    IXWK_EXIT_CONNECT = 121, /* could not connect to --connect PATH */
    IXWK_EXIT_PROTOCOL = 122,/* a malformed frame, or the socket failed mid-frame */
    IXWK_EXIT_ORPHAN = 123   /* the parent went away during a call (watchdog.c) */
};

/* Byte order helpers: the protocol is little-endian whatever the machine. */
static inline void ixwk_put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline void ixwk_put_i64(uint8_t *p, int64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)((uint64_t)v >> (8 * i));
}
static inline uint32_t ixwk_get_u32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}
static inline int64_t ixwk_get_i64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return (int64_t)v;
}

/* frame.c: whole reads and writes on a blocking descriptor, EINTR retried. 0 on success,
 * -1 on an error or end of file (errno 0 for a clean end of file before any byte). */
int ixwk_read_full(int fd, void *buf, size_t n);
int ixwk_write_full(int fd, const void *buf, size_t n);

/* A buffered reader: a frame's header and a small payload come in one read() (a round
 * trip is then three system calls on each side, not four). */
typedef struct IxwkReader {
    int fd;
    size_t start, end;
    uint8_t buf[16384];
} IxwkReader;
/* As ixwk_read_full, through r's buffer. */
int ixwk_reader_read(IxwkReader *r, void *dst, size_t n);

/* wirescan.c: the length of the one encoded value at buf (at most len bytes), or 0 when it
 * is malformed or cut short; *shared is set when it holds a queue or shared buffer. */
size_t ixwk_value_length(const uint8_t *buf, size_t len, int *shared);
/* Whether any of the values filling buf[0..len) is a queue or shared buffer (a request is
 * a sequence of values; a malformed one is left to the ixh_* function to refuse). */
int ixwk_holds_shared(const uint8_t *buf, size_t len);

#endif /* IXWK_PROTOCOL_H */
