"""The first page of ``snakemake --report``: the study's claims and their verdicts.

Snakemake renders one global reStructuredText page (the Snakefile's ``report:``) before
the result categories. The workflow writes that page from a template
(``workflow/report/workflow.rst``) whose ``@VERDICTS@`` line becomes the table of
``results/validation/claims.csv`` (:mod:`cgexplain.analysis.claims`) as it stands when
the report is made, so the page answers "does the study hold for my models?" first.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pandas as pd

__all__ = ["MARKER", "claims_rst", "verdict_counts", "write_report_page"]

#: the template line that the verdict table replaces
MARKER = "@VERDICTS@"


def _number(x: float) -> str:
    """A value for the table: 3 significant digits, '–' for NaN."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.3g}"


def _cell(text: str) -> str:
    """One list-table cell; rst-significant characters (``*``, backquote, ``|``) escaped."""
    text = " ".join(str(text).split())
    for char in ("\\", "*", "`", "|", "_"):
        text = text.replace(char, "\\" + char)
    return text or "–"


def verdict_counts(table: pd.DataFrame) -> dict[str, int]:
    """Rows per kind of verdict: ``holds``, ``does not hold``, ``undecided`` (the
    interval crosses the threshold or is missing; counted apart from the first two) and
    ``not run``."""
    verdicts = table["verdict"].fillna("").astype(str)
    undecided = verdicts.str.contains("undecided")
    return {
        "holds": int((verdicts.str.startswith("holds") & ~undecided).sum()),
        "does not hold": int((verdicts.str.startswith("does not hold") & ~undecided).sum()),
        "undecided": int(undecided.sum()),
        "not run": int(verdicts.str.startswith("not run").sum()),
    }


def claims_rst(table: pd.DataFrame) -> str:
    """The claims as an rst bullet list, verdict first, then the claim, the value with
    its interval and the test; preceded by one line of counts.

    Args:
        table: ``claims.csv`` (columns ``claim``, ``value``, ``ci_low``, ``ci_high``,
            ``expected``, ``verdict``).
    """
    if table.empty:
        return "No claim could be tested on this run's systems and models.\n"
    if "verdict" not in table:  # a table written before the verdict column existed
        table = table.assign(verdict="undecided (table of an older version: rerun check_claims)")
    counts = verdict_counts(table)
    n_no, n_open, n_skip = counts["does not hold"], counts["undecided"], counts["not run"]
    summary = (
        f"**{counts['holds']} of {len(table)} claims hold**, {n_no} "
        f"{'does' if n_no == 1 else 'do'} not, {n_open} "
        f"{'is' if n_open == 1 else 'are'} undecided (the interval crosses the threshold "
        f"or is missing) and {n_skip} {'was' if n_skip == 1 else 'were'} not run."
    )
    # a list, not a table: Snakemake's report shows this page in a narrow column
    lines = [summary, ""]
    for row in table.itertuples(index=False):
        value = _number(row.value)
        if not (math.isnan(row.ci_low) or math.isnan(row.ci_high)):
            value += f" [{_number(row.ci_low)}, {_number(row.ci_high)}]"
        test = row.expected if isinstance(row.expected, str) and row.expected else ""
        source = getattr(row, "threshold_from", "")
        figure = getattr(row, "figure", "")
        lines.append(
            f"- **{_cell(row.verdict)}**: "
            + (f"({_cell(figure)}) " if isinstance(figure, str) and figure else "")
            + _cell(row.claim)
            + (f" — {_cell(value)}, test {_cell(test)}" if test else "")
            + (f" (threshold: {_cell(source)})" if isinstance(source, str) and source else "")
        )
    return "\n".join(lines) + "\n"


def write_report_page(template: str | os.PathLike, claims: str | os.PathLike,
                      out: str | os.PathLike) -> Path:  # fmt: skip
    """Write the report's first page: ``template`` with its :data:`MARKER` line replaced
    by :func:`claims_rst` of ``claims`` (or a note that the claims are not checked yet).

    Returns:
        ``out`` (written atomically: a concurrent reader sees the old or the new page).
    """
    text = Path(template).read_text()
    if MARKER not in text:
        raise ValueError(f"{template} has no {MARKER} line")
    claims = Path(claims)
    if claims.is_file():
        body = claims_rst(pd.read_csv(claims, keep_default_na=True))
    else:
        body = (
            f"The claims have not been checked yet: ``{claims}`` is made by the rule "
            "``check_claims`` (part of the default target).\n"
        )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.partial")
    tmp.write_text(text.replace(MARKER, body))
    os.replace(tmp, out)
    return out
