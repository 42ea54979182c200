"""The multilingual study's arms: an arm's encoder is named `<task>-<arm>` (`mnli-A2`, `multitask-A1`; the
baseline is `none-A0`), and one seed's run of it `<task>-<arm>-<seed>`.

  A0  no intermediate phase (the pretrained model)
  A1  English only (the paper's X-STILTs)
  A2  English plus machine translations into the arm's language set, with A1's number of training rows and
      optimizer steps: each language (English included) an equal share of A1's rows
  A3  English plus every translation into the language set (more data)
  A4  English plus multilingual masked-LM batches in the language set (Table 4's `+mlm`), within A1's optimizer
      steps (the MLM batches take some of them)

`<task>-A2[<set>]` is A2 over a named language set of the study (`language_sets`: `diverse`, `one_family`, `k1`..)
instead of the task's `languages`: the arms that vary diversity at a fixed number of languages and the number of
languages at a fixed diversity, each at A1's budget (a set with `budget: tokens` matches A1's tokens instead of
its examples: the token-matched control).

`multitask` is the mix of the tasks that have translations (one head each, one sampled task per optimizer
step), each task's rows as the arm makes them. The translations and the MLM text are Table 4's
(`repro.tasks.alternatives`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from repro.errors import UserError
from repro.tasks.alternatives import MLM_TEXT, TRANSLATIONS

ARMS = ("A0", "A1", "A2", "A3", "A4")
BASELINE_ARM = "A0"
MIX = "multitask"
ARM_TASKS = tuple(TRANSLATIONS)  # the tasks with published translations: MNLI (XNLI's), SQuAD v1.1 (XTREME's)
CONTRASTS = (("A1", "A0"), ("A2", "A1"), ("A3", "A2"), ("A4", "A1"))
SET_ARM = "A2"  # the arm a named language set varies
TRANSLATING = ("A2", "A3")  # the arms that train on machine translations
_ID = re.compile(r"^(?P<task>.*)-(?P<arm>A\d+)(?:\[(?P<set>[a-z0-9_]+)\])?$")


@dataclass(frozen=True)
class Arm:
    """One arm of one intermediate task: `mnli-A2`, `mnli-A2[k4]`; `tasks` are the single tasks it trains (the mix:
    all); `set` the named language set of an A2 arm that has one."""

    id: str
    task: str  # none, a task of ARM_TASKS, or multitask
    arm: str
    set: str | None = None

    @property
    def label(self) -> str:
        """The arm as the contrasts name it: A2, A2[k4]."""
        return f"{self.arm}[{self.set}]" if self.set else self.arm

    @property
    def tasks(self) -> tuple[str, ...]:
        return () if self.arm == BASELINE_ARM else ARM_TASKS if self.task == MIX else (self.task,)

    @staticmethod
    def parse(arm_id: str) -> Arm:
        """The arm an id names; ValueError naming an unknown task or arm."""
        found = _ID.match(arm_id)
        task, arm, chosen = (found["task"], found["arm"], found["set"]) if found else \
            (*arm_id.rpartition("-")[::2], None)
        if chosen is not None and arm != SET_ARM:
            raise UserError(f"{arm_id}: only {SET_ARM} takes a language set (<task>-{SET_ARM}[<set>])")
        if arm not in ARMS:
            raise UserError(f"{arm_id}: unknown arm {arm!r}; known: {', '.join(ARMS)}")
        if arm == BASELINE_ARM:
            if task != "none":
                raise UserError(f"{arm_id}: A0 has no intermediate task; name it none-A0")
        elif task not in (*ARM_TASKS, MIX):
            raise UserError(f"{arm_id}: no translated data for {task!r}; the arms train "
                             f"{', '.join((*ARM_TASKS, MIX))}")
        return Arm(arm_id, task, arm, chosen)


def set_label(name: str) -> str:
    """The arm label of a set name in `set_contrasts`: A2[k4]; `A2` itself (the task's language set) as it is."""
    return name if name == SET_ARM else f"{SET_ARM}[{name}]"


def run_id(arm_id: str, seed: int) -> str:
    """The name of one seed's run of an arm: its encoder directory and results folder (`mnli-A2-1`)."""
    return f"{arm_id}-{seed}"


def parse_run(run: str) -> tuple[str, int]:
    """(arm id, seed) of a run name; ValueError when it names no seed."""
    arm_id, _, seed = run.rpartition("-")
    if not seed.lstrip("-").isdigit() or not arm_id:
        raise UserError(f"{run}: not <task>-<arm>-<seed>")
    return arm_id, int(seed)


def translation_languages(task: str, languages: dict[str, list[str]]) -> list[str]:
    """The languages a task's translations come in: the non-English languages of the target they were made for
    (XNLI's for MNLI, XQuAD's for SQuAD), as the profile lists them (the smoke world writes exactly those)."""
    _, target = TRANSLATIONS[task]
    return [lang for lang in languages[target] if lang != "en"]


def check_language_sets(sets: dict[str, list[str]], languages: dict[str, list[str]], where: str = "") -> None:
    """Refuse a language set for a task without translations, or a language its translations do not cover
    (`where` names the set in the message; by default `languages.<task>`)."""
    for task, chosen in sets.items():
        name = where or f"languages.{task}"
        if task not in ARM_TASKS:
            raise UserError(f"{name}: no translated data for {task}; known: {', '.join(ARM_TASKS)}")
        available = translation_languages(task, languages)
        missing = [lang for lang in chosen if lang not in available]
        if missing:
            raise UserError(f"{name}: no translation into {', '.join(missing)} (the {task} translations "
                             f"cover {', '.join(available)})")
        if not chosen:
            raise UserError(f"{name}: empty language set")


def arm_languages(arm: Arm, sets: dict[str, list[str]], named: dict[str, list[str]]) -> dict[str, list[str]]:
    """{task: languages} an arm adds to English: its named set's (`named`: set name -> languages) for every task it
    trains, else the task's language set (`sets`); A0 and A1 none."""
    if arm.arm in (BASELINE_ARM, "A1"):
        return {task: [] for task in arm.tasks}
    return {task: list(named[arm.set]) if arm.set else list(sets.get(task, [])) for task in arm.tasks}


def arm_sources(arm: Arm, sets: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(source, language) of the data an arm adds to English (`sets`: the arm's languages per task, arm_languages):
    the translations (A2, A3) or the MLM text (A4)."""
    if arm.arm in TRANSLATING:
        return [(TRANSLATIONS[task][0], lang) for task in arm.tasks for lang in sets[task]]
    if arm.arm == "A4":
        return [(MLM_TEXT, lang) for lang in dict.fromkeys(lang for task in arm.tasks for lang in sets[task])]
    return []


def shares(total: int, parts: int) -> list[int]:
    """`total` rows in `parts` equal shares, the first ones one larger where it does not divide."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]
