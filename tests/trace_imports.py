"""Run stage modules as `python -m MODULE ARGS...` would, in the current directory, one after the other, and
write the repro files each imported.

    python tests/trace_imports.py PLAN.json

PLAN.json: [{"module": ..., "args": [...], "out": imports file, "log": output file}, ...]. The heavy
third-party libraries are imported once here; each stage then runs in a forked child that imports repro afresh,
so what it records is exactly the repro code that stage runs (tests/house/test_dvc_deps.py compares it with dvc.yaml).
Writes "<out>.rc" with each child's exit code.
"""

import importlib.util
import json
import os
import runpy
import sys
from pathlib import Path

import datasets  # noqa: F401  (third-party only: nothing of repro may be imported before the fork)
import matplotlib.pyplot  # noqa: F401
import torch  # noqa: F401
from transformers import AutoModel, Trainer  # noqa: F401  (resolve transformers' lazy modules once, here)

ROOT = Path.cwd().resolve()


def _record(module: str, out: Path) -> None:
    files = {Path(m.__file__).resolve() for m in list(sys.modules.values()) if getattr(m, "__file__", None)}
    files.add(Path(importlib.util.find_spec(module).origin).resolve())  # run as __main__, not kept in sys.modules
    out.write_text("".join(f"{p.relative_to(ROOT)}\n" for p in sorted(files) if p.is_relative_to(ROOT / "repro")))


def _child(entry: dict) -> None:
    log = os.open(entry["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    sys.path.insert(0, str(ROOT))  # the project's own repro package, as `python -m` in the project imports it
    sys.argv = [entry["module"], *entry["args"]]
    code = 0
    try:
        runpy.run_module(entry["module"], run_name="__main__", alter_sys=True)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    _record(entry["module"], Path(entry["out"]))
    os._exit(code)


for entry in json.loads(Path(sys.argv[1]).read_text()):
    pid = os.fork()
    if pid == 0:
        _child(entry)
    _, status = os.waitpid(pid, 0)
    Path(f"{entry['out']}.rc").write_text(str(os.waitstatus_to_exitcode(status)))
