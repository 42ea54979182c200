"""`repro fetch`: every pinned input a profile's study reads, downloaded and verified, so that `HF_HUB_OFFLINE=1
repro all` then runs without a network: the Hub parquet files and release files the manifest names
(repro/data/manifest.yaml) under data/ (repro.data.pinned), recorded by `dvc add data` in data.dvc, and the Hub models
at their commits in the Hugging Face cache. Resumable: what is already there and verified is not downloaded again.
`verify` does the same offline and lists every problem instead of stopping at the first (what `repro doctor` asks of
it).

The models stay in the Hugging Face cache, outside data.dvc: every stage loads them by name and commit through
transformers (`from_pretrained(name, revision=sha)`), whose cache is already keyed by that commit, and a reviewer gets
the same bytes from the Hub by it; data.dvc holds what only this project's manifest names.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Callable

from repro.errors import UserError

SHA = re.compile(r"[0-9a-f]{40}")
# what transformers does not read from a model repository (other frameworks' weights)
MODEL_IGNORE = ["*.h5", "*.msgpack", "*.onnx", "onnx/*", "*.ot", "tf_model*", "flax_model*", "*.tflite"]


def study_names(profile, study: str | None) -> list[str]:
    """The studies of the profile (every study with a section; None: all of them) `study` names."""
    from repro import studies

    names = [name for name in studies.STUDIES if name not in studies.SECTIONS or profile.section(name)]
    return [name for name in names if study in (None, name)]


def studies_of(profile, study: str | None) -> list:
    """The study modules of the profile `study` names (see `study_names`)."""
    from repro import studies

    return [studies.get(name) for name in study_names(profile, study)]


Check = Callable[[bool], object]  # check(download): the input's local copy, verified (downloaded first with True)


def items(profile, study: str | None = None) -> tuple[list[tuple[str, Check]], list[str]]:
    """([(label, check)] for every input of one study (None: every study) of a hub profile, [one line per input
    that cannot even be looked for: a source with no pinned commit, a release-only source with no path])."""
    from repro.data import materialize
    from repro.data.manifest import language_pins, pin
    from repro.data.pinned import local_files
    from repro.params import LOCAL_ONLY, RELEASE_ONLY

    if profile.data.origin != "hub":
        raise UserError(f"--profile {profile.name}: the smoke world is generated here, there is nothing to fetch")
    checks, refused = [], []
    for source, lang, splits in materialize.needed(profile, study):
        spec = profile.data.sources.get(source)
        if source in LOCAL_ONLY or (spec and spec.path):
            continue  # a local path: params validation names a missing one
        try:
            if parts := language_pins(source, lang):  # release files of a language the Hub copy lacks
                checks += [(f"{p.repo.name} {', '.join(p.patterns(s, lang))}",
                            lambda d, f=p, s=s, l=lang: local_files(f, f.patterns(s, l), d))
                           for p in parts for s in splits if s in p.files]
                continue
            if source in RELEASE_ONLY:
                raise UserError(f"data.sources.{source}.path: unset; {RELEASE_ONLY[source]}")
            found = pin(source, spec.hub if spec else None, spec.revision if spec else None)
        except UserError as exc:
            refused.append(str(exc))
            continue
        for split in (s for s in splits if lang not in found.rows.get("absent", {}).get(s, ())):
            paths = found.patterns(split, lang)
            checks.append((f"{found.repo.name} {', '.join(paths)}", lambda d, f=found, p=paths: local_files(f, p, d)))
    models = [(profile.model.hub, profile.model.revision)] if profile.model.hub else []
    for module in studies_of(profile, study):  # a study's own inputs beyond the data stage's (`inputs`)
        if hasattr(module, "inputs"):
            try:
                files, own_models = module.inputs(profile)
            except UserError as exc:
                refused.append(str(exc))
                continue
            checks += [(f"{f.repo.name} {', '.join(p)}", lambda d, f=f, p=p: local_files(f, p, d)) for f, p in files]
            models += own_models
    checks += [(name, lambda _, n=name, r=revision: _model(n, r)) for name, revision in models]
    return checks, list(dict.fromkeys(refused))


def _model(name: str, revision: str | None) -> Path:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    from repro.data.manifest import models

    if not SHA.fullmatch(revision or ""):
        raise UserError(f"pin model {name}: revision {revision!r} is not a commit; record its 40-hex commit in "
                        "params.yaml (and repro/data/manifest.yaml's models)")
    pinned = models().get(name)
    if pinned is not None and pinned.sha not in (None, revision):
        raise UserError(f"pin model {name}: params.yaml's revision {revision} is not repro/data/manifest.yaml's "
                        f"{pinned.sha}; make them agree")
    try:
        return Path(snapshot_download(name, revision=revision, ignore_patterns=MODEL_IGNORE))
    except (LocalEntryNotFoundError, HfHubHTTPError) as exc:
        raise UserError(f"pin model {name}@{revision}: not in the local Hugging Face cache and not downloadable "
                        f"({str(exc).splitlines()[0][:120]}); run `repro fetch` with network access") from None


def fetch(profile, study: str | None = None) -> int:
    """Download what is missing and verify everything, stopping at the first problem. Returns how many inputs."""
    from repro.progress import progress

    checks, refused = items(profile, study)
    if refused:
        raise UserError(refused[0] + (f" (and {len(refused) - 1} more: `repro doctor` lists them)"
                                      if len(refused) > 1 else ""))
    bar = progress().add_task("fetch", total=len(checks))
    for _, check in checks:
        check(True)
        progress().advance(bar)
    progress().remove_task(bar)
    return len(checks)


def record() -> bool:
    """`dvc add data` where the project is a DVC repository (False where it is not): data.dvc then holds the hash of
    every raw input under data/, so `dvc push` publishes exactly those bytes and a reviewer's `dvc pull data.dvc`
    gets them back."""
    from repro.paths import INPUTS

    if not Path(".dvc").is_dir() or not Path(INPUTS).is_dir():
        return False
    from dvc.exceptions import DvcException
    from dvc.repo import Repo

    try:
        with Repo(".") as repo:
            repo.add(INPUTS)
    except DvcException as exc:
        raise UserError(f"dvc add {INPUTS}: {str(exc).splitlines()[0]}") from None
    return True


def verify(profile, study: str | None = None) -> list[str]:
    """Every input present and verified, offline: one line per problem (a repository's missing files: one line for
    all), none when ready."""
    checks, problems = items(profile, study)
    failed: dict[str, list[str]] = {}
    with offline():
        for label, check in checks:
            try:
                check(False)
            except UserError as exc:
                failed.setdefault(label.split(" ")[0] if " " in label else label, []).append(str(exc))
    return problems + [lines[0] + (f" (and {len(lines) - 1} more files of {repo})" if len(lines) > 1 else "")
                       for repo, lines in failed.items()]


@contextlib.contextmanager
def offline():
    """No network for the block (huggingface_hub's switch, which repro.data.pinned honours too)."""
    from huggingface_hub import constants

    before, constants.HF_HUB_OFFLINE = constants.HF_HUB_OFFLINE, True
    try:
        yield
    finally:
        constants.HF_HUB_OFFLINE = before
