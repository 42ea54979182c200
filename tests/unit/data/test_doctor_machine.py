"""`repro doctor`'s machine checks (repro.machine, repro.doctor.machine_problems): GPUs, driver, memory, disk."""

import os
import stat
from pathlib import Path

import pytest

from repro import doctor, machine
from repro.stages.options import load

ROOT = Path(__file__).resolve().parents[3]
H100 = machine.Gpu("NVIDIA H100 80GB HBM3", 79.6, "580.65.06")


@pytest.fixture(scope="module")
def paper():
    return load(ROOT / "params.yaml", "paper")


def test_a_driver_older_than_the_torch_build_s_cuda_needs_is_named():
    line = machine.driver_problem("535.104.05", "13.0")
    assert line.startswith("NVIDIA driver 535.104.05 is older than 580.65.06, the oldest that runs CUDA 13.0")
    assert machine.driver_problem("580.65.06", "13.0") is None
    assert machine.driver_problem("535.104.05", "12.4") is None  # minor-version compatibility from 525.60.13
    assert machine.driver_problem("470.57.02", "12.1") is not None
    assert machine.driver_problem("470.57.02", None) is None  # a CPU build needs no driver


def test_a_ready_machine_has_no_problem_and_a_smoke_profile_none_anywhere(paper):
    config, layout = paper
    assert doctor.machine_problems(config, layout, "paper", gpus=[H100] * 8, cuda="13.0", free=10**15) == []
    smoke, smoke_layout = load(ROOT / "params.yaml", "smoke")
    assert doctor.machine_problems(smoke, smoke_layout, gpus=[], cuda="13.0", free=0) == []


def test_each_machine_problem_is_one_line(paper):
    config, layout = paper
    none = doctor.machine_problems(config, layout, "paper", gpus=[], cuda="13.0", free=10**15)
    assert len(none) == 1 and none[0].startswith("no GPU visible: --profile paper trains")
    assert doctor.machine_problems(config, layout, "paper", gpus=[], cuda="13.0", free=10**15, gpu_ok=True) == []
    old = machine.Gpu("NVIDIA A100-SXM4-80GB", 80.0, "550.54.15")
    [driver] = doctor.machine_problems(config, layout, "paper", gpus=[old, old], cuda="13.0", free=10**15)
    assert driver.startswith("NVIDIA driver 550.54.15 is older than 580.65.06")  # once, not per GPU
    small = machine.Gpu("Tesla T4", 15.0, "580.65.06")
    [memory] = doctor.machine_problems(config, layout, "paper", gpus=[H100, small], cuda="13.0", free=10**15)
    assert memory.startswith("paper: ") and "smallest GPU's 15 GiB" in memory
    [disk] = doctor.machine_problems(config, layout, "paper", gpus=[H100], cuda="13.0", free=10**9)
    assert disk.startswith("disk: the plan needs ") and "and 1 GB are free" in disk
    assert all("\n" not in line for line in (none[0], driver, memory, disk))


def test_gpus_reads_what_nvidia_smi_reports(tmp_path, monkeypatch):
    fake = tmp_path / "nvidia-smi"
    fake.write_text("#!/bin/sh\necho 'NVIDIA H100 80GB HBM3, 81559, 570.86.15'\n"
                    "echo 'NVIDIA H100 80GB HBM3, 81559, 570.86.15'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    found = machine.gpus()
    assert [gpu.driver for gpu in found] == ["570.86.15"] * 2
    assert found[0].memory_gib == pytest.approx(79.65, abs=0.01)
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert machine.gpus() == []
