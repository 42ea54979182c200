"""The studies `repro all --study NAME` runs: each a module of the same shape, so a new study is one file plus
its name here.

A study module holds:
- `planned(profile) -> list[list[Planned]]`: its DVC stages up to its reports, as waves that depend only on
  earlier waves;
- `CPU_ONLY`: the stage modules of its waves that run no model (no GPU is reserved for them);
- `REPORTS`: the stage groups of its report stages (run in the driver after the waves, e.g. collect, tables);
- `report(profile, layout, params_path)`: runs those reports;
- `summary(layout) -> str`: what `repro all` prints at the end (read from what the reports wrote: its answer
  table and the claims' counts);
- `metrics(layout) -> dict`: its summary metrics, nested dicts of numbers (`dvc metrics show/diff`), no
  provenance; `plots(layout) -> {file name: rows}`: the data of its plots (`dvc plots show/diff`). The `summary`
  stage (repro/stages/summary.py) writes both under `results_dir(layout, name)`: summary.json and plots/; dvc.yaml
  declares summary.json as the stage's metrics and each plot (x, y, template) in its top-level `plots:`.
"""

from __future__ import annotations

import importlib
from types import ModuleType

NAMES = ("paper", "multilingual", "code")

Planned = tuple[str, str, tuple[str, ...]]  # (dvc stage name, stage module, its arguments after profile/layout)


def stage_name(group: str, profile: str, *ids: str) -> str:
    """The dvc.yaml name of a stage: target-smoke@mnli-xnli, pretrain-smoke."""
    return f"{group}-{profile}" + (f"@{'-'.join(ids)}" if ids else "")


def results_dir(layout, name: str):
    """Where a study's summary and plot data land: results/<profile> for the paper's, else
    results/<profile>/studies/<name>."""
    return layout.results if name == "paper" else layout.results / "studies" / name


def get(name: str) -> ModuleType:
    """The study module called `name`; one line naming the studies there are otherwise."""
    from repro.errors import UserError

    if name not in NAMES:
        raise UserError(f"--study: {name!r} is not one of {', '.join(NAMES)}")
    return importlib.import_module(f"repro.studies.{name}")
