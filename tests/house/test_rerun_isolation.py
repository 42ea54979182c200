"""A change reruns only what it touches: what DVC would call changed after an edit (a stage whose deps list an
edited file, or whose params include an edited key or lie under it) and everything downstream of it in DVC's own
graph, as `repro all` schedules them (repro/pipeline.py `_Dvc.stale`), read from this project's dvc.yaml."""

import networkx as nx
import pytest


@pytest.fixture(scope="module")
def index(dvc_index):
    """({stage: (its deps' paths, its params keys)}, DVC's graph of stage names: an edge from a stage to one it
    depends on)."""
    stages = {}
    for stage in dvc_index.stages:
        files = {str(dep.def_path) for dep in stage.deps if not hasattr(dep, "params")}
        keys = {key for dep in stage.deps if hasattr(dep, "params") for key in dep.params}
        stages[stage.addressing] = (files, keys)
    graph = nx.relabel_nodes(dvc_index.graph, lambda stage: stage.addressing)
    return stages, graph


def _stale(index, files: set[str] = frozenset(), keys: set[str] = frozenset()) -> set[str]:
    stages, graph = index

    def touched(stage_keys: set[str]) -> bool:
        return any(k == e or k.startswith(f"{e}.") or e.startswith(f"{k}.") for k in stage_keys for e in keys)

    changed = {name for name, (deps, stage_keys) in stages.items() if deps & files or touched(stage_keys)}
    return changed | {up for name in changed for up in nx.ancestors(graph, name)}


def _study(name: str) -> str:
    """The study a dvc.yaml stage belongs to, by its name's prefix (the other studies' prefixes)."""
    return "code" if name.startswith("code-") else "multilingual" if name.startswith("ml-") else "paper"


def test_the_code_studys_schema_and_section_rerun_only_code_stages(index):
    stale = _stale(index, {"repro/studies/code/params.py"}, {"profiles.smoke.code", "profiles.paper.code"})
    assert stale and {_study(name) for name in stale} == {"code"}


def test_the_multilingual_studys_schema_reruns_only_its_stages(index):
    stale = _stale(index, {"repro/studies/multilingual/params.py"})
    assert stale and {_study(name) for name in stale} == {"multilingual"}
    assert "ml-data-smoke" not in stale  # its data stage reads the section's values, not its schema


def test_the_multilingual_studys_section_reruns_only_its_stages(index):
    stale = _stale(index, keys={"profiles.smoke.multilingual"})
    assert "ml-data-smoke" in stale and {_study(name) for name in stale} == {"multilingual"}


def test_the_smoke_worlds_languages_rerun_every_study_that_reads_the_world(index):
    """data.smoke.languages is the world's: the paper's data (and its pretrained encoder) and the study's data."""
    stale = _stale(index, keys={"profiles.smoke.data.smoke.languages"})
    assert {"data-smoke", "pretrain-smoke", "ml-data-smoke"} <= stale


def test_a_paper_only_intermediate_task_reruns_no_other_studys_stage(index):
    """HellaSwag is no arm of the multilingual study; the code study casts its own copy (code.training)."""
    stale = _stale(index, keys={"profiles.smoke.intermediate.tasks.hellaswag"})
    assert "intermediate-smoke@hellaswag" in stale
    assert {_study(name) for name in stale} == {"paper"}


def test_a_paper_only_stage_module_reruns_no_other_studys_stage(index):
    stale = _stale(index, {"repro/studies/paper/stages/tables.py", "repro/studies/paper/tables/table2.py"})
    assert {"tables-smoke", "tables-paper"} <= stale and {_study(name) for name in stale} == {"paper"}
