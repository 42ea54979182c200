"""The study's data: sources (`sources`), materializing them (`materialize`: the Hub, release files through
`loaders`, or the smoke world), gold labels (`gold`); and reading a materialized split back, here.

Stages read only through `read` and `eval_split`: canonical examples (the source's `to_example`) of
`prepared/<profile>/<dataset>/<split>.parquet`.
"""

from __future__ import annotations

from pathlib import Path

from repro.data.sources import SOURCES, dataset_key
from repro.errors import UserError
from repro.paths import Layout

EVAL_SPLITS = ("validation", "test")  # evaluate on dev; test only where a language has no dev (e.g. UD kk)


def read(layout: Layout, source: str, split: str, lang: str | None = None) -> list[dict]:
    """Canonical examples (the source's `to_example`) of one materialized split."""
    return read_file(_existing(layout, dataset_key(source, lang), split), source)


def read_rows(layout: Layout, key: str, split: str):
    """The rows of a materialized split as stored (datasets that are no source, such as the smoke MLM corpus)."""
    return _table(_existing(layout, key, split))


def read_file(path: Path, source: str) -> list[dict]:
    entry = SOURCES[source]
    return [entry.to_example(row) for row in _table(path) if entry.drop is None or not entry.drop(row)]


def _existing(layout: Layout, key: str, split: str) -> Path:
    path = layout.dataset(key, split)
    if not path.is_file():
        raise UserError(f"{path}: missing; run `repro data --profile {layout.profile}` first")
    return path


def _table(path: Path):
    """The one place a materialized split is read back: a truncated or corrupt file is refused in one line."""
    import datasets

    datasets.disable_progress_bars()
    profile = path.parents[1].name  # prepared/<profile>/<dataset>/<split>.parquet
    return read_parquet(path, f"regenerate it with `repro data --profile {profile}` (or `dvc checkout` / `dvc pull` "
                              f"of the data stage)")


def read_parquet(path: Path, remedy: str):
    """A parquet file as a `datasets.Dataset`, or one line naming the file if it is truncated or corrupt (instead of
    Arrow's traceback), with `remedy`: how to get a good copy."""
    import datasets
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pq.read_metadata(path)  # the footer: a file cut short, or no parquet at all, fails here cheaply
        return datasets.Dataset.from_parquet(str(path), keep_in_memory=True)
    except (pa.ArrowException, OSError, datasets.exceptions.DatasetGenerationError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(f"{path}: damaged parquet file ({reason[:120]}); {remedy}") from None


def eval_split(layout: Layout, source: str, lang: str) -> str:
    """The split a language is evaluated on: dev, or test where the task has no dev for it."""
    for split in EVAL_SPLITS:
        if layout.dataset(dataset_key(source, lang), split).is_file():
            return split
    raise UserError(f"{layout.data / dataset_key(source, lang)}: no dev or test split; run `repro data`")
