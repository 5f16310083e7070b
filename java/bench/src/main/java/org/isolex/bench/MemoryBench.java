package org.isolex.bench;

import java.util.ArrayList;
import java.util.List;

import org.isolex.Host;
import org.isolex.Interpreter;
import org.isolex.internal.NativeBridge;
import org.isolex.internal.Wire;

/**
 * 4. Native memory of an idle interpreter with one module (counter) imported:
 * <ul>
 * <li>{@code Host.liveNativeBytes()} (every byte libisolex holds for the process) before and
 *     after {@code newInterpreter()} and {@code importModule("counter")}, steady (counter's
 *     library already loaded by another interpreter) and cold (the library's record too);</li>
 * <li>the interpreter's own view through the bridge: {@code ixh_interp_footprint} (all it
 *     holds, builtins included) and {@code ixh_interp_live_bytes} (modules and objects only);</li>
 * <li>from the C driver ({@code ixdriver bench memory K}, no JVM to disturb the process's
 *     memory): K interpreters with counter imported, open at once, per interpreter: live
 *     bytes, malloc's in-use bytes (its block headers and rounding, which the counts above
 *     do not include) and the resident set.</li>
 * </ul>
 */
final class MemoryBench {
    private final Suite s;

    MemoryBench(Suite s) {
        this.s = s;
    }

    /** Live bytes: [after new - before, after import - after new]. */
    private static long[] delta(Host host) {
        long before = Host.liveNativeBytes();
        Interpreter interp = host.newInterpreter();
        long created = Host.liveNativeBytes();
        interp.importModule("counter");
        long imported = Host.liveNativeBytes();
        interp.close();
        return new long[] {created - before, imported - created};
    }

    void run() {
        int k = s.intParam("bench.memory.interpreters", 1000, 200);
        long[] steady, cold;
        try (Host host = BenchEnv.hostBuilder().build()) {
            Interpreter holder = host.newInterpreter();
            holder.importModule("counter");
            delta(host);
            steady = delta(host);
            holder.close();
            cold = delta(host);
        }
        // the bridge's view of one interpreter
        long raw = NativeBridge.interpNew(new NativeBridge.Config(BenchEnv.modulePath(), 0, false, false));
        long fresh = NativeBridge.interpFootprint(raw);
        Wire w = new Wire(64 * 1024);
        long handle = importRaw(raw, w);
        long withCounter = NativeBridge.interpFootprint(raw);
        long moduleBytes = NativeBridge.interpLiveBytes(raw);
        long moduleBlocks = NativeBridge.interpLiveBlocks(raw);
        NativeBridge.release(raw, handle);
        w.reset();
        NativeBridge.interpClose(raw, w);

        s.driver("memory", k);
        double livePer = s.c("memory.live_per_interp_bytes"), mallocPer = s.c("memory.malloc_per_interp_bytes");
        double rssPer = s.c("memory.rss_per_interp_bytes");

        long total = steady[0] + steady[1];
        s.figure("memory.steady.create_bytes", steady[0]);
        s.figure("memory.steady.import_bytes", steady[1]);
        s.figure("memory.steady.total_bytes", total);
        s.figure("memory.cold.total_bytes", cold[0] + cold[1]);
        s.figure("memory.footprint.fresh_bytes", fresh);
        s.figure("memory.footprint.counter_bytes", withCounter);
        s.figure("memory.interp_live_bytes", moduleBytes);
        s.progress("steady: new %d B + import %d B = %d B; cold total %d B; footprint fresh %d B, with counter %d B; "
                + "RSS %.0f B per interpreter (%d)", steady[0], steady[1], total, cold[0] + cold[1], fresh,
                withCounter, rssPer, k);

        Md md = s.body;
        md.heading("4. Native memory of an idle interpreter with one module imported");
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("`Host.liveNativeBytes()` growth: `newInterpreter()`", Md.f("%,d B", steady[0]), Md.kib(steady[0])));
        rows.add(List.of("… then `importModule(\"counter\")` (library already loaded)", Md.f("%,d B", steady[1]),
                Md.kib(steady[1])));
        rows.add(List.of("**total, steady**", Md.f("**%,d B**", total), Md.kib(total)));
        rows.add(List.of("total, cold (counter.so's loader record too)", Md.f("%,d B", cold[0] + cold[1]),
                Md.kib(cold[0] + cold[1])));
        rows.add(List.of("`ixh_interp_footprint`, fresh interpreter (its builtins)", Md.f("%,d B", fresh), Md.kib(fresh)));
        rows.add(List.of("`ixh_interp_footprint` with counter imported", Md.f("%,d B", withCounter), Md.kib(withCounter)));
        rows.add(List.of("`ixh_interp_live_bytes` (counter's module, state, types) / blocks",
                Md.f("%,d B / %d blocks", moduleBytes, moduleBlocks), Md.kib(moduleBytes)));
        rows.add(List.of(Md.f("C driver, %,d open at once: live bytes per interpreter", k), Md.f("%,.0f B", livePer),
                Md.kib(livePer)));
        rows.add(List.of("… malloc's in-use bytes per interpreter (its block headers and rounding)",
                Md.f("%,.0f B", mallocPer), Md.kib(mallocPer)));
        rows.add(List.of("… resident set growth per interpreter (pages, the allocator's free space)",
                Md.f("%,.0f B", rssPer), Md.kib(rssPer)));
        md.table(List.of("", "bytes", ""), rows);
        s.budget("idle interpreter + counter imported: native bytes (steady)", Md.f("%,d B = %s", total, Md.kib(total)),
                "≤ 16 KiB", total <= 16 * 1024);
    }

    private static long importRaw(long raw, Wire w) {
        w.reset();
        w.str("counter");
        if (NativeBridge.importModule(raw, w) != NativeBridge.OK) {
            throw new IllegalStateException("import counter failed");
        }
        w.flipForRead();
        if (w.readTag() != Wire.HANDLE) throw new IllegalStateException("import counter: no handle");
        return w.readRawInt64();
    }
}
