"""The smoke world: a small, seeded, multilingual stand-in for every dataset of the study.

`write_smoke_world(out_dir, languages)` writes, in a few seconds and without any download, a parquet fixture for
every dataset the pipeline reads, in exactly the schema of its real Hub source (`repro.registry.SOURCES[...]`
features), plus CCGbank in its original AUTO release format. It exists so the whole pipeline (MLM pretraining
of a tiny XLM-R, intermediate training, zero-shot transfer, retrieval) can run end to end on CPU, and so that a
tiny model (2-4 layers, hidden 64, ~1-2k Unigram vocabulary) learns every task above chance on English.

Design
------
*Concepts.* One shared lexicon of concepts: people (first names with a gender, surnames), cities (some two
words), organisations (name + kind, e.g. "Orion Bank"), 40 object nouns grouped in 10 topics (music: guitar,
piano...; each topic has its own verb, e.g. play), generic verbs (buy, sell, give...), adjectives, adverbs,
closed-class words (the, in, for, not, did, because...), question words and a few phrases. English uses real
words. Every other language gets a deterministic surface form for every concept, built from a syllable
inventory of its script (each language samples its own subset, so languages sharing a script look different):
Latin (with per-language diacritics), Cyrillic, Greek, Arabic, Hebrew, Devanagari, Bengali, Tamil, Telugu,
Malayalam, Georgian, Myanmar, Thai, Han (zh), Kana + kanji (ja), Hangul (ko). Verbs inflect with per-language
suffixes (base/past/present) except in isolating languages. Names are transliterated per script (the same
spelling in every language of a script, unchanged in Latin-script languages), and numbers are ASCII digits in
every language: these are the world's cross-lingual anchors, as in real text. The lexicon does not depend on
the seed (a tokenizer trained on one world fits another); the seed only changes which examples are drawn.

*Grammar.* A sentence is rendered from a language-neutral *fact* (subject, verb, object with optional
adjective, and optional recipient / price / organisation / city / year / adverb / reason clause / negation /
interjection / "etc" list) by a per-language grammar: SVO or SOV order, prepositions or postpositions,
adjective before or after the noun, articles or none, spaces between words or not (zh, ja, th, my), and the
script's own punctuation. Every rendered token carries its UPOS tag and BIO entity tag, so tagging data is
exact by construction, and every non-English sentence is a translation of an English one: parallel datasets
(XNLI, PAWS-X dev/test, XQuAD, MLQA, BUCC, Tatoeba, the translated intermediate data) render the same facts in
every language. Sentence-initial words are not capitalised, to keep the vocabulary small.

*Signal (what a model can learn on English).* Every task has a relational signal (what the task is about) and,
like the annotation artifacts of the real datasets, a cue word a bag-of-tokens model picks up in few steps:
- NLI (mnli, snli, anli_r1-3, xnli): the hypothesis restates a premise fact. Entailment keeps a subset of it;
  contradiction negates it (cue "not", 90%) or changes one of its slots (another city, year...); neutral adds a
  reason clause (cue "because", 70%; premises never give reasons), another new slot, or another subject.
  Label noise 3% (ANLI rounds: 5/8/10%).
- QQP: duplicates ask the same question about the same fact in the other wording ("where" / "in which city");
  non-duplicates keep the wording and change the person, object or verb, ask about another slot, or are
  unrelated.
- PAWS-X: paraphrases move a time/place/adverb phrase to the front of one of the two sentences (cue: one
  comma); non-paraphrases swap the giver and the receiver (same words: only order tells) or replace a word,
  mostly without fronting.
- Extractive QA (squad_v1/v2, xquad, mlqa, tydiqa): a context of 2-3 facts with distinct people, verbs and
  objects; the question names the person/verb/object of one fact and asks who/what/where/when/how much/which
  company/to whom; the answer is the typed span of that fact (a city, a year, "$40"...). SQuAD v2 adds about
  1/3 unanswerable questions (a person not in the context, or a slot the fact lacks).
- Multiple choice: HellaSwag's right ending continues the context's topic, mostly with its object (cue
  "again"); CosmosQA's right answer restates the context (what she did, why, what next; cue "really");
  CommonsenseQA's right choice is the place of the question's topic ("music shop" for "anna loves music ...
  find a guitar"; cue: only right choices are a "shop").
- Tagging: UPOS tags (all 17 occur) and PER/ORG/LOC spans follow from the word class; CCG supertags follow from
  the word class and its context (a verb's category depends on negation and on a "to" recipient).
- Retrieval: BUCC / Tatoeba pairs are translations; digits and transliterated names are shared anchors.
A bag-of-words baseline reaches 0.7-0.99 on every English dev set (tests/test_smoke_world.py). Measured with a
2-layer, hidden-64 XLM-R (Unigram 1200 and 4 MLM epochs on this corpus, no dropout, batch 8, 5 epochs = 320
steps, lr 1e-3), English dev: MNLI 0.82, QQP 0.73, PAWS-X 0.81, ANLI-r1 0.51, HellaSwag 0.62, CosmosQA 0.81,
CommonsenseQA 0.76, UPOS 0.76 (0.95 after 15 epochs), PAN-X 0.95, SQuAD EM 0.19. With ~30 steps (batch 32,
2 epochs) only the multiple-choice cues and entity names are picked up, and dropout 0.1 keeps NLI at chance.

*Tokenizer budget.* A ~1-2k-piece vocabulary is shared by every language, so each script contributes few
distinct characters (about 400 in all for the smoke profile's 12 languages; real CJK text would spend the whole
vocabulary on single characters), numbers come from small sets (years 1990-2020, prices in steps of $5), and
English has 4x the corpus rows of any other language (as in real web text), so English words are mostly whole
pieces.

*Corpus.* `mlm_corpus` (columns text, language; train/validation) holds fresh sentences, questions and
multiple-choice-like texts in every language used; a quarter of the non-English lines are code-switched (a
third of their words replaced by the English word, as in dictionary-based code-switching): the world's
stand-in for the cross-lingual anchors a large multilingual corpus provides. For any concept a dataset used
in a language that the random sample missed, an extra line contains it: every word of every dataset occurs in
the corpus. `multilingual_text.<l>` (in Wikipedia's Hub schema) is more of the same for the non-English
XNLI/XQuAD languages (MLM during intermediate training); `mnli_translated.<l>` and `squad_v1_translated.<l>`
render the English intermediate data in those languages (translate-train), with exact answer offsets.

*CCG.* CCGbank is LDC-licensed and only read from a user path, so the smoke world writes the release layout:
`ccgbank/data/AUTO/<section>/wsj_<section><nn>.auto`, sections 02-03 (train), 00 (validation), 23 (test);
each sentence is an `ID=wsj_0201.1 PARSER=GOLD NUMPARSE=1` line and a one-line binary derivation in AUTO
notation, `(<T cat head ndtrs> ... )` nodes and `(<L cat POS POS word predarg>)` leaves. Its dataset key in
the returned counts is `ccg` (the registry source id), its folder is `ccgbank/`.

Determinism: every random stream is `random.Random` seeded from sha256(seed, stream name), and nothing
iterates over a set, so the same seed gives byte-identical files (in any process, whatever PYTHONHASHSEED).
Datasets draw from independent streams: changing `n_train` or the language list does not change the examples
of other datasets (only the corpus's per-language shares and coverage lines).
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import datasets
import pyarrow as pa
from datasets import Dataset, DatasetInfo, Features, Value
from datasets.table import InMemoryTable

from repro.registry import (NLI_LABELS, PANX_TAGS, SOURCES, TARGET_TASKS, TATOEBA_ISO3, TYDIQA_ID_PREFIX, UPOS_TAGS,
                            dataset_key)

# Schema of the smoke world's own MLM pretraining corpus (no Hub source: the paper starts from XLM-R).
TEXT_FEATURES = Features({"text": Value("string"), "language": Value("string")})
ENGLISH_CORPUS_WEIGHT = 4  # English rows of mlm_corpus per row of another language
CODE_SWITCH = 0.25  # share of non-English corpus lines with some words in English (cross-lingual anchors)
CCG_SECTIONS = {"train": ("02", "03"), "validation": ("00",), "test": ("23",)}


def _rng(*parts) -> random.Random:
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


# ---------------------------------------------------------------------------------------------------------
# Languages: script and grammar.

_SCRIPT = {
    **{c: "Latn" for c in "af de en es et eu fi fr hu id it jv ms nl pt sw tl tr vi yo".split()},
    "bg": "Cyrl", "ru": "Cyrl", "kk": "Cyrl", "el": "Grek", "ar": "Arab", "fa": "Arab", "ur": "Arab",
    "he": "Hebr", "hi": "Deva", "mr": "Deva", "bn": "Beng", "ta": "Taml", "te": "Telu", "ml": "Mlym",
    "ka": "Geor", "my": "Mymr", "th": "Thai", "zh": "Hani", "ja": "Jpan", "ko": "Hang",
}
SUPPORTED_LANGUAGES = tuple(sorted(_SCRIPT))
_SOV = set("hi mr bn ur fa ja ko tr ta te ml kk eu my ka".split())
_ADJ_AFTER = set("fr es it pt ar he fa id ms jv sw yo vi th eu my tl".split())
_ARTICLES = set("en de fr es it pt nl af el hu tl".split())
_UNSPACED = set("zh ja th my".split())
_ISOLATING = set("zh vi th yo id ms jv my".split())
_PUNCT = {  # full stop, comma, question mark (None: the language writes none)
    "zh": ("。", "，", "？"), "ja": ("。", "、", "？"), "hi": ("।", ",", "?"), "mr": ("।", ",", "?"),
    "bn": ("।", ",", "?"), "ar": (".", "،", "؟"), "fa": (".", "،", "؟"), "ur": (".", "،", "؟"),
    "el": (".", ",", ";"), "my": ("။", "၊", "?"), "th": (None, None, "?"),
}
_NO_SPACE_BEFORE = {".", ",", "?", ";", "。", "，", "、", "？", "।", "،", "؟", "။", "၊"}
_NO_SPACE_AFTER = {"$"}


@dataclass(frozen=True)
class LangSpec:
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
        stop, comma, qmark = _PUNCT.get(code, (".", ",", "?"))
        return LangSpec(code, _SCRIPT[code], code in _SOV, code in _SOV and code != "fa", code in _ADJ_AFTER,
                        code in _ARTICLES, code not in _UNSPACED, code not in _ISOLATING, stop, comma, qmark)

    @property
    def sentence_sep(self) -> str:
        return "" if self.code in ("zh", "ja", "my") else " "


# ---------------------------------------------------------------------------------------------------------
# The concept lexicon (English surfaces).

_FEMALE = ("Anna", "Clara", "Elena", "Grace", "Ines", "Kira", "Maya", "Nina", "Paula", "Rosa", "Tara", "Zoe")
_MALE = ("Boris", "David", "Farid", "Hugo", "Jonas", "Leo", "Omar", "Samir", "Victor", "Yuri", "Ivan", "Marco")
_PEOPLE = _FEMALE + _MALE
_SURNAMES = ("Weber", "Lopez", "Novak", "Sato", "Rossi", "Petrov", "Haddad", "Mensah", "Larsen", "Costa",
             "Moreau", "Kowalski")
_CITIES = ("Paris", "Berlin", "Cairo", "Delhi", "Lima", "Oslo", "Tokyo", "Seoul", "Dhaka", "Moscow", "Madrid",
           "Rome", "Quito", "Accra", "Hanoi", "Perth", "San Lucas", "Port Louis", "New Haven", "Buenos Aires")
_ORGS = ("Orion", "Delta", "Nova", "Apex", "Vega", "Atlas", "Zenith", "Polar")
_ORG_KINDS = {"bank": "Bank", "group": "Group", "motors": "Motors", "labs": "Labs"}
_TOPICS = {  # topic -> (its verb, its objects)
    "music": ("play", ("guitar", "piano", "drum", "violin")),
    "food": ("cook", ("soup", "bread", "cake", "rice")),
    "sport": ("throw", ("ball", "frisbee", "dart", "javelin")),
    "art": ("paint", ("portrait", "landscape", "mural", "poster")),
    "garden": ("plant", ("rose", "tulip", "tree", "seed")),
    "science": ("test", ("sample", "magnet", "crystal", "battery")),
    "travel": ("pack", ("suitcase", "backpack", "ticket", "passport")),
    "pet": ("feed", ("dog", "cat", "parrot", "rabbit")),
    "fashion": ("wear", ("hat", "scarf", "jacket", "dress")),
    "furniture": ("build", ("chair", "table", "shelf", "bed")),
}
_TOPIC_NAMES = tuple(_TOPICS)
_NOUNS = tuple(n for _, objs in _TOPICS.values() for n in objs)
_TOPIC_OF = {n: t for t, (_, objs) in _TOPICS.items() for n in objs}
_PLACE_KINDS = ("shop", "school", "club", "museum", "market")
_VERBS = {  # key -> (base, past, present 3sg)
    "buy": ("buy", "bought", "buys"), "sell": ("sell", "sold", "sells"), "find": ("find", "found", "finds"),
    "lose": ("lose", "lost", "loses"), "borrow": ("borrow", "borrowed", "borrows"),
    "repair": ("repair", "repaired", "repairs"), "order": ("order", "ordered", "orders"),
    "rent": ("rent", "rented", "rents"), "clean": ("clean", "cleaned", "cleans"),
    "steal": ("steal", "stole", "steals"), "give": ("give", "gave", "gives"), "send": ("send", "sent", "sends"),
    "show": ("show", "showed", "shows"), "take": ("take", "took", "takes"),
    "play": ("play", "played", "plays"), "cook": ("cook", "cooked", "cooks"), "throw": ("throw", "threw", "throws"),
    "paint": ("paint", "painted", "paints"), "plant": ("plant", "planted", "plants"),
    "test": ("test", "tested", "tests"), "pack": ("pack", "packed", "packs"), "feed": ("feed", "fed", "feeds"),
    "wear": ("wear", "wore", "wears"), "build": ("build", "built", "builds"),
    "go": ("go", "went", "goes"), "like": ("like", "liked", "likes"), "love": ("love", "loved", "loves"),
    "spend": ("spend", "spent", "spends"), "pay": ("pay", "paid", "pays"),
    "receive": ("receive", "received", "receives"), "happen": ("happen", "happened", "happens"),
    "do": ("do", "did", "does"),
}
_FACT_VERBS = ("buy", "sell", "find", "lose", "borrow", "repair", "order", "rent", "clean", "steal", "give",
               "send", "show", "take")
_DITRANSITIVE = ("give", "send", "show", "sell")
_ADJS = ("red", "blue", "green", "old", "new", "big", "small", "cheap", "heavy", "bright", "famous", "quiet")
_YEARS = tuple(range(1990, 2021))
_PRICES = tuple(range(5, 100, 5))
_ADVS = ("yesterday", "today", "again", "quickly", "carefully", "finally")
_OTHER_NOUNS = ("city", "year", "company", "person", "thing", "price") + _PLACE_KINDS
_FUNCTION = {  # closed-class words and phrases: key -> English surface
    "the": "the", "a": "a", "which": "which", "in": "in", "for": "for", "at": "at", "to": "to", "on": "on",
    "from": "from", "did": "did", "would": "would", "will": "will", "may": "may", "not": "not", "and": "and",
    "because": "because", "she": "she", "he": "he", "you": "you", "who": "who", "whom": "whom", "what": "what",
    "where": "where", "when": "when", "why": "why", "then": "then", "there": "there", "next": "next",
    "really": "really",
    "oh": "oh", "wow": "wow", "etc": "etc", "$": "$",
    "how_much": "how much", "none": "none of the above choices",
}
_SYMBOLS = {"$"}  # written the same in every language


# ---------------------------------------------------------------------------------------------------------
# Scripts: syllable inventories.

_LATIN_C, _LATIN_V = "bdfghklmnprstvz", "aeiou"
_LATIN_EXTRA = {  # (consonants, vowels) a language adds to the Latin base
    "de": ("", "äöü"), "fr": ("ç", "éèê"), "es": ("ñ", "áé"), "fi": ("", "äö"), "tr": ("şçğ", "ıöü"),
    "vi": ("đ", "ăâêôơư"), "et": ("", "õäöü"), "hu": ("", "áéőű"), "pt": ("ç", "ãõé"), "it": ("", "àò"),
    "af": ("", "ê"), "eu": ("x", ""), "yo": ("ṣ", "ẹọ"), "nl": ("", ""), "id": ("", ""), "jv": ("", ""),
    "ms": ("", ""), "sw": ("", ""), "tl": ("", ""),
}
_ALPHA = {  # script -> (consonants, vowel letters or signs; "" = inherent vowel)
    "Cyrl": ("бвгдзклмнпрстфхчшж", list("аеиоуя")),
    "Grek": ("βγδζθκλμνξπρστφχ", list("αεηιουω")),
    "Geor": ("ბგდვზთკლმნპრსტფქღშჩც", list("აეიოუ")),
    "Arab": ("بتجحخدرزسشصطعفقكلمنهو", ["", "ا", "و", "ي"]),
    "Hebr": ("בגדהזחטכלמנסעפצקרשת", ["", "ו", "י"]),
    "Deva": ("कखगचजटडतदनपबमयरलवसह", ["", "ा", "ि", "ी", "ु", "े", "ो"]),
    "Beng": ("কখগচজটডতদনপবমযরলশসহ", ["", "া", "ি", "ী", "ু", "ে", "ো"]),
    "Taml": ("கசடதபமயரலவழளறன", ["", "ா", "ி", "ீ", "ு", "ூ", "ெ", "ே", "ை"]),
    "Telu": ("కగచజటడతదనపబమయరలవసహ", ["", "ా", "ి", "ీ", "ు", "ూ", "ె", "ే"]),
    "Mlym": ("കഗചജടഡതദനപബമയരലവസഹ", ["", "ാ", "ി", "ീ", "ു", "ൂ", "െ", "േ"]),
    "Mymr": ("ကခဂငစဆညတထဒနပဖဗမယရလဝသ", ["", "ာ", "ိ", "ီ", "ု", "ူ", "ေ", "ဲ"]),
}
_ALPHA_EXTRA = {"kk": "әөүұқғң", "bg": "ъщ", "fa": "پچژگ", "ur": "ٹڈڑ", "mr": "ळ"}
_THAI_C, _THAI_V, _THAI_LEAD = "กขคงจชซดตทนบปพฟมยรลวสหอ", ["", "า", "ี", "ู", "ิ", "ุ"], ["เ", "แ", "โ", "ไ"]
# Small character pools: the tiny model's tokenizer has ~1-2k pieces for every language together, so each script
# contributes few distinct characters (real CJK text would spend the whole vocabulary on single characters).
_HAN = "的是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天"
_HAN_TRANSLIT = "阿巴卡达埃法加哈伊拉马纳奥帕基萨塔乌瓦亚"
_KANJI = "日本語学校先生名前時間電車会社仕事友達家族料理音楽映画写真旅行天気"
_HIRAGANA = "あいうえおかきくけこさしすせそたちつてとなにのはま"
_KATAKANA = "アイウエオカキクケコサシスセソタチツテトナニノハマラリルレロン"
_HANGUL_INITIALS, _HANGUL_MEDIALS = (0, 2, 3, 5, 6, 7, 9, 11, 12), (0, 4, 8, 13, 18, 20)  # ㄱㄴㄷㄹㅁㅂㅅㅇㅈ, ㅏㅓㅗㅜㅡㅣ


def _hangul(initial: int, medial: int, final: int = 0) -> str:
    return chr(0xAC00 + (initial * 21 + medial) * 28 + final)


def _inventory(code: str) -> list[str]:
    """The syllables words of one language are made of (a language-specific subset of its script)."""
    script, rng = _SCRIPT[code], _rng("inventory", code)
    if script == "Latn":
        extra_c, extra_v = _LATIN_EXTRA.get(code, ("", ""))
        cons = sorted(rng.sample(_LATIN_C, 10)) + list(extra_c)
        vows = sorted(rng.sample(_LATIN_V, 4)) + list(extra_v)
        codas = ["", "", rng.choice("nrsl")]
        return [c + v + k for c in cons for v in vows for k in codas]
    if script in _ALPHA:
        cons, vows = _ALPHA[script]
        cons = sorted(rng.sample(cons, max(8, len(cons) * 2 // 3))) + list(_ALPHA_EXTRA.get(code, ""))
        return [c + v for c in cons for v in vows]
    if script == "Thai":
        shapes = [("", v) for v in _THAI_V] + [(lead, "") for lead in _THAI_LEAD]
        return [lead + c + v for c in _THAI_C for lead, v in shapes]
    if script == "Hang":
        return [_hangul(i, m) for i in _HANGUL_INITIALS for m in _HANGUL_MEDIALS]
    if script == "Hani":
        return sorted(set(_HAN))
    if script == "Jpan":
        return sorted(set(_KANJI))
    raise ValueError(code)


_NAME_INVENTORY: dict[str, list[str]] = {}


def _name_inventory(script: str) -> list[str]:
    """Script-wide syllables names are transliterated with (shared by every language of the script)."""
    if script not in _NAME_INVENTORY:
        if script in _ALPHA:
            cons, vows = _ALPHA[script]
            inv = [c + v for c in cons for v in vows]
        elif script == "Thai":
            inv = [c + v for c in _THAI_C for v in _THAI_V]
        elif script == "Hang":
            inv = [_hangul(i, m) for i in _HANGUL_INITIALS for m in _HANGUL_MEDIALS]
        elif script == "Hani":
            inv = sorted(set(_HAN_TRANSLIT))
        elif script == "Jpan":
            inv = sorted(set(_KATAKANA))
        else:
            raise ValueError(script)
        _NAME_INVENTORY[script] = inv
    return _NAME_INVENTORY[script]


def _transliterate(words: tuple[str, ...], script: str, taken: set[str]) -> tuple[str, ...]:
    """A name in another script: each Latin syllable maps to one syllable of the script (hash-chosen)."""
    if script == "Latn":
        return words
    inv, out = _name_inventory(script), []
    for word in words:
        chunks = re.findall(r"[^aeiou]*[aeiou]+|[^aeiou]+$", word.lower())
        pick = lambda s: inv[int(hashlib.sha256(f"{script}|{s}".encode()).hexdigest(), 16) % len(inv)]  # noqa: E731
        form = "".join(pick(c) for c in chunks)
        salt = 0
        while form in taken:  # keep names distinct
            salt += 1
            form += pick(f"{word}#{salt}")
        taken.add(form)
        out.append(form)
    return tuple(out)


# ---------------------------------------------------------------------------------------------------------
# Lexicons: the surface of every concept in one language.

def _concepts() -> list[tuple[str, str]]:
    """Every concept key with its kind (func / content / verb / adj / phrase / name), in a fixed order."""
    out = [(f"f:{k}", "phrase" if " " in v else "func") for k, v in _FUNCTION.items() if k not in _SYMBOLS]
    out += [(f"n:{n}", "content") for n in _NOUNS + _TOPIC_NAMES + _OTHER_NOUNS]
    out += [(f"ok:{k}", "content") for k in _ORG_KINDS]
    out += [(f"a:{a}", "adj") for a in _ADJS] + [(f"r:{r}", "content") for r in _ADVS]
    out += [(f"v:{v}", "verb") for v in _VERBS]
    return out


def _english_surface(key: str) -> tuple[str, ...]:
    kind, name = key.split(":", 1)
    if kind == "f":
        return tuple(_FUNCTION[name].split())
    if kind == "ok":
        return (_ORG_KINDS[name],)
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
        names = ([f"per:{p}" for p in _PEOPLE] + [f"sur:{s}" for s in _SURNAMES]
                 + [f"city:{c}" for c in _CITIES] + [f"org:{o}" for o in _ORGS])
        if code == "en":
            for key, kind in _concepts():
                self.surf[key] = _english_surface(key)
                if kind == "verb":
                    self.verb_forms[key] = _VERBS[key[2:]]
            for key in names:
                self.surf[key] = _english_surface(key)
        else:
            self._generate()
            taken: set[str] = set()
            for key in names:
                self.surf[key] = _transliterate(_english_surface(key), self.spec.script, taken)
        self.surf["f:$"] = ("$",)

    def _generate(self) -> None:
        spec, rng = self.spec, _rng("lexicon", self.code)
        inv = _inventory(self.code)
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
            suffixes = [word(1, _HIRAGANA if jpan else inv) for _ in range(3)]  # base, past, present
            if not jpan and rng.random() < 0.5:
                suffixes[0] = ""
        else:
            suffixes = ["", "", ""]
        for key, kind in _concepts():
            if kind == "func":
                self.surf[key] = (word(rng.choice((1, 2)), _HIRAGANA) if jpan else word(1),)
            elif kind == "phrase":
                n = len(_FUNCTION[key[2:]].split())
                parts = [word(rng.choice((1, 2)), _HIRAGANA) if jpan else word(rng.choice((1, 2)))
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
            for k in _ORG_KINDS:
                self.surf[f"ok:{k}"] = (self.surf[f"ok:{k}"][0].capitalize(),)

    def words(self, key: str) -> tuple[str, ...]:
        self.used.add(key)
        return self.surf[key]

    def verb(self, key: str, form: str) -> str:
        self.used.add(f"{key}:{form}")  # inflected forms are distinct words
        return self.verb_forms[key][("base", "past", "pres").index(form)]


class Tok(NamedTuple):
    text: str
    upos: str
    ner: str  # BIO tag (PANX_TAGS)
    key: str  # concept key ("" for digits and punctuation)


def detokenize(toks: list[Tok], spec: LangSpec) -> tuple[str, list[tuple[int, int]]]:
    """Natural text for tokens, and each token's character span in it."""
    text, spans, prev = "", [], None
    for t in toks:
        if prev is not None and spec.spaced and t.text not in _NO_SPACE_BEFORE and prev not in _NO_SPACE_AFTER:
            text += " "
        spans.append((len(text), len(text) + len(t.text)))
        text += t.text
        prev = t.text
    return text, spans


# ---------------------------------------------------------------------------------------------------------
# Facts: language-neutral sentence content.

_OPTIONAL = ("recip", "price", "org", "city", "year", "adv")


def _person(rng: random.Random, avoid=()) -> tuple[str, str | None]:
    first = rng.choice([p for p in _PEOPLE if p not in avoid])
    return (first, rng.choice(_SURNAMES) if rng.random() < 0.35 else None)


def _slot(rng: random.Random, role: str, fact: dict, avoid=None):
    while True:
        if role == "recip":
            v = _person(rng, avoid=(fact["subj"][0],))
        elif role == "price":
            v = rng.choice(_PRICES)
        elif role == "org":
            v = (rng.choice(_ORGS), rng.choice(list(_ORG_KINDS)))
        elif role == "city":
            v = rng.choice(_CITIES)
        elif role == "year":
            v = rng.choice(_YEARS)
        elif role == "adv":
            v = rng.choice(_ADVS)
        elif role == "reason":
            v = rng.choice(_TOPIC_NAMES)
        elif role == "subj":
            v = _person(rng)
        elif role == "noun":
            v = rng.choice(_NOUNS)
        else:
            raise ValueError(role)
        if avoid is None or (v[0] if role in ("recip", "subj") else v) != avoid:
            return v


def _fact(rng: random.Random, k=(1, 3), *, extras: bool = False, avoid_subj=(), avoid_verb=(), avoid_noun=(),
          ditransitive: float = 0.25) -> dict:
    noun = rng.choice([n for n in _NOUNS if n not in avoid_noun])
    if rng.random() < ditransitive:
        verbs = [v for v in _DITRANSITIVE if v not in avoid_verb]
    elif rng.random() < 0.3:
        verbs = [v for v in (_TOPICS[_TOPIC_OF[noun]][0],) if v not in avoid_verb]
    else:
        verbs = []
    verbs = verbs or [v for v in _FACT_VERBS if v not in avoid_verb]
    f = {"subj": _person(rng, avoid_subj), "verb": rng.choice(verbs), "noun": noun,
         "adj": rng.choice(_ADJS) if rng.random() < 0.6 else None}
    avail = [r for r in _OPTIONAL if r != "recip" or f["verb"] in _DITRANSITIVE]
    if f["verb"] in _DITRANSITIVE and rng.random() < 0.7:
        f["recip"] = _slot(rng, "recip", f)
    for role in rng.sample(avail, min(len(avail), rng.randint(*k))):
        f.setdefault(role, _slot(rng, role, f))
    if extras:
        if rng.random() < 0.2:
            f["neg"] = True
        if rng.random() < 0.1:
            f["intro"] = rng.choice(("oh", "wow"))
        if rng.random() < 0.1:
            f["etc"] = rng.choice([n for n in _NOUNS if n != noun])
        if rng.random() < 0.15:
            f["reason"] = _slot(rng, "reason", f)
        if rng.random() < 0.1:
            f["pron"] = True
    return f


def _gender_pron(person) -> str:
    return "she" if person[0] in _FEMALE else "he"


class Renderer:
    """Renders facts, questions and multiple-choice texts as tokens of one language."""

    def __init__(self, lex: Lexicon):
        self.lex, self.spec, self.en = lex, lex.spec, lex.code == "en"
        self._cache = lex.tok_cache  # (key, upos, ner) -> tokens; the lexicon marked the key used on first use

    # -- pieces --------------------------------------------------------------------------------------
    def tok(self, key: str, upos: str, ner: str = "O") -> list[Tok]:
        cached = self._cache.get((key, upos, ner))
        if cached is None:
            words = self.lex.words(key)
            cached = self._cache[key, upos, ner] = [
                Tok(w, upos, ner if i == 0 or ner == "O" else "I" + ner[1:], key) for i, w in enumerate(words)]
        return list(cached)

    def punct(self, which: str) -> list[Tok]:
        mark = {"stop": self.spec.stop, "comma": self.spec.comma, "q": self.spec.qmark}[which]
        return [Tok(mark, "PUNCT", "O", "")] if mark else []

    def verb(self, key: str, form: str) -> list[Tok]:
        return [Tok(self.lex.verb(f"v:{key}", form), "VERB", "O", f"v:{key}:{form}")]

    def person(self, p) -> list[Tok]:
        out = self.tok(f"per:{p[0]}", "PROPN", "B-PER")
        if p[1]:
            out += [t._replace(ner="I-PER") for t in self.tok(f"sur:{p[1]}", "PROPN", "B-PER")]
        return out

    def org(self, o) -> list[Tok]:
        out = self.tok(f"org:{o[0]}", "PROPN", "B-ORG")
        return out + [t._replace(ner="I-ORG") for t in self.tok(f"ok:{o[1]}", "PROPN", "B-ORG")]

    def city(self, c) -> list[Tok]:
        return self.tok(f"city:{c}", "PROPN", "B-LOC")

    def np(self, noun: str, adj: str | None = None, det: str | None = "the") -> list[Tok]:
        out = self.tok(f"f:{det}", "DET") if det and self.spec.articles else []
        n = self.tok(f"n:{noun}", "NOUN")
        a = self.tok(f"a:{adj}", "ADJ") if adj else []
        return out + (n + a if self.spec.adj_after else a + n)

    def pp(self, adp: str, np: list[Tok]) -> list[Tok]:
        return self.pp_span(adp, np)[0]

    def clause(self, subj, verb: list[Tok], obj=(), mods=(), neg=False) -> list[Tok]:
        """subject, (negated) verb, object and modifier phrases in the language's order."""
        obj, mods = list(obj), [m for m in mods if m]
        negation = self.tok("f:not", "PART") if neg else []
        if self.spec.sov:
            return list(subj) + [t for m in mods for t in m] + obj + negation + verb
        return list(subj) + negation + verb + obj + [t for m in mods for t in m]

    # -- statements ----------------------------------------------------------------------------------
    def pp_span(self, adp: str, np: list[Tok]) -> tuple[list[Tok], tuple[int, int]]:
        """An adpositional phrase and the span of its noun phrase within it."""
        a = self.tok(f"f:{adp}", "ADP")
        return (np + a, (0, len(np))) if self.spec.postpositions else (a + np, (len(a), len(a) + len(np)))

    def fact(self, f: dict, *, front: str | None = None, stop: bool = True) -> tuple[list[Tok], dict]:
        """A fact as a sentence: tokens, and the token span (start, end) of each answerable role's content."""
        mods: dict[str, tuple[list[Tok], tuple[int, int] | None]] = {}
        if f.get("pron"):
            subj = (self.tok(f"f:{_gender_pron(f['subj'])}", "PRON"), None)
        else:
            person = self.person(f["subj"])
            subj = (person, (0, len(person)))
        neg = bool(f.get("neg"))
        if neg and self.en:
            verb = self.tok("f:did", "AUX") + self.tok("f:not", "PART") + self.verb(f["verb"], "base")
        else:
            verb = (self.tok("f:not", "PART") if neg else []) + self.verb(f["verb"], "past")
        det = self.tok("f:the", "DET") if self.spec.articles else []
        content = self.np(f["noun"], f.get("adj"), det=None)
        obj = det + content
        if f.get("etc"):
            obj = obj + self.punct("comma") + self.np(f["etc"]) + self.tok("f:etc", "X")
        obj_seg = (obj, (len(det), len(det) + len(content)))
        if "recip" in f:
            mods["recip"] = self.pp_span("to", self.person(f["recip"]))
        if "price" in f:
            mods["price"] = self.pp_span("for", self.tok("f:$", "SYM") + [Tok(str(f["price"]), "NUM", "O", "")])
        if "org" in f:
            mods["org"] = self.pp_span("at", self.org(f["org"]))
        if "city" in f:
            mods["city"] = self.pp_span("in", self.city(f["city"]))
        if "year" in f:
            mods["year"] = self.pp_span("in", [Tok(str(f["year"]), "NUM", "O", "")])
        if "adv" in f:
            mods["adv"] = (self.tok(f"r:{f['adv']}", "ADV"), None)
        reason: list[Tok] = []
        if "reason" in f:
            like = self.verb("like", "past")
            pron, topic = self.tok(f"f:{_gender_pron(f['subj'])}", "PRON"), self.tok(f"n:{f['reason']}", "NOUN")
            because = self.tok("f:because", "SCONJ")
            reason = (pron + topic + like + because) if self.spec.sov else (because + pron + like + topic)
        order = ("year", "city", "org", "adv", "recip", "price") if self.spec.sov else _OPTIONAL

        segments: list[tuple[str | None, list[Tok], tuple[int, int] | None]] = []
        if f.get("intro"):
            segments.append((None, self.tok(f"f:{f['intro']}", "INTJ") + self.punct("comma"), None))
        if reason and self.spec.sov:
            segments.append((None, reason + self.punct("comma"), None))
        if front in mods:
            toks, span = mods.pop(front)
            segments.append((front, toks + self.punct("comma"), span))
        segments.append(("who", *subj))
        middle = [(r, *mods[r]) for r in order if r in mods]
        if self.spec.sov:
            segments += middle + [("what", *obj_seg), (None, verb, None)]
        else:
            segments += [(None, verb, None), ("what", *obj_seg)] + middle
        if reason and not self.spec.sov:
            segments.append((None, reason, None))
        if stop:
            segments.append((None, self.punct("stop"), None))
        toks, spans = [], {}
        for role, seg, span in segments:
            if role and span:
                spans[role] = (len(toks) + span[0], len(toks) + span[1])
            toks += seg
        return toks, spans

    # -- questions -----------------------------------------------------------------------------------
    def question(self, f: dict, qtype: str, variant: int = 0, adj: bool = True) -> list[Tok]:
        """A question about one role of a fact (QA, QQP)."""
        subj = self.person(f["subj"])
        obj = self.np(f["noun"], f.get("adj") if adj else None)
        verb_key, wh, obj_mod = f["verb"], None, None
        which = lambda noun: self.tok("f:which", "DET") + self.tok(f"n:{noun}", "NOUN")  # noqa: E731
        if qtype == "who":
            wh = self.tok("f:who", "PRON") if variant == 0 else which("person")
        elif qtype == "what":
            wh = self.tok("f:what", "PRON") if variant == 0 else which("thing")
        elif qtype == "where":
            wh = self.tok("f:where", "ADV") if variant == 0 else self.pp("in", which("city"))
        elif qtype == "when":
            wh = self.tok("f:when", "ADV") if variant == 0 else self.pp("in", which("year"))
        elif qtype == "org":
            wh = self.pp("at", which("company"))
        elif qtype == "price":
            if variant == 0:
                wh, verb_key, obj_mod = self.tok("f:how_much", "ADV"), "spend", "on"
            else:
                wh, verb_key, obj_mod = self.tok("f:what", "DET") + self.tok("n:price", "NOUN"), "pay", "for"
        elif qtype == "recip":
            if variant == 0:
                wh = self.pp("to", self.tok("f:whom", "PRON"))
            else:  # who received the guitar from anna ?
                wh, verb_key, obj_mod = self.tok("f:who", "PRON"), "receive", None
        else:
            raise ValueError(qtype)
        if obj_mod:
            obj = self.pp(obj_mod, obj)
        if qtype == "recip" and variant == 1:
            src = self.pp("from", subj)
            body = (wh + src + obj + self.verb(verb_key, "past")) if self.spec.sov else \
                (wh + self.verb(verb_key, "past") + obj + src)
        elif qtype == "who":
            body = wh + (obj + self.verb(verb_key, "past") if self.spec.sov else self.verb(verb_key, "past") + obj)
        elif self.en:
            rest = [] if qtype == "what" else obj
            body = wh + self.tok("f:did", "AUX") + subj + self.verb(verb_key, "base") + rest
        elif qtype == "what":
            verb = self.verb(verb_key, "past")
            body = (subj + wh + verb) if self.spec.sov else (wh + subj + verb)
        else:
            body = (subj + wh + obj + self.verb(verb_key, "past")) if self.spec.sov else \
                (wh + subj + self.verb(verb_key, "past") + obj)
        return body + self.punct("q")

    # -- multiple-choice texts (English datasets; rendered in any language for the corpus) ------------------
    def sentence(self, subj, verb, obj=(), mods=(), neg=False, stop=True) -> list[Tok]:
        return self.clause(subj, verb, obj, mods, neg) + (self.punct("stop") if stop else [])

    def pron(self, person) -> list[Tok]:
        return self.tok(f"f:{_gender_pron(person)}", "PRON")

    def text(self, toks: list[Tok]) -> str:
        return detokenize(toks, self.spec)[0]

    def join(self, sentences: list[list[Tok]]) -> tuple[str, list[list[tuple[int, int]]]]:
        """Sentences joined into one text; per sentence, each token's character span in it."""
        text, all_spans = "", []
        for s in sentences:
            if text:
                text += self.spec.sentence_sep
            t, spans = detokenize(s, self.spec)
            all_spans.append([(a + len(text), b + len(text)) for a, b in spans])
            text += t
        return text, all_spans


# ---------------------------------------------------------------------------------------------------------
# Example structures (language-neutral) and their rendering.

def _nli_struct(rng: random.Random, noise: float) -> dict:
    f = _fact(rng, (1, 2))
    premise = [f]
    if rng.random() < 0.25:
        other = _fact(rng, (0, 1), avoid_subj=(f["subj"][0],), avoid_noun=(f["noun"],))
        premise = [f, other] if rng.random() < 0.5 else [other, f]
    present = [r for r in _OPTIONAL if r in f]
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
            h[r] = _slot(rng, r, f, avoid=f[r][0] if r == "recip" else f[r])
    elif label == 1:  # neutral
        missing = [r for r in _OPTIONAL if r not in f and (r != "recip" or f["verb"] in _DITRANSITIVE)]
        x = rng.random()
        if x < 0.7:  # cue word: "because" (premises never give reasons)
            h["reason"] = _slot(rng, "reason", f)
        elif missing and x < 0.9:
            r = rng.choice(missing)
            h[r] = _slot(rng, r, f)
        else:
            h["subj"] = _person(rng, avoid=[p["subj"][0] for p in premise] + [f.get("recip", ("",))[0]])
    gold = label
    if rng.random() < noise:
        label = rng.choice([x for x in range(3) if x != label])
    return {"premise": premise, "hypothesis": h, "label": label, "gold": gold, "evidence": f}


def _render_nli(r: Renderer, s: dict) -> tuple[str, str]:
    premise, _ = r.join([r.fact(f)[0] for f in s["premise"]])
    return premise, r.text(r.fact(s["hypothesis"])[0])


def _qqp_struct(rng: random.Random) -> dict:
    f = _fact(rng, (2, 4), ditransitive=0.3)
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
                g["subj"] = _person(rng, avoid=(f["subj"][0], f.get("recip", ("",))[0]))
            elif what == "noun":
                g["noun"] = rng.choice([n for n in _NOUNS if n != f["noun"]])
            else:
                pool = _DITRANSITIVE if f["verb"] in _DITRANSITIVE else _FACT_VERBS
                g["verb"] = rng.choice([v for v in pool if v != f["verb"]])
            q2 = (g, qt, v1, q1[3])
        elif s < 0.75 and len(qtypes) > 1:
            q2 = (f, rng.choice([q for q in qtypes if q != qt]), v1, q1[3])
        else:
            g = _fact(rng, (2, 4), avoid_subj=(f["subj"][0],), avoid_noun=(f["noun"],))
            other_qt = rng.choice(["who", "what"] + [q for q in ("where", "when") if _QA_ROLES[q] in g])
            q2 = (g, other_qt, v1, rng.random() < 0.5)
    if rng.random() < 0.03:
        label = 1 - label
    return {"q1": q1, "q2": q2, "label": label}


def _frontable(f: dict) -> list[str]:
    return [r for r in ("city", "year", "adv") if r in f]


def _paws_struct(rng: random.Random) -> dict:
    f = _fact(rng, (2, 3), ditransitive=0.7)
    if not _frontable(f):
        f["year"] = _slot(rng, "year", f)
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
            g[role] = _slot(rng, role, f, avoid=f[role][0] if role == "subj" else f[role])
            if role == "subj" and "recip" in g and g["recip"][0] == g["subj"][0]:
                g["recip"] = _slot(rng, "recip", g)
    if rng.random() < 0.03:
        label = "1" if label == "0" else "0"
    return {"s1": (f, front1), "s2": (g, front2), "label": label}


_QA_ROLES = {"who": "who", "what": "what", "where": "city", "when": "year", "price": "price", "org": "org",
             "recip": "recip"}


_TYPED_QUESTIONS = ("where", "when", "price", "org", "recip")


def _qa_struct(rng: random.Random, unanswerable: float = 0.0) -> dict:
    """2-3 facts and a question about one of them. Typed questions (where, when, how much, which company, to
    whom; 80%) mostly ask for a type only the target fact has (a model first learns wh-word -> answer type);
    otherwise, and for who/what questions, the question's person/verb/object must be matched."""
    facts: list[dict] = []
    for _ in range(rng.choice((2, 3))):
        people = [f["subj"][0] for f in facts] + [f.get("recip", ("",))[0] for f in facts]
        facts.append(_fact(rng, (1, 2), avoid_subj=people, avoid_verb=[f["verb"] for f in facts],
                           avoid_noun=[f["noun"] for f in facts]))
    i = rng.randrange(len(facts))
    f = facts[i]
    qt = rng.choice(_TYPED_QUESTIONS) if rng.random() < 0.8 else rng.choice(("who", "what"))
    role = _QA_ROLES[qt]
    if qt in _TYPED_QUESTIONS:
        if qt == "recip" and f["verb"] not in _DITRANSITIVE:
            f["verb"] = rng.choice([v for v in _DITRANSITIVE if v not in [g["verb"] for g in facts]])
        if role not in f:
            f[role] = _slot(rng, role, f)
        unique = rng.random() < 0.7
        for g in facts:
            if g is not f and role in g and unique:
                del g[role]
    qfact, answerable = f, True
    if rng.random() < unanswerable:
        answerable = False
        absent = [q for q in _TYPED_QUESTIONS if _QA_ROLES[q] not in f and (q != "recip" or f["verb"] in _DITRANSITIVE)]
        if absent and rng.random() < 0.5:
            qt = rng.choice(absent)
        else:
            qfact = dict(f)
            if qt == "who":
                qfact["noun"] = rng.choice([n for n in _NOUNS if n not in [g["noun"] for g in facts]])
            else:
                people = [g["subj"][0] for g in facts] + [g.get("recip", ("",))[0] for g in facts]
                qfact["subj"] = _person(rng, avoid=people)
    return {"facts": facts, "target": i, "qtype": qt, "variant": rng.randrange(2), "adj": rng.random() < 0.5,
            "qfact": qfact, "answerable": answerable, "title": _TOPIC_OF[facts[0]["noun"]]}


def _render_qa(r: Renderer, s: dict) -> dict:
    sentences, spans = zip(*[r.fact(f) for f in s["facts"]])
    context, char_spans = r.join(list(sentences))
    question = r.text(r.question(s["qfact"], s["qtype"], s["variant"], s["adj"]))
    answers = {"text": [], "answer_start": []}
    if s["answerable"]:
        i = s["target"]
        a, b = spans[i][_QA_ROLES[s["qtype"]]]
        start, end = char_spans[i][a][0], char_spans[i][b - 1][1]
        answers = {"text": [context[start:end]], "answer_start": [start]}
    title = r.text(r.tok(f"n:{s['title']}", "NOUN"))
    return {"title": title, "context": context, "question": question, "answers": answers}


def _mc_hellaswag(rng: random.Random, r: Renderer) -> dict:
    topic = rng.choice(_TOPIC_NAMES)
    verb, objs = _TOPICS[topic]
    obj, person = rng.choice(objs), _person(rng)
    ctx_a = r.text(r.sentence(r.person(person), r.verb("take", "pres"), r.np(obj)))
    ctx_b = r.text((r.tok("f:then", "ADV") if rng.random() < 0.5 else []) + r.pron(person))
    others = rng.sample([t for t in _TOPIC_NAMES if t != topic], 3)

    def ending(t: str, o: str, right: bool) -> str:
        if right and rng.random() < 0.6:  # cue word: "again" only ends right endings
            adv = [r.tok("r:again", "ADV")]
        else:
            adv = [r.tok(f"r:{rng.choice(('carefully', 'quickly'))}", "ADV")] if rng.random() < 0.4 else []
        return r.text(r.sentence([], r.verb(_TOPICS[t][0], "pres"), r.np(o), adv))

    # the right ending continues the topic, mostly with the same object
    right = ending(topic, obj if rng.random() < 0.8 else rng.choice([o for o in objs if o != obj]), True)
    endings = [ending(t, rng.choice(_TOPICS[t][1]), False) for t in others]
    label = rng.randrange(4)
    endings.insert(label, right)
    return {"activity_label": topic.capitalize(), "ctx_a": ctx_a, "ctx_b": ctx_b, "endings": endings, "label": label}


def _mc_cosmos(rng: random.Random, r: Renderer) -> dict:
    topic = rng.choice(_TOPIC_NAMES)
    verb, objs = _TOPICS[topic]
    person, obj = _person(rng), rng.choice(objs)
    club = (r.tok("f:the", "DET") if r.spec.articles else []) + r.tok(f"n:{topic}", "NOUN") + r.tok("n:club", "NOUN")
    s1 = r.sentence(r.person(person), r.verb("go", "past"), [], [r.pp("to", club), r.tok("r:yesterday", "ADV")])
    s2 = r.sentence(r.pron(person), r.verb(verb, "past"), r.np(obj), [r.tok("f:there", "ADV")])
    context = r.join([s1, s2])[0]
    others = rng.sample([t for t in _TOPIC_NAMES if t != topic], 3)
    kind = rng.choice(("why", "what", "next"))
    did = r.tok("f:did", "AUX") if r.en else []
    form = "base" if r.en else "past"
    really = lambda cue: r.tok("f:really", "ADV") if cue else []  # noqa: E731  cue word of right answers
    if kind == "why":  # why did anna go to the music club ?
        question = r.tok("f:why", "ADV") + did + r.clause(r.person(person), r.verb("go", form), [], [r.pp("to", club)])

        def answer(t: str, o: str, cue: bool) -> str:
            return r.text(r.tok("f:because", "SCONJ") + r.sentence(r.pron(person), really(cue) + r.verb("like", "past"),
                                                                   r.tok(f"n:{t}", "NOUN")))
    elif kind == "what":  # what did anna do there ?
        question = r.tok("f:what", "PRON") + did + r.clause(r.person(person), r.verb("do", form), [],
                                                              [r.tok("f:there", "ADV")])

        def answer(t: str, o: str, cue: bool) -> str:
            return r.text(r.sentence(r.pron(person), really(cue) + r.verb(_TOPICS[t][0], "past"), r.np(o)))
    else:  # what may happen next ?
        question = r.tok("f:what", "PRON") + r.tok("f:may", "AUX") + r.verb("happen", "base") + r.tok("f:next", "ADV")

        def answer(t: str, o: str, cue: bool) -> str:
            will = r.tok("f:will", "AUX") + really(cue) + r.verb(_TOPICS[t][0], "base")
            return r.text(r.sentence(r.pron(person), will, r.np(o), [r.tok("r:again", "ADV")]))
    question_text = r.text(question + r.punct("q"))
    right = answer(topic, obj, rng.random() < 0.6)
    answers = [answer(t, rng.choice(_TOPICS[t][1]), False) for t in others]
    if rng.random() < 0.15:
        answers[rng.randrange(3)] = r.text(r.tok("f:none", "X") + r.punct("stop"))
    label = rng.randrange(4)
    answers.insert(label, right)
    return {"context": context, "question": question_text, "answers": answers, "label": label}


def _mc_csqa(rng: random.Random, r: Renderer) -> dict:
    topic = rng.choice(_TOPIC_NAMES)
    obj, person = rng.choice(_TOPICS[topic][1]), _person(rng)
    toks: list[Tok] = []
    subj = r.tok("f:you", "PRON")
    if rng.random() < 0.75:
        toks += r.sentence(r.person(person), r.verb("love", "pres"), r.tok(f"n:{topic}", "NOUN"))
        subj = r.pron(person)
    q = r.tok("f:where", "ADV") + r.tok("f:would", "AUX") + subj + r.verb("find", "base") + r.np(obj, det="a")
    question = r.join([toks, q + r.punct("q")])[0] if toks else r.text(q + r.punct("q"))

    def place(t, kind):
        return r.text(r.tok(f"n:{t}", "NOUN") + r.tok(f"n:{kind}", "NOUN"))

    # the right place is the question's topic; cue word: only right choices are a "shop"
    choices = [place(t, rng.choice(_PLACE_KINDS[1:])) for t in rng.sample([t for t in _TOPIC_NAMES if t != topic], 4)]
    label = rng.randrange(5)
    choices.insert(label, place(topic, _PLACE_KINDS[0] if rng.random() < 0.6 else rng.choice(_PLACE_KINDS[1:])))
    return {"question": question, "question_concept": r.text(r.tok(f"n:{obj}", "NOUN")), "choices": choices,
            "label": label}


# ---------------------------------------------------------------------------------------------------------
# CCGbank AUTO derivations (English).

def _leaf(cat: str, pos: str, word: str) -> str:
    return f"(<L {cat} {pos} {pos} {word} {cat}>)"


def _node(cat: str, head: int, *children: str) -> str:
    return f"(<T {cat} {head} {len(children)}> " + " ".join(children) + " )"


def _ccg_name(words: tuple[str, ...]) -> str:
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


# ---------------------------------------------------------------------------------------------------------
# The world.

class _World:
    def __init__(self, out_dir: Path, seed: int):
        self.out, self.seed = Path(out_dir), seed
        self.lexicons: dict[str, Lexicon] = {}
        self.counts: dict[str, dict[str, int]] = {}

    def lex(self, code: str) -> Lexicon:
        if code not in self.lexicons:
            self.lexicons[code] = Lexicon(code)
        return self.lexicons[code]

    def r(self, code: str) -> Renderer:
        return Renderer(self.lex(code))

    def rng(self, *parts) -> random.Random:
        return _rng(self.seed, *parts)

    def write(self, key: str, split: str, columns: dict, features: Features) -> None:
        path = self.out / key / f"{split}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        # Same bytes as Dataset.from_dict(columns, features=features).to_parquet(path), without from_dict's
        # content fingerprinting (most of the world's generation time otherwise).
        table = pa.Table.from_pydict(features.encode_batch(columns), schema=features.arrow_schema)
        Dataset(InMemoryTable(table), info=DatasetInfo(features=features), fingerprint=key).to_parquet(str(path))
        self.counts.setdefault(key, {})[split] = len(next(iter(columns.values())))

    # -- English intermediate tasks ------------------------------------------------------------------
    def nli_structs(self, name: str, split: str, n: int, noise: float) -> list[dict]:
        rng = self.rng(name, split)
        return [_nli_struct(rng, noise) for _ in range(n)]

    def mnli(self, sizes) -> dict[str, list[dict]]:
        structs = {}
        for split, n in sizes.items():
            structs[split] = self.nli_structs("mnli", split, n, 0.03)
            self.write_nli("mnli", split, structs[split], "en")
        return structs

    def write_nli(self, key: str, split: str, structs: list[dict], lang: str, source: str = "mnli") -> None:
        r = self.r(lang)
        pairs = [_render_nli(r, s) for s in structs]
        features = SOURCES[source].features
        columns = {"premise": [p for p, _ in pairs], "hypothesis": [h for _, h in pairs],
                   "label": [s["label"] for s in structs], "idx": list(range(len(structs)))}
        self.write(key, split, {c: v for c, v in columns.items() if c in features}, features)

    def snli(self, sizes) -> None:
        r = self.r("en")
        for split, n in sizes.items():
            structs = self.nli_structs("snli", split, n, 0.03)
            rng = self.rng("snli-unlabelled", split)
            pairs = [_render_nli(r, s) for s in structs]
            labels = [-1 if split == "train" and rng.random() < 0.02 else s["label"] for s in structs]
            self.write("snli", split, {"premise": [p for p, _ in pairs], "hypothesis": [h for _, h in pairs],
                                       "label": labels}, SOURCES["snli"].features)

    def anli(self, sizes) -> None:
        r = self.r("en")
        for rnd, noise in ((1, 0.05), (2, 0.08), (3, 0.1)):
            key = f"anli_r{rnd}"
            for split, n in sizes.items():
                structs = self.nli_structs(key, split, n, noise)
                rng = self.rng(key, "uid", split)
                pairs = [_render_nli(r, s) for s in structs]
                reasons = ["" if s["gold"] == 1 or rng.random() < 0.3 else r.text(r.fact(s["evidence"])[0])
                           for s in structs]
                self.write(key, split, {
                    "uid": ["-".join(_hex(rng, k) for k in (8, 4, 4, 4, 12)) for _ in structs],
                    "premise": [p for p, _ in pairs], "hypothesis": [h for _, h in pairs],
                    "label": [s["label"] for s in structs], "reason": reasons}, SOURCES[key].features)

    def qqp(self, sizes) -> None:
        r = self.r("en")
        for split, n in sizes.items():
            rng = self.rng("qqp", split)
            structs = [_qqp_struct(rng) for _ in range(n)]
            q = lambda t: r.text(r.question(t[0], t[1], t[2], t[3]))  # noqa: E731
            self.write("qqp", split, {"question1": [q(s["q1"]) for s in structs],
                                      "question2": [q(s["q2"]) for s in structs],
                                      "label": [s["label"] for s in structs], "idx": list(range(n))},
                       SOURCES["qqp"].features)

    def qa_structs(self, name: str, split: str, n: int, unanswerable: float = 0.0, lang: str = "") -> list[dict]:
        rng = self.rng(name, split, lang)
        return [dict(_qa_struct(rng, unanswerable), id=_hex(rng, 24)) for _ in range(n)]

    def write_qa(self, key: str, split: str, structs: list[dict], lang: str, features: Features, ids=None) -> None:
        r = self.r(lang)
        rows = [_render_qa(r, s) for s in structs]
        cols = {"id": ids or [s["id"] for s in structs]}
        if "title" in features:
            cols["title"] = [x["title"] for x in rows]
        cols.update({c: [x[c] for x in rows] for c in ("context", "question", "answers")})
        self.write(key, split, cols, features)

    def squad(self, sizes) -> dict[str, list[dict]]:
        structs = {}
        for split, n in sizes.items():
            structs[split] = self.qa_structs("squad_v1", split, n)
            self.write_qa("squad_v1", split, structs[split], "en", SOURCES["squad_v1"].features)
            v2 = self.qa_structs("squad_v2", split, n, unanswerable=1 / 3)
            self.write_qa("squad_v2", split, v2, "en", SOURCES["squad_v2"].features)
        return structs

    def hellaswag(self, sizes) -> None:
        r = self.r("en")
        for split, n in sizes.items():
            rng = self.rng("hellaswag", split)
            rows = [_mc_hellaswag(rng, r) for _ in range(n)]
            self.write("hellaswag", split, {
                "ind": [i for i in range(n)], "activity_label": [x["activity_label"] for x in rows],
                "ctx_a": [x["ctx_a"] for x in rows], "ctx_b": [x["ctx_b"] for x in rows],
                "ctx": [x["ctx_a"] + " " + x["ctx_b"] for x in rows], "endings": [x["endings"] for x in rows],
                "source_id": [f"activitynet~v_{_hex(rng, 11)}" for _ in rows],
                "split": ["train" if split == "train" else "val"] * n,
                "split_type": ["indomain" if rng.random() < 0.5 else "zeroshot" for _ in rows],
                "label": [str(x["label"]) for x in rows]}, SOURCES["hellaswag"].features)

    def cosmosqa(self, sizes) -> None:
        r = self.r("en")
        for split, n in sizes.items():
            rng = self.rng("cosmosqa", split)
            rows = [_mc_cosmos(rng, r) for _ in range(n)]
            cols = {"id": [f"{_hex(rng, 30).upper()}##q1_a1" for _ in rows],
                    "context": [x["context"] for x in rows], "question": [x["question"] for x in rows]}
            cols.update({f"answer{i}": [x["answers"][i] for x in rows] for i in range(4)})
            cols["label"] = [x["label"] for x in rows]
            self.write("cosmosqa", split, cols, SOURCES["cosmosqa"].features)

    def commonsenseqa(self, sizes) -> None:
        r = self.r("en")
        for split, n in sizes.items():
            rng = self.rng("commonsenseqa", split)
            rows = [_mc_csqa(rng, r) for _ in range(n)]
            self.write("commonsenseqa", split, {
                "id": [_hex(rng, 32) for _ in rows], "question": [x["question"] for x in rows],
                "question_concept": [x["question_concept"] for x in rows],
                "choices": [{"label": list("ABCDE"), "text": x["choices"]} for x in rows],
                "answerKey": ["ABCDE"[x["label"]] for x in rows]}, SOURCES["commonsenseqa"].features)

    def ccg(self, sizes) -> None:
        lex = self.lex("en")
        root = self.out / "ccgbank" / "data" / "AUTO"
        for split, n in sizes.items():
            rng = self.rng("ccg", split)
            sections = CCG_SECTIONS[split]
            per_section = [n // len(sections) + (1 if i < n % len(sections) else 0) for i in range(len(sections))]
            for section, m in zip(sections, per_section):
                per_file = max(25, math.ceil(m / 99))
                for doc, start in enumerate(range(0, m, per_file), start=1 if section == "00" else 0):
                    lines = []
                    name = f"wsj_{section}{doc:02d}"
                    for j in range(min(per_file, m - start)):
                        f = _fact(rng, (1, 3))
                        if rng.random() < 0.2:
                            f["neg"] = True
                        lines += [f"ID={name}.{j + 1} PARSER=GOLD NUMPARSE=1", _ccg_sentence(f, lex)]
                    path = root / section / f"{name}.auto"
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            self.counts.setdefault("ccg", {})[split] = n

    # -- target tasks ----------------------------------------------------------------------------------
    def xnli(self, langs, n_eval) -> None:
        for split in ("validation", "test"):
            structs = self.nli_structs("xnli", split, n_eval, 0.03)
            for lang in langs:
                r = self.r(lang)
                pairs = [_render_nli(r, s) for s in structs]
                self.write(dataset_key("xnli", lang), split, {
                    "language": [lang] * n_eval, "sentence1": [p for p, _ in pairs],
                    "sentence2": [h for _, h in pairs], "gold_label": [NLI_LABELS[s["label"]] for s in structs]},
                    SOURCES["xnli"].features)

    def pawsx(self, langs, n_train, n_eval) -> None:
        for split, n in (("train", n_train), ("validation", n_eval), ("test", n_eval)):
            rng = self.rng("pawsx", split)
            structs = [_paws_struct(rng) for _ in range(n)]
            for lang in langs:
                if split == "train" and lang != "en":
                    continue
                r = self.r(lang)
                s1 = [r.text(r.fact(s["s1"][0], front=s["s1"][1])[0]) for s in structs]
                s2 = [r.text(r.fact(s["s2"][0], front=s["s2"][1])[0]) for s in structs]
                self.write(dataset_key("pawsx", lang), split, {"sentence1": s1, "sentence2": s2,
                                                               "label": [s["label"] for s in structs]},
                           SOURCES["pawsx"].features)

    def tagged_sentence(self, rng: random.Random, r: Renderer) -> list[Tok]:
        f = _fact(rng, (1, 3), extras=True)
        if rng.random() < 0.15:
            g = _fact(rng, (0, 1), avoid_subj=(f["subj"][0],))
            return r.fact(f, stop=False)[0] + r.tok("f:and", "CCONJ") + r.fact(g)[0]
        return r.fact(f)[0]

    def tagging(self, task: str, langs, n_train, n_eval) -> None:
        for lang in langs:
            r = self.r(lang)
            for split, n in (("train", n_train), ("validation", n_eval), ("test", n_eval)):
                if split == "train" and lang != "en":
                    continue
                rng = self.rng(task, split, lang)
                sents = [self.tagged_sentence(rng, r) for _ in range(n)]
                cols = {"tokens": [[t.text for t in s] for s in sents]}
                if task == "udpos":
                    cols["pos_tags"] = [[UPOS_TAGS.index(t.upos) for t in s] for s in sents]
                else:
                    cols["ner_tags"] = [[PANX_TAGS.index(t.ner) for t in s] for s in sents]
                    cols["langs"] = [[lang] * len(s) for s in sents]
                self.write(dataset_key(task, lang), split, cols, SOURCES[task].features)

    def xquad_mlqa(self, task: str, langs, n_eval) -> None:
        splits = ("validation",) if task == "xquad" else ("validation", "test")
        for split in splits:
            structs = self.qa_structs(task, split, n_eval)
            rng = self.rng(task, "ids", split)
            ids = [_hex(rng, 24 if task == "xquad" else 40) for _ in structs]
            for lang in langs:
                self.write_qa(dataset_key(task, lang), split, structs, lang, SOURCES[task].features, ids)

    def tydiqa(self, langs, n_train, n_eval) -> None:
        for lang in langs:
            for split, n in (("train", n_train), ("validation", n_eval)):
                if split == "train" and lang != "en":
                    continue
                structs = self.qa_structs("tydiqa", split, n, lang=lang)  # TyDiQA is not parallel
                rng = self.rng("tydiqa", "ids", split, lang)
                ids = [f"{TYDIQA_ID_PREFIX[lang]}-{rng.randrange(10 ** 18, 10 ** 19)}-{rng.randrange(3)}"
                       for _ in structs]
                self.write_qa(dataset_key("tydiqa", lang), split, structs, lang, SOURCES["tydiqa"].features, ids)

    def bitext(self, task: str, langs, n_eval) -> None:
        splits = ("validation", "test") if task == "bucc2018" else ("validation",)
        en = self.r("en")
        for lang in langs:
            r = self.r(lang)
            for split in splits:
                rng = self.rng(task, split, lang)
                pairs, seen = [], set()
                while len(pairs) < n_eval:
                    f = _fact(rng, (1, 3), extras=True)
                    target = en.text(en.fact(f)[0])
                    if target in seen:
                        continue
                    seen.add(target)
                    pairs.append((r.text(r.fact(f)[0]), target))
                src = lang if task == "bucc2018" else TATOEBA_ISO3.get(lang, lang)
                tgt = "en" if task == "bucc2018" else "eng"
                self.write(dataset_key(task, lang), split, {
                    "source_sentence": [p for p, _ in pairs], "target_sentence": [t for _, t in pairs],
                    "source_lang": [src] * n_eval, "target_lang": [tgt] * n_eval}, SOURCES[task].features)

    # -- alternatives: translated intermediate data, MLM text --------------------------------------------
    def translated(self, mnli_structs, squad_structs, xnli_langs, xquad_langs) -> None:
        for lang in xnli_langs:
            for split, structs in mnli_structs.items():
                self.write_nli(dataset_key("mnli_translated", lang), split, structs, lang, "mnli_translated")
        for lang in xquad_langs:
            for split, structs in squad_structs.items():
                self.write_qa(dataset_key("squad_v1_translated", lang), split, structs, lang,
                              SOURCES["squad_v1_translated"].features)

    def corpus_line(self, rng: random.Random, r: Renderer) -> list[list[Tok]]:
        x = rng.random()
        if x < 0.55:
            return [r.fact(_fact(rng, (1, 3), extras=True))[0] for _ in range(rng.randint(1, 3))]
        if x < 0.75:
            f = _fact(rng, (2, 4))
            qt = rng.choice(["who", "what"] + [q for q in _TYPED_QUESTIONS if _QA_ROLES[q] in f])
            return [r.fact(f)[0], r.question(f, qt, rng.randrange(2), rng.random() < 0.5)]
        if x < 0.85:
            f = _fact(rng, (1, 2))
            return [r.fact(f)[0], r.fact(dict(f, neg=True))[0]]
        return self.mc_line(rng, r, rng.choice(("hellaswag", "cosmos", "csqa")))

    @staticmethod
    def mc_line(rng: random.Random, r: Renderer, kind: str) -> list[list[Tok]]:
        """Multiple-choice-like text for the corpus: the context or question and the right answer."""
        sub, rec = random.Random(rng.random()), _Recorder(r)
        if kind == "hellaswag":
            x = _mc_hellaswag(sub, rec)
            return rec.take([x["ctx_a"], x["endings"][x["label"]]])
        if kind == "cosmos":
            x = _mc_cosmos(sub, rec)
            return rec.take([x["context"], x["question"], x["answers"][x["label"]]])
        x = _mc_csqa(sub, rec)
        return rec.take([x["question"], x["choices"][x["label"]]])

    @staticmethod
    def mc_full(rng: random.Random, r: Renderer, kind: str) -> list[list[Tok]]:
        """Every text of one multiple-choice example (all choices), for corpus coverage."""
        sub, rec = random.Random(rng.random()), _Recorder(r)
        {"hellaswag": _mc_hellaswag, "cosmos": _mc_cosmos, "csqa": _mc_csqa}[kind](sub, rec)
        return rec.take(None)

    def text_line(self, rng: random.Random, r: Renderer) -> list[list[Tok]]:
        """One corpus line; some non-English lines are code-switched (a third of their words in English)."""
        sents = self.corpus_line(rng, r)
        if r.en or rng.random() >= CODE_SWITCH:
            return sents
        en = self.lex("en")
        out = []
        for sent in sents:
            switched = []
            for t in sent:
                base = t.key.rsplit(":", 1)[0] if t.key.startswith("v:") else t.key
                # only English words the English data uses (so the English corpus lines cover them too)
                if t.key in en.used and len(r.lex.surf[base]) == 1 and len(en.surf[base]) == 1 and rng.random() < 0.33:
                    word = en.verb_forms[base][("base", "past", "pres").index(t.key.rsplit(":", 1)[1])] \
                        if t.key.startswith("v:") else en.surf[base][0]
                    t = t._replace(text=word, key="")  # does not count as covering the language's own word
                switched.append(t)
            out.append(switched)
        return out

    def text_rows(self, name: str, lang: str, split: str, n: int) -> list[str]:
        rng, r = self.rng(name, split, lang), self.r(lang)
        return [r.join(self.text_line(rng, r))[0] for _ in range(n)]

    def multilingual_text(self, langs, n_train, n_eval) -> None:
        for lang in langs:
            for split, n in (("train", n_train), ("validation", n_eval)):
                rows = self.text_rows("multilingual_text", lang, split, n)
                ids = [str(i + 1) for i in range(n)]  # Wikipedia's schema: one "article" per row
                self.write(dataset_key("multilingual_text", lang), split, {
                    "id": ids, "url": [f"https://{lang}.wikipedia.org/wiki?curid={i}" for i in ids],
                    "title": [" ".join(text.split()[:2]) for text in rows], "text": rows},
                    SOURCES["multilingual_text"].features)

    def mlm_corpus(self, langs, n_corpus, n_eval) -> None:
        weight = {lang: ENGLISH_CORPUS_WEIGHT if lang == "en" else 1 for lang in langs}  # English is most of real
        total = sum(weight.values())                                                     # web text, too
        cols = {split: {"text": [], "language": []} for split in ("train", "validation")}
        for lang in langs:
            lex, r = self.lex(lang), self.r(lang)
            needed = set(lex.used)  # every concept a dataset used in this language
            per_train = math.ceil(n_corpus * weight[lang] / total)
            per_eval = max(2, math.ceil(n_eval * weight[lang] / total))
            for split, n in (("train", per_train), ("validation", per_eval)):
                rng = self.rng("mlm_corpus", split, lang)
                for _ in range(n):
                    sents = self.text_line(rng, r)
                    if split == "train":
                        needed -= {t.key for s in sents for t in s}
                    cols[split]["text"].append(r.join(sents)[0])
                    cols[split]["language"].append(lang)
            # coverage: for every used concept the sample missed, a line that contains it
            rng = self.rng("mlm_corpus", "coverage", lang)
            for line in self.exemplars(rng, r):
                keys = {t.key for s in line for t in s}
                if keys & needed:
                    needed -= keys
                    cols["train"]["text"].append(r.join(line)[0])
                    cols["train"]["language"].append(lang)
            needed.discard("")
            if needed:
                raise AssertionError(f"smoke corpus misses {sorted(needed)} in {lang}")
        for split in ("train", "validation"):
            self.write("mlm_corpus", split, cols[split], TEXT_FEATURES)

    def exemplars(self, rng: random.Random, r: Renderer):
        """Lines that together contain every concept of the lexicon (for corpus coverage)."""
        kinds = list(_ORG_KINDS)
        for i in range(max(len(_PEOPLE), len(_SURNAMES), len(_CITIES), len(_NOUNS), len(_FACT_VERBS))):
            verb = _FACT_VERBS[i % len(_FACT_VERBS)]
            f = {"subj": (_PEOPLE[i % len(_PEOPLE)], _SURNAMES[i % len(_SURNAMES)]), "verb": verb,
                 "noun": _NOUNS[i % len(_NOUNS)], "adj": _ADJS[i % len(_ADJS)], "price": _PRICES[i % len(_PRICES)],
                 "org": (_ORGS[i % len(_ORGS)], kinds[i % len(kinds)]), "city": _CITIES[i % len(_CITIES)],
                 "year": _YEARS[i % len(_YEARS)], "adv": _ADVS[i % len(_ADVS)],
                 "reason": _TOPIC_NAMES[i % len(_TOPIC_NAMES)],
                 "intro": ("oh", "wow")[i % 2], "etc": _NOUNS[(i + 7) % len(_NOUNS)], "neg": i % 2 == 0}
            if verb in _DITRANSITIVE:
                f["recip"] = (_PEOPLE[(i + 5) % len(_PEOPLE)], None)
            topic = _TOPIC_NAMES[i % len(_TOPIC_NAMES)]
            g = {"subj": f["subj"], "pron": True, "verb": _TOPICS[topic][0], "noun": _TOPICS[topic][1][i % 4],
                 "neg": i % 2 == 1}
            yield [r.fact(f, stop=False)[0] + r.tok("f:and", "CCONJ") + r.fact(g)[0]]
        f = {"subj": (_PEOPLE[0], None), "verb": "give", "noun": _NOUNS[0], "adj": _ADJS[0],
             "recip": (_PEOPLE[1], None), "price": 5, "org": (_ORGS[0], kinds[0]), "city": _CITIES[0], "year": 1999}
        for qt in _QA_ROLES:
            for v in (0, 1):
                yield [r.fact(f)[0], r.question(f, qt, v)]
        for kind in ("hellaswag", "cosmos", "csqa"):
            for _ in range(30):
                yield self.mc_full(rng, r, kind)
        for form in ("base", "past", "pres"):  # last resort: every verb form
            yield [r.verb(v, form) for v in _VERBS]

class _Recorder(Renderer):
    """A renderer that remembers the tokens of every text it produced (to reuse MC builders for the corpus)."""

    def __init__(self, r: Renderer):
        super().__init__(r.lex)
        self.texts: list[tuple[str, list[Tok]]] = []

    def text(self, toks: list[Tok]) -> str:
        t = super().text(toks)
        self.texts.append((t, toks))
        return t

    def join(self, sentences):
        text, spans = super().join(sentences)
        self.texts.append((text, [t for s in sentences for t in s]))
        return text, spans

    def take(self, wanted: list[str] | None) -> list[list[Tok]]:
        if wanted is None:
            return [toks for _, toks in self.texts]
        return [next(toks for t, toks in self.texts if t == w) for w in wanted]


# ---------------------------------------------------------------------------------------------------------

def write_smoke_world(out_dir: Path, languages: dict[str, list[str]], *, n_train: int = 512, n_eval: int = 96,
                      n_corpus: int = 2000, seed: int = 0) -> dict[str, dict[str, int]]:
    """Write every dataset of the study under `out_dir` and return {dataset_key: {split: rows}}.

    `languages` maps target task ids (xnli, pawsx, udpos, panx, xquad, mlqa, tydiqa, bucc2018, tatoeba) to
    their evaluation languages; tasks left out get no per-language data. Files: `<dataset_key>/<split>.parquet`
    in the registry's Hub schema, plus CCGbank AUTO files under `ccgbank/data/AUTO` (counted as `ccg`).
    """
    unknown_tasks = sorted(set(languages) - set(TARGET_TASKS))
    if unknown_tasks:
        raise ValueError(f"unknown target task(s) {unknown_tasks}; known: {', '.join(TARGET_TASKS)}")
    for task, langs in languages.items():
        bad = [lang for lang in langs if lang not in _SCRIPT]
        if bad:
            raise ValueError(f"{task}: unsupported language(s) {bad}; supported: {', '.join(SUPPORTED_LANGUAGES)}")
    langs = {t: list(dict.fromkeys(languages.get(t, []))) for t in TARGET_TASKS}
    bad = [lang for lang in langs["tydiqa"] if lang not in TYDIQA_ID_PREFIX]
    if bad:
        raise ValueError(f"tydiqa: no language(s) {bad} in TyDiQA; known: {', '.join(TYDIQA_ID_PREFIX)}")
    world = _World(Path(out_dir), seed)
    bars_were_disabled = datasets.are_progress_bars_disabled()
    datasets.disable_progress_bars()
    try:
        _write_all(world, langs, n_train, n_eval, n_corpus)
    finally:
        if not bars_were_disabled:
            datasets.enable_progress_bars()
    return {k: dict(v) for k, v in sorted(world.counts.items())}


def _write_all(world: _World, langs: dict[str, list[str]], n_train: int, n_eval: int, n_corpus: int) -> None:
    train_dev = {"train": n_train, "validation": n_eval}

    mnli = world.mnli(train_dev)
    world.snli(train_dev)
    world.anli(train_dev)
    world.qqp(train_dev)
    squad = world.squad(train_dev)
    world.hellaswag(train_dev)
    world.cosmosqa(train_dev)
    world.commonsenseqa(train_dev)
    world.ccg({"train": n_train, "validation": n_eval, "test": n_eval})

    world.xnli(langs["xnli"], n_eval)
    world.pawsx(langs["pawsx"], n_train, n_eval)
    world.tagging("udpos", langs["udpos"], n_train, n_eval)
    world.tagging("panx", langs["panx"], n_train, n_eval)
    world.xquad_mlqa("xquad", langs["xquad"], n_eval)
    world.xquad_mlqa("mlqa", langs["mlqa"], n_eval)
    world.tydiqa(langs["tydiqa"], n_train, n_eval)
    world.bitext("bucc2018", langs["bucc2018"], n_eval)
    world.bitext("tatoeba", langs["tatoeba"], n_eval)

    xnli_other = [lang for lang in langs["xnli"] if lang != "en"]
    xquad_other = [lang for lang in langs["xquad"] if lang != "en"]
    world.translated(mnli, squad, xnli_other, xquad_other)
    world.multilingual_text(list(dict.fromkeys(xnli_other + xquad_other)), n_train, n_eval)

    all_langs = list(dict.fromkeys(["en"] + [lang for t in TARGET_TASKS for lang in langs[t]]))
    world.mlm_corpus(all_langs, n_corpus, n_eval)
