"""The citizen's path as a timeline in swimlanes: one lane per department present, the
touchpoints left to right in their order, a line through them that shows the citizen going
back and forth between departments, and the duplicated plans, meetings and consents marked
by a hatched fill, a thick dashed border and a "2×" badge (never by colour alone).

`path_items` reads a course's path into plain items; `path_chart` is a pure function from
items to geometry, which the projector and the PDF draw as the same inline SVG
(templates/path/_chart.html). It is sized for a 16:9 screen read from the back of a room:
few, large words; a long text wraps and ends in "…"; many touchpoints make narrower
columns with fewer words, and past `PER_PAGE` the path goes on on the next page."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from workshop.catalogue import requirement_citation
from workshop.core.models import Touchpoint
from workshop.core.vocabulary import TOUCHPOINT_KINDS
from workshop.touchpoints import Duplicate, lane_of

WIDTH, HEIGHT = 1600, 900
LANE_LABEL_WIDTH = 230
TOP = 16
LEGEND_HEIGHT = 64
PER_PAGE = 16
MAX_BOX = 400  # the widest a box grows into the free room of its lane
GAP = 14
CHAR_WIDTH = 0.56  # of the font size: an average letter of a sans-serif, Danish text


@dataclass(frozen=True)
class PathItem:
    """One touchpoint as the chart needs it."""

    id: int
    number: int  # its place on the whole path, from 1
    kind: str
    kind_label: str
    text: str
    lane: str
    lane_label: str
    citizen_minutes: int | None
    staff_minutes: int | None
    rule: str  # the rule behind it, as cited ("LAB § 31", "Local rule"), or ""
    duplicate: Duplicate | None
    card_id: int | None


@dataclass(frozen=True)
class Lane:
    key: str
    label_lines: tuple[str, ...]
    label: str
    y: float
    height: float
    shaded: bool


@dataclass(frozen=True)
class Box:
    item: PathItem
    x: float
    y: float
    width: float
    height: float
    lines: tuple[str, ...]  # the text, wrapped to the box (possibly none in a narrow box)
    heading: str  # "3 · Plan", or "3" when the box is narrow
    minutes: str  # "Borger 60 min · Personale 45 min", shortened to what fits
    font_size: float
    centre_x: float
    centre_y: float


@dataclass(frozen=True)
class PathChart:
    width: int
    height: int
    lanes: tuple[Lane, ...]
    boxes: tuple[Box, ...]
    line: str  # the SVG points of the citizen's way through the boxes
    page: int
    pages: int
    legend_y: float
    lane_label_width: int
    has_duplicates: bool

    @property
    def empty(self) -> bool:
        return not self.boxes


# --- Words -------------------------------------------------------------------------------


def format_minutes(minutes: int) -> str:
    """45 min, 2 t, 1½ t → "90 min" is kept as "1,5 t"; days for a waiting time."""
    if minutes >= 1440:
        days = round(minutes / 1440)
        return ngettext("%(num)s day", "%(num)s days", days)
    if minutes >= 120 and minutes % 30 == 0:
        hours = minutes / 60
        shown = f"{hours:g}".replace(".", ",")
        return _("%(hours)s h", hours=shown)
    return _("%(minutes)s min", minutes=minutes)


def minutes_text(citizen: int | None, staff: int | None) -> str:
    parts = []
    if citizen is not None:
        parts.append(_("Citizen %(time)s", time=format_minutes(citizen)))
    if staff is not None:
        parts.append(_("Staff %(time)s", time=format_minutes(staff)))
    return " · ".join(parts)


def wrap(text: str, width_chars: int, max_lines: int) -> tuple[str, ...]:
    """Words in lines of at most `width_chars`; a word longer than a line is cut; past
    `max_lines` the last line ends in "…"."""
    if width_chars < 3 or max_lines < 1:
        return ()
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > width_chars:  # a long compound: cut it, Danish has many
            if current:
                lines.append(current)
                current = ""
            lines.append(word[: width_chars - 1] + "-")
            word = word[width_chars - 1 :]
        candidate = f"{current} {word}".strip()
        if len(candidate) <= width_chars:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        lines = [*lines[: max_lines - 1], last[: max(width_chars - 1, 1)].rstrip() + "…"]
    return tuple(lines)


# --- From the path to items --------------------------------------------------------------


def path_items(
    path: list[Touchpoint], flagged: dict[int, Duplicate], cite=lambda requirement: ""
) -> list[PathItem]:
    """The visible touchpoints as items, numbered along the path; `cite` names a rule."""
    visible = [t for t in path if not t.hidden]
    items = []
    for number, touchpoint in enumerate(visible, start=1):
        lane, lane_label = lane_of(touchpoint)
        items.append(
            PathItem(
                id=touchpoint.id,
                number=number,
                kind=touchpoint.kind,
                kind_label=str(TOUCHPOINT_KINDS.get(touchpoint.kind, touchpoint.kind)),
                text=touchpoint.text,
                lane=lane,
                lane_label=lane_label,
                citizen_minutes=touchpoint.citizen_minutes,
                staff_minutes=touchpoint.staff_minutes,
                rule=cite(touchpoint.requirement) if touchpoint.requirement else "",
                duplicate=flagged.get(touchpoint.id),
                card_id=touchpoint.card_id,
            )
        )
    return items


# --- The geometry ------------------------------------------------------------------------


def page_count(items: list[PathItem]) -> int:
    return pages_of(len(items))


def pages_of(touchpoints: int) -> int:
    """How many pages a path of `touchpoints` shown touchpoints fills (at least one)."""
    return max(1, math.ceil(touchpoints / PER_PAGE))


def _lane_order(items: list[PathItem], lane_order: list[str] | None) -> list[tuple[str, str]]:
    """Lanes in the departments' own order where given, the others as they first appear,
    "elsewhere" last."""
    seen: dict[str, str] = {}
    for item in items:
        seen.setdefault(item.lane, item.lane_label)
    order = lane_order or []
    ranked = sorted(
        seen.items(),
        key=lambda pair: (
            pair[0] == "",
            order.index(pair[0]) if pair[0] in order else len(order),
            list(seen).index(pair[0]),
        ),
    )
    return ranked


def path_chart(
    items: list[PathItem],
    *,
    page: int = 1,
    lane_order: list[str] | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> PathChart:
    """Where the lanes, boxes and the line go on `page` (from 1) of the path. Every lane of
    the whole path is drawn on every page, so pages compare; an empty path draws nothing."""
    pages = page_count(items)
    page = min(max(1, page), pages)
    shown = items[(page - 1) * PER_PAGE : page * PER_PAGE]
    ranked = _lane_order(items, lane_order)
    legend_y = height - LEGEND_HEIGHT
    lane_count = max(1, len(ranked))
    lane_height = (legend_y - TOP) / lane_count
    lanes = tuple(
        Lane(
            key=key,
            label=label,
            label_lines=wrap(label, 13, 3 if lane_height >= 150 else 2),
            y=round(TOP + index * lane_height, 1),
            height=round(lane_height, 1),
            shaded=index % 2 == 0,
        )
        for index, (key, label) in enumerate(ranked)
    )
    lane_y = {lane.key: lane for lane in lanes}
    columns = max(len(shown), 6)  # a short path keeps readable boxes, not wide ones
    column_width = (width - LANE_LABEL_WIDTH - GAP) / columns
    left = LANE_LABEL_WIDTH + GAP
    # One size of type for the whole chart, set by the columns: shrinks with many
    # touchpoints, never below what reads on a projector.
    font_size = round(max(17.0, min(26.0, (column_width - GAP) * 0.19)), 1)
    boxes = []
    for index, item in enumerate(shown):
        # A box reaches right until the next box in its own lane (boxes in other lanes
        # lie above or below it), so a path that moves between departments keeps room
        # for its words; never wider than MAX_BOX.
        following = next(
            (j for j in range(index + 1, len(shown)) if shown[j].lane == item.lane), None
        )
        end = left + (following if following is not None else columns) * column_width
        x = left + index * column_width
        reach = min(end - x, max(column_width, MAX_BOX))
        boxes.append(_box(item, x, reach, column_width, lane_y[item.lane], font_size))
    boxes = tuple(boxes)
    line = " ".join(f"{box.centre_x},{box.centre_y}" for box in boxes)
    return PathChart(
        width=width,
        height=height,
        lanes=lanes,
        boxes=boxes,
        line=line,
        page=page,
        pages=pages,
        legend_y=legend_y,
        lane_label_width=LANE_LABEL_WIDTH,
        has_duplicates=any(item.duplicate for item in items),
    )


def _box(
    item: PathItem, left: float, reach: float, column_width: float, lane: Lane, font_size: float
) -> Box:
    box_width = reach - GAP
    pad = min(14.0, lane.height * 0.08)
    box_height = lane.height - 2 * pad
    chars = int((box_width - 16) / (font_size * CHAR_WIDTH))
    line_height = font_size * 1.2
    wide = chars >= 9
    heading = f"{item.number} · {item.kind_label}" if wide else str(item.number)
    minutes = minutes_text(item.citizen_minutes, item.staff_minutes)
    minutes_lines = 1 if minutes and wide else 0
    text_room = box_height - line_height * (1.6 + minutes_lines) - 8
    max_lines = int(text_room // line_height)
    # A narrow box keeps at least its kind (the list or table beside it has the words).
    lines = wrap(item.text, chars, max_lines) if wide else wrap(item.kind_label, chars, 1)
    if minutes and len(minutes) > chars:
        # "Borger 60 min · Personale 45 min" does not fit: the figures alone.
        short = " · ".join(
            format_minutes(m) for m in (item.citizen_minutes, item.staff_minutes) if m is not None
        )
        minutes = short if len(short) <= chars else ""
    x, y = round(left, 1), round(lane.y + pad, 1)
    return Box(
        item=item,
        x=x,
        y=y,
        width=round(box_width, 1),
        height=round(box_height, 1),
        lines=lines,
        heading=heading,
        minutes=minutes if wide else "",
        font_size=font_size,
        # The citizen's line runs through the middle of the box's own column, so it goes
        # left to right however far the box reaches.
        centre_x=round(x + (column_width - GAP) / 2, 1),
        centre_y=round(y + box_height / 2, 1),
    )


def path_summary(items: list[PathItem]) -> str:
    """The path in one paragraph: the chart's text alternative (its <desc>)."""
    if not items:
        return _("No touchpoints on the citizen's path yet.")
    lanes = len({item.lane for item in items})
    doubled = sum(1 for item in items if item.duplicate)
    parts = [
        ngettext(
            "%(num)s touchpoint across %(lanes)s departments.",
            "%(num)s touchpoints across %(lanes)s departments.",
            len(items),
            lanes=lanes,
        )
    ]
    if doubled:
        parts.append(
            ngettext(
                "%(num)s of them is a duplicated plan, meeting or consent.",
                "%(num)s of them are duplicated plans, meetings or consents.",
                doubled,
            )
        )
    return " ".join(parts)


@dataclass(frozen=True)
class PathFigure:
    """What a screen or the PDF draws: the chart of one page, every item (for the list or
    table beside it) and the text alternative."""

    chart: PathChart
    items: tuple[PathItem, ...]
    summary: str


def path_figure(path: list[Touchpoint], flagged: dict[int, Duplicate], page: int = 1):
    """The path of a course as the projector and the PDF draw it (page `page`)."""
    items = path_items(path, flagged, cite=requirement_citation)
    order = sorted(
        {t.department for t in path if t.department is not None},
        key=lambda d: (d.position, d.id),
    )
    chart = path_chart(items, page=page, lane_order=[f"d{d.id}" for d in order])
    return PathFigure(chart, tuple(items), path_summary(items))
