package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Queues between the workers of an {@link InterpreterPool}: producer/consumer across interpreters. */
class QueuePoolTest extends NativeTestBase {

    @Test
    void workersPumpAPipelineOfQueues() throws Exception {
        Host host = newHost();
        int n = 2_000;
        // `in` and `out` are unbounded and every item is put before anything is checked, so a
        // failing check cannot leave a stage waiting for ever (closing the pool would wait for it)
        try (SharedQueue in = Host.newQueue(); SharedQueue middle = Host.newQueue(16);
             SharedQueue out = Host.newQueue();
             InterpreterPool pool = InterpreterPool.builder(host).size(2).imports("channels").build()) {
            // stage 1 and stage 2 run at the same time in the two workers' interpreters, each
            // waiting inside its interpreter for the other (the bounded middle queue forces turns)
            Future<Object> stage1 = pool.submit(interp -> interp.importModule("channels").invoke("pump", in, middle, (long) n));
            Future<Object> stage2 = pool.submit(interp -> interp.importModule("channels").invoke("pump", middle, out, (long) n));
            for (int i = 0; i < n; i++) in.put(List.of((long) i, "item " + i));
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < n; i++) {
                List<?> item = (List<?>) out.take();
                assertEquals("item " + item.get(0), item.get(1));
                seen.add((Long) item.get(0));
            }
            assertEquals(n, seen.size());
            stage1.get(10, TimeUnit.SECONDS);
            stage2.get(10, TimeUnit.SECONDS);
            assertEquals(0, in.size() + middle.size() + out.size());
        }
    }

    @Test
    void workersProduceBuffersThatOtherWorkersConsume() throws Exception {
        Host host = newHost();
        int producers = 3, perProducer = 20, size = 64 * 1024;
        try (SharedQueue work = Host.newQueue(4); SharedQueue sums = Host.newQueue();
             InterpreterPool pool = InterpreterPool.builder(host).size(4).imports("channels").build()) {
            List<Future<Object>> tasks = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                long fill = p + 1;
                tasks.add(pool.submit(interp -> {
                    ExtensionModule ch = interp.importModule("channels");
                    for (int i = 0; i < perProducer; i++) {
                        try (SharedBuffer b = (SharedBuffer) ch.invoke("new_buffer", (long) size)) {
                            ch.invoke("fill", b, fill);
                            ch.invoke("put", work, b);
                        }
                    }
                    return null;
                }));
            }
            tasks.add(pool.submit(interp -> {   // the consumer: another worker, another interpreter
                ExtensionModule ch = interp.importModule("channels");
                for (int i = 0; i < producers * perProducer; i++) {
                    try (SharedBuffer b = (SharedBuffer) ch.invoke("get", work)) {
                        ch.invoke("put", sums, ch.invoke("checksum", b));
                    }
                }
                return null;
            }));
            for (Future<Object> f : tasks) f.get(30, TimeUnit.SECONDS);
            long total = 0;
            for (int i = 0; i < producers * perProducer; i++) total += (Long) sums.take();
            assertEquals((long) size * perProducer * (1 + 2 + 3), total);
        }
        assertEquals(0, Host.sharedBytes());
        assertTrue(Host.liveNativeBytes() == 0);
    }
}
