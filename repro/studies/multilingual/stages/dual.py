"""Stage `ml_dual`: the multilingual study's dual-encoder targets (XTREME-R's Mewsli-X and LAReQA) for one seed's
run of an arm (`mnli-A2-1`, the baseline `none-A0-1`): a dual encoder on the run's encoder (repro.models.dual),
fine-tuned with the run's seed on the target's English pairs by the HF Trainer (in-batch negatives; checkpoints
selected on English dev: each dev query against the dev pairs' candidates, mAP@20), then every language's queries
ranked over the target's multilingual pool (repro.kinds.dual_encoder). Rankings in the XTREME-R submission layout
(`<task>/test-<lang>.json`, the top 20 ids), scored by the xtreme-r scorer, under
results/<profile>/multilingual/stages/<run>/<target>.json."""

from __future__ import annotations

from pathlib import Path

import typer

from repro.params import Profile
from repro.paths import Layout
from repro.studies.multilingual.stages.target import RunOpt, keep, run_target, started
from repro.stages.options import ParamsOpt, ProfileOpt, TargetOpt, friendly
from repro.tasks import Task


def english_dev(task: Task, tokenizer, layout: Layout, hp):
    """The selection scorer: the English dev pairs' queries ranked over their distinct candidates, mAP@20 (0-100;
    XTREME's --evaluate_during_training scores the dev pairs too)."""
    from repro import metrics
    from repro.kinds import dual_encoder as kind
    from repro.stages import common

    pairs = kind.training_pairs(common.train_sources(task, "validation", layout))[:hp.eval_subset or None]
    candidates = list(dict.fromkeys(p["candidate_id"] for p in pairs))
    texts = {p["candidate_id"]: p["candidate"] for p in pairs}
    gold = {str(i): [p["candidate_id"]] for i, p in enumerate(pairs)}

    def value(model) -> float:
        queries = model.embed(tokenizer, [p["query"] for p in pairs], hp.max_query_length)
        pool = model.embed(tokenizer, [texts[c] for c in candidates], hp.max_length)
        ranked = kind.rankings(list(gold), kind.rank(queries, pool), candidates)
        return 100.0 * metrics.mean_average_precision_at_k(ranked, gold)
    return value


def train(profile: Profile, layout: Layout, run: str, task: Task, encoder: Path, tokenizer, seed: int):
    """(the fine-tuned dual encoder, its English-dev mAP@20, the pairs' count and what the Trainer logged)."""
    from repro.engine.setup import TrainSetup
    from repro.engine.trainer import finetune
    from repro.engine.trainer_log import training_counts
    from repro.kinds import dual_encoder as kind
    from repro.models.dual import DualEncoder
    from repro.stages import common

    hp = profile.target.for_task(task.id)
    rows = kind.encode(tokenizer, kind.training_pairs(common.train_sources(task, "train", layout)), hp)
    scorer = english_dev(task, tokenizer, layout, hp)
    pad_id = tokenizer.pad_token_id
    # the negatives are the micro-batch's: it stays the phase's batch_size (XTREME's per-GPU batch, accumulated
    # grad_accum times), in random order as XTREME's RandomSampler (length grouping would make them look alike)
    engine = profile.engine.model_copy(update={"group_by_length": False, "micro_batch": None})
    with training_counts() as budget:
        model = finetune(DualEncoder.from_encoder(encoder, seed), rows, TrainSetup(
            hp, scorer=scorer, seed=seed, workdir=layout.checkpoints(f"target-{run}-{task.id}"), pad_id=pad_id,
            engine=engine, collator=lambda batch: kind.collate(batch, pad_id),
            description=f"multilingual {run} -> {task.id} (dual encoder)"))
    return model, scorer(model), {"rows": len(rows), **budget}


def evaluate(profile: Profile, layout: Layout, run: str, task: Task, model, tokenizer) -> tuple[list, dict]:
    """Every language's queries ranked over the pool: (result rows, splits); rankings written as the XTREME-R
    submission layout's `<task>/test-<lang>.json`."""
    from repro import data, suites
    from repro.data.sources import SOURCES
    from repro.kinds import dual_encoder as kind
    from repro.suites import submission

    hp = profile.target.for_task(task.id)
    langs = profile.languages[task.id]
    splits = {lang: data.eval_split(layout, task.evaluate, lang) for lang in langs}
    examples = {lang: data.read(layout, task.evaluate, splits[lang], lang) for lang in langs}
    candidates = None
    if task.candidates:
        candidates = data.read(layout, task.candidates, next(iter(SOURCES[task.candidates].splits)))
    pool = kind.pool(task, examples, candidates)
    vectors = model.embed(tokenizer, pool.candidate_texts, hp.max_length)
    results = []
    for lang in langs:
        ids, texts = pool.queries[lang]
        ranked = kind.rankings(ids, kind.rank(model.embed(tokenizer, texts, hp.max_query_length), vectors),
                               pool.candidate_ids)
        submission.write_predictions(layout.predictions(run), task.id, lang, ranked,
                                     suites.listing(task.suite, task.id, lang))
        results += [{"language": lang, "metric": metric, "value": value}
                    for metric, value in kind.score(task, ranked, pool.gold[lang], lang).items()]
    return results, splits


def run(profile: Profile, layout: Layout, run: str, target_id: str) -> dict:
    from repro.io import atomic_json
    from repro.stages import common

    profile, layout, task, encoder, seed, tokenizer = started(profile, layout, run, target_id, "dual_encoder_targets")
    model, dev, budget = train(profile, layout, run, task, encoder, tokenizer, seed)
    keep(layout, run, target_id, model.save, tokenizer)
    results, splits = evaluate(profile, layout, run, task, model, tokenizer)
    payload = common.stage_result(layout, run, task.id, results, splits, dev)
    payload = {**payload, "seed": seed, "budget": budget,
               "protocol": "XTREME-R's dual encoder: in-batch negatives on English pairs, mAP@20 over a "
                           "multilingual candidate pool (repro.kinds.dual_encoder)"}
    atomic_json(layout.stage_metrics(run, target_id), payload)
    return payload


@friendly
def command(run_name: RunOpt, target_id: TargetOpt, params: ParamsOpt = Path("params.yaml"),
            profile: ProfileOpt = "paper") -> None:
    """The multilingual study: a dual encoder fine-tuned from one seed's run of an arm (Mewsli-X, LAReQA).

    Example: [bold]repro ml-dual --profile smoke --run mnli-A2-1 --target mewslix[/]
    """
    run_target(params, profile, f"multilingual {run_name} -> {target_id} (dual encoder)", run, run_name, target_id)


if __name__ == "__main__":
    typer.run(command)
