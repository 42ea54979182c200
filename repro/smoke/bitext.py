"""Retrieval bitext: bucc2018 and tatoeba (each language paired with English).

Signal: BUCC / Tatoeba pairs are translations; digits and transliterated names are shared anchors.
"""

from __future__ import annotations

from repro.data.sources import SOURCES, TATOEBA_ISO3, dataset_key
from repro.smoke.context import WorldContext
from repro.smoke.facts import draw_fact


def bucc_tatoeba(world: WorldContext, task: str, langs, n_eval) -> None:
    """BUCC 2018 (validation, test) or Tatoeba (validation): distinct translations of English sentences, per language.
    """
    splits = ("validation", "test") if task == "bucc2018" else ("validation",)
    en = world.r("en")
    for lang in langs:
        r = world.r(lang)
        for split in splits:
            rng = world.rng(task, split, lang)
            pairs, seen = [], set()
            while len(pairs) < n_eval:
                f = draw_fact(rng, (1, 3), extras=True)
                target = en.text(en.fact(f)[0])
                if target in seen:
                    continue
                seen.add(target)
                pairs.append((r.text(r.fact(f)[0]), target))
            src = lang if task == "bucc2018" else TATOEBA_ISO3.get(lang, lang)
            tgt = "en" if task == "bucc2018" else "eng"
            world.write(dataset_key(task, lang), split, {
                "source_sentence": [p for p, _ in pairs], "target_sentence": [t for _, t in pairs],
                "source_lang": [src] * n_eval, "target_lang": [tgt] * n_eval}, SOURCES[task].features)
