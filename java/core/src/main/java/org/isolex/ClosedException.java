package org.isolex;

/**
 * A {@link Host}, {@link Interpreter}, {@link Handle} or {@link ExtensionModule} was used after it was
 * closed (a handle is also closed when its interpreter is). Never a crash: nothing native is
 * touched. Get a new object instead (e.g. {@link Host#newInterpreter()},
 * {@link Interpreter#importModule(String)}).
 */
public class ClosedException extends IsolexException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception for a use of something closed.
     *
     * @param message what was closed, e.g. {@code "interpreter 3 is closed"}
     */
    public ClosedException(String message) {
        super(message);
    }
}
