"""Where the multilingual study reads and writes: `repro.paths.StudyLayout` under its name (results/<profile>/
multilingual/, models/<profile>/multilingual/, prepared/multilingual-<profile>/)."""

from __future__ import annotations

from repro.paths import Layout, StudyLayout

STUDY = "multilingual"


def study_layout(layout: Layout) -> StudyLayout:
    return StudyLayout(layout.profile, layout.root, STUDY)
