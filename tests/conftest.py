"""What the tests share: the smoke profile, a smoke world on disk, a tiny untrained encoder and decoder, and the one
end-to-end smoke runs the slow tests share (`repro all --profile smoke`, and its code study, each in a fresh git + DVC
repo)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
# a tiny XLM-R (transformers.XLMRobertaConfig fields) and a tiny Qwen2 (Qwen2Config): fast on a CPU, real models
TINY_ENCODER = {"vocab_size": 64, "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
                "intermediate_size": 32, "max_position_embeddings": 40, "type_vocab_size": 1}
TINY_DECODER = {"vocab_size": 64, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
                "num_key_value_heads": 2, "intermediate_size": 64, "max_position_embeddings": 64,
                "tie_word_embeddings": True, "pad_token_id": 0, "eos_token_id": 1}
PRETRAINING_TEXT = ["anna sees a dog .", "where is the cat ?"] * 10  # what a stand-in tokenizer is trained on


def run(args: list[str], cwd: Path, timeout: int = 1200) -> subprocess.CompletedProcess:
    """Run a command offline in `cwd`; fail the test with its stderr tail when it fails."""
    env = {**os.environ, "DVC_NO_ANALYTICS": "1", "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           "HF_HOME": str(cwd / ".hf")}
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{args}: {result.stderr[-3000:]}"
    return result


_CHANGED = """import json, re, sys
from dvc.repo import Repo
repo = Repo(sys.argv[1])
with repo.lock:
    print(json.dumps([s.addressing for s in repo.index.stages if re.fullmatch(sys.argv[2], s.addressing) and s.status()]))
"""


PAPER_SMOKE = r"(?!code-|ml-)[a-z]+-smoke(@.*)?"  # the paper study's smoke stages (the others: `code-*`, `ml-*`)


def changed_stages(project: Path, pattern: str) -> set[str]:
    """The stages of `project` whose name matches `pattern` and whose deps, params or outs changed: DVC's own status
    of each (what `dvc status` reports), without pricing every other stage of dvc.yaml as `dvc status` does (the
    paper profile's ~1,500: a minute or two a call)."""
    return set(json.loads(run([sys.executable, "-c", _CHANGED, str(project), pattern], project).stdout))


PROJECT_FILES = ("dvc.yaml", "params.yaml", "claims.yaml", "claims_planted.yaml", ".dvcignore")


def new_project(project: Path) -> Path:
    """A fresh checkout-like git + DVC project in `project`: the code, params, dvc.yaml and every file its stages
    read (one list, so that a stage's new input reaches every e2e project)."""
    project.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "repro", project / "repro", ignore=shutil.ignore_patterns("__pycache__"))
    run(["git", "init", "-q"], project)
    run([sys.executable, "-m", "dvc", "init", "-q"], project)
    return project


@pytest.fixture(scope="session")
def smoke_project(tmp_path_factory) -> Path:
    """A fresh checkout-like project (code, params, dvc.yaml) after `repro all --profile smoke`."""
    project = new_project(tmp_path_factory.mktemp("project"))
    result = run([sys.executable, "-m", "repro.cli", "all", "--profile", "smoke"], project)
    (project / "first-run.log").write_text(result.stderr)
    return project


@pytest.fixture(scope="session")
def code_smoke(tmp_path_factory) -> Path:
    """A fresh project after the code study's smoke run as params.yaml has it (`repro all --profile smoke --study
    code`): the run `.ci/run` owes the study, shared by its end-to-end and planted-effect tests."""
    project = new_project(tmp_path_factory.mktemp("code-smoke"))
    result = run([sys.executable, "-m", "repro.cli", "all", "--profile", "smoke", "--study", "code"], project,
                 timeout=3600)
    (project / "first-run.log").write_text(result.stderr + result.stdout)
    return project


def validation_only(module: str) -> set[str]:
    """The repro files loading params.yaml imports to validate the studies' sections (repro.studies.SECTIONS), which
    the stage module `module` does not run itself: they can refuse a params file, never change what a stage writes,
    so dvc.yaml does not list them (repro/dvc_deps.py)."""
    from repro.dvc_deps import Imports
    from repro.studies import SECTIONS

    imports = Imports(ROOT)
    schemas = set().union(*(imports.closure(SECTIONS.target(name).partition(":")[0]) for name in SECTIONS))
    return schemas - imports.closure(module)


@pytest.fixture(scope="session")
def dvc_index():
    """DVC's index of this checkout's dvc.yaml (its stages and graph): parsed once for every test that reads it."""
    from dvc.repo import Repo

    return Repo(str(ROOT)).index


@pytest.fixture(scope="session")
def smoke_profile():
    """The repository's smoke profile, shared by every test: derive variants with `model_copy`; a test that edits
    a list or a section in place takes a `copy.deepcopy` first."""
    from repro.params import load

    return load(ROOT / "params.yaml", "smoke")


@pytest.fixture(scope="session")
def paper_profile():
    """The repository's paper profile, shared as `smoke_profile` is."""
    from repro.params import load

    return load(ROOT / "params.yaml", "paper")


@pytest.fixture(scope="session")
def smoke_world(smoke_profile, tmp_path_factory):
    """The smoke profile's generated data (`repro data --profile smoke`) in a layout its tests only read."""
    from repro.data.materialize import materialize
    from repro.paths import Layout

    layout = Layout("smoke", tmp_path_factory.mktemp("smoke-world"))
    materialize(smoke_profile, layout)
    return layout


@pytest.fixture(scope="session")
def tiny_encoder():
    """`tiny_encoder(head, seed=0, **config)`: an untrained tiny XLM-R with `head` (a transformers class name), its
    config TINY_ENCODER changed by `config`, its weights drawn from `seed`."""

    def build(head: str = "XLMRobertaForSequenceClassification", seed: int = 0, **config):
        import torch
        import transformers

        torch.manual_seed(seed)
        return getattr(transformers, head)(transformers.XLMRobertaConfig(**{**TINY_ENCODER, **config}))

    return build


@pytest.fixture(scope="session")
def tiny_pretrained(tiny_encoder):
    """`tiny_pretrained(out, corpus, vocab_size, max_length, head, **config)`: a tokenizer trained on `corpus`
    (repro.models.tiny, as the pretrain stage trains it) and a tiny untrained XLM-R sized to it, saved together in
    `out`: a stand-in for the pretrain stage's model directory, without pretraining."""

    def save(out: Path, corpus: list[str] = PRETRAINING_TEXT, vocab_size: int = 100, max_length: int = 128,
             head: str = "XLMRobertaForMaskedLM", **config) -> None:
        from repro.models.tiny import train_tokenizer

        tokenizer = train_tokenizer(corpus, vocab_size, max_length)
        sized = {"vocab_size": len(tokenizer), "pad_token_id": tokenizer.pad_token_id,
                 "max_position_embeddings": max_length + 2 + tokenizer.pad_token_id}  # as repro.models.tiny
        tiny_encoder(head, **{**sized, **config}).save_pretrained(out)
        tokenizer.save_pretrained(out)

    return save


@pytest.fixture(scope="session")
def tiny_decoder():
    """`tiny_decoder(seed=0, **config)`: an untrained tiny Qwen2 causal LM, its config TINY_DECODER changed by
    `config`, its weights drawn from `seed`."""

    def build(seed: int = 0, **config):
        import torch
        from transformers import Qwen2Config, Qwen2ForCausalLM

        torch.manual_seed(seed)
        return Qwen2ForCausalLM(Qwen2Config(**{**TINY_DECODER, **config}))

    return build
