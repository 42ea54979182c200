"""`repro all`: the DVC pipeline of one profile, run by a parallel executor, recorded in DVC.

DVC owns the graph and the bookkeeping: `dvc status` says which stages of the profile changed (a param, a
dependency, a missing output); those and everything downstream of them run, in dependency waves, with
independent stages side by side in worker processes (a tiny model gains more from two processes on two cores
than from two threads in one); then `dvc commit` records them in dvc.lock, exactly as `dvc repro` would have.
A second run with nothing changed does no work. Outside a DVC repository every stage runs.

Waves: data (data.dvc) -> pretrain -> encoders (intermediate tasks, multitask and Table 4's alternatives, the
longest first) -> trained targets and retrieval -> shared targets (MLQA reuses XQuAD's fine-tune) -> collect,
tables, claims.
"""

from __future__ import annotations

import json
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from repro.params import Profile
from repro.paths import Layout
from repro.progress import console, progress, set_quiet, stage
from repro.registry import BASELINE, MULTITASK, Alternative


def stage_name(profile: str, intermediate: str | None = None, target: str | None = None,
               group: str | None = None) -> str:
    """The dvc.yaml name of a stage, e.g. target@smoke-mnli-xnli."""
    parts = "-".join(p for p in (profile, intermediate, target) if p)
    return f"{group}@{parts}"


def _encoder_stage(profile: str, encoder: str) -> str:
    """The stage that trains an encoder: multitask@P, alternative@P-mnli-mlm, intermediate@P-mnli."""
    if encoder == MULTITASK:
        return f"multitask@{profile}"
    alternative = Alternative.parse(encoder)
    if alternative:
        return stage_name(profile, alternative.task, alternative.variant, group="alternative")
    return stage_name(profile, encoder, group="intermediate")


def planned(profile: Profile) -> list[list[tuple[str, tuple]]]:
    """The profile's stages after data, as waves of (dvc stage name, (intermediate, target)) pairs."""
    study, name = profile.study, profile.name
    waves = [[(stage_name(name, group="pretrain"), (BASELINE, None))]]
    # the longest first: multitask, then the alternatives (translated data is several times the English)
    firsts = sorted((i for i in study.intermediate if i != BASELINE),
                    key=lambda i: (i != MULTITASK, Alternative.parse(i) is None))
    waves.append([(_encoder_stage(name, i), (i, None)) for i in firsts])
    waves.append([(stage_name(name, i, t, group="target"), (i, t))
                  for i in study.intermediate for t in study.trained_targets]
                 + [(stage_name(name, i, t, group="retrieval"), (i, t))
                    for i in study.intermediate for t in study.retrieval_targets])
    waves.append([(stage_name(name, i, t, group="evaluate"), (i, t))
                  for i in study.intermediate for t in study.shared_targets])
    return waves


def _init_worker(threads: int | None) -> None:
    import torch

    if threads:
        torch.set_num_threads(threads)
    set_quiet()


def _run_stage(profile: Profile, layout: Layout, intermediate: str, target: str | None):
    """One stage in a worker: returns (ran, seconds); ran is False when the stage had nothing to run on."""
    from repro import phases

    start = time.perf_counter()
    if target is None and intermediate == BASELINE:
        phases.pretrain(profile, layout)
        ran = True
    elif target is None:
        ran = phases.intermediate(profile, layout, intermediate) is not None
    else:
        phases.target(profile, layout, intermediate, target)
        ran = True
    return ran, time.perf_counter() - start


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
            by_name = {stage.addressing: stage for stage in self.repo.index.stages}  # dvc.yaml parsed once
            stages = [by_name[name] for name in names]
            for stage in stages:
                stage.save()
                stage.commit()
            if stages:
                stages[0].dvcfile.dump_stages(stages, update_pipeline=False)  # every stage lives in dvc.yaml

    def track_data(self) -> None:
        self.repo.add("data")


def _dvc(root: Path) -> _Dvc | None:
    if not (root / ".dvc").is_dir() or not (root / "dvc.yaml").is_file():
        return None
    return _Dvc(root)


def run_all(profile: Profile, layout: Layout, params_path: Path, jobs: int) -> dict:
    """Run (what changed of) the whole study for one profile; returns the collected metrics payload."""
    from repro import data
    from repro.results import collect

    dvc = _dvc(layout.root)
    waves = planned(profile)
    reports = [f"{group}@{profile.name}" for group in ("collect", "tables", "verify")]
    names = [name for wave in waves for name, _ in wave] + reports
    overall = progress().add_task(f"repro all ({profile.name})", total=1 + len(names))
    if data.is_current(profile, layout):
        console.log(f"data/{profile.name} is up to date")
    else:
        with stage("data"):
            data.materialize(profile, layout)
    if dvc and (not (layout.root / "data.dvc").is_file() or dvc.repo.status(targets=["data.dvc"])):
        dvc.track_data()
    progress().advance(overall)
    stale = set(names) if dvc is None else dvc.stale(names)
    progress().advance(overall, len(set(names) - stale))
    if not stale:
        console.log("every stage is up to date")
        return json.loads(layout.metrics.read_text())
    available, ran = {BASELINE}, []  # encoders that exist; stages that ran
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                             initargs=(profile.threads,)) as pool:
        for wave in waves:
            todo = [(name, args) for name, args in wave
                    if name in stale and (args[1] is None or args[0] in available)]
            futures = {pool.submit(_run_stage, profile, layout, *args): name for name, args in todo}
            for future in as_completed(futures):
                name = futures[future]
                done, seconds = future.result()
                if done:
                    ran.append(name)
                    console.log(f"[green]done[/] {name} in {seconds:.1f}s")
                else:
                    console.print(f"[yellow]skip[/] {name}: no training data here (a source that needs a local path)")
                progress().advance(overall)
            available |= {i for name, (i, t) in wave if t is None and (name in ran or name not in stale)}
            progress().advance(overall, len(wave) - len(todo))
            if dvc:  # record each wave at once, so a failure later keeps what is done
                dvc.commit([name for name, _ in todo if name in ran])
    with stage("collect, tables, claims"):
        payload = collect(profile, layout, params_path)
        report(profile, layout)
    progress().advance(overall, len(reports))
    if dvc:
        dvc.commit(reports)
    return payload


def report(profile: Profile, layout: Layout) -> None:
    """The tables and the claims verdicts (recorded, not enforced) of a collected run."""
    from repro.report import claims, tables
    from repro.phases import atomic_json

    tables.write_all_tables(layout)
    verdicts = claims.verify(layout.metrics, layout.root / "claims.yaml", layout.manifest)
    atomic_json(layout.results / "claims.json", claims.to_json(verdicts))
