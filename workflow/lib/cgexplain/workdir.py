"""A resumable work directory bound to a settings fingerprint.

Long steps (reference MD, training) write into a work directory and leave their final
output only when complete. Started again after a kill they continue from what the
directory holds, but only when it was written with the same settings: the directory is
bound to a *fingerprint* (any JSON value: a hash of the settings, or the settings
themselves) and a directory written with another fingerprint is cleared.

The fingerprint is recorded in one or both of:

- a *stamp* file, which holds exactly the fingerprint as JSON, written when the
  directory is opened (for steps whose checkpoints another library writes);
- a *checkpoint record*, a JSON object ``{"fingerprint": ..., **state}`` written by
  :meth:`WorkDir.save_checkpoint` together with the checkpoint's binary files.

Checkpoints are atomic: the binary files of a checkpoint go to one of two slots (slot 0
under their own names, slot 1 as ``<stem>.1<suffix>``), the slot the current record
does not point to, each file written to a temporary name and renamed; the record is
then replaced atomically and names its slot. A kill at any moment leaves a record
whose files are all complete and of the same checkpoint.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cgexplain.io import atomic_output, write_json

log = logging.getLogger(__name__)

#: key of the fingerprint in a checkpoint record
FINGERPRINT_KEY = "fingerprint"
#: key of the slot of the checkpoint's files in a checkpoint record (absent: slot 0)
SLOT_KEY = "slot"


def _normalized(value: Any) -> Any:
    """``value`` as it reads back from JSON (tuples become lists, etc.)."""
    return json.loads(json.dumps(value, sort_keys=True))


def _read_json(path: Path) -> Any:
    """Parsed JSON of ``path``; ``None`` when it is missing or unreadable."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


class WorkDir:
    """A work directory bound to a settings fingerprint.

    Args:
        path: the directory (created by :meth:`open`).
        fingerprint: JSON-serialisable value identifying the settings of the run.
        stamp: name of the stamp file holding the fingerprint, or ``None`` for none.
        checkpoint: name of the checkpoint record, or ``None`` when the step keeps no
            checkpoint record of its own.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        fingerprint: Any,
        stamp: str | None = None,
        checkpoint: str | None = None,
    ) -> None:
        if stamp is None and checkpoint is None:
            raise ValueError("a work directory needs a stamp file, a checkpoint record or both")
        self.path = Path(path)
        self.fingerprint = fingerprint
        self.stamp = stamp
        self.checkpoint = checkpoint
        self._slot = 1  # slot of the last saved checkpoint; the first save uses slot 0

    def __truediv__(self, name: str) -> Path:
        return self.path / name

    # --- opening ------------------------------------------------------------------------

    def _saved_state(self, required: Iterable[str]) -> dict[str, Any] | None:
        """State of a run with our fingerprint found in the directory, else ``None``."""
        expected = _normalized(self.fingerprint)
        if self.stamp is not None and _read_json(self.path / self.stamp) != expected:
            return None
        state: dict[str, Any] = {}
        if self.checkpoint is not None:
            record = _read_json(self.path / self.checkpoint)
            if not isinstance(record, dict) or record.get(FINGERPRINT_KEY) != expected:
                return None
            state = {k: v for k, v in record.items() if k not in (FINGERPRINT_KEY, SLOT_KEY)}
            self._slot = int(record.get(SLOT_KEY, 0))
        if not all((self.path / name).exists() for name in required):
            return None
        return state

    def _holds_anything(self) -> bool:
        return self.path.exists() and (not self.path.is_dir() or any(self.path.iterdir()))

    def open(self, required: Iterable[str] = ()) -> dict[str, Any] | None:
        """Open the directory for a run with this fingerprint.

        Args:
            required: files (names in the directory) a resumable run must have besides
                its stamp and record.

        Returns:
            The state saved with the last checkpoint (``{}`` without a checkpoint record)
            when the directory holds a run with this fingerprint; otherwise ``None``,
            after clearing the directory. The directory exists afterwards, with the
            stamp file written.
        """
        state = self._saved_state(required) if self.path.is_dir() else None
        if state is None:
            self._slot = 1
            if self._holds_anything():
                log.info(
                    "work directory %s holds a run with other settings: starting afresh",
                    self.path,
                )
                self.clear()
        self.path.mkdir(parents=True, exist_ok=True)
        if self.stamp is not None:
            with atomic_output(self.path / self.stamp) as tmp:
                tmp.write_text(json.dumps(self.fingerprint))
        return state

    # --- checkpoints --------------------------------------------------------------------

    @staticmethod
    def _slot_name(name: str, slot: int) -> str:
        if slot == 0:
            return name
        path = Path(name)
        return f"{path.stem}.{slot}{path.suffix}"

    def checkpoint_file(self, name: str) -> Path:
        """Path of the binary checkpoint file ``name`` of the last checkpoint."""
        return self.path / self._slot_name(name, self._slot)

    def save_checkpoint(
        self, state: Mapping[str, Any], files: Mapping[str, bytes] | None = None
    ) -> None:
        """Store a checkpoint atomically.

        Args:
            state: JSON-serialisable progress (e.g. ``{"block": 12, "frames": 10}``);
                ``fingerprint`` and ``slot`` are reserved keys.
            files: binary files of the checkpoint, by name (e.g. an OpenMM checkpoint).
        """
        if self.checkpoint is None:
            raise RuntimeError(f"work directory {self.path} keeps no checkpoint record")
        reserved = {FINGERPRINT_KEY, SLOT_KEY} & set(state)
        if reserved:
            raise ValueError(f"checkpoint state may not use the keys {sorted(reserved)}")
        slot = 1 - self._slot
        for name, data in (files or {}).items():
            with atomic_output(self.path / self._slot_name(name, slot)) as tmp:
                tmp.write_bytes(data)
        record = {FINGERPRINT_KEY: self.fingerprint, **state}
        if slot:
            record[SLOT_KEY] = slot
        write_json(self.path / self.checkpoint, record)
        self._slot = slot

    # --- the end --------------------------------------------------------------------------

    def clear(self) -> None:
        """Remove the directory and everything in it."""
        if self.path.is_dir():
            shutil.rmtree(self.path)
        elif self.path.exists():
            self.path.unlink()

    def finish(self) -> None:
        """The run is complete and its output written: remove the directory."""
        self.clear()
