/*
 * ix_bench.h -- the C side of org.isolex.bench.RawJni: functions with nothing of isolex in
 * them, the baselines the call-cost benchmark (CallBench) compares isolex's calls with.
 * JavaCPP includes this header into the JNI library it generates for RawJni, so each
 * function is inlined into its JNI entry point: a call measures JNI and nothing else.
 */
#ifndef IX_BENCH_H
#define IX_BENCH_H

#include <stdint.h>
#include <string.h>

/* The equivalent of probe.echo(1) with no interpreter: a long in, a long out. */
static inline int64_t ix_bench_add1(int64_t x) { return x + 1; }

/* The same through a direct buffer, shaped like isolex's value API: the request holds an
 * IXW_INT (tag 3 + int64 little-endian) at byte 0; the reply, written over it, is the
 * value plus one. Returns 0 (IXH_OK). Measures JNI with a ByteBuffer argument (JavaCPP
 * reads its address and position) plus a 9-byte decode and encode. */
static inline int ix_bench_buffer_add1(uint8_t *buf, size_t len, size_t cap)
{
    int64_t v;
    if (len < 9 || cap < 9 || buf[0] != 3) return 1;
    memcpy(&v, buf + 1, 8);
    v += 1;
    memcpy(buf + 1, &v, 8);
    return 0;
}

#endif /* IX_BENCH_H */
