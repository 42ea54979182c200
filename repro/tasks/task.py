"""`Task`: what a phase trains or evaluates, as one declarative entry (no datasets, no torch).

A task names its kind (`repro.kinds`: how examples become inputs, which head, how outputs become
predictions and scores), its metric, the English sources it trains on and the per-language source it is
evaluated on. Sources are names of `repro.data.sources.SOURCES`; the suite a target belongs to
(`repro.suites`) owns its languages, groups and official aggregation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["classification", "multiple_choice", "extractive_qa", "tagging", "retrieval", "dual_encoder"]


@dataclass(frozen=True)
class Task:
    """One task of the study: how it is trained (English sources) and evaluated (per language)."""

    id: str
    kind: Kind
    metric: str  # a key of repro.metrics.METRICS
    train: tuple[str, ...] = ()  # English training sources (several = one shared head, proportional sampling)
    # English sources trained on first, one after the other, each selected on its own dev, before `train`
    # (XCOPA: SIQA, then COPA, as XTREME-R's scripts/train_xcopa.sh); the multilingual study's targets run the chain
    train_before: tuple[str, ...] = ()
    evaluate: str | None = None  # per-language evaluation source (targets); None: English dev of `train`
    # the fixed candidate pool a dual-encoder target ranks in every language (Mewsli-X's entity set); None: the
    # candidates come from the evaluation source itself (LAReQA: every sentence of XQuAD-R in every language)
    candidates: str | None = None
    labels: tuple[str, ...] = ()  # classification classes; tagging label sets come from the data (CCG)
    num_choices: int = 0
    version_2: bool = False  # SQuAD v2 style: questions may have no answer
    suite: str = ""  # the benchmark of a target (repro.suites)
    group: str = ""  # the paper's category of a target
    shares_training_with: str | None = None  # e.g. mlqa reuses xquad's SQuAD v1.1 fine-tune
    label_names_from_data: bool = False
    # the English-dev metrics whose mean selects checkpoints (jiant's major metric); empty: every metric the
    # kind's score returns
    selection: tuple[str, ...] = ()
