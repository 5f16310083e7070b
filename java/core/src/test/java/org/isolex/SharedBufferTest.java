package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Shared buffers (ABI.md 11): one copy of the bytes seen by Java and every interpreter. */
class SharedBufferTest extends NativeTestBase {
    private static final int MIB = 1 << 20;

    @Test
    void oneMebibyteFilledInAIsSeenByBAndJavaAtTheSameAddress() throws InterruptedException {
        Host host = newHost();
        try (SharedBuffer buf = Host.newBuffer(MIB); Interpreter a = host.newInterpreter();
             Interpreter b = host.newInterpreter()) {
            ExtensionModule chA = a.importModule("channels");
            ExtensionModule chB = b.importModule("channels");
            assertEquals(MIB, buf.size());
            assertEquals(0L, chB.invoke("checksum", buf), "zeroed");
            long sharedBefore = Host.sharedBytes();

            assertEquals((long) MIB, chA.invoke("fill", buf, 7L));
            assertEquals(7L * MIB, chB.invoke("checksum", buf));
            assertEquals(buf.address(), chA.invoke("address", buf), "A sees Java's bytes, not a copy");
            assertEquals(buf.address(), chB.invoke("address", buf), "so does B");
            assertEquals(sharedBefore, Host.sharedBytes(), "passing it allocated no shared bytes");

            ByteBuffer view = buf.byteBuffer();
            assertTrue(view.isDirect());
            assertEquals(MIB, view.capacity());
            assertEquals(ByteOrder.nativeOrder(), view.order());
            for (int i = 0; i < MIB; i += 4096) assertEquals(7, view.get(i));
            view.put(0, (byte) 8);                       // Java writes, B sees it
            assertEquals(7L * MIB + 1, chB.invoke("checksum", buf));
            IntBuffer ints = view.asIntBuffer();          // derived views work on the same bytes
            ints.put(1, 0x01010101);
            assertEquals(7L * MIB + 1 - 4 * 7 + 4, chB.invoke("checksum", buf));
            view = null;
            ints = null;
        } finally {
            QueueTest.awaitNoSharedBytes();  // the view pinned the bytes until collected
        }
    }

    @Test
    void aBufferCrossesInterpretersThroughAQueueWithoutACopy() throws InterruptedException {
        Host host = newHost();
        try (SharedQueue q = Host.newQueue();
             Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            ExtensionModule chA = a.importModule("channels");
            ExtensionModule chB = b.importModule("channels");
            try (SharedBuffer made = (SharedBuffer) chA.invoke("new_buffer", (long) MIB)) {  // made in A
                assertEquals(made.address(), chA.invoke("address", made));
                chA.invoke("fill", made, 3L);
                chA.invoke("put", q, new Object[] {"payload", made});
                long shared = Host.sharedBytes();
                Object item = chB.invoke("get", q, 1.0);   // into B, then back to Java
                List<?> pair = (List<?>) item;
                try (SharedBuffer inB = (SharedBuffer) pair.get(1)) {
                    assertEquals("payload", pair.get(0));
                    assertEquals(made.address(), inB.address());
                    assertEquals(3L * MIB, chB.invoke("checksum", inB));
                    assertTrue(Host.sharedBytes() < shared, "only the item's few bytes went: " + shared + " -> "
                            + Host.sharedBytes());
                    assertTrue(shared - Host.sharedBytes() < 64);
                }
            }
        }
    }

    @Test
    void aBufferOutlivesTheInterpreterThatMadeIt() {
        Host host = newHost();
        SharedBuffer kept;
        try (Interpreter a = host.newInterpreter()) {
            ExtensionModule ch = a.importModule("channels");
            kept = (SharedBuffer) ch.invoke("new_buffer", 100L);
            ch.invoke("fill", kept, 2L);
        }
        try (SharedBuffer buf = kept; Interpreter b = host.newInterpreter()) {
            assertEquals(200L, b.importModule("channels").invoke("checksum", buf));
            assertEquals(100, buf.size());
        }
    }

    @Test
    void aViewKeepsTheBytesAliveAfterCloseSoUsingItCannotCrash() throws InterruptedException {
        long base = Host.sharedBytes();
        SharedBuffer buf = Host.newBuffer(MIB);
        ByteBuffer view = buf.byteBuffer();
        ByteBuffer slice = buf.byteBuffer().position(100).slice();
        long held = Host.sharedBytes() - base;
        assertTrue(held >= MIB);
        buf.close();
        assertTrue(buf.isClosed());
        assertThrowsMessage(ClosedException.class, "shared buffer is closed", buf::byteBuffer);
        assertEquals(held, Host.sharedBytes() - base, "the views still hold the bytes");
        view.put(MIB - 1, (byte) 9);                 // the caller's bug, but memory that is still there
        assertEquals(9, slice.get(MIB - 101));
        view = null;
        // the slice alone keeps them too (it refers to the view it came from)
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(held, Host.sharedBytes() - base, "a derived buffer is enough");
        assertEquals(9, slice.get(MIB - 101));
        slice = null;
        QueueTest.awaitNoSharedBytes();
    }

    @Test
    void emptyAndInvalidSizes() {
        assertThrowsMessage(IllegalArgumentException.class, "buffer size must be >= 0: -1", () -> Host.newBuffer(-1));
        try (SharedBuffer empty = Host.newBuffer(0)) {
            assertEquals(0, empty.size());
            assertEquals(0, empty.byteBuffer().capacity());
            assertNotEquals(0L, empty.address());
        }
    }

    @Test
    void aClosedBufferCannotBePassed() {
        Host host = newHost();
        try (Interpreter a = host.newInterpreter()) {
            ExtensionModule ch = a.importModule("channels");
            SharedBuffer buf = Host.newBuffer(8);
            buf.close();
            buf.close();  // idempotent
            assertThrowsMessage(ClosedException.class, "shared buffer is closed", () -> ch.invoke("checksum", buf));
            assertTrue(buf.toString().endsWith(", closed]"), buf.toString());
        }
    }

    @Test
    void droppedBuffersAreReleasedByTheGarbageCollector() throws InterruptedException {
        Host host = newHost();
        try (Interpreter a = host.newInterpreter()) {
            ExtensionModule ch = a.importModule("channels");
            for (int i = 0; i < 20; i++) {
                SharedBuffer fromJava = Host.newBuffer(10_000);
                ch.invoke("fill", fromJava, 1L);
                Object fromInterp = ch.invoke("new_buffer", 10_000L);  // dropped unclosed too
                assertInstanceOf(SharedBuffer.class, fromInterp);
                fromJava.byteBuffer().put(0, (byte) 1);               // and an unclosed view
            }
            assertTrue(Host.sharedBytes() >= 400_000);
        }
        QueueTest.awaitNoSharedBytes();
    }

    @Test
    void closingInterpretersAndHostWithItemsInFlightLeavesThemToTheQueue() throws InterruptedException {
        Host host = newHost();
        SharedQueue q = Host.newQueue();
        Interpreter a = host.newInterpreter();
        Interpreter b = host.newInterpreter();
        ExtensionModule chA = a.importModule("channels");
        ExtensionModule chB = b.importModule("channels");
        for (int i = 0; i < 10; i++) {
            try (SharedBuffer buf = (SharedBuffer) chA.invoke("new_buffer", 50_000L)) {
                chA.invoke("fill", buf, (long) i);
                chA.invoke("put", q, new Object[] {(long) i, buf});
            }
        }
        SharedQueue inner = (SharedQueue) chB.invoke("new_queue", 0L);   // a queue inside an item
        chB.invoke("put", inner, new Object[] {"nested"});
        chB.invoke("put", q, inner);
        inner.close();
        long shared = Host.sharedBytes();
        assertTrue(shared >= 500_000, "ten buffers in flight: " + shared);
        host.close();                                      // both interpreters close with items queued
        assertEquals(0, Host.liveInterpreters());
        assertEquals(shared, Host.sharedBytes(), "the queue still holds its items");
        // nothing else is left: live bytes also count a 16-byte header for each of the 26 host
        // blocks (10 buffers, 12 items, 2 queues and their 2 rings), shared bytes do not
        long outside = Host.liveNativeBytes() - Host.sharedBytes();
        assertTrue(outside >= 0 && outside <= 16 * 26, "only the queue's blocks are left: " + outside);
        assertEquals(11, q.size());
        try (SharedBuffer first = (SharedBuffer) ((List<?>) q.take()).get(1)) {
            assertEquals(50_000, first.size());
        }
        q.close();                                          // drops 9 buffer items and the queue item
        assertEquals(0, Host.sharedBytes());
        assertEquals(0, Host.liveNativeBytes());
        assertFalse(q.toString().contains("items"));
    }
}
