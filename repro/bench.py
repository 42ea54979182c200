"""`repro bench`: a short training of the profile's model through the real engine, measured.

Tokens/s counts real (non-padding) tokens only, over the optimizer steps after a warmup (first-use DeepSpeed
op builds, compilation and allocator growth excluded). MFU = tokens/s x model FLOPs per token / the devices'
dense bf16 peak (a table of known GPUs; null on CPU or an unknown GPU). Model FLOPs per token, training:
6 x N + 12 x layers x hidden x sequence length (attention scores and values), N the weights that take part
in matrix products (the embedding tables do not); forward only: a third of it.
"""

from __future__ import annotations

import contextlib
import os
import resource
import sys
import tempfile
from pathlib import Path

import numpy as np

from repro.params import Engine, Profile
from repro.paths import Layout

# FacebookAI/xlm-roberta-large config.json, for --random-init where the Hub cannot be reached
XLMR_LARGE = {"num_hidden_layers": 24, "hidden_size": 1024, "num_attention_heads": 16, "intermediate_size": 4096,
              "vocab_size": 250002, "max_position_embeddings": 514, "type_vocab_size": 1, "layer_norm_eps": 1e-5,
              "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2}
# Dense (not sparse) bf16 tensor-core peaks from NVIDIA's datasheets, matched against the device name in
# order (more specific names first).
PEAK_BF16 = (("H100 PCIe", 756e12), ("H100 NVL", 835e12), ("GH200", 989e12), ("H200", 989e12),
             ("H100", 989e12), ("A100", 312e12), ("L40S", 362e12), ("L4", 121e12), ("A10", 125e12))
CLASSIFICATION = ("mnli", "qqp", "anli_plus", "xnli", "pawsx")


def peak_flops(device: str) -> float | None:
    """Dense bf16 peak FLOP/s of one device by name; None when unknown (and on CPU)."""
    return next((peak for name, peak in PEAK_BF16 if name.lower() in device.lower()), None)


def architecture(profile: Profile) -> dict:
    """The shape of the profile's model (XLM-R Large for a Hub model, the smoke spec otherwise)."""
    spec = profile.model.pretrain
    if spec is None:
        return {"name": "xlm-roberta-large", "layers": 24, "hidden": 1024, "heads": 16, "intermediate": 4096,
                "vocab": 250002}
    return {"name": "smoke xlm-r", "layers": spec.layers, "hidden": spec.hidden_size, "heads": spec.heads,
            "intermediate": spec.intermediate_size, "vocab": spec.vocab_size}


def flops_per_token(shape: dict, length: float, training: bool = True) -> float:
    """Model FLOPs per token at mean sequence length `length` (training: forward + backward)."""
    layers, hidden = shape["layers"], shape["hidden"]
    matmul_weights = layers * (4 * hidden * hidden + 2 * hidden * shape["intermediate"])
    forward = 2 * matmul_weights + 4 * layers * hidden * length
    return 3 * forward if training else forward


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


def _model(profile: Profile, layout: Layout, labels: int, random_init: bool):
    """(model, tokenizer or None, description): the pretrained model, or the architecture with random weights."""
    import torch
    from transformers import AutoTokenizer, XLMRobertaConfig, XLMRobertaForSequenceClassification

    if not random_init:
        if not (layout.pretrained / "config.json").is_file():
            raise FileNotFoundError(f"{layout.pretrained}: no pretrained model; run `repro pretrain --profile "
                                    f"{profile.name}` or pass --random-init (same architecture, random weights)")
        from transformers.utils import logging

        logging.set_verbosity_error()
        model = XLMRobertaForSequenceClassification.from_pretrained(str(layout.pretrained), num_labels=labels)
        return model, AutoTokenizer.from_pretrained(str(layout.pretrained)), str(layout.pretrained)
    spec = profile.model.pretrain
    values = XLMR_LARGE if spec is None else {
        "num_hidden_layers": spec.layers, "hidden_size": spec.hidden_size, "num_attention_heads": spec.heads,
        "intermediate_size": spec.intermediate_size, "vocab_size": spec.vocab_size,
        "max_position_embeddings": spec.max_length + 3, "type_vocab_size": 1, "pad_token_id": 1,
        "bos_token_id": 0, "eos_token_id": 2}
    torch.manual_seed(profile.seed)
    model = XLMRobertaForSequenceClassification(XLMRobertaConfig(**values, num_labels=labels))
    return model, None, f"{architecture(profile)['name']} (random init)"


def _synthetic(task: str, n: int, max_length: int, vocab: int, labels: int, seed: int,
               length: int | None = None) -> list[dict]:
    """Token rows of `length` tokens, or of the task's documented mean length (repro.plan.SEQUENCE) +-50%."""
    from repro.plan import SEQUENCE

    rng = np.random.default_rng(seed)
    mean = min(SEQUENCE[task][0], max_length)
    lengths = [length] * n if length else np.clip(rng.integers(mean // 2, mean * 3 // 2 + 1, n), 4, max_length)
    return [{"input_ids": [0, *rng.integers(5, vocab, int(length) - 2).tolist(), 2],
             "attention_mask": [1] * int(length), "labels": int(rng.integers(labels))} for length in lengths]


def _rows(profile: Profile, layout: Layout, task: str, tokenizer, hp, n: int, vocab: int, labels: tuple,
          length: int | None):
    """(rows, description): the task's encoded training data where it and a tokenizer exist (and no fixed
    `length` is asked for), else synthetic."""
    from repro import phases
    from repro.registry import INTERMEDIATE_TASKS, TARGET_TASKS

    spec = INTERMEDIATE_TASKS.get(task) or TARGET_TASKS[task]
    present = all(layout.dataset(source, "train").is_file() for source in spec.train)
    if tokenizer is None or not present or length:
        rows = _synthetic(task, n, hp.max_length, vocab, len(labels), profile.seed, length)
        return rows, f"synthetic, {length} tokens" if length else "synthetic"
    examples = phases._train_sources(spec, "train", layout)[:n]
    rows = phases._encode(spec, tokenizer, examples, hp, labels)
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

    from repro import acceleration
    from repro.engine import Meter, batch_split, finetune
    from repro.registry import INTERMEDIATE_TASKS, TARGET_TASKS

    if task not in CLASSIFICATION:
        raise ValueError(f"--task: bench measures a classification task ({', '.join(CLASSIFICATION)}), not {task!r}")
    if steps < 1 or warmup < 0:
        raise ValueError("--steps: at least 1 measured step (and --warmup: 0 or more)")
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
        raise ValueError(f"--length: {length} is outside 4..{hp.max_length} (the {task} max_length)")
    labels = (INTERMEDIATE_TASKS.get(task) or TARGET_TASKS[task]).labels
    world = acceleration.world()[1]
    micro, accum = batch_split(hp, engine, world)
    n = (warmup + steps) * micro * accum * world
    model, tokenizer, model_name = _model(profile, layout, len(labels), random_init)
    rows, data = _rows(profile, layout, task, tokenizer, hp, n, model.config.vocab_size, labels, length)
    if gpus:
        torch.cuda.reset_peak_memory_stats()
    meter = Meter(warmup=warmup)
    with tempfile.TemporaryDirectory() as workdir:
        finetune(model, rows, hp, scorer=None, workdir=Path(workdir) / "bench", seed=profile.seed,
                 pad_id=model.config.pad_token_id, description=f"bench {deepspeed}", engine=engine, meter=meter)
    if gpus:
        peak_memory, memory = torch.cuda.max_memory_allocated(), "torch.cuda.max_memory_allocated (rank 0)"
    else:
        peak_memory, memory = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "process peak RSS"
    mean_length = meter.tokens / max(meter.samples * world, 1)
    per_token = flops_per_token(architecture(profile), mean_length)
    tokens_per_second = meter.tokens / meter.seconds
    peak = peak_flops(device) if gpus else None
    return {
        "tokens_per_second": tokens_per_second,
        "samples_per_second": meter.samples * world / meter.seconds,
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
