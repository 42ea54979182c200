"""`repro all`: the DVC pipeline of one profile, run by a parallel executor, recorded in DVC.

DVC owns the graph and the bookkeeping: `dvc status` says which stages of the profile changed (a param, a
dependency, a missing output); those and everything downstream of them run, in dependency waves, with
independent stages side by side in worker processes (a tiny model gains more from two processes on two cores
than from two threads in one); then `dvc commit` records them in dvc.lock, exactly as `dvc repro` would have.
A second run with nothing changed does no work. Outside a DVC repository every stage runs.

Waves: data -> pretrain -> encoders (multitask and Table 4's alternatives first, the longest) -> trained
targets and retrieval -> shared targets (MLQA reuses XQuAD's fine-tune) -> collect -> tables, verify. Each
stage is its module in `repro.stages`, called with the arguments its dvc.yaml command passes.
"""

from __future__ import annotations

import importlib
import json
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from repro.params import Profile
from repro.paths import Layout
from repro.progress import console, progress, set_quiet, stage
from repro.tasks import MULTITASK

Planned = tuple[str, str, tuple[str, ...]]  # (dvc stage name, stage module, its arguments after profile/layout)


def stage_name(group: str, profile: str, *ids: str) -> str:
    """The dvc.yaml name of a stage: target-smoke@mnli-xnli, pretrain-smoke."""
    return f"{group}-{profile}" + (f"@{'-'.join(ids)}" if ids else "")


def planned(profile: Profile) -> list[list[Planned]]:
    """The profile's stages up to the reports, as waves that depend only on earlier waves."""
    study, name = profile.study, profile.name
    encoders = [(stage_name("multitask", name), "multitask", ())] if MULTITASK in study.intermediate else []
    encoders += [(stage_name("alternative", name, a), "alternative", (a,)) for a in study.alternatives]
    encoders += [(stage_name("intermediate", name, t), "intermediate", (t,)) for t in study.intermediate_tasks]
    return [
        [(stage_name("data", name), "data", ())],
        [(stage_name("pretrain", name), "pretrain", ())],
        encoders,
        [(stage_name("target", name, i, t), "target", (i, t))
         for i in study.intermediate for t in study.trained_targets]
        + [(stage_name("retrieval", name, i, t), "retrieval", (i, t))
           for i in study.intermediate for t in study.retrieval_targets],
        [(stage_name("evaluate", name, i, t), "evaluate", (i, t))
         for i in study.intermediate for t in study.shared_targets],
    ]


def _init_worker(threads: int | None) -> None:
    import torch

    if threads:
        torch.set_num_threads(threads)
    set_quiet()


def _run_stage(profile: Profile, layout: Layout, module: str, args: tuple[str, ...]) -> float:
    """One stage in a worker; returns its seconds."""
    start = time.perf_counter()
    importlib.import_module(f"repro.stages.{module}").run(profile, layout, *args)
    return time.perf_counter() - start


class _Dvc:
    """The few DVC operations the executor needs, through DVC's Python API."""

    def __init__(self, root: Path):
        from dvc.repo import Repo

        self.repo = Repo(str(root))

    def stale(self, names: list[str]) -> set[str]:
        """Stages whose deps, params or outs changed, plus everything downstream of them."""
        import networkx as nx

        changed = set(self.repo.status()) & set(names)  # one pass: per-target status re-parses dvc.yaml each time
        graph = self.repo.index.graph  # edges point from a stage to the stages it depends on
        by_name = {getattr(s, "addressing", None): s for s in graph.nodes}
        downstream = set()
        for name in changed:
            downstream |= {getattr(s, "addressing", None) for s in nx.ancestors(graph, by_name[name])}
        return (changed | downstream) & set(names)

    def commit(self, names: list[str]) -> None:
        """Record finished stages in dvc.lock, as `dvc commit --force` does, but under one repo lock and with
        one lock-file write: `Repo.commit` re-parses dvc.yaml and rewrites dvc.lock per call, which made
        committing ~220 stages one by one take minutes."""
        from dvc.repo import lock_repo

        with lock_repo(self.repo):
            by_name = {entry.addressing: entry for entry in self.repo.index.stages}  # dvc.yaml parsed once
            stages = [by_name[name] for name in names]
            for entry in stages:
                entry.save()
                entry.commit()
            if stages:
                stages[0].dvcfile.dump_stages(stages, update_pipeline=False)  # every stage lives in dvc.yaml


def _is_dvc(root: Path) -> bool:
    return (root / ".dvc").is_dir() and (root / "dvc.yaml").is_file()


def _dvc(root: Path) -> _Dvc | None:
    return _Dvc(root) if _is_dvc(root) else None


def check_params_file(layout: Layout, params_path: Path) -> None:
    """Refuse a params file DVC does not track: in a DVC repository every stage's record names params.yaml."""
    tracked = layout.root / "params.yaml"
    if _is_dvc(layout.root) and params_path.resolve() != tracked.resolve():
        raise ValueError(f"--params {params_path}: dvc.yaml tracks {tracked}, so DVC would record this run against "
                         f"other params; edit params.yaml (or try a change with `dvc exp run -S`), or run outside "
                         f"a DVC repository")


def run_all(profile: Profile, layout: Layout, params_path: Path, jobs: int) -> dict:
    """Run (what changed of) the whole study for one profile; returns the collected metrics payload."""
    from repro.stages import collect, tables, verify

    check_params_file(layout, params_path)
    dvc = _dvc(layout.root)
    waves = planned(profile)
    reports = [stage_name(group, profile.name) for group in ("collect", "tables", "verify")]
    names = [name for wave in waves for name, _, _ in wave] + reports
    overall = progress().add_task(f"repro all ({profile.name})", total=len(names))
    stale = set(names) if dvc is None else dvc.stale(names)
    progress().advance(overall, len(set(names) - stale))
    if not stale:
        console.log("every stage is up to date")
        return json.loads(layout.metrics.read_text())
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                             initargs=(profile.threads,)) as pool:
        for wave in waves:
            todo = [(name, module, args) for name, module, args in wave if name in stale]
            futures = {pool.submit(_run_stage, profile, layout, module, args): name for name, module, args in todo}
            for future in as_completed(futures):
                console.log(f"[green]done[/] {futures[future]} in {future.result():.1f}s")
                progress().advance(overall)
            if dvc:  # record each wave at once, so a failure later keeps what is done
                dvc.commit([name for name, _, _ in todo])
    with stage("collect, tables, claims"):
        payload = collect.run(profile, layout, params_path)
        tables.run(layout)
        verify.run(layout)
    progress().advance(overall, len([name for name in reports if name in stale]))
    if dvc:
        dvc.commit(reports)
    return payload
