"""`repro plan --study code`: the code study's stages with their estimated GPU-hours (training and generation)
and CPU core-hours (execution in the sandbox).

Priced per model (`code.models`: the code and the general decoder). Training (the intermediate arms, and the
target phase's MBPP fine-tune of every run where `target_phase` holds true) FLOPs = steps x batch x tokens per
example x the decoder's training FLOPs per token (its config:
`repro.models.decoder`; x 4/3 with gradient checkpointing), at an assumed (or given) sustained rate, each step
priced by the roofline (`repro.measure.roofline`: weight and AdamW traffic, launches). Generation is priced at a lower utilisation
(decoding is memory-bound: GENERATION_MFU) over prompt + completion tokens. Execution: samples x the measured
core-seconds per sample of each language here (repro/execution on this machine kind; compiled languages pay
their compiler). Upper bounds: every completion runs to max_new_tokens only where `completion_tokens` says so.
"""

from __future__ import annotations

from repro.measure import bench, roofline
from repro.models import decoder
from repro.params import Profile
from repro.studies.code.paths import eval_sets

ASSUMED_MFU, GENERATION_MFU, ASSUMED_DEVICE = 0.40, 0.05, "NVIDIA H100 SXM"
# problems per file of the releases (HumanEval-X: 164 per language; HumanEval-XL: 80 per language pair)
PROBLEMS = {"humaneval-x": 164, "humaneval-xl": 80}
PROMPT_TOKENS, COMPLETION_TOKENS = 160, 160  # mean prompt; mean completion with stop sequences (estimates)
# core-seconds per sample in the sandbox, measured here (smoke problems, 2 workers; tests/unit/studies/test_code_study.py setup)
EXECUTION_SECONDS = {"python": 0.25, "js": 0.3, "cpp": 1.6, "java": 1.8, "go": 1.7, "rust": 1.3, "javascript": 0.3}
TRAIN_TOKENS_PER_EXAMPLE = 400  # text-to-text examples and CNN/DM articles, cut at training.max_length
TARGET_TOKENS_PER_EXAMPLE = 200  # an MBPP problem in HumanEval's form: signature, docstring and solution (estimate)


def shape_of(profile: Profile, name: str | None = None) -> dict:
    """A study decoder's dimensions (its config: the Hub model's copy, or the tiny spec); no name: the largest of
    the study's models (what memory checks need)."""
    code = profile.section("code")
    if name is None:
        return max((shape_of(profile, m) for m in code.models), key=decoder.parameters)
    spec = code.decoders[name]
    if spec.hub:  # Qwen2.5-Coder and Qwen2.5 share each size's architecture
        config = decoder.QWEN25_CODER_0_5B if "0.5B" in spec.hub else decoder.QWEN25_CODER_1_5B
        return decoder.shape(config, spec.hub)
    spec = spec.pretrain
    return decoder.shape({"num_hidden_layers": spec.layers, "hidden_size": spec.hidden_size,
                          "num_attention_heads": spec.heads, "num_key_value_heads": spec.kv_heads,
                          "intermediate_size": spec.intermediate_size, "vocab_size": spec.vocab_size}, f"tiny decoder {name}")


def _problems(profile: Profile, benchmark: str) -> int:
    return PROBLEMS[benchmark] if profile.data.origin == "hub" else profile.section("code").smoke.problems


def _per_problem(code, eval_set, arm: str, seed) -> int:
    """Completions per problem of one run on one file, as it generates them (`CodeStudy.modes`)."""
    return sum(max(samples, 1) for _, samples, _ in code.modes(arm, int(seed), eval_set))


def plan(profile: Profile, waves: list, tokens_per_second: float | None = None) -> dict:
    """The study's stages (`waves`, as its `planned` gives them) priced."""
    from repro.studies.code.stages.common import code_of

    code = code_of(profile)
    dims = shape_of(profile)
    peak = bench.peak_flops(ASSUMED_DEVICE)
    train_rate = (tokens_per_second * decoder.flops_per_token(dims, TRAIN_TOKENS_PER_EXAMPLE)
                  if tokens_per_second else ASSUMED_MFU * peak)
    generation_rate = GENERATION_MFU * peak
    stages = []
    for wave in waves:
        for name, module, args in wave:
            record = {"stage": name, "gpu_hours": 0.0, "cpu_core_hours": 0.0}
            group = module.rpartition(".")[2]  # the stage module of the code study: intermediate, generate, ...
            model_dims = shape_of(profile, args[0]) if group in ("intermediate", "target", "generate") else dims
            if group == "intermediate" and args[1] != "none":
                length = min(TRAIN_TOKENS_PER_EXAMPLE, code.training.max_length)
                tokens = (code.budget.value * code.training.batch_size * length if code.budget.unit == "steps"
                          else code.budget.value * 2)  # tokens: loss tokens, about half of the inputs
                steps = (code.budget.value if code.budget.unit == "steps"
                         else tokens / (code.training.batch_size * length))
                record.update(_training(code, model_dims, tokens, steps, length, train_rate))
            elif group == "target":
                length = min(TARGET_TOKENS_PER_EXAMPLE, code.target.max_length)
                record.update(_training(code, model_dims, code.target.steps * code.target.batch_size * length,
                                        code.target.steps, length, train_rate))
            elif group in ("generate", "execute"):
                arm, seed = args[1], args[2]
                samples = sum(_problems(profile, s.benchmark) * _per_problem(code, s, arm, seed) for s in eval_sets(code))
                if group == "generate":
                    tokens = samples * (PROMPT_TOKENS + COMPLETION_TOKENS)
                    forward = decoder.flops_per_token(model_dims, PROMPT_TOKENS + COMPLETION_TOKENS / 2, training=False)
                    record.update(samples=samples, generated_tokens=samples * COMPLETION_TOKENS,
                                  gpu_hours=tokens * forward / generation_rate / 3600)
                else:
                    seconds = sum(_problems(profile, s.benchmark) * _per_problem(code, s, arm, seed)
                                  * EXECUTION_SECONDS[s.programming_language] for s in eval_sets(code))
                    record.update(samples=samples, cpu_core_hours=seconds / 3600)
            stages.append(record)
    from repro.studies.code import memory

    micro, accum = memory.split(code, dims, memory.DEVICE_GIB, profile.engine.deepspeed, profile.engine.precision)
    return {"profile": profile.name, "study": "code", "model": ", ".join(code.model_id(m) for m in code.models),
            "parameters": decoder.parameters(dims), "micro_batch": micro, "grad_accum": accum,
            "training_memory_gib": memory.peak_gib(code, dims, micro, profile.engine.deepspeed,
                                                   profile.engine.precision)["peak_gib"],
            "throughput": {"training": f"{ASSUMED_MFU:.0%} MFU of one {ASSUMED_DEVICE}" if not tokens_per_second
                           else f"given: {tokens_per_second:g} training tokens/s", "generation":
                           f"{GENERATION_MFU:.0%} MFU of one {ASSUMED_DEVICE} (decoding is memory-bound)"},
            "assumptions": [f"{TRAIN_TOKENS_PER_EXAMPLE} tokens per training example (cut at max_length)",
                            f"training memory: micro-batch {micro} x {accum} on one {memory.DEVICE_GIB:g} GiB GPU "
                            f"(repro.studies.code.memory)",
                            f"{PROMPT_TOKENS} prompt + {COMPLETION_TOKENS} completion tokens per sample",
                            "execution core-seconds per sample as measured here (EXECUTION_SECONDS)"],
            "stages": stages, "total_gpu_hours": sum(s["gpu_hours"] for s in stages),
            "total_cpu_core_hours": sum(s["cpu_core_hours"] for s in stages)}


def _training(code, dims: dict, tokens: float, steps: float, length: int, rate: float) -> dict:
    """train_tokens, optimizer_steps and GPU-hours of `steps` optimizer steps over `tokens`, each step priced by
    the roofline (weight and AdamW traffic, launches; x 4/3 with gradient checkpointing)."""
    recompute = 4 / 3 if code.training.checkpointing else 1  # the forward again in the backward
    flops = tokens * decoder.flops_per_token(dims, length) * recompute / steps
    step = roofline.step_seconds(parameters=decoder.parameters(dims), layers=dims["layers"], flops=flops,
                                 flop_rate=rate, bytes_per_second=roofline.bandwidth(ASSUMED_DEVICE), accum=1)
    return {"train_tokens": tokens, "optimizer_steps": round(steps), "gpu_hours": steps * step["step_s"] / 3600}


def table(payload: dict):
    from rich.table import Table

    out = Table(title=f"repro plan --profile {payload['profile']} --study code ({payload['model']}, "
                      f"{payload['parameters'] / 1e9:.2f}B weights, ~{payload['training_memory_gib']:.0f} GiB to "
                      f"train at {payload['micro_batch']} x {payload['grad_accum']}); training {payload['throughput']['training']}")
    for column in ("stage", "train tokens (M)", "samples", "GPU-hours", "CPU core-hours"):
        out.add_column(column, justify="left" if column == "stage" else "right")
    for s in payload["stages"]:
        out.add_row(s["stage"], f"{s.get('train_tokens', 0) / 1e6:,.1f}", f"{s.get('samples', 0):,}",
                    f"{s['gpu_hours']:.3f}", f"{s['cpu_core_hours']:.3f}")
    out.add_section()
    out.add_row("total", "", "", f"{payload['total_gpu_hours']:.2f}", f"{payload['total_cpu_core_hours']:.2f}")
    return out
