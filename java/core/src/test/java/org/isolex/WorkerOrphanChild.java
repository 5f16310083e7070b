package org.isolex;

import java.nio.file.Path;

/**
 * The child JVM of {@link WorkerOrphanTest}: makes a worker-process interpreter, prints
 * {@code worker PID}, then either loops inside a call ({@code busy}) or sleeps ({@code idle})
 * until the test kills this JVM with SIGKILL.
 */
public final class WorkerOrphanChild {
    private WorkerOrphanChild() {}

    /**
     * Runs the child.
     *
     * @param args the test extensions' directory, then {@code busy} or {@code idle}
     * @throws Exception never, in practice: the test kills this JVM
     */
    public static void main(String[] args) throws Exception {
        Host host = Host.builder().modulePath(Path.of(args[0])).isolation(Isolation.WORKER_PROCESS).build();
        Interpreter interp = host.newInterpreter();
        ExtensionModule crasher = interp.importModule("crasher");
        System.out.println("worker " + interp.workerPid().getAsLong());
        System.out.flush();
        if (args[1].equals("busy")) crasher.invoke("loop");
        Thread.sleep(Long.MAX_VALUE);
    }
}
