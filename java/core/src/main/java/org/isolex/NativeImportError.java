package org.isolex;

/**
 * A native {@code ImportError}: a module could not be found or loaded (bad name, missing file,
 * not a shared object, no init symbol, ABI version mismatch, module already loaded in another
 * interpreter and not supporting several). The message names the module and says which.
 */
public class NativeImportError extends NativeError {
    private static final long serialVersionUID = 1L;

    /**
     * A native {@code ImportError} carried into Java.
     *
     * @param nativeMessage the native message, naming the module and why it did not load
     * @param cause         the next exception of the native chain, or null
     */
    public NativeImportError(String nativeMessage, NativeError cause) {
        super("ImportError", nativeMessage, cause);
    }
}
