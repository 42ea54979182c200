"""A study's answer rows (its answer.json `contrasts`: one record per contrast, slice, scope and language split) as
a claim reads them: `contrast(mean, contrast='A2-A1', task=xnli, languages=seen)` in an `observe` expression
(repro.report.expression_functions) selects the one row whose fields equal the arguments."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ContrastRows:
    """The rows of one study's answer; `select` finds one by its fields."""

    rows: tuple[dict, ...]
    source: str = "answer.json"

    @classmethod
    def load(cls, path: Path) -> ContrastRows | None:
        """The `contrasts` of an answer.json; None when the file is absent."""
        if not path.is_file():
            return None
        return cls(tuple(json.loads(path.read_text())["contrasts"]), str(path))

    def select(self, where: dict) -> dict | None:
        """The one row whose fields equal `where`'s values (compared as text: a claim's words are strings, its
        numbers floats); None when no row does; ValueError naming the count when several do."""
        def text(value) -> str:
            return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)

        found = [row for row in self.rows if all(k in row and text(row[k]) == text(v) for k, v in where.items())]
        if len(found) > 1:
            raise ValueError(f"{len(found)} rows of {self.source} match {where}; name more fields (suite, setting, "
                             "test_origin, level)")
        return found[0] if found else None
