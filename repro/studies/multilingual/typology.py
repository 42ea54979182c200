"""Typological distance between languages: URIEL's syntactic distance, the cosine distance between two languages'
kNN-imputed syntactic feature vectors (lang2vec's `syntax_knn`), read from uriel_syntax.json beside this module (a
derived table of the 50 XTREME/XTREME-R languages; its source, wheel hash and licence are stated in it).

A language set's diversity is the mean pairwise distance over its languages; a language's distance to a set is its
distance to the nearest member (0 when it is one).
"""

from __future__ import annotations

import json
from functools import cache
from itertools import combinations
from pathlib import Path

TABLE = Path(__file__).with_name("uriel_syntax.json")


@cache
def _vectors() -> dict[str, tuple[int, ...]]:
    table = json.loads(TABLE.read_text())
    return {lang: tuple(int(bit) for bit in entry["syntax"]) for lang, entry in table["languages"].items()}


def known(lang: str) -> bool:
    return lang in _vectors()


def distance(a: str, b: str) -> float:
    """URIEL syntactic distance of two languages (0 for the same one); KeyError naming an unknown language."""
    if a == b:
        return 0.0
    vectors = _vectors()
    for lang in (a, b):
        if lang not in vectors:
            raise KeyError(f"{lang}: not in {TABLE.name} (its languages: {', '.join(sorted(vectors))})")
    from scipy.spatial.distance import cosine

    return round(float(cosine(vectors[a], vectors[b])), 4)


def diversity(languages: list[str] | tuple[str, ...]) -> float:
    """Mean pairwise distance over a set's languages (0 for a single language)."""
    pairs = list(combinations(dict.fromkeys(languages), 2))
    return round(sum(distance(a, b) for a, b in pairs) / len(pairs), 4) if pairs else 0.0


def distance_to_seen(lang: str, seen: list[str] | tuple[str, ...]) -> float | None:
    """The distance of `lang` to the nearest of `seen` (0 when seen); None when nothing is seen or `lang` is not
    in the table."""
    if lang in seen:
        return 0.0
    if not seen or not known(lang):
        return None
    return min((distance(lang, other) for other in seen if known(other)), default=None)
