#!/usr/bin/env python3
"""check-guide.py DOC [--output FILE]... [--quote FILE]... COMMAND...: the guide shows what the tests run.

Each COMMAND must appear in DOC as a line of its own, and each --output FILE's text (an
expected audit output) verbatim inside a ``` block of DOC. A finding line DOC quotes on its
own (two spaces, a kind, a symbol: "  state postings (...") must be a line of one of the
--output or --quote files (expected outputs of other audit tests), word for word. CTest audit-migration-guide passes the
commands that audit-migration-before/-after run and the outputs they assert
(examples/migration/CMakeLists.txt), so abi/MIGRATION.md cannot drift from the tests.
Exit status: 0 all shown, 1 something missing, 2 usage.
"""
import re
import sys

FINDING = re.compile(r"^  (legacy-init|static-type|object-ref|state|const-table|unknown|unattributed) \S+ \(")


def main(argv):
    if len(argv) < 3:
        print("usage: check-guide.py DOC [--output FILE]... COMMAND...")
        return 2
    doc, rest = argv[1], argv[2:]
    outputs, quotes, commands = [], [], []
    while rest:
        if rest[0] in ("--output", "--quote") and len(rest) > 1:
            (outputs if rest[0] == "--output" else quotes).append(rest[1])
            rest = rest[2:]
        else:
            commands.append(rest.pop(0))
    with open(doc, encoding="utf-8") as f:
        text = f.read()
    lines = {line.strip() for line in text.splitlines()}
    failures = []
    for c in commands:
        if c not in lines:
            failures.append(f"{doc}: missing the command the tests run:\n  {c}")
    for path in outputs:
        with open(path, encoding="utf-8") as f:
            want = f.read()
        if "```\n" + want + "```" not in text:
            failures.append(f"{doc}: missing, as a ``` block, the audit output the tests assert: {path}")
    known = set()
    for path in outputs + quotes:
        with open(path, encoding="utf-8") as f:
            known.update(f.read().splitlines())
    for number, line in enumerate(text.splitlines(), 1):
        if FINDING.match(line) and line not in known:
            failures.append(f"{doc}:{number}: a finding line no audit test asserts:\n{line}")
    for failure in failures:
        print(failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
