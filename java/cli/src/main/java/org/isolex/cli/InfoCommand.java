package org.isolex.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.isolex.ExtensionModule;
import org.isolex.Host;
import org.isolex.Interpreter;
import org.isolex.LeakException;
import org.isolex.ModuleDefinition;
import org.isolex.ModuleDefinition.GetSetDef;
import org.isolex.ModuleDefinition.MemberDef;
import org.isolex.ModuleDefinition.MethodDef;
import org.isolex.ModuleDefinition.SupportLevel;
import org.isolex.ModuleDefinition.TypeDef;
import org.isolex.cli.Main.Failure;
import org.isolex.cli.Main.UsageException;

/**
 * {@code isolex info LIB.so}: imports the module into a throw-away interpreter, prints what
 * it declares ({@link org.isolex.ExtensionModule#definition()}), closes it and checks that no
 * native byte is left.
 */
final class InfoCommand {
    static final String HELP = String.join("\n",
            "usage: isolex info LIB.so",
            "",
            "imports the module LIB.so declares (its name is the file name without .so, its",
            "directory the module path) into a throw-away interpreter and prints what it",
            "declares: ABI version, name, doc, support level (IX_MOD_MULTIPLE_INTERPRETERS),",
            "state size, functions with their arity, types with their methods, members and",
            "getsets. Then it closes the interpreter and checks that no native byte is left.",
            "Its exec slots run (that is how a module makes its types); none of its functions",
            "is called. Exit status: 0; 1 when it does not import or its close finds a leak; 2 usage error.");

    private InfoCommand() {}

    static int run(List<String> args, PrintStream out) {
        if (args.size() != 1) throw new UsageException("info: give one LIB.so (got " + args.size() + " arguments)", "info");
        Path so = Path.of(args.get(0)).toAbsolutePath().normalize();
        String file = so.getFileName().toString();
        if (!file.endsWith(".so")) {
            throw new UsageException("info: '" + args.get(0) + "' is not a .so file (an extension is NAME.so)", "info");
        }
        if (!Files.isRegularFile(so)) throw new UsageException("info: no such file: " + args.get(0), "info");
        String name = file.substring(0, file.length() - 3);
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new UsageException("info: '" + file + "': the module name '" + name
                    + "' is not an identifier, so no import can name it", "info");
        }

        ModuleDefinition d = null;
        LeakException leak = null;
        try (Host host = Host.builder().modulePath(so.getParent()).build();
             Interpreter interp = host.newInterpreter()) {
            ExtensionModule m = interp.importModule(name);
            if (!m.typeName().equals("module")) {
                throw new Failure(1, "info: importing " + name + " gave a " + m.typeName() + ", not a module (a"
                        + " create slot may return any object, ABI.md 4.4): there is no definition to show");
            }
            d = m.definition();
        } catch (LeakException e) { // its exec or free left something behind: still show what it declares
            if (d == null) throw e;
            leak = e;
        }
        print(d, so, out);
        long live = Host.liveNativeBytes();
        out.println();
        out.printf("closed the interpreter: %d live native bytes, %d extension libraries loaded%s%n", live,
                Host.loadedLibraries(), live == 0 ? "" : "  (LEAK!)");
        out.printf("native calls: %s (Java %d)%n", Host.nativeCalls(), Runtime.version().feature());
        if (leak != null) out.println("but the close found a leak: " + leak.getMessage());
        return live == 0 && leak == null ? 0 : 1;
    }

    static void print(ModuleDefinition d, Path so, PrintStream out) {
        out.printf("module %s  (%s)%n", d.name(), so);
        if (d.doc() != null) out.println("  " + d.doc());
        out.println();
        row(out, "ABI version", d.abiMajor() + "." + d.abiMinor());
        row(out, "init", d.legacy() ? "legacy single-phase (IX_LEGACY_MODINIT)"
                : "multiphase: " + plural(d.execSlots(), "exec slot") + (d.hasCreate() ? ", a create slot" : ""));
        row(out, "support level", d.supportLevel().macroName() + " (" + d.supportLevel().value() + "): "
                + meaning(d.supportLevel()) + (d.legacy() ? ", as every legacy module"
                        : d.supportLevelDeclared() ? "" : ", the default (no slot)"));
        row(out, "state size", plural(d.stateSize(), "byte"));
        row(out, "traverse/clear/free", (d.hasTraverse() ? "yes" : "no") + "/" + (d.hasClear() ? "yes" : "no") + "/"
                + (d.hasFree() ? "yes" : "no"));

        out.println();
        out.println("functions (" + d.functions().size() + "):");
        for (MethodDef f : d.functions()) method(out, "  ", f);
        out.println();
        out.println("types (" + d.types().size() + "):");
        for (TypeDef t : d.types()) type(out, t);
        if (!d.attributes().isEmpty()) {
            out.println();
            out.println("other attributes (" + d.attributes().size() + "):");
            for (ModuleDefinition.Attribute a : d.attributes()) out.printf("  %-20s %s%n", a.name(), a.typeName());
        }
    }

    private static void type(PrintStream out, TypeDef t) {
        StringBuilder what = new StringBuilder(plural(t.basicSize(), "byte"));
        if (t.gc()) what.append(", GC");
        if (t.exception()) what.append(", exception");
        if (t.staticType()) what.append(", static (legacy)");
        if (t.base() != null) what.append(", base ").append(t.base());
        if (t.baseType()) what.append(", subclassable");
        // ABI 1.2 (ABI.md 5.42-5.43): the flags GC and subclassable do not already say
        if ((t.flags() & TypeDef.MANAGED_DICT) != 0) what.append(", instance dict");
        if ((t.flags() & TypeDef.MANAGED_WEAKREF) != 0) what.append(", weak references");
        out.printf("  %s  (%s)%n", t.name(), what);
        if (t.doc() != null) out.println("    " + t.doc());
        if (!t.slots().isEmpty()) out.println("    slots: " + String.join(", ", t.slots()));
        if (!t.methods().isEmpty()) out.println("    methods:");
        for (MethodDef m : t.methods()) method(out, "      ", m);
        if (!t.members().isEmpty()) out.println("    members:");
        for (MemberDef m : t.members()) {
            line(out, "      ", m.name(), m.kind() + (m.readOnly() ? ", read-only" : ", writable"), m.doc());
        }
        if (!t.getsets().isEmpty()) out.println("    getsets:");
        for (GetSetDef g : t.getsets()) line(out, "      ", g.name(), g.writable() ? "writable" : "read-only", g.doc());
    }

    private static void method(PrintStream out, String indent, MethodDef m) {
        String kinds = m.kinds().isEmpty() ? "" : "[" + String.join(", ", m.kinds()) + "]";
        String doc = m.doc() == null ? kinds : kinds.isEmpty() ? m.doc() : m.doc() + " " + kinds;
        line(out, indent, m.name(), arity(m), doc.isEmpty() ? null : doc);
    }

    private static void line(PrintStream out, String indent, String name, String what, String doc) {
        out.println(String.format("%s%-18s %-16s %s", indent, name, what, doc == null ? "" : doc).stripTrailing());
    }

    private static void row(PrintStream out, String key, String value) {
        out.printf("  %-20s %s%n", key, value);
    }

    /** "0 args", "1 arg", "1-2 args", "1+ args". */
    static String arity(MethodDef m) {
        if (m.isVarargs()) return m.minArgs() + "+ args";
        String n = m.minArgs() == m.maxArgs() ? String.valueOf(m.minArgs()) : m.minArgs() + "-" + m.maxArgs();
        return n + (m.maxArgs() == 1 && m.minArgs() == 1 ? " arg" : " args");
    }

    private static String meaning(SupportLevel level) {
        switch (level) {
            case NOT_SUPPORTED: return "one interpreter of the process at a time";
            case SHARED_LOCK: return "every interpreter, its code under one process-wide lock";
            default: return "every interpreter, in parallel";
        }
    }

    private static String plural(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
