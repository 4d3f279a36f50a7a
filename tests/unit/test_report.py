"""The report's first page: the verdict table rendered as reStructuredText."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from docutils.core import publish_parts

from cgexplain.analysis import claims as cl
from cgexplain.report import MARKER, claims_rst, verdict_counts, write_report_page


def _table() -> pd.DataFrame:
    rows = [
        cl.claim_row("three_body_contrast", "painn", "q1", 0.12, 0.05, 0.2, "<", 1.0, "the study"),
        cl.claim_row(
            "well_at_rdf_peak",
            "water so3net",
            "q2",
            0.9,
            0.7,
            1.1,
            "<=",
            0.5,
            "the RDF peak's half width",
        ),  # fmt: skip
        cl.claim_row("weak_dip", "methane", "q3", 0.45, 0.3, 0.6, "<=", 0.5, "painn"),
        cl.not_run_row(
            "imc_structure.reproduced", "methane", "q4", "not run: VOTCA/LAMMPS missing"
        ),
    ]
    return pd.DataFrame(rows, columns=list(cl.CLAIM_COLUMNS))


def test_counts_split_decided_undecided_and_not_run():
    assert verdict_counts(_table()) == {
        "holds": 1, "does not hold": 1, "undecided": 1, "not run": 1,
    }  # fmt: skip


def test_claims_table_renders_every_row_with_value_interval_and_verdict():
    html = publish_parts(claims_rst(_table()), writer="html")["html_body"]
    assert "System Message" not in html  # docutils reports rst errors inline
    assert html.count("<li>") == 4  # one item per claim
    assert "0.12 [0.05, 0.2]" in html and "&lt; 1" in html and "&lt;= 0.5" in html
    assert "does not hold" in html and "(Fig. 3)" in html
    assert "threshold: the RDF peak's half width" in html
    assert "not run: VOTCA/LAMMPS missing" in html
    assert "1 of 4 claims hold" in html


def test_report_page_from_template_and_without_claims(tmp_path):
    template = tmp_path / "workflow.rst"
    template.write_text(f"Title\n=====\n\n{MARKER}\n\nFigures follow.\n")
    claims = tmp_path / "claims.csv"
    out = tmp_path / "page" / "workflow.rst"
    text = write_report_page(template, claims, out).read_text()
    assert "have not been checked yet" in text and MARKER not in text
    table = _table()
    table.to_csv(claims, index=False)
    text = write_report_page(template, claims, out).read_text()
    assert "2-body stabilising well lies within the first RDF peak" in text
    assert "Figures follow." in text
    assert np.isnan(pd.read_csv(claims)["value"].iloc[-1])
    template.write_text("no marker\n")
    with pytest.raises(ValueError, match=MARKER):
        write_report_page(template, claims, out)


def test_a_table_without_the_verdict_column_gets_one():
    old = _table().iloc[:3].drop(columns="verdict")
    html = publish_parts(claims_rst(old), writer="html")["html_body"]
    assert "0 of 3 claims hold" in html and "table of an older version" in html
