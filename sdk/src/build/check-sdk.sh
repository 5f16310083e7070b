#!/bin/sh
# Checks the C SDK tarball (run by sdk/pom.xml in `verify`):
#   check-sdk.sh TARBALL VERSION CHECKOUT_ROOT CMAKE_BUILD_DIR
# One top-level directory, isolex-sdk-VERSION/; every file of the layout
# (cmake/IsolexInstall.cmake); ixdriver runs from the extracted tree and finds the shipped
# extensions there; the package and pkg-config files carry the version and no absolute
# path of this machine's build (they must work wherever the tarball is unpacked).
# The whole out-of-tree flow (find_package, pkg-config, check-extension) is CTest's
# sdk-example and examples/c-extension-cmake/ci-check.
set -eu
tarball=$1 version=$2 root=$3 build=$4
top=isolex-sdk-$version
fail() { echo "isolex-sdk: tarball check: $tarball: $*" >&2; exit 1; }

listing=$(tar -tzf "$tarball") || fail "cannot be listed"
outside=$(printf '%s\n' "$listing" | grep -v "^$top/" || true)
[ -z "$outside" ] || fail "entries outside $top/: $(echo $outside)"
for f in include/isolex.h lib/libisolex.so.1 lib/libisolex.so \
    lib/cmake/isolex/isolexConfig.cmake lib/cmake/isolex/isolexConfigVersion.cmake \
    lib/cmake/isolex/isolexTargets.cmake lib/cmake/isolex/IsolexExtension.cmake \
    lib/pkgconfig/isolex.pc bin/ixdriver bin/check-extension bin/ixaudit bin/ixworker \
    share/isolex/valgrind/isolex.supp share/isolex/valgrind/memcheck-filter.py \
    lib/isolex/extensions/counter.so lib/isolex/extensions/fact.so \
    share/doc/isolex/README.md share/doc/isolex/ABI.md; do
    printf '%s\n' "$listing" | grep -qx "$top/$f" || fail "no $top/$f"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/isolex-sdk-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work"
sdk=$work/$top
[ -L "$sdk/lib/libisolex.so" ] || fail "lib/libisolex.so is not a symlink"
[ -x "$sdk/bin/ixdriver" ] && [ -x "$sdk/bin/check-extension" ] || fail "bin/ixdriver, bin/check-extension not executable"
# ixworker from the extracted tree: its RPATH finds lib/ (a missing library fails here)
"$sdk/bin/ixworker" --help >"$work/worker.out" 2>&1 || fail "bin/ixworker --help failed: $(cat "$work/worker.out")"

# ixdriver from the extracted tree: its RPATH finds lib/, its default module path is the
# SDK's extensions (not the build's), and the shipped counter.so runs.
help=$("$sdk/bin/ixdriver" --help) || fail "bin/ixdriver --help failed"
printf '%s\n' "$help" | grep -q "default $sdk/lib/isolex/extensions)" ||
    fail "bin/ixdriver --help does not name the SDK's lib/isolex/extensions as its default: $(printf '%s\n' "$help" | sed -n 2p)"
"$sdk/bin/ixdriver" run --module counter --cycles 1 --interpreters 1 --call 'Counter(5, 2).increment()' >"$work/run.out" 2>&1 ||
    { cat "$work/run.out" >&2; fail "bin/ixdriver run --module counter failed"; }
# ixaudit from the extracted tree (RPATH to lib/): the shipped counter.so audits clean,
# imported into two interpreters (exit status 0: no findings).
"$sdk/bin/ixaudit" --dynamic "$sdk/lib/isolex/extensions/counter.so" >"$work/audit.out" 2>&1 ||
    { cat "$work/audit.out" >&2; fail "bin/ixaudit on lib/isolex/extensions/counter.so found something or failed"; }

# Relocatable: no path of this build in the files other projects read.
root=$(cd "$root" && pwd -P) build=$(cd "$build" && pwd -P)
for f in "$sdk"/lib/cmake/isolex/*.cmake "$sdk"/lib/pkgconfig/isolex.pc; do
    for p in "$root" "$build"; do
        ! grep -qF "$p" "$f" || fail "${f#"$sdk"/} names $p (must be relative to the SDK)"
    done
done
grep -qx "Version: $version" "$sdk/lib/pkgconfig/isolex.pc" || fail "isolex.pc: Version is not $version"
grep -q "set(ISOLEX_VERSION_STRING \"$version\")" "$sdk/lib/cmake/isolex/isolexConfig.cmake" ||
    fail "isolexConfig.cmake: ISOLEX_VERSION_STRING is not $version"
numeric=$(echo "$version" | sed 's/^\([0-9]*\.[0-9]*\.[0-9]*\).*/\1/')
grep -q "set(PACKAGE_VERSION \"$numeric\")" "$sdk/lib/cmake/isolex/isolexConfigVersion.cmake" ||
    fail "isolexConfigVersion.cmake: PACKAGE_VERSION is not $numeric"
echo "isolex-sdk: tarball check: $tarball holds $top/ with the full layout; ixdriver, ixaudit and ixworker run from it; package files relocatable, version $version"
