package org.isolex.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The JNI bridge to libisolex ({@code native/include/isolex_host.h}), generated and compiled by
 * JavaCPP at build time (see {@code java/core/pom.xml}).
 *
 * <p>The raw {@code ixh_*} natives are package-private; the public surface is a handful of
 * static Java methods that take Java types ({@link String}, {@link Wire}, native pointers as
 * {@code long}) so that no JavaCPP type leaks into {@code org.isolex}. Value-API buffers are
 * direct, little-endian {@link ByteBuffer}s owned by {@link Wire}; the address of their byte 0,
 * which Wire works out once per buffer, is passed as {@code uint8_t *}, whatever the
 * buffer's position.
 *
 * <p>Every native function here is thread-safe (isolex_host.h); the Java layer adds only the
 * rule that an interpreter ({@code IxInterp *}, a Java long here) is not used after
 * {@link #interpClose}.
 */
@Platform(value = "linux-x86_64", include = "isolex_host.h", link = "isolex@.1")
public final class NativeBridge {
    static {
        Loader.load();
    }

    /**
     * The system property that picks the path: {@code jni} forces JNI on any JDK, {@code ffm}
     * demands FFM (class initialization fails where it is not available); unset, FFM on JDK
     * 22+ when this build carries its classes, JNI otherwise.
     */
    public static final String PATH_PROPERTY = "isolex.bridge";
    /** Why the FFM path is not taken ("" when it is). */
    private static String whyNotFfm = "";
    /**
     * Every call of the public surface goes through this one implementation, chosen once
     * (see {@link Natives}). Static final: the JIT binds each call site to its class, so the
     * indirection costs nothing.
     */
    private static final Natives N = choose();

    private NativeBridge() {}

    /**
     * FFM ({@code FfmNatives}, META-INF/versions/22 of the multi-release jar) on JDK 22+ unless
     * {@link #PATH_PROPERTY} says jni; JNI otherwise, with the reason kept for {@link #pathNote()}.
     */
    private static Natives choose() {
        String want = System.getProperty(PATH_PROPERTY, "");
        if (!want.isEmpty() && !want.equals("jni") && !want.equals("ffm")) {
            throw new IllegalStateException("-D" + PATH_PROPERTY + "=" + want + ": the paths are jni and ffm");
        }
        int feature = Runtime.version().feature();
        if (want.equals("jni")) {
            whyNotFfm = "-D" + PATH_PROPERTY + "=jni";
        } else if (feature < 22) {
            whyNotFfm = "JDK " + feature + " (the FFM path needs JDK 22+)";
        } else {
            try {
                Class<?> c = Class.forName("org.isolex.internal.FfmNatives", true, NativeBridge.class.getClassLoader());
                return (Natives) c.getDeclaredField("INSTANCE").get(null);
            } catch (ClassNotFoundException e) {
                whyNotFfm = "this build of isolex has no FFM classes (it was built without a JDK 22+ compiler),"
                        + " or isolex is not on the class path as its multi-release jar";
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                whyNotFfm = "the FFM path failed to start: " + e;
            }
        }
        if (want.equals("ffm")) throw new IllegalStateException("-D" + PATH_PROPERTY + "=ffm: " + whyNotFfm);
        return JniNatives.INSTANCE;
    }

    /** {@return "ffm" (java.lang.foreign downcalls, JDK 22+) or "jni" (JavaCPP): how this JVM calls libisolex} */
    public static String path() {
        return N.path();
    }

    /** {@return why the JNI path is taken on this JVM, or "" on the FFM path} */
    public static String pathNote() {
        return N.path().equals("ffm") ? "" : whyNotFfm;
    }

    /** {@return the implementation in use (for benchmarks that compare the paths side by side)} */
    public static Natives active() {
        return N;
    }

    /** {@return the JNI implementation, whichever path is active (for benchmarks)} */
    public static Natives jni() {
        return JniNatives.INSTANCE;
    }

    /**
     * The file JavaCPP loaded libisolex from (its {@code Loader.load} ran in this class's
     * initializer), for the FFM path's symbol lookup; null if JavaCPP did not report it.
     */
    static String libisolexFile() {
        for (String file : Loader.getLoadedLibraries().values()) {
            if (file != null && file.matches(".*/libisolex\\.so(\\.[0-9]+)*")) return file;
        }
        return null;
    }

    /** Status codes of the value API (IXH_OK, IXH_ERROR, IXH_TOO_BIG). */
    public static final int OK = 0, ERROR = 1, TOO_BIG = 2;

    /** The value-API operations that share the (interp, target, buf, len, cap) shape. */
    public enum Op { CALL, GETATTR, SETATTR, DESCRIBE, EXPAND, DEFINITION, PROTOCOL, DELATTR, DIR,
        /** ABI 1.3: ixh_typed_signature (ABI.md 12.72). */
        TYPED_SIGNATURE }

    /**
     * {@code IxInterpConfig}: never allocated through JavaCPP; declared so that JavaCPP
     * compiles its size and the offsets of its members ({@link Config} lays one out).
     */
    @Name("IxInterpConfig")
    static final class IxInterpConfig extends Pointer {
        static { Loader.load(); }
        IxInterpConfig() { super((Pointer) null); }
        private native void allocate(); // never called; JavaCPP compiles member offsets only with it

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
    //
    // Pointers the hot paths pass (an IxInterp *, a wire buffer's first byte) travel as Java
    // longs: JavaCPP then hands them to C as they are. Passed as a Pointer or a ByteBuffer
    // instead, each costs a GetLongField, or a GetDirectBufferAddress (an IsInstanceOf inside
    // HotSpot) plus a GetIntField for the position: together about 5x the JNI transition
    // itself (docs/benchmarks.md, section 3).

    static native @Cast("intptr_t") long ixh_version();
    static native @Cast("int64_t") long ixh_live_bytes();
    static native @Cast("int64_t") long ixh_live_interpreters();
    static native @Cast("int64_t") long ixh_loaded_libraries();
    static native @Cast("int64_t") long ixh_libraries(@Cast("uint8_t*") long buf, @Cast("size_t") long cap,
                                                      @Cast("size_t*") long len);

    static native @Cast("intptr_t") long ixh_interp_new(@Cast("const IxInterpConfig*") long config);
    static native @Cast("int64_t") long ixh_interp_min_memory_limit(int debug);
    static native @Cast("int64_t") long ixh_interp_id(@Cast("IxInterp*") long interp);
    static native @Cast("int64_t") long ixh_interp_live_bytes(@Cast("IxInterp*") long interp);
    static native @Cast("int64_t") long ixh_interp_live_blocks(@Cast("IxInterp*") long interp);
    static native @Cast("int64_t") long ixh_interp_footprint(@Cast("IxInterp*") long interp);
    static native @Cast("int64_t") long ixh_interp_handle_count(@Cast("IxInterp*") long interp);
    static native @Cast("int64_t") long ixh_interp_collect(@Cast("IxInterp*") long interp);
    // ABI 1.2 (ABI.md 12.60): errors an interpreter could not raise
    static native @Cast("int64_t") long ixh_interp_unraisable(@Cast("IxInterp*") long interp,
                                                              @Cast("uint8_t*") long buf, @Cast("size_t") long cap,
                                                              @Cast("size_t*") long len);
    // ABI 1.3 (ABI.md 12.80): ask a call in flight to stop; any thread, lock-free
    static native int ixh_interp_interrupt(@Cast("IxInterp*") long interp, @Cast("uint64_t") long call, int reason);
    static native @Cast("int64_t") long ixh_debug_take_violations(@Cast("char*") long buf,
                                                                  @Cast("size_t") long cap);
    static native int ixh_interp_close(@Cast("IxInterp*") long interp, @Cast("uint8_t*") long buf,
                                       @Cast("size_t") long cap, @Cast("size_t*") long len);

    static native int ixh_import(@Cast("IxInterp*") long interp, @Cast("uint8_t*") long buf,
                                 @Cast("size_t") long len, @Cast("size_t") long cap);
    static native int ixh_call(@Cast("IxInterp*") long interp, @Cast("int64_t") long target,
                               @Cast("uint8_t*") long buf, @Cast("size_t") long len, @Cast("size_t") long cap);
    static native int ixh_getattr(@Cast("IxInterp*") long interp, @Cast("int64_t") long target,
                                  @Cast("uint8_t*") long buf, @Cast("size_t") long len, @Cast("size_t") long cap);
    static native int ixh_setattr(@Cast("IxInterp*") long interp, @Cast("int64_t") long target,
                                  @Cast("uint8_t*") long buf, @Cast("size_t") long len, @Cast("size_t") long cap);
    static native int ixh_describe(@Cast("IxInterp*") long interp, @Cast("int64_t") long target,
                                   @Cast("uint8_t*") long buf, @Cast("size_t") long len, @Cast("size_t") long cap);
    static native int ixh_expand(@Cast("IxInterp*") long interp, @Cast("int64_t") long target,
                                 @Cast("uint8_t*") long buf, @Cast("size_t") long len, @Cast("size_t") long cap);
    static native int ixh_module_definition(@Cast("IxInterp*") long interp, @Cast("int64_t") long target,
                                            @Cast("uint8_t*") long buf, @Cast("size_t") long len,
                                            @Cast("size_t") long cap);
    static native int ixh_release(@Cast("IxInterp*") long interp, @Cast("int64_t") long handle);
    static native int ixh_protocol(@Cast("IxInterp*") long interp, @Cast("int64_t") long target,
                                   @Cast("uint8_t*") long buf, @Cast("size_t") long len, @Cast("size_t") long cap);

    // ABI 1.2 (ABI.md 12.40): del target.name, dir(target)
    static native int ixh_delattr(@Cast("IxInterp*") long interp, @Cast("int64_t") long target,
                                  @Cast("uint8_t*") long buf, @Cast("size_t") long len, @Cast("size_t") long cap);
    static native int ixh_dir(@Cast("IxInterp*") long interp, @Cast("int64_t") long target,
                              @Cast("uint8_t*") long buf, @Cast("size_t") long len, @Cast("size_t") long cap);

    // ABI 1.3: typed and batched calls (ABI.md 12.70-12.72). The values travel as an IxValue
    // array in a direct buffer (16 bytes each), the reply area as a Wire's buffer.
    static native int ixh_call_typed(@Cast("IxInterp*") long interp, @Cast("int64_t") long function,
                                     @Cast("int64_t") long signature, @Cast("IxValue*") long values,
                                     @Cast("uint8_t*") long buf, @Cast("size_t") long cap);
    static native int ixh_call_typed_batch(@Cast("IxInterp*") long interp, @Cast("int64_t") long function,
                                           @Cast("int64_t") long signature, @Cast("IxValue*") long values,
                                           @Cast("size_t") long count, @Cast("size_t*") long done,
                                           @Cast("uint8_t*") long buf, @Cast("size_t") long cap);
    static native int ixh_typed_signature(@Cast("IxInterp*") long interp, @Cast("int64_t") long target,
                                          @Cast("uint8_t*") long buf, @Cast("size_t") long len,
                                          @Cast("size_t") long cap);

    /** The operations of ixh_protocol (IXH_PROTO_*, ABI 1.2): the first value of its request. */
    public static final int PROTO_GET = 1, PROTO_SET = 2, PROTO_DEL = 3, PROTO_LEN = 4, PROTO_CONTAINS = 5,
            PROTO_ITER = 6, PROTO_NEXT = 7,
            PROTO_BUFFER = 8; // ABI 1.2: the buffer protocol (ABI.md 12.50)
    /** IX_BUF_FORMAT | IX_BUF_STRIDES (isolex.h): any layout, read-only or writable. */
    public static final int BUF_ANY_LAYOUT = 0x0004 | 0x0018;

    // queues and shared buffers (isolex_host.h, ABI.md 11): pointers travel as Java longs,
    // exactly as the wire format carries them (IXW_BUFFER / IXW_QUEUE: int64)
    static native @Cast("int64_t") long ixh_shared_bytes();
    static native @Cast("intptr_t") long ixh_buffer_new(@Cast("size_t") long size);
    static native @Cast("intptr_t") long ixh_buffer_data(@Cast("IxhBuffer*") long b,
                                                                @Cast("size_t*") long size);
    static native void ixh_buffer_release(@Cast("IxhBuffer*") long b);
    static native @Cast("intptr_t") long ixh_queue_new(@Cast("int64_t") long capacity);
    static native void ixh_queue_release(@Cast("IxhQueue*") long q);
    static native @Cast("int64_t") long ixh_queue_size(@Cast("IxhQueue*") long q);
    static native int ixh_queue_put(@Cast("IxhQueue*") long q, @Cast("const uint8_t*") long buf,
                                    @Cast("size_t") long len, double timeout);
    static native int ixh_queue_get(@Cast("IxhQueue*") long q, @Cast("uint8_t*") long buf,
                                    @Cast("size_t") long cap, double timeout, @Cast("size_t*") long len);

    // ------------------------------------------------------------------ the public surface

    /** Makes sure libisolex and the JNI library are loaded (throws if they cannot be). */
    public static void load() {
        // the static initializer did it
    }

    /** libisolex's version string. */
    public static String version() {
        long at = N.version();
        return at == 0 ? "" : new BytePointer((Pointer) null) {
            {
                address = at;
            }
        }.getString(StandardCharsets.UTF_8);
    }

    public static long liveBytes() { return N.liveBytes(); }

    public static long liveInterpreters() { return N.liveInterpreters(); }

    public static long loadedLibraries() { return N.loadedLibraries(); }

    /**
     * The loaded libraries (ixh_libraries): a list of one tuple per library, decoded from the
     * wire format (isolex_host.h says what each tuple holds). The buffer grows until it fits.
     */
    public static List<?> libraries() {
        try (Wire w = Wire.take()) {
            SizeOut out = SizeOut.get();
            while (N.libraries(w.address(), w.capacity(), out.address) < 0) w.reserve(out.value());
            w.flipForRead((int) out.value());
            return (List<?>) w.readValue(Wire.VALUES_ONLY);
        }
    }

    /**
     * An {@code IxInterpConfig}, built once and reused for every interpreter made with it
     * (ixh_interp_new only reads it, and copies the module path). Both the struct and the
     * path live in JVM-allocated direct buffers, laid out with the offsets JavaCPP compiled
     * from isolex_host.h, so creating an interpreter allocates no native memory of ours and
     * registers no JavaCPP deallocator.
     */
    public static final class Config {
        private final ByteBuffer struct, path; // path: kept reachable while struct points at it
        private final long address;

        /**
         * @param modulePath ':'-separated directories, or null; passed as UTF-8 bytes, so
         *                   non-ASCII directory names work
         * @param memoryLimit bytes, 0 for none
         * @param legacyPrivateCopies {@code IxInterpConfig.legacy_private_copies} (ABI.md 7.4)
         * @param debug {@code IxInterpConfig.debug}: debug mode (ABI.md 10)
         */
        public Config(String modulePath, long memoryLimit, boolean legacyPrivateCopies, boolean debug) {
            Class<IxInterpConfig> c = IxInterpConfig.class;
            Loader.load(c); // registers the class's size and member offsets
            struct = ByteBuffer.allocateDirect(Loader.sizeof(c)).order(ByteOrder.nativeOrder());
            long pathAddress = 0;
            if (modulePath != null) {
                byte[] utf8 = modulePath.getBytes(StandardCharsets.UTF_8);
                path = ByteBuffer.allocateDirect(utf8.length + 1).put(utf8).put((byte) 0);
                pathAddress = address(path);
            } else {
                path = null;
            }
            struct.putLong(Loader.offsetof(c, "module_path"), pathAddress)
                    .putLong(Loader.offsetof(c, "memory_limit"), memoryLimit)
                    .putInt(Loader.offsetof(c, "legacy_private_copies"), legacyPrivateCopies ? 1 : 0)
                    .putInt(Loader.offsetof(c, "debug"), debug ? 1 : 0);
            address = address(struct);
        }
    }

    /** The address of a direct buffer's byte 0. */
    public static long address(ByteBuffer direct) {
        if (!direct.isDirect()) throw new IllegalArgumentException("not a direct buffer");
        try (Pointer p = new Pointer(direct)) {
            return p.address();
        }
    }

    /** Creates an interpreter: its {@code IxInterp *}, or 0 when the process is out of memory. */
    public static long interpNew(Config config) { return N.interpNew(config.address); }

    /**
     * The smallest memory limit an interpreter starts with (debug mode or not): what its
     * builtins take. Measured by libisolex on first use; 0 when the process is out of memory.
     */
    public static long minMemoryLimit(boolean debug) { return N.interpMinMemoryLimit(debug ? 1 : 0); }

    public static long interpId(long interp) { return N.interpId(interp); }

    /** The reasons of {@link #interpInterrupt}: IXH_INTERRUPT_THREAD, IXH_INTERRUPT_DEADLINE (ABI.md 12.80). */
    public static final int INTERRUPT_THREAD = 1, INTERRUPT_DEADLINE = 2;

    /**
     * ixh_interp_interrupt (ABI 1.3, ABI.md 12.80): asks the call named {@code call} (the
     * address of its request buffer, {@link Wire#address()}) to stop, for {@code reason}.
     * Lock-free, from any thread; the interpreter must not be closed meanwhile.
     *
     * @return 0, or -1 for an unknown reason
     */
    public static int interpInterrupt(long interp, long call, int reason) {
        return N.interpInterrupt(interp, call, reason);
    }

    public static long interpLiveBytes(long interp) { return N.interpLiveBytes(interp); }

    public static long interpLiveBlocks(long interp) { return N.interpLiveBlocks(interp); }

    /**
     * Every native byte the interpreter holds, its own builtins (types, singletons, caches)
     * included: what an idle interpreter costs (ixh_interp_footprint). For benchmarks.
     */
    public static long interpFootprint(long interp) { return N.interpFootprint(interp); }

    public static long interpHandleCount(long interp) { return N.interpHandleCount(interp); }

    /**
     * Runs the interpreter's cycle collector now: the number of unreachable objects it
     * found (and freed), or -1 when called from inside the interpreter (never from Java).
     */
    public static long interpCollect(long interp) { return N.interpCollect(interp); }

    /**
     * The errors the interpreter could not raise (ixh_interp_unraisable, ABI 1.2): a list of
     * tuples (number, where, type name, message), oldest first, decoded from the wire format.
     * The buffer grows until it fits.
     */
    public static List<?> interpUnraisable(long interp) {
        try (Wire w = Wire.take()) {
            SizeOut out = SizeOut.get();
            while (N.interpUnraisable(interp, w.address(), w.capacity(), out.address) < 0) w.reserve(out.value());
            w.flipForRead((int) out.value());
            return (List<?>) w.readValue(Wire.VALUES_ONLY);
        }
    }

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
            long count = N.debugTakeViolations(buf.address(), VIOLATIONS_CAPACITY);
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
     * Closes and frees the interpreter; the leak report (if any) is written into {@code w}'s
     * buffer from byte 0, and the buffer's limit is set to its length.
     *
     * @return 0 when nothing leaked, 1 when something did
     */
    public static int interpClose(long interp, Wire w) {
        SizeOut out = SizeOut.get();
        int rc = N.interpClose(interp, w.address(), w.capacity(), out.address);
        w.flipForRead((int) Math.min(Math.max(out.value(), 0), w.capacity()));
        return rc;
    }

    /** ixh_import: {@code w} holds the module name (a str); its whole buffer is the reply's room. */
    public static int importModule(long interp, Wire w) {
        return N.importModule(interp, w.address(), w.length(), w.capacity());
    }

    /** One of the (interp, target, buf, len, cap) value-API operations, on {@code w}'s request. */
    public static int op(Op op, long interp, long target, Wire w) {
        long buf = w.address(), len = w.length(), cap = w.capacity();
        switch (op) {
            case CALL: return N.call(interp, target, buf, len, cap);
            case GETATTR: return N.getattr(interp, target, buf, len, cap);
            case SETATTR: return N.setattr(interp, target, buf, len, cap);
            case DESCRIBE: return N.describe(interp, target, buf, len, cap);
            case EXPAND: return N.expand(interp, target, buf, len, cap);
            case DEFINITION: return N.moduleDefinition(interp, target, buf, len, cap);
            case PROTOCOL: return N.protocol(interp, target, buf, len, cap);
            case DELATTR: return N.delattr(interp, target, buf, len, cap);
            case DIR: return N.dir(interp, target, buf, len, cap);
            case TYPED_SIGNATURE: return N.typedSignature(interp, target, buf, len, cap);
            default: throw new AssertionError(op);
        }
    }

    /** The size of one {@code IxValue} (isolex.h, ABI 1.3): a union of int64, double, a pointer and length. */
    public static final int VALUE_SIZE = 16;

    /**
     * ixh_call_typed (ABI 1.3, ABI.md 12.70): the typed function of handle {@code function},
     * with the signature code {@code signature}, on the IxValues at {@code values}; the reply
     * area is {@code w}'s whole buffer.
     */
    public static int callTyped(long interp, long function, long signature, long values, Wire w) {
        return N.callTyped(interp, function, signature, values, w.address(), w.capacity());
    }

    /**
     * ixh_call_typed_batch (ABI 1.3, ABI.md 12.71): {@code count} calls, rows of IxValues at
     * {@code values}, results in place; the calls that completed are then
     * {@link #lastBatchDone()}.
     */
    public static int callTypedBatch(long interp, long function, long signature, long values, long count, Wire w) {
        return N.callTypedBatch(interp, function, signature, values, count, SizeOut.get().address, w.address(),
                w.capacity());
    }

    /** The completed calls the calling thread's last {@link #callTypedBatch} reported. */
    public static long lastBatchDone() {
        return SizeOut.PER_THREAD.get().value();
    }

    /** Drops the reference a handle owns: 0, or -1 for a stale/foreign handle. */
    public static int release(long interp, long handle) {
        return N.release(interp, handle);
    }

    // ------------------------------------------------------------------ queues and shared buffers

    /** Statuses of ixh_queue_put / ixh_queue_get (IXH_QUEUE_*). */
    public static final int QUEUE_OK = 0, QUEUE_TIMEOUT = 1, QUEUE_TOO_BIG = 2, QUEUE_NOMEM = 3,
            QUEUE_NOT_SHAREABLE = 4;

    /**
     * A size_t out-parameter per thread: an 8-byte direct buffer the JVM allocated (so no
     * native allocation of ours outlives a call, and LeakSanitizer sees only the JVM's),
     * with its address worked out once.
     */
    static final class SizeOut {
        private static final ThreadLocal<SizeOut> PER_THREAD = ThreadLocal.withInitial(SizeOut::new);
        final ByteBuffer bytes = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        final long address = address(bytes);

        /** The calling thread's, set to 0. */
        static SizeOut get() {
            SizeOut s = PER_THREAD.get();
            s.bytes.putLong(0, 0L);
            return s;
        }

        long value() { return bytes.getLong(0); }
    }

    /** Bytes held by shared buffers, queues and queued items (ixh_shared_bytes). */
    public static long sharedBytes() { return N.sharedBytes(); }

    /** A new zeroed shared buffer ({@code IxhBuffer *}, owning one reference), or 0 when out of memory. */
    public static long bufferNew(long size) { return N.bufferNew(size); }

    /**
     * The bytes of a shared buffer as a direct ByteBuffer of exactly its size (big-endian,
     * as every new ByteBuffer), or null for a buffer of 0 bytes. The ByteBuffer does not
     * keep the native memory alive: the caller must (see org.isolex.SharedBuffer).
     */
    public static ByteBuffer bufferBytes(long b) {
        SizeOut out = SizeOut.get();
        long at = N.bufferData(b, out.address);
        long size = out.value();
        if (size == 0) return null;
        if (size > Integer.MAX_VALUE) throw new IllegalStateException("a shared buffer of " + size
                + " bytes does not fit a ByteBuffer");
        return directBytes(at, size);
    }

    /**
     * A direct ByteBuffer over {@code size} bytes at {@code address} (JNI's
     * NewDirectByteBuffer, through JavaCPP's asByteBuffer: no copy), big-endian as every new
     * ByteBuffer. It does not keep the memory alive: the caller must (Handle.byteBuffer).
     */
    public static ByteBuffer directBytes(long at, long size) {
        if (size > Integer.MAX_VALUE) throw new IllegalStateException("an export of " + size
                + " bytes does not fit a ByteBuffer");
        BytePointer p = new BytePointer((Pointer) null) {
            {
                address = at; // Pointer's field (a parameter named `address` would be shadowed by it)
            }
        };
        return p.capacity(size).limit(size).asByteBuffer();
    }

    /** Address of a shared buffer's first byte (what IxBuffer_Data returns inside an interpreter). */
    public static long bufferAddress(long b) {
        return N.bufferData(b, SizeOut.get().address);
    }

    /** Size of a shared buffer in bytes. */
    public static long bufferSize(long b) {
        SizeOut out = SizeOut.get();
        N.bufferData(b, out.address);
        return out.value();
    }

    /** Drops one reference to a shared buffer; the last one frees it. Any thread, no interpreter lock. */
    public static void bufferRelease(long b) { N.bufferRelease(b); }

    /** A new queue ({@code IxhQueue *}, owning one reference); capacity <= 0: unbounded. 0 when out of memory. */
    public static long queueNew(long capacity) { return N.queueNew(capacity); }

    /** Drops one reference to a queue; the last one frees it and every item still in it. Any thread. */
    public static void queueRelease(long q) { N.queueRelease(q); }

    public static long queueSize(long q) { return N.queueSize(q); }

    /**
     * ixh_queue_put of the value encoded in {@code w} (one shareable value), waiting at most
     * {@code timeout} seconds (0: not at all; < 0: for ever).
     */
    public static int queuePut(long q, Wire w, double timeout) {
        return N.queuePut(q, w.address(), w.length(), timeout);
    }

    /**
     * ixh_queue_get into {@code w}'s buffer (its whole capacity). Returns the status; on
     * QUEUE_OK the item's length, on QUEUE_TOO_BIG the length needed, is then
     * {@link #lastQueueLength()}.
     */
    public static int queueGet(long q, Wire w, double timeout) {
        return N.queueGet(q, w.address(), w.capacity(), timeout, SizeOut.get().address);
    }

    /** The length the calling thread's last {@link #queueGet} reported. */
    public static long lastQueueLength() {
        return SizeOut.PER_THREAD.get().value();
    }
}
