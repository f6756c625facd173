"""Server-drawn SVG charts: accessible, escaped, and honest about missing values."""

import re

import pytest

from moderation.charts import (
    GRID_LINES,
    HEIGHT,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    Point,
    Series,
    bar_chart,
    line_chart,
    lines_chart,
    nice_ticks,
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
