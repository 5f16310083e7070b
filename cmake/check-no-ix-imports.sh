#!/bin/sh
# check-no-ix-imports.sh DIR...
#
# ABI.md 2.1: an extension calls the host only through ctx->fn, so a built extension has
# no undefined Ix* symbols -- nor ixh_*/ixw_*, the other names libisolex exports: importing
# any of them would tie the extension to the host's library instead of the ABI. For every
# *.so under the DIRs this lists the undefined dynamic symbols and fails, naming each file
# and symbol, if one breaks the rule.
#
# A file named .so that is not ELF is skipped with a note (test-ext's not_an_so.so is a
# text file on purpose). Finding no ELF .so at all is a failure: a check that looked at
# nothing proved nothing. Exit status: 0 clean, 1 violation or nothing found, 2 usage.
set -u
set -f  # file names are split on newlines below; never glob them

if [ $# -eq 0 ]; then
  echo "usage: $0 DIR..." >&2
  exit 2
fi
if ! command -v nm >/dev/null 2>&1; then
  echo "$0: nm not found (binutils)" >&2
  exit 2
fi

FORBIDDEN='^(Ix|ixh_|ixw_)'
checked=0
failed=0
IFS='
'
for dir in "$@"; do
  if [ ! -d "$dir" ]; then
    echo "FAIL $dir: no such directory (not built?)"
    failed=1
    continue
  fi
  for so in $(find "$dir" -type f -name '*.so' | sort); do
    if [ "$(od -An -tx1 -N4 "$so" | tr -d ' \n')" != 7f454c46 ]; then
      echo "skip $so: not an ELF file"
      continue
    fi
    if ! undefined=$(nm -D --undefined-only "$so"); then
      echo "FAIL $so: nm could not read it"
      failed=1
      continue
    fi
    checked=$((checked + 1))
    # nm prints "<blank> U name[@version]"; the name is the last field.
    bad=$(printf '%s\n' "$undefined" | awk '{ print $NF }' | grep -E "$FORBIDDEN")
    if [ -n "$bad" ]; then
      echo "FAIL $so imports:" $bad
      failed=1
    else
      echo "ok   $so"
    fi
  done
done

if [ "$checked" -eq 0 ]; then
  echo "FAIL no ELF .so found under:" "$@"
  exit 1
fi
if [ "$failed" -ne 0 ]; then
  echo "abi-no-ix-imports: FAILED (extensions must call the host only through ctx->fn)"
  exit 1
fi
echo "abi-no-ix-imports: $checked libraries, no forbidden imports"
