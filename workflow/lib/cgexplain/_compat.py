"""Compatibility shims applied when :mod:`cgexplain` is imported.

SchNetPack 2.0.4 imports ``T_co`` from ``torch.utils.data.dataloader``; torch 2.5
renamed it to ``_T_co``. Importing :mod:`cgexplain` first restores the old name so
that ``import schnetpack`` works with the pinned torch 2.13.0.
"""

from __future__ import annotations


def install_torch_shims() -> None:
    """Restore ``torch.utils.data.dataloader.T_co`` if torch no longer defines it."""
    try:
        import torch.utils.data.dataloader as dataloader
    except ImportError:  # torch absent: nothing to patch
        return
    if not hasattr(dataloader, "T_co") and hasattr(dataloader, "_T_co"):
        dataloader.T_co = dataloader._T_co
