#!/bin/sh
# Compiles the FFM path (src/main/java22: java.lang.foreign downcalls, docs/design.md "JNI on
# 17, FFM on 22+") with a JDK 22+ javac into CLASSES/META-INF/versions/22, the multi-release
# part of the core jar (run by java/core's pom in process-classes):
#   compile-java22.sh CLASSES SOURCES MAVEN_JAVA_HOME [TEST_JVM]
# The compiler is the first JDK 22+ of: $ISOLEX_JDK22_HOME; the JDK running Maven; the JDK of
# the tests' JVM (-Djvm=.../bin/java); the newest JDK 22+ under /usr/lib/jvm (where Debian
# and Ubuntu install JDK packages and Temurin's). With none, the jar carries the JNI path
# alone: the build succeeds and says so, and JDK 22+ users of that jar run on JNI.
classes=$1 sources=$2 maven_home=$3 test_jvm=${4:-}
out=$classes/META-INF/versions/22

# The major version of the JDK at $1 (0 when it is not a JDK with javac).
major() {
    [ -x "$1/bin/javac" ] && [ -r "$1/release" ] || { echo 0; return; }
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" | head -n 1
}

jdk=
for candidate in "${ISOLEX_JDK22_HOME:-}" "$maven_home" "${test_jvm%/bin/java}"; do
    [ -n "$candidate" ] && [ "$(major "$candidate")" -ge 22 ] 2>/dev/null && { jdk=$candidate; break; }
done
if [ -z "$jdk" ]; then
    best=0
    for candidate in /usr/lib/jvm/*; do
        m=$(major "$candidate")
        [ "$m" -ge 22 ] 2>/dev/null && [ "$m" -gt "$best" ] && { best=$m; jdk=$candidate; }
    done
fi

rm -rf "$out"
if [ -z "$jdk" ]; then
    echo "isolex: no JDK 22+ compiler found (set ISOLEX_JDK22_HOME): this jar has the JNI path only;" \
        "on JDK 22+ it calls libisolex through JNI, not FFM"
    exit 0
fi
files=$(find "$sources" -name '*.java')
# -proc:none: no annotation processing; every lint but classfile (the base classes reference
# JavaCPP's annotations, whose jar is not on this class path), warnings fail as errors
"$jdk/bin/javac" --release 22 -proc:none -Xlint:all,-classfile -Werror -encoding UTF-8 -cp "$classes" -d "$out" $files ||
    exit 1
echo "isolex: FFM path compiled with $jdk (JDK $(major "$jdk")) into META-INF/versions/22"
