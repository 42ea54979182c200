"""Text-to-text (a decoder's intermediate tasks): an example becomes a prompt and a target text; the loss is on
the target tokens only (and the closing EOS), the prompt's labels are ignored.

Casts follow the canonical example shapes of `repro.data.sources` (FLAN-style wording, one template per shape):
sentence pairs (NLI: MNLI, SNLI, ANLI; paraphrase: QQP) answer with the label's word; extractive QA (SQuAD) with
the first gold answer ("unanswerable" for SQuAD 2.0's empty ones); multiple choice (HellaSwag, Cosmos QA,
CommonsenseQA) with the right choice's text; CNN/DailyMail (`article`, `highlights`) with the highlights.
A prompt too long for its row is cut (`fit`): an article at its end, keeping its lead and the `TL;DR:` cue (as
summarization models of CNN/DailyMail are trained and scored), any other prompt at its start.
Dev metric: exact match of the greedy output, and for summarization ROUGE-1/2/Lsum (PyPI `rouge-score`, F-measure
with the Porter stemmer, highlights split into lines for Lsum, as the CNN/DailyMail literature scores it).
"""

from __future__ import annotations

from typing import Sequence

from repro.engine.batching import IGNORE
from repro.errors import UserError
from repro.tasks.labels import NLI_LABELS

PAIR_WORDS = {"nli": NLI_LABELS, "paraphrase": ("no", "yes")}
PARAPHRASE_SOURCES = ("qqp",)
UNANSWERABLE = "unanswerable"
SUMMARY_CUE = "\nTL;DR:"
FIT_CHUNK = 1000  # prompts tokenized at once by `fit`


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
    tokens; the prompt is cut (`fit`) to the rest of `max_length`."""
    targets = tokenizer([t for _, t in pairs], add_special_tokens=False)["input_ids"]
    targets = [t[:min(target_length, max_length - 2)] + [tokenizer.eos_token_id] for t in targets]
    _, prompts = fit(tokenizer, [p for p, _ in pairs], [max_length - len(t) for t in targets])
    return [{"input_ids": prompt + target, "labels": [IGNORE] * len(prompt) + target}
            for prompt, target in zip(prompts, targets)]


def fit(tokenizer, prompts: Sequence[str], rooms: Sequence[int]) -> tuple[list[str], list[list[int]]]:
    """Each prompt within its room (tokens), as text and as tokens. A summarization prompt keeps its article's
    lead and the whole cue (the article is cut at its end, as CNN/DailyMail models are trained and scored); any
    other keeps its end (the question or options next to the answer). A cut falls on a token boundary and the cut
    text is tokenized again, so a training row's prompt and a dev prompt of the same text are the same tokens.
    Chunked: only the fitted tokens of every prompt are held at once, not every article's offsets."""
    cue = len(tokenizer(SUMMARY_CUE, add_special_tokens=False)["input_ids"])
    texts: list[str] = []
    ids: list[list[int]] = []
    for at in range(0, len(prompts), FIT_CHUNK):
        chunk_texts, chunk_ids = _fit_chunk(tokenizer, list(prompts[at:at + FIT_CHUNK]),
                                            list(rooms[at:at + FIT_CHUNK]), cue)
        texts += chunk_texts
        ids += chunk_ids
    return texts, ids


def _fit_chunk(tokenizer, prompts: list[str], rooms: list[int], cue: int) -> tuple[list[str], list[list[int]]]:
    enc = tokenizer(prompts, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
    texts, ids, keep = list(prompts), enc["input_ids"], list(rooms)
    over = [i for i, row in enumerate(ids) if len(row) > rooms[i]]
    while over:  # a re-tokenized cut is rarely longer than its cut (a merge at the seam): cut one token more
        for i in over:
            texts[i] = _cut(prompts[i], enc["offset_mapping"][i], keep[i], cue)
            keep[i] -= 1
        again = tokenizer([texts[i] for i in over], add_special_tokens=False, verbose=False)["input_ids"]
        for i, row in zip(over, again):
            ids[i] = row
        over = [i for i in over if len(ids[i]) > rooms[i]]
    return texts, ids


def _cut(prompt: str, offsets: Sequence[tuple[int, int]], keep: int, cue: int) -> str:
    """`prompt` cut to about `keep` tokens: a summarization prompt at its article's end, any other at its start."""
    if prompt.endswith(SUMMARY_CUE):
        if keep - cue < 1:
            raise UserError(f"a summarization prompt has room for {keep} tokens: too few for the article's lead "
                            f"and the {cue}-token cue (raise training.max_length or lower target_length)")
        return prompt[:min(offsets[keep - cue][0], len(prompt) - len(SUMMARY_CUE))] + SUMMARY_CUE
    if keep < 1:
        raise UserError("a prompt has no room left beside its target (raise training.max_length)")
    return prompt[offsets[len(offsets) - keep][0]:]


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
