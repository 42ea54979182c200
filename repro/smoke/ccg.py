"""CCGbank AUTO derivations (English).

*CCG.* CCGbank is LDC-licensed and only read from a user path, so the smoke world writes the release layout:
`ccgbank/data/AUTO/<section>/wsj_<section><nn>.auto`, sections 02-03 (train), 00 (validation), 23 (test);
each sentence is an `ID=wsj_0201.1 PARSER=GOLD NUMPARSE=1` line and a one-line binary derivation in AUTO
notation, `(<T cat head ndtrs> ... )` nodes and `(<L cat POS POS word predarg>)` leaves. Its dataset key in
the returned counts is `ccg` (the registry source id), its folder is `ccgbank/`. CCG supertags follow from the
word class and its context (a verb's category depends on negation and on a "to" recipient).
"""

from __future__ import annotations

import math

from repro.smoke.context import WorldContext
from repro.smoke.facts import draw_fact
from repro.smoke.lexicon import Lexicon

CCG_SECTIONS = {"train": ("02", "03"), "validation": ("00",), "test": ("23",)}
FOLDER = "ccgbank"  # the release's folder under the world's output


def _leaf(cat: str, pos: str, word: str) -> str:
    """An AUTO leaf: category, POS (twice), word, and the category as its predicate-argument tag."""
    return f"(<L {cat} {pos} {pos} {word} {cat}>)"


def _node(cat: str, head: int, *children: str) -> str:
    """An AUTO internal node: category, head child index, children."""
    return f"(<T {cat} {head} {len(children)}> " + " ".join(children) + " )"


def _ccg_name(words: tuple[str, ...]) -> str:
    """A (multi-word) proper name as a noun phrase."""
    if len(words) == 1:
        return _node("NP", 0, _leaf("N", "NNP", words[0]))
    n = _leaf("N", "NNP", words[-1])
    for w in reversed(words[:-1]):
        n = _node("N", 1, _leaf("N/N", "NNP", w), n)
    return _node("NP", 0, n)


def _ccg_sentence(f: dict, lex: Lexicon) -> str:
    """A fact as a one-line CCGbank derivation (gold-style categories, binary, head-marked)."""
    w = lambda key: lex.words(key)  # noqa: E731
    subj = _ccg_name(w(f"per:{f['subj'][0]}") + (w(f"sur:{f['subj'][1]}") if f["subj"][1] else ()))
    noun = _leaf("N", "NN", w(f"n:{f['noun']}")[0])
    if f.get("adj"):
        noun = _node("N", 1, _leaf("N/N", "JJ", w(f"a:{f['adj']}")[0]), noun)
    obj = _node("NP", 0, _leaf("NP[nb]/N", "DT", w("f:the")[0]), noun)
    vf, vpos = ("b", "VB") if f.get("neg") else ("dcl", "VBD")
    vword = lex.verb(f"v:{f['verb']}", "base" if f.get("neg") else "past")
    vp_cat = f"S[{vf}]\\NP"
    if "recip" in f:
        recip = _ccg_name(w(f"per:{f['recip'][0]}") + (w(f"sur:{f['recip'][1]}") if f["recip"][1] else ()))
        v = _leaf(f"((S[{vf}]\\NP)/PP)/NP", vpos, vword)
        vp = _node(vp_cat, 0, _node(f"(S[{vf}]\\NP)/PP", 0, v, obj),
                   _node("PP", 0, _leaf("PP/NP", "TO", w("f:to")[0]), recip))
    else:
        vp = _node(vp_cat, 0, _leaf(f"(S[{vf}]\\NP)/NP", vpos, vword), obj)
    mod = "(S\\NP)\\(S\\NP)"
    for role in ("price", "org", "city", "year", "adv"):
        if role not in f:
            continue
        if role == "adv":
            vp = _node(vp_cat, 0, vp, _leaf(mod, "RB", w(f"r:{f['adv']}")[0]))
            continue
        if role == "price":
            np = _node("NP", 0, _node("N", 0, _leaf("N/N[num]", "$", "$"), _leaf("N[num]", "CD", str(f["price"]))))
        elif role == "org":
            np = _ccg_name(w(f"org:{f['org'][0]}") + w(f"ok:{f['org'][1]}"))
        elif role == "city":
            np = _ccg_name(w(f"city:{f['city']}"))
        else:
            np = _node("NP", 0, _leaf("N", "CD", str(f["year"])))
        adp = {"price": "for", "org": "at", "city": "in", "year": "in"}[role]
        vp = _node(vp_cat, 0, vp, _node(mod, 0, _leaf(f"({mod})/NP", "IN", w(f"f:{adp}")[0]), np))
    if f.get("neg"):
        aux = _node("(S[dcl]\\NP)/(S[b]\\NP)", 0, _leaf("(S[dcl]\\NP)/(S[b]\\NP)", "VBD", w("f:did")[0]),
                    _leaf(mod, "RB", w("f:not")[0]))
        vp = _node("S[dcl]\\NP", 0, aux, vp)
    return _node("S[dcl]", 0, _node("S[dcl]", 1, subj, vp), _leaf(".", ".", ".")) + " "


def ccgbank(world: WorldContext, sizes) -> None:
    """CCGbank AUTO files (English): `sizes` sentences per split, spread over the split's sections and files."""
    lex = world.lex("en")
    root = world.out / FOLDER / "data" / "AUTO"
    for split, n in sizes.items():
        rng = world.rng("ccg", split)
        sections = CCG_SECTIONS[split]
        per_section = [n // len(sections) + (1 if i < n % len(sections) else 0) for i in range(len(sections))]
        for section, m in zip(sections, per_section):
            per_file = max(25, math.ceil(m / 99))
            for doc, start in enumerate(range(0, m, per_file), start=1 if section == "00" else 0):
                lines = []
                name = f"wsj_{section}{doc:02d}"
                for j in range(min(per_file, m - start)):
                    f = draw_fact(rng, (1, 3))
                    if rng.random() < 0.2:
                        f["neg"] = True
                    lines += [f"ID={name}.{j + 1} PARSER=GOLD NUMPARSE=1", _ccg_sentence(f, lex)]
                path = root / section / f"{name}.auto"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        world.counts.setdefault("ccg", {})[split] = n
