"""`repro dvc-deps`: check or rewrite dvc.yaml's repro/ deps from the code each stage imports (repro.dvc_deps)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from repro.stages.options import fail, friendly


@friendly
def command(write: Annotated[bool, typer.Option("--write", help="rewrite dvc.yaml's repro/ deps in place")] = False,
            root: Annotated[Path, typer.Option(help="the project directory (dvc.yaml, repro/)")] = Path(".")) -> None:
    """Each dvc.yaml stage's repro/ deps, generated from the code its module can import; without --write, list
    the stages whose deps differ and exit 2 when any does (as every refused input).

    Example: [bold]repro dvc-deps --write[/]
    """
    from repro.dvc_deps import generate
    from repro.io import atomic_text

    text, changed = generate(root)
    if write:
        atomic_text(root / "dvc.yaml", text)
        typer.echo(f"dvc.yaml: {len(changed)} stages' deps rewritten" + (f" ({', '.join(changed)})" if changed else ""))
        return
    if changed:
        fail(f"dvc.yaml: the deps of {len(changed)} stages differ from their code ({', '.join(changed)}); run "
             "`repro dvc-deps --write`")
    typer.echo("dvc.yaml: every stage's repro/ deps match its code")
