"""The code study end to end: the smoke run as params.yaml has it (`repro all --profile smoke --study code` in a
fresh git + DVC project, the session fixture `code_smoke` the planted-effect tests share) runs its three phases for
both tiny decoders (code, general) and writes its answer files; the tiny code decoder passes smoke problems with no
intermediate phase; every arm trained at the same budget, every target phase at its own; nothing reruns, a timeout
change reruns execution only, and adding the no-target-phase runs to a copy runs just those; each code stage imports
exactly the repro files dvc.yaml lists."""

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import changed_stages, run, validation_only

pytestmark = [pytest.mark.slow, pytest.mark.long]
TRACER = Path(__file__).resolve().parents[2] / "tests" / "trace_imports.py"
CODE_SMOKE = r"code-[a-z]+-smoke(@.*)?"  # the code study's smoke stages


def _code(project: Path) -> dict:
    return yaml.safe_load((project / "params.yaml").read_text())["profiles"]["smoke"]["code"]


@pytest.fixture(scope="module")
def grid(code_smoke) -> dict:
    """The run's models, arms (as params and as results name them) and target phases."""
    from repro.studies.code.params import arm_name

    code = _code(code_smoke)
    return {"models": code["models"], "arms": code["arms"], "names": {arm_name(a) for a in code["arms"]},
            "phases": code["target_phase"]}


def _metrics(project: Path) -> list[dict]:
    return json.loads((project / "results/smoke/code/metrics.json").read_text())["results"]


def test_the_study_writes_its_answer_files(code_smoke, grid):
    results = code_smoke / "results/smoke/code"
    answer = json.loads((results / "answer.json").read_text())
    assert answer["answers"] and (results / "answer.md").read_text().startswith("# Code study answer")
    fields = {"contrast", "task", "group", "languages", "mean", "ci_low", "ci_high", "p_value", "n"}
    assert all(fields <= set(a) for a in answer["answers"])
    groups = {a["group"] for a in answer["answers"]}
    assert {"vs no intermediate", "summarization vs NLU", "vs LM control", "translations only vs English",
            "code model vs general model"} <= groups
    assert {a["estimand"] for a in answer["answers"]} == {"delta", "gap_change"}
    assert {a["target_phase"] for a in answer["answers"]} == set(grid["phases"])
    assert any(a["primary"] for a in answer["answers"])
    assert (results / "figures/pass1_by_language.png").stat().st_size > 1000
    rows = _metrics(code_smoke)
    keys = {"model", "target_phase", "arm", "intermediate", "seed", "benchmark", "programming_language",
            "natural_language", "metric", "value"}
    assert rows and all(keys <= set(r) and 0 <= r["value"] <= 100 for r in rows)
    assert {r["arm"] for r in rows} == grid["names"] and {r["model"] for r in rows} == set(grid["models"])
    assert {(r["model"], r["target_phase"]) for r in rows if r["metric"] == "pass@1"} == {
        (m, t) for m in grid["models"] for t in grid["phases"]}
    assert any(r["metric"] == "rouge1" and r["arm"] == "cnn_dailymail" for r in rows)  # CNN/DM's own dev metric


def test_summary_holds_pass_rates_and_contrasts_for_dvc(code_smoke):
    out = code_smoke / "results/smoke/code"
    summary = json.loads((out / "summary.json").read_text())
    def phase(value):
        return f"target-{str(value).lower()}"

    for r in (r for r in _metrics(code_smoke) if r["metric"] == "pass@1" and r["seed"] == 0):
        cell = summary["pass@1"][r["model"]][phase(r["target_phase"])][r["arm"]][r["benchmark"]][
            r["programming_language"]][r["natural_language"]]
        assert cell == r["value"]  # one seed in the smoke grid: the mean is that seed's value
    answers = json.loads((code_smoke / "results/smoke/code/answer.json").read_text())["answers"]
    for a in answers:
        assert summary["contrasts"][a["model"]][phase(a["target_phase"])][a["group"]][a["contrast"]][a["estimand"]][
            a["benchmark"]][a["programming_language"]][a["natural_language"]] == a["mean"]
    bars = json.loads((out / "plots/contrasts.json").read_text())
    pooled = [a["benchmark"] == "humaneval-x" and a["programming_language"] == "all" and a["estimand"] == "delta"
              for a in answers]
    assert len(bars) == sum(a["mean"] is not None and (a["primary"] or p) for a, p in zip(answers, pooled)) > 0
    roles = [b["role"] for b in bars]  # the primaries first, marked for the plot
    assert roles == sorted(roles, key=lambda role: role != "primary")
    assert roles.count("primary") == sum(a["primary"] and a["mean"] is not None for a in answers) > 0


def test_the_tiny_decoder_passes_english_python_problems_with_no_intermediate_phase(code_smoke):
    python = [r["value"] for r in _metrics(code_smoke) if r["arm"] == "none" and r["metric"] == "pass@1"
              and r["model"] == "tiny_code"
              and r["programming_language"] == "python" and r["natural_language"] == "English"]
    assert python and max(python) > 0


def test_every_trained_arm_ran_the_same_budget_and_every_run_the_same_target_phase(code_smoke, grid):
    params = _code(code_smoke)
    training = code_smoke / "results/smoke/code/training"
    logs = {(model, arm): json.loads((training / f"{model}/intermediate/{arm}-s0.json").read_text())
            for model in grid["models"] for arm in grid["arms"] if arm != "none"}
    steps = params["budget"]["value"]
    assert {log["optimizer_steps"] for log in logs.values()} == {steps}  # the Trainer's own count, from its log
    assert {log["examples"] for log in logs.values()} == {steps * params["training"]["batch_size"]}
    assert all(log["trainer_examples"] == log["examples"] for log in logs.values())
    assert len({log["loss_tokens"] for log in logs.values()}) > 1  # same steps, different data
    targets = [json.loads((training / f"{model}/target/{arm}-s0.json").read_text()) for model in grid["models"]
               for arm in grid["arms"]]
    assert {log["optimizer_steps"] for log in targets} == {params["target"]["steps"]}
    assert {log["examples"] for log in targets} == {params["target"]["steps"] * params["target"]["batch_size"]}


def test_nothing_reruns_and_a_timeout_change_reruns_execution_only(code_smoke, grid, tmp_path):
    project = tmp_path / "copy"
    shutil.copytree(code_smoke, project, symlinks=True)
    assert changed_stages(project, CODE_SMOKE) == set()
    raw = yaml.safe_load((project / "params.yaml").read_text())
    raw["profiles"]["smoke"]["code"]["execution"]["timeout"] = 7.5
    (project / "params.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    changed = changed_stages(project, CODE_SMOKE)
    # code-report follows only if a result moves
    assert changed == {f"code-execute-smoke@{model}-{arm}-0-{target}" for model in grid["models"]
                       for arm in grid["arms"] for target in grid["phases"]}


def test_the_no_target_phase_runs_added_to_a_copy_run_alone_and_reach_the_answer(code_smoke, tmp_path):
    """On a copy cut to one decoder and two arms, `target_phase: [true, false]` adds the runs that skip the
    target phase (pretrained -> intermediate -> zero-shot): `repro all` generates and executes just those, from the
    intermediate models already there, and the report gains their rows and contrasts."""
    project = tmp_path / "copy"
    shutil.copytree(code_smoke, project, symlinks=True, ignore=shutil.ignore_patterns("logs"))  # stage records
    raw = yaml.safe_load((project / "params.yaml").read_text())
    code = raw["profiles"]["smoke"]["code"]
    code["models"], code["arms"], code["target_phase"] = ["tiny_code"], ["none", "cnn_dailymail"], [True, False]
    (project / "params.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    run([sys.executable, "-m", "repro.cli", "all", "--profile", "smoke", "--study", "code"], project, timeout=1800)
    ran = {path.stem for path in (project / "logs/smoke/stages").glob("*.json")}  # a record per worker stage run
    assert ran == {f"code-{stage}-smoke@tiny_code-{arm}-0-False" for stage in ("generate", "execute")
                   for arm in code["arms"]}
    rows = [r for r in _metrics(project) if r["metric"] == "pass@1" and not r["target_phase"]]
    assert {r["arm"] for r in rows} == {"none", "cnn_dailymail"}
    assert max(r["value"] for r in rows if r["arm"] == "none" and r["programming_language"] == "python"
               and r["natural_language"] == "English") > 0  # the pretrained decoder alone passes some
    answers = json.loads((project / "results/smoke/code/answer.json").read_text())["answers"]
    assert {a["target_phase"] for a in answers} == {True, False}


def test_each_code_stage_imports_exactly_its_listed_code(code_smoke, tmp_path):
    from dvc.repo import Repo

    stages = {s.name: s for s in Repo(str(code_smoke)).index.stages}
    names = ["code-data-smoke", "code-pretrain-smoke@tiny_code", "code-intermediate-smoke@tiny_code-mnli.de-0",
             "code-intermediate-smoke@tiny_code-none-0", "code-target-smoke@tiny_code-mnli-0",
             "code-generate-smoke@tiny_code-mnli-0-True", "code-execute-smoke@tiny_code-mnli-0-True",
             "code-report-smoke", "code-summary-smoke"]
    scratch = tmp_path / "scratch"
    for name in ("repro", "prepared", "models", "results"):
        shutil.copytree(code_smoke / name, scratch / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(code_smoke / "claims_planted.yaml", scratch)  # code-report judges the planted claims
    raw = yaml.safe_load((code_smoke / "params.yaml").read_text())
    for spec in raw["profiles"]["smoke"]["code"]["decoders"].values():
        spec["pretrain"]["epochs"] = 0.1
    raw["profiles"]["smoke"]["code"]["budget"]["value"] = 2
    raw["profiles"]["smoke"]["code"]["target"]["steps"] = 2
    (scratch / "params.yaml").write_text(yaml.safe_dump(raw))
    plan, listed = [], {}
    for name in names:
        python, flag, module, *args = shlex.split(stages[name].cmd)
        plan.append({"module": module, "args": args, "out": str(scratch / f"imports-{name}.txt"),
                     "log": str(scratch / f"log-{name}.txt")})
        listed[name] = {str(d.def_path) for d in stages[name].deps if str(d.def_path).startswith("repro/")}
    (scratch / "plan.json").write_text(json.dumps(plan))
    subprocess.run([sys.executable, str(TRACER), str(scratch / "plan.json")], cwd=scratch, check=True, timeout=1800)
    for name, entry in zip(names, plan):
        assert Path(f"{entry['out']}.rc").read_text() == "0", Path(entry["log"]).read_text()[-3000:]
        imported = set(Path(entry["out"]).read_text().split())
        assert imported - listed[name] - validation_only(entry["module"]) == set(), \
            f"{name} runs files dvc.yaml does not list"
        assert listed[name] & imported, f"{name}: nothing of what it lists ran"
        if "execute" in name:
            assert not any(path.startswith("repro/models") for path in imported)
