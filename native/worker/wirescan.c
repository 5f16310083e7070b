/*
 * wirescan.c -- walking encoded values (isolex_host.h, "wire format") without decoding
 * them: the worker needs the length of a reply value (ixh_call leaves one value in its
 * buffer and says nothing of its length) and must find the queues and shared buffers a
 * request or reply carries, since their int64 payload is a pointer into one process's
 * memory and means nothing in the other (README.md, "Limits").
 *
 * No recursion: every value is a tag and a flat payload, a container only a count of the
 * values that follow it, so one counter of values still owed walks any depth in constant
 * stack -- a hostile 10^6-deep list cannot overflow the worker's stack here.
 */
#include <string.h>

#include "isolex_host.h"
#include "protocol.h"
#include "wirescan.h"

/* The length of one value at buf, or 0 (malformed, cut short). Calls on_shared (if not
 * NULL) for each queue or buffer in it, and sets *shared when there is one. */
size_t ixwk_scan_value(const uint8_t *buf, size_t len, ixwk_shared_fn on_shared, void *user,
                       int *shared)
{
    size_t pos = 0;
    uint64_t owed = 1;  /* values still to read */
    while (owed > 0) {
        owed--;
        if (pos >= len)
            return 0;
        int tag = buf[pos++];
        size_t need;
        switch (tag) {
        case IXW_NONE: case IXW_FALSE: case IXW_TRUE:
            continue;
        case IXW_INT: case IXW_FLOAT:
            need = 8;
            break;
        case IXW_BUFFER: case IXW_QUEUE:
            if (len - pos < 8)
                return 0;
            if (shared != NULL)
                *shared = 1;
            if (on_shared != NULL)
                on_shared(tag, ixwk_get_i64(buf + pos), user);
            need = 8;
            break;
        case IXW_HANDLE:
            need = 8;
            owed += 1;  /* its type name, an IXW_STR */
            break;
        case IXW_EXCEPTION:
            owed += 3;  /* type name, message, cause (none or an exception) */
            continue;
        case IXW_STR: case IXW_BYTES: case IXW_BIGINT:
            if (len - pos < 4)
                return 0;
            need = 4 + (size_t)ixwk_get_u32(buf + pos);
            break;
        case IXW_TUPLE: case IXW_LIST: case IXW_DICT:
            if (len - pos < 4)
                return 0;
            owed += (uint64_t)ixwk_get_u32(buf + pos) * (tag == IXW_DICT ? 2 : 1);
            need = 4;
            break;
        default:
            return 0;
        }
        if (len - pos < need)
            return 0;
        pos += need;
    }
    return pos;
}

size_t ixwk_value_length(const uint8_t *buf, size_t len, int *shared)
{
    return ixwk_scan_value(buf, len, NULL, NULL, shared);
}

int ixwk_holds_shared(const uint8_t *buf, size_t len)
{
    int shared = 0;
    size_t pos = 0;
    while (pos < len && !shared) {
        size_t n = ixwk_value_length(buf + pos, len - pos, &shared);
        if (n == 0)
            break;  /* malformed: the ixh_* function refuses it (ABI.md 12.1) */
        pos += n;
    }
    return shared;
}
