"""Logging for workflow steps: everything a step says goes to its log file."""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import sys
import time
from collections.abc import Iterator


@contextlib.contextmanager
def run_logging(path: str | os.PathLike, level: int = logging.INFO) -> Iterator[logging.Logger]:
    """Send logging, warnings, stdout and stderr to ``path``; log any exception raised.

    The exception is re-raised after being logged with its traceback, so the caller
    (e.g. Snakemake) still sees the step fail.
    """
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    stream = open(path, "a", buffering=1)  # noqa: SIM115 - closed below
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    old_level, old_handlers = root.level, root.handlers[:]
    root.handlers = [handler]
    root.setLevel(level)
    logging.captureWarnings(True)
    log = logging.getLogger("cgexplain")
    start = time.perf_counter()
    log.info("python %s on %s", sys.version.split()[0], platform.node())
    try:
        with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream):
            yield log
    except BaseException:
        log.exception("step failed")
        raise
    finally:
        log.info("wall time %.1f s", time.perf_counter() - start)
        root.handlers, root.level = old_handlers, old_level
        logging.captureWarnings(False)
        stream.close()


def eta(done: float, total: float, elapsed: float) -> str:
    """Time left as ``hh:mm:ss``, assuming the rate so far (``elapsed`` seconds for
    ``done`` of ``total`` units of work); ``--:--:--`` before any work is done."""
    if done <= 0 or not elapsed >= 0:
        return "--:--:--"
    left = max(total - done, 0.0) * elapsed / done
    hours, rest = divmod(int(round(left)), 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def progress(what: str, done: float, total: float, elapsed: float, unit: str = "") -> str:
    """One progress phrase: ``what k/N unit (p%), ETA hh:mm:ss`` (:func:`eta`)."""
    share = 100.0 * done / total if total else 100.0
    count = f"{done:g}/{total:g}{' ' + unit if unit else ''}"
    return f"{what} {count} ({share:3.0f}%), ETA {eta(done, total, elapsed)}"
