package org.isolex;

import java.util.Map;

import org.isolex.internal.NativeBridge;

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

    /**
     * What the module declares: its ABI version, doc, support level, state size, functions
     * with their arity, and the types it made with their methods, members and getsets
     * (abi/ABI.md 12.4). Read from the definition and the type objects; no code of the
     * extension runs.
     *
     * @return the definition, immutable
     * @throws ClosedException if this module or its interpreter is closed
     * @throws NativeError {@code TypeError} when the import gave an object that is not a
     *                     module (a create slot may return any object, ABI.md 4.4)
     */
    public ModuleDefinition definition() {
        Object reply = interpreter().op(NativeBridge.Op.DEFINITION, this, (w, hooks) -> { });
        return ModuleDefinition.of((Map<?, ?>) reply);
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
