"""`dvc repro` and `repro all` are the same pipeline: DVC running dvc.yaml's commands one by one in a fresh
project gives the numbers `repro all` gave (here on a reduced grid of the smoke profile, compared with the shared
full run: a stage's numbers depend on its inputs only, not on which other stages the grid holds)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import run

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.long]  # the shared smoke run: after the README's suite
GRID = {"intermediate_tasks": ["commonsenseqa"], "intermediate": ["none", "commonsenseqa"], "alternatives": [],
        "trained_targets": ["xquad"], "shared_targets": ["mlqa"], "retrieval_targets": ["tatoeba"]}


def _values(path: Path) -> dict:
    rows = json.loads(path.read_text())["results"]
    return {(r["intermediate"], r["target"], r["language"], r["metric"]): r["value"] for r in rows}


@pytest.mark.long
def test_dvc_repro_from_a_fresh_clone_gives_the_metrics_of_repro_all(smoke_project, tmp_path, monkeypatch):
    project = tmp_path / "fresh"
    project.mkdir()
    for name in ("dvc.yaml", "claims.yaml", ".dvcignore"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "repro", project / "repro", ignore=shutil.ignore_patterns("__pycache__"))
    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    raw["profiles"]["smoke"]["study"] = GRID
    (project / "params.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    run(["git", "init", "-q"], project)
    run([sys.executable, "-m", "dvc", "init", "-q"], project)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")  # dvc.yaml's `python`
    run([sys.executable, "-m", "dvc", "repro", "tables-smoke", "verify-smoke"], project)

    ours, theirs = _values(project / "results/smoke/metrics.json"), _values(smoke_project / "results/smoke/metrics.json")
    languages = raw["profiles"]["smoke"]["languages"]
    assert {key[:3] for key in ours} == {(i, t, lang) for i in GRID["intermediate"]
                                         for t in ("xquad", "mlqa", "tatoeba") for lang in languages[t]}
    assert ours == {key: theirs[key] for key in ours}
    assert (project / "results/smoke/claims.json").is_file() and (project / "results/smoke/tables/table2.md").is_file()


def test_repro_all_refuses_a_params_file_dvc_does_not_track(smoke_project):
    other = smoke_project / "other.yaml"
    raw = yaml.safe_load((smoke_project / "params.yaml").read_text())
    raw["profiles"]["smoke"]["target"]["defaults"]["learning_rate"] = 0.5
    other.write_text(yaml.safe_dump(raw))
    result = subprocess.run([sys.executable, "-m", "repro.cli", "all", "--profile", "smoke", "--params", str(other)],
                            cwd=smoke_project, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "dvc.yaml tracks" in result.stderr, result.stderr
    other.unlink()
