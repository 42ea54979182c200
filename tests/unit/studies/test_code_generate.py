"""The code study's generate stage: the backend is what params.yaml names (hf | vllm), refused in one line where it
cannot run; one backend per stage run serves every file and mode; generation.json records which backend ran."""

import json
import sys
import types

import pytest

from repro.errors import UserError
from repro.models import decoder, generation
from repro.params import load
from edited_params import edited, refused

MODEL, ARM, SEED = "tiny_code", "none", 0


def _two_by_two(code: dict, backend: str = "hf") -> None:
    """Two problems files (HumanEval-X Python and C++), each greedy and one sampled set: 2 files x 2 modes."""
    code["generation"]["backend"] = backend
    code["benchmarks"] = {"humaneval_x": ["python", "cpp"], "humaneval_xl": {}}
    code["generation"].update(max_new_tokens=6, sampled_benchmarks=["humaneval-x"], sampled_languages=None,
                              sampling=[{"temperature": 0.8, "samples": 2, "k": [1]}])
    code["execution"]["k"] = [1]


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project directory with a tiny decoder where `none`'s target-phase run reads it, and the smoke problems of
    HumanEval-X Python and C++ (4 each); returns a function: the generate stage's run with a backend."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    from repro.paths import Layout
    from repro.smoke.streams import seeded_rng
    from repro.studies.code.paths import CodeLayout, eval_sets
    from repro.studies.code.smoke.problems import expressions, humaneval_x
    from repro.studies.code.stages.common import code_of

    def profile(backend: str):
        return load(edited(tmp_path, lambda code: _two_by_two(code, backend), "code"), "smoke")

    def run(backend: str = "hf"):
        from repro.studies.code.stages import generate

        return generate.run(profile(backend), layout, MODEL, ARM, SEED, "true")

    monkeypatch.chdir(tmp_path)
    layout = Layout("smoke", tmp_path)
    code_layout = CodeLayout(layout)
    for eval_set in eval_sets(code_of(profile("hf"))):
        rng = seeded_rng(0, "test", eval_set.programming_language)
        rows = [humaneval_x(i, expr, eval_set.programming_language, rng) for i, expr in enumerate(expressions()[:4])]
        path = code_layout.problems(eval_set)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    tok = decoder.train_tokenizer(["def f(x: int) -> int:\n    return x + 3\n", "Return x times 7.\n"] * 20, 300, 64)
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(Qwen2Config(vocab_size=len(tok), hidden_size=32, num_hidden_layers=1,
                                         num_attention_heads=2, num_key_value_heads=1, intermediate_size=64,
                                         eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id))
    out = code_layout.decoder(MODEL, ARM, SEED, True)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    run.layout, run.profile = layout, profile
    return run


def test_auto_is_no_longer_a_backend(tmp_path):
    def auto(code):
        code["generation"]["backend"] = "auto"

    message = refused(edited(tmp_path, auto, "code"))
    assert "code.generation.backend" in message and "'hf' or 'vllm'" in message


def test_hf_is_the_default(tmp_path):
    def unset(code):
        code["generation"].pop("backend", None)

    assert load(edited(tmp_path, unset, "code"), "smoke").section("code").generation.backend == "hf"


def test_vllm_is_refused_in_one_line_where_it_cannot_run(monkeypatch):
    import torch

    monkeypatch.setattr(generation.util, "find_spec", lambda name: None)
    assert generation.unavailable("vllm").startswith("generation.backend: vllm is not installed")
    assert generation.unavailable("hf") is None
    monkeypatch.setattr(generation.util, "find_spec", lambda name: object())
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert "needs an NVIDIA GPU" in generation.unavailable("vllm")


def test_the_stage_refuses_vllm_here_before_loading_anything(project, monkeypatch):
    from repro.studies.code import readiness

    monkeypatch.setattr(generation.util, "find_spec", lambda name: None)
    loads = []
    monkeypatch.setattr(decoder, "tokenizer", lambda path: loads.append(path))
    with pytest.raises(UserError, match="vllm is not installed") as err:
        project("vllm")
    assert "\n" not in str(err.value) and not loads
    assert not (project.layout.results / "code" / "samples").exists()
    assert any(line.startswith("code.generation.backend: vllm is not installed")
               for line in readiness.problems(project.profile("vllm")))
    assert not any("generation.backend" in line for line in readiness.problems(project.profile("hf")))


def test_one_hf_model_serves_every_file_and_mode_and_the_backend_is_recorded(project, monkeypatch):
    import transformers

    loads = []
    real = decoder.causal_lm
    monkeypatch.setattr(decoder, "causal_lm", lambda path: loads.append(path) or real(path))
    out = project("hf")
    assert len(loads) == 1
    files = sorted(p.name for p in out.glob("*.jsonl"))
    assert files == ["humaneval-x-cpp-English.greedy.jsonl", "humaneval-x-cpp-English.t0.8.jsonl",
                     "humaneval-x-python-English.greedy.jsonl", "humaneval-x-python-English.t0.8.jsonl"]
    assert len((out / "humaneval-x-cpp-English.t0.8.jsonl").read_text().splitlines()) == 4 * 2
    meta = json.loads((out / "generation.json").read_text())
    assert meta["backend"] == "hf" and meta["transformers"] == transformers.__version__ and "vllm" not in meta
    assert sorted(meta["files"]) == [f.removesuffix(".jsonl") for f in files]


def test_one_vllm_engine_serves_every_file_and_mode_and_is_shut_down(project, monkeypatch):
    """vLLM cannot be installed here (no GPU): a stand-in `vllm` module with its offline API's shape (`LLM`,
    `SamplingParams`, `llm_engine.engine_core.shutdown`) counts engines, calls and shutdowns."""
    import torch

    seen = {"engines": 0, "calls": [], "shutdowns": 0}

    class Core:
        def shutdown(self):
            seen["shutdowns"] += 1

    class LLM:
        def __init__(self, model, seed, trust_remote_code):
            seen["engines"] += 1
            self.llm_engine = types.SimpleNamespace(engine_core=Core())

        def generate(self, prompts, params):
            seen["calls"].append((len(prompts), params.n, params.temperature))
            return [types.SimpleNamespace(outputs=[types.SimpleNamespace(text="    return x\n")] * params.n)
                    for _ in prompts]

    fake = types.ModuleType("vllm")
    fake.__version__, fake.LLM = "0.30.0", LLM
    fake.SamplingParams = lambda **kw: types.SimpleNamespace(**kw)
    monkeypatch.setitem(sys.modules, "vllm", fake)
    monkeypatch.setattr(generation.util, "find_spec", lambda name: object())
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(UserError, match="needs an NVIDIA GPU"):
        project("vllm")
    assert seen["engines"] == 0
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: None)
    out = project("vllm")
    assert seen["engines"] == 1 and seen["shutdowns"] == 1
    assert sorted(seen["calls"]) == [(4, 1, 0.0), (4, 1, 0.0), (4, 2, 0.8), (4, 2, 0.8)]
    meta = json.loads((out / "generation.json").read_text())
    assert meta["backend"] == "vllm" and meta["vllm"] == "0.30.0" and len(meta["files"]) == 4
