"""Results written as they finish, so a run that is interrupted keeps them and `--resume` continues it.

`Journal(out, inputs, resume)` checks the output before any work (not an input, not a directory, its folder
writable: the journal file `<out>.partial` is opened there at once), appends one JSON line per finished sample
(flushed, so a killed run loses at most the line being written), and `finish` writes `out` atomically in input
order and removes the journal. With `resume`, the journal's lines (for the same task id and completion id, and
the same completion text, by digest) are taken as done; without it, an old journal is discarded.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from repro.errors import UserError
from repro.execution.problems import Sample


def key(sample: Sample) -> str:
    """The journal's name for a sample: its task, rank and completion text (a changed completion reruns)."""
    digest = hashlib.sha256(sample.completion.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{sample.task_id}\t{sample.completion_id}\t{digest}"


class Journal:
    def __init__(self, out: Path, inputs: list[Path], resume: bool = False):
        self.out = Path(out)
        self.partial = self.out.with_name(self.out.name + ".partial")
        target = self.out.resolve()
        for given in inputs:
            path = Path(given).resolve()
            if target == path or self.partial.resolve() == path or path in target.parents:
                raise UserError(f"--out {out}: is the input {given} (or inside it); it would be overwritten")
        if self.out.is_dir():
            raise UserError(f"--out {out}: is a directory")
        self.done: dict[str, dict] = {}
        if resume and self.partial.is_file():
            lines = self.partial.read_text(encoding="utf-8").splitlines()
            for number, line in enumerate(lines, 1):
                try:
                    row = json.loads(line)
                    self.done[row.pop("key")] = row
                except (ValueError, KeyError, AttributeError):
                    if number < len(lines):   # only a last, half-written line is expected
                        raise UserError(f"{self.partial}:{number}: not a journal line; remove the file to start "
                                        "afresh") from None
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | (0 if resume else os.O_TRUNC)
            self._fd = os.open(self.partial, flags, 0o644)
        except OSError as exc:
            raise UserError(f"--out {out}: cannot write there ({exc.strerror})") from None
        if resume:   # rewrite it without a torn last line
            os.ftruncate(self._fd, 0)
            for name, row in self.done.items():
                os.write(self._fd, (json.dumps({"key": name, **row}) + "\n").encode())

    def record(self, sample: Sample, result: dict) -> None:
        """Append one finished sample's result line."""
        self.done[key(sample)] = result
        os.write(self._fd, (json.dumps({"key": key(sample), **result}) + "\n").encode())

    def finish(self, samples: list[Sample]) -> list[dict]:
        """Write `out` (one line per sample, input order) atomically from the journal; remove the journal."""
        from repro.io import atomic_text

        os.close(self._fd)
        missing = [s for s in samples if key(s) not in self.done]
        if missing:
            raise UserError(f"{self.partial}: {len(missing)} samples have no result (first: {missing[0].task_id})")
        rows = [self.done[key(s)] for s in samples]
        atomic_text(self.out, "".join(json.dumps(row) + "\n" for row in rows))
        self.partial.unlink()
        return rows
