"""Facts: language-neutral sentence content.

A fact is a dict: subject, verb, object with optional adjective, and optional recipient / price / organisation
/ city / year / adverb / reason clause / negation / interjection / "etc" list. `repro.smoke.render` renders it
in any language; questions ask about one of its roles (`QA_ROLES`).
"""

from __future__ import annotations

import random

from repro.smoke.concepts import (ADJS, ADVS, CITIES, DITRANSITIVE, FACT_VERBS, NOUNS, ORG_KINDS, ORGS, PEOPLE,
                                  PRICES, SURNAMES, TOPIC_NAMES, TOPIC_OF, TOPICS, YEARS)

OPTIONAL_ROLES = ("recip", "price", "org", "city", "year", "adv")  # the optional slots of a fact
# question type -> the role of the fact it asks about
QA_ROLES = {"who": "who", "what": "what", "where": "city", "when": "year", "price": "price", "org": "org",
            "recip": "recip"}
TYPED_QUESTIONS = ("where", "when", "price", "org", "recip")  # questions whose answer has a type


def draw_person(rng: random.Random, avoid=()) -> tuple[str, str | None]:
    """A first name not in `avoid`, with a surname 35% of the time."""
    first = rng.choice([p for p in PEOPLE if p not in avoid])
    return (first, rng.choice(SURNAMES) if rng.random() < 0.35 else None)


def draw_slot(rng: random.Random, role: str, fact: dict, avoid=None):
    """A value for one role of `fact` (differing from `avoid`, if given)."""
    while True:
        if role == "recip":
            v = draw_person(rng, avoid=(fact["subj"][0],))
        elif role == "price":
            v = rng.choice(PRICES)
        elif role == "org":
            v = (rng.choice(ORGS), rng.choice(list(ORG_KINDS)))
        elif role == "city":
            v = rng.choice(CITIES)
        elif role == "year":
            v = rng.choice(YEARS)
        elif role == "adv":
            v = rng.choice(ADVS)
        elif role == "reason":
            v = rng.choice(TOPIC_NAMES)
        elif role == "subj":
            v = draw_person(rng)
        elif role == "noun":
            v = rng.choice(NOUNS)
        else:
            raise ValueError(role)
        if avoid is None or (v[0] if role in ("recip", "subj") else v) != avoid:
            return v


def draw_fact(rng: random.Random, k=(1, 3), *, extras: bool = False, avoid_subj=(), avoid_verb=(), avoid_noun=(),
              ditransitive: float = 0.25) -> dict:
    """A fact: subject, verb, object (adjective 60%), and `k` (min, max) optional roles; `extras` adds negation,
    interjection, "etc" list, reason clause or pronoun subject now and then."""
    noun = rng.choice([n for n in NOUNS if n not in avoid_noun])
    if rng.random() < ditransitive:
        verbs = [v for v in DITRANSITIVE if v not in avoid_verb]
    elif rng.random() < 0.3:
        verbs = [v for v in (TOPICS[TOPIC_OF[noun]][0],) if v not in avoid_verb]
    else:
        verbs = []
    verbs = verbs or [v for v in FACT_VERBS if v not in avoid_verb]
    f = {"subj": draw_person(rng, avoid_subj), "verb": rng.choice(verbs), "noun": noun,
         "adj": rng.choice(ADJS) if rng.random() < 0.6 else None}
    avail = [r for r in OPTIONAL_ROLES if r != "recip" or f["verb"] in DITRANSITIVE]
    if f["verb"] in DITRANSITIVE and rng.random() < 0.7:
        f["recip"] = draw_slot(rng, "recip", f)
    for role in rng.sample(avail, min(len(avail), rng.randint(*k))):
        f.setdefault(role, draw_slot(rng, role, f))
    if extras:
        if rng.random() < 0.2:
            f["neg"] = True
        if rng.random() < 0.1:
            f["intro"] = rng.choice(("oh", "wow"))
        if rng.random() < 0.1:
            f["etc"] = rng.choice([n for n in NOUNS if n != noun])
        if rng.random() < 0.15:
            f["reason"] = draw_slot(rng, "reason", f)
        if rng.random() < 0.1:
            f["pron"] = True
    return f
