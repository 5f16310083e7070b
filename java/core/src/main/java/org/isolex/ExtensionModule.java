package org.isolex;

/**
 * A module instance, as {@link Interpreter#importModule(String)} returns it: a {@link Handle}
 * whose attributes are the module's functions, types and constants. (Not named {@code Module}:
 * with {@code import org.isolex.*;} that name would be ambiguous with {@code java.lang.Module}.)
 *
 * <pre>{@code
 * ExtensionModule counter = interp.importModule("counter");
 * long made = (Long) counter.invoke("created");
 * }</pre>
 */
public final class ExtensionModule extends Handle {
    private final String name;

    ExtensionModule(Interpreter interp, long id, String typeName, String name) {
        super(interp, id, typeName);
        this.name = name;
    }

    /** {@return the name it was imported by} */
    public String name() {
        return name;
    }

    @Override
    String what() {
        return "module " + name;
    }

    @Override
    public String toString() {
        return "ExtensionModule[" + name + " in interpreter " + interpreter().id()
                + (isClosed() ? ", closed" : "") + "]";
    }
}
