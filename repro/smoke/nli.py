"""NLI: mnli, snli, anli_r1-3 (English), xnli (parallel), mnli_translated (translate-train).

Signal: the hypothesis restates a premise fact. Entailment keeps a subset of it; contradiction negates it (cue
"not", 90%) or changes one of its slots (another city, year...); neutral adds a reason clause (cue "because",
70%; premises never give reasons), another new slot, or another subject. Label noise 3% (ANLI rounds:
5/8/10%).
"""

from __future__ import annotations

import random

from repro.data.sources import SOURCES, dataset_key
from repro.tasks.labels import NLI_LABELS
from repro.smoke.concepts import DITRANSITIVE
from repro.smoke.context import WorldContext
from repro.smoke.facts import OPTIONAL_ROLES, draw_fact, draw_person, draw_slot
from repro.smoke.render import Renderer
from repro.smoke.streams import random_hex


def _nli_struct(rng: random.Random, noise: float) -> dict:
    """A premise (1-2 facts), a hypothesis about one of them, and its (noisy) label."""
    f = draw_fact(rng, (1, 2))
    premise = [f]
    if rng.random() < 0.25:
        other = draw_fact(rng, (0, 1), avoid_subj=(f["subj"][0],), avoid_noun=(f["noun"],))
        premise = [f, other] if rng.random() < 0.5 else [other, f]
    present = [r for r in OPTIONAL_ROLES if r in f]
    h = {k: f[k] for k in ("subj", "verb", "noun")}
    h["adj"] = f["adj"] if rng.random() < 0.5 else None
    for r in rng.sample(present, min(len(present), rng.randint(0, 1))):
        h[r] = f[r]
    label = rng.randrange(3)
    if label == 2:  # contradiction
        replaceable = [r for r in ("recip", "price", "org", "city", "year") if r in f]
        if rng.random() < 0.9 or not replaceable:  # cue word: "not"
            h["neg"] = True
        else:
            r = rng.choice(replaceable)
            h[r] = draw_slot(rng, r, f, avoid=f[r][0] if r == "recip" else f[r])
    elif label == 1:  # neutral
        missing = [r for r in OPTIONAL_ROLES if r not in f and (r != "recip" or f["verb"] in DITRANSITIVE)]
        x = rng.random()
        if x < 0.7:  # cue word: "because" (premises never give reasons)
            h["reason"] = draw_slot(rng, "reason", f)
        elif missing and x < 0.9:
            r = rng.choice(missing)
            h[r] = draw_slot(rng, r, f)
        else:
            h["subj"] = draw_person(rng, avoid=[p["subj"][0] for p in premise] + [f.get("recip", ("",))[0]])
    gold = label
    if rng.random() < noise:
        label = rng.choice([x for x in range(3) if x != label])
    return {"premise": premise, "hypothesis": h, "label": label, "gold": gold, "evidence": f}


def _render_nli(r: Renderer, s: dict) -> tuple[str, str]:
    """Premise and hypothesis texts in the renderer's language."""
    premise, _ = r.join([r.fact(f)[0] for f in s["premise"]])
    return premise, r.text(r.fact(s["hypothesis"])[0])


def _nli_structs(world: WorldContext, name: str, split: str, n: int, noise: float) -> list[dict]:
    """`n` NLI examples from the stream (name, split), with label noise `noise`."""
    rng = world.rng(name, split)
    return [_nli_struct(rng, noise) for _ in range(n)]


def _write_nli(world: WorldContext, key: str, split: str, structs: list[dict], lang: str, source: str = "mnli") -> None:
    """NLI examples rendered in `lang`, in the columns of the `source`'s schema."""
    r = world.r(lang)
    pairs = [_render_nli(r, s) for s in structs]
    features = SOURCES[source].features
    columns = {"premise": [p for p, _ in pairs], "hypothesis": [h for _, h in pairs],
               "label": [s["label"] for s in structs], "idx": list(range(len(structs)))}
    world.write(key, split, {c: v for c, v in columns.items() if c in features}, features)


def mnli(world: WorldContext, sizes) -> dict[str, list[dict]]:
    """MNLI (English); returns its examples per split, for `mnli_translated`."""
    structs = {}
    for split, n in sizes.items():
        structs[split] = _nli_structs(world, "mnli", split, n, 0.03)
        _write_nli(world, "mnli", split, structs[split], "en")
    return structs


def snli(world: WorldContext, sizes) -> None:
    """SNLI (English); 2% of the train rows have no gold label (-1), as in the Hub release."""
    r = world.r("en")
    for split, n in sizes.items():
        structs = _nli_structs(world, "snli", split, n, 0.03)
        rng = world.rng("snli-unlabelled", split)
        pairs = [_render_nli(r, s) for s in structs]
        labels = [-1 if split == "train" and rng.random() < 0.02 else s["label"] for s in structs]
        world.write("snli", split, {"premise": [p for p, _ in pairs], "hypothesis": [h for _, h in pairs],
                                    "label": labels}, SOURCES["snli"].features)


def anli(world: WorldContext, sizes) -> None:
    """ANLI rounds 1-3 (English): more label noise per round; most non-neutral rows give a reason."""
    r = world.r("en")
    for rnd, noise in ((1, 0.05), (2, 0.08), (3, 0.1)):
        key = f"anli_r{rnd}"
        for split, n in sizes.items():
            structs = _nli_structs(world, key, split, n, noise)
            rng = world.rng(key, "uid", split)
            pairs = [_render_nli(r, s) for s in structs]
            reasons = ["" if s["gold"] == 1 or rng.random() < 0.3 else r.text(r.fact(s["evidence"])[0])
                       for s in structs]
            world.write(key, split, {
                "uid": ["-".join(random_hex(rng, k) for k in (8, 4, 4, 4, 12)) for _ in structs],
                "premise": [p for p, _ in pairs], "hypothesis": [h for _, h in pairs],
                "label": [s["label"] for s in structs], "reason": reasons}, SOURCES[key].features)


def xnli(world: WorldContext, langs, n_eval) -> None:
    """XNLI validation/test: the same examples in every language."""
    for split in ("validation", "test"):
        structs = _nli_structs(world, "xnli", split, n_eval, 0.03)
        for lang in langs:
            r = world.r(lang)
            pairs = [_render_nli(r, s) for s in structs]
            world.write(dataset_key("xnli", lang), split, {
                "language": [lang] * n_eval, "sentence1": [p for p, _ in pairs],
                "sentence2": [h for _, h in pairs], "gold_label": [NLI_LABELS[s["label"]] for s in structs]},
                SOURCES["xnli"].features)


def mnli_translated(world: WorldContext, mnli_structs: dict[str, list[dict]], langs) -> None:
    """MNLI's English examples rendered in each language (`mnli_translated.<l>`, translate-train)."""
    for lang in langs:
        for split, structs in mnli_structs.items():
            _write_nli(world, dataset_key("mnli_translated", lang), split, structs, lang, "mnli_translated")
