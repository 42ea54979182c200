"""One module per DVC stage (data, pretrain, intermediate, multitask, alternative, target, evaluate,
retrieval, collect, tables, verify): declared inputs in, declared outputs out, written atomically.

Each module's `run` does the work (what `repro all` calls in its workers) and `command` is its CLI verb, so
`python -m repro.stages.<name>` (the command in dvc.yaml) imports exactly the files the stage runs, and
dvc.yaml lists them as its deps (tests/house/test_dvc_deps.py keeps the two equal).
"""
