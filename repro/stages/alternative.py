"""Stage `alternative`: Table 4's alternatives to English-only intermediate training, each a real run.

`<task>+translated` trains on the English data plus its machine translation into the target's languages;
`<task>+mlm` trains the task head together with an MLM head on multilingual text (`repro.engine.with_mlm`).
Both save the encoder as `<task>+<variant>`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from repro.params import Profile
from repro.paths import Layout
from repro.stages.intermediate import train
from repro.stages.options import ParamsOpt, ProfileOpt, fail, friendly, run_stage
from repro.tasks import INTERMEDIATE_TASKS, Alternative
from repro.tasks.alternatives import extra_sources


def run(profile: Profile, layout: Layout, encoder_id: str) -> Path:
    from repro import data
    from repro.engine.with_mlm import train_with_mlm  # loaded for both variants: the stage's deps are the same

    alternative = Alternative.parse(encoder_id)
    task = INTERMEDIATE_TASKS[alternative.task]
    sources = extra_sources(encoder_id, profile.languages)
    if alternative.variant == "translated":
        extra = [e for source, lang in sources for e in data.read(layout, source, "train", lang)]
        return train(profile, layout, encoder_id, task, extra)
    texts = [e["text"] for source, lang in sources for e in data.read(layout, source, "train", lang)]
    return train(profile, layout, encoder_id, task,
                 trainer=lambda *args: train_with_mlm(*args, texts=texts))


@friendly
def command(task: Annotated[str, typer.Option("--task", help="an alternative: <task>+mlm or <task>+translated")],
            params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """Table 4: an intermediate task with multilingual MLM batches (`<task>+mlm`) or its translated data too
    (`<task>+translated`); saves the encoder only.

    Example: [bold]repro alternative --profile smoke --task mnli+translated[/]
    """
    def check(config) -> None:
        if task not in config.study.alternatives:
            fail(f"unknown alternative {task!r}; the study of {profile} has {', '.join(config.study.alternatives)}")

    run_stage(params, profile, f"alternative {task}", run, task, done=lambda out: f"encoder -> {out}", check=check)


if __name__ == "__main__":
    typer.run(command)
