#!/bin/sh
# CTest's sdk-example (cmake/IsolexInstall.cmake):
#   check-sdk-install.sh BUILD_DIR CI_CHECK
# installs the build into a temporary prefix, as a user unpacking the SDK tarball gets it,
# and runs the example's CI_CHECK (examples/c-extension-cmake/ci-check, examples/migration/ci-check)
# on that prefix.
set -eu
build=$1 ci_check=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/isolex-sdk-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/isolex-sdk" >/dev/null
bash "$ci_check" "$work/isolex-sdk"
