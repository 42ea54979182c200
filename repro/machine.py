"""What this machine offers a run, as `repro doctor` checks it: the GPUs (name, memory, driver) from `nvidia-smi`,
the CUDA build of the installed torch and the driver it needs, and the free disk under a path."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

# The oldest Linux driver each CUDA major version runs on (minor-version compatibility), from NVIDIA's "CUDA
# Toolkit and Corresponding Driver Versions" table (docs.nvidia.com/deploy/cuda-compatibility, table 2)
MIN_DRIVER = {11: "450.80.02", 12: "525.60.13", 13: "580.65.06"}


@dataclass(frozen=True)
class Gpu:
    name: str
    memory_gib: float
    driver: str


def gpus() -> list[Gpu]:
    """The GPUs the driver reports (none without `nvidia-smi` or a driver)."""
    query = ["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader,nounits"]
    try:
        out = subprocess.run(query, capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    found = []
    for line in out.strip().splitlines():
        name, mib, driver = (field.strip() for field in line.split(","))
        found.append(Gpu(name, float(mib) / 1024, driver))
    return found


def cuda_build() -> str | None:
    """The CUDA version the installed torch was built for (None: a CPU build)."""
    import torch

    return torch.version.cuda


def driver_problem(driver: str, cuda: str | None) -> str | None:
    """Why `driver` cannot run a torch built for `cuda` (None: it can, or nothing to check)."""
    if cuda is None:
        return None
    needed = MIN_DRIVER.get(int(cuda.split(".")[0]))
    if needed is None or _version(driver) >= _version(needed):
        return None
    return (f"NVIDIA driver {driver} is older than {needed}, the oldest that runs CUDA {cuda} "
            f"(this torch build): update the driver, or build the image with the CUDA 12 arguments (README)")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


def free_bytes(path: Path) -> int:
    """Free disk under `path` (its nearest existing parent)."""
    path = Path(path).resolve()
    while not path.exists():
        path = path.parent
    return shutil.disk_usage(path).free
