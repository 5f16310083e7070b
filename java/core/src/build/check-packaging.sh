#!/bin/sh
# Checks the packaged isolex-core artifacts (run by java/core's pom in `verify`):
#   check-packaging.sh JAR_TOOL CORE_JAR SOURCES_JAR JAVADOC_JAR
# The core jar must carry the JPMS name (the JDK itself derives it: `jar --describe-module`
# would otherwise name the module after the file, isolex.core) and the bundled natives;
# the sources and javadoc jars must exist and hold what they are named for.
jar_tool=$1 core=$2 sources=$3 javadoc=$4
natives=org/isolex/internal/linux-x86_64
fail() { echo "isolex: packaging check: $*" >&2; exit 1; }

module=$("$jar_tool" --describe-module --file "$core" | sed -n 's/^\([^ ]*\)@.* automatic$/\1/p')
[ "$module" = org.isolex ] ||
    fail "$core: automatic module name is '${module:-none}', expected org.isolex (Automatic-Module-Name)"
listing=$("$jar_tool" tf "$core") || fail "$core: cannot be listed"
for lib in 'libisolex\.so[.0-9]*' 'libjniNativeBridge\.so'; do
    printf '%s\n' "$listing" | grep -qx "$natives/$lib" || fail "$core: no $natives/$lib"
done
"$jar_tool" tf "$sources" 2>/dev/null | grep -qx org/isolex/Host.java ||
    fail "$sources: missing, or without org/isolex/Host.java"
javadoc_listing=$("$jar_tool" tf "$javadoc" 2>/dev/null)
# javadoc lays the pages out by module (org.isolex/org/isolex/...) once the jar names one;
# a build that reuses an older run's output may still have them flat (org/isolex/...)
printf '%s\n' "$javadoc_listing" | grep -qxE '(org\.isolex/)?org/isolex/Host\.html' ||
    fail "$javadoc: missing, or without org/isolex/Host.html"
printf '%s\n' "$javadoc_listing" | grep -qE '^(org\.isolex/)?org/isolex/internal/' &&
    fail "$javadoc: documents org.isolex.internal, which is not public API"
echo "isolex: packaging check: $core is module org.isolex with $natives natives; sources and javadoc jars present"
