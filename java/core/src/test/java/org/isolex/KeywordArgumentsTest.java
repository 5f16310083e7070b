package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * ABI 1.2: keyword calls and IxArg_Parse (ABI.md 4.13, 4.14, 12.6) from Java: test-ext
 * kwfuncs called with {@link Arguments}, every message exact, two interpreters at once.
 */
class KeywordArgumentsTest extends NativeTestBase {

    private static List<Object> list(Object... items) {
        return Arrays.asList(items);
    }

    /** One interpreter's calls: results and messages. */
    private static String exercise(Interpreter interp) {
        ExtensionModule m = interp.importModule("kwfuncs");
        assertEquals(list(1L, null, null), m.invoke("span", Arguments.of(1L)));
        assertEquals(list(1L, 2L, 3L), m.invoke("span", Arguments.of(1L, 2L).keyword("step", 3L)));
        assertEquals(list(1L, null, 3L), m.invoke("span", Arguments.of().keyword("step", 3L).keyword("a", 1L)));
        assertEquals(list(1L, 2L), m.invoke("pair", Arguments.of().keyword("y", 2L).keyword("x", 1L)));
        assertEquals("v", m.invoke("only_kw", Arguments.of().keyword("key", "v")));
        assertEquals(list("k"), m.invoke("names", Arguments.of(1L).keyword("k", 2L)));
        assertEquals(null, m.invoke("names", Arguments.of(1L)), "no keyword: the old request, kwnames NULL");
        assertEquals(7L, m.invoke("plain", Arguments.of(7L)));
        try (Handle span = (Handle) m.getAttr("span")) {
            assertEquals(list(4L, null, 5L), span.call(Arguments.of(4L).keyword("step", 5L)));
        }

        assertNativeError("TypeError", "span() missing required argument 'a' (pos 1)",
                () -> m.invoke("span", Arguments.of()));
        assertNativeError("TypeError", "span() takes at most 2 positional arguments (3 given)",
                () -> m.invoke("span", Arguments.of(1L, 2L, 3L)));
        assertNativeError("TypeError", "span() got an unexpected keyword argument 'c'",
                () -> m.invoke("span", Arguments.of(1L).keyword("c", 2L)));
        assertNativeError("TypeError", "span() got multiple values for argument 'a'",
                () -> m.invoke("span", Arguments.of(1L).keyword("a", 2L)));
        assertNativeError("TypeError", "pair() missing required argument 'y' (pos 2)",
                () -> m.invoke("pair", Arguments.of().keyword("x", 1L)));
        assertNativeError("TypeError", "pair() takes exactly 2 arguments (3 given)",
                () -> m.invoke("pair", Arguments.of(1L, 2L, 3L)));
        assertNativeError("TypeError", "only_kw() missing required keyword-only argument 'key'",
                () -> m.invoke("only_kw", Arguments.of()));
        assertNativeError("TypeError", "only_kw() takes no positional arguments (1 given)",
                () -> m.invoke("only_kw", Arguments.of(1L)));
        assertNativeError("TypeError", "kwfuncs.plain() takes no keyword arguments",
                () -> m.invoke("plain", Arguments.of(1L).keyword("x", 2L)));
        return (String) m.invoke("only_kw", Arguments.of().keyword("key", interp.toString()));
    }

    @Test
    void twoInterpretersAtOnceWithEveryMessage() throws Exception {
        try (Host host = newHost(); Interpreter a = host.newInterpreter(); Interpreter b = host.newInterpreter()) {
            List<String> names = Together.run(2, i -> () -> exercise(i == 0 ? a : b));
            assertEquals(List.of(a.toString(), b.toString()), names);
        }
    }

    @Test
    void debugModeChecksTheNewEntries() {
        try (Host host = track(Host.builder().modulePath(EXTENSIONS, TEST_EXT).debug(true).build());
                Interpreter a = host.newInterpreter()) {
            exercise(a);
        }
    }

    @Test
    void argumentsAreAnImmutableValue() {
        Arguments base = Arguments.of(1L, null);
        Arguments more = base.keyword("step", 3L);
        assertEquals("(1, null)", base.toString());
        assertEquals("(1, null, step=3)", more.toString());
        assertEquals(list(1L, null), more.positional());
        assertEquals(Map.of("step", 3L), more.keywords());
        assertEquals(Map.of(), base.keywords());
        assertThrowsMessage(IllegalArgumentException.class, "keyword argument 'step' given twice",
                () -> more.keyword("step", 4L));
        assertThrowsMessage(IllegalArgumentException.class, "keyword name contains a NUL character (at index 1): \"a\\0b\"",
                () -> base.keyword("a\0b", 1L));
        assertThrows(NullPointerException.class, () -> base.keyword(null, 1L));
        assertThrows(UnsupportedOperationException.class, () -> more.positional().add(2L));
        assertEquals(list((Object) null), Arguments.of((Object[]) null).positional());
    }
}
