#!/usr/bin/env python3
"""check-abi.py: isolex.h stays append-only against the committed baseline (ABI.md 1.4).

Usage: check-abi.py --source-dir DIR --work-dir DIR [--include DIR] [--cc CC]
       check-abi.py --source-dir DIR --work-dir DIR --write-baseline
       check-abi.py --source-dir DIR --work-dir DIR --self-test

abi/baseline/abi-types.c reaches every public type and constant of isolex.h from one exported
variable. It is compiled with -g against --include (default: the source tree's abi/include)
into a shared object, libabigail's abidw writes its ABI as XML, and abidiff compares that with
abi/baseline/isolex-abi-1.MINOR.xml, the newest baseline.

What passes: no change at all, or members added after the last member of an APPENDABLE
struct: the function table, whose entries an extension reads only below fn->size (ABI.md 2.3),
and the two structs of abi-types.c that list the types and constants (a new type or constant
is appended there). Enumerators added at the end of IxBuiltin pass too: abidiff files an added
enumerator under its harmless changes, which it does not report by default. Everything else
fails, with abidiff's report: a removed, reordered, renamed or retyped member of any public
struct, a member inserted anywhere else, a changed enumerator or constant value.

How appends are told apart: the appended members are cut from the current XML (the members of
an APPENDABLE struct beyond the baseline's count, and its size set back to the baseline's), and
abidiff compares the baseline with that prefix, strictly, without suppressions. libabigail's
own suppression `has_data_member_inserted_at = end` cannot do this: it suppresses every change
of a matching struct as long as its inserted members are at the end, so a table with two
entries swapped and nothing inserted passes it (libabigail 2.2, type_suppression::
suppresses_diff; --self-test shows it).

--write-baseline writes the current ABI as the baseline of the header's minor version. Do it
only when a minor version is released (abi/baseline/README.md).

--self-test edits copies of isolex.h and fails unless: the header as it is passes; two table
entries swapped fail with abidiff's report naming both; an entry appended to the table passes
and is listed; an enumerator appended to IxBuiltin passes; a member appended to IxModuleDef
fails; a changed enumerator value fails; a changed constant fails; a retyped entry fails; what
ABI 1.2 added is checked (a member appended to IxBufferView, a changed slot id, a changed
IX_BUF_* flag fail); and libabigail's end-insertion suppression would have passed the swap.

Exit status: 0 compatible, 1 incompatible (or a tool failed), 2 usage.
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

APPENDABLE = ("IxFunctionTable", "IxAbiTypes", "IxAbiConstants")
BASELINE_DIR = os.path.join("abi", "baseline")
SOURCE = os.path.join(BASELINE_DIR, "abi-types.c")
ABIDIFF_ERROR, ABIDIFF_USAGE_ERROR = 1, 2
ABIDIFF_ABI_CHANGE, ABIDIFF_ABI_INCOMPATIBLE_CHANGE = 4, 8


class CheckError(Exception):
    """A tool failed or a file is not what the check needs: exit 1 with the message."""


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def header_minor(include):
    with open(os.path.join(include, "isolex.h"), encoding="utf-8") as f:
        m = re.search(r"^#define IX_ABI_MINOR (\d+)", f.read(), re.M)
    if not m:
        raise CheckError(f"no '#define IX_ABI_MINOR N' in {include}/isolex.h")
    return int(m.group(1))


def newest_baseline(source_dir):
    found = []
    for path in glob.glob(os.path.join(source_dir, BASELINE_DIR, "isolex-abi-1.*.xml")):
        m = re.search(r"isolex-abi-1\.(\d+)\.xml$", path)
        if m:
            found.append((int(m.group(1)), path))
    if not found:
        raise CheckError(f"no baseline {BASELINE_DIR}/isolex-abi-1.N.xml (see its README.md)")
    return max(found)[1]


def abi_xml(args, include, out_xml):
    """Compile abi-types.c against include, abidw it into out_xml."""
    so = out_xml[:-4] + ".so"
    # Run from the source tree with relative paths and map the include directory, so the
    # DWARF (and with --short-locs the XML) names isolex.h and abi-types.c, no machine path.
    cmd = [args.cc, "-std=c11", "-g", "-O0", "-fPIC", "-shared", "-Wall", "-Wextra", "-Werror",
           f"-fdebug-prefix-map={os.path.abspath(include)}=abi/include",
           f"-fdebug-prefix-map={os.path.abspath(args.source_dir)}=.",
           "-I", os.path.abspath(include), SOURCE, "-o", os.path.abspath(so)]
    r = run(cmd, cwd=args.source_dir)
    if r.returncode != 0:
        raise CheckError(f"compiling {SOURCE} failed:\n{r.stdout}")
    r = run(["abidw", "--no-corpus-path", "--no-comp-dir-path", "--short-locs",
             "--out-file", out_xml, so])
    if r.returncode != 0:
        raise CheckError(f"abidw {so} failed (status {r.returncode}):\n{r.stdout}")


def appendable_classes(root):
    """name -> the class-decl elements (with members) of the APPENDABLE structs."""
    out = {name: [] for name in APPENDABLE}
    for el in root.iter("class-decl"):
        if el.get("name") in out and el.find("data-member") is not None:
            out[el.get("name")].append(el)
    return out


def cut_appends(baseline_xml, current_xml, prefix_xml):
    """Write current_xml without what was appended to the APPENDABLE structs; return
    {struct: [appended member names]}."""
    base = appendable_classes(ET.parse(baseline_xml).getroot())
    tree = ET.parse(current_xml)
    appended = {}
    for name, classes in appendable_classes(tree.getroot()).items():
        if not base[name]:
            raise CheckError(f"the baseline {baseline_xml} does not describe struct {name}")
        if not classes:
            raise CheckError(f"the current ABI does not describe struct {name} (abi-types.c?)")
        keep = len(base[name][0].findall("data-member"))
        size = base[name][0].get("size-in-bits")
        for el in classes:
            members = el.findall("data-member")
            for m in members[keep:]:
                appended.setdefault(name, []).append(m.find("var-decl").get("name"))
                el.remove(m)
            if len(members) > keep:
                el.set("size-in-bits", size)
    tree.write(prefix_xml, encoding="unicode")
    return {k: sorted(set(v), key=v.index) for k, v in appended.items()}


def check(args, include, quiet=False):
    """0 when include's isolex.h is compatible with the newest baseline, else 1; the text."""
    baseline = newest_baseline(args.source_dir)
    os.makedirs(args.work_dir, exist_ok=True)
    current = os.path.join(args.work_dir, "current.xml")
    prefix = os.path.join(args.work_dir, "current-prefix.xml")
    abi_xml(args, include, current)
    appended = cut_appends(baseline, current, prefix)
    r = run(["abidiff", "--no-default-suppression", baseline, prefix])
    rel = os.path.relpath(baseline, args.source_dir)
    lines = [f"abi-check: {os.path.join(include, 'isolex.h')} against {rel}"]
    for name, members in appended.items():
        lines.append(f"  appended to {name}: {', '.join(members)}")
    if r.returncode & (ABIDIFF_ERROR | ABIDIFF_USAGE_ERROR):
        raise CheckError(f"abidiff failed (status {r.returncode}):\n{r.stdout}")
    if r.returncode != 0:
        kinds = []
        if r.returncode & ABIDIFF_ABI_CHANGE:
            kinds.append("ABIDIFF_ABI_CHANGE")
        if r.returncode & ABIDIFF_ABI_INCOMPATIBLE_CHANGE:
            kinds.append("ABIDIFF_ABI_INCOMPATIBLE_CHANGE")
        lines.append(r.stdout.rstrip())
        lines.append(f"abi-check: FAILED (abidiff status {r.returncode}: {' | '.join(kinds)}). "
                     "isolex.h may only append: to the function table, at its end (ABI.md "
                     "2.3). Undo the change, or, for a new major version, write a new "
                     "baseline (abi/baseline/README.md).")
        return 1, "\n".join(lines)
    lines.append("abi-check: compatible" + (" (appends only)" if appended else " (no change)"))
    return 0, "\n".join(lines)


def write_baseline(args):
    include = os.path.join(args.source_dir, "abi", "include")
    out = os.path.join(args.source_dir, BASELINE_DIR, f"isolex-abi-1.{header_minor(include)}.xml")
    os.makedirs(args.work_dir, exist_ok=True)
    abi_xml(args, include, os.path.join(args.work_dir, "baseline.xml"))
    shutil.copyfile(os.path.join(args.work_dir, "baseline.xml"), out)
    print(f"wrote {os.path.relpath(out, args.source_dir)}")
    return 0


# ------------------------------------------------------------------ self-test

TABLE_FIRST = "    void (*Incref)(IxContext *ctx, IxObject *obj);\n"
TABLE_SECOND = "    void (*Decref)(IxContext *ctx, IxObject *obj);\n"


def edited_header(args, name, edit):
    """A copy of isolex.h in work-dir/include with edit(text) applied."""
    src = os.path.join(args.source_dir, "abi", "include", "isolex.h")
    inc = os.path.join(args.work_dir, "include")
    os.makedirs(inc, exist_ok=True)
    with open(src, encoding="utf-8") as f:
        text = f.read()
    changed = edit(text)
    if changed == text:
        raise CheckError(f"self-test {name}: the edit changed nothing (isolex.h moved on?)")
    with open(os.path.join(inc, "isolex.h"), "w", encoding="utf-8") as f:
        f.write(changed)
    return inc


def table_end(text):
    """The text with a new last entry in the function table."""
    start = text.index("struct IxFunctionTable {")
    end = text.index("\n};", start)
    return text[:end] + "\n    int (*SelfTest_Appended)(IxContext *ctx, int64_t x);" + text[end:]


def self_test(args):
    work = args.work_dir
    failures = []

    def expect(name, edit, want_status, *want_text):
        sub = argparse.Namespace(**vars(args))
        sub.work_dir = os.path.join(work, name)
        include = (edited_header(sub, name, edit) if edit
                   else os.path.join(args.source_dir, "abi", "include"))
        status, text = check(sub, include)
        missing = [t for t in want_text if t not in text]
        ok = status == want_status and not missing
        print(f"{'ok  ' if ok else 'FAIL'} {name}: status {status}, expected {want_status}")
        if not ok:
            failures.append(name)
            if missing:
                print(f"     missing from the output: {missing}")
            print("     " + text.replace("\n", "\n     "))
        return sub

    expect("unchanged", None, 0, "abi-check: compatible")
    swap = expect("swap-table-entries",
                  lambda t: t.replace(TABLE_FIRST + TABLE_SECOND, TABLE_SECOND + TABLE_FIRST), 1,
                  "'void (IxContext*, IxObject*)* Incref' offset changed",
                  "'void (IxContext*, IxObject*)* Decref' offset changed", "abi-check: FAILED")
    expect("append-table-entry", table_end, 0,
           # the entries the header already appended since the baseline come first
           "appended to IxFunctionTable: ", "SelfTest_Appended\n", "compatible (appends only)")
    expect("append-and-swap",
           lambda t: table_end(t.replace(TABLE_FIRST + TABLE_SECOND, TABLE_SECOND + TABLE_FIRST)),
           1, "Incref' offset changed", "abi-check: FAILED")
    expect("append-to-moduledef",
           lambda t: t.replace("    IxFreeProc free;             /* release everything else; runs exactly once */\n",
                               "    IxFreeProc free;             /* release everything else; runs exactly once */\n"
                               "    void *self_test_appended;\n"), 1,
           "self_test_appended", "abi-check: FAILED")
    expect("retype-table-entry",
           lambda t: t.replace("    int (*IsInstance)(IxContext *ctx, IxObject *obj, IxObject *type);\n",
                               "    int64_t (*IsInstance)(IxContext *ctx, IxObject *obj, IxObject *type);\n"),
           1, "IsInstance", "abi-check: FAILED")
    expect("append-builtin-enumerator",
           # after the enum's last enumerator, whichever minor version added it
           lambda t: re.sub(r"\n    (IX_BUILTIN_COUNT_V1_\d+)\n\} IxBuiltin;",
                            r"\n    \1,\n    IX_SELFTEST_APPENDED\n} IxBuiltin;", t),
           0, "abi-check: compatible")
    expect("enumerator-value",
           lambda t: t.replace("    IX_NONE = 0,\n", "    IX_NONE = 1,\n"), 1,
           "IX_NONE", "abi-check: FAILED")
    expect("constant-value",
           lambda t: t.replace("#define IX_MOD_EXEC 2 ", "#define IX_MOD_EXEC 4 "), 1,
           "IX_MOD_EXEC_", "abi-check: FAILED")
    # what 1.2 added is checked too (abi-types.c lists it since the 1.2 baseline): a struct
    # whose size is fixed for major 1 (IxBufferView, ABI.md 3.50), a slot id, a request flag
    expect("append-to-bufferview",
           lambda t: t.replace("    uint64_t ix_reserved_[5];   /* zero; see above */\n",
                               "    uint64_t ix_reserved_[5];   /* zero; see above */\n"
                               "    void *self_test_appended;\n"), 1,
           "self_test_appended", "abi-check: FAILED")
    expect("slot-id-value",
           lambda t: t.replace("    IX_bf_getbuffer = 70,", "    IX_bf_getbuffer = 72,"), 1,
           "IX_bf_getbuffer_", "abi-check: FAILED")
    expect("buffer-flag-value",
           lambda t: t.replace("#define IX_BUF_WRITABLE 0x0001 ", "#define IX_BUF_WRITABLE 0x0002 "),
           1, "IX_BUF_WRITABLE_", "abi-check: FAILED")

    # Why the check cuts the appends itself: libabigail's suppression lets the swap through.
    suppr = os.path.join(work, "end-insertion.abignore")
    with open(suppr, "w", encoding="utf-8") as f:
        f.write("[suppress_type]\n  name = IxFunctionTable\n  type_kind = struct\n"
                "  has_data_member_inserted_at = end\n")
    r = run(["abidiff", "--no-default-suppression", "--suppressions", suppr,
             newest_baseline(args.source_dir), os.path.join(swap.work_dir, "current.xml")])
    note = "libabigail's has_data_member_inserted_at = end suppression passes the swap"
    if r.returncode == 0:
        print(f"ok   {note} (status 0): the reason for the cut")
    else:
        print(f"note {note}: no longer (status {r.returncode}); the cut is still right")

    if failures:
        print(f"abi-check self-test: FAILED ({', '.join(failures)})")
        return 1
    print("abi-check self-test: every case as expected")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--source-dir", required=True)
    p.add_argument("--work-dir", required=True)
    p.add_argument("--include", help="directory of the isolex.h to check (default: the tree's)")
    p.add_argument("--cc", default=os.environ.get("CC", "cc"))
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--write-baseline", action="store_true")
    mode.add_argument("--self-test", action="store_true")
    args = p.parse_args()
    args.source_dir = os.path.abspath(args.source_dir)
    args.work_dir = os.path.abspath(args.work_dir)
    if not shutil.which("abidw") or not shutil.which("abidiff"):
        print("check-abi: abidw/abidiff not found: install libabigail (Debian: abigail-tools; "
              ".ci/run installs it)", file=sys.stderr)
        return 2
    try:
        if args.write_baseline:
            return write_baseline(args)
        if args.self_test:
            return self_test(args)
        status, text = check(args, args.include or os.path.join(args.source_dir, "abi", "include"))
        print(text)
        return status
    except CheckError as e:
        print(f"abi-check: {e}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
