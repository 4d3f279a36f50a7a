"""Settings of the relevance jobs (see :mod:`cgexplain.settings`)."""

from __future__ import annotations
