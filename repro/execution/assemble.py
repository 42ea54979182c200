"""How prompt + completion + test become a program whose verdict the sample cannot fake.

Every program ends with the harness's own last statement, which prints a per-run secret nonce only after every
assertion of the test ran; the runner counts a pass only when that nonce is the last line of stdout and the exit
status is 0, so ending early with status 0 (SystemExit, os._exit, atexit, excepthook, process.exit, System.exit,
Runtime.halt, an empty TestMain, process::exit) is a failure. Where the test could be reached by the sample's
macros or names, it is shielded: C++ gets its own `assert` (a trap, not `__assert_fail`) and every macro the
completion defines is #undef'd before the test; Java's test lives in its own file with single-type imports (a
sample's top-level `Arrays` cannot shadow java.util's); JavaScript's test sees a `console` whose `assert` is
node:assert's, bound before the sample ran; Go gets the harness's TestMain; Rust's test functions are called by
the harness's `main` with std's assert macros named by path (`::std::assert_eq!`). Release conventions as in
THUDM/CodeGeeX's harness and the HumanEval-XL tests, reimplemented here.
"""

from __future__ import annotations

import re

# CodeGeeX's Python header (THUDM/CodeGeeX codegeex/benchmark/utils.py L6-24), for HumanEval-X only; numpy's two
# lines are imported where numpy is (scripts/toolchains.sh installs python3-numpy), so the header never fails
PYTHON_HEADER = ("import math", "import re", "import sys", "import copy", "import datetime", "import itertools",
                 "import collections", "import heapq", "import statistics", "import functools", "import hashlib",
                 "import numpy", "import numpy as np", "import string", "from typing import *",
                 "from collections import *")
CPP_HEADERS = ("#include<stdlib.h>", "#include<algorithm>", "#include<math.h>", "#include<stdio.h>",
               "#include<vector>", "#include<string>", "#include<climits>", "#include<cstring>",
               "#include<iostream>", "#include<map>", "#include<set>", "#include<sstream>")
GO_HELPER_PACKAGES = ("math", "strings", "fmt", "strconv", "time", "bytes", "regexp", "sort", "math/rand",
                      "crypto/md5")
JAVA_TYPES = {"java.util": ("ArrayList", "Arrays", "Collections", "HashMap", "HashSet", "LinkedList", "List", "Map",
                            "Objects", "Optional", "Random", "Set", "TreeMap", "TreeSet"),
              "java.lang": ("AssertionError", "Boolean", "Character", "Double", "Exception", "Float", "Integer",
                            "Long", "Math", "Object", "RuntimeException", "String", "StringBuilder", "System")}


def python(problem, completion: str, nonce: str) -> dict[str, str]:
    """HumanEval-X programs start with CodeGeeX's import header (repro.execution.postprocess rule 5)."""
    header = ""
    if problem.benchmark == "humaneval-x":
        header = "".join((f"try:\n    {line}\nexcept ImportError:\n    pass\n" if "numpy" in line else line + "\n")
                         for line in PYTHON_HEADER)
    call = ""
    if problem.entry_point and not re.search(r"^check\(", problem.test, re.M):
        call = f"\ncheck({problem.entry_point})\n"
    text = header + problem.prompt + completion + "\n\n" + problem.test + "\n" + call
    return {"main.py": text + f"\nprint({nonce!r}, flush=True)\n"}


def _defined_macros(code: str) -> list[str]:
    joined = code.replace("\\\n", "")
    return sorted(set(re.findall(r"^\s*(?:#|%:)\s*define\s+(\w+)", joined, re.M)))


def cpp(problem, completion: str, nonce: str) -> dict[str, str]:
    headers = "".join(h + "\n" for h in CPP_HEADERS if h not in problem.prompt)
    test = problem.test
    found = re.search(r"\bint\s+main\s*\(\s*(?:void)?\s*\)", test)
    end = test.rstrip().rfind("}")
    if not found or end < found.end():
        return {"main.cpp": headers + problem.prompt + completion + "\n" + test}   # no nonce: cannot pass
    undef = "".join(f"#undef {name}\n" for name in _defined_macros(completion) + ["main"])
    guard = "\n#undef assert\n#define assert(e) ((e) ? (void)0 : __builtin_trap())\n"
    body = test[found.end():end] + "\nreturn 0;\n}\n"
    harness = ("int main() {\n    int status = repro_test_main();\n    if (status != 0) return status;\n"
               f'    ::fputs("{nonce}\\n", stdout);\n    ::fflush(stdout);\n    return 0;\n}}\n')
    return {"main.cpp": headers + "\n" + problem.prompt + completion + "\n" + undef + test[:found.start()] + guard
            + "int repro_test_main()" + body + harness}


def java(problem, completion: str, nonce: str) -> dict[str, str]:
    imports = re.findall(r"^\s*import\s+[\w.]+(?:\.\*)?\s*;", problem.prompt, re.M)
    single = [f"import {package}.{name};" for package, names in JAVA_TYPES.items() for name in names
              if re.search(rf"\b{name}\b", problem.test)]
    launcher = ("\nclass ReproLauncher {\n    public static void main(String[] args) throws Throwable {\n"
                f'        Main.main(args);\n        java.lang.System.out.println("{nonce}");\n'
                "        java.lang.System.out.flush();\n    }\n}\n")
    first = re.search(r"\bclass\s+(\w+)", problem.prompt)
    sample = f"{first.group(1) if first else 'Solution'}.java"
    test = "\n".join(dict.fromkeys(i.strip() for i in imports + single)) + "\n" + problem.test + launcher
    return {sample: problem.prompt + completion + "\n", "Main.java": test}


def js(problem, completion: str, nonce: str) -> dict[str, str]:
    prelude = ("const __repro = (() => {\n    const assert = require('node:assert');\n"
               "    const write = process.stdout.write.bind(process.stdout);\n"
               "    const check = (ok, ...message) => assert.ok(ok, message.length ? message.join(' ') : "
               "'console.assert failed');\n"
               "    return Object.freeze({ console: Object.freeze({ ...console, assert: check }), write });\n})();\n")
    test = f"\n;(function (console) {{\n{problem.test}\n}})(__repro.console);\n__repro.write({nonce!r} + '\\n');\n"
    return {"main.js": prelude + problem.prompt + completion + "\n" + test}


def go(problem, completion: str, nonce: str) -> dict[str, str]:
    if problem.benchmark == "humaneval-xl":  # a complete `package main` with its own imports and main()
        text = problem.prompt + completion + "\n" + re.sub(r"\bfunc\s+main\s*\(\s*\)", "func repro_test_main()",
                                                            problem.test, count=1)
        text = re.sub(r"^(package\s+main\b.*)$", r'\1\nimport repro_os "os"', text, count=1, flags=re.M)
        return {"main.go": text + f'\nfunc main() {{\n    repro_test_main()\n    repro_os.Stdout.WriteString("{nonce}\\n")\n}}\n'}
    imports = problem.extra.get("import", "")
    setup = problem.extra.get("test_setup", "")
    code = re.sub(r"//[^\n]*", "", completion)  # Go refuses unused imports: import what the completion uses
    wanted = dict.fromkeys(re.findall(r'"([^"]+)"', imports) + list(GO_HELPER_PACKAGES))
    used = [p for p in wanted if f'"{p}"' not in setup and re.search(rf"\b{re.escape(p.split('/')[-1])}\.", code)]
    block = "import (\n" + "".join(f'    "{p}"\n' for p in used) + ")\n" if used else ""
    harness = 'import (\n    repro_os "os"\n    repro_testing "testing"\n)\n'
    main = ("\nfunc TestMain(m *repro_testing.M) {\n    code := m.Run()\n    if code == 0 {\n"
            f'        repro_os.Stdout.WriteString("{nonce}\\n")\n    }}\n    repro_os.Exit(code)\n}}\n')
    return {"main_test.go": setup + "\n" + harness + block + problem.prompt.replace(imports, "") + completion + "\n"
            + problem.test + main}


def _strip_rust_comments(text: str) -> str:
    """`text` without // and (nested) /* */ comments; string literals are kept as they are."""
    out, i, depth = [], 0, 0
    while i < len(text):
        two = text[i:i + 2]
        if depth:
            depth += (two == "/*") - (two == "*/")
            i += 2 if two in ("/*", "*/") else 1
        elif two == "/*":
            depth, i = 1, i + 2
        elif two == "//":
            while i < len(text) and text[i] != "\n":
                i += 1
        elif text[i] == '"':
            end = i + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            out.append(text[i:end + 1])
            i = end + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def rust(problem, completion: str, nonce: str) -> dict[str, str]:
    test = _strip_rust_comments(problem.test)
    names = re.findall(r"#\[test\]\s*fn\s+(\w+)", test)
    test = re.sub(r"#\[test\]\s*fn\s+", "pub fn ", test)
    test = re.sub(r"(?<![\w:!])(assert|assert_eq|assert_ne|panic)!", r"::std::\1!", test)
    module = re.search(r"\bmod\s+(\w+)", test)
    calls = "".join(f"    {module.group(1)}::{name}();\n" for name in names) if module else ""
    main = f'\nfn main() {{\n{calls}    ::std::println!("{nonce}");\n}}\n'
    return {"main.rs": problem.prompt + problem.declaration + completion + "\n" + test + main}
