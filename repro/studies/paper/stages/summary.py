"""Stage `summary` of the paper study: its summary.json and plots/ for DVC (`repro.stages.summary`)."""

from __future__ import annotations

import typer

from repro.stages.summary import study_stage
from repro.studies.paper import scores

run, command = study_stage("paper", scores)

if __name__ == "__main__":
    typer.run(command)
