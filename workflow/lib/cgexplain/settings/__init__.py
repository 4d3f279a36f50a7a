"""One typed, immutable settings object per job of the workflow.

A rule's ``params: settings=`` is :func:`for_job` of the rule's name and the job's
wildcards; the script receives that object (never a dict) and hands it, or its parts, to
the library. Every derived value (seeds, shard lengths, distance ranges, seed states)
is computed here, in pure, unit-tested Python, from the validated config.

Why a :class:`typing.NamedTuple` at the job level: Snakemake records a job's params to
rerun it when they change, but only values of builtin types (a tuple is one, a dataclass
is not, and would be dropped silently). A NamedTuple is a tuple, typed and immutable, so
a config edit still reruns exactly the jobs it touches. The library's own settings
classes (``RunSettings``, ``CGRunSettings``, ...) stay frozen dataclasses with their
checks; they appear inside the job tuples, whose ``repr`` spells out every field.

Example::

    >>> s = for_job(config, "simulate_cg", system="methane", model="painn")
    >>> s.run.seed == system_seed(config["seed"], "methane", "simulation/painn")
    True
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from cgexplain.config import system_seed

#: job name (the rule's name) -> builder ``(config, **wildcards_and_context) -> settings``
_BUILDERS: dict[str, Callable[..., Any]] = {}

#: the modules whose builders register themselves, one per stage
_STAGES = (
    "reference",
    "protein",
    "training",
    "simulation",
    "imc",
    "relevance",
    "figures",
)

F = TypeVar("F", bound=Callable[..., Any])


def job(*names: str) -> Callable[[F], F]:
    """Register a builder for the jobs ``names`` (rule names)."""

    def register(builder: F) -> F:
        for name in names:
            if name in _BUILDERS:
                raise ValueError(f"settings of job {name!r} are built twice")
            _BUILDERS[name] = builder
        return builder

    return register


def _load_stages() -> None:
    for stage in _STAGES:
        importlib.import_module(f"{__name__}.{stage}")


def jobs() -> list[str]:
    """The names of the jobs that have settings, sorted."""
    _load_stages()
    return sorted(_BUILDERS)


def for_job(config: Mapping[str, Any], job_name: str, **context: Any) -> Any:
    """The settings of one job.

    Args:
        config: the validated workflow config (defaults filled).
        job_name: the rule's name, e.g. ``"simulate_cg"``.
        **context: the job's wildcards (``system``, ``model``, ``source``,
            ``scatteritem``, ...) and workflow facts a builder cannot read from the
            config (such as the liquids whose IMC tools are installed).

    Raises:
        KeyError: no builder for ``job_name`` (the message lists the known jobs).
    """
    _load_stages()
    try:
        builder = _BUILDERS[job_name]
    except KeyError:
        raise KeyError(
            f"no settings for job {job_name!r}; jobs with settings: {', '.join(sorted(_BUILDERS))}"
        ) from None
    return builder(config, **context)


def seed_of(config: Mapping[str, Any], system: str, stage: str) -> int:
    """The seed of ``stage`` of ``system``, derived from the master ``config["seed"]``
    (:func:`cgexplain.config.system_seed`)."""
    return system_seed(config["seed"], system, stage)
