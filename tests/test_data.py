"""The data stage's Hub path, on a local directory laid out like a Hub dataset repository (no network here),
and what a hub profile asks for before any download."""

from pathlib import Path

import datasets
import pytest
import yaml

from repro.data import materialize
from repro.data.hub import load_hub
from repro.data.sources import SOURCES
from repro.params import ParamsError, SourceSpec, load

ROOT = Path(__file__).parents[1]


def _hub_repo(root: Path, config: str, split: str, columns: dict) -> Path:
    """A dataset repository as the Hub serves it: parquet shards per config, declared in the README's YAML."""
    (root / config).mkdir(parents=True)
    datasets.Dataset.from_dict(columns).to_parquet(str(root / config / f"{split}-00000-of-00001.parquet"))
    (root / "README.md").write_text(f"---\nconfigs:\n- config_name: {config}\n  data_files:\n"
                                    f"  - split: {split}\n    path: {config}/{split}-*\n---\n")
    return root


WIKIPEDIA_ROWS = {"id": ["1", "2", "3", "4", "5"], "url": ["u"] * 5, "title": ["t"] * 5,
                  "text": ["eins", "zwei", "drei", "vier", "fünf"]}


def test_hub_loader_keeps_the_registry_schema_and_streams_a_prefix(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "cache")  # read at import
    repo = _hub_repo(tmp_path / "wikipedia", "20231101.de", "train", {**WIKIPEDIA_ROWS, "extra": [0] * 5})
    full, origin = load_hub("multilingual_text", str(repo), "main", "train", "de")
    assert full.features == SOURCES["multilingual_text"].features  # the extra column is dropped
    assert full["text"] == WIKIPEDIA_ROWS["text"]
    assert origin["config"] == "20231101.de" and origin["revision"] == "main"
    first, _ = load_hub("multilingual_text", str(repo), "main", "train", "de", max_rows=2)
    assert first["text"] == ["eins", "zwei"] and first.features == full.features


def test_hub_loader_refuses_a_changed_schema(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "cache")  # read at import
    rows = {k: v for k, v in WIKIPEDIA_ROWS.items() if k != "title"}
    repo = _hub_repo(tmp_path / "wikipedia", "20231101.de", "train", rows)
    with pytest.raises(ValueError, match="schema changed, missing columns title"):
        load_hub("multilingual_text", str(repo), "main", "train", "de")


def test_paper_profile_plans_the_alternatives_data_and_only_what_its_sources_can_produce(tmp_path):
    paper = load(ROOT / "params.yaml", "paper")
    paper.data.sources["bucc2018"] = SourceSpec(path=str(tmp_path))  # BUCC comes from its release files only
    plan = materialize.needed(paper)
    keys = {(source, lang) for source, lang, _ in plan}
    assert {("mnli_translated", "de"), ("multilingual_text", "sw")} <= keys
    assert ("mnli_translated", "en") not in keys
    # no CCGbank or translated SQuAD path: the default study lists neither, so no stage needs them
    assert not {source for source, _ in keys} & {"ccg", "squad_v1_translated"}
    materialize._check_sources(paper, plan)


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


def test_paper_profile_without_a_hub_source_is_refused_before_any_download(tmp_path):
    paper = load(ROOT / "params.yaml", "paper")
    paper.data.sources["bucc2018"] = SourceSpec(path=str(tmp_path))
    del paper.data.sources["mnli_translated"]
    with pytest.raises(ValueError, match=r"^data.sources.mnli_translated: needs `hub` and `revision`"):
        materialize._check_sources(paper, materialize.needed(paper))
