"""The multilingual study (issue 10): English-only intermediate training against English plus other languages at
equal budget (arms A0-A4, repro/tasks/alternatives.py `Arm`), every trained stage once per seed, XTREME (and XTREME-R)
targets; results under results/<profile>/multilingual/: metrics.json, answer.{md,json}, plots/."""

from __future__ import annotations

import json
from pathlib import Path

from repro.params import Profile
from repro.paths import Layout
from repro.studies import Planned, stage_name

CPU_ONLY = ("data",)
REPORTS = ("ml-collect", "ml-answer", "ml-summary")


def check(profile: Profile) -> None:
    """Refuse, before any work, a profile without the study or a study whose data the profile's sources lack."""
    from repro.errors import UserError
    from repro.params import LOCAL_ONLY
    from repro.stages.ml_common import settings
    from repro.tasks import TARGET_TASKS
    from repro.tasks.alternatives import Arm, arm_sources

    try:
        ml = settings(profile)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    for name in ml.arms:
        for source, lang in arm_sources(Arm.parse(name), ml.languages):
            spec = profile.data.sources.get(source)
            if profile.data.origin == "hub" and source in LOCAL_ONLY and not (spec and spec.path):
                raise UserError(f"multilingual.arms: {name} reads {source} ({lang}); {LOCAL_ONLY[source]}")
            if profile.data.origin == "hub" and spec and spec.path and not Path(spec.path).exists():
                raise UserError(f"data.sources.{source}.path: {spec.path} does not exist ({name} reads it)")
    for target_id, langs in ml.xtreme_r_languages.items():
        source = TARGET_TASKS[target_id].evaluate
        spec = profile.data.sources.get(source)
        if profile.data.origin == "hub" and langs and not (spec and spec.path):
            raise UserError(f"multilingual.xtreme_r_languages.{target_id}: {', '.join(langs)}: the Hub copy of "
                            f"{source} (google/xtreme) has none of XTREME-R's additions; set data.sources.{source}"
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
    """data -> pretrain -> the arms' intermediate runs (per seed) -> every run's targets (the baseline's too) ->
    the targets of each run's SQuAD fine-tune (MLQA, Tatoeba), once the profile can provide every arm (`check`)."""
    check(profile)
    return waves(profile)


def waves(profile: Profile) -> list[list[Planned]]:
    """The study's stages in waves, whether or not the local sources are there yet (what `repro plan` prices)."""
    from repro.stages.ml_common import settings

    ml, name = settings(profile), profile.name
    trained = [(stage_name("ml-intermediate", name, arm, str(seed)), "ml_intermediate", (arm, str(seed)))
               for arm in ml.arms for seed in ml.seeds]
    targets = [(stage_name("ml-baseline", name, str(seed), t), "ml_target", (f"none-A0-{seed}", t))
               for seed in ml.seeds for t in ml.trained_targets] if ml.baseline else []
    targets += [(stage_name("ml-target", name, arm, str(seed), t), "ml_target", (f"{arm}-{seed}", t))
                for arm in ml.arms for seed in ml.seeds for t in ml.trained_targets]
    # the dual encoders (Mewsli-X, LAReQA) start from the same encoders as the trained targets
    targets += [(stage_name("ml-baseline-dual", name, str(seed), t), "ml_dual", (f"none-A0-{seed}", t))
                for seed in ml.seeds for t in ml.dual_encoder_targets] if ml.baseline else []
    targets += [(stage_name("ml-dual", name, arm, str(seed), t), "ml_dual", (f"{arm}-{seed}", t))
                for arm in ml.arms for seed in ml.seeds for t in ml.dual_encoder_targets]
    from_squad = [(stage_name("ml-baseline-squad", name, str(seed), t), "ml_from_squad", (f"none-A0-{seed}", t))
                  for seed in ml.seeds for t in ml.squad_targets] if ml.baseline else []
    from_squad += [(stage_name("ml-squad", name, arm, str(seed), t), "ml_from_squad", (f"{arm}-{seed}", t))
                   for arm in ml.arms for seed in ml.seeds for t in ml.squad_targets]
    return [[(stage_name("data", name), "data", ())], [(stage_name("pretrain", name), "pretrain", ())],
            trained, targets, from_squad]


def report(profile: Profile, layout: Layout, params_path: Path) -> None:
    """metrics.json, then the answer (contrasts with intervals, mean +- sd tables, plots)."""
    from repro.stages import ml_answer, ml_collect, summary as summarize

    ml_collect.run(profile, layout, params_path)
    ml_answer.run(profile, layout)
    summarize.run(layout, "multilingual")


def _answer(layout: Layout) -> dict:
    from repro.report.study import read_json
    from repro.stages.ml_common import study_layout

    path = study_layout(layout).results / "answer.json"
    answer = read_json(path)
    if answer is None:
        from repro.errors import UserError

        raise UserError(f"{path}: no answer; run `repro ml-answer --profile {layout.profile}`")
    return answer


def metrics(layout: Layout) -> dict:
    """{suite: {intermediate: {contrast: {group or task: {seen|unseen|all: mean}}}}} from answer.json: every
    contrast's estimate, no intervals or provenance (`dvc metrics show/diff`)."""
    out: dict = {}
    for r in _answer(layout)["contrasts"]:
        where = r.get("task") or r["group"]
        out.setdefault(r["suite"], {}).setdefault(r["intermediate"], {}).setdefault(r["contrast"], {}) \
            .setdefault(where, {})[r["languages"]] = r["mean"]
    return out


def plots(layout: Layout) -> dict[str, list[dict]]:
    """contrasts.json: the overall contrasts with their intervals, one row per (suite, intermediate, contrast,
    languages), what dvc.yaml's `plots:` draws as bars."""
    rows = [{"contrast": f"{r['suite']} {r['intermediate']} {r['contrast']} ({r['languages']})", "mean": r["mean"],
             "ci_low": r["ci_low"], "ci_high": r["ci_high"]}
            for r in _answer(layout)["contrasts"] if r["level"] == "overall"]
    return {"contrasts.json": rows}


def summary(layout: Layout) -> str:
    from repro.report.inference import primary_lines
    from repro.stages.ml_common import study_layout

    results = study_layout(layout).results
    answer = json.loads((results / "answer.json").read_text())
    primary = primary_lines(answer["contrasts"], lambda r: f"{r['suite']} {r['intermediate']} {r['contrast']} "
                            f"{r.get('task') or r['group']} ({r['languages']})")
    return "\n".join(primary + [f"{len(answer['contrasts'])} contrasts -> {results / 'answer.md'}"])
