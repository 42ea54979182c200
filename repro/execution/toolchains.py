"""Which toolchains the sandbox can use, and the caches some need, built once on the host and bound read-only
into every sandbox at /opt/repro-cache:

- Rust: Debian's `librust-{rand,regex,md5}-dev` sources built as rlibs by Debian's cargo, offline, from
  /usr/share/cargo/registry; `rand` is a shim with rand 0.4's two-argument `gen_range` over rand 0.8 (Rust/50).
- Go: a warm GOCACHE (testify and the helper packages) copied into each run; GOPATH mode, offline.
- Node: `js-md5` and `lodash` from NODE_PATH (scripts/toolchains.sh installs them into /opt/repro-node).

`python -m repro.execution` builds the caches and prints what is available.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from repro.execution.languages import LANGUAGES

SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin"
CACHE_MOUNT = "/opt/repro-cache"            # where the cache root appears inside the sandbox
GO_ENV = {"GO111MODULE": "off", "GOPATH": "/usr/share/gocode", "GOPROXY": "off", "GOFLAGS": "", "CGO_ENABLED": "0",
          "GOTOOLCHAIN": "local"}
TESTIFY = Path("/usr/share/gocode/src/github.com/stretchr/testify")
DEBIAN_CRATES = Path("/usr/share/cargo/registry")
NODE_MODULES = Path(os.environ.get("REPRO_NODE_PATH", "/opt/repro-node/node_modules"))
RUST_SHIM = '''//! rand 0.4's API shape (two-argument gen_range) over rand 0.8: HumanEval-X Rust/50 calls gen_range(a, b).
pub use rand08::{random, rngs, distributions, RngCore, SeedableRng, CryptoRng, Error};
use rand08::distributions::{Distribution, Standard, uniform::SampleUniform};
pub fn thread_rng() -> rngs::ThreadRng { rand08::thread_rng() }
pub trait Rng: RngCore {
    fn gen<T>(&mut self) -> T where Standard: Distribution<T> { rand08::Rng::gen(self) }
    fn gen_range<T: SampleUniform + PartialOrd>(&mut self, low: T, high: T) -> T { rand08::Rng::gen_range(self, low..high) }
    fn gen_bool(&mut self, p: f64) -> bool { rand08::Rng::gen_bool(self, p) }
}
impl<R: RngCore + ?Sized> Rng for R {}
'''
CRATES = ("rand", "regex", "md5")


def cache_root() -> Path:
    return Path(os.environ.get("REPRO_EXEC_CACHE", Path.home() / ".cache" / "repro" / "execution"))


def which(tool: str) -> str | None:
    return shutil.which(tool, path=SANDBOX_PATH)


@contextlib.contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _version(argv: list[str]) -> str:
    out = subprocess.run(argv, capture_output=True, text=True, env={"PATH": SANDBOX_PATH}).stdout
    return hashlib.sha1(out.encode()).hexdigest()[:10]


def _build_rust(target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / ".cargo").mkdir()
        (root / ".cargo" / "config.toml").write_text(
            f'[source.debian]\ndirectory = "{DEBIAN_CRATES}"\n[source.crates-io]\nreplace-with = "debian"\n'
            '[net]\noffline = true\n')
        for name, manifest, lib in (
                ("shim", '[package]\nname = "rand"\nversion = "0.4.99"\nedition = "2018"\n'
                         '[dependencies]\nrand08 = { package = "rand", version = "0.8" }\n', RUST_SHIM),
                ("bundle", '[package]\nname = "bundle"\nversion = "0.0.0"\nedition = "2018"\n[dependencies]\n'
                           'rand = { path = "../shim" }\nregex = "1"\nmd5 = "0.7"\n', "")):
            (root / name / "src").mkdir(parents=True)
            (root / name / "Cargo.toml").write_text(manifest)
            (root / name / "src" / "lib.rs").write_text(lib)
        done = subprocess.run(["cargo", "build", "--release", "--message-format", "json"], cwd=root / "bundle",
                              capture_output=True, text=True, env={"PATH": SANDBOX_PATH, "HOME": tmp})
        if done.returncode:
            errors = [line for line in done.stderr.splitlines() if line.startswith("error")]
            raise RuntimeError(f"cargo could not build rand/regex/md5 offline: {(errors or ['no message'])[0]}")
        externs = {}
        for line in done.stdout.splitlines():
            message = json.loads(line)
            if message.get("reason") == "compiler-artifact" and message["target"]["name"] in CRATES:
                if message["target"]["name"] == "rand" and not message["package_id"].startswith("rand 0.4.99"):
                    continue  # the real rand 0.8: only the shim is handed to samples
                rlib = next(f for f in message["filenames"] if f.endswith(".rlib"))
                externs[message["target"]["name"]] = Path(rlib).name
        staging = target.with_name(target.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(root / "bundle" / "target" / "release" / "deps", staging / "deps")
        (staging / "externs.json").write_text(json.dumps(externs))
        staging.rename(target)


def rust_crates() -> Path | None:
    """The folder of prebuilt rlibs for the installed rustc (built on first use), or None without cargo/crates."""
    if not (which("rustc") and which("cargo") and all((DEBIAN_CRATES / n).exists() or
                                                      any(DEBIAN_CRATES.glob(f"{n}-*")) for n in CRATES)):
        return None
    target = cache_root() / f"rust-{_version(['rustc', '-vV'])}"
    with _locked(target):
        if not (target / "externs.json").is_file():
            _build_rust(target)
    return target


def go_cache() -> Path | None:
    """A warm GOCACHE for the installed go (testify and the helper packages), or None without go/testify."""
    if not (which("go") and TESTIFY.is_dir()):
        return None
    target = cache_root() / f"go-{_version(['go', 'version'])}"
    with _locked(target):
        if not target.is_dir():
            from repro.execution.assemble import GO_HELPER_PACKAGES
            with tempfile.TemporaryDirectory() as tmp:
                imports = "".join(f'    _ "{p}"\n' for p in GO_HELPER_PACKAGES)
                Path(tmp, "main_test.go").write_text(
                    'package main\n\nimport (\n    "testing"\n    "github.com/stretchr/testify/assert"\n'
                    f'    "encoding/json"\n    "reflect"\n{imports})\n\nfunc TestWarm(t *testing.T) {{\n'
                    '    assert.New(t).Equal(1, 1)\n    _, _ = json.Marshal(reflect.TypeOf(1).String())\n}\n')
                staging = Path(tmp) / "cache"
                env = {"PATH": SANDBOX_PATH, "HOME": tmp, "GOCACHE": str(staging), **GO_ENV}
                done = subprocess.run(["go", "test", "-c", "-o", "warm.test", "main_test.go"], cwd=tmp, env=env,
                                      capture_output=True, text=True)
                if done.returncode:
                    raise RuntimeError(f"go cache warm-up failed: {done.stderr.strip()[-300:]}")
                shutil.copytree(staging, target)
    return target


def missing(language: str) -> str | None:
    """Why `language` cannot run here (one line), or None when it can."""
    lang = LANGUAGES[language]
    absent = [tool for tool in lang.tools if not which(tool)]
    if absent:
        return f"{language}: {', '.join(absent)} not installed (scripts/toolchains.sh installs it)"
    if language == "go" and not TESTIFY.is_dir():
        return "go: golang-github-stretchr-testify-dev not installed (scripts/toolchains.sh installs it)"
    if language == "rust" and not (which("cargo") and DEBIAN_CRATES.is_dir()):
        return "rust: cargo or the librust-{rand,regex,md5}-dev crates not installed (scripts/toolchains.sh)"
    return None


@functools.cache
def context(language: str, mounted: bool = True) -> dict:
    """What the sandbox needs for `language`: extra argv fields, environment, and host folders to bind (the
    cache root at CACHE_MOUNT; `mounted=False`: paths as on the host, for the unsandboxed mode)."""
    binds, env, fields = {}, {}, {}
    root = cache_root()
    mount = CACHE_MOUNT if mounted else str(root)
    if language == "rust":
        crates = rust_crates()
        externs = json.loads((crates / "externs.json").read_text())
        inside = f"{mount}/{crates.name}/deps"
        fields["rust_externs"] = ["-L", f"dependency={inside}"] + [
            arg for name, rlib in externs.items() for arg in ("--extern", f"{name}={inside}/{rlib}")]
        binds[str(root)] = mount
    if language == "go":
        cache = go_cache()
        env.update(GO_ENV, SEED_GOCACHE=f"{mount}/{cache.name}", GOCACHE="/tmp/.gocache")
        binds[str(root)] = mount
    if language == "js" and NODE_MODULES.is_dir():
        binds[str(NODE_MODULES)] = str(NODE_MODULES)
        env["NODE_PATH"] = str(NODE_MODULES)
    return {"binds": binds, "env": env, "fields": fields}


def main() -> None:
    """One line per language; exit status 1 when a language cannot run here."""
    failed = False
    for name in LANGUAGES:
        reason = missing(name)
        if reason is None:
            try:
                context(name)
            except (RuntimeError, OSError) as exc:
                reason = f"{name}: toolchain cache not built ({exc})"
        failed |= reason is not None
        print(reason or f"{name}: ready")
    raise SystemExit(1 if failed else 0)
