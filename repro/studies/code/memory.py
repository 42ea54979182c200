"""The code study's intermediate training on one GPU: its peak memory (the memory model of
`repro.measure.roofline`) and the micro-batch x accumulation that fits a device.

One micro-batch of `micro` rows of up to `training.max_length` tokens, bf16 activations (the engine's precision),
gradient checkpointing (`training.checkpointing`), the LM head over the label positions only (at most
`target_length` + 1 a row: the target and its EOS); full fine-tuning keeps fp32 weights, gradients and AdamW's
moments (16 bytes a weight; ZeRO as the engine says, one device), LoRA the frozen weights in bf16."""

from __future__ import annotations

from repro.errors import UserError
from repro.measure import roofline
from repro.models import decoder

DEVICE_GIB = 80.0  # the GPU the plan assumes (an H100 80GB) where none is visible


def peak_gib(code, dims: dict, micro: int, deepspeed: str = "none", precision: str = "bf16") -> dict:
    """The parts and peak (GiB) of one device training one micro-batch of `micro` rows."""
    hp = code.training
    parameters = decoder.parameters(dims)
    parts = ({"weights": 2 * parameters, "gradients": 0.0, "optimizer": 0.0, "cpu": 0.0} if hp.lora
             else roofline.states(parameters, deepspeed=deepspeed))
    labelled = roofline.logits(micro, min(hp.target_length + 1, hp.max_length) if hp.label_logits else hp.max_length,
                               dims["vocab"])
    parts["activations"] = roofline.decoder_activations(dims, micro, hp.max_length, element=roofline.ELEMENT[precision],
                                                        checkpointing=hp.checkpointing, logits=labelled)
    return roofline.peak(parts)


def split(code, dims: dict, device_gib: float, deepspeed: str = "none", precision: str = "bf16") -> tuple[int, int]:
    """(micro-batch, accumulation): the largest micro-batch dividing the batch whose peak fits the device."""
    batch = code.training.batch_size
    for micro in sorted((m for m in range(1, batch + 1) if batch % m == 0), reverse=True):
        if roofline.fits(peak_gib(code, dims, micro, deepspeed, precision)["peak_gib"], device_gib):
            return micro, batch // micro
    need = peak_gib(code, dims, 1, deepspeed, precision)["peak_gib"]
    raise UserError(f"code.training: one row of {code.training.max_length} tokens needs ~{need:.0f} GiB of a "
                    f"{device_gib:.0f} GiB GPU; set training.checkpointing: true, training.lora: true or a shorter "
                    f"max_length")


def visible_gib() -> float | None:
    """The first visible GPU's memory (GiB); None without one."""
    import torch

    return torch.cuda.get_device_properties(0).total_memory / 2**30 if torch.cuda.is_available() else None
