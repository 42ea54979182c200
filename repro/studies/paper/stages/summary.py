"""Stage `summary` of the paper study: its summary.json and plots/ for DVC (`repro.stages.summary`)."""

from __future__ import annotations

import typer

from repro.params import Profile
from repro.paths import Layout
from repro.stages.options import ProfileOpt, friendly
from repro.stages.summary import write
from repro.studies.paper import scores


def run(profile: Profile | None, layout: Layout) -> None:
    write(layout, "paper", scores)


@friendly
def command(profile: ProfileOpt = "paper") -> None:
    """Write the paper study's summary metrics and plot data.

    Example: [bold]python -m repro.studies.paper.stages.summary --profile smoke[/]
    """
    layout = Layout(profile)
    run(None, layout)
    typer.echo(f"summary -> {layout.profile}: paper")


if __name__ == "__main__":
    typer.run(command)
