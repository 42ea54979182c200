"""Damaged inputs named, not crashed on: a downloaded file whose size or SHA-256 is not the manifest's is refused in
one line naming the file and how to get a good copy (a parquet file cut short: `repro.data.read_parquet`)."""

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
    delete = f"delete it{f' and {path.resolve()}' if path.is_symlink() else ''} and {refetch}"
    size = path.stat().st_size
    if expected.get("size") is not None and size != expected["size"]:
        raise UserError(f"{path}: {size} bytes, the manifest says {expected['size']}; {delete}")
    if expected.get("sha256") and sha256(path) != expected["sha256"]:
        raise UserError(f"{path}: SHA-256 is not the manifest's {expected['sha256'][:12]}...; {delete}")
