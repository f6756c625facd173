"""Every care figure as CSV, one figure per row (``GET /api/v1/analytics.csv``).

Long format, so a spreadsheet can filter and pivot it: ``section, scope, figure, value``.
``section`` is overall, category, language, week, sentiment, deflection, csat or advocates;
``scope`` names the category, the language, the week or the member; durations are in seconds,
shares between 0 and 1, and a figure with nothing to measure is an empty cell, never a zero.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import fields

from moderation.analytics import Figures, Percentiles, Slice

Row = tuple[str, str, str, str]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value % 1 else str(int(value))
    return str(value)


def _slice_rows(section: str, scope: str, figures: Slice) -> Iterator[Row]:
    for item in fields(figures):
        value = getattr(figures, item.name)
        if isinstance(value, Percentiles):
            for part in fields(value):
                yield (section, scope, f"{item.name}.{part.name}", _cell(getattr(value, part.name)))
        else:
            yield (section, scope, item.name, _cell(value))


def rows(figures: Figures) -> Iterator[Row]:
    yield from _slice_rows("overall", "", figures.overall)
    for category in figures.by_category:
        yield from _slice_rows("category", category.slug, category.figures)
    for language in figures.by_language:
        yield from _slice_rows("language", language.language, language.figures)
    for trend in figures.weeks:
        scope = trend.week_start.isoformat()
        for item in fields(trend):
            if item.name != "week_start":
                yield ("week", scope, item.name, _cell(getattr(trend, item.name)))
    for week in figures.sentiment:
        scope = week.week_start.isoformat()
        yield ("sentiment", scope, "posts", _cell(week.posts))
        yield ("sentiment", scope, "negative", _cell(week.negative))
        yield ("sentiment", scope, "negative_share", _cell(week.negative_share))
    for item in fields(figures.deflection):
        yield ("deflection", "", item.name, _cell(getattr(figures.deflection, item.name)))
    yield ("csat", "", "average", _cell(figures.csat.average))
    yield ("csat", "", "responses", _cell(figures.csat.responses))
    for advocate in figures.top_advocates:
        yield ("advocates", advocate.username, "solutions", _cell(advocate.solutions))


def to_csv(figures: Figures) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["section", "scope", "figure", "value"])
    writer.writerow(["range", "", "from", figures.start.isoformat()])
    writer.writerow(["range", "", "to", figures.end.isoformat()])
    for row in rows(figures):
        writer.writerow(row)
    return out.getvalue()
