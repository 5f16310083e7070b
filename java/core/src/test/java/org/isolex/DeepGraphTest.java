package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * ABI.md 3.8: an object graph of any depth is freed with a bounded native stack. A chain of
 * a million {@code cycles.Node} objects, built from Java through {@link Handle#setAttr}, goes
 * when its head's handle closes and when its interpreter closes, and the process holds no
 * native byte afterwards. Before the fix the child JVM ({@link DeepGraphChild}) died with
 * SIGSEGV from 20,000 nodes on, without an hs_err file: each node's dealloc ran inside the
 * previous one's. (The C side, with lists, tuples, dicts and the collector, is
 * {@code ixdriver deep}.)
 */
class DeepGraphTest extends NativeTestBase {
    private static final int NODES = 1_000_000;

    private static ChildJvm.Result child(String how) throws Exception {
        ChildJvm.Result r = ChildJvm.run(
                ChildJvm.command(DeepGraphChild.class, TEST_EXT.toString(), Integer.toString(NODES), how), Map.of(), 300);
        System.out.printf("deep: %d nodes freed by %s in a child JVM: exit %d after %d ms%n", NODES, how,
                r.exitCode(), r.millis());
        assertTrue(r.finished(), "the child JVM did not finish in 300 s\n" + r.describe());
        assertEquals(0, r.exitCode(), "the child JVM failed\n" + r.describe());
        assertTrue(r.stdout().contains("deep child: done; isolex live bytes 0, live interpreters 0"), r.describe());
        return r;
    }

    @Test
    void closingTheHeadHandleFreesAMillionNodeChain() throws Exception {
        ChildJvm.Result r = child("head");
        assertTrue(r.stdout().contains("(the tail's self-loop); live bytes above the module's own 0\n"), r.describe());
    }

    @Test
    void closingTheInterpreterFreesAMillionNodeChain() throws Exception {
        child("close");
    }
}
