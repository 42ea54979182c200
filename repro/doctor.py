"""`repro doctor`: what would stop a run in its first hour, checked before any training, one line per problem: every
input of the study present and verified offline (repro.data.fetch.verify), every local path set, what each study
checks of its own (its `problems`: the code study's toolchains and sandbox), and the machine: GPUs present, their
driver new enough for this torch build, each stage's peak memory within the smallest GPU, and the disk the plan
says the study needs free under the project."""

from __future__ import annotations

from repro import machine
from repro.measure.roofline import fits


def problems(profile, study: str | None = None) -> list[str]:
    """One line per problem with the inputs and the studies' own checks (none: ready to run)."""
    from repro.data.fetch import studies_of, verify

    found = verify(profile, study) if profile.data.origin == "hub" else []
    for module in studies_of(profile, study):
        found += module.problems(profile) if hasattr(module, "problems") else []
    return found


def machine_problems(profile, layout, study: str | None = None, *, gpus: list[machine.Gpu] | None = None,
                     cuda: str | None = None, free: int | None = None, gpu_ok: bool = False) -> list[str]:
    """One line per problem with this machine for a Hub-model profile (a smoke profile runs anywhere). `gpus`,
    `cuda` and `free` default to what this machine reports; `gpu_ok`: no GPU is not a problem (`--no-gpu-ok`)."""
    from repro.data.fetch import study_names
    from repro.measure.plan import plan

    if not profile.model.hub:
        return []
    gpus = machine.gpus() if gpus is None else gpus
    cuda = machine.cuda_build() if cuda is None else cuda
    found = [] if gpus or gpu_ok else [f"no GPU visible: --profile {profile.name} trains {profile.model.hub} on "
                                       f"GPUs (`repro plan` prices it); pass --no-gpu-ok to go on without"]
    for driver in sorted({gpu.driver for gpu in gpus}):
        found += [line for line in [machine.driver_problem(driver, cuda)] if line]
    need_bytes, smallest = 0, min((gpu.memory_gib for gpu in gpus), default=None)
    for name in study_names(profile, study):
        payload = plan(profile, layout, study=name)
        need_bytes += payload.get("disk", {}).get("total_bytes", 0)
        heavy = [s for s in payload["stages"] if smallest and not fits(s.get("peak_memory_gib", 0), smallest)]
        if heavy:
            worst = max(heavy, key=lambda s: s["peak_memory_gib"])
            found.append(f"{name}: {len(heavy)} stage(s) need more than the smallest GPU's {smallest:.0f} "
                         f"GiB (90% usable), {worst['stage']} ~{worst['peak_memory_gib']:.0f} GiB: lower the "
                         f"micro-batch or use DeepSpeed ZeRO (params.yaml engine)")
    free = machine.free_bytes(layout.root) if free is None else free
    if need_bytes > free:
        found.append(f"disk: the plan needs {need_bytes / 1e9:,.0f} GB under {layout.root.resolve()} and {free / 1e9:,.0f} GB "
                     f"are free (`repro plan --profile {profile.name}` itemizes it)")
    return found


def notes(profile, study: str | None = None) -> list[str]:
    """Figures worth seeing before a run that are not problems (each study's `notes`: e.g. a stage's peak memory)."""
    from repro.data.fetch import studies_of

    return [line for module in studies_of(profile, study) if hasattr(module, "notes") for line in module.notes(profile)]
