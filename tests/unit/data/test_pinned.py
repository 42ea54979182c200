"""The real loading path on the real layout: the paper profile's `repro data` run offline against exactly the files
repro/data/manifest.yaml names, laid out from constructed rows as `repro fetch` leaves them under data/
(data/hub/<org>/<name>/<sha>/<file>, data/releases/<owner>/<repo>/<sha>/<path>); a source that would read a
loading script or a config on a conversion branch, a damaged file, and an unpinned source each fail in one line."""

import datasets
import pytest
import yaml

from hub_layout import ROOT, bucc_release, lay_out, smoke_rows
from repro.data import manifest, materialize
from repro.data.manifest import SHA, load_manifest, pin
from repro.data.sources import SOURCES
from repro.errors import UserError
from repro.params import SourceSpec, load
from repro.paths import Layout


def test_manifest_pins_named_parquet_files_at_commits_only():
    """Every Hub source of the paper profile has an entry; commits are 40-hex or null; files are parquet (or release
    files): no loading script, no conversion branch, no revision in params that disagrees with the manifest."""
    pins = load_manifest()
    paper = load(ROOT / "params.yaml", "paper")
    for source, spec in paper.data.sources.items():
        if spec.path is not None or source in ("ccg", "bucc2018") or source in manifest_local():
            continue
        found = pins[source]
        assert found.repo.sha is None or SHA.fullmatch(found.repo.sha), source
        assert spec.hub in (None, found.repo.name) and spec.revision is None, source
        for split in SOURCES[source].splits:
            for path in found.patterns(split, "de" if SOURCES[source].per_language else None):
                assert "refs/convert" not in path and not path.endswith(".py")
                assert found.layout == "release" or path.endswith(".parquet")
    assert pins["cosmosqa"].repo.host == "github"  # allenai/cosmos_qa holds only a loading script


def test_no_code_asks_datasets_for_a_builder_or_a_conversion_branch():
    """Hub data is read only as the manifest's files (repro.data.pinned): `datasets.load_dataset` runs builders and
    resolves config names, which is how a loading script or refs/convert/parquet would slip back in."""
    sources = {path: path.read_text() for path in (ROOT / "repro").rglob("*.py")}
    assert not [path for path, text in sources.items() if "load_dataset(" in text]
    assert not [path for path, text in sources.items() if "refs/convert" in text and path.name != "manifest.py"]


def manifest_local() -> set[str]:
    return set(yaml.safe_load(manifest.MANIFEST.read_text())["local"])


def test_a_manifest_naming_a_script_or_a_conversion_branch_is_refused(tmp_path, monkeypatch):
    raw = yaml.safe_load(manifest.MANIFEST.read_text())
    for bad in ("hellaswag.py", "refs/convert/parquet/default/train/0000.parquet"):
        raw["sources"]["hellaswag"]["files"] = bad
        path = tmp_path / "manifest.yaml"
        path.write_text(yaml.safe_dump(raw))
        monkeypatch.setattr(manifest, "MANIFEST", path)
        with pytest.raises(UserError, match=r"sources.hellaswag.files: .*(loading script|conversion branch)"):
            load_manifest()


def test_an_unpinned_source_is_refused_in_one_line(tmp_path, monkeypatch):
    raw = yaml.safe_load(manifest.MANIFEST.read_text())
    raw["repos"]["nyu-mll/glue"]["sha"] = None
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump(raw))
    monkeypatch.setattr(manifest, "MANIFEST", path)
    with pytest.raises(UserError, match=r"^pin mnli: nyu-mll/glue has no verified commit in repro/data/manifest"
                                        r"\.yaml \([^\n]*\); look its commit up") as error:
        pin("mnli")
    assert "\n" not in str(error.value)
    with pytest.raises(UserError, match=r"^pin qqp: data.sources.qqp.hub is glue, the manifest pins nyu-mll/glue"):
        pin("qqp", hub="glue")


# --- the paper profile's data stage on the real layout ----------------------------------------------------------

@pytest.mark.long  # ~75 s for the three: after the README's suite (its 10-minute budget)
@pytest.mark.parametrize("study", ["paper", "multilingual", "code"])
def test_each_studys_data_stage_reads_exactly_the_manifests_files_offline(tmp_path, monkeypatch, study):
    """`repro data --profile paper --study <study>` through the code a real run uses, offline, on the Hub cache
    layout: every dataset of the study lands (under prepared/; data/ is left as fetched), nothing else is read, and
    no loading script or config name is asked for."""
    smoke = smoke_rows(tmp_path)
    paper = load(ROOT / "params.yaml", "paper")
    paper.data.sources["bucc2018"] = SourceSpec(path=str(bucc_release(smoke, tmp_path / "bucc")))
    plan = materialize.needed(paper, study)
    inputs = lay_out(tmp_path, smoke, plan, monkeypatch)
    before = sorted(inputs.rglob("*"))

    def refuse(*args, **kwargs):
        raise AssertionError(f"datasets.load_dataset{args}: a builder or config name, not the pinned files")

    monkeypatch.setattr(datasets, "load_dataset", refuse)
    layout = Layout("paper", tmp_path / "run")
    written = materialize.materialize(paper, layout, study)
    assert set(written) == {f"{s}.{lang}" if lang else s for s, lang, _ in plan}
    hub = [info for splits in written.values() for info in splits.values() if info["origin"] == "hub"]
    commits = [info.get("sha") or info["releases"][0].rsplit("@", 1)[1] for info in hub]  # a language's own pin
    assert hub and all(SHA.fullmatch(commit) for commit in commits)
    assert written["cosmosqa"]["train"]["origin"] == "github" if "cosmosqa" in written else study == "multilingual"
    assert (inputs / "hub" / "google" / "xtreme").is_dir() == (study != "code")
    assert sorted(inputs.rglob("*")) == before and layout.data == tmp_path / "run" / "prepared" / "paper"
    if study == "paper":
        assert not {"siqa", "copa"} & set(written) and not any(k.startswith("xcopa.") for k in written)
        assert written["panx.de"]["test"]["files"] == ["PAN-X.de/test-00000-of-00001.parquet"]
        assert "udpos.kk" in written and "validation" not in written["udpos.kk"]  # test only, as XTREME
        from repro import data

        assert data.read(layout, "xnli", "validation", "sw")  # rows of one language out of XNLI's one table
    if study == "multilingual":
        assert {"siqa", "copa", "xcopa.qu"} <= set(written) and not any(k.startswith("bucc2018") for k in written)


def test_each_study_plans_only_its_own_sources(tmp_path):
    paper = load(ROOT / "params.yaml", "paper")
    paper.data.sources["bucc2018"] = SourceSpec(path=str(tmp_path))
    sources = {study: {s for s, _, _ in materialize.needed(paper, study)} for study in ("paper", "multilingual")}
    assert not {"siqa", "copa", "xcopa"} & sources["paper"]
    assert {"siqa", "copa", "xcopa"} <= sources["multilingual"] and "bucc2018" not in sources["multilingual"]
    assert sources["paper"] == {s for s, _, _ in materialize.needed(paper)}  # no study named: the paper's
    with pytest.raises(UserError, match="--study nope: the profile paper has no such study"):
        materialize.needed(paper, "nope")


def test_damaged_inputs_are_named_in_one_line(tmp_path, monkeypatch):
    """A Hub file whose checksum is not the manifest's, a row count that is not, and a materialized split cut short."""
    from repro import data
    from repro.data.hub import load_hub

    smoke = smoke_rows(tmp_path)
    plan = [("panx", "de", ("train",)), ("snli", None, ("train",))]
    inputs = lay_out(tmp_path, smoke, plan, monkeypatch)
    dataset, origin = load_hub("panx", "train", "de")
    assert len(dataset) and origin["files"] == ["PAN-X.de/train-00000-of-00001.parquet"]
    shard = next(inputs.glob("hub/google/xtreme/*/PAN-X.de/train-00000-of-00001.parquet")).relative_to(tmp_path)
    shard.write_bytes(shard.read_bytes()[:-1] + b"!")
    with pytest.raises(UserError, match=rf"^{shard}: SHA-256 is not the manifest's [0-9a-f]{{12}}\.\.\.; delete it"):
        load_hub("panx", "train", "de")

    raw = yaml.safe_load(manifest.MANIFEST.read_text())
    raw["sources"]["snli"]["rows"] = {"train": 550152}
    manifest.MANIFEST.write_text(yaml.safe_dump(raw))
    manifest._load.cache_clear()
    with pytest.raises(UserError, match=r"^pin snli: train has \d+ rows, the manifest says 550152"):
        load_hub("snli", "train", None)

    layout = Layout("smoke", smoke.parents[1])
    path = layout.dataset("pawsx.en", "train")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(UserError) as error:
        data.read(layout, "pawsx", "train", "en")
    message = str(error.value)
    assert message.startswith(f"{path}: damaged parquet file (") and "\n" not in message
    assert message.endswith("regenerate it with `repro data --profile smoke` (or `dvc checkout` / `dvc pull` of the "
                            "data stage)")
