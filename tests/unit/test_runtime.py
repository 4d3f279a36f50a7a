"""The allocator tuning applied on ``import cgexplain``: freed memory stays in the process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# 40 times: allocate eight 4 MiB arrays (as a force call allocates its edge tensors) and
# free them; print the minor page faults this caused
_PROBE = """
import resource, sys
import numpy as np
import cgexplain
from cgexplain.runtime import tune_allocator
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(40):
    arrays = [np.ones(2**19) for _ in range(8)]  # 4 MiB of float64 each, written
    del arrays
after = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
print(tune_allocator(), after - before)
"""


def _probe(tuning: str) -> tuple[bool, int]:
    env = dict(os.environ, CGEXPLAIN_MALLOC_TUNING=tuning)
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    return out[0] == "True", int(out[1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc mallopt")
def test_tuned_allocator_reuses_freed_memory_instead_of_faulting_in_new_pages():
    tuned, tuned_faults = _probe("1")
    plain, plain_faults = _probe("0")
    assert tuned and not plain
    # glibc trims the freed heap top each time: 40 x 32 MiB = ~330,000 pages faulted anew
    assert plain_faults > 100_000, plain_faults
    assert tuned_faults < plain_faults / 10, (tuned_faults, plain_faults)


def test_tuning_is_off_when_the_environment_says_so(monkeypatch):
    import cgexplain.runtime as runtime

    monkeypatch.setattr(runtime, "_applied", None)
    assert runtime.tune_allocator({"CGEXPLAIN_MALLOC_TUNING": "no"}) is False
    monkeypatch.setattr(runtime, "_applied", None)
    assert runtime.tune_allocator({}) is sys.platform.startswith("linux")


def test_job_tunables_are_set_once_and_never_override_the_user():
    from cgexplain.runtime import set_job_tunables

    env: dict[str, str] = {}
    assert set_job_tunables("glibc.malloc.trim_threshold=1", env) is True
    assert env == {"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=1"}
    user = {"GLIBC_TUNABLES": "glibc.malloc.arena_max=2"}
    assert set_job_tunables("glibc.malloc.trim_threshold=1", user) is False
    assert user == {"GLIBC_TUNABLES": "glibc.malloc.arena_max=2"}
    empty: dict[str, str] = {}
    assert set_job_tunables("", empty) is False and empty == {}
