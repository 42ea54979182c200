"""The `repro` command line: one table of verbs, each the `command` of its module (or the function a
`module:function` names): the shared stages of `repro.stages`, the verbs each study folder declares in its `VERBS`,
and the verbs that are not stages (`all`, `score`, `bench`, `plan`, `launch`, `dvc-deps`: `repro.commands`).

Each stage verb reads declared inputs and writes declared outputs atomically, so DVC can wire them (dvc.yaml
runs the same commands as `python -m <module>`). Heavy libraries are imported inside the verbs, which keeps
`repro --help` fast.
"""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from repro import studies

app = typer.Typer(no_args_is_help=True, rich_markup_mode="rich",
                  help="Reproduce X-STILTs (Phang et al. 2020): intermediate-task training for zero-shot "
                       "cross-lingual transfer with XLM-R, on XTREME.")


def _version(value: bool) -> None:
    if value:
        from repro import __version__

        typer.echo(f"repro {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                               help="print the version and exit")] = False,
         debug: Annotated[bool, typer.Option("--debug", help="show the traceback of every error, a user's "
                                                             "too (also: REPRO_DEBUG=1)")] = False) -> None:
    """Reproduce X-STILTs (Phang et al. 2020). Shell completion: [bold]repro --install-completion[/]."""
    if debug:
        import os

        os.environ["REPRO_DEBUG"] = "1"  # stage processes started from here inherit it


DATA, TRAIN, EVAL, REPORT, MEASURE = "Data", "Train", "Evaluate", "Tables and claims", "Measure"
# (verb, "module[:function]", help panel[, app.command's keyword arguments]): the shared stages' verbs here, each
# study's own (its `VERBS`) after them, then the verbs that are not stages (help lists each panel in this order)
SHARED_VERBS = (("data", "repro.stages.data", DATA), ("pretrain", "repro.stages.pretrain", TRAIN),
                ("intermediate", "repro.stages.intermediate", TRAIN), ("multitask", "repro.stages.multitask", TRAIN),
                ("alternative", "repro.stages.alternative", TRAIN), ("target", "repro.stages.target", TRAIN),
                ("evaluate", "repro.stages.evaluate", EVAL), ("retrieval", "repro.stages.retrieval", EVAL),
                ("execute", "repro.stages.execute", EVAL), ("summary", "repro.stages.summary", REPORT),
                ("fetch", "repro.stages.readiness:fetch", DATA), ("doctor", "repro.stages.readiness:doctor", DATA))
TOOL_VERBS = (("score", "repro.commands.score", EVAL), ("all", "repro.commands.run_all", TRAIN),
              ("bench", "repro.commands.bench", MEASURE), ("plan", "repro.commands.plan", MEASURE),
              ("dvc-deps", "repro.commands.dvc_deps", MEASURE),
              ("launch", "repro.commands.launch", TRAIN,  # the verb to launch and its options follow `--`
               {"context_settings": {"allow_extra_args": True, "ignore_unknown_options": True}}))

VERBS = (*SHARED_VERBS, *(entry for name in studies.STUDIES for entry in studies.get(name).VERBS), *TOOL_VERBS)
for verb, target, panel, *settings in VERBS:
    module, _, attr = target.partition(":")  # a module's `command` by default
    app.command(verb, rich_help_panel=panel, **(settings[0] if settings else {}))(
        getattr(importlib.import_module(module), attr or "command"))


if __name__ == "__main__":
    app(prog_name="repro")
