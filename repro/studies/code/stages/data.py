"""Stage `code-data`: the code study's own data under prepared/code-<profile>/: HumanEval-X and HumanEval-XL problem
files (release layout), CNN/DailyMail articles, and for the smoke world the tiny decoder's corpus. The
intermediate tasks' other sources are the profile's `data` stage's."""

from __future__ import annotations

from pathlib import Path

import typer

from repro.io import atomic_dir
from repro.studies.code.stages.common import code_of, study
from repro.stages.options import ParamsOpt, ProfileOpt, friendly, run_stage


def run(profile, layout) -> Path:
    code, code_layout, _ = study(profile, layout)
    with atomic_dir(code_layout.data) as out:
        if profile.data.origin == "smoke":
            from repro import data
            from repro.studies.code.smoke.world import write_code_world

            text: dict[str, list[str]] = {}
            for row in data.read_rows(layout, "mlm_corpus", "train"):
                text.setdefault(row["language"], []).append(row["text"])
            write_code_world(out, code, text, profile.seed)
        else:
            from repro.studies.code.hub import download

            download(code, out)
    return code_layout.data


@friendly
def command(params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """The code study's problems (HumanEval-X, HumanEval-XL) and CNN/DailyMail articles under prepared/code-<profile>/.

    Example: [bold]repro code-data --profile smoke[/]
    """
    run_stage(params, profile, f"code data ({profile})", run, done=lambda out: f"code data -> {out}", check=code_of,
              threads=False)


if __name__ == "__main__":
    typer.run(command)
