"""Loading a source from the Hugging Face Hub at a pinned revision, checked against its schema."""

from __future__ import annotations

from pathlib import Path

from repro.data.sources import SOURCES
from repro.errors import UserError


def load_hub(source: str, hub_id: str, revision: str, split: str, lang: str | None, max_rows: int | None = None):
    """Load one split from the Hub at a pinned revision and check it against the registry's schema.

    Returns (dataset, provenance), or (None, {}) when the Hub has no such split for this language
    (XTREME's test-only UD languages). Works the same on a local directory laid out like a Hub repo.
    With `max_rows`, only the first rows are read, streamed (a Wikipedia is not downloaded whole).
    """
    import datasets
    from huggingface_hub.errors import LocalEntryNotFoundError

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
    except (ConnectionError, LocalEntryNotFoundError) as exc:  # offline (or no network) and not in the local cache
        raise UserError(f"{hub_id}{f' {config}' if config else ''} (source {source}, revision {revision}): not in "
                        f"the local Hugging Face cache and the Hub cannot be reached ({type(exc).__name__}); "
                        f"run `repro data` once with network access (HF_HUB_OFFLINE=0), set "
                        f"data.sources.{source}.path to a local copy, or `dvc pull` the data stage") from None
    if entry.row_filter is not None:
        dataset = dataset.filter(lambda row: entry.row_filter(row, lang))
    missing = [c for c in entry.features if c not in dataset.column_names]
    if missing:
        raise UserError(f"{hub_id} {config or ''} {split}: schema changed, missing columns {', '.join(missing)}")
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
