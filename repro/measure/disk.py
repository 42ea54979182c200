"""The disk a study needs (`repro plan`): the model directories its stages write, what DVC copies into its cache,
the checkpoints of the stages running at once, the prepared data and the raw inputs (data/, after `repro fetch`).

A model directory holds fp32 safetensors (the stages save consolidated fp32 weights: 4 bytes per parameter,
counted from the model's config) and its tokenizer. Cached (dvc.yaml outs without `cache: false`): the data,
the encoders and the predictions, stored a second time in .dvc/cache under DVC's default link type (reflink,
else copy) on a filesystem without reflinks; the fine-tuned target models are not cached. Checkpoints: a
training stage keeps up to three while it runs (the best and the latest, save_total_limit 2, plus one being
written: repro/engine/trainer.py), each its weights and AdamW's two fp32 moments (12 bytes per parameter; 16
under DeepSpeed ZeRO: 16-bit weights twice and an fp32 master copy), and removes them when it ends.
The raw inputs under data/ are recorded by `dvc add data` (data.dvc), so they too are stored twice.
Predictions, metrics and tables are megabytes (not counted).
"""

from __future__ import annotations

import json
from pathlib import Path

from repro.measure import bench
from repro.params import Profile
from repro.paths import INPUTS, Layout

FP32 = 4
CHECKPOINT_BYTES = {"none": 12, "deepspeed": 16}  # per parameter: weights + AdamW state (+ ZeRO's master copy)
KEPT_CHECKPOINTS = 3
TOKENIZER_BYTES_PER_ENTRY = 70  # tokenizer.json per vocabulary entry (XLM-R Large's: 17 MB for 250,002)
ENCODER_GROUPS = ("pretrain", "intermediate", "multitask", "alternative")  # each writes an encoder (cached)
TRAINING_GROUPS = ("intermediate", "multitask", "alternative", "target")


def parameters(config: dict) -> int:
    """The parameters of an XLM-R-shaped encoder (embeddings, layers; no pooler) from its config fields."""
    hidden, inner = config["hidden_size"], config["intermediate_size"]
    rows = config["vocab_size"] + config.get("max_position_embeddings", 514) + config.get("type_vocab_size", 1)
    layer = 4 * (hidden * hidden + hidden) + (hidden * inner + inner) + (inner * hidden + hidden) + 4 * hidden
    return rows * hidden + 2 * hidden + config["num_hidden_layers"] * layer


def _config(profile: Profile, layout: Layout) -> dict:
    """The real config of the pretrained model once it exists (the smoke tokenizer's vocabulary is learned)."""
    written = layout.pretrained / "config.json"
    return json.loads(written.read_text()) if written.is_file() else bench.model_config(profile, layout)[0]


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def model_bytes(profile: Profile, layout: Layout) -> int:
    """One model directory: fp32 weights and the tokenizer (measured once the pretrained model exists)."""
    config = _config(profile, layout)
    tokenizer = layout.pretrained / "tokenizer.json"
    vocabulary = tokenizer.stat().st_size if tokenizer.is_file() else \
        config["vocab_size"] * TOKENIZER_BYTES_PER_ENTRY
    return parameters(config) * FP32 + vocabulary


def estimate(profile: Profile, layout: Layout, groups: list[str], parallel: int = 1) -> dict:
    """The study's disk, from the groups of its stages (one entry per stage), with `parallel` stages at once."""
    one = model_bytes(profile, layout)
    engine = "none" if profile.engine.deepspeed == "none" else "deepspeed"
    checkpoint = KEPT_CHECKPOINTS * parameters(_config(profile, layout)) * CHECKPOINT_BYTES[engine]
    encoders = sum(group in ENCODER_GROUPS for group in groups)
    targets = groups.count("target")
    trains = any(group in TRAINING_GROUPS for group in groups)
    data = _size(layout.data) if layout.data.is_dir() else None
    inputs = _size(layout.root / INPUTS) if (layout.root / INPUTS).is_dir() else None
    checkpoints = checkpoint * parallel if trains else 0
    return {"model_bytes": one, "encoders": {"count": encoders, "workspace_bytes": encoders * one,
                                             "cache_bytes": encoders * one},
            "target_models": {"count": targets, "workspace_bytes": targets * one, "cache_bytes": 0},
            "checkpoints": {"per_stage_bytes": checkpoint, "parallel": parallel, "peak_bytes": checkpoints},
            "data_bytes": data, "inputs_bytes": inputs,
            "total_bytes": 2 * encoders * one + targets * one + checkpoints + 2 * (data or 0) + 2 * (inputs or 0),
            "notes": ["data counted twice (workspace and cache) once `repro data` has run; not before",
                      "raw inputs (data/, data.dvc) counted twice once `repro fetch` has run; not before",
                      "predictions, metrics and tables: megabytes, not counted",
                      "a cache on a filesystem with reflinks, or `dvc config cache.type hardlink,copy`, stores "
                      "the encoders and data once"]}


def _human(size: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6)):
        if size >= scale:
            return f"{size / scale:,.1f} {unit}"
    return f"{size / 1e3:,.1f} kB"


def describe(disk: dict) -> str:
    """The estimate in one line (the plan table's caption)."""
    encoders, targets, checkpoints = disk["encoders"], disk["target_models"], disk["checkpoints"]
    data = "data not yet materialized" if disk["data_bytes"] is None else f"data {_human(disk['data_bytes'])} x 2"
    if disk.get("inputs_bytes") is not None:
        data += f", raw inputs {_human(disk['inputs_bytes'])} x 2"
    return (f"disk: {encoders['count']} encoders {_human(encoders['workspace_bytes'])} (+ the same in the DVC "
            f"cache), {targets['count']} target models {_human(targets['workspace_bytes'])} (not cached: as much "
            f"saved), checkpoints {_human(checkpoints['per_stage_bytes'])} per training stage x "
            f"{checkpoints['parallel']} at once, {data}; total {_human(disk['total_bytes'])}")
