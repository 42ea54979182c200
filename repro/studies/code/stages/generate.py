"""Stage `code-generate`: one arm's decoder (one seed) completes every problem of the study's HumanEval-X and
HumanEval-XL files: one greedy completion each (pass@1; `none` at its first seed only: `CodeStudy.greedy`), and
each `generation.sampling` set (n samples at its temperature, for its pass@k) on the sampled files
(`Generation.sampled`). The backend params.yaml names (`generation.backend`: HF `generate`, or vLLM on a GPU;
repro.models.generation) loads the decoder once and serves every file and mode. Writes HumanEval's samples.jsonl
per problems file and mode: results/<profile>/code/samples/<model>/target-<true|false>/<arm>-s<seed>/
<set>.<greedy|t0.2|...>.jsonl (with or without the target phase), and generation.json (the backend and its
libraries' versions, seconds and tokens per second of each file)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer

from repro.studies.code.stages.common import ArmOpt, ModelOpt, SeedOpt, TargetOpt, code_of, require, study
from repro.stages.options import ParamsOpt, ProfileOpt, friendly, run_stage


def run(profile, layout, model_name: str, arm: str, seed, target_phase) -> Path:
    code, code_layout, seed = study(profile, layout, arm, seed, model_name)
    from repro.studies.code.paths import parse_target

    target = parse_target(target_phase)
    from repro.execution import read_problems
    from repro.io import atomic_dir, atomic_json
    from repro.kinds import code_generation
    from repro.models import generation
    from repro.studies.code.paths import eval_sets

    which = f"--profile {profile.name} --model {model_name} --arm {arm} --seed {seed}"
    verb = f"repro code-target {which}" if target else f"repro code-intermediate {which}"
    path = require(code_layout.decoder(model_name, arm, seed, target), "decoder", verb)
    gen = code.generation
    timing = {}
    with generation.load(gen.backend, path, batch_size=gen.batch_size, seed=seed) as backend, \
            atomic_dir(code_layout.samples(model_name, arm, seed, target)) as out:
        for eval_set in eval_sets(code):
            problems = list(read_problems(code_layout.problems(eval_set)).values())
            prompts = code_generation.prompts(problems, gen.strip_prompt)
            stop = code_generation.stop_sequences(problems[0].language)
            for mode, samples, temperature in code.modes(arm, seed, eval_set):
                start = time.perf_counter()
                raws = backend.generate(prompts, max_new_tokens=gen.max_new_tokens, stop=stop, samples=samples,
                                        temperature=temperature, top_p=gen.top_p, seed=seed)
                seconds = time.perf_counter() - start
                lines = [{"task_id": p.task_id, "completion": code_generation.decode(p, raw, gen.strip_prompt)}
                         for p, outputs in zip(problems, raws) for raw in outputs]
                (out / f"{eval_set.name}.{mode}.jsonl").write_text(
                    "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
                tokens = backend.tokens([o for outputs in raws for o in outputs])
                timing[f"{eval_set.name}.{mode}"] = {"seconds": seconds, "completions": len(lines),
                                                      "tokens_per_second": tokens / seconds if tokens else None}
        atomic_json(out / "generation.json", {"model": model_name, "target_phase": target, "arm": arm, "seed": seed,
                                              **backend.provenance(), "files": timing})
    return code_layout.samples(model_name, arm, seed, target)


@friendly
def command(model: ModelOpt, arm: ArmOpt, seed: SeedOpt, target_phase: TargetOpt = "true",
            params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """Completions of every HumanEval-X / HumanEval-XL problem by one run's decoder (greedy, and sampled).

    Example: [bold]repro code-generate --profile smoke --model tiny_code --arm none --seed 0 --target-phase true[/]
    """
    run_stage(params, profile, f"code generate {model} {arm} s{seed} target {target_phase}", run, model, arm, seed,
              target_phase,
              done=lambda out: f"samples -> {out}", check=code_of)


if __name__ == "__main__":
    typer.run(command)
