"""The training engine: configuration checks (one line, before any work), batching, resume bookkeeping, the
launcher commands, and the real DeepSpeed path on CPU: ZeRO-2, ZeRO-3 and ZeRO-3 offload train a tiny model
under the HF Trainer through `engine.finetune` (one subprocess for all of them: DeepSpeed initialises
torch.distributed, which must not leak into other tests; its first use JIT-compiles ops with g++).
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml
from typer.testing import CliRunner

from repro.engine import acceleration
from repro.engine.acceleration import EngineError, check, launch_command
from repro.engine.setup import TrainSetup
from repro.engine.trainer import COMPLETE, _LengthGrouped, _pad_to, batch_split, finetune, resume_point
from repro.params import Engine, Hyper, ParamsError, load

ROOT = Path(__file__).resolve().parents[3]


def _params(tmp_path: Path, **engine) -> Path:
    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    raw["profiles"]["paper"]["engine"].update(engine)
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


# ---------------------------------------------------------------------------------------------------------
# Checks


@pytest.mark.parametrize("engine, key", [
    ({"faithful": True}, "faithful"),                                   # the paper profile trains in bf16
    ({"deepspeed": "zero3-offload", "compile": True}, "compile"),
    ({"micro_batch": 0}, "micro_batch"),
    ({"deepspeed": "zero4"}, "deepspeed"),
])
def test_impossible_engines_are_refused_on_load(tmp_path, engine, key):
    with pytest.raises(ParamsError) as err:
        load(_params(tmp_path, **engine), "paper")
    message = str(err.value)
    assert "\n" not in message and "profiles.paper.engine" in message and key in message


def test_machine_checks_are_one_line(monkeypatch):
    assert not torch.cuda.is_available()  # CI and this check run on CPU
    with pytest.raises(EngineError, match=r"^engine\.precision: fp16 needs a CUDA GPU"):
        check(Engine(precision="fp16", deepspeed="zero3-offload"))
    with monkeypatch.context() as patch:
        patch.setitem(sys.modules, "deepspeed", None)  # not installed
        with pytest.raises(EngineError, match=r"^engine\.deepspeed: zero2 needs the deepspeed package"):
            check(Engine(deepspeed="zero2"))
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(EngineError, match=r"^engine\.deepspeed: zero3 on CPU JIT-compiles .* needs g\+\+"):
        check(Engine(deepspeed="zero3"))
    with pytest.raises(EngineError, match=r"^engine\.compile: torch\.compile on CPU generates C\+\+"):
        check(Engine(compile=True))
    check(Engine(deepspeed="none", precision="bf16"))  # bf16 autocast works on CPU


def test_checks_run_before_any_work(tmp_path):
    """A bad engine fails before the model, data or Trainer are touched (here: there are none)."""
    hp = Hyper(learning_rate=1e-3, epochs=1, batch_size=8, max_length=32)
    with pytest.raises(EngineError):
        finetune(None, [], TrainSetup(hp, workdir=tmp_path, seed=0, pad_id=1, description="x",
                                      engine=Engine(precision="fp16")))


def test_shipped_configs_leave_hyperparameters_to_params():
    """Every field that overlaps TrainingArguments is "auto"; the filled config passes DeepSpeed's own parser."""
    from types import SimpleNamespace

    from deepspeed.runtime.config import DeepSpeedConfig
    from transformers.integrations.deepspeed import HfTrainerDeepSpeedConfig, unset_hf_deepspeed_config

    args = SimpleNamespace(world_size=1, per_device_train_batch_size=8, gradient_accumulation_steps=4,
                           max_grad_norm=1.0, learning_rate=1e-5, adam_beta1=0.9, adam_beta2=0.999,
                           adam_epsilon=1e-8, weight_decay=0.01, save_on_each_node=False, fp16=False,
                           fp16_full_eval=False, bf16=True, bf16_full_eval=False, get_warmup_steps=lambda n: 10)
    model = SimpleNamespace(config=SimpleNamespace(hidden_size=1024))
    for name in acceleration.CONFIGS:
        cfg = acceleration.config(Engine(deepspeed=name))
        for key in ("train_micro_batch_size_per_gpu", "train_batch_size", "gradient_accumulation_steps",
                    "gradient_clipping"):
            assert cfg[key] == "auto", (name, key)
        assert cfg["bf16"]["enabled"] == cfg["fp16"]["enabled"] == "auto"
        assert "scheduler" not in cfg  # the Trainer's linear warmup schedule
        if name == "zero3-offload":
            assert set(cfg["optimizer"]["params"].values()) == {"auto"}
        else:
            assert "optimizer" not in cfg  # the Trainer's fused AdamW
        if name.startswith("zero3"):
            assert cfg["zero_optimization"]["stage3_gather_16bit_weights_on_model_save"] is True
        hf = HfTrainerDeepSpeedConfig(cfg)
        hf.trainer_config_process(args)
        hf.trainer_config_finalize(args, model, num_training_steps=100)
        filled = hf.config
        assert filled["train_batch_size"] == 32 and filled["bf16"]["enabled"] is True
        assert DeepSpeedConfig(filled).zero_optimization_stage == (2 if name == "zero2" else 3)
    unset_hf_deepspeed_config()


def test_batch_split_keeps_the_effective_batch(smoke_profile):
    paper, smoke = load(ROOT / "params.yaml", "paper"), smoke_profile
    hp, qa = paper.target.for_task("xnli"), paper.target.for_task("xquad")
    assert batch_split(smoke.intermediate.for_task("mnli"), smoke.engine, 1) == (8, 1)
    assert batch_split(paper.intermediate.for_task("mnli"), paper.engine, 1) == (4, 1)  # jiant-simple: 4, no accum
    assert batch_split(hp, paper.engine, 1) == (32, 1)  # micro_batch 32: 4 x 8 as one step
    assert batch_split(qa, paper.engine, 1) == (16, 1)  # QA: effective 16
    assert batch_split(hp, paper.engine, 8) == (4, 1)
    assert batch_split(hp, Engine(faithful=True, micro_batch=32), 1) == (4, 8)  # the paper's 4 x 8
    assert batch_split(hp, Engine(), 1, prebatched=True) == (1, 8)
    assert batch_split(hp, Engine(), 2, prebatched=True) == (1, 4)
    with pytest.raises(EngineError, match="micro_batch: 12 does not divide"):
        batch_split(hp, Engine(micro_batch=12), 1)
    with pytest.raises(EngineError, match="does not divide over 3 devices"):
        batch_split(hp, Engine(), 3)


def test_faithful_padding_to_max_length():
    ids = torch.tensor([[0, 5, 2], [0, 6, 2]])
    tagging = _pad_to({"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": ids.clone()}, 8, 1)
    assert tagging["input_ids"].shape == (2, 8) and tagging["input_ids"][0, -1] == 1
    assert tagging["attention_mask"].sum() == 6 and tagging["labels"][0, -1] == -100
    choices = _pad_to({"input_ids": ids[None].repeat(2, 1, 1), "labels": torch.tensor([0, 1]), "task": "x"}, 8, 1)
    assert choices["input_ids"].shape == (2, 2, 8) and choices["labels"].shape == (2,) and choices["task"] == "x"


def test_length_grouped_order_replays_per_epoch():
    lengths = [int(x) for x in torch.randint(5, 90, (200,))]
    first, again = _LengthGrouped(8, lengths, seed=3), _LengthGrouped(8, lengths, seed=3)
    again.set_epoch(1)
    assert list(again) != list(first)
    again.set_epoch(0)
    assert list(again) == list(first)  # a resumed epoch sees the batches the killed run saw


def _checkpoint(workdir: Path, step: int, *, marked=True, files=("model.safetensors", "optimizer.pt",
                "scheduler.pt", "rng_state.pth"), best: str | None = None) -> Path:
    path = workdir / f"checkpoint-{step}"
    path.mkdir(parents=True)
    (path / "trainer_state.json").write_text(json.dumps({"best_model_checkpoint": best}))
    for name in files:
        (path / name).write_bytes(b"x")
    if marked:
        (path / COMPLETE).touch()
    return path


def test_resume_point_skips_half_written_checkpoints(tmp_path):
    work = tmp_path / "work"
    good = _checkpoint(work, 2)
    _checkpoint(work, 3, files=("model.safetensors", "scheduler.pt", "rng_state.pth"))  # half deleted
    _checkpoint(work, 4, marked=False)                                                   # killed mid-save
    _checkpoint(work, 5, best=str(work / "checkpoint-1"))                                 # its best is gone
    (tmp_path / ".work.trash-123").mkdir()                                                # killed mid-cleanup
    assert resume_point(work) == good
    assert sorted(p.name for p in work.iterdir()) == ["checkpoint-2"]
    assert not (tmp_path / ".work.trash-123").exists()
    assert resume_point(tmp_path / "absent") is None


@pytest.mark.parametrize("shards, complete", [
    (["mp_rank_00_model_states.pt", "bf16_zero_pp_rank_0_mp_rank_00_optim_states.pt"], True),
    (["mp_rank_00_model_states.pt"], False),  # the optimizer shards are missing
])
def test_resume_point_reads_deepspeed_checkpoints(tmp_path, shards, complete):
    path = _checkpoint(tmp_path, 4, files=("latest",))
    (path / "global_step4").mkdir()
    for name in shards:
        (path / "global_step4" / name).write_bytes(b"x")
    assert resume_point(tmp_path) == (path if complete else None)


# ---------------------------------------------------------------------------------------------------------
# Selection


def _tiny_rows(n: int, seed: int = 0) -> list[dict]:
    generator = torch.Generator().manual_seed(seed)
    rows = []
    for _ in range(n):
        ids = [0, *torch.randint(5, 60, (6,), generator=generator).tolist(), 2]
        rows.append({"input_ids": ids, "attention_mask": [1] * len(ids), "labels": ids[1] % 2})
    return rows


def test_eval_every_zero_never_scores_and_keeps_the_last_weights(tmp_path, tiny_encoder):
    """jiant's simple runscript (eval_every_steps=0): no evaluation while training, the final weights are the
    result; a scorer given alongside is not consulted."""
    hp = Hyper(learning_rate=1e-3, epochs=2, batch_size=4, max_length=16, eval_every=0)
    calls = []
    scored = finetune(tiny_encoder(num_labels=2), _tiny_rows(16), TrainSetup(
        hp, scorer=lambda model: calls.append(1) or 0.0, workdir=tmp_path / "a", seed=0, pad_id=1, description="x"))
    plain = finetune(tiny_encoder(num_labels=2), _tiny_rows(16), TrainSetup(hp, workdir=tmp_path / "b", seed=0,
                                                                            pad_id=1, description="x"))
    assert calls == []
    for (name, value), other in zip(scored.state_dict().items(), plain.state_dict().values()):
        assert torch.equal(value, other), name


# ---------------------------------------------------------------------------------------------------------
# Launching


def test_launch_commands(tmp_path):
    verb = ["intermediate", "--profile", "paper", "--task", "mnli"]
    assert launch_command(verb, gpus=8) == ["deepspeed", "--num_gpus", "8", "--master_port", "29500",
                                            "--no_local_rank", "--module", "repro.cli", *verb]
    assert launch_command(verb, gpus=4, launcher="torchrun") == ["torchrun", "--standalone", "--nproc_per_node", "4",
                                                                 "-m", "repro.cli", *verb]
    hosts = tmp_path / "hosts"
    hosts.write_text("# two nodes\nnode-a slots=8\nnode-b slots=8\n")
    assert launch_command(verb, gpus=8, hostfile=hosts)[:5] == ["deepspeed", "--hostfile", str(hosts),
                                                               "--num_nodes", "2"]
    torchrun = launch_command(verb, gpus=8, nodes=2, hostfile=hosts, launcher="torchrun")
    assert torchrun[:4] == ["torchrun", "--nnodes", "2", "--nproc_per_node"] and "node-a:29500" in torchrun
    for bad, message in [(dict(verb_args=["all"]), "not all"), (dict(verb_args=verb, nodes=2), "needs --hostfile"),
                         (dict(verb_args=verb, nodes=3, hostfile=hosts), "only 2 hosts"),
                         (dict(verb_args=verb, launcher="mpirun"), "--launcher")]:
        with pytest.raises(EngineError, match=message):
            launch_command(**{"gpus": 8, **bad})
    hosts.write_text("node-a gpus=8\n")
    with pytest.raises(EngineError, match="line 1: expected `host slots=N`"):
        launch_command(verb, gpus=8, hostfile=hosts)


def test_cli_launch_dry_run_and_launcher_rank():
    from repro.cli import app

    result = CliRunner().invoke(app, ["launch", "--gpus", "2", "--dry-run", "--", "intermediate", "--profile",
                                      "smoke", "--task", "mnli"])
    assert result.exit_code == 0, result.output
    # --no_local_rank: the launcher appends no `--local_rank=N` to the verb (ranks come from LOCAL_RANK)
    assert result.output.strip() == ("deepspeed --num_gpus 2 --master_port 29500 --no_local_rank --module repro.cli "
                                     "intermediate --profile smoke --task mnli")
    result = CliRunner().invoke(app, ["launch", "--gpus", "2", "--dry-run", "--", "data"])
    assert result.exit_code == 2 and "launch: runs one of intermediate, target, bench" in result.output


# ---------------------------------------------------------------------------------------------------------
# The real DeepSpeed path on CPU

WORKER = r"""
import json, sys, time
from pathlib import Path
import numpy as np, torch
from transformers import XLMRobertaConfig, XLMRobertaForSequenceClassification
import repro.engine.trainer as engine
from repro.engine.setup import TrainSetup
from repro.params import Engine, Hyper

out = Path(sys.argv[1])
rng = np.random.default_rng(0)
def rows(n):
    result = []
    for _ in range(n):
        ids = [0, *rng.integers(5, 60, int(rng.integers(4, 20))).tolist(), 2]
        result.append({"input_ids": ids, "attention_mask": [1] * len(ids), "labels": int(ids[1] % 2)})
    return result
train, dev = rows(32), rows(16)
(out / "dev.json").write_text(json.dumps(dev))
gold = np.array([r["labels"] for r in dev])
scorer = lambda model: float((engine.predict(model, dev, 1).argmax(-1) == gold).mean())
config = XLMRobertaConfig(vocab_size=64, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                          intermediate_size=64, max_position_embeddings=40, type_vocab_size=1, num_labels=2)
hp = Hyper(learning_rate=1e-3, epochs=2, batch_size=8, max_length=24, eval_every=2)
kept = {}
discard = engine._discard
def keep(workdir):  # inspect the checkpoints the run wrote before they are removed
    kept["complete"] = [engine._complete(p) for p in sorted(workdir.glob("checkpoint-*"))]
    kept["deepspeed"] = any(workdir.glob("checkpoint-*/global_step*"))
    discard(workdir)
engine._discard = keep
for name in sys.argv[2:]:
    start = time.time()
    torch.manual_seed(0)
    model = engine.finetune(XLMRobertaForSequenceClassification(config), train, TrainSetup(
        hp, scorer=scorer, workdir=out / f"work-{name}", seed=0, pad_id=1, description=name,
        engine=Engine(deepspeed=name)))
    model.save_pretrained(out / name)
    np.save(out / f"{name}.npy", engine.predict(model, dev, 1))
    plain = all(type(m._parameters) is dict and not any(a.startswith("ds_") for a in vars(p))
                for m in model.modules() for p in m._parameters.values() if p is not None)
    record = {"name": name, "seconds": time.time() - start, "plain": plain, "score": scorer(model),
              "fp32": all(p.dtype == torch.float32 for p in model.parameters()),
              "hooks": sum(len(m._forward_pre_hooks) + len(m._forward_hooks) for m in model.modules()), **kept}
    with open(out / "runs.jsonl", "a") as f:
        f.write(json.dumps(record) + "\n")
"""


@pytest.fixture(scope="module")
def deepspeed_runs(tmp_path_factory):
    """Train the same tiny model with no DeepSpeed, ZeRO-2, ZeRO-3 and ZeRO-3 offload in one CPU process."""
    out = tmp_path_factory.mktemp("deepspeed")
    env = {**os.environ, "DS_ACCELERATOR": "cpu", "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": "29533", "RANK": "0",
           "LOCAL_RANK": "0", "WORLD_SIZE": "1", "OMP_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, "-c", WORKER, str(out), "none", "zero2", "zero3", "zero3-offload"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    runs = [json.loads(line) for line in (out / "runs.jsonl").read_text().splitlines()]
    return out, {run["name"]: run for run in runs}


@pytest.mark.parametrize("name", ["zero2", "zero3", "zero3-offload"])
def test_deepspeed_trains_through_finetune(deepspeed_runs, name):
    out, runs = deepspeed_runs
    run = runs[name]
    assert run["deepspeed"] and all(run["complete"]) and run["complete"]  # DeepSpeed checkpoints, resumable
    assert run["fp32"] and run["plain"] and run["hooks"] == runs["none"]["hooks"]  # a plain model comes back
    from safetensors.torch import load_file

    plain, trained = load_file(out / "none" / "model.safetensors"), load_file(out / name / "model.safetensors")
    assert trained.keys() == plain.keys()
    tolerance = 1e-3 if name == "zero3-offload" else 1e-5  # DeepSpeed's CPU Adam vs torch's fused AdamW
    for key, value in plain.items():
        assert trained[key].shape == value.shape, key  # consolidated: ZeRO-3 shards gathered
        assert torch.allclose(trained[key], value, atol=tolerance), key  # the same training as without DeepSpeed


def test_zero3_saves_a_consolidated_model(deepspeed_runs):
    """What a stage saves (`save_pretrained`) reloads as a plain HF model predicting exactly as the trained one."""
    import numpy as np
    from transformers import XLMRobertaForSequenceClassification

    out, runs = deepspeed_runs
    model = XLMRobertaForSequenceClassification.from_pretrained(out / "zero3")
    assert model.roberta.embeddings.word_embeddings.weight.shape == (64, 32)
    from repro.engine.trainer import predict

    dev = json.loads((out / "dev.json").read_text())
    assert np.allclose(predict(model, dev, 1), np.load(out / "zero3.npy"), atol=1e-6)
