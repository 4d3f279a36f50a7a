"""The error every layer raises for a bad input file (a leaf module: no cgexplain import).

:mod:`cgexplain.io` and the layers above it take :class:`InputError` from
:mod:`cgexplain.io`; :mod:`cgexplain.potentials`, which sits below :mod:`cgexplain.io`,
takes it from here. Both names are the same class.
"""

from __future__ import annotations

__all__ = ["InputError"]


class InputError(ValueError):
    """An input file is missing, unreadable or holds data of the wrong shape or values."""
