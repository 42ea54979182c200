"""The pinned inputs of a hub run, as `repro/data/manifest.yaml` lists them: per repository its commit, licence and
how the entry was checked; per source the repository, the files of each split (named, never a loading script or a
config on a conversion branch), rows per split and checksums where known.

A repository whose commit could not be looked up carries `sha: null`; `pin` refuses it in one line ("pin <source>:
...") rather than let a run read whatever a branch points at today.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from repro.errors import UserError

MANIFEST = Path(__file__).with_name("manifest.yaml")
SHA = re.compile(r"[0-9a-f]{40}")
FORMATS = ("parquet", "release")  # parquet: Hub parquet files at the commit; release: repro.data.loaders reads them
_PLACEHOLDERS = re.compile(r"\{(\w+)\}")
FIELDS = {"sources": {"config", "split"}, "files": {"language", "natural", "split"}, "languages": set()}


@dataclass(frozen=True)
class Repo:
    """A repository at one commit: a Hub dataset or model (`hub`), or a release on GitHub (`github`)."""

    name: str
    host: str  # hub | github
    sha: str | None
    licence: str
    verified: str  # how the commit and files were checked, or why they are not

    def url(self, path: str) -> str:
        """Where a file of this commit is downloaded from."""
        if self.host == "github":
            return f"https://raw.githubusercontent.com/{self.name}/{self.sha}/{path}"
        return f"https://huggingface.co/datasets/{self.name}/resolve/{self.sha}/{path}"


@dataclass(frozen=True)
class Pin:
    """One source's files in its repository: a template per split (`{config}`: the language's Hub config,
    `{split}`: the Hub's split name); `files` of a release source are the release files themselves."""

    source: str
    repo: Repo
    layout: str  # the manifest's `format`: how the files are laid out (FORMATS)
    files: dict[str, str] | str
    rows: dict[str, int] = field(default_factory=dict)
    checksums: dict[str, dict] = field(default_factory=dict)  # path -> {sha256, size}

    def patterns(self, split: str, lang: str | None) -> list[str]:
        """The repository paths of one split (ours: train/validation/test) of a source for one language."""
        from repro.data.sources import SOURCES

        entry = SOURCES[self.source]
        return self.paths(split, config=entry.config_for(lang) or "", split=entry.splits.get(split, split))

    def paths(self, key: str, **fields: str) -> list[str]:
        """The repository paths of the template under `key` (a split; any key where `files` is one template)."""
        template = self.files if isinstance(self.files, str) else self.files.get(key)
        if template is None:
            raise UserError(f"pin {self.source}: repro/data/manifest.yaml names no file for {key}")
        return [t.format(**fields) for t in ([template] if isinstance(template, str) else template)]


def load_manifest() -> dict[str, Pin]:
    """Every pinned source of the manifest (`MANIFEST`), checked: known repositories, a 40-hex or null commit,
    parquet or release files only."""
    return _load(MANIFEST)


@cache
def _load(path: Path) -> dict[str, Pin]:
    import yaml

    raw = yaml.safe_load(path.read_text())
    repos = {name: _repo(name, spec) for name, spec in raw["repos"].items()}
    pins = {}
    for section in ("sources", "files"):
        for source, spec in (raw.get(section) or {}).items():
            if spec["repo"] not in repos:
                raise UserError(f"{path}: {section}.{source}.repo: {spec['repo']} is not under repos")
            pin = Pin(source, repos[spec["repo"]], spec.get("format", "parquet"), spec["files"],
                      spec.get("rows") or {}, spec.get("checksums") or {})
            _check(path, section, pin)
            pins[source] = pin
    return pins


def language_pins(source: str, lang: str | None) -> tuple[Pin, ...]:
    """The release files that give `source` one language its Hub copy lacks (the manifest's `languages`, keyed
    `<source>@<lang>`: XTREME-R's additions), one pin per repository; () where the source's own pin serves the
    language. Refused in one line where a repository has no recorded commit."""
    parts = _languages(MANIFEST).get((source, lang), ()) if lang else ()
    for part in parts:
        if part.repo.sha is None:
            raise UserError(f"pin {source}@{lang}: {part.repo.name} has no verified commit in "
                            f"repro/data/manifest.yaml ({part.repo.verified}); record its commit there")
    return parts


@cache
def _languages(path: Path) -> dict[tuple[str, str], tuple[Pin, ...]]:
    import yaml

    raw = yaml.safe_load(path.read_text())
    repos = {name: _repo(name, spec) for name, spec in raw["repos"].items()}
    found = {}
    for key, parts in (raw.get("languages") or {}).items():
        source, _, lang = key.partition("@")
        if not lang or any(part["repo"] not in repos for part in parts):
            raise UserError(f"{path}: languages.{key}: a key <source>@<lang> whose repositories are under repos")
        found[(source, lang)] = tuple(Pin(source, repos[part["repo"]], part.get("format", "release"), part["files"],
                                          {}, part.get("checksums") or {}) for part in parts)
        for part in found[(source, lang)]:
            _check(path, "languages", part)
    return found


def models() -> dict[str, Repo]:
    """The pinned Hub models (name -> repo at its commit)."""
    import yaml

    raw = yaml.safe_load(MANIFEST.read_text())
    return {name: _repo(name, spec) for name, spec in (raw.get("models") or {}).items()}


def _repo(name: str, spec: dict) -> Repo:
    sha = spec.get("sha")
    if sha is not None and not SHA.fullmatch(str(sha)):
        raise UserError(f"repro/data/manifest.yaml: repos.{name}.sha: {sha!r} is not a 40-hex commit "
                        "(write null if unknown)")
    return Repo(name, spec.get("host", "hub"), sha, spec.get("licence", "unknown"), spec.get("verified", "unverified"))


def _check(path: Path, section: str, pin: Pin) -> None:
    """A pin reads named parquet files (or release files): never a script, never a conversion branch."""
    where = f"{path}: {section}.{pin.source}"
    if pin.layout not in FORMATS:
        raise UserError(f"{where}.format: {pin.layout!r} is not one of {', '.join(FORMATS)}")
    templates = [pin.files] if isinstance(pin.files, str) else [
        t for v in pin.files.values() for t in ([v] if isinstance(v, str) else v)]
    for template in templates:
        bad = set(_PLACEHOLDERS.findall(template)) - FIELDS[section]
        if bad:
            raise UserError(f"{where}.files: {template}: unknown placeholder {sorted(bad)[0]}")
        if template.endswith(".py") or "refs/convert" in template:
            raise UserError(f"{where}.files: {template}: a loading script or a conversion branch; name the parquet "
                            "files at a commit")
        if pin.layout == "parquet" and not template.endswith(".parquet"):
            raise UserError(f"{where}.files: {template}: not a parquet file")


def pin(source: str, hub: str | None = None, revision: str | None = None) -> Pin:
    """The pinned files of `source`, refused in one line where the manifest has no commit for them or params name
    another repository or revision than the manifest."""
    pins = load_manifest()
    if source not in pins:
        raise UserError(f"pin {source}: no entry in repro/data/manifest.yaml; add the repository, commit and files")
    found = pins[source]
    if hub is not None and hub != found.repo.name:
        raise UserError(f"pin {source}: data.sources.{source}.hub is {hub}, the manifest pins {found.repo.name}; "
                        "a different repository needs its own manifest entry")
    if found.repo.sha is None:
        raise UserError(f"pin {source}: {found.repo.name} has no verified commit in repro/data/manifest.yaml "
                        f"({found.repo.verified}); look its commit up on the Hub and record it there")
    if revision is not None and revision != found.repo.sha:
        raise UserError(f"pin {source}: data.sources.{source}.revision {revision} is not the manifest's commit "
                        f"{found.repo.sha} of {found.repo.name}; drop the revision or update the manifest")
    return found
