"""Stage `collect`: every stage's metrics into results/<profile>/metrics.json, with provenance.

Contract: {"profile", "provenance": {...}, "results": [{"intermediate", "target", "language", "metric",
"value", "split"}, ...]}, values on a 0-100 scale; `split` is the split the language was evaluated on (dev, or test
where it has none), so metrics.json alone says which numbers enter the dev averages (a reviewer's pull).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

import typer

from repro.errors import UserError
from repro.io import atomic_json
from repro.params import Profile
from repro.paths import Layout
from repro.stages.options import ParamsOpt, ProfileOpt, friendly, load
from repro.tasks import Alternative

LIBRARIES = ("torch", "transformers", "tokenizers", "datasets", "accelerate", "deepspeed", "dvc", "seqeval",
             "numpy", "typer")


def run(profile: Profile, layout: Layout, params_path: Path) -> dict:
    """Gather stage metrics (whatever exists) and write metrics.json and alternatives.json atomically."""
    study = profile.study
    scoring = profile.scoring.model_dump()
    payload = {"profile": profile.name, "provenance": provenance(profile, layout, params_path),
               "results": _rows(layout, study.main_encoders, study.targets, scoring)}
    alternatives = [{**row, "variant": alternative.variant, "intermediate": alternative.task}
                    for alternative in map(Alternative.parse, study.alternatives)
                    for row in _rows(layout, [alternative.id], study.targets, scoring)]
    atomic_json(layout.metrics, payload)
    atomic_json(layout.alternatives, {"profile": profile.name, "results": alternatives})
    return payload


def _rows(layout: Layout, encoders: list[str], targets: list[str], scoring: dict) -> list[dict]:
    """The result rows of the stage files present; a stage scored under other rules than the profile's (its
    `scoring`, e.g. another seqeval rule) is refused, naming the file."""
    rows = []
    for intermediate in encoders:
        for target in targets:
            path = layout.stage_metrics(intermediate, target)
            if path.is_file():
                stage = _read(path)
                if stage.get("scoring", scoring) != scoring:
                    raise UserError(f"{path}: scored with {stage['scoring']}, but the profile's scoring is "
                                     f"{scoring}; rerun the stage (or dvc repro)")
                splits = stage.get("splits") or {}
                rows.extend({"intermediate": intermediate, "target": target, **r}
                            | ({"split": splits[r["language"]]} if r.get("language") in splits else {})
                            for r in stage["results"])
    return rows


def _read(path: Path) -> dict:
    """A stage file; an unreadable or truncated one is refused naming it."""
    try:
        stage = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise UserError(f"{path}: not a readable stage file ({err}); rerun its stage (dvc repro)") from None
    if not isinstance(stage, dict) or not isinstance(stage.get("results"), list):
        raise UserError(f"{path}: not a stage file (no `results` list); rerun its stage (dvc repro)")
    return stage


def provenance(profile: Profile, layout: Layout, params_path: Path) -> dict:
    manifest = json.loads(layout.manifest.read_text()) if layout.manifest.is_file() else {}
    return {
        "git": _git(),
        "params_file": str(params_path),
        "params_sha256": hashlib.sha256(params_path.read_bytes()).hexdigest() if params_path.is_file() else None,
        "profile_fingerprint": profile.fingerprint,
        "model": ({"hub": profile.model.hub, "revision": profile.model.revision} if profile.model.hub
                  else {"pretrained_here": profile.model.pretrain.model_dump()}),
        "data": {key: {split: {k: v for k, v in info.items() if k != "rows"} | {"rows": info.get("rows")}
                       for split, info in splits.items()} for key, splits in manifest.items()},
        "seeds": {"seed": profile.seed},
        "scoring": profile.scoring.model_dump(),  # e.g. the seqeval rule of the tagging F1s
        "recipe": profile.intermediate.recipe, "deviation": profile.intermediate.deviation(),
        "libraries": {name: _version(name) for name in LIBRARIES},
        "hardware": _hardware(),
    }


def _git() -> dict:
    def run(*args: str) -> str | None:
        try:
            return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return None

    status = run("status", "--porcelain", "--untracked-files=no")
    return {"sha": run("rev-parse", "HEAD"), "dirty": bool(status) if status is not None else None}


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _hardware() -> dict:
    import torch

    info = {"machine": platform.machine(), "processor": platform.processor() or None, "cpus": os.cpu_count(),
            "python": platform.python_version(), "gpus": []}
    if torch.cuda.is_available():
        info["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return info


@friendly
def command(params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """Gather every stage's metrics into results/<profile>/metrics.json with provenance.

    Example: [bold]repro collect --profile smoke[/]
    """
    config, layout = load(params, profile)
    payload = run(config, layout, params)
    typer.echo(f"{len(payload['results'])} results -> {layout.metrics}")


if __name__ == "__main__":
    typer.run(command)
