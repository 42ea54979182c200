"""Retrieval bitext: bucc2018 and tatoeba (each language paired with English).

Signal: BUCC / Tatoeba pairs are translations; digits and transliterated names are shared anchors.

*BUCC.* Written as the BUCC 2018 release is (`repro.data` reads it through `repro.data.loaders.bucc`, as a user's
copy): `bucc2018/<lang>-en/<lang>-en.{sample,training}.{<lang>,en,gold}`, `id<TAB>sentence` lines and gold id
pairs. Beside the gold pairs each side holds `DISTRACTORS` times as many sentences without a translation on the other
side (the real files hold ~30 per pair), in a shuffled order, so mining has sentences to refuse and the gold pairs
are not aligned by position. Every sentence is distinct, and no distractor translates another side's sentence.
"""

from __future__ import annotations

from repro.data.sources import SOURCES, TATOEBA_ISO3, dataset_key
from repro.smoke.context import WorldContext
from repro.smoke.facts import draw_fact

BUCC_FOLDER = "bucc2018"  # the release's folder under the world's output
BUCC_PARTS = {"validation": "sample", "test": "training"}  # our split -> the release's file name part
DISTRACTORS = 3  # sentences without a translation per gold pair, on each side


def tatoeba(world: WorldContext, langs, n_eval) -> None:
    """Tatoeba (validation): `n_eval` distinct translations of English sentences per language, in the Hub schema."""
    en = world.r("en")
    for lang in langs:
        r = world.r(lang)
        rng = world.rng("tatoeba", "validation", lang)
        pairs, seen = [], set()
        while len(pairs) < n_eval:
            f = draw_fact(rng, (1, 3), extras=True)
            target = en.text(en.fact(f)[0])
            if target in seen:
                continue
            seen.add(target)
            pairs.append((r.text(r.fact(f)[0]), target))
        world.write(dataset_key("tatoeba", lang), "validation", {
            "source_sentence": [p for p, _ in pairs], "target_sentence": [t for _, t in pairs],
            "source_lang": [TATOEBA_ISO3.get(lang, lang)] * n_eval, "target_lang": ["eng"] * n_eval},
            SOURCES["tatoeba"].features)


def bucc(world: WorldContext, langs, n_eval) -> None:
    """BUCC 2018 (validation = `sample`, test = `training`): `n_eval` gold pairs per language and split, with
    distractors on both sides, as release files; counted as `bucc2018.<lang>` (sentences of both sides)."""
    en = world.r("en")
    for lang in langs:
        r = world.r(lang)
        folder = world.out / BUCC_FOLDER / f"{lang}-en"
        folder.mkdir(parents=True, exist_ok=True)
        for split, part in BUCC_PARTS.items():
            rng = world.rng("bucc2018", split, lang)
            n_side = n_eval * (1 + DISTRACTORS)
            # each fact is one sentence per side: kinds 0 (gold pair), 1 (source only), 2 (English only)
            kinds = [0] * n_eval + [1] * (n_side - n_eval) + [2] * (n_side - n_eval)
            facts, english_seen, source_seen = [], set(), set()
            while len(facts) < len(kinds):
                f = draw_fact(rng, (1, 3), extras=True)
                english, source = en.text(en.fact(f)[0]), r.text(r.fact(f)[0])
                if english in english_seen or source in source_seen:
                    continue
                english_seen.add(english)
                source_seen.add(source)
                facts.append((kinds[len(facts)], source, english))
            sides = {lang: [i for i, (kind, *_) in enumerate(facts) if kind != 2],
                     "en": [i for i, (kind, *_) in enumerate(facts) if kind != 1]}
            ids: dict[str, dict[int, str]] = {}
            for side, members in sides.items():
                rng.shuffle(members)
                ids[side] = {fact: f"{side}-{n:09d}" for n, fact in enumerate(members, 1)}
                column = 1 if side == lang else 2
                lines = [f"{ids[side][fact]}\t{facts[fact][column]}\n" for fact in members]
                (folder / f"{lang}-en.{part}.{side}").write_text("".join(lines), encoding="utf-8")
            gold = sorted(f"{ids[lang][i]}\t{ids['en'][i]}\n" for i, (kind, *_) in enumerate(facts) if kind == 0)
            (folder / f"{lang}-en.{part}.gold").write_text("".join(gold), encoding="utf-8")
            world.counts.setdefault(dataset_key("bucc2018", lang), {})[split] = 2 * n_side
