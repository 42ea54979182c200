"""The multilingual study (issue 10): English-only intermediate training against English plus other languages at
equal budget (arms A0-A4, repro/studies/multilingual/arms.py `Arm`), every trained stage once per seed, XTREME (and XTREME-R)
targets; results under results/<profile>/multilingual/: metrics.json, answer.{md,json}, plots/."""

from __future__ import annotations

from pathlib import Path

from repro.params import Profile
from repro.paths import Layout
from repro.studies import Planned, stage_name
from repro.studies.multilingual.scores import metrics, plots, summary  # noqa: F401  (the study's API)

STAGES = "repro.studies.multilingual.stages"
CPU_ONLY = ("repro.stages.data", f"{STAGES}.data")
REPORTS = ("ml-collect", "ml-answer", "ml-summary")


def check(profile: Profile) -> None:
    """Refuse, before any work, a profile without the study or a study whose data the profile's sources lack."""
    from repro.data.manifest import language_pins
    from repro.errors import UserError
    from repro.params import LOCAL_ONLY
    from repro.studies.multilingual.stages.common import settings
    from repro.tasks import TARGET_TASKS
    from repro.studies.multilingual.arms import Arm, arm_sources

    try:
        ml = settings(profile)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    for name in ml.arms:
        for source, lang in arm_sources(Arm.parse(name), ml.arm_languages(Arm.parse(name))):
            spec = profile.data.sources.get(source)
            if profile.data.origin == "hub" and source in LOCAL_ONLY and not (spec and spec.path):
                raise UserError(f"multilingual.arms: {name} reads {source} ({lang}); {LOCAL_ONLY[source]}")
            if profile.data.origin == "hub" and spec and spec.path and not Path(spec.path).exists():
                raise UserError(f"data.sources.{source}.path: {spec.path} does not exist ({name} reads it)")
    for target_id, langs in ml.xtreme_r_languages.items():
        source = TARGET_TASKS[target_id].evaluate
        spec = profile.data.sources.get(source)
        if profile.data.origin != "hub" or (spec and spec.path):
            continue
        # the Hub copy (google/xtreme) has none of XTREME-R's additions: each is pinned release files of its own
        unpinned = [lang for lang in langs if not language_pins(source, lang)]  # a null commit: refused there
        if unpinned:
            raise UserError(f"multilingual.xtreme_r_languages.{target_id}: {', '.join(unpinned)}: the Hub copy of "
                            f"{source} (google/xtreme) lacks them and repro/data/manifest.yaml pins no release "
                            f"files for them (languages: {source}@<lang>); pin them, set data.sources.{source}"
                            ".path to a local copy in its release format, or take them out")
    for target_id in ml.dual_encoder_targets:
        task = TARGET_TASKS[target_id]
        for source in (s for s in (*task.train, task.evaluate, task.candidates) if s in LOCAL_ONLY):
            spec = profile.data.sources.get(source)
            if profile.data.origin == "hub" and not (spec and spec.path):
                raise UserError(f"multilingual.dual_encoder_targets: {target_id} reads {source}; {LOCAL_ONLY[source]}")
            if profile.data.origin == "hub" and not Path(spec.path).exists():
                raise UserError(f"data.sources.{source}.path: {spec.path} does not exist ({target_id} reads it)")


def planned(profile: Profile) -> list[list[Planned]]:
    """data -> the study's own data (ml-data), pretrain -> the arms' intermediate runs (per seed) -> every run's
    targets (the baseline's too) -> the targets of each run's SQuAD fine-tune (MLQA, Tatoeba), once the profile
    can provide every arm (`check`)."""
    check(profile)
    return waves(profile)


def waves(profile: Profile) -> list[list[Planned]]:
    """The study's stages in waves, whether or not the local sources are there yet (what `repro plan` prices)."""
    from repro.studies.multilingual.stages.common import settings

    ml, name = settings(profile), profile.name
    trained = [(stage_name("ml-intermediate", name, arm, str(seed)), f"{STAGES}.intermediate", (arm, str(seed)))
               for arm in ml.arms for seed in ml.seeds]
    targets = [(stage_name("ml-baseline", name, str(seed), t), f"{STAGES}.target", (f"none-A0-{seed}", t))
               for seed in ml.seeds for t in ml.trained_targets] if ml.baseline else []
    targets += [(stage_name("ml-target", name, arm, str(seed), t), f"{STAGES}.target", (f"{arm}-{seed}", t))
                for arm in ml.arms for seed in ml.seeds for t in ml.trained_targets]
    # the dual encoders (Mewsli-X, LAReQA) start from the same encoders as the trained targets
    targets += [(stage_name("ml-baseline-dual", name, str(seed), t), f"{STAGES}.dual", (f"none-A0-{seed}", t))
                for seed in ml.seeds for t in ml.dual_encoder_targets] if ml.baseline else []
    targets += [(stage_name("ml-dual", name, arm, str(seed), t), f"{STAGES}.dual", (f"{arm}-{seed}", t))
                for arm in ml.arms for seed in ml.seeds for t in ml.dual_encoder_targets]
    from_squad = [(stage_name("ml-baseline-squad", name, str(seed), t), f"{STAGES}.from_squad", (f"none-A0-{seed}", t))
                  for seed in ml.seeds for t in ml.squad_targets] if ml.baseline else []
    from_squad += [(stage_name("ml-squad", name, arm, str(seed), t), f"{STAGES}.from_squad", (f"{arm}-{seed}", t))
                   for arm in ml.arms for seed in ml.seeds for t in ml.squad_targets]
    return [[(stage_name("data", name), "repro.stages.data", ())],
            [(stage_name("ml-data", name), f"{STAGES}.data", ()), (stage_name("pretrain", name), "repro.stages.pretrain", ())],
            trained, targets, from_squad]


def report(profile: Profile, layout: Layout, params_path: Path) -> None:
    """metrics.json, then the answer (contrasts with intervals, mean +- sd tables, plots)."""
    from repro.studies.multilingual.stages import answer as ml_answer, collect as ml_collect, summary as summary_stage

    ml_collect.run(profile, layout, params_path)
    ml_answer.run(profile, layout)
    summary_stage.run(profile, layout)


def claims_study(layout: Layout):
    """What this study's planted claims read (repro.report.planted): its answer's contrast rows, None when absent."""
    from repro.studies.multilingual.layout import claims_subject

    return claims_subject(layout)


VERBS = (("ml-data", f"{STAGES}.data", "Data"), ("ml-intermediate", f"{STAGES}.intermediate", "Train"),
         ("ml-target", f"{STAGES}.target", "Train"), ("ml-from-squad", f"{STAGES}.from_squad", "Evaluate"),
         ("ml-dual", f"{STAGES}.dual", "Train"), ("ml-collect", f"{STAGES}.collect", "Evaluate"),
         ("ml-answer", f"{STAGES}.answer", "Tables and claims"))


def plan(profile: Profile, layout: Layout, **options) -> dict:
    """Every stage of the study, whether or not its local sources are there yet, priced by its own `price`."""
    from repro.measure import plan as pricing
    from repro.studies.multilingual.price import price

    return pricing.priced(profile, layout, waves(profile), price, study="multilingual", **options)


def table(payload: dict):
    from repro.measure import plan as pricing

    return pricing.table(payload)
