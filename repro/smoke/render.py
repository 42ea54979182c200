"""Rendering: facts, questions and multiple-choice texts as tagged tokens of one language.

*Grammar.* A sentence is rendered from a language-neutral *fact* (`repro.smoke.facts`: subject, verb, object
with optional adjective, and optional recipient / price / organisation / city / year / adverb / reason clause /
negation / interjection / "etc" list) by a per-language grammar (`repro.smoke.languages`): SVO or SOV order,
prepositions or postpositions, adjective before or after the noun, articles or none, spaces between words or
not (zh, ja, th, my), and the script's own punctuation. Every rendered token carries its UPOS tag and BIO
entity tag, so tagging data is exact by construction, and every non-English sentence is a translation of an
English one: parallel datasets (XNLI, PAWS-X dev/test, XQuAD, MLQA, BUCC, Tatoeba, the translated intermediate
data) render the same facts in every language. Sentence-initial words are not capitalised, to keep the
vocabulary small.
"""

from __future__ import annotations

from typing import NamedTuple

from repro.smoke.concepts import FEMALE
from repro.smoke.facts import OPTIONAL_ROLES
from repro.smoke.languages import NO_SPACE_AFTER, NO_SPACE_BEFORE, LangSpec
from repro.smoke.lexicon import Lexicon


class Tok(NamedTuple):
    """One rendered token with its tags."""

    text: str
    upos: str
    ner: str  # BIO tag (PANX_TAGS)
    key: str  # concept key ("" for digits and punctuation)


def detokenize(toks: list[Tok], spec: LangSpec) -> tuple[str, list[tuple[int, int]]]:
    """Natural text for tokens, and each token's character span in it."""
    text, spans, prev = "", [], None
    for t in toks:
        if prev is not None and spec.spaced and t.text not in NO_SPACE_BEFORE and prev not in NO_SPACE_AFTER:
            text += " "
        spans.append((len(text), len(text) + len(t.text)))
        text += t.text
        prev = t.text
    return text, spans


def _gender_pron(person) -> str:
    """The pronoun concept key of a person ("she" / "he")."""
    return "she" if person[0] in FEMALE else "he"


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
        order = ("year", "city", "org", "adv", "recip", "price") if self.spec.sov else OPTIONAL_ROLES

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
