"""Seeded random streams: the smoke world's only source of randomness.

Determinism: every random stream is `random.Random` seeded from sha256(seed, stream name), and nothing
iterates over a set, so the same seed gives byte-identical files (in any process, whatever PYTHONHASHSEED).
Datasets draw from independent streams: changing `n_train` or the language list does not change the examples
of other datasets (only the corpus's per-language shares and coverage lines).
"""

from __future__ import annotations

import hashlib
import random


def seeded_rng(*parts) -> random.Random:
    """A stream seeded from sha256 of its parts (the world's seed and the stream's name)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def random_hex(rng: random.Random, n: int) -> str:
    """`n` random lowercase hex digits (the ids of the Hub datasets)."""
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))
