"""`repro score`: predictions scored as a benchmark's official evaluation scores them (repro.suites)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from repro.stages.options import friendly


@friendly
def command(predictions: Annotated[Path, typer.Option(help="folder: <task>/test-<lang>.tsv|json|jsonl")],
            labels: Annotated[Path, typer.Option(help="folder with the gold files, same layout")],
            partial: Annotated[bool, typer.Option(help="score the languages present instead of refusing a "
                                                       "missing one (not an official number)")] = False,
            suite: Annotated[str, typer.Option(help="the benchmark whose layout and aggregation apply: xtreme or "
                                                   "xtreme-r")] = "xtreme",
            seqeval_rule: Annotated[str, typer.Option(
                help="tagging F1's chunk-type rule: 1.2.2 (the official evaluate.py as installed today) or 0.0.12 "
                     "(the seqeval jiant pinned: its 2020 numbers)")] = "1.2.2",
            ) -> None:
    """Score predictions exactly as the benchmark's official evaluation does; prints {"overall", "detailed"}
    (xtreme-r adds "ours": our LAReQA and overall scores, which the official script does not give).

    Example: [bold]repro score --predictions results/smoke/predictions/mnli --labels prepared/smoke/labels --partial[/]
    jiant's 2020 numbers: [bold]repro score --predictions P --labels L --seqeval-rule 0.0.12[/]
    """
    from repro import suites
    from repro.suites.submission import score_folders

    result = score_folders(predictions, labels, require_all_languages=not partial, suite=suites.get(suite),
                           seqeval=seqeval_rule)
    typer.echo(json.dumps(result, indent=1))
