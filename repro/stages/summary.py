"""Stage `summary`: a study's summary metrics (results/<profile>/summary.json: nested dicts of scores, no
provenance, what `dvc metrics show/diff` read) and the data of its plots (results/<profile>/plots/, what dvc.yaml's
`plots:` draw), from what its other reports wrote (`repro.studies`: each study's `metrics` and `plots`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from repro.io import atomic_dir, atomic_json
from repro.paths import Layout
from repro.stages.options import ProfileOpt, friendly

StudyOpt = Annotated[str, typer.Option(help="the study whose summary to write: paper | multilingual | code")]


def run(layout: Layout, study: str = "paper") -> Path:
    """Write the study's summary.json and plots/ (each atomically); returns summary.json's path."""
    from repro import studies

    module = studies.get(study)
    out = studies.results_dir(layout, study)
    payload, plots = module.metrics(layout), module.plots(layout)
    with atomic_dir(out / "plots") as tmp:
        for name, rows in plots.items():
            atomic_json(tmp / name, rows)
    atomic_json(out / "summary.json", payload)
    return out / "summary.json"


@friendly
def command(profile: ProfileOpt = "paper", study: StudyOpt = "paper",
            as_json: Annotated[bool, typer.Option("--json", help="print the summary metrics")] = False) -> None:
    """Write a study's summary metrics (summary.json, for `dvc metrics show`) and its plots' data (plots/).

    Example: [bold]repro summary --profile smoke --json[/]
    """
    path = run(Layout(profile), study)
    typer.echo(json.dumps(json.loads(path.read_text()), indent=1) if as_json else f"summary -> {path}")


if __name__ == "__main__":
    typer.run(command)
