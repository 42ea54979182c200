"""repro doctor in a container: outputs not on a mount are named (repro/container.py)."""

from pathlib import Path

from repro import container

MOUNTINFO = """\
600 500 0:50 / / rw,relatime - overlay overlay rw,lowerdir=/var/lib/docker/l
601 600 0:51 / /proc rw,nosuid - proc proc rw
610 600 8:1 /home/u/results /app/results rw,relatime - ext4 /dev/sda1 rw
611 600 8:1 /home/u/my\\040models /app/models rw,relatime - ext4 /dev/sda1 rw
612 600 0:60 / /cache/huggingface rw,relatime - ext4 /dev/sdb1 rw
"""


def test_mount_points_decoded():
    assert "/app/models" in container.mounts(MOUNTINFO) and "/" in container.mounts(MOUNTINFO)


def test_outputs_off_a_volume_are_named():
    paths = {"results": Path("/app/results"), "models": Path("/app/models/paper"), "data": Path("/app/data"),
             "checkpoints": Path("/app/checkpoints"), "cache": Path("/cache/huggingface/hub"),
             "near miss": Path("/app/results2")}
    lines = container.unmounted(paths, MOUNTINFO)
    assert [line.split(" ")[0] for line in lines] == ["data", "checkpoints", "near"]
    assert "add -v <host dir>:/app/data to docker run" in lines[0]


def test_nothing_outside_a_container(monkeypatch, tmp_path):
    monkeypatch.setattr(container, "MARKERS", (tmp_path / ".dockerenv",))
    assert container.warnings(object()) == []
    (tmp_path / ".dockerenv").touch()
    assert container.inside()
