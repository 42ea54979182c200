"""Where the code study's stages read and write, under the profile's own layout (`repro.paths.Layout`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from repro.paths import Layout

ARTICLES_FILE = "cnn_dailymail/{split}.jsonl"
CORPUS_FILE = "corpus.jsonl"


@dataclass(frozen=True)
class EvalSet:
    """One problems file: a benchmark's programming language in one prompt language."""

    benchmark: str  # a program suite's name (repro.suites.programs): humaneval-x | humaneval-xl
    programming_language: str
    natural_language: str

    @property
    def name(self) -> str:
        return f"{self.benchmark}-{self.programming_language}-{self.natural_language}"

    @property
    def file(self) -> str:
        from repro.suites import programs

        return programs.get(self.benchmark).file(self.programming_language, self.natural_language)


def eval_sets(code) -> list[EvalSet]:
    """Every problems file the study evaluates: HumanEval-X's languages (English prompts), then HumanEval-XL's."""
    sets = [EvalSet("humaneval-x", lang, "English") for lang in code.benchmarks.humaneval_x]
    return sets + [EvalSet("humaneval-xl", lang, natural) for lang, naturals in code.benchmarks.humaneval_xl.items()
                   for natural in naturals]


def run_id(arm: str, seed: int) -> str:
    return f"{arm}-s{seed}"


@dataclass(frozen=True)
class CodeLayout:
    layout: Layout

    @property
    def data(self) -> Path:
        """data/code-<profile>: beside data/<profile> (the data stage's one output), not inside it."""
        return self.layout.root / "data" / f"code-{self.layout.profile}"

    def problems(self, eval_set: EvalSet) -> Path:
        return self.data / eval_set.file

    def articles(self, split: str) -> Path:
        return self.data / ARTICLES_FILE.format(split=split)

    @property
    def corpus(self) -> Path:
        return self.data / CORPUS_FILE

    @property
    def models(self) -> Path:
        return self.layout.models / "code"

    @property
    def pretrained(self) -> Path:
        return self.models / "none"

    def decoder(self, arm: str, seed: int) -> Path:
        """The model an arm generates with (for `none`, a copy of the pretrained decoder: every arm's generation
        then depends on its own run's directory alone)."""
        return self.models / run_id(arm, seed)

    @property
    def results(self) -> Path:
        return self.layout.results / "code"

    def training_log(self, arm: str, seed: int) -> Path:
        return self.results / "training" / f"{run_id(arm, seed)}.json"

    def samples(self, arm: str, seed: int) -> Path:
        return self.results / "samples" / run_id(arm, seed)

    def executed(self, arm: str, seed: int) -> Path:
        return self.results / "executed" / run_id(arm, seed)

    @property
    def metrics(self) -> Path:
        return self.results / "metrics.json"

    @property
    def answer_json(self) -> Path:
        return self.results / "answer.json"

    @property
    def answer_md(self) -> Path:
        return self.results / "answer.md"

    @property
    def figures(self) -> Path:
        """The report's PNG figures (plots/ beside them holds the summary's plot data for DVC)."""
        return self.results / "figures"
