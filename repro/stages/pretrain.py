"""Stage `pretrain`: phase 1, the pretrained masked LM (downloaded at a pinned revision, or the tiny smoke model
trained here), saved as a plain HF directory at models/<profile>/encoders/none."""

from __future__ import annotations

from pathlib import Path

import typer

from repro.io import atomic_dir
from repro.params import Profile
from repro.paths import Layout
from repro.stages.options import ParamsOpt, ProfileOpt, friendly, run_stage


def run(profile: Profile, layout: Layout) -> Path:
    if profile.model.hub:
        from repro import models

        with atomic_dir(layout.pretrained) as out:
            models.of(profile.model).download(profile.model.hub, profile.model.revision, out)
        return layout.pretrained
    from repro import data
    from repro.models import tiny

    corpus = [row["text"] for row in data.read_rows(layout, "mlm_corpus", "train")]
    with atomic_dir(layout.pretrained) as out:
        tiny.pretrain_tiny(profile.model.pretrain, corpus, out, seed=profile.seed,
                           workdir=layout.checkpoints("pretrain"), curves=layout.curves("pretrain"))
    return layout.pretrained


@friendly
def command(params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """Phase 1: the pretrained masked LM (XLM-R Large at a pinned revision, or the tiny smoke model).

    Example: [bold]repro pretrain --profile smoke[/]
    """
    run_stage(params, profile, "pretrain", run,
              done=lambda out: f"pretrained model -> {out}")


if __name__ == "__main__":
    typer.run(command)
