"""Stage `code-intermediate`: one arm of the code study's intermediate phase, for one model and seed: the pretrained
decoder fine-tuned on its text-to-text task(s) (English; English plus translations; translations only), or (the LM
control) on plain language modelling of CNN/DailyMail articles, every arm at the study's one budget; the `none` arm
copies the pretrained decoder unchanged.

The budget is exact: the arm's rows, shuffled with the seed and repeated as often as needed, are cut to
`steps x batch_size` rows (one epoch over them is that many optimizer steps) or to the first whole batches whose
loss tokens reach `tokens` (CNN/DailyMail rows carry ~14x MNLI's input tokens, so equal steps are not equal
tokens). Multitask interleaves its tasks' rows in turn (equal shares). A long article keeps its lead everywhere:
in a CNN/DailyMail row (before its `TL;DR:` cue, never cut), in the LM control's rows and in the dev prompts. The
log (results/<profile>/code/training/<model>/intermediate/<arm>-s<seed>.json) records the budget, the rows with their loss and input
tokens, the Trainer's own counts (`trainer_examples`, `optimizer_steps`, `effective_batch`, read from its log),
and each task's English-dev score (exact match; ROUGE-1/2/Lsum for CNN/DailyMail).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import typer

from repro.errors import UserError
from repro.studies.code.params import (LM_CONTROL, NO_INTERMEDIATE, SUMMARIZATION, TEXT_TASKS, article_variants,
                                       translations_only)
from repro.studies.code.stages.common import ArmOpt, ModelOpt, SeedOpt, code_of, require, study
from repro.stages.common import english
from repro.stages.options import ParamsOpt, ProfileOpt, friendly, run_stage


def examples(layout, code_layout, source: str, split: str, variant: str | None = None) -> list[dict]:
    """A text-to-text source's English examples: CNN/DailyMail from the code study's data (or one of its other
    sets, `variant`), the rest from the profile's data stage."""
    if source == SUMMARIZATION:
        path = code_layout.articles(split, variant)
        if variant is not None and not path.is_file() and code_layout.articles(split).is_file():
            raise UserError(f"{path}: no CNN/DailyMail set {variant!r}: the smoke world writes one per non-English "
                            "prompt language of code.benchmarks.humaneval_xl, and `shuffled`")
        path = require(path, "CNN/DailyMail articles", "repro code-data")
        return [json.loads(line) for line in path.read_text().splitlines()]
    return english(source, split, layout)


def arm_rows(arm: str, code, tokenizer, layout, code_layout, languages: dict) -> list[list[dict]]:
    """The encoded training rows of an arm, one list per task (the LM control: one list of article rows; a
    translated arm: its task's English examples and their translations, pooled; a translations-only arm: its
    languages' translations, pooled, no English; an arm of the code study's own CNN/DailyMail sets: those)."""
    from repro import data
    from repro.kinds import text_to_text
    from repro.models import decoder
    from repro.studies.code.data import translated_sources

    hp = code.training
    if arm == LM_CONTROL:
        articles = [e["article"] for e in examples(layout, code_layout, SUMMARIZATION, "train")]
        return [decoder.lm_rows(tokenizer, articles, hp.max_length)]
    variants = article_variants(arm)
    if variants is not None:
        pairs = [text_to_text.cast(SUMMARIZATION, e) for v in variants
                 for e in examples(layout, code_layout, SUMMARIZATION, "train", v)]
        return [text_to_text.encode(tokenizer, pairs, hp.max_length, hp.target_length)]
    out = []
    for task in code.tasks_of(arm):
        pairs = [] if translations_only(arm) else [text_to_text.cast(source, e) for source in TEXT_TASKS[task]
                                                   for e in examples(layout, code_layout, source, "train")]
        pairs += [text_to_text.cast(source, e) for source, lang in translated_sources(arm, languages)
                  for e in data.read(layout, source, "train", lang)]
        out.append(text_to_text.encode(tokenizer, pairs, hp.max_length, hp.target_length))
    return out


def budgeted(per_task: list[list[dict]], budget, batch_size: int, seed: int) -> list[dict]:
    """Rows for exactly the budget, in whole batches: each task's rows shuffled (and repeated), taken in turn
    across tasks, until `steps` batches, or the first batch at which the loss tokens reach `tokens`."""
    from repro.kinds.text_to_text import loss_tokens

    rng = random.Random(seed)
    streams = []
    for rows in per_task:
        if not rows:
            raise UserError("an intermediate task has no training examples")
        streams.append(_cycle(rows, rng))
    chosen, tokens, turn = [], 0, 0
    while True:
        if budget.unit == "steps" and len(chosen) >= budget.value * batch_size:
            break
        if budget.unit == "tokens" and tokens >= budget.value and len(chosen) % batch_size == 0:
            break
        row = next(streams[turn % len(streams)])
        turn += 1
        chosen.append(row)
        tokens += loss_tokens([row])
    return chosen


def spent(rows: list[dict]) -> dict[str, int]:
    """What an arm's rows cost: examples, loss tokens (what a `tokens` budget counts) and input tokens."""
    from repro.kinds.text_to_text import loss_tokens

    return {"examples": len(rows), "loss_tokens": loss_tokens(rows),
            "input_tokens": sum(len(row["input_ids"]) for row in rows)}


def _cycle(rows: list[dict], rng: random.Random):
    while True:
        order = list(range(len(rows)))
        rng.shuffle(order)
        yield from (rows[i] for i in order)


def dev_scores(arm: str, code, model, tokenizer, layout, code_layout) -> dict[str, dict[str, float]]:
    """Each task's English-dev score on its first `dev_examples` examples (greedy outputs)."""
    from repro.kinds import text_to_text
    from repro.models import decoder

    scores = {}
    for task in code.tasks_of(arm):
        pairs = [text_to_text.cast(source, e) for source in TEXT_TASKS[task]
                 for e in examples(layout, code_layout, source, "validation")][:code.summarization.dev_examples]
        prompts, _ = dev_prompts(code, tokenizer, [p for p, _ in pairs])
        outputs = decoder.generate(model, tokenizer, prompts, max_new_tokens=code.summarization.max_new_tokens,
                                   batch_size=16, stop=("\n\n",))
        scores[task] = text_to_text.score([o[0] for o in outputs], [t for _, t in pairs], task == SUMMARIZATION)
    return scores


def dev_prompts(code, tokenizer, prompts: list[str]) -> tuple[list[str], list[list[int]]]:
    """Dev prompts cut as training cuts them (an article at its end, the cue kept), to leave the generated tokens
    room within `training.max_length`."""
    from repro.kinds import text_to_text

    room = code.training.max_length - code.summarization.max_new_tokens
    return text_to_text.fit(tokenizer, prompts, [room] * len(prompts))


def run(profile, layout, model_name: str, arm: str, seed) -> Path:
    code, code_layout, seed = study(profile, layout, arm, seed, model_name)
    from repro.engine.trainer_log import training_counts
    from repro.io import atomic_dir, atomic_json
    from repro.models import decoder

    pretrained = require(code_layout.pretrained(model_name), "pretrained decoder",
                         f"repro code-pretrain --profile {profile.name} --model {model_name}")
    out, log_path = code_layout.decoder(model_name, arm, seed), code_layout.training_log(model_name, arm, seed)
    if arm == NO_INTERMEDIATE:  # the reference arm: the pretrained decoder as it is
        import shutil

        with atomic_dir(out) as tmp:
            shutil.copytree(pretrained, tmp, dirs_exist_ok=True)
        atomic_json(log_path, {"model": model_name, "arm": arm, "seed": seed, "tasks": [],
                               "budget": code.budget.model_dump(), **spent([]), "trainer_examples": 0,
                               "optimizer_steps": 0, "english_dev": {}})
        return out
    tokenizer = decoder.tokenizer(pretrained)
    model = decoder.causal_lm(pretrained)
    hp = code.training
    rows = budgeted(arm_rows(arm, code, tokenizer, layout, code_layout, profile.languages), code.budget,
                    hp.batch_size, seed)
    with training_counts() as counts:
        model = fit(profile, code, model, tokenizer, rows, hp,
                    layout.checkpoints(f"code-{model_name}-{arm}-s{seed}"), seed,
                    f"code intermediate {model_name} {arm} s{seed}")
    log = {"model": model_name, "arm": arm, "seed": seed, "tasks": code.tasks_of(arm),
           "budget": code.budget.model_dump(), **spent(rows), **counts,
           "english_dev": dev_scores(arm, code, model, tokenizer, layout, code_layout)}
    with atomic_dir(out) as tmp:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
    atomic_json(log_path, log)
    return out


def fit(profile, code, model, tokenizer, rows: list[dict], hp, workdir: Path, seed: int, description: str):
    """`model` fine-tuned on `rows` for one epoch (their count is the budget) with `hp`'s learning rate, batch,
    warmup and decay, and the study's engine choices (`code.training`: checkpointing, LoRA, label-only logits)."""
    from repro.engine.setup import TrainSetup
    from repro.engine.trainer import finetune
    from repro.models import decoder
    from repro.params import Hyper

    engine_hp = code.training
    if engine_hp.checkpointing:  # the same gradients, each layer recomputed in the backward
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    if engine_hp.lora:
        from repro.models.lora import wrap

        model = wrap(model, engine_hp.lora_rank)
    train = Hyper(learning_rate=hp.learning_rate, epochs=1, batch_size=hp.batch_size, max_length=hp.max_length,
                  warmup_ratio=hp.warmup_ratio, weight_decay=hp.weight_decay, eval_every=0)
    engine = profile.engine.model_copy(update={"micro_batch": min(hp.batch_size, micro_batch(profile, code, model))})
    model = finetune(model, rows, TrainSetup(train, workdir=workdir, seed=seed, pad_id=tokenizer.pad_token_id,
                                             description=description, engine=engine,
                                             loss=decoder.label_loss if engine_hp.label_logits else None))
    return model.merge_and_unload() if engine_hp.lora else model


def micro_batch(profile, code, model) -> int:
    """The micro-batch the memory model fits on the visible GPU (the batch itself on a CPU: its memory is the
    machine's); the effective batch stays `training.batch_size`."""
    from repro.models import decoder
    from repro.studies.code import memory

    device = memory.visible_gib()
    if device is None:
        return code.training.batch_size
    dims = decoder.shape(model.config.to_dict(), "decoder")
    return memory.split(code, dims, device, profile.engine.deepspeed, profile.engine.precision)[0]


@friendly
def command(model: ModelOpt, arm: ArmOpt, seed: SeedOpt, params: ParamsOpt = Path("params.yaml"),
            profile: ProfileOpt = "paper") -> None:
    """One arm of the code study's intermediate phase (text-to-text task, multitask or LM control), one model
    and seed.

    Example: [bold]repro code-intermediate --profile smoke --model tiny_code --arm cnn_dailymail --seed 0[/]
    """
    run_stage(params, profile, f"code intermediate {model} {arm} s{seed}", run, model, arm, seed,
              done=lambda out: f"decoder -> {out}", check=code_of)


if __name__ == "__main__":
    typer.run(command)
