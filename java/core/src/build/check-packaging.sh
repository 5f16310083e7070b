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
# the FFM path (docs/design.md 14): when the build compiled it, the jar carries it as a
# multi-release jar; native access is enabled for java -jar users either way
tmp=$(mktemp -d) || fail "cannot make a temporary directory"
core_abs=$(cd "$(dirname "$core")" && pwd)/$(basename "$core")
(cd "$tmp" && "$jar_tool" xf "$core_abs" META-INF/MANIFEST.MF) || { rm -rf "$tmp"; fail "$core: no manifest"; }
manifest=$(tr -d '\r' < "$tmp/META-INF/MANIFEST.MF")
rm -rf "$tmp"
printf '%s\n' "$manifest" | grep -qx 'Enable-Native-Access: ALL-UNNAMED' ||
    fail "$core: no Enable-Native-Access: ALL-UNNAMED in the manifest"
ffm=META-INF/versions/22/org/isolex/internal/FfmNatives.class
if [ -f "$(dirname "$core")/classes/$ffm" ]; then
    printf '%s\n' "$listing" | grep -qx "$ffm" || fail "$core: the build compiled the FFM path but the jar has no $ffm"
    printf '%s\n' "$manifest" | grep -qx 'Multi-Release: true' || fail "$core: FFM classes but no Multi-Release: true"
fi
"$jar_tool" tf "$sources" 2>/dev/null | grep -qx org/isolex/Host.java ||
    fail "$sources: missing, or without org/isolex/Host.java"
javadoc_listing=$("$jar_tool" tf "$javadoc" 2>/dev/null)
# javadoc lays the pages out by module (org.isolex/org/isolex/...) once the jar names one;
# a build that reuses an older run's output may still have them flat (org/isolex/...)
printf '%s\n' "$javadoc_listing" | grep -qxE '(org\.isolex/)?org/isolex/Host\.html' ||
    fail "$javadoc: missing, or without org/isolex/Host.html"
printf '%s\n' "$javadoc_listing" | grep -qE '^(org\.isolex/)?org/isolex/internal/' &&
    fail "$javadoc: documents org.isolex.internal, which is not public API"
echo "isolex: packaging check: $core is module org.isolex with $natives natives$(printf '%s\n' "$listing" | grep -qx "$ffm" && echo ' and the FFM path (multi-release)'); sources and javadoc jars present"
