"""Extractive QA: squad_v1/v2 (English), xquad and mlqa (parallel), tydiqa (per language), squad_v1_translated.

Signal: a context of 2-3 facts with distinct people, verbs and objects; the question names the
person/verb/object of one fact and asks who/what/where/when/how much/which company/to whom; the answer is the
typed span of that fact (a city, a year, "$40"...). SQuAD v2 adds about 1/3 unanswerable questions (a person
not in the context, or a slot the fact lacks). `squad_v1_translated.<l>` renders the English data in another
language (translate-train), with exact answer offsets.
"""

from __future__ import annotations

import random

from datasets import Features

from repro.data.sources import SOURCES, TYDIQA_ID_PREFIX, dataset_key
from repro.smoke.concepts import DITRANSITIVE, NOUNS, TOPIC_OF
from repro.smoke.context import WorldContext
from repro.smoke.facts import QA_ROLES, TYPED_QUESTIONS, draw_fact, draw_person, draw_slot
from repro.smoke.render import Renderer
from repro.smoke.streams import random_hex


def _qa_struct(rng: random.Random, unanswerable: float = 0.0) -> dict:
    """2-3 facts and a question about one of them. Typed questions (where, when, how much, which company, to
    whom; 80%) mostly ask for a type only the target fact has (a model first learns wh-word -> answer type);
    otherwise, and for who/what questions, the question's person/verb/object must be matched."""
    facts: list[dict] = []
    for _ in range(rng.choice((2, 3))):
        people = [f["subj"][0] for f in facts] + [f.get("recip", ("",))[0] for f in facts]
        facts.append(draw_fact(rng, (1, 2), avoid_subj=people, avoid_verb=[f["verb"] for f in facts],
                               avoid_noun=[f["noun"] for f in facts]))
    i = rng.randrange(len(facts))
    f = facts[i]
    qt = rng.choice(TYPED_QUESTIONS) if rng.random() < 0.8 else rng.choice(("who", "what"))
    role = QA_ROLES[qt]
    if qt in TYPED_QUESTIONS:
        if qt == "recip" and f["verb"] not in DITRANSITIVE:
            f["verb"] = rng.choice([v for v in DITRANSITIVE if v not in [g["verb"] for g in facts]])
        if role not in f:
            f[role] = draw_slot(rng, role, f)
        unique = rng.random() < 0.7
        for g in facts:
            if g is not f and role in g and unique:
                del g[role]
    qfact, answerable = f, True
    if rng.random() < unanswerable:
        answerable = False
        absent = [q for q in TYPED_QUESTIONS if QA_ROLES[q] not in f and (q != "recip" or f["verb"] in DITRANSITIVE)]
        if absent and rng.random() < 0.5:
            qt = rng.choice(absent)
        else:
            qfact = dict(f)
            if qt == "who":
                qfact["noun"] = rng.choice([n for n in NOUNS if n not in [g["noun"] for g in facts]])
            else:
                people = [g["subj"][0] for g in facts] + [g.get("recip", ("",))[0] for g in facts]
                qfact["subj"] = draw_person(rng, avoid=people)
    return {"facts": facts, "target": i, "qtype": qt, "variant": rng.randrange(2), "adj": rng.random() < 0.5,
            "qfact": qfact, "answerable": answerable, "title": TOPIC_OF[facts[0]["noun"]]}


def _render_qa(r: Renderer, s: dict) -> dict:
    """Title, context, question, answer span (exact character offsets) and each sentence's [start, end] in the
    renderer's language."""
    sentences, spans = zip(*[r.fact(f) for f in s["facts"]])
    context, char_spans = r.join(list(sentences))
    question = r.text(r.question(s["qfact"], s["qtype"], s["variant"], s["adj"]))
    answers = {"text": [], "answer_start": []}
    if s["answerable"]:
        i = s["target"]
        a, b = spans[i][QA_ROLES[s["qtype"]]]
        start, end = char_spans[i][a][0], char_spans[i][b - 1][1]
        answers = {"text": [context[start:end]], "answer_start": [start]}
    title = r.text(r.tok(f"n:{s['title']}", "NOUN"))
    return {"title": title, "context": context, "question": question, "answers": answers,
            "sentence_breaks": [[tokens[0][0], tokens[-1][1]] for tokens in char_spans]}


def _qa_structs(world: WorldContext, name: str, split: str, n: int, unanswerable: float = 0.0,
                lang: str = "") -> list[dict]:
    """`n` language-neutral QA examples drawn from the stream (name, split, lang), each with a SQuAD-style id."""
    rng = world.rng(name, split, lang)
    return [dict(_qa_struct(rng, unanswerable), id=random_hex(rng, 24)) for _ in range(n)]


def _write_qa(world: WorldContext, key: str, split: str, structs: list[dict], lang: str, features: Features,
              ids=None) -> None:
    """QA examples rendered in `lang`, written in the schema `features` (with a title column if it has one)."""
    r = world.r(lang)
    rows = [_render_qa(r, s) for s in structs]
    cols = {"id": ids or [s["id"] for s in structs]}
    if "title" in features:
        cols["title"] = [x["title"] for x in rows]
    cols.update({c: [x[c] for x in rows] for c in ("context", "question", "answers")})
    world.write(key, split, cols, features)


def squad(world: WorldContext, sizes) -> dict[str, list[dict]]:
    """SQuAD v1.1 and v2.0 (English); returns v1.1's examples per split, for `squad_translated`."""
    structs = {}
    for split, n in sizes.items():
        structs[split] = _qa_structs(world, "squad_v1", split, n)
        _write_qa(world, "squad_v1", split, structs[split], "en", SOURCES["squad_v1"].features)
        v2 = _qa_structs(world, "squad_v2", split, n, unanswerable=1 / 3)
        _write_qa(world, "squad_v2", split, v2, "en", SOURCES["squad_v2"].features)
    return structs


def xquad_mlqa(world: WorldContext, task: str, langs, n_eval) -> None:
    """XQuAD (validation) or MLQA (validation, test): the same examples and ids in every language."""
    splits = ("validation",) if task == "xquad" else ("validation", "test")
    for split in splits:
        structs = _qa_structs(world, task, split, n_eval)
        rng = world.rng(task, "ids", split)
        ids = [random_hex(rng, 24 if task == "xquad" else 40) for _ in structs]
        for lang in langs:
            _write_qa(world, dataset_key(task, lang), split, structs, lang, SOURCES[task].features, ids)


def tydiqa(world: WorldContext, langs, n_train, n_eval) -> None:
    """TyDiQA GoldP: English train; validation drawn per language (TyDiQA is not parallel)."""
    for lang in langs:
        for split, n in (("train", n_train), ("validation", n_eval)):
            if split == "train" and lang != "en":
                continue
            structs = _qa_structs(world, "tydiqa", split, n, lang=lang)  # TyDiQA is not parallel
            rng = world.rng("tydiqa", "ids", split, lang)
            ids = [f"{TYDIQA_ID_PREFIX[lang]}-{rng.randrange(10 ** 18, 10 ** 19)}-{rng.randrange(3)}"
                   for _ in structs]
            _write_qa(world, dataset_key("tydiqa", lang), split, structs, lang, SOURCES["tydiqa"].features, ids)


def squad_translated(world: WorldContext, squad_structs: dict[str, list[dict]], langs) -> None:
    """SQuAD v1.1's English examples rendered in each language (`squad_v1_translated.<l>`, translate-train)."""
    for lang in langs:
        for split, structs in squad_structs.items():
            _write_qa(world, dataset_key("squad_v1_translated", lang), split, structs, lang,
                      SOURCES["squad_v1_translated"].features)
