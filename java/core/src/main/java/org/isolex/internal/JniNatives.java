package org.isolex.internal;

import static org.isolex.internal.NativeBridge.*;

/** {@link Natives} through JavaCPP's JNI stubs (NativeBridge's static natives): any JDK. */
final class JniNatives implements Natives {
    static final JniNatives INSTANCE = new JniNatives();

    private JniNatives() {}

    @Override public String path() { return "jni"; }
    @Override public long version() { return ixh_version(); }
    @Override public long liveBytes() { return ixh_live_bytes(); }
    @Override public long liveInterpreters() { return ixh_live_interpreters(); }
    @Override public long loadedLibraries() { return ixh_loaded_libraries(); }
    @Override public long libraries(long buf, long cap, long len) { return ixh_libraries(buf, cap, len); }
    @Override public long interpNew(long config) { return ixh_interp_new(config); }
    @Override public long interpMinMemoryLimit(int debug) { return ixh_interp_min_memory_limit(debug); }
    @Override public long interpId(long interp) { return ixh_interp_id(interp); }
    @Override public int interpInterrupt(long interp, long call, int reason) {
        return ixh_interp_interrupt(interp, call, reason);
    }
    @Override public long interpLiveBytes(long interp) { return ixh_interp_live_bytes(interp); }
    @Override public long interpLiveBlocks(long interp) { return ixh_interp_live_blocks(interp); }
    @Override public long interpFootprint(long interp) { return ixh_interp_footprint(interp); }
    @Override public long interpHandleCount(long interp) { return ixh_interp_handle_count(interp); }
    @Override public long interpCollect(long interp) { return ixh_interp_collect(interp); }
    @Override public long interpUnraisable(long interp, long buf, long cap, long len) {
        return ixh_interp_unraisable(interp, buf, cap, len);
    }
    @Override public long debugTakeViolations(long buf, long cap) { return ixh_debug_take_violations(buf, cap); }
    @Override public int interpClose(long interp, long buf, long cap, long len) {
        return ixh_interp_close(interp, buf, cap, len);
    }
    @Override public int importModule(long interp, long buf, long len, long cap) {
        return ixh_import(interp, buf, len, cap);
    }
    @Override public int call(long interp, long target, long buf, long len, long cap) {
        return ixh_call(interp, target, buf, len, cap);
    }
    @Override public int getattr(long interp, long target, long buf, long len, long cap) {
        return ixh_getattr(interp, target, buf, len, cap);
    }
    @Override public int setattr(long interp, long target, long buf, long len, long cap) {
        return ixh_setattr(interp, target, buf, len, cap);
    }
    @Override public int describe(long interp, long target, long buf, long len, long cap) {
        return ixh_describe(interp, target, buf, len, cap);
    }
    @Override public int expand(long interp, long target, long buf, long len, long cap) {
        return ixh_expand(interp, target, buf, len, cap);
    }
    @Override public int moduleDefinition(long interp, long target, long buf, long len, long cap) {
        return ixh_module_definition(interp, target, buf, len, cap);
    }
    @Override public int protocol(long interp, long target, long buf, long len, long cap) {
        return ixh_protocol(interp, target, buf, len, cap);
    }
    @Override public int delattr(long interp, long target, long buf, long len, long cap) {
        return ixh_delattr(interp, target, buf, len, cap);
    }
    @Override public int dir(long interp, long target, long buf, long len, long cap) {
        return ixh_dir(interp, target, buf, len, cap);
    }
    @Override public int typedSignature(long interp, long target, long buf, long len, long cap) {
        return ixh_typed_signature(interp, target, buf, len, cap);
    }
    @Override public int release(long interp, long handle) { return ixh_release(interp, handle); }
    @Override public int callTyped(long interp, long function, long signature, long values, long buf, long cap) {
        return ixh_call_typed(interp, function, signature, values, buf, cap);
    }
    @Override public int callTypedBatch(long interp, long function, long signature, long values, long count,
                                        long done, long buf, long cap) {
        return ixh_call_typed_batch(interp, function, signature, values, count, done, buf, cap);
    }
    @Override public long sharedBytes() { return ixh_shared_bytes(); }
    @Override public long bufferNew(long size) { return ixh_buffer_new(size); }
    @Override public long bufferData(long b, long size) { return ixh_buffer_data(b, size); }
    @Override public void bufferRelease(long b) { ixh_buffer_release(b); }
    @Override public long queueNew(long capacity) { return ixh_queue_new(capacity); }
    @Override public void queueRelease(long q) { ixh_queue_release(q); }
    @Override public long queueSize(long q) { return ixh_queue_size(q); }
    @Override public int queuePut(long q, long buf, long len, double timeout) {
        return ixh_queue_put(q, buf, len, timeout);
    }
    @Override public int queueGet(long q, long buf, long cap, double timeout, long len) {
        return ixh_queue_get(q, buf, cap, timeout, len);
    }
}
