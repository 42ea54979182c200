"""The `repro` command line: one verb per pipeline stage (each is `command` of its stage module: the shared stages
of `repro.stages`, and the verbs each study folder declares in its `VERBS`), plus `all`, `score`, `bench`, `plan`,
`launch`, `dvc-deps`.

Each stage verb reads declared inputs and writes declared outputs atomically, so DVC can wire them (dvc.yaml
runs the same commands as `python -m <module>`). Heavy libraries are imported inside the verbs, which keeps
`repro --help` fast.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from repro import studies
from repro.stages.options import ParamsOpt, ProfileOpt, fail, friendly, load

app = typer.Typer(no_args_is_help=True, rich_markup_mode="rich",
                  help="Reproduce X-STILTs (Phang et al. 2020): intermediate-task training for zero-shot "
                       "cross-lingual transfer with XLM-R, on XTREME.")


def _version(value: bool) -> None:
    if value:
        from repro import __version__

        typer.echo(f"repro {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                               help="print the version and exit")] = False,
         debug: Annotated[bool, typer.Option("--debug", help="show the traceback of every error, a user's "
                                                             "too (also: REPRO_DEBUG=1)")] = False) -> None:
    """Reproduce X-STILTs (Phang et al. 2020). Shell completion: [bold]repro --install-completion[/]."""
    if debug:
        import os

        os.environ["REPRO_DEBUG"] = "1"  # stage processes started from here inherit it


DATA, TRAIN, EVAL, REPORT, MEASURE = "Data", "Train", "Evaluate", "Tables and claims", "Measure"
# the shared stages' verbs; each study adds its own (its `VERBS`)
SHARED_VERBS = (("data", "repro.stages.data", DATA), ("pretrain", "repro.stages.pretrain", TRAIN),
                ("intermediate", "repro.stages.intermediate", TRAIN), ("multitask", "repro.stages.multitask", TRAIN),
                ("alternative", "repro.stages.alternative", TRAIN), ("target", "repro.stages.target", TRAIN),
                ("evaluate", "repro.stages.evaluate", EVAL), ("retrieval", "repro.stages.retrieval", EVAL),
                ("execute", "repro.stages.execute", EVAL), ("summary", "repro.stages.summary", REPORT),
                ("fetch", "repro.stages.readiness:fetch", DATA), ("doctor", "repro.stages.readiness:doctor", DATA))

STUDY_NAMES = " | ".join(studies.STUDIES)  # the registry's, so a new study needs no edit here
for verb, target, panel in (*SHARED_VERBS, *(v for name in studies.STUDIES for v in studies.get(name).VERBS)):
    module, _, attr = target.partition(":")  # "module[:function]": a stage module's `command` by default
    app.command(verb, rich_help_panel=panel)(getattr(importlib.import_module(module), attr or "command"))


@app.command(rich_help_panel=EVAL)
@friendly
def score(predictions: Annotated[Path, typer.Option(help="folder: <task>/test-<lang>.tsv|json|jsonl")],
          labels: Annotated[Path, typer.Option(help="folder with the gold files, same layout")],
          partial: Annotated[bool, typer.Option(help="score the languages present instead of refusing a "
                                                     "missing one (not an official number)")] = False,
          suite: Annotated[str, typer.Option(help="the benchmark whose layout and aggregation apply: xtreme or "
                                                 "xtreme-r")] = "xtreme",
          seqeval_rule: Annotated[str, typer.Option(
              help="tagging F1's chunk-type rule: 1.2.2 (the official evaluate.py as installed today) or 0.0.12 "
                   "(the seqeval jiant pinned: its 2020 numbers)")] = "1.2.2",
          ) -> None:
    """Score predictions exactly as the benchmark's official evaluation does; prints {"overall", "detailed"}
    (xtreme-r adds "ours": our LAReQA and overall scores, which the official script does not give).

    Example: [bold]repro score --predictions results/smoke/predictions/mnli --labels prepared/smoke/labels --partial[/]
    jiant's 2020 numbers: [bold]repro score --predictions P --labels L --seqeval-rule 0.0.12[/]
    """
    from repro import suites
    from repro.suites.submission import score_folders

    result = score_folders(predictions, labels, require_all_languages=not partial, suite=suites.get(suite),
                           seqeval=seqeval_rule)
    typer.echo(json.dumps(result, indent=1))


@app.command("all", rich_help_panel=TRAIN)
@friendly
def run_all(params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper",
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


@app.command(rich_help_panel=MEASURE)
@friendly
def plan(throughput: Annotated[Path | None, typer.Option(help="a `repro bench --json` result")] = None,
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


@app.command("dvc-deps", rich_help_panel=MEASURE)
@friendly
def dvc_deps(write: Annotated[bool, typer.Option("--write", help="rewrite dvc.yaml's repro/ deps in place")] = False,
             root: Annotated[Path, typer.Option(help="the project directory (dvc.yaml, repro/)")] = Path(".")) -> None:
    """Each dvc.yaml stage's repro/ deps, generated from the code its module can import; without --write, list
    the stages whose deps differ and exit 1 when any does.

    Example: [bold]repro dvc-deps --write[/]
    """
    from repro.dvc_deps import generate
    from repro.io import atomic_text

    text, changed = generate(root)
    if write:
        atomic_text(root / "dvc.yaml", text)
        typer.echo(f"dvc.yaml: {len(changed)} stages' deps rewritten" + (f" ({', '.join(changed)})" if changed else ""))
        return
    if changed:
        fail(f"dvc.yaml: the deps of {len(changed)} stages differ from their code ({', '.join(changed)}); run "
             "`repro dvc-deps --write`")
    typer.echo("dvc.yaml: every stage's repro/ deps match its code")


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

    from repro.engine.acceleration import check, launch_command

    command = launch_command(list(ctx.args), gpus=gpus, nodes=nodes, hostfile=hostfile, launcher=launcher,
                             master_port=master_port)
    if dry_run:
        typer.echo(shlex.join(command))
        return
    if "--nnodes" in command:  # torchrun, multi-node
        fail(f"torchrun runs once per node: run this on each of the nodes, or use --launcher deepspeed\n"
              f"  {shlex.join(command)}")
    verb = list(ctx.args)
    params_path = Path(_option(verb, "--params") or "params.yaml")
    profile_name = _option(verb, "--profile") or "paper"
    config, _ = load(params_path, profile_name)
    check(config.engine)
    beside = Path(sys.executable).parent / command[0]  # the launcher of this environment, even if not on PATH
    executable = str(beside) if beside.is_file() else shutil.which(command[0])
    if executable is None:
        fail(f"{command[0]}: not found beside {sys.executable} nor on PATH")
    raise typer.Exit(subprocess.call([executable, *command[1:]], env={**os.environ, "PYTHONUNBUFFERED": "1"}))


def _option(args: list[str], name: str) -> str | None:
    """The value of `--name VALUE` or `--name=VALUE` in a verb's arguments."""
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(f"{name}="):
            return arg.split("=", 1)[1]
    return None


if __name__ == "__main__":
    app(prog_name="repro")
