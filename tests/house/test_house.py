"""The house keeps its shape: no import cycles, no module past ~500 lines, the task-kind switch only in
repro/kinds, and task entries importable without datasets or torch (../shared/design/house.md)."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[2]
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


STUDIES = ("paper", "multilingual", "code")  # repro/studies/__init__.py's registry (the test reads it below)


def _core_files() -> list[Path]:
    """Every module outside repro/studies/: the machinery all studies share, which names none of them."""
    return [p for p in PACKAGE.rglob("*.py") if not p.is_relative_to(PACKAGE / "studies")]


def test_the_study_registry_is_what_the_house_test_checks():
    from repro import studies

    assert set(studies.STUDIES) == set(STUDIES)
    assert all((PACKAGE / "studies" / name / "study.py").is_file() for name in STUDIES)


def test_core_modules_name_no_study():
    """No study name in a core module's path (a task kind is named for what it does: kinds/code_generation.py),
    import (of repro.studies.<study>) or string switch (`== "code"`)."""
    offenders = []
    for path in _core_files():
        where = path.relative_to(ROOT)
        stems = [*path.relative_to(PACKAGE).parent.parts, path.stem]
        if any(stem == name or (stem.startswith(f"{name}_") and not path.is_relative_to(PACKAGE / "kinds"))
               or stem.endswith(f"_{name}") for stem in stems for name in STUDIES):
            offenders.append(f"{where}: path")
        for node in ast.walk(ast.parse(path.read_text())):
            modules = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                       [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if isinstance(node, ast.ImportFrom) and node.module == "repro.studies":
                modules += [f"repro.studies.{a.name}" for a in node.names]
            if any(m == f"repro.studies.{name}" or m.startswith(f"repro.studies.{name}.") for m in modules
                   for name in STUDIES):
                offenders.append(f"{where}:{node.lineno}: imports {modules}")
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                if any(isinstance(s, ast.Constant) and s.value in STUDIES for s in sides):
                    offenders.append(f"{where}:{node.lineno}: compares with a study's name")
    assert not offenders, offenders


def test_a_study_folder_holds_its_own_code():
    """Each study folder has its params section's schema (where it has one), its stages, its scores and pricing."""
    from repro import studies

    for name in STUDIES:
        folder = PACKAGE / "studies" / name
        module = studies.get(name)
        assert (folder / "stages").is_dir() and (folder / "scores.py").is_file()
        assert all(verb_module.startswith(f"repro.studies.{name}.stages.") for _, verb_module, _ in module.VERBS)
        assert callable(module.plan) and callable(module.table)
    for name, target in ((n, studies.SECTIONS.target(n)) for n in studies.SECTIONS):
        assert target.startswith(f"repro.studies.{name}.params:")


def test_the_cli_leaves_argv_alone_and_finetune_takes_one_settings_object():
    """`repro/cli.py` reads no `sys.argv` (verbs come from typer alone), and `finetune(model, rows, setup)` is told
    how to train by one `TrainSetup` (repro/engine/setup.py), not by a dozen keywords."""
    cli = ast.parse((PACKAGE / "cli.py").read_text())
    argv = [node.lineno for node in ast.walk(cli) if isinstance(node, ast.Attribute) and node.attr == "argv"]
    assert not argv, f"repro/cli.py touches sys.argv at lines {argv}"
    trainer = ast.parse((PACKAGE / "engine" / "trainer.py").read_text())
    [finetune] = [node for node in trainer.body if isinstance(node, ast.FunctionDef) and node.name == "finetune"]
    arguments = finetune.args
    assert [a.arg for a in arguments.args] == ["model", "rows", "setup"] and not arguments.kwonlyargs
    assert ast.unparse(arguments.args[2].annotation) == "TrainSetup"
