package org.isolex.internal;

/**
 * The seam under {@link NativeBridge}: libisolex's {@code ixh_*} entry points
 * ({@code native/include/isolex_host.h}), one method each, every pointer and {@code size_t} a
 * Java {@code long}, so that an implementation needs nothing but numbers. Two implement it:
 * {@link JniNatives} (JavaCPP's JNI stubs, any JDK) and {@code FfmNatives} (downcalls of
 * {@code java.lang.foreign}, compiled for JDK 22+ into the jar's {@code META-INF/versions/22};
 * chosen by {@link NativeBridge} at class initialization, docs/design.md "JNI on 17, FFM on
 * 22+"). NativeBridge holds the chosen one in a static final field, so the JIT binds each call
 * to its one implementation and the seam costs nothing per call.
 *
 * <p>Every function is thread-safe (isolex_host.h); the names and argument orders are the C
 * functions', without the prefix.
 */
public interface Natives {
    /** {@return "jni" or "ffm": the path this implementation calls through} */
    String path();

    /** {@return {@code const char *}: libisolex's version string} */
    long version();

    long liveBytes();

    long liveInterpreters();

    long loadedLibraries();

    long libraries(long buf, long cap, long len);

    long interpNew(long config);

    long interpMinMemoryLimit(int debug);

    long interpId(long interp);

    /** ABI 1.3 (ABI.md 12.80): lock-free, from any thread. */
    int interpInterrupt(long interp, long call, int reason);

    long interpLiveBytes(long interp);

    long interpLiveBlocks(long interp);

    long interpFootprint(long interp);

    long interpHandleCount(long interp);

    long interpCollect(long interp);

    long interpUnraisable(long interp, long buf, long cap, long len);

    long debugTakeViolations(long buf, long cap);

    int interpClose(long interp, long buf, long cap, long len);

    int importModule(long interp, long buf, long len, long cap);

    int call(long interp, long target, long buf, long len, long cap);

    int getattr(long interp, long target, long buf, long len, long cap);

    int setattr(long interp, long target, long buf, long len, long cap);

    int describe(long interp, long target, long buf, long len, long cap);

    int expand(long interp, long target, long buf, long len, long cap);

    int moduleDefinition(long interp, long target, long buf, long len, long cap);

    int protocol(long interp, long target, long buf, long len, long cap);

    int delattr(long interp, long target, long buf, long len, long cap);

    int dir(long interp, long target, long buf, long len, long cap);

    int typedSignature(long interp, long target, long buf, long len, long cap);

    int release(long interp, long handle);

    int callTyped(long interp, long function, long signature, long values, long buf, long cap);

    int callTypedBatch(long interp, long function, long signature, long values, long count, long done, long buf,
                       long cap);

    long sharedBytes();

    long bufferNew(long size);

    /** {@return {@code uint8_t *}: the buffer's first byte; its size is written at {@code size}} */
    long bufferData(long b, long size);

    void bufferRelease(long b);

    long queueNew(long capacity);

    void queueRelease(long q);

    long queueSize(long q);

    int queuePut(long q, long buf, long len, double timeout);

    int queueGet(long q, long buf, long cap, double timeout, long len);
}
