package org.isolex;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.isolex.internal.NativeBridge;
import org.isolex.internal.Wire;

/**
 * Bytes shared, without copying, by Java and any number of interpreters (abi/ABI.md 11;
 * PEP 734's model). The memory belongs to no interpreter: every holder (this object, a
 * {@code buffer} object inside an interpreter, a queue item) has its own reference, counted
 * atomically, and the bytes are freed when the last holder lets go. Make one with
 * {@link Host#newBuffer(int)}; pass it to an interpreter as a call argument or put it into a
 * {@link SharedQueue}; a buffer in a call result or a queue item comes back as a new
 * {@code SharedBuffer} object (same bytes, same {@link #address()}).
 *
 * <p>{@link #byteBuffer()} gives direct access to the bytes from Java. Nothing synchronizes
 * concurrent readers and writers: as with any shared memory, agree on who writes when (for
 * example: fill, then pass it on through a queue, whose lock orders the accesses).
 *
 * <h2>Lifetime, and why a view can never crash the JVM</h2>
 * This object owns one native reference: {@link #close()} drops it (idempotent); the garbage
 * collector drops it if the object is left unclosed (a safety net: close what you open).
 * A {@code ByteBuffer} cannot be invalidated once handed out, so instead of trusting the
 * caller, a view <em>keeps the memory alive</em>: the first {@link #byteBuffer()} takes one
 * more hold on the native reference, released by a {@link Cleaner} when the view and every
 * buffer derived from it ({@code duplicate}, {@code slice}, {@code asIntBuffer} ...; they all
 * keep the original reachable) have become unreachable. Using a view after {@code close()}
 * is therefore a logic error of the caller, never a use-after-free: it reads and writes
 * memory that is still allocated. The price: after {@code close()}, the bytes stay allocated
 * (and counted by {@link Host#sharedBytes()}) until the garbage collector has found the
 * views; drop them when done.
 */
public final class SharedBuffer implements AutoCloseable {
    final SharedRef ref;
    private final Cleaner.Cleanable cleanable;
    private final int size;
    private final long address;
    /** The view every {@link #byteBuffer()} duplicates (and that pins the memory); null until asked, and after close. */
    private ByteBuffer root;

    /** Takes over one reference to the native buffer {@code pointer}. */
    SharedBuffer(long pointer) {
        this.ref = new SharedRef(pointer, Wire.BUFFER);
        this.cleanable = SharedRef.CLEANER.register(this, ref);
        long n = NativeBridge.bufferSize(pointer);
        // ixh_buffer_new accepts more, but Java's buffers end at 2 GiB; Host.newBuffer takes an int
        this.size = (int) Math.min(n, Integer.MAX_VALUE);
        this.address = NativeBridge.bufferAddress(pointer);
    }

    /** ixh_buffer_new. */
    static SharedBuffer create(int size) {
        if (size < 0) throw new IllegalArgumentException("buffer size must be >= 0: " + size);
        long b = NativeBridge.bufferNew(size);
        if (b == 0) {
            throw new IsolexException("cannot create a shared buffer of " + size
                    + " bytes: the process is out of native memory");
        }
        return new SharedBuffer(b);
    }

    /** {@return its size in bytes (fixed), readable after close} */
    public int size() {
        return size;
    }

    /**
     * Where its bytes are: the same address in every interpreter that holds it (what
     * {@code IxBuffer_Data} returns there), which is how tests prove nothing was copied.
     * Readable after close.
     *
     * @return the native address of its first byte
     */
    public long address() {
        return address;
    }

    /**
     * A direct {@link ByteBuffer} over the shared bytes, in the platform's native byte order
     * (as C code in an extension sees them), position 0, limit and capacity {@link #size()}.
     * Each call returns a new, independent view (its own position and limit) of the same
     * memory. The memory stays allocated while any view is reachable, even after
     * {@link #close()}: see the class documentation.
     *
     * @return a new view of all {@link #size()} bytes, position 0
     * @throws ClosedException if this object is closed
     */
    public synchronized ByteBuffer byteBuffer() {
        if (root == null) {
            ref.pinOrThrow();
            ByteBuffer view;
            try {
                view = NativeBridge.bufferBytes(ref.pointer);
            } catch (RuntimeException | Error e) {
                ref.unpin();
                throw e;
            }
            if (view == null) {                    // 0 bytes: nothing to keep alive
                ref.unpin();
                view = ByteBuffer.allocateDirect(0);
            } else {
                // The view is the object JNI's NewDirectByteBuffer made (JavaCPP's
                // asByteBuffer returns it as is), so every buffer derived from it refers to
                // it: the pin lasts until all of them are unreachable.
                SharedRef.CLEANER.register(view, ref::unpin);
            }
            root = view;
        } else if (ref.isClosed()) {
            throw new ClosedException("shared buffer is closed");
        }
        return root.duplicate().order(ByteOrder.nativeOrder());
    }

    /** {@return true after {@link #close()} of this object (other holders may still use the bytes)} */
    public boolean isClosed() {
        return ref.isClosed();
    }

    /**
     * Drops this object's reference. Idempotent. The bytes are freed when no interpreter, queue
     * item or {@link #byteBuffer() view} holds them any more.
     */
    @Override
    public void close() {
        synchronized (this) {
            root = null;
        }
        cleanable.clean();
    }

    @Override
    public String toString() {
        return "SharedBuffer[" + size + " bytes at 0x" + Long.toHexString(address) + (isClosed() ? ", closed" : "") + "]";
    }
}
