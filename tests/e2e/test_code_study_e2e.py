"""The code study end to end on a reduced smoke grid, in a fresh git + DVC project: `repro all --profile smoke
--study code` runs its three phases for both tiny decoders (code, general) and writes its answer files (delta and
gap_change contrasts, with and without the target phase); the tiny code decoder passes smoke problems with no
intermediate phase; every arm trained at the same budget, every target phase at its own; a timeout change reruns
execution only; each code stage imports exactly the repro files dvc.yaml lists."""

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import new_project, run, validation_only

pytestmark = [pytest.mark.slow, pytest.mark.long]
TRACER = Path(__file__).resolve().parents[2] / "tests" / "trace_imports.py"
ARMS = ["none", "mnli", "mnli.de", "cnn_dailymail", "lm_control"]
NAMES = {"none", "mnli", "mnli@de", "cnn_dailymail", "lm_control"}  # as results name them
MODELS, PHASES = ["tiny_code", "tiny_general"], [True, False]


def _reduce(params: Path) -> None:
    raw = yaml.safe_load(params.read_text())
    code = raw["profiles"]["smoke"]["code"]
    code["arms"], code["models"], code["target_phase"] = ARMS, MODELS, PHASES
    code["benchmarks"] = {"humaneval_x": ["python", "js", "cpp"], "humaneval_xl": {"python": ["English", "German"]}}
    code["smoke"]["problems"] = 8
    params.write_text(yaml.safe_dump(raw, sort_keys=False))


@pytest.fixture(scope="module")
def code_project(tmp_path_factory) -> Path:
    project = new_project(tmp_path_factory.mktemp("code-project"))
    _reduce(project / "params.yaml")
    result = run([sys.executable, "-m", "repro.cli", "all", "--profile", "smoke", "--study", "code"], project,
                 timeout=3600)
    (project / "first-run.log").write_text(result.stderr + result.stdout)
    return project


def _metrics(project: Path) -> list[dict]:
    return json.loads((project / "results/smoke/code/metrics.json").read_text())["results"]


def test_the_study_writes_its_answer_files(code_project):
    results = code_project / "results/smoke/code"
    answer = json.loads((results / "answer.json").read_text())
    assert answer["answers"] and (results / "answer.md").read_text().startswith("# Code study answer")
    fields = {"contrast", "task", "group", "languages", "mean", "ci_low", "ci_high", "p_value", "n"}
    assert all(fields <= set(a) for a in answer["answers"])
    groups = {a["group"] for a in answer["answers"]}
    assert {"vs no intermediate", "summarization vs NLU", "vs LM control", "translations only vs English",
            "code model vs general model"} <= groups
    assert {a["estimand"] for a in answer["answers"]} == {"delta", "gap_change"}
    assert {a["target_phase"] for a in answer["answers"]} == set(PHASES)
    assert any(a["primary"] for a in answer["answers"])
    assert (results / "figures/pass1_by_language.png").stat().st_size > 1000
    rows = _metrics(code_project)
    keys = {"model", "target_phase", "arm", "intermediate", "seed", "benchmark", "programming_language",
            "natural_language", "metric", "value"}
    assert rows and all(keys <= set(r) and 0 <= r["value"] <= 100 for r in rows)
    assert {r["arm"] for r in rows} == NAMES and {r["model"] for r in rows} == set(MODELS)
    assert {(r["model"], r["target_phase"]) for r in rows if r["metric"] == "pass@1"} == {
        (m, t) for m in MODELS for t in PHASES}
    assert any(r["metric"] == "rouge1" and r["arm"] == "cnn_dailymail" for r in rows)  # CNN/DM's own dev metric


def test_summary_holds_pass_rates_and_contrasts_for_dvc(code_project):
    out = code_project / "results/smoke/code"
    summary = json.loads((out / "summary.json").read_text())
    def phase(value):
        return f"target-{str(value).lower()}"

    for r in (r for r in _metrics(code_project) if r["metric"] == "pass@1" and r["seed"] == 0):
        cell = summary["pass@1"][r["model"]][phase(r["target_phase"])][r["arm"]][r["benchmark"]][
            r["programming_language"]][r["natural_language"]]
        assert cell == r["value"]  # one seed in the reduced grid: the mean is that seed's value
    answers = json.loads((code_project / "results/smoke/code/answer.json").read_text())["answers"]
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


def test_the_tiny_decoder_passes_english_python_problems_with_no_intermediate_phase(code_project):
    python = [r["value"] for r in _metrics(code_project) if r["arm"] == "none" and r["metric"] == "pass@1"
              and r["model"] == "tiny_code" and not r["target_phase"]
              and r["programming_language"] == "python" and r["natural_language"] == "English"]
    assert python and max(python) > 0


def test_every_trained_arm_ran_the_same_budget_and_every_run_the_same_target_phase(code_project):
    params = yaml.safe_load((code_project / "params.yaml").read_text())["profiles"]["smoke"]["code"]
    training = code_project / "results/smoke/code/training"
    logs = {(model, arm): json.loads((training / f"{model}/intermediate/{arm}-s0.json").read_text())
            for model in MODELS for arm in ARMS if arm != "none"}
    steps = params["budget"]["value"]
    assert {log["optimizer_steps"] for log in logs.values()} == {steps}  # the Trainer's own count, from its log
    assert {log["examples"] for log in logs.values()} == {steps * params["training"]["batch_size"]}
    assert all(log["trainer_examples"] == log["examples"] for log in logs.values())
    assert len({log["loss_tokens"] for log in logs.values()}) > 1  # same steps, different data
    targets = [json.loads((training / f"{model}/target/{arm}-s0.json").read_text()) for model in MODELS for arm in ARMS]
    assert {log["optimizer_steps"] for log in targets} == {params["target"]["steps"]}
    assert {log["examples"] for log in targets} == {params["target"]["steps"] * params["target"]["batch_size"]}


def _changed(project: Path) -> set[str]:
    out = run([sys.executable, "-m", "dvc", "status", "--json"], project).stdout
    return set(json.loads(out or "{}"))


def test_nothing_reruns_and_a_timeout_change_reruns_execution_only(code_project, tmp_path):
    project = tmp_path / "copy"
    shutil.copytree(code_project, project, symlinks=True)
    code_stages = [s for s in _changed(project) if s.startswith("code-") and "-smoke" in s]
    assert code_stages == []
    raw = yaml.safe_load((project / "params.yaml").read_text())
    raw["profiles"]["smoke"]["code"]["execution"]["timeout"] = 7.5
    (project / "params.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    changed = {s for s in _changed(project) if s.startswith("code-") and "-smoke" in s}
    # code-report follows only if a result moves
    assert changed == {f"code-execute-smoke@{model}-{arm}-0-{target}" for model in MODELS for arm in ARMS
                       for target in PHASES}


def test_each_code_stage_imports_exactly_its_listed_code(code_project, tmp_path):
    from dvc.repo import Repo

    stages = {s.name: s for s in Repo(str(code_project)).index.stages}
    names = ["code-data-smoke", "code-pretrain-smoke@tiny_code", "code-intermediate-smoke@tiny_code-mnli.de-0",
             "code-intermediate-smoke@tiny_code-none-0", "code-target-smoke@tiny_code-mnli-0",
             "code-generate-smoke@tiny_code-mnli-0-True", "code-execute-smoke@tiny_code-mnli-0-True",
             "code-report-smoke", "code-summary-smoke"]
    scratch = tmp_path / "scratch"
    for name in ("repro", "prepared", "models", "results"):
        shutil.copytree(code_project / name, scratch / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(code_project / "claims_planted.yaml", scratch)  # code-report judges the planted claims
    raw = yaml.safe_load((code_project / "params.yaml").read_text())
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
