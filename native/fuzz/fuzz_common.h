/*
 * fuzz_common.h -- what the libFuzzer harnesses of native/fuzz share: a reader that turns
 * the fuzzer's bytes into choices, the shared buffers and queues a wire value may name,
 * and a failure that libFuzzer records as a crash.
 *
 * The harnesses are compiled together with the core's sources (CMakeLists.txt), so the
 * hidden functions of native/src/ix_internal.h are callable. Each harness documents its
 * input layout at its top; seeds.c writes the committed seed corpora in those layouts.
 */
#ifndef IX_FUZZ_COMMON_H
#define IX_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isolex_host.h"

/* The fuzzer's bytes, consumed front to back. Past the end every read gives 0s, so a
 * short input is still a complete (if dull) program. */
typedef struct FzIn {
    const uint8_t *p;
    size_t n;
} FzIn;

uint8_t fz_u8(FzIn *in);
uint16_t fz_u16(FzIn *in);  /* little-endian */
uint32_t fz_u32(FzIn *in);
uint64_t fz_u64(FzIn *in);
/* Up to n bytes in place; *got says how many there were. */
const uint8_t *fz_bytes(FzIn *in, size_t n, size_t *got);

/* Buffers and queues that IXW_BUFFER / IXW_QUEUE values in fuzzed wire data stand for.
 * A request carries raw pointers there (isolex_host.h: "a request only lends the
 * caller's"), which no decoder can check; fuzzing them would only find that. So the
 * harness rewrites each such pointer into one of these, chosen by the fuzzed word. */
#define FZ_NSHARED 2
typedef struct FzShared {
    IxhBuffer *buffers[FZ_NSHARED];
    IxhQueue *queues[FZ_NSHARED];
} FzShared;

/* Two buffers (0 and 64 bytes) and two queues (unbounded; capacity 1 holding an int). */
void fz_shared_new(FzShared *s);
void fz_shared_release(FzShared *s);
/* Rewrite the pointer of every IXW_BUFFER / IXW_QUEUE tag of buf, walking the values as
 * the decoder reads them (one tag, then its fixed-size payload or length-counted bytes). */
void fz_patch_shared(uint8_t *buf, size_t len, const FzShared *s);

/* Walk one reply value (or exception) of a value API call: each handle in it goes to
 * on_handle, and the reference to each buffer and queue it hands the reader is released.
 * False when the bytes are not one well-formed value. */
bool fz_take_reply(const uint8_t *p, size_t len, void (*on_handle)(void *arg, int64_t h), void *arg);

/* Report and abort: libFuzzer keeps the input as a crash artifact. */
void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Close an interpreter; fail unless nothing leaked (the leak report is printed). */
void fz_close_clean(IxInterp *interp);
/* Fail if debug mode recorded a violation: the extensions used here have no bugs, so one
 * would be the core's. */
void fz_check_no_violations(void);

/* The directory holding only the modules the request harness may import (counter, probe,
 * raiser: none of them blocks, spins or keeps process-global state); set by CMake. */
#ifndef FZ_MODULE_DIR
#error "FZ_MODULE_DIR must be defined (native/fuzz/CMakeLists.txt)"
#endif

#endif /* IX_FUZZ_COMMON_H */
