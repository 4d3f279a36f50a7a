"""Checks of the workflow configuration that a JSON schema cannot express.

The schema (``workflow/schemas/config.schema.yaml``) checks keys, types and ranges;
:func:`check_config` checks relations between values (a save interval longer than
the run, a cutoff beyond half the box) and names the offending keys.
"""

from __future__ import annotations

import shutil
import subprocess
import zlib
from typing import Any

LIQUIDS = ("methane", "water")


class ConfigError(ValueError):
    """A configuration value is inconsistent; the message names the key."""


def _box_edges(system: str, ref: dict[str, Any]) -> list[float]:
    return list(ref["box"]) if system == "methane" else [ref["box_edge"]] * 3


def check_config(config: dict[str, Any]) -> None:
    """Raise :class:`ConfigError` listing every inconsistent value of a validated config."""
    errors = []
    for system in config["systems"]:
        ref = config[system]["reference"]
        key = f"{system}.reference"
        dt_ps = ref["timestep"] * 1e-3
        if ref["save_interval"] > ref["length"]:
            errors.append(
                f"{key}.save_interval ({ref['save_interval']} ps) is longer than the run "
                f"{key}.length ({ref['length']} ps)"
            )
        steps = ref["save_interval"] / dt_ps
        if abs(steps - round(steps)) > 1e-6:
            errors.append(
                f"{key}.save_interval ({ref['save_interval']} ps) is not a multiple of "
                f"{key}.timestep ({ref['timestep']} fs)"
            )
        if ref["checkpoint_interval"] < ref["save_interval"]:
            errors.append(
                f"{key}.checkpoint_interval ({ref['checkpoint_interval']} ps) is shorter than "
                f"{key}.save_interval ({ref['save_interval']} ps)"
            )
        if system in LIQUIDS:
            errors += _liquid_errors(config, system)
        else:
            errors += _protein_errors(config, system)
        relevance = config[system].get("relevance")
        if relevance is not None:
            shards = config.get("scatter", {}).get("relevance", 1)
            if relevance["n_frames"] < shards:
                errors.append(
                    f"scatter.relevance ({shards}) asks for more shards than "
                    f"{system}.relevance.n_frames ({relevance['n_frames']})"
                )
            if relevance["classic_frames"] > relevance["n_frames"]:
                errors.append(
                    f"{system}.relevance.classic_frames ({relevance['classic_frames']}) exceeds "
                    f"{system}.relevance.n_frames ({relevance['n_frames']})"
                )
    if errors:
        raise ConfigError("invalid configuration:\n  - " + "\n  - ".join(errors))


def _liquid_errors(config: dict[str, Any], system: str) -> list[str]:
    ref, structure = config[system]["reference"], config[system]["structure"]
    key, errors = f"{system}.reference", []
    n_frames = int(round(ref["length"] / ref["save_interval"]))
    shards = config.get("scatter", {}).get("reference", 1)
    if n_frames < shards:
        errors.append(
            f"scatter.reference ({shards}) asks for more shards than {key} has frames ({n_frames})"
        )
    half = min(_box_edges(system, ref)) / 2
    for name, value in (
        (f"{key}.cutoff", ref["cutoff"]),
        (f"{system}.structure.rdf_max", structure["rdf_max"]),
        (f"{system}.structure.triplet_cutoff", structure["triplet_cutoff"]),
    ):
        if value > half:
            errors.append(f"{name} ({value} Å) exceeds half the shortest box edge ({half} Å)")
    return errors


def _protein_errors(config: dict[str, Any], system: str) -> list[str]:
    protein, errors = config[system], []
    source = protein["structure_source"]
    first, last = source["first_residue"], source["last_residue"]
    if last - first < 3:
        errors.append(
            f"{system}.structure_source: residues {first}-{last} are too few for a chain prior"
        )
    for mutation in protein["mutations"]:
        number = int(mutation[3:-3])
        if not first <= number <= last:
            errors.append(
                f"{system}.mutations: {mutation} names residue {number}, outside {first}-{last}"
            )
    states = protein["states"]
    if not states["broken"] < states["formed"]:
        errors.append(
            f"{system}.states.broken ({states['broken']}) must be below "
            f"{system}.states.formed ({states['formed']})"
        )
    return errors


def system_seed(master_seed: int, system: str, stage: str) -> int:
    """Deterministic per-(system, stage) seed in [1, 2**31) derived from the master seed."""
    return 1 + (master_seed * 1_000_003 + zlib.crc32(f"{system}/{stage}".encode())) % (2**31 - 2)


def count_local_gpus() -> int:
    """Number of NVIDIA GPUs ``nvidia-smi -L`` lists on this machine (0 without the tool)."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return 0
    try:
        out = subprocess.run([exe, "-L"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return 0
    return sum(line.startswith("GPU ") for line in out.splitlines())


def gpu_request(setting: bool | str) -> int:
    """GPUs a GPU-capable job asks for (0 or 1) given the ``gpu`` config value."""
    if setting == "auto":
        return 1 if count_local_gpus() > 0 else 0
    if isinstance(setting, str):  # from `--config gpu=true`
        return int(setting.lower() == "true")
    return int(bool(setting))


def shard_frames(n_frames: int, shard: int, n_shards: int) -> int:
    """Frames of shard ``shard`` (1-based) when ``n_frames`` are split into ``n_shards``.

    The first ``n_frames % n_shards`` shards take one frame more; the sum is ``n_frames``.
    """
    if not 1 <= shard <= n_shards:
        raise ValueError(f"shard {shard} outside 1..{n_shards}")
    base, extra = divmod(n_frames, n_shards)
    return base + (1 if shard <= extra else 0)


def parse_scatteritem(item: str) -> tuple[int, int]:
    """``"2-of-5"`` -> ``(2, 5)`` (Snakemake's scatteritem wildcard)."""
    k, _, n = item.partition("-of-")
    return int(k), int(n)
