"""The hostile battery: programs that attack the harness, in Python and C++, each contained by the sandbox.

Each attack's completion returns 1 (the test passes) only when the attack succeeded, so "contained" means the
sample fails; the test also checks the host (its files, its processes, a loopback listener) and that the
harness returned within the timeout. Skips where no sandbox can start (e.g. not root and no user namespaces)."""

import os
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest

from repro.errors import UserError
from repro.execution import missing
from repro.execution.problems import Problem, Sample
from repro.execution.runner import check
from repro.execution.sandbox import Limits, Sandbox, detect
from sandbox_leftovers import no_leftovers  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("no_leftovers")   # nothing of a run is left after it
TIMEOUT = 3.0
LIMITS = Limits(memory_mb=512, tasks=128, file_mb=16, tmp_mb=64)
PYTHON = Problem("Python/hostile", "python", "humaneval", "import os, socket, subprocess, sys\n\ndef attack():\n",
                 "def check(candidate):\n    assert candidate() == 1\n", entry_point="attack")
CPP = Problem("CPP/hostile", "cpp", "humaneval-x",
              "#include <bits/stdc++.h>\n#include <unistd.h>\n#include <fcntl.h>\n#include <sys/socket.h>\n"
              "#include <netinet/in.h>\n#include <arpa/inet.h>\nusing namespace std;\nint attack(){\n",
              "int main(){ return attack() == 1 ? 0 : 1; }\n")
SECRET_NAME, SECRET = "REPRO_HOSTILE_SECRET", "s3cret-" + uuid.uuid4().hex


def _mode() -> str:
    try:
        return detect()
    except UserError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    """The host side of the attacks: a loopback listener that records connections, a planted secret (env var and
    a file in the user's home), and a folder outside the sandbox to write into."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    home_secret = Path.home() / f".repro-hostile-{uuid.uuid4().hex[:8]}"
    home_secret.write_text(SECRET)
    os.environ[SECRET_NAME] = SECRET
    outside = tmp_path_factory.mktemp("outside")
    yield {"port": listener.getsockname()[1], "accepted": accepted, "home_secret": home_secret, "outside": outside}
    del os.environ[SECRET_NAME]
    home_secret.unlink()
    listener.close()


def _python_attacks(host) -> dict[str, str]:
    targets = [str(host["outside"] / "escape.txt"), "/usr/escape.txt", "/etc/escape.txt", "/escape.txt"]
    return {
        "infinite loop": "    while True:\n        pass\n",
        "fork bomb": "    while True:\n        try:\n            os.fork()\n        except OSError:\n            pass\n",
        "memory hog": "    hog = []\n    while True:\n        hog.append(b'x' * (64 << 20))\n",
        "2 GB file": "    with open('big', 'wb') as f:\n        for _ in range(2048):\n            f.write(b'x' * (1 << 20))\n"
                     "    return 1\n",
        "network": f"    s = socket.create_connection(('127.0.0.1', {host['port']}), timeout=1)\n    return 1\n",
        "shadow": "    return 1 if open('/etc/shadow').read() else 0\n",
        "home": f"    return 1 if {SECRET!r} in open({str(host['home_secret'])!r}).read() else 0\n",
        "write outside": f"    wrote = 0\n    for t in {targets!r}:\n        try:\n            open(t, 'w').write('x')\n"
                         "            wrote = 1\n        except OSError:\n            pass\n    return wrote\n",
        "environment": f"    seen = {SECRET!r} in str(os.environ)\n    for p in os.listdir('/proc'):\n"
                       "        try:\n            seen |= " f"{SECRET!r}" " in open(f'/proc/{p}/environ').read()\n"
                       "        except Exception:\n            pass\n    return 1 if seen else 0\n",
        "left running": f"    subprocess.Popen(['bash', '-c', 'exec -a repro-orphan-{{}} sleep 300'.format("
                        f"{host['marker']!r})], start_new_session=True)\n    return 0\n",
    }


def _cpp_attacks(host) -> dict[str, str]:
    return {
        "infinite loop": "    volatile long i = 0; while (true) i++;\n}\n",
        "fork bomb": "    while (true) fork();\n}\n",
        "memory hog": "    vector<char*> v; while (true) { char* p = (char*)malloc(64 << 20); if (p) "
                      "{ memset(p, 1, 64 << 20); v.push_back(p); } }\n}\n",
        "2 GB file": "    FILE* f = fopen(\"big\", \"wb\"); string mb(1 << 20, 'x');\n"
                     "    for (int i = 0; i < 2048; i++) if (fwrite(mb.data(), 1, mb.size(), f) != mb.size()) return 0;\n"
                     "    return fclose(f) == 0 ? 1 : 0;\n}\n",
        "network": "    int s = socket(AF_INET, SOCK_STREAM, 0); if (s < 0) return 0;\n    sockaddr_in a{}; "
                   f"a.sin_family = AF_INET; a.sin_port = htons({host['port']}); "
                   "inet_pton(AF_INET, \"127.0.0.1\", &a.sin_addr);\n"
                   "    return connect(s, (sockaddr*)&a, sizeof a) == 0 ? 1 : 0;\n}\n",
        "shadow": "    ifstream f(\"/etc/shadow\"); string s; return (f && getline(f, s)) ? 1 : 0;\n}\n",
        "home": f"    ifstream f(\"{host['home_secret']}\"); string s; return (f && getline(f, s)) ? 1 : 0;\n}}\n",
        "write outside": f"    const char* t[] = {{\"{host['outside']}/escape.txt\", \"/usr/escape.txt\", \"/escape.txt\"}};\n"
                         "    for (auto p : t) { FILE* f = fopen(p, \"w\"); if (f) { fclose(f); return 1; } }\n"
                         "    return 0;\n}\n",
        "environment": f"    return getenv(\"{SECRET_NAME}\") ? 1 : 0;\n}}\n",
        "left running": f"    if (fork() == 0) {{ setsid(); execlp(\"bash\", \"bash\", \"-c\", "
                        f"\"exec -a repro-orphan-{host['marker']} sleep 300\", (char*)0); }}\n    return 0;\n}}\n",
    }


def _orphans(marker: str) -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if f"repro-orphan-{marker}".encode() in cmdline:
            found.append(pid)
    return found


ATTACKS = ["infinite loop", "fork bomb", "memory hog", "2 GB file", "network", "shadow", "home", "write outside",
           "environment", "left running"]


BENIGN = {"Python/hostile": "    return 1\n", "CPP/hostile": "    return 1;\n}\n"}


def _contained(host, problem: Problem, attack: str, completion: str, mode: str) -> None:
    benign = check(problem, Sample(problem.task_id, 0, BENIGN[problem.task_id]), TIMEOUT, Sandbox(mode, LIMITS))
    assert benign.passed, f"{mode} does not run a correct program: {benign.result}"   # so attacks fail for a reason
    start = time.perf_counter()
    result = check(problem, Sample(problem.task_id, 0, completion), TIMEOUT, Sandbox(mode, LIMITS))
    took = time.perf_counter() - start
    assert took < TIMEOUT + 30, f"{attack}: the harness took {took:.0f}s"   # 30: the compile step's share
    if attack == "left running":
        time.sleep(0.2)
        assert _orphans(host["marker"]) == [], "a process outlived its sandbox"
    else:
        assert not result.passed, f"{attack} escaped: {result.result}"
    if attack in ("infinite loop", "fork bomb"):
        assert "timed out" in result.result
    if attack == "memory hog":   # stopped by the memory cap, not by the clock
        assert "timed out" not in result.result, result.result
    assert not host["accepted"], "the sandbox reached the host's loopback listener"
    assert not list(host["outside"].iterdir()) and not Path("/usr/escape.txt").exists()
    assert not Path("/escape.txt").exists() and not Path("/etc/escape.txt").exists()


@pytest.mark.parametrize("attack", ATTACKS)
def test_python_attack_is_contained(host, attack):
    mode = _mode()
    host["marker"] = uuid.uuid4().hex[:12]
    _contained(host, PYTHON, attack, _python_attacks(host)[attack], mode)


@pytest.mark.parametrize("attack", ATTACKS)
def test_cpp_attack_is_contained(host, attack):
    mode = _mode()
    if missing("cpp"):
        pytest.skip(missing("cpp"))
    host["marker"] = uuid.uuid4().hex[:12]
    _contained(host, CPP, attack, _cpp_attacks(host)[attack], mode)


def test_output_flood_is_capped(host):
    """Unbounded output (to its own stdout and through the driver's descriptors) neither fills the host nor
    reaches the result beyond a short tail."""
    mode = _mode()
    flood = ("    import glob\n    sinks = [sys.stdout]\n    for fd in glob.glob('/proc/*/fd/1'):\n        try:\n"
             "            sinks.append(open(fd, 'w'))\n        except OSError:\n            pass\n"
             "    while True:\n        for s in sinks:\n            s.write('x' * 65536)\n")
    start = time.perf_counter()
    result = check(PYTHON, Sample(PYTHON.task_id, 0, flood), TIMEOUT, Sandbox(mode, LIMITS))
    assert not result.passed and len(result.result) < 1000, result.result[:200]
    assert time.perf_counter() - start < TIMEOUT + 30


@pytest.mark.parametrize("attack", ["network", "shadow", "home", "write outside", "environment", "left running",
                                    "memory hog"])
def test_unshare_fallback_contains_python_attacks(host, attack):
    """The fallback for containers where bwrap cannot start (root only: it mounts in a new mount namespace)."""
    if os.geteuid() != 0 or subprocess.run(["unshare", "--net", "--pid", "--mount", "--fork", "true"],
                                           capture_output=True).returncode:
        pytest.skip("unshare needs root here")
    benign = check(PYTHON, Sample(PYTHON.task_id, 0, "    return 1\n"), TIMEOUT, Sandbox("unshare", LIMITS))
    assert benign.passed, f"the fallback does not run a correct program: {benign.result}"  # attacks fail for a reason
    host["marker"] = uuid.uuid4().hex[:12]
    _contained(host, PYTHON, attack, _python_attacks(host)[attack], "unshare")


def test_harness_leaves_no_staging_folders_or_cgroups(host):
    mode = _mode()
    import tempfile
    from repro.execution import cgroup
    mine = f"repro-exec-{os.getpid()}-*"   # this process's staging folders (other runs may be going on)
    host["marker"] = uuid.uuid4().hex[:12]
    _contained(host, PYTHON, "fork bomb", _python_attacks(host)["fork bomb"], mode)
    assert not list(Path(tempfile.gettempdir()).glob(mine))
    for folder in (cgroup.ROOT / cgroup.PARENT, cgroup.ROOT / "memory" / cgroup.PARENT, cgroup.ROOT / "pids" / cgroup.PARENT):
        if folder.is_dir():
            assert not [p for p in folder.iterdir() if p.is_dir() and p.name.startswith(f"run-{os.getpid()}-")]
