"""The resumable work directory: fingerprint binding, atomic checkpoints, resume, cleanup."""

from __future__ import annotations

import json

import pytest

from cgexplain import workdir as wd
from cgexplain.workdir import WorkDir


def test_fresh_directory_is_created_and_stamped(tmp_path):
    work = WorkDir(tmp_path / "w", {"lr": 0.1, "layers": (2, 3)}, stamp="spec.json")
    assert work.open() is None
    assert json.loads((tmp_path / "w/spec.json").read_text()) == {"lr": 0.1, "layers": [2, 3]}


def test_matching_stamp_keeps_the_directory(tmp_path):
    fingerprint = {"lr": 0.1, "layers": (2, 3)}  # a tuple reads back as a list: still equal
    WorkDir(tmp_path / "w", fingerprint, stamp="spec.json").open()
    (tmp_path / "w/last.ckpt").write_text("weights")
    assert WorkDir(tmp_path / "w", fingerprint, stamp="spec.json").open() == {}
    assert (tmp_path / "w/last.ckpt").read_text() == "weights"


@pytest.mark.parametrize("stamp_text", ['{"lr": 0.2}', "{damaged", None])
def test_other_missing_or_damaged_stamp_clears_the_directory(tmp_path, caplog, stamp_text):
    work_path = tmp_path / "w"
    work_path.mkdir()
    (work_path / "last.ckpt").write_text("weights of another run")
    if stamp_text is not None:
        (work_path / "spec.json").write_text(stamp_text)
    with caplog.at_level("INFO", logger="cgexplain"):
        assert WorkDir(work_path, {"lr": 0.1}, stamp="spec.json").open() is None
    assert "holds a run with other settings: starting afresh" in caplog.text
    assert sorted(p.name for p in work_path.iterdir()) == ["spec.json"]
    assert json.loads((work_path / "spec.json").read_text()) == {"lr": 0.1}


def test_checkpoint_round_trip_and_resume(tmp_path):
    work = WorkDir(tmp_path / "w", "abc123", checkpoint="progress.json")
    assert work.open() is None
    (work / "partial.h5").write_bytes(b"frames")
    for block in (1, 2, 3):
        work.save_checkpoint(
            {"block": block, "frames": 10 * block}, files={"state.chk": f"s{block}".encode()}
        )
        assert work.checkpoint_file("state.chk").read_bytes() == f"s{block}".encode()

    again = WorkDir(tmp_path / "w", "abc123", checkpoint="progress.json")
    assert again.open(required=("partial.h5",)) == {"block": 3, "frames": 30}
    assert again.checkpoint_file("state.chk").read_bytes() == b"s3"
    # the next checkpoint goes to the other slot and leaves this one intact until recorded
    again.save_checkpoint({"block": 4, "frames": 40}, files={"state.chk": b"s4"})
    assert again.checkpoint_file("state.chk").read_bytes() == b"s4"


def test_checkpoint_record_format(tmp_path):
    """Slot 0 keeps the plain record and file names (the format of earlier versions)."""
    work = WorkDir(tmp_path / "w", "abc123", checkpoint="progress.json")
    work.open()
    work.save_checkpoint({"block": 1, "frames": 0}, files={"state.chk": b"a", "state.xml": b"b"})
    record = json.loads((tmp_path / "w/progress.json").read_text())
    assert record == {"fingerprint": "abc123", "block": 1, "frames": 0}
    assert (tmp_path / "w/state.chk").read_bytes() == b"a"
    work.save_checkpoint({"block": 2, "frames": 1}, files={"state.chk": b"c", "state.xml": b"d"})
    record = json.loads((tmp_path / "w/progress.json").read_text())
    assert record == {"fingerprint": "abc123", "block": 2, "frames": 1, "slot": 1}
    assert (tmp_path / "w/state.1.chk").read_bytes() == b"c"
    assert (tmp_path / "w/state.chk").read_bytes() == b"a"  # the previous checkpoint


def test_record_of_an_earlier_version_resumes(tmp_path):
    work_path = tmp_path / "w"
    work_path.mkdir()
    (work_path / "progress.json").write_text(
        json.dumps({"block": 25, "fingerprint": "fa8c89b3922a2e15", "frames": 0})
    )
    (work_path / "partial.h5").write_bytes(b"")
    (work_path / "state.chk").write_bytes(b"old")
    work = WorkDir(work_path, "fa8c89b3922a2e15", checkpoint="progress.json")
    assert work.open(required=("partial.h5",)) == {"block": 25, "frames": 0}
    assert work.checkpoint_file("state.chk").read_bytes() == b"old"


def test_fingerprint_mismatch_or_missing_file_starts_afresh(tmp_path):
    work = WorkDir(tmp_path / "w", "abc", checkpoint="progress.json")
    work.open()
    work.save_checkpoint({"block": 1}, files={"state.chk": b"x"})
    (work / "partial.h5").write_bytes(b"")
    other = WorkDir(tmp_path / "w", "xyz", checkpoint="progress.json")
    assert other.open(required=("partial.h5",)) is None
    assert list((tmp_path / "w").iterdir()) == []

    work.open()
    work.save_checkpoint({"block": 1})
    again = WorkDir(tmp_path / "w", "abc", checkpoint="progress.json")
    assert again.open(required=("partial.h5",)) is None  # the trajectory is gone


def test_a_kill_while_saving_leaves_the_previous_checkpoint(tmp_path, monkeypatch):
    work = WorkDir(tmp_path / "w", "abc", checkpoint="progress.json")
    work.open()
    work.save_checkpoint({"block": 1}, files={"state.chk": b"one"})

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # the record is never replaced

    monkeypatch.setattr(wd, "write_json", killed)
    with pytest.raises(KeyboardInterrupt):
        work.save_checkpoint({"block": 2}, files={"state.chk": b"two"})
    monkeypatch.undo()
    again = WorkDir(tmp_path / "w", "abc", checkpoint="progress.json")
    assert again.open() == {"block": 1}
    assert again.checkpoint_file("state.chk").read_bytes() == b"one"
    assert not [p for p in (tmp_path / "w").iterdir() if "partial" in p.name]


def test_finish_removes_the_directory_and_bad_use_is_refused(tmp_path):
    work = WorkDir(tmp_path / "w", "abc", stamp="spec.json")
    work.open()
    with pytest.raises(RuntimeError, match="no checkpoint record"):
        work.save_checkpoint({"block": 1})
    work.finish()
    assert not (tmp_path / "w").exists()
    with pytest.raises(ValueError, match="stamp file, a checkpoint record"):
        WorkDir(tmp_path / "v", "abc")
    with pytest.raises(ValueError, match="reserved|may not use"):
        checkpointed = WorkDir(tmp_path / "v", "abc", checkpoint="progress.json")
        checkpointed.open()
        checkpointed.save_checkpoint({"fingerprint": "x"})
