"""The verbs that make a real run ready before any training: `repro fetch` (every pinned input under data/, recorded
in data.dvc, and the models in the Hugging Face cache, verified) and `repro doctor` (one line per problem, exit 2 when any). Not DVC stages: they write no outputs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from repro.stages.options import ParamsOpt, ProfileOpt, fail, friendly, load

StudyOpt = Annotated[str | None, typer.Option(help="only this study's inputs (a name `repro all --study` takes; "
                                                   "default: every study of the profile)")]


@friendly
def fetch(params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper", study: StudyOpt = None) -> None:
    """Download and verify every pinned input of the profile (datasets and release files under data/, recorded by
    `dvc add data` in data.dvc; models in the Hugging Face cache); afterwards `HF_HUB_OFFLINE=1 repro all` needs no
    network. Resumable.

    Example: [bold]repro fetch --profile paper --study paper[/]
    """
    from repro.data.fetch import fetch as run, record
    from repro.progress import live

    config, _ = load(params, profile)
    with live():
        count = run(config, study)
    recorded = record()
    typer.echo(f"{count} inputs present and verified" + ("; data/ recorded in data.dvc (commit it, `dvc push` the "
                                                         "bytes)" if recorded else ""))


@friendly
def doctor(params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper", study: StudyOpt = None,
           no_gpu_ok: Annotated[bool, typer.Option("--no-gpu-ok", help="no GPU is not a problem")] = False) -> None:
    """Check, before any training, that a run can start: inputs present and verified (offline), local paths set,
    the code study's toolchains and sandbox, the GPUs (count, memory against each stage's peak, driver against
    this torch build's CUDA) and the free disk against `repro plan`'s. One line per problem; exit 2 when any. In a
    container, a warning for each output (data, models, checkpoints, results, caches) not on a volume.

    Example: [bold]repro doctor --profile paper --study code[/]
    """
    from repro import container
    from repro.doctor import machine_problems, notes, problems

    config, layout = load(params, profile)
    for line in notes(config, study):
        typer.echo(f"note: {line}", err=True)
    for line in container.warnings(layout):
        typer.echo(f"warning: {line}", err=True)
    found = problems(config, study) + machine_problems(config, layout, study, gpu_ok=no_gpu_ok)
    for line in found:
        typer.echo(f"problem: {line}", err=True)
    if found:
        fail(f"{len(found)} problem(s); `repro fetch --profile {profile}` brings missing inputs")
    typer.echo("ready: every check passed")
