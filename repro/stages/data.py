"""Stage `data`: materialize every dataset of the profile's own study lists (the paper's) under prepared/<profile>/ (the
Hub at pinned revisions, local release files, or the smoke world), with the gold labels of every evaluated split.
A study that reads more has a data stage of its own (`repro.studies.shared_data`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from repro.params import Profile
from repro.paths import Layout
from repro.stages.options import ParamsOpt, ProfileOpt, friendly, run_stage


def run(profile: Profile, layout: Layout, study: str | None = None) -> dict:
    from repro.data.materialize import materialize

    return materialize(profile, layout, study)


@friendly
def command(params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper",
            study: Annotated[str | None, typer.Option(help="this study's sources alone (a name `repro all --study` "
                                                           "takes; default: the paper's, the profile's own lists)")] = None
            ) -> None:
    """Materialize the profile's datasets under prepared/<profile>/ (Hub, local release files, or the smoke world).

    Example: [bold]repro data --profile smoke[/]
    """
    run_stage(params, profile, f"data ({profile})", run, study,
              done=lambda manifest: f"{len(manifest)} datasets -> {Layout(profile).data}")


if __name__ == "__main__":
    typer.run(command)
