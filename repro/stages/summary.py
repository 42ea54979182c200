"""A study's summary: its summary metrics (summary.json: nested dicts of scores, no provenance, what `dvc metrics
show/diff` read) and the data of its plots (plots/, what dvc.yaml's `plots:` draw), from what its other reports
wrote (each study's `metrics` and `plots`), under `repro.studies.results_dir`. Each study's `summary` stage
(`repro/studies/<name>/stages/summary.py`) calls `write` with its own study module; `repro summary --study`
looks the study up by name; `study_stage` makes the three of them alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Callable

import typer

from repro.io import atomic_dir, atomic_json
from repro.paths import Layout
from repro.stages.options import ProfileOpt, friendly

StudyOpt = Annotated[str, typer.Option(help="the study whose summary to write (a name `repro all --study` takes)")]


def write(layout: Layout, name: str, module) -> Path:
    """Write study `module`'s summary.json and plots/ (each atomically); returns summary.json's path."""
    from repro.studies import results_dir

    out = results_dir(layout, name)
    payload, plots = module.metrics(layout), module.plots(layout)
    with atomic_dir(out / "plots") as tmp:
        for name, rows in plots.items():
            atomic_json(tmp / name, rows)
    atomic_json(out / "summary.json", payload)
    return out / "summary.json"


def study_stage(name: str, module) -> tuple[Callable, Callable]:
    """A study's `summary` stage: (`run(profile, layout)`, which its `report` calls; the `command` its dvc.yaml
    stage runs), writing study `module`'s summary under its `name`."""
    def run(profile, layout: Layout) -> None:
        write(layout, name, module)

    def command(profile: ProfileOpt = "paper") -> None:
        layout = Layout(profile)
        run(None, layout)
        typer.echo(f"summary -> {layout.profile}: {name}")

    command.__doc__ = f"""Write the {name} study's summary metrics and plot data.

    Example: [bold]python -m repro.studies.{name}.stages.summary --profile smoke[/]
    """
    return run, friendly(command)


@friendly
def command(profile: ProfileOpt = "paper", study: StudyOpt = "paper",
            as_json: Annotated[bool, typer.Option("--json", help="print the summary metrics")] = False) -> None:
    """Write a study's summary metrics (summary.json, for `dvc metrics show`) and its plots' data (plots/).

    Example: [bold]repro summary --profile smoke --json[/]
    """
    from repro import studies

    path = write(Layout(profile), study, studies.get(study))
    typer.echo(json.dumps(json.loads(path.read_text()), indent=1) if as_json else f"summary -> {path}")
