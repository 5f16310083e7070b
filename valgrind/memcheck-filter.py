#!/usr/bin/env python3
"""memcheck-filter.py -- read Valgrind memcheck XML (--xml=yes) and say what matters.

Two modes, one for each of the two leak-checking commands in valgrind/:

  memcheck-filter.py --extension PATH/mymod.so XML...
      valgrind/check-extension: everything memcheck reported about one run of ixdriver on
      a user's extension. Prints the totals (definitely and indirectly lost bytes, memory
      errors) and one entry per record -- the first frame in the user's .so (function and
      file:line), what called it, and the allocation stack:
        mymod.so: 64 bytes definitely lost in 1 block, allocated in mymod_leak (mymod.c:31)
        called from ix_call_def (libisolex.so.1: object.c:262)
      Exit status 1 when anything was definitely or indirectly lost or any memory error was
      reported: the process is small and all of it is ours or the user's, so every record
      counts (isolex.supp hides what belongs to the C library).

  memcheck-filter.py --ours REGEX [--ours REGEX]... XML...
      valgrind/jvm-memcheck: a whole JVM under memcheck reports millions of errors of its
      own (JIT-less interpreter frames show as ???, so suppression files cannot name
      them). A record is counted only when its first non-allocator frame (below) is in an
      object whose path matches one of the REGEXes (our .so files). Exit status 1 when a
      counted record is a definite or indirect leak, or an invalid read, write or free.
      Other counted kinds (uninitialised values, say) are printed but do not fail: the
      JVM hands JNI code memory whose definedness memcheck cannot always follow.

A "non-allocator frame" is a frame outside Valgrind's own preload library (where its
malloc, free, operator new and the string functions it replaces live), the C library and
the dynamic loader: for a leak, the code that asked for the memory; for an invalid
access, the code that made it (through memcpy or strlen if need be).

Records with the same kind and the same stack as function/file/line are merged: an
extension dlopened again in each cycle is mapped at a new address each time, and memcheck
then reports the same leak once per mapping.

Exit status 3 when an XML file is missing or unreadable. A file that ends early (the
process was killed) is read as far as it goes and said to be incomplete; in --extension
mode that fails the check, since its leak summary is missing.

Standard library only. The file is read one top-level element at a time (see chunks()),
so a JVM's XML of hundreds of megabytes is read in little memory, and a file cut short or
mixed with a forked child's output still gives everything intact in it.
"""

import argparse
import os
import re
import sys
import xml.etree.ElementTree as ET

# Objects whose frames are skipped to find the "first non-allocator frame".
ALLOCATOR_OBJ = re.compile(r"(^|/)(vgpreload_[^/]*|libc\.so[^/]*|ld-linux[^/]*|libc-[0-9.]+\.so)$")

LEAK_KINDS = {
    "Leak_DefinitelyLost": "definitely lost",
    "Leak_IndirectlyLost": "indirectly lost",
    "Leak_PossiblyLost": "possibly lost",
    "Leak_StillReachable": "still reachable",
}
FAILING_LEAKS = ("Leak_DefinitelyLost", "Leak_IndirectlyLost")
# In --ours mode, these counted kinds fail the run; every other counted kind is reported.
OURS_FAILING = set(FAILING_LEAKS) | {"InvalidRead", "InvalidWrite", "InvalidFree",
                                     "MismatchedFree", "InvalidJump"}


class Frame:
    __slots__ = ("obj", "fn", "dir", "file", "line")

    def __init__(self, el):
        self.obj = el.findtext("obj") or ""
        self.fn = el.findtext("fn") or "???"
        self.dir = el.findtext("dir") or ""
        self.file = el.findtext("file") or ""
        self.line = el.findtext("line") or ""

    def where(self):
        """file:line, or the object's name when there is no line information."""
        if self.file:
            return f"{self.file}:{self.line}" if self.line else self.file
        return os.path.basename(self.obj) or "?"

    def short(self, with_obj=False):
        if with_obj and self.file:
            return f"{self.fn} ({os.path.basename(self.obj)}: {self.where()})"
        return f"{self.fn} ({self.where()})"

    def key(self):
        return (os.path.basename(self.obj), self.fn, self.file, self.line)


class Record:
    """One memcheck <error>, or several merged (same kind, same symbolic stacks)."""

    def __init__(self, kind, what, stacks, auxwhat, nbytes, nblocks, count):
        self.kind = kind
        self.what = what
        self.stacks = stacks        # list of lists of Frame: the error's, then aux stacks
        self.auxwhat = auxwhat
        self.bytes = nbytes
        self.blocks = nblocks
        self.count = count          # how many times memcheck saw it (errorcounts)

    def key(self):
        return (self.kind, tuple(tuple(f.key() for f in s) for s in self.stacks[:1]))

    def stack(self):
        return self.stacks[0] if self.stacks else []


class XmlRun:
    """What one XML file held."""

    def __init__(self, path):
        self.path = path
        self.records = []
        self.finished = False
        self.complete = False
        self.fatal_signal = None
        self.pid = None
        self.error = None


# A top-level element of <valgrindoutput>: memcheck writes each one starting at column 0,
# its children indented, and ends a multi-line one with its closing tag at column 0.
TOP_LEVEL = re.compile(r"<([A-Za-z_][A-Za-z0-9_]*)[ >/]")


def chunks(path):
    """The top-level elements of a memcheck XML file, one (name, text) at a time.

    Read line by line rather than with an XML parser, so that what a parser would reject
    still yields everything that is intact: a file cut short by a killed process (its last
    element is dropped) and a file into which a forked child wrote a second
    <?xml ...><valgrindoutput> preamble (when --child-silent-after-fork=yes was not given).
    Yields ("/valgrindoutput", None) for a closing tag of the document."""
    with open(path, encoding="utf-8", errors="replace") as f:
        name, lines = None, []
        for line in f:
            if name is None:
                if line.startswith("</valgrindoutput>"):
                    yield "/valgrindoutput", None
                    continue
                m = TOP_LEVEL.match(line)
                if not m or m.group(1) == "valgrindoutput":
                    continue   # <?xml ...?>, <valgrindoutput>, blank lines
                name = m.group(1)
                if f"</{name}>" in line or line.rstrip().endswith("/>"):
                    yield name, line
                    name = None
                else:
                    lines = [line]
            else:
                lines.append(line)
                if line.startswith(f"</{name}>"):
                    yield name, "".join(lines)
                    name, lines = None, []
        if name is not None:
            yield "(truncated)", None


def read_xml(path):
    """Reads one memcheck XML file, one top-level element at a time (a JVM's file has
    hundreds of thousands of them; none is kept longer than needed)."""
    run = XmlRun(path)
    counts = {}
    pending = []   # (unique, kind, what, stacks, auxwhat, bytes, blocks)
    bad = 0
    try:
        for name, text in chunks(path):
            if name == "/valgrindoutput":
                run.complete = True
                continue
            if name == "(truncated)":
                run.error = "the file ends inside an element (the process was killed?)"
                continue
            if name not in ("error", "errorcounts", "status", "fatal_signal", "pid"):
                continue
            try:
                el = ET.fromstring(text)
            except ET.ParseError:
                bad += 1   # two processes' writes interleaved inside one element
                continue
            if name == "error":
                kind = el.findtext("kind") or "?"
                xwhat = el.find("xwhat")
                if xwhat is not None:
                    what = xwhat.findtext("text") or ""
                    nbytes = int(xwhat.findtext("leakedbytes") or 0)
                    nblocks = int(xwhat.findtext("leakedblocks") or 0)
                else:
                    what = el.findtext("what") or ""
                    nbytes = nblocks = 0
                stacks = [[Frame(f) for f in s.findall("frame")] for s in el.findall("stack")]
                aux = [a.text or "" for a in el.findall("auxwhat")]
                aux += [x.findtext("text") or "" for x in el.findall("xauxwhat")]
                pending.append((el.findtext("unique"), kind, what, stacks, aux, nbytes, nblocks))
            elif name == "errorcounts":
                for pair in el.findall("pair"):
                    counts[pair.findtext("unique")] = int(pair.findtext("count") or 1)
            elif name == "status":
                if el.findtext("state") == "FINISHED":
                    run.finished = True
            elif name == "fatal_signal":
                run.fatal_signal = el.findtext("signame") or "a signal"
            elif name == "pid" and run.pid is None:
                run.pid = el.text   # the first: a forked child's preamble may follow
    except OSError as e:
        run.error = str(e)
        return run
    if bad:
        run.error = (f"{bad} unreadable elements (interleaved writes of two processes? "
                     f"memcheck needs --child-silent-after-fork=yes)")
    for unique, kind, what, stacks, aux, nbytes, nblocks in pending:
        # errorcounts covers the non-leak errors; a leak record is reported once.
        count = counts.get(unique, 1)
        run.records.append(Record(kind, what, stacks, aux, nbytes, nblocks, count))
    return run


def merge(records):
    merged = {}
    order = []
    for r in records:
        k = r.key()
        if k in merged:
            m = merged[k]
            m.bytes += r.bytes
            m.blocks += r.blocks
            m.count += r.count
        else:
            merged[k] = Record(r.kind, r.what, r.stacks, r.auxwhat, r.bytes, r.blocks, r.count)
            order.append(k)
    return [merged[k] for k in order]


def first_non_allocator(stack):
    for f in stack:
        if not ALLOCATOR_OBJ.search(f.obj):
            return f
    return stack[0] if stack else None


def plural(n, word, suffix="s"):
    return f"{n} {word}{'' if n == 1 else suffix}"


def leak_phrase(r):
    return (f"{r.bytes} bytes {LEAK_KINDS.get(r.kind, r.kind)} in "
            f"{plural(r.blocks, 'block')}")


def error_phrase(r):
    text = r.what
    # memcheck's leak texts carry "in loss record N of M"; the merged entry has no number.
    text = re.sub(r" in loss record \d+ of \d+$", "", text)
    return text + (f" (seen {r.count} times)" if r.count > 1 else "")


def print_stack(stack, out, limit, indent="      ", stop=None):
    """Up to `limit` frames; with `stop`, none after the first frame stop(frame) is true
    for (the rest is the program that called into the code being checked)."""
    shown = stack[:limit]
    if stop:
        for i, f in enumerate(shown):
            if stop(f):
                shown = shown[:i + 1]
                break
    for f in shown:
        obj = os.path.basename(f.obj) or "?"
        where = f" ({f.where()})" if f.file else ""
        print(f"{indent}{f.fn}{where}  [{obj}]", file=out)
    if len(stack) > len(shown):
        print(f"{indent}... {len(stack) - len(shown)} more frames", file=out)


# ---------------------------------------------------------------- --extension mode

def same_object(obj, ext_real, ext_base):
    if not obj:
        return False
    if obj == ext_real:
        return True
    try:
        if os.path.realpath(obj) == ext_real:
            return True
    except OSError:
        pass
    # A deleted or copied mapping (/memfd:..., "(deleted)") keeps at least the name.
    return os.path.basename(obj).split(" ")[0] == ext_base


def locate(stack, is_ext):
    """(first frame in the extension or else the first non-allocator frame, the frames
    that called it up to and including the first one outside the extension)."""
    for i, f in enumerate(stack):
        if is_ext(f.obj):
            callers = []
            for g in stack[i + 1:]:
                callers.append(g)
                if not is_ext(g.obj):
                    break
            return f, callers, True
    f = first_non_allocator(stack)
    if f is None:
        return None, [], False
    i = stack.index(f)
    return f, stack[i + 1:i + 2], False


def describe(r, is_ext, ext_base, verb):
    frame, callers, in_ext = locate(r.stack(), is_ext)
    owner = ext_base if in_ext else (os.path.basename(frame.obj) if frame and frame.obj else "?")
    head = leak_phrase(r) if r.kind in LEAK_KINDS else error_phrase(r)
    if frame is None:
        return f"{owner}: {head}"
    line = f"{owner}: {head}, {verb} {frame.short()}"
    if callers:
        line += " called from " + " <- ".join(
            c.short(with_obj=not is_ext(c.obj)) for c in callers)
    if not in_ext:
        line += f" [not in {ext_base}]"
    return line


def is_driver(frame):
    return os.path.basename(frame.obj).startswith("ixdriver")


def extension_mode(args, runs, out):
    ext_real = os.path.realpath(args.extension)
    ext_base = os.path.basename(args.extension)

    def is_ext(obj):
        return same_object(obj, ext_real, ext_base)

    records = merge([r for run in runs for r in run.records])
    leaks = [r for r in records if r.kind in FAILING_LEAKS]
    possible = [r for r in records if r.kind == "Leak_PossiblyLost"]
    errors = [r for r in records if r.kind not in LEAK_KINDS]
    definite = [r for r in leaks if r.kind == "Leak_DefinitelyLost"]
    indirect = [r for r in leaks if r.kind == "Leak_IndirectlyLost"]
    n_errors = sum(r.count for r in errors)

    print(f"memcheck: {ext_base}: definitely lost {sum(r.bytes for r in definite)} bytes in "
          f"{plural(sum(r.blocks for r in definite), 'block')}, indirectly lost "
          f"{sum(r.bytes for r in indirect)} bytes in "
          f"{plural(sum(r.blocks for r in indirect), 'block')}, "
          f"{plural(n_errors, 'memory error')}"
          + (f" ({plural(len(errors), 'context')})" if errors else ""), file=out)

    shown = 0
    for r in errors + sorted(leaks, key=lambda r: -r.bytes):
        if shown == args.max_records:
            print(f"  ... {len(errors) + len(leaks) - shown} more records (--max-records)",
                  file=out)
            break
        shown += 1
        verb = "allocated in" if r.kind in LEAK_KINDS else "in"
        print("  " + describe(r, is_ext, ext_base, verb), file=out)
        for i, stack in enumerate(r.stacks):
            label = "stack" if i == 0 else (r.auxwhat[i - 1] if i - 1 < len(r.auxwhat) else "")
            if r.kind in LEAK_KINDS and i == 0:
                label = "allocation stack"
            print(f"    {label}:", file=out)
            # ixdriver's own frames below its call into the module tell the user nothing
            print_stack(stack, out, args.frames, stop=is_driver)
        if len(r.stacks) < 2 and r.auxwhat:
            for a in r.auxwhat:
                print(f"    {a}", file=out)
    for r in possible:
        print("  note: " + describe(r, is_ext, ext_base, "allocated in")
              + " (possibly lost: not counted; a pointer into the block's middle remains)",
              file=out)

    bad = False
    for run in runs:
        if run.error or not run.complete:
            print(f"memcheck: {run.path} is incomplete ({run.error or 'no end tag'}): "
                  f"the run did not finish, so its leak check is missing", file=out)
            bad = True
        if run.fatal_signal:
            print(f"memcheck: the process was killed by {run.fatal_signal}", file=out)
            bad = True
    if leaks or n_errors:
        return 1
    return 1 if bad else 0


# ---------------------------------------------------------------- --ours mode

def ours_mode(args, runs, out):
    ours = [re.compile(p) for p in args.ours]

    def counted(r):
        f = first_non_allocator(r.stack())
        return f is not None and any(p.search(f.obj) for p in ours)

    all_records = [r for run in runs for r in run.records]
    mine = merge([r for r in all_records if counted(r)])
    failing = [r for r in mine if r.kind in OURS_FAILING]
    other = [r for r in mine if r.kind not in OURS_FAILING and r.kind not in LEAK_KINDS]
    total = sum(r.count for r in all_records)
    print(f"memcheck: {plural(len(runs), 'XML file')}, {total} errors and leak records from "
          f"{len(all_records)} contexts in all; counted (first non-allocator frame in our "
          f".so files): {len(mine)} contexts, {len(failing)} failing", file=out)
    for run in runs:
        state = "finished" if run.finished and run.complete else "INCOMPLETE"
        extra = f", killed by {run.fatal_signal}" if run.fatal_signal else ""
        extra += f", {run.error}" if run.error else ""
        print(f"  {os.path.basename(run.path)}: pid {run.pid or '?'}, {state}{extra}, "
              f"{len(run.records)} contexts", file=out)

    def show(r, tag):
        f = first_non_allocator(r.stack())
        head = leak_phrase(r) if r.kind in LEAK_KINDS else error_phrase(r)
        print(f"  {tag} {r.kind}: {os.path.basename(f.obj)}: {head}, at {f.short()}", file=out)
        print_stack(r.stack(), out, args.frames)
        for i, stack in enumerate(r.stacks[1:]):
            print(f"    {r.auxwhat[i] if i < len(r.auxwhat) else ''}:", file=out)
            print_stack(stack, out, args.frames)

    for r in failing[:args.max_records]:
        show(r, "FAIL")
    for r in other[:args.max_records]:
        show(r, "note")
    possible = [r for r in mine if r.kind == "Leak_PossiblyLost"]
    if possible:
        print(f"  note: {plural(len(possible), 'possibly lost record')} in our .so files "
              f"({sum(r.bytes for r in possible)} bytes; not failing)", file=out)
    leaked = sum(r.bytes for r in failing if r.kind in FAILING_LEAKS)
    invalid = sum(r.count for r in failing if r.kind not in FAILING_LEAKS)
    print(f"memcheck: ours: {leaked} bytes definitely/indirectly lost, {invalid} invalid "
          f"accesses/frees, {sum(r.count for r in other)} other errors (not failing)",
          file=out)
    if not any(run.finished for run in runs):
        print("memcheck: no process finished under Valgrind: nothing was leak-checked",
              file=out)
        return 1
    return 1 if failing else 0


def main():
    ap = argparse.ArgumentParser(
        description="Summarize Valgrind memcheck XML for isolex (see the module docstring).")
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--extension", metavar="SO",
                      help="the user's extension: report every record, located in it")
    mode.add_argument("--ours", metavar="REGEX", action="append",
                      help="count only records whose first non-allocator frame's object "
                           "path matches (repeatable)")
    ap.add_argument("--max-records", type=int, default=20, metavar="N",
                    help="print at most N records of each kind (default 20)")
    ap.add_argument("--frames", type=int, default=12, metavar="N",
                    help="print at most N frames of each stack (default 12)")
    ap.add_argument("xml", nargs="+", help="memcheck XML files (--xml-file)")
    args = ap.parse_args()

    runs = []
    for path in args.xml:
        if not os.path.isfile(path):
            print(f"memcheck-filter: no such file: {path}", file=sys.stderr)
            return 3
        run = read_xml(path)
        if run.error and not run.records and not run.finished:
            print(f"memcheck-filter: cannot read {path}: {run.error}", file=sys.stderr)
            if args.extension:
                return 3
        runs.append(run)
    if args.extension:
        return extension_mode(args, runs, sys.stdout)
    return ours_mode(args, runs, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
