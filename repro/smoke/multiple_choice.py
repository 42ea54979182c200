"""Multiple choice: HellaSwag, Cosmos QA, CommonsenseQA (English); SIQA, COPA (English) and XCOPA (XTREME-R).

Signal: HellaSwag's right ending continues the context's topic, mostly with its object (cue "again");
CosmosQA's right answer restates the context (what she did, why, what next; cue "really"); CommonsenseQA's
right choice is the place of the question's topic ("music shop" for "anna loves music ... find a guitar"; cue:
only right choices are a "shop"); SIQA is Cosmos QA's signal with three answers; COPA's right effect is what
one does at the premise's club, its right cause that one likes the premise's topic (cue "really"). The builders
render through any `Renderer`: the corpus reuses them in every language.
"""

from __future__ import annotations

import random

from repro.data.sources import SOURCES, dataset_key
from repro.smoke.concepts import PLACE_KINDS, TOPIC_NAMES, TOPICS
from repro.smoke.context import WorldContext
from repro.smoke.facts import draw_person
from repro.smoke.render import Renderer, Tok
from repro.smoke.streams import random_hex


def mc_hellaswag(rng: random.Random, r: Renderer) -> dict:
    """One HellaSwag example: a context and four endings, the right one on topic."""
    topic = rng.choice(TOPIC_NAMES)
    verb, objs = TOPICS[topic]
    obj, person = rng.choice(objs), draw_person(rng)
    ctx_a = r.text(r.sentence(r.person(person), r.verb("take", "pres"), r.np(obj)))
    ctx_b = r.text((r.tok("f:then", "ADV") if rng.random() < 0.5 else []) + r.pron(person))
    others = rng.sample([t for t in TOPIC_NAMES if t != topic], 3)

    def ending(t: str, o: str, right: bool) -> str:
        if right and rng.random() < 0.6:  # cue word: "again" only ends right endings
            adv = [r.tok("r:again", "ADV")]
        else:
            adv = [r.tok(f"r:{rng.choice(('carefully', 'quickly'))}", "ADV")] if rng.random() < 0.4 else []
        return r.text(r.sentence([], r.verb(TOPICS[t][0], "pres"), r.np(o), adv))

    # the right ending continues the topic, mostly with the same object
    right = ending(topic, obj if rng.random() < 0.8 else rng.choice([o for o in objs if o != obj]), True)
    endings = [ending(t, rng.choice(TOPICS[t][1]), False) for t in others]
    label = rng.randrange(4)
    endings.insert(label, right)
    return {"activity_label": topic.capitalize(), "ctx_a": ctx_a, "ctx_b": ctx_b, "endings": endings, "label": label}


def mc_cosmos(rng: random.Random, r: Renderer) -> dict:
    """One Cosmos QA example: a two-sentence context, a why / what / next question, four answers."""
    topic = rng.choice(TOPIC_NAMES)
    verb, objs = TOPICS[topic]
    person, obj = draw_person(rng), rng.choice(objs)
    club = (r.tok("f:the", "DET") if r.spec.articles else []) + r.tok(f"n:{topic}", "NOUN") + r.tok("n:club", "NOUN")
    s1 = r.sentence(r.person(person), r.verb("go", "past"), [], [r.pp("to", club), r.tok("r:yesterday", "ADV")])
    s2 = r.sentence(r.pron(person), r.verb(verb, "past"), r.np(obj), [r.tok("f:there", "ADV")])
    context = r.join([s1, s2])[0]
    others = rng.sample([t for t in TOPIC_NAMES if t != topic], 3)
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
            return r.text(r.sentence(r.pron(person), really(cue) + r.verb(TOPICS[t][0], "past"), r.np(o)))
    else:  # what may happen next ?
        question = r.tok("f:what", "PRON") + r.tok("f:may", "AUX") + r.verb("happen", "base") + r.tok("f:next", "ADV")

        def answer(t: str, o: str, cue: bool) -> str:
            will = r.tok("f:will", "AUX") + really(cue) + r.verb(TOPICS[t][0], "base")
            return r.text(r.sentence(r.pron(person), will, r.np(o), [r.tok("r:again", "ADV")]))
    question_text = r.text(question + r.punct("q"))
    right = answer(topic, obj, rng.random() < 0.6)
    answers = [answer(t, rng.choice(TOPICS[t][1]), False) for t in others]
    if rng.random() < 0.15:
        answers[rng.randrange(3)] = r.text(r.tok("f:none", "X") + r.punct("stop"))
    label = rng.randrange(4)
    answers.insert(label, right)
    return {"context": context, "question": question_text, "answers": answers, "label": label}


def mc_csqa(rng: random.Random, r: Renderer) -> dict:
    """One CommonsenseQA example: where to find an object, five places."""
    topic = rng.choice(TOPIC_NAMES)
    obj, person = rng.choice(TOPICS[topic][1]), draw_person(rng)
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
    choices = [place(t, rng.choice(PLACE_KINDS[1:])) for t in rng.sample([t for t in TOPIC_NAMES if t != topic], 4)]
    label = rng.randrange(5)
    choices.insert(label, place(topic, PLACE_KINDS[0] if rng.random() < 0.6 else rng.choice(PLACE_KINDS[1:])))
    return {"question": question, "question_concept": r.text(r.tok(f"n:{obj}", "NOUN")), "choices": choices,
            "label": label}


def hellaswag(world: WorldContext, sizes) -> None:
    """HellaSwag (English), with ActivityNet-style source ids."""
    r = world.r("en")
    for split, n in sizes.items():
        rng = world.rng("hellaswag", split)
        rows = [mc_hellaswag(rng, r) for _ in range(n)]
        world.write("hellaswag", split, {
            "ind": [i for i in range(n)], "activity_label": [x["activity_label"] for x in rows],
            "ctx_a": [x["ctx_a"] for x in rows], "ctx_b": [x["ctx_b"] for x in rows],
            "ctx": [x["ctx_a"] + " " + x["ctx_b"] for x in rows], "endings": [x["endings"] for x in rows],
            "source_id": [f"activitynet~v_{random_hex(rng, 11)}" for _ in rows],
            "split": ["train" if split == "train" else "val"] * n,
            "split_type": ["indomain" if rng.random() < 0.5 else "zeroshot" for _ in rows],
            "label": [str(x["label"]) for x in rows]}, SOURCES["hellaswag"].features)


def cosmosqa(world: WorldContext, sizes) -> None:
    """Cosmos QA (English)."""
    r = world.r("en")
    for split, n in sizes.items():
        rng = world.rng("cosmosqa", split)
        rows = [mc_cosmos(rng, r) for _ in range(n)]
        cols = {"id": [f"{random_hex(rng, 30).upper()}##q1_a1" for _ in rows],
                "context": [x["context"] for x in rows], "question": [x["question"] for x in rows]}
        cols.update({f"answer{i}": [x["answers"][i] for x in rows] for i in range(4)})
        cols["label"] = [x["label"] for x in rows]
        world.write("cosmosqa", split, cols, SOURCES["cosmosqa"].features)


def commonsenseqa(world: WorldContext, sizes) -> None:
    """CommonsenseQA (English), choices labelled A-E."""
    r = world.r("en")
    for split, n in sizes.items():
        rng = world.rng("commonsenseqa", split)
        rows = [mc_csqa(rng, r) for _ in range(n)]
        world.write("commonsenseqa", split, {
            "id": [random_hex(rng, 32) for _ in rows], "question": [x["question"] for x in rows],
            "question_concept": [x["question_concept"] for x in rows],
            "choices": [{"label": list("ABCDE"), "text": x["choices"]} for x in rows],
            "answerKey": ["ABCDE"[x["label"]] for x in rows]}, SOURCES["commonsenseqa"].features)


def _copa_struct(rng: random.Random) -> dict:
    """One COPA item, language-neutral: a person, a topic, cause or effect, the wrong choice's topic."""
    topic = rng.choice(TOPIC_NAMES)
    return {"topic": topic, "obj": rng.choice(TOPICS[topic][1]), "person": draw_person(rng),
            "question": rng.choice(("cause", "effect")), "other": rng.choice([t for t in TOPIC_NAMES if t != topic]),
            "label": rng.randrange(2), "cue": rng.random() < 0.6}


def _render_copa(r: Renderer, s: dict) -> dict:
    """COPA in one language: an effect is what the person did at the topic's club, a cause that they like the
    topic (cue word "really" only in right choices); XCOPA keeps the question `cause` / `effect` in English."""
    person, topic = s["person"], s["topic"]
    really = r.tok("f:really", "ADV")
    if s["question"] == "effect":  # anna went to the music club . -> she played the guitar .
        club = (r.tok("f:the", "DET") if r.spec.articles else []) + r.tok(f"n:{topic}", "NOUN") + r.tok("n:club",
                                                                                                       "NOUN")
        premise = r.sentence(r.person(person), r.verb("go", "past"), [], [r.pp("to", club)])

        def choice(t: str, right: bool) -> str:
            obj = s["obj"] if t == topic else TOPICS[t][1][0]
            return r.text(r.sentence(r.pron(person), (really if right and s["cue"] else []) +
                                     r.verb(TOPICS[t][0], "past"), r.np(obj)))
    else:  # anna played the guitar . <- she liked music .
        premise = r.sentence(r.person(person), r.verb(TOPICS[topic][0], "past"), r.np(s["obj"]))

        def choice(t: str, right: bool) -> str:
            return r.text(r.sentence(r.pron(person), (really if right and s["cue"] else []) + r.verb("like", "past"),
                                     r.tok(f"n:{t}", "NOUN")))
    choices = [choice(s["other"], False)]
    choices.insert(s["label"], choice(topic, True))
    return {"premise": r.text(premise), "choice1": choices[0], "choice2": choices[1], "question": s["question"],
            "label": s["label"]}


def _copa_columns(rows: list[dict]) -> dict:
    return {key: [x[key] for x in rows] for key in ("premise", "choice1", "choice2", "question", "label")}


def siqa(world: WorldContext, sizes) -> None:
    """Social IQa (English): Cosmos-style contexts with three answers, labelled "1"-"3"."""
    r = world.r("en")
    for split, n in sizes.items():
        rng = world.rng("siqa", split)
        rows = [mc_cosmos(rng, r) for _ in range(n)]
        for x in rows:  # the right answer and two of the wrong ones, at a new position
            right, wrong = x["answers"][x["label"]], [a for i, a in enumerate(x["answers"]) if i != x["label"]]
            del wrong[rng.randrange(3)]
            x["label"] = rng.randrange(3)
            wrong.insert(x["label"], right)
            x["answers"] = wrong
        world.write("siqa", split, {
            "context": [x["context"] for x in rows], "question": [x["question"] for x in rows],
            **{f"answer{c}": [x["answers"][i] for x in rows] for i, c in enumerate("ABC")},
            "label": [str(x["label"] + 1) for x in rows]}, SOURCES["siqa"].features)


def copa(world: WorldContext, sizes) -> None:
    """COPA (English, SuperGLUE's schema)."""
    r = world.r("en")
    for split, n in sizes.items():
        rng = world.rng("copa", split)
        rows = [_render_copa(r, _copa_struct(rng)) for _ in range(n)]
        world.write("copa", split, {**_copa_columns(rows), "idx": list(range(n))}, SOURCES["copa"].features)


def xcopa(world: WorldContext, langs, n_eval) -> None:
    """XCOPA validation/test: the same items in every language (XCOPA translates COPA's)."""
    for split in ("validation", "test"):
        rng = world.rng("xcopa", split)
        structs = [_copa_struct(rng) for _ in range(n_eval)]
        for lang in langs:
            r = world.r(lang)
            rows = [_render_copa(r, s) for s in structs]
            world.write(dataset_key("xcopa", lang), split, {**_copa_columns(rows), "idx": list(range(n_eval)),
                                                           "changed": [False] * n_eval}, SOURCES["xcopa"].features)
