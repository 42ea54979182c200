"""No pass without solving: in each language, completions that return a wrong answer and then end the program
with status 0 early, or disable the test's asserts (macros, shadowing, overridden hooks), fail; the correct
completion passes in the same run. These test the harness (the nonce the test's last statement prints, the
shielded asserts), so they hold with or without the sandbox. Labels: an exit code or a marker the program prints
does not make a timeout or a build failure, and a program that stops itself or ignores SIGTERM is killed at its
deadline."""

import time

import pytest

from repro.errors import UserError
from repro.execution import missing
from repro.execution.problems import Problem, Sample
from repro.execution.runner import check, evaluate
from repro.execution.driver import GRACE
from repro.execution.sandbox import SLACK, Limits, Sandbox, detect

LIMITS = Limits(memory_mb=1024, tasks=128, file_mb=16, tmp_mb=128)
GO_SETUP = 'package main\n\nimport (\n    "testing"\n    "github.com/stretchr/testify/assert"\n)\n'
PROBLEMS = {
    "python": Problem("Python/0", "python", "humaneval-x", "def f():\n",
                      "def check(candidate):\n    assert candidate() == 1\n", entry_point="f"),
    "cpp": Problem("CPP/0", "cpp", "humaneval-x", "#include<stdio.h>\n#include<stdlib.h>\n#include<unistd.h>\n"
                   "using namespace std;\nint f(){\n",
                   "#undef NDEBUG\n#include<assert.h>\nint main(){\n    assert (f() == 1);\n}\n"),
    "java": Problem("Java/0", "java", "humaneval-x", "import java.util.*;\nimport java.lang.*;\n\nclass Solution {\n"
                    "    public int f() {\n",
                    "public class Main {\n    public static void main(String[] args) {\n"
                    "        Solution s = new Solution();\n        List<Boolean> correct = Arrays.asList(s.f() == 1);\n"
                    "        if (correct.contains(false)) {\n            throw new AssertionError();\n        }\n"
                    "    }\n}\n"),
    "js": Problem("JavaScript/0", "js", "humaneval-x", "const f = () => {\n",
                  "const testF = () => {\n  console.assert(f() === 1)\n}\n\ntestF()\n"),
    "go": Problem("Go/0", "go", "humaneval-x", "func F() int {\n",
                  "func TestF(t *testing.T) {\n    assert := assert.New(t)\n    assert.Equal(1, F())\n}\n",
                  extra={"import": 'import (\n    "os"\n)\n', "test_setup": GO_SETUP}),
    "rust": Problem("Rust/0", "rust", "humaneval-x", "", "\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n"
                    "    #[test]\n    fn test_f() {\n        assert_eq!(f(), 1);\n        assert!(f() == 1);\n    }\n}\n",
                    declaration="fn f() -> i32 {\n"),
}
CORRECT = {"python": "    return 1\n", "cpp": "    return 1;\n}\n", "java": "        return 1;\n    }\n}\n",
           "js": "  return 1\n}\n", "go": "    return 1\n}\n", "rust": "    1\n}\n"}
# Each returns the wrong answer (0) and tries to be counted as passed anyway.
CHEATS = {
    "python": {"SystemExit(0)": "    raise SystemExit(0)\n",
               "os._exit(0)": "    import os\n    os._exit(0)\n",
               "atexit os._exit": "    import atexit, os\n    atexit.register(os._exit, 0)\n    return 0\n",
               "excepthook": "    import os, sys\n    sys.excepthook = lambda *a: os._exit(0)\n    return 0\n",
               "prints a fake marker": "    print('passed')\n    raise SystemExit(0)\n"},
    "cpp": {"exit(0)": "    exit(0);\n}\n",
            "#define main": "    return 0;\n}\nint main() { return 0; }\n#define main fake_main\n",
            "__assert_fail": '    return 0;\n}\nextern "C" void __assert_fail(const char*, const char*, unsigned int, '
                             "const char*) noexcept { _exit(0); }\n",
            "#define assert": "    return 0;\n}\n#define assert(x) (void)0\n",
            "atexit _exit": "    atexit([] { _exit(0); });\n    return 0;\n}\n"},
    "java": {"System.exit(0)": "        if (true) System.exit(0);\n        return 0;\n    }\n}\n",
             "halt in a shutdown hook": "        Runtime.getRuntime().addShutdownHook(new Thread(() -> "
                                        "Runtime.getRuntime().halt(0)));\n        return 0;\n    }\n}\n",
             "shadowing Arrays": "        return 0;\n    }\n}\nclass Arrays {\n    static List<Boolean> asList(Boolean... a)"
                                 " {\n        return new ArrayList<>();\n    }\n}\n"},
    "js": {"process.exit(0)": "  process.exit(0)\n}\n",
           "console.assert = noop": "  return 0\n}\nconsole.assert = () => {}\n",
           "exit handler": "  process.on('exit', () => process.exit(0))\n  return 0\n}\n",
           "uncaughtException": "  process.on('uncaughtException', () => process.exit(0))\n  return 0\n}\n"},
    "go": {"empty TestMain": "    return 0\n}\n\nfunc TestMain(m *testing.M) {}\n",
           "os.Exit(0)": "    os.Exit(0)\n    return 0\n}\n"},
    "rust": {"process::exit(0)": "    std::process::exit(0);\n}\n",
             "macro_rules! assert_eq": "    0\n}\nmacro_rules! assert_eq { ($($t:tt)*) => {} }\n"
                                       "macro_rules! assert { ($($t:tt)*) => {} }\n",
             "panic hook exit": "    std::panic::set_hook(Box::new(|_| std::process::exit(0)));\n    0\n}\n"},
}


def _mode() -> str:
    try:
        return detect()
    except UserError as exc:
        pytest.skip(str(exc))


@pytest.mark.parametrize("language", list(CHEATS))
def test_ending_early_or_disabling_asserts_is_not_a_pass(language):
    _mode()
    if missing(language):
        pytest.skip(missing(language))
    problem = PROBLEMS[language]
    completions = [CORRECT[language], *CHEATS[language].values()]
    samples = [Sample(problem.task_id, i, text) for i, text in enumerate(completions)]
    results = evaluate({problem.task_id: problem}, samples, workers=2, limits=LIMITS, warn=lambda line: None)
    assert results[0].passed, f"the correct {language} completion: {results[0].result}"
    passed = [name for name, result in zip(CHEATS[language], results[1:]) if result.passed]
    assert not passed, f"{language}: counted as passed: {passed}"


PYTHON = PROBLEMS["python"]


def _run(completion: str, timeout: float = 2.0):
    start = time.perf_counter()
    result = check(PYTHON, Sample(PYTHON.task_id, 0, completion), timeout, Sandbox(_mode(), LIMITS))
    return result, time.perf_counter() - start


@pytest.mark.parametrize("completion, expected", [
    ("    import os\n    os._exit(124)\n", "failed: exit 124"),
    ("    import os\n    os._exit(137)\n", "failed: exit 137"),
    ("    import sys\n    print('@@repro-build-failed 124', file=sys.stderr)\n    sys.exit(1)\n", "failed: exit 1"),
])
def test_exit_codes_and_markers_do_not_fake_labels(completion, expected):
    result, _ = _run(completion)
    assert result.result.startswith(expected), result.result


@pytest.mark.parametrize("completion", [
    "    import signal, time\n    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n    time.sleep(60)\n",
    "    import os, signal\n    os.kill(os.getpid(), signal.SIGSTOP)\n",
    "    import os, signal, time\n    try:\n        os.kill(os.getppid(), signal.SIGSTOP)\n    except OSError:\n"
    "        pass\n    time.sleep(60)\n",
])
def test_stopped_or_stubborn_programs_time_out_at_their_deadline(completion):
    result, took = _run(completion, timeout=2.0)
    assert result.result == "timed out", result.result
    assert took < 2.0 + GRACE + SLACK + 1, f"took {took:.1f}s for a 2 s timeout"
