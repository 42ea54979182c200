"""params.yaml's `code` section: the code-generation study (issue 11) of a profile, validated like the rest.

A decoder (pretrained here for the smoke world, or a Hub checkpoint at a pinned revision), its intermediate arms
cast as text-to-text at one equal budget, generation and execution settings, and the benchmarks' languages.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from repro.params import Count, Fraction, NonNegative, Positive, Strict
from repro.suites import humaneval_x, humaneval_xl

# The arms beside the text-to-text intermediate tasks: the pretrained decoder itself and the LM control (the same
# budget of plain language modelling on CNN/DailyMail articles).
NO_INTERMEDIATE, LM_CONTROL, MULTITASK = "none", "lm_control", "multitask"
# text-to-text intermediate tasks -> the sources they read (ANLI+ as the paper's: SNLI, MNLI, ANLI R1-R3)
TEXT_TASKS = {
    "mnli": ("mnli",), "qqp": ("qqp",), "squad_v1": ("squad_v1",), "squad_v2": ("squad_v2",),
    "hellaswag": ("hellaswag",), "cosmosqa": ("cosmosqa",), "commonsenseqa": ("commonsenseqa",),
    "anli_plus": ("snli", "mnli", "anli_r1", "anli_r2", "anli_r3"), "cnn_dailymail": ("cnn_dailymail",),
}
SUMMARIZATION = "cnn_dailymail"
# English vs English + its machine translations at the same budget (the translate-train data the paper's Table 4
# reads: repro.tasks.alternatives.TRANSLATIONS), for the tasks that have them
TRANSLATED = {"mnli+translated": "mnli", "squad_v1+translated": "squad_v1"}
# the negative control: CNN/DailyMail as the smoke world writes it with every operation word of its code explainers
# paired with another operation (repro/studies/code/smoke/problems.py DERANGEMENT); the smoke world's alone
SHUFFLED = {"cnn_dailymail+shuffled": SUMMARIZATION}
# tasks whose translations are the code study's own data (the smoke world writes CNN/DailyMail in each non-English
# prompt language of HumanEval-XL), not the profile's translate-train sources
OWN_TRANSLATIONS = (SUMMARIZATION,)
# translations only (no English), in one or several languages: params spell it `<task>.<lang>[.<lang>...]` (a DVC
# matrix value cannot hold `@`: DVC splits a stage name at its last `@`), results `<task>@<lang>[,<lang>...]`
ONLY = "."
PRIMARY_FIELDS = {"contrast", "task", "group", "benchmark", "programming_language", "natural_language", "model",
                  "target_phase", "estimand"}


def translations_only(arm: str) -> tuple[str, list[str]] | None:
    """(task, languages) of a translations-only arm (`mnli.de.zh`), None for any other arm."""
    if ONLY not in arm:
        return None
    task, *languages = arm.split(ONLY)
    return task, languages


def article_variants(arm: str) -> list[str] | None:
    """The code study's own CNN/DailyMail sets an arm reads in place of the English one (repro.studies.code.paths
    `articles_file`): its languages (`cnn_dailymail.de`), the deranged control; None for every other arm."""
    from repro.studies.code.paths import SHUFFLED_VARIANT

    only = translations_only(arm)
    if only is not None and only[0] in OWN_TRANSLATIONS:
        return only[1]
    return [SHUFFLED_VARIANT] if arm in SHUFFLED else None


def arm_name(arm: str) -> str:
    """An arm as results name it: `mnli.de.zh` -> `mnli@de,zh`; every other arm as params spell it."""
    only = translations_only(arm)
    return arm if only is None else f"{only[0]}@{','.join(only[1])}"


class TinyDecoder(Strict):
    """The smoke world's decoder: a Qwen2-architecture causal LM with a byte-level BPE, trained here."""

    vocab_size: Count
    hidden_size: Count
    layers: Count
    heads: Count
    kv_heads: Count
    intermediate_size: Count
    max_length: Count
    epochs: Positive
    learning_rate: Positive
    batch_size: Count


# what a tiny decoder pretrains on, by its domain: the code model reads documented code and text, the general one
# text alone
CORPUS_SOURCES = {"code": {"code", "text"}, "general": {"text"}}


class DecoderModel(Strict):
    """One decoder of the study: a code model or a general (non-code) one of the same size; a Hub checkpoint at a
    pinned revision, or a tiny one trained here (`code`: on the smoke world's code corpus and text; `general`: on
    its text alone)."""

    family: Literal["decoder"] = "decoder"
    domain: Literal["code", "general"] = "code"
    hub: str | None = None
    revision: str | None = None
    pretrain: TinyDecoder | None = None

    @property
    def corpus_sources(self) -> set[str]:
        """The smoke corpus's row sources a tiny decoder of this domain pretrains on."""
        return CORPUS_SOURCES[self.domain]

    @model_validator(mode="after")
    def _one_kind(self) -> DecoderModel:
        if (self.hub is None) == (self.pretrain is None):
            raise ValueError("set exactly one of `hub` (with `revision`) or `pretrain`")
        if self.hub is not None and not self.revision:
            raise ValueError("a hub model needs a pinned `revision`")
        return self


class Budget(Strict):
    """One budget for every intermediate arm: optimizer steps (of `batch_size` examples), or loss tokens (the
    target tokens: whole batches up to the first that reaches `value`; each arm's log records both)."""

    unit: Literal["steps", "tokens"] = "steps"
    value: Count


class Training(Strict):
    learning_rate: Positive
    batch_size: Count
    max_length: Count
    # target tokens kept; the prompt is cut to the rest of max_length: an article at its end (its lead and the
    # TL;DR cue kept), any other prompt at its start (repro.kinds.text_to_text.fit)
    target_length: Count = 128
    warmup_ratio: Fraction = 0.1
    weight_decay: NonNegative = 0.01
    lora: bool = False  # LoRA adapters (peft) instead of full fine-tuning
    lora_rank: Count = 16
    # gradient checkpointing (recompute each layer in the backward: the same gradients, ~1/3 more compute)
    checkpointing: bool = True
    # the LM head over the label positions only (a prompt's carry no loss): the same loss without the
    # batch x length x vocabulary logits (repro.models.decoder.label_loss)
    label_logits: bool = True


class TargetPhase(Strict):
    """Phase 3, the English target task: Python code generation fine-tuned on MBPP's train split (its English
    descriptions; the smoke world's MBPP-schema set), the same for every arm and model, before zero-shot
    evaluation on the other programming and prompt languages."""

    steps: Count  # optimizer steps of `batch_size` examples (the train split repeated as needed)
    learning_rate: Positive
    batch_size: Count
    max_length: Count
    warmup_ratio: Fraction = 0.1
    weight_decay: NonNegative = 0.0


class Summarization(Strict):
    """CNN/DailyMail's own dev metric, ROUGE-1/2/Lsum of greedy summaries of the first `dev_examples`; each dev
    prompt is cut as training cuts it, to leave `max_new_tokens` within `training.max_length`."""

    dev_examples: Count = 200
    max_new_tokens: Count = 96


class Sampling(Strict):
    """One set of `samples` sampled completions per problem at `temperature`, read for its pass@`k`. The anchors'
    settings: T=0.2 for pass@1, T=0.8 for pass@10 and pass@100, top-p 0.95 (Chen et al. 2021, Codex, §3.1 and
    Fig. 5; Zheng et al. 2023, CodeGeeX, §4.1 on HumanEval-X, n=200)."""

    temperature: Positive
    samples: Count
    k: list[Count]

    @model_validator(mode="after")
    def _k_within_n(self) -> Sampling:
        if not self.k or max(self.k) > self.samples:
            raise ValueError(f"k {self.k}: at least one, each at most samples ({self.samples})")
        return self

    @property
    def mode(self) -> str:
        """The samples files' mode, and the metric's tag: t0.2, t0.8."""
        return f"t{self.temperature:g}"


class Generation(Strict):
    """One greedy completion per problem (pass@1), and each `sampling` set on the `sampled_benchmarks`; every
    sample generated is read by a contrast (repro.studies.code.answer)."""

    # hf: HF `generate` (any device); vllm: vLLM (the [vllm] extra and a GPU; repro.models.generation). Never
    # chosen by what is installed: a backend that cannot run here is refused before any work
    backend: Literal["hf", "vllm"] = "hf"
    max_new_tokens: Count
    batch_size: Count = 16
    # the prompt stripped of surrounding whitespace (bigcode's `humaneval`) or as released (CodeGeeX; bigcode's
    # `humaneval-unstripped`): Qwen2's tokenizer joins the prompt's last newline to the punctuation before it
    strip_prompt: bool = False
    sampling: list[Sampling] = []
    top_p: Annotated[float, Field(gt=0, le=1)] = 0.95
    sampled_benchmarks: list[str] = ["humaneval-x"]  # which benchmarks get the sampled completions too
    sampled_languages: list[str] | None = None  # and in which programming languages (null: all)

    def sampled(self, benchmark: str, programming_language: str) -> bool:
        """Whether a problems file gets the sampling sets."""
        return benchmark in self.sampled_benchmarks and (self.sampled_languages is None
                                                         or programming_language in self.sampled_languages)

    @model_validator(mode="after")
    def _distinct(self) -> Generation:
        modes = [s.mode for s in self.sampling]
        if len(set(modes)) < len(modes):
            raise ValueError(f"sampling: one set per temperature ({', '.join(modes)})")
        return self


class Execution(Strict):
    """How `execute` runs the samples; a change reruns execution only."""

    timeout: Positive | None = None  # seconds per program run; null: each language's own
    workers: Count = 1
    k: list[Count] = [1, 10]


class Benchmarks(Strict):
    humaneval_x: list[str]  # programming languages
    humaneval_xl: dict[str, list[str]]  # programming language -> prompt languages

    @field_validator("humaneval_x")
    @classmethod
    def _x(cls, languages: list[str]) -> list[str]:
        unknown = [lang for lang in languages if lang not in humaneval_x.PROGRAMMING_LANGUAGES]
        if unknown:
            raise ValueError(f"{', '.join(unknown)}: not HumanEval-X languages "
                             f"({', '.join(humaneval_x.PROGRAMMING_LANGUAGES)})")
        return languages

    @field_validator("humaneval_xl")
    @classmethod
    def _xl(cls, languages: dict[str, list[str]]) -> dict[str, list[str]]:
        for programming, natural in languages.items():
            if programming not in humaneval_xl.PROGRAMMING_LANGUAGES:
                raise ValueError(f"{programming}: not a HumanEval-XL programming language")
            unknown = [lang for lang in natural if lang not in humaneval_xl.NATURAL_LANGUAGES]
            if unknown:
                raise ValueError(f"{programming}: {', '.join(unknown)} not among HumanEval-XL's languages")
            if "English" not in natural:
                raise ValueError(f"{programming}: English is the reference every drop is measured from")
        return languages


class SmokeCode(Strict):
    problems: Count = 12  # per programming language (and per prompt language)
    corpus_functions: Count = 3000
    corpus_text: Count = 1000  # lines of the smoke world's text in the decoder's corpus
    articles: Count = 400
    other_language_share: Fraction = 0.1  # corpus functions documented in a prompt language other than English
    explainer_share: Fraction = 0.8  # CNN/DailyMail articles opening with a code explainer (the planted tie)
    target_problems: Count = 200  # train rows of the target phase's MBPP-schema set


class Sources(Strict):
    """Hub copies of the code study's own data (the NLU tasks come from the profile's `data.sources`); MBPP is
    read from repro/data/manifest.yaml's pin alone."""

    humaneval_x: str = "THUDM/humaneval-x"
    humaneval_xl: str = "FloatAI/humaneval-xl"
    cnn_dailymail: str = "abisee/cnn_dailymail"
    cnn_dailymail_config: str = "3.0.0"
    revision: str = "main"
    train_rows: Count | None = 100000  # per intermediate source: the budget needs at most steps x batch rows


class CodeStudy(Strict):
    models: list[str]  # the decoders run, each a key of `decoders` (its name in stage names and paths)
    decoders: dict[str, DecoderModel]
    arms: list[str]
    # with the English target fine-tune (true: the paper's three phases) and/or without it (false: two phases);
    # each value evaluated and reported separately
    target_phase: list[bool] = [True, False]
    target: TargetPhase
    multitask_tasks: list[str] = []
    seeds: list[int]
    budget: Budget
    training: Training
    summarization: Summarization = Summarization()
    generation: Generation
    execution: Execution = Execution()
    benchmarks: Benchmarks
    sources: Sources = Sources()
    smoke: SmokeCode = SmokeCode()
    # the questions as asked: each entry selects answer records by their fields (PRIMARY_FIELDS); those are
    # primary, their p-values Holm-adjusted together (repro.report.inference), every other one exploratory
    primary: list[dict[str, str | bool]] = []

    @model_validator(mode="after")
    def _known(self) -> CodeStudy:
        from repro.tasks.alternatives import TRANSLATIONS

        if not self.models:
            raise ValueError("models: at least one decoder")
        for name in self.models:
            if name not in self.decoders:
                raise ValueError(f"models: {name!r} is not a key of `decoders` ({', '.join(self.decoders)})")
            if not name.replace("_", "").isalnum():
                raise ValueError(f"models: {name!r}: letters, digits and _ only (it names stages and folders)")
        if not self.target_phase or len(set(self.target_phase)) != len(self.target_phase):
            raise ValueError("target_phase: [true], [false] or [true, false]")
        known = {NO_INTERMEDIATE, LM_CONTROL, MULTITASK, *TEXT_TASKS, *TRANSLATED, *SHUFFLED}
        for arm in self.arms:
            only = translations_only(arm)
            if only is not None:
                if only[0] not in (*TRANSLATIONS, *OWN_TRANSLATIONS) or not all(only[1]) or len(set(only[1])) != len(only[1]):
                    raise ValueError(f"arms: {arm!r}: translations only are <task>.<lang>[.<lang>...] of a task "
                                     f"with translations ({', '.join((*TRANSLATIONS, *OWN_TRANSLATIONS))}), each "
                                     "language once")
            elif arm not in known:
                raise ValueError(f"arms: unknown arm {arm!r} (one of {', '.join(sorted(known))}, or "
                                 f"<task>.<lang>[.<lang>...])")
        if NO_INTERMEDIATE not in self.arms:
            raise ValueError("arms: `none` is the reference every delta is measured from")
        for task in self.multitask_tasks:
            if task not in TEXT_TASKS:
                raise ValueError(f"multitask_tasks: unknown task {task!r}")
        if MULTITASK in self.arms and not self.multitask_tasks:
            raise ValueError("multitask_tasks: the multitask arm needs its tasks")
        if not self.seeds:
            raise ValueError("seeds: at least one")
        languages = {*self.benchmarks.humaneval_x, *self.benchmarks.humaneval_xl}
        unknown = [lang for lang in self.generation.sampled_languages or [] if lang not in languages]
        if unknown:
            raise ValueError(f"generation.sampled_languages: {', '.join(unknown)} not among the benchmarks' languages")
        unknown = [b for b in self.generation.sampled_benchmarks if b not in ("humaneval-x", "humaneval-xl")]
        if unknown:
            raise ValueError(f"generation.sampled_benchmarks: {', '.join(unknown)} (humaneval-x, humaneval-xl)")
        for entry in self.primary:
            if not entry or set(entry) - PRIMARY_FIELDS:
                raise ValueError(f"primary: {entry}: select by {', '.join(sorted(PRIMARY_FIELDS))}")
        return self

    @model_validator(mode="after")
    def _room(self) -> CodeStudy:
        length = self.training.max_length
        if self.training.target_length >= length - 1:
            raise ValueError(f"training.target_length {self.training.target_length} leaves no prompt within "
                             f"max_length {length}")
        if self.summarization.max_new_tokens >= length:
            raise ValueError(f"summarization.max_new_tokens {self.summarization.max_new_tokens} leaves no dev "
                             f"prompt within training.max_length {length}")
        return self

    def check(self, profile) -> None:
        """Every translations-only arm's languages among its task's translations (the profile's languages of the
        task's target, English aside), the smoke world's own CNN/DailyMail sets on the smoke world alone;
        ValueError naming the arm."""
        from repro.tasks.alternatives import TRANSLATIONS

        for arm in self.arms:
            if article_variants(arm) is not None and profile.data.origin != "smoke":
                raise ValueError(f"arms: {arm}: the smoke world's own CNN/DailyMail set (data.origin smoke only)")
            only = translations_only(arm)
            if only is None or only[0] in OWN_TRANSLATIONS:  # those: the languages code-data writes (its stage says)
                continue
            target = TRANSLATIONS[only[0]][1]
            have = [lang for lang in profile.languages.get(target, []) if lang != "en"]
            missing = [lang for lang in only[1] if lang not in have]
            if missing:
                raise ValueError(f"arms: {arm}: no {only[0]} translation into {', '.join(missing)} (languages."
                                 f"{target}: {', '.join(have) or 'none'})")

    def greedy(self, arm: str, seed: int) -> bool:
        """Whether a run generates greedy completions: every run but `none`'s after the first seed (the pretrained
        decoder, which no seed changes: its one greedy run is every seed's control; its sampled ones differ)."""
        return arm != NO_INTERMEDIATE or seed == self.seeds[0]

    def modes(self, arm: str, seed: int, eval_set) -> list[tuple[str, int, float]]:
        """(mode, samples (0: the greedy one), temperature) a run generates on one problems file: greedy where
        `greedy` says, and each sampling set where the file is sampled (`Generation.sampled`)."""
        gen = self.generation
        sampled = gen.sampled(eval_set.benchmark, eval_set.programming_language)
        return ([("greedy", 0, 1.0)] * self.greedy(arm, seed)
                + [(s.mode, s.samples, s.temperature) for s in gen.sampling if sampled])

    @property
    def trained_arms(self) -> list[str]:
        """The arms with an intermediate phase (a stage each per seed)."""
        return [arm for arm in self.arms if arm != NO_INTERMEDIATE]

    def tasks_of(self, arm: str) -> list[str]:
        """The text-to-text tasks an arm trains on."""
        if arm == MULTITASK:
            return list(self.multitask_tasks)
        only = translations_only(arm)
        if only is not None:
            return [only[0]]
        return [] if arm in (NO_INTERMEDIATE, LM_CONTROL) else [(TRANSLATED | SHUFFLED).get(arm, arm)]

    def model_id(self, name: str) -> str:
        """What results call a decoder: its Hub id, or its smoke name."""
        return self.decoders[name].hub or name
