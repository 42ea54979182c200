"""Lexicons: the surface of every concept in one language.

English uses real words (`repro.smoke.concepts`). Every other language gets a deterministic surface form for
every concept, built from a syllable inventory of its script (`repro.smoke.scripts`; each language samples its
own subset, so languages sharing a script look different): Latin (with per-language diacritics), Cyrillic,
Greek, Arabic, Hebrew, Devanagari, Bengali, Tamil, Telugu, Malayalam, Georgian, Myanmar, Thai, Han (zh), Kana +
kanji (ja), Hangul (ko). Verbs inflect with per-language suffixes (base/past/present) except in isolating
languages; names are transliterated per script. The lexicon does not depend on the seed (a tokenizer trained
on one world fits another); the seed only changes which examples are drawn.
"""

from __future__ import annotations

from repro.smoke.concepts import (ADJS, ADVS, CITIES, FUNCTION_WORDS, NOUNS, ORG_KINDS, ORGS, OTHER_NOUNS, PEOPLE,
                                  SURNAMES, SYMBOLS, TOPIC_NAMES, VERBS)
from repro.smoke.languages import LangSpec
from repro.smoke.scripts import HIRAGANA, inventory, transliterate
from repro.smoke.streams import seeded_rng


def _concepts() -> list[tuple[str, str]]:
    """Every concept key with its kind (func / content / verb / adj / phrase / name), in a fixed order."""
    out = [(f"f:{k}", "phrase" if " " in v else "func") for k, v in FUNCTION_WORDS.items() if k not in SYMBOLS]
    out += [(f"n:{n}", "content") for n in NOUNS + TOPIC_NAMES + OTHER_NOUNS]
    out += [(f"ok:{k}", "content") for k in ORG_KINDS]
    out += [(f"a:{a}", "adj") for a in ADJS] + [(f"r:{r}", "content") for r in ADVS]
    out += [(f"v:{v}", "verb") for v in VERBS]
    return out


def _english_surface(key: str) -> tuple[str, ...]:
    """The English words of a concept key."""
    kind, name = key.split(":", 1)
    if kind == "f":
        return tuple(FUNCTION_WORDS[name].split())
    if kind == "ok":
        return (ORG_KINDS[name],)
    if kind in ("per", "sur", "city", "org"):
        return tuple(name.split())
    return (name,)


class Lexicon:
    """Surfaces of all concepts in one language; records which concepts the world used."""

    def __init__(self, code: str):
        self.code, self.spec = code, LangSpec.of(code)
        self.used: set[str] = set()
        self.tok_cache: dict[tuple[str, str, str], list] = {}
        self.surf: dict[str, tuple[str, ...]] = {}
        self.verb_forms: dict[str, tuple[str, str, str]] = {}
        names = ([f"per:{p}" for p in PEOPLE] + [f"sur:{s}" for s in SURNAMES]
                 + [f"city:{c}" for c in CITIES] + [f"org:{o}" for o in ORGS])
        if code == "en":
            for key, kind in _concepts():
                self.surf[key] = _english_surface(key)
                if kind == "verb":
                    self.verb_forms[key] = VERBS[key[2:]]
            for key in names:
                self.surf[key] = _english_surface(key)
        else:
            self._generate()
            taken: set[str] = set()
            for key in names:
                self.surf[key] = transliterate(_english_surface(key), self.spec.script, taken)
        self.surf["f:$"] = ("$",)

    def _generate(self) -> None:
        spec, rng = self.spec, seeded_rng("lexicon", self.code)
        inv = inventory(self.code)
        seen: set[str] = set()

        def word(n_syl: int, pool: list[str] | str = inv) -> str:
            for attempt in range(200):
                w = "".join(rng.choice(pool) for _ in range(n_syl + attempt // 50))
                if w not in seen:
                    seen.add(w)
                    return w
            raise RuntimeError(f"cannot make a distinct word for {self.code}")

        jpan = spec.script == "Jpan"
        if spec.inflects:
            suffixes = [word(1, HIRAGANA if jpan else inv) for _ in range(3)]  # base, past, present
            if not jpan and rng.random() < 0.5:
                suffixes[0] = ""
        else:
            suffixes = ["", "", ""]
        for key, kind in _concepts():
            if kind == "func":
                self.surf[key] = (word(rng.choice((1, 2)), HIRAGANA) if jpan else word(1),)
            elif kind == "phrase":
                n = len(FUNCTION_WORDS[key[2:]].split())
                parts = [word(rng.choice((1, 2)), HIRAGANA) if jpan else word(rng.choice((1, 2)))
                         for _ in range(max(2, n - 1))]
                self.surf[key] = ("".join(parts),) if not spec.spaced else tuple(parts)
            elif kind == "verb":
                stem = word(1) if jpan else word(rng.choice((1, 2)))
                self.verb_forms[key] = tuple(stem + s for s in suffixes)
                self.surf[key] = (stem,)
            elif kind == "adj" and jpan:
                self.surf[key] = (word(1) + "い",)
            elif spec.script == "Hani":
                self.surf[key] = (word(2),)
            else:
                self.surf[key] = (word(rng.choice((1, 2))) if jpan else word(rng.choice((2, 3))),)
        if spec.script == "Latn":  # organisation kinds are part of a proper name
            for k in ORG_KINDS:
                self.surf[f"ok:{k}"] = (self.surf[f"ok:{k}"][0].capitalize(),)

    def words(self, key: str) -> tuple[str, ...]:
        self.used.add(key)
        return self.surf[key]

    def verb(self, key: str, form: str) -> str:
        self.used.add(f"{key}:{form}")  # inflected forms are distinct words
        return self.verb_forms[key][("base", "past", "pres").index(form)]
