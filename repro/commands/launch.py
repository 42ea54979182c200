"""`repro launch`: a training verb on several GPUs or nodes under the DeepSpeed launcher or torchrun
(repro.engine.acceleration builds the command line). repro/cli.py registers it with extra arguments allowed: the
verb and its options follow `--`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from repro.stages.options import fail, friendly, load


@friendly
def command(ctx: typer.Context,
            gpus: Annotated[int, typer.Option(help="processes (GPUs) per node")] = 1,
            nodes: Annotated[int, typer.Option(help="nodes (multi-node needs --hostfile)")] = 1,
            hostfile: Annotated[Path | None, typer.Option(help="DeepSpeed hostfile: `host slots=N` per line")] = None,
            launcher: Annotated[str, typer.Option(help="deepspeed | torchrun")] = "deepspeed",
            master_port: Annotated[int, typer.Option(help="rendezvous port")] = 29500,
            dry_run: Annotated[bool, typer.Option(help="print the launch command, do not run it")] = False) -> None:
    """Run a training verb on several GPUs or nodes under the DeepSpeed launcher or torchrun.

    Example: [bold]repro launch --gpus 8 -- intermediate --profile paper --task mnli[/]
    Multi-node: [bold]repro launch --gpus 8 --hostfile hosts --dry-run -- target --profile paper -i mnli -t xnli[/]
    """
    import os
    import shlex
    import shutil
    import subprocess

    from repro.engine.acceleration import check, launch_command

    line = launch_command(list(ctx.args), gpus=gpus, nodes=nodes, hostfile=hostfile, launcher=launcher,
                          master_port=master_port)
    if dry_run:
        typer.echo(shlex.join(line))
        return
    if "--nnodes" in line:  # torchrun, multi-node
        fail(f"torchrun runs once per node: run this on each of the nodes, or use --launcher deepspeed\n"
             f"  {shlex.join(line)}")
    verb = list(ctx.args)
    params_path = Path(_option(verb, "--params") or "params.yaml")
    profile_name = _option(verb, "--profile") or "paper"
    config, _ = load(params_path, profile_name)
    check(config.engine)
    beside = Path(sys.executable).parent / line[0]  # the launcher of this environment, even if not on PATH
    executable = str(beside) if beside.is_file() else shutil.which(line[0])
    if executable is None:
        fail(f"{line[0]}: not found beside {sys.executable} nor on PATH")
    raise typer.Exit(subprocess.call([executable, *line[1:]], env={**os.environ, "PYTHONUNBUFFERED": "1"}))


def _option(args: list[str], name: str) -> str | None:
    """The value of `--name VALUE` or `--name=VALUE` in a verb's arguments."""
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(f"{name}="):
            return arg.split("=", 1)[1]
    return None
