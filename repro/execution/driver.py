"""The driver: the bash script that runs inside the sandbox as its root and has the program copied in, built
and run, each step as the program's uid of its own; it reports each step's status and times on a channel the
program cannot reach (a host file on a descriptor every child gets closed; the driver's /proc entries belong to
another uid). The status lines, not the program's exit code or output, decide "build failed" and "timed out";
the times come from the driver's own clock (bash's EPOCHREALTIME), and `timeout` runs as root, so a program
cannot stop it (SIGSTOP) nor outlive it by ignoring SIGTERM (it is SIGKILLed a second later)."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

TAIL = 2000          # bytes of each stream that come back
GRACE = 1            # seconds between the timeout's SIGTERM and its SIGKILL


def script(build: list[list[str]], run: list[str], build_timeout: float, run_timeout: float, workdir: str,
           private: str, as_user: list[str], status_fd: int) -> str:
    """The driver for one program: `private` is a folder only the driver can enter (the steps' output files),
    `as_user` the argv prefix that drops to the program's uid (empty where the driver already is that user),
    `status_fd` the descriptor that takes the status lines."""
    user = shlex.join(as_user) + " " if as_user else ""
    fd = status_fd
    out = shlex.quote(private)
    copy = 'cp -R "$STAGE"/. . && { [ -z "${SEED_GOCACHE:-}" ] || cp -R "$SEED_GOCACHE" "$GOCACHE"; }'
    lines = [f"cd {shlex.quote(workdir)} || {{ echo 'setup 125 0 0' >&{fd}; exit 0; }}"]
    run_argv = shlex.join(run)
    if build:   # the copy goes with the first step the program's uid runs: one process chain fewer per sample
        steps = " && ".join([copy] + [shlex.join(cmd) for cmd in build])
        lines += ["t=$EPOCHREALTIME",
                  f"timeout -k {GRACE} {build_timeout:g} {user}sh -c {shlex.quote(steps)} </dev/null "
                  f">{out}/build 2>&1 {fd}>&-; s=$?",
                  f'echo "build $s $t $EPOCHREALTIME" >&{fd}',
                  f"[ $s -eq 0 ] || {{ tail -c {TAIL} {out}/build >&2; exit 0; }}"]
    else:
        run_argv = "sh -c " + shlex.quote(copy + ' && exec "$@"') + " sh " + run_argv
    lines += ["t=$EPOCHREALTIME",
              f"timeout -k {GRACE} {run_timeout:g} {user}{run_argv} </dev/null >{out}/out 2>{out}/err "
              f"{fd}>&-; s=$?",
              f'echo "run $s $t $EPOCHREALTIME" >&{fd}',
              f"tail -c {TAIL} {out}/out; tail -c {TAIL} {out}/err >&2"]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Step:
    status: int
    seconds: float


def parse(report: str) -> dict[str, Step]:
    """{"setup" | "build" | "run": Step} from the driver's status lines (the last line of each step counts)."""
    steps = {}
    for line in report.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] in ("setup", "build", "run"):
            try:
                status, start, end = int(parts[1]), float(parts[2]), float(parts[3])
            except ValueError:
                continue
            steps[parts[0]] = Step(status, max(0.0, end - start))
    return steps
