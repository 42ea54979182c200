"""Materialize every dataset a study of a profile reads as parquet in the Hub schema (the work of the `data` stage
and of a study's own data stage, `repro.studies.shared_data`).

Three ways in, one way out (`prepared/<profile>/<dataset>/<split>.parquet` + `manifest.json` + gold labels):
- hub:   the files repro/data/manifest.yaml names at their pinned commit, as `repro fetch` left them under data/
         (`repro.data.pinned`: Hub parquet files or release files; no loading script, no config name, no conversion
         branch),
- local: a user's copy in the original release format (`repro.data.loaders`), e.g. CCGbank, BUCC 2018 (whose Hub
         copy lacks the distractors and is refused) or an XTREME download,
- smoke: the embedded world (`repro.smoke`), generated in exactly the Hub schema (CCGbank and BUCC in their release
         formats, read through the same loaders).
Everything is written to a temporary directory and moved into place at the end, so an interrupted run
never leaves a half-written data directory behind.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from repro.data import EVAL_SPLITS, read_file
from repro.data.sources import SOURCES, dataset_key
from repro.errors import UserError
from repro.io import atomic_dir
from repro.params import LOCAL_ONLY, RELEASE_ONLY, Profile
from repro.paths import Layout
from repro.progress import progress
from repro.tasks import INTERMEDIATE_TASKS, TARGET_TASKS
from repro.studies.shared_data import Additions, evaluated_languages, planned_for, world_languages
from repro.tasks.alternatives import extra_sources


def _can_provide(profile: Profile, source: str) -> bool:
    """Whether the profile's sources have `source`: a local-only one needs its path. A study that reads one
    refuses to start without it (its `planned`), so the data of the paper's study never waits for it."""
    spec = profile.data.sources.get(source)
    return profile.data.origin == "smoke" or source not in LOCAL_ONLY or bool(spec and spec.path)


Planned = tuple[bool, list[Additions]]  # (the paper's own lists?, a study's additions): shared_data.planned_for


def needed(profile: Profile, study: str | None = None,
           planned: Planned | None = None) -> list[tuple[str, str | None, tuple[str, ...]]]:
    """(source, language, splits) for every dataset one study reads (`study` None: the paper's, the profile's own
    study lists; `planned`: given by the study's own data stage): a study never requires a source only another
    study reads (the paper's needs no SIQA or XCOPA, the multilingual study's no CCGbank)."""
    own, additions = planned or planned_for(profile, study)
    wanted: dict[tuple[str, str | None], tuple[str, ...]] = {}
    targets = list(profile.study.targets) if own else []
    if own:
        for task in map(INTERMEDIATE_TASKS.get, profile.study.intermediate_tasks):
            for source in task.train:
                wanted[(source, None)] = ("train", "validation")
    targets += [target for extra in additions for target in extra.targets]
    _targets(profile, list(dict.fromkeys(targets)), wanted, evaluated_languages(profile, additions))
    if own:
        for encoder in profile.study.alternatives:
            for source, lang in extra_sources(encoder, profile.languages):
                wanted[(source, lang)] = ("train",)
    for extra in additions:  # other studies' training data (translations, MLM text, text-to-text casts)
        wanted.update((key, splits) for key, splits in extra.sources.items() if _can_provide(profile, key[0]))
    return [(source, lang, splits) for (source, lang), splits in wanted.items()]


def _targets(profile: Profile, targets: list[str], wanted: dict, languages: dict[str, list[str]]) -> None:
    for task in map(TARGET_TASKS.get, targets):
        if not all(_can_provide(profile, s) for s in (*task.train_before, *task.train, task.evaluate, task.candidates)
                   if s):
            continue  # a local-only source without its path: the study that reads it refuses to start without it
        for source in task.train_before + task.train:
            lang = "en" if SOURCES[source].per_language else None
            wanted[(source, lang)] = ("train", "validation")
        if task.candidates:
            wanted[(task.candidates, None)] = tuple(SOURCES[task.candidates].splits)
        if task.evaluate:
            for lang in languages[task.id]:
                splits = tuple(s for s in EVAL_SPLITS if s in SOURCES[task.evaluate].splits)
                wanted.setdefault((task.evaluate, lang), splits)


def materialize(profile: Profile, layout: Layout, study: str | None = None, planned: Planned | None = None) -> dict:
    """Write every dataset of one study (None: the paper's; `planned`: as `needed`) under layout.data atomically;
    returns the manifest."""
    import datasets

    datasets.disable_progress_bars()
    planned = planned or planned_for(profile, study)
    plan = needed(profile, planned=planned)
    if profile.data.origin == "hub":
        check_sources(profile, plan)
    with atomic_dir(layout.data) as staging:
        manifest = (_from_smoke if profile.data.origin == "smoke" else _from_sources)(profile, plan, staging)
        _count_examples(manifest, staging)
        _write_gold(profile, staging, evaluated_languages(profile, planned[1]))
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def _count_examples(manifest: dict, staging: Path) -> None:
    """Record, beside the rows as shipped, how many examples are read where some are dropped (SNLI's -1)."""
    for source, entry in SOURCES.items():
        if entry.drop is None or source not in manifest:
            continue
        for split, info in manifest[source].items():
            info["examples"] = len(read_file(staging / source / f"{split}.parquet", source))


def _write_gold(profile: Profile, staging: Path, languages: dict[str, list[str]]) -> None:
    """Gold labels of every evaluated split, in the XTREME layout, under the (staged) data directory."""
    from repro import kinds, suites
    from repro.suites import submission

    for task_id, task in TARGET_TASKS.items():
        examples = {}
        for lang in languages[task_id]:
            key = dataset_key(task.evaluate, lang)
            split = next((s for s in EVAL_SPLITS if (staging / key / f"{s}.parquet").is_file()), None)
            if split is not None:
                examples[lang] = read_file(staging / key / f"{split}.parquet", task.evaluate)
        for lang, gold in kinds.submission_golds(task, examples).items():
            submission.write_labels(staging / "labels", task_id, lang, gold, suites.listing(task.suite, task_id, lang))


def check_sources(profile: Profile, plan) -> None:
    """Refuse, before any download, a hub profile that would read the Hub copy of a release-only source (BUCC's gold
    pairs without their distractors) or a source with no pinned commit in repro/data/manifest.yaml and no local
    path (local-only ones may be absent: params validation names their path)."""
    from repro.data.manifest import language_pins, pin

    sources = [s for s in dict.fromkeys(source for source, _, _ in plan) if s not in LOCAL_ONLY]
    unset = [s for s in sources if not (profile.data.sources.get(s) and profile.data.sources[s].path)]
    for source in (s for s in unset if s in RELEASE_ONLY):
        raise UserError(f"data.sources.{source}.path: unset; {RELEASE_ONLY[source]}")
    for source in unset:
        spec = profile.data.sources.get(source)
        pin(source, spec.hub if spec else None, spec.revision if spec else None)
    for source, lang, _ in plan:  # a language pinned on its own (XTREME-R's additions): its commits too
        if source in unset:
            language_pins(source, lang)


def _write(dataset, path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    dataset.to_parquet(str(path))
    return len(dataset)


def _from_smoke(profile: Profile, plan, staging: Path) -> dict:
    from repro import smoke
    from repro.data import loaders

    sizes = profile.data.smoke
    counts = smoke.write_smoke_world(staging, world_languages(profile), n_train=sizes.n_train,
                                    n_eval=sizes.n_eval, corpus_per_language=sizes.corpus_per_language, seed=profile.seed)
    manifest = {key: {split: {"rows": n, "origin": "smoke"} for split, n in splits.items()}
                for key, splits in counts.items()}
    # CCGbank and BUCC arrive, as in real life, in their release formats and go through the release loaders.
    for key, splits in counts.items():
        source, _, lang = key.partition(".")
        if source not in smoke.RELEASES:
            continue
        for split in splits:
            dataset = loaders.load_release(source, staging / smoke.RELEASES[source], split, lang or None)
            manifest[key][split] = {"rows": _write(dataset, staging / key / f"{split}.parquet"),
                                    "origin": f"smoke ({loaders.RELEASE_FORMATS[source]} release files)"}
    for folder in smoke.RELEASES.values():
        shutil.rmtree(staging / folder, ignore_errors=True)
    missing = [dataset_key(s, lang) for s, lang, _ in plan if not (staging / dataset_key(s, lang)).is_dir()]
    if missing:
        raise RuntimeError(f"smoke world did not write {', '.join(missing)}")
    return manifest


def _from_sources(profile: Profile, plan, staging: Path) -> dict:
    from repro.data.hub import load_hub

    manifest: dict = {}
    bar = progress().add_task("data", total=len(plan))
    for source, lang, splits in plan:
        key = dataset_key(source, lang)
        spec = profile.data.sources.get(source)
        path = spec.path if spec else None
        manifest[key] = {}
        for split in splits:
            if path:
                dataset, origin = _load_local(source, Path(path), split, lang), {"origin": "local", "path": path}
            else:
                dataset, origin = load_hub(source, split, lang, spec and spec.hub, spec and spec.revision,
                                           spec and spec.max_rows)
            if dataset is None:
                continue
            manifest[key][split] = {"rows": _write(dataset, staging / key / f"{split}.parquet"), **origin}
        progress().advance(bar)
    progress().remove_task(bar)
    return manifest


def _load_local(source: str, path: Path, split: str, lang: str | None):
    from repro.data import loaders

    return loaders.load_release(source, path, split, lang)
