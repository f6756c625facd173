"""Server-drawn SVG charts: accessible, escaped, and honest about missing values."""

import itertools
import re

import pytest

from community import i18n
from moderation.charts import (
    FONT_SIZE,
    GRID_LINES,
    HEIGHT,
    KEY_GAP,
    KEY_SIZE,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    WIDTH,
    Point,
    Series,
    bar_chart,
    legend_layout,
    line_chart,
    lines_chart,
    nice_ticks,
    shorten,
    staggered_labels,
    text_width,
    thinned_labels,
)

TICK_LABEL = re.compile(
    r'<text class="chart-axis" x="[\d.]+" y="[\d.]+" text-anchor="end">([^<]*)</text>'
)


@pytest.mark.parametrize(
    ("highest", "integer", "ticks"),
    [
        (0, False, [0, 0.25, 0.5, 0.75, 1]),
        (0.042, False, [0, 0.02, 0.04, 0.06]),
        (12, False, [0, 5, 10, 15]),
        (0, True, [0, 1]),
        (0.3, True, [0, 1]),
        (2, True, [0, 1, 2]),
        (7, True, [0, 2, 4, 6, 8]),
        (24, True, [0, 10, 20, 30]),
        (100, True, [0, 25, 50, 75, 100]),
        (180, True, [0, 50, 100, 150, 200]),
        (1234, True, [0, 500, 1000, 1500]),
    ],
)
def test_the_axis_ticks_are_round_steps_up_to_the_highest_value(highest, integer, ticks):
    assert nice_ticks(highest, integer=integer) == pytest.approx(ticks)


def test_whole_number_ticks_never_repeat_a_label():
    for highest in (n / 4 for n in range(4001)):
        ticks = nice_ticks(highest, integer=True)
        labels = [f"{t:.0f}" for t in ticks]
        assert len(set(labels)) == len(labels), highest
        assert all(t == int(t) for t in ticks), highest
        assert ticks[0] == 0 and ticks[-1] >= highest and 2 <= len(ticks) <= GRID_LINES + 1


def test_a_chart_of_small_percentages_labels_each_tick_once():
    weeks = [Point("3 Nov", 0.5), Point("10 Nov", 1.2), Point("17 Nov", 2.0)]
    svg = str(
        line_chart(weeks, title="t", description="d", fmt=lambda v: f"{v:.0f}%", integer=True)
    )
    assert TICK_LABEL.findall(svg) == ["0%", "1%", "2%"]


def test_a_line_has_a_gap_where_a_week_has_no_value():
    weeks = [
        Point("3 Nov", 0.1),
        Point("10 Nov", 0.2),
        Point("17 Nov", None),
        Point("24 Nov", 0.4),
        Point("1 Dec", 0.3),
    ]
    svg = str(line_chart(weeks, title="Negative posts", description="Share per week"))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<title>Negative posts</title>" in svg and "<desc>Share per week</desc>" in svg
    assert svg.count("<polyline") == 2  # two runs, split by the missing week
    assert svg.count('class="chart-dot"') == 4
    assert "<title>17 Nov" not in svg


def test_bars_are_proportional_and_missing_values_draw_no_bar():
    svg = str(
        bar_chart(
            [Point("Fibra", 10), Point("Mobile", 5), Point("Casa", None)],
            title="Breaches",
            description="Per category",
        )
    )
    heights = [float(h) for h in re.findall(r'class="chart-bar"[^>]*height="([\d.]+)"', svg)]
    assert len(heights) == 2
    plot = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    assert heights[0] == pytest.approx(plot) and heights[1] == pytest.approx(plot / 2)


def test_labels_and_titles_are_escaped():
    svg = str(
        bar_chart([Point("<script>alert(1)</script>", 3)], title="A & B", description='say "hi"')
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg and "A &amp; B" in svg and "&quot;hi&quot;" in svg


def test_several_trend_lines_share_the_axis_and_are_named_in_a_legend():
    weeks = ["3 Nov", "10 Nov", "17 Nov"]
    answered = Series("Answered", [Point(w, v) for w, v in zip(weeks, (80, 90, 100), strict=True)])
    solved = Series("Solved", [Point(w, v) for w, v in zip(weeks, (40, None, 50), strict=True)])
    svg = str(lines_chart([answered, solved], title="Weeks", description="Shares", top=100.0))
    assert svg.count('class="chart-series chart-series-0"') == 2  # its line and its legend key
    assert svg.count('class="chart-series chart-series-1"') == 2
    assert ">Answered</text>" in svg and ">Solved</text>" in svg
    assert "<title>Solved, 17 Nov: 50</title>" in svg  # each dot says whose it is
    assert svg.count("<polyline") == 1  # Solved has no line across its missing week
    assert svg.count('class="chart-dot"') == 5
    assert "chart-key" not in str(line_chart(answered.points, title="t", description="d"))


# The dashboard's weekly trend lines, as the legend names them in each language.
TREND_NAMES = ["Response rate", "Brand response rate", "Solved", "Service-level breaches"]
LEGEND_TEXT = re.compile(
    r'<rect class="chart-key" x="([\d.]+)" y="([\d.]+)"[^>]*/>'
    r'<text class="chart-axis" x="([\d.]+)" y="([\d.]+)" text-anchor="start">'
    r"(?:<title>([^<]*)</title>)?([^<]*)</text>"
)


def _boxes_overlap(a: tuple[float, float, float], b: tuple[float, float, float]) -> bool:
    """Boxes as (left, right, baseline): on the same line when their baselines are closer than
    a line of text, and then overlapping when their spans meet."""
    same_line = abs(a[2] - b[2]) < FONT_SIZE
    return same_line and a[0] < b[1] and b[0] < a[1]


# Widths drawn by Chromium at 11px in DejaVu Sans, the widest of the usual sans-serifs.
DRAWN = {
    "Violazioni dei livelli di servizio": 164.0,
    "Tasso di risposta del brand": 146.7,
    "Brand response rate": 112.1,
    "TV e intrattenimento": 114.5,
    "Nov 16": 39.0,
    "0123456789": 70.0,
    "100%": 31.5,
}


def test_text_widths_are_estimated_per_letter_and_never_too_narrow():
    assert text_width("") == 0
    assert text_width("mmmm") > text_width("nnnn") > text_width("iiii")
    assert text_width("ABC") > text_width("abc")
    for text, drawn in DRAWN.items():
        assert drawn <= text_width(text) <= drawn * 1.2, text
    assert shorten("Fibra", 100) == "Fibra"
    short = shorten("TV e intrattenimento", 60)
    assert short.endswith("…") and "TV e intrattenimento".startswith(short[:-1])
    assert text_width(short) <= 60 and len(short) > 3


@pytest.mark.parametrize("language", ["en", "it"])
def test_legend_entries_wrap_to_a_new_row_instead_of_overlapping(language):
    names = [i18n.gettext(language, name) for name in TREND_NAMES]
    width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    entries = legend_layout(names, width)
    assert [e.full for e in entries] == names and not any(e.shortened for e in entries)
    ends = [e.x + KEY_SIZE + KEY_GAP + text_width(e.text) for e in entries]
    assert all(e.x >= 0 and end <= width for e, end in zip(entries, ends, strict=True))
    for (a, a_end), (b, b_end) in itertools.combinations(zip(entries, ends, strict=True), 2):
        assert a.row != b.row or a_end <= b.x or b_end <= a.x
    rows = [e.row for e in entries]
    assert rows == sorted(rows)  # in reading order
    assert max(rows) == (0 if language == "en" else 1)  # Italian names are longer


def test_a_name_wider_than_the_legend_is_shortened_with_its_tooltip():
    long_name = "Tasso di risposta del brand entro il livello di servizio concordato " * 3
    [entry] = legend_layout([long_name], 200)
    assert entry.shortened and entry.text.endswith("…")
    assert KEY_SIZE + KEY_GAP + text_width(entry.text) <= 200
    weeks = [Point("16 nov", 1), Point("23 nov", 2)]
    svg = str(
        lines_chart([Series(long_name, weeks), Series("b", weeks)], title="t", description="d")
    )
    assert f"<title>{long_name}</title>" in svg and "…</text>" in svg


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_drawn_legend_has_no_overlapping_names(language):
    weeks = ["16 nov", "23 nov", "30 nov"]
    series = [
        Series(i18n.gettext(language, name), [Point(w, 50) for w in weeks]) for name in TREND_NAMES
    ]
    svg = str(lines_chart(series, title="t", description="d", top=100.0))
    found = LEGEND_TEXT.findall(svg)
    assert [full or text for *_, full, text in found] == [s.name for s in series]
    boxes = []
    for key_x, key_y, x, y, _full, text in found:
        assert float(x) == float(key_x) + KEY_SIZE + KEY_GAP
        assert float(key_y) < float(y)  # the colour key sits on the name's line
        boxes.append((float(key_x), float(x) + text_width(text), float(y)))
    for a, b in itertools.combinations(boxes, 2):
        assert not _boxes_overlap(a, b)
    assert all(right <= WIDTH for _, right, _ in boxes)
    assert all(baseline < _view_height(svg) for *_, baseline in boxes)  # taller for a new row


def _view_height(svg: str) -> float:
    found = re.search(r'viewBox="0 0 \d+ ([\d.]+)"', svg)
    assert found is not None
    return float(found.group(1))


# The seeded community's categories: long enough to collide under seven bars.
CATEGORIES = [
    "Fibra e ADSL",
    "Mobile e SIM",
    "Bollette e pagamenti",
    "Modem e Wi-Fi",
    "Offerte e promozioni",
    "TV e intrattenimento",
    "Chiacchiere",
]
AXIS_TEXT = re.compile(
    r'<text class="chart-axis" x="([\d.]+)" y="([\d.]+)" text-anchor="middle">'
    r"(?:<title>([^<]*)</title>)?([^<]*)</text>"
)


def _axis_boxes(svg: str) -> list[tuple[float, float, float]]:
    boxes = []
    for x, y, _full, text in AXIS_TEXT.findall(svg):
        half = text_width(text) / 2
        boxes.append((float(x) - half, float(x) + half, float(y)))
    return boxes


def _slots(count: int) -> tuple[list[float], float]:
    slot = (WIDTH - MARGIN_LEFT - MARGIN_RIGHT) / count
    return [MARGIN_LEFT + slot * (i + 0.5) for i in range(count)], slot


def test_category_labels_that_fit_stay_on_one_row_whole():
    xs, slot = _slots(3)
    labels = staggered_labels(["Fibra", "Mobile", "Casa"], xs, slot)
    assert [(label.text, label.row) for label in labels] == [
        ("Fibra", 0),
        ("Mobile", 0),
        ("Casa", 0),
    ]


@pytest.mark.parametrize("count", [5, 7, 12, 20])
def test_category_labels_too_wide_for_their_bar_alternate_rows_and_shorten(count):
    names = (CATEGORIES * 3)[:count]
    xs, slot = _slots(count)
    labels = staggered_labels(names, xs, slot)
    assert [label.full for label in labels] == names
    assert [label.row for label in labels] == [i % 2 for i in range(count)]
    for label in labels:
        assert label.text == label.full or (
            label.text.endswith("…") and label.full.startswith(label.text[:-1].rstrip())
        )
        half = text_width(label.text) / 2
        assert label.x - half >= 0 and label.x + half <= WIDTH
    for a, b in itertools.combinations(labels, 2):
        if a.row == b.row:
            assert abs(a.x - b.x) >= (text_width(a.text) + text_width(b.text)) / 2
    assert any(label.shortened for label in labels) == (count >= 12)


def test_week_labels_are_thinned_until_the_widest_has_room():
    weeks = [f"{day} nov" for day in range(1, 31)] + [f"{day} dic" for day in range(1, 24)]
    xs, slot = _slots(len(weeks))
    shown = thinned_labels(weeks, xs, slot)
    assert shown[0].full == "1 nov" and all(not label.shortened for label in shown)
    assert 5 <= len(shown) < len(weeks)
    for a, b in itertools.pairwise(shown):
        assert b.x - a.x >= (text_width(a.text) + text_width(b.text)) / 2
    few = thinned_labels(weeks[:4], *_slots(4))
    assert [label.text for label in few] == weeks[:4]


def test_the_drawn_category_axis_has_no_overlapping_labels():
    points = [Point(name, 10 * (i + 1)) for i, name in enumerate(CATEGORIES * 2)]
    svg = str(bar_chart(points, title="t", description="d"))
    boxes = _axis_boxes(svg)
    assert len(boxes) == len(points)  # every bar is named
    for a, b in itertools.combinations(boxes, 2):
        assert not _boxes_overlap(a, b)
    assert all(left >= 0 and right <= WIDTH for left, right, _ in boxes)
    assert all(baseline < _view_height(svg) for *_, baseline in boxes)
    tooltips = [full for _x, _y, full, _text in AXIS_TEXT.findall(svg) if full]
    assert "TV e intrattenimento" in tooltips  # the whole name of a shortened label
