"""Stage `verify`: every claim of claims.yaml checked against a run's metrics (`repro.report.claims`); the DVC
stage records the verdicts in results/<profile>/claims.json, `repro verify` alone exits non-zero on a fail."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from repro.paths import Layout
from repro.stages.options import ProfileOpt, fail, friendly

CLAIMS = Path("claims.yaml")


def run(layout: Layout, claims: Path = CLAIMS) -> Path:
    """Record the verdicts of a collected run in results/<profile>/claims.json (recorded, not enforced)."""
    from repro.io import atomic_json
    from repro.report import claims as check

    manifest = layout.manifest if layout.manifest.is_file() else None
    out = layout.results / "claims.json"
    atomic_json(out, check.to_json(check.verify(layout.metrics, layout.root / claims, manifest)))
    return out


@friendly
def command(profile: ProfileOpt = "paper",
            metrics: Annotated[Path | None, typer.Option(help="a metrics.json instead of the profile's")] = None,
            claims: Annotated[Path, typer.Option(help="claims file")] = CLAIMS,
            manifest: Annotated[Path | None, typer.Option(help="data manifest (row counts)")] = None,
            as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] = False,
            strict: Annotated[bool, typer.Option(help="also fail when a claim's metrics are missing")] = False,
            planted: Annotated[bool, typer.Option(help="judge the planted-effect claims (claims_planted.yaml: "
                                                       "effects the smoke world is built to contain) on every "
                                                       "study's results instead; a study not run: missing")] = False,
            record: Annotated[bool, typer.Option(help="record the JSON verdicts in results/<profile>/claims.json "
                                                      "and exit 0 (the DVC stage: recorded, not enforced)")] = False,
            ) -> None:
    """Check every claim about the paper against a run's metrics; exits non-zero when any claim fails.

    Example: [bold]repro verify --profile smoke[/]   or   [bold]repro verify --metrics pulled/metrics.json --json[/]
    or   [bold]repro verify --profile smoke --planted[/]
    """
    from repro.report import claims as check

    layout = Layout(profile)
    if planted:
        if metrics is not None or manifest is not None or record or claims != CLAIMS:
            fail("--planted reads every study's results of the profile; drop --metrics, --manifest, --claims "
                 "and --record")
        raise typer.Exit(_planted(layout, as_json, strict))
    metrics_path = metrics or layout.metrics
    if not metrics_path.is_file():
        fail(f"{metrics_path}: no metrics; run `repro all --profile {profile}` or `dvc pull`")
    if record:
        if metrics is not None or manifest is not None:
            fail("--record records the profile's own run; drop --metrics and --manifest")
        typer.echo(f"claims -> {run(layout, claims)}")
        return
    if manifest is None and metrics is None and layout.manifest.is_file():
        manifest = layout.manifest
    raise typer.Exit(check.report(metrics_path, claims, manifest, json_output=as_json, strict=strict))


def _planted(layout: Layout, as_json: bool, strict: bool) -> int:
    """Print one verdict per planted claim (a table, or a JSON list); the exit code of `repro verify`."""
    import json

    from repro.report import claims as check, planted

    results = planted.verify(layout)
    if as_json:
        typer.echo(json.dumps(planted.to_json(results), indent=1))
    else:
        check.render_table(results, title=f"Planted effects vs {layout.results}")
    return check.exit_code(results, strict=strict)


if __name__ == "__main__":
    typer.run(command)
