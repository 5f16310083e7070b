package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

class InterpreterPoolTest extends NativeTestBase {

    @Test
    void tasksRunInTheirWorkersOwnInterpreterWithModulesPreImported() throws Exception {
        Host host = newHost();
        Set<Long> interpreters = ConcurrentHashMap.newKeySet();
        try (InterpreterPool pool = InterpreterPool.builder(host).size(3).imports("counter", "fact").build()) {
            List<Future<Object>> results = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                long n = 100 + i;
                results.add(pool.submit(interp -> {
                    interpreters.add(interp.id());
                    return interp.importModule("fact").invoke("digits", n);
                }));
            }
            try (Interpreter direct = host.newInterpreter()) {
                ExtensionModule fact = direct.importModule("fact");
                for (int i = 0; i < 60; i++) assertEquals(fact.invoke("digits", 100L + i), results.get(i).get());
            }
        }
        assertTrue(interpreters.size() >= 1 && interpreters.size() <= 3, "interpreters used: " + interpreters);
    }

    @Test
    void eachWorkersStateIsSeparate() throws Exception {
        Host host = newHost();
        try (InterpreterPool pool = InterpreterPool.builder(host).size(2).eager(true).imports("counter").build()) {
            assertEquals(2, host.interpreters().size(), "eager workers create their interpreters up front");
            Map<Long, Long> created = new ConcurrentHashMap<>();
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                fs.add(pool.submit(interp -> {
                    ExtensionModule counter = interp.importModule("counter");
                    ((Handle) counter.invoke("Counter")).close();
                    created.put(interp.id(), (Long) counter.invoke("created"));
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
            long total = created.values().stream().mapToLong(Long::longValue).sum();
            assertTrue(total <= 40 && created.size() <= 2, created.toString());
        }
    }

    @Test
    void anExtensionErrorReachesTheFutureAndTheInterpreterStays() throws Exception {
        Host host = newHost();
        try (InterpreterPool pool = InterpreterPool.builder(host).size(1).imports("raiser").build()) {
            long first = pool.submit(Interpreter::id).get();
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> pool.submit(in -> in.importModule("raiser").invoke("raise_own", "boom")).get());
            NativeError cause = assertInstanceOf(NativeError.class, e.getCause());
            assertEquals("raiser.RaiserError", cause.typeName());
            assertEquals(first, pool.submit(Interpreter::id).get());
        }
    }

    @Test
    void aContractViolationReplacesTheWorkersInterpreter() throws Exception {
        Host host = newHost();
        try (InterpreterPool pool = InterpreterPool.builder(host).size(1).imports("raiser").build()) {
            // compared as objects: in worker processes (ABI.md 13) every worker numbers its interpreters from 1
            Interpreter first = pool.submit(in -> in).get();
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> pool.submit(in -> in.importModule("raiser").invoke("null_no_error")).get());
            assertInstanceOf(NativeSystemError.class, e.getCause());
            Interpreter second = pool.submit(in -> in).get();
            assertNotEquals(first, second, "a fresh interpreter after a SystemError");
            assertEquals(1, host.interpreters().size());
        }
    }

    @Test
    void closeReportsAWorkersLeakAfterClosingEverything() throws Exception {
        Host host = newHost();
        InterpreterPool pool = InterpreterPool.builder(host).size(2).imports("leaky").build();
        pool.submit(in -> in.importModule("leaky").invoke("leak_block", 64)).get();
        LeakException e = assertThrows(LeakException.class, pool::close);
        assertEquals(Map.of("leaky", e.report().bytes()), e.report().bytesByModule());
        assertEquals(1, pool.leakReports().size());
        assertTrue(pool.isTerminated());
        assertEquals(0, host.interpreters().size());
        assertEquals(0, Host.liveNativeBytes());
    }

    @Test
    void currentIsOnlyForWorkerThreads() throws Exception {
        IllegalStateException e = assertThrows(IllegalStateException.class, InterpreterPool::current);
        assertEquals("not running on an InterpreterPool worker thread", e.getMessage());
        Host host = newHost();
        try (InterpreterPool pool = InterpreterPool.builder(host).size(1).build()) {
            Future<Long> f = pool.submit(() -> InterpreterPool.current().id());
            assertTrue(f.get() > 0);
        }
    }

    @Test
    void aPoolRefusesNonsense() {
        Host host = newHost();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InterpreterPool.builder(host).size(0));
        assertEquals("a pool needs at least 1 worker, not 0", e.getMessage());
    }
}
