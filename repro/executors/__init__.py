"""Where `repro all` runs the stages of a wave: `local` (worker processes on a CPU machine; one process per
stage pinned to its GPUs on a GPU node) and `ray` (one Ray task per stage across a cluster). `job` is a stage as
any of them runs it, with its record; `devices` chooses and pins GPUs. The driver (repro/pipeline.py) keeps
DVC's bookkeeping whichever runs the stages."""
