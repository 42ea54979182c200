"""The world being written: output folder, seed, one lexicon per language, the parquet writer, row counts."""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
from datasets import Dataset, DatasetInfo, Features
from datasets.table import InMemoryTable

from repro.smoke.lexicon import Lexicon
from repro.smoke.render import Renderer
from repro.smoke.streams import seeded_rng


class WorldContext:
    """What every dataset writer shares: lexicons (and the concepts they used), streams, output."""

    def __init__(self, out_dir: Path, seed: int):
        self.out, self.seed = Path(out_dir), seed
        self.lexicons: dict[str, Lexicon] = {}
        self.counts: dict[str, dict[str, int]] = {}

    def lex(self, code: str) -> Lexicon:
        """The language's lexicon (one per world: it records the concepts the datasets used)."""
        if code not in self.lexicons:
            self.lexicons[code] = Lexicon(code)
        return self.lexicons[code]

    def r(self, code: str) -> Renderer:
        """A renderer for the language."""
        return Renderer(self.lex(code))

    def rng(self, *parts) -> random.Random:
        """The stream named by `parts` under the world's seed."""
        return seeded_rng(self.seed, *parts)

    def write(self, key: str, split: str, columns: dict, features: Features) -> None:
        """Write `columns` as `<key>/<split>.parquet` in the schema `features`, and count its rows."""
        path = self.out / key / f"{split}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        # Same bytes as Dataset.from_dict(columns, features=features).to_parquet(path), without from_dict's
        # content fingerprinting (most of the world's generation time otherwise).
        table = pa.Table.from_pydict(features.encode_batch(columns), schema=features.arrow_schema)
        Dataset(InMemoryTable(table), info=DatasetInfo(features=features), fingerprint=key).to_parquet(str(path))
        self.counts.setdefault(key, {})[split] = len(next(iter(columns.values())))
