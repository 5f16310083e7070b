package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * Damaged library files and hostile definitions (test-ext/README.md, "Damaged and hostile
 * libraries"; abi/ABI.md 4.1, 4.2), and a create slot's non-module whose type only the library
 * defines (ABI.md 5.2). Every one of these killed the JVM before the loader checked them
 * (SIGBUS in the dynamic loader, SIGSEGV in the definition check or on the first call), so
 * they run in a child JVM ({@link HostileLoadingChild}): a regression fails this test, not the
 * suite. The child must print the exact error for each, stay usable, and end with nothing
 * loaded and no native byte live.
 */
class HostileLoadingTest {
    private static final Path TEST_EXT = Path.of(System.getProperty("isolex.testext.dir")).toAbsolutePath().normalize();
    private static final Path DAMAGED = TEST_EXT.resolveSibling("test-ext-damaged");
    private static final Path EXTENSIONS = Path.of(System.getProperty("isolex.extensions.dir")).toAbsolutePath().normalize();

    /** module -> the expected line after "module -> ", '*' standing for a number or an address. */
    private static Map<String, String> expected() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String k : List.of("1", "2", "4", "8")) {
            String name = "trunc_" + k + "k";
            m.put(name, "ImportError: cannot load module '" + name + "' from " + DAMAGED + "/" + name + ".so: truncated:"
                    + " loadable segment * ends at byte * of a file of " + Integer.parseInt(k) * 1024 + " bytes");
        }
        m.put("trunc_16k", "ImportError: module 'trunc_16k' at " + DAMAGED + "/trunc_16k.so defines neither"
                + " IxInit_trunc_16k nor IxInitLegacy_trunc_16k");
        damaged(m, "machine_aarch64", "built for AArch64; this host is x86-64");
        damaged(m, "class_32", "a 32-bit ELF file; this host's libraries are 64-bit");
        damaged(m, "type_exec", "not a shared library (ELF type EXEC, an executable)");
        damaged(m, "no_dynamic", "no dynamic section");
        damaged(m, "empty", "not an ELF file");
        damaged(m, "relaent_12", "dynamic entry DT_RELAENT is 12, expected 24"); // ld.so asserted: exit 127
        damaged(m, "strtab_outside", "dynamic entry DT_STRTAB (0x100000, * bytes) lies outside the library's loaded"
                + " file bytes");
        damaged(m, "reloc_readonly", "relocation 0 of DT_RELA writes at 0x1000, outside the library's writable"
                + " segments");
        m.put("hostile_init_data", "ImportError: module 'hostile_init_data' at " + TEST_EXT
                + "/hostile_init_data.so: IxInit_hostile_init_data is a data object, not a function");
        m.put("hostile_init_wild", "ImportError: module 'hostile_init_wild': IxInit_hostile_init_wild returned a"
                + " pointer outside the library's memory (0x10)");
        hostile(m, "hostile_name_wild", "the definition's name points outside the library's memory (0x20)");
        hostile(m, "hostile_slots_wild", "the slot table points outside the library's memory (0x40)");
        hostile(m, "hostile_method_name_wild", "the name of method 1 points outside the library's memory (0x30)");
        hostile(m, "hostile_method_func_data", "the function of method 'm' is not in the library's code (0x*)");
        hostile(m, "hostile_typed_def_wild", "the function of method 'm' (an IxTypedDef) points outside the library's"
                + " memory (0x30)"); // ABI 1.3
        hostile(m, "hostile_typed_func_data", "the typed function of method 'm' is not in the library's code (0x*)");
        hostile(m, "hostile_noterm", "the method table runs past the end of the library's memory (no terminator)");
        hostile(m, "hostile_many", "the method table has more than 4096 entries (no terminator?)");
        hostile(m, "hostile_long_name", "the definition's name is longer than 1024 bytes");
        m.put("create_nonmodule_type", "ok, ping() pong, repr <Thing>, libraries 1");
        m.put("counter", "ok");
        return m;
    }

    private static void damaged(Map<String, String> m, String name, String why) {
        m.put(name, "ImportError: cannot load module '" + name + "' from " + DAMAGED + "/" + name + ".so: " + why);
    }

    private static void hostile(Map<String, String> m, String name, String what) {
        m.put(name, "SystemError: module '" + name + "': " + what);
    }

    /** The expected text as a regular expression: literal, except '*' for one or more characters. */
    private static Pattern pattern(String text) {
        StringBuilder re = new StringBuilder();
        for (String part : text.split("\\*", -1)) {
            if (re.length() > 0) re.append(".+");
            re.append(Pattern.quote(part));
        }
        return Pattern.compile(re.toString());
    }

    @Test
    void everyCaseIsAnExactErrorAndTheHostStaysUsable() throws Exception {
        Map<String, String> expected = expected();
        List<String> args = new ArrayList<>();
        args.add(DAMAGED + ":" + TEST_EXT + ":" + EXTENSIONS);
        args.addAll(expected.keySet());
        List<String> command = ChildJvm.command(HostileLoadingChild.class, args.toArray(String[]::new));
        ChildJvm.Result r = ChildJvm.run(command, Map.of(), 120);
        assertTrue(r.finished(), "the child JVM did not finish in 120 s\n" + r.describe());
        assertEquals(0, r.exitCode(), "the child JVM's exit status (a crash is 134 or more)\n" + r.describe());

        List<String> lines = r.stdout().lines().toList();
        List<String> names = new ArrayList<>(expected.keySet());
        assertEquals(names.size() + 1, lines.size(), r.describe());
        for (int i = 0; i < names.size(); i++) {
            String want = names.get(i) + " -> " + expected.get(names.get(i));
            String got = lines.get(i);
            assertTrue(pattern(want).matcher(got).matches(), "expected <" + want + ">\n     got <" + got + ">");
        }
        assertEquals("end: live bytes 0, libraries 0", lines.get(names.size()));
    }
}
