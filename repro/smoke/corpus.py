"""The MLM text: `mlm_corpus` (the tiny XLM-R's pretraining corpus) and `multilingual_text.<l>`.

*Corpus.* `mlm_corpus` (columns text, language; train/validation) holds fresh sentences, questions and
multiple-choice-like texts in every language used; a quarter of the non-English lines are code-switched (a
third of their words replaced by the English word, as in dictionary-based code-switching): the world's
stand-in for the cross-lingual anchors a large multilingual corpus provides. For any concept a dataset used
in a language that the random sample missed, an extra line contains it: every word of every dataset occurs in
the corpus. `multilingual_text.<l>` (in Wikipedia's Hub schema) is more of the same for the non-English
XNLI/XQuAD languages (MLM during intermediate training).
"""

from __future__ import annotations

import random

from datasets import Features, Value

from repro.data.sources import SOURCES, dataset_key
from repro.smoke.concepts import (ADJS, ADVS, CITIES, DITRANSITIVE, FACT_VERBS, NOUNS, ORG_KINDS, ORGS, PEOPLE,
                                  PRICES, SURNAMES, TOPIC_NAMES, TOPICS, VERBS, YEARS)
from repro.smoke.context import WorldContext
from repro.smoke.facts import QA_ROLES, TYPED_QUESTIONS, draw_fact
from repro.smoke.multiple_choice import mc_cosmos, mc_csqa, mc_hellaswag
from repro.smoke.render import Renderer, Tok

# Schema of the smoke world's own MLM pretraining corpus (no Hub source: the paper starts from XLM-R).
TEXT_FEATURES = Features({"text": Value("string"), "language": Value("string")})
ENGLISH_CORPUS_WEIGHT = 4  # English rows of mlm_corpus per row of another language
VALIDATION_SHARE = 25  # validation lines: one per this many training lines of the language
CODE_SWITCH = 0.25  # share of non-English corpus lines with some words in English (cross-lingual anchors)


def _corpus_line(rng: random.Random, r: Renderer) -> list[list[Tok]]:
    """The sentences of one corpus line: statements, a question, a negated pair or multiple-choice text."""
    x = rng.random()
    if x < 0.55:
        return [r.fact(draw_fact(rng, (1, 3), extras=True))[0] for _ in range(rng.randint(1, 3))]
    if x < 0.75:
        f = draw_fact(rng, (2, 4))
        qt = rng.choice(["who", "what"] + [q for q in TYPED_QUESTIONS if QA_ROLES[q] in f])
        return [r.fact(f)[0], r.question(f, qt, rng.randrange(2), rng.random() < 0.5)]
    if x < 0.85:
        f = draw_fact(rng, (1, 2))
        return [r.fact(f)[0], r.fact(dict(f, neg=True))[0]]
    return _mc_line(rng, r, rng.choice(("hellaswag", "cosmos", "csqa")))


def _mc_line(rng: random.Random, r: Renderer, kind: str) -> list[list[Tok]]:
    """Multiple-choice-like text for the corpus: the context or question and the right answer."""
    sub, rec = random.Random(rng.random()), _Recorder(r)
    if kind == "hellaswag":
        x = mc_hellaswag(sub, rec)
        return rec.take([x["ctx_a"], x["endings"][x["label"]]])
    if kind == "cosmos":
        x = mc_cosmos(sub, rec)
        return rec.take([x["context"], x["question"], x["answers"][x["label"]]])
    x = mc_csqa(sub, rec)
    return rec.take([x["question"], x["choices"][x["label"]]])


def _mc_full(rng: random.Random, r: Renderer, kind: str) -> list[list[Tok]]:
    """Every text of one multiple-choice example (all choices), for corpus coverage."""
    sub, rec = random.Random(rng.random()), _Recorder(r)
    {"hellaswag": mc_hellaswag, "cosmos": mc_cosmos, "csqa": mc_csqa}[kind](sub, rec)
    return rec.take(None)


def _text_line(world: WorldContext, rng: random.Random, r: Renderer) -> list[list[Tok]]:
    """One corpus line; some non-English lines are code-switched (a third of their words in English)."""
    sents = _corpus_line(rng, r)
    if r.en or rng.random() >= CODE_SWITCH:
        return sents
    en = world.lex("en")
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


def _text_rows(world: WorldContext, name: str, lang: str, split: str, n: int) -> list[str]:
    """`n` corpus lines of one language, from the stream (name, split, lang)."""
    rng, r = world.rng(name, split, lang), world.r(lang)
    return [r.join(_text_line(world, rng, r))[0] for _ in range(n)]


def multilingual_text(world: WorldContext, langs, n_train, n_eval) -> None:
    """`multilingual_text.<l>`: corpus lines in Wikipedia's Hub schema, one "article" per row."""
    for lang in langs:
        for split, n in (("train", n_train), ("validation", n_eval)):
            rows = _text_rows(world, "multilingual_text", lang, split, n)
            ids = [str(i + 1) for i in range(n)]  # Wikipedia's schema: one "article" per row
            world.write(dataset_key("multilingual_text", lang), split, {
                "id": ids, "url": [f"https://{lang}.wikipedia.org/wiki?curid={i}" for i in ids],
                "title": [" ".join(text.split()[:2]) for text in rows], "text": rows},
                SOURCES["multilingual_text"].features)


def mlm_corpus(world: WorldContext, langs, per_language) -> None:
    """`mlm_corpus`: `per_language` lines of every language (English `ENGLISH_CORPUS_WEIGHT` times as many), plus
    coverage lines for every concept a dataset used. A language's lines do not depend on which other languages
    the corpus holds: a study that adds languages leaves the others' text as it was."""
    cols = {split: {"text": [], "language": []} for split in ("train", "validation")}
    for lang in langs:
        lex, r = world.lex(lang), world.r(lang)
        needed = set(lex.used)  # every concept a dataset used in this language
        weight = ENGLISH_CORPUS_WEIGHT if lang == "en" else 1  # English is most of real web text, too
        per_train = per_language * weight
        per_eval = max(2, per_train // VALIDATION_SHARE)
        for split, n in (("train", per_train), ("validation", per_eval)):
            rng = world.rng("mlm_corpus", split, lang)
            for _ in range(n):
                sents = _text_line(world, rng, r)
                if split == "train":
                    needed -= {t.key for s in sents for t in s}
                cols[split]["text"].append(r.join(sents)[0])
                cols[split]["language"].append(lang)
        # coverage: for every used concept the sample missed, a line that contains it
        rng = world.rng("mlm_corpus", "coverage", lang)
        for line in _exemplars(rng, r):
            keys = {t.key for s in line for t in s}
            if keys & needed:
                needed -= keys
                cols["train"]["text"].append(r.join(line)[0])
                cols["train"]["language"].append(lang)
        needed.discard("")
        if needed:
            raise AssertionError(f"smoke corpus misses {sorted(needed)} in {lang}")
    for split in ("train", "validation"):
        world.write("mlm_corpus", split, cols[split], TEXT_FEATURES)


def _exemplars(rng: random.Random, r: Renderer):
    """Lines that together contain every concept of the lexicon (for corpus coverage)."""
    kinds = list(ORG_KINDS)
    for i in range(max(len(PEOPLE), len(SURNAMES), len(CITIES), len(NOUNS), len(FACT_VERBS))):
        verb = FACT_VERBS[i % len(FACT_VERBS)]
        f = {"subj": (PEOPLE[i % len(PEOPLE)], SURNAMES[i % len(SURNAMES)]), "verb": verb,
             "noun": NOUNS[i % len(NOUNS)], "adj": ADJS[i % len(ADJS)], "price": PRICES[i % len(PRICES)],
             "org": (ORGS[i % len(ORGS)], kinds[i % len(kinds)]), "city": CITIES[i % len(CITIES)],
             "year": YEARS[i % len(YEARS)], "adv": ADVS[i % len(ADVS)],
             "reason": TOPIC_NAMES[i % len(TOPIC_NAMES)],
             "intro": ("oh", "wow")[i % 2], "etc": NOUNS[(i + 7) % len(NOUNS)], "neg": i % 2 == 0}
        if verb in DITRANSITIVE:
            f["recip"] = (PEOPLE[(i + 5) % len(PEOPLE)], None)
        topic = TOPIC_NAMES[i % len(TOPIC_NAMES)]
        g = {"subj": f["subj"], "pron": True, "verb": TOPICS[topic][0], "noun": TOPICS[topic][1][i % 4],
             "neg": i % 2 == 1}
        yield [r.fact(f, stop=False)[0] + r.tok("f:and", "CCONJ") + r.fact(g)[0]]
    f = {"subj": (PEOPLE[0], None), "verb": "give", "noun": NOUNS[0], "adj": ADJS[0],
         "recip": (PEOPLE[1], None), "price": 5, "org": (ORGS[0], kinds[0]), "city": CITIES[0], "year": 1999}
    for qt in QA_ROLES:
        for v in (0, 1):
            yield [r.fact(f)[0], r.question(f, qt, v)]
    for kind in ("hellaswag", "cosmos", "csqa"):
        for _ in range(30):
            yield _mc_full(rng, r, kind)
    for form in ("base", "past", "pres"):  # last resort: every verb form
        yield [r.verb(v, form) for v in VERBS]


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
