"""GPU pinning on one node, with fake device lists (no GPU here): which devices are visible, `--gpus`, the pool
that hands them out, the launcher command of a stage of several GPUs, and the local executor running stages
side by side, each seeing exactly its own devices (asserted from what every stage records)."""

import itertools
import json
import threading
import time
from pathlib import Path

import pytest
import yaml

from repro.executors import devices
from repro.executors.job import DONE, Job, read_record
from repro.executors.local import LocalExecutor

ROOT = Path(__file__).resolve().parents[3]
# A stage module for tests: records the devices its process sees and when it ran, under seen/<name>.<rank>.json
FAKE_STAGE = '''
import json, os, time
from pathlib import Path

from repro.errors import UserError


def run(profile, layout, name, seconds="0", fail=""):
    if fail:
        raise UserError(fail)  # a stage's own refusal (bad data): one line, not retried
    start = time.time()
    time.sleep(float(seconds))
    seen = {"devices": os.environ.get("CUDA_VISIBLE_DEVICES"), "rank": os.environ.get("RANK", "0"),
            "pid": os.getpid(), "start": start, "end": time.time()}
    Path("seen").mkdir(exist_ok=True)
    Path("seen", f"{name}.{seen['rank']}.json").write_text(json.dumps(seen))
'''


def fake_project(root: Path) -> Path:
    """A project directory holding the fake stage module (importable from it, as `repro` is from a checkout) and
    params whose smoke profile leaves torch's threads alone (so a fake stage's process never imports torch)."""
    (root / "fake_stage.py").write_text(FAKE_STAGE)
    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    raw["profiles"]["smoke"]["threads"] = None
    (root / "params.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    return root


def fake_job(root: Path, name: str, gpus: int = 0, seconds: float = 0.0, fail: str = "", run_id: str = "test",
             launcher: str = "torchrun") -> Job:
    return Job(name, "fake_stage", (name, str(seconds), fail), str(root), str(root / "params.yaml"), "smoke", run_id,
               gpus=gpus, launcher=launcher)


def test_visible_devices_follow_cuda_visible_devices(monkeypatch):
    for names, expected in [("0,1,2,3", ["0", "1", "2", "3"]), ("GPU-8a1b,GPU-77fe", ["GPU-8a1b", "GPU-77fe"]),
                            ("", []), ("4, 6", ["4", "6"]), ("0,-1,2", ["0"])]:
        monkeypatch.setenv("CUDA_VISIBLE_DEVICES", names)
        assert devices.visible() == expected, names


def test_gpus_option_chooses_among_the_visible_ones():
    visible = ["0", "1", "2", "3"]
    assert devices.choose(None, visible) == visible and devices.choose("all", visible) == visible
    assert devices.choose("none", visible) == []
    assert devices.choose("3,1", visible) == ["3", "1"]
    with pytest.raises(ValueError, match=r"^--gpus 1,7: 7 is not a GPU this process can use \(visible: 0,1,2,3\)$"):
        devices.choose("1,7", visible)
    with pytest.raises(ValueError, match="named twice"):
        devices.choose("1,1", visible)
    with pytest.raises(ValueError, match=r"visible: none"):
        devices.choose("0", [])


def test_pool_never_hands_a_gpu_to_two_holders_and_serves_in_order():
    pool = devices.Pool(["0", "1", "2", "3"])
    held, lock, log = set(), threading.Lock(), []

    def hold(count: int, index: int):
        taken = pool.acquire(count)
        with lock:
            assert not held & set(taken) and len(taken) == count
            held.update(taken)
            log.append(index)
        time.sleep(0.01)
        with lock:
            held.difference_update(taken)
        pool.release(taken)

    threads = [threading.Thread(target=hold, args=(count, i)) for i, count in
               enumerate(itertools.islice(itertools.cycle([1, 3, 1, 4, 2]), 40))]
    for thread in threads:
        thread.start()
        time.sleep(0.001)
    for thread in threads:
        thread.join(timeout=30)
    assert len(log) == 40 and pool.free == ["0", "1", "2", "3"]
    with pytest.raises(ValueError, match="needs 5 GPUs, but only 4 are given"):
        pool.acquire(5)


def test_a_stage_of_several_gpus_is_launched_on_exactly_its_devices():
    entry = ["repro.executors.job", "{}"]
    deepspeed = devices.launch_command(entry, 4, "deepspeed", 29517)
    # no --num_gpus/--include: the launcher then takes CUDA_VISIBLE_DEVICES as its devices instead of unsetting it
    assert deepspeed == ["deepspeed", "--master_port", "29517", "--module", *entry]
    assert devices.launch_command(entry, 4, "torchrun", 29517) == [
        "torchrun", "--standalone", "--nproc_per_node", "4", "-m", *entry]
    assert devices.pinned({"PATH": "/bin"}, ["2", "5"]) == {"PATH": "/bin", "CUDA_VISIBLE_DEVICES": "2,5"}
    assert devices.pinned({}, [])["CUDA_VISIBLE_DEVICES"] == ""  # a stage without GPUs sees none


def _seen(root: Path) -> dict[str, list[dict]]:
    by_stage: dict[str, list[dict]] = {}
    for path in sorted((root / "seen").glob("*.json")):
        by_stage.setdefault(path.name.rsplit(".", 2)[0], []).append(json.loads(path.read_text()))
    return by_stage


def test_local_executor_pins_every_stage_to_its_own_gpus(tmp_path, monkeypatch):
    """Four fake GPUs, five stages of 0, 1 and 2 GPUs side by side: each stage's processes see exactly the GPUs
    the executor gave it (the two ranks of the 2-GPU stage, launched by torchrun, both see its pair), and no two
    stages that ran at the same time saw a GPU in common."""
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1,2,3")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the stage processes import this checkout's repro
    root = fake_project(tmp_path)
    need = {"wide": 2, "none": 0, **{f"one{i}": 1 for i in range(3)}}
    jobs = [fake_job(root, name, gpus, seconds=1.0) for name, gpus in need.items()]
    executor = LocalExecutor(devices.choose(None, devices.visible()), workers=0)
    executor.check(jobs)
    with executor:
        for job in jobs:
            executor.submit(job)
        outcomes = {o.name: o for o in (executor.wait() for _ in jobs)}
    assert {name: o.status for name, o in outcomes.items()} == {name: DONE for name in need}, outcomes
    seen = _seen(root)
    assert sorted(seen) == sorted(need)
    spans = []
    for name, gpus in need.items():
        ranks = seen[name]
        assert len(ranks) == max(gpus, 1), name  # one process per GPU under the launcher
        given = [attempt["devices"] for attempt in read_record(jobs[list(need).index(name)])["attempts"]]
        assert len(given) == 1 and len(given[0]) == gpus, (name, given)
        for rank in ranks:
            assert rank["devices"] == ",".join(given[0]), (name, rank)  # what it saw is what it was given
        assert set(given[0]) <= {"0", "1", "2", "3"}
        spans.append((min(r["start"] for r in ranks), max(r["end"] for r in ranks), set(given[0]), name))
    overlaps = 0
    for (start_a, end_a, gpus_a, a), (start_b, end_b, gpus_b, b) in itertools.combinations(spans, 2):
        if start_a < end_b and start_b < end_a:
            overlaps += 1
            assert not gpus_a & gpus_b, f"{a} and {b} ran at the same time on {gpus_a & gpus_b}"
    assert overlaps >= 2  # the stages did run side by side


def test_local_executor_refuses_a_stage_wider_than_its_gpus(tmp_path):
    executor = LocalExecutor(["0", "1"], workers=0)
    with pytest.raises(ValueError, match=r"^wide: needs 4 GPUs \(grid.gpus\), but only 2 are given \(0,1\)$"):
        executor.check([fake_job(tmp_path, "wide", 4)])
