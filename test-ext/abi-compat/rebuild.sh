#!/usr/bin/env bash
# rebuild.sh COMMIT OUTDIR -- the record of how the committed binaries of test-ext/abi-compat/
# were made. Nothing runs it: the build never rebuilds them, because their point is to be the
# bytes an extension author shipped before the host changed (ABI.md 1.3). Run it only to make
# the binaries of a newly released minor version, into a new directory (1.2/, ...), and
# commit that directory with the MANIFEST this writes.
#
# It exports COMMIT's tree with `git archive` into a temporary directory (never into the
# checkout), compiles each module of the table below from that tree alone with the flags
# below (what isolex_add_extension does, spelled out so the manifest can say it), and writes
# OUTDIR/NAME.so and OUTDIR/MANIFEST (commit, compiler, flags, sha256 of each file, this
# command). A module whose sources COMMIT does not have is skipped, with a note.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 COMMIT OUTDIR" >&2
    exit 2
fi
commit=$(git rev-parse --verify "$1^{commit}")
outdir=$2
cc=${CC:-gcc}
# -g: Valgrind and the sanitizers name the frames; -O2: as users build; nothing stripped.
cflags=(-std=c11 -g -O2 -fPIC -fvisibility=hidden -Wall -Wextra -Wno-unused-parameter
        -Wno-missing-field-initializers)
ldflags=(-shared)

# NAME: sources (relative to the repository root) [; extra link flags]
modules=(
    "counter: extensions/counter/counter.c"
    "fact: extensions/fact/fact.c extensions/fact/bignum.c; -lm"
    "lifecycle: test-ext/lifecycle.c"
    "legacy_point: test-ext/legacy_point.c"
    "channels: test-ext/channels.c"
    # ABI 1.2: a capsule's C API between two modules, CPython's xxlimited, a numeric type
    "capi_provider: extensions/capi_provider/capi_provider.c"
    "capi_user: extensions/capi_user/capi_user.c"
    "xxlimited: extensions/xxlimited/xxlimited.c"
    "vector: extensions/vector/vector.c extensions/vector/vector_iter.c extensions/vector/vector_number.c; -lm"
)

tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
git archive "$commit" | tar -x -C "$tree"
minor=$(sed -n 's/^#define IX_ABI_MINOR \([0-9]*\).*/\1/p' "$tree/abi/include/isolex.h")
major=$(sed -n 's/^#define IX_ABI_MAJOR \([0-9]*\).*/\1/p' "$tree/abi/include/isolex.h")

mkdir -p "$outdir"
built=()
for entry in "${modules[@]}"; do
    name=${entry%%:*}
    rest=${entry#*: }
    sources=${rest%%;*}
    libs=""
    [[ $rest == *";"* ]] && libs=${rest#*; }
    missing=0
    for s in $sources; do [[ -f $tree/$s ]] || missing=1; done
    if ((missing)); then
        echo "skip $name: $commit has no $sources"
        continue
    fi
    # shellcheck disable=SC2086 # sources and libs are word lists on purpose
    # -fdebug-prefix-map: the DWARF names the sources relative to the repository root, not
    # the temporary directory (no machine paths in committed files)
    (cd "$tree" && "$cc" "${cflags[@]}" -fdebug-prefix-map="$tree"=. -I abi/include $sources "${ldflags[@]}" -o "$name.so" $libs)
    cp "$tree/$name.so" "$outdir/$name.so"
    built+=("$name")
    echo "built $outdir/$name.so"
done

{
    echo "# Extension binaries built for isolex ABI $major.$minor (written by rebuild.sh; do not edit)"
    echo
    echo "commit:   $commit ($(git log -1 --format='%ad %s' --date=short "$commit"))"
    echo "compiler: $("$cc" --version | head -1)"
    echo "cflags:   ${cflags[*]} -I abi/include"
    echo "ldflags:  ${ldflags[*]}"
    echo "command:  test-ext/abi-compat/rebuild.sh ${commit:0:12} $outdir"
    echo
    echo "module        sources; libraries"
    for entry in "${modules[@]}"; do
        name=${entry%%:*}
        [[ " ${built[*]} " == *" $name "* ]] && printf '%-13s %s\n' "$name" "${entry#*: }"
    done
    echo
    echo "sha256:"
    (cd "$outdir" && for name in "${built[@]}"; do sha256sum "$name.so"; done)
} > "$outdir/MANIFEST"
echo "wrote $outdir/MANIFEST"
