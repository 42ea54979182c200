"""A training stage killed with SIGKILL and rerun continues from its newest complete checkpoint and ends with
exactly the outputs of an uninterrupted run (smoke world on CPU, shrunk to keep this fast).

The stage runs as users run it, `repro intermediate --task mnli --profile smoke`, in a subprocess. The process
seeds torch first: a stage builds the fresh task head before the Trainer seeds anything.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from safetensors.torch import load_file

ROOT = Path(__file__).resolve().parents[2]
STAGE = ["intermediate", "--task", "mnli", "--profile", "smoke"]
# seed the process; report where finetune resumes from and the last checkpoint it wrote (stderr)
RUN = """
import sys, torch
torch.manual_seed(0)
import repro.engine.trainer as engine
resume_point, discard = engine.resume_point, engine._discard
def reported_resume(workdir):
    point = resume_point(workdir)
    print("RESUME", point.name if point else None, file=sys.stderr, flush=True)
    return point
def reported_discard(workdir):
    print("LAST", max(int(p.name.split("-")[1]) for p in workdir.glob("checkpoint-*")), file=sys.stderr, flush=True)
    discard(workdir)
engine.resume_point, engine._discard = reported_resume, reported_discard
from repro.cli import app
app()
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A small smoke world (data + pretrained model) with checkpoints every 4 steps of the MNLI stage."""
    from repro.data.materialize import materialize
    from repro.params import load
    from repro.paths import Layout
    from repro.stages import pretrain

    root = tmp_path_factory.mktemp("resume")
    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    smoke = raw["profiles"]["smoke"]
    smoke["data"]["smoke"] = {"n_train": 128, "n_eval": 32, "corpus_per_language": 20}
    smoke["model"]["pretrain"].update(epochs=1, vocab_size=1000)
    smoke["intermediate"]["tasks"]["mnli"] = {"epochs": 3, "eval_every": 4, "patience": 4}
    (root / "params.yaml").write_text(yaml.safe_dump(raw))
    cwd = os.getcwd()
    os.chdir(root)  # Layout paths are relative to the project directory
    try:
        profile, layout = load(root / "params.yaml", "smoke"), Layout("smoke")
        materialize(profile, layout)
        pretrain.run(profile, layout)
    finally:
        os.chdir(cwd)
    return root, layout


def _start(root: Path) -> subprocess.Popen:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    return subprocess.Popen([sys.executable, "-c", RUN, *STAGE], cwd=root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _finish(process: subprocess.Popen) -> tuple[str | None, int]:
    """(the checkpoint the run resumed from, the step of the last checkpoint it wrote)."""
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err[-3000:]
    resumed = err.split("RESUME ", 1)[1].split()[0]
    return None if resumed == "None" else resumed, int(err.split("LAST ", 1)[1].split()[0])


@pytest.mark.long
def test_killed_stage_resumes_to_the_same_result(world):
    """Killed at the last checkpoint before the uninterrupted run stopped early: the resumed run must stop at the
    same step (patience restored), select the same checkpoint and write the same encoder and metrics."""
    root, layout = world
    output = root / layout.encoder("mnli")
    workdir = root / layout.checkpoints("intermediate-mnli")
    every = 4

    resumed_from, last = _finish(_start(root))  # uninterrupted
    assert resumed_from is None and last > every
    uninterrupted = root / "uninterrupted"
    output.rename(uninterrupted)

    killed = _start(root)
    target = workdir / f"checkpoint-{last - every}" / ".complete"
    deadline = time.monotonic() + 120
    while not target.exists():
        assert killed.poll() is None and time.monotonic() < deadline, "the run ended before the checkpoint"
        time.sleep(0.02)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert killed.returncode == -signal.SIGKILL and not output.exists()
    half_written = workdir / "checkpoint-100000"  # as if killed while saving: files, but no completion mark
    shutil.copytree(target.parent, half_written)
    (half_written / ".complete").unlink()
    (half_written / "optimizer.pt").write_bytes(b"truncated")

    resumed_from, resumed_last = _finish(_start(root))
    assert resumed_from == target.parent.name or int(resumed_from.split("-")[1]) > last - every
    assert resumed_last == last  # early stopping fired at the same step
    assert not workdir.exists()  # the work directory goes once the stage is done

    assert json.loads((output / "intermediate.json").read_text()) == \
        json.loads((uninterrupted / "intermediate.json").read_text())
    resumed, reference = load_file(output / "model.safetensors"), load_file(uninterrupted / "model.safetensors")
    assert resumed.keys() == reference.keys()
    for key, value in reference.items():
        assert (resumed[key] == value).all(), key
