package org.isolex;

/**
 * Base of every exception isolex throws on purpose. Unchecked: a failure inside an
 * interpreter is usually a programming or configuration error the caller cannot retry.
 */
public class IsolexException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public IsolexException(String message) {
        super(message);
    }

    public IsolexException(String message, Throwable cause) {
        super(message, cause);
    }
}
