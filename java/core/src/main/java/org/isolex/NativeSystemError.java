package org.isolex;

/**
 * A native {@code SystemError}: an extension broke a rule of the ABI (abi/ABI.md) — an invalid
 * module definition, or a function that returned failure without setting an error, or success
 * with one set (that error is then the {@linkplain #getCause() cause}). It is a bug in the
 * extension named by the message, not in the caller.
 */
public class NativeSystemError extends NativeError {
    private static final long serialVersionUID = 1L;

    /**
     * A native {@code SystemError} carried into Java.
     *
     * @param nativeMessage the native message, naming the extension and the rule it broke
     * @param cause         the error that was set when success was returned, or null
     */
    public NativeSystemError(String nativeMessage, NativeError cause) {
        super("SystemError", nativeMessage, cause);
    }
}
