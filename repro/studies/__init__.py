"""The studies `repro all --study NAME` runs: each a folder of the same shape (`repro/studies/<name>/`), so a new
study is one folder plus its entries here, its section in params.yaml and its stages in dvc.yaml.

A study's `study` module holds:
- `planned(profile) -> list[list[Planned]]`: its DVC stages up to its reports, as waves that depend only on
  earlier waves (each stage: its dvc.yaml name, the module whose `run` it is, its arguments);
- `CPU_ONLY`: the stage modules of its waves that run no model (no GPU is reserved for them);
- `REPORTS`: the stage groups of its report stages (run in the driver after the waves, e.g. collect, tables);
- `report(profile, layout, params_path)`: runs those reports;
- `summary(layout) -> str`: what `repro all` prints at the end (read from what the reports wrote);
- `metrics(layout) -> dict` and `plots(layout) -> {file name: rows}`: its summary metrics and plot data, which
  its summary stage writes under `results_dir(layout, name)` (`repro.stages.summary`);
- `plan(profile, layout, **options) -> dict` and `table(payload)`: its stages priced for `repro plan`;
- `VERBS`: its command-line verbs, `(name, "module", panel)`, each module's `command`.
A study with a params section of its own (`profiles.<p>.<name>`) registers its schema in SECTIONS: every load of
params.yaml validates it there (`repro.params`), and `profile.section(name)` returns it.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from repro.registry import Registry

STUDIES = Registry("study", {"paper": "repro.studies.paper.study",
                             "multilingual": "repro.studies.multilingual.study",
                             "code": "repro.studies.code.study"}, deps=False)
SECTIONS = Registry("study section", {"multilingual": "repro.studies.multilingual.params:Multilingual",
                                      "code": "repro.studies.code.params:CodeStudy"}, deps=False)

Planned = tuple[str, str, tuple[str, ...]]  # (dvc stage name, stage module, its arguments after profile/layout)


def stage_name(group: str, profile: str, *ids: str) -> str:
    """The dvc.yaml name of a stage: target-smoke@mnli-xnli, pretrain-smoke."""
    return f"{group}-{profile}" + (f"@{'-'.join(ids)}" if ids else "")


def results_dir(layout, name: str) -> Path:
    """Where a study's outputs land: results/<profile> for the paper's, else results/<profile>/<name> (its
    summary.json and plots/ inside)."""
    return layout.results if name == "paper" else layout.results / name


def get(name: str) -> ModuleType:
    """The study module called `name`; one line naming the studies there are otherwise."""
    from repro.errors import UserError

    if name not in STUDIES:
        raise UserError(f"--study: {name!r} is not one of {', '.join(STUDIES)}")
    return STUDIES[name]
