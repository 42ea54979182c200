"""The code study's Hub data for a hub profile, written in the release layouts the execution side reads
(`repro.studies.code.paths`): HumanEval-X (THUDM/humaneval-x, one config per language, split `test`), HumanEval-XL
(FloatAI/humaneval-xl, one config per programming language, one split per prompt language) and CNN/DailyMail
(abisee/cnn_dailymail 3.0.0: article, highlights, id).

UNSURE (no Hub access from this workplace): THUDM/humaneval-x and FloatAI/humaneval-xl ship loading scripts,
which `datasets` no longer runs; their `refs/convert/parquet` revisions (the Hub's own conversion, as the paper
profile reads HellaSwag) are read instead. Check the config and split names there before a paper run.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from repro.suites.programs import get as program_suite
from repro.studies.code.paths import ARTICLES_FILE

X_CONFIG = {"python": "python", "cpp": "cpp", "java": "java", "js": "js", "go": "go", "rust": "rust"}
CONVERTED = "refs/convert/parquet"


def _write(path: Path, rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        for row in rows:
            handle.write(json.dumps(dict(row), ensure_ascii=False) + "\n")


def download(code, out: Path) -> None:
    import datasets

    sources = code.sources
    for language in code.benchmarks.humaneval_x:
        rows = datasets.load_dataset(sources.humaneval_x, X_CONFIG[language], split="test", revision=CONVERTED)
        _write(out / program_suite("humaneval-x").file(language, "English"), rows)
    for language, naturals in code.benchmarks.humaneval_xl.items():
        for natural in naturals:
            rows = datasets.load_dataset(sources.humaneval_xl, language, split=natural, revision=CONVERTED)
            _write(out / program_suite("humaneval-xl").file(language, natural), rows)
    for split in ("train", "validation", "test"):
        rows = datasets.load_dataset(sources.cnn_dailymail, sources.cnn_dailymail_config, split=split,
                                     revision=sources.revision, streaming=True)
        _write(out / ARTICLES_FILE.format(split=split),
               itertools.islice(rows, sources.train_rows if split == "train" else None))
