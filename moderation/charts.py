"""Charts for the care dashboard, drawn on the server as SVG: no chart library, no JavaScript.

Each chart is an ``<svg role="img">`` with a title and a description for screen readers; the
dashboard prints the same numbers as a table next to it. Values that are missing (``None``: a
week without threads) leave a gap in a line and no bar, never a zero that was not measured.

The server cannot measure text, so labels are laid out from an estimate of their width
(``text_width``) that errs on the wide side: legend entries wrap to a new row and axis labels
are thinned, staggered or shortened (the whole label in a tooltip) before they could overlap,
whatever the language.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH = 640
HEIGHT = 220  # with one row of axis labels and at most one legend row; more rows add to it
MARGIN_LEFT = 48
MARGIN_RIGHT = 12
MARGIN_TOP = 12
MARGIN_BOTTOM = 36
GRID_LINES = 4  # at most this many intervals between the y-axis ticks
FONT_SIZE = 11  # svg.chart .chart-axis in static/app.css
LABEL_GAP = 6  # the least space between two labels on a row
LABEL_ROW = 13  # from one row of axis labels to the next
LEGEND_ROW = 15  # from one legend row to the next
KEY_SIZE = 10  # a legend entry's colour square, then KEY_GAP, then its name
KEY_GAP = 4
LEGEND_GAP = 16  # between two legend entries on a row
ELLIPSIS = "…"

# Widths in ems, rounded up from DejaVu Sans, the widest of the usual sans-serifs (the browser's
# fallback for pico's system-ui on Linux): a label must never be drawn wider than estimated.
_NARROW = frozenset("fijlrtI.,;:!|'()[] ")
_WIDE = frozenset("mwMW@%…—")


@dataclass(frozen=True)
class Point:
    label: str  # an x-axis label: a week ("17 Nov"), a category name
    value: float | None


@dataclass(frozen=True)
class Label:
    """A label as drawn: ``text`` is ``full`` or ``full`` shortened with an ellipsis."""

    text: str
    full: str
    x: float
    row: int  # 0 for the first row (under the axis, or of the legend), 1 for the next...

    @property
    def shortened(self) -> bool:
        return self.text != self.full


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """An estimate of how wide ``text`` is drawn at ``size``, a little generous."""
    ems = 0.0
    for char in text:
        if char in _NARROW:
            ems += 0.36
        elif char in _WIDE:
            ems += 1.0
        elif char.isupper():
            ems += 0.76
        elif char.isdigit():
            ems += 0.64
        else:
            ems += 0.62
    return ems * size


def shorten(text: str, width: float) -> str:
    """``text`` if it fits in ``width``, else its longest start that fits with an ellipsis."""
    if text_width(text) <= width:
        return text
    for end in range(len(text) - 1, 0, -1):
        candidate = text[:end].rstrip() + ELLIPSIS
        if text_width(candidate) <= width:
            return candidate
    return ELLIPSIS


def nice_ticks(highest: float, *, integer: bool = False) -> list[float]:
    """The y-axis ticks from 0 to the first round value at or above ``highest``: a step of 1, 2,
    2.5 or 5 times a power of ten, the smallest that needs at most GRID_LINES intervals.

    ``integer`` is for values labelled as whole numbers (counts, whole percentages): the step is
    then whole too, so no two ticks print the same label (0, 0, 1, 1, 2)."""
    highest = max(highest, 1.0 if integer else 0.0) or 1.0
    power = 10.0 ** math.floor(math.log10(highest / GRID_LINES))
    while True:
        for multiple in (1, 2, 2.5, 5):
            step = multiple * power
            if integer and (step < 1 or step % 1):
                continue
            intervals = math.ceil(highest / step - 1e-9)
            if intervals <= GRID_LINES:
                return [round(step * i, 9) for i in range(intervals + 1)]
        power *= 10


def thinned_labels(labels: Sequence[str], xs: Sequence[float], slot: float) -> list[Label]:
    """Labels of a time axis, one every so many slots so the widest has room: the skipped
    ones are read from their neighbours (weeks)."""
    widest = max((text_width(label) for label in labels), default=0.0)
    every = max(1, math.ceil((widest + LABEL_GAP) / slot))
    return [
        Label(label, label, x, 0)
        for index, (label, x) in enumerate(zip(labels, xs, strict=True))
        if index % every == 0
    ]


def staggered_labels(labels: Sequence[str], xs: Sequence[float], slot: float) -> list[Label]:
    """Every label of a category axis: on one row when they all fit under their bars, else
    alternately on two rows (each then has two slots), shortened if still too wide or if it
    would pass the chart's edge."""
    if all(text_width(label) + LABEL_GAP <= slot for label in labels):
        return [Label(label, label, x, 0) for label, x in zip(labels, xs, strict=True)]
    return [
        Label(shorten(label, min(2 * slot - LABEL_GAP, 2 * min(x, WIDTH - x))), label, x, index % 2)
        for index, (label, x) in enumerate(zip(labels, xs, strict=True))
    ]


def legend_layout(names: Sequence[str], width: float) -> list[Label]:
    """Legend entries left to right, wrapping to a new row before one would pass ``width``;
    ``x`` is where an entry's colour key starts."""
    entries: list[Label] = []
    x, row = 0.0, 0
    for name in names:
        text = shorten(name, width - KEY_SIZE - KEY_GAP)
        size = KEY_SIZE + KEY_GAP + text_width(text)
        if x > 0 and x + size > width:
            x, row = 0.0, row + 1
        entries.append(Label(text, name, x, row))
        x += size + LEGEND_GAP
    return entries


def _plot_box() -> tuple[float, float, float, float]:
    return (MARGIN_LEFT, MARGIN_TOP, WIDTH - MARGIN_RIGHT, HEIGHT - MARGIN_BOTTOM)


def _rows(labels: Sequence[Label]) -> int:
    return max((label.row + 1 for label in labels), default=0)


def _text(label: Label, x: float, y: float, anchor: str) -> str:
    tooltip = f"<title>{escape(label.full)}</title>" if label.shortened else ""
    return (
        f'<text class="chart-axis" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">'
        f"{tooltip}{escape(label.text)}</text>"
    )


def _frame(
    title: str,
    description: str,
    ticks: Sequence[float],
    fmt: Callable[[float], str],
    body: Sequence[str],
    axis: Sequence[Label],
    legend: Sequence[Label] = (),
) -> Markup:
    left, y0, right, y1 = _plot_box()
    top = ticks[-1]
    axis_base = y1 + 16  # the baseline of the first row of axis labels
    legend_base = axis_base + LABEL_ROW * (max(_rows(axis), 1) - 1) + 17
    height = max(HEIGHT, axis_base + LABEL_ROW * (_rows(axis) - 1) + 20)
    if legend:
        height = max(height, legend_base + LEGEND_ROW * (_rows(legend) - 1) + 3)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height:g}" role="img" '
        f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(description)}</desc>",
    ]
    for value in ticks:
        y = y1 - (y1 - y0) * value / top
        parts.append(
            f'<line class="chart-grid" x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}"/>'
        )
        parts.append(
            f'<text class="chart-axis" x="{left - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{escape(fmt(value))}</text>'
        )
    parts.extend(body)
    parts.extend(
        _text(label, label.x, axis_base + LABEL_ROW * label.row, "middle") for label in axis
    )
    for number, entry in enumerate(legend):
        base = legend_base + LEGEND_ROW * entry.row
        parts.append(
            f'<g class="chart-series chart-series-{number}">'
            f'<rect class="chart-key" x="{left + entry.x:.1f}" y="{base - 9:.1f}" '
            f'width="{KEY_SIZE}" height="{KEY_SIZE}"/>'
            f"{_text(entry, left + entry.x + KEY_SIZE + KEY_GAP, base, 'start')}</g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _ticks(values: Sequence[float], top: float | None, integer: bool) -> list[float]:
    return nice_ticks(top if top is not None else max(values, default=0.0), integer=integer)


@dataclass(frozen=True)
class Series:
    name: str  # named in the legend; a chart of one unnamed series has none
    points: Sequence[Point]


def line_chart(
    points: Sequence[Point],
    *,
    title: str,
    description: str,
    fmt: Callable[[float], str] = lambda v: f"{v:g}",
    top: float | None = None,
    integer: bool = False,
) -> Markup:
    """One series over time; gaps where a value is missing."""
    return lines_chart(
        [Series("", points)],
        title=title,
        description=description,
        fmt=fmt,
        top=top,
        integer=integer,
    )


def lines_chart(
    series: Sequence[Series],
    *,
    title: str,
    description: str,
    fmt: Callable[[float], str] = lambda v: f"{v:g}",
    top: float | None = None,
    integer: bool = False,
) -> Markup:
    """Series over the same x labels (weeks), each in its colour (``chart-series-N``) and named
    in a legend; gaps where a value is missing. The y axis ends at ``top`` (else at a round
    value above the highest); ``integer`` as in ``nice_ticks``."""
    left, y0, right, y1 = _plot_box()
    values = [p.value for line in series for p in line.points if p.value is not None]
    ticks = _ticks(values, top, integer)
    highest = ticks[-1]
    labels = series[0].points if series else []
    count = len(labels)
    slot = (right - left) / max(count, 1)
    xs = [left + slot * (i + 0.5) for i in range(count)]

    def y(value: float) -> float:
        return y1 - (y1 - y0) * min(value, highest) / highest

    body: list[str] = []
    for number, line in enumerate(series):
        runs: list[list[str]] = [[]]
        dots: list[str] = []
        named = f"{line.name}, " if line.name else ""
        for point, x in zip(line.points, xs, strict=True):
            if point.value is None:
                runs.append([])
                continue
            runs[-1].append(f"{x:.1f},{y(point.value):.1f}")
            dots.append(
                f'<circle class="chart-dot" cx="{x:.1f}" cy="{y(point.value):.1f}" r="3">'
                f"<title>{escape(named + point.label)}: {escape(fmt(point.value))}</title>"
                "</circle>"
            )
        body.append(f'<g class="chart-series chart-series-{number}">')
        body.extend(
            f'<polyline class="chart-line" fill="none" points="{" ".join(run)}"/>'
            for run in runs
            if len(run) > 1
        )
        body.extend(dots)
        body.append("</g>")
    axis = thinned_labels([p.label for p in labels], xs, slot)
    legend = legend_layout([line.name for line in series if line.name], right - left)
    return _frame(title, description, ticks, fmt, body, axis, legend)


def bar_chart(
    points: Sequence[Point],
    *,
    title: str,
    description: str,
    fmt: Callable[[float], str] = lambda v: f"{v:g}",
    top: float | None = None,
    integer: bool = False,
) -> Markup:
    """One bar per label (a category); no bar where a value is missing. The y axis as in
    ``lines_chart``."""
    left, y0, right, y1 = _plot_box()
    ticks = _ticks([p.value for p in points if p.value is not None], top, integer)
    highest = ticks[-1]
    slot = (right - left) / max(len(points), 1)
    width = slot * 0.6
    xs = [left + slot * (i + 0.5) for i in range(len(points))]
    body = []
    for point, x in zip(points, xs, strict=True):
        if point.value is None:
            continue
        height = (y1 - y0) * min(point.value, highest) / highest
        body.append(
            f'<rect class="chart-bar" x="{x - width / 2:.1f}" y="{y1 - height:.1f}" '
            f'width="{width:.1f}" height="{height:.1f}">'
            f"<title>{escape(point.label)}: {escape(fmt(point.value))}</title></rect>"
        )
    axis = staggered_labels([p.label for p in points], xs, slot)
    return _frame(title, description, ticks, fmt, body, axis)
