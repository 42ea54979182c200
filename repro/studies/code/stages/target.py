"""Stage `code-target`: phase 3 of the code study, the English target task: one run's decoder after its
intermediate phase (for `none`, the pretrained one) fine-tuned on Python code generation from English
descriptions (MBPP's train split, `repro.studies.code.mbpp`), the same steps for every arm and model
(`code.target`). Writes models/<profile>/code/<model>/target-true/<arm>-s<seed> and its log
(results/<profile>/code/training/<model>/target/<arm>-s<seed>.json: examples, loss and input tokens, and the
Trainer's own counts, as the intermediate phase's log)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from repro.errors import UserError
from repro.studies.code.stages.common import ArmOpt, ModelOpt, SeedOpt, code_of, require, study
from repro.stages.options import ParamsOpt, ProfileOpt, friendly, run_stage


def target_rows(code, tokenizer, code_layout) -> list[dict]:
    """The target set's train split, encoded (the loss on each solution's body only)."""
    from repro.kinds import text_to_text
    from repro.studies.code import mbpp

    path = require(code_layout.target_set("train"), "target set (MBPP)", "repro code-data")
    pairs = [mbpp.cast(json.loads(line)) for line in path.read_text().splitlines()]
    if not pairs:
        raise UserError(f"{path}: no target examples")
    hp = code.target
    return text_to_text.encode(tokenizer, pairs, hp.max_length, hp.max_length)


def run(profile, layout, model_name: str, arm: str, seed) -> Path:
    code, code_layout, seed = study(profile, layout, arm, seed, model_name)
    if True not in code.target_phase:
        raise UserError("code.target_phase: [false] runs no target phase")
    from repro.engine.trainer_log import training_counts
    from repro.io import atomic_dir, atomic_json
    from repro.models import decoder
    from repro.studies.code.params import Budget
    from repro.studies.code.stages.intermediate import budgeted, fit, spent

    source = require(code_layout.decoder(model_name, arm, seed), "intermediate decoder",
                     f"repro code-intermediate --profile {profile.name} --model {model_name} --arm {arm} --seed {seed}")
    tokenizer, model = decoder.tokenizer(source), decoder.causal_lm(source)
    hp = code.target
    rows = budgeted([target_rows(code, tokenizer, code_layout)], Budget(unit="steps", value=hp.steps),
                    hp.batch_size, seed)
    with training_counts() as counts:
        model = fit(profile, code, model, tokenizer, rows, hp,
                    layout.checkpoints(f"code-target-{model_name}-{arm}-s{seed}"), seed,
                    f"code target {model_name} {arm} s{seed}")
    out = code_layout.decoder(model_name, arm, seed, target=True)
    with atomic_dir(out) as tmp:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
    atomic_json(code_layout.training_log(model_name, arm, seed, target=True),
                {"model": model_name, "arm": arm, "seed": seed, "phase": "target", "target": hp.model_dump(),
                 **spent(rows), **counts})
    return out


@friendly
def command(model: ModelOpt, arm: ArmOpt, seed: SeedOpt, params: ParamsOpt = Path("params.yaml"),
            profile: ProfileOpt = "paper") -> None:
    """The target phase of one run: its intermediate decoder fine-tuned on English Python generation (MBPP).

    Example: [bold]repro code-target --profile smoke --model tiny_code --arm mnli --seed 0[/]
    """
    run_stage(params, profile, f"code target {model} {arm} s{seed}", run, model, arm, seed,
              done=lambda out: f"decoder -> {out}", check=code_of)


if __name__ == "__main__":
    typer.run(command)
