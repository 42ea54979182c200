"""Stage `code-pretrain`: one of the code study's decoders before any intermediate phase (the `none` arm):
downloaded at a pinned revision, or a tiny smoke decoder trained here on prepared/code-<profile>/corpus.jsonl (a code
decoder on all of it, a general one on its text lines alone; the tokenizer also on its word lines)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from repro.io import atomic_dir
from repro.studies.code.paths import LEXICON_SOURCE
from repro.studies.code.stages.common import ModelOpt, code_of, require, study
from repro.stages.options import ParamsOpt, ProfileOpt, friendly, run_stage


def run(profile, layout, model_name: str) -> Path:
    code, code_layout, _ = study(profile, layout, model=model_name)
    from repro.models import decoder

    spec, out_dir = code.decoders[model_name], code_layout.pretrained(model_name)
    if spec.hub:
        with atomic_dir(out_dir) as out:
            decoder.download(spec.hub, spec.revision, out)
        return out_dir
    corpus_file = require(code_layout.corpus, "code corpus", f"repro code-data --profile {profile.name}")
    rows = [json.loads(line) for line in corpus_file.read_text().splitlines()]
    corpus = [row["text"] for row in rows if row["source"] in spec.corpus_sources]
    words = [row["text"] for row in rows if row["source"] == LEXICON_SOURCE]
    with atomic_dir(out_dir) as out:
        decoder.pretrain_tiny(spec.pretrain, corpus, out, seed=profile.seed, vocabulary=words,
                              workdir=layout.checkpoints(f"code-pretrain-{model_name}"))
    return out_dir


@friendly
def command(model: ModelOpt, params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """One of the code study's pretrained decoders (a Hub model at a pinned revision, or a tiny smoke decoder).

    Example: [bold]repro code-pretrain --profile smoke --model tiny_code[/]
    """
    run_stage(params, profile, f"code pretrain {model}", run, model,
              done=lambda out: f"decoder -> {out}", check=code_of)


if __name__ == "__main__":
    typer.run(command)
