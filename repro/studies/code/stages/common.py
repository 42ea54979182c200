"""What the code study's stages share: the profile's `code` section (or one line saying it has none), its
layout, and options. Loading never imports torch (the execute stage runs where torch is not installed)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from repro.errors import UserError
from repro.studies.code.params import CodeStudy

ModelOpt = Annotated[str, typer.Option("--model", help="one of the code study's models (code.models)")]
ArmOpt = Annotated[str, typer.Option("--arm", help="none | a task | <task>+translated | <task>.<lang>[.<lang>] | "
                                                   "multitask | lm_control")]
SeedOpt = Annotated[int, typer.Option("--seed", help="one of the code study's seeds")]
TargetOpt = Annotated[str, typer.Option("--target-phase", help="true: evaluate after the target phase; false: "
                                                               "after the intermediate phase")]


def code_of(profile) -> CodeStudy:
    if profile.section("code") is None:
        raise UserError(f"profiles.{profile.name}.code: the profile has no code study")
    return profile.section("code")


def study(profile, layout, arm: str | None = None, seed=None, model: str | None = None):
    """(code params, code layout, seed as int) of a stage's run; refuses a model, arm or seed the study does not
    list (`repro all` passes the seed as text)."""
    from repro.studies.code.paths import CodeLayout

    code = code_of(profile)
    if model is not None and model not in code.models:
        raise UserError(f"--model: {model!r} is not a model of the code study ({', '.join(code.models)})")
    if arm is not None and arm not in code.arms:
        raise UserError(f"--arm: {arm!r} is not an arm of the code study ({', '.join(code.arms)})")
    if seed is not None:
        seed = int(seed)
        if seed not in code.seeds:
            raise UserError(f"--seed: {seed} is not a seed of the code study ({', '.join(map(str, code.seeds))})")
    return code, CodeLayout(layout), seed


def load(params: Path, profile: str, threads: bool = True):
    """(profile, layout) for a verb, as `repro.stages.options.load`, but torch's threads only where asked (the
    execute and report verbs never import torch)."""
    from repro.params import load as load_params
    from repro.paths import Layout

    config = load_params(params, profile)
    code_of(config)
    if threads and config.threads:
        import torch

        torch.set_num_threads(config.threads)
    return config, Layout(profile)


def require(path: Path, what: str, verb: str) -> Path:
    if not path.exists():
        raise UserError(f"{path}: no {what}; run `{verb}` first")
    return path
