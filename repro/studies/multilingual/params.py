"""params.yaml's `multilingual` section: the multilingual study (issue 10) of a profile, validated on every load of
params.yaml (repro.studies.SECTIONS) with the core's strict base and number ranges."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from repro import suites
from repro.params import Strict
from repro.tasks import INTERMEDIATE_TASKS, TARGET_TASKS
from repro.studies.multilingual import data
from repro.studies.multilingual.arms import (BASELINE_ARM, CONTRASTS, SET_ARM, Arm, arm_languages,
                                            check_language_sets, set_label)

SQUAD_TARGETS = ("mlqa", "tatoeba")  # the targets a multilingual run evaluates with its SQuAD v1.1 fine-tune
DUAL_ENCODER_TARGETS = ("mewslix", "lareqa")  # XTREME-R's retrieval targets, a dual encoder fine-tuned on each run
PRIMARY_FIELDS = {"contrast", "suite", "intermediate", "level", "task", "group", "languages", "setting",
                  "test_origin"}


class LanguageSet(Strict):
    """A named language set of `<task>-A2[<name>]` arms: English plus these languages in equal, disjoint shares of
    A1's English examples (`budget: examples`, A1's examples and steps) or of A1's tokens (`budget: tokens`, the
    token-matched control: each share as many tokens as its English originals would have). `labels: permuted`
    (the null arm): each translated share's labels shuffled among its own examples, English's kept: the same
    sentences in the same languages, but no rule carried into them (tasks with class labels only)."""

    languages: list[str]
    budget: Literal["examples", "tokens"] = "examples"
    labels: Literal["kept", "permuted"] = "kept"


class Multilingual(Strict):
    """The multilingual study (`repro all --study multilingual`, repro/studies/multilingual/arms.py `Arm`): its arms, the
    language set of each task's translations, the seeds every trained stage runs with, and its targets."""

    seeds: list[int]
    arms: list[str]  # trained arms, <task>-<A1..A4> (task: mnli, squad_v1 or multitask, the mix)
    baseline: bool = True  # A0 (none-A0): the targets straight from the pretrained model
    languages: dict[str, list[str]]  # per task with translations: the arms' language set ("seen" languages)
    # named sets of `<task>-A2[<name>]` arms (diversity at a fixed count, the count at a fixed diversity)
    language_sets: dict[str, LanguageSet] = {}
    # set against set at equal budget: [a, b] is the contrast A2[a] - A2[b] (`A2`: the task's `languages`, the
    # plain A2 arm); each set arm is also against A1
    set_contrasts: list[tuple[str, str]] = []
    trained_targets: list[str]
    # evaluated with each run's SQuAD v1.1 fine-tune (its xquad target): mlqa with its QA head, tatoeba with its
    # sentence embeddings (XTREME-R's protocol; repro/studies/multilingual/stages/from_squad.py)
    squad_targets: list[str] = []
    # a dual encoder fine-tuned from each run's encoder on English pairs, ranking a multilingual pool (XTREME-R's
    # Mewsli-X and LAReQA; repro/studies/multilingual/stages/dual.py)
    dual_encoder_targets: list[str] = []
    # languages XTREME-R adds to a target beyond `languages.<target>` (XTREME's), evaluated by this study only
    xtreme_r_languages: dict[str, list[str]] = {}
    # how targets train (repro/studies/multilingual/recipe.py): `x-stilts`, the profile's target section (jiant's
    # recipe); `xtreme-r`, XTREME-R's scripts' hyperparameters and checkpoint rules per target
    recipe: Literal["x-stilts", "xtreme-r"] = "x-stilts"
    # the questions as asked: each entry selects answer records by their fields (contrast, suite, intermediate,
    # level, task, group, languages); those are primary, their p-values Holm-adjusted together, the rest exploratory
    primary: list[dict[str, str]] = []

    @model_validator(mode="after")
    def _known(self) -> Multilingual:
        if not self.seeds or len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"seeds: at least one, each once (got {self.seeds})")
        for name in self.arms:
            if Arm.parse(name).arm == BASELINE_ARM:
                raise ValueError(f"arms: {name}: the baseline is `baseline: true`, not an arm")
            if name == "multitask-A4":
                raise ValueError("arms: multitask-A4: multilingual MLM batches are Table 4's single-task +mlm; "
                                 "train them with mnli-A4 or squad_v1-A4")
            if Arm.parse(name).set is not None:
                if Arm.parse(name).set not in self.language_sets:
                    raise ValueError(f"arms: {name}: no language set {Arm.parse(name).set!r} (language_sets: "
                                     f"{', '.join(self.language_sets) or 'none'})")
                unlabelled = [t for t in Arm.parse(name).tasks if not INTERMEDIATE_TASKS[t].labels]
                if self.language_sets[Arm.parse(name).set].labels == "permuted" and unlabelled:
                    raise ValueError(f"arms: {name}: labels: permuted needs class labels; {', '.join(unlabelled)} "
                                     "has none")
                continue
            missing = [task for task in Arm.parse(name).tasks if task not in self.languages]
            if missing and Arm.parse(name).arm != "A1":
                raise ValueError(f"arms: {name}: no language set for {', '.join(missing)} (languages.<task>)")
        for name in self.trained_targets + self.squad_targets + self.dual_encoder_targets:
            if name not in TARGET_TASKS:
                raise ValueError(f"unknown target task {name!r}")
        for name in self.trained_targets + self.squad_targets:
            if name in DUAL_ENCODER_TARGETS:
                raise ValueError(f"{name}: a dual-encoder target; list it under dual_encoder_targets")
        for name in self.dual_encoder_targets:
            if name not in DUAL_ENCODER_TARGETS:
                raise ValueError(f"dual_encoder_targets: {name}: not one of {', '.join(DUAL_ENCODER_TARGETS)}")
        if self.squad_targets and "xquad" not in self.trained_targets:
            raise ValueError(f"squad_targets: {', '.join(self.squad_targets)} are evaluated with each run's SQuAD "
                             "v1.1 fine-tune; add xquad to trained_targets")
        for name in self.squad_targets:
            if name not in SQUAD_TARGETS:
                raise ValueError(f"squad_targets: {name}: not one of {', '.join(SQUAD_TARGETS)}")
        for set_name, chosen in self.language_sets.items():
            if not chosen.languages or len(set(chosen.languages)) != len(chosen.languages) or \
                    "en" in chosen.languages:
                raise ValueError(f"language_sets.{set_name}: at least one non-English language, each once")
        for pair in self.set_contrasts:
            unknown = [name for name in pair if name not in self.language_sets and name != SET_ARM]
            if unknown or pair[0] == pair[1]:
                raise ValueError(f"set_contrasts: {list(pair)}: two different sets of language_sets")
        for entry in self.primary:
            unknown = sorted(set(entry) - PRIMARY_FIELDS)
            if not entry or unknown:
                raise ValueError(f"primary: {entry}: select by {', '.join(sorted(PRIMARY_FIELDS))}")
            if "contrast" in entry and entry["contrast"] not in self.contrast_names:
                raise ValueError(f"primary: contrast {entry['contrast']!r}: not one of the study's "
                                 f"({', '.join(self.contrast_names)})")
        for name, langs in self.xtreme_r_languages.items():
            if name not in self.targets:
                raise ValueError(f"xtreme_r_languages.{name}: not one of the study's targets")
            unknown = [lang for lang in langs if lang not in suites.get("xtreme-r").TASK2LANGS.get(name, ())]
            if unknown:
                raise ValueError(f"xtreme_r_languages.{name}: {', '.join(unknown)} not among the task's XTREME-R "
                                 "languages")
        return self

    def check(self, profile) -> None:
        """Every language of the sets has a translation in the profile's sources (ValueError naming it)."""
        check_language_sets(self.languages, profile.languages)
        for arm in (Arm.parse(name) for name in self.arms):
            if arm.set:
                check_language_sets(self.arm_languages(arm), profile.languages, f"language_sets.{arm.set}")

    @property
    def named_sets(self) -> dict[str, list[str]]:
        return {name: chosen.languages for name, chosen in self.language_sets.items()}

    def arm_languages(self, arm: Arm) -> dict[str, list[str]]:
        """{task: languages} the arm adds to English (arms.arm_languages)."""
        return arm_languages(arm, self.languages, self.named_sets)

    @property
    def contrast_names(self) -> list[str]:
        """Every contrast the study can report: A2 - A1 and the others, each set arm against A1, the set pairs."""
        return [f"{b}-{a}" for b, a in CONTRASTS] + [f"A2[{s}]-A1" for s in self.language_sets] + \
            [f"{set_label(a)}-{set_label(b)}" for a, b in self.set_contrasts]

    def languages_of(self, languages: dict[str, list[str]]) -> dict[str, list[str]]:
        """A profile's `languages` with the XTREME-R languages this study adds (what its stages evaluate)."""
        return data.languages_of(self, languages)

    @property
    def targets(self) -> list[str]:
        return data.targets(self)
