"""Each result row's setting and test origin, so that zero-shot transfer on natively written test sets is kept apart
from translate-train and from translated test sets (XTREME-R reports translate-train apart; translated tests
reward translationese).

`setting`: `translate-train` when the English data the target's model is trained on, or the source of its test
paragraphs, is an English source whose machine translation the arm trains on (A2, A3: MNLI's feeds XNLI; SQuAD's
feeds XQuAD, MLQA and Tatoeba through the run's SQuAD fine-tune, and LAReQA, whose dual encoder trains on SQuAD and
ranks XQuAD's paragraphs); `zero-shot` otherwise (A0, A1, A4 always: they train on no translation). TyDiQA trains
on TyDiQA's own English data here (XTREME's protocol), which no translation covers: zero-shot.

`test_origin`: `translated` when the test set was made by translating English (XNLI, PAWS-X, XQuAD, MLQA's
questions, XCOPA, XQuAD-R, Tatoeba's pairs), `native` when written in the language (UD, PAN-X, TyDiQA, Mewsli-X,
BUCC's comparable corpora).
"""

from __future__ import annotations

from repro.studies.multilingual.arms import TRANSLATING, Arm
from repro.tasks import INTERMEDIATE_TASKS, TARGET_TASKS

SETTINGS = ("zero-shot", "translate-train")
ORIGINS = ("native", "translated")
TEST_ORIGIN = {"xnli": "translated", "pawsx": "translated", "xquad": "translated", "mlqa": "translated",
               "xcopa": "translated", "lareqa": "translated", "tatoeba": "translated", "udpos": "native",
               "panx": "native", "tydiqa": "native", "mewslix": "native", "bucc2018": "native"}
FINE_TUNE_OF = {"mlqa": "xquad", "tatoeba": "xquad"}  # evaluated with the run's SQuAD v1.1 fine-tune (XQuAD's)
PARAGRAPHS_FROM = {"xquad": "squad_v1", "lareqa": "squad_v1"}  # test paragraphs from SQuAD v1.1 (its dev articles)


def english_sources(target: str) -> set[str]:
    """The English sources a target's model trains on, and the source of its test paragraphs."""
    trained = TARGET_TASKS[FINE_TUNE_OF.get(target, target)].train
    return set(trained) | ({PARAGRAPHS_FROM[target]} if target in PARAGRAPHS_FROM else set())


def translated_sources(arm: Arm) -> set[str]:
    """The English sources whose translations an arm trains on (A2, A3; none for the others)."""
    if arm.arm not in TRANSLATING:
        return set()
    return {source for task in arm.tasks for source in INTERMEDIATE_TASKS[task].train}


def setting(arm: Arm, target: str) -> str:
    return SETTINGS[1] if english_sources(target) & translated_sources(arm) else SETTINGS[0]


def test_origin(target: str) -> str:
    if target not in TEST_ORIGIN:
        raise KeyError(f"{target}: no test origin recorded (repro/studies/multilingual/tags.py TEST_ORIGIN)")
    return TEST_ORIGIN[target]
