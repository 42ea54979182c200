"""Lazy registries: a name maps to a `"module"` or `"module:attr"` string, imported the first time it is used.

Kinds, suites, model families and studies are registered this way (as lm-evaluation-harness's
`lm_eval/api/registry.py` registers by name, without its decorators' import-everything step), so a stage imports
only what it runs, and its DVC deps (`repro dvc-deps`, which reads the strings of every `Registry(...)` literal)
are only what it may run. A registry made with `deps=False` lists code that cannot change what its importer
writes (a study's params schema, which only accepts or refuses a section; the studies the driver runs): its
entries are not followed as deps, and a stage reaches its own study's code through its own imports.
"""

from __future__ import annotations

import importlib
from typing import Any, Iterator

from repro.errors import UserError


class Registry:
    """{name: "package.module[:attr]"}; `registry[name]` imports and returns the module (or its attribute)."""

    def __init__(self, what: str, entries: dict[str, str], *, deps: bool = True):
        self.what, self.deps = what, deps
        self._entries = dict(entries)
        self._loaded: dict[str, Any] = {}

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def names(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def target(self, name: str) -> str:
        """The `"module[:attr]"` string a name is registered as."""
        return self._entries[self._known(name)]

    def __getitem__(self, name: str) -> Any:
        if name not in self._loaded:
            module, _, attr = self.target(name).partition(":")
            loaded = importlib.import_module(module)
            self._loaded[name] = getattr(loaded, attr) if attr else loaded
        return self._loaded[name]

    def _known(self, name: str) -> str:
        if name not in self._entries:
            raise UserError(f"unknown {self.what} {name!r}; known: {', '.join(self._entries)}")
        return name
