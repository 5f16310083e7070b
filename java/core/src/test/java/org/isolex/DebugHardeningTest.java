package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Debug mode reports, and survives, the bugs it exists to report (abi/ABI.md 10.2): each of
 * test-ext/buggy's pointer bugs in a debug interpreter raises the exact
 * {@code NativeSystemError}, logs the same line, and leaves the interpreter usable and
 * closing clean. Most used to kill the JVM (SIGSEGV where debug mode, or the host after
 * it, read through the pointer: check_obj, check_result, encode, ix_heap_free), the others
 * went unreported or misreported, so each runs in a child JVM ({@link DebugBugChild}),
 * whose whole transcript is compared here.
 */
class DebugHardeningTest {
    private static final String CLEAN_EXIT = "after close: live native bytes 0, interpreters 0, libraries 0, violations []";

    /** The child's transcript for BUG, which must exit 0. */
    private static List<String> run(String bug) throws Exception {
        List<String> command = ChildJvm.command(DebugBugChild.class,
                bug, NativeTestBase.EXTENSIONS.toString(), NativeTestBase.TEST_EXT.toString());
        ChildJvm.Result r = ChildJvm.run(command, Map.of(), 120);
        assertTrue(r.finished(), "the child JVM did not finish in 120 s\n" + r.describe());
        assertEquals(0, r.exitCode(), r.describe());
        return List.of(r.stdout().split("\n"));
    }

    /** One call raising `report`, logged once, and the interpreter as before. */
    private static void assertReported(String bug, String report) throws Exception {
        assertEquals(List.of(
                bug + ": NativeSystemError: " + report,
                "  logged: " + report,
                "still usable, live bytes as before",
                CLEAN_EXIT), run(bug));
    }

    @Test
    void returningAFreedObject() throws Exception {
        assertReported("return_freed", "isolex debug: buggy.return_freed(): result is a freed object"
                + " (allocated at buggy.so!buggy_return_freed)");
    }

    @Test
    void returningABorrowedArgumentWithoutANewReference() throws Exception {
        assertReported("return_borrowed", "isolex debug: buggy.return_borrowed(): result is argument 1"
                + " (a list object), returned without a new reference");
    }

    @Test
    void droppingABorrowedArgument() throws Exception {
        assertReported("decref_borrowed", "isolex debug: Ix_Decref: refcount underflow on a list object borrowed"
                + " as argument 1 of buggy.decref_borrowed() (its caller holds the only reference)");
    }

    @Test
    void decrefOfAPointerThatIsNoObject() throws Exception {
        assertReported("decref_stack", "isolex debug: Ix_Decref: argument 1 is not an object");
    }

    @Test
    void memFreeOfAMallocBlock() throws Exception {
        assertReported("mem_free_malloced", "isolex debug: IxMem_Free: argument 1 is not a block of this interpreter");
    }

    @Test
    void memFreeOfAnObject() throws Exception {
        assertReported("mem_free_object", "isolex debug: IxMem_Free: argument 1 is a list object, not a block from IxMem_Malloc");
    }

    @Test
    void aMemoryBlockUsedAsAnObject() throws Exception {
        assertReported("repr_block", "isolex debug: Ix_Repr: argument 1 is a block of 16 bytes allocated at"
                + " buggy.so!buggy_repr_block, not an object");
    }

    /** "interpreters: closed A, B": A, and B. */
    private static String closedOf(String ids) {
        return ids.replaceAll("^interpreters: closed (\\d+), \\d+$", "$1");
    }

    private static String usedIn(String ids) {
        return ids.replaceAll("^interpreters: closed \\d+, (\\d+)$", "$1");
    }

    @Test
    void anObjectOfAClosedInterpreterKeptInACGlobal() throws Exception {
        List<String> t = run("closed-interpreter");
        String ids = t.get(0);
        String again = t.size() > 9 ? t.get(9) : "";
        for (String line : List.of(ids, again))
            assertTrue(line.matches("interpreters: closed \\d+, " + usedIn(ids)), () -> String.join("\n", t));
        String closed = "argument 1 is a list object of interpreter " + closedOf(ids) + " (closed), used in interpreter "
                + usedIn(ids);
        String taken = "isolex debug: buggy.take_global(): result is a list object of interpreter " + closedOf(again)
                + " (closed), used in interpreter " + usedIn(ids);
        assertEquals(List.of(
                ids,
                "use_global: NativeSystemError: isolex debug: Ix_Repr: " + closed,
                "  logged: isolex debug: Ix_Repr: " + closed,
                // return_global: its Ix_NewRef is refused, and so is the Ix_Decref it then does
                "return_global: NativeSystemError: isolex debug: Ix_Incref: " + closed,
                "  logged: isolex debug: Ix_Incref: " + closed,
                "  logged: isolex debug: Ix_Decref: " + closed,
                "drop_global: NativeSystemError: isolex debug: Ix_Decref: " + closed,
                "  logged: isolex debug: Ix_Decref: " + closed,
                "still usable, live bytes as before",
                again,
                "take_global: NativeSystemError: " + taken,
                "  logged: " + taken,
                "still usable, live bytes as before",
                CLEAN_EXIT), t);
    }
}
