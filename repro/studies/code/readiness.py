"""What `repro fetch` and `repro doctor` check of the code study beyond the data stage's inputs: its problems and
articles (pinned in repro/data/manifest.yaml), its decoder, the toolchains and sandbox its samples run in, and its
generation backend."""

from __future__ import annotations


def inputs(profile) -> tuple[list, list[tuple[str, str | None]]]:
    """([(pin, repository paths)] of the study's own files, [(model, revision)] of its Hub decoders)."""
    from repro.studies.code.hub import inputs as files
    from repro.studies.code.stages.common import code_of

    code = code_of(profile)
    models = [(spec.hub, spec.revision) for spec in map(code.decoders.get, code.models) if spec.hub]
    return [item for group in files(code).values() for item in group], models


def problems(profile) -> list[str]:
    """The study's languages whose toolchain is missing here, a sandbox that does not work, a training setting
    that does not fit the visible GPU, and a generation backend that cannot run here."""
    from repro.models.generation import unavailable
    from repro.studies.code.stages.common import code_of

    code = code_of(profile)
    backend = unavailable(code.generation.backend)
    return toolchains(code) + fits(profile, code) + ([f"code.{backend}"] if backend else [])


def notes(profile) -> list[str]:
    """The intermediate training's peak memory and split (on the visible GPU, else the plan's 80 GiB one)."""
    from repro.errors import UserError
    from repro.studies.code import memory
    from repro.studies.code.price import shape_of
    from repro.studies.code.stages.common import code_of

    code, engine = code_of(profile), profile.engine
    device = memory.visible_gib()
    try:
        micro, accum = memory.split(code, shape_of(profile), device or memory.DEVICE_GIB, engine.deepspeed,
                                    engine.precision)
    except UserError:  # a setting that fits nothing: `problems` names it on a GPU
        return []
    peak = memory.peak_gib(code, shape_of(profile), micro, engine.deepspeed, engine.precision)["peak_gib"]
    where = f"this {device:.0f} GiB GPU" if device else f"an {memory.DEVICE_GIB:g} GiB GPU (no GPU here)"
    return [f"code-intermediate: micro-batch {micro} x {accum}, ~{peak:.0f} GiB peak on {where}"]


def fits(profile, code, device_gib: float | None = None) -> list[str]:
    """One line when even one row a micro-batch of the intermediate training exceeds the GPU (`device_gib`, else
    the visible one; no GPU: nothing to check, `repro plan --study code` gives the figure)."""
    from repro.errors import UserError
    from repro.studies.code import memory
    from repro.studies.code.price import shape_of

    device_gib = device_gib if device_gib is not None else memory.visible_gib()
    if device_gib is None:
        return []
    try:
        memory.split(code, shape_of(profile), device_gib, profile.engine.deepspeed, profile.engine.precision)
    except UserError as exc:
        return [str(exc)]
    return []


def toolchains(code) -> list[str]:
    from repro.errors import UserError
    from repro.execution import missing
    from repro.execution.languages import language_of
    from repro.execution.sandbox import detect

    languages = dict.fromkeys([*code.benchmarks.humaneval_x, *map(language_of, code.benchmarks.humaneval_xl)])
    found = [reason for reason in map(missing, filter(None, languages)) if reason]
    try:
        detect()
    except UserError as exc:
        found.append(str(exc))
    return found
