"""params.yaml: schema, validation and lookup. Every verb reads its profile through `load`.

Validation is strict (pydantic, `extra="forbid"`): an unknown key, a wrong type, an unknown task, a language
outside the task's list in its suite, or a study that needs a local source whose path is unset or missing is
refused with one line naming the key, before any work.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from repro import suites
from repro.errors import UserError
from repro.tasks import INTERMEDIATE_IDS, INTERMEDIATE_TASKS, TARGET_TASKS, Alternative
from repro.tasks.alternatives import extra_sources

# Sources with no Hub copy, read from a user's path: a study that reads one must name an existing path.
LOCAL_ONLY = {
    "ccg": "CCGbank is LDC-licensed: set data.sources.ccg.path to your copy's root (data/AUTO/<section>/*.auto)",
    "squad_v1_translated": "XTREME's translate-train SQuAD has no Hub copy: set data.sources.squad_v1_translated.path "
                           "to the folder of squad.translate.train.en-<lang>.json",
    **{name: "Mewsli-X has no Hub copy: run get-mewsli-x.sh (google-research/google-research "
             "dense_representations_for_entity_retrieval/mel) and set data.sources.mewslix_pairs.path, "
             "data.sources.mewslix.path and data.sources.mewslix_entities.path to the folder it leaves, "
             "mewsli_x/output/dataset/ (candidate_set_entities.jsonl, wikipedia_pairs-{train,dev}.jsonl, "
             "wikinews_mentions-{dev,test}.jsonl)" for name in ("mewslix_pairs", "mewslix", "mewslix_entities")},
    "xquad_r": "XQuAD-R has no Hub copy: download github.com/google-research-datasets/lareqa and set "
               "data.sources.xquad_r.path to its xquad-r/ folder (<lang>.json)",
}

# Sources whose Hub copy is not the dataset the paper scored: `repro data` reads them from a release `path` only, and
# refuses a hub profile without one before any download (params still load, so every other verb works).
RELEASE_ONLY = {
    "bucc2018": "google/xtreme's bucc18 configs hold only the gold pairs, without the sentences that have no "
                "translation, so mining there is near 1-to-1 matching and F1 is not BUCC's; set "
                "data.sources.bucc2018.path to the folder of the BUCC 2018 release files "
                "(<lang>-en.{sample,training}.{<lang>,en,gold}, comparable.limsi.fr/bucc2018), or take bucc2018 "
                "out of study.retrieval_targets",
}
# The stage groups (dvc.yaml's stage names before the profile) that run a model, and those whose verb trains
# through engine.finetune under a launcher (repro/engine/acceleration.py LAUNCHABLE).
GPU_GROUPS = ("pretrain", "intermediate", "multitask", "alternative", "target", "evaluate", "retrieval")
MULTI_GPU_GROUPS = ("intermediate", "target")


class ParamsError(UserError):
    """A params.yaml problem, always a single line that names the offending key."""


# The valid range of every number, checked on load (a rate or a temperature > 0, a count >= 1, ...)
Positive = Annotated[float, Field(gt=0)]  # learning rates, epochs, temperatures, norms
NonNegative = Annotated[float, Field(ge=0)]  # weight decay
Fraction = Annotated[float, Field(ge=0, lt=1)]  # warmup ratio, dropout
Probability = Annotated[float, Field(gt=0, lt=1)]  # masking probabilities
Count = Annotated[int, Field(ge=1)]  # batch sizes, lengths, sizes, layers
Index = Annotated[int, Field(ge=0)]  # seeds, a layer, "0 = never" settings


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Hyper(Strict):
    """Hyperparameters of one fine-tuning run (intermediate or target)."""

    learning_rate: Positive
    epochs: Positive
    batch_size: Count
    grad_accum: Count = 1
    max_length: Count
    warmup_ratio: Fraction = 0.1
    warmup_steps: Index | None = None  # linear warmup over this many optimizer steps instead of warmup_ratio
    weight_decay: NonNegative = 0.01
    max_grad_norm: Positive = 1.0
    # steps between English-dev evaluations; None: once per epoch; 0: never, the last weights are kept (jiant's
    # eval_every_steps=0: the metarunner evaluates only after training and keeps that one state)
    eval_every: Index | None = None
    eval_subset: Count | None = None  # evaluate selection on this many English dev examples; None: all
    patience: Index | None = None  # early stopping after this many evaluations without improvement
    # extractive QA windows over a long context (jiant squad_style/core.py:374-375): the question is cut to
    # max_query_length tokens; each window starts doc_stride tokens after the previous one ("advance": jiant and
    # XTREME's run_squad) or shares doc_stride tokens with it ("overlap": HF run_qa, the tokenizer's `stride`)
    max_query_length: Count = 64
    doc_stride: Count = 128
    doc_stride_mode: Literal["advance", "overlap"] = "advance"


class HyperOverride(Strict):
    """Per-task changes to the phase defaults (any field of `Hyper`)."""

    learning_rate: Positive | None = None
    epochs: Positive | None = None
    batch_size: Count | None = None
    grad_accum: Count | None = None
    max_length: Count | None = None
    warmup_ratio: Fraction | None = None
    warmup_steps: Index | None = None
    weight_decay: NonNegative | None = None
    max_grad_norm: Positive | None = None
    eval_every: Index | None = None
    eval_subset: Count | None = None
    patience: Index | None = None
    max_query_length: Count | None = None
    doc_stride: Count | None = None
    doc_stride_mode: Literal["advance", "overlap"] | None = None


class Multitask(Strict):
    sampling: Literal["proportional", "uniform", "temperature"] = "proportional"
    temperature: Positive = 2.0
    examples_cap: Count | None = None


class Phase(Strict):
    defaults: Hyper
    tasks: dict[str, HyperOverride] = {}

    def for_task(self, task: str) -> Hyper:
        """The defaults with the task's overrides applied."""
        override = self.tasks.get(task)
        if override is None:
            return self.defaults
        return self.defaults.model_copy(update=override.model_dump(exclude_none=True))


FAST_BATCH = 8  # recipe "fast": this many times the batch, at sqrt(FAST_BATCH) times the learning rate


class IntermediatePhase(Phase):
    multitask: Multitask = Multitask()
    # "faithful": the phase's own hyperparameters (jiant's 4 examples a step: ~8.4M optimizer steps for the paper);
    # "fast": FAST_BATCH x every task's batch at sqrt(FAST_BATCH) x its learning rate (Adam's square-root scaling
    # rule, Malladi et al. 2022), 1/FAST_BATCH of the optimizer steps; a deviation from the paper, recorded in
    # metrics.json's provenance (`deviation`)
    recipe: Literal["faithful", "fast"] = "faithful"

    def for_task(self, task: str) -> Hyper:
        hp = super().for_task(task)
        if self.recipe == "faithful":
            return hp
        return hp.model_copy(update={"batch_size": hp.batch_size * FAST_BATCH,
                                     "learning_rate": hp.learning_rate * FAST_BATCH ** 0.5})

    def deviation(self) -> str | None:
        """What the recipe changes from the paper's, in words (None: nothing)."""
        if self.recipe == "faithful":
            return None
        return (f"intermediate recipe 'fast': {FAST_BATCH}x each task's batch at {FAST_BATCH ** 0.5:.3g}x its "
                f"learning rate (square-root scaling), not the paper's batch 4 at lr 1e-5")

    @field_validator("tasks")
    @classmethod
    def _known(cls, tasks: dict) -> dict:
        for name in tasks:
            if name not in INTERMEDIATE_TASKS:
                raise ValueError(f"unknown intermediate task {name!r}")
        return tasks


class TargetPhase(Phase):
    @field_validator("tasks")
    @classmethod
    def _known(cls, tasks: dict) -> dict:
        for name in tasks:
            if name not in TARGET_TASKS:
                raise ValueError(f"unknown target task {name!r}")
        return tasks


class Pretrain(Strict):
    """The tiny smoke model: tokenizer + XLM-R architecture trained here with MLM."""

    vocab_size: Count
    hidden_size: Count
    layers: Count
    heads: Count
    intermediate_size: Count
    max_length: Count
    epochs: Positive
    learning_rate: Positive
    batch_size: Count
    mlm_probability: Probability = 0.15
    dropout: Fraction = 0.1  # hidden and attention dropout of the model (and every fine-tune of it)


class Model(Strict):
    family: Literal["encoder"] = "encoder"  # repro.models: what differs between model families
    hub: str | None = None
    revision: str | None = None
    pretrain: Pretrain | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Model:
        if (self.hub is None) == (self.pretrain is None):
            raise ValueError("set exactly one of `hub` (with `revision`) or `pretrain`")
        if self.hub is not None and not self.revision:
            raise ValueError("a hub model needs a pinned `revision`")
        return self


class SourceSpec(Strict):
    hub: str | None = None
    revision: str | None = None
    path: str | None = None  # a local copy in the original release format (repro.data.loaders)
    max_rows: Count | None = None  # read only the first rows of each split (streamed: large corpora such as Wikipedia)


class SmokeWorld(Strict):
    n_train: Count = 384
    n_eval: Count = 64
    corpus_per_language: Count = 134  # MLM corpus lines of each language (English: 4x), whatever the others
    # languages the world writes beyond the profile's `languages` (XTREME-R's a study evaluates), its MLM corpus too
    languages: dict[Literal[tuple(TARGET_TASKS)], list[str]] = {}


class Data(Strict):
    origin: Literal["hub", "smoke"]  # hub: the sources below (Hub or local copies); smoke: the generated world
    sources: dict[str, SourceSpec] = {}
    smoke: SmokeWorld = SmokeWorld()

    @field_validator("sources")
    @classmethod
    def _known(cls, sources: dict) -> dict:
        from repro.data.sources import SOURCES

        for name in sources:
            if name not in SOURCES:
                raise ValueError(f"unknown source {name!r}")
        return sources


class Retrieval(Strict):
    """Sentence embeddings for BUCC and Tatoeba (repro.kinds.retrieval), and BUCC's mining threshold."""

    layer: Index
    pooling: Literal["mean", "cls"] = "mean"
    max_length: Count = 512
    batch_size: Count = 64
    bucc_margin_k: Count = 4
    # tuned: the F1-optimal margin on the dev split's gold (dev scored with its own optimum, test with dev's), as
    # jiant (bucc_eval with threshold=None, xtreme_submission.py carrying val's best-threshold to test) and XTREME
    # (evaluate_retrieval.py) do; fixed: bucc_fixed_threshold, no gold needed. jiant's mine_bitext threshold=0 is
    # only the mining pre-filter (margin > 0), which both modes apply.
    bucc_threshold: Literal["tuned", "fixed"] = "tuned"
    bucc_fixed_threshold: float = 0.0  # the cut under bucc_threshold: fixed (no upstream uses a fixed cut)


class Engine(Strict):
    """How training runs (not what it computes): DeepSpeed ZeRO, precision, batching, compilation.

    Combinations that cannot work are refused here, on load; what depends on the machine (a GPU, DeepSpeed,
    a compiler) is checked by `repro.acceleration.check` before training.
    """

    deepspeed: Literal["none", "zero2", "zero3", "zero3-offload"] = "none"
    precision: Literal["fp32", "bf16", "fp16"] = "fp32"
    # the paper's recipe literally: fp32, padding to max length, the phase's batch_size x grad_accum (4 x 8),
    # eager attention, plain AdamW; it overrides group_by_length, attention and micro_batch
    faithful: bool = False
    group_by_length: bool = False  # length-grouped batches (less padding)
    attention: Literal["sdpa", "eager"] = "sdpa"
    compile: bool = False  # torch.compile the model
    # per-device micro-batch; the phase's batch_size x grad_accum stays the effective batch (null: batch_size)
    micro_batch: Count | None = None

    @model_validator(mode="after")
    def _compatible(self) -> Engine:
        if self.faithful and self.precision != "fp32":
            raise ValueError(f"faithful: the paper's recipe trains in fp32, not {self.precision}; "
                             "set precision: fp32 or faithful: false")
        if self.compile and self.deepspeed == "zero3-offload":
            raise ValueError("compile: torch.compile cannot trace ZeRO-3 offload's parameter fetching; "
                             "set compile: false or deepspeed: zero3")
        return self


class Scoring(Strict):
    """How the stages score predictions; recorded in every stage file beside its numbers."""

    # tagging F1's seqeval chunk-type rule (repro.metrics.SEQEVAL_RULES): "1.2.2", the official XTREME
    # evaluate.py as installed today (`repro score`'s default); "0.0.12", the seqeval jiant pinned, the rule of the
    # paper's numbers. They differ on UD-POS only, where CCONJ and SCONJ meet.
    seqeval: Literal["1.2.2", "0.0.12"] = "1.2.2"


class AlternativeSettings(Strict):
    mlm_ratio: Positive = 1.0  # MLM lines per task example in each epoch of the `mlm` variant
    mlm_probability: Probability = 0.15


class Study(Strict):
    """The lists a profile's stages fan out over (dvc.yaml reads them too)."""

    intermediate_tasks: list[str]
    # every encoder the targets start from: `none` (the pretrained model), the tasks, multitask, alternatives
    intermediate: list[str]
    # Table 4: "<task>+mlm" / "<task>+translated" encoders (listed in `intermediate` too)
    alternatives: list[str] = []
    trained_targets: list[str]
    shared_targets: list[str]
    retrieval_targets: list[str]

    @model_validator(mode="after")
    def _known(self) -> Study:
        for name in self.alternatives:
            if Alternative.parse(name) is None:  # ValueError naming an unknown task, variant or translation
                raise ValueError(f"alternatives: {name!r} is not of the form <task>+<variant>")
            if name not in self.intermediate:
                raise ValueError(f"alternatives: {name!r} must be listed in `intermediate` (its targets run from it)")
        for name in self.intermediate:
            if name not in INTERMEDIATE_IDS and name not in self.alternatives:
                raise ValueError(f"intermediate: unknown task {name!r} (an alternative comes from `alternatives`)")
        for name in self.intermediate_tasks:
            if name not in self.intermediate or name in ("none", "multitask"):
                raise ValueError(f"intermediate_tasks: {name!r} must be a single task listed in `intermediate`")
        for name in self.trained_targets + self.shared_targets + self.retrieval_targets:
            if name not in TARGET_TASKS:
                raise ValueError(f"unknown target task {name!r}")
            if TARGET_TASKS[name].suite != "xtreme":
                raise ValueError(f"{name}: an {TARGET_TASKS[name].suite} target, not one of the paper's (a study of "
                                 "its own trains it)")
        return self

    @property
    def main_encoders(self) -> list[str]:
        """The encoders of the main grid (Table 2's rows): `intermediate` without the alternatives."""
        return [name for name in self.intermediate if name not in self.alternatives]

    @property
    def targets(self) -> list[str]:
        return self.trained_targets + self.shared_targets + self.retrieval_targets

    def sources(self, languages: dict[str, list[str]]) -> set[str]:
        """The training sources the study's encoders read."""
        names = {s for t in self.intermediate_tasks for s in INTERMEDIATE_TASKS[t].train}
        return names | {source for a in self.alternatives for source, _ in extra_sources(a, languages)}


class Grid(Strict):
    """Where `repro all` runs each stage: what one stage needs, not what it computes. No stage reads this
    section (dvc.yaml lists none of it), so changing it reruns nothing."""

    # GPUs of one stage, per stage group; unlisted groups take 1 (the data stage none). More than 1: the stage is
    # launched through `launcher` on that many GPUs of one node (the training verbs `repro launch` runs)
    gpus: dict[str, int] = {}
    launcher: Literal["deepspeed", "torchrun"] = "deepspeed"
    cpus: int | None = None  # CPU cores of one stage (Ray's num_cpus); null: the profile's `threads`, else 1
    memory_gib: float | None = None  # host memory of one stage (Ray's memory); null: none reserved
    retries: int = 3  # Ray: reruns of a stage whose worker or node was lost (a stage's own error is never retried)

    @field_validator("gpus")
    @classmethod
    def _groups(cls, gpus: dict) -> dict:
        for group, count in gpus.items():
            if group not in GPU_GROUPS:
                raise ValueError(f"{group}: not a stage group that runs a model ({', '.join(GPU_GROUPS)})")
            if count < 0:
                raise ValueError(f"{group}: GPUs must be 0 or more, got {count}")
            if count > 1 and group not in MULTI_GPU_GROUPS:
                raise ValueError(f"{group}: {count} GPUs, but only {' and '.join(MULTI_GPU_GROUPS)} stages train "
                                 f"across several GPUs (`repro launch`); set 1")
        return gpus

    @model_validator(mode="after")
    def _positive(self) -> Grid:
        if self.cpus is not None and self.cpus < 1:
            raise ValueError(f"cpus: must be at least 1, got {self.cpus}")
        if self.memory_gib is not None and self.memory_gib <= 0:
            raise ValueError(f"memory_gib: must be positive, got {self.memory_gib}")
        if self.retries < 0:
            raise ValueError(f"retries: must be 0 or more, got {self.retries}")
        return self


class Profile(Strict):
    name: str = ""
    seed: Index
    threads: Count | None = None  # torch intra-op threads; null: torch's default (1 is fastest for tiny models)
    model: Model
    data: Data
    languages: dict[str, list[str]]
    intermediate: IntermediatePhase
    target: TargetPhase
    retrieval: Retrieval
    alternatives: AlternativeSettings = AlternativeSettings()
    engine: Engine = Engine()
    scoring: Scoring = Scoring()
    grid: Grid = Grid()
    study: Study
    # the other studies' sections (`profiles.<p>.<study>`), each validated by its own schema (repro.studies.SECTIONS)
    sections: dict[str, BaseModel] = {}

    @field_validator("languages")
    @classmethod
    def _suite_languages(cls, languages: dict) -> dict:
        for task, langs in languages.items():
            if task not in TARGET_TASKS:
                raise ValueError(f"unknown target task {task!r}")
            suite = suites.get(TARGET_TASKS[task].suite)
            listed = suite.TASK2LANGS[task] or getattr(suite, "OURS_TASK2LANGS", {}).get(task, ())  # LAReQA: ours
            unknown = [lang for lang in langs if lang not in listed]
            if unknown:
                raise ValueError(f"{task}: {', '.join(unknown)} not among the task's {suite.TITLE} languages")
        missing = [task for task in TARGET_TASKS if task not in languages]
        if missing:
            raise ValueError(f"no languages for {', '.join(missing)}")
        return languages

    @model_validator(mode="after")
    def _local_sources(self, info: ValidationInfo) -> Profile:
        """A study that reads a source with no Hub copy names an existing path for it (the smoke world has all).
        Checked for the profile that runs (another machine's paths need not exist here)."""
        if self.data.origin == "smoke" or not (info.context or {}).get("here", True):
            return self
        for source in sorted(self.study.sources(self.languages) & set(LOCAL_ONLY)):
            spec = self.data.sources.get(source)
            if spec is None or not spec.path:
                raise ValueError(f"data.sources.{source}.path: the study reads {source}; {LOCAL_ONLY[source]}, "
                                 f"or take it out of the study")
            if not Path(spec.path).exists():
                raise ValueError(f"data.sources.{source}.path: {spec.path} does not exist")
        return self

    def section(self, name: str):
        """The profile's section of study `name` (its own schema's model), or None when the profile has none."""
        return self.sections.get(name)

    @property
    def fingerprint(self) -> str:
        """A short hash of the profile's params (the studies' sections left out), recorded in provenance."""
        blob = json.dumps(self.model_dump(mode="json", exclude={"sections"}), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def _one_line(err: ValidationError, prefix: str) -> str:
    first = err.errors()[0]
    loc = ".".join(str(part) for part in (prefix, *first["loc"]) if part != "")
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown key"
    elif first["type"] in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        message = f"{message.replace('Input should be', 'must be')}, got {first['input']!r}"
    return f"{loc}: {message}"


def load(path: str | Path = "params.yaml", profile: str = "paper") -> Profile:
    """Read and validate params.yaml whole (every profile and every study's section, each with its own schema) and
    return one profile; raises ParamsError with a one-line message naming the first wrong key."""
    path = Path(path)
    if not path.is_file():
        raise ParamsError(f"{path}: no such params file")
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ParamsError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(raw, dict) or "profiles" not in raw or not isinstance(raw["profiles"], dict):
        raise ParamsError(f"{path}: profiles: expected a mapping of profiles")
    extra = sorted(set(raw) - {"profiles"})
    if extra:
        raise ParamsError(f"{path}: {extra[0]}: unknown key")
    profiles = raw["profiles"]
    if profile not in profiles:
        raise ParamsError(f"{path}: profiles.{profile}: no such profile (have: {', '.join(profiles)})")
    loaded = {name: _profile(path, name, body, here=name == profile) for name, body in profiles.items()}
    return loaded[profile]


def _profile(path: Path, name: str, body, *, here: bool) -> Profile:
    """One profile: its core keys by `Profile`, each study's section by the study's schema, then the section's
    checks against the profile (`check(profile)`, where a schema has one)."""
    from repro.studies import SECTIONS

    if not isinstance(body, dict):
        raise ParamsError(f"{path}: profiles.{name}: expected a mapping")
    core = {key: value for key, value in body.items() if key not in SECTIONS}
    try:
        validated = Profile.model_validate({**core, "name": name}, context={"here": here})
    except ValidationError as err:
        raise ParamsError(f"{path}: {_one_line(err, f'profiles.{name}')}") from None
    sections = {}
    for study in (study for study in SECTIONS if study in body):
        prefix = f"profiles.{name}.{study}"
        try:
            sections[study] = SECTIONS[study].model_validate(body[study])
            if hasattr(sections[study], "check"):
                sections[study].check(validated)
        except ValidationError as err:
            raise ParamsError(f"{path}: {_one_line(err, prefix)}") from None
        except ValueError as exc:
            raise ParamsError(f"{path}: {prefix}.{exc}") from None
    return validated.model_copy(update={"sections": sections})
