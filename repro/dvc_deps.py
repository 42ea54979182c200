"""`repro dvc-deps`: every dvc.yaml stage's `repro/` deps, generated from the code its module can run.

A stage's code is the closure of its module's imports, read statically with `ast`: `import` and `from ... import`
statements anywhere in a module (inside functions too: a lazy import still runs), the parent packages of each
module, and the entries of every `Registry(...)` literal (`repro.registry`), the names a stage imports on use.
A data file a module reads beside itself (`Path(__file__).with_name("manifest.yaml")`) is code too. A registry
made with `deps=False` (the studies and their params schemas) is not followed: params validation and
the driver use it, and a stage reaches its own study's code through its own imports. A static closure may list a
file that one instance of a stage never runs (a Hub loader on the smoke profile); it never misses one that runs
(tests/house/test_dvc_deps.py runs one stage of each kind and checks that what it imports is listed).

dvc.yaml stays a plain, hand-readable file: only the `- repro/...` items of each `deps:` list are rewritten, in
place; every other line (data and model deps, comments, anchors) is kept as it is.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path

from repro.errors import UserError

STAGE = re.compile(r"^  (?P<name>[\w@.+-]+):(?:\s*&(?P<anchor>\w+))?")
MERGE = re.compile(r"^    <<:\s*\*(?P<anchor>\w+)")
CMD = re.compile(r"^    cmd:\s*python -m (?P<module>[\w.]+)")
DEPS = re.compile(r"^    deps:\s*$")
ITEM = re.compile(r"^      - (?P<dep>\S+)")


class Imports:
    """The static import graph of the `repro` package under `root` (the project directory)."""

    def __init__(self, root: Path):
        self.root = root

    def file(self, module: str) -> Path | None:
        path = self.root.joinpath(*module.split("."))
        for candidate in (path / "__init__.py", path.with_suffix(".py")):
            if candidate.is_file():
                return candidate
        return None

    def closure(self, module: str) -> set[str]:
        """The repro files (relative paths) that running `python -m module` can import."""
        start = self._files(module)
        if not start:
            raise UserError(f"{module}: no such module under {self.root}")
        seen: set[Path] = set()
        todo = list(start)
        while todo:
            path = todo.pop()
            if path not in seen:
                seen.add(path)
                todo.extend(self._edges(path))
        return {path.relative_to(self.root).as_posix() for path in seen}

    def _files(self, module: str) -> list[Path]:
        """The files importing `module` runs: each package on its path, then the module."""
        parts = module.split(".")
        found = (self.file(".".join(parts[:i])) for i in range(1, len(parts) + 1))
        return [path for path in found if path is not None]

    @lru_cache(maxsize=None)
    def _edges(self, path: Path) -> tuple[Path, ...]:
        package = ".".join(path.relative_to(self.root).with_suffix("").parts)
        if path.name != "__init__.py":
            package = package.rpartition(".")[0]
        else:
            package = package.removesuffix(".__init__")
        modules: set[str] = set()
        files: set[Path] = set()
        if path.suffix != ".py":
            return ()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                modules.add(base)
                modules.update(f"{base}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Call):
                modules.update(_registered(node))
                beside = _beside(node)
                if beside and (path.parent / beside).is_file():
                    files.add(path.parent / beside)
        found = [f for m in sorted(modules) if m.split(".")[0] == "repro" for f in self._files(m)]
        return tuple(dict.fromkeys([*found, *sorted(files)]))


def _registered(call: ast.Call) -> list[str]:
    """The modules a `Registry(what, {name: "module[:attr]"})` literal names (none for `deps=False`), and the
    module of an `importlib.import_module("literal")`."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name == "import_module" and call.args and isinstance(call.args[0], ast.Constant):
        return [str(call.args[0].value)]
    if name != "Registry" or len(call.args) < 2 or not isinstance(call.args[1], ast.Dict):
        return []
    if any(k.arg == "deps" and isinstance(k.value, ast.Constant) and k.value.value is False for k in call.keywords):
        return []
    return [v.value.partition(":")[0] for v in call.args[1].values
            if isinstance(v, ast.Constant) and isinstance(v.value, str)]


def _beside(call: ast.Call) -> str | None:
    """The file name of a `Path(__file__).with_name("<name>")` call."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "with_name" and call.args
            and isinstance(call.args[0], ast.Constant) and isinstance(func.value, ast.Call)):
        return None
    inner = func.value
    if getattr(inner.func, "id", "") == "Path" and inner.args and getattr(inner.args[0], "id", "") == "__file__":
        return str(call.args[0].value)
    return None


def _blocks(lines: list[str]) -> list[dict]:
    """Each stage of dvc.yaml's `stages:`: its name, anchor, merged anchor, module, and the span of its deps."""
    blocks, current, inside = [], None, False
    for i, line in enumerate(lines):
        if line.startswith("stages:"):
            inside = True
            continue
        if inside and line.strip() and not line.startswith((" ", "#")):
            inside = False
        if not inside:
            continue
        if match := STAGE.match(line):
            current = {"name": match["name"], "anchor": match["anchor"], "merge": None, "module": None, "deps": None}
            blocks.append(current)
        elif current is not None:
            if match := MERGE.match(line):
                current["merge"] = match["anchor"]
            elif match := CMD.match(line):
                current["module"] = match["module"]
            elif DEPS.match(line):
                current["deps"] = i
    return blocks


def generate(root: Path) -> tuple[str, list[str]]:
    """(dvc.yaml with every stage's `repro/` deps generated, the stages whose deps changed)."""
    path = root / "dvc.yaml"
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    lines = path.read_text().splitlines(keepends=True)
    blocks = _blocks(lines)
    by_anchor = {block["anchor"]: block for block in blocks if block["anchor"]}
    imports, changed, edits = Imports(root), [], []
    for block in blocks:
        if block["deps"] is None:
            continue  # inherits its deps from the block it merges
        module = block["module"] or by_anchor.get(block["merge"], {}).get("module")
        if module is None:
            raise UserError(f"{path}: stage {block['name']}: no `cmd: python -m <module>` to generate its deps from")
        start = end = block["deps"] + 1
        while end < len(lines) and (ITEM.match(lines[end]) or lines[end].startswith("      #")):
            end += 1
        items = lines[start:end]
        code = [line for line in items if (m := ITEM.match(line)) and m["dep"].startswith("repro/")]
        others = [line for line in items if line not in code]
        wanted = [f"      - {dep}\n" for dep in sorted(imports.closure(module))]
        if code != wanted:
            changed.append(block["name"])
        edits.append((start, end, others + wanted))
    for start, end, items in reversed(edits):
        lines[start:end] = items
    return "".join(lines), changed
