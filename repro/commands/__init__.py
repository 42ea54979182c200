"""The verbs of `repro` that are not pipeline stages (`score`, `all`, `bench`, `plan`, `dvc-deps`, `launch`): one
module each, whose `command` repro/cli.py registers from the same table as the stage verbs. Heavy libraries are
imported inside each `command`, which keeps `repro --help` fast."""

from __future__ import annotations

from repro import studies

STUDY_NAMES = " | ".join(studies.STUDIES)  # the registry's, so a new study needs no edit here
