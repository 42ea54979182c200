"""Damaged inputs named, not crashed on: a file whose size or SHA-256 is not the manifest's, or a parquet file that
is cut short or corrupt, is refused in one line naming the file and how to get a good copy."""

from __future__ import annotations

import hashlib
from pathlib import Path

from repro.errors import UserError


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path, expected: dict | None, refetch: str) -> None:
    """Check a downloaded file against the manifest's {size, sha256} (either may be absent)."""
    if not expected:
        return
    size = path.stat().st_size
    if expected.get("size") is not None and size != expected["size"]:
        raise UserError(f"{path}: {size} bytes, the manifest says {expected['size']}; delete it and {refetch}")
    if expected.get("sha256") and sha256(path) != expected["sha256"]:
        raise UserError(f"{path}: SHA-256 is not the manifest's {expected['sha256'][:12]}...; delete it and {refetch}")


def read_parquet(path: Path, remedy: str):
    """A parquet file as a `datasets.Dataset`, or one line naming the file if it is truncated or corrupt."""
    import datasets
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pq.read_metadata(path)  # the footer: a file cut short or not parquet at all fails here, cheaply
        return datasets.Dataset.from_parquet(str(path), keep_in_memory=True)
    except (pa.ArrowException, OSError, datasets.exceptions.DatasetGenerationError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(f"{path}: damaged parquet file ({reason[:120]}); {remedy}") from None
