"""The hostile battery in Java, JavaScript, Go and Rust (Python and C++: test_execution_hostile.py): an AF_INET
socket created, a fork bomb, a memory hog, a 2 GB file, /etc/shadow and the host's home read, a child left
running, files written outside the working folder. Each attack's `attack()` returns 1 (the test passes) only
when the attack worked; it runs in one `evaluate` with the correct solution before and after it, which must pass.
Sockets are only created, never bound or connected, except JavaScript's: node makes a socket only to bind it,
so its sample binds 127.0.0.1:0 only when its network namespace is not the host's (on the host's it returns 1
at once: sharing the host's network is an escape too). The same safe attacks run with no sandbox must escape,
so the samples are real attacks and the walls, not the samples, stop them. After each test nothing of the runs
is left (tests/sandbox_leftovers.py)."""

import os
import signal
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from repro.execution import cgroup, missing, sandbox as sandboxes
from repro.execution.problems import Problem, Sample
from repro.execution.runner import check, evaluate
from repro.execution.sandbox import Limits, Sandbox
from sandbox_leftovers import keys, leftovers, no_leftovers, processes, snapshot  # noqa: F401 (a fixture)
from test_execution_hostile import SECRET, _mode, _orphans, host  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("no_leftovers")
TIMEOUT = 4.0
LIMITS = Limits(memory_mb=1024, tasks=128, file_mb=16, tmp_mb=128)
HOST_NET = os.readlink("/proc/self/ns/net")
ROOT = Path(__file__).resolve().parents[3]
GO_SETUP = 'package main\n\nimport (\n    "testing"\n    "github.com/stretchr/testify/assert"\n)\n'
PROBLEMS = {
    "java": Problem("Java/hostile", "java", "humaneval-x",
                    "import java.io.*;\nimport java.net.*;\nimport java.nio.channels.*;\nimport java.nio.file.*;\n"
                    "import java.util.*;\n\nclass Solution {\n    public int attack() {\n",
                    "public class Main {\n    public static void main(String[] args) {\n"
                    "        if (new Solution().attack() != 1) {\n            throw new AssertionError();\n        }\n"
                    "    }\n}\n"),
    "js": Problem("JavaScript/hostile", "js", "humaneval-x",
                  "const fs = require('fs')\nconst cp = require('child_process')\nconst attack = () => {\n",
                  "const testAttack = () => {\n  console.assert(attack() === 1)\n}\n\ntestAttack()\n"),
    "go": Problem("Go/hostile", "go", "humaneval-x", "func Attack() int {\n",
                  "func TestAttack(t *testing.T) {\n    assert := assert.New(t)\n    assert.Equal(1, Attack())\n}\n",
                  extra={"import": 'import (\n    "os"\n    "os/exec"\n    "syscall"\n)\n', "test_setup": GO_SETUP}),
    "rust": Problem("Rust/hostile", "rust", "humaneval-x", "", "\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n"
                    "    #[test]\n    fn test_attack() {\n        assert_eq!(attack(), 1);\n    }\n}\n",
                    declaration="fn attack() -> i32 {\n"),
}
CORRECT = {"java": "        return 1;\n    }\n}\n", "js": "  return 1\n}\n", "go": "    return 1\n}\n",
           "rust": "    1\n}\n"}
DANGEROUS = ("fork bomb", "memory hog", "2 GB file")   # never run unsandboxed


def _java(host, targets: list[str]) -> dict[str, str]:
    end = "    }\n}\n"
    listed = ", ".join(f'"{t}"' for t in targets)
    return {
        "network": "        try {\n            DatagramChannel c = DatagramChannel.open(java.net.StandardProtocolFamily"
                   ".INET);\n            c.close();\n            return 1;\n        } catch (Throwable e) {\n"
                   "            return 0;\n        }\n" + end,
        "fork bomb": "        while (true) {\n            try {\n                new ProcessBuilder(\"sleep\", \"300\")"
                     ".start();\n            } catch (Throwable e) {\n            }\n        }\n" + end,
        "memory hog": "        List<byte[]> hog = new ArrayList<>();\n        while (true) {\n"
                      "            byte[] b = new byte[64 << 20];\n            Arrays.fill(b, (byte) 1);\n"
                      "            hog.add(b);\n        }\n" + end,
        "2 GB file": "        try (FileOutputStream f = new FileOutputStream(\"big\")) {\n"
                     "            byte[] mb = new byte[1 << 20];\n"
                     "            for (int i = 0; i < 2048; i++) f.write(mb);\n"
                     "            return 1;\n        } catch (Throwable e) {\n            return 0;\n        }\n" + end,
        "shadow": "        try {\n"
                  "            return Files.readAllBytes(Paths.get(\"/etc/shadow\")).length > 0 ? 1 : 0;\n"
                  "        } catch (Throwable e) {\n            return 0;\n        }\n" + end,
        "home": f"        try {{\n            return Files.readString(Paths.get(\"{host['home_secret']}\"))"
                f".equals(\"{SECRET}\") ? 1 : 0;\n        }} catch (Throwable e) {{\n            return 0;\n"
                "        }\n" + end,
        "write outside": f"        int wrote = 0;\n        for (String t : new String[] {{{listed}}}) {{\n"
                         "            try {\n                Files.writeString(Paths.get(t), \"x\");\n"
                         "                wrote = 1;\n            } catch (Throwable e) {\n            }\n        }\n"
                         "        return wrote;\n" + end,
        "left running": "        try {\n            new ProcessBuilder(\"setsid\", \"-f\", \"bash\", \"-c\", \"exec -a "
                        f"repro-orphan-{host['marker']} sleep 300\").start();\n            return 1;\n"
                        "        } catch (Throwable e) {\n            return 0;\n        }\n" + end,
    }


def _js(host, targets: list[str]) -> dict[str, str]:
    return {
        "network": f"  if (fs.readlinkSync('/proc/self/ns/net') === {HOST_NET!r}) return 1\n"
                   "  process.noDeprecation = true\n  const { UDP } = process.binding('udp_wrap')\n"
                   "  return new UDP().bind('127.0.0.1', 0, 0) === 0 ? 1 : 0\n}\n",
        "fork bomb": "  while (true) {\n    try {\n      cp.spawn('sleep', ['300']).on('error', () => {})\n"
                     "    } catch (e) {}\n  }\n}\n",
        "memory hog": "  const hog = []\n  while (true) hog.push(Buffer.alloc(64 << 20, 1))\n}\n",
        "2 GB file": "  try {\n    const fd = fs.openSync('big', 'w')\n    const mb = Buffer.alloc(1 << 20, 120)\n"
                     "    for (let i = 0; i < 2048; i++) fs.writeSync(fd, mb)\n    fs.closeSync(fd)\n    return 1\n"
                     "  } catch (e) {\n    return 0\n  }\n}\n",
        "shadow": "  try {\n    return fs.readFileSync('/etc/shadow').length > 0 ? 1 : 0\n  } catch (e) {\n"
                  "    return 0\n  }\n}\n",
        "home": f"  try {{\n    return fs.readFileSync({str(host['home_secret'])!r}, 'utf8') === {SECRET!r} ? 1 : 0\n"
                "  } catch (e) {\n    return 0\n  }\n}\n",
        "write outside": f"  let wrote = 0\n  for (const t of {targets!r}) {{\n    try {{\n"
                         "      fs.writeFileSync(t, 'x')\n      wrote = 1\n    } catch (e) {}\n  }\n"
                         "  return wrote\n}\n",
        "left running": f"  cp.spawn('bash', ['-c', 'exec -a repro-orphan-{host['marker']} sleep 300'], "
                        "{ detached: true, stdio: 'ignore' }).unref()\n  return 1\n}\n",
    }


def _go(host, targets: list[str]) -> dict[str, str]:
    listed = ", ".join(f'"{t}"' for t in targets)
    return {
        "network": "    fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)\n    if err != nil {\n"
                   "        return 0\n    }\n    syscall.Close(fd)\n    return 1\n}\n",
        "fork bomb": "    for {\n        exec.Command(\"sleep\", \"300\").Start()\n    }\n}\n",
        "memory hog": "    hog := [][]byte{}\n    for {\n        b := make([]byte, 64<<20)\n"
                      "        for i := range b {\n"
                      "            b[i] = 1\n        }\n        hog = append(hog, b)\n    }\n}\n",
        "2 GB file": "    f, err := os.Create(\"big\")\n    if err != nil {\n        return 0\n    }\n"
                     "    mb := make([]byte, 1<<20)\n    for i := 0; i < 2048; i++ {\n"
                     "        if _, err := f.Write(mb); err != nil {\n            return 0\n        }\n    }\n"
                     "    if f.Close() != nil {\n        return 0\n    }\n    return 1\n}\n",
        "shadow": "    b, err := os.ReadFile(\"/etc/shadow\")\n    if err != nil || len(b) == 0 {\n        return 0\n"
                  "    }\n    return 1\n}\n",
        "home": f"    b, err := os.ReadFile(\"{host['home_secret']}\")\n"
                f"    if err != nil || string(b) != \"{SECRET}\" {{\n"
                "        return 0\n    }\n    return 1\n}\n",
        "write outside": f"    wrote := 0\n    for _, t := range []string{{{listed}}} {{\n"
                         "        if os.WriteFile(t, []byte(\"x\"), 0644) == nil {\n            wrote = 1\n        }\n"
                         "    }\n    return wrote\n}\n",
        "left running": "    c := exec.Command(\"bash\", \"-c\", "
                        f"\"exec -a repro-orphan-{host['marker']} sleep 300\")\n"
                        "    c.SysProcAttr = &syscall.SysProcAttr{Setsid: true}\n    if c.Start() != nil {\n"
                        "        return 0\n    }\n    return 1\n}\n",
    }


def _rust(host, targets: list[str]) -> dict[str, str]:
    listed = ", ".join(f'"{t}"' for t in targets)
    return {
        "network": "    extern \"C\" {\n        fn socket(domain: i32, kind: i32, protocol: i32) -> i32;\n"
                   "        fn close(fd: i32) -> i32;\n    }\n"
                   "    let fd = unsafe { socket(2, 1, 0) };  // AF_INET, STREAM\n"
                   "    if fd < 0 {\n        return 0;\n    }\n    unsafe { close(fd) };\n    1\n}\n",
        "fork bomb": "    extern \"C\" {\n        fn fork() -> i32;\n    }\n    loop {\n        unsafe { fork() };\n"
                     "    }\n}\n",
        "memory hog": "    let mut hog = Vec::new();\n    loop {\n        hog.push(vec![1u8; 64 << 20]);\n    }\n}\n",
        "2 GB file": "    use std::io::Write;\n    let mut f = match std::fs::File::create(\"big\") {\n"
                     "        Ok(f) => f,\n        Err(_) => return 0,\n    };\n    let mb = vec![b'x'; 1 << 20];\n"
                     "    for _ in 0..2048 {\n        if f.write_all(&mb).is_err() {\n            return 0;\n"
                     "        }\n    }\n    1\n}\n",
        "shadow": "    match std::fs::read(\"/etc/shadow\") {\n        Ok(b) if !b.is_empty() => 1,\n        _ => 0,\n"
                  "    }\n}\n",
        "home": f"    match std::fs::read_to_string(\"{host['home_secret']}\") {{\n"
                f"        Ok(s) if s == \"{SECRET}\" => 1,\n        _ => 0,\n    }}\n}}\n",
        "write outside": f"    let mut wrote = 0;\n    for t in [{listed}] {{\n"
                         "        if std::fs::write(t, \"x\").is_ok() {\n            wrote = 1;\n        }\n    }\n"
                         "    wrote\n}\n",
        "left running": "    let spawned = std::process::Command::new(\"setsid\")\n"
                        "        .args([\"-f\", \"bash\", \"-c\", "
                        f"\"exec -a repro-orphan-{host['marker']} sleep 300\"])\n        .spawn();\n"
                        "    if spawned.is_ok() { 1 } else { 0 }\n}\n",
    }


ATTACKS = {"java": _java, "js": _js, "go": _go, "rust": _rust}


def _targets(host) -> list[str]:
    """Paths outside the working folder: the test's own folder, then system and project paths."""
    mark = host["marker"]
    return [str(host["outside"] / "escape.txt"), f"/usr/escape-{mark}", f"/etc/escape-{mark}", f"/escape-{mark}",
            f"/var/tmp/escape-{mark}", f"{ROOT}/escape-{mark}"]


def _language(language: str) -> None:
    if missing(language):
        pytest.skip(missing(language))


def _clean(host, targets: list[str]) -> None:
    """Undo what an escaped attack did (unsandboxed, or a wall gave way): its orphans, its files."""
    for pid in _orphans(host["marker"]):
        try:
            os.kill(int(pid), signal.SIGKILL)
        except ProcessLookupError:
            pass
    for target in targets:
        Path(target).unlink(missing_ok=True)


@pytest.mark.parametrize("group", ["escapes", "resources"])
@pytest.mark.parametrize("language", list(ATTACKS))
def test_attacks_are_contained_beside_a_correct_solution(host, language, group):
    """One run: the correct solution, the attacks of `group` (the resource hogs then the correct solution again,
    so the hogs leave the sandbox usable), each attack failing and the correct solution passing."""
    mode = _mode()
    if mode == "none":
        pytest.skip("REPRO_SANDBOX=none: the attacks escape (test_the_attacks_escape_unsandboxed)")
    _language(language)
    host["marker"] = uuid.uuid4().hex[:12]
    problem, targets = PROBLEMS[language], _targets(host)
    attacks = {name: text for name, text in ATTACKS[language](host, targets).items()
               if (name in DANGEROUS) == (group == "resources")}
    completions = [CORRECT[language], *attacks.values()] + ([CORRECT[language]] if group == "resources" else [])
    samples = [Sample(problem.task_id, i, text) for i, text in enumerate(completions)]
    start = time.perf_counter()
    try:
        results = evaluate({problem.task_id: problem}, samples, TIMEOUT, workers=1, limits=LIMITS,
                           warn=lambda line: None)
        took = time.perf_counter() - start
        time.sleep(0.2)
        orphans = _orphans(host["marker"])
        written = [t for t in targets if os.path.exists(t)]
    finally:
        _clean(host, targets)
    correct = [r.result for r in (results[0], results[-1]) if group == "resources" or r is results[0]]
    assert correct == ["passed"] * len(correct), f"the correct {language} solution: {correct}"
    by_attack = dict(zip(attacks, results[1:]))
    escaped = {name: r.result for name, r in by_attack.items() if r.passed and name != "left running"}
    assert not escaped, f"{language} ({mode}): escaped: {escaped}"
    assert not orphans, "a child outlived its sandbox"
    assert not written, f"written outside the sandbox: {written}"
    if group == "resources":
        assert "timed out" not in by_attack["memory hog"].result, "the memory cap, not the clock, stops a hog"
    assert not host["accepted"], "the sandbox reached the host's loopback listener"
    budget = len(samples) * (TIMEOUT + 2) + 60   # runs, plus the compile steps' share
    assert took < budget, f"{len(samples)} samples took {took:.0f}s"


@pytest.mark.parametrize("language", list(ATTACKS))
def test_the_attacks_escape_unsandboxed(host, language):
    """The safe attacks (not the fork bomb, hog or big file), run with no sandbox and writing only into this
    test's own folder, succeed: each sample is a working attack."""
    _language(language)
    host["marker"] = uuid.uuid4().hex[:12]
    problem, targets = PROBLEMS[language], [str(host["outside"] / "escape.txt")]
    attacks = {name: text for name, text in ATTACKS[language](host, targets).items() if name not in DANGEROUS}
    try:
        results = {name: check(problem, Sample(problem.task_id, 0, text), TIMEOUT, Sandbox("none", LIMITS))
                   for name, text in attacks.items()}
        orphans = _orphans(host["marker"])
    finally:
        _clean(host, targets)
    held = {name: r.result for name, r in results.items() if not r.passed}
    assert not held, f"{language}: these attacks fail even unsandboxed: {held}"
    assert orphans, "the left-running child did not outlive the unsandboxed run"


def test_the_leftover_check_sees_what_it_looks_for(tmp_path):
    """tests/sandbox_leftovers.py finds a live process and a key of a given uid, a staging folder and a run
    cgroup of this process, and nothing once they are gone (a uid below the sandbox's range: nothing of a real
    run is touched)."""
    if os.geteuid() != 0:
        pytest.skip("needs root: a process and a key of another uid")
    import ctypes
    uid = sandboxes.FIRST_UID - 1
    before = snapshot()
    ready, done = os.pipe(), os.pipe()
    child = os.fork()
    if child == 0:   # another uid with a key in its process keyring (gone with the process)
        os.setgid(uid)
        os.setuid(uid)
        made = ctypes.CDLL(None, use_errno=True).syscall(248, b"user", b"repro-leftover", b"x", 1, -2)  # add_key
        os.write(ready[1], b"1" if made > 0 else b"0")
        os.read(done[0], 1)
        os._exit(0)
    folder = Path(tempfile.gettempdir()) / f"repro-exec-{os.getpid()}-leftover"
    folder.mkdir()
    group = cgroup.RunCgroup(64 << 20, 8)
    try:
        assert os.read(ready[0], 1) == b"1", "add_key failed outside the sandbox"
        left = leftovers(before, {uid}, patience=0)
        assert processes({uid}) and keys({uid})
        assert set(left) == {"staging", "processes", "keys"} | ({"cgroups"} if group.dirs else set()), left
    finally:
        os.write(done[1], b"x")
        os.waitpid(child, 0)
        folder.rmdir()
        group.remove()
    assert leftovers(before, {uid}) == {}
