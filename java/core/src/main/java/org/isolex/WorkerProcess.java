package org.isolex;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

import org.isolex.internal.NativeBridge;
import org.isolex.internal.Wire;

/**
 * The parent side of one {@code ixworker} process serving one interpreter (issue 14;
 * native/worker/README.md has the protocol byte by byte, and "A parent, step by step" is what
 * this class does). The value API crosses as the same bytes it takes in process: a request
 * is a 36-byte header and the {@link Wire}'s bytes, the reply a 20-byte header and the bytes
 * the in-process {@code ixh_*} call would have left in the Wire, so {@link Interpreter#finish}
 * decodes both the same way.
 *
 * <p><b>Locking.</b> {@link #lock} guards the socket, the header buffers and {@link #deadlineKill}:
 * one request at a time (the worker serves one at a time anyway). {@link #crash} is written
 * once, under {@link #lock} or by the close, and read without it.
 *
 * <p><b>Deadlines.</b> A call with a deadline ({@link Deadline#effectiveNanos}) arms a kill on
 * {@link #KILLER}; the reply disarms it. Whichever of the two moves {@link #inCall} first wins:
 * the timer SIGKILLs the worker, the call then sees end of file and throws
 * {@link CallTimeoutException}.
 *
 * <p><b>Interrupts.</b> A {@code SocketChannel} is closed by an interrupt of a thread blocked
 * in it, and by any I/O on a thread whose interrupt status is set. A stale interrupt status is
 * cleared around the I/O and set again after; an interrupt during a call closes the socket:
 * the worker is killed and the call throws {@link InterpreterCrashedException} (ABI.md 13.13).
 */
final class WorkerProcess {
    // native/worker/protocol.h (protocol 1)
    static final int PROTOCOL_VERSION = 1;
    static final int OP_LIVE_BYTES = 1, OP_MIN_MEMORY_LIMIT = 5, OP_DEBUG_VIOLATIONS = 6, OP_INTERP_NEW = 16,
            OP_INTERP_CLOSE = 17, OP_INTERP_LIVE_BYTES = 18, OP_INTERP_LIVE_BLOCKS = 19, OP_INTERP_COLLECT = 21,
            OP_INTERP_HANDLE_COUNT = 22, OP_INTERP_UNRAISABLE = 25, OP_IMPORT = 32, OP_CALL = 33,
            OP_GETATTR = 34, OP_SETATTR = 35, OP_DESCRIBE = 36, OP_EXPAND = 37, OP_MODULE_DEFINITION = 38,
            OP_PROTOCOL = 39, OP_DELATTR = 40, OP_DIR = 41, OP_RELEASE = 42, OP_TYPED_SIGNATURE = 43;
    private static final int REQUEST_HEADER = 36, REPLY_HEADER = 20;
    private static final int STATUS_OK = 0, STATUS_ERROR = 1;
    /** How long a worker may take to connect back after it was started (the C client's 10 s). */
    private static final long CONNECT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** How long a worker may take to exit once its socket is closed (its interpreters close first). */
    private static final long EXIT_MILLIS = 10_000;
    /** How long the output pumps may take to copy what a dead worker left in its pipes. */
    private static final long PUMP_MILLIS = 2_000;
    /** Room for the leak report of INTERP_CLOSE (InterpreterState's). */
    static final int CLOSE_REPORT_CAPACITY = 64 * 1024;
    private static final int VIOLATIONS_CAPACITY = 256 * 1024;

    /** Arms the deadline kills; one daemon thread for every worker of the JVM. */
    private static final ScheduledThreadPoolExecutor KILLER = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "isolex-worker-deadlines");
        t.setDaemon(true);
        return t;
    });
    static {
        KILLER.setRemoveOnCancelPolicy(true);
    }
    /** Workers alive now: Host.debugViolations() asks each. */
    private static final Set<WorkerProcess> LIVE = ConcurrentHashMap.newKeySet();
    /** Debug-mode violations of workers that closed, not taken yet. */
    private static final ConcurrentLinkedQueue<String> VIOLATIONS_OF_CLOSED = new ConcurrentLinkedQueue<>();
    /** Native bytes workers still held after their interpreter closed (should stay 0: NativeTestBase checks). */
    private static final AtomicLong BYTES_LEFT_AT_CLOSE = new AtomicLong();

    final long pid;
    /** The worker's id of its interpreter (INTERP_NEW's answer); 0 until made. */
    long interpId;
    private final Process process;
    private final SocketChannel channel;
    private final Path dir;
    private final Path report;
    private final Path ixworker;
    private final Thread stdoutPump, stderrPump;
    private final long callTimeoutNanos;
    final boolean debug;

    private final ReentrantLock lock = new ReentrantLock();
    private final ByteBuffer head = ByteBuffer.allocateDirect(REQUEST_HEADER).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer replyHead = ByteBuffer.allocateDirect(REPLY_HEADER).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer[] frame = {head, null};
    private final ByteBuffer lenPrefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    /** The integer result of the last reply (guarded by lock). */
    private long replyValue;
    /** Sequence number of the call in flight, 0 between calls, -1 once the deadline timer killed it. */
    private final AtomicLong inCall = new AtomicLong();
    private long sequence;
    private ScheduledFuture<?> deadlineKill;
    private volatile InterpreterCrashedException crash;
    private volatile boolean finished;

    private WorkerProcess(Process process, SocketChannel channel, Path dir, Path report, Path ixworker, long pid,
                          long callTimeoutNanos, boolean debug, Thread out, Thread err) {
        this.process = process;
        this.channel = channel;
        this.dir = dir;
        this.report = report;
        this.ixworker = ixworker;
        this.pid = pid;
        this.callTimeoutNanos = callTimeoutNanos;
        this.debug = debug;
        this.stdoutPump = out;
        this.stderrPump = err;
    }

    // ------------------------------------------------------------------ finding ixworker

    /**
     * The ixworker to start: the system property {@code isolex.worker}, else
     * {@code $ISOLEX_WORKER}, else {@code bin/ixworker} beside the {@code lib/} the JVM's
     * libisolex was loaded from (an SDK, a build tree), else {@code $ISOLEX_SDK/bin/ixworker},
     * else the first {@code ixworker} on the PATH.
     */
    static Path locate() {
        List<String> tried = new ArrayList<>();
        String property = System.getProperty("isolex.worker");
        if (property != null && !property.isEmpty()) {
            Path p = Path.of(property);
            if (Files.isExecutable(p)) return p;
            throw new IsolexException("cannot start a worker process: the system property isolex.worker names " + p
                    + ", which is not an executable file");
        }
        String env = System.getenv("ISOLEX_WORKER");
        if (env != null && !env.isEmpty()) {
            Path p = Path.of(env);
            if (Files.isExecutable(p)) return p;
            tried.add(p + " ($ISOLEX_WORKER)");
        }
        for (Path lib : loadedLibisolex()) {
            Path p = lib.getParent().resolveSibling("bin").resolve("ixworker");
            if (Files.isExecutable(p)) return p;
            tried.add(p.toString());
        }
        String sdk = System.getenv("ISOLEX_SDK");
        if (sdk != null && !sdk.isEmpty()) {
            Path p = Path.of(sdk, "bin", "ixworker");
            if (Files.isExecutable(p)) return p;
            tried.add(p.toString());
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (d.isEmpty()) continue;
                Path p = Path.of(d, "ixworker");
                if (Files.isExecutable(p)) return p;
            }
            tried.add("ixworker on the PATH");
        }
        throw new IsolexException("cannot start a worker process: ixworker was not found (tried "
                + String.join(", ", tried) + "); set the system property isolex.worker to its path"
                + " (an isolex SDK has it in bin/)");
    }

    /** The files libisolex was mapped from, read from /proc/self/maps. */
    private static List<Path> loadedLibisolex() {
        List<Path> out = new ArrayList<>();
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            lines.map(l -> l.indexOf('/') < 0 ? "" : l.substring(l.indexOf('/')))
                    .filter(f -> f.contains("/libisolex.so")).distinct()
                    .forEach(f -> out.add(Path.of(f)));
        } catch (IOException | RuntimeException e) {
            // not Linux, or no /proc: the other places are still tried
        }
        return out;
    }

    // ------------------------------------------------------------------ start

    /**
     * Starts a worker and makes its interpreter (README.md, "Start"): a private 0700
     * directory, a listening socket in it, {@code ixworker --connect}, an accept bounded by
     * {@link #CONNECT_NANOS} that notices a worker dying first, the socket file removed, the
     * hello checked, then INTERP_NEW.
     *
     * @return the worker, its interpreter made ({@link #interpId} 0 when ixh_interp_new said
     *         no: the caller asks {@link #minMemoryLimit} why, then {@link #destroy}s it)
     */
    static WorkerProcess start(String modulePath, long memoryLimit, boolean legacyPrivateCopies, boolean debug,
                               long callTimeoutNanos) {
        Path exe = locate();
        Path dir = null;
        Process process = null;
        SocketChannel channel = null;
        try {
            dir = Files.createTempDirectory("isolex-worker-"); // rwx------ on POSIX
            Path socket = dir.resolve("s");
            Path report = dir.resolve("crash-report");
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                 Selector selector = Selector.open()) {
                server.bind(UnixDomainSocketAddress.of(socket), 1);
                process = new ProcessBuilder(exe.toString(), "--connect", socket.toString(), "--crash-report",
                        report.toString()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
                process.getOutputStream().close();
                server.configureBlocking(false);
                server.register(selector, SelectionKey.OP_ACCEPT);
                long until = System.nanoTime() + CONNECT_NANOS;
                while ((channel = server.accept()) == null) {
                    if (Thread.currentThread().isInterrupted()) throw new InterruptedException(); // select would spin
                    if (!process.isAlive()) {
                        throw new IsolexException("cannot start a worker process: " + exe + " exited with status "
                                + process.waitFor() + " before it connected (its standard error says why)");
                    }
                    if (System.nanoTime() - until > 0) {
                        throw new IsolexException("cannot start a worker process: " + exe + " did not connect within "
                                + TimeUnit.NANOSECONDS.toSeconds(CONNECT_NANOS) + " s");
                    }
                    selector.select(50);
                }
            } finally {
                Files.deleteIfExists(socket);
            }
            channel.configureBlocking(true);
            Thread out = pump(process.getInputStream(), System.out, "stdout", process.pid());
            Thread err = pump(process.getErrorStream(), System.err, "stderr", process.pid());
            WorkerProcess w = new WorkerProcess(process, channel, dir, report, exe, process.pid(), callTimeoutNanos,
                    debug, out, err);
            w.hello();
            LIVE.add(w);
            w.interpNew(modulePath, memoryLimit, legacyPrivateCopies, debug);
            return w;
        } catch (IOException e) {
            abandon(process, channel, dir);
            throw new IsolexException("cannot start a worker process (" + exe + "): " + e, e);
        } catch (InterruptedException e) {
            abandon(process, channel, dir);
            Thread.currentThread().interrupt();
            throw new IsolexException("interrupted while starting a worker process", e);
        } catch (RuntimeException | Error e) {
            abandon(process, channel, dir);
            throw e;
        }
    }

    /** Undoes a start that failed half-way. */
    private static void abandon(Process process, SocketChannel channel, Path dir) {
        closeQuietly(channel);
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(EXIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            closeStreams(process);
        }
        deleteTree(dir);
    }

    /**
     * Copies one of the worker's output streams to the JVM's {@code System.out} or
     * {@code System.err}, so the worker never blocks on a full pipe; ends at end of file
     * (the worker exited). A daemon thread per stream.
     */
    private static Thread pump(InputStream in, PrintStream to, String which, long pid) {
        Thread t = new Thread(() -> {
            byte[] b = new byte[8192];
            try (InputStream s = in) {
                for (int n; (n = s.read(b)) > 0; ) {
                    to.write(b, 0, n);
                    to.flush();
                }
            } catch (IOException e) {
                // the pipe closed under us: the worker is gone
            }
        }, "isolex-worker-" + pid + "-" + which);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Reads and checks the hello frame: the worker's pid, protocol 1, the same libisolex. */
    private void hello() throws IOException {
        try (Wire w = Wire.take()) {
            replyHead.clear();
            readFully(replyHead);
            int length = replyHead.getInt(0);
            int payload = length - (REPLY_HEADER - 4);
            if (replyHead.get(4) != STATUS_OK || payload < 0 || payload > 4096) {
                throw new IsolexException("cannot start a worker process: " + ixworker + " sent a malformed hello");
            }
            w.reserve(payload);
            w.buffer().limit(payload);
            readFully(w.buffer());
            w.flipForRead(payload);
            Object version = w.readValue(Wire.VALUES_ONLY);
            Object library = w.readValue(Wire.VALUES_ONLY);
            if (!Long.valueOf(PROTOCOL_VERSION).equals(version)) {
                throw new IsolexException("cannot start a worker process: " + ixworker + " speaks worker protocol "
                        + version + ", this isolex speaks " + PROTOCOL_VERSION);
            }
            if (!NativeBridge.version().equals(library)) {
                throw new IsolexException("cannot start a worker process: " + ixworker + " runs libisolex " + library
                        + ", this JVM loaded " + NativeBridge.version() + " (use the ixworker of the same build or SDK)");
            }
        }
    }

    private void interpNew(String modulePath, long memoryLimit, boolean legacy, boolean debugMode) {
        try (Wire w = Wire.take()) {
            if (modulePath == null) w.tag(Wire.NONE);
            else w.str(modulePath);
            w.int64(memoryLimit).int64(legacy ? 1 : 0).int64(debugMode ? 1 : 0);
            interpId = control(OP_INTERP_NEW, 0, 0, w);
        }
    }

    /** MIN_MEMORY_LIMIT: why INTERP_NEW said no (Host.cannotCreate). */
    long minMemoryLimit(boolean debugMode) {
        return control(OP_MIN_MEMORY_LIMIT, debugMode ? 1 : 0, 0, null);
    }

    // ------------------------------------------------------------------ requests

    /** NativeBridge.Op to the worker op that runs the same ixh_* function. */
    static int opCode(NativeBridge.Op op) {
        switch (op) {
            case CALL: return OP_CALL;
            case GETATTR: return OP_GETATTR;
            case SETATTR: return OP_SETATTR;
            case DESCRIBE: return OP_DESCRIBE;
            case EXPAND: return OP_EXPAND;
            case DEFINITION: return OP_MODULE_DEFINITION;
            case PROTOCOL: return OP_PROTOCOL;
            case DELATTR: return OP_DELATTR;
            case DIR: return OP_DIR;
            case TYPED_SIGNATURE: return OP_TYPED_SIGNATURE;
            default: throw new AssertionError(op);
        }
    }

    /** A value API op on {@code w}'s request: the status, the reply in {@code w} from byte 0. */
    int op(NativeBridge.Op op, long target, Wire w) {
        return valueOp(opCode(op), target, w);
    }

    /** IMPORT: {@code w} holds the module name. */
    int importModule(Wire w) {
        return valueOp(OP_IMPORT, 0, w);
    }

    private int valueOp(int op, long target, Wire w) {
        ByteBuffer b = w.buffer();
        b.flip();
        int status = request(op, target, w.capacity(), b, w);
        return status;
    }

    /** An op whose answer is the reply's integer; an IXWK_ERROR reply throws its exception. */
    long control(int op, long target, long cap, Wire payload) {
        ByteBuffer b = payload == null ? null : payload.buffer().flip();
        try (Wire reply = Wire.take()) {
            int status = request(op, target, cap, b, reply);
            if (status != STATUS_OK) throw workerError(reply);
            return replyValue;
        }
    }

    /** RELEASE of a handle; nothing once the worker is gone (its handles went with it). */
    void release(long handle) {
        if (crash != null || finished) return;
        try {
            control(OP_RELEASE, handle, 0, null);
        } catch (InterpreterCrashedException | CallTimeoutException | ClosedException e) {
            // a release has no caller to tell: the next use of the interpreter says it
        }
    }

    /**
     * An op with a len-reply (README.md: {@code i64 len} then the bytes, when value >= 0):
     * the value; the bytes land in {@code w} from byte 0, its limit at their end; with a
     * negative value (too small) the len is the room needed, left in {@link #lastLength}.
     */
    long lengthOp(int op, long cap, Wire w) {
        int status = request(op, 0, cap, null, w, true);
        if (status != STATUS_OK) throw workerError(w);
        return replyValue;
    }

    /** The len of the last {@link #lengthOp} (guarded by lock; read by the same thread right after). */
    private long lastLength;

    long lastLength() {
        return lastLength;
    }

    private RuntimeException workerError(Wire reply) {
        reply.flipForRead();
        if (reply.buffer().limit() == 0 || reply.peekTag() != Wire.EXCEPTION) {
            return new IsolexException("worker process " + pid + " refused a request");
        }
        return reply.readException(Wire.VALUES_ONLY);
    }

    private int request(int op, long target, long cap, ByteBuffer payload, Wire reply) {
        return request(op, target, cap, payload, reply, false);
    }

    /**
     * One request and its reply, under {@link #lock}, bounded by the effective deadline of
     * this thread's call. The reply's payload is read into {@code reply} from byte 0 (for a
     * len-reply, the bytes after the len). A dead worker throws {@link InterpreterCrashedException},
     * one killed for the deadline {@link CallTimeoutException}.
     */
    private int request(int op, long target, long cap, ByteBuffer payload, Wire reply, boolean lengthReply) {
        long deadline = Deadline.effectiveNanos(callTimeoutNanos);
        boolean interrupted = Thread.interrupted(); // a stale interrupt would close the channel at once
        try {
            acquire(deadline);
        } catch (RuntimeException e) {
            if (interrupted) Thread.currentThread().interrupt();
            throw e;
        }
        long seq = 0;
        try {
            if (crash != null) throw crash.again();
            if (finished) throw new ClosedException("interpreter " + interpId + " is closed");
            seq = arm(deadline);
            send(op, target, cap, payload);
            int status = receive(reply, lengthReply);
            if (!disarm(seq)) throw died(null);
            return status;
        } catch (IOException e) {
            disarm(seq);
            throw died(e);
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
            lock.unlock();
        }
    }

    /** Takes the lock, waiting at most until the deadline (another thread's call holds it). */
    private void acquire(long deadline) {
        if (deadline == Long.MAX_VALUE) {
            lock.lock();
            return;
        }
        try {
            if (lock.tryLock(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IsolexException("interrupted while waiting for interpreter " + interpId + "'s worker process", e);
        }
        throw new CallTimeoutException(interpId, "call in interpreter " + interpId + " passed its deadline while it"
                + " waited for another call in the same worker process (pid " + pid + ") to end; nothing was run");
    }

    /** Arms the deadline kill for the call about to be sent; its sequence number. */
    private long arm(long deadline) {
        long seq = ++sequence;
        inCall.set(seq);
        if (deadline != Long.MAX_VALUE) {
            long delay = deadline - System.nanoTime();
            if (delay <= 0) {
                inCall.set(0);
                throw new CallTimeoutException(interpId, "call in interpreter " + interpId
                        + " passed its deadline before it began; nothing was run");
            }
            deadlineKill = KILLER.schedule(() -> {
                if (inCall.compareAndSet(seq, -1)) process.destroyForcibly(); // SIGKILL
            }, delay, TimeUnit.NANOSECONDS);
        }
        return seq;
    }

    /** Disarms it; false when the timer won (the worker is being killed). */
    private boolean disarm(long seq) {
        if (deadlineKill != null) {
            deadlineKill.cancel(false);
            deadlineKill = null;
        }
        return seq == 0 || inCall.compareAndSet(seq, 0);
    }

    private void send(int op, long target, long cap, ByteBuffer payload) throws IOException {
        int length = payload == null ? 0 : payload.remaining();
        head.clear();
        head.putInt(REQUEST_HEADER - 4 + length).put((byte) op).put((byte) 0).putShort((short) 0)
                .putInt((int) sequence).putLong(interpId).putLong(target).putLong(cap).flip();
        if (payload == null) {
            while (head.hasRemaining()) channel.write(head);
            return;
        }
        frame[1] = payload;
        try {
            while (payload.hasRemaining() || head.hasRemaining()) channel.write(frame);
        } finally {
            frame[1] = null;
        }
    }

    private int receive(Wire reply, boolean lengthReply) throws IOException {
        replyHead.clear();
        readFully(replyHead);
        int length = replyHead.getInt(0);
        int status = replyHead.get(4);
        replyValue = replyHead.getLong(12);
        long payload = Integer.toUnsignedLong(length) - (REPLY_HEADER - 4);
        if (payload < 0 || payload > Integer.MAX_VALUE - 8) {
            throw new IOException("malformed reply (length " + Integer.toUnsignedLong(length) + ")");
        }
        if (lengthReply && payload >= 8 && status == STATUS_OK) {
            lenPrefix.clear();
            readFully(lenPrefix);
            lastLength = lenPrefix.getLong(0);
            payload -= 8;
        }
        if (reply.capacity() < payload) reply.reserve(payload);
        ByteBuffer b = reply.buffer();
        b.clear().limit((int) payload);
        readFully(b);
        b.flip();
        return status;
    }

    private void readFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) throw new IOException("end of file: the worker process hung up");
        }
    }

    // ------------------------------------------------------------------ death

    /**
     * The worker died during a request (or was killed for its deadline): reaps it, reads its
     * crash report, and returns the exception the call throws. Every later request throws
     * {@link InterpreterCrashedException} with the same content.
     */
    private RuntimeException died(IOException cause) {
        boolean forDeadline = inCall.get() == -1;
        boolean forInterrupt = cause instanceof ClosedByInterruptException;
        closeQuietly(channel);
        if (forInterrupt) process.destroyForcibly();
        int status = reap();
        String text = symbolizedReport();
        boolean reported = !text.isEmpty();
        int signal = 0, exit = status;
        if (forDeadline || forInterrupt) {
            signal = 9;
            exit = -1;
        } else if (status > 128 && (reported || status == 128 + 9 || status == 128 + 15)) {
            signal = status - 128; // Java's convention for WIFSIGNALED; a worker's own statuses are <= 123
            exit = -1;
        }
        String how = signal != 0 ? "was killed by signal " + signal + " (" + InterpreterCrashedException.signalName(signal)
                + ")" : "exited with status " + exit;
        String why = forDeadline ? " by the host: a call passed its deadline"
                : forInterrupt ? " by the host: the calling thread was interrupted during a call"
                : signal == 9 ? " from outside the host (the kernel's OOM killer sends SIGKILL)" : "";
        String message = "interpreter " + interpId + " crashed: its worker process (pid " + pid + ") " + how + why
                + (reported ? "\n" + text : "");
        crash = new InterpreterCrashedException(message, interpId, pid, signal, exit, forDeadline, text);
        finish();
        if (forDeadline) {
            return new CallTimeoutException(interpId, "call in interpreter " + interpId
                    + " passed its deadline; its worker process (pid " + pid + ") was killed");
        }
        return crash;
    }

    /** Waits for the worker's exit status (killing it if it lingers); 128 + signal for a signal. */
    private int reap() {
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try {
                    if (!process.waitFor(EXIT_MILLIS, TimeUnit.MILLISECONDS)) {
                        process.destroyForcibly();
                        process.waitFor();
                    }
                    return process.exitValue();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** The crash report, through {@code ixworker --symbolize}; empty when there is none. */
    private String symbolizedReport() {
        if (!Files.exists(report)) return "";
        try {
            Process s = new ProcessBuilder(ixworker.toString(), "--symbolize", report.toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            s.getOutputStream().close();
            byte[] out;
            try (InputStream in = s.getInputStream()) {
                out = in.readAllBytes();
            }
            if (s.waitFor(EXIT_MILLIS, TimeUnit.MILLISECONDS) && s.exitValue() == 0 && out.length > 0) {
                return new String(out, StandardCharsets.UTF_8).strip();
            }
            s.destroyForcibly();
        } catch (IOException e) {
            // fall back on the report as the worker wrote it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            return Files.readString(report, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** {@return the crash, or null while the worker lives} */
    InterpreterCrashedException crash() {
        return crash;
    }

    // ------------------------------------------------------------------ close

    /**
     * Closes the interpreter (INTERP_CLOSE, its leak report into {@code w}), drains the
     * worker's debug violations, checks that no native byte is left in it, and ends the
     * worker (closes the socket: it exits 0). A crashed worker has nothing to close: 0.
     *
     * @return 0 clean, 1 leaked (the report in {@code w}, its limit at the end)
     */
    int closeInterpreter(Wire w) {
        if (crash != null) {
            w.flipForRead(0);
            finish();
            return 0;
        }
        try {
            w.reserve(CLOSE_REPORT_CAPACITY);
            int rc = (int) lengthOp(OP_INTERP_CLOSE, w.capacity(), w);
            // the requests below take Wires of their own: the report stays in w
            long left = control(OP_LIVE_BYTES, 0, 0, null);
            if (left != 0) BYTES_LEFT_AT_CLOSE.addAndGet(left);
            if (debug) VIOLATIONS_OF_CLOSED.addAll(takeViolations());
            return rc;
        } catch (InterpreterCrashedException | CallTimeoutException e) {
            w.flipForRead(0); // it died while closing: nothing left to free
            return 0;
        } finally {
            finish();
        }
    }

    /** Ends the worker: socket closed (it closes what is left and exits), reaped, pumps joined, directory deleted. */
    private void finish() {
        if (finished) return;
        finished = true;
        LIVE.remove(this);
        closeQuietly(channel);
        reap();
        joinQuietly(stdoutPump); // they end at the end of the worker's output
        joinQuietly(stderrPump);
        closeStreams(process);
        deleteTree(dir);
    }

    /** Kills a worker whose interpreter could not be made (start's caller), and cleans up. */
    void destroy() {
        process.destroyForcibly();
        finish();
    }

    /** The debug-mode violations of this worker since the last take (DEBUG_VIOLATIONS). */
    private List<String> takeViolations() {
        try (Wire w = Wire.take()) {
            w.reserve(VIOLATIONS_CAPACITY);
            long count = lengthOp(OP_DEBUG_VIOLATIONS, w.capacity(), w);
            if (count <= 0) return List.of();
            String text = StandardCharsets.UTF_8.decode(w.buffer()).toString();
            List<String> lines = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (!line.isEmpty()) lines.add(line);
            }
            return lines;
        }
    }

    /**
     * The debug-mode violations of every worker since the last call: those of workers that
     * closed, then those of the live ones that are idle now (a worker busy in a call is
     * asked next time). Host.debugViolations() adds them to the JVM's own.
     */
    static List<String> takeAllViolations() {
        List<String> out = new ArrayList<>();
        for (String s; (s = VIOLATIONS_OF_CLOSED.poll()) != null; ) out.add(s);
        for (WorkerProcess w : LIVE) {
            if (!w.debug || w.crash != null || !w.lock.tryLock()) continue;
            try {
                if (!w.finished) out.addAll(w.takeViolations());
            } catch (RuntimeException e) {
                // died meanwhile: its crash is reported to its interpreter's next user
            } finally {
                w.lock.unlock();
            }
        }
        return out;
    }

    /** Native bytes workers held after closing their interpreter, since the JVM started (0 when all is well). */
    static long bytesLeftAtClose() {
        return BYTES_LEFT_AT_CLOSE.get();
    }

    // ------------------------------------------------------------------ helpers

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception e) {
            // closing what is already broken
        }
    }

    private static void closeStreams(Process p) {
        closeQuietly(p.getInputStream());
        closeQuietly(p.getErrorStream());
        closeQuietly(p.getOutputStream());
    }

    private static void joinQuietly(Thread t) {
        boolean interrupted = Thread.interrupted();
        try {
            t.join(PUMP_MILLIS);
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // left behind in the temporary directory
                }
            });
        } catch (IOException e) {
            // already gone
        }
    }
}
