"""Sizes `repro plan` and `repro bench` price with: the paper's dataset sizes and token lengths per task."""

# Training-set sizes of the paper's runs (shared/reference/paper.md section 1: RemBERT Table 11 and the
# datasets' cards; CCG ~38k is approximate). Targets train on their English set (XNLI: MNLI, XQuAD: SQuAD v1.1).
PAPER_TRAIN = {
    "anli_plus": 1_104_934, "mnli": 392_702, "qqp": 363_846, "squad_v1": 87_599, "squad_v2": 130_319,
    "hellaswag": 39_905, "cosmosqa": 25_262, "commonsenseqa": 9_741, "ccg": 38_000,
    "xnli": 392_702, "pawsx": 49_401, "udpos": 21_253, "panx": 20_000, "xquad": 87_599, "tydiqa": 3_696,
    "xcopa": 33_410 + 400,  # XTREME-R's chain: SIQA's train set, then COPA's (the datasets' cards)
    # the dual encoders' English pairs: Mewsli-X's Wikipedia train pairs (mewsli-x.md), SQuAD v1.1's questions
    "mewslix": 167_719, "lareqa": 87_599,
}
# Evaluated examples per language, dev split where there is one (approximate averages over languages;
# retrieval: sentence pairs). English dev for selection is capped by the phase's eval_subset.
PAPER_EVAL = {
    "anli_plus": 3_200, "mnli": 9_815, "qqp": 40_430, "squad_v1": 10_570, "squad_v2": 11_873,
    "hellaswag": 10_042, "cosmosqa": 2_985, "commonsenseqa": 1_221, "ccg": 5_500,
    "xnli": 2_490, "pawsx": 2_000, "udpos": 1_000, "panx": 5_000, "xquad": 1_190, "mlqa": 600, "tydiqa": 560,
    "bucc2018": 2_000, "tatoeba": 1_000, "xcopa": 100,
    "mewslix": 272, "lareqa": 1_190,  # queries: WikiNews dev mentions (2,991 over 11 languages); XQuAD-R questions
}
# The candidates a dual-encoder target embeds once and every language ranks: Mewsli-X's entity set
# (mewsli-x.md), XQuAD-R's sentences over its 11 languages (lareqa README.md)
PAPER_POOL = {"mewslix": 1_003_893, "lareqa": 13_014}
# Mean XLM-R tokens of a dual encoder's (query, candidate): Mewsli-X a mention's sentence with the span twice
# (~30 words) and up to three description sentences (~60 words, cut at 64); LAReQA a question (~11 words) and its
# answer sentence followed by the paragraph (~150 words, cut at 256). Estimates, as SEQUENCE.
DUAL_SIDES = {"mewslix": (45, 64), "lareqa": (16, 240)}
# Mean XLM-R tokens per input sequence, and sequences per example (multiple choice: one per choice; QA:
# context windows per question). Estimates, not measurements: mean English words per example from the
# datasets' papers x ~1.3 SentencePiece tokens per word + special tokens, capped at the phase's max_length.
SEQUENCE = {
    "anli_plus": (46, 1),       # SNLI 14+8 words, MNLI 22+11, ANLI ~55+10, weighted by size
    "mnli": (48, 1),            # premise ~22 + hypothesis ~11 words
    "qqp": (33, 1),             # two questions of ~11 words
    "squad_v1": (200, 1.05),    # paragraph ~120 + question ~10 words; a few contexts need a second window
    "squad_v2": (200, 1.05),
    "hellaswag": (75, 4),       # context ~35 + ending ~20 words, 4 endings
    "cosmosqa": (120, 4),       # context ~70 + question ~10 + answer ~8 words, 4 answers
    "commonsenseqa": (22, 5),   # question ~13 + answer ~1.5 words, 5 answers
    "ccg": (34, 1),             # WSJ sentence ~24 words
    "xnli": (48, 1), "pawsx": (60, 1), "udpos": (20, 1), "panx": (14, 1),
    "xquad": (200, 1.05), "mlqa": (220, 1.1), "tydiqa": (190, 1.1),
    "bucc2018": (35, 2), "tatoeba": (14, 2),  # retrieval: both sentences of a pair are embedded
    "xcopa": (38, 3),           # SIQA dominates the chain: context ~12 + question ~7 + answer ~4 words, 3 answers
    # dual encoders: both sides of each pair (DUAL_SIDES' mean)
    "mewslix": (55, 2), "lareqa": (128, 2),
}
SMOKE_PRETRAIN_TOKENS = 24  # mean tokens per sentence of the smoke MLM corpus
