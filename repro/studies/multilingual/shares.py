"""A2's disjoint, parallel shares: which English examples each language of an arm trains on.

The translations are parallel to the English data: XNLI's translated MNLI row i is MNLI's train row i (aligned by
position, and refused unless every chosen pair has the same label), XTREME's translate-train SQuAD keeps SQuAD's
question ids (aligned by id). One seeded permutation of the English examples is cut into disjoint shares, English
one of them, so A2 trains on every English example exactly once, each in one language: A1's content and number of
examples. A translation that dropped an example (XTREME's SQuAD drops those whose answer it could not align) cannot
take it: its share is drawn from the examples it has, and English keeps the ones no language took.

With `budget: tokens` (the token-matched control) each language takes examples, in the same order, until its share
holds as many tokens as an equal share of A1's English tokens; the example counts then differ from A1's.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

from repro.errors import UserError
from repro.studies.multilingual.arms import shares


def examples_budget(order: Sequence[Hashable], available: Mapping[str, set], where: str) -> dict[str, list]:
    """{language: example keys}: English (first) and each language of `available` (its aligned keys) an equal
    share of `order` (the permuted English keys), disjoint, together all of them."""
    sizes = shares(len(order), 1 + len(available))
    taken: set = set()
    out: dict[str, list] = {}
    for (lang, have), size in zip(available.items(), sizes[1:]):
        chosen = [key for key in order if key in have and key not in taken][:size]
        if len(chosen) < size:
            raise UserError(f"{where}: {lang} has {len(chosen)} aligned examples left, fewer than its share of {size}")
        out[lang] = chosen
        taken.update(chosen)
    return {"en": [key for key in order if key not in taken], **out}


def tokens_budget(order: Sequence[Hashable], tokens: Mapping[str, Mapping[Hashable, int]], where: str) -> dict[str, list]:
    """{language: example keys} with equal token shares: `tokens` gives each language's (English first) tokens per
    aligned example; each language in turn takes the next untaken examples it has until its share reaches the
    English total over 1 + languages (the nearer of just below and just above); English last."""
    english = tokens["en"]
    target = sum(english[key] for key in order) / len(tokens)
    taken: set = set()
    out: dict[str, list] = {}
    for lang in [*(lang for lang in tokens if lang != "en"), "en"]:
        chosen, total, filled = [], 0, False
        for key in order:
            if key in taken or key not in tokens[lang]:
                continue
            if total + tokens[lang][key] > target:
                if target - total > total + tokens[lang][key] - target:
                    chosen.append(key)
                    total += tokens[lang][key]
                filled = True
                break
            chosen.append(key)
            total += tokens[lang][key]
        if not filled and lang != "en":
            raise UserError(f"{where}: {lang} reaches {total} of its {target:.0f} tokens from the examples left "
                            "(a token-matched set needs translations no shorter than English)")
        out[lang] = chosen
        taken.update(chosen)
    return {"en": out.pop("en"), **out}
