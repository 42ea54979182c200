"""`repro bench`: the training throughput, peak memory and MFU of the profile's model and engine
(repro.measure.bench)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from repro.stages.options import ParamsOpt, ProfileOpt, friendly, load


@friendly
def command(deepspeed: Annotated[str, typer.Option(help="none | zero2 | zero3 | zero3-offload")] = "none",
            faithful: Annotated[bool, typer.Option(help="the paper's recipe: fp32, pad to max length, 4 x 8")] = False,
            random_init: Annotated[bool, typer.Option(help="the profile's architecture with random weights (same "
                                                           "compute; no download)")] = False,
            task: Annotated[str, typer.Option(help="a classification task of the profile")] = "mnli",
            steps: Annotated[int, typer.Option(help="measured optimizer steps")] = 20,
            warmup: Annotated[int, typer.Option(help="optimizer steps before measuring")] = 5,
            micro_batch: Annotated[int | None, typer.Option(help="override engine.micro_batch")] = None,
            memory_budget_gib: Annotated[float | None, typer.Option(help="cap GPU memory (GiB)")] = None,
            length: Annotated[int | None, typer.Option(help="synthetic rows of exactly N tokens")] = None,
            as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
            params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """Measure training of the profile's model and engine: tokens/s (real tokens), samples/s, peak memory, MFU.

    Example: [bold]repro bench --profile paper --deepspeed zero2 --random-init --json > bench.json[/]
    """
    from repro.measure import bench as measure

    config, layout = load(params, profile)
    result = measure.run(config, layout, deepspeed=deepspeed, faithful=faithful, random_init=random_init, task=task,
                         steps=steps, warmup=warmup, micro_batch=micro_batch, memory_budget_gib=memory_budget_gib,
                         length=length)
    if as_json:
        typer.echo(json.dumps(result, indent=1))
        return
    mfu = "n/a" if result["mfu"] is None else f"{result['mfu']:.1%}"
    typer.echo(f"{result['device']}: {result['tokens_per_second']:,.0f} tokens/s, "
               f"{result['samples_per_second']:,.1f} samples/s, peak memory "
               f"{result['peak_memory_bytes'] / 2**30:.2f} GiB, MFU {mfu}")
