"""Runtime (minutes) and memory (MB) each heavy job asks a scheduler for.

Thin wrappers around cgexplain.estimates, which holds the measured speeds as named
constants and reads only the system's settings. Jobs that declare nothing take the
profile's `default-resources`.
"""

from cgexplain import estimates  # noqa: E402


def estimate(function, *args):
    """Resource function ``(wildcards, attempt)`` of an estimate of the job's system."""

    def resource(wildcards, attempt):
        return function(config[wildcards.system], *args, attempt=attempt)

    return resource


def scaled_mb(mb):
    """Memory that grows with each retry."""
    return lambda wildcards, attempt: mb * attempt


def training_priority(wildcards):
    """Priority of a training job: the costliest architectures first (a cutoff-series copy
    counts as its architecture; cgexplain.estimates.training_priority)."""
    series = series_models(wildcards.system)
    model = wildcards.model
    return estimates.training_priority(series[model][0] if model in series else model)
