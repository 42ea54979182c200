"""Executing generated code (HumanEval, HumanEval-X, HumanEval-XL) in a sandbox, and pass@k. Never imports torch.

The API the generation side uses:
- `read_problems(path) -> {task_id: Problem}`; `generation_prompt(problem)` is the text a completion continues,
  `model_prompt(problem)` what the model reads; `LANGUAGES[problem.language].stop` the stop sequences;
  `decode(problem, raw)` makes a raw generation the completion that is run (`repro.execution.postprocess`).
- `evaluate(problems, samples, timeout=None, workers=1) -> [Result]` (samples from `read_samples(path,
  problems)` or `Sample(task_id, completion_id, completion)`), in input order; `pass_at_k({task_id: [passed...]},
  ks)` -> {"pass@k": 0-100}.
- `missing(language)` says why a language cannot run here (None when it can).
See docs/execution.md for the sandbox.
"""

from repro.execution.languages import LANGUAGES, generation_prompt
from repro.execution.postprocess import decode, model_prompt, truncate
from repro.execution.passk import estimate, pass_at_k
from repro.execution.problems import Problem, Sample, read_problems, read_samples
from repro.execution.runner import Result, check, evaluate
from repro.execution.toolchains import missing

__all__ = ["LANGUAGES", "Problem", "Result", "Sample", "check", "decode", "estimate", "evaluate",
           "generation_prompt", "missing", "model_prompt", "pass_at_k", "read_problems", "read_samples", "truncate"]
