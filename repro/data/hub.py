"""Loading a source at its pinned commit (repro/data/manifest.yaml), checked against the registry's schema."""

from __future__ import annotations

from repro.data.sources import SOURCES
from repro.errors import UserError


def load_hub(source: str, split: str, lang: str | None, hub: str | None = None, revision: str | None = None,
             max_rows: int | None = None):
    """Load one split of `source` from the files its manifest entry names at its commit, and check it against the
    registry's schema. `hub` and `revision` (params) must agree with the manifest where given.

    Returns (dataset, provenance), or (None, {}) when the Hub has no such split for this language
    (XTREME's test-only UD languages). With `max_rows`, only the first rows are read.
    """
    from repro.data.manifest import language_pins, pin as pinned
    from repro.data.pinned import read_split

    if parts := language_pins(source, lang):
        return _load_parts(source, parts, split, lang)
    entry, found = SOURCES[source], pinned(source, hub, revision)
    dataset = read_split(found, split, lang, max_rows)
    if dataset is None:
        return None, {}
    if entry.row_filter is not None:
        dataset = dataset.filter(lambda row: entry.row_filter(row, lang))
    missing = [c for c in entry.features if c not in dataset.column_names]
    name = f"{found.repo.name}@{found.repo.sha[:12]} {', '.join(found.patterns(split, lang))}"
    if missing:
        raise UserError(f"{name}: schema changed, missing columns {', '.join(missing)}")
    dataset = dataset.select_columns(list(entry.features)).cast(entry.features)
    return dataset, {"origin": found.repo.host, "hub": found.repo.name, "config": entry.config_for(lang),
                     "revision": found.repo.sha, "sha": found.repo.sha, "files": found.patterns(split, lang)}


def _load_parts(source: str, parts, split: str, lang: str):
    """One language of `source` from its release files (`language_pins`): every repository's file of the split,
    in the manifest's order, concatenated (XTREME-R's UD v2.7 languages: every treebank of the language); (None, {})
    where none has the split."""
    import datasets

    from repro.data.pinned import read_split

    having = [part for part in parts if split in part.files]
    if not having:
        return None, {}
    entry = SOURCES[source]
    tables = [read_split(part, split, lang, None) for part in having]
    dataset = datasets.concatenate_datasets(tables) if len(tables) > 1 else tables[0]
    missing = [c for c in entry.features if c not in dataset.column_names]
    if missing:
        raise UserError(f"{source}@{lang} {split}: the release files lack columns {', '.join(missing)}")
    dataset = dataset.select_columns(list(entry.features)).cast(entry.features)
    return dataset, {"origin": having[0].repo.host, "releases": [f"{p.repo.name}@{p.repo.sha}" for p in having],
                     "files": [f for p in having for f in p.patterns(split, lang)]}
