"""The paper profile's multilingual study evaluates XTREME-R's languages: each XTREME-R target's list in
google-research/xtreme@838c13b (evaluate.py, mirrored by repro.suites.xtreme_r, and the scripts' own lists), the
additions read from release files pinned per language (repro/data/manifest.yaml `languages`), concatenated over a
language's treebanks in the manifest's order and checked against their checksums."""

import hashlib
from pathlib import Path

import pytest

from repro.errors import UserError
from repro.params import load
from repro.studies.multilingual.stages.common import evaluated
from repro.suites import xtreme_r

ROOT = Path(__file__).resolve().parents[3]

# the scripts' own lists: train_panx.sh:24, train_udpos.sh:24 (no wo, which evaluate.py and download_data.sh's
# UD v2.7 languages have), run_tatoeba.sh:49 (with en, which evaluate.py does not score)
PANX_SH = ("ar,he,vi,id,jv,ms,tl,eu,ml,ta,te,af,nl,en,de,el,bn,hi,mr,ur,fa,fr,it,pt,es,bg,ru,ja,ka,ko,th,sw,yo,my,zh,"
           "kk,tr,et,fi,hu,qu,pl,uk,az,lt,pa,gu,ro").split(",")
UDPOS_SH = ("af,ar,bg,de,el,en,es,et,eu,fa,fi,fr,he,hi,hu,id,it,ja,kk,ko,mr,nl,pt,ru,ta,te,th,tl,tr,ur,vi,yo,zh,lt,pl,"
            "uk,ro").split(",")
TATOEBA_SH = ("ar he vi id jv tl eu ml ta te af nl en de el bn hi mr ur fa fr it pt es bg ru ja ka ko th sw zh kk tr "
              "et fi hu az lt pl uk ro").split()
XQUAD_R = ["en", "es", "de", "el", "ru", "tr", "ar", "vi", "th", "zh", "hi", "ro"]  # evaluate.py (XQuAD ro)


def test_the_paper_study_evaluates_every_xtreme_r_language_of_its_targets(paper_profile):
    ml = paper_profile.section("multilingual")
    languages = evaluated(paper_profile).languages
    for task in ml.targets:
        if task in xtreme_r.TASK2LANGS and xtreme_r.TASK2LANGS[task]:
            assert sorted(languages[task]) == sorted(xtreme_r.TASK2LANGS[task]), task
    assert {"udpos", "panx", "xquad", "tatoeba"} <= set(ml.targets)
    assert sorted(languages["panx"]) == sorted(PANX_SH)
    assert sorted(languages["udpos"]) == sorted(UDPOS_SH + ["wo"])
    assert sorted(languages["tatoeba"]) == sorted(set(TATOEBA_SH) - {"en"})
    assert sorted(languages["xquad"]) == sorted(XQUAD_R)
    # the paper's own study keeps XTREME's lists
    assert "ro" not in paper_profile.languages["xquad"] and "wo" not in paper_profile.languages["udpos"]


def test_every_addition_is_pinned_at_a_commit(paper_profile):
    """Release files with their checksums, or (PAN-X's) WikiANN's Hub parquet files at its commit."""
    from repro.data.manifest import language_pins
    from repro.tasks import TARGET_TASKS

    for task, langs in paper_profile.section("multilingual").xtreme_r_languages.items():
        source = TARGET_TASKS[task].evaluate
        for lang in langs:
            parts = language_pins(source, lang)
            assert parts and all(len(p.repo.sha) == 40 for p in parts), (task, lang)
            if task == "panx":  # no checksums of WikiANN's files were seen
                assert [(p.repo.name, p.layout) for p in parts] == [("unimelb-nlp/wikiann", "parquet")], lang
                continue
            assert all(p.checksums for p in parts), (task, lang)
    # UD v2.7: every treebank of a language (download_data.sh reads every <lang>_*.conllu of the release)
    assert [p.repo.name.split("/")[1] for p in language_pins("udpos", "pl")] == [
        "UD_Polish-LFG", "UD_Polish-PDB", "UD_Polish-PUD"]
    assert language_pins("udpos", "en") == ()  # XTREME's languages stay google/xtreme's UD v2.5


CONLLU = "# text = {w}\n1\t{w}\t{w}\t{pos}\t_\t_\t0\troot\t_\t_\n\n"


def _manifest(tmp_path: Path, monkeypatch, files: dict[str, dict[str, str]], checksum=True) -> None:
    """A manifest with one language of udpos in two repositories, their files under the project's data/releases/."""
    from repro.data import manifest

    releases, repos, parts = tmp_path / "data" / "releases", [], []
    for i, (name, by_split) in enumerate(files.items()):
        sha = "abc"[i] * 40
        sums = {}
        for split, text in by_split.items():
            path = releases / "ud" / name / sha / f"pl_{name.lower()}-ud-{split}.conllu"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            digest = hashlib.sha256(text.encode()).hexdigest() if checksum else "f" * 64
            sums[path.name] = f"{{sha256: {digest}, size: {len(text.encode())}}}"
        repos.append(f"  ud/{name}:\n    host: github\n    sha: {sha}\n")
        split_files = ", ".join(f"{'validation' if s == 'dev' else s}: pl_{name.lower()}-ud-{s}.conllu" for s in by_split)
        parts.append(f"    - repo: ud/{name}\n      files: {{{split_files}}}\n      checksums:\n"
                     + "".join(f"        {f}: {v}\n" for f, v in sums.items()))
    path = tmp_path / "manifest.yaml"
    path.write_text("repos:\n" + "".join(repos) + "sources: {}\nlanguages:\n  udpos@pl:\n" + "".join(parts))
    monkeypatch.setattr(manifest, "MANIFEST", path)
    monkeypatch.chdir(tmp_path)


def test_a_language_is_read_from_its_treebanks_in_order_and_a_missing_split_is_none(tmp_path, monkeypatch):
    from repro.data.hub import load_hub

    _manifest(tmp_path, monkeypatch, {
        "A": {"dev": CONLLU.format(w="alfa", pos="NOUN"), "test": CONLLU.format(w="beta", pos="VERB")},
        "B": {"test": CONLLU.format(w="gamma", pos="ADJ") * 2},
    })
    test, provenance = load_hub("udpos", "test", "pl")
    assert [row["tokens"] for row in test] == [["beta"], ["gamma"], ["gamma"]]
    names = test.features["pos_tags"].feature.names
    assert [names[row["pos_tags"][0]] for row in test] == ["VERB", "ADJ", "ADJ"]
    assert provenance["releases"] == ["ud/A@" + "a" * 40, "ud/B@" + "b" * 40]
    dev, _ = load_hub("udpos", "validation", "pl")
    assert [row["tokens"] for row in dev] == [["alfa"]]
    assert load_hub("udpos", "train", "pl") == (None, {})  # zero-shot: no non-English training split


def test_a_release_file_that_is_not_the_pinned_one_is_refused(tmp_path, monkeypatch):
    from repro.data.hub import load_hub

    _manifest(tmp_path, monkeypatch, {"A": {"test": CONLLU.format(w="beta", pos="VERB")}}, checksum=False)
    with pytest.raises(UserError, match="SHA-256 is not the manifest's"):
        load_hub("udpos", "test", "pl")


def test_the_data_stage_refuses_an_unrecorded_language_commit_before_any_download(tmp_path, monkeypatch):
    import yaml

    from repro.data import manifest, materialize
    from repro.params import SourceSpec

    raw = yaml.safe_load(manifest.MANIFEST.read_text())
    for name, repo in raw["repos"].items():  # every other commit recorded, WikiANN's removed
        repo["sha"] = None if name == "unimelb-nlp/wikiann" else repo["sha"]
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump(raw))
    monkeypatch.setattr(manifest, "MANIFEST", path)
    paper = load(ROOT / "params.yaml", "paper")
    paper.data.sources["bucc2018"] = SourceSpec(path=str(tmp_path))
    plan = materialize.needed(paper, "multilingual")
    assert {("udpos", "wo"), ("xquad", "ro"), ("tatoeba", "az"), ("panx", "qu")} <= {(s, lang) for s, lang, _ in plan}
    with pytest.raises(UserError, match=r"^pin panx@\w+: unimelb-nlp/wikiann has no verified commit"):
        materialize.check_sources(paper, plan)
