"""Generation backends for a decoder, behind one interface: `load(name, path, ...)` loads the decoder once, its
`generate(prompts, ...)` serves every file and mode of a stage run, `close()` (or leaving its `with`) frees it.

`hf`: HF `generate` (repro.models.decoder.generate), the default, on any device. `vllm`: vLLM's offline `LLM`
(pyproject's [vllm] extra, hash-locked in requirements-vllm.lock; an NVIDIA GPU): one engine per stage run, shut
down at the end, since deleting an `LLM` leaves its engine core process and its GPU memory behind (vLLM V1 runs the
engine core in a process of its own: vllm/v1/engine/core_client.py, `MPClient.shutdown`). The backend is what
params.yaml names, never what happens to be installed; `unavailable` says in one line why it cannot run here.
"""

from __future__ import annotations

import gc
from abc import ABC, abstractmethod
from importlib import util
from pathlib import Path
from typing import Sequence

INSTALL = "on Python 3.13: pip install --require-hashes --no-deps -r requirements-vllm.lock; docs/code-study.md"


def unavailable(name: str) -> str | None:
    """Why backend `name` cannot run on this machine (one line), None when it can."""
    if name != "vllm":
        return None
    if util.find_spec("vllm") is None:
        return f"generation.backend: vllm is not installed ({INSTALL}); or set backend: hf"
    import torch

    if not torch.cuda.is_available():
        return "generation.backend: vllm needs an NVIDIA GPU and none is visible; set backend: hf"
    return None


class Backend(ABC):
    """A decoder loaded once for generation; the tokenizer counts generated tokens (tokens per second)."""

    name = ""

    def __init__(self, path: Path):
        from repro.models import decoder

        self.tokenizer = decoder.tokenizer(path)

    @abstractmethod
    def generate(self, prompts: Sequence[str], *, max_new_tokens: int, stop: Sequence[str] = (), samples: int = 0,
                 temperature: float = 0.8, top_p: float = 0.95, seed: int = 0) -> list[list[str]]:
        """Completions of each prompt: one greedy (samples=0) or `samples` sampled ones; each stops at EOS or a
        stop string (the text after the stop is cut by the caller's decode)."""

    def tokens(self, texts: Sequence[str]) -> int:
        return sum(map(len, self.tokenizer(list(texts), add_special_tokens=False)["input_ids"])) if texts else 0

    def provenance(self) -> dict:
        """What generated: the backend and the versions of the libraries that ran it."""
        import torch
        import transformers

        return {"backend": self.name, "torch": torch.__version__, "transformers": transformers.__version__}

    def close(self) -> None:
        import torch

        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class HF(Backend):
    """HF `generate` over the decoder's weights, in batches of `batch_size` prompts."""

    name = "hf"

    def __init__(self, path: Path, *, batch_size: int):
        from repro.models import decoder

        super().__init__(path)
        self.model, self.batch_size = decoder.causal_lm(path), batch_size

    def generate(self, prompts, *, max_new_tokens, stop=(), samples=0, temperature=0.8, top_p=0.95, seed=0):
        from repro.models import decoder

        return decoder.generate(self.model, self.tokenizer, prompts, max_new_tokens=max_new_tokens,
                                batch_size=self.batch_size, stop=stop, samples=samples, temperature=temperature,
                                top_p=top_p, seed=seed)

    def close(self) -> None:
        self.model = None
        super().close()


class VLLM(Backend):
    """vLLM's offline engine over the decoder's directory (it schedules its own batches)."""

    name = "vllm"

    def __init__(self, path: Path, *, seed: int):
        from vllm import LLM

        super().__init__(path)
        self.llm = LLM(model=str(path), seed=seed, trust_remote_code=False)

    def generate(self, prompts, *, max_new_tokens, stop=(), samples=0, temperature=0.8, top_p=0.95, seed=0):
        from vllm import SamplingParams

        params = SamplingParams(n=max(samples, 1), temperature=temperature if samples else 0.0,
                                top_p=top_p if samples else 1.0, max_tokens=max_new_tokens, stop=list(stop) or None,
                                seed=seed)
        return [[c.text for c in result.outputs] for result in self.llm.generate(list(prompts), params)]

    def provenance(self) -> dict:
        import vllm

        return {**super().provenance(), "vllm": vllm.__version__}

    def close(self) -> None:
        if self.llm is not None:
            self.llm.llm_engine.engine_core.shutdown()
            self.llm = None
        super().close()


def load(name: str, path: Path, *, batch_size: int, seed: int) -> Backend:
    """Backend `name` over the decoder at `path`, loaded once (`batch_size`: HF's prompts per batch; `seed`:
    vLLM's engine seed, HF seeds each call); refused in one line where it cannot run."""
    from repro.errors import UserError

    reason = unavailable(name)
    if reason:
        raise UserError(reason)
    return VLLM(path, seed=seed) if name == "vllm" else HF(path, batch_size=batch_size)
