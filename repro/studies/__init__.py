"""The studies `repro all --study NAME` runs: each a module of the same shape, so a new study is one file plus
its name here.

A study module holds:
- `planned(profile) -> list[list[Planned]]`: its DVC stages up to its reports, as waves that depend only on
  earlier waves;
- `REPORTS`: the stage groups of its report stages (run in the driver after the waves, e.g. collect, tables);
- `report(profile, layout, params_path)`: runs those reports;
- `summary(layout) -> str`: the line `repro all` prints at the end (read from what the reports wrote).
"""

from __future__ import annotations

import importlib
from types import ModuleType

NAMES = ("paper", "code")

Planned = tuple[str, str, tuple[str, ...]]  # (dvc stage name, stage module, its arguments after profile/layout)


def stage_name(group: str, profile: str, *ids: str) -> str:
    """The dvc.yaml name of a stage: target-smoke@mnli-xnli, pretrain-smoke."""
    return f"{group}-{profile}" + (f"@{'-'.join(ids)}" if ids else "")


def get(name: str) -> ModuleType:
    """The study module called `name`; one line naming the studies there are otherwise."""
    from repro.errors import UserError

    if name not in NAMES:
        raise UserError(f"--study: {name!r} is not one of {', '.join(NAMES)}")
    return importlib.import_module(f"repro.studies.{name}")
