"""Stage `ml_intermediate`: one seed's run of one arm of the multilingual study (repro/studies/multilingual/arms.py `Arm`):
the intermediate task(s) on English, on English plus translations at A1's budget (A2) or in full (A3), or with
multilingual MLM batches (A4); saves the encoder under models/<profile>/multilingual/encoders/<arm>-<seed>.

The encoder's `intermediate.json` records the budget: the training rows per language and, read from the
Trainer's own log, the examples it trained on and its optimizer steps (A2's equal A1's).
"""

from __future__ import annotations

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
from repro.studies.multilingual.arms import Arm, run_id, shares


def arm_rows(arm: Arm, task: Task, languages: list[str], layout: Layout, tokenizer, hp, labels, seed: int):
    """(training rows, rows per language) of one task under an arm. A2 splits A1's row count into equal shares,
    English one of them, each language's share a random draw of its encoded translated rows."""
    import numpy as np

    from repro import data, kinds
    from repro.stages import common

    kind = kinds.of(task)
    english = kind.encode(tokenizer, common.train_sources(task, "train", layout), hp, labels)
    if arm.arm in ("A1", "A4"):
        return english, {"en": len(english)}
    source = TRANSLATIONS[task.id][0]
    translated = {lang: kind.encode(tokenizer, data.read(layout, source, "train", lang), hp, labels)
                  for lang in languages}
    if arm.arm == "A3":
        return english + [r for rows in translated.values() for r in rows], \
            {"en": len(english), **{lang: len(rows) for lang, rows in translated.items()}}
    rng, rows, counts = np.random.default_rng(seed), [], {}
    for (lang, pool), n in zip([("en", english), *translated.items()], shares(len(english), 1 + len(languages))):
        if len(pool) < n:
            raise UserError(f"{task.id}-A2: {lang} has {len(pool)} training rows, fewer than its share of {n}")
        rows += [pool[i] for i in sorted(rng.choice(len(pool), n, replace=False))]
        counts[lang] = n
    return rows, counts


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
    heads, rows, scorers, budget = {}, {}, {}, {}
    for task in (INTERMEDIATE_TASKS[t] for t in arm.tasks):
        hp = profile.intermediate.for_task(task.id)
        labels = common.labels_of(task, layout)
        heads[task.id] = common.fresh_head(profile, task, encoder, labels)
        rows[task.id], budget[task.id] = arm_rows(arm, task, ml.languages.get(task.id, []), layout, tokenizer, hp,
                                                  labels, seed)
        scorers[task.id] = common.scorer(task, tokenizer, layout, hp, labels)
    workdir, description = layout.checkpoints(f"intermediate-{name}"), f"multilingual {name}"
    languages = sorted({lang for task in arm.tasks for lang in ml.languages.get(task, [])}) if arm.arm != "A1" else []
    with training_counts() as counts:
        if len(heads) == 1:
            (task_id, head), = heads.items()
            task, hp = INTERMEDIATE_TASKS[task_id], profile.intermediate.for_task(task_id)
            if arm.arm == "A4":
                head = train_with_mlm(profile, layout, task, head, rows[task_id], hp, tokenizer, workdir,
                                      description, texts=mlm_texts(arm, languages, layout))
            else:
                head = finetune(head, rows[task_id], hp, scorer=scorers[task_id], workdir=workdir, seed=seed,
                                pad_id=tokenizer.pad_token_id, description=description, engine=profile.engine)
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
            model = finetune(model, schedule, spanned, scorer=mean_over_tasks, workdir=workdir, seed=seed,
                             pad_id=tokenizer.pad_token_id, description=description, prebatched=True,
                             engine=profile.engine)
            body, english_dev = model.encoder, mean_over_tasks(model)
    record = {"arm": arm_id, "task": arm.task, "seed": seed, "languages": languages, "english_dev": english_dev,
              "labels": {t: list(common.labels_of(INTERMEDIATE_TASKS[t], layout)) for t in arm.tasks},
              "budget": {"rows": {t: sum(by_lang.values()) for t, by_lang in budget.items()},
                         "rows_by_language": budget, **counts}}
    if len(heads) > 1 or arm.arm == "A4":  # a sampled schedule: the Trainer counts its pre-collated batches
        record["budget"]["note"] = "trainer_examples counts the schedule's batches (one task's per optimizer step)"
    out = layout.encoder(name)
    with atomic_dir(out) as tmp:
        body.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        atomic_json(tmp / "intermediate.json", record)
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
