"""The `repro` command line: one verb per pipeline stage, plus `all`, `score`.

Each stage verb reads declared inputs and writes declared outputs atomically, so DVC can wire them.
Heavy libraries are imported inside the verbs, which keeps `repro --help` fast.
"""

from __future__ import annotations

import functools
import json
import time
from pathlib import Path
from typing import Annotated, Callable

import typer

app = typer.Typer(no_args_is_help=True, rich_markup_mode="rich", add_completion=False,
                  help="Reproduce X-STILTs (Phang et al. 2020): intermediate-task training for zero-shot "
                       "cross-lingual transfer with XLM-R, on XTREME.")

ParamsOpt = Annotated[Path, typer.Option("--params", help="params file", show_default=True)]
ProfileOpt = Annotated[str, typer.Option("--profile", help="profile in params.yaml: paper | smoke")]
IntermediateOpt = Annotated[str, typer.Option("--intermediate", "-i",
                                              help="none | an intermediate task | multitask")]
TargetOpt = Annotated[str, typer.Option("--target", "-t", help="an XTREME target task")]

DATA, TRAIN, EVAL, REPORT = "Data", "Train", "Evaluate", "Tables and claims"


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def friendly(verb: Callable) -> Callable:
    """Turn the errors users can fix (bad params, missing inputs) into one line and exit code 2."""
    @functools.wraps(verb)
    def wrapper(*args, **kwargs):
        try:
            return verb(*args, **kwargs)
        except (ValueError, KeyError, FileNotFoundError) as exc:
            _fail(str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc))
    return wrapper


def _load(params: Path, profile: str):
    from repro.params import load
    from repro.paths import Layout

    config = load(params, profile)
    if config.threads:
        import torch

        torch.set_num_threads(config.threads)
    return config, Layout(profile)


@app.command(rich_help_panel=DATA)
@friendly
def data(params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """Materialize every dataset of the profile under data/<profile>/ (Hub, local release files, or the smoke world).

    Example: [bold]repro data --profile smoke[/]
    """
    from repro import data as data_stage
    from repro.progress import live, stage

    config, layout = _load(params, profile)
    with live(), stage(f"data ({profile})"):
        manifest = data_stage.materialize(config, layout)
    typer.echo(f"{len(manifest)} datasets -> {layout.data}")


@app.command(rich_help_panel=TRAIN)
@friendly
def pretrain(params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """Phase 1: the pretrained masked LM (XLM-R Large at a pinned revision, or the tiny smoke model).

    Example: [bold]repro pretrain --profile smoke[/]
    """
    from repro import phases
    from repro.progress import live, stage

    config, layout = _load(params, profile)
    with live(), stage("pretrain"):
        out = phases.pretrain(config, layout)
    typer.echo(f"pretrained model -> {out}")


@app.command(rich_help_panel=TRAIN)
@friendly
def intermediate(task: Annotated[str, typer.Option("--task", help="an intermediate task, multitask, or an "
                                                                  "alternative such as mnli+mlm")],
                 params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """Phase 2: fine-tune on one English intermediate task (or `multitask`, or a Table 4 alternative:
    `<task>+mlm`, `<task>+translated`); saves the encoder only.

    Example: [bold]repro intermediate --profile smoke --task mnli[/]
    """
    from repro import phases
    from repro.progress import console, live, stage
    from repro.registry import INTERMEDIATE_TASKS, MULTITASK

    config, layout = _load(params, profile)
    known = [*INTERMEDIATE_TASKS, MULTITASK, *config.study.alternatives.encoders]
    if task not in known:
        _fail(f"unknown intermediate task {task!r}; known: {', '.join(known)}")
    with live(), stage(f"intermediate {task}"):
        out = phases.intermediate(config, layout, task)
    if out is None:
        console.print(f"[yellow]skip[/] {task}: no training data here (a source that needs a local path: "
                      "CCGbank, translated SQuAD)")
    else:
        typer.echo(f"encoder -> {out}")


@app.command(rich_help_panel=TRAIN)
@friendly
def target(intermediate_id: IntermediateOpt, target_id: TargetOpt, params: ParamsOpt = Path("params.yaml"),
           profile: ProfileOpt = "paper") -> None:
    """Phase 3: fine-tune on a target's English data from an encoder, evaluate zero-shot in every language.

    Example: [bold]repro target --profile smoke --intermediate mnli --target xnli[/]
    """
    _pair_stage(params, profile, intermediate_id, target_id, retrieval=False)


@app.command(rich_help_panel=EVAL)
@friendly
def retrieval(intermediate_id: IntermediateOpt, target_id: TargetOpt, params: ParamsOpt = Path("params.yaml"),
              profile: ProfileOpt = "paper") -> None:
    """BUCC or Tatoeba straight from an encoder (no training): margin mining F1 / nearest-neighbour accuracy.

    Example: [bold]repro retrieval --profile smoke --intermediate squad_v2 --target tatoeba[/]
    """
    _pair_stage(params, profile, intermediate_id, target_id, retrieval=True)


def _pair_stage(params: Path, profile: str, intermediate_id: str, target_id: str, retrieval: bool) -> None:
    from repro import phases
    from repro.progress import live, stage
    from repro.registry import target as lookup

    config, layout = _load(params, profile)
    task = lookup(target_id)
    if intermediate_id not in config.study.intermediate:  # the encoders the study lists, as the phases check
        _fail(f"unknown intermediate {intermediate_id!r}; known: {', '.join(config.study.intermediate)}")
    if (task.format == "retrieval") != retrieval:
        _fail(f"{target_id} is {'not ' if retrieval else ''}a retrieval task; use `repro "
              f"{'target' if retrieval else 'retrieval'}`")
    with live(), stage(f"{intermediate_id} -> {target_id}"):
        result = phases.target(config, layout, intermediate_id, target_id)
    typer.echo(json.dumps(result["results"]))


@app.command(rich_help_panel=EVAL)
@friendly
def collect(params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """Gather every stage's metrics into results/<profile>/metrics.json with provenance.

    Example: [bold]repro collect --profile smoke[/]
    """
    from repro.results import collect as gather

    config, layout = _load(params, profile)
    payload = gather(config, layout, params)
    typer.echo(f"{len(payload['results'])} results -> {layout.metrics}")


@app.command(rich_help_panel=EVAL)
@friendly
def score(predictions: Annotated[Path, typer.Option(help="folder: <task>/test-<lang>.tsv|json")],
          labels: Annotated[Path, typer.Option(help="folder with the gold files, same layout")],
          partial: Annotated[bool, typer.Option(help="score the languages present instead of refusing a "
                                                     "missing one (not an official number)")] = False) -> None:
    """Score predictions exactly as the official XTREME evaluation does; prints {"overall", "detailed"}.

    Example: [bold]repro score --predictions results/smoke/predictions/mnli --labels data/smoke/labels --partial[/]
    """
    from repro.score import score_folders

    result = score_folders(predictions, labels, require_all_languages=not partial)
    typer.echo(json.dumps(result, indent=1))


@app.command(rich_help_panel=REPORT)
@friendly
def table(number: Annotated[str, typer.Argument(help="1, 2, 3, 4, appendix, or all")],
          params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """Write one of the paper's tables (md, csv, tex, plus plots) to results/<profile>/tables/.

    Example: [bold]repro table 2 --profile smoke[/]
    """
    from repro.report import tables

    config, layout = _load(params, profile)
    if number == "all":
        paths = tables.write_all_tables(layout)
    else:
        paths = tables.write_table(int(number) if number.isdigit() else number, layout)
    for path in paths:
        typer.echo(str(path))


@app.command(rich_help_panel=REPORT)
@friendly
def verify(profile: ProfileOpt = "paper",
           metrics: Annotated[Path | None, typer.Option(help="a metrics.json instead of the profile's")] = None,
           claims: Annotated[Path, typer.Option(help="claims file")] = Path("claims.yaml"),
           manifest: Annotated[Path | None, typer.Option(help="data manifest (row counts)")] = None,
           as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] = False,
           strict: Annotated[bool, typer.Option(help="also fail when a claim's metrics are missing")] = False,
           output: Annotated[Path | None, typer.Option(help="record the JSON verdicts in this file and exit 0 "
                                                              "(the DVC stage: recorded, not enforced)")] = None,
           ) -> None:
    """Check every claim about the paper against a run's metrics; exits non-zero when any claim fails.

    Example: [bold]repro verify --profile smoke[/]   or   [bold]repro verify --metrics pulled/metrics.json --json[/]
    """
    from repro.report import claims as claims_check
    from repro.paths import Layout

    layout = Layout(profile)
    metrics_path = metrics or layout.metrics
    if not metrics_path.is_file():
        _fail(f"{metrics_path}: no metrics; run `repro all --profile {profile}` or `dvc pull`")
    if manifest is None and metrics is None and layout.manifest.is_file():
        manifest = layout.manifest
    if output is not None:
        from repro.phases import atomic_json

        results = claims_check.verify(metrics_path, claims, manifest)
        atomic_json(output, claims_check.to_json(results))
        typer.echo(f"{len(results)} claims -> {output}")
        return
    raise typer.Exit(claims_check.report(metrics_path, claims, manifest, json_output=as_json, strict=strict))


@app.command("all", rich_help_panel=TRAIN)
@friendly
def run_all(params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper",
            jobs: Annotated[int, typer.Option(help="stages run side by side (worker processes)")] = 0) -> None:
    """Every stage in order: data, pretrain, intermediate tasks, targets, retrieval, collect.

    Example: [bold]repro all --profile smoke[/]  (the embedded CPU world, offline, minutes)
    """
    import os

    from repro.pipeline import run_all as run
    from repro.progress import live

    config, layout = _load(params, profile)
    start = time.perf_counter()
    workers = jobs or max(1, (os.cpu_count() or 1) // (config.threads or os.cpu_count() or 1))
    with live():
        payload = run(config, layout, params, workers)
    typer.echo(f"{len(payload['results'])} results -> {layout.metrics} in {time.perf_counter() - start:.0f}s")


MEASURE = "Measure"


@app.command(rich_help_panel=MEASURE)
@friendly
def bench(deepspeed: Annotated[str, typer.Option(help="none | zero2 | zero3 | zero3-offload")] = "none",
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
    from repro import bench as measure

    config, layout = _load(params, profile)
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


@app.command(rich_help_panel=MEASURE)
@friendly
def plan(throughput: Annotated[Path | None, typer.Option(help="a `repro bench --json` result")] = None,
         tokens_per_second: Annotated[float | None, typer.Option(help="training tokens/s of one device")] = None,
         as_json: Annotated[bool, typer.Option("--json", help="print the plan as JSON")] = False,
         params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """Every stage the profile runs with its estimated GPU-hours, from dataset sizes, epochs and a throughput.

    Example: [bold]repro plan --profile paper --throughput bench.json[/]
    """
    from repro import plan as planning
    from repro.params import load

    if throughput is not None and tokens_per_second is not None:
        _fail("give --throughput or --tokens-per-second, not both")
    if throughput is not None and not throughput.is_file():
        _fail(f"--throughput: {throughput}: no such file")
    payload = planning.plan(load(params, profile), file=throughput, tokens_per_second=tokens_per_second)
    if as_json:
        typer.echo(json.dumps(payload, indent=1))
        return
    from rich.console import Console

    Console().print(planning.table(payload))


@app.command(rich_help_panel=TRAIN, context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
@friendly
def launch(ctx: typer.Context,
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

    from repro.acceleration import check, launch_command

    command = launch_command(list(ctx.args), gpus=gpus, nodes=nodes, hostfile=hostfile, launcher=launcher,
                             master_port=master_port)
    if dry_run:
        typer.echo(shlex.join(command))
        return
    if "--nnodes" in command:  # torchrun, multi-node
        _fail(f"torchrun runs once per node: run this on each of the nodes, or use --launcher deepspeed\n"
              f"  {shlex.join(command)}")
    verb = list(ctx.args)
    params_path = Path(_option(verb, "--params") or "params.yaml")
    profile_name = _option(verb, "--profile") or "paper"
    config, _ = _load(params_path, profile_name)
    check(config.engine)
    beside = Path(sys.executable).parent / command[0]  # the launcher of this environment, even if not on PATH
    executable = str(beside) if beside.is_file() else shutil.which(command[0])
    if executable is None:
        _fail(f"{command[0]}: not found beside {sys.executable} nor on PATH")
    raise typer.Exit(subprocess.call([executable, *command[1:]], env={**os.environ, "PYTHONUNBUFFERED": "1"}))


def _option(args: list[str], name: str) -> str | None:
    """The value of `--name VALUE` or `--name=VALUE` in a verb's arguments."""
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(f"{name}="):
            return arg.split("=", 1)[1]
    return None


def _launcher_rank_ignored(argv: list[str]) -> list[str]:
    """DeepSpeed's launcher adds `--local_rank=N` to every process's arguments; ranks come from the environment."""
    return [arg for arg in argv if not arg.startswith(("--local_rank=", "--local-rank="))]


import sys  # noqa: E402

sys.argv[:] = _launcher_rank_ignored(sys.argv)


if __name__ == "__main__":
    app(prog_name="repro")
