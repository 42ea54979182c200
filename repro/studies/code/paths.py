"""Where the code study's stages read and write, under the profile's own layout (`repro.paths.Layout`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from repro.paths import PREPARED, Layout

ARTICLES_FILE = "cnn_dailymail/{split}.jsonl"
# the smoke world's other CNN/DailyMail sets: its translations (a language code) and the deranged control
VARIANT_ARTICLES_FILE = "cnn_dailymail.{variant}/{split}.jsonl"
SHUFFLED_VARIANT = "shuffled"
TARGET_FILE = "mbpp/{split}.jsonl"  # the target phase's set, in MBPP's schema
CORPUS_FILE = "corpus.jsonl"
LEXICON_SOURCE = "lexicon"  # the corpus rows a tiny decoder's tokenizer is trained on and the decoder never reads


def articles_file(split: str, variant: str | None = None) -> str:
    """CNN/DailyMail's articles of a split: English (variant None), or one of the smoke world's other sets."""
    return ARTICLES_FILE.format(split=split) if variant is None else VARIANT_ARTICLES_FILE.format(variant=variant,
                                                                                                   split=split)


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


def phase(target: bool) -> str:
    """The folder of a run evaluated with (target-true) or without (target-false) the target phase; the words
    DVC writes for the params' booleans."""
    return f"target-{str(bool(target)).lower()}"


def parse_target(value) -> bool:
    """A `--target-phase` value (DVC passes true/false) as a boolean."""
    from repro.errors import UserError

    text = str(value).lower()
    if text not in ("true", "false"):
        raise UserError(f"--target-phase: {value!r} is not true or false")
    return text == "true"


@dataclass(frozen=True)
class CodeLayout:
    layout: Layout

    @property
    def data(self) -> Path:
        """prepared/code-<profile>: beside prepared/<profile> (the data stage's one output), not inside it."""
        return self.layout.root / PREPARED / f"code-{self.layout.profile}"

    def problems(self, eval_set: EvalSet) -> Path:
        return self.data / eval_set.file

    def articles(self, split: str, variant: str | None = None) -> Path:
        return self.data / articles_file(split, variant)

    def target_set(self, split: str) -> Path:
        return self.data / TARGET_FILE.format(split=split)

    @property
    def corpus(self) -> Path:
        return self.data / CORPUS_FILE

    @property
    def models(self) -> Path:
        return self.layout.models / "code"

    def pretrained(self, model: str) -> Path:
        return self.models / model / "pretrained"

    def decoder(self, model: str, arm: str, seed: int, target: bool = False) -> Path:
        """The decoder a run generates with: after its intermediate phase (target-false; for `none`, a copy of the
        pretrained decoder, so every run's generation depends on its own directory alone), or after the target
        phase too (target-true)."""
        return self.models / model / phase(target) / run_id(arm, seed)

    @property
    def results(self) -> Path:
        return self.layout.results / "code"

    def training_log(self, model: str, arm: str, seed: int, target: bool = False) -> Path:
        return self.results / "training" / model / ("target" if target else "intermediate") / f"{run_id(arm, seed)}.json"

    def samples(self, model: str, arm: str, seed: int, target: bool) -> Path:
        return self.results / "samples" / model / phase(target) / run_id(arm, seed)

    def executed(self, model: str, arm: str, seed: int, target: bool) -> Path:
        return self.results / "executed" / model / phase(target) / run_id(arm, seed)

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
