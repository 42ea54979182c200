"""Tagging: udpos (UPOS) and panx (PER/ORG/LOC), English train, parallel dev/test.

Signal: UPOS tags (all 17 occur) and PER/ORG/LOC spans follow from the word class; every rendered token carries
both tags, so the labels are exact by construction.
"""

from __future__ import annotations

import random

from repro.data.sources import SOURCES, dataset_key
from repro.tasks.labels import PANX_TAGS, UPOS_TAGS
from repro.smoke.context import WorldContext
from repro.smoke.facts import draw_fact
from repro.smoke.render import Renderer, Tok


def _tagged_sentence(rng: random.Random, r: Renderer) -> list[Tok]:
    """A tagged sentence: one fact, sometimes two joined by "and"."""
    f = draw_fact(rng, (1, 3), extras=True)
    if rng.random() < 0.15:
        g = draw_fact(rng, (0, 1), avoid_subj=(f["subj"][0],))
        return r.fact(f, stop=False)[0] + r.tok("f:and", "CCONJ") + r.fact(g)[0]
    return r.fact(f)[0]


def udpos_panx(world: WorldContext, task: str, langs, n_train, n_eval) -> None:
    """UD POS or PAN-X: English train; validation/test in every language."""
    for lang in langs:
        r = world.r(lang)
        for split, n in (("train", n_train), ("validation", n_eval), ("test", n_eval)):
            if split == "train" and lang != "en":
                continue
            rng = world.rng(task, split, lang)
            sents = [_tagged_sentence(rng, r) for _ in range(n)]
            cols = {"tokens": [[t.text for t in s] for s in sents]}
            if task == "udpos":
                cols["pos_tags"] = [[UPOS_TAGS.index(t.upos) for t in s] for s in sents]
            else:
                cols["ner_tags"] = [[PANX_TAGS.index(t.ner) for t in s] for s in sents]
                cols["langs"] = [[lang] * len(s) for s in sents]
            world.write(dataset_key(task, lang), split, cols, SOURCES[task].features)
