"""XTREME-R's dual-encoder targets (Mewsli-X, LAReQA): the in-batch loss and the ranking on hand-computed cases,
XTREME's text preprocessing (mention markup, SQuAD sentence breaks), the LAReQA pool and its gold, the release
loaders on the smoke world's release files (and real XQuAD, which is not XQuAD-R), and the one-line refusal of a
hub profile without the local copies, before any work."""

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from repro.data.sources import SOURCES, entity_text, mention_query
from repro.errors import UserError
from repro.kinds import dual_encoder as kind
from repro.params import load
from repro.tasks import target

ROOT = Path(__file__).resolve().parents[3]
REAL = Path("/work/shared/real-data")
GOLDEN = Path(__file__).resolve().parents[3] / "tests" / "golden" / "mewslix"  # real Mewsli-X release lines (SOURCE.md)
LANGS = {"xnli": ["en"], "mewslix": ["en", "ar", "de"], "lareqa": ["en", "zh"]}


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> tuple[Path, dict]:
    from repro import smoke

    out = tmp_path_factory.mktemp("world")
    counts = smoke.write_smoke_world(out, LANGS, n_train=16, n_eval=16, corpus_per_language=8)
    return out, counts


def test_in_batch_loss_is_the_cross_entropy_of_scaled_cosines():
    import torch

    query = torch.tensor([[2.0, 0.0], [0.0, 3.0]])
    candidate = torch.tensor([[1.0, 0.0], [1.0, 1.0]])
    loss = kind.in_batch_loss(query, candidate, torch.tensor([2.0]))
    # cosines [[1, 1/sqrt2], [0, 1/sqrt2]] x 2; row i's label is candidate i
    c = 2 / math.sqrt(2)
    row0 = -math.log(math.exp(2) / (math.exp(2) + math.exp(c)))
    row1 = -math.log(math.exp(c) / (math.exp(0) + math.exp(c)))
    assert loss.item() == pytest.approx((row0 + row1) / 2, rel=1e-6)


def test_in_batch_loss_stays_fp32_under_bf16_autocast():
    import torch

    torch.manual_seed(0)
    query, candidate = torch.randn(8, 16), torch.randn(8, 16)
    exact = kind.in_batch_loss(query, candidate, torch.tensor([100.0]))
    with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
        mixed = kind.in_batch_loss(query.bfloat16(), candidate.bfloat16(), torch.tensor([100.0]))
    assert mixed.dtype == torch.float32
    # only the inputs' rounding to bf16 differs (a bf16 matmul at scale 100 would be off by whole units)
    assert mixed.item() == pytest.approx(exact.item(), rel=0.05)


def test_rank_is_best_first_cut_at_k_ties_to_the_lower_row():
    queries = np.array([[1.0, 0.0], [0.0, 1.0]])
    candidates = np.array([[0.5, 0.5], [1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [0.9, 0.1]])
    assert kind.rank(queries, candidates, k=3).tolist() == [[1, 4, 0], [2, 0, 3]]
    assert kind.rank(queries, candidates, k=20).shape == (2, 5)
    ranked = kind.rankings(["q1", "q2"], kind.rank(queries, candidates, k=2), ["a", "b", "c", "d", "e"])
    assert ranked == {"q1": ["b", "e"], "q2": ["c", "a"]}


def test_the_mention_query_marks_the_span_in_its_sentence_as_utils_mewslix():
    context = "Old news. The {big} man met Ada Lovelace in London.\nThen he left."
    row = {"context": context, "sentence_starts": [0, 10, 52], "sentence_ends": [9, 51, 64],
           "mention": "Ada Lovelace", "mention_start": 28, "mention_end": 40}
    assert mention_query(row) == "Ada Lovelace: The (big) man met { Ada Lovelace } in London."
    entity = {"entity_description": "Ada was a\nmathematician. She wrote.  Extra", "entity_sentence_starts": [0, 25],
              "entity_sentence_ends": [24, 35]}
    assert entity_text(entity) == "Ada was a mathematician. She wrote."


def test_squad_pairs_are_question_against_answer_sentence_then_paragraph():
    context = "The cat sat. It was 3 p.m. when Bob came.\nNobody left!"
    assert kind.sentence_breaks(context) == [(0, 12), (13, 41), (42, 54)]
    example = {"id": "q", "question": "Who came?", "context": context,
               "answers": {"text": ["Bob"], "answer_start": [32]}}
    (pair,) = kind.training_pairs([example])
    assert pair["query"] == "Who came?"
    assert pair["candidate"] == "It was 3 p.m. when Bob came." + context.replace("\n", "")


@pytest.mark.skipif(not (REAL / "xquad").is_dir(), reason="no /work/shared real-data samples")
def test_real_squad_paragraphs_break_into_the_sentences_that_hold_their_answers():
    """XQuAD's English file is SQuAD v1.1 dev text: nearly every answer lies inside one inferred sentence."""
    articles = json.loads((REAL / "xquad" / "xquad.en.json").read_text())["data"]
    examples = [{"id": qa["id"], "question": qa["question"], "context": p["context"],
                 "answers": {"text": [qa["answers"][0]["text"]], "answer_start": [qa["answers"][0]["answer_start"]]}}
                for a in articles for p in a["paragraphs"] for qa in p["qas"]]
    pairs = kind.training_pairs(examples)
    assert len(pairs) > 0.97 * len(examples)
    for pair, example in zip(pairs, examples):
        if pair["id"] == example["id"]:
            sentence = pair["candidate"][:len(pair["candidate"]) - len(example["context"].replace("\n", ""))]
            assert example["answers"]["text"][0] in sentence


def test_lareqa_pool_ranks_every_sentence_of_every_language_relevant_in_each():
    lareqa = target("lareqa")
    def question(qid, lang, paragraph, sentences, answer):
        return {"id": qid, "question": f"{qid}?", "language": lang, "context_id": f"{lang}_{paragraph}",
                "context": " ".join(sentences), "sentences": sentences, "answer_sentence": answer}
    examples = {"en": [question("a", "en", 1, ["S1.", "S2."], "S2."), question("b", "en", 1, ["S1.", "S2."], "S1.")],
                "de": [question("a", "de", 1, ["T1.", "T2.", "T2."], "T2."),
                       question("b", "de", 1, ["T1.", "T2.", "T2."], None)]}
    pool = kind.pool(lareqa, examples)
    assert pool.candidate_ids == ["en_1_0", "en_1_1", "de_1_0", "de_1_1", "de_1_2"]
    assert pool.candidate_texts[0] == "S1.S1. S2."  # sentence + paragraph, as utils_lareqa embeds it
    assert pool.queries == {"en": (["a", "b"], ["a?", "b?"]), "de": (["a"], ["a?"])}
    assert pool.gold == {"en": {"a": ["en_1_1", "de_1_1", "de_1_2"], "b": ["en_1_0"]},
                         "de": {"a": ["en_1_1", "de_1_1", "de_1_2"]}}
    assert kind.pooled_gold(lareqa, examples) == pool.gold


def test_mewslix_ranks_the_candidate_set_against_the_mention_entity():
    mewslix = target("mewslix")
    assert mewslix.kind == "dual_encoder" and mewslix.suite == "xtreme-r" and mewslix.candidates == "mewslix_entities"
    examples = {"de": [{"id": "m1", "query": "x", "gold": ["Q2"]}]}
    pool = kind.pool(mewslix, examples, [{"id": "Q1", "text": "one"}, {"id": "Q2", "text": "two"}])
    assert pool.candidate_ids == ["Q1", "Q2"] and pool.gold == {"de": {"m1": ["Q2"]}}


def test_the_loaders_read_the_smoke_release_files_in_their_tables(world):
    from repro.data import loaders

    out, counts = world
    for source, split, lang in (("mewslix_pairs", "train", None), ("mewslix_pairs", "validation", None),
                                ("mewslix", "validation", "ar"), ("mewslix", "test", "de"),
                                ("mewslix_entities", "test", None), ("xquad_r", "validation", "zh")):
        folder = out / ("xquad-r" if source == "xquad_r" else "mewslix")
        table = loaders.load_release(source, folder, split, lang)
        assert table.features == SOURCES[source].features
        assert len(table) == counts[source if lang is None else f"{source}.{lang}"][split] > 0
        for row in table:
            example = SOURCES[source].to_example(row)
            if "mention_start" in row:  # the release's offsets hold the mention's text
                assert row["context"][row["mention_start"]:row["mention_end"]] == row["mention"]
                assert f"{{ {row['mention']} }}" in example["query"]
    mentions = loaders.load_release("mewslix", out / "mewslix", "validation", "ar")
    entities = {row["entity_id"] for row in loaders.load_release("mewslix_entities", out / "mewslix", "test")}
    assert {row["entity_id"] for row in mentions} <= entities and {row["language"] for row in mentions} == {"ar"}
    en, zh = (loaders.load_release("xquad_r", out / "xquad-r", "validation", lang) for lang in ("en", "zh"))
    assert en["id"] == zh["id"] and en["paragraph"] == list(range(1, len(en) + 1))


def test_xtremes_per_language_mewslix_layout_is_read_and_its_blank_test_ids_refused(world, tmp_path):
    from repro.data import loaders

    out, _ = world
    lines = (out / "mewslix" / "wikinews_mentions-dev.jsonl").read_text().splitlines()
    (tmp_path / "wikinews_mentions").mkdir()
    for name, blank in (("dev", False), ("test", True)):
        kept = [json.loads(line) for line in lines if json.loads(line)["context"]["language"] == "de"]
        for document in kept:
            for mention in document["mentions"]:
                mention["entity_id"] = "" if blank else mention["entity_id"]
        (tmp_path / "wikinews_mentions" / f"{name}-de.jsonl").write_text("".join(json.dumps(d) + "\n" for d in kept))
    release = loaders.load_release("mewslix", out / "mewslix", "validation", "de")
    assert loaders.load_release("mewslix", tmp_path, "validation", "de")["example_id"] == release["example_id"]
    with pytest.raises(ValueError, match=r"test-de\.jsonl:1: mention \w+ has no gold entity id"):
        loaders.load_release("mewslix", tmp_path, "test", "de")


def test_release_files_that_cannot_be_read_as_they_are_are_refused_in_one_line(world, tmp_path):
    from repro.data import loaders

    out, _ = world
    document = json.loads((out / "mewslix" / "wikinews_mentions-dev.jsonl").read_text().splitlines()[0])
    document["context"]["text"] = ""  # the _no_text release
    (tmp_path / "wikinews_mentions-dev.jsonl").write_text(json.dumps(document) + "\n")
    with pytest.raises(ValueError, match="article text is empty.*get-mewsli-x.sh") as err:
        list(loaders.iter_release("mewslix", tmp_path, "validation", document["context"]["language"]))
    assert "\n" not in str(err.value)
    shutil.copy(out / "xquad-r" / "en.json", tmp_path / "en.json")
    with pytest.raises(UserError, match="xquad_r validation: none of de.json"):
        loaders.load_release("xquad_r", tmp_path, "validation", "de")


def test_real_mewslix_release_lines_load_with_their_text_and_offsets_intact():
    import hashlib

    from repro.data import loaders

    documents = [json.loads(line) for line in (GOLDEN / "wikinews_mentions-dev.jsonl").read_text().splitlines()]
    for lang, count in (("en", 1), ("ar", 2)):
        table = loaders.load_release("mewslix", GOLDEN, "validation", lang)
        assert len(table) == count and table.features == SOURCES["mewslix"].features
        document = next(d for d in documents if d["context"]["language"] == lang)
        for row, mention in zip(table, document["mentions"]):
            assert hashlib.md5(row["context"].encode()).hexdigest() == mention["metadata"]["text_md5"]
            assert (row["example_id"], row["entity_id"]) == (mention["example_id"], mention["entity_id"])
    (helsinki,) = loaders.load_release("mewslix", GOLDEN, "validation", "en")
    # utils_mewslix.preprocess_mention: the mention's own sentence, marked, the span in front
    assert SOURCES["mewslix"].to_example(helsinki)["query"] == (
        "Helsinki: In { Helsinki } , the Finnish trade union for bus and truck drivers has gone on strike on Sunday "
        "evening, mainly over the use of part-time labor.")


@pytest.mark.skipif(not (REAL / "xquad").is_dir(), reason="no /work/shared real-data samples")
def test_real_xquad_without_sentence_breaks_is_not_taken_for_xquad_r():
    from repro.data import loaders

    with pytest.raises(ValueError, match="needs a context and its sentence_breaks \\(XQuAD-R, not XQuAD\\)"):
        loaders.load_release("xquad_r", REAL / "xquad" / "xquad.de.json", "validation", "de")


def test_a_hub_profile_without_the_local_copies_is_refused_before_any_work(tmp_path):
    from repro.data import materialize
    from repro.studies.multilingual import study as multilingual

    paper = load(ROOT / "params.yaml", "paper")
    ml = paper.section("multilingual")
    ml = ml.model_copy(update={"arms": ["mnli-A1"]})  # arms that need no local source
    paper = paper.model_copy(update={"sections": {**paper.sections, "multilingual": ml}})
    with pytest.raises(UserError) as err:
        multilingual.check(paper)
    message = str(err.value)
    assert message.startswith("multilingual.dual_encoder_targets: mewslix reads mewslix_pairs; Mewsli-X has no Hub "
                              "copy: run get-mewsli-x.sh") and "data.sources.mewslix_pairs.path" in message
    assert "\n" not in message
    for source in ("mewslix_pairs", "mewslix", "mewslix_entities"):
        paper.data.sources[source] = paper.data.sources[source].model_copy(update={"path": str(tmp_path)})
    with pytest.raises(UserError, match=r"^multilingual.dual_encoder_targets: lareqa reads xquad_r; XQuAD-R has no "
                                        r"Hub copy: download github.com/google-research-datasets/lareqa"):
        multilingual.check(paper)
    paper.data.sources["xquad_r"] = paper.data.sources["xquad_r"].model_copy(update={"path": str(tmp_path / "no")})
    with pytest.raises(UserError, match=r"^data\.sources\.xquad_r\.path: .*/no does not exist \(lareqa reads it\)$"):
        multilingual.check(paper)
    # the paper study's data never waits for them: without their paths they are not asked for
    for source in ("mewslix_pairs", "xquad_r"):
        paper.data.sources[source] = paper.data.sources[source].model_copy(update={"path": None})
    sources = {source for source, _, _ in materialize.needed(paper)}
    assert "mewslix" not in sources and "xquad_r" not in sources and "mnli" in sources


def test_a_dual_encoder_target_elsewhere_and_unknown_languages_are_refused(tmp_path):
    import yaml

    from repro.params import ParamsError

    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    raw["profiles"]["smoke"]["multilingual"]["trained_targets"].append("mewslix")
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(raw))
    with pytest.raises(ParamsError, match="mewslix: a dual-encoder target; list it under dual_encoder_targets"):
        load(tmp_path / "params.yaml", "smoke")
    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    raw["profiles"]["smoke"]["languages"]["lareqa"] = ["en", "ro"]  # XQuAD has ro, XQuAD-R does not
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(raw))
    with pytest.raises(ParamsError, match="lareqa: ro not among the task's XTREME-R languages"):
        load(tmp_path / "params.yaml", "smoke")
