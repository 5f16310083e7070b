package org.isolex;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import org.isolex.internal.NativeBridge;
import org.isolex.internal.NativeBridge.IxInterp;

/**
 * The entry point: a configuration (module path, memory limit, leak policy) and the
 * interpreters made with it.
 *
 * <pre>{@code
 * try (Host host = Host.builder().modulePath(Path.of("target/cmake/extensions")).build();
 *      Interpreter interp = host.newInterpreter()) {
 *     Module fact = interp.importModule("fact");
 *     System.out.println(fact.invoke("factorial_digits", 1000));
 * }
 * }</pre>
 *
 * Closing the host closes every interpreter it made that is still open. The static methods
 * report on the whole process (all hosts).
 */
public final class Host implements AutoCloseable {
    private final List<Path> modulePath;
    private final String modulePathString;
    private final long memoryLimit;
    private final LeakPolicy leakPolicy;
    private final Set<Interpreter> interpreters = new LinkedHashSet<>();
    private boolean closed;

    private Host(Builder b) {
        this.modulePath = List.copyOf(b.modulePath);
        this.modulePathString = modulePath.isEmpty() ? null
                : modulePath.stream().map(Path::toString).collect(Collectors.joining(":"));
        this.memoryLimit = b.memoryLimit;
        this.leakPolicy = b.leakPolicy;
        NativeBridge.load();
    }

    /** A builder with an empty module path, no memory limit and {@link LeakPolicy#THROW}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link Host}. */
    public static final class Builder {
        private final List<Path> modulePath = new ArrayList<>();
        private long memoryLimit;
        private LeakPolicy leakPolicy = LeakPolicy.THROW;

        private Builder() {}

        /** Replaces the module path: directories searched, in order, for {@code NAME.so}. */
        public Builder modulePath(Path... dirs) {
            modulePath.clear();
            for (Path p : dirs) addModulePath(p);
            return this;
        }

        /** Appends a directory to the module path. Non-ASCII names are fine; ':' is not. */
        public Builder addModulePath(Path dir) {
            Objects.requireNonNull(dir, "dir");
            Path abs = dir.toAbsolutePath().normalize();
            if (abs.toString().indexOf(':') >= 0) {
                throw new IllegalArgumentException("module path entry " + abs
                        + " contains ':', which separates module path entries; rename or link the directory");
            }
            modulePath.add(abs);
            return this;
        }

        /**
         * Caps each interpreter's native heap at {@code bytes} (0: no cap). Going over raises a
         * native {@code MemoryError} in that interpreter only.
         */
        public Builder memoryLimit(long bytes) {
            if (bytes < 0) throw new IllegalArgumentException("memory limit must be >= 0 (0 for none): " + bytes);
            this.memoryLimit = bytes;
            return this;
        }

        /** What {@link Interpreter#close()} does about leaks. */
        public Builder leakPolicy(LeakPolicy policy) {
            this.leakPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        public Host build() {
            return new Host(this);
        }
    }

    /** The module path, as absolute directories. */
    public List<Path> modulePath() {
        return modulePath;
    }

    /** The per-interpreter memory limit in bytes (0: none). */
    public long memoryLimit() {
        return memoryLimit;
    }

    public LeakPolicy leakPolicy() {
        return leakPolicy;
    }

    /** Creates a new, empty interpreter. Close it (or this host) when done. */
    public synchronized Interpreter newInterpreter() {
        if (closed) throw new ClosedException("host is closed; build a new one with Host.builder()");
        IxInterp ptr = NativeBridge.interpNew(modulePathString, memoryLimit);
        if (ptr == null) throw new IsolexException("cannot create an interpreter: the process is out of native memory");
        Interpreter interp = new Interpreter(this, ptr, leakPolicy);
        interpreters.add(interp);
        return interp;
    }

    /** The interpreters made by this host that are still open, oldest first. */
    public synchronized List<Interpreter> interpreters() {
        return Collections.unmodifiableList(new ArrayList<>(interpreters));
    }

    synchronized void forget(Interpreter interp) {
        interpreters.remove(interp);
    }

    /**
     * Closes every interpreter still open (all of them, even when one throws). If any leaked
     * and the policy is {@link LeakPolicy#THROW}, throws the first {@link LeakException} after
     * all are closed, with the others added as suppressed exceptions.
     */
    @Override
    public void close() {
        List<Interpreter> open;
        synchronized (this) {
            closed = true;
            open = new ArrayList<>(interpreters);
        }
        RuntimeException first = null;
        for (Interpreter interp : open) {
            try {
                interp.close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }

    /** Native bytes held by libisolex for all interpreters and libraries of the process. */
    public static long liveNativeBytes() {
        return NativeBridge.liveBytes();
    }

    /** Extension libraries currently mapped (dlopen-ed) in the process. */
    public static long loadedLibraries() {
        return NativeBridge.loadedLibraries();
    }

    /** Interpreters currently open in the process. */
    public static long liveInterpreters() {
        return NativeBridge.liveInterpreters();
    }

    /** libisolex's version string. */
    public static String version() {
        return NativeBridge.version();
    }
}
