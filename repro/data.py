"""The data stage: materialize every dataset a profile needs as parquet in the Hub schema, then read it back.

Three ways in, one way out (`data/<profile>/<dataset>/<split>.parquet` + `manifest.json`):
- hub:   `datasets.load_dataset(hub_id, config, revision=...)` at the pinned revision (no loading scripts),
- local: a user's copy in the original release format (`repro.loaders`), e.g. CCGbank or an XTREME download,
- smoke: the embedded world (`repro.smoke_world`), generated in exactly the Hub schema.
Everything is written to a temporary directory and moved into place at the end, so an interrupted run
never leaves a half-written data directory behind.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from repro.params import Profile
from repro.paths import Layout
from repro.progress import console, progress
from repro.registry import (INTERMEDIATE_TASKS, MLM_LANGUAGES_OF, MLM_TEXT, SOURCES, TARGET_TASKS, TRANSLATIONS,
                            Alternative, dataset_key)

EVAL_SPLITS = ("validation", "test")  # evaluate on dev; test only where a language has no dev (e.g. UD kk)
CCG_ENV = "CCGBANK_PATH"
# Sources with no Hub copy: read from a user's path, skipped (with their stages) when it is not set.
LOCAL_ONLY = {
    "ccg": f"CCGbank is LDC-licensed; set data.sources.ccg.path or ${CCG_ENV}",
    "squad_v1_translated": "XTREME's translate-train SQuAD has no Hub copy; set data.sources.squad_v1_translated.path",
}
FINGERPRINT = "params.fingerprint"


def fingerprint(profile: Profile) -> str:
    """A hash of everything the data stage reads from params (sources, sizes, languages, seed)."""
    import hashlib

    blob = json.dumps({"data": profile.data.model_dump(mode="json"), "languages": profile.languages,
                       "seed": profile.seed, "ccg": ccg_path(profile),
                       "alternatives": profile.study.alternatives.encoders if profile.study else []}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def is_current(profile: Profile, layout: Layout) -> bool:
    """Whether data/<profile> was materialized from the current params."""
    stamp = layout.data / FINGERPRINT
    return layout.manifest.is_file() and stamp.is_file() and stamp.read_text().strip() == fingerprint(profile)


def needed(profile: Profile) -> list[tuple[str, str | None, tuple[str, ...]]]:
    """(source, language, splits) for every dataset the profile's stages read."""
    wanted: dict[tuple[str, str | None], tuple[str, ...]] = {}
    for task in INTERMEDIATE_TASKS.values():
        for source in task.train:
            wanted[(source, None)] = ("train", "validation")
    for task in TARGET_TASKS.values():
        for source in task.train:
            lang = "en" if SOURCES[source].per_language else None
            wanted[(source, lang)] = ("train", "validation")
        if task.evaluate:
            for lang in profile.languages[task.id]:
                splits = tuple(s for s in EVAL_SPLITS if s in SOURCES[task.evaluate].splits)
                wanted.setdefault((task.evaluate, lang), splits)
    for source, lang in alternative_sources(profile):
        wanted[(source, lang)] = ("train",)
    return [(source, lang, splits) for (source, lang), splits in wanted.items()]


def alternative_sources(profile: Profile, encoder: str | None = None) -> list[tuple[str, str]]:
    """(source, language) of the extra training data of the study's alternatives (or of one of them)."""
    wanted = []
    for alternative in map(Alternative.parse, [encoder] if encoder else profile.study.alternatives.encoders):
        if alternative.variant == "translated":
            source, target = TRANSLATIONS[alternative.task]
            wanted += [(source, lang) for lang in profile.languages[target] if lang != "en"]
        else:
            wanted += [(MLM_TEXT, lang) for lang in mlm_languages(profile)]
    return list(dict.fromkeys(wanted))


def mlm_languages(profile: Profile) -> list[str]:
    """The languages of the multilingual MLM text: the non-English languages of MLM_LANGUAGES_OF's targets."""
    return list(dict.fromkeys(lang for t in MLM_LANGUAGES_OF for lang in profile.languages[t] if lang != "en"))


def ccg_path(profile: Profile) -> str | None:
    """CCGbank's location: params `data.sources.ccg.path`, else $CCGBANK_PATH, else None (CCG is skipped)."""
    spec = profile.data.sources.get("ccg")
    return (spec.path if spec and spec.path else None) or os.environ.get(CCG_ENV) or None


def materialize(profile: Profile, layout: Layout) -> dict:
    """Write every needed dataset under layout.data atomically; returns the manifest."""
    import datasets

    datasets.disable_progress_bars()
    plan = needed(profile)
    if profile.data.kind == "hub":
        _check_sources(profile, plan)
    layout.data.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{profile.name}-", dir=layout.data.parent))
    try:
        manifest = (_from_smoke if profile.data.kind == "smoke" else _from_sources)(profile, plan, staging)
        _count_examples(manifest, staging)
        _write_gold(profile, staging)
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
        (staging / FINGERPRINT).write_text(fingerprint(profile) + "\n")
        if layout.data.exists():
            old = layout.data.with_name(f".{profile.name}-old")
            shutil.rmtree(old, ignore_errors=True)
            layout.data.rename(old)
            staging.rename(layout.data)
            shutil.rmtree(old)
        else:
            staging.rename(layout.data)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _count_examples(manifest: dict, staging: Path) -> None:
    """Record, beside the rows as shipped, how many examples are read where some are dropped (SNLI's -1)."""
    for source, entry in SOURCES.items():
        if entry.drop is None or source not in manifest:
            continue
        for split, info in manifest[source].items():
            info["examples"] = len(_read_file(staging / source / f"{split}.parquet", source))


def _write_gold(profile: Profile, staging: Path) -> None:
    """Gold labels of every evaluated split, in the XTREME layout, under the (staged) data directory."""
    from repro import gold

    for task_id, task in TARGET_TASKS.items():
        for lang in profile.languages[task_id]:
            key = dataset_key(task.evaluate, lang)
            split = next((s for s in EVAL_SPLITS if (staging / key / f"{s}.parquet").is_file()), None)
            if split is None:
                continue
            examples = _read_file(staging / key / f"{split}.parquet", task.evaluate)
            gold.write(staging / "labels", task_id, lang, examples)


def _check_sources(profile: Profile, plan) -> None:
    """Refuse, before any download, a hub profile that lacks a source (local-only ones may be absent)."""
    for source, _, _ in plan:
        spec = profile.data.sources.get(source)
        if source in LOCAL_ONLY:
            continue
        if spec is None or not (spec.path or (spec.hub and spec.revision)):
            raise ValueError(f"data.sources.{source}: needs `hub` and `revision`, or a local `path`")


def _write(dataset, path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    dataset.to_parquet(str(path))
    return len(dataset)


def _from_smoke(profile: Profile, plan, staging: Path) -> dict:
    from repro import loaders, smoke

    sizes = profile.data.smoke
    counts = smoke.write_smoke_world(staging, profile.languages, n_train=sizes.n_train,
                                     n_eval=sizes.n_eval, n_corpus=sizes.n_corpus, seed=profile.seed)
    manifest = {key: {split: {"rows": n, "origin": "smoke"} for split, n in splits.items()}
                for key, splits in counts.items()}
    # CCG arrives, as in real life, in the CCGbank release format and goes through the release loader.
    ccg_root = staging / "ccgbank"
    manifest["ccg"] = {}
    for split in SOURCES["ccg"].splits:
        n = _write(loaders.load_release("ccg", ccg_root, split), staging / "ccg" / f"{split}.parquet")
        manifest["ccg"][split] = {"rows": n, "origin": "smoke (CCGbank AUTO format)"}
    shutil.rmtree(ccg_root)
    missing = [dataset_key(s, lang) for s, lang, _ in plan if not (staging / dataset_key(s, lang)).is_dir()]
    if missing:
        raise RuntimeError(f"smoke world did not write {', '.join(missing)}")
    return manifest


def _from_sources(profile: Profile, plan, staging: Path) -> dict:
    manifest: dict = {}
    skipped: set[str] = set()
    bar = progress().add_task("data", total=len(plan))
    for source, lang, splits in plan:
        key = dataset_key(source, lang)
        spec = profile.data.sources.get(source)
        path = ccg_path(profile) if source == "ccg" else (spec.path if spec else None)
        if source in LOCAL_ONLY and path is None:
            if source not in skipped:
                console.print(f"[yellow]skip[/] {source}: {LOCAL_ONLY[source]}")
                skipped.add(source)
            progress().advance(bar)
            continue
        manifest[key] = {}
        for split in splits:
            if path:
                dataset, origin = _load_local(source, Path(path), split, lang), {"origin": "local", "path": path}
            else:
                dataset, origin = load_hub(source, spec.hub, spec.revision, split, lang, spec.max_rows)
            if dataset is None:
                continue
            manifest[key][split] = {"rows": _write(dataset, staging / key / f"{split}.parquet"), **origin}
        progress().advance(bar)
    progress().remove_task(bar)
    return manifest


def _load_local(source: str, path: Path, split: str, lang: str | None):
    from repro import loaders

    return loaders.load_release(source, path, split, lang)


def load_hub(source: str, hub_id: str, revision: str, split: str, lang: str | None, max_rows: int | None = None):
    """Load one split from the Hub at a pinned revision and check it against the registry's schema.

    Returns (dataset, provenance), or (None, {}) when the Hub has no such split for this language
    (XTREME's test-only UD languages). Works the same on a local directory laid out like a Hub repo.
    With `max_rows`, only the first rows are read, streamed (a Wikipedia is not downloaded whole).
    """
    import datasets

    entry = SOURCES[source]
    config = entry.config_for(lang)
    try:
        if max_rows:
            stream = datasets.load_dataset(hub_id, config, revision=revision, split=entry.splits[split],
                                           streaming=True)
            dataset = datasets.Dataset.from_list(list(stream.take(max_rows)))
        else:
            dataset = datasets.load_dataset(hub_id, config, revision=revision, split=entry.splits[split])
    except ValueError as exc:  # datasets raises ValueError for an unknown split
        if "split" in str(exc).lower() and split != "train":
            return None, {}
        raise
    if entry.row_filter is not None:
        dataset = dataset.filter(lambda row: entry.row_filter(row, lang))
    missing = [c for c in entry.features if c not in dataset.column_names]
    if missing:
        raise ValueError(f"{hub_id} {config or ''} {split}: schema changed, missing columns {', '.join(missing)}")
    dataset = dataset.select_columns(list(entry.features)).cast(entry.features)
    return dataset, {"origin": "hub", "hub": hub_id, "config": config, "revision": revision,
                     "sha": _resolve_sha(hub_id, revision)}


def _resolve_sha(hub_id: str, revision: str) -> str | None:
    """The commit a branch or ref pointed at when downloaded (None for a local directory or offline)."""
    if Path(hub_id).exists():
        return None
    try:
        from huggingface_hub import HfApi

        return HfApi().dataset_info(hub_id, revision=revision).sha
    except Exception:  # provenance is best effort; the download itself already succeeded
        return None


def read(layout: Layout, source: str, split: str, lang: str | None = None) -> list[dict]:
    """Canonical examples (registry `to_example`) of one materialized split."""
    path = layout.dataset(dataset_key(source, lang), split)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: missing; run `repro data --profile {layout.profile}` first")
    return _read_file(path, source)


def _read_file(path: Path, source: str) -> list[dict]:
    import datasets

    datasets.disable_progress_bars()
    table = datasets.Dataset.from_parquet(str(path), keep_in_memory=True)
    entry = SOURCES[source]
    return [entry.to_example(row) for row in table if entry.drop is None or not entry.drop(row)]


def eval_split(layout: Layout, source: str, lang: str) -> str:
    """The split a language is evaluated on: dev, or test where the task has no dev for it."""
    for split in EVAL_SPLITS:
        if layout.dataset(dataset_key(source, lang), split).is_file():
            return split
    raise FileNotFoundError(f"{layout.data / dataset_key(source, lang)}: no dev or test split; run `repro data`")
