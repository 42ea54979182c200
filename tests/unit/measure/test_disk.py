"""Disk: DVC caches only what another stage or a reviewer reads (data, encoders, predictions), not the fine-tuned
target models, and `repro plan` reports the disk a study needs."""

import hashlib
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from repro.cli import app
from repro.measure import disk, plan
from repro.params import load
from repro.paths import Layout

ROOT = Path(__file__).resolve().parents[3]
PARAMS = ROOT / "params.yaml"
NOTHING = Layout("paper", Path("/nonexistent"))  # before any download or data


def test_parameter_count_is_the_models_own():
    from transformers import XLMRobertaConfig, XLMRobertaModel

    fields = {"vocab_size": 2999, "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
              "intermediate_size": 128, "max_position_embeddings": 131, "type_vocab_size": 1}
    model = XLMRobertaModel(XLMRobertaConfig(**fields), add_pooling_layer=False)  # what an encoder directory holds
    assert disk.parameters(fields) == sum(p.numel() for p in model.parameters())
    large = disk.parameters({"vocab_size": 250002, "hidden_size": 1024, "num_hidden_layers": 24,
                             "intermediate_size": 4096, "max_position_embeddings": 514, "type_vocab_size": 1})
    assert 558e6 < large < 559e6  # XLM-R Large: 560M with its pooler (the encoders have none), 2.2 GB in fp32


def test_plan_reports_the_disk_of_the_paper_study(paper_profile):
    payload = plan.plan(paper_profile, NOTHING, parallel=8)
    figure = payload["disk"]
    one = figure["model_bytes"]
    assert 2.2e9 < one < 2.3e9
    assert figure["encoders"] == {"count": 13, "workspace_bytes": 13 * one, "cache_bytes": 13 * one}
    assert figure["target_models"] == {"count": 78, "workspace_bytes": 78 * one, "cache_bytes": 0}
    per_stage = figure["checkpoints"]["per_stage_bytes"]  # ZeRO-2: three checkpoints of 16 bytes per parameter
    assert per_stage == 3 * 16 * disk.parameters(disk.bench.model_config(paper_profile, NOTHING)[0])
    assert figure["checkpoints"]["peak_bytes"] == 8 * per_stage and figure["data_bytes"] is None
    assert figure["inputs_bytes"] is None  # nothing fetched
    assert figure["total_bytes"] == 2 * 13 * one + 78 * one + 8 * per_stage
    result = CliRunner().invoke(app, ["plan", "--profile", "paper", "--params", str(PARAMS), "--parallel", "8"])
    assert result.exit_code == 0, result.output
    assert "78 target models 175.7 GB (not cached" in " ".join(result.output.split())
    refused = CliRunner().invoke(app, ["plan", "--params", str(PARAMS), "--parallel", "0"])
    assert refused.exit_code == 2 and "--parallel: must be at least 1" in refused.output


def test_the_fetched_raw_inputs_are_counted_twice(tmp_path):
    """data/ (what `repro fetch` brought) lies in the workspace and, through `dvc add data`, in the DVC cache."""
    paper, layout = load(PARAMS, "paper"), Layout("paper", tmp_path)
    before = disk.estimate(paper, layout, ["target"])
    shard = tmp_path / "data" / "hub" / "google" / "xtreme" / ("0" * 40) / "PAN-X.de" / "test.parquet"
    shard.parent.mkdir(parents=True)
    shard.write_bytes(b"x" * 1500)
    after = disk.estimate(paper, layout, ["target"])
    assert before["inputs_bytes"] is None and after["inputs_bytes"] == 1500
    assert after["total_bytes"] - before["total_bytes"] == 3000
    assert "raw inputs 1.5 kB x 2" in disk.describe(after)


def test_dvc_yaml_caches_data_encoders_and_predictions_not_target_models():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]  # the paper blocks merge the smoke ones

    def outs(name: str) -> dict[str, bool]:
        listed = {}
        for out in stages[name]["outs"]:
            path, options = next(iter(out.items())) if isinstance(out, dict) else (out, {})
            listed[path] = options.get("cache", True)
        return listed

    def models(name: str) -> dict[str, bool]:  # a training stage's curves (a few kB of tsv) are not cached
        curves = {path: cached for path, cached in outs(name).items() if "/curves/" in path}
        assert not any(curves.values()), name
        return {path: cached for path, cached in outs(name).items() if path not in curves}

    for profile in ("smoke", "paper"):
        assert models(f"target-{profile}") == {
            "models/${profile}/target/${item.intermediate}/${item.target}": False,
            "results/${profile}/predictions/${item.intermediate}/${item.target}": True}
        for group in ("data", "pretrain", "intermediate", "multitask", "alternative", "evaluate", "retrieval"):
            assert all(models(f"{group}-{profile}").values()), group


def _cached(project: Path, path: Path) -> bool:
    digest = hashlib.md5(path.read_bytes()).hexdigest()
    return (project / ".dvc/cache/files/md5" / digest[:2] / digest[2:]).is_file()


@pytest.mark.slow
@pytest.mark.long
def test_the_smoke_run_caches_encoders_and_predictions_not_target_models(smoke_project):
    models = smoke_project / "models/smoke"
    encoders = sorted(models.glob("encoders/*/model.safetensors"))
    targets = sorted(models.glob("target/*/*/model.safetensors"))
    assert len(encoders) == 15 and len(targets) == 90
    assert all(_cached(smoke_project, path) for path in encoders)
    assert not any(_cached(smoke_project, path) for path in targets)
    predictions = sorted((smoke_project / "results/smoke/predictions/mnli/xnli").iterdir())
    assert predictions and all(_cached(smoke_project, path) for path in predictions)
    lock = yaml.safe_load((smoke_project / "dvc.lock").read_text())["stages"]["target-smoke@mnli-xnli"]
    hashed = {out["path"]: out.get("md5") for out in lock["outs"]}
    assert hashed["models/smoke/target/mnli/xnli"]  # still hashed: dvc status sees a changed or missing model
    estimate = plan.plan(load(smoke_project / "params.yaml", "smoke"), Layout("smoke", smoke_project))["disk"]
    for kind, paths in (("encoders", encoders), ("target_models", targets)):
        measured = sum(p.stat().st_size for path in paths for p in path.parent.iterdir())
        assert estimate[kind]["workspace_bytes"] == pytest.approx(measured, rel=0.02), kind  # the plan's figure
    assert estimate["data_bytes"] == sum(p.stat().st_size for p in (models.parents[1] / "prepared/smoke").rglob("*")
                                         if p.is_file())
