"""`repro bench`: a short training of the profile's model through the real engine, measured.

Tokens/s counts real (non-padding) tokens only, over the optimizer steps after a warmup (first-use DeepSpeed
op builds, compilation and allocator growth excluded). MFU = tokens/s x model FLOPs per token / the devices'
dense bf16 peak (a table of known GPUs; null on CPU or an unknown GPU). Model FLOPs per token come from the
model's own config (`repro.models`: `flops_per_token`).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import sys
import tempfile
from pathlib import Path

import numpy as np

from repro import models
from repro.errors import UserError
from repro.params import Engine, Profile
from repro.paths import Layout
# Dense (not sparse) bf16 tensor-core peaks from NVIDIA's datasheets, matched against the device name in
# order (more specific names first).
PEAK_BF16 = (("H100 PCIe", 756e12), ("H100 NVL", 835e12), ("GH200", 989e12), ("H200", 989e12),
             ("H100", 989e12), ("A100", 312e12), ("L40S", 362e12), ("L4", 121e12), ("A10", 125e12))
CLASSIFICATION = ("mnli", "qqp", "anli_plus", "xnli", "pawsx")


def peak_flops(device: str) -> float | None:
    """Dense bf16 peak FLOP/s of one device by name; None when unknown (and on CPU)."""
    return next((peak for name, peak in PEAK_BF16 if name.lower() in device.lower()), None)


def model_config(profile: Profile, layout: Layout) -> tuple[dict, str]:
    """(config fields, name) of the profile's model: its downloaded config.json, the smoke spec, or for XLM-R
    Large before any download the family's copy of its config."""
    spec = profile.model.pretrain
    if spec is not None:
        return {"num_hidden_layers": spec.layers, "hidden_size": spec.hidden_size, "num_attention_heads": spec.heads,
                "intermediate_size": spec.intermediate_size, "vocab_size": spec.vocab_size,
                "max_position_embeddings": spec.max_length + 3, "type_vocab_size": 1, "pad_token_id": 1,
                "bos_token_id": 0, "eos_token_id": 2}, "smoke xlm-r"
    downloaded = layout.pretrained / "config.json"
    if downloaded.is_file():
        return json.loads(downloaded.read_text()), profile.model.hub
    family = models.of(profile.model)
    if profile.model.hub == "FacebookAI/xlm-roberta-large":
        return family.XLMR_LARGE, "xlm-roberta-large"
    raise UserError(f"{layout.pretrained / 'config.json'}: no config for {profile.model.hub}; run "
                            f"`repro pretrain --profile {profile.name}` first")


def architecture(profile: Profile, layout: Layout) -> dict:
    """The dimensions of the profile's model that FLOP estimates need."""
    config, name = model_config(profile, layout)
    return models.of(profile.model).shape(config, name)


def _device() -> tuple[str, int]:
    import torch

    if torch.cuda.is_available():
        return torch.cuda.get_device_name(0), torch.cuda.device_count()
    name = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")), "unknown") if Path("/proc/cpuinfo").is_file() else "unknown"
    return f"cpu: {name}, {torch.get_num_threads()} threads", 0


@contextlib.contextmanager
def _stdout_to_stderr():
    """Keep stdout for the result: training logs, DeepSpeed and g++ (JIT builds) write to fd 1."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _model(profile: Profile, layout: Layout, labels: tuple[str, ...], random_init: bool):
    """(model, tokenizer or None, description): the pretrained model, or the architecture with random weights."""
    from repro.kinds import classification

    family = models.of(profile.model)
    if not random_init:
        if not (layout.pretrained / "config.json").is_file():
            raise UserError(f"{layout.pretrained}: no pretrained model; run `repro pretrain --profile "
                                    f"{profile.name}` or pass --random-init (same architecture, random weights)")
        model = family.head(classification.HEAD, layout.pretrained, classification.head_config(labels), profile.seed)
        return model, family.tokenizer(layout.pretrained), str(layout.pretrained)
    config, name = model_config(profile, layout)
    return family.classifier(config, len(labels), profile.seed), None, f"{name} (random init)"


def _synthetic(task: str, n: int, max_length: int, vocab: int, labels: int, seed: int,
               length: int | None = None) -> list[dict]:
    """Token rows of `length` tokens, or of the task's documented mean length (repro.measure.sizes.SEQUENCE)
    +-50%."""
    from repro.measure.sizes import SEQUENCE

    rng = np.random.default_rng(seed)
    mean = min(SEQUENCE[task][0], max_length)
    lengths = [length] * n if length else np.clip(rng.integers(mean // 2, mean * 3 // 2 + 1, n), 4, max_length)
    return [{"input_ids": [0, *rng.integers(5, vocab, int(length) - 2).tolist(), 2],
             "attention_mask": [1] * int(length), "labels": int(rng.integers(labels))} for length in lengths]


def _rows(profile: Profile, layout: Layout, task: str, tokenizer, hp, n: int, vocab: int, labels: tuple,
          length: int | None):
    """(rows, description): the task's encoded training data where it and a tokenizer exist (and no fixed
    `length` is asked for), else synthetic."""
    from repro import kinds
    from repro.stages.common import train_sources
    from repro.tasks import task as lookup

    spec = lookup(task)
    present = all(layout.dataset(source, "train").is_file() for source in spec.train)
    if tokenizer is None or not present or length:
        rows = _synthetic(task, n, hp.max_length, vocab, len(labels), profile.seed, length)
        return rows, f"synthetic, {length} tokens" if length else "synthetic"
    examples = train_sources(spec, "train", layout)[:n]
    rows = kinds.of(spec).encode(tokenizer, examples, hp, labels)
    return [rows[i % len(rows)] for i in range(n)], f"{layout.data}/{'+'.join(spec.train)} train"


def run(profile: Profile, layout: Layout, **options) -> dict:
    """Train `warmup + steps` optimizer steps on the profile's data and model; the measured result.

    Everything but the result goes to stderr (training logs, DeepSpeed, g++ builds), so stdout stays JSON.
    """
    with _stdout_to_stderr():
        return _run(profile, layout, **options)


def _run(profile: Profile, layout: Layout, *, deepspeed: str, faithful: bool = False, random_init: bool = False,
         task: str = "mnli", steps: int = 20, warmup: int = 5, micro_batch: int | None = None,
         memory_budget_gib: float | None = None, length: int | None = None) -> dict:
    from pydantic import ValidationError

    from repro.engine import acceleration
    from repro.engine.setup import Meter, TrainSetup
    from repro.engine.trainer import batch_split, finetune
    from repro.tasks import INTERMEDIATE_TASKS
    from repro.tasks import task as lookup

    if task not in CLASSIFICATION:
        raise UserError(f"--task: bench measures a classification task ({', '.join(CLASSIFICATION)}), not {task!r}")
    if steps < 1 or warmup < 0:
        raise UserError("--steps: at least 1 measured step (and --warmup: 0 or more)")
    update = {"deepspeed": deepspeed}
    if faithful:
        update |= {"faithful": True, "precision": "fp32"}
    if micro_batch:
        update |= {"micro_batch": micro_batch}
    try:
        engine = Engine(**{**profile.engine.model_dump(), **update})
    except ValidationError as err:
        raise acceleration.EngineError(f"engine.{err.errors()[0]['msg'].removeprefix('Value error, ')}") from None
    acceleration.check(engine)
    import torch

    device, gpus = _device()
    if memory_budget_gib is not None:
        if not gpus:
            raise acceleration.EngineError("--memory-budget-gib: caps GPU memory and this machine has no GPU")
        total = torch.cuda.get_device_properties(0).total_memory
        torch.cuda.set_per_process_memory_fraction(min(1.0, memory_budget_gib * 2**30 / total))
    phase = profile.intermediate if task in INTERMEDIATE_TASKS else profile.target
    hp = phase.for_task(task).model_copy(update={"epochs": 1, "eval_every": None, "patience": None})
    if length is not None and not 4 <= length <= hp.max_length:
        raise UserError(f"--length: {length} is outside 4..{hp.max_length} (the {task} max_length)")
    labels = lookup(task).labels
    world = acceleration.world()[1]
    micro, accum = batch_split(hp, engine, world)
    n = (warmup + steps) * micro * accum * world
    model, tokenizer, model_name = _model(profile, layout, labels, random_init)
    rows, data = _rows(profile, layout, task, tokenizer, hp, n, model.config.vocab_size, labels, length)
    if gpus:
        torch.cuda.reset_peak_memory_stats()
    meter = Meter(warmup=warmup)
    with tempfile.TemporaryDirectory() as workdir:
        finetune(model, rows, TrainSetup(hp, workdir=Path(workdir) / "bench", seed=profile.seed,
                                         pad_id=model.config.pad_token_id, description=f"bench {deepspeed}",
                                         engine=engine, meter=meter))
    if gpus:
        peak_memory, memory = torch.cuda.max_memory_allocated(), "torch.cuda.max_memory_allocated (rank 0)"
    else:
        peak_memory, memory = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "process peak RSS"
    mean_length = meter.tokens / max(meter.samples * world, 1)
    per_token = models.of(profile.model).flops_per_token(architecture(profile, layout), mean_length)
    tokens_per_second = meter.tokens / meter.seconds
    peak = peak_flops(device) if gpus else None
    return {
        "tokens_per_second": tokens_per_second,
        "samples_per_second": meter.samples * world / meter.seconds,
        "step_seconds": meter.seconds / max(meter.steps, 1),
        "peak_memory_bytes": peak_memory,
        "mfu": tokens_per_second * per_token / (peak * world) if peak else None,
        "device": f"{world} x {device}" if gpus else device,
        "config": {
            "profile": profile.name, "task": task, "model": model_name, "random_init": random_init,
            "parameters": sum(p.numel() for p in model.parameters()), "data": data,
            "deepspeed": engine.deepspeed, "precision": engine.precision, "faithful": engine.faithful,
            "padding": "max_length" if engine.faithful else "dynamic",
            "group_by_length": engine.group_by_length and not engine.faithful,
            "attention": "eager" if engine.faithful else engine.attention, "compile": engine.compile,
            "optim": "deepspeed cpu adamw" if engine.deepspeed == "zero3-offload" else
                     "adamw_torch" if engine.faithful else "adamw_torch_fused",
            "micro_batch": micro, "grad_accum": accum, "world_size": world, "max_length": hp.max_length,
            "steps": meter.steps, "warmup_steps": warmup, "mean_tokens_per_sequence": mean_length,
            "flops_per_token": per_token, "peak_flops_per_device": peak, "memory_budget_gib": memory_budget_gib,
            "peak_memory": memory,
        },
    }
