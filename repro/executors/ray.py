"""The Ray executor: each stage of a wave is a Ray task asking for the GPUs, CPU cores and memory it needs, run
on whichever node of the cluster has them free; the driver (this process) keeps DVC's bookkeeping exactly as with
the local executor.

The nodes share the project directory at the same path (a shared filesystem: data/, prepared/, models/, results/,
checkpoints/, logs/ and the DVC cache are the driver's), and the tasks import `repro` from it (PYTHONPATH) with
the driver's HF_*, TRANSFORMERS_*, TORCH_*, DS_* and NCCL_* variables. A task of one GPU runs the stage in its
Ray worker (Ray pins CUDA_VISIBLE_DEVICES, in a fresh worker for every GPU task); one of several GPUs starts the
launcher on the GPUs Ray gave it, on one node.

Faults: a task whose worker process or node is lost is rerun by Ray on a node that has its resources, at most
`grid.retries` times, and resumes from its newest complete checkpoint (repro/engine/trainer.py `resume_point`;
checkpoints/ is shared). A stage's own error comes back as a failed outcome: the task itself ends normally, so
Ray never retries it (ray.remote's max_retries counts system failures only; retry_exceptions stays off).
"""

from __future__ import annotations

import ipaddress
import logging
import os
from repro.errors import UserError
from repro.executors.job import FAILED, Job, Outcome, execute, one_line, run_pinned

FORWARDED = ("HF_", "TRANSFORMERS_", "TORCH_", "DS_", "NCCL_")  # the driver's settings every stage needs too


def _task(job: Job) -> Outcome:
    """A stage inside a Ray worker."""
    if job.gpus > 1:
        import ray

        environ = {**os.environ, "REPRO_RAY_NODE": ray.get_runtime_context().get_node_id()}
        return run_pinned(job, environ)
    return execute(job)


def _loopback(address: str) -> bool:
    host = address.split("://", 1)[-1].rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class RayExecutor:
    """Runs waves of stages as Ray tasks on the cluster at `address` (None: a Ray instance started here)."""

    name = "ray"

    def __init__(self, address: str | None, retries: int, root: str):
        self.address = address
        self.retries = retries
        self.root = root
        self._running: dict = {}  # a task's ObjectRef -> its job
        self._remote = None

    @property
    def has_gpus(self) -> bool:
        import ray

        return ray.cluster_resources().get("GPU", 0) > 0

    def describe(self) -> str:
        import ray

        nodes = [node for node in ray.nodes() if node["Alive"]]
        total = ray.cluster_resources()
        return (f"ray executor: {len(nodes)} nodes, {total.get('CPU', 0):g} CPUs, {total.get('GPU', 0):g} GPUs "
                f"({self.address or 'started here'})")

    def __enter__(self) -> RayExecutor:
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage reports leave the machine
        if self.address is None or _loopback(self.address):
            # one machine: Ray binds and connects on loopback only (ray/_private/services.py get_node_ip_address)
            os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        import ray

        pythonpath = os.pathsep.join(filter(None, [self.root, os.environ.get("PYTHONPATH")]))
        env = {name: value for name, value in os.environ.items() if name.startswith(FORWARDED)}
        options = {"runtime_env": {"env_vars": {**env, "PYTHONPATH": pythonpath}}, "log_to_driver": False,
                   "logging_level": logging.WARNING}
        try:
            if self.address is None:
                ray.init(num_cpus=os.cpu_count(), include_dashboard=False, **options)
            else:
                ray.init(address=self.address, **options)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise UserError(f"--address {self.address}: cannot join the Ray cluster: {one_line(exc)}") from None
        self._remote = ray.remote(_task)
        return self

    def __exit__(self, *exc) -> None:
        import ray

        ray.shutdown()  # a cluster we joined keeps running; one started here stops

    def check(self, jobs: list[Job]) -> None:
        """Refuse, before any work, a stage no node of the cluster could ever run (Ray would wait forever)."""
        import ray

        nodes = [node["Resources"] for node in ray.nodes() if node["Alive"]]
        for job in {(job.gpus, job.cpus, job.memory): job for job in jobs}.values():
            if not any(r.get("GPU", 0) >= job.gpus and r.get("CPU", 0) >= job.cpus
                       and (job.memory is None or r.get("memory", 0) >= job.memory) for r in nodes):
                memory = f", {job.memory / 2**30:g} GiB" if job.memory else ""
                raise UserError(f"{job.name}: needs {job.gpus} GPUs, {job.cpus} CPUs{memory} on one node (grid); "
                                 f"no node of the Ray cluster has that")

    def submit(self, job: Job) -> None:
        """Submit a stage as a Ray task asking for what it needs."""
        options = {"num_cpus": job.cpus, "num_gpus": job.gpus, "max_retries": self.retries, "retry_exceptions": False,
                   "name": job.name}
        if job.memory:
            options["memory"] = job.memory
        self._running[self._remote.options(**options).remote(job)] = job

    def wait(self) -> Outcome:
        """The outcome of the next submitted task to end."""
        import ray

        (ref,), _ = ray.wait(list(self._running), num_returns=1)
        job = self._running.pop(ref)
        try:
            return ray.get(ref)
        except ray.exceptions.RayTaskError as exc:  # the task itself raised, outside the stage's code
            return Outcome(job.name, FAILED, message=one_line(exc.cause or exc))
        except ray.exceptions.RayError as exc:  # its worker or node lost once more than `retries` allow
            return Outcome(job.name, FAILED, message=f"lost its worker {self.retries + 1} times ({type(exc).__name__})")
