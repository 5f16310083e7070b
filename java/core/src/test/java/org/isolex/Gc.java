package org.isolex;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Bounded waits for the garbage collector and the Cleaners behind it (the safety nets). No
 * JUnit here: child JVMs ({@link DocProgramChild}) use it too.
 */
final class Gc {
    private Gc() {}

    /** Collects until {@code done} holds, for at most {@code seconds}; whether it holds. */
    static boolean until(BooleanSupplier done, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        return done.getAsBoolean();
    }
}
