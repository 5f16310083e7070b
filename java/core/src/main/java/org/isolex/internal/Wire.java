package org.isolex.internal;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The wire format of isolex_host.h, in Java: a per-thread, reusable, direct, little-endian
 * buffer with an encoder for Java arguments and a decoder for native results.
 *
 * <pre>
 *   NONE FALSE TRUE        tag only
 *   INT                    int64
 *   FLOAT                  float64
 *   STR BYTES              uint32 length + bytes (UTF-8 for STR)
 *   TUPLE LIST             uint32 count + values
 *   DICT                   uint32 count + (key, value) pairs
 *   HANDLE                 int64 handle + STR type name
 *   EXCEPTION              STR type name, STR message, NONE or the cause (EXCEPTION)
 *   BUFFER QUEUE           int64 pointer of a host-level shared buffer or queue
 *   BIGINT                 uint32 length + two's complement bytes, least significant first
 * </pre>
 *
 * Java to wire: {@code null} NONE, {@link Boolean} TRUE/FALSE, {@link Long}/{@link Integer}/
 * {@link Short}/{@link Byte} INT, {@link BigInteger} INT when it fits a long and BIGINT
 * otherwise, {@link Double}/{@link Float} FLOAT, {@link String} STR,
 * {@code byte[]} BYTES, {@link List} LIST, {@code Object[]} TUPLE, {@link Map} DICT, and
 * whatever {@link Hooks#writeShared} (shared buffers, queues) and {@link Hooks#writeSpecial}
 * (handles) accept. Wire to Java: INT {@link Long}, BIGINT {@link Long} when it fits and
 * {@link BigInteger} otherwise (abi/ABI.md 12.5), FLOAT {@link Double}, STR {@link String},
 * BYTES {@code byte[]}, TUPLE and LIST an unmodifiable {@link List}, DICT an unmodifiable
 * {@link LinkedHashMap}, HANDLE, BUFFER, QUEUE and EXCEPTION whatever {@link Hooks} makes of
 * them.
 *
 * <p>{@link #shareable} is the encoder for what goes into a queue (abi/ABI.md 11): only
 * shareable values, and a {@link List} or {@code Object[]} becomes a TUPLE, the one container
 * that crosses.
 *
 * <p>A call {@linkplain #take takes} a Wire for its whole length (encoding, the native call,
 * decoding) and {@linkplain #close gives it back}. Each thread keeps one for reuse; a call
 * that starts while another on the same thread has one (Java code the encoder runs --
 * a {@code List.get}, a {@code Map}'s iterator -- calling into isolex again) gets a fresh
 * Wire of its own, so a nested call never writes into the buffer of the call around it.
 */
public final class Wire implements AutoCloseable {
    public static final int NONE = 0, FALSE = 1, TRUE = 2, INT = 3, FLOAT = 4, STR = 5, BYTES = 6,
            TUPLE = 7, LIST = 8, DICT = 9, HANDLE = 10, EXCEPTION = 11, BUFFER = 12, QUEUE = 13,
            BIGINT = 14;

    /** Initial size of a thread's buffer. */
    public static final int INITIAL_CAPACITY = 16 * 1024;
    /** A buffer grown past this is dropped back to the initial size after use. */
    static final int KEEP_CAPACITY = 1 << 20;
    /**
     * Levels of containers a value may have, the host's limit both ways (libisolex's
     * IX_WIRE_MAX_DEPTH; abi/ABI.md 12.2): a container inside 64 others is refused, here
     * before any native call, with {@link #TOO_DEEP}. It also stops a value that contains
     * itself.
     */
    public static final int MAX_DEPTH = 64;

    /** The message of the nesting limit, the same as libisolex's (after "argument N: " for an argument). */
    public static final String TOO_DEEP = "value nested deeper than " + MAX_DEPTH
            + " levels, the isolex host's limit (does it contain itself?)";

    private static final ThreadLocal<InUse> PER_THREAD = ThreadLocal.withInitial(InUse::new);

    /** A thread's Wires: the one it reuses, and the innermost one its calls hold now. */
    private static final class InUse {
        final Wire reused = new Wire(INITIAL_CAPACITY);
        /** Innermost taken Wire (each links to the one taken before it); null: none. */
        Wire innermost;
    }

    /** What the codec cannot do by itself: handles (both ways) and exceptions. */
    public interface Hooks {
        /**
         * Writes {@code value} if it is a type the caller knows (a handle) and returns true;
         * returns false to let the codec reject it. {@code argument} is the 1-based index of
         * the top-level argument it belongs to (0 when not an argument).
         */
        boolean writeSpecial(Wire wire, Object value, int argument);

        /** Makes the Java object for a HANDLE read from a result. */
        Object handle(long id, String typeName);

        /** Makes the Java exception for an EXCEPTION (cause already decoded, or null). */
        RuntimeException error(String typeName, String message, RuntimeException cause);

        /**
         * Writes {@code value} if it is a shared buffer or a queue (with {@link #shared}) and
         * returns true; the default knows none. The pointer written must stay valid until the
         * native call that reads it returns: the hook {@linkplain #lend lends} it.
         */
        default boolean writeShared(Wire wire, Object value) { return false; }

        /**
         * Makes the Java object for a BUFFER or QUEUE read from a native reply or a queue
         * item, which hands the reader one reference: the object made must own it. The
         * default refuses (and the reference is lost): for hooks that never read such replies.
         */
        default Object shared(int tag, long pointer) {
            throw new IllegalStateException("unexpected " + (tag == BUFFER ? "shared buffer" : "queue")
                    + " in a value");
        }
    }

    /** Hooks that know no handles: for values only (tests, leak reports). */
    public static final Hooks VALUES_ONLY = new Hooks() {
        @Override public boolean writeSpecial(Wire wire, Object value, int argument) { return false; }

        @Override public Object handle(long id, String typeName) {
            throw new IllegalStateException("unexpected handle " + id + " (" + typeName + ") in a value");
        }

        @Override public RuntimeException error(String typeName, String message, RuntimeException cause) {
            RuntimeException e = new RuntimeException(typeName + ": " + message);
            if (cause != null) e.initCause(cause);
            return e;
        }
    };

    private ByteBuffer buf;
    /** Address of buf's byte 0, worked out on first use ({@link #address()}); 0: not yet. */
    private long address;
    /** What {@link #lend} registered: run by {@link #endLoans()} after the native call. */
    private final ArrayList<Loan> loans = new ArrayList<>();
    private final CharsetEncoder utf8 = StandardCharsets.UTF_8.newEncoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    /** While taken: the thread's record, and the Wire it had taken before this one. */
    private InUse takenBy;
    private Wire outer;

    /** A Wire of its own (not the thread's); mostly for tests. */
    public Wire(int capacity) {
        use(ByteBuffer.allocateDirect(Math.max(capacity, 64)));
    }

    private void use(ByteBuffer direct) {
        buf = direct.order(ByteOrder.LITTLE_ENDIAN);
        address = 0;
    }

    /**
     * An empty Wire for one call on this thread, until {@link #close()}: the thread's own
     * when it is free, else (a call nested in another's argument conversion) a new one.
     */
    public static Wire take() {
        InUse t = PER_THREAD.get();
        Wire w = t.innermost == null ? t.reused : new Wire(INITIAL_CAPACITY);
        w.takenBy = t;
        w.outer = t.innermost;
        t.innermost = w;
        return w.reset();
    }

    /**
     * Gives a {@linkplain #take taken} Wire back (ending its loans); it must be the
     * thread's innermost one, as try-with-resources guarantees. No-op for one not taken.
     */
    @Override
    public void close() {
        InUse t = takenBy;
        if (t == null) return;
        if (t.innermost != this) throw new IllegalStateException("wires given back out of order");
        t.innermost = outer;
        takenBy = null;
        outer = null;
        endLoans();
    }

    /**
     * Empties the buffer (and shrinks it if an earlier result grew it very large). Loans a
     * caller forgot to end are ended here.
     */
    public Wire reset() {
        endLoans();
        if (buf.capacity() > KEEP_CAPACITY) {
            use(ByteBuffer.allocateDirect(INITIAL_CAPACITY));
        }
        buf.clear();
        return this;
    }

    /** The direct buffer native code reads and writes (from byte 0, up to its capacity). */
    public ByteBuffer buffer() { return buf; }

    /** The address of the buffer's byte 0: what native code is given as {@code uint8_t *buf}. */
    public long address() {
        long a = address;
        if (a == 0) address = a = NativeBridge.address(buf);
        return a;
    }

    /** The buffer's size: what native code is given as {@code cap}. */
    public int capacity() { return buf.capacity(); }

    /** Bytes written so far. */
    public int length() { return buf.position(); }

    /** Makes the buffer at least {@code capacity} bytes; the content is dropped. */
    public void reserve(long capacity) {
        if (capacity > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("a result of " + capacity + " bytes does not fit a Java buffer");
        }
        if (buf.capacity() < capacity) {
            use(ByteBuffer.allocateDirect((int) capacity));
        }
        buf.clear();
    }

    /** Positions the buffer for reading what native code wrote: from 0 to the capacity. */
    public Wire flipForRead() {
        buf.clear();
        return this;
    }

    /** Positions the buffer for reading the first {@code length} bytes. */
    public Wire flipForRead(int length) {
        buf.clear();
        buf.limit(length);
        return this;
    }

    // ------------------------------------------------------------------ writing

    private void ensure(int n) {
        if (buf.remaining() >= n) return;
        long need = (long) buf.position() + n;
        long cap = Math.max(need, 2L * buf.capacity());
        if (cap > Integer.MAX_VALUE - 8) cap = need;
        if (cap > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("arguments too large for the wire format (" + need + " bytes)");
        }
        ByteBuffer bigger = ByteBuffer.allocateDirect((int) cap).order(ByteOrder.LITTLE_ENDIAN);
        buf.flip();
        bigger.put(buf);
        use(bigger);
    }

    public Wire tag(int tag) {
        ensure(1);
        buf.put((byte) tag);
        return this;
    }

    public Wire int64(long v) {
        ensure(9);
        buf.put((byte) INT).putLong(v);
        return this;
    }

    /** An int of any size: INT when it fits a long, else BIGINT (two's complement, little-endian). */
    public Wire bigint(BigInteger v) {
        if (v.bitLength() < 64) return int64(v.longValue());
        byte[] be = v.toByteArray(); // big-endian, the fewest bytes
        ensure(5 + be.length);
        buf.put((byte) BIGINT).putInt(be.length);
        for (int i = be.length - 1; i >= 0; i--) buf.put(be[i]);
        return this;
    }

    public Wire float64(double v) {
        ensure(9);
        buf.put((byte) FLOAT).putDouble(v);
        return this;
    }

    public Wire str(String s) {
        if (!isAscii(s)) return strEncoded(s);
        int n = s.length();
        ensure(5 + n);
        buf.put((byte) STR).putInt(n);
        for (int i = 0; i < n; i++) buf.put((byte) s.charAt(i)); // ASCII is its own UTF-8
        return this;
    }

    private static boolean isAscii(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            if (s.charAt(i) >= 0x80) return false;
        }
        return true;
    }

    /** Any other string, through the strict encoder (an unpaired surrogate is an error). */
    private Wire strEncoded(String s) {
        ByteBuffer bytes;
        try {
            bytes = utf8.reset().encode(CharBuffer.wrap(s));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("string is not valid Unicode (it has an unpaired surrogate): "
                    + abbreviate(s), e);
        }
        int n = bytes.remaining();
        ensure(5 + n);
        buf.put((byte) STR).putInt(n).put(bytes);
        return this;
    }

    public Wire bytes(byte[] b) {
        ensure(5 + b.length);
        buf.put((byte) BYTES).putInt(b.length).put(b);
        return this;
    }

    /** A TUPLE, LIST or DICT header; the caller writes {@code count} values (pairs for DICT). */
    public Wire count(int tag, int count) {
        ensure(5);
        buf.put((byte) tag).putInt(count);
        return this;
    }

    /** A BUFFER or QUEUE: the pointer, as the caller lends it ({@link #lend}). */
    public Wire shared(int tag, long pointer) {
        if (tag != BUFFER && tag != QUEUE) throw new IllegalArgumentException("not a shared tag: " + tag);
        ensure(9);
        buf.put((byte) tag).putLong(pointer);
        return this;
    }

    /**
     * What a call borrowed for as long as native code reads this buffer: a pinned handle,
     * buffer or queue. A handle's pin is one itself, so lending the target of a call
     * allocates nothing (issue 13: a method reference per call was 16 of its 64 bytes).
     */
    @FunctionalInterface
    public interface Loan {
        /** Gives back what was borrowed (unpins it). */
        void endLoan();
    }

    /**
     * Registers what to undo once the native call that reads this buffer has returned (a
     * pinned handle, buffer or queue is unpinned): {@link #endLoans()} ends it.
     *
     * @param loan what to end
     */
    public void lend(Loan loan) {
        loans.add(loan);
    }

    /** Ends and forgets what {@link #lend} registered, in order. Idempotent. */
    public void endLoans() {
        int n = loans.size();
        if (n == 0) return;
        RuntimeException first = null;
        for (int i = 0; i < n; i++) { // by index: no iterator on the path of every call
            try {
                loans.get(i).endLoan();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        loans.clear();
        if (first != null) throw first;
    }

    /** A HANDLE: id and type name. */
    public Wire handle(long id, String typeName) {
        ensure(9);
        buf.put((byte) HANDLE).putLong(id);
        return str(typeName);
    }

    /** An EXCEPTION (for tests and symmetry; native code is what normally writes them). */
    public Wire exception(String typeName, String message) {
        tag(EXCEPTION);
        return str(typeName).str(message);
    }

    /** Writes the arguments of a call as one TUPLE, numbering them from 1 for messages. */
    public Wire arguments(Object[] args, Hooks hooks) {
        count(TUPLE, args.length);
        for (int i = 0; i < args.length; i++) {
            value(args[i], hooks, i + 1, 0);
        }
        return this;
    }

    /**
     * Writes a call's keyword names (abi/ABI.md 12.6): a TUPLE of STR naming its last
     * arguments, after the arguments. Writes nothing for none, so a call without keywords
     * is the request every host reads.
     */
    public Wire keywordNames(List<String> names) {
        if (names.isEmpty()) return this;
        count(TUPLE, names.size());
        for (String n : names) str(n);
        return this;
    }

    /** Writes one Java value. {@code argument}: 1-based argument index for messages, or 0. */
    public Wire value(Object v, Hooks hooks, int argument) {
        return value(v, hooks, argument, 0);
    }

    /** Refuses a container at {@code depth} (the number of containers around it) past the limit. */
    private static void checkDepth(int argument, int depth) {
        if (depth >= MAX_DEPTH) throw new IllegalArgumentException(where(argument) + TOO_DEEP);
    }

    private Wire value(Object v, Hooks hooks, int argument, int depth) {
        if (v == null) return tag(NONE);
        if (v instanceof Boolean) return tag((Boolean) v ? TRUE : FALSE);
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return int64(((Number) v).longValue());
        }
        if (v instanceof BigInteger) return bigint((BigInteger) v);
        if (v instanceof Double || v instanceof Float) return float64(((Number) v).doubleValue());
        if (v instanceof String) return str((String) v);
        if (v instanceof byte[]) return bytes((byte[]) v);
        if (v instanceof List) {
            checkDepth(argument, depth);
            List<?> list = (List<?>) v;
            count(LIST, list.size());
            int n = 0;
            for (Object item : list) {
                value(item, hooks, argument, depth + 1);
                n++;
            }
            if (n != list.size()) throw new IllegalArgumentException(where(argument) + "list changed size while being converted");
            return this;
        }
        if (v instanceof Object[]) {
            checkDepth(argument, depth);
            Object[] tuple = (Object[]) v;
            count(TUPLE, tuple.length);
            for (Object item : tuple) value(item, hooks, argument, depth + 1);
            return this;
        }
        if (v instanceof Map) {
            checkDepth(argument, depth);
            Map<?, ?> map = (Map<?, ?>) v;
            count(DICT, map.size());
            int n = 0;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                value(e.getKey(), hooks, argument, depth + 1);
                value(e.getValue(), hooks, argument, depth + 1);
                n++;
            }
            if (n != map.size()) throw new IllegalArgumentException(where(argument) + "map changed size while being converted");
            return this;
        }
        if (hooks.writeShared(this, v) || hooks.writeSpecial(this, v, argument)) return this;
        throw new IllegalArgumentException(where(argument) + "cannot convert a " + v.getClass().getName()
                + " to an isolex value; supported: null, Boolean, Long/Integer/Short/Byte/BigInteger (int), Double/Float (float),"
                + " String (str), byte[] (bytes), List (list), Object[] (tuple), Map (dict), Handle, SharedBuffer,"
                + " SharedQueue");
    }

    /** What {@link #shareable} says about a value it refuses (after "a TYPE is not shareable: "). */
    public static final String SHAREABLE_TYPES = "values cross between interpreters as null, Boolean,"
            + " Long/Integer/Short/Byte/BigInteger (int), Double/Float (float), String (str), byte[] (bytes), SharedBuffer,"
            + " SharedQueue, or List/Object[] (tuple) of these";

    /**
     * Writes one shareable value, as a queue carries it (ABI.md 11): null, Boolean, integers,
     * Double/Float, String, byte[], and what {@link Hooks#writeShared} accepts (shared
     * buffers, queues), and {@link List}s and {@code Object[]}s of these, both as TUPLE.
     * Anything else (a Map, a Handle, any other object) throws
     * {@code IllegalArgumentException("a java.util.HashMap is not shareable: " + SHAREABLE_TYPES)}.
     */
    public Wire shareable(Object v, Hooks hooks) {
        return shareable(v, hooks, 0);
    }

    private Wire shareable(Object v, Hooks hooks, int depth) {
        if (v instanceof List || v instanceof Object[]) checkDepth(0, depth);
        if (v instanceof List) {
            List<?> list = (List<?>) v;
            count(TUPLE, list.size());
            int n = 0;
            for (Object item : list) {
                shareable(item, hooks, depth + 1);
                n++;
            }
            if (n != list.size()) throw new IllegalArgumentException("list changed size while being converted");
            return this;
        }
        if (v instanceof Object[]) {
            Object[] tuple = (Object[]) v;
            count(TUPLE, tuple.length);
            for (Object item : tuple) shareable(item, hooks, depth + 1);
            return this;
        }
        if (v == null || v instanceof Boolean || v instanceof Long || v instanceof Integer || v instanceof Short
                || v instanceof Byte || v instanceof BigInteger || v instanceof Double || v instanceof Float || v instanceof String
                || v instanceof byte[]) {
            return value(v, hooks, 0, depth);
        }
        if (hooks.writeShared(this, v)) return this;
        throw new IllegalArgumentException("a " + v.getClass().getName() + " is not shareable: " + SHAREABLE_TYPES);
    }

    private static String where(int argument) {
        return argument > 0 ? "argument " + argument + ": " : "";
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? "\"" + s + "\"" : "\"" + s.substring(0, 40) + "...\"";
    }

    // ------------------------------------------------------------------ reading

    /** The tag at the current read position, without consuming it. */
    public int peekTag() {
        need(1);
        return buf.get(buf.position()) & 0xff;
    }

    public int readTag() {
        need(1);
        return buf.get() & 0xff;
    }

    public long readRawInt64() {
        need(8);
        return buf.getLong();
    }

    /** Reads a STR value (tag included). */
    public String readStr() {
        expectTag(STR);
        return readStrPayload();
    }

    /** Reads an INT value (tag included). */
    public long readInt() {
        expectTag(INT);
        return readRawInt64();
    }

    private void expectTag(int want) {
        int tag = readTag();
        if (tag != want) throw malformed("expected tag " + want + ", found " + tag);
    }

    private String readStrPayload() {
        int n = readLength();
        byte[] b = new byte[n];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private int readLength() {
        need(4);
        long n = Integer.toUnsignedLong(buf.getInt());
        if (n > buf.remaining()) throw malformed("length " + n + " exceeds the " + buf.remaining() + " bytes left");
        return (int) n;
    }

    private int readCount() {
        need(4);
        long n = Integer.toUnsignedLong(buf.getInt());
        if (n > buf.remaining()) throw malformed("count " + n + " exceeds the " + buf.remaining() + " bytes left");
        return (int) n;
    }

    private void need(int n) {
        if (buf.remaining() < n) throw malformed("truncated value");
    }

    private IllegalStateException malformed(String what) {
        return new IllegalStateException("malformed wire data at byte " + buf.position() + ": " + what);
    }

    /** Reads one value. An EXCEPTION value is returned as the hooks' exception (not thrown). */
    public Object readValue(Hooks hooks) {
        int tag = readTag();
        switch (tag) {
            case NONE: return null;
            case FALSE: return Boolean.FALSE;
            case TRUE: return Boolean.TRUE;
            case INT: return readRawInt64();
            case BIGINT: return readBigint();
            case FLOAT: need(8); return buf.getDouble();
            case STR: return readStrPayload();
            case BYTES: {
                byte[] b = new byte[readLength()];
                buf.get(b);
                return b;
            }
            case TUPLE:
            case LIST: {
                int n = readCount();
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) list.add(readValue(hooks));
                return Collections.unmodifiableList(list);
            }
            case DICT: {
                int n = readCount();
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    Object k = readValue(hooks);
                    map.put(k, readValue(hooks));
                }
                return Collections.unmodifiableMap(map);
            }
            case HANDLE: {
                long id = readRawInt64();
                return hooks.handle(id, readStr());
            }
            case EXCEPTION: return readExceptionPayload(hooks);
            case BUFFER:
            case QUEUE: return hooks.shared(tag, readRawInt64());
            default: throw malformed("unknown tag " + tag);
        }
    }

    /** A BIGINT payload: a {@link Long} when it fits, else a {@link BigInteger}. */
    private Object readBigint() {
        int n = readLength();
        if (n == 0) return 0L;
        byte[] be = new byte[n];
        for (int i = n - 1; i >= 0; i--) be[i] = buf.get();
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    /** Reads an EXCEPTION value (tag included) with its cause chain. */
    public RuntimeException readException(Hooks hooks) {
        expectTag(EXCEPTION);
        return readExceptionPayload(hooks);
    }

    private RuntimeException readExceptionPayload(Hooks hooks) {
        String type = readStr();
        String message = readStr();
        RuntimeException cause = null;
        int next = readTag();
        if (next == EXCEPTION) {
            cause = readExceptionPayload(hooks);
        } else if (next != NONE) {
            throw malformed("exception cause has tag " + next);
        }
        return hooks.error(type, message, cause);
    }
}
