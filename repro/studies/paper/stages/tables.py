"""Stage `tables`: the paper's tables (md, csv, tex) and plots from a collected run, under
results/<profile>/tables/ (`repro.studies.paper.tables`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from repro.paths import Layout
from repro.stages.options import ProfileOpt, friendly


def run(layout: Layout, number: str = "all") -> list[Path]:
    from repro.studies.paper import tables

    if number == "all":
        return tables.write_all_tables(layout)
    return tables.write_table(int(number) if number.isdigit() else number, layout)


@friendly
def command(number: Annotated[str, typer.Argument(help="1, 2, 3, 4, appendix, or all")] = "all",
            profile: ProfileOpt = "paper") -> None:
    """Write one of the paper's tables (md, csv, tex, plus plots) to results/<profile>/tables/.

    Example: [bold]repro table 2 --profile smoke[/]
    """
    for path in run(Layout(profile), number):
        typer.echo(str(path))


if __name__ == "__main__":
    typer.run(command)
