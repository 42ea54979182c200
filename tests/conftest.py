"""The one end-to-end smoke run the slow tests share: `repro all --profile smoke` in a fresh git + DVC repo."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def run(args: list[str], cwd: Path, timeout: int = 1200) -> subprocess.CompletedProcess:
    """Run a command offline in `cwd`; fail the test with its stderr tail when it fails."""
    env = {**os.environ, "DVC_NO_ANALYTICS": "1", "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           "HF_HOME": str(cwd / ".hf")}
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{args}: {result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="session")
def smoke_project(tmp_path_factory) -> Path:
    """A fresh checkout-like project (code, params, dvc.yaml) after `repro all --profile smoke`."""
    project = tmp_path_factory.mktemp("project")
    for name in ("dvc.yaml", "params.yaml", "claims.yaml", "claims_planted.yaml", ".dvcignore"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "repro", project / "repro", ignore=shutil.ignore_patterns("__pycache__"))
    run(["git", "init", "-q"], project)
    run([sys.executable, "-m", "dvc", "init", "-q"], project)
    result = run([sys.executable, "-m", "repro.cli", "all", "--profile", "smoke"], project)
    (project / "first-run.log").write_text(result.stderr)
    return project


def validation_only(module: str) -> set[str]:
    """The repro files loading params.yaml imports to validate the studies' sections (repro.studies.SECTIONS), which
    the stage module `module` does not run itself: they can refuse a params file, never change what a stage writes,
    so dvc.yaml does not list them (repro/dvc_deps.py)."""
    from repro.dvc_deps import Imports
    from repro.studies import SECTIONS

    imports = Imports(ROOT)
    schemas = set().union(*(imports.closure(SECTIONS.target(name).partition(":")[0]) for name in SECTIONS))
    return schemas - imports.closure(module)
