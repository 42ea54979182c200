"""What the HF Trainer says it trains on, read from its own log (`***** Running training *****`:
transformers/trainer.py `_inner_training_loop`): the examples of its training set and the optimizer steps it
runs. The multilingual study records them in each trained stage's output, so that equal-budget arms can be
checked from the training logs themselves rather than from our own arithmetic."""

from __future__ import annotations

import contextlib
import logging
import re
from typing import Iterator

_COUNTS = {"trainer_examples": re.compile(r"Num examples = ([\d,]+)"),
           "optimizer_steps": re.compile(r"Total optimization steps = ([\d,]+)"),
           "effective_batch": re.compile(r"Total train batch size \(w\. parallel, distributed & accumulation\) = "
                                         r"([\d,]+)")}


class _Collect(logging.Handler):
    def __init__(self, counts: dict[str, int]):
        super().__init__(logging.INFO)
        self.counts = counts

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        for key, pattern in _COUNTS.items():
            found = pattern.search(message)
            if found:
                self.counts[key] = int(found.group(1).replace(",", ""))


@contextlib.contextmanager
def training_counts() -> Iterator[dict[str, int]]:
    """A dict that fills with the counts the Trainer logs while the block trains (the last run's, if several);
    the Trainer's INFO lines are caught here, not printed."""
    logger = logging.getLogger("transformers.trainer")
    counts: dict[str, int] = {}
    handler, level, propagate = _Collect(counts), logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield counts
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
