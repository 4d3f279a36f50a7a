"""Progress lines of long jobs: time left from the rate so far."""

from __future__ import annotations

from cgexplain.runlog import eta, progress


def test_eta_extrapolates_the_rate_so_far():
    assert eta(1, 10, 5.0) == "00:00:45"
    assert eta(3, 4, 3 * 3600.0) == "01:00:00"
    assert eta(10, 10, 99.0) == "00:00:00"
    assert eta(0, 10, 5.0) == "--:--:--"


def test_progress_names_the_count_the_share_and_the_eta():
    assert progress("epoch", 3, 10, 30.0, "epochs") == "epoch 3/10 epochs ( 30%), ETA 00:01:10"
    assert progress("ramp:", 50, 200, 60.0) == "ramp: 50/200 ( 25%), ETA 00:03:00"
