package org.isolex;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * The worker process of a {@linkplain Isolation#WORKER_PROCESS worker-mode} interpreter died
 * (abi/ABI.md 13.10-13.11): extension code crashed (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT,
 * a stack overflow), called {@code exit}, was killed from outside (the kernel's OOM killer
 * sends SIGKILL), or was killed by the host for a deadline. Thrown on the call in flight, and
 * by every later use of that interpreter; the host, the JVM and every other interpreter go on.
 * Closing the crashed interpreter is allowed and frees what the JVM held for it (no leak
 * report: the worker's memory went with it).
 *
 * <pre>{@code
 * try {
 *     crasher.invoke("segfault");
 * } catch (InterpreterCrashedException e) {
 *     e.signalName();   // Optional[SIGSEGV]
 *     e.crashReport();  // "... frame 0: crasher_segfault+0x12 at .../crasher.so+0x1412 (crasher.c:37) ..."
 * }
 * }</pre>
 */
public class InterpreterCrashedException extends IsolexException {
    private static final long serialVersionUID = 1L;
    /** The crashed interpreter's id. */
    private final long interpreterId;
    /** The worker's process id. */
    private final long workerPid;
    /** The signal that ended the worker, 0 when it exited. */
    private final int signal;
    /** The worker's exit status, -1 when a signal ended it. */
    private final int exitStatus;
    /** True when the host killed the worker for a deadline. */
    private final boolean killedForDeadline;
    /** The symbolized crash report, or the empty string. */
    private final String crashReport;

    /**
     * An exception for a worker that died.
     *
     * @param message           the summary line(s)
     * @param interpreterId     the crashed interpreter's id
     * @param workerPid         the worker's process id
     * @param signal            the signal that ended the worker, 0 when it exited
     * @param exitStatus        its exit status, -1 when a signal ended it
     * @param killedForDeadline true when the host killed it because a call passed its deadline
     * @param crashReport       the worker's crash report (symbolized), empty when none was written
     */
    public InterpreterCrashedException(String message, long interpreterId, long workerPid, int signal,
                                       int exitStatus, boolean killedForDeadline, String crashReport) {
        super(message);
        this.interpreterId = interpreterId;
        this.workerPid = workerPid;
        this.signal = signal;
        this.exitStatus = exitStatus;
        this.killedForDeadline = killedForDeadline;
        this.crashReport = crashReport == null ? "" : crashReport;
    }

    /** A new exception with the same content, for a later use of the crashed interpreter. */
    InterpreterCrashedException again() {
        return new InterpreterCrashedException(getMessage(), interpreterId, workerPid, signal, exitStatus,
                killedForDeadline, crashReport);
    }

    /** {@return the id of the interpreter that crashed} */
    public long interpreterId() {
        return interpreterId;
    }

    /** {@return the process id the worker had} */
    public long workerPid() {
        return workerPid;
    }

    /** {@return the number of the signal that ended the worker (11 for SIGSEGV), empty when it exited} */
    public OptionalInt signal() {
        return signal == 0 ? OptionalInt.empty() : OptionalInt.of(signal);
    }

    /** {@return the name of the signal that ended the worker ("SIGSEGV"), empty when it exited} */
    public Optional<String> signalName() {
        return signal == 0 ? Optional.empty() : Optional.of(signalName(signal));
    }

    /** {@return the worker's exit status (an extension's {@code exit(7)}: 7), empty when a signal ended it} */
    public OptionalInt exitStatus() {
        return exitStatus < 0 ? OptionalInt.empty() : OptionalInt.of(exitStatus);
    }

    /** {@return true when the host killed the worker because a call passed its deadline} */
    public boolean killedForDeadline() {
        return killedForDeadline;
    }

    /**
     * The worker's crash report, symbolized ({@code ixworker --symbolize}: extension function
     * names and source lines where the libraries have them): the signal, the request in
     * flight and the native backtrace from the fault, as native/worker/README.md describes.
     * Empty when the worker wrote none (an {@code exit}, a SIGKILL).
     *
     * @return the report's text, or the empty string
     */
    public String crashReport() {
        return crashReport;
    }

    /** Linux x86-64 signal names (signal(7)); "signal N" for the others. */
    static String signalName(int signal) {
        switch (signal) {
            case 1: return "SIGHUP";
            case 2: return "SIGINT";
            case 3: return "SIGQUIT";
            case 4: return "SIGILL";
            case 5: return "SIGTRAP";
            case 6: return "SIGABRT";
            case 7: return "SIGBUS";
            case 8: return "SIGFPE";
            case 9: return "SIGKILL";
            case 10: return "SIGUSR1";
            case 11: return "SIGSEGV";
            case 12: return "SIGUSR2";
            case 13: return "SIGPIPE";
            case 14: return "SIGALRM";
            case 15: return "SIGTERM";
            case 24: return "SIGXCPU";
            case 25: return "SIGXFSZ";
            case 31: return "SIGSYS";
            default: return "signal " + signal;
        }
    }
}
