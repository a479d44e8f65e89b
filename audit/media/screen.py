"""A cheap look for screens, whiteboards and documents, so only those photos pay for OCR.

OCR costs about a second a photo; this costs milliseconds on a 768-pixel copy (JPEG decodes at 1/4 or 1/8 scale for it).
Two shapes are looked for, each with a reason a person can check:
- lines of print: cells with sharp strokes side by side in a row (letters make
  several dark/light crossings per row; a hill's edge makes one, waves make
  horizontal streaks with none), on a colourless surface or on one flat colour
  (a chat bubble, a sticky note, a slide), where leaves are many shades;
- a monitor: a mostly dark frame crossed by thin bright coloured traces.
Print found tilted (a phone or a board photographed off level) is looked for
again in the picture turned level, and OCR is given the picture turned level.
It errs toward sending a photo to OCR: a wasted second is cheaper than a
missed whiteboard.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PIL import Image
from scipy import ndimage

from audit.media import tilt
from audit.media.findings import Screen

SIZE = 768  # letters 1% of the image tall still span ~8 pixels: enough to see strokes
CELL = 16
EDGE = 40.0  # grey-level step (0-255) that counts as a stroke edge
MIN_LINE_CELLS = 3  # text cells side by side that make a line of print
MIN_TEXT_CELLS = 12  # cells on lines of print, in at least MIN_TEXT_ROWS rows, that send a photo to OCR
MIN_TEXT_ROWS = 2
ALIGN_PX = 3.0  # how far the stroke centres of neighbouring cells on one line may differ
MONITOR_AREA = 0.08  # dark cells, as a share of the image, before traces are looked for
MONITOR_SPAN = 0.35
MONITOR_FILL = 0.5  # share of its bounding box a screen's dark patch fills
COLOURLESS = 0.25  # mean chroma (0-1) under which a cell's print is on a colourless surface
FLAT_COLOUR = 24.0  # how far (0-255, per channel) the background colours of a line's coloured cells may differ
FLAT_PIXEL = 12.0  # how far from its cell's background colour a pixel of that background may be
MIN_COLOUR_CELLS = 4  # a line of print on colour is one cell longer: leaves against a flat sky make runs of three
TILTED_CELLS = 24  # print-like cells, not in level lines, before the picture is tried turned level (tilted print measured 40+)
RETRY_DEGREES = 5.0  # tilt from which print is looked for again turned level (level lines are found to 8-10°)


def detect(img: Image.Image) -> Screen:
    """Decide whether `img` (any mode, any size) looks like it carries text or a monitor."""
    small = img.convert("RGB")
    small.thumbnail((SIZE, SIZE), Image.Resampling.BILINEAR)
    grey, chroma, val, rgb = _planes(small)
    monitor = _monitor(chroma, val)
    if monitor is not None:
        return monitor
    found, strokes, step = _print(grey, chroma, val, rgb)
    if not found.send_to_ocr and strokes.sum() < TILTED_CELLS:  # too little print-like texture for tilted print: most photos
        return found
    angle = tilt.estimate(*_marks(strokes, step))
    if found.send_to_ocr:
        return replace(found, tilt=angle)
    if abs(angle) < RETRY_DEGREES:  # print this near level would have been found level: leaves, not print
        return found
    fill = tuple(int(c) for c in rgb.reshape(-1, 3).mean(axis=0))
    again, _, _ = _print(*_planes(small.rotate(-angle, resample=Image.Resampling.BILINEAR, fillcolor=fill)))
    if not again.send_to_ocr:
        return found
    return replace(again, reason=f"{again.reason}, turned {abs(angle):.0f}° off level", tilt=angle)


def _planes(small: Image.Image) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Grey (0-255), chroma and value (0-1), and the RGB pixels of an RGB picture."""
    rgb = np.asarray(small)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    top, bottom = np.maximum(np.maximum(r, g), b), np.minimum(np.minimum(r, g), b)  # 10x faster than max(axis=-1)
    val = top.astype(np.float32) / 255.0
    chroma = (top - bottom).astype(np.float32) / 255.0
    return np.asarray(small.convert("L"), dtype=np.float32), chroma, val, rgb


def _monitor(chroma: np.ndarray, val: np.ndarray) -> Screen | None:
    """A dark rectangle (the screen, wherever it sits) crossed by thin bright coloured traces: ECG, pleth, coloured vitals.

    The screen is one connected patch of dark cells filling most of its bounding box, and only colour lying on
    it counts as a trace: in a photo, dark hair, a helmet or a shadow is scattered, and the colour beside it
    (an orange flight suit, a red motorbike) lies on no screen.
    """
    h, w = val.shape
    ch, cw = h // CELL, w // CELL
    if ch == 0 or cw == 0:
        return None
    dark_cells = _cells(val < 0.2, ch, cw).mean(axis=(1, 3)) >= 0.5  # the cell's median is dark
    if float(dark_cells.mean()) < MONITOR_AREA:
        return None
    bright = ((chroma > 0.35) & (val > 0.45))[:ch * CELL, :cw * CELL]
    patches, _ = ndimage.label(dark_cells)
    for index, box in enumerate(ndimage.find_objects(patches), start=1):
        patch = patches[box] == index
        if patch.sum() < MONITOR_AREA / 2 * dark_cells.size or patch.mean() < MONITOR_FILL:
            continue
        on_screen = np.repeat(np.repeat(patch, CELL, axis=0), CELL, axis=1)
        traces = bright[box[0].start * CELL:box[0].stop * CELL, box[1].start * CELL:box[1].stop * CELL] & on_screen
        share = float(traces.mean())
        span = float(traces.any(axis=0).mean())
        if 0.003 <= share <= 0.25 and span >= MONITOR_SPAN:
            screen = patch.size / dark_cells.size
            reason = (f"dark screen ({screen:.0%} of the image) with bright coloured traces across {span:.0%} of its width, "
                      "like a patient monitor")
            return Screen(True, "monitor", reason, round(screen, 3))
    return None


def _print(grey: np.ndarray, sat: np.ndarray, val: np.ndarray, rgb: np.ndarray) -> tuple[Screen, np.ndarray, np.ndarray]:
    """The verdict on lines of print, the cells that look like print (in lines or not), and the stroke edges."""
    lines, light, strokes, step = _line_cells(grey, sat, rgb)
    n_cells = int(lines.sum())
    n_lines = int(lines.any(axis=1).sum()) if lines.size else 0
    if n_cells < MIN_TEXT_CELLS or n_lines < MIN_TEXT_ROWS:
        share = n_cells / lines.size if lines.size else 0.0
        none = Screen(False, "none", f"no screen or text-dense region (text-like strokes in {share:.1%} of the image)", round(share, 4))
        return none, strokes, step
    rows, cols = np.nonzero(lines)
    region = (np.ptp(rows) + 1) * (np.ptp(cols) + 1) / lines.size
    pale = float(((val > 0.7) & (sat < 0.15)).mean())
    kind = "whiteboard or document" if pale >= 0.3 else "screen or text"
    reason = f"text-dense region covering {region:.0%} of the image ({n_lines} rows of text-like strokes)"
    if kind == "whiteboard or document":
        reason += f" on a pale, colourless surface ({pale:.0%} of the image), like a whiteboard, chart or label"
    if light:
        reason += "; light print on a coloured background, like a chat bubble"
    return Screen(True, kind, reason, round(float(region), 3), light_print=light), strokes, step


def _marks(strokes: np.ndarray, step: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of the stroke edges inside print-like cells."""
    ch, cw = strokes.shape
    marks = np.nonzero(_cells(step, ch, cw) & strokes[:, None, :, None])
    return marks[0] * CELL + marks[1], marks[2] * CELL + marks[3]


def _line_cells(grey: np.ndarray, sat: np.ndarray, rgb: np.ndarray) -> tuple[np.ndarray, bool, np.ndarray, np.ndarray]:
    """Cells that look like print and sit in a horizontal run of at least MIN_LINE_CELLS such cells; whether any
    of that print is light on a coloured background; the print-like cells, in lines or not; the stroke edges."""
    h, w = grey.shape
    ch, cw = h // CELL, w // CELL
    if ch == 0 or cw < MIN_LINE_CELLS:
        return np.zeros((0, 0), dtype=bool), False, np.zeros((0, 0), dtype=bool), np.zeros((0, 0), dtype=np.uint8)
    step = np.zeros(grey.shape, dtype=np.uint8)
    step[:, 1:] = np.abs(np.diff(grey, axis=1)) > EDGE
    grey_c = _cells(grey, ch, cw)
    contrast = grey_c.max(axis=(1, 3)) - grey_c.min(axis=(1, 3))
    per_row = _cells(step, ch, cw).sum(axis=3, dtype=np.int32).transpose(0, 2, 1)  # crossings in each pixel row of a cell
    busy_rows = (per_row >= 2).mean(axis=-1)
    colour = _cells(sat, ch, cw).mean(axis=(1, 3))
    strokes = (contrast >= 90) & (per_row.sum(axis=-1) >= 0.08 * CELL * CELL) & (busy_rows >= 0.3)
    plain, tinted = strokes & (colour < COLOURLESS), strokes & (colour >= COLOURLESS)
    # Where in each cell the strokes sit: letters of one line share a baseline, leaves do not.
    weights = per_row.sum(axis=-1)
    centre = (per_row * np.arange(CELL)).sum(axis=-1) / np.maximum(weights, 1)
    lines = _aligned_runs(plain, centre, MIN_LINE_CELLS)
    if not tinted.any():
        return lines, False, strokes, step
    # Print on colour: a line's cells share one background colour (the cell's median), where leaves lie on sky,
    # hill and other leaves. Medians of the few tinted cells only: a whole-image median would double the cost.
    ys, xs = np.nonzero(tinted)
    pixels = rgb[:ch * CELL, :cw * CELL].reshape(ch, CELL, cw, CELL, 3)[ys, :, xs].reshape(len(ys), -1, 3).astype(np.float32)
    median = np.median(pixels, axis=1)
    # Most of a print cell is its background, one colour; in grain and noise no colour holds half the cell.
    flat = (np.abs(pixels - median[:, None]).max(axis=-1) <= FLAT_PIXEL).mean(axis=-1) >= 0.5
    background = np.full((ch, cw, 3), np.nan, dtype=np.float32)
    background[ys[flat], xs[flat]] = median[flat]
    on_colour = _aligned_runs(tinted, centre, MIN_COLOUR_CELLS, background)
    lines |= on_colour
    # Light strokes: the cell is lighter on average than its background.
    bg_grey = background[..., 0] * 0.299 + background[..., 1] * 0.587 + background[..., 2] * 0.114
    light = bool((on_colour & (grey_c.mean(axis=(1, 3)) > bg_grey)).any())
    return lines, light, strokes, step


def _cells(a: np.ndarray, ch: int, cw: int) -> np.ndarray:
    """A (cell row, pixel row, cell column, pixel column) view: reduce over axes (1, 3) for per-cell values."""
    return a[:ch * CELL, :cw * CELL].reshape(ch, CELL, cw, CELL)


def _aligned_runs(mask: np.ndarray, centre: np.ndarray, length: int, background: np.ndarray | None = None) -> np.ndarray:
    """Cells in a horizontal run of `length` print-like cells whose strokes sit at one height (a line of print),
    and, given each cell's background colour (NaN where unknown), on one flat colour."""
    out = np.zeros_like(mask)
    if mask.shape[1] < length:
        return out
    window = np.lib.stride_tricks.sliding_window_view
    windows = window(mask, length, axis=1).all(axis=-1)
    spread = np.ptp(window(centre, length, axis=1), axis=-1)
    starts = windows & (spread <= ALIGN_PX)
    if background is not None:
        colours = np.nan_to_num(np.ptp(window(background, length, axis=1), axis=-1), nan=255.0).max(axis=-1)
        starts &= colours <= FLAT_COLOUR
    for offset in range(length):
        out[:, offset:offset + starts.shape[1]] |= starts
    return out
