"""What the code study's planted claims read (claims_planted.yaml, `study: code`; repro.report.planted): its
answer records (results/<profile>/code/answer.json) and its greedy pass@1 per problems file (metrics.json),
through the two readers the claims' functions ask for (`answer`, `pass_rates`; repro.report.expression_functions).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from repro.studies.code.answer import GREEDY

GREEDY_ROW = "pass@1"  # metrics.json's name of greedy pass@1 (a sampled one carries its temperature)


@dataclass(frozen=True)
class CodeResults:
    answers: list[dict]
    rows: list[dict]

    @classmethod
    def load(cls, code_layout) -> CodeResults | None:
        """The run's answer and metrics files, None where either is absent."""
        if not (code_layout.answer_json.is_file() and code_layout.metrics.is_file()):
            return None
        return cls(json.loads(code_layout.answer_json.read_text())["answers"],
                   json.loads(code_layout.metrics.read_text())["results"])

    def answer(self, contrast: str, benchmark: str, programming_language: str, natural_language: str,
               estimand: str = "delta", model: str | None = None, target_phase: bool = True) -> dict | None:
        """The one greedy pass@1 record of a contrast on one file or pool; None when there is none; ValueError
        when several match (name the model)."""
        found = [r for r in self.answers if (r["contrast"], r["benchmark"], r["programming_language"],
                                             r["natural_language"], r["estimand"], r["target_phase"], r["metric"])
                 == (contrast, benchmark, programming_language, natural_language, estimand, target_phase, GREEDY)
                 and model in (None, r["model"])]
        if len(found) > 1:
            raise ValueError(f"{contrast} on {benchmark} {programming_language} {natural_language}: one record per "
                             f"model ({', '.join(r['model'] for r in found)}); name the model")
        return found[0] if found else None

    def pass_rates(self, arm: str, model: str, target_phase: bool = True) -> dict[tuple[str, str, str], float]:
        """{(benchmark, programming, prompt language): greedy pass@1 (0-100), the mean over seeds} of one arm."""
        cells: dict[tuple[str, str, str], list[float]] = {}
        for r in self.rows:
            if (r["arm"], r["model"], r["target_phase"], r["metric"]) == (arm, model, target_phase, GREEDY_ROW):
                key = (r["benchmark"], r["programming_language"], r["natural_language"])
                cells.setdefault(key, []).append(r["value"])
        return {key: sum(values) / len(values) for key, values in cells.items()}


def subject(layout) -> CodeResults | None:
    """What the code study's planted claims read in `layout` (repro.report.planted), None when absent."""
    from repro.studies.code.paths import CodeLayout

    return CodeResults.load(CodeLayout(layout))
