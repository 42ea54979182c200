"""`repro plan`: a study's stages with their estimated GPU-hours and its disk, each study pricing its own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from repro import studies
from repro.commands import STUDY_NAMES
from repro.stages.options import ParamsOpt, ProfileOpt, fail, friendly


@friendly
def command(throughput: Annotated[Path | None, typer.Option(help="a `repro bench --json` result")] = None,
            tokens_per_second: Annotated[float | None, typer.Option(help="training tokens/s of one device")] = None,
            parallel: Annotated[int, typer.Option(help="stages running at once (the GPUs of a node): the "
                                                       "checkpoints' disk peak")] = 1,
            as_json: Annotated[bool, typer.Option("--json", help="print the plan as JSON")] = False,
            params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper",
            study: Annotated[str, typer.Option(help=f"the study to price: {STUDY_NAMES}")] = "paper") -> None:
    """Every stage the profile runs with its estimated GPU-hours (from dataset sizes, epochs and a throughput),
    and the disk the study needs.

    Example: [bold]repro plan --profile paper --throughput bench.json[/]
    """
    from rich.console import Console

    from repro.params import load as load_params
    from repro.paths import Layout

    if throughput is not None and tokens_per_second is not None:
        fail("give --throughput or --tokens-per-second, not both")
    if throughput is not None and not throughput.is_file():
        fail(f"--throughput: {throughput}: no such file")
    if parallel < 1:
        fail(f"--parallel: must be at least 1, got {parallel}")
    module = studies.get(study)
    payload = module.plan(load_params(params, profile), Layout(profile), file=throughput,
                          tokens_per_second=tokens_per_second, parallel=parallel)
    if as_json:
        typer.echo(json.dumps(payload, indent=1))
        return
    Console(width=140).print(module.table(payload))
