"""Bad input, answered: each case runs the real CLI in a scratch project and checks the exit code (2), that stderr
is one line naming the cause, and that nothing was written (no file appears, none changes). Internal errors keep
their traceback, and so does a user's error under `repro --debug`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _env(project: Path) -> dict:
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return {**os.environ, "PYTHONPATH": path, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
            "HF_HOME": str(project / ".hf"), "DVC_NO_ANALYTICS": "1", "REPRO_DEBUG": ""}


def _files(project: Path) -> dict:
    return {p.relative_to(project): p.read_bytes() for p in project.rglob("*") if p.is_file() and ".git" not in p.parts}


def _params(project: Path, edit=None, profile: str = "smoke") -> None:
    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    if edit is not None:
        edit(raw["profiles"][profile])
    (project / "params.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "claims.yaml").write_text((ROOT / "claims.yaml").read_text())
    _params(tmp_path)
    return tmp_path


# `repro` reading another file in place of repro/data/manifest.yaml (its path: the first argument)
WITH_MANIFEST = ("import pathlib, sys; import repro.data.manifest as m; m.MANIFEST = pathlib.Path(sys.argv.pop(1)); "
                 "from repro.cli import app; app(prog_name='repro')")


def refused(project: Path, args: list[str], *causes: str, manifest: Path | None = None) -> str:
    """Run `repro ARGS` (against `manifest` where given); assert exit 2, one line on stderr naming every cause, and
    no file written or changed."""
    before = _files(project)
    command = ["-m", "repro.cli"] if manifest is None else ["-c", WITH_MANIFEST, str(manifest)]
    result = subprocess.run([sys.executable, *command, *args], cwd=project, env=_env(project),
                            capture_output=True, text=True, timeout=300)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, (args, result.returncode, result.stderr[-2000:])
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr[-2000:]
    for cause in causes:
        assert cause in lines[0], (cause, lines[0])
    assert _files(project) == before, "a refused command wrote or changed files"
    return lines[0]


def _set(path: str, value):
    def edit(profile: dict) -> None:
        *keys, last = path.split(".")
        node = profile
        for key in keys:
            node = node.setdefault(key, {})
        node[last] = value
    return edit


# (params key under profiles.smoke, bad value, what the line says)
RANGES = [
    ("target.defaults.learning_rate", -1e-3, "must be greater than 0"),
    ("intermediate.defaults.batch_size", 0, "must be greater than or equal to 1"),
    ("target.tasks.xnli.epochs", 0, "must be greater than 0"),
    ("target.defaults.warmup_ratio", 1.0, "must be less than 1"),
    ("intermediate.multitask.temperature", 0, "must be greater than 0"),
    ("model.pretrain.mlm_probability", 1.5, "must be less than 1"),
    ("alternatives.mlm_probability", 0, "must be greater than 0"),
    ("retrieval.batch_size", -4, "must be greater than or equal to 1"),
    ("engine.micro_batch", 0, "must be greater than or equal to 1"),
    ("data.smoke.n_train", 0, "must be greater than or equal to 1"),
]


@pytest.mark.parametrize("key, value, says", RANGES, ids=[r[0] for r in RANGES])
def test_an_out_of_range_param_is_refused_naming_its_key(project, key, value, says):
    _params(project, _set(key, value))
    line = refused(project, ["data", "--profile", "smoke"], f"profiles.smoke.{key}", says, repr(value))
    assert "params.yaml" in line


def test_an_unknown_key_a_broken_file_and_a_missing_profile_are_refused(project):
    _params(project, _set("target.defaults.learning_rat", 1e-3))
    refused(project, ["collect", "--profile", "smoke"], "profiles.smoke.target.defaults.learning_rat", "unknown key")
    (project / "params.yaml").write_text("profiles:\n  smoke: [unclosed\n")
    refused(project, ["collect", "--profile", "smoke"], "params.yaml", "not valid YAML")
    _params(project)
    refused(project, ["collect", "--profile", "nope"], "profiles.nope", "no such profile")
    refused(project, ["collect", "--profile", "smoke", "--params", "missing.yaml"], "missing.yaml")


def test_an_unpinned_dataset_is_refused_naming_it_and_what_to_record(project):
    """A manifest entry whose commit could not be looked up (`sha: null`, never guessed) stops `repro data`."""
    _params(project, _set("study.retrieval_targets", ["tatoeba"]), profile="paper")  # BUCC has its own refusal
    raw = yaml.safe_load((ROOT / "repro/data/manifest.yaml").read_text())
    raw["repos"]["nyu-mll/glue"]["sha"] = None
    (project / "manifest.yaml").write_text(yaml.safe_dump(raw))
    line = refused(project, ["data", "--profile", "paper"], "pin ", "nyu-mll/glue has no verified commit",
                   "record it there", manifest=project / "manifest.yaml")
    assert "Traceback" not in line


def test_a_stage_without_its_inputs_names_what_to_run_first(project):
    refused(project, ["target", "--profile", "smoke", "-i", "none", "-t", "xnli"], "models/smoke/encoders/none",
            "repro pretrain")
    refused(project, ["target", "--profile", "smoke", "-i", "nope", "-t", "xnli"], "nope")
    refused(project, ["target", "--profile", "smoke", "-i", "none", "-t", "mlqa"], "mlqa", "repro evaluate")


def _qa_folders(project: Path) -> tuple[Path, Path]:
    predictions, labels = project / "pred" / "xquad", project / "gold" / "xquad"
    predictions.mkdir(parents=True)
    labels.mkdir(parents=True)
    (labels / "test-en.json").write_text(json.dumps({"q1": ["Paris"]}))
    return predictions.parent, labels.parent


def test_bad_predictions_are_refused_naming_the_file(project):
    refused(project, ["score", "--predictions", "nowhere", "--labels", "nowhere"], "nowhere")
    predictions, labels = _qa_folders(project)
    (predictions / "xquad" / "test-en.json").write_text('{"q1": "Par')  # truncated
    refused(project, ["score", "--predictions", str(predictions), "--labels", str(labels), "--partial"],
            "test-en.json", "not valid json")
    (predictions / "xquad" / "test-en.json").write_text('["Paris"]')
    refused(project, ["score", "--predictions", str(predictions), "--labels", str(labels), "--partial"],
            "test-en.json")


def _metrics(project: Path, text: str) -> Path:
    path = project / "pulled" / "metrics.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def test_bad_metrics_files_are_refused_naming_the_file(project):
    refused(project, ["verify", "--metrics", "pulled/metrics.json"], "pulled/metrics.json", "no metrics")
    good = json.dumps({"profile": "smoke", "results": [{"intermediate": "none", "target": "xnli", "language": "en",
                                                         "metric": "accuracy", "value": 50.0}]})
    _metrics(project, good[: len(good) // 2])  # an interrupted copy
    refused(project, ["verify", "--metrics", "pulled/metrics.json"], "pulled/metrics.json", "not a readable JSON")
    _metrics(project, "[1, 2]")
    refused(project, ["verify", "--metrics", "pulled/metrics.json"], "pulled/metrics.json", "expected a JSON object")
    _metrics(project, json.dumps({"results": [{"intermediate": "none", "value": 1}]}))
    refused(project, ["verify", "--metrics", "pulled/metrics.json"], "pulled/metrics.json", "malformed result row")
    _metrics(project, good)
    (project / "broken.yaml").write_text("claims: [\n")
    refused(project, ["verify", "--metrics", "pulled/metrics.json", "--claims", "broken.yaml"], "broken.yaml",
            "not a readable YAML")


def test_a_truncated_stage_file_is_refused_by_collect_naming_it(project):
    stage = project / "results" / "smoke" / "stages" / "none" / "xnli.json"
    stage.parent.mkdir(parents=True)
    stage.write_text('{"results": [{"language": "en"')  # a stage killed mid-write by an older, non-atomic writer
    refused(project, ["collect", "--profile", "smoke"], str(stage.relative_to(project)), "not a readable stage file")


def test_unknown_choices_are_refused(project):
    refused(project, ["table", "7", "--profile", "smoke"], "unknown table")
    refused(project, ["summary", "--profile", "smoke", "--study", "nope"], "--study", "nope")
    refused(project, ["all", "--profile", "smoke", "--executor", "slurm"], "--executor", "slurm")
    refused(project, ["all", "--profile", "smoke", "--gpus", "7"], "--gpus 7")


def test_the_paper_on_a_machine_without_gpus_points_to_the_smoke_profile(project):
    if subprocess.run([sys.executable, "-c", "import torch, sys; sys.exit(torch.cuda.is_available())"]).returncode:
        pytest.skip("this machine has a GPU")
    refused(project, ["all"], "--profile smoke", "--no-gpu-ok", "no GPU")


def _dvc_project(project: Path) -> Path:
    for name in ("dvc.yaml", ".dvcignore"):
        (project / name).write_text((ROOT / name).read_text())
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run([sys.executable, "-m", "dvc", "init", "-q"], cwd=project, check=True, env=_env(project))
    return project


def test_a_second_repro_all_while_one_runs_is_refused(project):
    from dvc.repo import Repo

    _dvc_project(project)
    repo = Repo(str(project))
    with repo.lock:  # what a running `repro all` (or dvc repro) holds for the whole run
        refused(project, ["all", "--profile", "smoke"], ".dvc/tmp/lock", "another `repro all`")


def test_an_interrupted_write_leaves_the_previous_output(tmp_path):
    from repro.io import atomic_dir, atomic_json

    out = tmp_path / "out"
    atomic_json(out / "a.json", {"v": 1})
    with pytest.raises(KeyboardInterrupt):
        with atomic_dir(out) as staging:
            (staging / "a.json").write_text('{"v": 2')
            raise KeyboardInterrupt  # Ctrl-C mid-stage
    assert json.loads((out / "a.json").read_text()) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging directory left behind


def test_only_user_errors_are_one_line_others_keep_their_traceback(monkeypatch):
    from typer.testing import CliRunner

    from repro import cli
    from repro.errors import UserError
    from repro.stages import summary

    def bug(*args, **kwargs):
        raise KeyError("an internal bug")

    runner = CliRunner()
    monkeypatch.setattr(summary, "write", bug)
    result = runner.invoke(cli.app, ["summary", "--profile", "smoke"])
    assert result.exit_code == 1 and isinstance(result.exception, KeyError)  # a traceback, not one line

    def refusal(*args, **kwargs):
        raise UserError("results/smoke/metrics.json: no metrics")

    monkeypatch.setattr(summary, "write", refusal)
    monkeypatch.delenv("REPRO_DEBUG", raising=False)
    result = runner.invoke(cli.app, ["summary", "--profile", "smoke"])
    assert result.exit_code == 2 and "error: results/smoke/metrics.json: no metrics" in result.output
    result = runner.invoke(cli.app, ["--debug", "summary", "--profile", "smoke"])
    assert result.exit_code == 1 and isinstance(result.exception, UserError)  # --debug: the traceback
    os.environ.pop("REPRO_DEBUG", None)
