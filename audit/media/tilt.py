"""How far lines of print are turned off level, and the picture turned back, so a tilted board or phone is still read.

The check for print looks for level lines, and Tesseract reads text turned more
than about 8° badly: both are given the picture turned level. The angle comes
from the stroke edges of the print-like cells alone (a horizon or a hill would
pull it otherwise): turned by the right angle, those edges pile up into the rows
of the lines of print and the gaps between them stay empty.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

MAX_DEGREES = 20  # tilts searched, either way: a photo turned further is a photo of a page held at an angle on purpose
MIN_DEGREES = 2.0  # below this the picture is left as it is: Tesseract reads it as well
MIN_MARKS = 200  # stroke pixels below which no angle is trusted
MAX_MARKS = 10_000  # stroke pixels looked at, evenly spaced: a page of print has a few thousand, grain hundreds of thousands
# How much sharper the best angle's rows must be than a typical angle's: print measured 2 to 4 (a phone small in a
# scene, 20° off: 1.97); leaves, grain and gradients 1.0 to 1.9, where the picture is left as it is.
SHARPER = 1.5
_COARSE = np.arange(-MAX_DEGREES, MAX_DEGREES + 1, 2)


def estimate(ys: np.ndarray, xs: np.ndarray) -> float:
    """Degrees the print is turned counter-clockwise (Pillow's sense), from its stroke pixels' rows and columns; 0 if unsure.

    Every other degree first, then the two either side of the best: a degree off is as good as level to Tesseract.
    """
    if len(ys) < MIN_MARKS:
        return 0.0
    every = -(-len(ys) // MAX_MARKS)
    ys, xs = ys[::every].astype(np.float32), xs[::every].astype(np.float32)
    scores = {float(d): _sharpness(ys, xs, d) for d in _COARSE}
    coarse = max(scores, key=scores.__getitem__)
    typical = float(np.median(list(scores.values())))
    scores.update({d: _sharpness(ys, xs, d) for d in (coarse - 1, coarse + 1) if abs(d) <= MAX_DEGREES})
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] >= SHARPER * typical else 0.0


def _sharpness(ys: np.ndarray, xs: np.ndarray, degrees: float) -> float:
    """Turned by `degrees`, how sharply the marks pile into rows: rows of ink and empty gaps score highest."""
    a = np.deg2rad(degrees)
    rows = np.rint(ys * np.cos(a) + xs * np.sin(a)).astype(np.int32)
    counts = np.bincount(rows - rows.min()).astype(np.float64)
    return float((counts**2).sum())


def level(img: Image.Image, degrees: float) -> Image.Image:
    """`img` turned back by `degrees`, grown to keep its corners; the new corners take the picture's median grey."""
    if abs(degrees) < MIN_DEGREES:
        return img
    fill = _median(img)
    return img.rotate(-degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill)


def _median(img: Image.Image) -> int | tuple[int, ...]:
    small = img.copy()
    small.thumbnail((64, 64))
    values = np.asarray(small).reshape(-1, len(small.getbands()))
    median = tuple(int(v) for v in np.median(values, axis=0))
    return median[0] if len(median) == 1 else median
