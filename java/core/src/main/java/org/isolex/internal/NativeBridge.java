package org.isolex.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.Opaque;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The JNI bridge to libisolex ({@code native/include/isolex_host.h}), generated and compiled by
 * JavaCPP at build time (see {@code java/core/pom.xml}).
 *
 * <p>The raw {@code ixh_*} natives are package-private; the public surface is a handful of
 * static Java methods that take Java types ({@link String}, direct {@link ByteBuffer}s) so that
 * no JavaCPP type leaks into {@code org.isolex}. Value-API buffers are direct, little-endian
 * {@link ByteBuffer}s owned by {@link Wire}; their address is passed as {@code uint8_t *}.
 * JavaCPP adds a buffer's <em>position</em> to that address, so every call here first
 * {@linkplain ByteBuffer#clear() clears} the buffer: native code always sees byte 0.
 *
 * <p>Every native function here is thread-safe (isolex_host.h); the Java layer adds only the
 * rule that an {@link IxInterp} is not used after {@link #interpClose}.
 */
@Platform(value = "linux-x86_64", include = "isolex_host.h", link = "isolex@.1")
public final class NativeBridge {
    static {
        Loader.load();
    }

    private NativeBridge() {}

    /** Status codes of the value API (IXH_OK, IXH_ERROR, IXH_TOO_BIG). */
    public static final int OK = 0, ERROR = 1, TOO_BIG = 2;

    /** The value-API operations that share the (interp, target, buf, len, cap) shape. */
    public enum Op { CALL, GETATTR, SETATTR, DESCRIBE, EXPAND }

    /** An interpreter pointer ({@code IxInterp *}). Opaque: only libisolex looks inside. */
    @Opaque
    @Name("IxInterp")
    public static final class IxInterp extends Pointer {
        IxInterp() { super((Pointer) null); }
        IxInterp(Pointer p) { super(p); }
    }

    /** {@code IxInterpConfig}: allocated natively, filled, passed to ixh_interp_new, freed. */
    @Name("IxInterpConfig")
    static final class IxInterpConfig extends Pointer {
        static { Loader.load(); }
        IxInterpConfig() { super((Pointer) null); allocate(); }
        private native void allocate();

        native @Cast("const char*") BytePointer module_path();
        native IxInterpConfig module_path(@Cast("const char*") BytePointer setter);
        native @Cast("int64_t") long memory_limit();
        native IxInterpConfig memory_limit(long setter);
        native int legacy_private_copies();
        native IxInterpConfig legacy_private_copies(int setter);
        native int debug();
        native IxInterpConfig debug(int setter);
    }

    // ------------------------------------------------------------------ raw natives

    static native @Cast("const char*") BytePointer ixh_version();
    static native @Cast("int64_t") long ixh_live_bytes();
    static native @Cast("int64_t") long ixh_live_interpreters();
    static native @Cast("int64_t") long ixh_loaded_libraries();

    static native IxInterp ixh_interp_new(@Cast("const IxInterpConfig*") IxInterpConfig config);
    static native @Cast("int64_t") long ixh_interp_id(IxInterp interp);
    static native @Cast("int64_t") long ixh_interp_live_bytes(IxInterp interp);
    static native @Cast("int64_t") long ixh_interp_live_blocks(IxInterp interp);
    static native @Cast("int64_t") long ixh_interp_footprint(IxInterp interp);
    static native @Cast("int64_t") long ixh_interp_handle_count(IxInterp interp);
    static native @Cast("int64_t") long ixh_interp_collect(IxInterp interp);
    static native @Cast("int64_t") long ixh_debug_take_violations(@Cast("char*") BytePointer buf,
                                                                  @Cast("size_t") long cap);
    static native int ixh_interp_close(IxInterp interp, @Cast("uint8_t*") ByteBuffer buf,
                                       @Cast("size_t") long cap, @Cast("size_t*") SizeTPointer len);

    static native int ixh_import(IxInterp interp, @Cast("uint8_t*") ByteBuffer buf,
                                 @Cast("size_t") long len, @Cast("size_t") long cap);
    static native int ixh_call(IxInterp interp, @Cast("int64_t") long target, @Cast("uint8_t*") ByteBuffer buf,
                               @Cast("size_t") long len, @Cast("size_t") long cap);
    static native int ixh_getattr(IxInterp interp, @Cast("int64_t") long target, @Cast("uint8_t*") ByteBuffer buf,
                                  @Cast("size_t") long len, @Cast("size_t") long cap);
    static native int ixh_setattr(IxInterp interp, @Cast("int64_t") long target, @Cast("uint8_t*") ByteBuffer buf,
                                  @Cast("size_t") long len, @Cast("size_t") long cap);
    static native int ixh_describe(IxInterp interp, @Cast("int64_t") long target, @Cast("uint8_t*") ByteBuffer buf,
                                   @Cast("size_t") long len, @Cast("size_t") long cap);
    static native int ixh_expand(IxInterp interp, @Cast("int64_t") long target, @Cast("uint8_t*") ByteBuffer buf,
                                 @Cast("size_t") long len, @Cast("size_t") long cap);
    static native int ixh_release(IxInterp interp, @Cast("int64_t") long handle);

    // queues and shared buffers (isolex_host.h, ABI.md 11): pointers travel as Java longs,
    // exactly as the wire format carries them (IXW_BUFFER / IXW_QUEUE: int64)
    static native @Cast("int64_t") long ixh_shared_bytes();
    static native @Cast("intptr_t") long ixh_buffer_new(@Cast("size_t") long size);
    static native @Cast("uint8_t*") BytePointer ixh_buffer_data(@Cast("IxhBuffer*") long b,
                                                                @Cast("size_t*") ByteBuffer size);
    static native void ixh_buffer_release(@Cast("IxhBuffer*") long b);
    static native @Cast("intptr_t") long ixh_queue_new(@Cast("int64_t") long capacity);
    static native void ixh_queue_release(@Cast("IxhQueue*") long q);
    static native @Cast("int64_t") long ixh_queue_size(@Cast("IxhQueue*") long q);
    static native int ixh_queue_put(@Cast("IxhQueue*") long q, @Cast("const uint8_t*") ByteBuffer buf,
                                    @Cast("size_t") long len, double timeout);
    static native int ixh_queue_get(@Cast("IxhQueue*") long q, @Cast("uint8_t*") ByteBuffer buf,
                                    @Cast("size_t") long cap, double timeout, @Cast("size_t*") ByteBuffer len);

    // ------------------------------------------------------------------ the public surface

    /** Makes sure libisolex and the JNI library are loaded (throws if they cannot be). */
    public static void load() {
        // the static initializer did it
    }

    /** libisolex's version string. */
    public static String version() {
        BytePointer p = ixh_version();
        return p == null || p.isNull() ? "" : p.getString(StandardCharsets.UTF_8);
    }

    public static long liveBytes() { return ixh_live_bytes(); }

    public static long liveInterpreters() { return ixh_live_interpreters(); }

    public static long loadedLibraries() { return ixh_loaded_libraries(); }

    /**
     * Creates an interpreter.
     *
     * @param modulePath ':'-separated directories, or null; passed as UTF-8 bytes, so
     *                   non-ASCII directory names work
     * @param memoryLimit bytes, 0 for none
     * @param legacyPrivateCopies {@code IxInterpConfig.legacy_private_copies} (ABI.md 7.4)
     * @param debug {@code IxInterpConfig.debug}: debug mode (ABI.md 10)
     * @return the interpreter, or null when the process is out of memory
     */
    public static IxInterp interpNew(String modulePath, long memoryLimit, boolean legacyPrivateCopies,
                                     boolean debug) {
        try (IxInterpConfig config = new IxInterpConfig();
             BytePointer path = modulePath == null ? null
                     : new BytePointer(modulePath.getBytes(StandardCharsets.UTF_8).length + 1)) {
            if (path != null) {
                byte[] utf8 = modulePath.getBytes(StandardCharsets.UTF_8);
                path.put(utf8, 0, utf8.length).put(utf8.length, (byte) 0);
            }
            config.module_path(path).memory_limit(memoryLimit).legacy_private_copies(legacyPrivateCopies ? 1 : 0)
                    .debug(debug ? 1 : 0);
            IxInterp interp = ixh_interp_new(config);
            return interp == null || interp.isNull() ? null : interp;
        }
    }

    public static long interpId(IxInterp interp) { return ixh_interp_id(interp); }

    public static long interpLiveBytes(IxInterp interp) { return ixh_interp_live_bytes(interp); }

    public static long interpLiveBlocks(IxInterp interp) { return ixh_interp_live_blocks(interp); }

    /**
     * Every native byte the interpreter holds, its own builtins (types, singletons, caches)
     * included: what an idle interpreter costs (ixh_interp_footprint). For benchmarks.
     */
    public static long interpFootprint(IxInterp interp) { return ixh_interp_footprint(interp); }

    public static long interpHandleCount(IxInterp interp) { return ixh_interp_handle_count(interp); }

    /**
     * Runs the interpreter's cycle collector now: the number of unreachable objects it
     * found (and freed), or -1 when called from inside the interpreter (never from Java).
     */
    public static long interpCollect(IxInterp interp) { return ixh_interp_collect(interp); }

    /** Room for one drain of the violation log; a longer log is cut (the count stays exact). */
    private static final int VIOLATIONS_CAPACITY = 256 * 1024;

    /**
     * Drains the process-wide debug-mode violation log (ABI.md 10.2): the lines recorded
     * since the last drain, oldest first, each {@code "isolex debug: ..."}. The log is
     * forgotten natively either way; when it was longer than the buffer the text is cut and
     * a last line says how many violations were not shown.
     */
    public static List<String> takeDebugViolations() {
        try (BytePointer buf = new BytePointer(VIOLATIONS_CAPACITY)) {
            buf.put(0L, (byte) 0);
            long count = ixh_debug_take_violations(buf, VIOLATIONS_CAPACITY);
            if (count <= 0) return List.of();
            String text = buf.limit(0).getString(StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (!line.isEmpty()) lines.add(line);
            }
            if (lines.size() < count) {
                // the last line may have been cut mid-way: drop it and say what is missing
                if (!text.endsWith("\n") && !lines.isEmpty()) lines.remove(lines.size() - 1);
                lines.add("isolex debug: (" + (count - lines.size()) + " more violations did not fit the "
                        + VIOLATIONS_CAPACITY + "-byte buffer)");
            }
            return List.copyOf(lines);
        }
    }

    /**
     * Closes and frees the interpreter; the leak report (if any) is written into {@code buf}
     * from position 0, and {@code buf}'s limit is set to its length.
     *
     * @return 0 when nothing leaked, 1 when something did
     */
    public static int interpClose(IxInterp interp, ByteBuffer buf) {
        try (SizeTPointer len = new SizeTPointer(1)) {
            len.put(0L);
            buf.clear();
            int rc = ixh_interp_close(interp, buf, buf.capacity(), len);
            long n = len.get();
            buf.clear();
            buf.limit((int) Math.min(Math.max(n, 0), buf.capacity()));
            return rc;
        }
    }

    /** ixh_import: {@code buf} holds {@code len} bytes (a str), has {@code buf.capacity()} room. */
    public static int importModule(IxInterp interp, ByteBuffer buf, int len) {
        buf.clear();
        return ixh_import(interp, buf, len, buf.capacity());
    }

    /** One of the (interp, target, buf, len, cap) value-API operations. */
    public static int op(Op op, IxInterp interp, long target, ByteBuffer buf, int len) {
        buf.clear();
        long cap = buf.capacity();
        switch (op) {
            case CALL: return ixh_call(interp, target, buf, len, cap);
            case GETATTR: return ixh_getattr(interp, target, buf, len, cap);
            case SETATTR: return ixh_setattr(interp, target, buf, len, cap);
            case DESCRIBE: return ixh_describe(interp, target, buf, len, cap);
            case EXPAND: return ixh_expand(interp, target, buf, len, cap);
            default: throw new AssertionError(op);
        }
    }

    /** Drops the reference a handle owns: 0, or -1 for a stale/foreign handle. */
    public static int release(IxInterp interp, long handle) {
        return ixh_release(interp, handle);
    }

    // ------------------------------------------------------------------ queues and shared buffers

    /** Statuses of ixh_queue_put / ixh_queue_get (IXH_QUEUE_*). */
    public static final int QUEUE_OK = 0, QUEUE_TIMEOUT = 1, QUEUE_TOO_BIG = 2, QUEUE_NOMEM = 3,
            QUEUE_NOT_SHAREABLE = 4;

    /**
     * A size_t out-parameter per thread: an 8-byte direct buffer the JVM allocated (so no
     * native allocation of ours outlives a call, and LeakSanitizer sees only the JVM's).
     */
    private static final ThreadLocal<ByteBuffer> SIZE_OUT =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(8).order(java.nio.ByteOrder.nativeOrder()));

    /** Bytes held by shared buffers, queues and queued items (ixh_shared_bytes). */
    public static long sharedBytes() { return ixh_shared_bytes(); }

    /** A new zeroed shared buffer ({@code IxhBuffer *}, owning one reference), or 0 when out of memory. */
    public static long bufferNew(long size) { return ixh_buffer_new(size); }

    /**
     * The bytes of a shared buffer as a direct ByteBuffer of exactly its size (big-endian,
     * as every new ByteBuffer), or null for a buffer of 0 bytes. The ByteBuffer does not
     * keep the native memory alive: the caller must (see org.isolex.SharedBuffer).
     */
    public static ByteBuffer bufferBytes(long b) {
        ByteBuffer out = SIZE_OUT.get();
        out.clear();
        BytePointer p = ixh_buffer_data(b, out);
        long size = out.getLong(0);
        if (size == 0) return null;
        if (size > Integer.MAX_VALUE) throw new IllegalStateException("a shared buffer of " + size
                + " bytes does not fit a ByteBuffer");
        return p.capacity(size).limit(size).asByteBuffer();
    }

    /** Address of a shared buffer's first byte (what IxBuffer_Data returns inside an interpreter). */
    public static long bufferAddress(long b) {
        ByteBuffer out = SIZE_OUT.get();
        out.clear();
        return ixh_buffer_data(b, out).address();
    }

    /** Size of a shared buffer in bytes. */
    public static long bufferSize(long b) {
        ByteBuffer out = SIZE_OUT.get();
        out.clear();
        ixh_buffer_data(b, out);
        return out.getLong(0);
    }

    /** Drops one reference to a shared buffer; the last one frees it. Any thread, no interpreter lock. */
    public static void bufferRelease(long b) { ixh_buffer_release(b); }

    /** A new queue ({@code IxhQueue *}, owning one reference); capacity <= 0: unbounded. 0 when out of memory. */
    public static long queueNew(long capacity) { return ixh_queue_new(capacity); }

    /** Drops one reference to a queue; the last one frees it and every item still in it. Any thread. */
    public static void queueRelease(long q) { ixh_queue_release(q); }

    public static long queueSize(long q) { return ixh_queue_size(q); }

    /**
     * ixh_queue_put of the {@code len} bytes at the start of {@code buf} (one shareable value),
     * waiting at most {@code timeout} seconds (0: not at all; < 0: for ever).
     */
    public static int queuePut(long q, ByteBuffer buf, int len, double timeout) {
        buf.clear();
        return ixh_queue_put(q, buf, len, timeout);
    }

    /**
     * ixh_queue_get into {@code buf} (its whole capacity). Returns the status; on QUEUE_OK the
     * item's length, on QUEUE_TOO_BIG the length needed, is then {@link #lastQueueLength()}.
     */
    public static int queueGet(long q, ByteBuffer buf, double timeout) {
        ByteBuffer out = SIZE_OUT.get();
        out.clear();
        out.putLong(0, 0L);
        buf.clear();
        return ixh_queue_get(q, buf, buf.capacity(), timeout, out);
    }

    /** The length the calling thread's last {@link #queueGet} reported. */
    public static long lastQueueLength() {
        return SIZE_OUT.get().getLong(0);
    }
}
