"""`repro plan`: every stage a study runs, with its estimated GPU-hours, and the disk it needs
(`repro.measure.disk`). Each study prices its own stages (its `plan`): the shared stages' prices are here
(`price`), a study's own stages are priced in its folder from the same pieces (`training`, `zero_shot`, `pool`).

Time per stage, a roofline (`repro.measure.roofline`): max(FLOPs / sustained FLOP rate, the micro-batches'
weight traffic / HBM bandwidth) + the micro-batches' launch overhead + the optimizer steps' AdamW traffic /
bandwidth. FLOPs = training tokens x training FLOPs per token + evaluation and embedding tokens x forward FLOPs
per token (model FLOPs from the model's config: `repro.models`). The FLOP rate is measured (`repro bench --json`
saved to a file, whose step time also gives the launch overhead), derived from a given tokens/s, or assumed (40%
MFU of an H100 SXM). Each training stage's peak memory on one device is the memory model's (weights, gradients,
AdamW states per ZeRO stage, activations of its largest micro-batch). Upper bounds: every epoch runs (early
stopping is not modelled); stage start-up and data encoding are not counted.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from repro.errors import UserError
from repro.measure import bench, disk, roofline
from repro.measure.sizes import DUAL_SIDES, PAPER_EVAL, PAPER_POOL, PAPER_TRAIN, SEQUENCE, SMOKE_PRETRAIN_TOKENS
from repro.models import encoder
from repro.params import Profile
from repro.paths import Layout
from repro.studies.shared_data import world_languages
from repro.tasks import INTERMEDIATE_TASKS, MULTITASK, TARGET_TASKS, Alternative
from repro.tasks.alternatives import extra_sources

ASSUMED_MFU, ASSUMED_DEVICE = 0.40, "NVIDIA H100 SXM"
SHARED = "repro.stages."  # the shared stage modules priced here
# (the group the disk estimate counts the stage in, its intermediate, its target, its record, its FLOPs)
Priced = tuple[str, str | None, str | None, dict, float]


def _train_size(profile: Profile, task: str) -> int:
    if profile.data.origin == "hub":
        return PAPER_TRAIN[task]
    spec = INTERMEDIATE_TASKS.get(task) or TARGET_TASKS[task]
    return profile.data.smoke.n_train * len(spec.train_before + spec.train)


def _eval_size(profile: Profile, task: str) -> int:
    if profile.data.origin == "hub":
        return PAPER_EVAL[task]
    spec = INTERMEDIATE_TASKS.get(task)
    return profile.data.smoke.n_eval * (len(spec.train) if spec else 1)


def _tokens(task: str, examples: float, max_length: int) -> tuple[float, int]:
    """(tokens, mean sequence length) of `examples` examples of a task."""
    length, sequences = SEQUENCE[task]
    length = min(length, max_length)
    return examples * sequences * length, length


def throughput(profile: Profile, shape: dict, *, file: Path | None = None,
               tokens_per_second: float | None = None) -> dict:
    """The sustained training FLOP rate of one device, its HBM bandwidth and launch overhead per micro-batch, and
    where the figures come from (a bench result's device, else the assumed H100 SXM)."""
    reference = SEQUENCE["mnli"][0]
    parameters, layers = encoder.parameters(shape), shape["layers"]
    assumed = {"bytes_per_second": roofline.bandwidth(ASSUMED_DEVICE),
               "overhead_s": roofline.LAUNCH_SECONDS_PER_LAYER * layers, "device": ASSUMED_DEVICE,
               "overhead_source": f"assumed: {roofline.LAUNCH_SECONDS_PER_LAYER * 1e6:g} us of kernel launches a "
                                  f"layer per micro-batch"}
    if file is not None:
        measured = json.loads(Path(file).read_text())
        config = measured["config"]
        if config.get("profile") != profile.name:
            raise UserError(f"--throughput: {file} measured profile {config.get('profile')!r}, "
                             f"not {profile.name!r}")
        devices = config.get("world_size", 1)
        rate = measured["tokens_per_second"] * config["flops_per_token"] / devices
        card = measured["device"].split(" x ", 1)[-1]
        bandwidth = roofline.bandwidth(card) or assumed["bytes_per_second"]
        overhead = roofline.overhead_from_bench(measured, parameters=parameters, layers=layers, flop_rate=rate,
                                                bytes_per_second=bandwidth)
        return {**assumed, "flops_per_second": rate, "tokens_per_second": measured["tokens_per_second"] / devices,
                "bytes_per_second": bandwidth, "device": card, "memory": _bench_memory(profile, shape, measured),
                **({"overhead_s": overhead, "overhead_source": f"measured: {file}'s step time less the roofline"}
                   if overhead is not None else {}),
                "source": f"measured: {file} ({measured['device']}, deepspeed {config['deepspeed']}, "
                          f"{config['precision']}{', faithful' if config['faithful'] else ''})"}
    per_token = encoder.flops_per_token(shape, reference)
    if tokens_per_second is not None:
        return {**assumed, "flops_per_second": tokens_per_second * per_token, "tokens_per_second": tokens_per_second,
                "source": f"given: {tokens_per_second:g} training tokens/s per device"}
    peak = bench.peak_flops(ASSUMED_DEVICE)
    return {**assumed, "flops_per_second": ASSUMED_MFU * peak, "tokens_per_second": ASSUMED_MFU * peak / per_token,
            "source": f"assumed: {ASSUMED_MFU:.0%} MFU of one {ASSUMED_DEVICE} ({peak / 1e12:g} TFLOP/s dense bf16)"}


def _bench_memory(profile: Profile, shape: dict, measured: dict) -> dict:
    """A bench result's measured peak beside the memory model's at its micro-batch, longest row and engine."""
    config = measured["config"]
    engine = profile.engine.model_copy(update={"deepspeed": config["deepspeed"], "faithful": config["faithful"],
                                               "precision": config["precision"],
                                               "attention": config.get("attention", profile.engine.attention)})
    length = config["max_length"] if config.get("padding") == "max_length" else \
        min(config["max_length"], round(1.5 * config["mean_tokens_per_sequence"]))
    model = memory(profile.model_copy(update={"engine": engine}), shape, config["task"], config["micro_batch"], length)
    return {"measured_gib": measured["peak_memory_bytes"] / 2**30, "model_gib": model,
            "measurement": config.get("peak_memory")}


def training(profile: Profile, shape: dict, task: str, phase: str) -> tuple[dict, float]:
    """A fine-tuning run's size and FLOPs (training, plus English-dev selection evaluations)."""
    hp = (profile.intermediate if phase == "intermediate" else profile.target).for_task(task)
    examples = _train_size(profile, task)
    train_tokens, length = _tokens(task, examples * hp.epochs, hp.max_length)
    steps = math.ceil(examples / (hp.batch_size * hp.grad_accum)) * hp.epochs
    evaluations = steps // hp.eval_every if hp.eval_every else hp.epochs
    dev = min(_eval_size(profile, task), hp.eval_subset or _eval_size(profile, task))
    eval_tokens, _ = _tokens(task, dev * evaluations, hp.max_length)
    flops = (train_tokens * encoder.flops_per_token(shape, length)
             + eval_tokens * encoder.flops_per_token(shape, length, training=False))
    micro, accum = _split(hp, profile)
    return {"train_examples": examples, "epochs": hp.epochs, "train_tokens": train_tokens,
            "eval_tokens": eval_tokens, "optimizer_steps": steps, "micro_batches": steps * accum,
            "peak_memory_gib": memory(profile, shape, task, micro, hp.max_length)}, flops


def _split(hp, profile: Profile) -> tuple[int, int]:
    """(micro-batch, accumulation) of one device, as the trainer splits the phase's batch."""
    from repro.engine.trainer import batch_split

    return batch_split(hp, profile.engine, 1)


def memory(profile: Profile, shape: dict, task: str, micro: int, max_length: int) -> float:
    """Peak GiB of one device training `task` at `micro` examples of up to `max_length` tokens (the memory model:
    `repro.measure.roofline`), under the profile's engine on one device."""
    engine = profile.engine
    element = roofline.ELEMENT["fp32" if engine.faithful else engine.precision]
    sequences = micro * math.ceil(SEQUENCE[task][1]) if task in SEQUENCE else micro
    parts = roofline.states(encoder.parameters(shape), deepspeed=engine.deepspeed)
    parts["activations"] = roofline.encoder_activations(
        shape, sequences, max_length, element=element, attention_matrix=engine.faithful or engine.attention == "eager")
    return roofline.peak(parts)["peak_gib"]


def zero_shot(profile: Profile, shape: dict, target: str, group: str) -> tuple[dict, float]:
    """Evaluation in every language of a target (retrieval: embedding both sides, plus BUCC's dev threshold)."""
    max_length = profile.retrieval.max_length if group == "retrieval" else \
        profile.target.for_task(TARGET_TASKS[target].shares_training_with or target).max_length
    tokens, length = _tokens(target, _eval_size(profile, target) * len(profile.languages[target]), max_length)
    return {"eval_tokens": tokens}, tokens * encoder.flops_per_token(shape, length, training=False)


def pool(profile: Profile, shape: dict, target: str) -> tuple[dict, float]:
    """A dual-encoder target's evaluation: the candidate pool embedded once, every language's queries."""
    hp = profile.target.for_task(target)
    query, candidate = DUAL_SIDES[target]
    languages = len(profile.languages[target])
    pool = PAPER_POOL[target] if profile.data.origin == "hub" else _eval_size(profile, target) * languages
    queries = _eval_size(profile, target) * languages * min(query, hp.max_query_length)
    candidates = pool * min(candidate, hp.max_length)
    flops = (queries * encoder.flops_per_token(shape, min(query, hp.max_query_length), training=False)
             + candidates * encoder.flops_per_token(shape, min(candidate, hp.max_length), training=False))
    return {"eval_tokens": queries + candidates, "candidates": pool}, flops


def stage_cost(profile: Profile, shape: dict, group: str, intermediate: str | None,
               target: str | None) -> tuple[dict, float]:
    """A shared stage's record (kind, sizes, tokens) and its FLOPs."""
    if group == "pretrain":
        if profile.data.origin == "hub":
            return {"kind": "pretrain", "note": "download of the pinned checkpoint"}, 0.0
        from repro.smoke.corpus import ENGLISH_CORPUS_WEIGHT

        spec = profile.model.pretrain
        others = {lang for langs in world_languages(profile).values() for lang in langs} - {"en"}
        lines = profile.data.smoke.corpus_per_language * (ENGLISH_CORPUS_WEIGHT + len(others))
        tokens = lines * spec.epochs * min(SMOKE_PRETRAIN_TOKENS, spec.max_length)
        return ({"kind": "pretrain", "train_tokens": tokens},
                tokens * encoder.flops_per_token(shape, SMOKE_PRETRAIN_TOKENS))
    if group == "multitask":
        cap = profile.intermediate.multitask.examples_cap
        epochs = profile.intermediate.defaults.epochs
        record, flops = {"kind": "intermediate", "train_examples": 0, "epochs": epochs, "train_tokens": 0.0,
                         "optimizer_steps": 0, "micro_batches": 0, "peak_memory_gib": 0.0}, 0.0
        for task in profile.study.intermediate_tasks:
            hp = profile.intermediate.for_task(task)
            examples = min(_train_size(profile, task), cap or math.inf)
            tokens, length = _tokens(task, examples * epochs, hp.max_length)
            micro, accum = _split(hp, profile)
            steps = math.ceil(examples / (hp.batch_size * hp.grad_accum)) * epochs
            record.update(train_examples=record["train_examples"] + examples,
                          train_tokens=record["train_tokens"] + tokens,
                          optimizer_steps=record["optimizer_steps"] + steps,
                          micro_batches=record["micro_batches"] + steps * accum,
                          peak_memory_gib=max(record["peak_memory_gib"],
                                              memory(profile, shape, task, micro, hp.max_length)))
            flops += tokens * encoder.flops_per_token(shape, length)
        return record, flops
    if group == "alternative":  # the task's own run on more data: its translations, or as many MLM lines again
        alternative = Alternative.parse(intermediate)
        record, flops = training(profile, shape, alternative.task, "intermediate")
        factor = (1 + len(extra_sources(intermediate, profile.languages)) if alternative.variant == "translated"
                  else 1 + profile.alternatives.mlm_ratio)
        record.update(train_examples=round(record["train_examples"] * factor),
                      train_tokens=record["train_tokens"] * factor, eval_tokens=record["eval_tokens"] * factor,
                      optimizer_steps=round(record["optimizer_steps"] * factor),
                      micro_batches=round(record["micro_batches"] * factor),
                      note=f"{intermediate}: {factor:g}x the English task's data (upper bound)")
        return {"kind": "intermediate", **record}, flops * factor
    if group == "intermediate":
        record, flops = training(profile, shape, intermediate, "intermediate")
        return {"kind": "intermediate", **record}, flops
    evaluation, eval_flops = zero_shot(profile, shape, target, group)
    if group == "retrieval":
        return {"kind": "retrieval", **evaluation}, eval_flops
    if group == "evaluate":
        note = f"uses the {TARGET_TASKS[target].shares_training_with} fine-tune"
        return {"kind": "evaluate", "note": note, **evaluation}, eval_flops
    record, flops = training(profile, shape, target, "target")
    record["eval_tokens"] += evaluation["eval_tokens"]
    return {"kind": "target", **record}, flops + eval_flops


def price(profile: Profile, shape: dict, module: str, args: tuple[str, ...]) -> Priced | None:
    """A shared stage's price (None for the data stage, which runs no model)."""
    group = module.removeprefix(SHARED)
    if group == "data":
        return None
    intermediate, target = (MULTITASK, None) if group == "multitask" else (*args, None, None)[:2]
    record, flops = stage_cost(profile, shape, group, intermediate, target)
    return group, intermediate, target, record, flops


def priced(profile: Profile, layout: Layout, waves: list, price_stage, *, study: str, file: Path | None = None,
           tokens_per_second: float | None = None, parallel: int = 1) -> dict:
    """The stages of `waves` (dvc.yaml's names) each priced by `price_stage(profile, shape, module, args)` in
    GPU-hours, the total, and the disk the study needs with `parallel` stages running at once."""
    shape = bench.architecture(profile, layout)
    rate = throughput(profile, shape, file=file, tokens_per_second=tokens_per_second)
    stages, groups = [], []
    for wave in waves:
        for name, module, args in wave:
            cost = price_stage(profile, shape, module, args)
            if cost is None:
                continue
            group, intermediate, target, record, flops = cost
            groups.append(group)
            stages.append({"stage": name, "intermediate": None if record["kind"] == "pretrain" else intermediate,
                           "target": target, **record, **hours(record, flops, encoder.parameters(shape), rate)})
    return {"profile": profile.name, "study": study, "model": shape["name"], "throughput": rate,
            "assumptions": ["every epoch runs (no early stopping)", "tokens per example: repro.measure.sizes.SEQUENCE "
                            "estimates", "evaluation runs at the training FLOP rate",
                            f"weight traffic {roofline.WEIGHT_BYTES} and AdamW {roofline.OPTIMIZER_BYTES} bytes a "
                            f"parameter at {rate['bytes_per_second'] / 1e12:g} TB/s ({rate['device']})",
                            f"launch overhead {rate['overhead_s'] * 1e3:.2f} ms a micro-batch ({rate['overhead_source']})"],
            "stages": stages, "total_gpu_hours": sum(s["gpu_hours"] for s in stages),
            "disk": disk.estimate(profile, layout, groups, parallel)}


def hours(record: dict, flops: float, parameters: int, rate: dict) -> dict:
    """A stage's GPU-hours by the roofline: max(compute, the micro-batches' weight traffic) + launch overhead +
    the optimizer steps' AdamW traffic (stages that train nothing: compute alone); and FLOPs alone (the old
    figure, for comparison)."""
    compute = flops / rate["flops_per_second"]
    micro, steps = record.get("micro_batches", 0), record.get("optimizer_steps", 0)
    weights = micro * parameters * roofline.WEIGHT_BYTES / rate["bytes_per_second"]
    optimizer = steps * parameters * roofline.OPTIMIZER_BYTES / rate["bytes_per_second"]
    seconds = max(compute, weights) + micro * rate["overhead_s"] + optimizer
    return {"gpu_hours": seconds / 3600, "compute_hours": compute / 3600,
            "bound": "compute" if compute >= weights + optimizer + micro * rate["overhead_s"] else "steps"}


def plan(profile: Profile, layout: Layout, *, study: str = "paper", **options) -> dict:
    """Every stage of one study of the profile, priced by the study (its `plan`)."""
    from repro import studies

    return studies.get(study).plan(profile, layout, **options)


def table(payload: dict):
    """The plan as a Rich table."""
    from rich.markup import escape
    from rich.table import Table

    out = Table(title=f"repro plan --profile {payload['profile']} ({payload['model']}); "
                      f"throughput {payload['throughput']['source']}", caption=disk.describe(payload["disk"]))
    for column in ("stage", "examples", "epochs", "steps", "tokens (M)", "peak GiB", "GPU-hours"):
        out.add_column(column, justify="left" if column == "stage" else "right")
    for s in payload["stages"]:
        tokens = s.get("train_tokens", 0) + s.get("eval_tokens", 0)
        out.add_row(escape(s["stage"]), f"{s['train_examples']:,}" if "train_examples" in s else "-",
                    f"{s['epochs']:g}" if "epochs" in s else "-", f"{s.get('optimizer_steps', 0):,}",
                    f"{tokens / 1e6:,.2f}", f"{s['peak_memory_gib']:.1f}" if "peak_memory_gib" in s else "-",
                    f"{s['gpu_hours']:.3f}")
    out.add_section()
    out.add_row("total", "", "", "", "", "", f"{payload['total_gpu_hours']:.2f}")
    return out
