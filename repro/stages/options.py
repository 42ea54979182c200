"""What every stage's command shares: its options, loading its profile, and one-line errors."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Callable

import typer

ParamsOpt = Annotated[Path, typer.Option("--params", help="params file", show_default=True)]
ProfileOpt = Annotated[str, typer.Option("--profile", help="profile in params.yaml: paper | smoke")]
IntermediateOpt = Annotated[str, typer.Option("--intermediate", "-i",
                                              help="none | an intermediate task | multitask | an alternative")]
TargetOpt = Annotated[str, typer.Option("--target", "-t", help="an XTREME target task")]


def fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def friendly(verb: Callable) -> Callable:
    """Turn the errors users can fix (repro.errors.UserError: bad params, missing inputs, unreadable files) into
    one line and exit code 2; anything else is a bug and keeps its traceback (as does everything under
    `repro --debug` or REPRO_DEBUG=1)."""
    @functools.wraps(verb)
    def wrapper(*args, **kwargs):
        from repro.errors import UserError

        try:
            return verb(*args, **kwargs)
        except UserError as exc:
            if debugging():
                raise
            fail(str(exc))
    return wrapper


def debugging() -> bool:
    """Whether errors keep their tracebacks (`repro --debug`, or REPRO_DEBUG=1 in the environment)."""
    import os

    return os.environ.get("REPRO_DEBUG", "") not in ("", "0")


def load(params: Path, profile: str, threads: bool = True):
    """(profile params, layout) for a verb; torch's intra-op threads as the profile asks (`threads`: False for a
    verb that never imports torch)."""
    from repro.params import load as load_params
    from repro.paths import Layout

    config = load_params(params, profile)
    if threads and config.threads:
        import torch

        torch.set_num_threads(config.threads)
    return config, Layout(profile)


def run_stage(params: Path, profile: str, title: str, run: Callable, *args, done: Callable[[object], str],
              check: Callable[[object], None] = lambda config: None, threads: bool = True) -> None:
    """The body of a stage verb: load the profile, `check` it (a one-line refusal before any work), run the
    stage with its progress shown under `title`, print `done(its result)` (`threads`: as `load`)."""
    from repro.progress import live, stage

    config, layout = load(params, profile, threads)
    check(config)
    with live(), stage(title):
        result = run(config, layout, *args)
    typer.echo(done(result))


def pair_verb(run: Callable, params: Path, profile: str, intermediate_id: str, target_id: str,
              targets: Callable, refusal: Callable[[object], str]) -> None:
    """The body of the (encoder, target) verbs: refuse a target the verb does not run (`targets(study)`;
    `refusal(study)` says which verb does), run the stage, print its result rows."""
    import json

    from repro.tasks import target as lookup

    def check(config) -> None:
        if target_id not in targets(config.study):
            lookup(target_id)  # an unknown task is named as such
            fail(f"{target_id}: {refusal(config.study)}")

    run_stage(params, profile, f"{intermediate_id} -> {target_id}", run, intermediate_id, target_id,
              done=lambda result: json.dumps(result["results"]), check=check)
