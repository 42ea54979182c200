"""Every dataset of the study as it lives on the Hugging Face Hub: schema, split names, and a converter.

Its `features` are the Hub schema; the smoke world writes exactly this schema, release-format loaders convert
to it, and `repro data` checks Hub downloads against it. Hub id, config and pinned revision come from params
(the single source of truth); a `Source` only knows the shape of the data and how to name a language's
config. Adding a dataset is one entry here. Every `to_example` maps a Hub row to the canonical example of its
task's kind (`repro.kinds`):
  classification  {text_a, text_b, label}          multiple_choice {context, choices, label}
  extractive_qa   {id, context, question, answers}   tagging         {tokens, tags}
  retrieval       {source_sentence, target_sentence} (Tatoeba: row i of both sides a pair)
                  {id, sentence, language, gold} (BUCC: one sentence of either side; gold: its English ids)
  dual_encoder    {id, query, candidate, candidate_id} (a training pair: Mewsli-X's Wikipedia pairs; SQuAD's QA
                  examples become pairs in repro.kinds.dual_encoder), {id, query, gold} (a Mewsli-X mention),
                  {id, text} (an entity of the candidate set), {id, question, language, context_id, context,
                  sentences, answer_sentence} (an XQuAD-R question with its paragraph's sentences)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from datasets import ClassLabel, Features, List, Value

from repro.tasks.labels import NLI_LABELS, PANX_TAGS, UPOS_TAGS

# ---------------------------------------------------------------------------------------------------------
# Hub schemas (datasets 5.x feature types), as published by each Hub repository.

_SQUAD = Features({
    "id": Value("string"), "title": Value("string"), "context": Value("string"), "question": Value("string"),
    "answers": {"text": List(Value("string")), "answer_start": List(Value("int32"))},
})
_XTREME_QA = Features({
    "id": Value("string"), "title": Value("string"), "context": Value("string"), "question": Value("string"),
    "answers": {"answer_start": List(Value("int32")), "text": List(Value("string"))},
})
_XQUAD = Features({
    "id": Value("string"), "context": Value("string"), "question": Value("string"),
    "answers": {"answer_start": List(Value("int32")), "text": List(Value("string"))},
})
_NLI = Features({
    "premise": Value("string"), "hypothesis": Value("string"), "label": ClassLabel(names=list(NLI_LABELS)),
})
# BUCC 2018 in its release format, which alone keeps the sentences without a translation (google/xtreme's bucc18
# configs hold only the gold pairs): one row per sentence of either side, the non-English side first, each in file
# order. `language` is the side (the language code of its file: `de`, ..., or `en`); `gold` lists the English ids
# the gold file pairs a sentence with, on non-English rows only (empty for a distractor and for every English row).
# One table per split keeps `data.read` and the parquet-per-split layout unchanged; the gold pairs travel with
# their sentences.
_BUCC = Features({
    "id": Value("string"), "sentence": Value("string"), "language": Value("string"), "gold": List(Value("string")),
})
# Mewsli-X (google-research dense_representations_for_entity_retrieval/mel/mewsli-x.md) and XQuAD-R
# (google-research-datasets/lareqa) have no Hub copy: these are their release files flattened into one table per split
# (repro.data.loaders.mewslix, .xquad_r), the character offsets of the release kept. An entity (a line of
# candidate_set_entities.jsonl, or a Wikipedia pair's `entity`) has its description's sentence spans; a mention (one
# of `mentions` of a WikiNews line, or a Wikipedia pair's `contextual_mention`) its context's, and its span.
_ENTITY = {
    "entity_id": Value("string"), "entity_title": Value("string"), "entity_description": Value("string"),
    "entity_language": Value("string"), "entity_sentence_starts": List(Value("int32")),
    "entity_sentence_ends": List(Value("int32")),
}
_MENTION = {
    "example_id": Value("string"), "language": Value("string"), "document_id": Value("string"),
    "context": Value("string"), "sentence_starts": List(Value("int32")), "sentence_ends": List(Value("int32")),
    "mention": Value("string"), "mention_start": Value("int32"), "mention_end": Value("int32"),
    "entity_id": Value("string"),
}
# XQuAD-R: one row per question; `paragraph` numbers the file's paragraphs from 1 in order (utils_lareqa's
# context ids), `sentence_*` its `sentence_breaks`
_XQUAD_R = Features({
    "id": Value("string"), "language": Value("string"), "title": Value("string"), "paragraph": Value("int32"),
    "context": Value("string"), "sentence_starts": List(Value("int32")), "sentence_ends": List(Value("int32")),
    "question": Value("string"), "answer_start": Value("int32"), "answer_text": Value("string"),
})
_BITEXT = Features({
    "source_sentence": Value("string"), "target_sentence": Value("string"),
    "source_lang": Value("string"), "target_lang": Value("string"),
})

# google/xtreme names some configs by language name or ISO-639-3 code rather than the XTREME 2-letter code.
UDPOS_CONFIG_NAMES = {
    "af": "Afrikans",  # sic: the Hub config id carries this typo
    "ar": "Arabic", "bg": "Bulgarian", "de": "German", "el": "Greek", "en": "English", "es": "Spanish",
    "et": "Estonian", "eu": "Basque", "fa": "Persian", "fi": "Finnish", "fr": "French", "he": "Hebrew",
    "hi": "Hindi", "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese", "kk": "Kazakh",
    "ko": "Korean", "mr": "Marathi", "nl": "Dutch", "pt": "Portuguese", "ru": "Russian", "ta": "Tamil",
    "te": "Telugu", "th": "Thai", "tl": "Tagalog", "tr": "Turkish", "ur": "Urdu", "vi": "Vietnamese",
    "yo": "Yoruba", "zh": "Chinese",
}
TATOEBA_ISO3 = {
    "af": "afr", "ar": "ara", "bg": "bul", "bn": "ben", "de": "deu", "el": "ell", "es": "spa", "et": "est",
    "eu": "eus", "fa": "pes", "fi": "fin", "fr": "fra", "he": "heb", "hi": "hin", "hu": "hun", "id": "ind",
    "it": "ita", "ja": "jpn", "jv": "jav", "ka": "kat", "kk": "kaz", "ko": "kor", "ml": "mal", "mr": "mar",
    "nl": "nld", "pt": "por", "ru": "rus", "sw": "swh", "ta": "tam", "te": "tel", "th": "tha", "tl": "tgl",
    "tr": "tur", "ur": "urd", "vi": "vie", "zh": "cmn",
    "az": "aze", "lt": "lit", "pl": "pol", "uk": "ukr", "ro": "ron",  # XTREME-R's additions (LASER's file names)
}
TYDIQA_ID_PREFIX = {
    "ar": "arabic", "bn": "bengali", "en": "english", "fi": "finnish", "id": "indonesian", "ko": "korean",
    "ru": "russian", "sw": "swahili", "te": "telugu",
}


@dataclass(frozen=True)
class Source:
    """A dataset's shape on the Hub: schema, split names, and how a language picks its config or rows."""

    features: Features
    splits: dict[str, str]  # our split name (train/validation/test) -> the Hub's split name
    to_example: Callable[[dict], dict]
    config: str | None = None  # Hub config; "{lang}" / "{udpos}" / "{iso3}" are filled per language
    row_filter: Callable[[dict, str], bool] | None = None  # for configs holding every language in one table
    drop: Callable[[dict], bool] | None = None  # rows kept as shipped but never read (SNLI's label -1)

    @property
    def per_language(self) -> bool:
        """Whether the Hub keeps one table per language (or marks rows by language)."""
        return self.row_filter is not None or (self.config is not None and "{" in self.config)

    def config_for(self, lang: str | None) -> str | None:
        """The Hub config name for one language (or the only config)."""
        if self.config is None or lang is None:
            return self.config
        return self.config.format(lang=lang, udpos=UDPOS_CONFIG_NAMES.get(lang, lang),
                                  iso3=TATOEBA_ISO3.get(lang, lang))


def _pair(a: str, b: str, names: tuple[str, ...] | None = None, col: str = "label"):
    """Sentence-pair row -> classification example; string labels are looked up in `names`."""
    def convert(row: dict) -> dict:
        label = row[col]
        return {"text_a": row[a], "text_b": row[b], "label": names.index(label) if names else int(label)}
    return convert


def _qa(row: dict) -> dict:
    return {"id": row["id"], "context": row["context"], "question": row["question"],
            "answers": {"text": list(row["answers"]["text"]),
                        "answer_start": [int(s) for s in row["answers"]["answer_start"]]}}


def anchored(context: str, text: str, start: int) -> int:
    """Where an answer `text` sits in `context`: at `start` if it is there, else at its occurrence nearest to
    `start` (the earlier one on a tie: a stripped prefix moves answers left), -1 if the context lacks it."""
    if context.startswith(text, start):
        return start
    found, at = [], context.find(text)
    while at >= 0:
        found.append(at)
        at = context.find(text, at + 1)
    return min(found, key=lambda at: (abs(at - start), at > start)) if found else -1


def _tydiqa(row: dict) -> dict:
    """google/xtreme's TyDiQA builder strips each context but keeps the offsets into the unstripped one, so the
    answers of a context that began with whitespace point past their text: each answer is re-anchored at its
    text (`anchored`). One its context lacks gets offset -1: never trained on (jiant skips such an example,
    squad_style/core.py:100-107), still a question in evaluation. The release files' exact offsets stay."""
    example = _qa(row)
    answers = example["answers"]
    answers["answer_start"] = [anchored(example["context"], text, start)
                               for text, start in zip(answers["text"], answers["answer_start"])]
    return example


def _tags(tokens: str, tags: str, names: tuple[str, ...] | None):
    def convert(row: dict) -> dict:
        values = row[tags]
        return {"tokens": list(row[tokens]), "tags": [names[t] if names else t for t in values]}
    return convert


def xtreme_ud_token(form: str) -> str:
    """A UD form as XTREME scores it: U+200C (ZWNJ) and spaces removed (google-research/xtreme
    utils_preprocess.py:221 `remove_empty_space`; jiant dl_datasets/xtreme.py:109), e.g. `sinh viên` -> `sinhviên`."""
    return form.replace("\u200c", "").replace(" ", "")


def _udpos(row: dict) -> dict:
    """google/xtreme's UD-POS rows keep the syntactic words of multiword tokens and drop `_` forms one by one
    (its loading script; the sentences XTREME drops cannot be told apart any more); the token rule still applies."""
    example = _tags("tokens", "pos_tags", UPOS_TAGS)(row)
    return {**example, "tokens": [xtreme_ud_token(token) for token in example["tokens"]]}


def _bitext(row: dict) -> dict:
    # google/xtreme keeps each Tatoeba line's trailing newline; the release files do not
    return {"source_sentence": row["source_sentence"].strip(), "target_sentence": row["target_sentence"].strip()}


def _bucc(row: dict) -> dict:
    return {"id": row["id"], "sentence": row["sentence"], "language": row["language"], "gold": list(row["gold"])}


# Mewsli-X's baseline text (google-research/xtreme third_party/utils_mewslix.py `preprocess_mention`,
# `preprocess_entity_description`): the mention's sentence with the span in braces, the span repeated in front
_MARKED = re.compile(r"\{(.*?)\}")


def _normalized(text: str) -> str:
    return " ".join(text.splitlines()).replace("  ", " ").strip()


def mention_query(row: dict) -> str:
    """`preprocess_mention`: "<span>: <left> { <span> } <right>" over the one sentence that holds the span (braces
    already in the sentence become parentheses); the whole context where no sentence holds it."""
    start, end = row["mention_start"], row["mention_end"]
    sentence = next(((a, b) for a, b in zip(row["sentence_starts"], row["sentence_ends"])
                     if a <= start < b and a < end <= b), (0, len(row["context"])))
    left = _MARKED.sub(r"(\1)", row["context"][sentence[0]:start])
    right = _MARKED.sub(r"(\1)", row["context"][end:sentence[1]])
    return _normalized(f"{row['mention']}: {left} {{ {row['mention']} }} {right}")


def entity_text(row: dict) -> str:
    """`preprocess_entity_description`: the description's sentences joined by spaces, newlines flattened."""
    text = row["entity_description"]
    return _normalized(" ".join(text[a:b] for a, b in zip(row["entity_sentence_starts"], row["entity_sentence_ends"])))


def _mewslix_pair(row: dict) -> dict:
    return {"id": row["example_id"], "query": mention_query(row), "candidate": entity_text(row),
            "candidate_id": row["entity_id"]}


def _mewslix_mention(row: dict) -> dict:
    return {"id": row["example_id"], "query": mention_query(row), "gold": [row["entity_id"]]}


def _xquad_r(row: dict) -> dict:
    """A question with its paragraph's sentences (utils_lareqa `load_data`): the context id `<lang>_<paragraph>`,
    the answer sentence the first whose span holds the answer start (None if none does: not a query there)."""
    spans = list(zip(row["sentence_starts"], row["sentence_ends"]))
    context = row["context"]
    answer = next((context[a:b] for a, b in spans if a <= row["answer_start"] < b), None)
    return {"id": row["id"], "question": row["question"], "language": row["language"],
            "context_id": f"{row['language']}_{row['paragraph']}", "context": context,
            "sentences": [context[a:b] for a, b in spans], "answer_sentence": answer}


def _hellaswag(row: dict) -> dict:
    """`ctx_a` is the first segment, `ctx_b` + " " + ending each choice (jiant tasks/lib/hellaswag.py:56-57)."""
    return {"context": row["ctx_a"], "choices": [row["ctx_b"] + " " + ending for ending in row["endings"]],
            "label": int(row["label"])}


def _cosmosqa(row: dict) -> dict:
    return {"context": row["context"] + " " + row["question"],
            "choices": [row[f"answer{i}"] for i in range(4)], "label": int(row["label"])}


def _siqa(row: dict) -> dict:
    """`context question` against each answer, labels "1"-"3" (google-research/xtreme third_party/run_xcopa.py)."""
    return {"context": f"{row['context']} {row['question']}", "choices": [row[f"answer{c}"] for c in "ABC"],
            "label": int(row["label"]) - 1}


def _copa(row: dict) -> dict:
    """`premise What was the cause|effect?` against each choice, as XTREME-R's run_xcopa.py builds it."""
    return {"context": f"{row['premise']} What was the {row['question']}?",
            "choices": [row["choice1"], row["choice2"]], "label": int(row["label"])}


def _commonsenseqa(row: dict) -> dict:
    return {"context": row["question"], "choices": list(row["choices"]["text"]),
            "label": list(row["choices"]["label"]).index(row["answerKey"])}


_TRAIN_DEV = {"train": "train", "validation": "validation"}
_DEV_TEST = {"validation": "validation", "test": "test"}
_ALL = {"train": "train", "validation": "validation", "test": "test"}

SOURCES: dict[str, Source] = {
    # --- English intermediate-task data -------------------------------------------------------------
    "mnli": Source(
        Features({**_NLI, "idx": Value("int32")}), {"train": "train", "validation": "validation_matched"},
        _pair("premise", "hypothesis"), config="mnli"),
    "snli": Source(_NLI, _TRAIN_DEV, _pair("premise", "hypothesis"), drop=lambda r: r["label"] < 0),
    **{f"anli_r{r}": Source(
        Features({"uid": Value("string"), **_NLI, "reason": Value("string")}),
        {"train": f"train_r{r}", "validation": f"dev_r{r}"}, _pair("premise", "hypothesis"))
       for r in (1, 2, 3)},
    "qqp": Source(
        Features({"question1": Value("string"), "question2": Value("string"),
                  "label": ClassLabel(names=["not_duplicate", "duplicate"]), "idx": Value("int32")}),
        _TRAIN_DEV, _pair("question1", "question2"), config="qqp"),
    "squad_v1": Source(_SQUAD, _TRAIN_DEV, _qa),
    "squad_v2": Source(_SQUAD, _TRAIN_DEV, _qa),
    "hellaswag": Source(
        Features({"ind": Value("int32"), "activity_label": Value("string"), "ctx_a": Value("string"),
                  "ctx_b": Value("string"), "ctx": Value("string"), "endings": List(Value("string")),
                  "source_id": Value("string"), "split": Value("string"), "split_type": Value("string"),
                  "label": Value("string")}),
        _TRAIN_DEV, _hellaswag),
    "cosmosqa": Source(
        Features({"id": Value("string"), "context": Value("string"), "question": Value("string"),
                  **{f"answer{i}": Value("string") for i in range(4)}, "label": Value("int32")}),
        _TRAIN_DEV, _cosmosqa),
    "commonsenseqa": Source(
        Features({"id": Value("string"), "question": Value("string"), "question_concept": Value("string"),
                  "choices": {"label": List(Value("string")), "text": List(Value("string"))},
                  "answerKey": Value("string")}),
        _TRAIN_DEV, _commonsenseqa),
    # CCGbank (LDC2005T13) has no Hub copy: it is read from the user's licensed AUTO files (repro.data.loaders).
    "ccg": Source(Features({"tokens": List(Value("string")), "tags": List(Value("string"))}),
                  _ALL, _tags("tokens", "tags", None)),
    # --- XCOPA's English training, as XTREME-R does it (scripts/train_xcopa.sh: SIQA, then COPA) ---------------
    # Schemas from the dataset cards (the Hub cannot be reached from this workplace; `repro data` checks a download
    # against them): allenai/social_i_qa (labels "1"-"3"), aps/super_glue `copa` (its unlabelled test split is not read).
    "siqa": Source(
        Features({"context": Value("string"), "question": Value("string"),
                  **{f"answer{c}": Value("string") for c in "ABC"}, "label": Value("string")}),
        _TRAIN_DEV, _siqa),
    "copa": Source(
        Features({"premise": Value("string"), "choice1": Value("string"), "choice2": Value("string"),
                  "question": Value("string"), "idx": Value("int32"),
                  "label": ClassLabel(names=["choice1", "choice2"])}),
        _TRAIN_DEV, _copa, config="copa"),
    # --- XTREME-R's additions: XCOPA (cambridgeltl/xcopa, one config per language; its card's schema) ----------
    "xcopa": Source(
        Features({"premise": Value("string"), "choice1": Value("string"), "choice2": Value("string"),
                  "question": Value("string"), "label": Value("int32"), "idx": Value("int32"),
                  "changed": Value("bool")}),
        _DEV_TEST, _copa, config="{lang}"),
    # --- XTREME-R's dual-encoder targets: release files only (no Hub copy; repro.params.LOCAL_ONLY) --------------
    # Mewsli-X: English Wikipedia pairs (train, dev) to fine-tune on; WikiNews mentions (dev, test) per language;
    # the one candidate set of entities every language ranks (our split `test`)
    "mewslix_pairs": Source(Features({**_MENTION, **{k: v for k, v in _ENTITY.items() if k != "entity_id"}}),
                            _TRAIN_DEV, _mewslix_pair),
    "mewslix": Source(Features(_MENTION), _DEV_TEST, _mewslix_mention, config="{lang}"),
    "mewslix_entities": Source(Features(_ENTITY), {"test": "test"},
                               lambda row: {"id": row["entity_id"], "text": entity_text(row)}),
    "xquad_r": Source(_XQUAD_R, {"validation": "validation"}, _xquad_r, config="{lang}"),
    # --- XTREME (google/xtreme), one config per language unless noted --------------------------------
    "xnli": Source(  # one config with every language; rows carry their language
        Features({"language": Value("string"), "sentence1": Value("string"), "sentence2": Value("string"),
                  "gold_label": Value("string")}),
        _DEV_TEST, _pair("sentence1", "sentence2", NLI_LABELS, col="gold_label"), config="XNLI",
        row_filter=lambda row, lang: row["language"] == lang),
    "pawsx": Source(
        Features({"sentence1": Value("string"), "sentence2": Value("string"), "label": Value("string")}),
        _ALL, _pair("sentence1", "sentence2"), config="PAWS-X.{lang}"),
    "udpos": Source(
        Features({"tokens": List(Value("string")), "pos_tags": List(ClassLabel(names=list(UPOS_TAGS)))}),
        _ALL, _udpos, config="udpos.{udpos}"),
    "panx": Source(
        Features({"tokens": List(Value("string")), "ner_tags": List(ClassLabel(names=list(PANX_TAGS))),
                  "langs": List(Value("string"))}),
        _ALL, _tags("tokens", "ner_tags", PANX_TAGS), config="PAN-X.{lang}"),
    "xquad": Source(_XQUAD, {"validation": "validation"}, _qa, config="XQuAD.{lang}"),
    "mlqa": Source(_XTREME_QA, _DEV_TEST, _qa, config="MLQA.{lang}.{lang}"),
    "tydiqa": Source(  # one config with every language; the id starts with the language's name
        _XTREME_QA, _TRAIN_DEV, _tydiqa, config="tydiqa",
        row_filter=lambda row, lang: row["id"].startswith(TYDIQA_ID_PREFIX[lang] + "-")),
    # BUCC 2018 from the release files only (repro.data.loaders.bucc; the Hub's gold-only bucc18.{lang} is refused
    # by `repro data`): the release's `sample` is our validation, its `training` our test, as jiant and XTREME do.
    "bucc2018": Source(_BUCC, _DEV_TEST, _bucc, config="bucc18.{lang}"),
    "tatoeba": Source(_BITEXT, {"validation": "validation"}, _bitext, config="tatoeba.{iso3}"),
    # --- Table 4's alternatives: translated intermediate data, multilingual MLM text ---------------------
    # facebook/xnli's train split of a language is MNLI machine-translated into it (XTREME's translate-train).
    "mnli_translated": Source(_NLI, {"train": "train"}, _pair("premise", "hypothesis"), config="{lang}"),
    # XTREME's translate-train SQuAD v1.1 has no Hub copy: a local path to squad.translate.train.en-<lang>.json.
    "squad_v1_translated": Source(_SQUAD, {"train": "train"}, _qa, config="{lang}"),
    # Wikipedia in each language, one article per row (jiant's mlm_simple truncates each to max_length).
    "multilingual_text": Source(
        Features({"id": Value("string"), "url": Value("string"), "title": Value("string"), "text": Value("string")}),
        {"train": "train"}, lambda row: {"text": row["text"]}, config="20231101.{lang}"),
}


def dataset_key(source: str, lang: str | None = None) -> str:
    """The name of one materialized dataset: `mnli`, `xnli.de`, `tatoeba.zh`."""
    return source if lang is None else f"{source}.{lang}"
