"""The data stage's Hub path, on files laid out as `repro fetch` leaves a pinned commit's under data/ (no network
here), and what a hub profile asks for before any download."""

from pathlib import Path

import datasets
import pytest
import yaml

from repro.data import manifest, materialize
from repro.data.hub import load_hub
from repro.data.sources import SOURCES
from repro.params import ParamsError, SourceSpec, load

ROOT = Path(__file__).resolve().parents[3]


STAND_IN = "0123456789abcdef0123456789abcdef01234567"  # a commit for repositories the manifest has none for (test only)


def _pinned(tmp_path: Path, monkeypatch) -> dict:
    """The committed manifest with a stand-in commit wherever it has none, read from tmp_path by the loader."""
    raw = yaml.safe_load(manifest.MANIFEST.read_text())
    for repo in raw["repos"].values():
        repo["sha"] = repo["sha"] or STAND_IN
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump(raw))
    monkeypatch.setattr(manifest, "MANIFEST", path)
    return raw


def _hub_file(tmp_path: Path, monkeypatch, repo: str, relative: str, columns: dict) -> None:
    """One parquet file of a Hub dataset repository at the pinned commit under data/hub/ of the project (tmp_path, the
    working directory), offline."""
    from huggingface_hub import constants

    sha = _pinned(tmp_path, monkeypatch)["repos"][repo]["sha"]
    path = tmp_path / "data" / "hub" / repo / sha / relative
    path.parent.mkdir(parents=True)
    datasets.Dataset.from_dict(columns).to_parquet(str(path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)


WIKIPEDIA_ROWS = {"id": ["1", "2", "3", "4", "5"], "url": ["u"] * 5, "title": ["t"] * 5,
                  "text": ["eins", "zwei", "drei", "vier", "fünf"]}
WIKIPEDIA_DE = "20231101.de/train-00000-of-00001.parquet"


def test_hub_loader_keeps_the_registry_schema_and_reads_a_prefix(tmp_path, monkeypatch):
    _hub_file(tmp_path, monkeypatch, "wikimedia/wikipedia", WIKIPEDIA_DE, {**WIKIPEDIA_ROWS, "extra": [0] * 5})
    full, origin = load_hub("multilingual_text", "train", "de")
    assert full.features == SOURCES["multilingual_text"].features  # the extra column is dropped
    assert full["text"] == WIKIPEDIA_ROWS["text"]
    assert origin["config"] == "20231101.de" and origin["revision"] == manifest.pin("multilingual_text").repo.sha and origin[
        "files"] == [
        "20231101.de/train-00000-of-*.parquet"]
    first, _ = load_hub("multilingual_text", "train", "de", max_rows=2)
    assert first["text"] == ["eins", "zwei"] and first.features == full.features


def test_hub_loader_refuses_a_changed_schema(tmp_path, monkeypatch):
    rows = {k: v for k, v in WIKIPEDIA_ROWS.items() if k != "title"}
    _hub_file(tmp_path, monkeypatch, "wikimedia/wikipedia", WIKIPEDIA_DE, rows)
    with pytest.raises(ValueError, match="schema changed, missing columns title"):
        load_hub("multilingual_text", "train", "de")


def test_hub_loader_offline_without_the_file_says_what_to_do(tmp_path, monkeypatch):
    _hub_file(tmp_path, monkeypatch, "wikimedia/wikipedia", WIKIPEDIA_DE, WIKIPEDIA_ROWS)
    with pytest.raises(ValueError, match=r"^pin multilingual_text: 20231101.sw/train-00000-of-\*.parquet of "
                                         r"wikimedia/wikipedia@[0-9a-f]{40} not in data/hub/wikimedia/wikipedia/"
                                         r"[0-9a-f]{40}; run `repro fetch`"):
        load_hub("multilingual_text", "train", "sw")


def test_paper_profile_plans_the_alternatives_data_and_only_what_its_sources_can_produce(tmp_path, monkeypatch):
    paper = load(ROOT / "params.yaml", "paper")
    paper.data.sources["bucc2018"] = SourceSpec(path=str(tmp_path))  # BUCC comes from its release files only
    plan = materialize.needed(paper)
    keys = {(source, lang) for source, lang, _ in plan}
    assert {("mnli_translated", "de"), ("multilingual_text", "sw")} <= keys
    assert ("mnli_translated", "en") not in keys
    # no CCGbank or translated SQuAD path: the default study lists neither, so no stage needs them
    assert not {source for source, _ in keys} & {"ccg", "squad_v1_translated"}
    materialize.check_sources(paper, plan)  # the committed manifest has a commit for every source the plan reads
    raw = _pinned(tmp_path, monkeypatch)
    raw["repos"]["wikimedia/wikipedia"]["sha"] = None  # one that could not be looked up
    (tmp_path / "manifest.yaml").write_text(yaml.safe_dump(raw))
    with pytest.raises(ValueError, match=r"^pin multilingual_text: wikimedia/wikipedia has no verified commit"):
        materialize.check_sources(paper, plan)


def _paper_with(tmp_path: Path, *, ccg_path: str | None) -> Path:
    """params.yaml whose paper study adds CCG, with data.sources.ccg.path set to `ccg_path`."""
    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    study = raw["profiles"]["paper"]["study"]
    study["intermediate_tasks"].append("ccg")
    study["intermediate"].append("ccg")
    raw["profiles"]["paper"]["data"]["sources"]["ccg"] = {"path": ccg_path}
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_a_study_with_a_local_only_source_needs_an_existing_path(tmp_path):
    with pytest.raises(ParamsError, match=r"data.sources.ccg.path: the study reads ccg; CCGbank is LDC-licensed"):
        load(_paper_with(tmp_path, ccg_path=None), "paper")
    missing = tmp_path / "no-ccgbank"
    with pytest.raises(ParamsError, match=rf"data.sources.ccg.path: {missing} does not exist"):
        load(_paper_with(tmp_path, ccg_path=str(missing)), "paper")
    missing.mkdir()
    plan = materialize.needed(load(_paper_with(tmp_path, ccg_path=str(missing)), "paper"))
    assert ("ccg", None) in {(source, lang) for source, lang, _ in plan}


def test_paper_profile_naming_another_repository_is_refused_before_any_download(tmp_path, monkeypatch):
    paper = load(ROOT / "params.yaml", "paper")
    paper.data.sources["bucc2018"] = SourceSpec(path=str(tmp_path))
    paper.data.sources["mnli_translated"] = SourceSpec(hub="someone/xnli")
    _pinned(tmp_path, monkeypatch)
    with pytest.raises(ValueError, match=r"^pin mnli_translated: data.sources.mnli_translated.hub is someone/xnli, "
                                         r"the manifest pins facebook/xnli"):
        materialize.check_sources(paper, materialize.needed(paper))
