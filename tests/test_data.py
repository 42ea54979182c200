"""The data stage's Hub path, on a local directory laid out like a Hub dataset repository (no network here),
and what a hub profile asks for before any download."""

from pathlib import Path

import datasets
import pytest

from repro import data
from repro.params import load
from repro.registry import SOURCES

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
    full, origin = data.load_hub("multilingual_text", str(repo), "main", "train", "de")
    assert full.features == SOURCES["multilingual_text"].features  # the extra column is dropped
    assert full["text"] == WIKIPEDIA_ROWS["text"]
    assert origin["config"] == "20231101.de" and origin["revision"] == "main"
    first, _ = data.load_hub("multilingual_text", str(repo), "main", "train", "de", max_rows=2)
    assert first["text"] == ["eins", "zwei"] and first.features == full.features


def test_hub_loader_refuses_a_changed_schema(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "cache")  # read at import
    rows = {k: v for k, v in WIKIPEDIA_ROWS.items() if k != "title"}
    repo = _hub_repo(tmp_path / "wikipedia", "20231101.de", "train", rows)
    with pytest.raises(ValueError, match="schema changed, missing columns title"):
        data.load_hub("multilingual_text", str(repo), "main", "train", "de")


def test_paper_profile_plans_the_alternatives_data_and_lets_local_only_sources_be_absent():
    paper = load(ROOT / "params.yaml", "paper")
    plan = data.needed(paper)
    keys = {(source, lang) for source, lang, _ in plan}
    assert {("mnli_translated", "de"), ("squad_v1_translated", "el"), ("multilingual_text", "sw")} <= keys
    assert ("mnli_translated", "en") not in keys
    data._check_sources(paper, plan)  # CCGbank and translated SQuAD have no path: skipped, not refused


def test_paper_profile_without_a_hub_source_is_refused_before_any_download():
    paper = load(ROOT / "params.yaml", "paper")
    del paper.data.sources["mnli_translated"]
    with pytest.raises(ValueError, match=r"^data.sources.mnli_translated: needs `hub` and `revision`"):
        data._check_sources(paper, data.needed(paper))
