"""dvc.lock, rewritten after each stage `repro all` commits, without re-reading and re-serializing the whole file.

`dvc repro` writes dvc.lock with DVC's round-trip YAML writer; at a few hundred stages (a smoke project's lock is
about 1.3 MB) even libyaml takes seconds to load and dump it, because PyYAML builds and represents the Python
objects in Python. Once per stage, on a 2-core machine, that was most of a smoke run's bookkeeping. Here the file
is read once per run, each stage's entry is serialized once, as the whole-file dump would write it under
`stages:`, and each commit writes the cached pieces joined: the same YAML document, in the same order.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from repro.io import atomic_text

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_HEAD = "stages:\n"


def _dump(data: dict) -> str:
    return yaml.dump(data, Dumper=_DUMPER, sort_keys=False, default_flow_style=False, width=1 << 16)


class LockFile:
    """dvc.lock at `path`: `update({stage: entry})` records entries (DVC's `to_lockfile` form) and rewrites it."""

    def __init__(self, path: Path):
        self.path = path
        self._top: dict | None = None  # every top-level key but `stages`
        self._entries: dict[str, str] = {}  # stage name -> its serialized entry, indented under `stages:`

    def _read(self) -> None:
        data = (yaml.load(self.path.read_text(), Loader=_LOADER) if self.path.is_file() else None) or {}
        stages = data.pop("stages", None) or {}
        self._top = data or {"schema": "2.0"}
        self._entries = {name: self._serialize(name, entry) for name, entry in stages.items()}

    @staticmethod
    def _serialize(name: str, entry: dict) -> str:
        return _dump({"stages": {name: entry}})[len(_HEAD):]

    def update(self, entries: dict[str, dict]) -> None:
        """Record these stages' entries (replacing earlier ones of the same names) and write the file."""
        if self._top is None:
            self._read()
        for name, entry in entries.items():
            self._entries[name] = self._serialize(name, json.loads(json.dumps(entry)))  # plain dicts and lists
        stages = _HEAD + "".join(self._entries.values()) if self._entries else "stages: {}\n"
        atomic_text(self.path, _dump(self._top) + stages)
