#!/usr/bin/env python3
"""check-doc-c-blocks.py: every C block of the docs is either compiled or marked a fragment.

Usage: check-doc-c-blocks.py --source-dir DIR --work-dir DIR [--cc CC] [--nm NM]
                             [--include DIR]... [--flag FLAG]... DOC...
       check-doc-c-blocks.py --self-test --work-dir DIR [same options]

The C counterpart of java/core's DocExamplesTest. A ```c (or ```C, ```h) block of a DOC
(a path relative to --source-dir; a glob such as abi/*.md is expanded there) is one of:

- a fragment: its first line begins with "/* fragment" (e.g. "/* fragment */", or
  "/* fragment: before and after, side by side */"). It is not compiled.
- a complete translation unit: it begins, comments aside, with a preprocessor line
  (#include ...), or it holds IX_MODINIT/IX_LEGACY_MODINIT or main(). It is compiled to an
  object with the project's flags, the error lines naming the doc's own file and line
  (a #line directive maps them). A block with IX_MODINIT or IX_LEGACY_MODINIT is also
  linked as a shared object, as an extension is built, and must export exactly one symbol,
  its IxInit_NAME (or IxInitLegacy_NAME), and import no Ix*/ixh_*/ixw_* symbol (ABI.md
  2.1). A block with main() is compiled only: linking it would need libisolex.

Any other C block fails, as does an untagged ``` block that holds C (a line beginning with
#include or IX_MODINIT): a reader could not tell what the block needs around it, and the
check would not see it. Exit status: 0 all good, 1 a block failed, 2 usage.

--self-test runs the check on made-up docs (a good extension, a block that does not
compile, one that exports too much, one that imports a host symbol, an unmarked fragment, an untagged C block) and fails
unless each outcome and message is the expected one: the check itself is tested in CI.
"""

import argparse
import glob
import os
import re
import subprocess
import sys

FRAGMENT_MARK = "/* fragment"
# an opening fence (``` or ~~~) and the first word of its info string: the language
FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*([^\s`]*)")
C_TAGS = {"c", "h"}
INIT = re.compile(r"\bIX_(?:LEGACY_)?MODINIT\s*\(")
MAIN = re.compile(r"\bint\s+main\s*\(")
LOOKS_LIKE_C = re.compile(r"^\s*(#\s*include\b|IX_(?:LEGACY_)?MODINIT\s*\()", re.M)
# what an extension may export: its init function, nothing else (cmake/IsolexExtension.cmake)
EXPORT_OK = re.compile(r"^IxInit(?:Legacy)?_\w+$")
IMPORT_FORBIDDEN = re.compile(r"^(Ix|ixh_|ixw_)")


class Block:
    def __init__(self, doc, line, tag, code):
        self.doc = doc      # the doc's path as given (relative to the source dir)
        self.line = line    # the doc's line number of the block's first line of code
        self.tag = tag
        self.code = code

    def where(self):
        return "%s:%d" % (self.doc, self.line)


def blocks(doc, text):
    """Every fenced block of a Markdown text, with the line of its first line of code."""
    out = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, tag = m.group(1), m.group(2).lower()
        closing = re.compile(r"^\s*" + re.escape(fence) + re.escape(fence[0]) + r"*\s*$")
        start = i + 1
        j = start
        while j < len(lines) and not closing.match(lines[j]):
            j += 1
        out.append(Block(doc, start + 1, tag, "\n".join(lines[start:j]) + "\n"))
        i = j + 1
    return out


def first_code_line(code):
    """The first line that is not blank and not (inside) a comment."""
    in_comment = False
    for line in code.split("\n"):
        s = line.strip()
        while s:
            if in_comment:
                end = s.find("*/")
                if end < 0:
                    s = ""
                    break
                s = s[end + 2:].strip()
                in_comment = False
            elif s.startswith("/*"):
                in_comment = True
                s = s[2:]
            elif s.startswith("//"):
                s = ""
            else:
                return s
    return ""


def kind(block):
    """'fragment', 'complete' or None (neither: the block fails)."""
    first = block.code.split("\n", 1)[0].strip()
    if first.startswith(FRAGMENT_MARK):
        return "fragment"
    if first_code_line(block.code).startswith("#") or INIT.search(block.code) or MAIN.search(block.code):
        return "complete"
    return None


# the C locale: plain quotes in compiler messages, whatever the CI machine's locale
ENV = dict(os.environ, LC_ALL="C")
MAX_LINES = 40


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV)
    return p.returncode, p.stdout


def head(text):
    """The compiler's first MAX_LINES lines: the first error is the one to fix."""
    lines = text.rstrip().split("\n")
    more = len(lines) - MAX_LINES
    return "\n".join(lines[:MAX_LINES] + (["... (%d more lines)" % more] if more > 0 else []))


def symbols(nm, lib, which):
    rc, out = run([nm, "-D", which, lib])
    if rc != 0:
        return None, out
    # nm prints "[address] TYPE name[@version]"; linker-made markers are not the block's
    names = [l.split()[-1].split("@")[0] for l in out.splitlines() if l.strip()]
    return [n for n in names if n not in ("_init", "_fini", "_edata", "_end", "__bss_start")], ""


def check(block, opts, index):
    """Compiles a complete block; returns a list of failure messages (empty: it passed)."""
    base = os.path.join(opts.work_dir, "block%03d" % index)
    src = base + ".c"
    with open(src, "w") as f:
        # gcc then reports errors at the doc's file and line, not at the generated file
        f.write('#line %d "%s"\n%s' % (block.line, block.doc, block.code))
    includes = ["-I" + d for d in opts.include]
    rc, out = run([opts.cc] + opts.flag + includes + ["-c", src, "-o", base + ".o"])
    if rc != 0:
        return ["%s: the C block does not compile:\n%s" % (block.where(), head(out))]
    if not INIT.search(block.code):
        return []
    lib = base + ".so"
    rc, out = run([opts.cc, "-shared", base + ".o", "-o", lib])
    if rc != 0:
        return ["%s: the extension does not link as a shared object:\n%s" % (block.where(), head(out))]
    failures = []
    exported, err = symbols(opts.nm, lib, "--defined-only")
    imported, err2 = symbols(opts.nm, lib, "--undefined-only")
    if exported is None or imported is None:
        return ["%s: nm could not read the built extension:\n%s%s" % (block.where(), err, err2)]
    extra = [s for s in exported if not EXPORT_OK.match(s)]
    inits = [s for s in exported if EXPORT_OK.match(s)]
    if extra or len(inits) != 1:
        failures.append("%s: the extension must export exactly its IxInit_NAME; it exports: %s"
                        " (make the rest static)" % (block.where(), " ".join(exported) or "nothing"))
    bad = [s for s in imported if IMPORT_FORBIDDEN.match(s)]
    if bad:
        failures.append("%s: the extension imports %s: call the host only through ctx (ABI.md 2.1)"
                        % (block.where(), " ".join(bad)))
    return failures


def check_docs(opts, docs):
    """Checks every C block of the docs; prints one line a block; returns the failures."""
    os.makedirs(opts.work_dir, exist_ok=True)
    failures = []
    counts = {"complete": 0, "fragment": 0}
    index = 0
    for doc in docs:
        with open(os.path.join(opts.source_dir, doc), encoding="utf-8") as f:
            text = f.read()
        for b in blocks(doc, text):
            if b.tag not in C_TAGS:
                if b.tag == "" and LOOKS_LIKE_C.search(b.code):
                    failures.append("%s: an untagged block holds C: open it with ```c (and mark it"
                                    " /* fragment */ if it is not a whole translation unit)" % b.where())
                continue
            k = kind(b)
            if k is None:
                failures.append("%s: a C block must be a complete translation unit (beginning with"
                                " #include, or holding IX_MODINIT or main) or begin with a"
                                " \"%s */\" line" % (b.where(), FRAGMENT_MARK))
                continue
            counts[k] += 1
            if k == "fragment":
                print("fragment %s" % b.where())
                continue
            index += 1
            f = check(b, opts, index)
            print("%s %s" % ("FAIL    " if f else "ok      ", b.where()))
            failures += f
    print("doc-c-blocks: %d complete blocks compiled, %d fragments, in %d docs"
          % (counts["complete"], counts["fragment"], len(docs)))
    return failures


def expand(source_dir, patterns):
    docs = []
    for p in patterns:
        found = sorted(glob.glob(os.path.join(source_dir, p)))
        if not found and not any(c in p for c in "*?["):
            sys.exit("check-doc-c-blocks: %s: no such file under %s" % (p, source_dir))
        docs += [os.path.relpath(f, source_dir) for f in found]
    return docs


SELF_TEST = {
    # name: (doc text, expected exit: failing or not, regex the failures must match)
    "good.md": ("Text.\n\n```c\n#include <isolex.h>\n\nstatic const IxModuleDef def = {\n"
                "    IX_MODULEDEF_HEAD,\n    .name = \"good\",\n};\n\nIX_MODINIT(good) { return &def; }\n"
                "```\n\n```c\n/* fragment: not compiled */\nst->x = 1;\n```\n", None),
    "broken.md": ("Line 1.\n\n```c\n#include <isolex.h>\n\nint f(void) { return undeclared; }\n```\n",
                  r"^broken\.md:4: the C block does not compile:\nbroken\.md: In function 'f':\n"
                  r"broken\.md:6:\d+: error: 'undeclared' undeclared"),
    "exports.md": ("```C\n#include <isolex.h>\n\nstatic const IxModuleDef def = {\n"
                   "    IX_MODULEDEF_HEAD,\n    .name = \"exports\",\n};\nIX_EXPORT int helper(void) { return 1; }\n"
                   "IX_MODINIT(exports) { return &def; }\n```\n",
                   r"^exports\.md:2: the extension must export exactly its IxInit_NAME; it exports: .*helper"),
    "imports.md": ("```c\n#include <isolex.h>\n\nint IxSecret(void);\nstatic int exec(IxContext *ctx, IxObject *m)"
                   " { return IxSecret(); }\nstatic const IxModuleSlot slots[] = {\n    {IX_MOD_EXEC, exec},\n"
                   "    IX_MOD_SLOTS_END\n};\nstatic const IxModuleDef def = {\n    IX_MODULEDEF_HEAD,\n"
                   "    .name = \"imports\",\n    .slots = slots,\n};\nIX_MODINIT(imports) { return &def; }\n```\n",
                   r"^imports\.md:2: the extension imports IxSecret: call the host only through ctx"),
    "unmarked.md": ("\n```c\nst->x = 1;\n```\n", r"^unmarked\.md:3: a C block must be a complete"),
    "untagged.md": ("```\n#include <isolex.h>\n```\n", r"^untagged\.md:2: an untagged block holds C"),
}


def self_test(opts):
    opts.source_dir = os.path.join(opts.work_dir, "self-test")
    os.makedirs(opts.source_dir, exist_ok=True)
    wrong = []
    for name, (text, expect) in sorted(SELF_TEST.items()):
        with open(os.path.join(opts.source_dir, name), "w") as f:
            f.write(text)
        failures = check_docs(opts, [name])
        joined = "\n".join(failures)
        for f in failures:
            print("  caught: " + f.split("\n", 1)[0])
        if expect is None and failures:
            wrong.append("%s: expected to pass, failed:\n%s" % (name, joined))
        elif expect is not None and not re.search(expect, joined, re.M):
            wrong.append("%s: expected a failure matching %r, got:\n%s" % (name, expect, joined or "none"))
    for w in wrong:
        print("SELF-TEST FAILED " + w)
    print("doc-c-blocks self-test: %s" % ("FAILED" if wrong else "ok, every failure is caught with its file:line"))
    return 1 if wrong else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source-dir", default=".")
    ap.add_argument("--work-dir", required=True)
    ap.add_argument("--cc", default="cc")
    ap.add_argument("--nm", default="nm")
    ap.add_argument("--include", action="append", default=[])
    ap.add_argument("--flag", action="append", default=[])
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("docs", nargs="*")
    opts = ap.parse_args()
    if opts.self_test:
        return self_test(opts)
    if not opts.docs:
        ap.error("no DOC given")
    failures = check_docs(opts, expand(opts.source_dir, opts.docs))
    for f in failures:
        print(f)
    if failures:
        print("doc-c-blocks: FAILED (%d); the convention is in this script's header" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
