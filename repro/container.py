"""Inside a container, the outputs that must outlive it: each one not on a mount (a volume or a bind) is lost with
`docker run --rm`. Read from /proc/self/mountinfo (the kernel's view, what any runtime sets up)."""

from __future__ import annotations

import os
from pathlib import Path

from repro.paths import INPUTS, PREPARED

MARKERS = (Path("/.dockerenv"), Path("/run/.containerenv"))  # Docker's and Podman's


def inside() -> bool:
    return any(marker.exists() for marker in MARKERS)


def mounts(mountinfo: str) -> list[str]:
    """The mount points of a mountinfo text (field 5; octal escapes such as \\040 decoded)."""
    points = []
    for line in mountinfo.splitlines():
        fields = line.split()
        if len(fields) > 4:
            points.append(fields[4].encode().decode("unicode_escape"))
    return points


def unmounted(paths: dict[str, Path], mountinfo: str) -> list[str]:
    """One line per output path whose nearest mount is the container's own root (it vanishes with the container)."""
    points = sorted(mounts(mountinfo), key=len, reverse=True)
    found = []
    for what, path in paths.items():
        where = os.path.abspath(path)
        nearest = next((p for p in points if where == p or where.startswith(p.rstrip("/") + "/")), "/")
        if nearest == "/":
            found.append(f"{what} ({where}) is not on a volume: it is lost when the container is removed; "
                         f"add -v <host dir>:{where} to docker run (README: the container)")
    return found


def outputs(layout) -> dict[str, Path]:
    """The paths a run writes and must keep: the raw inputs (data/), the data stages' outputs, models, checkpoints,
    results and the Hugging Face cache."""
    hf = Path(os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface"))
    return {"data": layout.root / INPUTS, "prepared data": layout.root / PREPARED, "models": layout.root / "models",
            "checkpoints": layout.root / "checkpoints", "results": layout.root / "results", "Hugging Face cache": hf}


def warnings(layout) -> list[str]:
    """The unmounted outputs when running in a container; nothing outside one."""
    if not inside():
        return []
    return unmounted(outputs(layout), Path("/proc/self/mountinfo").read_text())
