"""DeepSpeed and launchers: which ZeRO config a profile's engine trains with, whether this machine can run it,
and the `deepspeed` / `torchrun` command that runs a verb on several GPUs or nodes.

The shipped configs (repro/engine/configs/ds_*.json) set every field that overlaps TrainingArguments to "auto", so
params.yaml stays the one source of hyperparameters; the optimizer and schedule are the Trainer's (fused
AdamW, linear warmup) except under offload, where DeepSpeed's CPU Adam does the update.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from importlib import resources
from pathlib import Path

from repro.errors import UserError
from repro.params import Engine

CONFIGS = {"zero2": "ds_zero2.json", "zero3": "ds_zero3.json", "zero3-offload": "ds_zero3_offload.json"}
LAUNCHABLE = ("intermediate", "target", "bench")  # verbs that train through engine.finetune
LAUNCHERS = ("deepspeed", "torchrun")


class EngineError(UserError):
    """An engine setting this machine cannot run, as one line naming the key."""


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def check(engine: Engine) -> None:
    """Refuse, in one line, engine settings this machine cannot run (cheap: no model, no data)."""
    cuda = _cuda()
    if engine.precision == "fp16" and not cuda:
        raise EngineError("engine.precision: fp16 needs a CUDA GPU and this machine has none; use bf16 or fp32")
    if engine.precision == "bf16" and cuda:
        import torch

        if not torch.cuda.is_bf16_supported():
            raise EngineError("engine.precision: this GPU has no bf16 (pre-Ampere); use fp16 or fp32")
    compiler = bool(shutil.which("g++") or shutil.which("c++"))
    if engine.compile and not cuda and not compiler:
        raise EngineError("engine.compile: torch.compile on CPU generates C++ and needs g++, which is not on PATH; "
                          "install it or set compile: false")
    if engine.deepspeed == "none":
        return
    if not cuda:
        os.environ.setdefault("DS_ACCELERATOR", "cpu")  # DeepSpeed would guess so, with a warning
    try:
        import deepspeed  # noqa: F401
    except ImportError as exc:
        raise EngineError(f"engine.deepspeed: {engine.deepspeed} needs the deepspeed package ({exc}); "
                          "install it or set deepspeed: none") from None
    if compiler:
        return
    if not cuda:
        raise EngineError(f"engine.deepspeed: {engine.deepspeed} on CPU JIT-compiles DeepSpeed's ops and needs "
                          "g++, which is not on PATH; install it or set deepspeed: none")
    if engine.deepspeed == "zero3-offload":
        raise EngineError("engine.deepspeed: zero3-offload JIT-compiles DeepSpeed's CPU Adam and needs g++, which is "
                          "not on PATH; install it or set deepspeed: zero3")


def config(engine: Engine) -> dict:
    """The shipped ZeRO config of `engine.deepspeed` (still with "auto" fields), adapted to a CPU-only machine."""
    name = CONFIGS[engine.deepspeed]
    cfg = json.loads(resources.files("repro.engine").joinpath("configs", name).read_text())
    if not _cuda():  # no CUDA streams to overlap on, no page-locked host memory to pin
        zero = cfg["zero_optimization"]
        zero["overlap_comm"] = False
        for key in ("offload_optimizer", "offload_param"):
            if key in zero:
                zero[key]["pin_memory"] = False
    return cfg


def world() -> tuple[int, int]:
    """(rank, world size) of this process under a launcher; (0, 1) without one."""
    return int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))


def single_process_env() -> None:
    """What a launcher would have set, for a DeepSpeed run in one plain process (CPU CI, one GPU)."""
    if "WORLD_SIZE" in os.environ:
        return
    os.environ.update(MASTER_ADDR=os.environ.get("MASTER_ADDR", "127.0.0.1"),
                      MASTER_PORT=os.environ.get("MASTER_PORT", str(_free_port())),
                      RANK="0", LOCAL_RANK="0", WORLD_SIZE="1")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def read_hostfile(path: Path) -> list[str]:
    """The hosts of a DeepSpeed hostfile (`host slots=N` per line; `#` comments), checked line by line."""
    if not path.is_file():
        raise EngineError(f"--hostfile: {path}: no such file")
    hosts = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        for word in words[1:]:
            key, _, value = word.partition("=")
            if key != "slots" or not value.isdigit():
                raise EngineError(f"--hostfile: {path} line {number}: expected `host slots=N`, got {line.strip()!r}")
        hosts.append(words[0])
    if not hosts:
        raise EngineError(f"--hostfile: {path}: no hosts")
    return hosts


def launch_command(verb_args: list[str], *, gpus: int, nodes: int = 1, hostfile: Path | None = None,
                   launcher: str = "deepspeed", master_port: int = 29500) -> list[str]:
    """The launcher command that runs `repro <verb_args>` on `gpus` GPUs per node on `nodes` nodes.

    DeepSpeed's launcher reaches the other nodes itself (pdsh/ssh, from the hostfile); torchrun's command is run
    once per node (rendezvous at the hostfile's first host).
    """
    if not verb_args or verb_args[0] not in LAUNCHABLE:
        got = verb_args[0] if verb_args else "nothing"
        raise EngineError(f"launch: runs one of {', '.join(LAUNCHABLE)} (the verbs that train), not {got}")
    if launcher not in LAUNCHERS:
        raise EngineError(f"--launcher: {launcher!r} is not one of {', '.join(LAUNCHERS)}")
    if gpus < 1 or nodes < 1:
        raise EngineError("--gpus and --nodes: must be at least 1")
    hosts = read_hostfile(hostfile) if hostfile else []
    if hostfile and nodes == 1:
        nodes = len(hosts)
    if nodes > 1 and not hosts:
        raise EngineError(f"--nodes {nodes}: multi-node needs --hostfile (lines `host slots=N`)")
    if nodes > len(hosts) > 0:
        raise EngineError(f"--nodes {nodes}: the hostfile lists only {len(hosts)} hosts")
    module = ["-m", "repro.cli", *verb_args]
    if launcher == "deepspeed":
        nodes_args = ["--hostfile", str(hostfile), "--num_nodes", str(nodes)] if hostfile else []
        # --no_local_rank: ranks come from the environment (LOCAL_RANK), the verb's arguments stay its own
        return ["deepspeed", *nodes_args, "--num_gpus", str(gpus), "--master_port", str(master_port),
                "--no_local_rank", "--module", "repro.cli", *verb_args]
    if nodes == 1:
        return ["torchrun", "--standalone", "--nproc_per_node", str(gpus), *module]
    return ["torchrun", "--nnodes", str(nodes), "--nproc_per_node", str(gpus), "--rdzv_backend", "c10d",
            "--rdzv_endpoint", f"{hosts[0]}:{master_port}", "--rdzv_id", "repro", *module]
