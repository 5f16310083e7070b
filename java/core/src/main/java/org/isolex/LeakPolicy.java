package org.isolex;

/** What {@link Interpreter#close()} does when native memory was still allocated at close. */
public enum LeakPolicy {
    /** Throw a {@link LeakException} (after closing and freeing everything). The default. */
    THROW,
    /** Log the {@link LeakReport} as a warning through {@link System.Logger} and return normally. */
    LOG
}
