"""Server-drawn SVG charts: accessible, escaped, and honest about missing values."""

import re

import pytest

from moderation.charts import (
    HEIGHT,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    Point,
    Series,
    bar_chart,
    line_chart,
    lines_chart,
    nice_ceiling,
)


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [
        (0, 1.0),
        (0.3, 0.5),
        (1, 1.0),
        (7, 10.0),
        (12, 20.0),
        (24, 25.0),
        (180, 200.0),
        (0.042, 0.05),
    ],
)
def test_the_axis_ends_at_a_round_number_above_the_highest_value(value, ceiling):
    assert nice_ceiling(value) == pytest.approx(ceiling)


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
