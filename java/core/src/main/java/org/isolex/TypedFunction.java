package org.isolex;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

import org.isolex.internal.NativeBridge;
import org.isolex.internal.Wire;

/**
 * A typed native function (abi/ABI.md 4.30, 12.70): one whose definition declares C types for
 * its parameters and result, called with Java primitives, strings and byte arrays and no
 * conversion through objects. Get one with {@link Handle#typedFunction(String, String)}
 * (an attribute: a module function or a method of an instance) or
 * {@link Handle#typedFunction(String)} (the object itself), declaring the signature you
 * expect; it is checked against the native one once, there.
 *
 * <p><b>Signatures</b> are parameter letters, {@code ':'}, one result letter:
 * {@code l} int64 ({@code long}), {@code d} double, {@code b} bool ({@code boolean}),
 * {@code s} str ({@link String}), {@code y} bytes ({@code byte[]}); at most
 * {@value #MAX_PARAMETERS} parameters. {@code "ll:l"} is {@code long f(long, long)}.
 *
 * <pre>{@code
 * TypedFunction add1 = typed.typedFunction("add1", "l:l");
 * long two = add1.callLong(1);                   // no Long, no wire format
 * long[] out = new long[3];
 * add1.callEach(new long[] {1, 2, 3}, out);      // three calls, one crossing: 2, 3, 4
 * }</pre>
 *
 * <p>The accessors ({@link #callLong(long)}, {@link #callDouble(double, double)},
 * {@link #callString(String)} ...) each serve one signature and throw
 * {@code IllegalArgumentException} for another; {@link #call(Object...)} serves all, boxed.
 * A call keeps every rule of any call of the function: it holds the interpreter's lock, runs
 * as code of its module (a shared-lock module's code lock, its allocations counted to it),
 * debug mode records and checks it, and what it raises is thrown as the same
 * {@link NativeError} an ordinary {@link Handle#call(Object...)} throws.
 *
 * <p>Thread-safe, as handles are. It owns one handle to the function: {@link #close()}
 * releases it, as closing the interpreter does; a call after either throws
 * {@link ClosedException}.
 */
public final class TypedFunction implements AutoCloseable {
    /** The most parameters a signature has ({@code IX_TYPED_MAX_ARGS}). */
    public static final int MAX_PARAMETERS = 8;
    /** Rows of a batch sent in one crossing; longer batches take several. */
    static final int BATCH_ROWS = 4096;
    private static final String LETTERS = "ldbsy";
    private static final String[] JAVA_TYPES = {"Long, Integer, Short or Byte", "Double or Float", "Boolean",
        "String", "byte[]"};
    private static final int VALUE = NativeBridge.VALUE_SIZE;
    /** The codes of the accessors' signatures (see {@link #code}), compared on every call. */
    private static final long L_L = 0x111; // "l:l"
    private static final long LL_L = 0x1112; // "ll:l"
    private static final long D_D = 0x221; // "d:d"
    private static final long DD_D = 0x2222; // "dd:d"
    private static final long B_B = 0x331; // "b:b"
    private static final long S_S = 0x441; // "s:s"
    private static final long Y_Y = 0x551; // "y:y"

    private final Handle handle;
    private final Interpreter interp;
    private final String signature;
    private final long code;
    private final long handleId;

    TypedFunction(Handle handle, String signature) {
        this.handle = handle;
        this.handleId = handle.id();
        this.interp = handle.interpreter();
        this.signature = signature;
        this.code = code(signature);
    }

    /** {@return the signature, e.g. {@code "ll:l"}} */
    public String signature() {
        return signature;
    }

    /** {@return the handle to the function, which this object owns} */
    public Handle handle() {
        return handle;
    }

    /** {@return true once closed, or once its interpreter is} */
    public boolean isClosed() {
        return handle.isClosed();
    }

    /** Releases the handle to the function. Idempotent. */
    @Override
    public void close() {
        handle.close();
    }

    @Override
    public String toString() {
        return "TypedFunction[\"" + signature + "\", " + handle + "]";
    }

    // ------------------------------------------------------------------ signatures

    /**
     * The code of a signature (typed.c's IxSig.code): the parameter count in bits 0-3, the
     * result's letter code (l d b s y: 1..5) in 4-7, parameter k's at 8 + 4k.
     *
     * @throws IllegalArgumentException for a malformed signature (the native rules' words)
     */
    static long code(String sig) {
        int colon = sig.indexOf(':');
        int end = colon < 0 ? sig.length() : colon;
        for (int i = 0; i < end; i++) {
            if (LETTERS.indexOf(sig.charAt(i)) < 0) throw malformed(sig, unknown(sig, i));
            if (i == MAX_PARAMETERS) throw malformed(sig, "more than " + MAX_PARAMETERS + " parameters");
        }
        if (colon < 0) throw malformed(sig, "no ':' before the result letter");
        if (sig.length() != colon + 2) throw malformed(sig, "one result letter must follow ':'");
        if (LETTERS.indexOf(sig.charAt(colon + 1)) < 0) throw malformed(sig, unknown(sig, colon + 1));
        long c = colon | (long) (LETTERS.indexOf(sig.charAt(colon + 1)) + 1) << 4;
        for (int k = 0; k < colon; k++) c |= (long) (LETTERS.indexOf(sig.charAt(k)) + 1) << (8 + 4 * k);
        return c;
    }

    private static String unknown(String sig, int i) {
        return "unknown type letter '" + sig.charAt(i) + "' at position " + (i + 1);
    }

    private static IllegalArgumentException malformed(String sig, String why) {
        return new IllegalArgumentException("malformed typed signature \"" + sig + "\": " + why);
    }

    private void expect(long sigCode, String sig, String accessor) {
        if (code != sigCode) {
            throw new IllegalArgumentException("the function's typed signature is \"" + signature + "\"; " + accessor
                    + " calls \"" + sig + "\" functions (call(Object...) calls any)");
        }
    }

    // ------------------------------------------------------------------ typed accessors

    /**
     * Calls an {@code "l:l"} function.
     *
     * @param a the argument
     * @return the result
     * @throws NativeError              if the function raised
     * @throws IllegalArgumentException if the signature is not {@code "l:l"}
     * @throws ClosedException          if this function or its interpreter is closed
     */
    public long callLong(long a) {
        expect(L_L, "l:l", "callLong(long)");
        Frame f = Frame.get();
        f.values.putLong(0, a);
        run(f, false);
        return f.values.getLong(0);
    }

    /**
     * Calls an {@code "ll:l"} function.
     *
     * @param a the first argument
     * @param b the second argument
     * @return the result
     * @throws NativeError              if the function raised
     * @throws IllegalArgumentException if the signature is not {@code "ll:l"}
     * @throws ClosedException          if this function or its interpreter is closed
     */
    public long callLong(long a, long b) {
        expect(LL_L, "ll:l", "callLong(long, long)");
        Frame f = Frame.get();
        f.values.putLong(0, a).putLong(VALUE, b);
        run(f, false);
        return f.values.getLong(0);
    }

    /**
     * Calls a {@code "d:d"} function.
     *
     * @param a the argument
     * @return the result
     * @throws NativeError              if the function raised
     * @throws IllegalArgumentException if the signature is not {@code "d:d"}
     * @throws ClosedException          if this function or its interpreter is closed
     */
    public double callDouble(double a) {
        expect(D_D, "d:d", "callDouble(double)");
        Frame f = Frame.get();
        f.values.putDouble(0, a);
        run(f, false);
        return f.values.getDouble(0);
    }

    /**
     * Calls a {@code "dd:d"} function.
     *
     * @param a the first argument
     * @param b the second argument
     * @return the result
     * @throws NativeError              if the function raised
     * @throws IllegalArgumentException if the signature is not {@code "dd:d"}
     * @throws ClosedException          if this function or its interpreter is closed
     */
    public double callDouble(double a, double b) {
        expect(DD_D, "dd:d", "callDouble(double, double)");
        Frame f = Frame.get();
        f.values.putDouble(0, a).putDouble(VALUE, b);
        run(f, false);
        return f.values.getDouble(0);
    }

    /**
     * Calls a {@code "b:b"} function.
     *
     * @param a the argument
     * @return the result
     * @throws NativeError              if the function raised
     * @throws IllegalArgumentException if the signature is not {@code "b:b"}
     * @throws ClosedException          if this function or its interpreter is closed
     */
    public boolean callBoolean(boolean a) {
        expect(B_B, "b:b", "callBoolean(boolean)");
        Frame f = Frame.get();
        f.values.putLong(0, a ? 1 : 0);
        run(f, false);
        return f.values.getLong(0) != 0;
    }

    /**
     * Calls an {@code "s:s"} function.
     *
     * @param a the argument, not null; crosses as UTF-8 (an unpaired surrogate as {@code '?'})
     * @return the result
     * @throws NativeError              if the function raised
     * @throws IllegalArgumentException if the signature is not {@code "s:s"}
     * @throws ClosedException          if this function or its interpreter is closed
     * @throws NullPointerException     if {@code a} is null
     */
    public String callString(String a) {
        expect(S_S, "s:s", "callString(String)");
        Objects.requireNonNull(a, "a");
        Frame f = Frame.get();
        byte[] utf8 = a.getBytes(StandardCharsets.UTF_8);
        f.reserveData(utf8.length);
        f.data(0, utf8, 0);
        return (String) run(f, true);
    }

    /**
     * Calls a {@code "y:y"} function.
     *
     * @param a the argument, not null
     * @return the result, a new array
     * @throws NativeError              if the function raised
     * @throws IllegalArgumentException if the signature is not {@code "y:y"}
     * @throws ClosedException          if this function or its interpreter is closed
     * @throws NullPointerException     if {@code a} is null
     */
    public byte[] callBytes(byte[] a) {
        expect(Y_Y, "y:y", "callBytes(byte[])");
        Objects.requireNonNull(a, "a");
        Frame f = Frame.get();
        f.reserveData(a.length);
        f.data(0, a, 0);
        return (byte[]) run(f, true);
    }

    /**
     * Calls the function with any signature: each argument must be of its parameter's Java
     * type ({@code l}: {@link Long}, {@link Integer}, {@link Short} or {@link Byte};
     * {@code d}: {@link Double} or {@link Float}; {@code b}: {@link Boolean}; {@code s}:
     * {@link String}; {@code y}: {@code byte[]}).
     *
     * @param args one argument per parameter
     * @return the result: a {@link Long}, {@link Double}, {@link Boolean}, {@link String} or
     *         {@code byte[]}
     * @throws NativeError              if the function raised
     * @throws IllegalArgumentException if the number of arguments or an argument's type does
     *                                  not match the signature, e.g. {@code a "ll:l" function takes
     *                                  2 arguments (1 given)}, {@code argument 2 of a "ll:l"
     *                                  function must be Long, Integer, Short or Byte, not String}
     * @throws ClosedException          if this function or its interpreter is closed
     */
    public Object call(Object... args) {
        Object[] a = args == null ? new Object[] {null} : args;
        int n = signature.indexOf(':');
        if (a.length != n) {
            throw new IllegalArgumentException("a \"" + signature + "\" function takes " + n + " argument"
                    + (n == 1 ? "" : "s") + " (" + a.length + " given)");
        }
        Frame f = Frame.get();
        byte[][] bytes = new byte[n][];
        int total = 0;
        for (int i = 0; i < n; i++) {
            char letter = signature.charAt(i);
            if (letter == 's' && a[i] instanceof String) bytes[i] = ((String) a[i]).getBytes(StandardCharsets.UTF_8);
            if (letter == 'y' && a[i] instanceof byte[]) bytes[i] = (byte[]) a[i];
            if (bytes[i] != null) total += bytes[i].length;
        }
        f.reserveData(total);
        int used = 0;
        for (int i = 0; i < n; i++) used = put(f, i, signature.charAt(i), a[i], bytes[i], used);
        char r = signature.charAt(n + 1);
        boolean object = r == 's' || r == 'y';
        Object out = run(f, object);
        if (object) return out;
        switch (r) {
            case 'l': return f.values.getLong(0);
            case 'd': return f.values.getDouble(0);
            default: return f.values.getLong(0) != 0;
        }
    }

    /** Puts argument i into the frame; returns the data bytes used so far. */
    private int put(Frame f, int i, char letter, Object v, byte[] bytes, int used) {
        int at = i * VALUE;
        switch (letter) {
            case 'l':
                if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
                    f.values.putLong(at, ((Number) v).longValue());
                    return used;
                }
                break;
            case 'd':
                if (v instanceof Double || v instanceof Float) {
                    f.values.putDouble(at, ((Number) v).doubleValue());
                    return used;
                }
                break;
            case 'b':
                if (v instanceof Boolean) {
                    f.values.putLong(at, (Boolean) v ? 1 : 0);
                    return used;
                }
                break;
            default: // 's' and 'y': converted by the caller (bytes is null for a wrong type)
                if (bytes != null) return f.data(i, bytes, used);
                break;
        }
        throw new IllegalArgumentException("argument " + (i + 1) + " of a \"" + signature + "\" function must be "
                + JAVA_TYPES[LETTERS.indexOf(letter)] + ", not " + (v == null ? "null" : v.getClass().getSimpleName()));
    }

    // ------------------------------------------------------------------ batches

    /**
     * Calls an {@code "l:l"} function once per argument, many calls per native crossing and
     * per taking of the interpreter's lock (abi/ABI.md 12.71): {@code results[i] = f(args[i])}.
     *
     * @param args    the arguments, one per call
     * @param results receives the results; at least as long as {@code args}
     * @throws BatchCallException       if a call raised: the calls before it completed and
     *                                  their results are in {@code results}, the later ones
     *                                  did not run; its cause is the call's {@link NativeError}
     * @throws IllegalArgumentException if the signature is not {@code "l:l"} or
     *                                  {@code results} is shorter than {@code args}
     * @throws ClosedException          if this function or its interpreter is closed
     */
    public void callEach(long[] args, long[] results) {
        expect(L_L, "l:l", "callEach(long[], long[])");
        checkLengths(args.length, results.length);
        Frame f = Frame.get();
        for (int start = 0; start < args.length; start += BATCH_ROWS) {
            int n = Math.min(BATCH_ROWS, args.length - start);
            ByteBuffer v = f.rows(n);
            for (int i = 0; i < n; i++) v.putLong(i * VALUE, args[start + i]);
            int done = batch(f, n, start, args.length);
            for (int i = 0; i < done; i++) results[start + i] = v.getLong(i * VALUE);
            if (done < n) throw f.batchError;
        }
    }

    /**
     * Calls a {@code "d:d"} function once per argument, many calls per native crossing:
     * {@code results[i] = f(args[i])}, with the rules of {@link #callEach(long[], long[])}.
     *
     * @param args    the arguments, one per call
     * @param results receives the results; at least as long as {@code args}
     * @throws BatchCallException       if a call raised (the calls before it completed)
     * @throws IllegalArgumentException if the signature is not {@code "d:d"} or
     *                                  {@code results} is shorter than {@code args}
     * @throws ClosedException          if this function or its interpreter is closed
     */
    public void callEach(double[] args, double[] results) {
        expect(D_D, "d:d", "callEach(double[], double[])");
        checkLengths(args.length, results.length);
        Frame f = Frame.get();
        for (int start = 0; start < args.length; start += BATCH_ROWS) {
            int n = Math.min(BATCH_ROWS, args.length - start);
            ByteBuffer v = f.rows(n);
            for (int i = 0; i < n; i++) v.putDouble(i * VALUE, args[start + i]);
            int done = batch(f, n, start, args.length);
            for (int i = 0; i < done; i++) results[start + i] = v.getDouble(i * VALUE);
            if (done < n) throw f.batchError;
        }
    }

    private static void checkLengths(int args, int results) {
        if (results < args) {
            throw new IllegalArgumentException("results has room for " + results + " of the " + args + " calls");
        }
    }

    // ------------------------------------------------------------------ the crossing

    /**
     * The interpreter's close gate and one native call, as {@link Interpreter#op} does for
     * the value API, without pinning the handle (see {@link #finish}). The gate is the
     * thread's {@link CallSlot} (one fence in, none out) rather than the interpreter's shared
     * counter (two atomic updates). A primitive result is left in the frame; an object result
     * is decoded and returned.
     */
    private Object run(Frame f, boolean objectResult) {
        if (handle.isClosed()) throw handle.closedException();
        if (interp.worker() != null) return runInWorker(f, objectResult);
        InterpreterState state = interp.state;
        if (!f.slot.enter(state)) throw state.closedException();
        InterruptWatcher.Slot call = InterruptWatcher.begin(f.interrupts, state, f.reply.address(),
                interp.callTimeoutNanos); // ABI.md 12.83
        try {
            state.drainPendingReleases();
            int status = NativeBridge.callTyped(state.ptr, handleId, code, f.valuesAddress, f.reply);
            if (status == NativeBridge.OK && !objectResult) return null;
            return finish(status, f);
        } finally {
            InterruptWatcher.end(call);
            f.slot.leave();
        }
    }

    /**
     * The result or error of a call that did not end with a number in the frame. The handle
     * is not pinned for a typed call (two atomic updates fewer): a close racing with the call
     * may release it first, and libisolex then refuses its id as stale (a handle carries a
     * generation, so the id never names another object) -- reported as the close it was.
     */
    private Object finish(int status, Frame f) {
        try {
            return interp.finish(status, f.reply, null); // the result, or throws the error
        } catch (NativeError e) {
            if (status == NativeBridge.ERROR && handle.isClosed()) throw handle.closedException();
            throw e;
        }
    }

    /** One crossing of a batch of n rows; the calls that completed (n, or fewer with f.batchError set). */
    private int batch(Frame f, int n, int start, int total) {
        if (handle.isClosed()) throw handle.closedException();
        if (interp.worker() != null) return batchInWorker(f, n, start, total);
        InterpreterState state = interp.state;
        if (!f.slot.enter(state)) throw state.closedException();
        InterruptWatcher.Slot call = InterruptWatcher.begin(f.interrupts, state, f.reply.address(),
                interp.callTimeoutNanos); // ABI.md 12.83
        try {
            state.drainPendingReleases();
            int status = NativeBridge.callTypedBatch(state.ptr, handleId, code, f.rowsAddress, n, f.reply);
            int done = (int) NativeBridge.lastBatchDone();
            if (status == NativeBridge.OK) return done;
            try {
                finish(status, f);
                throw new IsolexException("libisolex returned status " + status + " without an error");
            } catch (NativeError e) {
                f.batchError = new BatchCallException(start + done, total, e);
                return done;
            }
        } finally {
            InterruptWatcher.end(call);
            f.slot.leave();
        }
    }

    // ------------------------------------------------------------------ in a worker process

    /*
     * In a worker process (abi/ABI.md 13.15) a typed call crosses as the generic CALL of the
     * same function: the function stays callable as an ordinary one (objects/typed.c converts
     * the objects to IxValues and back), so the results and errors are those of the typed
     * call. The socket's round trip (17-27 us measured) dwarfs what a typed call saves over a
     * generic one in process (~0.15 us: 78 ns against 225 ns, docs/benchmarks.md), so typed
     * ops in the protocol would gain nothing measurable; a batch is one round trip per row.
     */

    /** The frame's IxValues at {@code base} (one call's parameters), as the objects a generic call takes. */
    private Object[] arguments(ByteBuffer v, int base, Frame f) {
        int n = (int) (code & 0xf);
        Object[] args = new Object[n];
        for (int k = 0; k < n; k++) {
            int at = base + k * VALUE;
            switch ((int) (code >> (8 + 4 * k)) & 0xf) {
                case 1: args[k] = v.getLong(at); break;
                case 2: args[k] = v.getDouble(at); break;
                case 3: args[k] = v.getLong(at) != 0; break;
                default: { // 4 s, 5 y: (address, length) in the frame's data
                    int offset = (int) (v.getLong(at) - f.dataAddress);
                    byte[] bytes = new byte[(int) v.getLong(at + 8)];
                    f.data.get(offset, bytes);
                    args[k] = ((code >> (8 + 4 * k)) & 0xf) == 4 ? new String(bytes, StandardCharsets.UTF_8) : bytes;
                }
            }
        }
        return args;
    }

    /** A primitive result into the IxValue at {@code at}, as the typed call leaves it. */
    private void store(ByteBuffer v, int at, Object result) {
        switch ((int) (code >> 4) & 0xf) {
            case 1: v.putLong(at, (Long) result); break;
            case 2: v.putDouble(at, (Double) result); break;
            case 3: v.putLong(at, (Boolean) result ? 1 : 0); break;
            default: break; // s and y results are returned, not stored
        }
    }

    private Object runInWorker(Frame f, boolean objectResult) {
        Object result = handle.call(arguments(f.values, 0, f));
        if (objectResult) return result;
        store(f.values, 0, result);
        return null;
    }

    private int batchInWorker(Frame f, int n, int start, int total) {
        for (int i = 0; i < n; i++) {
            try {
                store(f.rows, i * VALUE, handle.call(arguments(f.rows, i * VALUE, f)));
            } catch (NativeError e) {
                f.batchError = new BatchCallException(start + i, total, e);
                return i;
            }
        }
        return n;
    }

    /**
     * A thread's IxValues and reply area, reused by every typed call the thread makes (a
     * typed call runs no Java code between filling them and reading the result, so one
     * per thread is enough). Direct buffers the JVM allocated, their addresses worked out
     * once.
     */
    private static final class Frame {
        private static final ThreadLocal<Frame> PER_THREAD = ThreadLocal.withInitial(Frame::new);

        final ByteBuffer values = direct(MAX_PARAMETERS * VALUE);
        final long valuesAddress = NativeBridge.address(values);
        /** Room for batch rows, grown on demand up to BATCH_ROWS. */
        ByteBuffer rows = values;
        long rowsAddress = valuesAddress;
        /** Bytes of str and bytes arguments. */
        ByteBuffer data = direct(256);
        long dataAddress = NativeBridge.address(data);
        final Wire reply = new Wire(256);
        /** This thread's interrupt slot (ABI.md 12.83), kept here to spare a second thread-local lookup per call. */
        final InterruptWatcher.Slot interrupts = InterruptWatcher.slot();
        /** This thread's close-gate mark (a thread makes one typed call at a time). */
        final CallSlot slot = CallSlot.register();
        BatchCallException batchError;

        static Frame get() {
            return PER_THREAD.get();
        }

        private static ByteBuffer direct(int size) {
            return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
        }

        ByteBuffer rows(int n) {
            if (rows.capacity() < n * VALUE) {
                rows = direct(Math.max(n, 64) * VALUE);
                rowsAddress = NativeBridge.address(rows);
            }
            return rows;
        }

        /** Room for `total` bytes of str and bytes arguments, before any is put. */
        void reserveData(int total) {
            if (data.capacity() < total) {
                data = direct(Math.max(2 * data.capacity(), total));
                dataAddress = NativeBridge.address(data);
            }
        }

        /** Parameter i's bytes at data[used..] (reserved): its IxValue gets their address and length. */
        int data(int i, byte[] bytes, int used) {
            data.put(used, bytes);
            values.putLong(i * VALUE, dataAddress + used).putLong(i * VALUE + 8, bytes.length);
            return used + bytes.length;
        }
    }
}
