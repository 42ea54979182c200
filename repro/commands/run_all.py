"""`repro all`: every stage of a study on this machine (local executor) or a Ray cluster, after `repro doctor`'s
checks where the profile trains a Hub model."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from repro import studies
from repro.commands import STUDY_NAMES
from repro.stages.options import ParamsOpt, ProfileOpt, fail, friendly, load


@friendly
def command(params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper",
            jobs: Annotated[int, typer.Option(help="local: stages side by side (default: one per GPU; without "
                                                   "GPUs, cores / threads worker processes)")] = 0,
            executor: Annotated[str, typer.Option(help="local (this machine) | ray (a Ray cluster)")] = "local",
            address: Annotated[str | None, typer.Option(help="ray: the cluster's address (`ray start --head` "
                                                              "prints it; auto: the cluster of this node); "
                                                              "default: start Ray on this machine")] = None,
            gpus: Annotated[str | None, typer.Option(help="local: the GPUs to use, e.g. 0,1,2,3 (default: every "
                                                          "visible GPU; none: CPU only)")] = None,
            study: Annotated[str, typer.Option(help=f"the study to run: {STUDY_NAMES} (each is a folder "
                                                    "repro/studies/<name>/)")] = "paper",
            no_gpu_ok: Annotated[bool, typer.Option("--no-gpu-ok", help="run a Hub-model profile (paper) on a "
                                                                        "machine without GPUs anyway")] = False,
            as_json: Annotated[bool, typer.Option("--json", help="print the study's summary metrics as JSON")]
            = False) -> None:
    """Every stage in order: data, pretrain, intermediate tasks, targets, retrieval, collect.

    Example: [bold]repro all --profile smoke[/]  (the embedded CPU world, offline, minutes)
    On a node: [bold]repro all --profile paper[/]  (one stage per GPU, every visible GPU)
    On a cluster: [bold]repro all --profile paper --executor ray --address auto[/]
    """
    import os

    from repro.pipeline import check_params_file, run_all as run
    from repro.progress import live

    config, layout = load(params, profile)
    check_params_file(layout, params)
    if executor == "local":
        from repro.executors import devices
        from repro.executors.local import LocalExecutor

        if address is not None:
            fail("--address: only with --executor ray")
        chosen = devices.choose(gpus, devices.visible())
        if not chosen and config.model.hub and not no_gpu_ok:
            fail(f"--profile {profile}: trains {config.model.hub} and this machine has no GPU; try "
                 f"`repro all --profile smoke` (the CPU world), or pass --no-gpu-ok to go on")
        workers = jobs or (len(chosen) if chosen else
                           max(1, (os.cpu_count() or 1) // (config.threads or os.cpu_count() or 1)))
        runner = LocalExecutor(chosen, workers)
    elif executor == "ray":
        from repro.executors.ray import RayExecutor

        if gpus is not None or jobs:
            fail(f"{'--gpus' if gpus is not None else '--jobs'}: the Ray executor places stages on the cluster's "
                 "GPUs and cores itself (grid in params.yaml says what one stage needs)")
        runner = RayExecutor(address, config.grid.retries, str(layout.root.resolve()))
    else:
        fail(f"--executor: {executor!r} is not one of local, ray")
    if config.model.hub:  # a Hub-model profile: `repro doctor` first (the machine's checks where it runs here)
        from repro.doctor import machine_problems, problems

        found = problems(config, study)
        found += machine_problems(config, layout, study, gpu_ok=no_gpu_ok) if executor == "local" else []
        if found:
            more = f" (and {len(found) - 1} more: `repro doctor --profile {profile}`)" if len(found) > 1 else ""
            fail(f"repro doctor: {found[0]}{more}")
    start = time.perf_counter()
    with live():
        summary = run(config, layout, params, runner, study)
    if as_json:
        typer.echo(json.dumps(studies.get(study).metrics(layout), indent=1, sort_keys=True))
        return
    typer.echo(summary)
    typer.echo(f"took {time.perf_counter() - start:.0f}s")
