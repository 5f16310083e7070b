/* wirescan.h -- wirescan.c's walker with a callback, for the worker's own use (serve.c). */
#ifndef IXWK_WIRESCAN_H
#define IXWK_WIRESCAN_H

#include <stddef.h>
#include <stdint.h>

typedef void (*ixwk_shared_fn)(int tag, int64_t pointer, void *user);
size_t ixwk_scan_value(const uint8_t *buf, size_t len, ixwk_shared_fn on_shared, void *user,
                       int *shared);

#endif
