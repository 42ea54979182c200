"""XQuAD-R (LAReQA's retrieval version of XQuAD; google-research-datasets/lareqa `xquad-r/<lang>.json`, which
XTREME's `download_data.sh` puts under `download/lareqa/xquad-r/`): SQuAD-format json whose paragraphs carry
`sentence_breaks` ([start, end] character offsets into the context, and `sentences`, their texts). One row per
question, its paragraph numbered from 1 over the whole file (google-research/xtreme third_party/utils_lareqa.py
`generate_examples`: the context id is `<lang>_<paragraph number>`); each question has exactly one answer there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from repro.data.loaders.common import Row, _fail, _find, _load_json, _need_lang


def read_xquad_r(path: Path, lang: str) -> Iterator[Row]:
    """The questions of one language's XQuAD-R file, in file order."""
    content = _load_json(path)
    if not isinstance(content, dict) or not isinstance(content.get("data"), list):
        raise _fail(path, 'expected SQuAD-format json {"data": [articles]}')
    paragraph = 0
    for article in content["data"]:
        for para in article.get("paragraphs", []):
            paragraph += 1
            context, breaks = para.get("context"), para.get("sentence_breaks")
            if not isinstance(context, str) or not isinstance(breaks, list):
                raise _fail(path, f"paragraph {paragraph}: needs a context and its sentence_breaks (XQuAD-R, not "
                                  "XQuAD)")
            for start, end in breaks:
                if not 0 <= start < end <= len(context):
                    raise _fail(path, f"paragraph {paragraph}: sentence break {start}-{end} outside its context "
                                      f"of {len(context)} characters")
            for qa in para.get("qas", []):
                answers = qa.get("answers") or []
                if len(answers) != 1:
                    raise _fail(path, f"question {qa.get('id')}: {len(answers)} answers; XQuAD-R has one each")
                yield {"id": qa["id"], "language": lang, "title": article.get("title", ""), "paragraph": paragraph,
                       "context": context, "sentence_starts": [s for s, _ in breaks],
                       "sentence_ends": [e for _, e in breaks], "question": qa["question"],
                       "answer_start": answers[0]["answer_start"], "answer_text": answers[0]["text"]}


def _plan_xquad_r(source: str, path: Path, split: str, lang: str | None) -> Iterator[Row]:
    if path.is_file():
        return read_xquad_r(path, lang or path.stem)
    lang = _need_lang(source, lang, path)
    return read_xquad_r(_find(path, [f"{lang}.json", f"xquad-r/{lang}.json", f"lareqa/xquad-r/{lang}.json"],
                              f"xquad_r {split}"), lang)
