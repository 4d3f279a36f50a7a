"""Validation splits of time-ordered frames: blocks within runs, whole runs, or frames."""

from __future__ import annotations

import numpy as np
import pytest

from cgexplain.cg.splits import load_split, run_lengths, save_split, validation_split
from cgexplain.io import InputError


def _segments(idx: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) of each run of consecutive indices."""
    breaks = np.flatnonzero(np.diff(idx) != 1)
    firsts = np.concatenate([[idx[0]], idx[breaks + 1]])
    lasts = np.concatenate([idx[breaks], [idx[-1]]])
    return list(zip(firsts.tolist(), lasts.tolist(), strict=True))


@pytest.mark.parametrize("seed", range(5))
def test_blocks_stay_inside_runs_and_give_the_exact_count(seed):
    runs = [95, 250, 55]  # run ends at 95 and 345 are off the 20-frame grid
    train, val = validation_split(400, 0.1, "blocks", 20, seed, runs)
    assert len(val) == 40 and len(train) == 360
    np.testing.assert_array_equal(np.sort(np.concatenate([train, val])), np.arange(400))
    is_val = np.zeros(400, bool)
    is_val[val] = True
    # the grid of blocks restarts in each run; every block is all validation or all
    # training, except one that is cut: validation on its first frames only
    cut = 0
    for start, length in zip([0, 95, 345], runs, strict=True):
        for first in range(start, start + length, 20):
            inside = is_val[first : min(first + 20, start + length)]
            if inside.all() or not inside.any():
                continue
            cut += 1
            n = inside.sum()
            assert inside[:n].all() and not inside[n:].any()
    assert cut <= 1


def test_blocks_cut_validation_leakage_against_single_frames():
    # a validation frame "leaks" when a neighbour one frame away trains
    def leaking(train, val):
        neighbours = set(train.tolist())
        return np.mean([(v - 1 in neighbours) or (v + 1 in neighbours) for v in val])

    blocks = leaking(*validation_split(1000, 0.1, "blocks", 20, 0))
    frames = leaking(*validation_split(1000, 0.1, "frames", 1, 0))
    assert frames > 0.8 and blocks <= 0.1 + 1e-12


def test_whole_runs_are_held_out_and_one_run_falls_back_to_blocks(caplog):
    train, val = validation_split(100, 0.1, "runs", 20, 1, [25, 25, 25, 25])
    assert len(val) == 25 and val[-1] - val[0] == 24 and val[0] % 25 == 0
    train, val = validation_split(100, 0.9, "runs", 20, 1, [50, 50])
    assert len(val) == 50 and len(train) == 50  # never all runs
    with caplog.at_level("WARNING"):
        train, val = validation_split(100, 0.1, "runs", 5, 1, [100])
    assert "one run" in caplog.text and len(val) == 10


def test_the_split_depends_on_the_seed_only():
    a = validation_split(300, 0.2, "blocks", 10, 7, [100, 200])
    b = validation_split(300, 0.2, "blocks", 10, 7, [100, 200])
    c = validation_split(300, 0.2, "blocks", 10, 8, [100, 200])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])


def test_bad_splits_are_refused():
    with pytest.raises(InputError, match="split method"):
        validation_split(10, 0.1, "random")
    with pytest.raises(InputError, match="val_fraction"):
        validation_split(10, 1.0)
    with pytest.raises(InputError, match="runs"):
        validation_split(10, 0.1, runs=[4, 4])
    with pytest.raises(InputError, match="too few"):
        validation_split(1, 0.5)


def test_run_lengths_come_from_the_shards_of_the_source():
    meta = {"mapping": "x", "source": {"shards": [{"frames": 3}, {"frames": 4}]}}
    assert run_lengths(meta, 7) == [3, 4]
    assert run_lengths({"shards": [{"frames": 7}]}, 7) == [7]
    assert run_lengths({}, 5) == [5]
    with pytest.raises(InputError, match="add up"):
        run_lengths(meta, 8)


def test_saved_split_loads_back_in_schnetpack_format(tmp_path):
    train, val = validation_split(60, 0.2, "blocks", 5, 4, [30, 30])
    save_split(tmp_path / "split.npz", train, val)
    with np.load(tmp_path / "split.npz") as data:
        assert set(data.files) == {"train_idx", "val_idx", "test_idx"}
        assert data["train_idx"].dtype == np.int64 and not len(data["test_idx"])
    loaded_train, loaded_val = load_split(tmp_path / "split.npz", 60)
    np.testing.assert_array_equal(loaded_train, train)
    np.testing.assert_array_equal(loaded_val, val)
    assert not list(tmp_path.glob(".*partial*"))


@pytest.mark.parametrize(
    ("arrays", "n_frames", "message"),
    [
        ({"train_idx": np.arange(8)}, 10, "lacks"),
        ({"train_idx": np.arange(8), "val_idx": np.array([8.0, 9.0])}, 10, "integer"),
        ({"train_idx": np.arange(10), "val_idx": np.array([], np.int64)}, 10, "empty"),
        ({"train_idx": np.arange(9), "val_idx": np.array([8, 9])}, 10, "overlap"),
        ({"train_idx": np.arange(8), "val_idx": np.array([8])}, 10, "do not split"),
        ({"train_idx": np.arange(8), "val_idx": np.array([8, 12])}, 10, "do not split"),
        ({"train_idx": np.arange(8), "val_idx": np.array([8, 9])}, 12, "do not split"),
    ],
)
def test_bad_split_files_are_named(tmp_path, arrays, n_frames, message):
    np.savez(tmp_path / "split.npz", **arrays)
    with pytest.raises(InputError, match=message):
        load_split(tmp_path / "split.npz", n_frames)


def test_missing_or_unreadable_split_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_split(tmp_path / "absent.npz", 10)
    (tmp_path / "text.npz").write_text("not a zip archive")
    with pytest.raises(InputError, match="readable"):
        load_split(tmp_path / "text.npz", 10)
