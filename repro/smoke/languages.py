"""Languages: script and grammar.

Every supported language has a script and a grammar: SVO or SOV order, prepositions or postpositions,
adjective before or after the noun, articles or none, spaces between words or not (zh, ja, th, my),
inflecting or isolating verbs, and the script's own punctuation.
"""

from __future__ import annotations

from dataclasses import dataclass

SCRIPT_OF = {  # language -> ISO 15924 script
    **{c: "Latn" for c in "af de en es et eu fi fr hu id it jv ms nl pt sw tl tr vi yo".split()},
    **{c: "Latn" for c in "ro pl lt".split()},  # XTREME-R's additions (UD-POS, PAN-X, Tatoeba, XQuAD ro)
    "bg": "Cyrl", "ru": "Cyrl", "kk": "Cyrl", "uk": "Cyrl", "el": "Grek", "ar": "Arab", "fa": "Arab", "ur": "Arab",
    "he": "Hebr", "hi": "Deva", "mr": "Deva", "bn": "Beng", "ta": "Taml", "te": "Telu", "ml": "Mlym",
    "ka": "Geor", "my": "Mymr", "th": "Thai", "zh": "Hani", "ja": "Jpan", "ko": "Hang",
}
SUPPORTED_LANGUAGES = tuple(sorted(SCRIPT_OF))
_SOV = set("hi mr bn ur fa ja ko tr ta te ml kk eu my ka".split())
_ADJ_AFTER = set("fr es it pt ar he fa id ms jv sw yo vi th eu my tl ro".split())
_ARTICLES = set("en de fr es it pt nl af el hu tl ro".split())
_UNSPACED = set("zh ja th my".split())
_ISOLATING = set("zh vi th yo id ms jv my".split())
_PUNCT = {  # full stop, comma, question mark (None: the language writes none)
    "zh": ("。", "，", "？"), "ja": ("。", "、", "？"), "hi": ("।", ",", "?"), "mr": ("।", ",", "?"),
    "bn": ("।", ",", "?"), "ar": (".", "،", "؟"), "fa": (".", "،", "؟"), "ur": (".", "،", "؟"),
    "el": (".", ",", ";"), "my": ("။", "၊", "?"), "th": (None, None, "?"),
}
# detokenization: no space before / after these tokens
NO_SPACE_BEFORE = {".", ",", "?", ";", "。", "，", "、", "？", "।", "،", "؟", "။", "၊"}
NO_SPACE_AFTER = {"$"}


@dataclass(frozen=True)
class LangSpec:
    """One language's script, grammar and punctuation."""

    code: str
    script: str
    sov: bool
    postpositions: bool
    adj_after: bool
    articles: bool
    spaced: bool
    inflects: bool
    stop: str | None
    comma: str | None
    qmark: str

    @staticmethod
    def of(code: str) -> "LangSpec":
        """The spec of a supported language code."""
        stop, comma, qmark = _PUNCT.get(code, (".", ",", "?"))
        return LangSpec(code, SCRIPT_OF[code], code in _SOV, code in _SOV and code != "fa", code in _ADJ_AFTER,
                        code in _ARTICLES, code not in _UNSPACED, code not in _ISOLATING, stop, comma, qmark)

    @property
    def sentence_sep(self) -> str:
        return "" if self.code in ("zh", "ja", "my") else " "
