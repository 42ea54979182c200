"""Check samples against their problems' tests in the sandbox, one process per worker, results in input order."""

from __future__ import annotations

import multiprocessing
import os
import secrets
import signal
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from typing import Callable, Iterable

from repro.errors import UserError
from repro.execution import toolchains
from repro.execution.languages import GO_PROGRAM, LANGUAGES
from repro.execution.problems import Problem, Sample
from repro.execution.sandbox import Limits, Sandbox, detect

RESULT_CHARS = 300
MAX_TIMEOUT = 3600


@dataclass(frozen=True)
class Result:
    task_id: str
    completion_id: int
    passed: bool
    result: str             # "passed" | "timed out" | "failed: ..." | "skipped: <why>"

    def to_json(self) -> dict:
        return asdict(self)


def program(problem: Problem, completion: str, nonce: str, mounted: bool = True):
    """(files, build commands, run command, env, binds) of one sample, the toolchain fields filled in; the test's
    last statement prints `nonce`."""
    lang = LANGUAGES[problem.language]
    build, run = lang.build, lang.run
    if lang.name == "go" and problem.benchmark == "humaneval-xl":
        _, build, run = GO_PROGRAM
    files = lang.assemble(problem, completion, nonce)
    ctx = toolchains.context(lang.name, mounted)
    fields = {**ctx["fields"], "sources": sorted(files),
              "cpp_libs": ["-lcrypto", "-lssl"] if any("openssl" in text for text in files.values()) else []}

    def expand(argv):
        out = []
        for arg in argv:
            out += fields[arg[1:-1]] if arg.startswith("{") and arg.endswith("}") else [arg]
        return out
    return files, [expand(cmd) for cmd in build], expand(run), ctx["env"], ctx["binds"]


def _summary(outcome, stderr_fails: bool, nonce: str) -> tuple[bool, str]:
    """(passed, result): a pass needs exit 0 and the nonce that only the test's last statement prints, as the
    last line of stdout; "timed out" and "build failed" come from the driver's own status and clock."""
    if outcome.timed_out:
        return False, "timed out"
    if outcome.build_failed:
        if outcome.build_timed_out:
            return False, "timed out (build)"
        return False, "failed: compilation error: " + outcome.build_log.strip()[:RESULT_CHARS]
    lines = outcome.stdout.strip().splitlines()
    finished = bool(lines) and lines[-1].strip() == nonce
    if outcome.returncode == 0 and finished and not (stderr_fails and outcome.stderr.strip()):
        return True, "passed"
    text = (outcome.stderr.strip() or outcome.stdout.replace(nonce, "").strip())[-RESULT_CHARS:]
    if outcome.oom:
        why = "out of memory"
    elif outcome.returncode is None:
        why = "the sandbox ended before the test ran"
    elif outcome.returncode == 0:
        why = "exit 0 before the test finished"
    else:
        why = f"exit {outcome.returncode}"
    return False, f"failed: {why}" + (f": {text}" if text else "")


def check(problem: Problem, sample: Sample, timeout: float | None = None, sandbox: Sandbox | None = None) -> Result:
    """Run one sample's program against its problem's tests."""
    sandbox = sandbox or Sandbox()
    lang = LANGUAGES[problem.language]
    nonce = secrets.token_hex(16)
    files, build, run, env, binds = program(problem, sample.completion, nonce, mounted=sandbox.mode != "none")
    for text in files.values():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:   # valid JSON ("\ud800"), but no program can hold it
            return Result(sample.task_id, sample.completion_id, False,
                          f"failed: not UTF-8 text: {exc.reason} at {exc.object[exc.start]!r}")
    outcome = sandbox.run(files, build, run, env, binds, lang.build_timeout, timeout or lang.run_timeout)
    passed, result = _summary(outcome, lang.stderr_fails, nonce)
    return Result(sample.task_id, sample.completion_id, passed, result)


_worker: dict = {}


class Interrupted(BaseException):
    """SIGINT or SIGTERM stopped `evaluate`: nothing of the run is left running or on disk; `results` holds the
    samples that finished (None for the others), so the caller can write them and exit non-zero."""

    def __init__(self, signum: int, results: list):
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
        self.signum, self.results = signum, results


class _Signalled(BaseException):
    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise(signum, frame) -> None:
    _worker["stopping"] = signum
    raise _Signalled(signum)


def _init(mode: str, limits: Limits) -> None:
    _worker["sandbox"] = Sandbox(mode, limits)
    _worker["stopping"] = None
    for signum in (signal.SIGINT, signal.SIGTERM):   # unwind (killing the sandbox, removing its files), then stop
        signal.signal(signum, _raise)


def _check(job) -> Result:
    if _worker.get("stopping"):      # a job queued before the signal: do not start it
        raise _Signalled(_worker["stopping"])
    problem, sample, timeout = job
    return check(problem, sample, timeout, _worker["sandbox"])


def unavailable(languages: Iterable[str]) -> dict[str, str]:
    """{language: one-line reason} for the languages whose toolchain is missing here; builds the others' caches."""
    reasons = {}
    for name in sorted(set(languages)):
        reason = toolchains.missing(name)
        if reason is None:
            try:
                toolchains.context(name)
            except (RuntimeError, OSError) as exc:
                reason = f"{name}: toolchain cache not built ({exc})"
        if reason:
            reasons[name] = reason
    return reasons


def evaluate(problems: dict[str, Problem], samples: list[Sample], timeout: float | None = None, workers: int = 1,
             limits: Limits = Limits(), warn: Callable[[str], None] = print,
             advance: Callable[[int], None] = lambda done: None,
             record: Callable[[Sample, dict], None] = lambda sample, result: None) -> list[Result]:
    """Every sample's Result, in input order. A language without its toolchain is skipped with one `warn` line
    (its samples get "skipped: ..."); `advance(n)` reports n more samples done, `record(sample, result)` each
    result as it is known (`repro.execution.journal.Journal.record`)."""
    if timeout is not None and not 0 < timeout <= MAX_TIMEOUT:   # nan, inf, 1e30 and negatives alike
        raise UserError(f"--timeout {timeout}: must be a number of seconds in (0, {MAX_TIMEOUT}]")
    skipped = unavailable(problems[s.task_id].language for s in samples)
    for reason in skipped.values():
        warn(f"skipping {reason}")
    results: list[Result | None] = [None] * len(samples)
    jobs = []
    for index, sample in enumerate(samples):
        language = problems[sample.task_id].language
        if language in skipped:
            results[index] = Result(sample.task_id, sample.completion_id, False, f"skipped: {skipped[language]}")
            record(sample, results[index].to_json())
        else:
            jobs.append((index, (problems[sample.task_id], sample, timeout)))
    if not jobs:
        return results
    mode = detect()

    def finished(index: int) -> None:
        record(samples[index], results[index].to_json())
        advance(1)
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        if workers <= 1:
            _init(mode, limits)
            for index, job in jobs:
                results[index] = _check(job)
                finished(index)
        else:
            _pooled(jobs, results, workers, mode, limits, finished)
    except (_Signalled, KeyboardInterrupt) as exc:
        raise Interrupted(getattr(exc, "signum", signal.SIGINT), results) from None
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        _worker.clear()
    return results


def _pooled(jobs, results, workers, mode, limits, finished: Callable[[int], None]) -> None:
    """Run `jobs` in a pool of `workers`. On SIGINT or SIGTERM (to this process or its group): queue nothing more,
    pass the signal to every worker (each kills its sandbox and removes its files), wait for them, re-raise."""
    context = multiprocessing.get_context("forkserver")
    signal.signal(signal.SIGTERM, _raise)
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init, initargs=(mode, limits))
    futures = {}
    try:
        futures = {pool.submit(_check, job): index for index, job in jobs}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            finished(futures[future])
    except BaseException as exc:
        signum = getattr(exc, "signum", signal.SIGINT)
        for ignored in (signal.SIGINT, signal.SIGTERM):
            signal.signal(ignored, signal.SIG_IGN)
        for child in multiprocessing.active_children():
            if child.pid and child.exitcode is None:
                os.kill(child.pid, signum)
        pool.shutdown(wait=True, cancel_futures=True)
        for future, index in futures.items():
            if results[index] is None and future.done() and not future.cancelled() and future.exception() is None:
                results[index] = future.result()
                finished(index)
        raise
    pool.shutdown(wait=True)
