package org.isolex.bench;

import java.nio.ByteBuffer;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The baseline of the call-cost budgets (docs/design.md, "Performance budgets": a trivial
 * extension call is measured as a multiple of "a raw JavaCPP JNI call to an equivalent C
 * function"). The C functions are in {@code src/main/native/ix_bench.h}; JavaCPP's build
 * goal compiles this class's JNI library in the bench module (java/bench/pom.xml) with the
 * same flags as the core's bridge, so both are JavaCPP-generated JNI entry points compiled
 * alike, and the only difference between the two sides is what isolex does.
 */
@Platform(value = "linux-x86_64", include = "ix_bench.h")
public final class RawJni {
    static {
        Loader.load();
    }

    private RawJni() {}

    /** {@code x + 1} in C: JNI, nothing else. */
    public static native @Cast("int64_t") long ix_bench_add1(@Cast("int64_t") long x);

    /**
     * The value API's shape without isolex: an int decoded from a direct buffer at byte 0,
     * plus one written back; 0 on success.
     */
    public static native int ix_bench_buffer_add1(@Cast("uint8_t*") ByteBuffer buf, @Cast("size_t") long len,
                                                  @Cast("size_t") long cap);
}
