"""The task registry: every dataset and task of the study as one small declarative entry.

Two kinds of entries:
- `Source`: a dataset as it lives on the Hugging Face Hub. Its `features` are the Hub schema; the smoke
  world writes exactly this schema, release-format loaders convert to it, and `repro data` checks Hub
  downloads against it. Hub id, config and pinned revision come from params (the single source of truth);
  the registry only knows the shape of the data and how to name a language's config.
- `Task`: what a phase trains or evaluates: its format, labels, metric and which sources feed it.

Adding a task is adding one `Task` (and a `Source` if its data is new). Every `to_example` maps a Hub row to
the canonical example of the task's format:
  classification  {text_a, text_b, label}          multiple_choice {context, choices, label}
  extractive_qa   {id, context, question, answers}   tagging         {tokens, tags}
  retrieval       {source_sentence, target_sentence}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal

from datasets import ClassLabel, Features, List, Value

Format = Literal["classification", "multiple_choice", "extractive_qa", "tagging", "retrieval"]

NLI_LABELS = ("entailment", "neutral", "contradiction")
UPOS_TAGS = ("ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN",
             "PUNCT", "SCONJ", "SYM", "VERB", "X")
PANX_TAGS = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")

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


def _tags(tokens: str, tags: str, names: tuple[str, ...] | None):
    def convert(row: dict) -> dict:
        values = row[tags]
        return {"tokens": list(row[tokens]), "tags": [names[t] if names else t for t in values]}
    return convert


def _bitext(row: dict) -> dict:
    # google/xtreme keeps each Tatoeba line's trailing newline; the release files do not
    return {"source_sentence": row["source_sentence"].strip(), "target_sentence": row["target_sentence"].strip()}


def _hellaswag(row: dict) -> dict:
    return {"context": row["ctx"], "choices": list(row["endings"]), "label": int(row["label"])}


def _cosmosqa(row: dict) -> dict:
    return {"context": row["context"] + " " + row["question"],
            "choices": [row[f"answer{i}"] for i in range(4)], "label": int(row["label"])}


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
    # CCGbank (LDC2005T13) has no Hub copy: it is read from the user's licensed AUTO files (repro.loaders).
    "ccg": Source(Features({"tokens": List(Value("string")), "tags": List(Value("string"))}),
                  _ALL, _tags("tokens", "tags", None)),
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
        _ALL, _tags("tokens", "pos_tags", UPOS_TAGS), config="udpos.{udpos}"),
    "panx": Source(
        Features({"tokens": List(Value("string")), "ner_tags": List(ClassLabel(names=list(PANX_TAGS))),
                  "langs": List(Value("string"))}),
        _ALL, _tags("tokens", "ner_tags", PANX_TAGS), config="PAN-X.{lang}"),
    "xquad": Source(_XQUAD, {"validation": "validation"}, _qa, config="XQuAD.{lang}"),
    "mlqa": Source(_XTREME_QA, _DEV_TEST, _qa, config="MLQA.{lang}.{lang}"),
    "tydiqa": Source(  # one config with every language; the id starts with the language's name
        _XTREME_QA, _TRAIN_DEV, _qa, config="tydiqa",
        row_filter=lambda row, lang: row["id"].startswith(TYDIQA_ID_PREFIX[lang] + "-")),
    "bucc2018": Source(_BITEXT, _DEV_TEST, _bitext, config="bucc18.{lang}"),
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


@dataclass(frozen=True)
class Task:
    """One task of the study: how it is trained (English sources) and evaluated (per language)."""

    id: str
    format: Format
    metric: str  # a key of repro.metrics' metric table
    train: tuple[str, ...] = ()  # English training sources (several = one shared head, proportional sampling)
    evaluate: str | None = None  # per-language evaluation source (targets); None: English dev of `train`
    labels: tuple[str, ...] = ()  # classification classes; tagging label sets come from the data (CCG)
    num_choices: int = 0
    version_2: bool = False  # SQuAD v2 style: questions may have no answer
    group: str = ""  # XTREME category of a target
    shares_training_with: str | None = None  # e.g. mlqa reuses xquad's SQuAD v1.1 fine-tune
    label_names_from_data: bool = False
    extra: dict = field(default_factory=dict)


INTERMEDIATE_TASKS: dict[str, Task] = {t.id: t for t in [
    Task("anli_plus", "classification", "accuracy",
         train=("snli", "mnli", "anli_r1", "anli_r2", "anli_r3"), labels=NLI_LABELS),
    Task("mnli", "classification", "accuracy", train=("mnli",), labels=NLI_LABELS),
    Task("qqp", "classification", "accuracy", train=("qqp",), labels=("not_duplicate", "duplicate")),
    Task("squad_v1", "extractive_qa", "squad", train=("squad_v1",)),
    Task("squad_v2", "extractive_qa", "squad", train=("squad_v2",), version_2=True),
    Task("hellaswag", "multiple_choice", "accuracy", train=("hellaswag",), num_choices=4),
    Task("cosmosqa", "multiple_choice", "accuracy", train=("cosmosqa",), num_choices=4),
    Task("commonsenseqa", "multiple_choice", "accuracy", train=("commonsenseqa",), num_choices=5),
    Task("ccg", "tagging", "accuracy", train=("ccg",), label_names_from_data=True),
]}

TARGET_TASKS: dict[str, Task] = {t.id: t for t in [
    Task("xnli", "classification", "accuracy", train=("mnli",), evaluate="xnli", labels=NLI_LABELS,
         group="sentence_pair"),
    Task("pawsx", "classification", "accuracy", train=("pawsx",), evaluate="pawsx", labels=("0", "1"),
         group="sentence_pair"),
    Task("udpos", "tagging", "f1", train=("udpos",), evaluate="udpos", labels=UPOS_TAGS,
         group="structured_prediction"),
    Task("panx", "tagging", "f1", train=("panx",), evaluate="panx", labels=PANX_TAGS,
         group="structured_prediction"),
    Task("xquad", "extractive_qa", "squad", train=("squad_v1",), evaluate="xquad", group="question_answering"),
    Task("mlqa", "extractive_qa", "mlqa", train=("squad_v1",), evaluate="mlqa", group="question_answering",
         shares_training_with="xquad"),
    Task("tydiqa", "extractive_qa", "squad", train=("tydiqa",), evaluate="tydiqa", group="question_answering"),
    Task("bucc2018", "retrieval", "bucc_f1", evaluate="bucc2018", group="sentence_retrieval"),
    Task("tatoeba", "retrieval", "accuracy", evaluate="tatoeba", group="sentence_retrieval"),
]}

MULTITASK = "multitask"
BASELINE = "none"
INTERMEDIATE_IDS = (BASELINE, *INTERMEDIATE_TASKS, MULTITASK)  # the rows of the paper's Table 2

# Table 4: an alternative is an intermediate task trained another way, its encoder named "<task>+<variant>":
#   mlm         + multilingual masked-LM batches (multi-task, an MLM head on `multilingual_text`)
#   translated  + the task's training data machine-translated into the languages of the target it feeds
VARIANTS = ("mlm", "translated")
TRANSLATIONS = {"mnli": ("mnli_translated", "xnli"), "squad_v1": ("squad_v1_translated", "xquad")}
MLM_TEXT = "multilingual_text"
MLM_LANGUAGES_OF = ("xnli", "xquad")  # the MLM text covers these targets' non-English languages


@dataclass(frozen=True)
class Alternative:
    id: str  # e.g. "mnli+translated"
    task: str
    variant: str

    @staticmethod
    def parse(encoder_id: str) -> "Alternative | None":
        """The alternative an encoder id names, None for a plain one (none, a task, multitask); ValueError when
        it names an unknown task or variant, or a translation that does not exist."""
        if "+" not in encoder_id:
            return None
        task, variant = encoder_id.split("+", 1)
        if task not in INTERMEDIATE_TASKS:
            raise ValueError(f"{encoder_id}: unknown intermediate task {task!r}")
        if variant not in VARIANTS:
            raise ValueError(f"{encoder_id}: unknown variant {variant!r}; known: {', '.join(VARIANTS)}")
        if variant == "translated" and task not in TRANSLATIONS:
            raise ValueError(f"{encoder_id}: no translated data for {task}; known: {', '.join(TRANSLATIONS)}")
        return Alternative(encoder_id, task, variant)


def target(task_id: str) -> Task:
    """Look up a target task, with a one-line error naming the unknown id."""
    if task_id not in TARGET_TASKS:
        raise KeyError(f"unknown target task {task_id!r}; known: {', '.join(TARGET_TASKS)}")
    return TARGET_TASKS[task_id]


def intermediate(task_id: str) -> Task:
    """Look up an intermediate task, with a one-line error naming the unknown id."""
    if task_id not in INTERMEDIATE_TASKS:
        raise KeyError(f"unknown intermediate task {task_id!r}; known: {', '.join(INTERMEDIATE_TASKS)}")
    return INTERMEDIATE_TASKS[task_id]


def dataset_key(source: str, lang: str | None = None) -> str:
    """The name of one materialized dataset: `mnli`, `xnli.de`, `tatoeba.zh`."""
    return source if lang is None else f"{source}.{lang}"
