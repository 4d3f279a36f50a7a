"""Settings of the imc jobs (see :mod:`cgexplain.settings`)."""

from __future__ import annotations
