package org.isolex;

import java.util.List;
import java.util.Objects;

/**
 * An error an interpreter could not raise, recorded instead (ABI 1.2, abi/ABI.md 6.8): one
 * that a type's {@code tp_dealloc}, {@code tp_clear} or {@code tp_finalize}, a weak
 * reference's callback, a capsule's destructor or a module's clear or free left set. Such
 * code has no caller to fail: the call that dropped the last reference goes on with its own
 * result (or its own error), and the error is dropped after it is recorded, as CPython hands
 * it to {@code sys.unraisablehook} ("Exception ignored in: ..."). {@link
 * Interpreter#unraisableErrors()} lists the most recent ones.
 *
 * @param number   its place among all the interpreter's unraisable errors: 1 for the first;
 *                 the count so far is the last one's number, and numbers missing before the
 *                 first listed were dropped from the record (it keeps the last
 *                 {@link Interpreter#UNRAISABLE_ERRORS_KEPT})
 * @param where    what raised it, e.g. {@code "tp_finalize of initfinal.Fin"},
 *                 {@code "tp_dealloc of T"}, {@code "tp_clear of T"},
 *                 {@code "weakref callback attrs.raise_in_callback"},
 *                 {@code "destructor of capsule \"name\""}, {@code "clear of module 'name'"}
 * @param typeName the exception type's full name, e.g. {@code "ValueError"}
 * @param message  its message (empty for none); each text is cut at 511 bytes of UTF-8
 *                 ({@code where} at 159, {@code typeName} at 127), ending with "..."
 */
public record UnraisableError(long number, String where, String typeName, String message) {
    /**
     * Checks the texts.
     *
     * @param number   see {@link #number()}
     * @param where    see {@link #where()}
     * @param typeName see {@link #typeName()}
     * @param message  see {@link #message()}
     * @throws NullPointerException if a text is null
     */
    public UnraisableError {
        Objects.requireNonNull(where, "where");
        Objects.requireNonNull(typeName, "typeName");
        Objects.requireNonNull(message, "message");
    }

    /**
     * The line CPython's hook would print, in one line.
     *
     * @return e.g. {@code "exception ignored in tp_finalize of initfinal.Fin: ValueError: from a finalizer"}
     *         (without {@code ": message"} when the message is empty)
     */
    @Override
    public String toString() {
        return "exception ignored in " + where + ": " + typeName + (message.isEmpty() ? "" : ": " + message);
    }

    /** From one tuple of ixh_interp_unraisable (isolex_host.h). */
    static UnraisableError fromWire(List<?> t) {
        return new UnraisableError((Long) t.get(0), (String) t.get(1), (String) t.get(2), (String) t.get(3));
    }
}
