"""`repro all`: the DVC pipeline of one profile, run by an executor, recorded in DVC.

DVC owns the graph and the bookkeeping: `dvc status` says which stages of the profile changed (a param, a
dependency, a missing output); those and everything downstream of them run, each as soon as the stages it
depends on in DVC's own graph are done (no waves: a target starts when its encoder is trained, not when the
slowest encoder is), independent stages side by side (`repro.executors`: worker processes or one process per GPU
set on this machine, or Ray tasks across a cluster); `dvc commit` records each finished stage in dvc.lock, exactly
as `dvc repro` would have. A second run with nothing changed does no work. Outside a DVC repository every stage
runs, in the study's planned order (each wave after the one before).

Each stage is its module (the shared ones in `repro.stages`, a study's in its folder), called with the arguments
its dvc.yaml command passes; the study's reports (collect, tables, verify, summaries) run after the rest.

A stage that fails for a reason of its own stops the run: stages not started yet are skipped, the running ones
finish, every finished stage is committed, and the run fails with the failed stage's one-line error.
"""

from __future__ import annotations

import contextlib
import copy
import os
import time
from pathlib import Path
from typing import Callable, Protocol

from rich.markup import escape

from repro.dvc_lock import LockFile
from repro.errors import UserError
from repro.executors.job import DONE, FAILED, Job, Outcome, progress_dir, stop_path
from repro.params import Profile
from repro.paths import Layout
from repro.progress import console, follow, progress, stage
from repro.studies import Planned, stage_name

class Executor(Protocol):
    """What runs the stages (repro/executors/local.py, repro/executors/ray.py)."""

    has_gpus: bool

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc) -> None: ...

    def describe(self) -> str: ...

    def check(self, jobs: list[Job]) -> None: ...

    def submit(self, job: Job) -> None: ...

    def wait(self) -> Outcome: ...


class StageFailed(UserError):
    """A stage of the run failed for a reason of its own; one line naming the stage."""


def jobs(waves: list[list[Planned]], profile: Profile, layout: Layout, params_path: Path, run_id: str,
         gpus: bool, cpu_only: tuple[str, ...]) -> list[list[Job]]:
    """The planned waves as jobs with what each stage needs (`grid`): GPUs where the executor has any (none for
    the stage modules in `cpu_only`, which run no model; a group's `grid.gpus`, else 1), CPU cores, memory."""
    grid = profile.grid
    cpus = grid.cpus or profile.threads or 1
    memory = int(grid.memory_gib * 2**30) if grid.memory_gib else None
    root, params = str(layout.root.resolve()), str(params_path.resolve())

    def need(module: str) -> int:
        group = module.removeprefix("repro.stages.")  # grid.gpus names the shared stages' groups (GPU_GROUPS)
        return 0 if module in cpu_only or not gpus else grid.gpus.get(group, 1)

    return [[Job(name, module, args, root, params, profile.name, run_id, need(module), cpus, memory, grid.launcher)
             for name, module, args in wave] for wave in waves]


def run_graph(executor: Executor, jobs: list[Job], after: dict[str, set[str]], commit: Callable[[list[str]], None],
              stop: Path, overall=None, ended: Callable[[str], None] = lambda name: None) -> None:
    """Run the jobs, each once the jobs named in `after[its name]` are done, side by side as the executor allows;
    commit each stage as it finishes (so a failure later keeps what is done). At the first failure nothing more
    starts (stages submitted but not started are skipped), the running ones finish and are committed, then the
    first failure is raised. `ended` is told of each stage that ends (the progress display drops its bar)."""
    waiting, running, done, failures = {job.name: job for job in jobs}, 0, set(), []
    try:
        while True:
            if not failures:
                for name in [name for name in waiting if after[name] <= done]:
                    executor.submit(waiting.pop(name))
                    running += 1
            if not running:
                break
            outcome = executor.wait()
            running -= 1
            ended(outcome.name)
            if outcome.status == DONE:
                console.log(f"[green]done[/] {escape(outcome.name)} in {outcome.seconds:.1f}s")
                done.add(outcome.name)
                commit([outcome.name])
                if overall is not None:
                    progress().advance(overall)
            elif outcome.status == FAILED:
                console.log(f"[red]failed[/] {escape(outcome.name)}: {escape(outcome.message)}")
                if not failures:
                    stop.parent.mkdir(parents=True, exist_ok=True)
                    stop.touch()
                    console.log("stopping: stages not started yet are skipped, the running ones finish")
                failures.append(outcome)
        if failures:
            more = f" (and {len(failures) - 1} more failed stages)" if len(failures) > 1 else ""
            raise StageFailed(f"{failures[0].name}: {failures[0].message}{more}")
    finally:
        stop.unlink(missing_ok=True)


def in_order(waves: list[list[Job]]) -> dict[str, set[str]]:
    """Outside DVC: each job after every job of the waves before its own."""
    after, before = {}, set()
    for wave in waves:
        after.update({job.name: set(before) for job in wave})
        before |= {job.name for job in wave}
    return after


class _Dvc:
    """The few DVC operations `repro all` needs, through DVC's Python API, under one repository lock for the
    whole run (as `dvc repro` holds it): dvc.yaml and dvc.lock are parsed once for the run, where each DVC call
    would parse both again (seconds each with ~220 stages)."""

    def __init__(self, root: Path):
        from dvc.repo import Repo, lock_repo

        self.root = root
        self.repo = Repo(str(root))
        self._lock = lock_repo(self.repo)
        self._stages: dict | None = None
        self._lockfile = LockFile(root / "dvc.lock")  # read once, while the repository lock is held

    def __enter__(self) -> _Dvc:
        from dvc.lock import LockError

        try:
            self._lock.__enter__()
        except LockError:
            raise UserError(f"{self.root / '.dvc' / 'tmp' / 'lock'}: another `repro all` or dvc command is running "
                            f"in this project; wait for it to end (or stop it) and run again") from None
        return self

    def __exit__(self, *exc) -> None:
        self._lock.__exit__(*exc)

    def after(self, names: set[str]) -> dict[str, set[str]]:
        """{stage: the stages among `names` it depends on}, from DVC's graph (edges point from a stage to the
        stages whose outputs it reads)."""
        graph = self.repo.index.graph
        by_name = {getattr(s, "addressing", None): s for s in graph.nodes}
        return {name: {s.addressing for s in graph.successors(by_name[name])} & names for name in names}

    def stale(self, names: list[str]) -> set[str]:
        """Stages whose deps, params or outs changed, plus everything downstream of them."""
        import networkx as nx

        wanted = set(names)
        # each stage's own status, as `dvc status` computes it stage by stage, for these stages alone: the whole
        # repository's status also prices every other profile's stages (~1,500 in this dvc.yaml: a minute or two)
        with _params_parsed_once():
            changed = {entry.addressing for entry in self.repo.index.stages
                       if entry.addressing in wanted and entry.status()}
        graph = self.repo.index.graph  # edges point from a stage to the stages it depends on
        by_name = {getattr(s, "addressing", None): s for s in graph.nodes}
        downstream = set()
        for name in changed:
            downstream |= {getattr(s, "addressing", None) for s in nx.ancestors(graph, by_name[name])}
        return (changed | downstream) & set(names)

    def commit(self, names: list[str]) -> None:
        """Record finished stages in dvc.lock as `dvc repro` does after running them: each stage's deps and outs
        hashed (`save`), its cached outs moved into the cache (`commit`), one write of dvc.lock for all of them.
        Like `dvc repro` (dvc/stage/__init__.py Stage.run), a stage with an uncached output (a target model) gets
        no run-cache entry: the run cache would copy that output into .dvc/cache after all."""
        if self._stages is None:
            self._stages = {entry.addressing: entry for entry in self.repo.index.stages}
        stages = [self._stages[name] for name in names]
        for entry in stages:
            uncached = any(not out.use_cache for out in entry.outs if not (out.is_metric or out.is_plot))
            entry.save(run_cache=not uncached)
            entry.commit()
        if stages:
            self._write_lock(stages)

    def _write_lock(self, stages: list) -> None:
        """dvc.lock with these stages' entries, as DVC serializes them (dvc/stage/serialize.py to_lockfile)."""
        from dvc.stage.serialize import to_lockfile

        entries: dict = {}
        for entry in stages:
            entries.update(to_lockfile(entry))
        self._lockfile.update(entries)


@contextlib.contextmanager
def _params_parsed_once():
    """DVC's status of a stage parses its params file again (ruamel: ~0.1 s for params.yaml, for each of a study's
    ~150 stages); under the repository lock the file cannot change, so within this block it is parsed once and each
    reader gets its own copy. By hand: DVC offers no cache of parsed params files."""
    from dvc.dependency import param

    parse, parsed = param.load_path, {}

    def load_once(path, fs, **kwargs):
        if kwargs:
            return parse(path, fs, **kwargs)
        if (path, id(fs)) not in parsed:
            parsed[path, id(fs)] = parse(path, fs)
        return copy.deepcopy(parsed[path, id(fs)])

    param.load_path = load_once
    try:
        yield
    finally:
        param.load_path = parse


def _is_dvc(root: Path) -> bool:
    return (root / ".dvc").is_dir() and (root / "dvc.yaml").is_file()


def _dvc(root: Path) -> _Dvc | None:
    return _Dvc(root) if _is_dvc(root) else None


def check_params_file(layout: Layout, params_path: Path) -> None:
    """Refuse a params file DVC does not track: in a DVC repository every stage's record names params.yaml."""
    tracked = layout.root / "params.yaml"
    if _is_dvc(layout.root) and params_path.resolve() != tracked.resolve():
        raise UserError(f"--params {params_path}: dvc.yaml tracks {tracked}, so DVC would record this run against "
                         f"other params; edit params.yaml (or try a change with `dvc exp run -S`), or run outside "
                         f"a DVC repository")


def run_all(profile: Profile, layout: Layout, params_path: Path, executor: Executor, study: str = "paper") -> str:
    """Run (what changed of) one study for one profile on `executor`; returns the study's summary line."""
    from repro import studies

    module = studies.get(study)
    check_params_file(layout, params_path)
    dvc = _dvc(layout.root)
    with dvc or contextlib.nullcontext():
        _run(module, profile, layout, params_path, executor, dvc)
    return module.summary(layout)


def _run(study, profile: Profile, layout: Layout, params_path: Path, executor: Executor, dvc: _Dvc | None) -> None:
    planned = study.planned(profile)
    reports = [stage_name(group, profile.name) for group in study.REPORTS]
    names = [name for wave in planned for name, _, _ in wave] + reports
    overall = progress().add_task(f"repro all ({profile.name})", total=len(names))
    stale = set(names) if dvc is None else dvc.stale(names)
    progress().advance(overall, len(set(names) - stale))
    if not stale:
        console.log("every stage is up to date")
        return
    run_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    with executor:
        waves = jobs(planned, profile, layout, params_path, run_id, executor.has_gpus, study.CPU_ONLY)
        todo = [job for wave in waves for job in wave if job.name in stale]
        executor.check(todo)
        console.log(executor.describe())
        names = {job.name for job in todo}
        after = dvc.after(names) if dvc else {name: prior & names for name, prior in in_order(waves).items()}
        with follow(progress_dir(layout.root, profile.name, run_id)) as follower:
            run_graph(executor, todo, after, dvc.commit if dvc else lambda names: None,
                      stop_path(layout.root, profile.name, run_id), overall, follower.finish)
    with stage(", ".join(study.REPORTS)):
        study.report(profile, layout, params_path)
    progress().advance(overall, len([name for name in reports if name in stale]))
    if dvc:
        dvc.commit(reports)
