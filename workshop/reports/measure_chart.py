"""A measure's before/after figures for people: numbers said the way the UI's language
says them, the figures in one sentence (the chart's text alternative), and where the bars
and dots of its chart go. The PDF and the measure page draw the chart from this geometry;
workshop.web.templating makes these the templates' `measure_*` filters and globals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_decimal, format_percent, ngettext
from flask_babel import gettext as _

from workshop.core.models import Measure
from workshop.measures import MeasureStats

# --- Numbers, said the way the UI's language says them ------------------------------------

MINUS = "\u2212"  # a real minus sign, not a hyphen


def _signed(number: float, text: str, plus: bool) -> str:
    if not any(digit in text for digit in "123456789"):
        return text  # rounded to zero: no sign
    if number < 0:
        return MINUS + text
    return "+" + text if plus else text


def format_mean(value: float) -> str:
    """An average, with one decimal: 42,5 in Danish."""
    return _signed(value, format_decimal(abs(value), format="#,##0.0"), plus=False)


def format_value(value: float) -> str:
    """A logged value as it was typed: 45, 12,5."""
    return _signed(value, format_decimal(abs(value), format="#,##0.##"), plus=False)


def format_change(value: float) -> str:
    return _signed(value, format_decimal(abs(value), format="#,##0.0"), plus=True)


def format_change_percent(value: float) -> str:
    """A change in percent: −18 % in Danish, −18% in English."""
    return _signed(value, format_percent(abs(value) / 100), plus=True)


def measure_summary(measure: Measure, stats: MeasureStats) -> str:
    """The figures in one plain sentence: the chart's text alternative."""
    parts = [f"{measure.what} ({measure.unit})."]
    for label, period in ((_("Before"), stats.baseline), (_("After"), stats.followup)):
        if period.count == 0:
            parts.append(_("%(period)s: no entries yet.", period=label))
        else:
            parts.append(
                ngettext(
                    "%(period)s: %(mean)s on average, based on %(num)s entry.",
                    "%(period)s: %(mean)s on average, based on %(num)s entries.",
                    period.count,
                    period=label,
                    mean=format_mean(period.mean),
                )
            )
    if stats.change is not None:
        change = format_change(stats.change)
        if stats.change_percent is not None:
            change += f" ({format_change_percent(stats.change_percent)})"
        verdict = {True: _("better"), False: _("worse"), None: _("no change")}[stats.improved]
        parts.append(_("Change: %(change)s, %(verdict)s.", change=change, verdict=verdict))
    if stats.outside:
        parts.append(
            ngettext(
                "%(num)s entry lies outside both periods and is not counted.",
                "%(num)s entries lie outside both periods and are not counted.",
                stats.outside,
            )
        )
    return " ".join(parts)


# --- The chart's geometry (the template draws it as inline SVG) --------------------------

CHART_HEIGHT = 214
PLOT_TOP, PLOT_BOTTOM = 40, 164
CHART_WIDTH = 460  # two bars on the left; the entries as dots along a date axis, right
BAR_WIDTH = 64
BAR_CENTRES = (60, 170)
DOTS_LEFT, DOTS_RIGHT = 262, 448
EMPTY_BAR_HEIGHT = 48
BAR_PERIODS = ("baseline", "followup")


@dataclass(frozen=True)
class ChartBar:
    period: str
    centre: float
    x: float
    y: float
    height: float
    count: int
    mean: float | None
    label_y: float

    @property
    def empty(self) -> bool:
        return self.mean is None


@dataclass(frozen=True)
class ChartBand:
    period: str
    x: float
    width: float


@dataclass(frozen=True)
class ChartDot:
    x: float
    y: float
    day: date
    value: float
    inside: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    zero_y: float
    top_value: float
    bottom_value: float
    bars: tuple[ChartBar, ...]
    bands: tuple[ChartBand, ...]
    dots: tuple[ChartDot, ...]
    first_day: date
    last_day: date


@dataclass(frozen=True)
class _Values:
    """The value axis: from the lowest to the highest figure, zero always included."""

    low: float
    high: float

    @classmethod
    def of(cls, values: list[float]) -> _Values:
        low, high = min([0.0, *values]), max([0.0, *values])
        return cls(low, low + 1 if high == low else high)

    def y(self, value: float) -> float:
        share = (value - self.low) / (self.high - self.low)
        return round(PLOT_BOTTOM - share * (PLOT_BOTTOM - PLOT_TOP), 1)


@dataclass(frozen=True)
class _Days:
    """The date axis of the dots: from the first day measured or logged to the last."""

    first_day: date
    last_day: date

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def x(self, day: date) -> float:
        return DOTS_LEFT + (day - self.first_day).days / self.days * (DOTS_RIGHT - DOTS_LEFT)

    def band(self, period: str, start: date, end: date) -> ChartBand:
        width = max(self.x(end + timedelta(days=1)) - self.x(start), 2)  # one day stays visible
        return ChartBand(period, round(self.x(start), 1), round(width, 1))

    def dot_x(self, day: date) -> float:
        """The middle of the day's slot."""
        return round(self.x(day) + (DOTS_RIGHT - DOTS_LEFT) / self.days / 2, 1)


def _bar(period: str, centre: float, figures, values: _Values) -> ChartBar:
    zero_y = values.y(0)
    if figures.mean is None:
        # An outlined, empty bar: room for a figure nobody has measured yet.
        top = zero_y - EMPTY_BAR_HEIGHT if zero_y - EMPTY_BAR_HEIGHT >= PLOT_TOP else zero_y
        height, label_y = EMPTY_BAR_HEIGHT, top - 8
    else:
        top = min(values.y(figures.mean), zero_y)
        height = max(abs(values.y(figures.mean) - zero_y), 1)
        label_y = top - 8 if figures.mean >= 0 else top + height + 16
    left = centre - BAR_WIDTH / 2
    return ChartBar(period, centre, left, top, height, figures.count, figures.mean, label_y)


def measure_chart(measure: Measure, stats: MeasureStats) -> Chart:
    """Where the bars and dots of a measure's chart go. Nothing is drawn for no data."""
    entries = list(measure.entries)
    periods = (stats.baseline, stats.followup)
    values = _Values.of(
        [e.value for e in entries] + [p.mean for p in periods if p.mean is not None]
    )
    days = _Days(
        min([measure.baseline_from, *(e.entry_date for e in entries)]),
        max([measure.followup_to, *(e.entry_date for e in entries)]),
    )
    inside = measure.period_of
    return Chart(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        plot_top=PLOT_TOP,
        plot_bottom=PLOT_BOTTOM,
        zero_y=values.y(0),
        top_value=values.high,
        bottom_value=values.low,
        bars=tuple(
            _bar(period, centre, figures, values)
            for period, centre, figures in zip(BAR_PERIODS, BAR_CENTRES, periods, strict=True)
        ),
        bands=(
            days.band("baseline", measure.baseline_from, measure.baseline_to),
            days.band("followup", measure.followup_from, measure.followup_to),
        ),
        dots=tuple(
            ChartDot(
                days.dot_x(e.entry_date),
                values.y(e.value),
                e.entry_date,
                e.value,
                inside(e.entry_date) is not None,
            )
            for e in entries
        ),
        first_day=days.first_day,
        last_day=days.last_day,
    )
