package org.isolex;

/**
 * An exception raised inside an interpreter by an extension or by the host's checks, carried
 * into Java. {@link #typeName()} is the native exception type's full name
 * ({@code "counter.CounterError"}, {@code "ImportError"}, {@code "TypeError"} ...),
 * {@link #nativeMessage()} its message, {@link #getMessage()} both as
 * {@code "TypeName: message"}, and {@link #getCause()} the next exception of the native chain
 * (also a {@code NativeError}) or null.
 *
 * <p>The interpreter stays usable after any {@code NativeError}.
 */
public class NativeError extends IsolexException {
    private static final long serialVersionUID = 1L;

    /** The native exception type's full name. */
    private final String typeName;
    /** The native message, without the type name. */
    private final String nativeMessage;

    /**
     * A native exception carried into Java, its message {@code "typeName: nativeMessage"}.
     *
     * @param typeName      the native exception type's full name, e.g. {@code "TypeError"}
     * @param nativeMessage the native message, without the type name
     * @param cause         the next exception of the native chain, or null
     */
    public NativeError(String typeName, String nativeMessage, NativeError cause) {
        super(typeName + ": " + nativeMessage, cause);
        this.typeName = typeName;
        this.nativeMessage = nativeMessage;
    }

    /** {@return the native exception type's full name, e.g. {@code "raiser.RaiserError"}} */
    public String typeName() {
        return typeName;
    }

    /** {@return the native message, without the type name} */
    public String nativeMessage() {
        return nativeMessage;
    }

    /** The next exception in the native cause chain, or null. */
    @Override
    public synchronized NativeError getCause() {
        return (NativeError) super.getCause();
    }

    /** The right subclass for a native type name. */
    static NativeError of(String typeName, String message, NativeError cause) {
        switch (typeName) {
            case "ImportError": return new NativeImportError(message, cause);
            case "SystemError": return new NativeSystemError(message, cause);
            default: return new NativeError(typeName, message, cause);
        }
    }
}
