"""Text-to-text (a decoder's intermediate tasks): an example becomes a prompt and a target text; the loss is on
the target tokens only (and the closing EOS), the prompt's labels are ignored.

Casts follow the canonical example shapes of `repro.data.sources` (FLAN-style wording, one template per shape):
sentence pairs (NLI: MNLI, SNLI, ANLI; paraphrase: QQP) answer with the label's word; extractive QA (SQuAD) with
the first gold answer ("unanswerable" for SQuAD 2.0's empty ones); multiple choice (HellaSwag, Cosmos QA,
CommonsenseQA) with the right choice's text; CNN/DailyMail (`article`, `highlights`) with the highlights.
Dev metric: exact match of the greedy output, and for summarization ROUGE-1/2/Lsum (PyPI `rouge-score`, F-measure
with the Porter stemmer, highlights split into lines for Lsum, as the CNN/DailyMail literature scores it).
"""

from __future__ import annotations

from typing import Sequence

from repro.engine.batching import IGNORE
from repro.tasks.labels import NLI_LABELS

PAIR_WORDS = {"nli": NLI_LABELS, "paraphrase": ("no", "yes")}
PARAPHRASE_SOURCES = ("qqp",)
UNANSWERABLE = "unanswerable"
SUMMARY_CUE = "\nTL;DR:"


def cast(source: str, example: dict) -> tuple[str, str]:
    """(prompt, target) of one canonical example of `source`."""
    if "article" in example:
        return example["article"] + SUMMARY_CUE, " " + example["highlights"]
    if "choices" in example:
        options = "".join(f"\n({chr(65 + i)}) {choice}" for i, choice in enumerate(example["choices"]))
        return f"{example['context']}\nOptions:{options}\nAnswer:", " " + example["choices"][example["label"]]
    if "answers" in example:
        answers = example["answers"]["text"]
        return (f"{example['context']}\nQuestion: {example['question']}\nAnswer:",
                " " + (answers[0] if answers else UNANSWERABLE))
    if source in PARAPHRASE_SOURCES:
        return (f"Question 1: {example['text_a']}\nQuestion 2: {example['text_b']}\nSame meaning?",
                " " + PAIR_WORDS["paraphrase"][example["label"]])
    return (f"Premise: {example['text_a']}\nHypothesis: {example['text_b']}\nEntailment, neutral or contradiction?",
            " " + PAIR_WORDS["nli"][example["label"]])


def encode(tokenizer, pairs: Sequence[tuple[str, str]], max_length: int, target_length: int) -> list[dict]:
    """Rows of prompt + target + EOS; labels only on target and EOS. The target keeps its first `target_length`
    tokens; the prompt is cut from its start (the end, next to the target, is what the answer depends on)."""
    prompts = tokenizer([p for p, _ in pairs], add_special_tokens=False)["input_ids"]
    targets = tokenizer([t for _, t in pairs], add_special_tokens=False)["input_ids"]
    rows = []
    for prompt, target in zip(prompts, targets):
        target = target[:min(target_length, max_length - 2)] + [tokenizer.eos_token_id]
        prompt = prompt[-(max_length - len(target)):]
        rows.append({"input_ids": prompt + target, "labels": [IGNORE] * len(prompt) + target})
    return rows


def loss_tokens(rows: Sequence[dict]) -> int:
    """The tokens a budget in tokens counts: those with a loss."""
    return sum(sum(1 for label in row["labels"] if label != IGNORE) for row in rows)


def score(predictions: Sequence[str], targets: Sequence[str], summarization: bool) -> dict[str, float]:
    """Exact match (0-100) of stripped outputs; summarization: ROUGE-1/2/Lsum F (0-100) instead."""
    if not summarization:
        hits = [p.strip() == t.strip() for p, t in zip(predictions, targets)]
        return {"exact_match": 100.0 * sum(hits) / max(len(hits), 1)}
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    totals = {"rouge1": 0.0, "rouge2": 0.0, "rougeLsum": 0.0}
    for prediction, target in zip(predictions, targets):
        scores = scorer.score(target.strip(), _lines(prediction))
        for name in totals:
            totals[name] += scores[name].fmeasure
    return {name: 100.0 * value / max(len(predictions), 1) for name, value in totals.items()}


def _lines(summary: str) -> str:
    """A summary one sentence a line (ROUGE-Lsum's unit), as the highlights are."""
    import re

    return "\n".join(s for s in re.split(r"(?<=[.!?])\s+|\n", summary.strip()) if s)
