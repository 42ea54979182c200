"""Scripts: syllable inventories, and names transliterated into each script.

Names are transliterated per script (the same spelling in every language of a script, unchanged in
Latin-script languages), and numbers are ASCII digits in every language: these are the world's cross-lingual
anchors, as in real text.

*Tokenizer budget.* A ~1-2k-piece vocabulary is shared by every language, so each script contributes few
distinct characters (about 400 in all for the smoke profile's 12 languages; real CJK text would spend the whole
vocabulary on single characters), numbers come from small sets (years 1990-2020, prices in steps of $5), and
English has 4x the corpus rows of any other language (as in real web text), so English words are mostly whole
pieces.
"""

from __future__ import annotations

import hashlib
import re

from repro.smoke.languages import SCRIPT_OF
from repro.smoke.streams import seeded_rng


_LATIN_C, _LATIN_V = "bdfghklmnprstvz", "aeiou"
_LATIN_EXTRA = {  # (consonants, vowels) a language adds to the Latin base
    "de": ("", "äöü"), "fr": ("ç", "éèê"), "es": ("ñ", "áé"), "fi": ("", "äö"), "tr": ("şçğ", "ıöü"),
    "vi": ("đ", "ăâêôơư"), "et": ("", "õäöü"), "hu": ("", "áéőű"), "pt": ("ç", "ãõé"), "it": ("", "àò"),
    "af": ("", "ê"), "eu": ("x", ""), "yo": ("ṣ", "ẹọ"), "nl": ("", ""), "id": ("", ""), "jv": ("", ""),
    "ms": ("", ""), "sw": ("", ""), "tl": ("", ""), "ro": ("șț", "ăâî"), "pl": ("łśż", "ąę"), "lt": ("šž", "ėų"),
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
HIRAGANA = "あいうえおかきくけこさしすせそたちつてとなにのはま"
_KATAKANA = "アイウエオカキクケコサシスセソタチツテトナニノハマラリルレロン"
_HANGUL_INITIALS, _HANGUL_MEDIALS = (0, 2, 3, 5, 6, 7, 9, 11, 12), (0, 4, 8, 13, 18, 20)  # ㄱㄴㄷㄹㅁㅂㅅㅇㅈ, ㅏㅓㅗㅜㅡㅣ


def _hangul(initial: int, medial: int, final: int = 0) -> str:
    return chr(0xAC00 + (initial * 21 + medial) * 28 + final)


def inventory(code: str) -> list[str]:
    """The syllables words of one language are made of (a language-specific subset of its script)."""
    script, rng = SCRIPT_OF[code], seeded_rng("inventory", code)
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


def transliterate(words: tuple[str, ...], script: str, taken: set[str]) -> tuple[str, ...]:
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
