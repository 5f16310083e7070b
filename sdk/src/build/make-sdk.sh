#!/bin/sh
# Makes the C SDK tarball (run by sdk/pom.xml in `package`):
#   make-sdk.sh CMAKE_BUILD_DIR OUT_DIR NAME
# installs the root build (CMAKE_BUILD_DIR, built by the parent pom in generate-sources)
# into OUT_DIR/NAME and archives that one directory as OUT_DIR/NAME-linux-x86_64.tar.gz.
# The layout is cmake/IsolexInstall.cmake's; check-sdk.sh checks the result in `verify`.
set -eu
build=$1 out=$2 name=$3
[ -f "$build/cmake_install.cmake" ] || {
    echo "isolex-sdk: no CMake build in $build; build the root first (mvn package from the checkout root, or -pl sdk -am)" >&2
    exit 1
}
rm -rf "${out:?}/$name" "$out/$name-linux-x86_64.tar.gz"
mkdir -p "$out"
cmake --install "$build" --prefix "$out/$name" >/dev/null
# Sorted, owned by root: the same tree gives the same listing on every machine; the
# libisolex.so symlink stays a symlink.
tar --sort=name --owner=0 --group=0 --numeric-owner -C "$out" -czf "$out/$name-linux-x86_64.tar.gz" "$name"
echo "isolex-sdk: $out/$name-linux-x86_64.tar.gz"
