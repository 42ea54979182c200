"""The time and memory of a training step from the model's config: a roofline, and a peak-memory model.

Time of one optimizer step of `accum` micro-batches (`step_seconds`):
  accum x (max(FLOPs / (MFU x peak), weight traffic / bandwidth) + LAUNCH_SECONDS_PER_LAYER x layers)
  + (OPTIMIZER_BYTES x parameters) / bandwidth
Weight traffic of one micro-batch: the fp32 weights read in the forward and again in the backward, and the
gradient written (WEIGHT_BYTES a parameter; the embedding's gradient is dense, so every parameter counts). The
optimizer: gradient clipping reads each fp32 gradient (4 bytes), AdamW reads weight, gradient and both moments
(16) and writes weight and moments (12): OPTIMIZER_BYTES = 32 a parameter, a memory-bound pass. The launch
overhead is a stated constant (~60 kernels per layer forward and backward at ~6.5 us each), replaced by a
measured one when a `repro bench --json` result gives its step time (`overhead_from_bench`).

Peak memory of one device (`memory`): weights, gradients and AdamW states as the engine places them (ZeRO stage,
devices), the activations autograd keeps for the backward (all layers, or with gradient checkpointing the layer
inputs plus one layer recomputed), and the logits (the classifier's are negligible; a causal LM's are
batch x positions x vocabulary in fp32, several copies live at once: LOGIT_COPIES). Activations per layer
follow Korthikanti et al. 2022 ("Reducing Activation Recomputation in Large Transformer Models", sec. 4.1),
counted per saved tensor of the Hugging Face implementations at the activations' element size.
"""

from __future__ import annotations

import math

# HBM bandwidth of one device, bytes/s (NVIDIA datasheets), matched in order as bench.PEAK_BF16
HBM_BANDWIDTH = (("H100 PCIe", 2.0e12), ("H100 NVL", 3.9e12), ("GH200", 4.0e12), ("H200", 4.8e12),
                 ("H100", 3.35e12), ("A100", 2.0e12), ("L40S", 0.864e12), ("L4", 0.3e12), ("A10", 0.6e12))
WEIGHT_BYTES = 12  # a parameter per micro-batch: fp32 read forward (4), read backward (4), gradient written (4)
OPTIMIZER_BYTES = 32  # a parameter per optimizer step: clipping reads the gradient (4), AdamW 16 read + 12 written
LAUNCH_SECONDS_PER_LAYER = 60 * 6.5e-6  # kernel launches a layer, forward and backward, per micro-batch
LOGIT_COPIES = 3  # a causal LM's fp32 logits, their log-softmax and its gradient live together at the loss
ELEMENT = {"fp32": 4, "bf16": 2, "fp16": 2}


def bandwidth(device: str) -> float | None:
    """HBM bytes/s of one device by name; None when unknown (and on CPU)."""
    return next((rate for name, rate in HBM_BANDWIDTH if name.lower() in device.lower()), None)


def step_seconds(*, parameters: int, layers: int, flops: float, flop_rate: float, bytes_per_second: float,
                 accum: int, overhead: float | None = None) -> dict:
    """One optimizer step of `accum` micro-batches of `flops` FLOPs each, by its parts (seconds)."""
    compute = flops / flop_rate
    weights = parameters * WEIGHT_BYTES / bytes_per_second
    launches = LAUNCH_SECONDS_PER_LAYER * layers if overhead is None else overhead
    optimizer = parameters * OPTIMIZER_BYTES / bytes_per_second
    return {"micro_batch_s": max(compute, weights), "bound": "compute" if compute >= weights else "memory",
            "overhead_s": launches, "optimizer_s": optimizer,
            "step_s": accum * (max(compute, weights) + launches) + optimizer}


def overhead_from_bench(measured: dict, *, parameters: int, layers: int, flop_rate: float,
                        bytes_per_second: float) -> float | None:
    """The per-micro-batch overhead a bench run implies: its measured step time less the roofline's compute,
    weight traffic and optimizer at the bench's own micro-batch (None when the result has no step time)."""
    step = measured.get("step_seconds")
    if not step:
        return None
    config = measured["config"]
    tokens = config["micro_batch"] * config["mean_tokens_per_sequence"]
    model = step_seconds(parameters=parameters, layers=layers, flops=tokens * config["flops_per_token"],
                         flop_rate=flop_rate, bytes_per_second=bytes_per_second, accum=config["grad_accum"],
                         overhead=0.0)
    return max(0.0, (step - model["step_s"]) / config["grad_accum"])


def states(parameters: int, *, deepspeed: str = "none", devices: int = 1, trainable: int | None = None) -> dict:
    """Bytes a device holds for weights, gradients and AdamW's moments (fp32 master weights: mixed precision
    autocasts on the fly, so weights, gradients and the two moments are 4 bytes each a trainable parameter).
    ZeRO-2 partitions gradients and moments over `devices`, ZeRO-3 the weights too; offload keeps the
    fp32 weights and moments in CPU memory (`cpu`) and a 2-byte working copy of the device's shard."""
    trainable = parameters if trainable is None else trainable
    weights, grads, moments = 4 * parameters, 4 * trainable, 8 * trainable
    if deepspeed == "zero2":
        grads, moments = grads / devices, moments / devices
    elif deepspeed == "zero3":
        weights, grads, moments = weights / devices, grads / devices, moments / devices
    elif deepspeed == "zero3-offload":
        return {"weights": 2 * parameters / devices, "gradients": 2 * trainable / devices, "optimizer": 0.0,
                "cpu": (4 + 8) * trainable / devices}
    return {"weights": weights, "gradients": grads, "optimizer": moments, "cpu": 0.0}


def encoder_activations(dims: dict, batch: int, length: int, *, element: int = 4, checkpointing: bool = False,
                        dropout: bool = True, attention_matrix: bool = False) -> float:
    """Bytes an XLM-R-style (post-LN, GELU, dropout) encoder saves for the backward of one micro-batch, counted
    from the tensors autograd keeps in transformers 5.23's XLM-R: per layer and token, 18 hidden-size tensors at
    `element` bytes (the QKV input, Q, K, V, the attention output and its projection's input, two LayerNorm
    inputs and their statistics, the MLP input, the 4h-wide GELU input and output) and 3 one-byte dropout masks;
    where the attention matrix is materialized (eager attention, or SDPA's math path on a CPU), per head and
    token pair its probabilities three times (softmax output, dropped, batched-matmul operand) and a mask."""
    hidden, heads, layers = dims["hidden"], dims["heads"], dims["layers"]
    tokens = batch * length
    per_layer = tokens * hidden * (18 * element + (3 if dropout else 0))
    if attention_matrix:
        per_layer += batch * heads * length * length * (3 * element + 1 if dropout else 2 * element)
    if checkpointing:  # each layer's input kept, one layer's activations recomputed at a time
        return layers * tokens * hidden * element + per_layer
    return layers * per_layer


def decoder_activations(dims: dict, batch: int, length: int, *, element: int = 2, checkpointing: bool = False,
                        logits: float = 0.0) -> float:
    """Bytes a Qwen2-style (pre-RMSNorm, SwiGLU, grouped KV, no dropout) decoder's backward needs at its peak
    for one micro-batch, with `logits` the loss's bytes (`logits`): per layer and token 8 hidden-size tensors
    (two norm inputs and outputs, Q, the attention output, the output projection's input and the residual), K and
    V at their grouped width (twice: before and after the rotary embedding), and 4 intermediate-size tensors
    (gate, up, SiLU(gate), their product); SDPA's flash/memory-efficient kernels keep no attention matrix.
    Without checkpointing every layer's tensors are live when the loss's are; with it, the layer inputs, and then
    either the loss's tensors (first in the backward) or one recomputed layer."""
    hidden, layers = dims["hidden"], dims["layers"]
    kv = hidden * dims["kv_heads"] // dims["heads"]
    tokens = batch * length
    per_layer = tokens * (8 * hidden + 4 * kv + 4 * dims["intermediate"]) * element
    if checkpointing:
        return layers * tokens * hidden * element + max(per_layer, logits)
    return layers * per_layer + logits


def logits(batch: int, positions: int, vocab: int) -> float:
    """Bytes of a causal LM's loss over `positions` positions of each sequence (fp32 logits, LOGIT_COPIES);
    `decoder_activations` counts them in."""
    return LOGIT_COPIES * batch * positions * vocab * 4


def peak(parts: dict) -> dict:
    """The device's peak of the parts (GiB): weights, gradients and optimizer all held, plus the activations at
    the start of the backward (a conservative sum: gradients grow as activations are freed)."""
    device = sum(v for k, v in parts.items() if k != "cpu")
    return {**{k: v / 2**30 for k, v in parts.items()}, "peak_gib": device / 2**30}


def fits(peak_gib: float, device_gib: float, reserve: float = 0.9) -> bool:
    """Whether a peak fits a device, keeping a tenth for the allocator's fragmentation and the CUDA context."""
    return peak_gib <= reserve * device_gib and math.isfinite(peak_gib)
