"""Stage `ml-data`: every dataset the multilingual study reads under prepared/multilingual-<profile>/ (its targets in
its languages, XTREME-R's too, each arm's English sources, translations and MLM text, with their gold labels),
from its section alone, so an edit of the section reruns this and nothing of the paper's data. On the smoke
profile it is the world the paper's data stage writes (`repro.studies.shared_data.world_languages`). It reads the
section's values without its schema module (as `repro.studies.multilingual.data` says), so a schema edit reruns no
data."""

from __future__ import annotations

from pathlib import Path

import typer

from repro.params import Profile
from repro.errors import UserError
from repro.paths import Layout
from repro.stages.options import ParamsOpt, ProfileOpt, friendly, run_stage
from repro.studies.multilingual.data import additions
from repro.studies.multilingual.layout import STUDY, study_layout


def run(profile: Profile, layout: Layout) -> dict:
    from repro.data.materialize import materialize

    section = profile.section(STUDY)
    if section is None:
        raise UserError(f"profiles.{profile.name}.multilingual: the profile has no multilingual study")
    return materialize(profile, study_layout(layout), planned=(False, [additions(profile, section)]))


@friendly
def command(params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """The multilingual study's datasets under prepared/multilingual-<profile>/ (Hub, local release files, or the
    smoke world).

    Example: [bold]repro ml-data --profile smoke[/]
    """
    run_stage(params, profile, f"multilingual data ({profile})", run,
              done=lambda manifest: f"{len(manifest)} datasets -> {study_layout(Layout(profile)).data}")


if __name__ == "__main__":
    typer.run(command)
