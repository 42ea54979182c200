"""XCOPA as an XTREME-R target of the multilingual study: English training as XTREME-R does it (SIQA, then COPA),
the smoke world's SIQA, COPA and XCOPA in their Hub schemas read as multiple-choice examples, the data stage
asking for them, and one-line refusals before any work. (The trained chain itself: tests/e2e/test_multilingual_e2e.py.)"""

import copy
from pathlib import Path

import pytest
import yaml

from repro.data import read_file
from repro.data.sources import SOURCES
from repro.params import ParamsError, load
from repro.tasks import target

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    from repro import smoke

    out = tmp_path_factory.mktemp("world")
    languages = {"xnli": ["en"], "xcopa": ["zh", "tr", "id"]}
    smoke.write_smoke_world(out, languages, n_train=32, n_eval=16, corpus_per_language=12)
    return out


def test_xcopa_trains_on_siqa_then_copa_as_xtreme_r():
    from repro.studies.multilingual.stages.target import phases

    xcopa = target("xcopa")
    assert xcopa.suite == "xtreme-r" and xcopa.kind == "multiple_choice" and xcopa.evaluate == "xcopa"
    chain = phases(xcopa)
    assert [p.train for p in chain] == [("siqa",), ("copa",)]
    assert chain[-1] is xcopa and chain[0].train_before == ()


def test_smoke_world_writes_siqa_copa_xcopa_in_their_hub_schemas(world):
    for key, source in (("siqa", "siqa"), ("copa", "copa"), ("xcopa.tr", "xcopa")):
        split = "test" if source == "xcopa" else "train"
        table = read_file(world / key / f"{split}.parquet", source)
        assert table and {len(e["choices"]) for e in table} == {3 if source == "siqa" else 2}
        assert {e["label"] for e in table} <= set(range(3 if source == "siqa" else 2))
    import pyarrow.parquet as pq

    for key, source in (("siqa", "siqa"), ("copa", "copa"), ("xcopa.zh", "xcopa")):
        assert pq.read_schema(world / key / "validation.parquet").names == list(SOURCES[source].features)


def test_xcopa_is_parallel_with_english_questions_as_run_xcopa_builds_them(world):
    zh, tr = (read_file(world / f"xcopa.{lang}" / "validation.parquet", "xcopa") for lang in ("zh", "tr"))
    assert [e["label"] for e in zh] == [e["label"] for e in tr]  # the same items, translated
    assert all(e["context"].endswith(("What was the cause?", "What was the effect?")) for e in zh)
    assert zh[0]["choices"] != tr[0]["choices"]


def test_hub_rows_become_choices_as_run_xcopa_does():
    siqa = SOURCES["siqa"].to_example({"context": "Tracy lost.", "question": "How would she feel?",
                                       "answerA": "sad", "answerB": "happy", "answerC": "bored", "label": "1"})
    assert siqa == {"context": "Tracy lost. How would she feel?", "choices": ["sad", "happy", "bored"], "label": 0}
    copa = SOURCES["xcopa"].to_example({"premise": "Il vaso si ruppe.", "choice1": "a", "choice2": "b",
                                        "question": "cause", "label": 1, "idx": 1, "changed": False})
    assert copa == {"context": "Il vaso si ruppe. What was the cause?", "choices": ["a", "b"], "label": 1}


def test_the_multilingual_study_reads_siqa_copa_and_every_xcopa_language():
    from repro.data import materialize

    for name in ("smoke", "paper"):
        profile = load(ROOT / "params.yaml", name)
        assert "xcopa" in profile.section("multilingual").trained_targets
        keys = {(source, lang) for source, lang, _ in materialize.needed(profile, "multilingual")}
        assert {("siqa", None), ("copa", None)} <= keys
        assert {("xcopa", lang) for lang in profile.languages["xcopa"]} <= keys


def test_a_language_xcopa_lacks_is_refused_naming_it(tmp_path):
    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    raw["profiles"]["smoke"]["languages"]["xcopa"] = ["zh", "de"]
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ParamsError) as err:
        load(path, "smoke")
    assert "xcopa: de not among the task's XTREME-R languages" in str(err.value) and "\n" not in str(err.value)


def test_a_hub_profile_whose_siqa_is_unpinned_is_refused_before_any_download(tmp_path, monkeypatch):
    """allenai/social_i_qa's main is a loading script: without a commit of its parquet files in the manifest the
    multilingual study's data is refused in one line, and the paper study's never asks for SIQA."""
    from repro.data import manifest, materialize
    from repro.params import SourceSpec
    from repro.paths import Layout

    raw = yaml.safe_load(manifest.MANIFEST.read_text())
    for name, repo in raw["repos"].items():
        repo["sha"] = None if name == "allenai/social_i_qa" else repo["sha"] or "0" * 40
    (tmp_path / "manifest.yaml").write_text(yaml.safe_dump(raw))
    monkeypatch.setattr(manifest, "MANIFEST", tmp_path / "manifest.yaml")
    paper = load(ROOT / "params.yaml", "paper")
    paper.data.sources["bucc2018"] = SourceSpec(path=str(tmp_path))  # the release files' path is checked first
    with pytest.raises(ValueError, match=r"^pin siqa: allenai/social_i_qa has no verified commit in "
                                         r"repro/data/manifest.yaml"):
        materialize.materialize(paper, Layout("paper", tmp_path), "multilingual")
    assert not (tmp_path / "prepared").exists()
    materialize.check_sources(paper, materialize.needed(paper, "paper"))


def test_a_target_outside_the_study_is_refused(tmp_path, smoke_profile):
    from repro.paths import Layout
    from repro.studies.multilingual.stages import target as ml_target

    smoke = copy.deepcopy(smoke_profile)  # its section edited in place
    smoke.section("multilingual").trained_targets.remove("xcopa")
    with pytest.raises(ValueError, match="xcopa: not among profiles.smoke.multilingual.trained_targets"):
        ml_target.run(smoke, Layout("smoke", tmp_path), "mnli-A1-1", "xcopa")


def test_the_paper_study_refuses_xcopa(tmp_path):
    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    raw["profiles"]["smoke"]["study"]["trained_targets"].append("xcopa")
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ParamsError, match="xcopa: an xtreme-r target, not one of the paper.s"):
        load(path, "smoke")
