"""Settings of the protein jobs (see :mod:`cgexplain.settings`)."""

from __future__ import annotations
