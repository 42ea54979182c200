"""Training curves: the loss and the English-dev score of a fine-tune, logged with dvclive by optimizer step.

dvclive writes into the run's work directory as training goes (a resumed run appends to it); at the end the
per-metric series (`train/loss.tsv`, `dev/score.tsv`: step, value) are copied atomically into the stage's curves
directory (results/<profile>/curves/<stage>), which dvc.yaml declares as the stage's plots.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from transformers import TrainerCallback

from repro.io import atomic_dir

SERIES = {"loss": "train/loss", "eval_score": "dev/score"}  # Trainer log key -> dvclive metric


def _live(live_dir: Path, resume: bool):
    """dvclive's Live writing the series files only, without its DVC and git integration: the stage's dvc.yaml
    entry declares the files, and Live's lookup of the baseline commit fails in a repository with no commits
    yet (dvclive 3.49.1 raises SCMError "Empty git repo" from `_init_dvc`)."""
    from dvclive import Live

    class Series(Live):
        def _init_dvc(self):
            self._dvc_file = self._init_dvc_file()

    return Series(str(live_dir), resume=resume, save_dvc_exp=False, dvcyaml=None, report=None,
                  monitor_system=False)


class Curves(TrainerCallback):
    """Log the Trainer's loss and dev score with dvclive (rank 0 only)."""

    def __init__(self, live_dir: Path, resume: bool):
        self.live_dir, self.resume = live_dir, resume
        self.live = None

    def on_train_begin(self, args, state, control, **kwargs):
        if state.is_world_process_zero:
            self.live = _live(self.live_dir, self.resume)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if self.live is None or not logs:
            return
        self.live.step = state.global_step
        for key, metric in SERIES.items():
            if key in logs:
                self.live.log_metric(metric, float(logs[key]))

    def on_train_end(self, args, state, control, **kwargs):
        if self.live is not None:
            self.live.make_summary()
            self.live.end()


def keep(live_dir: Path, curves: Path) -> None:
    """Copy dvclive's series out of the work directory into the stage's curves directory."""
    series = live_dir / "plots" / "metrics"
    with atomic_dir(curves) as tmp:
        if series.is_dir():
            shutil.copytree(series, tmp, dirs_exist_ok=True)
