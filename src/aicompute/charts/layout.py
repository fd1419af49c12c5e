"""Label placement in pixel space that holds at every chart width.

A chart fills its container, so its plot width ``W`` is only known in the browser; its height
is fixed. The x scale is linear with an explicit domain, so a point at data position ``u`` (the
fraction of the x domain, 0 at the left edge, 1 at the right) is drawn at ``u·W`` pixels.
Every box here (a label, a point, a piece of a trend line, a plot edge) is *anchored*: its left
edge sits at ``left_at·W + left_dx`` and its right edge at ``right_at·W + right_dx`` pixels,
with ``0 ≤ left_at ≤ right_at ≤ 1`` and fixed offsets; its top and bottom are fixed pixels.

Two boxes are counted **clear** of each other at width ``W`` when

* they do not share any height (their vertical extents are disjoint), or
* one lies wholly left of the other *and its anchor is not right of the other's*:
  ``a.right(W) ≤ b.left(W)`` with ``a.right_at ≤ b.left_at`` (or the same with a, b swapped).

**Claim: a placement that is clear and inside the plot at width b stays so at every W ≥ b.**
Vertical extents do not depend on ``W``. The horizontal gap
``b.left(W) − a.right(W) = (b.left_at − a.right_at)·W + (b.left_dx − a.right_dx)`` is a
non-decreasing function of ``W`` because ``b.left_at − a.right_at ≥ 0``; a gap that is ≥ 0 at
``b`` stays ≥ 0. The edges are the same kind of gap: ``left(W) = left_at·W + left_dx`` and
``W − right(W) = (1 − right_at)·W − right_dx`` never decrease when ``0 ≤ left_at``,
``right_at ≤ 1``. (Two boxes separated "crosswise", each label reaching past the other's
anchor, are *not* counted clear: widening the plot would push them into each other.)

So the chart stores one placement per breakpoint width and, in the browser, shows the
placement computed for the largest breakpoint not above the actual plot width: it was clear at
that breakpoint, hence is clear at the actual width. Below the smallest breakpoint no labels
are shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from aicompute.charts.fonts import text_width

__all__ = [
    "BREAKPOINTS",
    "SIDES",
    "Frame",
    "Label",
    "anchored",
    "clear",
    "inside",
    "line_boxes",
    "place",
    "point_boxes",
]

BREAKPOINTS = (240, 300, 380, 480, 600, 760, 960, 1200)
"""Plot widths (px) a placement is computed for: a phone (≈ 300 px of plot at 390 px) to a
wide desktop column; more steps keep more labels at in-between widths."""

EPS = 1e-6
LINE_HEIGHT = 1.25
"""Height of one line of text, in font sizes."""

SIDES: dict[str, tuple[str, int, int]] = {
    "right": ("left", 1, 0),
    "left": ("right", -1, 0),
    "above": ("center", 0, -1),
    "below": ("center", 0, 1),
    "upper-right": ("left", 1, -1),
    "lower-right": ("left", 1, 1),
    "upper-left": ("right", -1, -1),
    "lower-left": ("right", -1, 1),
}
"""Where a label sits relative to its anchor: the text's alignment and the directions (x, y)
it is moved in, in order of preference."""

DIAGONAL = 0.75
"""A diagonal label is moved this fraction of the gap along each axis."""

Box = tuple[float, float, float, float, float, float]
"""(left_at, left_dx, right_at, right_dx, top, bottom): see the module's docstring."""


def anchored(at: float, dx0: float, dx1: float, top: float, bottom: float) -> Box:
    """A box whose both edges are tied to one data position ``at``."""
    return (at, dx0, at, dx1, top, bottom)


def _edges(box: Sequence[float] | np.ndarray, width: float) -> tuple[float, float]:
    return box[0] * width + box[1], box[2] * width + box[3]


def clear(a: Sequence[float], b: Sequence[float], width: float) -> bool:
    """Whether two boxes are clear of each other at plot width ``width`` (the stable sense of
    the module's docstring)."""
    if a[5] <= b[4] + EPS or b[5] <= a[4] + EPS:
        return True
    a0, a1 = _edges(a, width)
    b0, b1 = _edges(b, width)
    return (a1 <= b0 + EPS and a[2] <= b[0] + EPS) or (b1 <= a0 + EPS and b[2] <= a[0] + EPS)


def clear_of_all(box: Sequence[float], obstacles: np.ndarray, width: float) -> bool:
    """:func:`clear` of ``box`` against every row of ``obstacles`` (an N×6 array)."""
    if len(obstacles) == 0:
        return True
    o = obstacles
    vertical = (o[:, 5] <= box[4] + EPS) | (box[5] <= o[:, 4] + EPS)
    b0, b1 = _edges(box, width)
    o0 = o[:, 0] * width + o[:, 1]
    o1 = o[:, 2] * width + o[:, 3]
    left = (o1 <= b0 + EPS) & (o[:, 2] <= box[0] + EPS)
    right = (b1 <= o0 + EPS) & (box[2] <= o[:, 0] + EPS)
    return bool(np.all(vertical | left | right))


def inside(box: Sequence[float], width: float, height: float) -> bool:
    """Whether the box lies within the plot (and its anchors within the x domain)."""
    x0, x1 = _edges(box, width)
    return (
        -EPS <= box[0] <= box[2] <= 1 + EPS
        and x0 >= -EPS
        and x1 <= width + EPS
        and box[4] >= -EPS
        and box[5] <= height + EPS
    )


@dataclass(frozen=True)
class Frame:
    """The exact mapping from data to pixels of one view of a chart: an x domain, a y domain
    (of the value after ``transform``, e.g. log10) and the plot height."""

    x0: float
    x1: float
    y0: float
    y1: float
    height: float
    transform: Callable[[float], float] = field(default=lambda v: v, repr=False)

    def u(self, x: float) -> float:
        return (x - self.x0) / (self.x1 - self.x0)

    def py(self, value: float) -> float:
        """Pixels from the top of the plot."""
        return (self.y1 - self.transform(value)) / (self.y1 - self.y0) * self.height

    def contains(self, x: float, value: float) -> bool:
        return 0 <= self.u(x) <= 1 and 0 <= self.py(value) <= self.height


@dataclass(frozen=True)
class Label:
    """A text to place: its lines, font, the anchors it may sit at (data x and value, in
    order of preference), the sides it may take, and its distance from the anchor (px)."""

    lines: tuple[str, ...]
    size: float = 11.0
    bold: bool = False
    anchors: tuple[tuple[float, float], ...] = ()
    sides: tuple[str, ...] = tuple(SIDES)
    gap: float = 8.0
    pixel_y: float | None = None
    """A fixed height in the plot (px from its top) instead of the anchors' values."""

    @property
    def width(self) -> float:
        return max(text_width(line, self.size, self.bold) for line in self.lines)

    @property
    def height(self) -> float:
        return len(self.lines) * self.size * LINE_HEIGHT

    def _centre(self, side: str) -> tuple[float, float]:
        """(dx, dy) from the anchor to the text block's aligned edge and vertical centre."""
        _, sx, sy = SIDES[side]
        d = self.gap * (DIAGONAL if sx and sy else 1.0)
        return sx * d, sy * (d + self.height / 2)

    def offset(self, side: str) -> tuple[float, float]:
        """(dx, dy) the text mark is drawn with (``baseline: middle``): Vega centres the
        *first* line there and sets the others below it, so a block of n lines is lifted by
        (n − 1)/2 line heights to centre it."""
        dx, dy = self._centre(side)
        return dx, dy - (len(self.lines) - 1) * self.size * LINE_HEIGHT / 2

    def box(self, u: float, y: float, side: str) -> Box:
        align, _, _ = SIDES[side]
        dx, dy = self._centre(side)
        w, h = self.width, self.height
        x0 = {"left": dx, "right": dx - w, "center": -w / 2}[align]
        top = y + dy - h / 2
        return anchored(u, x0, x0 + w, top, top + h)


def point_boxes(frame: Frame, points: Sequence[tuple[float, float]], radius: float) -> np.ndarray:
    """Obstacle boxes of the points inside the frame (half-size ``radius`` px)."""
    rows = [
        anchored(frame.u(x), -radius, radius, frame.py(v) - radius, frame.py(v) + radius)
        for x, v in points
        if 0 <= frame.u(x) <= 1
    ]
    return np.array(rows, dtype=float).reshape(-1, 6)


def line_boxes(
    frame: Frame, points: Sequence[tuple[float, float]], pad: float = 2.0, samples: int = 80
) -> np.ndarray:
    """Obstacle boxes covering a polyline (data x, value), resampled densely along x and
    clipped to the x domain: one box per short segment, ``pad`` px thicker than the line."""
    if len(points) < 2:
        return np.zeros((0, 6))
    xs = np.array([p[0] for p in points], dtype=float)
    ys = np.array([frame.py(p[1]) for p in points], dtype=float)
    lo, hi = max(xs.min(), frame.x0), min(xs.max(), frame.x1)
    if hi <= lo:
        return np.zeros((0, 6))
    grid = np.linspace(lo, hi, samples)
    py = np.interp(grid, xs, ys)
    u = (grid - frame.x0) / (frame.x1 - frame.x0)
    top = np.minimum(py[:-1], py[1:]) - pad
    bottom = np.maximum(py[:-1], py[1:]) + pad
    return np.column_stack([u[:-1], np.zeros(samples - 1), u[1:], np.zeros(samples - 1), top,
                            bottom])  # fmt: skip


Choice = tuple[int, str] | None
"""The anchor index and side a label was placed at, or None when it was dropped."""


def place(
    labels: Sequence[Label], frame: Frame, obstacles: np.ndarray, width: float
) -> list[Choice]:
    """Greedy placement in the order given (highest priority first): each label takes the
    first anchor and side whose box is inside the plot and clear of every obstacle and every
    label already placed; a label with no such position is dropped."""
    taken = np.asarray(obstacles, dtype=float).reshape(-1, 6)
    out: list[Choice] = []
    for label in labels:
        choice: Choice = None
        for k, (x, value) in enumerate(label.anchors):
            u = frame.u(x)
            y = frame.py(value) if label.pixel_y is None else label.pixel_y
            if not (0 <= u <= 1 and 0 <= y <= frame.height):
                continue
            for side in label.sides:
                box = label.box(u, y, side)
                if inside(box, width, frame.height) and clear_of_all(box, taken, width):
                    choice = (k, side)
                    taken = np.vstack([taken, np.array(box)[None, :]])
                    break
            if choice is not None:
                break
        out.append(choice)
    return out
