"""Write tests/golden/xtreme_r_cases.json: held-out XTREME-R submission folders made by hand-written rules.

    python tests/golden/make_xtreme_r_cases.py   # then regenerate xtreme_r_official.json (tests/unit/suites/test_score_xtreme_r_official.py)

{case: {"predictions"|"labels": {"<task>/test-<lang>.<ext>": file text}}}, from a fixed seed:
- `official`: every XTREME-R task the official script scores (all but LAReQA), every language, the new ones
  included (UD-POS lt/pl/uk/wo/ro, PAN-X qu/pl/uk/az/lt/pa/gu/ro, Tatoeba az/lt/pl/uk/ro, XQuAD ro). XCOPA jsonl:
  gold rows with premise/choices/question, predictions {"idx", "label"}, in ht labels written as strings ("1" is
  not 1), in qu some as json booleans (true == 1 in Python); Mewsli-X rankings shorter and longer than 20, the
  gold at ranks 1..25, repeated ids before it, examples without predictions, predictions for unknown examples,
  gold ids with surrounding spaces; UD-POS with CCONJ/SCONJ, PAN-X with I- without B-; QA answers with articles,
  punctuation, case, missing questions; CRLF lines (xnli de) and a file without a final newline (tatoeba ro).
- `with_lareqa`: XCOPA, Mewsli-X and a LAReQA folder in our layout (the official entry is {}; ours scores it):
  pooled rankings over 11 languages' candidates, partial rankings, missing questions, repeated candidates.
The tests also put the two together (`official` plus the LAReQA folder of `with_lareqa`): all ten tasks, where
the official script stops with a KeyError at "all_task".
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[2]))
from repro.suites import xtreme_r  # noqa: E402

OUT = Path(__file__).parent / "xtreme_r_cases.json"
UPOS = ["ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN", "PUNCT",
        "SCONJ", "SYM", "VERB", "X"]
NER = ["O", "O", "O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
WORDS = ["river", "city", "king", "the old bridge", "a red house", "1984", "Paris", "the Treaty of Rome", "green",
         "an engine", "Mount Kenya", "salt water", "Äpfel", "çay", "mỹ", "الكتاب", "पानी", "城市", "北京大学"]
NLI = ["entailment", "neutral", "contradiction"]


def lines(items, newline="\n", final=True) -> str:
    text = newline.join(str(i) for i in items)
    return text + newline if final else text


def tags_text(sentences) -> str:
    return "".join("".join(t + "\n" for t in s) + "\n" for s in sentences)


def perturb_tags(rng, sentence, tagset, rate):
    return [rng.choice(tagset) if rng.random() < rate else t for t in sentence]


def tagging(rng, lang, tagset, rate):
    gold = []
    for _ in range(rng.randint(2, 4)):
        n = rng.randint(3, 8)
        if tagset is UPOS:
            sentence = [rng.choice(UPOS) for _ in range(n)]
            if rng.random() < 0.5:  # CCONJ next to SCONJ: where seqeval's chunk-type rules part
                at = rng.randrange(n - 1)
                sentence[at:at + 2] = ["CCONJ", "SCONJ"]
        else:
            sentence = [rng.choice(NER) for _ in range(n)]
        gold.append(sentence)
    return tags_text([perturb_tags(rng, s, tagset, rate) for s in gold]), tags_text(gold)


def answer_variant(rng, answer):
    return rng.choice([answer, answer.upper(), f"the {answer}", f"{answer}.", answer.split()[0], "", "unrelated",
                       f"{answer} and more", f"«{answer}»"])


def qa(rng, task, lang):
    qas, predictions = [], {}
    for i in range(rng.randint(3, 5)):
        qid = f"{task}-{lang}-{i}"
        answers = [{"text": rng.choice(WORDS), "answer_start": 0} for _ in range(rng.randint(1, 3))]
        qas.append({"id": qid, "question": "?", "answers": answers})
        if rng.random() < 0.85:
            predictions[qid] = answer_variant(rng, answers[0]["text"])
    predictions[f"{task}-{lang}-extra"] = "not in the gold"
    gold = {"version": "1.1", "data": [{"title": "t", "paragraphs": [{"context": "c", "qas": qas}]}]}
    return json.dumps(predictions, ensure_ascii=False), json.dumps(gold, ensure_ascii=False)


def xcopa(rng, lang):
    gold, predictions = [], []
    for i in range(rng.randint(4, 7)):
        label = rng.randint(0, 1)
        gold.append(json.dumps({"premise": f"p{i}", "choice1": "a", "choice2": "b",
                                "question": rng.choice(["cause", "effect"]), "label": label, "idx": i}))
        guess = label if rng.random() < 0.6 else 1 - label
        if lang == "ht":
            guess = str(guess)
        elif lang == "qu" and rng.random() < 0.5:
            guess = bool(guess)
        predictions.append(json.dumps({"idx": i, "label": guess}))
    return lines(predictions), lines(gold)


def mewslix(rng, lang):
    entities = [f"Q{n}" for n in range(100, 160)]
    gold, predictions = {}, {}
    for i in range(rng.randint(4, 7)):
        ex = f"{lang}-{i}"
        entity = rng.choice(entities)
        gold[ex] = [f" {entity} " if rng.random() < 0.15 else entity]
        roll = rng.random()
        if roll < 0.15:
            continue  # no prediction for this example
        others = [e for e in entities if e != entity]
        rng.shuffle(others)
        ranking = others[:rng.randint(1, 30)]
        if roll < 0.85:  # the gold somewhere in ranks 1..25 (beyond 20 scores 0)
            ranking.insert(min(rng.randint(0, 24), len(ranking)), entity)
        if rng.random() < 0.3 and len(ranking) > 2:
            ranking.insert(1, ranking[0])  # a repeated id
        predictions[ex] = ranking
    predictions[f"{lang}-unknown"] = ["Q100"]
    return json.dumps(predictions), json.dumps(gold)


def lareqa(rng):
    langs = xtreme_r.OURS_TASK2LANGS["lareqa"]
    n_questions, sentences = 4, 3
    candidates = [f"{lang}_{q}_{s}" for lang in langs for q in range(n_questions) for s in range(sentences)]
    predictions, labels = {}, {}
    for lang in langs:
        gold, ranked = {}, {}
        for q in range(n_questions):
            qid = f"x{q}_{lang}"
            answer = rng.randrange(sentences)
            gold[qid] = [f"{other}_{q}_{answer}" for other in langs]
            if rng.random() < 0.1:
                continue
            pool = candidates[:]
            rng.shuffle(pool)
            relevant = [c for c in pool if c in gold[qid]]
            pool = [c for c in pool if c not in gold[qid]]
            for c in relevant[:rng.randint(0, len(relevant))]:  # some answers pushed up front
                pool.insert(rng.randint(0, 25), c)
            ranking = pool[:rng.choice([5, 20, 30, len(pool)])]
            if rng.random() < 0.3:
                ranking.insert(0, ranking[0])
            ranked[qid] = ranking
        predictions[f"lareqa/test-{lang}.json"] = json.dumps(ranked)
        labels[f"lareqa/test-{lang}.json"] = json.dumps(gold)
    return predictions, labels


def task_files(rng, task, lang):
    ext = {"lines": "tsv", "tags": "tsv", "qa": "json", "rankings": "json", "jsonl": "jsonl"}
    path = f"{task}/test-{lang}.{ext[xtreme_r.FILE_FORMAT[task]]}"
    if task == "xnli":
        gold = [rng.choice(NLI) for _ in range(rng.randint(5, 9))]
        pred = [g if rng.random() < 0.7 else rng.choice(NLI) for g in gold]
        newline = "\r\n" if lang == "de" else "\n"
        return path, lines(pred, newline), lines(gold, newline)
    if task == "tatoeba":
        n = rng.randint(4, 8)
        pred = [i if rng.random() < 0.6 else rng.randrange(n) for i in range(n)]
        return path, lines(pred, final=lang != "ro"), lines(range(n), final=lang != "ro")
    if task in ("udpos", "panx"):
        return (path, *tagging(rng, lang, UPOS if task == "udpos" else NER, 0.25))
    if task in xtreme_r.QA_TASKS:
        return (path, *qa(rng, task, lang))
    if task == "xcopa":
        return (path, *xcopa(rng, lang))
    return (path, *mewslix(rng, lang))


def case(rng, tasks):
    out = {"predictions": {}, "labels": {}}
    for task in tasks:
        if task == "lareqa":
            predictions, labels = lareqa(rng)
            out["predictions"].update(predictions)
            out["labels"].update(labels)
            continue
        for lang in xtreme_r.TASK2LANGS[task]:
            path, predictions, labels = task_files(rng, task, lang)
            out["predictions"][path], out["labels"][path] = predictions, labels
    return out


def main() -> None:
    rng = random.Random(20261201)
    official = [t for t in xtreme_r.TASK2LANGS if t != "lareqa"]
    cases = {"official": case(rng, official), "with_lareqa": case(rng, ["xcopa", "mewslix", "lareqa"])}
    OUT.write_text(json.dumps(cases, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
