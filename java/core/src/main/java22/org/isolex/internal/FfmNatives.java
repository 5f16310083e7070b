package org.isolex.internal;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * {@link Natives} through {@code java.lang.foreign} downcalls (JDK 22+; this file is compiled
 * with {@code --release 22} into META-INF/versions/22 of the multi-release jar, and
 * NativeBridge loads it by name on JDK 22+ only).
 *
 * <p>Each entry point is one static final {@link MethodHandle} called with
 * {@code invokeExact}: the JIT compiles the call to a direct native call with a thread-state
 * transition, no JNI stub between. Pointers and {@code size_t} cross as {@code JAVA_LONG}
 * (the same register on every LP64 ABI), so no {@link MemorySegment} is made per call.
 *
 * <p>{@code Linker.Option.critical(false)} (no transition out of Java: the thread stays
 * in Java state, so no safepoint, hence no GC, can proceed anywhere in the JVM until the call
 * returns) is given only to functions that neither block nor take a lock: reading an
 * interpreter's id, the live counters (atomic loads), the version string, a shared buffer's
 * address. Everything that takes an interpreter's lock or runs extension code (the value API,
 * typed calls, release, close) or waits (queues) keeps the ordinary transition: an extension
 * may run for seconds, or wait for the lock while another thread runs one, and a critical
 * call would stall every other thread of the JVM at the next safepoint for that long.
 *
 * <p>The methods below share one shape, which cannot be factored: {@code invokeExact} is
 * compiled against its call site's exact static types, so each entry point needs its own call
 * (a shared helper would go through {@code invoke} with boxing, or {@code invokeWithArguments},
 * and lose the direct call); it is the same listing as NativeBridge's natives.
 *
 * <p>libisolex is the file JavaCPP loaded (NativeBridge's initializer runs first): found by
 * {@link SymbolLookup#loaderLookup()} when it was loaded by this class loader, else opened
 * again by its path (a second {@code dlopen} of a loaded library only counts a reference).
 */
final class FfmNatives implements Natives {
    static final FfmNatives INSTANCE = new FfmNatives();

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIB = lookup();
    private static final Linker.Option[] CRITICAL = {Linker.Option.critical(false)};
    private static final Linker.Option[] BLOCKING = {};

    private static final MethodHandle VERSION = h("ixh_version", JAVA_LONG, CRITICAL);
    private static final MethodHandle LIVE_BYTES = h("ixh_live_bytes", JAVA_LONG, BLOCKING);
    private static final MethodHandle LIVE_INTERPRETERS = h("ixh_live_interpreters", JAVA_LONG, CRITICAL);
    private static final MethodHandle LOADED_LIBRARIES = h("ixh_loaded_libraries", JAVA_LONG, BLOCKING);
    private static final MethodHandle LIBRARIES = h("ixh_libraries", JAVA_LONG, BLOCKING, JAVA_LONG, JAVA_LONG,
            JAVA_LONG);
    private static final MethodHandle INTERP_NEW = h("ixh_interp_new", JAVA_LONG, BLOCKING, JAVA_LONG);
    private static final MethodHandle INTERP_MIN_MEMORY_LIMIT = h("ixh_interp_min_memory_limit", JAVA_LONG, BLOCKING,
            JAVA_INT);
    private static final MethodHandle INTERP_ID = h("ixh_interp_id", JAVA_LONG, CRITICAL, JAVA_LONG);
    // one relaxed atomic store (ABI.md 12.80): never blocks
    private static final MethodHandle INTERP_INTERRUPT = h("ixh_interp_interrupt", JAVA_INT, CRITICAL, JAVA_LONG,
            JAVA_LONG, JAVA_INT);
    private static final MethodHandle INTERP_LIVE_BYTES = h("ixh_interp_live_bytes", JAVA_LONG, BLOCKING, JAVA_LONG);
    private static final MethodHandle INTERP_LIVE_BLOCKS = h("ixh_interp_live_blocks", JAVA_LONG, BLOCKING, JAVA_LONG);
    private static final MethodHandle INTERP_FOOTPRINT = h("ixh_interp_footprint", JAVA_LONG, BLOCKING, JAVA_LONG);
    private static final MethodHandle INTERP_HANDLE_COUNT = h("ixh_interp_handle_count", JAVA_LONG, BLOCKING,
            JAVA_LONG);
    private static final MethodHandle INTERP_COLLECT = h("ixh_interp_collect", JAVA_LONG, BLOCKING, JAVA_LONG);
    private static final MethodHandle INTERP_UNRAISABLE = h("ixh_interp_unraisable", JAVA_LONG, BLOCKING, JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle DEBUG_TAKE_VIOLATIONS = h("ixh_debug_take_violations", JAVA_LONG, BLOCKING,
            JAVA_LONG, JAVA_LONG);
    private static final MethodHandle INTERP_CLOSE = h("ixh_interp_close", JAVA_INT, BLOCKING, JAVA_LONG, JAVA_LONG,
            JAVA_LONG, JAVA_LONG);
    private static final MethodHandle IMPORT = h("ixh_import", JAVA_INT, BLOCKING, JAVA_LONG, JAVA_LONG, JAVA_LONG,
            JAVA_LONG);
    private static final MethodHandle CALL = op("ixh_call");
    private static final MethodHandle GETATTR = op("ixh_getattr");
    private static final MethodHandle SETATTR = op("ixh_setattr");
    private static final MethodHandle DESCRIBE = op("ixh_describe");
    private static final MethodHandle EXPAND = op("ixh_expand");
    private static final MethodHandle MODULE_DEFINITION = op("ixh_module_definition");
    private static final MethodHandle PROTOCOL = op("ixh_protocol");
    private static final MethodHandle DELATTR = op("ixh_delattr");
    private static final MethodHandle DIR = op("ixh_dir");
    private static final MethodHandle TYPED_SIGNATURE = op("ixh_typed_signature");
    private static final MethodHandle RELEASE = h("ixh_release", JAVA_INT, BLOCKING, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle CALL_TYPED = h("ixh_call_typed", JAVA_INT, BLOCKING, JAVA_LONG, JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle CALL_TYPED_BATCH = h("ixh_call_typed_batch", JAVA_INT, BLOCKING, JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle SHARED_BYTES = h("ixh_shared_bytes", JAVA_LONG, BLOCKING);
    private static final MethodHandle BUFFER_NEW = h("ixh_buffer_new", JAVA_LONG, BLOCKING, JAVA_LONG);
    private static final MethodHandle BUFFER_DATA = h("ixh_buffer_data", JAVA_LONG, CRITICAL, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle BUFFER_RELEASE = h("ixh_buffer_release", null, BLOCKING, JAVA_LONG);
    private static final MethodHandle QUEUE_NEW = h("ixh_queue_new", JAVA_LONG, BLOCKING, JAVA_LONG);
    private static final MethodHandle QUEUE_RELEASE = h("ixh_queue_release", null, BLOCKING, JAVA_LONG);
    private static final MethodHandle QUEUE_SIZE = h("ixh_queue_size", JAVA_LONG, BLOCKING, JAVA_LONG);
    private static final MethodHandle QUEUE_PUT = h("ixh_queue_put", JAVA_INT, BLOCKING, JAVA_LONG, JAVA_LONG,
            JAVA_LONG, JAVA_DOUBLE);
    private static final MethodHandle QUEUE_GET = h("ixh_queue_get", JAVA_INT, BLOCKING, JAVA_LONG, JAVA_LONG,
            JAVA_LONG, JAVA_DOUBLE, JAVA_LONG);

    private FfmNatives() {}

    @SuppressWarnings("restricted") // the library is libisolex, which NativeBridge loaded already
    private static SymbolLookup lookup() {
        SymbolLookup loader = SymbolLookup.loaderLookup();
        if (loader.find("ixh_call_typed").isPresent()) return loader;
        String file = NativeBridge.libisolexFile();
        if (file == null) throw new IllegalStateException("libisolex: JavaCPP reported no file it loaded it from");
        return SymbolLookup.libraryLookup(file, Arena.global());
    }

    /** A downcall handle of {@code name}: result layout (null for void), options, parameter layouts. */
    @SuppressWarnings("restricted") // each descriptor is the C prototype's, isolex_host.h
    private static MethodHandle h(String name, MemoryLayout result, Linker.Option[] options, MemoryLayout... params) {
        Optional<MemorySegment> at = LIB.find(name);
        if (at.isEmpty()) throw new IllegalStateException("libisolex has no symbol " + name);
        FunctionDescriptor d = result == null ? FunctionDescriptor.ofVoid(params)
                : FunctionDescriptor.of(result, params);
        return LINKER.downcallHandle(at.get(), d, options);
    }

    /** The (interp, target, buf, len, cap) -> int shape of the value API. */
    private static MethodHandle op(String name) {
        return h(name, JAVA_INT, BLOCKING, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    }

    /** invokeExact declares Throwable; a downcall throws nothing but what the JVM itself may. */
    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    /**
     * One of the (interp, target, buf, len, cap) value-API calls. The handle is a static
     * final at every call site, so once this is inlined the JIT sees a constant and links
     * the downcall as it would a direct {@code invokeExact} of the field.
     */
    private static int op(MethodHandle h, long interp, long target, long buf, long len, long cap) {
        try {
            return (int) h.invokeExact(interp, target, buf, len, cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override public String path() { return "ffm"; }

    @Override public long version() {
        try { return (long) VERSION.invokeExact(); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public long liveBytes() {
        try { return (long) LIVE_BYTES.invokeExact(); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public long liveInterpreters() {
        try { return (long) LIVE_INTERPRETERS.invokeExact(); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public long loadedLibraries() {
        try { return (long) LOADED_LIBRARIES.invokeExact(); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public long libraries(long buf, long cap, long len) {
        try { return (long) LIBRARIES.invokeExact(buf, cap, len); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public long interpNew(long config) {
        try { return (long) INTERP_NEW.invokeExact(config); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public long interpMinMemoryLimit(int debug) {
        try { return (long) INTERP_MIN_MEMORY_LIMIT.invokeExact(debug); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public long interpId(long interp) {
        try { return (long) INTERP_ID.invokeExact(interp); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public int interpInterrupt(long interp, long call, int reason) {
        try {
            return (int) INTERP_INTERRUPT.invokeExact(interp, call, reason);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
    @Override public long interpLiveBytes(long interp) {
        try { return (long) INTERP_LIVE_BYTES.invokeExact(interp); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public long interpLiveBlocks(long interp) {
        try { return (long) INTERP_LIVE_BLOCKS.invokeExact(interp); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public long interpFootprint(long interp) {
        try { return (long) INTERP_FOOTPRINT.invokeExact(interp); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public long interpHandleCount(long interp) {
        try { return (long) INTERP_HANDLE_COUNT.invokeExact(interp); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public long interpCollect(long interp) {
        try { return (long) INTERP_COLLECT.invokeExact(interp); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public long interpUnraisable(long interp, long buf, long cap, long len) {
        try {
            return (long) INTERP_UNRAISABLE.invokeExact(interp, buf, cap, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
    @Override public long debugTakeViolations(long buf, long cap) {
        try { return (long) DEBUG_TAKE_VIOLATIONS.invokeExact(buf, cap); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public int interpClose(long interp, long buf, long cap, long len) {
        try { return (int) INTERP_CLOSE.invokeExact(interp, buf, cap, len); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public int importModule(long interp, long buf, long len, long cap) {
        try { return (int) IMPORT.invokeExact(interp, buf, len, cap); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public int call(long interp, long target, long buf, long len, long cap) {
        return op(CALL, interp, target, buf, len, cap);
    }
    @Override public int getattr(long interp, long target, long buf, long len, long cap) {
        return op(GETATTR, interp, target, buf, len, cap);
    }
    @Override public int setattr(long interp, long target, long buf, long len, long cap) {
        return op(SETATTR, interp, target, buf, len, cap);
    }
    @Override public int describe(long interp, long target, long buf, long len, long cap) {
        return op(DESCRIBE, interp, target, buf, len, cap);
    }
    @Override public int expand(long interp, long target, long buf, long len, long cap) {
        return op(EXPAND, interp, target, buf, len, cap);
    }
    @Override public int moduleDefinition(long interp, long target, long buf, long len, long cap) {
        return op(MODULE_DEFINITION, interp, target, buf, len, cap);
    }
    @Override public int protocol(long interp, long target, long buf, long len, long cap) {
        return op(PROTOCOL, interp, target, buf, len, cap);
    }
    @Override public int delattr(long interp, long target, long buf, long len, long cap) {
        return op(DELATTR, interp, target, buf, len, cap);
    }
    @Override public int dir(long interp, long target, long buf, long len, long cap) {
        return op(DIR, interp, target, buf, len, cap);
    }
    @Override public int typedSignature(long interp, long target, long buf, long len, long cap) {
        return op(TYPED_SIGNATURE, interp, target, buf, len, cap);
    }
    @Override public int release(long interp, long handle) {
        try { return (int) RELEASE.invokeExact(interp, handle); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public int callTyped(long interp, long function, long signature, long values, long buf, long cap) {
        try {
            return (int) CALL_TYPED.invokeExact(interp, function, signature, values, buf, cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
    @Override public int callTypedBatch(long interp, long function, long signature, long values, long count,
                                        long done, long buf, long cap) {
        try {
            return (int) CALL_TYPED_BATCH.invokeExact(interp, function, signature, values, count, done, buf, cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
    @Override public long sharedBytes() {
        try { return (long) SHARED_BYTES.invokeExact(); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public long bufferNew(long size) {
        try { return (long) BUFFER_NEW.invokeExact(size); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public long bufferData(long b, long size) {
        try { return (long) BUFFER_DATA.invokeExact(b, size); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public void bufferRelease(long b) {
        try { BUFFER_RELEASE.invokeExact(b); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public long queueNew(long capacity) {
        try { return (long) QUEUE_NEW.invokeExact(capacity); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public void queueRelease(long q) {
        try { QUEUE_RELEASE.invokeExact(q); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public long queueSize(long q) {
        try { return (long) QUEUE_SIZE.invokeExact(q); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public int queuePut(long q, long buf, long len, double timeout) {
        try { return (int) QUEUE_PUT.invokeExact(q, buf, len, timeout); } catch (Throwable t) { throw rethrow(t); }
    }
    @Override public int queueGet(long q, long buf, long cap, double timeout, long len) {
        try { return (int) QUEUE_GET.invokeExact(q, buf, cap, timeout, len); } catch (Throwable t) { throw rethrow(t); }
    }
}
