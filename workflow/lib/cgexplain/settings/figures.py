"""Settings of the figures jobs (see :mod:`cgexplain.settings`)."""

from __future__ import annotations
