"""Helpers shared by the release-format readers: file checks, line and JSON reading, one-line errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from repro.errors import UserError

Row = dict[str, Any]

# Release split names for our split names (most releases call validation "dev").
_DEV = {"train": "train", "validation": "dev", "test": "test"}


def _one_line(value: object, limit: int = 60) -> str:
    """A short single-line repr of offending input, for error messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _fail(path: Path, msg: str, line: int | None = None) -> ValueError:
    where = f"{path}:{line}" if line is not None else f"{path}"
    return ValueError(f"{where}: {' '.join(msg.split())}")


def _existing_file(path: Path | str, what: str) -> Path:
    path = Path(path)
    if not path.exists():
        raise UserError(f"{what}: file not found: {path}")
    if not path.is_file():
        raise UserError(f"{what}: not a file: {path}")
    return path


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(1-based line number, line without its terminator); decoding problems become one-line errors."""
    try:
        # newline="\n": only LF ends a line (a stray CR inside a sentence must not split it); CRLF is
        # handled by the rstrip. utf-8-sig drops a leading byte-order mark.
        with path.open(encoding="utf-8-sig", newline="\n") as handle:
            for number, raw in enumerate(handle, 1):
                yield number, raw.rstrip("\r\n")
    except UnicodeDecodeError as err:
        raise _fail(path, f"not UTF-8 text ({err.reason} at byte {err.start})") from None
    except OSError as err:
        raise _fail(path, f"cannot read ({err.strerror})") from None


def _load_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8-sig") as handle:
            return json.load(handle)
    except json.JSONDecodeError as err:
        raise _fail(path, f"invalid JSON: {err.msg} (column {err.colno})", err.lineno) from None
    except UnicodeDecodeError as err:
        raise _fail(path, f"not UTF-8 text ({err.reason} at byte {err.start})") from None
    except OSError as err:
        raise _fail(path, f"cannot read ({err.strerror})") from None


def _find(path: Path, candidates: list[str], what: str) -> Path:
    """`path` itself if it is a file, else the first candidate below the directory `path`."""
    if path.is_file():
        return path
    if not path.exists():
        raise UserError(f"{what}: path not found: {path}")
    for candidate in candidates:
        if (path / candidate).is_file():
            return path / candidate
    raise UserError(f"{what}: none of {', '.join(candidates)} found under {path}")


def _need_lang(source: str, lang: str | None, path: Path) -> str:
    if not lang:
        raise UserError(f"{source}: a language is needed to pick its file under {path}")
    return lang
