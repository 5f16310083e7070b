package org.isolex;

/**
 * The rule for names (of modules, methods, attributes): a name must not contain a NUL
 * character. Native code takes names as NUL-terminated C strings, so
 * {@code "counter\0evil"} would silently be {@code "counter"} there; such a name is refused
 * before any native call. (libisolex refuses it too: abi/ABI.md 3.7.)
 */
final class Names {
    private Names() {}

    /**
     * Returns {@code name}, or throws an IllegalArgumentException such as
     * {@code method name contains a NUL character (at index 7): "created\0junk"} (each NUL
     * shown as {@code \0}), {@code what} being "module name", "method name" or "attribute name".
     */
    static String check(String what, String name) {
        int at = name.indexOf('\0');
        if (at >= 0) {
            throw new IllegalArgumentException(what + " contains a NUL character (at index " + at + "): \""
                    + name.replace("\0", "\\0") + "\"");
        }
        return name;
    }
}
