"""What DVC shows of a finished smoke run: scores in `dvc metrics show`, the declared plots and training curves in
`dvc plots show`'s HTML, `dvc exp run -S` rerunning exactly the stages a param touches (beside the baseline in
`dvc exp show`), and the reviewer's path: a fresh clone pulls the reports alone from a remote and verifies every
claim with no training. The experiment and the clone run on a reduced grid, copied from the shared run."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import PAPER_SMOKE, run

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.long]
GRID = {"intermediate_tasks": ["commonsenseqa"], "intermediate": ["none", "commonsenseqa"], "alternatives": [],
        "trained_targets": ["xnli", "xquad"], "shared_targets": ["mlqa"], "retrieval_targets": ["tatoeba"]}
REPORTS = ["collect-smoke", "tables-smoke", "verify-smoke", "summary-smoke"]
PAPER_REPORTS = [name.replace("-smoke", "-paper") for name in REPORTS]  # whose outs the reviewer's test borrows
PAPER_GROUPS = {f"{group}-smoke" for group in ("data", "pretrain", "intermediate", "alternative", "target",
                                               "evaluate", "retrieval", "collect", "tables", "verify", "summary")}


def dvc(project: Path, *args: str) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "dvc", *args], project)


@pytest.fixture(autouse=True)
def _python_on_path(monkeypatch):
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")  # dvc.yaml's python


def test_dvc_metrics_show_lists_the_scores_and_no_provenance(smoke_project):
    shown = json.loads(dvc(smoke_project, "metrics", "show", "--json").stdout)
    (revision,) = shown.values()  # the workspace (keyed "" in a repository with no commit yet)
    files = revision["data"]
    summary = files["results/smoke/summary.json"]["data"]
    assert set(summary) >= {"scores", "deltas", "claims", "xtreme"}
    assert isinstance(summary["scores"]["none"]["xnli"], float) and 0 < summary["scores"]["none"]["xnli"] <= 100
    assert isinstance(summary["deltas"]["mnli"]["avg"], float)
    assert sum(summary["claims"].values()) == len(json.loads(
        (smoke_project / "results/smoke/claims.json").read_text())["claims"])
    assert "results/smoke/metrics.json" not in files  # its provenance (git SHA) is no metric
    text = json.dumps(files)
    assert '"sha"' not in text and '"git"' not in text and '"provenance"' not in text


def test_dvc_plots_show_draws_the_tables_and_training_curves(smoke_project, tmp_path):
    out = tmp_path / "plots"
    dvc(smoke_project, "plots", "show", "-o", str(out))
    html = (out / "index.html").read_text()
    assert "Table 2 (smoke): dev score of each intermediate task minus no intermediate task, per target" in html
    assert "results/smoke/plots/languages/xnli.json" in html
    assert "results/smoke/curves/target-none-xnli/train/loss.tsv" in html
    assert "results/smoke/curves/target-none-xnli/dev/score.tsv" in html
    assert "results/smoke/curves/pretrain/train/loss.tsv" in html
    loss = (smoke_project / "results/smoke/curves/target-none-xnli/train/loss.tsv").read_text().splitlines()
    assert loss[0].split("\t") == ["step", "loss"] and len(loss) > 5


def _reduced(smoke_project: Path, project: Path) -> Path:
    """A project on the reduced grid holding the shared run's outputs of its stages, recorded in dvc.lock with
    `dvc commit` (the same code, params and inputs: what `dvc repro` would have written) and committed to git. Its
    dvc.yaml keeps the paper study's smoke stages: every DVC command parses the whole file, and the other profiles'
    and studies' ~1,500 stages, which no command here reaches, cost each of them seconds."""
    project.mkdir()
    for name in ("claims.yaml", ".dvcignore", ".gitignore"):
        shutil.copy(ROOT / name, project / name)
    spec = yaml.safe_load((ROOT / "dvc.yaml").read_text())  # the paper study's smoke stages and its paper reports
    spec["stages"] = {name: stage for name, stage in spec["stages"].items()
                      if re.fullmatch(PAPER_SMOKE, name) or name in PAPER_REPORTS}
    (project / "dvc.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    shutil.copytree(ROOT / "repro", project / "repro", ignore=shutil.ignore_patterns("__pycache__"))
    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    raw["profiles"]["smoke"]["study"] = GRID
    (project / "params.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    shutil.copytree(smoke_project / "prepared", project / "prepared")
    for encoder in GRID["intermediate"]:
        shutil.copytree(smoke_project / f"models/smoke/encoders/{encoder}", project / f"models/smoke/encoders/{encoder}")
        for target in GRID["trained_targets"]:
            relative = f"models/smoke/target/{encoder}/{target}"
            shutil.copytree(smoke_project / relative, project / relative)
        for target in GRID["trained_targets"] + GRID["shared_targets"] + GRID["retrieval_targets"]:
            for relative in (f"results/smoke/predictions/{encoder}/{target}", f"results/smoke/stages/{encoder}"):
                if not (project / relative).exists():
                    shutil.copytree(smoke_project / relative, project / relative)
    shutil.copytree(smoke_project / "results/smoke/curves", project / "results/smoke/curves")
    run(["git", "init", "-q"], project)
    dvc(project, "init", "-q")
    run([sys.executable, "-m", "repro.cli", "collect", "--profile", "smoke"], project)  # the reduced grid's reports
    for verb in (["table", "all"], ["verify", "--record"], ["summary"]):
        run([sys.executable, "-m", "repro.cli", *verb, "--profile", "smoke"], project)
    smoke = [name for name in dvc(project, "stage", "list", "--name-only").stdout.split()  # the paper study's
             if name.split("@")[0] in PAPER_GROUPS]  # (the grid has no multitask; the other studies do not run)
    dvc(project, "commit", "-f", "-q", *smoke)
    run(["git", "add", "-A"], project)
    run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "baseline"], project)
    return project


def test_dvc_exp_run_reruns_exactly_the_touched_stages(smoke_project, tmp_path):
    project = _reduced(smoke_project, tmp_path / "exp")
    assert "up to date" in dvc(project, "status", "tables-smoke", "summary-smoke").stdout
    key = "profiles.smoke.target.tasks.xnli.learning_rate"
    result = dvc(project, "exp", "run", "-S", f"{key}=5e-4", "-n", "lr5e-4", "tables-smoke", "summary-smoke")
    ran = {line.split("'")[1] for line in result.stdout.splitlines() if line.startswith("Running stage")}
    assert ran == {f"target-smoke@{e}-xnli" for e in GRID["intermediate"]} | set(REPORTS), result.stdout
    shown = json.loads(dvc(project, "exp", "show", "--json").stdout)
    baseline = next(entry for entry in shown if entry["rev"] != "workspace")  # the commit, its experiments below
    experiments = [e for branch in baseline.get("experiments") or [] for e in branch["revs"]]
    assert [e["name"] for e in experiments] == ["lr5e-4"]

    def xnli(scores: dict) -> dict:
        return {encoder: scores[encoder]["xnli"] for encoder in GRID["intermediate"]}

    def shown_xnli(entry: dict) -> dict:
        return xnli(entry["data"]["metrics"]["results/smoke/summary.json"]["data"]["scores"])

    assert shown_xnli(baseline) != shown_xnli(experiments[0])  # half the learning rate moves XNLI
    assert shown_xnli(baseline) == xnli(json.loads((smoke_project / "results/smoke/summary.json").read_text())[
        "scores"])
    table = dvc(project, "exp", "show", "--md").stdout  # what a person reads: the experiment beside the baseline
    assert "lr5e-4" in table and "scores.none.xnli" in table


def test_a_reviewer_pulls_the_reports_alone_and_verifies_every_claim(smoke_project, tmp_path):
    """The paper's report blocks (cached outputs) applied to the smoke ones: push them to a local remote, clone,
    pull just the four report stages, verify."""
    project = tmp_path / "published"
    _reduced(smoke_project, project)
    spec = yaml.safe_load((project / "dvc.yaml").read_text())
    for group in ("collect", "tables", "verify", "summary"):
        paper = {k: v for k, v in spec["stages"][f"{group}-paper"].items() if k in ("outs", "metrics")}
        spec["stages"][f"{group}-smoke"].update(paper)
    (project / "dvc.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    remote = tmp_path / "remote"
    dvc(project, "remote", "add", "-d", "-f", "public", str(remote))
    run(["git", "rm", "-rq", "--cached", "results/smoke"], project)  # DVC owns the reports now, not git
    dvc(project, "commit", "-f", "-q", *REPORTS)
    dvc(project, "push", *REPORTS)
    run(["git", "add", "-A"], project)
    run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "publish"], project)

    clone = tmp_path / "clone"
    run(["git", "clone", "-q", str(project), str(clone)], tmp_path)
    assert not (clone / "results/smoke/metrics.json").exists()
    dvc(clone, "pull", *REPORTS)
    assert not (clone / "models").exists() and not (clone / "prepared").exists()  # no checkpoints, no datasets
    for name in ("metrics.json", "alternatives.json", "claims.json", "summary.json", "tables/table2.md"):
        assert (clone / "results/smoke" / name).is_file(), name
    verdicts = subprocess.run([sys.executable, "-m", "repro.cli", "verify", "--profile", "smoke", "--json"],
                              cwd=clone, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "CUDA_VISIBLE_DEVICES": ""})
    assert verdicts.returncode in (0, 1), verdicts.stderr  # 1: the tiny model fails some claims, honestly
    ours = {c["id"]: c["status"] for c in json.loads(verdicts.stdout)["claims"]}
    recorded = {c["id"]: c["status"] for c in json.loads((project / "results/smoke/claims.json").read_text())["claims"]}
    assert ours == recorded and len(ours) >= 18
    assert set(ours.values()) <= {"pass", "fail", "missing"}
