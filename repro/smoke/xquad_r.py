"""Answer retrieval: XQuAD-R (LAReQA), written as its release is (google-research-datasets/lareqa
`xquad-r/<lang>.json`; `repro data` reads it through `repro.data.loaders.xquad_r`): SQuAD-format json whose
paragraphs carry `sentence_breaks` and `sentences`, the same questions and ids in every language (XQuAD is 11-way
parallel), four paragraphs to an article. Signal: the QA world's (`repro.smoke.qa`): the answer sentence is the
fact the question names.
"""

from __future__ import annotations

import json

from repro.data.sources import dataset_key
from repro.smoke.context import WorldContext
from repro.smoke.qa import _qa_structs, _render_qa
from repro.smoke.streams import random_hex

FOLDER = "xquad-r"  # the release's folder under the world's output
PARAGRAPHS_PER_ARTICLE = 4


def xquad_r(world: WorldContext, langs, n_eval) -> None:
    """`xquad-r/<lang>.json` for each language: `n_eval` questions, one per paragraph; counted as `xquad_r.<lang>`."""
    if not langs:
        return
    structs = _qa_structs(world, "xquad_r", "validation", n_eval)
    rng = world.rng("xquad_r", "ids")
    ids = [random_hex(rng, 24) for _ in structs]
    folder = world.out / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for lang in langs:
        r = world.r(lang)
        articles = []
        for at, (struct, qid) in enumerate(zip(structs, ids)):
            row = _render_qa(r, struct)
            if at % PARAGRAPHS_PER_ARTICLE == 0:
                articles.append({"title": row["title"], "paragraphs": []})
            breaks = row["sentence_breaks"]
            articles[-1]["paragraphs"].append({
                "context": row["context"], "sentence_breaks": breaks,
                "sentences": [row["context"][a:b] for a, b in breaks],
                "qas": [{"answers": [{"answer_start": row["answers"]["answer_start"][0],
                                      "text": row["answers"]["text"][0]}],
                         "id": qid, "question": row["question"]}]})
        (folder / f"{lang}.json").write_text(json.dumps({"data": articles, "version": "1.1"}, ensure_ascii=False),
                                             encoding="utf-8")
        world.counts.setdefault(dataset_key("xquad_r", lang), {})["validation"] = len(structs)
