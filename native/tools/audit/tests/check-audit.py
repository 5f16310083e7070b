#!/usr/bin/env python3
"""Run ixaudit and compare its output and exit status with an expected file, exactly.

    check-audit.py EXPECTED RC [--json] -- IXAUDIT ARGS...

EXPECTED holds stdout, then, when stderr is not empty, a line '--- stderr' and stderr.
With --json, stdout must also parse as one JSON object with the documented keys
(docs/audit.md). ISOLEX_AUDIT_REGEN=1 rewrites EXPECTED from the run instead (review the
diff before committing it).
"""
import difflib
import json
import os
import subprocess
import sys

JSON_KEYS = ["file", "module", "symtab", "dwarf", "writable", "inits", "findings",
             "cannot_see", "dynamic", "verdict", "findings_total"]


def main(argv):
    sep = argv.index("--")
    expected_path, want_rc, options, cmd = argv[1], int(argv[2]), argv[3:sep], argv[sep + 1:]
    run = subprocess.run(cmd, capture_output=True, text=True)
    got = run.stdout + ("--- stderr\n" + run.stderr if run.stderr else "")
    failures = []
    if run.returncode != want_rc:
        failures.append(f"exit status {run.returncode}, expected {want_rc}")
    if "--json" in options:
        try:
            obj = json.loads(run.stdout)
            if list(obj.keys()) != JSON_KEYS:
                failures.append(f"JSON keys {list(obj.keys())}, expected {JSON_KEYS}")
        except ValueError as e:
            failures.append(f"stdout is not JSON: {e}")
    if os.environ.get("ISOLEX_AUDIT_REGEN") == "1":
        with open(expected_path, "w") as f:
            f.write(got)
        print(f"rewrote {expected_path}")
        return 0
    with open(expected_path) as f:
        want = f.read()
    if got != want:
        failures.append("output differs from " + expected_path + ":\n" + "".join(
            difflib.unified_diff(want.splitlines(True), got.splitlines(True), "expected", "got")))
    for failure in failures:
        print("FAIL: " + failure)
    if failures:
        print("command: " + " ".join(cmd))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
