"""Checks of written figures (a real PNG and PDF) and of the data drawn in a Figure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def assert_png(path: str | Path, min_pixels: int = 100) -> np.ndarray:
    """A PNG that reads as an RGB(A) image of at least ``min_pixels`` per side with more
    than one colour (not blank); returns the pixels."""
    from matplotlib.image import imread

    path = Path(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path
    pixels = imread(path)
    assert pixels.ndim == 3 and pixels.shape[2] in (3, 4), (path, pixels.shape)
    assert min(pixels.shape[:2]) >= min_pixels, (path, pixels.shape)
    assert pixels[..., :3].std() > 0, f"{path} is blank"
    return pixels


def assert_figure(
    path: str | Path,
    size_inches: tuple[float | None, float | None] = (None, None),
    dpi: float = 150.0,
    min_bytes: int = 0,
) -> None:
    """A written figure: over ``min_bytes``; a PNG decodes, is not blank and has about the
    pixel size of ``size_inches`` (width, height; None: not checked) at ``dpi`` (the house
    style saves with a tight bounding box: 0.6-1.5x the nominal size); a PDF has its
    header and end marker."""
    path = Path(path)
    assert path.stat().st_size > min_bytes, path
    if path.suffix == ".pdf":
        assert_pdf(path)
        return
    pixels = assert_png(path)
    for side, inches in zip(pixels.shape[1::-1], size_inches, strict=True):
        if inches is not None:
            assert 0.6 * inches * dpi <= side <= 1.5 * inches * dpi, (path, pixels.shape)


def assert_pdf(path: str | Path) -> None:
    """A PDF file: the header and the end-of-file marker."""
    data = Path(path).read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-64:], path


def written(tmp_path: Path, stem: str):
    """Paths of ``stem``.png and ``stem``.pdf, and a check that both were written (more than
    1000 bytes each) as a non-blank PNG and a PDF."""
    paths = [str(tmp_path / f"{stem}.png"), str(tmp_path / f"{stem}.pdf")]

    def ok() -> bool:
        assert_png(paths[0])
        assert_pdf(paths[1])
        return all((tmp_path / f"{stem}.{e}").stat().st_size > 1000 for e in ("png", "pdf"))

    return paths, ok


def expected_grid(
    table: pd.DataFrame, min_count: int, value: str = "mean"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x centres, y centres, (n_y, n_x) ``value``) of a long binned table (``x``, ``y``,
    ``count``), NaN where ``count < min_count``, filled cell by cell."""
    xs, ys = np.unique(table["x"]), np.unique(table["y"])
    grid = np.full((ys.size, xs.size), np.nan)
    for x, y, v, n in zip(table["x"], table["y"], table[value], table["count"], strict=True):
        if n >= min_count:
            grid[np.searchsorted(ys, y), np.searchsorted(xs, x)] = v
    return xs, ys, grid


def mesh_centres(mesh) -> tuple[np.ndarray, np.ndarray]:
    """Cell centres (x (n_x,), y (n_y,)) of a QuadMesh on a regular grid."""
    corners = mesh.get_coordinates()  # (n_y + 1, n_x + 1, 2) cell edges
    x, y = corners[0, :, 0], corners[:, 0, 1]
    return (x[:-1] + x[1:]) / 2, (y[:-1] + y[1:]) / 2


def assert_mesh(mesh, xs: np.ndarray, ys: np.ndarray, grid: np.ndarray) -> None:
    """A QuadMesh draws ``grid`` (n_y, n_x) at centres ``xs``, ``ys``; NaN cells blank."""
    drawn = mesh.get_array()
    assert drawn.shape == grid.shape
    np.testing.assert_array_equal(np.ma.getmaskarray(drawn), np.isnan(grid))
    np.testing.assert_allclose(np.ma.filled(drawn.astype(float), np.nan), grid)
    cx, cy = mesh_centres(mesh)
    np.testing.assert_allclose(cx, xs)
    np.testing.assert_allclose(cy, ys)
