"""The executors of `repro all`: what each stage asks for, a failing stage stopping the run after recording what
finished (local and Ray), and the Ray executor on a local multi-node cluster (loopback only, fake GPUs) running
part of the smoke grid with a node killed mid-stage, ending with the local executor's metrics.

The Ray runs use a copy of the shared smoke run (`smoke_project`) with a few stages' outputs removed, so DVC
reruns just those through `--executor ray`: a reduced grid whose numbers must equal the full local run's.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from test_devices import fake_job, fake_project
from typer.testing import CliRunner

from repro import pipeline
from repro.cli import app
from repro.executors.job import DONE, FAILED, read_record
from repro.executors.local import LocalExecutor
from repro.params import ParamsError, load
from repro.paths import Layout
from repro.studies.paper import study as paper_study

ROOT = Path(__file__).resolve().parents[3]
PARAMS = ROOT / "params.yaml"
LOOPBACK = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}  # Ray on 127.0.0.1 only


def test_jobs_ask_for_what_each_stage_needs(smoke_profile, paper_profile):
    paper = paper_profile
    waves = pipeline.jobs(paper_study.planned(paper), paper, Layout("paper", ROOT), PARAMS, "run", gpus=True,
                          cpu_only=paper_study.CPU_ONLY)
    flat = {job.name: job for wave in waves for job in wave}
    assert [name for wave in paper_study.planned(paper) for name, _, _ in wave] == list(flat)
    assert flat["data-paper"].gpus == 0 and flat["target-paper@mnli-xnli"].gpus == 1
    assert flat["target-paper@mnli-xnli"].module == "repro.stages.target"
    assert flat["target-paper@mnli-xnli"].args == ("mnli", "xnli")
    assert {job.cpus for job in flat.values()} == {4} and flat["retrieval-paper@none-tatoeba"].memory is None
    four = paper.model_copy(update={"grid": paper.grid.model_copy(update={"gpus": {"intermediate": 4},
                                                                          "memory_gib": 24.0})})
    wide = {job.name: job for wave in pipeline.jobs(paper_study.planned(four), four, Layout("paper", ROOT), PARAMS,
                                                    "run", True, paper_study.CPU_ONLY) for job in wave}
    assert wide["intermediate-paper@mnli"].gpus == 4 and wide["multitask-paper"].gpus == 1
    assert wide["target-paper@mnli-xnli"].memory == 24 * 2**30
    smoke = smoke_profile
    cpu = pipeline.jobs(paper_study.planned(smoke), smoke, Layout("smoke", ROOT), PARAMS, "run", gpus=False,
                       cpu_only=paper_study.CPU_ONLY)
    assert {job.gpus for wave in cpu for job in wave} == {0} and {job.cpus for wave in cpu for job in wave} == {1}


@pytest.mark.parametrize("grid, expected", [
    ({"gpus": {"multitask": 2}}, "profiles.paper.grid.gpus: multitask: 2 GPUs, but only intermediate "
                                 "and target stages train across several GPUs"),
    ({"gpus": {"data": 1}}, "profiles.paper.grid.gpus: data: not a stage group that runs a model"),
    ({"cpus": 0}, "profiles.paper.grid: cpus: must be at least 1, got 0"),
    ({"launcher": "mpirun"}, "profiles.paper.grid.launcher: Input should be 'deepspeed' or 'torchrun'"),
])
def test_grid_params_are_checked_on_load(tmp_path, grid, expected):
    raw = yaml.safe_load(PARAMS.read_text())
    raw["profiles"]["paper"]["grid"].update(grid)
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(raw))
    with pytest.raises(ParamsError) as err:
        load(tmp_path / "params.yaml", "paper")
    assert expected in str(err.value) and "\n" not in str(err.value)


def test_all_refuses_bad_executor_options_in_one_line(monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1")
    runner = CliRunner()
    for args, expected in [(["--gpus", "3"], "--gpus 3: 3 is not a GPU this process can use (visible: 0,1)"),
                           (["--address", "127.0.0.1:6379"], "--address: only with --executor ray"),
                           (["--executor", "slurm"], "--executor: 'slurm' is not one of local, ray"),
                           (["--executor", "ray", "--gpus", "0"], "--gpus: the Ray executor places stages")]:
        result = runner.invoke(app, ["all", "--profile", "smoke", "--params", str(PARAMS), *args])
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith(f"error: {expected}") and result.output.count("\n") == 1, result.output


class Commits(list):
    """Stands in for `dvc commit`: what each commit recorded."""

    def __call__(self, names):
        self.append(sorted(names))


def _failing_grid(root: Path, run_id: str) -> list[list]:
    """Three waves; in the second, `bad` fails at once while the others take a second each, so that the stages
    still waiting for a worker (one worker here, four CPUs on the Ray cluster) start after the failure."""
    return [[fake_job(root, "a", run_id=run_id), fake_job(root, "b", run_id=run_id)],
            [fake_job(root, "c", seconds=1.0, run_id=run_id), fake_job(root, "bad", fail="bad data: row 7 has no "
                                                                                          "label", run_id=run_id),
             *[fake_job(root, f"later{i}", seconds=1.0, run_id=run_id) for i in range(5)]],
            [fake_job(root, "never", run_id=run_id)]]


def _check_failed_run(root: Path, waves, commits: Commits, err) -> None:
    """The run failed with the bad stage's one line, after committing every stage that finished."""
    message = str(err.value)
    assert message == "bad: bad data: row 7 has no label (traceback: logs/smoke/stages/bad.log)", message
    committed = [name for names in commits for name in names]
    assert all(len(names) == 1 for names in commits)  # each stage recorded as it finished
    assert set(committed[:2]) == {"a", "b"} and "c" in committed  # the first wave's before any of the second's
    assert "bad" not in committed and "never" not in committed
    assert "UserError: bad data" in (root / "logs/smoke/stages/bad.log").read_text()
    records = {job.name: read_record(job)["attempts"] for wave in waves for job in wave}
    assert [a["status"] for a in records["bad"]] == [FAILED]  # once: a stage's own error is never retried
    assert records["never"] == [] and not (root / "seen" / "never.0.json").exists()
    skipped = [name for name in (f"later{i}" for i in range(5)) if records[name] == []]
    assert len(skipped) >= 1  # stages not started when `bad` failed were skipped
    assert not list((root / "logs/smoke/runs").glob("*.stop"))


def test_a_failing_stage_stops_the_local_run_after_recording_what_finished(tmp_path, monkeypatch):
    root = fake_project(tmp_path)
    monkeypatch.syspath_prepend(str(root))  # the spawned workers import the fake stage
    waves, commits = _failing_grid(root, "local-run"), Commits()
    with LocalExecutor([], workers=1) as executor, pytest.raises(pipeline.StageFailed) as err:
        pipeline.run_graph(executor, [job for wave in waves for job in wave], pipeline.in_order(waves), commits,
                           root / "logs/smoke/runs/local-run.stop")
    _check_failed_run(root, waves, commits, err)


def test_a_node_without_the_project_fails_the_stage_in_one_line(tmp_path):
    from repro.executors.job import execute

    outcome = execute(fake_job(tmp_path / "elsewhere", "a"))
    assert outcome.status == FAILED
    assert outcome.message.startswith(f"{tmp_path / 'elsewhere'}: no such directory on ")
    assert outcome.message.endswith("every node needs the project at the same path (a shared filesystem)")


@pytest.fixture(scope="module")
def cluster():
    """A Ray cluster of a head (no CPUs: the driver's) and two worker nodes of 2 CPUs and 2 fake GPUs each, on
    loopback, quick to notice a lost node; shut down at the end."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in LOOPBACK.items():
            patch.setenv(name, value)
        patch.setenv("PYTHONPATH", str(ROOT))  # node processes import this checkout's repro
        from ray.cluster_utils import Cluster

        system = {"health_check_period_ms": 500, "health_check_failure_threshold": 2,
                  "health_check_initial_delay_ms": 0}
        ray_cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0, "include_dashboard": False,
                                                                   "_system_config": system})
        try:
            nodes = [ray_cluster.add_node(num_cpus=2, num_gpus=2) for _ in range(2)]
            ray_cluster.wait_for_nodes()
            yield ray_cluster, nodes
        finally:
            ray_cluster.shutdown()


@pytest.mark.slow
def test_a_failing_stage_stops_the_ray_run_after_recording_what_finished(cluster, tmp_path, monkeypatch):
    from repro.executors.ray import RayExecutor

    ray_cluster, _ = cluster
    root = fake_project(tmp_path)
    waves, commits = _failing_grid(root, "ray-run"), Commits()
    with RayExecutor(ray_cluster.address, 3, str(root)) as executor, pytest.raises(pipeline.StageFailed) as err:
        pipeline.run_graph(executor, [job for wave in waves for job in wave], pipeline.in_order(waves), commits,
                           root / "logs/smoke/runs/ray-run.stop")
    _check_failed_run(root, waves, commits, err)


def _values(path: Path) -> dict:
    rows = json.loads(path.read_text())["results"]
    return {(r["intermediate"], r["target"], r["language"], r["metric"]): r["value"] for r in rows}


RERUN = {"target-smoke@none-xnli": ["models/smoke/target/none/xnli", "results/smoke/predictions/none/xnli",
                                    "results/smoke/stages/none/xnli.json"],
         "retrieval-smoke@mnli-tatoeba": ["results/smoke/predictions/mnli/tatoeba",
                                          "results/smoke/stages/mnli/tatoeba.json"]}
VICTIM = "target-smoke@none-xnli"


@pytest.mark.slow
@pytest.mark.long
def test_ray_runs_the_grid_through_a_lost_node_with_the_local_metrics(cluster, smoke_project, tmp_path):
    """Two stages rerun on the cluster (a fine-tune, a retrieval); the node running the XNLI fine-tune is
    killed once it has written a checkpoint: Ray reruns the stage on the other node, which resumes, and the run
    ends with exactly the metrics of the uninterrupted local run. Every attempt saw one GPU, and two stages on
    one node at the same time never saw the same one."""
    ray_cluster, nodes = cluster
    project = tmp_path / "project"
    shutil.copytree(smoke_project, project, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", "logs"))
    local = _values(project / "results/smoke/metrics.json")
    for paths in RERUN.values():
        for path in paths:
            target = project / path
            shutil.rmtree(target) if target.is_dir() else target.unlink()
    env = {**os.environ, **LOOPBACK, "DVC_NO_ANALYTICS": "1", "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           "HF_HOME": str(project / ".hf")}
    driver = subprocess.Popen([sys.executable, "-m", "repro.cli", "all", "--profile", "smoke", "--executor", "ray",
                               "--address", ray_cluster.address], cwd=project, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        victim = _kill_mid_stage(ray_cluster, nodes, project, driver)
        out, err = driver.communicate(timeout=300)
    finally:
        driver.kill()
    assert driver.returncode == 0, err[-3000:]
    for name in RERUN:
        assert f"done {name}" in err
    assert "done target-smoke@none-udpos" not in err  # only what was stale
    assert _values(project / "results/smoke/metrics.json") == local

    records = {path.stem: json.loads(path.read_text())["attempts"]
               for path in (project / "logs/smoke/stages").glob("*.json")}
    assert set(records) == set(RERUN)
    killed, resumed = records[VICTIM]
    assert killed["node"] == victim and killed["status"] == "running" and "finished" not in killed
    assert resumed["node"] != victim and resumed["status"] == DONE
    attempts = [(name, a) for name, runs in records.items() for a in runs]
    for name, attempt in attempts:
        assert attempt["devices"] is not None and len(attempt["devices"]) == 1, (name, attempt)
    for i, (a, first) in enumerate(attempts):
        for b, second in attempts[i + 1:]:
            together = first["started"] < second.get("finished", time.time()) and \
                second["started"] < first.get("finished", time.time())
            if together and first["node"] == second["node"]:
                assert first["devices"] != second["devices"], (a, b)


def _kill_mid_stage(ray_cluster, nodes, project: Path, driver) -> str:
    """Once the victim stage has a complete checkpoint, kill the node it runs on; returns that node's id."""
    record = project / "logs/smoke/stages" / f"{VICTIM}.json"
    checkpoints = project / "checkpoints/smoke/target-none-xnli"
    deadline = time.time() + 240
    while time.time() < deadline and driver.poll() is None:
        if record.is_file() and list(checkpoints.glob("checkpoint-*/.complete")):
            node = json.loads(record.read_text())["attempts"][0]["node"]
            ray_cluster.remove_node(next(n for n in nodes if n.node_id == node), allow_graceful=False)
            return node
        time.sleep(0.05)
    raise AssertionError(f"{VICTIM} never wrote a checkpoint: {driver.communicate()[1][-3000:]}")
