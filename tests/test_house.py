"""The house keeps its shape: no import cycles, no module past ~500 lines, the task-kind switch only in
repro/kinds, and task entries importable without datasets or torch (../shared/design/house.md)."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "repro"
MAX_LINES = 500
KIND_SWITCH = re.compile(r"(task|TASKS\[[^\]]*\])\.(kind|format)\s*(==|!=|in\b|not in\b)")


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The repro modules a file imports, at module level or inside functions (a lazy cycle is a cycle too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        found |= {name for name in names if name in modules}
    return found


def test_no_import_cycles():
    files = {_module(path): path for path in PACKAGE.rglob("*.py")}
    graph = nx.DiGraph()
    for name, path in files.items():
        graph.add_node(name)
        for target in _imports(path, set(files)):
            if target != name and not name.startswith(f"{target}."):  # a package's own __init__ is no cycle
                graph.add_edge(name, target)
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, f"import cycles: {cycles[:3]}"


def test_no_module_past_the_size_limit():
    lines = {str(p.relative_to(ROOT)): len(p.read_text().splitlines()) for p in PACKAGE.rglob("*.py")}
    long = {name: n for name, n in lines.items() if n > MAX_LINES}
    assert not long, long


def test_only_repro_kinds_asks_which_kind_a_task_is():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.is_relative_to(PACKAGE / "kinds"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if KIND_SWITCH.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, offenders


def test_task_entries_import_without_datasets_or_torch():
    code = ("import sys, repro.tasks; "
            "print(sorted(m for m in ('torch', 'datasets', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "[]"
