package org.isolex;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * One extension library the process has loaded (mapped with dlopen), as
 * {@link Host#libraries()} lists it: which file it was when it was loaded, and what the file
 * at that path is now (abi/ABI.md 4.10).
 *
 * @param path       the library's canonical path (symlinks resolved)
 * @param device     the file's device number when it was loaded
 * @param inode      the file's inode number when it was loaded; with {@code device} the
 *                   library's identity, as the dynamic loader knows it
 * @param modified   the file's modification time when it was loaded
 * @param size       the file's size in bytes when it was loaded
 * @param references the module instances and heap types (and imports in progress) keeping
 *                   it loaded
 * @param modules    the module names imported from it so far (one file may define several)
 * @param state      what the file at {@code path} is now
 */
public record LoadedLibrary(Path path, long device, long inode, Instant modified, long size, long references,
                            List<String> modules, State state) {

    /** What the file at a loaded library's path is now. */
    public enum State {
        /** The file the library was loaded from, unchanged. */
        CURRENT,
        /**
         * The same file (inode) with another size or modification time: overwritten in place
         * while mapped, which is undefined behaviour of the platform. Imports of it are
         * refused until the library is unloaded.
         */
        MODIFIED,
        /** Another file (renamed over it): the next import loads that one beside this library. */
        REPLACED,
        /** No file at the path any more. */
        REMOVED,
        /** A private copy of a legacy library (abi/ABI.md 7.4), which has no file of its own. */
        PRIVATE_COPY;

        static State of(String nativeName) {
            return valueOf(nativeName.toUpperCase(java.util.Locale.ROOT).replace(' ', '_'));
        }
    }

    /** From one tuple of ixh_libraries (isolex_host.h). */
    static LoadedLibrary fromWire(List<?> t) {
        long ns = (Long) t.get(3);
        @SuppressWarnings("unchecked")
        List<String> modules = List.copyOf((List<String>) t.get(7));
        return new LoadedLibrary(Path.of((String) t.get(0)), (Long) t.get(1), (Long) t.get(2),
                Instant.ofEpochSecond(Math.floorDiv(ns, 1_000_000_000L), Math.floorMod(ns, 1_000_000_000L)),
                (Long) t.get(4), (Long) t.get(5), modules, State.of((String) t.get(6)));
    }
}
