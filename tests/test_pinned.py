"""The real loading path on the real layout: the paper profile's `repro data` run offline against exactly the files
repro/data/manifest.yaml names, laid out from constructed rows as the Hugging Face cache holds them
(datasets--<org>--<name>/snapshots/<sha>/<file>) and as release files at their commit; a source that would read a
loading script or a config on a conversion branch, a damaged file, and an unpinned source each fail in one line."""

import csv
import hashlib
from pathlib import Path

import datasets
import pytest
import yaml

from repro.data import manifest, materialize
from repro.data.manifest import SHA, load_manifest, pin
from repro.data.sources import SOURCES, TYDIQA_ID_PREFIX
from repro.errors import UserError
from repro.params import SourceSpec, load
from repro.paths import Layout

ROOT = Path(__file__).parents[1]
STAND_IN = "0123456789abcdef0123456789abcdef01234567"  # a commit for repositories the manifest has none for (test only)


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
                assert found.format == "release" or path.endswith(".parquet")
    assert pins["cosmosqa"].repo.kind == "github"  # allenai/cosmos_qa holds only a loading script


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

def _smoke_rows(tmp_path: Path) -> Path:
    """The smoke world's datasets in the Hub schema: the rows the constructed Hub files are made of."""
    smoke = Layout("smoke", tmp_path / "smoke")
    materialize.materialize(load(ROOT / "params.yaml", "smoke"), smoke)
    return smoke.data


def _rows(smoke: Path, source: str, lang: str | None, split: str) -> list[dict]:
    """Rows of `source` for one language and split: the smoke world's own, or another language's relabelled."""
    keys = [source if lang is None else f"{source}.{lang}"] + sorted(
        p.name for p in smoke.iterdir() if p.name.startswith(f"{source}."))
    for key in keys:
        for name in (split, "validation", "test", "train"):
            if (smoke / key / f"{name}.parquet").is_file():
                rows = datasets.Dataset.from_parquet(str(smoke / key / f"{name}.parquet")).to_list()
                if source == "xnli":
                    rows = [{**row, "language": lang} for row in rows]
                if source == "tydiqa":
                    rows = [{**row, "id": f"{TYDIQA_ID_PREFIX[lang]}-{i}"} for i, row in enumerate(rows)]
                return rows
    raise AssertionError(f"the smoke world has no {source}")


def _lay_out(tmp_path: Path, smoke: Path, plan, monkeypatch) -> Path:
    """Exactly the files the manifest names for `plan`, in the Hugging Face cache layout and the release layout,
    and a manifest whose rows and checksums are those of the constructed files (commits: the manifest's own, or
    STAND_IN where it has none)."""
    raw = yaml.safe_load(manifest.MANIFEST.read_text())
    for repo in raw["repos"].values():
        repo["sha"] = repo["sha"] or STAND_IN
    cache, releases = tmp_path / "hf", tmp_path / "releases"
    files: dict[Path, tuple[str, list[dict]]] = {}
    for source, lang, splits in plan:
        spec = raw["sources"].get(source)
        if spec is None:
            continue  # BUCC: release files from data.sources.bucc2018.path
        repo = raw["repos"][spec["repo"]]
        found = manifest.Pin(source, manifest.Repo(spec["repo"], repo.get("kind", "hub"), repo["sha"], "", ""),
                             spec.get("format", "parquet"), spec["files"], spec.get("rows") or {})
        for split in splits:
            if lang in found.rows.get("absent", {}).get(split, ()):
                continue
            for pattern in found.patterns(split, lang):
                if found.repo.kind == "github":
                    root = releases / spec["repo"] / repo["sha"]
                else:
                    org, name = spec["repo"].split("/")
                    root = cache / f"datasets--{org}--{name}" / "snapshots" / repo["sha"]
                files.setdefault(root / pattern.replace("-of-*", "-of-00001"), (source, []))[1].extend(
                    _rows(smoke, source, lang, split))
    for path, (source, rows) in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".csv":
            _csv(path, rows)
        else:
            datasets.Dataset.from_list(rows, features=SOURCES[source].features).to_parquet(str(path))
    for spec in raw["sources"].values():
        for relative, expected in (spec.get("checksums") or {}).items():
            written = [p for p in files if str(p).endswith("/" + relative)]
            if written:
                expected.update(size=written[0].stat().st_size,
                                sha256=hashlib.sha256(written[0].read_bytes()).hexdigest())
        for split, count in list((spec.get("rows") or {}).items()):
            if isinstance(count, int):
                spec["rows"].pop(split)  # the constructed files' counts are checked by test_rows_are_checked
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump(raw))
    monkeypatch.setattr(manifest, "MANIFEST", path)
    _offline_hub(monkeypatch, cache, releases)
    return cache


def _csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _offline_hub(monkeypatch, cache: Path, releases: Path) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("REPRO_RELEASES", str(releases))


def _bucc(smoke: Path, out: Path) -> Path:
    """BUCC 2018 release files (<lang>-en.{sample,training}.{<lang>,en,gold}) from the smoke world's rows."""
    out.mkdir()
    for key in (p.name for p in smoke.iterdir() if p.name.startswith("bucc2018.")):
        lang = key.split(".")[1]
        for split, part in (("validation", "sample"), ("test", "training")):
            rows = datasets.Dataset.from_parquet(str(smoke / key / f"{split}.parquet")).to_list()
            stem = out / f"{lang}-en.{part}"
            for side in (lang, "en"):
                Path(f"{stem}.{side}").write_text("".join(f"{r['id']}\t{r['sentence']}\n" for r in rows
                                                          if r["language"] == side))
            Path(f"{stem}.gold").write_text("".join(f"{r['id']}\t{g}\n" for r in rows for g in r["gold"]))
    return out


def test_paper_data_stage_reads_exactly_the_manifests_files_offline(tmp_path, monkeypatch):
    """`repro data --profile paper --study paper` through the code a real run uses, offline, on the Hub cache layout:
    every dataset of the study lands, nothing else is read, and no loading script or config name is ever asked for."""
    smoke = _smoke_rows(tmp_path)
    paper = load(ROOT / "params.yaml", "paper")
    paper.data.sources["bucc2018"] = SourceSpec(path=str(_bucc(smoke, tmp_path / "bucc")))
    plan = materialize.needed(paper, "paper")
    cache = _lay_out(tmp_path, smoke, plan, monkeypatch)

    def refuse(*args, **kwargs):
        raise AssertionError(f"datasets.load_dataset{args}: a builder or config name, not the pinned files")

    monkeypatch.setattr(datasets, "load_dataset", refuse)
    layout = Layout("paper", tmp_path / "run")
    written = materialize.materialize(paper, layout, "paper")
    keys = {f"{s}.{lang}" if lang else s for s, lang, _ in plan}
    assert set(written) == keys
    assert not {"siqa", "copa"} & set(written) and not any(k.startswith("xcopa.") for k in written)
    hub = [info for splits in written.values() for info in splits.values() if info["origin"] == "hub"]
    assert hub and all(SHA.fullmatch(info["sha"]) for info in hub)
    assert written["cosmosqa"]["train"]["origin"] == "github"
    assert written["panx.de"]["test"]["files"] == ["PAN-X.de/test-00000-of-00001.parquet"]
    assert (cache / "datasets--google--xtreme" / "snapshots").is_dir()
    assert "udpos.kk" in written and "validation" not in written["udpos.kk"]  # test only, as XTREME
    from repro import data

    assert data.read(layout, "xnli", "validation", "sw")  # rows of one language out of XNLI's one table


def test_each_study_plans_only_its_own_sources(tmp_path):
    paper = load(ROOT / "params.yaml", "paper")
    paper.data.sources["bucc2018"] = SourceSpec(path=str(tmp_path))
    sources = {study: {s for s, _, _ in materialize.needed(paper, study)} for study in ("paper", "multilingual")}
    assert not {"siqa", "copa", "xcopa"} & sources["paper"]
    assert {"siqa", "copa", "xcopa"} <= sources["multilingual"] and "bucc2018" not in sources["multilingual"]
    assert sources["paper"] | sources["multilingual"] == {s for s, _, _ in materialize.needed(paper)}
    with pytest.raises(UserError, match="--study nope: the profile paper has no such study"):
        materialize.needed(paper, "nope")


def test_damaged_inputs_are_named_in_one_line(tmp_path, monkeypatch):
    """A Hub file whose checksum is not the manifest's, a row count that is not, and a materialized split cut short."""
    from repro import data
    from repro.data.hub import load_hub

    smoke = _smoke_rows(tmp_path)
    plan = [("panx", "de", ("train",)), ("snli", None, ("train",))]
    cache = _lay_out(tmp_path, smoke, plan, monkeypatch)
    dataset, origin = load_hub("panx", "train", "de")
    assert len(dataset) and origin["files"] == ["PAN-X.de/train-00000-of-00001.parquet"]
    shard = next(cache.glob("datasets--google--xtreme/snapshots/*/PAN-X.de/train-00000-of-00001.parquet"))
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
