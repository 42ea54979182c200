"""Where the multilingual study reads and writes: `repro.paths.StudyLayout` under its name (results/<profile>/
multilingual/, models/<profile>/multilingual/, prepared/multilingual-<profile>/)."""

from __future__ import annotations

from repro.paths import Layout, StudyLayout

STUDY = "multilingual"


def study_layout(layout: Layout) -> StudyLayout:
    return StudyLayout(layout.profile, layout.root, STUDY)


def claims_subject(layout):
    """What the multilingual study's planted claims read in `layout` (repro.report.planted): its answer's contrast
    rows, None when absent."""
    from repro.report.contrast_rows import ContrastRows

    return ContrastRows.load(study_layout(layout).results / "answer.json")
