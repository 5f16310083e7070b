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
 * Runs a main class in a child JVM, for what must not run in the test JVM: a bug that used
 * to kill the process (a crash then fails one test, not the suite), or a run that needs a
 * different environment (LeakSanitizer preloaded). The child gets the JDK of this JVM, a
 * class path of the test classes, the main classes and the JavaCPP jar, and this JVM's
 * environment plus {@code env}; its output goes to temporary files, read back whole.
 */
final class ChildJvm {
    private ChildJvm() {}

    /** How the child ended: its exit code (-1 when it did not finish in time) and output. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        /** Everything, for an assertion message. */
        String describe() {
            return "command: " + String.join(" ", command) + "\nexit code: " + exitCode
                    + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    static final int TIMEOUT_SECONDS = 120;

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code java MAIN ARGS...} with this JVM's environment plus {@code env}. */
    static Result run(Class<?> main, List<String> args, Map<String, String> env) throws IOException, InterruptedException {
        Set<String> classPath = new LinkedHashSet<>();
        classPath.add(location(main));           // target/test-classes
        classPath.add(location(Host.class));     // target/classes, with the JNI library
        classPath.add(location(Loader.class));   // the javacpp jar
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                // a crash report goes where it litters nothing (the path is in stdout)
                "-XX:ErrorFile=" + Path.of(System.getProperty("java.io.tmpdir"), "isolex-child-hs_err_pid%p.log"),
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
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            boolean done = p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!done) p.destroyForcibly().waitFor();
            return new Result(command, done ? p.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
