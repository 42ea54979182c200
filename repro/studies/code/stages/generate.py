"""Stage `code-generate`: one arm's decoder (one seed) completes every problem of the study's HumanEval-X and
HumanEval-XL files: one greedy completion each (pass@1; `none` at its first seed only: `CodeStudy.greedy`), and
each `generation.sampling` set (n samples at its temperature, for its pass@k) on the sampled files
(`Generation.sampled`). HF `generate`, or vLLM where installed on a GPU (`generation.backend`). Writes HumanEval's
samples.jsonl per problems file and mode: results/<profile>/code/samples/<arm>-s<seed>/<set>.<greedy|t0.2|...>.jsonl,
and generation.json (seconds and tokens per second of each file)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer

from repro.studies.code.stages.common import ArmOpt, SeedOpt, code_of, require, study
from repro.stages.options import ParamsOpt, ProfileOpt, friendly, run_stage


def _backend(code) -> str:
    from repro.models import decoder

    if code.generation.backend == "auto":
        return "vllm" if decoder.vllm_available() else "hf"
    return code.generation.backend


def run(profile, layout, arm: str, seed) -> Path:
    code, code_layout, seed = study(profile, layout, arm, seed)
    from repro.execution import read_problems
    from repro.io import atomic_dir, atomic_json
    from repro.kinds import code_generation
    from repro.models import decoder
    from repro.studies.code.paths import eval_sets

    verb = (f"repro code-pretrain --profile {profile.name}" if arm == "none"
            else f"repro code-intermediate --profile {profile.name} --arm {arm} --seed {seed}")
    path = require(code_layout.decoder(arm, seed), "decoder", verb)
    gen = code.generation
    backend = _backend(code)
    model = tokenizer = None
    if backend == "hf":
        tokenizer, model = decoder.tokenizer(path), decoder.causal_lm(path)
    timing = {}
    with atomic_dir(code_layout.samples(arm, seed)) as out:
        for eval_set in eval_sets(code):
            problems = list(read_problems(code_layout.problems(eval_set)).values())
            prompts = code_generation.prompts(problems, gen.strip_prompt)
            stop = code_generation.stop_sequences(problems[0].language)
            modes = [("greedy", 0, 1.0)] * code.greedy(arm, seed) + [
                (s.mode, s.samples, s.temperature) for s in gen.sampling
                if gen.sampled(eval_set.benchmark, eval_set.programming_language)]
            for mode, samples, temperature in modes:
                start = time.perf_counter()
                common = dict(max_new_tokens=gen.max_new_tokens, stop=stop, samples=samples,
                              temperature=temperature, top_p=gen.top_p, seed=seed)
                if backend == "vllm":
                    raws = decoder.generate_vllm(path, prompts, **common)
                else:
                    raws = decoder.generate(model, tokenizer, prompts, batch_size=gen.batch_size, **common)
                seconds = time.perf_counter() - start
                lines = [{"task_id": p.task_id, "completion": code_generation.decode(p, raw, gen.strip_prompt)}
                         for p, outputs in zip(problems, raws) for raw in outputs]
                (out / f"{eval_set.name}.{mode}.jsonl").write_text(
                    "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
                tokens = sum(len(t) for t in (tokenizer(
                    [o for outputs in raws for o in outputs], add_special_tokens=False)["input_ids"]
                    if tokenizer else []))
                timing[f"{eval_set.name}.{mode}"] = {"seconds": seconds, "completions": len(lines),
                                                      "tokens_per_second": tokens / seconds if tokens else None}
        atomic_json(out / "generation.json", {"arm": arm, "seed": seed, "backend": backend, "files": timing})
    return code_layout.samples(arm, seed)


@friendly
def command(arm: ArmOpt, seed: SeedOpt, params: ParamsOpt = Path("params.yaml"),
            profile: ProfileOpt = "paper") -> None:
    """Completions of every HumanEval-X / HumanEval-XL problem by one arm's decoder (greedy, and sampled).

    Example: [bold]repro code-generate --profile smoke --arm none --seed 0[/]
    """
    run_stage(params, profile, f"code generate {arm} s{seed}", run, arm, seed,
              done=lambda out: f"samples -> {out}", check=code_of)


if __name__ == "__main__":
    typer.run(command)
