package org.isolex;

import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.isolex.internal.NativeBridge;
import org.isolex.internal.Wire;

/**
 * A first-in first-out queue that carries values between interpreters, and between them and
 * Java (abi/ABI.md 11; PEP 734's model). It belongs to no interpreter: the same native queue
 * can be held by Java and by any number of interpreters at once (each holding its own
 * reference), and lives until the last holder lets go. Make one with {@link Host#newQueue()};
 * pass it to an interpreter as an argument of a call ({@link Handle#invoke}); a queue in a
 * result or in a queue item comes back as a new {@code SharedQueue} object. (Not named
 * {@code Queue}: beside {@code import java.util.*;} that name would be ambiguous.)
 *
 * <h2>What crosses</h2>
 * Values cross <em>by copy</em>, and only shareable ones:
 * <ul>
 * <li>{@code null} (None), {@link Boolean} (bool), {@link Long}/{@link Integer}/{@link Short}/
 *     {@link Byte}/{@link java.math.BigInteger} (int, of any size), {@link Double}/{@link Float} (float), {@link String} (str),
 *     {@code byte[]} (bytes);</li>
 * <li>{@link SharedBuffer} and {@code SharedQueue}: <em>by reference</em> (the item holds its own
 *     reference; the receiver gets a new Java object standing for the same native one);</li>
 * <li>tuples of these, at most 64 levels of them (abi/ABI.md 12.2): a {@link List} or an
 *     {@code Object[]} is put as a tuple, and a tuple is taken as an unmodifiable {@code List}.</li>
 * </ul>
 * Taken values are {@link Long} (an int that fits a long; a bigger one is a
 * {@link java.math.BigInteger}), {@link Double}, {@link String}, {@code byte[]},
 * {@link Boolean}, {@code null}, {@code List}, {@link SharedBuffer} and {@code SharedQueue} (the
 * last two owned by the caller: close them). Anything else (a {@link java.util.Map}, a
 * {@link Handle}, any other object) is refused before any native call with
 * {@code IllegalArgumentException("a java.util.HashMap is not shareable: values cross between
 * interpreters as null, Boolean, Long/Integer/Short/Byte/BigInteger (int), Double/Float (float), String
 * (str), byte[] (bytes), SharedBuffer, SharedQueue, or List/Object[] (tuple) of these")}.
 *
 * <h2>Blocking</h2>
 * {@link #put} and {@link #take} wait for room or for an item; {@link #offer(Object, Duration)}
 * and {@link #poll(Duration)} wait at most that long. Waiting holds no interpreter's lock (a
 * queue is host-level), so interpreters keep running, and a thread inside an interpreter that
 * waits on the same queue gives up its interpreter's lock meanwhile. Native waits cannot be
 * interrupted, so every wait here is a series of native waits of at most 100 ms: an interrupt
 * is noticed within that time and ends the wait with {@link InterruptedException} (the
 * interrupt status is cleared, as {@code java.util.concurrent} does), and so is a concurrent
 * {@link #close()} of this object ({@link ClosedException}). A put that gave up left nothing
 * in the queue.
 *
 * <h2>Lifetime</h2>
 * This object owns one native reference: {@link #close()} drops it (idempotent), and the
 * garbage collector drops it if the object is left unclosed (a safety net: close what you
 * open). Closing does not empty the queue for its other holders; the items go when the last
 * holder lets go, with the buffers and queues they hold. Closing hosts or interpreters does
 * not close queues. A queue that holds itself, directly or through another queue, is never
 * freed (reference counting, no cycle collection across interpreters). Every method may be
 * called from any thread.
 */
public final class SharedQueue implements AutoCloseable {
    /** Longest single native wait: how late an interrupt or a close is noticed. */
    private static final long SLICE_NANOS = 100_000_000L;

    final SharedRef ref;
    private final Cleaner.Cleanable cleanable;

    /** Takes over one reference to the native queue {@code pointer}. */
    SharedQueue(long pointer) {
        this.ref = new SharedRef(pointer, Wire.QUEUE);
        this.cleanable = SharedRef.CLEANER.register(this, ref);
    }

    /** ixh_queue_new; capacity <= 0 for unbounded. */
    static SharedQueue create(long capacity) {
        long q = NativeBridge.queueNew(capacity);
        if (q == 0) throw new IsolexException("cannot create a queue: the process is out of native memory");
        return new SharedQueue(q);
    }

    /**
     * Puts {@code value}, waiting as long as the queue is full.
     *
     * @param value a shareable value (see "What crosses"), copied into the queue
     * @throws InterruptedException     if the thread was interrupted, before or while it waited;
     *                                  nothing was put
     * @throws IllegalArgumentException if {@code value} is not shareable
     * @throws ClosedException          if this object is closed, before or while it waits
     * @throws IsolexException          if the process is out of native memory
     */
    public void put(Object value) throws InterruptedException {
        put(value, -1);
    }

    /**
     * Puts {@code value} if there is room now; false when the queue is full.
     *
     * @param value a shareable value (see "What crosses"), copied into the queue
     * @return true if it was put, false if the queue was full (nothing was put)
     * @throws IllegalArgumentException if {@code value} is not shareable
     * @throws ClosedException          if this object is closed
     * @throws IsolexException          if the process is out of native memory
     */
    public boolean offer(Object value) {
        try {
            return put(value, 0);
        } catch (InterruptedException e) {
            throw new AssertionError("a put that does not wait was interrupted", e);
        }
    }

    /**
     * Puts {@code value}, waiting at most {@code timeout} for room; false if none came.
     *
     * @param value   a shareable value (see "What crosses"), copied into the queue
     * @param timeout the longest wait; not negative ({@code Duration.ZERO}: as {@link #offer(Object)})
     * @return true if it was put, false if there was no room in time (nothing was put)
     * @throws InterruptedException     if the thread was interrupted, before or while it waited;
     *                                  nothing was put
     * @throws IllegalArgumentException if {@code value} is not shareable or {@code timeout} is negative
     * @throws ClosedException          if this object is closed, before or while it waits
     * @throws IsolexException          if the process is out of native memory
     */
    public boolean offer(Object value, Duration timeout) throws InterruptedException {
        return put(value, nanos(timeout));
    }

    /**
     * Takes the next value, waiting as long as the queue is empty.
     *
     * @return the value, converted as "What crosses" lists ({@code null} for None)
     * @throws InterruptedException if the thread was interrupted, before or while it waited;
     *                              nothing was taken
     * @throws ClosedException      if this object is closed, before or while it waits
     */
    public Object take() throws InterruptedException {
        return get(-1).orElse(null);
    }

    /**
     * Takes the next value if there is one now. (A value that is {@code null}, None, comes back
     * as {@code Optional.empty()} too: use {@link #size()} or {@link #take()} where that matters.)
     *
     * @return the value, converted as "What crosses" lists; empty if the queue was empty
     * @throws ClosedException if this object is closed
     */
    public Optional<Object> poll() {
        try {
            return get(0);
        } catch (InterruptedException e) {
            throw new AssertionError("a get that does not wait was interrupted", e);
        }
    }

    /**
     * Takes the next value, waiting at most {@code timeout}; empty if none came (or it was None).
     *
     * @param timeout the longest wait; not negative ({@code Duration.ZERO}: as {@link #poll()})
     * @return the value, converted as "What crosses" lists; empty if none came in time
     * @throws InterruptedException     if the thread was interrupted, before or while it waited;
     *                                  nothing was taken
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws ClosedException          if this object is closed, before or while it waits
     */
    public Optional<Object> poll(Duration timeout) throws InterruptedException {
        return get(nanos(timeout));
    }

    /**
     * Items in the queue now.
     *
     * @return the number of items, counting those other holders put; 0 or more
     * @throws ClosedException if this object is closed
     */
    public long size() {
        ref.pinOrThrow();
        try {
            return NativeBridge.queueSize(ref.pointer);
        } finally {
            ref.unpin();
        }
    }

    /** {@return true after {@link #close()} of this object (other holders may still use the queue)} */
    public boolean isClosed() {
        return ref.isClosed();
    }

    /** Drops this object's reference to the queue. Idempotent. */
    @Override
    public void close() {
        cleanable.clean();
    }

    @Override
    public String toString() {
        if (!ref.pin()) return "SharedQueue[closed]";
        try {
            return "SharedQueue[" + NativeBridge.queueSize(ref.pointer) + " items]";
        } finally {
            ref.unpin();
        }
    }

    // ------------------------------------------------------------------ internals

    /** A timeout in nanoseconds (saturated); null and negative timeouts are refused. */
    static long nanos(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        try {
            return timeout.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE; // centuries: as good as for ever
        }
    }

    /** Deadline arithmetic for a wait of {@code nanos} (< 0: for ever, 0: none). */
    private static final class Wait {
        private final long nanos;
        private final long start;

        Wait(long nanos) {
            this.nanos = nanos;
            // only a bounded wait needs the clock (a read costs ~25 ns here, a tenth of a put)
            this.start = nanos > 0 ? System.nanoTime() : 0;
        }

        /** Seconds for the next native wait, or -1 when the time is up (after the first try). */
        double next(boolean first) {
            if (nanos < 0) return SLICE_NANOS / 1e9;
            long left = nanos - (System.nanoTime() - start);
            if (left <= 0) return first ? 0 : -1;
            return Math.min(left, SLICE_NANOS) / 1e9;
        }
    }

    private boolean put(Object value, long nanos) throws InterruptedException {
        if (Thread.interrupted()) throw new InterruptedException();
        ref.pinOrThrow();
        try (Wire w = Wire.take()) { // its own: converting the value may run calls of the thread's
            w.shareable(value, SharedRef.HOOKS);
            Wait wait = new Wait(nanos);
            for (boolean first = true; ; first = false) {
                double seconds = wait.next(first);
                if (seconds < 0) return false;
                int rc = NativeBridge.queuePut(ref.pointer, w, seconds);
                switch (rc) {
                    case NativeBridge.QUEUE_OK: return true;
                    case NativeBridge.QUEUE_TIMEOUT: break;
                    case NativeBridge.QUEUE_NOMEM:
                        throw new IsolexException("cannot put into the queue: the process is out of native memory");
                    case NativeBridge.QUEUE_NOT_SHAREABLE:
                        throw new IsolexException("libisolex refused as not shareable a value the Java encoder"
                                + " accepted (a bug): " + (value == null ? "null" : value.getClass().getName()));
                    default: throw new IsolexException("ixh_queue_put returned unknown status " + rc);
                }
                if (seconds == 0) return false;
                if (Thread.interrupted()) throw new InterruptedException();
                if (ref.isClosed()) throw new ClosedException("queue is closed");
            }
        } finally {
            ref.unpin();
        }
    }

    private Optional<Object> get(long nanos) throws InterruptedException {
        if (Thread.interrupted()) throw new InterruptedException();
        ref.pinOrThrow();
        try (Wire w = Wire.take()) {
            Wait wait = new Wait(nanos);
            boolean first = true;
            for (;;) {
                double seconds = wait.next(first);
                first = false;
                if (seconds < 0) return Optional.empty();
                int rc = NativeBridge.queueGet(ref.pointer, w, seconds);
                switch (rc) {
                    case NativeBridge.QUEUE_OK: {
                        int len = (int) NativeBridge.lastQueueLength();
                        return Optional.ofNullable(w.flipForRead(len).readValue(SharedRef.HOOKS));
                    }
                    case NativeBridge.QUEUE_TOO_BIG:
                        // the item stays queued: grow and ask again at once (another taker may
                        // have it by then; then this is an ordinary wait)
                        w.reserve(NativeBridge.lastQueueLength());
                        first = true;
                        continue;
                    case NativeBridge.QUEUE_TIMEOUT: break;
                    default: throw new IsolexException("ixh_queue_get returned unknown status " + rc);
                }
                if (seconds == 0) return Optional.empty();
                if (Thread.interrupted()) throw new InterruptedException();
                if (ref.isClosed()) throw new ClosedException("queue is closed");
            }
        } finally {
            ref.unpin();
        }
    }
}
