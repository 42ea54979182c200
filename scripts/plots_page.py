#!/usr/bin/env python3
"""Build the self-contained page that `dvc plots show` fills (plots.html_template, set by scripts/plots.sh): the
skeleton repro/report/vega/page.html with vega, vega-lite and vega-embed inlined from their npm packages, pinned by
version and sha512 (npm's `dist.integrity`), fetched with `npm pack` (the npm cache serves a second build offline).
Each library's LICENSE (BSD-3-Clause) travels with it in a comment. Idempotent: a page built from the same
skeleton, pins and script is left as it is.

    scripts/plots_page.py [--out .dvc/plots-page.html]
"""

import argparse
import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKELETON = ROOT / "repro/report/vega/page.html"
# name -> (version, sha512 of the tarball as npm's dist.integrity); the v5 family that DVC's templates are written for
PINS = {
    "vega": ("5.33.0",
             "sha512-jNAGa7TxLojOpMMMrKMXXBos4K6AaLJbCgGDOw1YEkLRjUkh12pcf65J2lMSdEHjcEK47XXjKiOUVZ8L+MniBA=="),
    "vega-lite": ("5.23.0",
                  "sha512-l4J6+AWE3DIjvovEoHl2LdtCUkfm4zs8Xxx7INwZEAv+XVb6kR6vIN1gt3t2gN2gs/y4DYTs/RPoTeYAuEg6mA=="),
    "vega-embed": ("6.29.0",
                   "sha512-PmlshTLtLFLgWtF/b23T1OwX53AugJ9RZ3qPE2c01VFAbgt3/GSNI/etzA/GzdrkceXFma+FDHNXUppKuM0U6Q=="),
}
MARKER = re.compile(r"<!-- inline: ([a-z-]+)/([\w./-]+) -->")
DVC_PLACEHOLDERS = ("{plot_divs}", "{scripts}", "{refresh_tag}")


def fail(message: str) -> None:
    raise SystemExit(f"plots_page.py: {message}")


def stamp(skeleton: str) -> str:
    pins = " ".join(f"{name}@{version}:{integrity}" for name, (version, integrity) in sorted(PINS.items()))
    digest = hashlib.sha256(f"{skeleton}\n{pins}\n{Path(__file__).read_text()}".encode()).hexdigest()
    return f"<!-- built by scripts/plots_page.py: {digest} -->"


def fetch(name: str, workdir: Path) -> tarfile.TarFile:
    """The package's tarball through npm, checked against its pinned sha512."""
    version, integrity = PINS[name]
    npm = shutil.which("npm") or fail("npm not found: install Debian's npm (scripts/plots.sh does)")
    done = subprocess.run([npm, "pack", "--silent", "--prefer-offline", "--pack-destination", str(workdir),
                           f"{name}@{version}"], capture_output=True, text=True)
    if done.returncode:
        fail(f"npm pack {name}@{version} failed: {done.stderr.strip().splitlines()[-1:] or done.returncode}")
    tarball = workdir / done.stdout.split()[-1]
    actual = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if actual != integrity:
        fail(f"{tarball.name}: sha512 {actual} is not the pinned {integrity}")
    return tarfile.open(tarball)


def member(archive: tarfile.TarFile, path: str) -> str:
    try:
        return archive.extractfile(f"package/{path}").read().decode("utf-8")
    except (KeyError, AttributeError):
        fail(f"{archive.name} has no package/{path}")


def inline(name: str, path: str, archive: tarfile.TarFile) -> str:
    """One <script> element: the library and its licence; refused if it could end the element or hold a DVC
    placeholder (DVC replaces those anywhere in the page)."""
    code, licence = member(archive, path), member(archive, "LICENSE")
    for text in (code, licence):
        if re.search(r"</script", text, re.IGNORECASE) or any(p in text for p in DVC_PLACEHOLDERS):
            fail(f"{name}/{path} holds '</script' or a DVC placeholder: it cannot be inlined as it is")
    if "*/" in licence:
        fail(f"{name}'s LICENSE holds '*/'")
    return f"<script>/* {name}@{PINS[name][0]} {path}\n{licence.strip()}\n*/\n{code}\n</script>"


def build(out: Path) -> bool:
    """Write the page to `out`; False when it is already current."""
    skeleton = SKELETON.read_text(encoding="utf-8")
    mark = stamp(skeleton)
    if out.is_file() and mark in out.read_text(encoding="utf-8"):
        return False
    wanted = MARKER.findall(skeleton)
    unknown = sorted({name for name, _ in wanted} - PINS.keys())
    if unknown or not wanted:
        fail(f"{SKELETON}: inline markers name no pinned package: {unknown or 'none found'}")
    with tempfile.TemporaryDirectory() as workdir:
        archives = {name: fetch(name, Path(workdir)) for name in sorted({name for name, _ in wanted})}
        scripts = {(name, path): inline(name, path, archives[name]) for name, path in wanted}
        for archive in archives.values():
            archive.close()
    page = MARKER.sub(lambda m: scripts[m.group(1), m.group(2)], skeleton)
    charset = '<meta charset="utf-8">\n'
    if charset not in page:
        fail(f"{SKELETON} declares no {charset.strip()}")
    page = page.replace(charset, f"{charset}{mark}\n", 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.tmp")
    partial.write_text(page, encoding="utf-8")
    os.replace(partial, out)
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / ".dvc/plots-page.html")
    out = parser.parse_args().out
    built = build(out)
    print(f"plots_page.py: {out} {'written' if built else 'is current'}", file=sys.stderr)


if __name__ == "__main__":
    main()
