"""Settings of the reference jobs (see :mod:`cgexplain.settings`)."""

from __future__ import annotations
