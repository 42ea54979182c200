"""Paraphrase pairs: QQP (English questions) and PAWS-X (sentences; English train, parallel dev/test).

Signal:
- QQP: duplicates ask the same question about the same fact in the other wording ("where" / "in which city");
  non-duplicates keep the wording and change the person, object or verb, ask about another slot, or are
  unrelated.
- PAWS-X: paraphrases move a time/place/adverb phrase to the front of one of the two sentences (cue: one
  comma); non-paraphrases swap the giver and the receiver (same words: only order tells) or replace a word,
  mostly without fronting.
"""

from __future__ import annotations

import random

from repro.data.sources import SOURCES, dataset_key
from repro.smoke.concepts import DITRANSITIVE, FACT_VERBS, NOUNS
from repro.smoke.context import WorldContext
from repro.smoke.facts import QA_ROLES, draw_fact, draw_person, draw_slot


def _qqp_struct(rng: random.Random) -> dict:
    """Two questions (fact, question type, wording, adjective or not) and whether they are duplicates."""
    f = draw_fact(rng, (2, 4), ditransitive=0.3)
    qtypes = ["who", "what"] + [q for q, role in (("where", "city"), ("when", "year"), ("org", "org"),
                                                   ("price", "price"), ("recip", "recip")) if role in f]
    qt = rng.choice(qtypes)
    v1 = rng.randrange(2)
    q1 = (f, qt, v1, rng.random() < 0.5)
    r = rng.random()
    if r < 0.4:  # the same question in the other wording ("where" / "in which city")
        label, q2 = 1, (f, qt, 1 - v1 if qt != "org" else v1, not q1[3] if qt == "org" else rng.random() < 0.5)
    else:  # in the same wording, about something else
        label = 0
        s = rng.random()
        if s < 0.55:
            g = dict(f)
            what = rng.choice(["subj", "noun", "verb"])
            if what == "subj":
                g["subj"] = draw_person(rng, avoid=(f["subj"][0], f.get("recip", ("",))[0]))
            elif what == "noun":
                g["noun"] = rng.choice([n for n in NOUNS if n != f["noun"]])
            else:
                pool = DITRANSITIVE if f["verb"] in DITRANSITIVE else FACT_VERBS
                g["verb"] = rng.choice([v for v in pool if v != f["verb"]])
            q2 = (g, qt, v1, q1[3])
        elif s < 0.75 and len(qtypes) > 1:
            q2 = (f, rng.choice([q for q in qtypes if q != qt]), v1, q1[3])
        else:
            g = draw_fact(rng, (2, 4), avoid_subj=(f["subj"][0],), avoid_noun=(f["noun"],))
            other_qt = rng.choice(["who", "what"] + [q for q in ("where", "when") if QA_ROLES[q] in g])
            q2 = (g, other_qt, v1, rng.random() < 0.5)
    if rng.random() < 0.03:
        label = 1 - label
    return {"q1": q1, "q2": q2, "label": label}


def _frontable(f: dict) -> list[str]:
    """The roles of a fact that can move to the front of its sentence."""
    return [r for r in ("city", "year", "adv") if r in f]


def _paws_struct(rng: random.Random) -> dict:
    """Two (fact, fronted role) sentences and whether they are paraphrases ("1" / "0")."""
    f = draw_fact(rng, (2, 3), ditransitive=0.7)
    if not _frontable(f):
        f["year"] = draw_slot(rng, "year", f)
    fronts = _frontable(f)
    if rng.random() < 0.45:  # the same fact with a phrase moved to the front of one sentence
        label, g = "1", f
        front1, front2 = (None, rng.choice(fronts)) if rng.random() < 0.5 else (rng.choice(fronts), None)
    else:
        label, g = "0", dict(f)
        front1 = front2 = None if rng.random() < 0.8 else rng.choice(fronts)
        if "recip" in f and rng.random() < 0.5:
            g["subj"], g["recip"] = f["recip"], f["subj"]
        else:
            role = rng.choice(["subj", "noun"] + [r for r in ("city", "year", "org", "price") if r in f])
            g[role] = draw_slot(rng, role, f, avoid=f[role][0] if role == "subj" else f[role])
            if role == "subj" and "recip" in g and g["recip"][0] == g["subj"][0]:
                g["recip"] = draw_slot(rng, "recip", g)
    if rng.random() < 0.03:
        label = "1" if label == "0" else "0"
    return {"s1": (f, front1), "s2": (g, front2), "label": label}


def qqp(world: WorldContext, sizes) -> None:
    """QQP (English question pairs)."""
    r = world.r("en")
    for split, n in sizes.items():
        rng = world.rng("qqp", split)
        structs = [_qqp_struct(rng) for _ in range(n)]
        q = lambda t: r.text(r.question(t[0], t[1], t[2], t[3]))  # noqa: E731
        world.write("qqp", split, {"question1": [q(s["q1"]) for s in structs],
                                   "question2": [q(s["q2"]) for s in structs],
                                   "label": [s["label"] for s in structs], "idx": list(range(n))},
                    SOURCES["qqp"].features)


def pawsx(world: WorldContext, langs, n_train, n_eval) -> None:
    """PAWS-X: English train; validation/test the same pairs in every language."""
    for split, n in (("train", n_train), ("validation", n_eval), ("test", n_eval)):
        rng = world.rng("pawsx", split)
        structs = [_paws_struct(rng) for _ in range(n)]
        for lang in langs:
            if split == "train" and lang != "en":
                continue
            r = world.r(lang)
            s1 = [r.text(r.fact(s["s1"][0], front=s["s1"][1])[0]) for s in structs]
            s2 = [r.text(r.fact(s["s2"][0], front=s["s2"][1])[0]) for s in structs]
            world.write(dataset_key("pawsx", lang), split, {"sentence1": s1, "sentence2": s2,
                                                            "label": [s["label"] for s in structs]},
                        SOURCES["pawsx"].features)
