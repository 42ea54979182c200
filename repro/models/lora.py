"""LoRA adapters (PyPI `peft`) for a decoder's intermediate phase: `training.lora: true` trains rank-r adapters
on every attention and MLP projection instead of all weights; they are merged back before saving, so every later
stage reads a plain model (tests/unit/models/test_lora.py)."""

from __future__ import annotations

PROJECTIONS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def wrap(model, rank: int):
    """`model` with trainable rank-`rank` adapters (alpha 2r) on every projection; its own weights frozen."""
    from peft import LoraConfig, get_peft_model

    return get_peft_model(model, LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.0,
                                            target_modules=PROJECTIONS, task_type="CAUSAL_LM"))
