"""`repro plan`: every stage a profile runs, with its estimated GPU-hours.

Compute per stage = training tokens x training FLOPs per token + evaluation tokens x forward FLOPs per token
(model FLOPs as in `repro.bench`), divided by a sustained FLOP rate: measured (`repro bench --json` saved to
a file), derived from a given tokens/s, or assumed (40% MFU of an H100 SXM). Upper bounds: every epoch runs
(early stopping is not modelled); stage start-up and data encoding are not counted.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from repro import bench
from repro.params import Profile
from repro.pipeline import planned
from repro.registry import BASELINE, INTERMEDIATE_TASKS, MULTITASK, TARGET_TASKS, Alternative

# Training-set sizes of the paper's runs (shared/reference/paper.md section 1: RemBERT Table 11 and the
# datasets' cards; CCG ~38k is approximate). Targets train on their English set (XNLI: MNLI, XQuAD: SQuAD v1.1).
PAPER_TRAIN = {
    "anli_plus": 1_104_934, "mnli": 392_702, "qqp": 363_846, "squad_v1": 87_599, "squad_v2": 130_319,
    "hellaswag": 39_905, "cosmosqa": 25_262, "commonsenseqa": 9_741, "ccg": 38_000,
    "xnli": 392_702, "pawsx": 49_401, "udpos": 21_253, "panx": 20_000, "xquad": 87_599, "tydiqa": 3_696,
}
# Evaluated examples per language, dev split where there is one (approximate averages over languages;
# retrieval: sentence pairs). English dev for selection is capped by the phase's eval_subset.
PAPER_EVAL = {
    "anli_plus": 3_200, "mnli": 9_815, "qqp": 40_430, "squad_v1": 10_570, "squad_v2": 11_873,
    "hellaswag": 10_042, "cosmosqa": 2_985, "commonsenseqa": 1_221, "ccg": 5_500,
    "xnli": 2_490, "pawsx": 2_000, "udpos": 1_000, "panx": 5_000, "xquad": 1_190, "mlqa": 600, "tydiqa": 560,
    "bucc2018": 2_000, "tatoeba": 1_000,
}
# Mean XLM-R tokens per input sequence, and sequences per example (multiple choice: one per choice; QA:
# context windows per question). Estimates, not measurements: mean English words per example from the
# datasets' papers x ~1.3 SentencePiece tokens per word + special tokens, capped at the phase's max_length.
SEQUENCE = {
    "anli_plus": (46, 1),       # SNLI 14+8 words, MNLI 22+11, ANLI ~55+10, weighted by size
    "mnli": (48, 1),            # premise ~22 + hypothesis ~11 words
    "qqp": (33, 1),             # two questions of ~11 words
    "squad_v1": (200, 1.05),    # paragraph ~120 + question ~10 words; a few contexts need a second window
    "squad_v2": (200, 1.05),
    "hellaswag": (75, 4),       # context ~35 + ending ~20 words, 4 endings
    "cosmosqa": (120, 4),       # context ~70 + question ~10 + answer ~8 words, 4 answers
    "commonsenseqa": (22, 5),   # question ~13 + answer ~1.5 words, 5 answers
    "ccg": (34, 1),             # WSJ sentence ~24 words
    "xnli": (48, 1), "pawsx": (60, 1), "udpos": (20, 1), "panx": (14, 1),
    "xquad": (200, 1.05), "mlqa": (220, 1.1), "tydiqa": (190, 1.1),
    "bucc2018": (35, 2), "tatoeba": (14, 2),  # retrieval: both sentences of a pair are embedded
}
SMOKE_PRETRAIN_TOKENS = 24  # mean tokens per sentence of the smoke MLM corpus
ASSUMED_MFU, ASSUMED_DEVICE = 0.40, "NVIDIA H100 SXM"


def _train_size(profile: Profile, task: str) -> int:
    if profile.data.kind == "hub":
        return PAPER_TRAIN[task]
    spec = INTERMEDIATE_TASKS.get(task) or TARGET_TASKS[task]
    return profile.data.smoke.n_train * len(spec.train)


def _eval_size(profile: Profile, task: str) -> int:
    if profile.data.kind == "hub":
        return PAPER_EVAL[task]
    spec = INTERMEDIATE_TASKS.get(task)
    return profile.data.smoke.n_eval * (len(spec.train) if spec else 1)


def _tokens(task: str, examples: float, max_length: int) -> tuple[float, int]:
    """(tokens, mean sequence length) of `examples` examples of a task."""
    length, sequences = SEQUENCE[task]
    length = min(length, max_length)
    return examples * sequences * length, length


def throughput(profile: Profile, *, file: Path | None = None, tokens_per_second: float | None = None) -> dict:
    """The sustained training FLOP rate of one device, and where the figure comes from."""
    shape = bench.architecture(profile)
    reference = SEQUENCE["mnli"][0]
    if file is not None:
        measured = json.loads(Path(file).read_text())
        config = measured["config"]
        if config.get("profile") != profile.name:
            raise ValueError(f"--throughput: {file} measured profile {config.get('profile')!r}, "
                             f"not {profile.name!r}")
        devices = config.get("world_size", 1)
        rate = measured["tokens_per_second"] * config["flops_per_token"] / devices
        return {"flops_per_second": rate, "tokens_per_second": measured["tokens_per_second"] / devices,
                "source": f"measured: {file} ({measured['device']}, deepspeed {config['deepspeed']}, "
                          f"{config['precision']}{', faithful' if config['faithful'] else ''})"}
    per_token = bench.flops_per_token(shape, reference)
    if tokens_per_second is not None:
        return {"flops_per_second": tokens_per_second * per_token, "tokens_per_second": tokens_per_second,
                "source": f"given: {tokens_per_second:g} training tokens/s per device"}
    peak = bench.peak_flops(ASSUMED_DEVICE)
    return {"flops_per_second": ASSUMED_MFU * peak, "tokens_per_second": ASSUMED_MFU * peak / per_token,
            "source": f"assumed: {ASSUMED_MFU:.0%} MFU of one {ASSUMED_DEVICE} ({peak / 1e12:g} TFLOP/s dense bf16)"}


def _training(profile: Profile, task: str, phase: str) -> tuple[dict, float]:
    """A fine-tuning run's size and FLOPs (training, plus English-dev selection evaluations)."""
    hp = (profile.intermediate if phase == "intermediate" else profile.target).for_task(task)
    shape = bench.architecture(profile)
    examples = _train_size(profile, task)
    train_tokens, length = _tokens(task, examples * hp.epochs, hp.max_length)
    steps = math.ceil(examples / (hp.batch_size * hp.grad_accum)) * hp.epochs
    evaluations = steps // hp.eval_every if hp.eval_every else hp.epochs
    dev = min(_eval_size(profile, task), hp.eval_subset or _eval_size(profile, task))
    eval_tokens, _ = _tokens(task, dev * evaluations, hp.max_length)
    flops = (train_tokens * bench.flops_per_token(shape, length)
             + eval_tokens * bench.flops_per_token(shape, length, training=False))
    return {"train_examples": examples, "epochs": hp.epochs, "train_tokens": train_tokens,
            "eval_tokens": eval_tokens}, flops


def _zero_shot(profile: Profile, target: str) -> tuple[dict, float]:
    """Evaluation in every language of a target (retrieval: embedding both sides, plus BUCC's dev threshold)."""
    shape = bench.architecture(profile)
    max_length = profile.retrieval.max_length if TARGET_TASKS[target].format == "retrieval" else \
        profile.target.for_task(TARGET_TASKS[target].shares_training_with or target).max_length
    tokens, length = _tokens(target, _eval_size(profile, target) * len(profile.languages[target]), max_length)
    return {"eval_tokens": tokens}, tokens * bench.flops_per_token(shape, length, training=False)


def _stage(profile: Profile, intermediate: str, target: str | None) -> tuple[dict, float]:
    """A stage's record (kind, sizes, tokens) and its FLOPs."""
    if target is None and intermediate == BASELINE:
        if profile.data.kind == "hub":
            return {"kind": "pretrain", "note": "download of the pinned checkpoint"}, 0.0
        spec = profile.model.pretrain
        tokens = profile.data.smoke.n_corpus * spec.epochs * min(SMOKE_PRETRAIN_TOKENS, spec.max_length)
        shape = bench.architecture(profile)
        return ({"kind": "pretrain", "train_tokens": tokens},
                tokens * bench.flops_per_token(shape, SMOKE_PRETRAIN_TOKENS))
    if target is None and intermediate == MULTITASK:
        cap = profile.intermediate.multitask.examples_cap
        epochs = profile.intermediate.defaults.epochs
        record, flops = {"kind": "intermediate", "train_examples": 0, "epochs": epochs, "train_tokens": 0.0}, 0.0
        shape = bench.architecture(profile)
        for task in INTERMEDIATE_TASKS:
            examples = min(_train_size(profile, task), cap or math.inf)
            tokens, length = _tokens(task, examples * epochs, profile.intermediate.for_task(task).max_length)
            record["train_examples"] += examples
            record["train_tokens"] += tokens
            flops += tokens * bench.flops_per_token(shape, length)
        return record, flops
    alternative = Alternative.parse(intermediate) if target is None else None
    if alternative:  # the task's own run on more data: its translations, or as many MLM lines again
        from repro.data import alternative_sources

        record, flops = _training(profile, alternative.task, "intermediate")
        factor = (1 + len(alternative_sources(profile, intermediate)) if alternative.variant == "translated"
                  else 1 + profile.alternatives.mlm_ratio)
        record.update(train_examples=round(record["train_examples"] * factor),
                      train_tokens=record["train_tokens"] * factor, eval_tokens=record["eval_tokens"] * factor,
                      note=f"{intermediate}: {factor:g}x the English task's data (upper bound)")
        return {"kind": "intermediate", **record}, flops * factor
    if target is None:
        record, flops = _training(profile, intermediate, "intermediate")
        if intermediate == "ccg":
            record["note"] = "runs only with a CCGbank path"
        return {"kind": "intermediate", **record}, flops
    task = TARGET_TASKS[target]
    evaluation, eval_flops = _zero_shot(profile, target)
    if task.format == "retrieval":
        return {"kind": "retrieval", **evaluation}, eval_flops
    if task.shares_training_with:
        return {"kind": "evaluate", "note": f"uses the {task.shares_training_with} fine-tune", **evaluation}, eval_flops
    record, flops = _training(profile, target, "target")
    record["eval_tokens"] += evaluation["eval_tokens"]
    return {"kind": "target", **record}, flops + eval_flops


def plan(profile: Profile, *, file: Path | None = None, tokens_per_second: float | None = None) -> dict:
    """Every stage of the profile (as dvc.yaml names them) with estimated GPU-hours, and the total."""
    rate = throughput(profile, file=file, tokens_per_second=tokens_per_second)
    stages = []
    for wave in planned(profile):
        for name, (intermediate, target) in wave:
            record, flops = _stage(profile, intermediate, target)
            stages.append({"stage": name, "intermediate": None if record["kind"] == "pretrain" else intermediate,
                           "target": target, **record, "gpu_hours": flops / rate["flops_per_second"] / 3600})
    return {"profile": profile.name, "model": bench.architecture(profile)["name"], "throughput": rate,
            "assumptions": ["every epoch runs (no early stopping)", "tokens per example: repro.plan.SEQUENCE "
                            "estimates", "evaluation runs at the training FLOP rate"],
            "stages": stages, "total_gpu_hours": sum(s["gpu_hours"] for s in stages)}


def table(payload: dict):
    """The plan as a Rich table."""
    from rich.table import Table

    out = Table(title=f"repro plan --profile {payload['profile']} ({payload['model']}); "
                      f"throughput {payload['throughput']['source']}")
    for column in ("stage", "examples", "epochs", "tokens (M)", "GPU-hours"):
        out.add_column(column, justify="left" if column == "stage" else "right")
    for s in payload["stages"]:
        tokens = s.get("train_tokens", 0) + s.get("eval_tokens", 0)
        out.add_row(s["stage"], f"{s['train_examples']:,}" if "train_examples" in s else "-",
                    f"{s['epochs']:g}" if "epochs" in s else "-", f"{tokens / 1e6:,.2f}", f"{s['gpu_hours']:.3f}")
    out.add_section()
    out.add_row("total", "", "", "", f"{payload['total_gpu_hours']:.2f}")
    return out
