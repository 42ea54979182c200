"""One entry per programming language: how prompt + completion + test become a program, how it is built and
run inside the sandbox, what counts as a pass, where generation stops, and its timeouts.

Build and run commands are argv lists run in the sandbox's working directory; `{name}` fields are filled from the
toolchain context (`repro.execution.toolchains.context`); `repro.execution.assemble` makes each program.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from repro.execution import assemble as programs

# Release bugs: the canonical solutions of these tasks fail their own tests (JS/112, JS/155); Rust/32's tests are
# commented out, so anything compiling passes it.
KNOWN_FAILING_CANONICAL = frozenset({"JavaScript/112", "JavaScript/155"})
KNOWN_UNTESTED = frozenset({"Rust/32"})
# Go/95's canonical solution reads a map in Go's randomized iteration order and stops after two same-case keys, so
# {"p", "A", "B"} passes or fails by chance (2 of 12 runs of the raw solution failed here)
KNOWN_FLAKY_CANONICAL = frozenset({"Go/95"})


@dataclass(frozen=True)
class Language:
    name: str
    aliases: tuple[str, ...]            # task-id prefixes and HumanEval-XL `language` values (lower case)
    tools: tuple[str, ...]              # executables the sandbox needs on its PATH
    source: str                         # the program's file name
    build: tuple[tuple[str, ...], ...]  # compile commands (each must exit 0)
    run: tuple[str, ...]                # the test run
    stop: tuple[str, ...]               # stop sequences for generation (sources in STOP_SOURCES)
    run_timeout: float = 10.0           # seconds for the run (HumanEvalPack's per-language values, python 10)
    build_timeout: float = 30.0         # seconds for all compile commands together
    stderr_fails: bool = False          # node's console.assert only prints: any stderr is a failure
    assemble: Callable = field(default=None, compare=False, repr=False)  # (problem, completion, nonce) -> files
    requires: tuple[str, ...] = ()      # toolchain context keys the commands use


# Where each language's stop sequences come from (CodeGeeX = THUDM/CodeGeeX@2838420b codegeex/benchmark/utils.py,
# bigcode = bigcode-evaluation-harness@8fc5bae6 bigcode_eval/tasks/humanevalpack.py). Each one starts code that
# must not reach the program (a second main, a test block) or leaves code altogether ("```", bigcode
# humaneval.py L52). Post-processing after the stop: repro.execution.postprocess.
STOP_SOURCES = {
    "python": "bigcode L39 (CodeGeeX utils.py L164 plus \\n@) and humaneval.py L52 (```)",
    "cpp": "bigcode L403 (a generated `int main` is cut before the test's own)",
    "java": "CodeGeeX utils.py L169-171 (`public static void main`; also a launcher class of that name)",
    "js": "no stop in either anchor (bigcode L43): test code a model appends (`const test...`, `console.`)",
    "go": "CodeGeeX utils.py L177 and bigcode L45 (`\\nfunc main(`); the test's `func Test...` likewise",
    "rust": "bigcode L460-461 (a second `fn main()`); a generated `#[cfg(test)]` module would clash with the test's",
}

LANGUAGES: dict[str, Language] = {lang.name: lang for lang in (
    Language("python", ("python", "humaneval"), ("python3",), "main.py", (), ("python3", "-I", "main.py"),
             stop=("\nclass", "\ndef", "\n#", "\n@", "\nprint", "\nif", "\nassert", "\n```"),
             assemble=programs.python),
    Language("cpp", ("cpp", "c++"), ("g++",), "main.cpp",
             (("g++", "-std=c++17", "-O0", "-w", "main.cpp", "-o", "main", "{cpp_libs}"),), ("./main",),
             stop=("\nint main", "\n#include", "\n```"), run_timeout=10.0, assemble=programs.cpp, requires=("cpp_libs",)),
    Language("java", ("java",), ("javac", "java"), "Main.java",
             (("javac", "-nowarn", "-J-XX:+UseSerialGC", "-J-XX:TieredStopAtLevel=1", "-d", ".", "{sources}"),),
             ("java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", ".", "ReproLauncher"),
             stop=("\n    public static void main", "\nclass Main", "\npublic class Main", "\n```"),
             assemble=programs.java),
    Language("js", ("javascript", "js"), ("node",), "main.js", (), ("node", "main.js"),
             stop=("\nconst test", "\nconsole.", "\n```"), stderr_fails=True, assemble=programs.js),
    Language("go", ("go", "golang"), ("go",), "main_test.go",
             (("go", "test", "-c", "-o", "main.test", "main_test.go"),), ("./main.test", "-test.v=false"),
             stop=("\nfunc main(", "\nfunc Test", "\n```"), run_timeout=20.0, assemble=programs.go, requires=("go_cache",)),
    Language("rust", ("rust", "rs"), ("rustc",), "main.rs",
             (("rustc", "--edition", "2021", "--cfg", "test", "-A", "warnings", "-C", "opt-level=0", "-o", "main",
               "main.rs", "{rust_externs}"),),
             ("./main",), stop=("\n#[cfg(test)]", "\nfn main(", "\n```"), run_timeout=20.0,
             build_timeout=60.0, assemble=programs.rust, requires=("rust_externs",)),
)}
GO_PROGRAM = ("main.go", (("go", "build", "-o", "main", "main.go"),), ("./main",))  # HumanEval-XL's Go


def language_of(tag: str) -> str | None:
    """The LANGUAGES key for a task-id prefix or a release's `language` field ("CPP", "javascript"...)."""
    tag = tag.lower()
    return next((lang.name for lang in LANGUAGES.values() if tag in lang.aliases), None)


def generation_prompt(problem) -> str:
    """The text a completion continues: the prompt, and for HumanEval-X Rust the declaration after it."""
    if problem.language == "rust" and problem.benchmark == "humaneval-x":
        return problem.prompt + problem.declaration
    return problem.prompt
