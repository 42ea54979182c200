"""The driver of `repro all` follows its stages: a stage's training writes its step, total and loss to its progress
file, and the driver's display shows one bar per running stage (step of total, loss, ETA)."""

import json

from repro import progress


def test_a_stage_reports_its_steps_and_the_driver_shows_them(tmp_path, monkeypatch):
    folder = tmp_path / "run"
    monkeypatch.setattr(progress, "REPORT_EVERY", 3600.0)
    progress.report_to(folder / "target-smoke@none-xnli.json")
    progress.report_steps("target none -> xnli", 1, 40, 1.25)
    progress.report_steps("target none -> xnli", 2, 40, 1.0)  # within REPORT_EVERY: not written
    assert json.loads((folder / "target-smoke@none-xnli.json").read_text())["step"] == 1
    progress.report_steps("target none -> xnli", 40, 40, 0.5)  # the last step always is
    progress.report_to(None)
    progress.report_steps("elsewhere", 1, 2, None)  # no file: nothing written
    (folder / "broken.json").write_text('{"step": ')  # being replaced: skipped
    follower = progress._Follower(folder, interval=60)
    follower.poll()
    bars = {task.id: task for task in progress.progress().tasks}
    (task,) = [bars[i] for i in follower.tasks.values()]
    assert (task.completed, task.total) == (40, 40)
    assert "target-smoke@none-xnli" in task.description and "loss 0.500" in task.description
    follower.finish("target-smoke@none-xnli")
    follower.poll()
    assert follower.tasks == {} and all(t.id != task.id for t in progress.progress().tasks)
    assert sorted(p.name for p in folder.iterdir()) == ["broken.json", "target-smoke@none-xnli.json"]
