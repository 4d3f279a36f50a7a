"""The key tables of ``config/README.md``, generated from the configuration schema.

The schema (``workflow/schemas/config.schema.yaml``) is the one place where keys, their
defaults, units (the ``unit`` annotation) and meanings are written. This module renders
them as Markdown tables, plus one table per shipped system with the values each scale
(``config.yaml``, ``tiny.yaml``, ``paper.yaml``) sets, and replaces the text between the
markers of ``config/README.md``::

    python -m cgexplain.config_docs            # rewrite config/README.md
    python -m cgexplain.config_docs --check    # exit 1 when it is out of date

A unit test runs the check, so the README cannot drift from the schema.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from cgexplain.config import SCHEMA_PATH, load_schema, merge_config

REPO = SCHEMA_PATH.parents[2]
README = REPO / "config" / "README.md"
BEGIN = "<!-- BEGIN GENERATED FROM THE SCHEMA: python -m cgexplain.config_docs -->"
END = "<!-- END GENERATED -->"
SCALES = ("config", "tiny", "paper")

#: the sections of the key tables: (title, path of the object in the schema, prefix)
SECTIONS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("Top level", (), ""),
    ("Liquid system block (`kind: liquid`)", ("$defs", "liquid"), "<liquid>."),
    ("`<liquid>.reference`", ("$defs", "liquid", "properties", "reference"), "reference."),
    ("`<system>.structure` (liquids)", ("$defs", "structure"), "structure."),
    ("`<system>.force_map`", ("$defs", "force_map"), "force_map."),
    ("`<system>.training`", ("$defs", "training"), "training."),
    ("`<system>.training.<architecture>`", ("$defs", "architecture"), "<arch>."),
    ("`<system>.training.optimizer`", ("$defs", "optimizer"), "optimizer."),
    ("`<system>.simulation`", ("$defs", "simulation"), "simulation."),
    ("`<system>.relevance`", ("$defs", "relevance"), "relevance."),
    ("`<liquid>.imc`", ("$defs", "imc"), "imc."),
    ("Protein system block (`kind: protein`)", ("$defs", "protein"), "<protein>."),
    (
        "`<protein>.structure_source`",
        ("$defs", "protein", "properties", "structure_source"),
        "structure_source.",
    ),
    ("`<protein>.reference`", ("$defs", "protein", "properties", "reference"), "reference."),
    ("`<protein>.prior`", ("$defs", "protein", "properties", "prior"), "prior."),
    ("`<protein>.states`", ("$defs", "protein", "properties", "states"), "states."),
)


def _node(schema: Mapping[str, Any], path: tuple[str, ...]) -> Mapping[str, Any]:
    node: Any = schema
    for key in path:
        node = node[key]
    return node


def _resolve(schema: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow a local ``$ref`` (``#/$defs/...``), keeping the node's own annotations."""
    if "$ref" not in node:
        return node
    target = _node(schema, tuple(node["$ref"].removeprefix("#/").split("/")))
    return {**_resolve(schema, target), **{k: v for k, v in node.items() if k != "$ref"}}


def _properties(schema: Mapping[str, Any], obj: Mapping[str, Any]) -> dict[str, Any]:
    """Properties of an object schema, those of its ``allOf`` parts first, merged."""
    props: dict[str, Any] = {}
    for part in obj.get("allOf", []):
        for key, value in _properties(schema, _resolve(schema, part)).items():
            props[key] = dict(value)
    for key, value in obj.get("properties", {}).items():
        props[key] = {**props.get(key, {}), **value}
    return props


def _format(value: Any) -> str:
    if value is None:
        return "`null`"
    if isinstance(value, str):
        return f"`{value}`" if value else '`""`'
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, list | dict):
        return f"`{json.dumps(value, separators=(', ', ': '))}`"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _rows(schema: Mapping[str, Any], obj: Mapping[str, Any], prefix: str) -> Iterator[str]:
    required = set(obj.get("required", []))
    for part in obj.get("allOf", []):
        required |= set(_resolve(schema, part).get("required", []))
    for key, raw in _properties(schema, obj).items():
        node = _resolve(schema, raw)
        if key == "kind":
            continue
        if "default" in node and not (node.get("type") == "object" and node["default"] == {}):
            default = _format(node["default"])
        elif key in required:
            default = "required"
        elif node.get("type") == "object":
            default = "see below"
        else:
            default = "–"
        choices = node.get("enum")
        meaning = node.get("description", "")
        if choices and "one of" not in meaning:
            meaning = f"one of {', '.join(f'`{c}`' for c in choices)}" + (
                f"; {meaning}" if meaning else ""
            )
        unit = node.get("unit", "–")
        yield f"| `{prefix}{key}` | {_cell(default)} | {_cell(unit)} | {_cell(meaning)} |"


def key_tables(schema: Mapping[str, Any]) -> str:
    """Markdown tables of every key: default (or "required"), unit and meaning."""
    out = []
    for title, path, prefix in SECTIONS:
        obj = _resolve(schema, _node(schema, path))
        out += [f"### {title}", ""]
        if "description" in obj:
            out += [_cell(obj["description"]), ""]
        out += ["| key | default | unit | meaning |", "| --- | --- | --- | --- |"]
        out += list(_rows(schema, obj, "" if not path else prefix))
        out.append("")
    return "\n".join(out)


def scale_configs(config_dir: Path = REPO / "config") -> dict[str, dict[str, Any]]:
    """The configuration of each scale as Snakemake merges it (before defaults)."""
    base = yaml.safe_load((config_dir / "config.yaml").read_text())
    scales = {"config": base}
    for name in SCALES[1:]:
        merged = copy.deepcopy(base)
        merge_config(merged, yaml.safe_load((config_dir / f"{name}.yaml").read_text()) or {})
        scales[name] = merged
    return scales


def _leaves(node: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{prefix}{key}.")
    else:
        yield prefix.rstrip("."), node


def scale_tables(scales: Mapping[str, Mapping[str, Any]]) -> str:
    """Per system block (and the top level): the value every scale file sets."""
    out = []
    base = scales["config"]
    blocks = [("top level", {k: v for k, v in base.items() if not isinstance(v, dict)})]
    blocks += [(k, None) for k, v in base.items() if isinstance(v, dict)]
    for name, _ in blocks:
        values = {
            scale: dict(
                _leaves(
                    {k: v for k, v in cfg.items() if not isinstance(v, dict)}
                    if name == "top level"
                    else cfg.get(name, {})
                )
            )
            for scale, cfg in scales.items()
        }
        keys = list(dict.fromkeys(k for v in values.values() for k in v))
        title = "Top level" if name == "top level" else f"`{name}`"
        out += [f"### {title}", "", "| key | " + " | ".join(f"{s}.yaml" for s in SCALES) + " |"]
        out.append("| --- |" + " --- |" * len(SCALES))
        for key in keys:
            cells = [_format(values[s][key]) if key in values[s] else "" for s in SCALES]
            # a scale that repeats the value of config.yaml shows nothing new
            cells = [cells[0]] + [c if c != cells[0] else "" for c in cells[1:]]
            out.append(f"| `{key}` | " + " | ".join(_cell(c) for c in cells) + " |")
        out.append("")
    return "\n".join(out)


def generated_text(schema: Mapping[str, Any] | None = None, config_dir: Path | None = None) -> str:
    """The text between the README markers."""
    schema = load_schema() if schema is None else schema
    scales = scale_configs(config_dir or REPO / "config")
    return "\n".join(
        [
            BEGIN,
            "",
            "## Every key",
            "",
            "Defaults are the schema's; `required` keys have none and each system block "
            "gives them. Units as annotated in the schema.",
            "",
            key_tables(schema),
            "## The values of each scale",
            "",
            "What `config.yaml` sets per system and what `tiny.yaml` and `paper.yaml` "
            "change on top of it (blank: as in `config.yaml`, or the default).",
            "",
            scale_tables(scales),
            END,
        ]
    )


def updated_readme(text: str, generated: str) -> str:
    """``text`` with the part between the markers replaced (appended if absent)."""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        return head + generated + tail
    return text.rstrip("\n") + "\n\n" + generated + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if README is stale")
    parser.add_argument("--readme", type=Path, default=README)
    args = parser.parse_args(argv)
    current = args.readme.read_text(encoding="utf-8")
    new = updated_readme(current, generated_text())
    if args.check:
        if new != current:
            print(f"{args.readme} is out of date: run python -m cgexplain.config_docs")
            return 1
        return 0
    args.readme.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
