package org.isolex;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What an extension module declares, as {@link ExtensionModule#definition()} reads it from
 * the module's {@code IxModuleDef} and the type objects it added to itself (abi/ABI.md 12.4):
 * nothing of the extension runs to produce it. Immutable.
 *
 * <pre>{@code
 * ModuleDefinition d = interp.importModule("counter").definition();
 * d.supportLevel();                      // PER_INTERPRETER_LOCK
 * d.functions().get(2).name();           // "value_of", minArgs 1, maxArgs 1
 * d.types().get(0).methods().size();     // 4: increment, add, reset, get
 * }</pre>
 *
 * @param name the module's name ({@code IxModuleDef.name})
 * @param doc its doc string, or null when it has none
 * @param abiMajor the ABI major version it was built for ({@code IX_ABI_MAJOR} of its header)
 * @param abiMinor the ABI minor version it was built for
 * @param legacy true for a single-phase module ({@code IX_LEGACY_MODINIT}, ABI.md 7)
 * @param supportLevel how it may be used by several interpreters: the level in effect, which
 *                     is {@link SupportLevel#NOT_SUPPORTED} for a legacy module and
 *                     {@link SupportLevel#PER_INTERPRETER_LOCK} for a multiphase module
 *                     without the slot (ABI.md 4.9)
 * @param supportLevelDeclared true when the definition has an
 *                             {@code IX_MOD_MULTIPLE_INTERPRETERS} slot
 * @param stateSize bytes of per-interpreter module state ({@code state_size})
 * @param hasCreate true when it has an {@code IX_MOD_CREATE} slot
 * @param execSlots how many {@code IX_MOD_EXEC} slots it has
 * @param hasTraverse true when it defines {@code traverse}
 * @param hasClear true when it defines {@code clear}
 * @param hasFree true when it defines {@code free}
 * @param functions its module functions, in declaration order
 * @param types the type objects the extension made and added to the module (heap types,
 *              exception types, a legacy module's static types), in the order they were added
 * @param attributes the module's other attributes (constants and the like), in the order
 *                   they were added
 */
public record ModuleDefinition(String name, String doc, int abiMajor, int abiMinor, boolean legacy,
        SupportLevel supportLevel, boolean supportLevelDeclared, long stateSize, boolean hasCreate,
        int execSlots, boolean hasTraverse, boolean hasClear, boolean hasFree, List<MethodDef> functions,
        List<TypeDef> types, List<Attribute> attributes) {

    /**
     * Checks the arguments and copies the lists.
     *
     * @param name see {@link #name()}
     * @param doc see {@link #doc()}
     * @param abiMajor see {@link #abiMajor()}
     * @param abiMinor see {@link #abiMinor()}
     * @param legacy see {@link #legacy()}
     * @param supportLevel see {@link #supportLevel()}
     * @param supportLevelDeclared see {@link #supportLevelDeclared()}
     * @param stateSize see {@link #stateSize()}
     * @param hasCreate see {@link #hasCreate()}
     * @param execSlots see {@link #execSlots()}
     * @param hasTraverse see {@link #hasTraverse()}
     * @param hasClear see {@link #hasClear()}
     * @param hasFree see {@link #hasFree()}
     * @param functions see {@link #functions()}
     * @param types see {@link #types()}
     * @param attributes see {@link #attributes()}
     * @throws NullPointerException if name, supportLevel or a list is null
     */
    public ModuleDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(supportLevel, "supportLevel");
        functions = List.copyOf(functions);
        types = List.copyOf(types);
        attributes = List.copyOf(attributes);
    }

    /**
     * The value of slot {@code IX_MOD_MULTIPLE_INTERPRETERS} (abi/ABI.md 4.9): whether, and
     * how, a module's code may run in several interpreters.
     */
    public enum SupportLevel {
        /** {@code IX_MOD_MULTI_NOT_SUPPORTED}: one interpreter of the process at a time. */
        NOT_SUPPORTED,
        /** {@code IX_MOD_MULTI_SHARED_LOCK}: every interpreter, one process-wide lock around its code. */
        SHARED_LOCK,
        /** {@code IX_MOD_MULTI_PER_INTERPRETER_LOCK}: every interpreter, in parallel. */
        PER_INTERPRETER_LOCK;

        /**
         * The slot's value in C.
         *
         * @return 1, 2 or 3
         */
        public int value() {
            return ordinal() + 1;
        }

        /**
         * The C macro of this level.
         *
         * @return e.g. {@code "IX_MOD_MULTI_PER_INTERPRETER_LOCK"}
         */
        public String macroName() {
            return "IX_MOD_MULTI_" + name();
        }

        /**
         * The level of a slot value.
         *
         * @param value 1, 2 or 3
         * @return the level
         * @throws IllegalArgumentException for any other value
         */
        public static SupportLevel of(int value) {
            if (value < 1 || value > 3) throw new IllegalArgumentException("no multiple-interpreters level " + value);
            return values()[value - 1];
        }
    }

    /**
     * A module function or a method ({@code IxMethodDef}).
     *
     * @param name its name
     * @param minArgs the fewest positional arguments it accepts
     * @param maxArgs the most it accepts, or {@link #VARARGS} for no limit
     * @param doc its doc string, or null
     * @param flags its {@code IX_METH_*} flags (ABI 1.2, abi/ABI.md 12.30): see
     *              {@link #kinds()}; 0 for a plain function or method
     */
    public record MethodDef(String name, int minArgs, int maxArgs, String doc, int flags) {
        /** {@code maxArgs} of a function that takes any number of arguments ({@code IX_VARARGS}). */
        public static final int VARARGS = -1;
        /** {@code IX_METH_KEYWORDS}: it takes keyword arguments (ABI 1.2). */
        public static final int KEYWORDS = 0x1;
        /** {@code IX_METH_CLASS}: a class method (ABI 1.2). */
        public static final int CLASS = 0x10;
        /** {@code IX_METH_STATIC}: a static method (ABI 1.2). */
        public static final int STATIC = 0x20;
        /** {@code IX_METH_METHOD}: it receives its defining class (ABI 1.2). */
        public static final int METHOD = 0x200;
        /** {@code IX_METH_TYPED}: a typed function, see {@link TypedFunction} (ABI 1.3). */
        public static final int TYPED = 0x2;

        /**
         * Checks the name.
         *
         * @param name see {@link #name()}
         * @param minArgs see {@link #minArgs()}
         * @param maxArgs see {@link #maxArgs()}
         * @param doc see {@link #doc()}
         * @param flags see {@link #flags()}
         * @throws NullPointerException if name is null
         */
        public MethodDef {
            Objects.requireNonNull(name, "name");
        }

        /**
         * A function or method without flags, as an ABI 1.1 module declares them.
         *
         * @param name see {@link #name()}
         * @param minArgs see {@link #minArgs()}
         * @param maxArgs see {@link #maxArgs()}
         * @param doc see {@link #doc()}
         * @throws NullPointerException if name is null
         */
        public MethodDef(String name, int minArgs, int maxArgs, String doc) {
            this(name, minArgs, maxArgs, doc, 0);
        }

        /**
         * Its flags by name, in the order KEYWORDS, METHOD, CLASS, STATIC, TYPED (ABI 1.3).
         *
         * @return e.g. {@code ["KEYWORDS", "CLASS"]}; empty for none
         */
        public List<String> kinds() {
            List<String> out = new ArrayList<>();
            if ((flags & KEYWORDS) != 0) out.add("KEYWORDS");
            if ((flags & METHOD) != 0) out.add("METHOD");
            if ((flags & CLASS) != 0) out.add("CLASS");
            if ((flags & STATIC) != 0) out.add("STATIC");
            if ((flags & TYPED) != 0) out.add("TYPED");
            return out;
        }

        /**
         * Whether it takes any number of arguments from {@code minArgs} up.
         *
         * @return true when {@code maxArgs} is {@link #VARARGS}
         */
        public boolean isVarargs() {
            return maxArgs == VARARGS;
        }
    }

    /**
     * A type the extension made ({@code IxTypeSpec}, as the type object holds it).
     *
     * @param name its full dotted name, e.g. {@code "counter.Counter"}
     * @param doc its doc string ({@code IX_tp_doc}), or null
     * @param basicSize the size of an instance in bytes, header included
     * @param gc true for {@code IX_TPFLAGS_HAVE_GC}
     * @param exception true for an exception type ({@code IxErr_NewException})
     * @param staticType true for a legacy module's static type ({@code IxType_ReadyStatic})
     * @param base the full name of its base type, or null for none
     * @param methods its methods ({@code IX_tp_methods}), in declaration order
     * @param members its members ({@code IX_tp_members}), in declaration order
     * @param getsets its getsets ({@code IX_tp_getset}), in declaration order
     * @param baseType true for {@code IX_TPFLAGS_BASETYPE}: it may be a base (ABI 1.2)
     * @param slots the hooks it has, its own or inherited, by slot name ({@code "tp_new"},
     *              {@code "tp_init"}, {@code "tp_getattro"}, {@code "nb_add"},
     *              {@code "bf_getbuffer"}, ...; ABI 1.2, abi/ABI.md 12.30)
     * @param flags its {@code IX_TPFLAGS_*} bits ({@link #HAVE_GC}, {@link #BASETYPE},
     *              {@link #MANAGED_DICT}, {@link #MANAGED_WEAKREF}), its spec's and those it
     *              inherits (ABI 1.2, abi/ABI.md 12.30); {@link #flagNames()} names them
     */
    public record TypeDef(String name, String doc, long basicSize, boolean gc, boolean exception,
            boolean staticType, String base, List<MethodDef> methods, List<MemberDef> members,
            List<GetSetDef> getsets, boolean baseType, List<String> slots, int flags) {
        /** {@code IX_TPFLAGS_HAVE_GC}: instances hold references and take part in collection. */
        public static final int HAVE_GC = 1;
        /** {@code IX_TPFLAGS_BASETYPE}: the type may be a base (ABI 1.2). */
        public static final int BASETYPE = 1 << 1;
        /** {@code IX_TPFLAGS_MANAGED_DICT}: the host keeps an instance dict (ABI 1.2, ABI.md 5.42). */
        public static final int MANAGED_DICT = 1 << 2;
        /** {@code IX_TPFLAGS_MANAGED_WEAKREF}: instances can be weakly referenced (ABI 1.2, ABI.md 5.43). */
        public static final int MANAGED_WEAKREF = 1 << 3;

        /**
         * Checks the name and copies the lists.
         *
         * @param name see {@link #name()}
         * @param doc see {@link #doc()}
         * @param basicSize see {@link #basicSize()}
         * @param gc see {@link #gc()}
         * @param exception see {@link #exception()}
         * @param staticType see {@link #staticType()}
         * @param base see {@link #base()}
         * @param methods see {@link #methods()}
         * @param members see {@link #members()}
         * @param getsets see {@link #getsets()}
         * @param baseType see {@link #baseType()}
         * @param slots see {@link #slots()}
         * @param flags see {@link #flags()}
         * @throws NullPointerException if name or a list is null
         */
        public TypeDef {
            Objects.requireNonNull(name, "name");
            methods = List.copyOf(methods);
            members = List.copyOf(members);
            getsets = List.copyOf(getsets);
            slots = List.copyOf(slots);
        }

        /**
         * A type described without its flags field, as before it was added: the flags are
         * {@link #HAVE_GC} for {@code gc} and {@link #BASETYPE} for {@code baseType}.
         *
         * @param name see {@link #name()}
         * @param doc see {@link #doc()}
         * @param basicSize see {@link #basicSize()}
         * @param gc see {@link #gc()}
         * @param exception see {@link #exception()}
         * @param staticType see {@link #staticType()}
         * @param base see {@link #base()}
         * @param methods see {@link #methods()}
         * @param members see {@link #members()}
         * @param getsets see {@link #getsets()}
         * @param baseType see {@link #baseType()}
         * @param slots see {@link #slots()}
         * @throws NullPointerException if name or a list is null
         */
        public TypeDef(String name, String doc, long basicSize, boolean gc, boolean exception, boolean staticType,
                String base, List<MethodDef> methods, List<MemberDef> members, List<GetSetDef> getsets,
                boolean baseType, List<String> slots) {
            this(name, doc, basicSize, gc, exception, staticType, base, methods, members, getsets, baseType, slots,
                    (gc ? HAVE_GC : 0) | (baseType ? BASETYPE : 0));
        }

        /**
         * Its flags by name, in bit order.
         *
         * @return e.g. {@code ["HAVE_GC", "MANAGED_DICT"]}; empty for none
         */
        public List<String> flagNames() {
            List<String> out = new ArrayList<>();
            if ((flags & HAVE_GC) != 0) out.add("HAVE_GC");
            if ((flags & BASETYPE) != 0) out.add("BASETYPE");
            if ((flags & MANAGED_DICT) != 0) out.add("MANAGED_DICT");
            if ((flags & MANAGED_WEAKREF) != 0) out.add("MANAGED_WEAKREF");
            return out;
        }
    }

    /**
     * A member: a field of the instance exposed as an attribute ({@code IxMemberDef}).
     *
     * @param name its name
     * @param kind its C type: {@code "int64"}, {@code "int32"}, {@code "double"},
     *             {@code "bool"} or {@code "object"} ({@code IX_T_*})
     * @param readOnly true for {@code IX_READONLY}
     * @param doc its doc string, or null
     */
    public record MemberDef(String name, String kind, boolean readOnly, String doc) {
        /**
         * Checks the name and kind.
         *
         * @param name see {@link #name()}
         * @param kind see {@link #kind()}
         * @param readOnly see {@link #readOnly()}
         * @param doc see {@link #doc()}
         * @throws NullPointerException if name or kind is null
         */
        public MemberDef {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
        }
    }

    /**
     * A computed attribute ({@code IxGetSetDef}).
     *
     * @param name its name
     * @param writable true when it has a setter
     * @param doc its doc string, or null
     */
    public record GetSetDef(String name, boolean writable, String doc) {
        /**
         * Checks the name.
         *
         * @param name see {@link #name()}
         * @param writable see {@link #writable()}
         * @param doc see {@link #doc()}
         * @throws NullPointerException if name is null
         */
        public GetSetDef {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * Any other attribute of the module.
     *
     * @param name the attribute's name
     * @param typeName the full name of its value's type, e.g. {@code "int"}
     */
    public record Attribute(String name, String typeName) {
        /**
         * Checks the arguments.
         *
         * @param name see {@link #name()}
         * @param typeName see {@link #typeName()}
         * @throws NullPointerException if either is null
         */
        public Attribute {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(typeName, "typeName");
        }
    }

    // ------------------------------------------------------------------ from the wire

    /** The dict ixh_module_definition answers (isolex_host.h), as the wire decodes it. */
    static ModuleDefinition of(Map<?, ?> d) {
        return new ModuleDefinition((String) d.get("name"), (String) d.get("doc"), integer(d, "abi_major"),
                integer(d, "abi_minor"), flag(d, "legacy"), SupportLevel.of(integer(d, "multiple_interpreters")),
                flag(d, "multiple_interpreters_declared"), (Long) d.get("state_size"), flag(d, "create"),
                integer(d, "exec_slots"), flag(d, "traverse"), flag(d, "clear"), flag(d, "free"),
                each(d.get("functions"), ModuleDefinition::method),
                each(d.get("types"), t -> type((Map<?, ?>) t)),
                each(d.get("attributes"), a -> new Attribute((String) item(a, 0), (String) item(a, 1))));
    }

    private static TypeDef type(Map<?, ?> t) {
        return new TypeDef((String) t.get("name"), (String) t.get("doc"), (Long) t.get("basic_size"),
                flag(t, "gc"), flag(t, "exception"), flag(t, "static"), (String) t.get("base"),
                each(t.get("methods"), ModuleDefinition::method),
                each(t.get("members"), m -> new MemberDef((String) item(m, 0), (String) item(m, 1),
                        (Boolean) item(m, 2), (String) item(m, 3))),
                each(t.get("getsets"), g -> new GetSetDef((String) item(g, 0), (Boolean) item(g, 1),
                        (String) item(g, 2))),
                flag(t, "basetype"), each(t.get("slots"), s -> (String) s), integer(t, "flags"));
    }

    private static MethodDef method(Object m) {
        return new MethodDef((String) item(m, 0), Math.toIntExact((Long) item(m, 1)),
                Math.toIntExact((Long) item(m, 2)), (String) item(m, 3), Math.toIntExact((Long) item(m, 4)));
    }

    private static Object item(Object tuple, int i) {
        return ((List<?>) tuple).get(i);
    }

    private static int integer(Map<?, ?> d, String key) {
        return Math.toIntExact((Long) d.get(key));
    }

    private static boolean flag(Map<?, ?> d, String key) {
        return (Boolean) d.get(key);
    }

    private static <T> List<T> each(Object list, Function<Object, T> f) {
        List<T> out = new ArrayList<>();
        for (Object o : (List<?>) list) out.add(f.apply(o));
        return out;
    }
}
