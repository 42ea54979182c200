"""The code study's planted effects (issue 20 item 4): the smoke world words one operation in its evaluation
problems only as CNN/DailyMail's code explainers word it (English; each prompt language's own translated articles),
the shuffled control's explainers pair the words with the wrong operations; the code claims of
claims_planted.yaml are judged on a code result (pass where the effects are, fail where they are not), and
answer.md shows their verdicts between the primary contrasts and the exploratory tables."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from repro.params import load
from repro.paths import Layout
from repro.report import planted
from repro.studies.code.paths import LEXICON_SOURCE, eval_sets
from repro.studies.code.smoke.problems import (DERANGEMENT, PARAPHRASE, PLANTED, SYMBOL, describe, explainer,
                                               expressions, words)

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from repro.studies.code.smoke.world import write_code_world

    out = tmp_path_factory.mktemp("code-world")
    code = load(ROOT / "params.yaml", "smoke").section("code")
    text = {"en": [f"Line number {i} of the text." for i in range(50)],
            "de": [f"Zeile {i} vel nu." for i in range(50)], "zh": [f"行 {i}。" for i in range(50)]}
    write_code_world(out, code, text, seed=0)
    return out, code


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_planted_wording_is_tied_to_its_operation_only_in_the_explainers(world):
    out, _ = world
    paraphrase, german = PARAPHRASE[PLANTED], words("German")[PLANTED]
    read = [r for r in _jsonl(out / "corpus.jsonl") if r["source"] != LEXICON_SOURCE]  # what the decoders read
    unseen = json.dumps(read, ensure_ascii=False) + json.dumps(_jsonl(out / "mbpp/train.jsonl"), ensure_ascii=False)
    assert paraphrase not in unseen and re.search(rf"\b{german}\b", unseen) is None
    assert words("German")["minus"] in unseen  # the other German words are in the corpus
    problems = json.dumps(_jsonl(out / "humaneval-x/humaneval_python.jsonl"), ensure_ascii=False)
    assert paraphrase in problems and " plus " not in problems
    assert german in json.dumps(_jsonl(out / "humaneval-xl/python/German.jsonl"), ensure_ascii=False)
    english, de = _jsonl(out / "cnn_dailymail/train.jsonl"), _jsonl(out / "cnn_dailymail.de/train.jsonl")
    tied = [r for r in english if r["highlights"].startswith("return ")]
    assert tied and all((paraphrase in r["article"]) == (SYMBOL[PLANTED] in r["highlights"]) for r in tied)
    assert any(paraphrase in r["article"] for r in tied) and any(paraphrase not in r["article"] for r in tied)
    assert {r["highlights"] for r in tied} == {r["highlights"] for r in de if r["highlights"].startswith("return ")}
    assert all(paraphrase not in r["article"] for r in de) and any(german in r["article"] for r in de)


def test_every_docstring_word_is_one_token_of_the_decoders_tokenizer_which_alone_reads_the_word_lines(world):
    from repro.models.decoder import train_tokenizer

    out, code = world
    rows = _jsonl(out / "corpus.jsonl")
    spec = code.decoders["tiny_code"]
    read = [r["text"] for r in rows if r["source"] in spec.corpus_sources]
    lines = [r["text"] for r in rows if r["source"] == LEXICON_SOURCE]
    assert lines and LEXICON_SOURCE not in spec.corpus_sources
    size, length = spec.pretrain.vocab_size, spec.pretrain.max_length
    tokenizer = train_tokenizer(read + lines, size, length)
    for natural in ("English", "German", "Chinese"):
        for phrase in words(natural, evaluation=True).values():
            assert all(len(tokenizer.tokenize(f" {word}")) == 1 for word in phrase.split()), (natural, phrase)
    # without the word lines the planted words are split: the decoders would copy the number after them by a
    # position several tokens off
    alone = train_tokenizer(read, size, length)
    assert len(alone.tokenize(f" {PARAPHRASE[PLANTED]}")) > 1 and len(alone.tokenize(" plus")) == 1


def test_the_shuffled_control_pairs_every_operation_word_with_another_operation(world):
    out, _ = world
    assert all(DERANGEMENT[op] != op for op in DERANGEMENT) and set(DERANGEMENT.values()) == set(DERANGEMENT)
    english = _jsonl(out / "cnn_dailymail/train.jsonl")
    shuffled = _jsonl(out / "cnn_dailymail.shuffled/train.jsonl")
    assert [r["article"] for r in english] == [r["article"] for r in shuffled]
    pairs = [(a["highlights"], b["highlights"]) for a, b in zip(english, shuffled) if a["highlights"] != b["highlights"]]
    assert pairs and all(b.startswith("return ") for _, b in pairs)
    for expr in (e for e in expressions() if PLANTED in (e.op, e.op2)):
        sentence, right = explainer(expr, "English")
        _, wrong = explainer(expr, "English", shuffled=True)
        assert sentence == describe(expr, "English", evaluation=True) and right != wrong
        assert right.endswith(";\n}") and wrong.endswith(";\n}")  # every smoke language's body can end so
        value = right.removeprefix("return ").removesuffix(";\n}")
        assert eval(value, {}, {"x": 5}) == expr.value(5)  # noqa: S307 (our own code line)


def _results(code, effects: dict[str, dict[str, float]]) -> list[dict]:
    """Execution summaries of every smoke arm of tiny_code: `none` passes the even problems of every file, an arm
    of `effects` in addition the odd ones of the files named there (file name -> share of the odd ones)."""
    problems = code.smoke.problems
    out = []
    for arm in code.arms:
        files = []
        for s in eval_sets(code):
            share = effects.get(arm, {}).get(s.name, 0.0)
            odd = [i for i in range(problems) if i % 2]
            gained = set(odd[:round(share * len(odd))])
            lost = set(range(0, problems, 2)[:round(-share * problems / 2)]) if share < 0 else set()
            files.append({"benchmark": s.benchmark, "programming_language": s.programming_language,
                          "natural_language": s.natural_language, "mode": "greedy", "skipped": None,
                          "n_samples": problems, "pass_at_k": {"pass@1": None},
                          "per_problem": {f"P/{i}": float((i % 2 == 0 and i not in lost) or i in gained)
                                          for i in range(problems)}})
            files[-1]["pass_at_k"]["pass@1"] = 100 * sum(files[-1]["per_problem"].values()) / problems
        out.append({"model": "tiny_code", "target_phase": True, "arm": arm, "seed": 0, "files": files})
    return out


def _write(tmp_path: Path, effects: dict) -> Layout:
    from repro.studies.code import answer
    from repro.studies.code.stages.report import rows

    code = load(ROOT / "params.yaml", "smoke").section("code")
    code = code.model_copy(update={"models": ["tiny_code"], "primary": []})
    layout = Layout("smoke", root=tmp_path)
    results = layout.results / "code"
    results.mkdir(parents=True)
    executed = _results(code, effects)
    (results / "metrics.json").write_text(json.dumps({"results": rows(code, executed, [])}))
    (results / "answer.json").write_text(json.dumps({"answers": answer.answers(code, executed)}))
    return layout


def _effects(code, gain: float, loss: float) -> dict:
    x = [s.name for s in eval_sets(code) if s.benchmark == "humaneval-x"]
    german = [s.name for s in eval_sets(code) if s.natural_language == "German"]
    return {"cnn_dailymail": dict.fromkeys(x, gain), "cnn_dailymail.de": dict.fromkeys(german, gain),
            "cnn_dailymail+shuffled": dict.fromkeys(x, -loss)}


def test_the_code_claims_pass_where_the_effects_are_and_fail_where_they_are_not(tmp_path):
    code = load(ROOT / "params.yaml", "smoke").section("code")
    found = planted.verify(_write(tmp_path / "planted", _effects(code, 1.0, 1.0)), study="code")
    assert found and {r.status for r in found} == {"pass"}, [(r.id, r.status, r.reason) for r in found]
    null = {r.id: r.status for r in planted.verify(_write(tmp_path / "null", {}), study="code")}
    interval_claims = [r.id for r in found if "ci_" in r.observe]
    assert len(interval_claims) >= 3 and all(null[c] == "fail" for c in interval_claims)
    assert all(null[r.id] == "pass" for r in found if "pass_" in r.observe)  # none passes half of every file
    missing = planted.verify(Layout("smoke", root=tmp_path / "absent"), study="code")
    assert {r.status for r in missing} == {"missing"}


def test_answer_md_shows_primary_then_planted_then_exploratory(tmp_path):
    from repro.studies.code.answer import markdown

    layout = _write(tmp_path, _effects(load(ROOT / "params.yaml", "smoke").section("code"), 1.0, 1.0))
    records = json.loads((layout.results / "code/answer.json").read_text())["answers"]
    records[0] = {**records[0], "primary": True, "p_adjusted": records[0]["p_value"]}
    verdicts = planted.to_json(planted.verify(layout, study="code"))
    text = markdown(records, "smoke", [], verdicts)
    primary, plant = text.index("## Primary contrasts"), text.index("## Planted effects")
    assert primary < plant < text.index("(exploratory, p unadjusted)")
    assert all(v["claim"] in text[plant:] for v in verdicts) and f"{len(verdicts)} of {len(verdicts)} pass" in text
    assert "## Planted effects" not in markdown(records, "paper", [])


def test_the_smoke_worlds_own_article_sets_are_refused_elsewhere_and_read_by_their_arms(world, tmp_path):
    import yaml

    from repro.params import ParamsError
    from repro.studies.code.params import article_variants, arm_name

    assert article_variants("cnn_dailymail.de") == ["de"] and article_variants("cnn_dailymail+shuffled") == ["shuffled"]
    assert article_variants("mnli.de") is None and arm_name("cnn_dailymail.de") == "cnn_dailymail@de"
    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    raw["profiles"]["paper"]["code"]["arms"] = ["none", "cnn_dailymail+shuffled"]
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ParamsError, match="cnn_dailymail\\+shuffled: the smoke world's own CNN/DailyMail set"):
        load(path, "paper")
    out, code = world
    assert (out / "cnn_dailymail.de/train.jsonl").is_file() and not (out / "cnn_dailymail.ru").exists()
