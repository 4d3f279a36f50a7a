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
