"""Published numbers the reproduction is compared with (paper.md §3b), as data with source and certainty.

Every number is an XTREME **test** number quoted by a later paper; Phang et al.'s own tables were not read
(paper.md, "Source limitation"). Certainty follows paper.md's tags:
- VERIFIED   seen in the named source;
- DERIVED    arithmetic on verified numbers (e.g. a QA task score (EM + F1) / 2);
- RECALLED   from memory, unchecked: a hypothesis;
- UNVERIFIED a circulating number with no source (claims.md).

Model keys: `xstilts` (Phang et al. 2020, best intermediate model per target) and `xlmr` (XLM-R Large).
Metric keys are those of metrics.json (`accuracy`, `f1`, `exact_match`) plus `score` (the XTREME task score:
accuracy, F1 or (EM + F1) / 2) and, for target `xtreme`, the overall score (mean of the 9 task scores).
Importing this module is cheap (no third-party imports).
"""

from __future__ import annotations

from dataclasses import dataclass

VERIFIED, DERIVED, RECALLED, UNVERIFIED, UNSURE = "VERIFIED", "DERIVED", "RECALLED", "UNVERIFIED", "UNSURE"
CERTAINTIES = (VERIFIED, DERIVED, RECALLED, UNVERIFIED, UNSURE)
MARK = {VERIFIED: "", DERIVED: "[D]", RECALLED: "[R]", UNVERIFIED: "[U]", UNSURE: "[?]"}  # table suffixes

REMBERT = "rembert"  # XTREME leaderboard values as quoted by RemBERT (Chung et al., ICLR 2021) Tables 7 and 16
MT5 = "mt5"  # values quoted by mT5 (Xue et al., NAACL 2021), google-research/multilingual-t5 README table
HU = "hu2020"  # XLM-R Large in the XTREME paper (Hu et al., ICML 2020), as quoted / recalled in paper.md §3b
ABSTRACT = "abstract"  # Phang et al. 2020, abstract (final version)

SOURCES = {
    REMBERT: "RemBERT (Chung et al. 2021) Tables 7 and 16: XTREME leaderboard, test sets",
    MT5: "mT5 (Xue et al. 2021), google-research/multilingual-t5 README: test sets, QA F1",
    HU: "XTREME paper (Hu et al. 2020), XLM-R Large test results, via mT5 / RemBERT where VERIFIED",
    ABSTRACT: "Phang et al. 2020 abstract (aclanthology 2020.aacl-main.56)",
}

QA_TARGETS = ("xquad", "mlqa", "tydiqa")
TARGETS = ("xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa", "bucc2018", "tatoeba")


@dataclass(frozen=True)
class Published:
    model: str  # xstilts | xlmr
    target: str  # an XTREME target, a group (sentence_pair ...), or "xtreme" (overall) / "xtreme_gain"
    metric: str  # accuracy | f1 | exact_match | score
    value: float
    source: str  # a key of SOURCES
    certainty: str  # a member of CERTAINTIES
    split: str = "test"
    note: str = ""


def _rows() -> list[Published]:
    rows: list[Published] = []

    def add(model, target, metric, value, source, certainty=VERIFIED, note=""):
        rows.append(Published(model, target, metric, value, source, certainty, note=note))

    # (i) XTREME leaderboard via RemBERT Table 16 (QA as EM / F1)
    for model, values in {
        "xstilts": {"xnli": 80.0, "udpos": 74.9, "panx": 64.0, "pawsx": 87.9,
                    "xquad": (63.3, 78.7), "mlqa": (53.7, 72.4), "tydiqa": (59.5, 76.0)},
        "xlmr": {"xnli": 79.2, "udpos": 73.8, "panx": 65.4, "pawsx": 86.4,
                 "xquad": (60.8, 76.6), "mlqa": (53.2, 71.6), "tydiqa": (45.0, 65.1)},
    }.items():
        for target, value in values.items():
            if isinstance(value, tuple):
                add(model, target, "exact_match", value[0], REMBERT)
                add(model, target, "f1", value[1], REMBERT)
                add(model, target, "score", round(sum(value) / 2, 4), REMBERT, DERIVED, "(EM + F1) / 2")
            else:
                metric = "accuracy" if target in ("xnli", "pawsx") else "f1"
                add(model, target, metric, value, REMBERT)
                add(model, target, "score", value, REMBERT)
    # RemBERT Table 7 category scores (retrieval left out there)
    for model, cats in {"xstilts": {"sentence_pair": 83.9, "structured_prediction": 69.4, "qa": 67.2},
                        "xlmr": {"sentence_pair": 82.8, "structured_prediction": 69.0, "qa": 62.3}}.items():
        for group, value in cats.items():
            add(model, group, "score", value, REMBERT)
    add("xstilts", "avg_task7", "score", 72.7, REMBERT, note="mean of the 7 fine-tuned tasks")
    add("xlmr", "avg_task7", "score", 70.1, REMBERT, note="mean of the 7 fine-tuned tasks")

    # (ii) mT5 README table: F1 only for QA (EM RECALLED from the mT5 paper)
    for model, values in {
        "xstilts": {"xnli": 80.4, "pawsx": 87.7, "panx": 64.7, "xquad": 77.2, "mlqa": 72.3, "tydiqa": 76.0},
        "xlmr": {"xnli": 79.2, "pawsx": 86.4, "panx": 65.4, "xquad": 76.6, "mlqa": 71.6, "tydiqa": 65.1},
    }.items():
        for target, value in values.items():
            metric = "accuracy" if target in ("xnli", "pawsx") else "f1"
            add(model, target, metric, value, MT5)
            if target not in QA_TARGETS:
                add(model, target, "score", value, MT5)
    for target, em in {"xquad": 61.3, "mlqa": 53.5, "tydiqa": 59.5}.items():
        add("xstilts", target, "exact_match", em, MT5, RECALLED, "EM recalled from the mT5 paper")
        f1 = next(r.value for r in rows if (r.model, r.target, r.metric, r.source) == ("xstilts", target, "f1", MT5))
        add("xstilts", target, "score", round((em + f1) / 2, 4), MT5, RECALLED, "(EM + F1) / 2 with recalled EM")

    # XLM-R Large in the XTREME paper (Hu et al. 2020): VERIFIED where mT5/RemBERT quote the same value
    for target, value, certainty in [("xnli", 79.2, VERIFIED), ("pawsx", 86.4, VERIFIED),
                                     ("udpos", 72.6, RECALLED), ("panx", 65.4, VERIFIED),
                                     ("bucc2018", 66.0, RECALLED), ("tatoeba", 57.3, RECALLED)]:
        metric = {"xnli": "accuracy", "pawsx": "accuracy", "tatoeba": "accuracy"}.get(target, "f1")
        add("xlmr", target, metric, value, HU, certainty)
        add("xlmr", target, "score", value, HU, certainty)
    for target, (em, f1) in {"xquad": (60.8, 76.6), "mlqa": (53.2, 71.6), "tydiqa": (45.0, 65.1)}.items():
        add("xlmr", target, "exact_match", em, HU)
        add("xlmr", target, "f1", f1, HU)
        add("xlmr", target, "score", round((em + f1) / 2, 4), HU, DERIVED, "(EM + F1) / 2")
    add("xlmr", "xtreme", "score", 68.2, HU, RECALLED,
        "XTREME paper; the 9-task mean of the values above gives 68.1 (DERIVED)")
    add("xlmr", "retrieval", "score", 61.65, HU, RECALLED, "mean(BUCC 66.0, Tatoeba 57.3), both RECALLED")

    # X-STILTs overall (leaderboard) and the retrieval tasks, of which only the sum is known
    add("xstilts", "xtreme", "score", 73.5, REMBERT, RECALLED,
        "leaderboard score; consistent with the 7 tasks of (i) if BUCC + Tatoeba = 152.9 (DERIVED)")
    add("xstilts", "retrieval_sum", "score", 152.9, REMBERT, DERIVED,
        "BUCC + Tatoeba implied by 73.5 and the 7 fine-tuned tasks of (i); per-task values not found")
    add("xstilts", "retrieval", "score", 76.5, REMBERT, RECALLED, "leaderboard retrieval category, recalled")
    add("xstilts", "xtreme_gain", "score", 5.4, ABSTRACT, VERIFIED,
        "best intermediate model per target vs XLM-R Large (68.2 -> about 73.5)")
    return rows


PUBLISHED: tuple[Published, ...] = tuple(_rows())


def lookup(model: str, target: str, metric: str = "score", source: str | None = None) -> Published | None:
    """The published entry for (model, target, metric), from `source` or the first source that has it
    (order of preference: RemBERT's leaderboard values, the XTREME paper, mT5, the abstract)."""
    order = (REMBERT, HU, MT5, ABSTRACT) if source is None else (source,)
    for src in order:
        for row in PUBLISHED:
            if (row.model, row.target, row.metric, row.source) == (model, target, metric, src):
                return row
    return None


def value(model: str, target: str, metric: str = "score", source: str | None = None) -> float | None:
    row = lookup(model, target, metric, source)
    return None if row is None else row.value


# Training-set sizes (English) for Table 1's "paper" column: (value, certainty, source).
TRAIN_SIZES: dict[str, tuple[int, str, str]] = {
    # intermediate tasks (paper.md §1a)
    "anli_plus": (1_104_934, DERIVED, "SNLI 549,367 + MNLI 392,702 + ANLI R1-R3 162,865"),
    "mnli": (392_702, VERIFIED, "standard MNLI train; RemBERT Table 11"),
    "qqp": (363_846, RECALLED, "paper.md §1a"),
    "squad_v1": (87_599, VERIFIED, "SQuAD v1.1 train; RemBERT Table 11"),
    "squad_v2": (130_319, RECALLED, "standard SQuAD v2.0 train (claims.md C18)"),
    "hellaswag": (39_905, RECALLED, "paper.md §1a"),
    "cosmosqa": (25_262, UNSURE, "HF count; the paper may say 25,588"),
    "commonsenseqa": (9_741, RECALLED, "paper.md §1a"),
    "ccg": (38_000, UNSURE, "about 38k sentences"),
    # targets: the English training data (RemBERT Table 11)
    "xnli": (392_702, VERIFIED, "MNLI; RemBERT Table 11"),
    "pawsx": (49_401, VERIFIED, "PAWS; RemBERT Table 11"),
    "udpos": (21_253, VERIFIED, "UD English; RemBERT Table 11"),
    "panx": (20_000, VERIFIED, "WikiAnn en; RemBERT Table 11"),
    "xquad": (87_599, VERIFIED, "SQuAD v1.1; RemBERT Table 11"),
    "mlqa": (87_599, VERIFIED, "SQuAD v1.1; RemBERT Table 11"),
    "tydiqa": (3_696, VERIFIED, "TyDiQA-GoldP en; RemBERT Table 11"),
}
