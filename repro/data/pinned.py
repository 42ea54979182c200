"""Reading one split of a pinned source (repro/data/manifest.py): exactly the files the manifest names at its commit,
from the project's raw inputs under data/ (`repro.paths.INPUTS`, tracked by data.dvc), where `repro fetch` put them:

- Hub files: `data/hub/<org>/<name>/<sha>/<file>` (`huggingface_hub.snapshot_download` into that folder, restricted
  to the named files; its download state lies in the folder's `.cache/`, which .dvcignore leaves out);
- release files (a GitHub repository at a commit): `data/releases/<owner>/<repo>/<sha>/<path>`, read by the release
  loaders (repro.data.loaders).

Only `repro fetch` downloads (`download=True`); a stage reads what is there, so that data.dvc records every byte a
run read and a reviewer's `dvc pull data.dvc` gets them back. No loading script runs and no conversion branch is read.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path
from typing import NoReturn

from repro.data import read_parquet
from repro.data.integrity import verify
from repro.data.manifest import Pin
from repro.errors import UserError
from repro.paths import INPUTS

REFETCH = "run `repro fetch` (or `dvc pull data.dvc`)"


def folder(pin: Pin) -> Path:
    """Where a pin's files lie: data/hub/<org>/<name>/<sha>/ or data/releases/<owner>/<repo>/<sha>/."""
    return Path(INPUTS) / ("releases" if pin.repo.host == "github" else "hub") / pin.repo.name / pin.repo.sha


def _offline() -> bool:
    from huggingface_hub import constants

    return constants.HF_HUB_OFFLINE


def local_files(pin: Pin, patterns: list[str], download: bool = False) -> list[Path]:
    """The local copies of a pin's files (`patterns` may hold a `*`), checked; with `download` (`repro fetch`),
    what is missing is downloaded first (resumable: what is there is not downloaded again)."""
    root = folder(pin)
    if pin.repo.host == "github":
        missing = [relative for relative in patterns if not (root / relative).is_file()]
        if missing and not download:
            _missing(pin, missing)
        for relative in missing:
            _download(pin, relative, root / relative)
        paths = [root / relative for relative in patterns]
    else:
        paths = _hub(pin, patterns, root, download)
    for path in paths:
        verify(path, pin.checksums.get(str(path.relative_to(root))), "run `repro fetch` again to download it")
    return paths


def _missing(pin: Pin, patterns: list[str]) -> NoReturn:
    raise UserError(f"pin {pin.source}: {', '.join(patterns)} of {pin.repo.name}@{pin.repo.sha} not in "
                    f"{folder(pin)}; {REFETCH}, or set data.sources.{pin.source}.path to a local copy")


def _hub(pin: Pin, patterns: list[str], root: Path, download: bool) -> list[Path]:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    where = f"{pin.repo.name}@{pin.repo.sha}"
    if download and not _offline():
        try:
            snapshot_download(pin.repo.name, repo_type="dataset", revision=pin.repo.sha, allow_patterns=patterns,
                              local_dir=root)
        except LocalEntryNotFoundError:  # no network: what is there is all there is
            pass
        except HfHubHTTPError as exc:  # a repository or commit the Hub does not have (any more)
            raise UserError(f"pin {pin.source}: {where}: {str(exc).splitlines()[0]}") from None
    found = {pattern: sorted(root.glob(pattern)) for pattern in patterns}
    missing = [pattern for pattern, paths in found.items() if not paths]
    if missing and download and not _offline():
        raise UserError(f"pin {pin.source}: {', '.join(missing)} not found at {where} (the commit lacks them, "
                        "or the Hub could not be reached); check the manifest's files and the network")
    if missing:
        _missing(pin, missing)
    return [path for pattern in patterns for path in found[pattern]]


def _download(pin: Pin, relative: str, path: Path) -> None:
    url = pin.repo.url(relative)
    if _offline():
        raise UserError(f"pin {pin.source}: {path} missing and HF_HUB_OFFLINE is set; run `repro fetch` with "
                        f"network access, or download {url} there")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        with urllib.request.urlopen(url, timeout=60) as response, partial.open("wb") as out:
            while block := response.read(1 << 20):
                out.write(block)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise UserError(f"pin {pin.source}: cannot download {url} ({exc}); put the file at {path}") from None
    partial.replace(path)


def read_split(pin: Pin, split: str, lang: str | None, max_rows: int | None):
    """One split as a `datasets.Dataset` of the files as shipped (None: the Hub has no such split for `lang`)."""
    import datasets

    if lang in pin.rows.get("absent", {}).get(split, ()):
        return None
    paths = local_files(pin, pin.patterns(split, lang))
    if pin.layout == "release":
        from repro.data import loaders

        return loaders.load_release(pin.source, folder(pin), split, lang)
    remedy = "delete it and run `repro fetch` again"
    if max_rows:
        return datasets.Dataset(first_rows(paths, max_rows, remedy))
    tables = [read_parquet(path, remedy) for path in paths]
    dataset = tables[0] if len(tables) == 1 else datasets.concatenate_datasets(tables)
    expected = pin.rows.get(split)
    if isinstance(expected, int) and lang is None and len(dataset) != expected:
        raise UserError(f"pin {pin.source}: {split} has {len(dataset)} rows, the manifest says {expected} "
                        f"({', '.join(map(str, paths))}); delete them and run `repro fetch` again")
    return dataset


def first_rows(paths: list[Path], n: int | None, remedy: str):
    """The first `n` rows (None: all) of parquet files in order as an Arrow table, read batch by batch (a Wikipedia
    shard is not read whole); a damaged file is named in one line with `remedy`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    batches, count, schema = [], 0, None
    for path in paths:
        try:
            shard = pq.ParquetFile(path)
            schema = shard.schema_arrow
            for batch in shard.iter_batches(batch_size=min(n or 10_000, 10_000)):
                batches.append(batch if n is None else batch.slice(0, n - count))
                count += len(batches[-1])
                if n is not None and count >= n:
                    return pa.Table.from_batches(batches, schema)
        except (pa.ArrowException, OSError) as exc:
            raise UserError(f"{path}: damaged parquet file ({str(exc).splitlines()[0][:120]}); {remedy}") from None
    return pa.Table.from_batches(batches, schema)
