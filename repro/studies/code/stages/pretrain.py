"""Stage `code-pretrain`: the code study's decoder before any intermediate phase (the `none` arm): downloaded at
a pinned revision, or the tiny smoke decoder trained here on data/<profile>/code/corpus.jsonl."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from repro.io import atomic_dir
from repro.studies.code.stages.common import code_of, require, study
from repro.stages.options import ParamsOpt, ProfileOpt, friendly, run_stage


def run(profile, layout) -> Path:
    code, code_layout, _ = study(profile, layout)
    from repro.models import decoder

    if code.model.hub:
        with atomic_dir(code_layout.pretrained) as out:
            decoder.download(code.model.hub, code.model.revision, out)
        return code_layout.pretrained
    corpus_file = require(code_layout.corpus, "code corpus", f"repro code-data --profile {profile.name}")
    corpus = [json.loads(line)["text"] for line in corpus_file.read_text().splitlines()]
    with atomic_dir(code_layout.pretrained) as out:
        decoder.pretrain_tiny(code.model.pretrain, corpus, out, seed=profile.seed,
                              workdir=layout.checkpoints("code-pretrain"))
    return code_layout.pretrained


@friendly
def command(params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """The code study's pretrained decoder (Qwen2.5-Coder at a pinned revision, or the tiny smoke decoder).

    Example: [bold]repro code-pretrain --profile smoke[/]
    """
    run_stage(params, profile, "code pretrain", run,
              done=lambda out: f"decoder -> {out}", check=code_of)


if __name__ == "__main__":
    typer.run(command)
