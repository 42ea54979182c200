"""Hub inputs laid out as a real run finds them after `repro fetch`, from constructed rows (the smoke world's, in the
Hub schema): exactly the files repro/data/manifest.yaml names, under the project's data/ (data/hub/<org>/<name>/<sha>/
<file>, data/releases/<owner>/<repo>/<sha>/<path>; the project: tmp_path, the working directory), read offline."""

import csv
import hashlib
from pathlib import Path

import datasets
import yaml

from repro.data import manifest, materialize
from repro.data.sources import SOURCES, TYDIQA_ID_PREFIX
from repro.params import load
from repro.paths import Layout

ROOT = Path(__file__).parents[1]
STAND_IN = "0123456789abcdef0123456789abcdef01234567"  # a commit for repositories the manifest has none for (test only)


def smoke_rows(tmp_path: Path) -> Path:
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


def lay_out(tmp_path: Path, smoke: Path, plan, monkeypatch) -> Path:
    """Exactly the files the manifest names for `plan` under tmp_path/data (returned; tmp_path becomes the working
    directory, the project root), and a manifest whose rows and checksums are those of the constructed files
    (commits: the manifest's own, or STAND_IN where it has none). Models: tmp_path/hf, the Hugging Face cache."""
    raw = yaml.safe_load(manifest.MANIFEST.read_text())
    for repo in raw["repos"].values():
        repo["sha"] = repo["sha"] or STAND_IN
    inputs = tmp_path / "data"
    cache, releases = inputs / "hub", inputs / "releases"
    files: dict[Path, tuple[str, list[dict]]] = {}
    for source, lang, splits in plan:
        spec = raw["sources"].get(source)
        if spec is None:
            continue  # BUCC: release files from data.sources.bucc2018.path
        repo = raw["repos"][spec["repo"]]
        found = manifest.Pin(source, manifest.Repo(spec["repo"], repo.get("host", "hub"), repo["sha"], "", ""),
                             spec.get("format", "parquet"), spec["files"], spec.get("rows") or {})
        for split in splits:
            if lang in found.rows.get("absent", {}).get(split, ()):
                continue
            for pattern in found.patterns(split, lang):
                root = (releases if found.repo.host == "github" else cache) / spec["repo"] / repo["sha"]
                files.setdefault(root / pattern.replace("-of-*", "-of-00001"), (source, []))[1].extend(
                    _rows(smoke, source, lang, split))
    for path, (source, rows) in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".csv":
            _csv(path, rows)
        else:
            datasets.Dataset.from_list(rows, features=SOURCES[source].features).to_parquet(str(path))
    _languages(raw, plan, smoke, cache, releases)
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
    _offline_hub(monkeypatch, tmp_path)
    return inputs


def _languages(raw: dict, plan, smoke: Path, cache: Path, releases: Path) -> None:
    """The manifest's per-language release files (`languages`: XTREME-R's additions) of `plan`, in their release
    formats (CoNLL-U, SQuAD json, Tatoeba text; Hub parquet), their checksums recorded in `raw`."""
    wanted = {(source, lang): splits for source, lang, splits in plan}
    for key, parts in (raw.get("languages") or {}).items():
        source, _, lang = key.partition("@")
        for part in parts if (source, lang) in wanted else ():
            sha = raw["repos"][part["repo"]]["sha"]
            hub = part.get("format", "release") == "parquet"
            root = (cache if hub else releases) / part["repo"] / sha
            for split in (s for s in wanted[(source, lang)] if s in part["files"]):
                named = part["files"][split]
                paths = [root / p for p in ([named] if isinstance(named, str) else named)]
                rows = _rows(smoke, source, lang, split)
                for path in paths:
                    path.parent.mkdir(parents=True, exist_ok=True)
                if hub:
                    datasets.Dataset.from_list(rows, features=SOURCES[source].features).to_parquet(str(paths[0]))
                else:
                    _release(source, paths, rows)
                part.setdefault("checksums", {}).update({
                    str(p.relative_to(root)): {"size": p.stat().st_size,
                                               "sha256": hashlib.sha256(p.read_bytes()).hexdigest()} for p in paths})


def _release(source: str, paths: list[Path], rows: list[dict]) -> None:
    """Rows in the Hub schema written as the release files the loaders read."""
    import json

    if source == "udpos":
        names = SOURCES["udpos"].features["pos_tags"].feature.names
        paths[0].write_text("".join("".join(f"{i}\t{t}\t{t}\t{names[p]}\t_\t_\t0\troot\t_\t_\n"
                                            for i, (t, p) in enumerate(zip(r["tokens"], r["pos_tags"]), 1)) + "\n"
                                    for r in rows))
    elif source == "xquad":
        qas = [{"context": r["context"], "qas": [{"id": r["id"], "question": r["question"], "answers": [
            {"text": t, "answer_start": a} for t, a in zip(r["answers"]["text"], r["answers"]["answer_start"])]}]}
            for r in rows]
        paths[0].write_text(json.dumps({"data": [{"paragraphs": qas}]}))
    elif source == "tatoeba":
        for path, column in zip(paths, ("source_sentence", "target_sentence")):
            path.write_text("".join(r[column] + "\n" for r in rows))
    else:
        raise AssertionError(f"no release writer for {source}")


def _csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _offline_hub(monkeypatch, project: Path) -> None:
    """Offline, in `project` (its data/ holds the inputs; the models' Hugging Face cache is its hf/)."""
    from huggingface_hub import constants

    monkeypatch.chdir(project)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(project / "hf"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def bucc_release(smoke: Path, out: Path) -> Path:
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
