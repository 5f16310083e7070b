package org.isolex.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.isolex.Handle;
import org.isolex.Host;
import org.isolex.Interpreter;
import org.isolex.ExtensionModule;
import org.isolex.TypedFunction;
import org.isolex.internal.NativeBridge;
import org.isolex.internal.Wire;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Java to a trivial native function against a raw JavaCPP JNI call to an equivalent C
 * function (the call budgets of docs/design.md are ratios to it), and the layers in between.
 *
 * <p>The pair the budget compares:
 * <ul>
 * <li>{@link #jniAdd1}: {@code RawJni.ix_bench_add1(x)}, a JavaCPP static native taking and
 *     returning a long; the C function ({@code x + 1}) is inlined into the JNI entry point.
 *     It measures one JNI transition, nothing else.</li>
 * <li>{@link #isolexEcho}: {@code probe.invoke("echo", x)} on an {@link ExtensionModule}: test-ext/probe's
 *     {@code echo(x) -> x}, the extension function that does the least (it returns a new
 *     reference to its argument). It measures everything a Java call into an extension is:
 *     the varargs array, the interpreter's close gate (an in-flight counter), encoding the method name
 *     and the argument into the thread's wire buffer, one JNI transition, the interpreter's
 *     native lock and context, decoding the request (the name read in place, the int made
 *     from the small-int cache), method lookup on the module, the call, encoding the result,
 *     and decoding it into a {@code Long}.</li>
 * </ul>
 * The layers between them, each its own benchmark so the difference says where the time goes:
 * {@link #jniBufferAdd1} (JNI with a direct ByteBuffer and a 9-byte decode/encode, no
 * isolex), {@link #jniPointerArg} (a JavaCPP call into libisolex with an {@code IxInterp*}
 * argument and no lock), {@link #javaWireOnly} (the Java encoding and decoding, no native
 * call), {@link #javaGate} (the interpreter's Java close gate alone: two atomic updates), {@link #bridgeEcho}
 * (the JNI call {@code ixh_call} on a pre-encoded request: JNI plus the whole native value
 * API, no Java encoding), {@link #isolexCallResolved} (the function looked up once, as a
 * {@link Handle}, then {@code echo.call(x)}: no name to encode, no lookup per call) and
 * {@link #isolexEchoDebug} (the same call as isolexEcho in debug mode). The C
 * driver times the native layers without JNI ({@code ixdriver bench call}).
 *
 * <p>ABI 1.3's paths (abi/ABI.md 12.70-12.71), on test-ext/typed's {@code add1}, the
 * baseline's own {@code x + 1} as a typed function: {@link #isolexTyped} (a resolved
 * {@link TypedFunction}, {@code callLong}), {@link #isolexTypedByName} (the same function
 * called by name, {@code invoke("add1", x)}: the generic path, objects converted by the
 * host) and {@link #isolexTypedBatch} ({@value #BATCH} calls per crossing, scored per call).
 *
 * <p>The path to libisolex (docs/design.md "JNI on 17, FFM on 22+"): the {@code isolex*} and
 * {@code bridge*} benchmarks take this JVM's ({@code NativeBridge.path()}: FFM downcalls on JDK
 * 22+, JNI before; {@code -Disolex.bridge=jni} forces JNI), the {@code jni*} ones JNI always.
 * So on JDK 22+ {@link #bridgePointerArg} is a raw FFM call beside {@link #jniPointerArg}'s raw
 * JNI call of the same C function, and {@link #bridgeTyped} an FFM typed call beside
 * {@link #jniBridgeTyped}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class CallBench {
    /** Not a constant: the JIT must pass a real value every call. */
    public long x = 1;

    /** A release-mode interpreter with probe imported, through the public API. */
    @State(Scope.Thread)
    public static class Isolex {
        Host host;
        Interpreter interp;
        ExtensionModule probe;
        /** probe.echo itself, resolved once: calling it sends no name and skips the lookup. */
        Handle echo;

        boolean debug() {
            return false;
        }

        @Setup(Level.Trial)
        public void open() {
            host = BenchEnv.hostBuilder().build();
            interp = host.newInterpreter(debug());
            probe = interp.importModule("probe");
            if (!Long.valueOf(1).equals(probe.invoke("echo", 1L))) throw new IllegalStateException("echo");
            echo = (Handle) probe.getAttr("echo");
        }

        @TearDown(Level.Trial)
        public void close() {
            host.close();
        }
    }

    /**
     * ABI 1.3: test-ext/typed's {@code add1(x: l) -> l} ({@code x + 1}, the raw JNI
     * baseline's own function) as a {@link TypedFunction}, and arrays for its batches.
     */
    @State(Scope.Thread)
    public static class Typed {
        Host host;
        Interpreter interp;
        ExtensionModule typed;
        TypedFunction add1;
        final long[] args = new long[BATCH], results = new long[BATCH];

        @Setup(Level.Trial)
        public void open() {
            host = BenchEnv.hostBuilder().build();
            interp = host.newInterpreter();
            typed = interp.importModule("typed");
            add1 = typed.typedFunction("add1", "l:l");
            if (add1.callLong(1) != 2) throw new IllegalStateException("add1");
            for (int i = 0; i < BATCH; i++) args[i] = i;
        }

        @TearDown(Level.Trial)
        public void close() {
            host.close();
        }
    }

    /** Calls per batch in {@link #isolexTypedBatch}. */
    public static final int BATCH = 1000;

    /** The same in debug mode (abi/ABI.md 10). */
    @State(Scope.Thread)
    public static class IsolexDebug extends Isolex {
        @Override
        boolean debug() {
            return true;
        }
    }

    /**
     * An interpreter opened through the JNI bridge directly ({@link NativeBridge}, the layer
     * under {@link Interpreter}), with a handle of probe and the request
     * {@code "echo", (1,)} encoded once.
     */
    @State(Scope.Thread)
    public static class Bridge {
        long raw;
        long probe;
        Wire w;
        ByteBuffer buf;
        byte[] request;
        /** ABI 1.3: typed.add1's handle, and one IxValue for its argument and result. */
        long add1;
        final ByteBuffer value = ByteBuffer.allocateDirect(NativeBridge.VALUE_SIZE).order(ByteOrder.nativeOrder());
        final long valueAddress = NativeBridge.address(value);

        @Setup(Level.Trial)
        public void open() {
            raw = NativeBridge.interpNew(new NativeBridge.Config(BenchEnv.modulePath(), 0, false, false));
            w = new Wire(4096).str("probe");
            buf = w.buffer();
            if (NativeBridge.importModule(raw, w) != NativeBridge.OK) {
                throw new IllegalStateException("import probe failed");
            }
            w.flipForRead();
            if (w.readTag() != Wire.HANDLE) throw new IllegalStateException("import probe: no handle");
            probe = w.readRawInt64();
            w.reset();
            w.str("echo").arguments(new Object[] {1L}, Wire.VALUES_ONLY);
            request = new byte[w.length()];
            buf.get(0, request);
            add1 = handle("typed", "add1");
        }

        /** ABI 1.3: a handle of module.name, through the bridge. */
        private long handle(String module, String name) {
            w.reset();
            w.str(module);
            if (NativeBridge.importModule(raw, w) != NativeBridge.OK) throw new IllegalStateException("import " + module);
            w.flipForRead();
            w.readTag();
            long m = w.readRawInt64();
            w.reset();
            w.str(name);
            if (NativeBridge.op(NativeBridge.Op.GETATTR, raw, m, w) != NativeBridge.OK) throw new IllegalStateException(name);
            w.flipForRead();
            w.readTag();
            long h = w.readRawInt64();
            NativeBridge.release(raw, m);
            w.reset();
            return h;
        }

        @TearDown(Level.Trial)
        public void close() {
            NativeBridge.release(raw, add1);
            NativeBridge.release(raw, probe);
            w.reset();
            NativeBridge.interpClose(raw, w);
        }
    }

    /** A little-endian direct buffer for the raw JNI baseline with a buffer. */
    @State(Scope.Thread)
    public static class RawBuffer {
        final ByteBuffer buf = ByteBuffer.allocateDirect(64).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The gate every Interpreter operation passes: a closing flag and an in-flight counter. */
    @State(Scope.Thread)
    public static class JavaGate {
        final AtomicInteger inFlight = new AtomicInteger();
        volatile boolean closing;
    }

    // ------------------------------------------------------------------ the pair

    @Benchmark
    public long jniAdd1() {
        return RawJni.ix_bench_add1(x);
    }

    @Benchmark
    public Object isolexEcho(Isolex s) {
        return s.probe.invoke("echo", x);
    }

    // ------------------------------------------------------------------ the layers

    @Benchmark
    public long jniBufferAdd1(RawBuffer r) {
        ByteBuffer b = r.buf;
        b.put(0, (byte) Wire.INT).putLong(1, x);
        if (RawJni.ix_bench_buffer_add1(b, 9, b.capacity()) != 0) throw new IllegalStateException();
        return b.getLong(1);
    }

    /** JNI into libisolex: {@code ixh_interp_id} (returns a field), through the JNI implementation always. */
    @Benchmark
    public long jniPointerArg(Bridge b) {
        return NativeBridge.jni().interpId(b.raw);
    }

    /**
     * The same function through the path this JVM takes ({@link NativeBridge#path()}): on JDK
     * 22+ a {@code java.lang.foreign} downcall (raw FFM, the ordinary thread-state transition),
     * on 17 JNI again.
     */
    @Benchmark
    public long bridgePointerArg(Bridge b) {
        return NativeBridge.active().interpId(b.raw);
    }

    @Benchmark
    public Object javaWireOnly() {
        try (Wire w = Wire.take()) {
            w.str("echo").arguments(new Object[] {x}, Wire.VALUES_ONLY);
            ByteBuffer b = w.buffer();
            b.put(0, (byte) Wire.INT).putLong(1, x); // a reply as the native side writes it
            w.flipForRead();
            return w.readValue(Wire.VALUES_ONLY);
        }
    }

    @Benchmark
    public boolean javaGate(JavaGate s) {
        if (s.closing) throw new IllegalStateException();
        s.inFlight.incrementAndGet();
        try {
            return s.closing;
        } finally {
            if (s.inFlight.decrementAndGet() == 0 && s.closing) throw new IllegalStateException();
        }
    }

    @Benchmark
    public long bridgeEcho(Bridge b) {
        b.buf.clear();
        b.buf.put(b.request); // the request, and the Wire's length
        int status = NativeBridge.op(NativeBridge.Op.CALL, b.raw, b.probe, b.w);
        if (status != NativeBridge.OK) throw new IllegalStateException("echo: status " + status);
        return b.buf.getLong(1);
    }

    @Benchmark
    public Object isolexCallResolved(Isolex s) {
        return s.echo.call(x);
    }

    @Benchmark
    public Object isolexEchoDebug(IsolexDebug s) {
        return s.probe.invoke("echo", x);
    }

    // ------------------------------------------------------------------ ABI 1.3: typed, by name, batched

    /**
     * {@code ixh_call_typed} of add1 on an IxValue the caller fills, through the path this JVM
     * takes (JNI on 17, FFM on 22+): the crossing plus the native typed path, without
     * TypedFunction's Java layer (the close gate, the frame).
     */
    @Benchmark
    public long bridgeTyped(Bridge b) {
        b.value.putLong(0, x);
        int status = NativeBridge.callTyped(b.raw, b.add1, 0x111 /* "l:l" */, b.valueAddress, b.w);
        if (status != NativeBridge.OK) throw new IllegalStateException("add1: status " + status);
        return b.value.getLong(0);
    }

    /** {@link #bridgeTyped} through the JNI implementation whichever path this JVM takes. */
    @Benchmark
    public long jniBridgeTyped(Bridge b) {
        b.value.putLong(0, x);
        int status = NativeBridge.jni().callTyped(b.raw, b.add1, 0x111 /* "l:l" */, b.valueAddress, b.w.address(),
                b.w.capacity());
        if (status != NativeBridge.OK) throw new IllegalStateException("add1: status " + status);
        return b.value.getLong(0);
    }

    /**
     * A typed call: {@code add1.callLong(x)} through a resolved {@link TypedFunction}, on the
     * path this JVM takes (JNI on 17, FFM on 22+; {@code -Disolex.bridge=jni} for JNI there).
     */
    @Benchmark
    public long isolexTyped(Typed s) {
        return s.add1.callLong(x);
    }

    /** The same typed function called by name through the generic path: {@code typed.invoke("add1", x)}. */
    @Benchmark
    public Object isolexTypedByName(Typed s) {
        return s.typed.invoke("add1", x);
    }

    /** {@value #BATCH} typed calls in one crossing ({@code add1.callEach}); the score is per call. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long isolexTypedBatch(Typed s) {
        s.add1.callEach(s.args, s.results);
        return s.results[BATCH - 1];
    }
}
