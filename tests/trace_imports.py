"""Run `python -m MODULE ARGS...` in the current directory and write the repro files it imported to OUT.

    python tests/trace_imports.py OUT MODULE [ARGS...]

Used by tests/test_dvc_deps.py to compare what a stage runs with what dvc.yaml says it depends on.
"""

import atexit
import importlib.util
import runpy
import sys
from pathlib import Path

out, module, *args = sys.argv[1:]
root = Path.cwd().resolve()
sys.path.insert(0, str(root))  # the project's own repro package, as `python -m` in the project would import


def _record() -> None:
    files = {Path(m.__file__).resolve() for m in list(sys.modules.values()) if getattr(m, "__file__", None)}
    files.add(Path(importlib.util.find_spec(module).origin).resolve())  # run as __main__, not kept in sys.modules
    Path(out).write_text("".join(f"{p.relative_to(root)}\n" for p in sorted(files) if p.is_relative_to(root / "repro")))


atexit.register(_record)
sys.argv = [module, *args]
runpy.run_module(module, run_name="__main__", alter_sys=True)
