package org.isolex;

/**
 * Base of every exception isolex throws on purpose. Unchecked: a failure inside an
 * interpreter is usually a programming or configuration error the caller cannot retry.
 */
public class IsolexException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message and no cause.
     *
     * @param message what went wrong, and what to do about it where the caller can
     */
    public IsolexException(String message) {
        super(message);
    }

    /**
     * An exception with a message and the failure that led to it.
     *
     * @param message what went wrong, and what to do about it where the caller can
     * @param cause   the failure underneath, or null
     */
    public IsolexException(String message, Throwable cause) {
        super(message, cause);
    }
}
