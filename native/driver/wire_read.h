/*
 * wire_read.h -- a reader for the value API's wire format (isolex_host.h), as the JNI
 * bridge needs one: the library only writes the format for its callers, and reading it
 * back independently is what checks that it writes what the header says.
 */
#ifndef IXD_WIRE_READ_H
#define IXD_WIRE_READ_H

#include <stddef.h>
#include <stdint.h>

typedef struct IxdReader {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    int bad;  /* set by the first malformed or truncated read; later reads return 0s */
} IxdReader;

void ixd_reader_init(IxdReader *r, const uint8_t *buf, size_t len);

/* One tagged value each; a different tag than the one asked for makes the reader bad. */
int ixd_read_tag(IxdReader *r);  /* the next tag byte, or -1 */
int64_t ixd_read_int(IxdReader *r);
/* The header of a container value with this tag (IXW_TUPLE, IXW_LIST, IXW_DICT): its count. */
uint32_t ixd_read_count(IxdReader *r, int tag);
/* Points into the buffer (not NUL-terminated); *n receives the length. */
const char *ixd_read_str(IxdReader *r, uint32_t *n);
/* IXW_HANDLE: the handle; its type name is copied to type (NUL-terminated, cut to cap). */
int64_t ixd_read_handle(IxdReader *r, char *type, size_t cap);

/* The next value as text, into out (cut to cap), returned:
 *   None True False 42 1.5 'str' b'\x00a' (1,) [1, 2] {'k': 1} <handle 3: module>
 * and an exception as "Type: message" with " <- Type: message" per cause -- the shape
 * of ixh_error_text, so one expected string serves both APIs. Malformed input gives
 * "<malformed wire data at byte N>". */
const char *ixd_wire_text(IxdReader *r, char *out, size_t cap);

#endif /* IXD_WIRE_READ_H */
