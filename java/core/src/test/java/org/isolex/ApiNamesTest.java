package org.isolex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * No public class of the API shares a simple name with a public class of the packages a
 * program imports on demand beside {@code import org.isolex.*;}: {@code java.lang} (always
 * imported), {@code java.util} and {@code java.util.concurrent}. Such a pair makes the simple
 * name ambiguous (or, against {@code java.lang}, silently the JDK's class) in the user's code,
 * as {@code Module} (java.lang.Module) and {@code Queue} (java.util.Queue) once did.
 */
class ApiNamesTest {
    static final List<String> USER_PACKAGES = List.of("java.lang", "java.util", "java.util.concurrent");

    @Test
    void noPublicApiClassSharesASimpleNameWithJavaLangOrJavaUtil() throws Exception {
        Map<String, String> jdk = new TreeMap<>();  // simple name -> its package
        for (String p : USER_PACKAGES) {
            for (String name : publicClasses(jrtPackage(p), p, null)) jdk.putIfAbsent(name, p);
        }
        // the scan sees the JDK: a guard over an empty list could never fail
        assertTrue(jdk.keySet().containsAll(List.of("Object", "Module", "List", "Queue", "ExecutorService")),
                jdk::toString);

        Path classes = Path.of(ChildJvm.location(Host.class));
        Set<String> api = publicClasses(classes.resolve("org/isolex"), "org.isolex", Host.class.getClassLoader());
        assertTrue(api.containsAll(List.of("Host", "Interpreter", "ExtensionModule", "SharedQueue", "SharedBuffer")),
                api::toString);

        Map<String, String> clashes = new TreeMap<>();
        for (String name : api) {
            if (jdk.containsKey(name)) clashes.put("org.isolex." + name, jdk.get(name) + "." + name);
        }
        assertEquals(Map.of(), clashes, "public API classes whose simple name is also a public JDK class");
    }

    /** java.base's directory of a package, in the jrt file system of the running JDK. */
    private static Path jrtPackage(String pkg) {
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        return jrt.getPath("/modules/java.base", pkg.replace('.', '/'));
    }

    /** The simple names of the public top-level classes in one package directory. */
    private static Set<String> publicClasses(Path dir, String pkg, ClassLoader loader) throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String file = f.getFileName().toString();
                if (!file.endsWith(".class") || file.contains("$") || file.equals("package-info.class")) continue;
                String name = file.substring(0, file.length() - ".class".length());
                if (isPublicClass(pkg + "." + name, loader)) names.add(name);
            }
        }
        return names;
    }

    private static boolean isPublicClass(String name, ClassLoader loader) {
        try {
            return Modifier.isPublic(Class.forName(name, false, loader).getModifiers());
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
