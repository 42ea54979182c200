"""One training step of a model built from a config.json with random weights, its peak memory measured beside
the memory model's (`repro.measure.roofline`): what the plan's memory column is checked against.

    python -m repro.measure.step --family decoder --config CONFIG --batch 4 --length 512 [--checkpointing]

On a GPU the measurement is torch.cuda.max_memory_allocated over the step (the allocator's live tensors: weights,
gradients, AdamW's moments, activations, logits and transient buffers; not the CUDA context or the caching
allocator's reserve). On a CPU it is the process's peak RSS growth from before the model is built (the kernel's
high-water mark, reset there: a peak reached earlier, while importing, would otherwise hide a smaller step), with
glibc's mmap threshold fixed (MALLOC_MMAP_THRESHOLD_, set by `measure`) so that every tensor over 64 KiB is its own
mapping, returned on free: the same live tensors plus the allocator's page rounding. Two steps run (the second
with AdamW's moments in place, the steady state); the decoder's loss is over label positions only where
`--label-positions` says how many of each sequence's last positions carry a label.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from repro.measure import roofline


def _rss() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _reset_peak_rss() -> None:
    """Start the kernel's high-water mark (VmHWM) again from the current RSS (proc(5), clear_refs value 5)."""
    Path("/proc/self/clear_refs").write_text("5")


def _peak_rss() -> int:
    line = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024


def predicted(family: str, config: dict, *, batch: int, length: int, checkpointing: bool,
              precision: str = "fp32", label_positions: int | None = None, cpu: bool = True) -> dict:
    """The memory model's parts and peak (GiB) for one micro-batch of this shape on one device (a CPU's SDPA
    materializes the encoder's attention matrix)."""
    from repro import models

    module = models.family(family)
    dims = module.shape(config, family)
    parameters = module.parameters(dims)
    element = roofline.ELEMENT[precision]
    parts = roofline.states(parameters)
    if family == "decoder":
        parts["activations"] = roofline.decoder_activations(
            dims, batch, length, element=element, checkpointing=checkpointing,
            logits=roofline.logits(batch, label_positions or length, dims["vocab"]))
    else:
        parts["activations"] = roofline.encoder_activations(dims, batch, length, element=element,
                                                            checkpointing=checkpointing, attention_matrix=cpu)
    return {"parameters": parameters, **roofline.peak(parts)}


def _build(family: str, config: dict, checkpointing: bool):
    import torch

    torch.manual_seed(0)
    if family == "decoder":
        from transformers import Qwen2Config, Qwen2ForCausalLM

        model = Qwen2ForCausalLM(Qwen2Config(**config, use_sliding_window=False, attention_dropout=0.0))
    else:
        from transformers import XLMRobertaConfig, XLMRobertaForSequenceClassification

        model = XLMRobertaForSequenceClassification(XLMRobertaConfig(**config, num_labels=3))
    if checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    model.config._attn_implementation = "sdpa"
    return model.train()


def _batch(family: str, config: dict, batch: int, length: int, label_positions: int | None, device):
    import torch

    ids = torch.randint(5, config["vocab_size"], (batch, length), device=device)
    if family != "decoder":
        return {"input_ids": ids, "attention_mask": torch.ones_like(ids),
                "labels": torch.randint(0, 3, (batch,), device=device)}
    labels = ids.clone()
    if label_positions:
        labels[:, :length - label_positions] = -100
    return {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": labels}


def _warm(family: str, device) -> None:
    """One step of a 1-layer model of the family first: the runtime's own first-use allocations (kernel
    libraries, thread pools, the autograd engine) are then outside the measured growth."""
    import torch

    tiny = {"num_hidden_layers": 1, "hidden_size": 32, "num_attention_heads": 2, "intermediate_size": 64,
            "vocab_size": 64}
    tiny |= {"num_key_value_heads": 1} if family == "decoder" else {"max_position_embeddings": 40}
    model = _build(family, tiny, False).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), foreach=device.type == "cuda")
    inputs = _batch(family, tiny, 2, 8, None, device)
    from repro.models import decoder

    (decoder.label_loss(model, inputs) if family == "decoder" else model(**inputs).loss).backward()
    optimizer.step()


def run(family: str, config: dict, *, batch: int, length: int, checkpointing: bool = False,
        label_positions: int | None = None, precision: str = "fp32") -> dict:
    """Measure two optimizer steps in this process (see the module's docstring for what is counted)."""
    import torch

    from repro.models import decoder

    gpu = torch.cuda.is_available()
    device = torch.device("cuda" if gpu else "cpu")
    inputs = _batch(family, config, batch, length, label_positions, device)
    _warm(family, device)
    _reset_peak_rss()
    before = _rss()
    model = _build(family, config, checkpointing).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5, foreach=gpu)
    if gpu:
        torch.cuda.reset_peak_memory_stats()
    seconds = []
    for _ in range(2):
        start = time.perf_counter()
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=precision == "bf16"):
            loss = decoder.label_loss(model, inputs) if family == "decoder" else model(**inputs).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if gpu:
            torch.cuda.synchronize()
        seconds.append(time.perf_counter() - start)
    if gpu:
        measured, how = torch.cuda.max_memory_allocated(), "torch.cuda.max_memory_allocated"
    else:
        measured = _peak_rss() - before
        how = "peak RSS growth from before the model (VmHWM reset there; glibc mmap threshold 64 KiB)"
    model_view = predicted(family, config, batch=batch, length=length, checkpointing=checkpointing,
                           precision=precision, label_positions=label_positions, cpu=not gpu)
    return {"family": family, "batch": batch, "length": length, "checkpointing": checkpointing,
            "label_positions": label_positions, "precision": precision, "device": str(device),
            "measured_gib": measured / 2**30, "measurement": how, "step_seconds": seconds[-1],
            "predicted": model_view}


def measure(family: str, config: dict, **options) -> dict:
    """`run` in a fresh process (its peak RSS is the step's alone), glibc's mmap threshold fixed, in a clean
    environment and working directory: the caller's settings (thread counts, allocator or library variables) do
    not reach the measurement."""
    project = Path(__file__).resolve().parents[2]
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "CUDA_VISIBLE_DEVICES")
    env = {**{k: os.environ[k] for k in keep if k in os.environ}, "PYTHONPATH": str(project),
           "MALLOC_MMAP_THRESHOLD_": "65536", "OMP_NUM_THREADS": "2"}
    argv = [sys.executable, "-m", "repro.measure.step", "--family", family, "--config", json.dumps(config),
            "--batch", str(options["batch"]), "--length", str(options["length"])]
    if options.get("checkpointing"):
        argv.append("--checkpointing")
    if options.get("label_positions"):
        argv += ["--label-positions", str(options["label_positions"])]
    argv += ["--precision", options.get("precision", "fp32")]
    done = subprocess.run(argv, env=env, cwd=project, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--family", choices=("encoder", "decoder"), required=True)
    parser.add_argument("--config", required=True, help="a config.json path, or its JSON text")
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--length", type=int, required=True)
    parser.add_argument("--checkpointing", action="store_true")
    parser.add_argument("--label-positions", type=int)
    parser.add_argument("--precision", choices=("fp32", "bf16"), default="fp32")
    args = parser.parse_args(argv)
    text = Path(args.config).read_text() if not args.config.lstrip().startswith("{") else args.config
    print(json.dumps(run(args.family, json.loads(text), batch=args.batch, length=args.length,
                         checkpointing=args.checkpointing, label_positions=args.label_positions,
                         precision=args.precision)))


if __name__ == "__main__":
    main()
