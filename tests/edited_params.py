"""params.yaml with one study section of one profile edited, and the one-line refusal an invalid edit gets."""

from pathlib import Path

import pytest
import yaml

from repro.params import ParamsError, load

ROOT = Path(__file__).resolve().parents[1]


def edited(tmp_path: Path, mutate, section: str = "multilingual", profile: str = "smoke") -> Path:
    """A copy of params.yaml whose profiles.<profile>.<section> `mutate` has changed in place."""
    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    mutate(raw["profiles"][profile][section])
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def refused(path: Path, profile: str = "smoke") -> str:
    """The one-line error loading `path` gives."""
    with pytest.raises(ParamsError) as err:
        load(path, profile)
    message = str(err.value)
    assert "\n" not in message
    return message
