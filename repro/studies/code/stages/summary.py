"""Stage `summary` of the code study: its summary.json and plots/ for DVC (`repro.stages.summary`)."""

from __future__ import annotations

import typer

from repro.stages.summary import study_stage
from repro.studies.code import scores

run, command = study_stage("code", scores)

if __name__ == "__main__":
    typer.run(command)
