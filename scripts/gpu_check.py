#!/usr/bin/env python3
"""The GPU acceptance check (run by scripts/gpu_check.sh): every figure the plan assumes, measured on one device, in one
JSON that `repro plan --throughput FILE` reads (its top level is the default recipe's `repro bench` result).

Offline, random weights from committed configs: `repro bench` of the paper profile's XLM-R Large shape (the
default engine and the faithful recipe; ZeRO-3 offload's peak memory), one code-intermediate step of the
Qwen2.5-Coder-1.5B shape at the study's settings (micro-batch from the memory model, checkpointing, label
logits, bf16) beside the memory model's peak, and HF `generate` tokens/s. `--tiny`: the smoke profile and a
tiny decoder on whatever device there is (a CPU: the script's own test), fewer steps.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

TINY_DECODER = {"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 4, "num_key_value_heads": 2,
                "intermediate_size": 128, "vocab_size": 512, "tie_word_embeddings": True}


def _bench(profile, layout, steps: int, **options) -> dict:
    from repro.measure import bench

    return bench.run(profile, layout, random_init=True, steps=steps, warmup=2, **options)


def _code_step(profile, tiny: bool) -> dict:
    """One step at the code study's settings, measured in a fresh process, with the plan's memory beside it."""
    from repro.models import decoder
    from repro.studies.code import memory
    from repro.studies.code.stages.common import code_of
    from repro.measure import step

    code = code_of(profile)
    config = TINY_DECODER if tiny else decoder.QWEN25_CODER_1_5B
    dims = decoder.shape(config, "decoder")
    device = memory.visible_gib() or memory.DEVICE_GIB
    precision = "fp32" if tiny else "bf16"
    micro, accum = memory.split(code, dims, device, "none", "bf16")
    hp = code.training
    labels = min(hp.target_length + 1, hp.max_length) if hp.label_logits else None
    result = step.measure("decoder", config, batch=micro, length=hp.max_length, checkpointing=hp.checkpointing,
                          label_positions=labels, precision=precision)
    planned = memory.peak_gib(code, dims, micro, "none", precision)["peak_gib"]
    return {**result, "micro_batch": micro, "grad_accum": accum, "plan_peak_gib": planned}


def _generate(tiny: bool, new_tokens: int) -> dict:
    """HF generate tokens/s of the decoder shape (random weights, greedy, batch 8 of 128-token prompts)."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    from repro.models import decoder

    config = TINY_DECODER if tiny else decoder.QWEN25_CODER_1_5B
    gpu = torch.cuda.is_available()
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(Qwen2Config(**config, use_sliding_window=False))
    model = model.to("cuda", torch.bfloat16) if gpu else model
    prompts = torch.randint(5, config["vocab_size"], (8, 128), device=model.device)
    model.generation_config.pad_token_id = 0
    model.generate(prompts, max_new_tokens=4, do_sample=False, min_new_tokens=4)  # warm-up
    start = time.perf_counter()
    out = model.generate(prompts, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False)
    if gpu:
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    generated = (out.shape[1] - prompts.shape[1]) * out.shape[0]
    return {"backend": "hf", "batch": 8, "prompt_tokens": 128, "new_tokens": new_tokens,
            "tokens_per_second": generated / seconds}


def run(tiny: bool, params: Path) -> dict:
    import torch

    from repro.stages.options import load

    gpu = torch.cuda.is_available()
    profile, layout = load(params, "smoke" if tiny else "paper")
    steps = 3 if tiny else 20
    default = _bench(profile, layout, steps, deepspeed=profile.engine.deepspeed if gpu else "none")
    faithful = _bench(profile, layout, steps, deepspeed="none", faithful=True)
    offload = _bench(profile, layout, 5, deepspeed="zero3-offload") if gpu else None
    code, _ = load(params, "paper")  # the study's real settings, also under --tiny (a tiny shape)
    return {**default, "checks": {
        "tiny": tiny, "faithful": faithful,
        "zero3_offload": offload and {"peak_memory_bytes": offload["peak_memory_bytes"],
                                      "tokens_per_second": offload["tokens_per_second"]},
        "code_intermediate_step": _code_step(code, tiny),
        "generate": _generate(tiny, 16 if tiny else 256)}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="the smoke profile and a tiny decoder (any device)")
    parser.add_argument("--out", type=Path, required=True, help="the JSON to write")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    from repro.io import atomic_json

    atomic_json(args.out, run(args.tiny, args.params))
    print(args.out)


if __name__ == "__main__":
    main()
