"""Stage `ml_intermediate`: one seed's run of one arm of the multilingual study (repro/studies/multilingual/arms.py `Arm`):
the intermediate task(s) on English, on English plus translations at A1's budget (A2) or in full (A3), or with
multilingual MLM batches (A4); saves the encoder under models/<profile>/multilingual/encoders/<arm>-<seed>.

The encoder's `intermediate.json` records the budget: the examples, rows and tokens per language and, read from
the Trainer's own log, the examples it trained on and its optimizer steps (A2's equal A1's; A4's too: its MLM
batches come within A1's steps); `shares.json` beside it which English examples each language of A2 holds.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from repro.errors import UserError
from repro.params import Profile
from repro.paths import Layout
from repro.studies.multilingual.stages.common import arm_of, settings, study_layout
from repro.stages.options import ParamsOpt, ProfileOpt, friendly, run_stage
from repro.tasks import INTERMEDIATE_TASKS, Task
from repro.tasks.alternatives import TRANSLATIONS
from repro.studies.multilingual.arms import Arm, run_id


def _keyed(examples: list[dict]) -> dict:
    """Examples by their alignment key: the id where they have one (SQuAD's), else their position (MNLI's)."""
    return {e["id"]: e for e in examples} if examples and "id" in examples[0] else dict(enumerate(examples))


def _tokens(rows: list[dict], n: int) -> list[int]:
    """Tokens per example of encoded `rows` of `n` examples (QA: the sum over its windows)."""
    counts = [0] * n
    for i, row in enumerate(rows):
        counts[row.get("example_index", i)] += len(row["input_ids"])
    return counts


def _aligned(task: Task, english: dict, translated: dict, lang: str, chosen: list) -> None:
    """Refuse a translation whose rows are not those of the English examples they stand for: position-aligned
    sources (no ids) must have the English split's length and, on every chosen row, its label."""
    if "id" in next(iter(english.values())) or not chosen:
        return
    if len(translated) != len(english) or any(translated[k]["label"] != english[k]["label"] for k in chosen):
        raise UserError(f"{task.id}-A2: the {lang} translation is not row-aligned with the English training data "
                        f"({len(translated)} rows against {len(english)}, or labels differ)")


def permuted(examples: list[dict], seed: int) -> list[dict]:
    """The examples with their labels shuffled among them (one seeded permutation): the null arm's translated
    shares keep their sentences and label counts, not the rule that maps one to the other."""
    import numpy as np

    order = np.random.default_rng(seed).permutation(len(examples))
    return [{**example, "label": examples[i]["label"]} for example, i in zip(examples, order)]


def arm_rows(arm: Arm, task: Task, languages: list[str], budget: str, layout: Layout, tokenizer, hp, labels,
             seed: int, shuffled: bool = False):
    """(training rows, budget per language, English keys per language) of one task under an arm. A1 and A4: the
    English examples; A3: English plus every translation; A2: disjoint shares of one seeded permutation of the
    English examples, English one of them, each other share in its translation (repro/studies/multilingual/
    shares.py; `budget`: examples or tokens; `shuffled`: each translated share's labels `permuted`, the null
    arm). The budget gives each language's examples, rows and tokens."""
    import numpy as np

    from repro import data, kinds
    from repro.stages import common
    from repro.studies.multilingual import shares

    kind = kinds.of(task)

    def encoded(examples: list[dict]) -> tuple[list[dict], dict]:
        rows = kind.encode(tokenizer, examples, hp, labels)
        return rows, {"examples": len(examples), "rows": len(rows), "tokens": sum(len(r["input_ids"]) for r in rows)}

    english = _keyed(common.train_sources(task, "train", layout))
    if arm.arm in ("A1", "A4"):
        rows, count = encoded(list(english.values()))
        return rows, {"en": count}, {}
    source = TRANSLATIONS[task.id][0]
    translated = {lang: _keyed(data.read(layout, source, "train", lang)) for lang in languages}
    if arm.arm == "A3":
        parts = {lang: encoded(list(pool.values())) for lang, pool in {"en": english, **translated}.items()}
        return [r for rows, _ in parts.values() for r in rows], {lang: c for lang, (_, c) in parts.items()}, {}
    keys = list(english)
    order = [keys[i] for i in np.random.default_rng(seed).permutation(len(keys))]
    where = f"{arm.id} ({task.id})"
    if budget == "tokens":
        pools = {"en": english, **translated}
        tokens = {}
        for lang, pool in pools.items():
            present = [k for k in keys if k in pool]
            tokens[lang] = dict(zip(present, _tokens(kind.encode(tokenizer, [pool[k] for k in present], hp, labels),
                                                     len(present))))
        chosen = shares.tokens_budget(order, tokens, where)
    else:
        chosen = shares.examples_budget(order, {lang: set(pool) for lang, pool in translated.items()}, where)
    rows, counts = [], {}
    for lang, picked in chosen.items():
        pool = english if lang == "en" else translated[lang]
        examples = [pool[k] for k in picked]
        if lang != "en":
            _aligned(task, english, pool, lang, picked)
            examples = permuted(examples, seed + languages.index(lang) + 1) if shuffled else examples
        part, counts[lang] = encoded(examples)
        rows += part
    return rows, counts, chosen


def mlm_texts(arm: Arm, languages: list[str], layout: Layout) -> list[str]:
    """A4's multilingual MLM text: every line of `multilingual_text` in the arm's languages."""
    from repro import data
    from repro.studies.multilingual.arms import arm_sources

    return [e["text"] for source, lang in arm_sources(arm, {t: languages for t in arm.tasks})
            for e in data.read(layout, source, "train", lang)]


def run(profile: Profile, layout: Layout, arm_id: str, seed: str | int) -> Path:
    import numpy as np

    from repro import models
    from repro.engine.multitask import MultiTaskModel, multitask_schedule, steps_per_epoch
    from repro.engine.setup import TrainSetup
    from repro.engine.trainer import finetune
    from repro.engine.trainer_log import training_counts
    from repro.engine.with_mlm import train_with_mlm
    from repro.io import atomic_dir, atomic_json
    from repro.stages import common

    seed, arm, ml = int(seed), arm_of(profile, arm_id), settings(profile)
    profile = profile.model_copy(update={"seed": seed})
    layout, name = study_layout(layout), run_id(arm_id, seed)
    encoder = common.require(layout.pretrained, "pretrained model", f"repro pretrain --profile {profile.name}")
    family = models.of(profile.model)
    tokenizer = family.tokenizer(encoder)
    heads, rows, scorers, budget, chosen = {}, {}, {}, {}, {}
    by_task = ml.arm_languages(arm)
    kept = ml.language_sets[arm.set].budget if arm.set else "examples"
    shuffled = bool(arm.set) and ml.language_sets[arm.set].labels == "permuted"
    for task in (INTERMEDIATE_TASKS[t] for t in arm.tasks):
        hp = profile.intermediate.for_task(task.id)
        labels = common.labels_of(task, layout)
        heads[task.id] = common.fresh_head(profile, task, encoder, labels)
        rows[task.id], budget[task.id], chosen[task.id] = arm_rows(arm, task, by_task[task.id], kept, layout,
                                                                   tokenizer, hp, labels, seed, shuffled)
        scorers[task.id] = common.scorer(task, tokenizer, layout, hp, labels)
    workdir, description = layout.checkpoints(f"intermediate-{name}"), f"multilingual {name}"
    languages = sorted({lang for langs in by_task.values() for lang in langs})
    with training_counts() as counts:
        if len(heads) == 1:
            (task_id, head), = heads.items()
            task, hp = INTERMEDIATE_TASKS[task_id], profile.intermediate.for_task(task_id)
            if arm.arm == "A4":  # within A1's optimizer steps (the HF Trainer's count): MLM batches take some
                per_epoch = max(math.ceil(len(rows[task_id]) / hp.batch_size) // hp.grad_accum, 1)
                a1_steps = math.ceil(hp.epochs * per_epoch)
                head = train_with_mlm(profile, layout, task, head, rows[task_id], hp, tokenizer, workdir,
                                      description, texts=mlm_texts(arm, languages, layout), steps=a1_steps)
            else:
                head = finetune(head, rows[task_id], TrainSetup(
                    hp, scorer=scorers[task_id], workdir=workdir, seed=seed, pad_id=tokenizer.pad_token_id,
                    description=description, engine=profile.engine))
            body, english_dev = family.body(head), scorers[task_id](head)
        else:  # the mix: one head per task, one sampled task per optimizer step (repro.stages.multitask)
            hp, mix = profile.intermediate.defaults, profile.intermediate.multitask
            model = MultiTaskModel(heads, share=family.share_body)
            schedule = multitask_schedule(rows, hp.batch_size, hp.grad_accum, hp.epochs, mix.sampling,
                                          mix.temperature, mix.examples_cap, seed, tokenizer.pad_token_id)

            def mean_over_tasks(multi: MultiTaskModel) -> float:
                return float(np.mean([scorers[t](multi.heads[t]) for t in scorers]))

            per_epoch = steps_per_epoch(rows, hp.batch_size, hp.grad_accum, mix.examples_cap)
            spanned = hp.model_copy(update={"epochs": 1,
                                            "eval_every": per_epoch if hp.eval_every is None else hp.eval_every})
            model = finetune(model, schedule, TrainSetup(
                spanned, scorer=mean_over_tasks, workdir=workdir, seed=seed, pad_id=tokenizer.pad_token_id,
                description=description, prebatched=True, engine=profile.engine))
            body, english_dev = model.encoder, mean_over_tasks(model)
    record = {"arm": arm_id, "task": arm.task, "seed": seed, "languages": languages, "english_dev": english_dev,
              "labels": {t: list(common.labels_of(INTERMEDIATE_TASKS[t], layout)) for t in arm.tasks},
              "budget": {"match": kept if arm.arm == "A2" else None,
                         "translated_labels": "permuted" if shuffled else "kept",
                         **{field: {t: sum(c[field] for c in by_lang.values()) for t, by_lang in budget.items()}
                            for field in ("examples", "rows", "tokens")},
                         "by_language": budget, **counts}}
    if len(heads) > 1 or arm.arm == "A4":  # a sampled schedule: the Trainer counts its pre-collated batches
        record["budget"]["note"] = "trainer_examples counts the schedule's batches (one task's per optimizer step)"
    out = layout.encoder(name)
    with atomic_dir(out) as tmp:
        body.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        atomic_json(tmp / "intermediate.json", record)
        if any(chosen.values()):  # which English examples each language's share holds (their ids or positions)
            atomic_json(tmp / "shares.json", chosen)
    return out


@friendly
def command(arm: Annotated[str, typer.Option("--arm", help="a trained arm: <task>-<A1|A2|A3|A4>")],
            seed: Annotated[int, typer.Option("--seed", help="one of the study's seeds")],
            params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """The multilingual study: one seed's intermediate run of one arm; saves the encoder and its budget.

    Example: [bold]repro ml-intermediate --profile smoke --arm mnli-A2 --seed 1[/]
    """
    def check(config) -> None:
        if seed not in settings(config).seeds:
            raise UserError(f"--seed {seed}: not among profiles.{profile}.multilingual.seeds {settings(config).seeds}")

    run_stage(params, profile, f"multilingual {run_id(arm, seed)}", run, arm, seed,
              done=lambda out: f"encoder -> {out}", check=check)


if __name__ == "__main__":
    typer.run(command)
