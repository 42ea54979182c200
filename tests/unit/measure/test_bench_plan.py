"""`repro bench` (measured throughput, JSON contract) and `repro plan` (stages and GPU-hours)."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from repro.cli import app
from repro.measure import bench, plan
from repro.models.encoder import flops_per_token
from repro.paths import Layout

ROOT = Path(__file__).resolve().parents[3]
PARAMS = ROOT / "params.yaml"
NOTHING = Layout("paper", Path("/nonexistent"))  # before any download: the family's copy of XLM-R Large's config


def test_model_flops_and_device_peaks(paper_profile):
    large = bench.architecture(paper_profile, NOTHING)
    matmul_weights = 24 * (4 * 1024**2 + 2 * 1024 * 4096)  # 302M of XLM-R Large's 560M (the rest: embeddings)
    assert flops_per_token(large, 256) == 6 * matmul_weights + 12 * 24 * 1024 * 256
    assert flops_per_token(large, 256, training=False) * 3 == flops_per_token(large, 256)
    for name, peak in [("NVIDIA H100 80GB HBM3", 989e12), ("NVIDIA H200", 989e12), ("NVIDIA H100 PCIe", 756e12),
                       ("NVIDIA A100-SXM4-80GB", 312e12), ("NVIDIA A10", 125e12), ("NVIDIA L4", 121e12),
                       ("NVIDIA L40S", 362e12), ("cpu: AMD EPYC", None), ("Tesla V100-SXM2-16GB", None)]:
        assert bench.peak_flops(name) == peak, name


def test_plan_lists_every_stage_of_the_study(paper_profile):
    payload = plan.plan(paper_profile, NOTHING)
    kinds = [s["kind"] for s in payload["stages"]]
    # 10 encoders (no CCG without a CCGbank path) + Table 4's 3 alternatives (no translated SQuAD without its path)
    assert {kind: kinds.count(kind) for kind in set(kinds)} == {
        "pretrain": 1, "intermediate": 9 + 3, "target": 13 * 6, "evaluate": 13, "retrieval": 13 * 2}
    assert payload["total_gpu_hours"] == pytest.approx(sum(s["gpu_hours"] for s in payload["stages"]))
    by_name = {s["stage"]: s for s in payload["stages"]}
    mnli = by_name["intermediate-paper@mnli"]
    assert mnli["train_examples"] == 392_702 and mnli["epochs"] == 3
    assert by_name["target-paper@mnli-udpos"]["epochs"] == 10
    translated = by_name["alternative-paper@mnli+translated"]  # MNLI plus its 14 XNLI translations
    assert translated["train_examples"] == 15 * 392_702 and translated["epochs"] == 3
    assert by_name["multitask-paper"]["train_examples"] == sum(plan.PAPER_TRAIN[t] for t in (
        "anli_plus", "mnli", "qqp", "squad_v1", "squad_v2", "hellaswag", "cosmosqa", "commonsenseqa"))
    assert all(s["gpu_hours"] > 0 for s in payload["stages"] if s["kind"] != "pretrain")
    assert payload["throughput"]["source"].startswith("assumed: 40% MFU")


def test_plan_scales_with_the_throughput_figure(tmp_path, paper_profile):
    profile = paper_profile
    def compute(payload):
        return sum(s["compute_hours"] for s in payload["stages"])

    slow = compute(plan.plan(profile, NOTHING, tokens_per_second=5_000))
    assert compute(plan.plan(profile, NOTHING, tokens_per_second=10_000)) == pytest.approx(slow / 2)
    per_token = flops_per_token(bench.architecture(profile, NOTHING), 48)
    measured = {"tokens_per_second": 20_000, "device": "2 x NVIDIA H100 80GB HBM3", "peak_memory_bytes": 2**34,
                "config": {"profile": "paper", "flops_per_token": per_token, "world_size": 2, "task": "mnli",
                           "micro_batch": 4, "max_length": 256, "mean_tokens_per_sequence": 48,
                           "deepspeed": "zero2", "precision": "bf16", "faithful": False}}
    (tmp_path / "bench.json").write_text(json.dumps(measured))
    from_file = plan.plan(profile, NOTHING, file=tmp_path / "bench.json")
    assert compute(from_file) == pytest.approx(slow / 2)  # 10k tokens/s per device
    assert from_file["throughput"]["source"].startswith("measured:")
    measured["config"]["profile"] = "smoke"
    (tmp_path / "bench.json").write_text(json.dumps(measured))
    with pytest.raises(ValueError, match="measured profile 'smoke', not 'paper'"):
        plan.plan(profile, NOTHING, file=tmp_path / "bench.json")


def test_plan_cli_table_and_json():
    runner = CliRunner()
    table = runner.invoke(app, ["plan", "--profile", "paper", "--params", str(PARAMS), "--tokens-per-second", "1e4"])
    assert table.exit_code == 0, table.output
    assert "GPU-hours" in table.output and "total" in table.output and "given: 10000" in table.output
    result = runner.invoke(app, ["plan", "--profile", "smoke", "--params", str(PARAMS), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert set(payload) >= {"profile", "throughput", "stages", "total_gpu_hours"}
    both = runner.invoke(app, ["plan", "--params", str(PARAMS), "--throughput", "x.json", "--tokens-per-second", "1"])
    assert both.exit_code == 2 and "not both" in both.output


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """An empty project directory (no data, no pretrained model): bench falls back to synthetic batches."""
    path = tmp_path_factory.mktemp("bench")
    (path / "params.yaml").write_text(PARAMS.read_text())
    return path


@pytest.mark.parametrize("faithful, length", [(False, None), (True, 40)])
def test_bench_json_contract(project, monkeypatch, faithful, length):
    monkeypatch.chdir(project)
    args = ["bench", "--profile", "smoke", "--deepspeed", "none", "--random-init", "--steps", "4", "--warmup", "1",
            "--json"] + (["--faithful"] if faithful else []) + (["--length", str(length)] if length else [])
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == {"tokens_per_second", "samples_per_second", "step_seconds", "peak_memory_bytes", "mfu",
                        "device", "config"}
    assert out["step_seconds"] > 0 and out["tokens_per_second"] > 0 and out["samples_per_second"] > 0 and out["peak_memory_bytes"] > 0
    assert out["mfu"] is None and out["device"].startswith("cpu")  # no known peak on CPU
    config = out["config"]
    assert config["random_init"] and config["data"].startswith("synthetic") and config["steps"] == 4
    assert config["padding"] == ("max_length" if faithful else "dynamic")
    assert config["micro_batch"] * config["grad_accum"] == 8
    # real tokens only, whatever the padding (the faithful recipe pads every row to max_length 96)
    if length:
        assert config["mean_tokens_per_sequence"] == length
    else:  # the synthetic MNLI rows average 48 tokens
        assert 30 < config["mean_tokens_per_sequence"] < 66


def test_bench_refuses_before_loading_anything(project, monkeypatch):
    monkeypatch.chdir(project)
    result = CliRunner().invoke(app, ["bench", "--profile", "smoke", "--memory-budget-gib", "16"])
    assert result.exit_code == 2 and "--memory-budget-gib: caps GPU memory" in result.output
    result = CliRunner().invoke(app, ["bench", "--profile", "smoke"])
    assert result.exit_code == 2 and "pass --random-init" in result.output
    result = CliRunner().invoke(app, ["bench", "--profile", "smoke", "--random-init", "--length", "300"])
    assert result.exit_code == 2 and "--length: 300 is outside 4..96" in result.output


def test_plan_prices_steps_by_the_roofline(tmp_path, paper_profile):
    """jiant's 4 examples a step make intermediate training step-bound: AdamW's traffic over 560M parameters and
    the launches, not the FLOPs, set its time; a bench result's step time replaces the assumed overhead."""
    from repro.measure import roofline

    profile = paper_profile
    payload = plan.plan(profile, NOTHING)
    mnli = next(s for s in payload["stages"] if s["stage"] == "intermediate-paper@mnli")
    assert mnli["optimizer_steps"] == 3 * -(-392_702 // 4) and mnli["bound"] == "steps"
    parameters = plan.encoder.parameters(bench.architecture(profile, NOTHING))
    assert 555e6 < parameters < 565e6  # XLM-R Large with a classification head
    optimizer = parameters * roofline.OPTIMIZER_BYTES / roofline.bandwidth("H100 SXM")
    assert mnli["gpu_hours"] * 3600 > mnli["optimizer_steps"] * (optimizer + payload["throughput"]["overhead_s"])
    assert mnli["gpu_hours"] > 5 * mnli["compute_hours"]
    assert 8 < mnli["peak_memory_gib"] < 80  # 560M x 16 bytes + activations of 4 x 256 tokens, on one H100
    per_token = flops_per_token(bench.architecture(profile, NOTHING), 48)
    measured = {"tokens_per_second": 10_000, "step_seconds": 0.05, "device": "1 x NVIDIA H100 80GB HBM3",
                "peak_memory_bytes": 14 * 2**30,
                "config": {"profile": "paper", "flops_per_token": per_token, "world_size": 1, "micro_batch": 4,
                           "grad_accum": 1, "mean_tokens_per_sequence": 48, "deepspeed": "zero2", "task": "mnli",
                           "precision": "bf16", "faithful": False, "max_length": 256, "padding": "dynamic"}}
    (tmp_path / "bench.json").write_text(json.dumps(measured))
    slower = plan.plan(profile, NOTHING, file=tmp_path / "bench.json")
    assert slower["throughput"]["overhead_s"] > 2 * payload["throughput"]["overhead_s"] and "measured" in slower["throughput"]["overhead_source"]
    assert slower["total_gpu_hours"] > payload["total_gpu_hours"]
    memory = slower["throughput"]["memory"]  # the measured peak beside the model's, at the bench's shape
    assert memory["measured_gib"] == 14 and 8 < memory["model_gib"] < mnli["peak_memory_gib"]


def test_fast_recipe_is_a_stated_deviation_with_fewer_steps(paper_profile):
    from repro.params import FAST_BATCH

    profile = paper_profile
    assert profile.intermediate.recipe == "faithful" and profile.intermediate.deviation() is None
    fast = profile.model_copy(update={"intermediate": profile.intermediate.model_copy(update={"recipe": "fast"})})
    hp, base = fast.intermediate.for_task("mnli"), profile.intermediate.for_task("mnli")
    assert hp.batch_size == FAST_BATCH * base.batch_size
    assert hp.learning_rate == pytest.approx(base.learning_rate * FAST_BATCH ** 0.5)
    assert "not the paper's" in fast.intermediate.deviation() and fast.fingerprint != profile.fingerprint
    slow, quick = plan.plan(profile, NOTHING), plan.plan(fast, NOTHING)
    steps = {s["stage"]: s.get("optimizer_steps") for s in quick["stages"]}
    assert steps["intermediate-paper@mnli"] == 3 * -(-392_702 // (4 * FAST_BATCH))
    assert quick["total_gpu_hours"] < slow["total_gpu_hours"] / 2


def test_code_plan_prices_steps_and_reports_the_split(paper_profile):
    from repro.studies.code.stages.common import code_of

    profile = paper_profile
    payload = plan.plan(profile, NOTHING, study="code")
    code = code_of(profile)
    trained = [s for s in payload["stages"] if s.get("optimizer_steps")]
    intermediate = [s for s in trained if s["stage"].startswith("code-intermediate")]
    assert intermediate and all(s["optimizer_steps"] == code.budget.value for s in intermediate
                                if code.budget.unit == "steps")
    target = [s for s in trained if s["stage"].startswith("code-target")]
    assert len(target) == len(intermediate) + len(code.models) * len(code.seeds)  # `none` too gets a target phase
    assert all(s["optimizer_steps"] == code.target.steps for s in target)
    assert payload["micro_batch"] * payload["grad_accum"] == code.training.batch_size
    assert payload["training_memory_gib"] <= 0.9 * 80  # fits one 80 GB GPU (checkpointing, label logits)
