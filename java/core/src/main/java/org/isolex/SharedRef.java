package org.isolex;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;

import org.isolex.internal.NativeBridge;
import org.isolex.internal.Wire;

/**
 * The one native reference a {@link SharedQueue} or {@link SharedBuffer} owns, and the pins that
 * keep it alive while native code reads its pointer.
 *
 * <p>A pin is taken by every put and take, a value being lent to a native call, a live
 * {@link SharedBuffer#byteBuffer() view}. The native reference is released once the owner
 * closed and no pin is left, exactly once, by whoever sees that first. So a concurrent close
 * never frees a pointer in use; it only stops new pins.
 *
 * <p>Pins are counted in stripes a cache line apart, chosen by thread: a putter and a taker
 * on two cores then never update the same word (one counter for both cost a cache-line
 * transfer on every pin and unpin: the Java counterpart of the queue's two locks). Only
 * the sum means anything (a pin taken on one thread may end on another). The rule, with
 * every access sequentially consistent: a pin counts itself in, then checks {@code closed}
 * (and backs out on its own stripe if set); close sets {@code closed}, then sums; an unpin
 * counts itself out, then, if closed, sums. A pin that went ahead was counted before close
 * set the flag, so a sum after the flag never misses it; the last one out sees zero.
 *
 * <p>This is also the Cleaner action ({@link #run()}): releasing a queue or buffer is
 * host-level (ixh_queue_release / ixh_buffer_release decrement an atomic count, and the last
 * one frees host-allocated memory and drops the references its queued items hold, which are
 * again only buffers and queues). It takes no interpreter lock and calls no extension code,
 * so unlike a {@link Handle}'s release it is safe to do directly on the Cleaner's thread.
 */
final class SharedRef implements Runnable {
    static final Cleaner CLEANER = Cleaner.create();

    final long pointer;
    /** {@link Wire#BUFFER} or {@link Wire#QUEUE}. */
    final int tag;
    private static final int STRIPES = 4;
    /** Longs from one stripe to the next: 64 bytes. */
    private static final int STRIDE = 8;
    private final AtomicLongArray pins = new AtomicLongArray(STRIPES * STRIDE);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean released = new AtomicBoolean();

    SharedRef(long pointer, int tag) {
        this.pointer = pointer;
        this.tag = tag;
    }

    String what() {
        return tag == Wire.BUFFER ? "shared buffer" : "queue";
    }

    boolean isClosed() {
        return closed.get();
    }

    @SuppressWarnings("deprecation") // Thread.threadId() is JDK 19+; this builds for 17
    private static int stripe() {
        return (int) (Thread.currentThread().getId() & (STRIPES - 1)) * STRIDE;
    }

    /** Takes a pin, or returns false once closed. A pin is undone by {@link #unpin()}. */
    boolean pin() {
        if (closed.get()) return false;
        int s = stripe();
        pins.getAndIncrement(s);
        if (closed.get()) {
            unpin(s);
            return false;
        }
        return true;
    }

    /** A pin, or {@link ClosedException} ("queue is closed", "shared buffer is closed"). */
    void pinOrThrow() {
        if (!pin()) throw new ClosedException(what() + " is closed");
    }

    void unpin() {
        unpin(stripe());
    }

    private void unpin(int s) {
        pins.getAndDecrement(s);
        if (closed.get()) releaseIfUnpinned();
    }

    /** Drops the owner's reference (once); pins still held keep the native object until they end. */
    void close() {
        if (closed.compareAndSet(false, true)) releaseIfUnpinned();
    }

    /** Caller saw {@code closed}: release the native reference if no pin is left (once). */
    private void releaseIfUnpinned() {
        long sum = 0;
        for (int i = 0; i < STRIPES; i++) sum += pins.get(i * STRIDE);
        if (sum < 0) throw new IllegalStateException("unbalanced unpin of a " + what());
        if (sum != 0 || !released.compareAndSet(false, true)) return;
        if (tag == Wire.BUFFER) NativeBridge.bufferRelease(pointer);
        else NativeBridge.queueRelease(pointer);
    }

    /** The Cleaner action: the owner became unreachable without being closed. */
    @Override
    public void run() {
        close();
    }

    // ------------------------------------------------------------------ the wire

    /**
     * Writes a {@link SharedQueue} or {@link SharedBuffer} as BUFFER/QUEUE, pinned until the wire's
     * loans end (after the native call): the request lends the Java reference, and native code
     * takes its own. False for any other value.
     */
    static boolean write(Wire wire, Object value) {
        SharedRef ref;
        if (value instanceof SharedQueue) ref = ((SharedQueue) value).ref;
        else if (value instanceof SharedBuffer) ref = ((SharedBuffer) value).ref;
        else return false;
        ref.pinOrThrow();
        wire.lend(ref::unpin);
        wire.shared(ref.tag, ref.pointer);
        return true;
    }

    /** The Java object for a BUFFER/QUEUE a reply handed over: it owns that reference. */
    static Object wrap(int tag, long pointer) {
        return tag == Wire.BUFFER ? new SharedBuffer(pointer) : new SharedQueue(pointer);
    }

    /** Hooks for queue items: shared buffers and queues both ways, nothing else special. */
    static final Wire.Hooks HOOKS = new Wire.Hooks() {
        @Override
        public boolean writeSpecial(Wire wire, Object value, int argument) {
            return false;
        }

        @Override
        public boolean writeShared(Wire wire, Object value) {
            return write(wire, value);
        }

        @Override
        public Object shared(int tag, long pointer) {
            return wrap(tag, pointer);
        }

        @Override
        public Object handle(long id, String typeName) {
            throw new IsolexException("libisolex put a handle (" + typeName + ") in a queue item (a bug)");
        }

        @Override
        public RuntimeException error(String typeName, String message, RuntimeException cause) {
            throw new IsolexException("libisolex put an exception (" + typeName + ") in a queue item (a bug)");
        }
    };
}
