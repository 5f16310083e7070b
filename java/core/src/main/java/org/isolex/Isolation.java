package org.isolex;

/**
 * Where an interpreter runs (issue 14, abi/ABI.md 13): in the JVM's own process, or in a
 * worker process of its own that the host starts ({@code ixworker}). Chosen per host
 * ({@link Host.Builder#isolation(Isolation)}) or per interpreter
 * ({@link Interpreter.Builder#isolation(Isolation)}); fixed for the interpreter's life
 * ({@link Interpreter#isolation()}).
 */
public enum Isolation {
    /**
     * The interpreter runs in the JVM's process (the default): the fastest calls, and every
     * feature (queues, shared buffers, the buffer protocol); a crash in extension code ends the
     * JVM.
     */
    IN_PROCESS,
    /**
     * The interpreter runs alone in a worker process, behind the same API: a crash, an
     * {@code exit} or a stack overflow in extension code ends only the worker and surfaces as an
     * {@link InterpreterCrashedException}; a call past its deadline kills the worker
     * ({@link CallTimeoutException}). Each call crosses a Unix socket (tens of microseconds);
     * queues, shared buffers and buffer exports are refused with a {@code NotImplementedError}
     * (abi/ABI.md 13.12).
     */
    WORKER_PROCESS
}
