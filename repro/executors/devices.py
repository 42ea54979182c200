"""Which GPUs a stage gets on one node: the devices this process may use, `--gpus` to choose among them, a pool
that hands each stage its own (never one GPU to two stages at once), and the command that starts a stage of
several GPUs under a launcher.

A stage is pinned with CUDA_VISIBLE_DEVICES, set in the environment of the process that runs it before CUDA
starts there, so it sees exactly its devices (renumbered from 0) and nothing else.
"""

from __future__ import annotations

import collections
import os
import socket
import threading

from repro.errors import UserError

NONE = "none"  # `--gpus none`: run on CPU even where GPUs are visible


def visible() -> list[str]:
    """The GPUs this process may hand out, as a child's CUDA_VISIBLE_DEVICES names them: the entries of our own
    CUDA_VISIBLE_DEVICES where it is set (ids or UUIDs), else every device the driver reports."""
    names = os.environ.get("CUDA_VISIBLE_DEVICES")
    if names is not None:
        entries = [name.strip() for name in names.split(",") if name.strip()]
        valid = []
        for entry in entries:  # CUDA ignores everything from the first invalid entry on ("-1" hides all)
            if entry.startswith("-"):
                break
            valid.append(entry)
        return valid
    import torch

    return [str(i) for i in range(torch.cuda.device_count())]


def choose(spec: str | None, devices: list[str]) -> list[str]:
    """The GPUs `--gpus` names (comma-separated, among the visible ones; `none`: no GPU), or all visible ones."""
    if spec is None or spec.strip() == "all":
        return list(devices)
    if spec.strip() == NONE:
        return []
    chosen = [name.strip() for name in spec.split(",")]
    shown = ",".join(devices) or "none"
    for name in chosen:
        if not name:
            raise UserError(f"--gpus {spec}: an empty entry; give ids like 0,1,2")
        if name not in devices:
            raise UserError(f"--gpus {spec}: {name} is not a GPU this process can use (visible: {shown})")
    if len(set(chosen)) != len(chosen):
        raise UserError(f"--gpus {spec}: a GPU is named twice")
    return chosen


def pinned(environ: dict[str, str], devices: list[str]) -> dict[str, str]:
    """`environ` for a process that may use exactly `devices` (none: CPU only)."""
    return {**environ, "CUDA_VISIBLE_DEVICES": ",".join(devices)}


class Pool:
    """Hands out GPUs first come, first served: a stage waits until as many as it needs are free, and no stage
    asking later goes ahead of it (a stage of four GPUs is never starved by a stream of one-GPU stages)."""

    def __init__(self, devices: list[str]):
        self.devices = list(devices)
        self.free = list(devices)
        self.queue: collections.deque[object] = collections.deque()
        self.changed = threading.Condition()

    def acquire(self, count: int) -> list[str]:
        if count > len(self.devices):
            raise UserError(f"a stage needs {count} GPUs, but only {len(self.devices)} are given")
        ticket = object()
        with self.changed:
            self.queue.append(ticket)
            self.changed.wait_for(lambda: self.queue[0] is ticket and len(self.free) >= count)
            self.queue.popleft()
            taken, self.free = self.free[:count], self.free[count:]
            self.changed.notify_all()
        return taken

    def release(self, devices: list[str]) -> None:
        with self.changed:
            self.free = [d for d in self.devices if d in self.free or d in devices]  # the given order, always
            self.changed.notify_all()


def free_port() -> int:
    """A TCP port free on loopback now: each launched stage rendezvouses on its own."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def launch_command(module_args: list[str], count: int, launcher: str, port: int) -> list[str]:
    """The command that runs `python -m <module_args>` as `count` processes, one per GPU of those
    CUDA_VISIBLE_DEVICES names (the launchers of `repro launch`: repro/engine/acceleration.py launch_command).

    DeepSpeed's launcher gets no --num_gpus: given one, it ignores CUDA_VISIBLE_DEVICES and unsets it, so two
    stages would share GPUs 0..N-1; without it the launcher takes the visible devices as its --include
    (deepspeed/launcher/runner.py, main: "respect VISIBLE_DEVICES for a single node"), and `port` keeps two
    stages' rendezvous apart. torchrun's processes use the devices they are given; --standalone picks its own
    port.
    """
    if launcher == "deepspeed":
        return ["deepspeed", "--master_port", str(port), "--module", *module_args]
    return ["torchrun", "--standalone", "--nproc_per_node", str(count), "-m", *module_args]
