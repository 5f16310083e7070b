package org.isolex;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.bytedeco.javacpp.Loader;

/**
 * Runs a main class of the test classes in a child JVM with this JVM's class path for isolex
 * (test classes, classes with the JNI library, JavaCPP), for what must not take the test JVM
 * down with it: a leak LeakSanitizer reports at exit, or a case that used to crash the
 * process. The child inherits this JVM's environment, plus {@code env}.
 */
final class ChildJvm {
    /** How it ended: exit status (-1 when it did not finish in time), output, and a text for failures. */
    record Result(boolean finished, int exit, String stdout, String stderr, String description) {}

    private ChildJvm() {}

    private static String location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    static Result run(Class<?> main, List<String> args, Map<String, String> env, long timeoutSeconds)
            throws IOException, InterruptedException, URISyntaxException {
        Set<String> classPath = new LinkedHashSet<>();
        classPath.add(location(main));          // target/test-classes
        classPath.add(location(Host.class));    // target/classes, with the JNI library
        classPath.add(location(Loader.class));  // the javacpp jar
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", String.join(":", classPath)));
        for (String prop : List.of("org.bytedeco.javacpp.cachedir")) {
            if (System.getProperty(prop) != null) command.add("-D" + prop + "=" + System.getProperty(prop));
        }
        command.add(main.getName());
        command.addAll(args);

        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        Path out = Files.createTempFile("isolex-child", ".out");
        Path err = Files.createTempFile("isolex-child", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!done) p.destroyForcibly().waitFor();
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        String description = "command: " + String.join(" ", command) + "\nenvironment added: " + env
                + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        return new Result(done, done ? p.exitValue() : -1, stdout, stderr, description);
    }
}
