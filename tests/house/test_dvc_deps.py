"""dvc.yaml's code dependencies are generated and complete: `repro dvc-deps` would write exactly the dvc.yaml
that is committed, and every kind of stage, run as dvc.yaml runs it on the smoke profile, imports nothing its
`deps` do not list (a missing one would let an edit leave stale results that `dvc status` calls current) beyond
the other studies' params schemas that loading params.yaml validates (they cannot change what a stage writes)."""

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import validation_only

ROOT = Path(__file__).resolve().parents[2]
TRACER = Path(__file__).resolve().parents[2] / "tests" / "trace_imports.py"
# one stage of each kind (both variants of an alternative), in an order where each finds its inputs
STAGES = ["data-smoke", "pretrain-smoke", "intermediate-smoke@commonsenseqa", "multitask-smoke",
          "alternative-smoke@mnli+mlm", "alternative-smoke@mnli+translated", "target-smoke@commonsenseqa-udpos",
          "evaluate-smoke@none-mlqa", "retrieval-smoke@none-bucc2018", "collect-smoke", "tables-smoke",
          "verify-smoke", "summary-smoke",
          # the multilingual study's (repro/studies/multilingual/): its data, an arm with MLM batches, its target,
          # the baseline's SQuAD fine-tune and the targets evaluated with it, its reports
          "ml-data-smoke", "ml-intermediate-smoke@mnli-A4-1", "ml-target-smoke@mnli-A4-1-xnli", "ml-target-smoke@mnli-A4-1-xcopa",
          "ml-baseline-smoke@1-xquad", "ml-baseline-dual-smoke@1-mewslix",
          "ml-baseline-squad-smoke@1-mlqa", "ml-baseline-squad-smoke@1-tatoeba", "ml-collect-smoke",
          "ml-answer-smoke", "ml-summary-smoke"]


def test_dvc_yaml_deps_are_what_repro_dvc_deps_writes():
    from repro.dvc_deps import generate

    text, changed = generate(ROOT)
    assert changed == [], f"run `repro dvc-deps --write`: {changed}"
    assert text == (ROOT / "dvc.yaml").read_text()


def test_a_lazy_registry_entry_is_a_dep_and_a_validation_only_one_is_not():
    from repro.dvc_deps import Imports

    closure = Imports(ROOT).closure("repro.stages.target")
    assert "repro/kinds/tagging.py" in closure  # kinds.KINDS names it as a string; a target may run it
    assert not any(path.startswith(("repro/studies/code/", "repro/studies/multilingual/")) for path in closure)
    assert "repro/studies/code/params.py" not in Imports(ROOT).closure("repro.stages.pretrain")


def _stages(project: Path) -> dict:
    from dvc.repo import Repo

    return {stage.name: stage for stage in Repo(str(project)).index.stages}


@pytest.fixture(scope="module")
def scratch(smoke_project, tmp_path_factory) -> Path:
    """A copy of the finished smoke project to rerun stages in, on short schedules (their numbers do not
    matter here, only what they import)."""
    copy = tmp_path_factory.mktemp("deps")
    for name in ("repro", "prepared", "models", "results"):
        shutil.copytree(smoke_project / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("claims.yaml", "claims_planted.yaml"):  # verify and ml-answer judge them
        shutil.copy(smoke_project / name, copy / name)
    raw = yaml.safe_load((smoke_project / "params.yaml").read_text())
    smoke = raw["profiles"]["smoke"]
    smoke["model"]["pretrain"]["epochs"] = 0.2
    for phase in ("intermediate", "target"):
        smoke[phase]["defaults"]["epochs"] = 1
        smoke[phase]["tasks"] = {}
    (copy / "params.yaml").write_text(yaml.safe_dump(raw))
    return copy


@pytest.fixture(scope="module")
def traced(smoke_project, scratch) -> dict:
    """Every stage of STAGES run once, in order, as its dvc.yaml command runs it: {name: (exit code, log,
    repro files imported, repro files listed)}."""
    stages = _stages(smoke_project)
    plan, listed = [], {}
    for name in STAGES:
        stage = stages[name]
        python, flag, module, *args = shlex.split(stage.cmd)
        assert (python, flag) == ("python", "-m") and module.startswith("repro."), stage.cmd
        plan.append({"module": module, "args": args, "out": str(scratch / f"imports-{name}.txt"),
                     "log": str(scratch / f"log-{name}.txt")})
        listed[name] = {str(dep.def_path) for dep in stage.deps if str(dep.def_path).startswith("repro/")}
    (scratch / "plan.json").write_text(json.dumps(plan))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HF_HOME": str(scratch / ".hf")}
    subprocess.run([sys.executable, str(TRACER), str(scratch / "plan.json")], cwd=scratch, env=env, check=True,
                   timeout=1200)
    return {name: (int(Path(f"{entry['out']}.rc").read_text()), Path(entry["log"]).read_text(),
                   set(Path(entry["out"]).read_text().split()), listed[name], entry["module"])
            for name, entry in zip(STAGES, plan)}


@pytest.mark.slow
@pytest.mark.long
@pytest.mark.parametrize("name", STAGES)
def test_a_stage_imports_only_its_listed_code(traced, name):
    code, log, imported, listed, module = traced[name]
    assert code == 0, log[-3000:]
    assert imported - listed - validation_only(module) == set(), f"{name} runs files dvc.yaml does not list"
    assert listed & imported, f"{name}: nothing of what it lists ran"
