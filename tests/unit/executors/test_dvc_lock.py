"""dvc.lock rewritten per committed stage from cached pieces is the very document a whole-file dump writes."""

import yaml

from repro.dvc_lock import LockFile


def _entry(i: int, command: str = "repro target --profile smoke mnli xnli") -> dict:
    return {"cmd": command, "deps": [{"path": "repro/stages/target.py", "hash": "md5", "md5": f"{i:032x}",
                                      "size": 1000 + i}],
            "params": {"params.yaml": {"profiles.smoke.seed": i, "profiles.smoke.target.tasks.xnli.lr": 1e-5,
                                       "profiles.smoke.languages.xnli": ["en", "de"], "note": "a: b\nc 'd'"}},
            "outs": [{"path": f"models/smoke/target/mnli-xnli-{i}", "hash": "md5", "md5": f"{i:032x}.dir",
                      "size": 12345, "nfiles": 3}]}


def _whole(data: dict) -> str:
    return yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, default_flow_style=False, width=1 << 16)


def test_each_update_writes_what_a_whole_file_dump_writes(tmp_path):
    path = tmp_path / "dvc.lock"
    stages = {f"target-smoke@mnli-xnli-{i}": _entry(i) for i in range(3)}
    path.write_text(_whole({"schema": "2.0", "stages": stages}))
    lock = LockFile(path)
    lock.update({"target-smoke@mnli-xnli-1": _entry(7, "changed"), "summary-smoke": _entry(8)})
    stages["target-smoke@mnli-xnli-1"] = _entry(7, "changed")  # replaced in place, the new one appended
    stages["summary-smoke"] = _entry(8)
    assert path.read_text() == _whole({"schema": "2.0", "stages": stages})
    lock.update({"pretrain-smoke": _entry(9)})
    stages["pretrain-smoke"] = _entry(9)
    assert path.read_text() == _whole({"schema": "2.0", "stages": stages})
    assert list(yaml.safe_load(path.read_text())["stages"]) == list(stages)


def test_a_missing_lock_is_created_with_dvcs_schema(tmp_path):
    path = tmp_path / "dvc.lock"
    LockFile(path).update({"data-smoke": _entry(1)})
    assert yaml.safe_load(path.read_text()) == {"schema": "2.0", "stages": {"data-smoke": _entry(1)}}
