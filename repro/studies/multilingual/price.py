"""`repro plan --study multilingual`: the study's stages priced from the shared pieces of `repro.measure.plan`
(its arms' runs, its targets, the dual encoders' pools); the shared stages (data, pretrain) as the paper's."""

from __future__ import annotations

from repro.measure import plan as pricing
from repro.params import Profile
from repro.studies.multilingual import recipe
from repro.studies.multilingual.arms import Arm
from repro.studies.multilingual.stages.common import settings

STAGES = "repro.studies.multilingual.stages."


def price(profile: Profile, shape: dict, module: str, args: tuple[str, ...]) -> pricing.Priced | None:
    """One stage's price: an arm's run, a target from a run's encoder, a dual encoder, or a target evaluated with
    the run's SQuAD fine-tune (MLQA; Tatoeba's embeddings); none for its data; anything else is a shared stage."""
    if not module.startswith(STAGES):
        return pricing.price(profile, shape, module, args)
    profile = recipe.applied(profile, settings(profile).recipe)  # targets as the study's recipe trains them
    group = module.removeprefix(STAGES)
    if group == "data":  # the study's own data stage runs no model
        return None
    if group == "intermediate":  # (arm, seed)
        record, flops = _arm(profile, shape, args[0])
        return "intermediate", f"{args[0]}-{args[1]}", None, record, flops
    run, target = args
    if group == "dual":  # a dual encoder fine-tuned on English pairs, then the pool ranked in every language
        record, flops = pricing.training(profile, shape, target, "target")
        evaluation, eval_flops = pricing.pool(profile, shape, target)
        record.update(eval_tokens=record["eval_tokens"] + evaluation["eval_tokens"], candidates=evaluation["candidates"],
                      note="dual encoder (both sides of each pair); the candidate pool embedded once")
        return "target", run, target, {"kind": "target", **record}, flops + eval_flops
    shared = {"target": "target", "from_squad": "retrieval" if target == "tatoeba" else "evaluate"}[group]
    record, flops = pricing.stage_cost(profile, shape, shared, run, target)
    return {"target": "target", "from_squad": "evaluate"}[group], run, target, record, flops  # disk: as its outputs


def _arm(profile: Profile, shape: dict, arm_id: str) -> tuple[dict, float]:
    """An arm's run (`Arm`): A1, A2 and every A2[<set>] the English task's size (A1's budget: its examples and
    steps, or its tokens), A3 that again per language of the set (translations as large as the English data), A4
    A1's steps (its MLM batches among them); the mix sums its tasks."""
    arm = Arm.parse(arm_id)
    languages = settings(profile).arm_languages(arm)
    record, flops = {"kind": "intermediate", "train_examples": 0, "epochs": None, "train_tokens": 0.0,
                     "eval_tokens": 0.0, "optimizer_steps": 0, "micro_batches": 0, "peak_memory_gib": 0.0}, 0.0
    for task in arm.tasks:
        part, part_flops = pricing.training(profile, shape, task, "intermediate")
        factor = 1 + len(languages[task]) if arm.arm == "A3" else 1
        record.update(train_examples=record["train_examples"] + round(part["train_examples"] * factor),
                      epochs=part["epochs"], train_tokens=record["train_tokens"] + part["train_tokens"] * factor,
                      eval_tokens=record["eval_tokens"] + part["eval_tokens"],
                      optimizer_steps=record["optimizer_steps"] + round(part["optimizer_steps"] * factor),
                      micro_batches=record["micro_batches"] + round(part["micro_batches"] * factor),
                      peak_memory_gib=max(record["peak_memory_gib"], part["peak_memory_gib"]))
        flops += part_flops * factor
    return record, flops
