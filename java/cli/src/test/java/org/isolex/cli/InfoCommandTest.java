package org.isolex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.isolex.Host;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code isolex info}: what it prints for the shipped and a legacy module, and what it refuses. */
class InfoCommandTest {
    private static final Path EXTENSIONS = Path.of(System.getProperty("isolex.extensions.dir"));
    private static final Path TEST_EXT = Path.of(System.getProperty("isolex.testext.dir"));

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final Main main = new Main(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    /** The ABI this host implements ("isolex 0.1.0 (ABI 1.3)"): a module built here declares it. */
    private static final String HOST_ABI = Host.version().replaceAll(".*\\(ABI (\\d+\\.\\d+)\\)$", "$1");

    private String info(Path so) {
        bytes.reset();
        assertEquals(0, main.run(new String[] {"info", so.toString()}), () -> bytes.toString(StandardCharsets.UTF_8));
        assertEquals(0, Host.liveNativeBytes());
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void counter() {
        Path so = EXTENSIONS.resolve("counter.so").toAbsolutePath().normalize();
        String expected = String.join("\n",
                "module counter  (" + so + ")",
                "  The model extension: per-interpreter state, a heap type, a module exception.",
                "",
                "  ABI version          " + HOST_ABI,
                "  init                 multiphase: 1 exec slot",
                "  support level        IX_MOD_MULTI_PER_INTERPRETER_LOCK (3): every interpreter, in parallel",
                "  state size           32 bytes",
                "  traverse/clear/free  yes/yes/yes",
                "",
                "functions (3):",
                "  created            0 args           created() -> int: Counters made here",
                "  increments         0 args           increments() -> int: increment() calls here",
                "  value_of           1 arg            value_of(c) -> int: c.value",
                "",
                "types (2):",
                "  counter.Counter  (40 bytes, GC)",
                "    Counter(start=0, step=1): an int64 counter",
                "    slots: tp_new, tp_dealloc, tp_traverse, tp_clear, tp_repr",
                "    methods:",
                "      increment          0 args           increment() -> int: add step, return the value",
                "      add                1 arg            add(n) -> int: add n, return the value",
                "      reset              0 args           reset(): set the value to 0",
                "      get                0 args           get() -> int: the value",
                "    members:",
                "      value              int64, read-only the current value",
                "      step               int64, writable  what increment() adds",
                "    getsets:",
                "      label              writable         a str, or None",
                "  counter.CounterError  (40 bytes, exception, base Exception)",
                "    slots: tp_new, tp_dealloc, tp_traverse, tp_clear, tp_repr, tp_str",
                "",
                "closed the interpreter: 0 live native bytes, 0 extension libraries loaded",
                "native calls: " + Host.nativeCalls() + " (Java " + Runtime.version().feature() + ")",
                "");
        assertEquals(expected, info(so));
    }

    @Test
    void methodKindsAndTypeSlots() {
        String out = info(TEST_EXT.resolve("subclasses.so"));
        assertTrue(out.contains("  subclasses.Base  (32 bytes, GC, subclassable)\n"), out);
        assertTrue(out.contains("      make               1 arg            a new instance of the class it is called on"
                + " [CLASS]\n"), out);
        assertTrue(out.contains("      doubled            1 arg            [STATIC]\n"), out);
        assertTrue(out.contains("      defining           0 args           the class that defines this method [METHOD]\n"),
                out);
        String kw = info(TEST_EXT.resolve("initfinal.so"));
        assertTrue(kw.contains("  initfinal.Point  (32 bytes, subclassable)\n    slots: tp_new, tp_init\n"), kw);
        assertTrue(kw.contains("  initfinal.KwNew  (32 bytes)\n    slots: tp_new_kw, tp_dealloc\n"), kw);
        assertTrue(kw.contains("    slots: tp_new, tp_finalize, tp_dealloc, tp_traverse, tp_clear\n"), kw);
        // ABI 1.2 (ABI.md 12.30): attribute, number and buffer slots; the managed flags
        String attrs = info(TEST_EXT.resolve("attrs.so"));
        assertTrue(attrs.contains("  attrs.Xo  (24 bytes, GC)\n    slots: tp_dealloc, tp_traverse, tp_clear, tp_getattro,"
                + " tp_setattro\n"), attrs);
        assertTrue(attrs.contains("  attrs.Box  (24 bytes, subclassable, instance dict)\n"), attrs);
        assertTrue(attrs.contains("  attrs.SubBox  (32 bytes, base attrs.Box, instance dict)\n"), attrs);
        assertTrue(attrs.contains("  attrs.WeakBox  (24 bytes, instance dict, weak references)\n"), attrs);
        String num = info(TEST_EXT.resolve("numeric.so"));
        assertTrue(num.contains("  numeric.Num  (24 bytes, subclassable)\n    slots: tp_repr, nb_add, nb_subtract,"
                + " nb_multiply, nb_negative, nb_bool, nb_int, nb_float, nb_index, nb_inplace_add\n"), num);
        String buf = info(TEST_EXT.resolve("buffers.so"));
        assertTrue(buf.contains(", bf_getbuffer, bf_releasebuffer\n"), buf);
        String fns = info(TEST_EXT.resolve("kwfuncs.so"));
        assertTrue(fns.contains(" [KEYWORDS]\n"), fns);
        String typed = info(TEST_EXT.resolve("typed.so")); // ABI 1.3: typed functions
        assertTrue(typed.contains("add1(x: l) -> l: x + 1 [TYPED]\n"), typed);
    }

    @Test
    void legacyModule() {
        String out = info(TEST_EXT.resolve("legacy_point.so"));
        assertTrue(out.contains("  init                 legacy single-phase (IX_LEGACY_MODINIT)\n"), out);
        assertTrue(out.contains("  support level        IX_MOD_MULTI_NOT_SUPPORTED (1): one interpreter of the"
                + " process at a time, as every legacy module\n"), out);
        assertTrue(out.contains("  legacy_point.Line  (48 bytes, static (legacy))\n"), out);
        assertTrue(out.contains("      x1                 double, writable\n"), out);
    }

    @Test
    void aCreateSlotsNonModuleHasNoDefinition() {
        Main.Failure e = assertThrows(Main.Failure.class,
                () -> main.run(new String[] {"info", TEST_EXT.resolve("create_nonmodule_ok.so").toString()}));
        assertEquals(1, e.status);
        assertEquals("info: importing create_nonmodule_ok gave a dict, not a module (a create slot may return any"
                + " object, ABI.md 4.4): there is no definition to show", e.getMessage());
        assertEquals(0, Host.liveNativeBytes());
    }

    @Test
    void refusals(@TempDir Path tmp) throws IOException {
        assertEquals("info: 'notes.txt' is not a .so file (an extension is NAME.so)", refusal("notes.txt"));
        Path missing = tmp.resolve("gone.so");
        assertEquals("info: no such file: " + missing, refusal(missing.toString()));
        Path badName = Files.writeString(tmp.resolve("my-ext.so"), "");
        assertEquals("info: 'my-ext.so': the module name 'my-ext' is not an identifier, so no import can name it",
                refusal(badName.toString()));
        assertEquals("info: give one LIB.so (got 0 arguments)", refusal());
    }

    private String refusal(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "info";
        System.arraycopy(args, 0, all, 1, args.length);
        Main.UsageException e = assertThrows(Main.UsageException.class, () -> main.run(all));
        assertEquals("info", e.command);
        return e.getMessage();
    }
}
