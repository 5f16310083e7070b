#!/usr/bin/env python3
"""check-guide.py DOC COMMAND...: every COMMAND appears in DOC as a line of its own.

CTest audit-migration-guide passes the commands that audit-migration-before/-after run
(examples/migration/CMakeLists.txt), so the guide cannot drift from what the tests assert.
"""
import sys


def main(argv):
    doc, commands = argv[1], argv[2:]
    with open(doc, encoding="utf-8") as f:
        lines = {line.strip() for line in f}
    missing = [c for c in commands if c not in lines]
    for c in missing:
        print(f"{doc}: missing the command the tests run:\n  {c}")
    if not commands:
        print("check-guide.py: no commands given")
        return 2
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
