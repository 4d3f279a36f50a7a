"""Reading and checking the workflow configuration.

:func:`read_config_file` reads one file and names a syntax error's line and column;
:func:`validate_config` checks keys, types and ranges against the schema
(``workflow/schemas/config.schema.yaml``) and fills its defaults; :func:`check_config`
checks relations between values (a save interval longer than the run, a cutoff beyond
half the box). Each stops with a :class:`ConfigError` that names the key (dotted, as
``methane.reference.length``) and, where known, the file that set it.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import json
import reprlib
import shutil
import subprocess
import zlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml

from cgexplain.units import PS_PER_FS

#: the schema of the workflow configuration (the only place defaults live)
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "config.schema.yaml"

#: the workflow's own configuration file (``configfile:`` of the Snakefile)
DEFAULT_CONFIG = Path(__file__).resolve().parents[3] / "config" / "config.yaml"

#: the kinds of system a block can declare (``kind:``)
KINDS = ("liquid", "protein")


class ConfigError(ValueError):
    """A configuration value is inconsistent; the message names the key."""


def systems_of_kind(config: dict[str, Any], kind: str) -> list[str]:
    """Names of the built systems (``systems``) whose block declares ``kind``, in order."""
    if kind not in KINDS:
        raise ValueError(f"unknown system kind {kind!r}; known: {', '.join(KINDS)}")
    return [s for s in config["systems"] if config[s]["kind"] == kind]


def load_schema(path: str | Path = SCHEMA_PATH) -> dict[str, Any]:
    """The configuration schema as a dict (YAML)."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def schema_for(config: dict[str, Any], schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """The schema of one configuration: its system blocks named, everything else closed.

    The schema file lets any top-level mapping be a system block. Validating against it
    alone would accept a mistyped global key such as ``seeed: 3``, so this names every
    top-level mapping that is not a global setting as a system block, forbids every other
    key (the validator then says ``'seeed' was unexpected``) and lets ``systems`` list only
    those blocks (``systems: [argon]`` without an ``argon:`` block fails at ``systems``).

    Args:
        config: the merged configuration, before validation.
        schema: the schema file's content (default: :func:`load_schema`).

    Returns:
        A new schema dict; the argument is not modified.
    """
    schema = copy.deepcopy(load_schema() if schema is None else schema)
    globals_ = schema["properties"]
    blocks = [k for k, v in config.items() if k not in globals_ and isinstance(v, dict)]
    for name in blocks:
        globals_[name] = {"$ref": "#/$defs/system"}
    schema["additionalProperties"] = False
    globals_["systems"] = {**globals_["systems"], "items": {"enum": blocks}}
    return schema


def read_config_file(path: str | Path) -> dict[str, Any]:
    """The mapping in a YAML or JSON config file.

    Raises:
        ConfigError: one line, ``FILE:LINE:COLUMN: problem`` for a syntax error, or
            naming a file that is missing or whose top level is not a mapping.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read config file {path}: {error}") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path}:{error.lineno}:{error.colno}: {error.msg}") from None
    except yaml.YAMLError as error:
        raise ConfigError(_yaml_message(path, error)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: the top level must be a mapping of keys, not a {type(data).__name__}"
        )
    return data


def _yaml_message(path: Path, error: yaml.YAMLError) -> str:
    """``FILE:LINE:COLUMN: problem (context)`` of a YAML error (1-based), on one line."""
    mark = getattr(error, "problem_mark", None)
    where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
    text = getattr(error, "problem", None) or str(error)
    context, start = getattr(error, "context", None), getattr(error, "context_mark", None)
    if context and start is not None and (mark is None or start.line != mark.line):
        text += f" ({context} from line {start.line + 1}, column {start.column + 1})"
    elif context:
        text += f" ({context})"
    return f"{where}: {' '.join(text.split())}"


def merge_config(config: dict[str, Any], update: Mapping[str, Any]) -> None:
    """Merge ``update`` into ``config`` in place as Snakemake does (mappings key by key)."""
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(config.get(key), dict):
            merge_config(config[key], value)
        else:
            config[key] = copy.deepcopy(value)


def load_config_files(paths: Sequence[str | Path]) -> dict[str, Any]:
    """The files merged in order (later wins), validated, defaults filled, cross-checked.

    Raises:
        ConfigError: one line naming the file and the key (see :func:`validate_config`).
    """
    sources = [(str(path), read_config_file(path)) for path in paths]
    config: dict[str, Any] = {}
    for _, data in sources:
        merge_config(config, data)
    validate_config(config, sources=sources)
    check_config(config)
    return config


def validate_config(
    config: dict[str, Any],
    schema: dict[str, Any] | None = None,
    sources: Sequence[tuple[str, Mapping[str, Any]]] = (),
) -> None:
    """Check ``config`` against the schema closed over its blocks and fill the defaults.

    Args:
        config: the merged configuration; the schema's defaults are filled in place.
        schema: the schema file's content (default: :func:`load_schema`).
        sources: ``(label, content)`` of each file (or ``--config``) merged into
            ``config``, in the order merged; the last that sets a key names it.

    Raises:
        ConfigError: one line, with the dotted key, its source and, for an unknown
            key, the closest allowed one.
    """
    from jsonschema import Draft202012Validator, validators

    closed = schema_for(config, load_schema() if schema is None else schema)
    filling = validators.extend(
        Draft202012Validator,
        {"properties": _filling_defaults(Draft202012Validator.VALIDATORS["properties"])},
    )
    errors = list(filling(closed).iter_errors(config))
    # a bad value inside `allOf` leaves its keys "unevaluated": report the value instead
    named = [e for e in errors if _unknown_key(e, closed) is not None or not _is_unknown(e)]
    if named or errors:  # the first, as jsonschema's validate() and Snakemake report it
        raise ConfigError(_schema_message((named or errors)[0], closed, sources))


def _is_unknown(error: Any) -> bool:
    """Whether a schema error is about keys the schema does not name."""
    return error.validator in ("additionalProperties", "unevaluatedProperties")


def _unknown_key(error: Any, schema: dict[str, Any]) -> str | None:
    """The first key of an unknown-key error's object that the schema does not name."""
    if not _is_unknown(error):
        return None
    allowed = _allowed_keys(error.schema, schema)
    return next((k for k in error.instance if k not in allowed), None)


def _filling_defaults(properties: Any) -> Any:
    """The schema's ``properties`` check, first setting each absent key's default."""

    def check(validator: Any, props: dict, instance: Any, schema: dict) -> Iterable[Any]:
        if isinstance(instance, dict):
            for key, sub in props.items():
                if isinstance(sub, dict) and "default" in sub:
                    instance.setdefault(key, copy.deepcopy(sub["default"]))
        yield from properties(validator, props, instance, schema)

    return check


def _dotted(path: Iterable[Any]) -> str:
    """``methane.reference.length`` or ``systems[1]`` for a path of keys and indices."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


def _source(path: Sequence[Any], sources: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    """Label of the last source that sets ``path`` ("" if none does)."""
    for label, data in reversed(sources):
        node: Any = data
        try:
            for part in path:
                node = node[part]
        except (KeyError, IndexError, TypeError):
            continue
        return label
    return ""


def _allowed_keys(schema: dict[str, Any], root: dict[str, Any]) -> set[str]:
    """Keys a schema object names, through its ``$ref`` and ``allOf``."""
    keys = set(schema.get("properties", {}))
    ref = schema.get("$ref", "")
    if ref.startswith("#/"):
        node: Any = root
        for part in ref[2:].split("/"):
            node = node[part]
        keys |= _allowed_keys(node, root)
    for sub in schema.get("allOf", []):
        keys |= _allowed_keys(sub, root)
    return keys


def _schema_message(
    error: Any, schema: dict[str, Any], sources: Sequence[tuple[str, Mapping[str, Any]]]
) -> str:
    """One line for a schema violation: the dotted key, its source, what is wrong."""
    path = list(error.absolute_path)
    unknown = _unknown_key(error, schema)
    if unknown is not None:
        key = [*path, unknown]
        allowed = sorted(_allowed_keys(error.schema, schema))
        close = difflib.get_close_matches(str(unknown), allowed, n=1)
        notes = [f"in {label}" for label in [_source(key, sources)] if label]
        notes += [f"did you mean {match!r}?" for match in close]
        suffix = f" ({'; '.join(notes)})" if notes else ""
        return f"config key {_dotted(key)!r} was unexpected{suffix}"
    label = _source(path, sources) if path else ""
    where = f" in {label}" if label else ""
    if error.validator == "required":
        missing = next((k for k in error.validator_value if k not in error.instance), "?")
        return f"config key {_dotted([*path, missing])!r} is missing{where}"
    if error.validator == "enum" and path[:1] == ["systems"]:
        blocks = ", ".join(error.validator_value) or "none"
        what = f"{error.instance!r} has no block in the config (blocks: {blocks})"
    elif len(error.message) <= 120:
        what = error.message
    else:
        what = f"{reprlib.repr(error.instance)} fails the schema's {error.validator!r} check"
    return f"config key {_dotted(path)!r}{where}: {what}"


def check_config(config: dict[str, Any]) -> None:
    """Raise :class:`ConfigError` listing every inconsistent value of a validated config."""
    missing = [s for s in config["systems"] if s not in config]
    if missing:
        _stop([f"systems names {s!r} but the config has no {s}: block" for s in missing])
    errors = []
    for system in config["systems"]:
        for model in config[system]["training"]["models"]:
            if model not in config[system]["training"]:
                errors.append(
                    f"{system}.training.models lists {model} but {system}.training.{model} "
                    "(n_features, n_interactions, cutoff) is missing"
                )
        ref = config[system]["reference"]
        key = f"{system}.reference"
        dt_ps = ref["timestep"] * PS_PER_FS
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
        if config[system]["kind"] == "liquid":
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
        _stop(errors)


def _stop(errors: list[str]) -> None:
    """Raise :class:`ConfigError` with the errors: one line for one, a list for more."""
    if len(errors) == 1:
        raise ConfigError(f"invalid configuration: {errors[0]}")
    raise ConfigError("invalid configuration:\n  - " + "\n  - ".join(errors))


def _liquid_errors(config: dict[str, Any], system: str) -> list[str]:
    from cgexplain.liquids import liquid_builder

    ref, structure = config[system]["reference"], config[system]["structure"]
    key, errors = f"{system}.reference", []
    builder = liquid_builder(config[system]["builder"])
    absent = [k for k in builder.keys if k not in ref]
    if absent:
        return [f"{key} lacks {', '.join(absent)} (needed by builder {builder.name})"]
    n_frames = int(round(ref["length"] / ref["save_interval"]))
    shards = config.get("scatter", {}).get("reference", 1)
    if n_frames < shards:
        errors.append(
            f"scatter.reference ({shards}) asks for more shards than {key} has frames ({n_frames})"
        )
    imc = config[system].get("imc") or {}
    if imc.get("enabled") and imc.get("table_max") and imc["table_max"] > structure["rdf_max"]:
        errors.append(
            f"{system}.imc.table_max ({imc['table_max']} Å) exceeds "
            f"{system}.structure.rdf_max ({structure['rdf_max']} Å): the target RDF ends there"
        )
    edges = builder.box_edges(ref)
    if edges is None:  # known only once the system is built (checked then)
        return errors
    half = float(min(edges)) / 2
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
    if not source["path"] and not source["pdb_id"]:
        errors.append(f"{system}.structure_source needs a local path or a pdb_id to download")
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


T = TypeVar("T")


def from_block(cls: type[T], block: Mapping[str, Any], **extra: Any) -> T:
    """A settings dataclass from a validated config block (the shared ``from_config``).

    Takes the dataclass's fields from ``block`` (keys the class has no field for, such
    as a builder's box, are left for others) and from ``extra`` (values derived by the
    workflow: seeds, threads, platform), which win. Defaults are the schema's: a field
    that neither gives is an error naming it, never a silent default of the class.

    Raises:
        ConfigError: a required field is in neither ``block`` nor ``extra``.
    """
    values = {**block, **extra}
    fields = [f for f in dataclasses.fields(cls) if f.init]  # type: ignore[arg-type]
    kwargs = {f.name: values[f.name] for f in fields if f.name in values}
    missing = [
        f.name
        for f in fields
        if f.name not in kwargs
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise ConfigError(f"{cls.__name__} needs {', '.join(missing)} (not in the config block)")
    return cls(**kwargs)


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
