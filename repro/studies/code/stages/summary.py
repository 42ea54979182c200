"""Stage `summary` of the code study: its summary.json and plots/ for DVC (`repro.stages.summary`)."""

from __future__ import annotations

import typer

from repro.params import Profile
from repro.paths import Layout
from repro.stages.options import ProfileOpt, friendly
from repro.stages.summary import write
from repro.studies.code import scores


def run(profile: Profile | None, layout: Layout) -> None:
    write(layout, "code", scores)


@friendly
def command(profile: ProfileOpt = "paper") -> None:
    """Write the code study's summary metrics and plot data.

    Example: [bold]python -m repro.studies.code.stages.summary --profile smoke[/]
    """
    layout = Layout(profile)
    run(None, layout)
    typer.echo(f"summary -> {layout.profile}: code")


if __name__ == "__main__":
    typer.run(command)
