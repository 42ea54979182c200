"""`repro fetch` and `repro doctor` on a constructed local layout (tests/hub_layout.py): with every pinned file in
place under data/ both pass offline, and fetch records data/ in a data.dvc that DVC finds clean; a missing file, a
wrong checksum, an unpinned source, a missing toolchain and a model pinned to a branch are each one line."""

import shutil
import subprocess
import sys

import pytest
import yaml

from hub_layout import ROOT, bucc_release, lay_out, smoke_rows
from repro import doctor
from repro.studies.code import readiness
from repro.data import fetch, manifest, materialize
from repro.errors import UserError
from repro.params import SourceSpec, load

STUDY = "paper"


@pytest.fixture
def ready(tmp_path, monkeypatch):
    """The paper profile with its paper study's inputs under tmp_path/data (returned; models in tmp_path/hf),
    offline, in tmp_path."""
    smoke = smoke_rows(tmp_path)
    paper = load(ROOT / "params.yaml", "paper")
    paper.data.sources["bucc2018"] = SourceSpec(path=str(bucc_release(smoke, tmp_path / "bucc")))
    inputs = lay_out(tmp_path, smoke, materialize.needed(paper, STUDY), monkeypatch)
    model = tmp_path / "hf" / "models--FacebookAI--xlm-roberta-large" / "snapshots" / paper.model.revision
    model.mkdir(parents=True)
    (model / "config.json").write_text("{}")
    return paper, inputs


@pytest.mark.long  # its layout takes ~17 s to build: after the README's suite (its 10-minute budget)
def test_fetch_and_doctor_pass_when_every_input_is_in_place(ready):
    paper, _ = ready
    plan = materialize.needed(paper, STUDY)
    # XTREME-R's additions: one check per release file set of each treebank or repository that has the split
    # (repro/data/manifest.yaml `languages`); the multilingual study's alone, never the paper's
    def per_language(plan):
        return {(source, lang): sum(split in part.files for part in manifest.language_pins(source, lang)
                                    for split in splits) for source, lang, splits in plan}

    assert sum(map(bool, per_language(materialize.needed(paper, "multilingual")).values())) == 5 + 8 + 1 + 5
    per_language = per_language(plan)
    assert not any(per_language.values())
    files = sum(per_language[(source, lang)] or len(splits) for source, lang, splits in plan
                if source != "bucc2018")  # BUCC: a local path
    test_only = sum(source == "udpos" and lang in ("kk", "th", "tl", "yo") for source, lang, _ in plan)  # no dev
    assert fetch.fetch(paper, STUDY) == files - test_only + 1  # and XLM-R
    assert doctor.problems(paper, STUDY) == []


def _dvc(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "dvc", *args], capture_output=True, text=True, check=True)
    return done.stdout


@pytest.mark.long  # its layout takes ~17 s to build: after the README's suite (its 10-minute budget)
def test_fetch_records_data_in_data_dvc_that_dvc_finds_clean(ready, tmp_path):
    """In a DVC project, fetch leaves the inputs under data/ and `repro fetch` runs `dvc add data` (`record`):
    data.dvc records exactly those bytes (a changed file shows in `dvc status data.dvc`), and huggingface_hub's
    download state is not among them."""
    paper, inputs = ready
    _dvc("init", "--no-scm", "-q")
    shutil.copy(ROOT / ".dvcignore", tmp_path / ".dvcignore")
    assert fetch.fetch(paper, STUDY) and fetch.record()
    record = yaml.safe_load((tmp_path / "data.dvc").read_text())
    files = [p for p in inputs.rglob("*") if p.is_file()]
    assert [out["path"] for out in record["outs"]] == ["data"]
    assert record["outs"][0]["nfiles"] == len(files)
    assert "hub" in {p.relative_to(inputs).parts[0] for p in files} <= {"hub", "releases"}
    assert "up to date" in _dvc("status", "data.dvc")
    state = next(inputs.glob("hub/google/xtreme/*")) / ".cache" / "huggingface" / "download" / "x.metadata"
    state.parent.mkdir(parents=True)
    state.write_text("etag\n")  # what snapshot_download(local_dir=...) keeps beside the files: .dvcignore'd
    assert "up to date" in _dvc("status", "data.dvc")
    files[0].write_bytes(files[0].read_bytes() + b"\0")
    assert "modified:" in _dvc("status", "data.dvc")
    assert fetch.record()  # what a second `repro fetch` does after refetching: data.dvc follows data/
    assert "up to date" in _dvc("status", "data.dvc")


@pytest.mark.long  # its layout takes ~17 s to build: after the README's suite (its 10-minute budget)
def test_doctor_names_a_missing_file_a_wrong_checksum_and_an_unpinned_source(ready, monkeypatch):
    paper, inputs = ready
    snapshot = next(inputs.glob("hub/google/xtreme/*"))
    (snapshot / "PAN-X.fr" / "test-00000-of-00001.parquet").unlink()
    (snapshot / "PAN-X.fr" / "validation-00000-of-00001.parquet").unlink()
    panx_de = snapshot / "PAN-X.de" / "test-00000-of-00001.parquet"
    panx_de.write_bytes(panx_de.read_bytes() + b"\0")
    raw = yaml.safe_load(manifest.MANIFEST.read_text())
    raw["repos"]["tau/commonsense_qa"]["sha"] = None
    manifest.MANIFEST.write_text(yaml.safe_dump(raw))
    manifest._load.cache_clear()
    problems = doctor.problems(paper, STUDY)
    assert all("\n" not in line for line in problems)
    assert problems[0].startswith("pin commonsenseqa: tau/commonsense_qa has no verified commit")
    xtreme = [line for line in problems if "google/xtreme" in line or str(snapshot) in line]
    assert len(xtreme) == 1  # one line for the repository, however many of its files
    assert "and 2 more files of google/xtreme" in xtreme[0]
    with pytest.raises(UserError, match=r"^pin commonsenseqa: .* no verified commit"):
        fetch.fetch(paper, STUDY)  # fetch refuses before any download


@pytest.mark.long  # its layout takes ~17 s to build: after the README's suite (its 10-minute budget)
def test_a_model_on_a_branch_and_a_missing_toolchain_are_one_line_each(ready, monkeypatch):
    paper, _ = ready
    code = load(ROOT / "params.yaml", "paper").section("code")
    with pytest.raises(UserError, match=r"^pin model Qwen/Qwen2.5-Coder-1.5B: revision 'main' is not a commit"):
        fetch._model(code.decoders["coder"].hub, "main")
    with pytest.raises(UserError, match=r"^pin model FacebookAI/xlm-roberta-large: params.yaml's revision 0{40} is "
                                        r"not repro/data/manifest.yaml's 6193590440e1"):
        fetch._model(paper.model.hub, "0" * 40)
    from repro.execution import toolchains

    monkeypatch.setattr(toolchains, "which", lambda tool: None if tool == "rustc" else "/usr/bin/" + tool)
    monkeypatch.setenv("REPRO_SANDBOX", "none")
    lines = readiness.toolchains(code)
    assert any(line.startswith("rust: rustc not installed (scripts/toolchains.sh") for line in lines)


def test_the_smoke_world_has_nothing_to_fetch(smoke_profile):
    smoke = smoke_profile
    with pytest.raises(UserError, match="--profile smoke: the smoke world is generated here, there is nothing"):
        fetch.fetch(smoke)
    assert doctor.problems(smoke, "paper") == []  # generated here: no input to check
