"""One figure saver (cgexplain.plots.style.save) for every plot of the workflow."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
from PIL import Image

from cgexplain.plots.style import save, setup

WORKFLOW = Path(__file__).resolve().parents[2] / "workflow"


def _figure() -> plt.Figure:
    setup()
    fig, ax = plt.subplots(figsize=(2.0, 1.5))
    ax.plot([0, 1, 2], [1, 0, 1])
    return fig


def test_saver_writes_each_path_as_savefig_does_and_closes(tmp_path):
    fig = _figure()
    fig.savefig(tmp_path / "direct.png")
    save(fig, [str(tmp_path / "fig.png"), str(tmp_path / "fig.pdf")])
    assert not plt.fignum_exists(fig.number)
    assert (tmp_path / "fig.png").read_bytes() == (tmp_path / "direct.png").read_bytes()
    assert (tmp_path / "fig.pdf").read_bytes().startswith(b"%PDF")
    with Image.open(tmp_path / "fig.png") as image:
        assert round(image.info["dpi"][0]) == 150
    one = _figure()
    save(one, str(tmp_path / "single.png"))  # one path, not its characters
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("single")] == ["single.png"]


def test_no_other_saver():
    sources = [
        *(WORKFLOW / "lib" / "cgexplain").rglob("*.py"),
        *(WORKFLOW / "scripts").glob("*.py"),
    ]
    others = [
        path.relative_to(WORKFLOW).as_posix()
        for path in sources
        if path.name != "style.py"
        and (".savefig(" in path.read_text() or "def _save(" in path.read_text())
    ]
    assert others == []
