#!/usr/bin/env python3
"""Print the entries of requirements.lock for the named packages (with their hashes), for an image that needs only
part of the lock: `scripts/lock_subset.py requirements.lock typer rich ... > subset.txt`. Names are normalized as
pip does (case, `-`/`_`/`.`); a name the lock lacks is an error."""

import re
import sys


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def subset(lock_text: str, names: set[str]) -> str:
    entries, current = {}, None
    for line in lock_text.splitlines():
        head = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==", line)
        if head:
            current = normalize(head.group(1))
            entries[current] = [line]
        elif current and line.startswith("    --hash="):
            entries[current].append(line)
        else:
            current = None
    wanted = {normalize(n) for n in names}
    absent = sorted(wanted - entries.keys())
    if absent:
        raise SystemExit(f"lock_subset.py: not in the lock: {', '.join(absent)}")
    return "\n".join(line.rstrip(" \\") if i == len(entries[n]) - 1 else line
                     for n in sorted(wanted) for i, line in enumerate(entries[n])) + "\n"


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        sys.stdout.write(subset(handle.read(), set(sys.argv[2:])))
