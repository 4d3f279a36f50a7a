"""Process-wide runtime settings that make torch on CPU fast on small shared machines.

**Allocator.** glibc's ``malloc`` serves large blocks with fresh ``mmap`` pages and
returns freed memory to the kernel (``M_MMAP_THRESHOLD``, adjusted dynamically, and
``M_TRIM_THRESHOLD``). A SchNetPack force evaluation allocates and frees tensors of tens
of MB on every call (edges x features), so every call faults in fresh, zeroed pages.
On a virtual machine a page fault is expensive: measured here (2-core VM, PaiNN 64x3,
4 x 258 beads, float32, stock SchNetPack) the force call took 0.41-0.46 s with glibc's
defaults and 0.22-0.29 s with the settings below, and a force-matching training step
1.24-1.42 s vs 0.70-0.84 s. :func:`tune_allocator` keeps freed memory in the process
(``mallopt``: blocks up to 32 MiB from the heap, trim only above 1 GiB of free top, pad
the heap by 256 MiB), which costs resident memory that the process has already used
once, not more. It is applied on ``import cgexplain`` (see :mod:`cgexplain`); set
``CGEXPLAIN_MALLOC_TUNING=0`` to keep the C library's defaults. Non-glibc systems are
left alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import MutableMapping

__all__ = ["ALLOCATOR_SETTINGS", "set_job_tunables", "tune_allocator"]

# glibc <malloc.h>: M_TRIM_THRESHOLD -1, M_TOP_PAD -2, M_MMAP_THRESHOLD -3
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3

#: ``mallopt`` parameter -> value (bytes) set by :func:`tune_allocator`
ALLOCATOR_SETTINGS: dict[int, int] = {
    _M_MMAP_THRESHOLD: 32 * 2**20,  # glibc's maximum on 64-bit; fixes it (no dynamic growth)
    _M_TRIM_THRESHOLD: 2**30,
    _M_TOP_PAD: 256 * 2**20,
}

_applied: bool | None = None


def tune_allocator(environ: dict[str, str] | None = None) -> bool:
    """Apply :data:`ALLOCATOR_SETTINGS` with glibc's ``mallopt``, once per process.

    Args:
        environ: environment to read ``CGEXPLAIN_MALLOC_TUNING`` from (default
            ``os.environ``); ``0``, ``false`` or ``no`` turn the tuning off.

    Returns:
        Whether the settings are in effect (``False`` when turned off, on a C library
        without ``mallopt`` or when glibc refused a value).
    """
    global _applied
    if _applied is not None:
        return _applied
    env = os.environ if environ is None else environ
    if env.get("CGEXPLAIN_MALLOC_TUNING", "1").strip().lower() in ("0", "false", "no"):
        _applied = False
        return _applied
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        _applied = False
        return _applied
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    _applied = all(mallopt(param, value) == 1 for param, value in ALLOCATOR_SETTINGS.items())
    return _applied


def set_job_tunables(tunables: str, environ: MutableMapping[str, str] | None = None) -> bool:
    """Give every job the glibc tunables ``tunables`` (config ``malloc_tunables``).

    glibc reads ``GLIBC_TUNABLES`` once, when a process starts, so the workflow sets it
    in its own environment, which each job's Python inherits; it complements
    :func:`tune_allocator` for the allocations made before ``import cgexplain``. An
    explicit ``GLIBC_TUNABLES`` in the environment wins; an empty ``tunables`` sets
    nothing.

    Args:
        tunables: e.g. ``"glibc.malloc.mmap_threshold=33554432:..."``; ``""`` for none.
        environ: the environment to change (default ``os.environ``).

    Returns:
        Whether ``GLIBC_TUNABLES`` now holds ``tunables``.
    """
    env = os.environ if environ is None else environ
    if not tunables:
        return False
    env.setdefault("GLIBC_TUNABLES", tunables)
    return env["GLIBC_TUNABLES"] == tunables
