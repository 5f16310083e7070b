package org.isolex;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Collections;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import org.isolex.internal.NativeBridge;
import org.isolex.internal.Wire;

/**
 * A reference, owned by Java, to an object that lives in one {@link Interpreter} and does not
 * convert to a Java value (an instance of an extension type, a function, a module ...).
 *
 * <p>Each handle owns one native reference; {@link #close()} releases it (idempotent). A
 * handle that is dropped without being closed is released after the garbage collector finds
 * it (at the interpreter's next operation, never from the GC thread), and every handle is
 * released when its interpreter closes. Using a closed handle throws {@link ClosedException}.
 *
 * <p>Arguments and results convert as follows. Java to native: {@code null} None,
 * {@link Boolean} bool, {@link Long}/{@link Integer}/{@link Short}/{@link Byte} int,
 * {@link java.math.BigInteger} int of any size (abi/ABI.md 3.10),
 * {@link Double}/{@link Float} float, {@link String} str, {@code byte[]} bytes, {@link List}
 * list, {@code Object[]} tuple, {@link java.util.Map} dict, {@code Handle} the object itself
 * (only a handle of the same interpreter: objects never cross interpreters), {@link SharedQueue}
 * and {@link SharedBuffer} the interpreter's own object standing for the same queue or bytes
 * (it takes its own reference; abi/ABI.md 11). Native to Java:
 * int {@link Long} when it fits a long and {@link java.math.BigInteger} otherwise (abi/ABI.md
 * 12.5), float {@link Double}, str {@link String}, bytes {@code byte[]}, tuple and
 * list an unmodifiable {@link List}, dict an unmodifiable insertion-ordered
 * {@link java.util.Map}, queue and buffer a new {@link SharedQueue} or {@link SharedBuffer}, anything
 * else a new {@code Handle} (the caller owns both kinds: close them).
 * An exception raised natively is thrown as a {@link NativeError}.
 *
 * <p><b>Closing while other threads use it.</b> A handle may be closed while other threads
 * call it or pass it as an argument. Each such call pins the native reference for its
 * duration; close marks the handle closed at once (every later call throws
 * {@link ClosedException} {@code "handle to counter.Counter is closed"}, or
 * {@code "argument 1: handle to counter.Counter is closed"}) and the reference is released
 * when the last call that was already using it ends. So a call either runs with the handle
 * alive or throws {@code ClosedException}; it never reaches native code with a released
 * reference.
 *
 * <p><b>Names</b> (of methods and attributes) must not contain a NUL character: native code
 * reads them as C strings, so one would be cut short there. They are refused before any
 * native call with an {@code IllegalArgumentException}, message
 * {@code method name contains a NUL character (at index 7): "created\0junk"} (the NUL shown
 * as {@code \0}; "attribute name ..." for {@link #getAttr} and
 * {@link #setAttr}; "module name ..." for {@link Interpreter#importModule}).
 */
public class Handle implements AutoCloseable, Iterable<Object> {
    private static final Cleaner CLEANER = Cleaner.create();
    /**
     * The Cleaner of {@link #byteBuffer()} exports: one of its own, because the last one of a
     * closed interpreter runs that interpreter's native close (module clear and free), which
     * must not hold up the releases of other handles.
     */
    private static final Cleaner EXPORTS = Cleaner.create();

    private final Interpreter interp;
    private final long id;
    private final String typeName;
    private final Ref ref;
    private final Cleaner.Cleanable cleanable;

    /**
     * The part of a handle the Cleaner and the interpreter know. It must not reference the
     * Handle (or the Handle would never become unreachable), nor the Interpreter (or a
     * dropped interpreter would stay reachable from the Cleaner while it has handles).
     *
     * <p>It also pins the native reference while calls use it, so that a concurrent close
     * never releases a handle id that a call is about to pass to native code. {@link #uses}
     * counts the calls using the handle now, plus {@link #CLOSED} once it is closed. A call
     * pins (counts itself in) only while it is not closed; close adds CLOSED; whoever sees
     * the count reach exactly CLOSED (close when no call was in, or the last call out)
     * releases the native reference, once. One atomic word a handle: a handle is small and
     * there are many (SharedRef stripes its pins over cache lines instead, for queues that
     * two threads hammer at once).
     */
    static final class Ref implements Runnable, Wire.Loan {
        /** Added to {@link #uses} by close. */
        private static final int CLOSED = 1 << 30;

        final InterpreterState interp;
        final long id;
        private final AtomicInteger uses = new AtomicInteger();

        Ref(InterpreterState interp, long id) {
            this.interp = interp;
            this.id = id;
        }

        boolean isClosed() {
            return uses.get() >= CLOSED;
        }

        /** Counts a call in; false once closed (the call must not use the id). */
        boolean pin() {
            for (int u = uses.get(); u < CLOSED; u = uses.get()) {
                if (uses.compareAndSet(u, u + 1)) return true;
            }
            return false;
        }

        /**
         * Counts a call out; the last one out of a handle closed meanwhile releases it. The
         * caller is still inside an interpreter operation, so the release is immediate.
         */
        void unpin() {
            if (uses.decrementAndGet() == CLOSED) {
                interp.live.remove(this);
                interp.release(id);
            }
        }

        /** A call's loan of the handle ends: {@link #unpin()}. */
        @Override
        public void endLoan() {
            unpin();
        }

        /**
         * Marks it closed; true when the caller must release the native reference now (no
         * call is using it). The interpreter's close calls this when no call can be.
         */
        boolean markClosed() {
            for (int u = uses.get(); u < CLOSED; u = uses.get()) {
                if (uses.compareAndSet(u, u + CLOSED)) return u == 0;
            }
            return false;
        }

        /** Handle.close: releases now, or leaves it to the last call still using it. */
        void close() {
            if (markClosed()) {
                interp.live.remove(this);
                interp.release(id);
            }
        }

        /** The Cleaner action: runs on the cleaner thread, so it only queues the id. */
        @Override
        public void run() {
            if (markClosed()) {
                interp.live.remove(this);
                interp.pendingReleases.add(id);
            }
        }
    }

    Handle(Interpreter interp, long id, String typeName) {
        this.interp = interp;
        this.id = id;
        this.typeName = typeName;
        this.ref = new Ref(interp.state, id);
        interp.state.live.add(ref);
        this.cleanable = CLEANER.register(this, ref);
    }

    /** {@return the interpreter the object lives in} */
    public Interpreter interpreter() {
        return interp;
    }

    /** The native handle id (for diagnostics). */
    long id() {
        return id;
    }

    /** {@return the object's full type name, e.g. {@code "counter.Counter"}} */
    public String typeName() {
        return typeName;
    }

    /** {@return true after {@link #close()} or after its interpreter was closed} */
    public boolean isClosed() {
        return ref.isClosed() || interp.isClosed();
    }

    /**
     * Lends the native reference to the call {@code wire} carries, as its target or an
     * argument: pins it until the wire's loans end, which the caller (inside an operation of
     * this interpreter) makes happen before it leaves. A concurrent close then leaves the
     * release to that end, so the id stays valid for the call. False when the handle is
     * closed (nothing is lent).
     */
    boolean lendTo(Wire wire) {
        if (!ref.pin()) return false;
        wire.lend(ref); // ends with unpin (Ref.endLoan)
        return true;
    }

    /**
     * This object as a typed function (abi/ABI.md 4.30, 12.70): a module function or a method
     * bound to its instance whose definition declares {@code signature}. The result owns a
     * handle of its own to the object (closing this handle does not close it).
     *
     * @param signature the signature expected, e.g. {@code "ll:l"} ({@link TypedFunction} has
     *                  the letters)
     * @return the typed function
     * @throws IllegalArgumentException if {@code signature} is malformed ({@code malformed
     *                                  typed signature "lq:l": unknown type letter 'q' at
     *                                  position 2}) or the function's is another
     *                                  ({@code typed.add1 has the typed signature "l:l",
     *                                  not "d:d"})
     * @throws NativeError              if the object is not a typed function ({@code TypeError:
     *                                  plain() is not a typed function (no IX_METH_TYPED)})
     * @throws ClosedException          if this handle or the interpreter is closed
     */
    public TypedFunction typedFunction(String signature) {
        TypedFunction.code(Objects.requireNonNull(signature, "signature"));
        checkSignature(signature);
        Object own = expand(); // a new handle to the same object
        if (!(own instanceof Handle)) throw new IsolexException("libisolex expanded a function into a value");
        return new TypedFunction((Handle) own, signature);
    }

    /**
     * An attribute as a typed function: {@code typedFunction("add1", "l:l")} on a module is
     * its function {@code add1}, on an instance the method bound to it (abi/ABI.md 12.70).
     *
     * @param name      the attribute's name; not null, no NUL character
     * @param signature the signature expected, e.g. {@code "l:l"}
     * @return the typed function, owning a handle of its own
     * @throws IllegalArgumentException if {@code signature} is malformed, the function's is
     *                                  another, the name contains a NUL character, or the
     *                                  attribute is a value ({@code attribute 'LIMIT' is a
     *                                  Long, not a typed function})
     * @throws NativeError              if there is no such attribute, or it is not a typed function
     * @throws ClosedException          if this handle or the interpreter is closed
     */
    public TypedFunction typedFunction(String name, String signature) {
        TypedFunction.code(Objects.requireNonNull(signature, "signature"));
        Object f = getAttr(name);
        if (!(f instanceof Handle)) {
            if (f instanceof SharedQueue) ((SharedQueue) f).close(); // not ours to keep
            if (f instanceof SharedBuffer) ((SharedBuffer) f).close();
            throw new IllegalArgumentException("attribute '" + name + "' is a "
                    + (f == null ? "None" : f.getClass().getSimpleName()) + ", not a typed function");
        }
        Handle h = (Handle) f;
        try {
            h.checkSignature(signature);
        } catch (RuntimeException e) {
            h.close();
            throw e;
        }
        return new TypedFunction(h, signature);
    }

    /** The native signature of this typed function must be `signature`. */
    private void checkSignature(String signature) {
        String actual = (String) interp.op(NativeBridge.Op.TYPED_SIGNATURE, this, (w, hooks) -> { });
        if (!actual.equals(signature)) {
            throw new IllegalArgumentException(repr() + " has the typed signature \"" + actual + "\", not \""
                    + signature + "\"");
        }
    }

    /**
     * Calls the object: {@code obj(args...)}.
     *
     * @param args the arguments, converted as the class documentation lists (a {@code null}
     *             array is one None argument)
     * @return the result, converted as the class documentation lists
     * @throws NativeError              if the call raised natively
     * @throws IllegalArgumentException if an argument does not convert
     * @throws IsolexException          if an argument is a handle of another interpreter
     * @throws ClosedException          if this handle, a handle argument or the interpreter is closed
     */
    public Object call(Object... args) {
        Object[] a = args == null ? new Object[] {null} : args;
        return interp.op(NativeBridge.Op.CALL, this, (w, hooks) -> w.tag(Wire.NONE).arguments(a, hooks));
    }

    /**
     * Calls a method: {@code obj.method(args...)}.
     *
     * @param method the method's name; not null, no NUL character
     * @param args   the arguments, converted as the class documentation lists (a {@code null}
     *               array is one None argument)
     * @return the result, converted as the class documentation lists
     * @throws NativeError              if the call raised natively (an {@code AttributeError}
     *                                  when there is no such method)
     * @throws IllegalArgumentException if the name contains a NUL character or an argument
     *                                  does not convert
     * @throws IsolexException          if an argument is a handle of another interpreter
     * @throws ClosedException          if this handle, a handle argument or the interpreter is closed
     */
    public Object invoke(String method, Object... args) {
        Names.check("method name", Objects.requireNonNull(method, "method"));
        Object[] a = args == null ? new Object[] {null} : args;
        return interp.op(NativeBridge.Op.CALL, this, (w, hooks) -> w.str(method).arguments(a, hooks));
    }

    /**
     * Calls the object with keyword arguments: {@code obj(1, step=3)} is
     * {@code call(Arguments.of(1L).keyword("step", 3L))} (abi/ABI.md 4.13).
     *
     * @param args the positional and keyword arguments, converted as the class documentation lists
     * @return the result, converted as the class documentation lists
     * @throws NativeError              if the call raised natively (a {@code TypeError} when the
     *                                  object takes no keyword arguments)
     * @throws IllegalArgumentException if an argument does not convert
     * @throws IsolexException          if an argument is a handle of another interpreter
     * @throws ClosedException          if this handle, a handle argument or the interpreter is closed
     * @throws NullPointerException     if {@code args} is null
     */
    public Object call(Arguments args) {
        Objects.requireNonNull(args, "args");
        Object[] a = args.values();
        List<String> names = args.keywordNames();
        return interp.op(NativeBridge.Op.CALL, this,
                (w, hooks) -> w.tag(Wire.NONE).arguments(a, hooks).keywordNames(names));
    }

    /**
     * Calls a method with keyword arguments: {@code obj.method(1, step=3)} is
     * {@code invoke("method", Arguments.of(1L).keyword("step", 3L))} (abi/ABI.md 4.13).
     *
     * @param method the method's name; not null, no NUL character
     * @param args   the positional and keyword arguments, converted as the class documentation lists
     * @return the result, converted as the class documentation lists
     * @throws NativeError              if the call raised natively (an {@code AttributeError}
     *                                  when there is no such method, a {@code TypeError} when it
     *                                  takes no keyword arguments)
     * @throws IllegalArgumentException if the name contains a NUL character or an argument
     *                                  does not convert
     * @throws IsolexException          if an argument is a handle of another interpreter
     * @throws ClosedException          if this handle, a handle argument or the interpreter is closed
     * @throws NullPointerException     if {@code method} or {@code args} is null
     */
    public Object invoke(String method, Arguments args) {
        Names.check("method name", Objects.requireNonNull(method, "method"));
        Objects.requireNonNull(args, "args");
        Object[] a = args.values();
        List<String> names = args.keywordNames();
        return interp.op(NativeBridge.Op.CALL, this, (w, hooks) -> w.str(method).arguments(a, hooks).keywordNames(names));
    }

    /**
     * Reads an attribute: {@code obj.name}.
     *
     * @param name the attribute's name; not null, no NUL character
     * @return its value, converted as the class documentation lists
     * @throws NativeError              if the read raised natively (an {@code AttributeError}
     *                                  when there is no such attribute)
     * @throws IllegalArgumentException if the name contains a NUL character
     * @throws ClosedException          if this handle or the interpreter is closed
     */
    public Object getAttr(String name) {
        Names.check("attribute name", Objects.requireNonNull(name, "name"));
        return interp.op(NativeBridge.Op.GETATTR, this, (w, hooks) -> w.str(name));
    }

    /**
     * Sets an attribute: {@code obj.name = value}.
     *
     * @param name  the attribute's name; not null, no NUL character
     * @param value the new value, converted as an argument is
     * @throws NativeError              if the assignment raised natively
     * @throws IllegalArgumentException if the name contains a NUL character or the value does
     *                                  not convert
     * @throws IsolexException          if the value is a handle of another interpreter
     * @throws ClosedException          if this handle, a handle value or the interpreter is closed
     */
    public void setAttr(String name, Object value) {
        Names.check("attribute name", Objects.requireNonNull(name, "name"));
        interp.op(NativeBridge.Op.SETATTR, this, (w, hooks) -> w.str(name).value(value, hooks, 0));
    }

    /**
     * Deletes an attribute: {@code del obj.name} (abi/ABI.md 3.40). An object with an
     * instance dict loses the entry; a type with an attribute slot decides itself.
     *
     * @param name the attribute's name; not null, no NUL character
     * @throws NativeError              if the deletion raised natively (an {@code AttributeError}
     *                                  when there is no such attribute, or it cannot be deleted)
     * @throws IllegalArgumentException if the name contains a NUL character
     * @throws ClosedException          if this handle or the interpreter is closed
     */
    public void delAttr(String name) {
        Names.check("attribute name", Objects.requireNonNull(name, "name"));
        interp.op(NativeBridge.Op.DELATTR, this, (w, hooks) -> w.str(name));
    }

    /**
     * The names of the object's attributes, sorted, without repeats (abi/ABI.md 3.41): what
     * its type chain defines (methods, members, getsets, class values) and what its instance
     * dict holds; for a module, its attributes; for a type, its chain's.
     *
     * @return an unmodifiable list of the names
     * @throws NativeError     if listing raised natively
     * @throws ClosedException if this handle or the interpreter is closed
     */
    public List<String> attributeNames() {
        List<?> names = (List<?>) interp.op(NativeBridge.Op.DIR, this, (w, hooks) -> { });
        List<String> out = new ArrayList<>(names.size());
        for (Object n : names) out.add((String) n);
        return Collections.unmodifiableList(out);
    }

    // ------------------------------------------------------------------ items and iteration (ABI 1.2)

    /**
     * Reads an item: {@code obj[key]} (abi/ABI.md 3.20-3.24: lists, tuples, str and bytes by
     * int index, negatives from the end; dicts by key; extension types through their slots).
     *
     * @param key the key or index, converted as an argument is
     * @return the item, converted as the class documentation lists
     * @throws NativeError              if the read raised natively ({@code IndexError: list
     *                                  index out of range}, {@code KeyError: 'b'},
     *                                  {@code TypeError: 'int' object is not subscriptable})
     * @throws IllegalArgumentException if the key does not convert
     * @throws IsolexException          if the key is a handle of another interpreter
     * @throws ClosedException          if this handle, a handle key or the interpreter is closed
     */
    public Object getItem(Object key) {
        return protocol(NativeBridge.PROTO_GET, key, null, 1);
    }

    /**
     * Sets an item: {@code obj[key] = value}. A list is the only builtin container that
     * takes it by index ({@code Handle}s name objects that do not convert: a list that
     * crossed into Java is a copy).
     *
     * @param key   the key or index, converted as an argument is
     * @param value the new value, converted as an argument is
     * @throws NativeError              if the assignment raised natively ({@code TypeError:
     *                                  'tuple' object does not support item assignment})
     * @throws IllegalArgumentException if the key or the value does not convert
     * @throws IsolexException          if the key or the value is a handle of another interpreter
     * @throws ClosedException          if this handle, a handle operand or the interpreter is closed
     */
    public void setItem(Object key, Object value) {
        protocol(NativeBridge.PROTO_SET, key, value, 2);
    }

    /**
     * Deletes an item: {@code del obj[key]}.
     *
     * @param key the key or index, converted as an argument is
     * @throws NativeError              if the deletion raised natively ({@code KeyError: 'b'})
     * @throws IllegalArgumentException if the key does not convert
     * @throws IsolexException          if the key is a handle of another interpreter
     * @throws ClosedException          if this handle, a handle key or the interpreter is closed
     */
    public void delItem(Object key) {
        protocol(NativeBridge.PROTO_DEL, key, null, 1);
    }

    /**
     * The object's length: {@code len(obj)}.
     *
     * @return the length, at least 0
     * @throws NativeError     if the object has none ({@code TypeError: object of type 'int'
     *                         has no len()}) or its length raised natively
     * @throws ClosedException if this handle or the interpreter is closed
     */
    public long length() {
        return (Long) protocol(NativeBridge.PROTO_LEN, null, null, 0);
    }

    /**
     * Membership: {@code value in obj}.
     *
     * @param value the value looked for, converted as an argument is
     * @return true when the object contains it
     * @throws NativeError              if the test raised natively ({@code TypeError: argument
     *                                  of type 'int' is not iterable})
     * @throws IllegalArgumentException if the value does not convert
     * @throws IsolexException          if the value is a handle of another interpreter
     * @throws ClosedException          if this handle, a handle value or the interpreter is closed
     */
    public boolean contains(Object value) {
        return (Boolean) protocol(NativeBridge.PROTO_CONTAINS, value, null, 1);
    }

    /**
     * Iterates the object: {@code iter(obj)}, pulled lazily in batches of
     * {@link HandleIterator#BATCH} items (one native call each). The iterator holds the
     * native iterator as a handle: close it (or let the garbage collector find it) to release
     * it early; it is released at the end of the iteration, and with every handle when the
     * interpreter closes, after which {@code hasNext()} and {@code next()} throw
     * {@link ClosedException}.
     *
     * @return a new iterator over the items, converted as the class documentation lists
     * @throws NativeError     if the object is not iterable ({@code TypeError: 'int' object is
     *                         not iterable})
     * @throws ClosedException if this handle or the interpreter is closed
     */
    @Override
    public HandleIterator iterator() {
        Object it = protocol(NativeBridge.PROTO_ITER, null, null, 0);
        if (!(it instanceof Handle)) throw new IsolexException("libisolex returned a non-handle iterator");
        return new HandleIterator((Handle) it);
    }

    /**
     * A direct {@link ByteBuffer} over the object's own memory, without a copy: the buffer
     * protocol (abi/ABI.md 3.50, 12.50), as C code gets it with {@code Ix_GetBuffer}. Works for
     * {@code bytes}, shared buffers, and extension types with the {@code bf_getbuffer} slot.
     * The buffer is in the platform's native byte order, position 0, limit and capacity the
     * export's length; a read-only export (a {@code bytes}) gives a
     * {@linkplain ByteBuffer#isReadOnly() read-only} buffer. Writes are seen by C code at once,
     * and C code's writes by Java: nothing synchronizes them (agree on who writes when, as
     * for a {@link SharedBuffer}). {@link #bufferLayout()} says how the bytes are laid out.
     *
     * <p><b>Lifetime: a ByteBuffer can never touch freed memory.</b> A ByteBuffer cannot be
     * revoked, so each call makes an export (the object's {@code bf_getbuffer} runs, and the
     * export holds a reference to the object) that lives as long as the returned buffer or
     * any buffer derived from it ({@code duplicate}, {@code slice}, {@code asDoubleBuffer}
     * ...) is reachable: a {@link Cleaner} releases it once the garbage collector finds them
     * all, at the interpreter's next operation (or its close). Closing this handle does not end
     * the export. Closing the interpreter while such a buffer is still reachable closes it for
     * Java at once (every operation throws {@link ClosedException}), but keeps its native
     * memory until the garbage collector has found the buffers; the native close then runs
     * (and logs its leak report, if any). So using a buffer after every close is a logic
     * error, never a crash: it reads and writes memory that is still allocated. Drop buffers
     * when done.
     *
     * @return a new buffer over the object's memory
     * @throws NativeError     if the object has no buffer ({@code TypeError: a bytes-like
     *                         object is required, not 'int'}) or its export failed
     * @throws ClosedException if this handle or the interpreter is closed
     */
    public ByteBuffer byteBuffer() {
        interp.enter(); // a close waits until the export is counted (InterpreterState.exportAdded)
        try {
            List<?> r = (List<?>) protocol(NativeBridge.PROTO_BUFFER, (long) NativeBridge.BUF_ANY_LAYOUT, null, 1);
            Handle view = (Handle) r.get(0);
            long length = (Long) r.get(2);
            if (length == 0) { // nothing to keep alive
                view.close();
                return ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder());
            }
            ByteBuffer root = NativeBridge.directBytes((Long) r.get(1), length);
            view.detachExport();
            // JavaCPP returns JNI's own direct buffer: everything derived from it refers to it
            InterpreterState state = interp.state;
            long viewId = view.id;
            EXPORTS.register(root, () -> state.exportUnreachable(viewId));
            ByteBuffer out = (Boolean) r.get(3) ? root.asReadOnlyBuffer() : root.duplicate();
            return out.order(ByteOrder.nativeOrder());
        } finally {
            interp.exit();
        }
    }

    /**
     * How the memory {@link #byteBuffer()} gives is laid out: format, item size, shape,
     * strides, read-only, length (abi/ABI.md 12.50). Asks for an export and releases it at
     * once.
     *
     * @return the layout of the object's exported memory
     * @throws NativeError     if the object has no buffer ({@code TypeError: a bytes-like
     *                         object is required, not 'int'}) or its export failed
     * @throws ClosedException if this handle or the interpreter is closed
     */
    public BufferLayout bufferLayout() {
        List<?> r = (List<?>) protocol(NativeBridge.PROTO_BUFFER, (long) NativeBridge.BUF_ANY_LAYOUT, null, 1);
        ((Handle) r.get(0)).close();
        return new BufferLayout((String) r.get(5), (Long) r.get(4), longs(r.get(6)), longs(r.get(7)),
                (Boolean) r.get(3), (Long) r.get(2));
    }

    private static List<Long> longs(Object tuple) {
        return ((List<?>) tuple).stream().map(x -> (Long) x).toList();
    }

    /**
     * Takes this handle (a fresh export's view, ABI.md 12.50) out of the interpreter's
     * handles without releasing it: from now on the export is counted by the interpreter
     * and released by the Cleaner of its ByteBuffer. Caller is inside an operation.
     */
    private void detachExport() {
        if (!ref.markClosed()) throw new IllegalStateException("export view in use");
        interp.state.live.remove(ref);
        interp.state.exportAdded();
        cleanable.clean(); // its action finds the ref closed: nothing more happens
    }

    /** One ixh_protocol operation with `operands` (0, 1 or 2) of a and b. */
    Object protocol(int op, Object a, Object b, int operands) {
        return interp.op(NativeBridge.Op.PROTOCOL, this, (w, hooks) -> {
            w.int64(op);
            if (operands > 0) w.value(a, hooks, 0);
            if (operands > 1) w.value(b, hooks, 0);
        });
    }

    /**
     * The object's repr, as its type defines it.
     *
     * @return the repr text
     * @throws NativeError     if the type's repr raised natively
     * @throws ClosedException if this handle or the interpreter is closed
     */
    public String repr() {
        return (String) describe().get(1);
    }

    /**
     * The whole object converted to Java values where it can be (containers recursively).
     *
     * @return the converted value; a part (or the object itself) with no Java counterpart
     *         comes back as a new {@code Handle}, owned by the caller
     * @throws ClosedException if this handle or the interpreter is closed
     */
    public Object expand() {
        return interp.op(NativeBridge.Op.EXPAND, this, (w, hooks) -> { });
    }

    /**
     * True when both handles name the very same object. Handles of different interpreters
     * never do (each interpreter has its own objects, even its own type objects).
     *
     * @param other the handle to compare with, of any interpreter; not null
     * @return true when both name the same object; false for handles of different interpreters
     * @throws ClosedException if either handle or its interpreter is closed
     */
    public boolean sameObject(Handle other) {
        Objects.requireNonNull(other, "other");
        if (other.interp != interp) {
            if (isClosed()) throw closedException();
            if (other.isClosed()) throw other.closedException();
            return false;
        }
        return identity() == other.identity();
    }

    /**
     * The object's identity as the interpreter reports it (its address): two handles of one
     * interpreter have the same identity exactly when they name the same object. For
     * display; compare with {@link #sameObject(Handle)}.
     *
     * @return the object's address in its interpreter
     * @throws ClosedException if this handle or the interpreter is closed
     */
    public long identity() {
        return (Long) describe().get(2);
    }

    /** [type name, repr, identity] (ixh_describe). */
    private List<?> describe() {
        return (List<?>) interp.op(NativeBridge.Op.DESCRIBE, this, (w, hooks) -> { });
    }

    IsolexException closedException() {
        InterpreterCrashedException crash = interp.state.crash();
        if (crash != null) return crash.again(); // ABI.md 13.10: every later use says it crashed
        return new ClosedException(what() + " is closed"
                + (interp.isClosed() ? " (interpreter " + interp.id() + " is closed)" : ""));
    }

    /** How messages name this handle. */
    String what() {
        return "handle to " + typeName;
    }

    /** Releases the native reference. Idempotent; never throws for a closed interpreter. */
    @Override
    public void close() {
        ref.close();
        cleanable.clean();
    }

    @Override
    public String toString() {
        return "Handle[" + typeName + " #" + id + " in interpreter " + interp.id() + (isClosed() ? ", closed" : "") + "]";
    }
}
