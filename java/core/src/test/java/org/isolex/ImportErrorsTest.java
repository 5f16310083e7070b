package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every row of the first two tables of test-ext/README.md ("Loading and definitions",
 * "Create and exec"): the exact error (type, message, causes; the dynamic loader's text by
 * prefix), and afterwards the interpreter is still usable and the failed import left its live
 * bytes unchanged.
 */
class ImportErrorsTest extends NativeTestBase {

    /** This host's ABI minor, from libisolex itself ("isolex 0.1.0 (ABI 1.1)"): the version rows
     *  stay exact when the minor is raised (ABI.md 1.2). */
    static final int HOST_MINOR = hostMinor();

    private static int hostMinor() {
        Matcher m = Pattern.compile("\\(ABI 1\\.(\\d+)\\)$").matcher(Host.version());
        assertTrue(m.find(), Host.version());
        return Integer.parseInt(m.group(1));
    }

    /** module, native type, exact message (or prefix when it ends with "..."), causes. */
    static Stream<Arguments> rows() {
        String testExt = TEST_EXT.toString();
        return Stream.of(
                row("bad_init_null", "ImportError", "module 'bad_init_null': IxInit_bad_init_null returned NULL"),
                row("bad_abi_major", "ImportError", "module 'bad_abi_major' was built for isolex ABI 2.0, but this host"
                        + " implements ABI 1." + HOST_MINOR + " (the major versions must match)"),
                // bad_abi_minor declares IX_ABI_MINOR + 1: one newer than whatever this host is
                row("bad_abi_minor", "ImportError", "module 'bad_abi_minor' was built for isolex ABI 1." + (HOST_MINOR + 1)
                        + ", newer than this host's ABI 1." + HOST_MINOR),
                row("no_init", "ImportError", "module 'no_init' at " + testExt + "/no_init.so defines neither"
                        + " IxInit_no_init nor IxInitLegacy_no_init"),
                row("not_an_so", "ImportError", "cannot load module 'not_an_so' from " + testExt + "/not_an_so.so: ..."),
                row("modulé", "ImportError", "invalid module name 'modulé': a module name is ASCII letters, digits and"
                        + " '_', not starting with a digit"),
                row("does_not_exist", "ImportError", "no module named 'does_not_exist' (searched: " + EXTENSIONS + ", "
                        + testExt + ")"),
                row("bad_state_size", "SystemError", "module 'bad_state_size': state_size is negative (-8)"),
                row("bad_unknown_slot", "SystemError", "module 'bad_unknown_slot': unknown slot id 99"),
                row("bad_two_create", "SystemError", "module 'bad_two_create' has more than one create slot"),
                row("bad_two_multi", "SystemError", "module 'bad_two_multi' has more than one multiple-interpreters slot"),
                row("bad_multi_value", "SystemError", "module 'bad_multi_value': invalid multiple-interpreters value 7"),
                row("bad_slot_no_value", "SystemError", "module 'bad_slot_no_value': slot 2 has no value"),
                row("bad_slot_null_create", "SystemError", "module 'bad_slot_null_create': slot 3 has no value"),
                row("bad_name_mismatch", "SystemError", "module 'bad_name_mismatch': definition is named 'other'"),
                row("bad_no_name", "SystemError", "module 'bad_no_name': definition has no name"),
                row("bad_method_nofunc", "SystemError", "module 'bad_method_nofunc': method 'm' has no function"),
                row("bad_method_arity", "SystemError", "module 'bad_method_arity': method 'm' has min_args 2 greater than"
                        + " max_args 1"),
                row("bad_method_flags", "SystemError", "module 'bad_method_flags': method 'm' has flags 0x4, which ABI 1." + HOST_MINOR
                        + " does not define"),
                row("bad_method_defining", "SystemError", "module 'bad_method_defining': function 'm' has flag"
                        + " IX_METH_METHOD, which only a type's methods take"),
                row("bad_method_class", "SystemError", "module 'bad_method_class': function 'm' has flag"
                        + " IX_METH_CLASS, which only a type's methods take"),
                // ABI 1.3: typed signatures (ABI.md 4.32)
                row("bad_typed_letter", "SystemError", "module 'bad_typed_letter': typed method 'f' has the signature"
                        + " \"lq:l\": unknown type letter 'q' at position 2"),
                row("bad_typed_many", "SystemError", "module 'bad_typed_many': typed method 'f' has the signature"
                        + " \"lllllllll:l\": more than 8 parameters"),
                row("bad_typed_nocolon", "SystemError", "module 'bad_typed_nocolon': typed method 'f' has the signature"
                        + " \"ll\": no ':' before the result letter"),
                row("bad_typed_noresult", "SystemError", "module 'bad_typed_noresult': typed method 'f' has the"
                        + " signature \"l:\": one result letter must follow ':'"),
                row("bad_typed_nofunc", "SystemError", "module 'bad_typed_nofunc': typed method 'f' has no typed function"),
                row("bad_typed_nosig", "SystemError", "module 'bad_typed_nosig': typed method 'f' has no signature"),
                row("bad_typed_null", "SystemError", "module 'bad_typed_null': method 'f' has no function"),
                row("bad_typed_arity", "SystemError", "module 'bad_typed_arity': typed method 'f' has the signature"
                        + " \"ll:l\" of 2 parameters, but min_args 1 and max_args 1"),
                row("bad_typed_kw", "SystemError", "module 'bad_typed_kw': method 'f' has flags 0x3; IX_METH_TYPED does"
                        + " not combine with IX_METH_KEYWORDS or IX_METH_METHOD"),
                row("create_null_noerr", "SystemError", "module 'create_null_noerr': create slot returned NULL without"
                        + " setting an error"),
                row("create_value_with_err", "SystemError", "module 'create_value_with_err': create slot returned a result"
                        + " with an error set", "ValueError: create failed on purpose"),
                row("create_nonmodule_state", "SystemError", "module 'create_nonmodule_state': create slot returned a"
                        + " non-module object (dict) but the definition requests module state"),
                row("create_nonmodule_exec", "SystemError", "module 'create_nonmodule_exec': create slot returned a"
                        + " non-module object (dict) but the definition has exec slots"),
                row("create_nonmodule_methods", "SystemError", "module 'create_nonmodule_methods': create slot returned"
                        + " a non-module object (dict) but the definition has methods"),
                row("exec_fail_noerr", "SystemError", "module 'exec_fail_noerr': exec slot 2 failed without setting an"
                        + " error"),
                row("exec_ok_with_err", "SystemError", "module 'exec_ok_with_err': exec slot 1 returned success with an"
                        + " error set", "ValueError: exec failed on purpose"));
    }

    private static Arguments row(String module, String type, String message, String... causes) {
        return Arguments.of(module, type, message, causes);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void importFailsWithTheExactError(String module, String type, String message, String[] causes) {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            interp.importModule("counter").close();  // warm the interpreter's tables
            long bytes = interp.liveBytes();
            long blocks = interp.liveBlocks();
            long handles = interp.handleCount();

            for (int attempt = 1; attempt <= 2; attempt++) {  // the same error every time
                NativeError e = assertThrows(NativeError.class, () -> interp.importModule(module));
                assertEquals(type, e.typeName(), e::getMessage);
                if (message.endsWith("...")) {
                    String prefix = message.substring(0, message.length() - 3);
                    assertTrue(e.nativeMessage().startsWith(prefix) && e.nativeMessage().length() > prefix.length(),
                            () -> "expected prefix <" + prefix + ">, got <" + e.nativeMessage() + ">");
                } else {
                    assertEquals(message, e.nativeMessage());
                }
                assertEquals(type + ": " + e.nativeMessage(), e.getMessage());
                if (type.equals("ImportError")) assertInstanceOf(NativeImportError.class, e);
                if (type.equals("SystemError")) assertInstanceOf(NativeSystemError.class, e);
                NativeError c = e.getCause();
                for (String cause : causes) {
                    assertEquals(cause, c == null ? null : c.getMessage());
                    c = c.getCause();
                }
                assertNull(c, "no further cause");

                assertEquals(bytes, interp.liveBytes(), "live bytes after the failed import");
                assertEquals(blocks, interp.liveBlocks(), "live blocks after the failed import");
                assertEquals(handles, interp.handleCount(), "handles after the failed import");
            }

            // still usable
            ExtensionModule counter = interp.importModule("counter");
            try (Handle c = (Handle) counter.invoke("Counter", 41L)) {
                assertEquals(42L, c.invoke("increment"));
            }
        }
    }

    @Test
    void createMayReturnANonModuleWhenItNeedsNoStateOrExec() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            ExtensionModule m = interp.importModule("create_nonmodule_ok");
            assertEquals("create_nonmodule_ok", m.name());
            assertEquals("dict", m.typeName());
            assertEquals(Map.of("made_by", "create"), m.expand());
            assertTrue(m.sameObject(interp.importModule("create_nonmodule_ok")));
        }
    }

    /** ABI.md 2.3: the table only grows, so a module built for ABI 1.0 loads on a 1.1 host. */
    @Test
    void aModuleBuiltForAnOlderMinorVersionLoads() {
        try (Host host = newHost(); Interpreter interp = host.newInterpreter()) {
            assertEquals("pong", interp.importModule("abi_1_0").invoke("ping"));
        }
    }

    /** The list above must cover every module named in the README's first two tables. */
    @Test
    void everyReadmeRowIsCovered() throws IOException {
        Path readme = SOURCE_ROOT.resolve("test-ext/README.md");
        String text = Files.readString(readme);
        int start = text.indexOf("## Loading and definitions");
        int end = text.indexOf("## Instrumented modules");
        assertTrue(start >= 0 && end > start, "README sections not found in " + readme);
        Set<String> named = new LinkedHashSet<>();
        Matcher m = Pattern.compile("(?m)^\\| `([a-z_]+)` \\|").matcher(text.substring(start, end));
        while (m.find()) named.add(m.group(1));
        named.add("modulé");
        named.add("does_not_exist");
        named.remove("create_nonmodule_ok");  // the success row, tested above
        List<String> covered = new ArrayList<>();
        rows().forEach(a -> covered.add((String) a.get()[0]));
        assertEquals(named, new LinkedHashSet<>(covered));
    }
}
