"""The action plan PDF: what the course produced, gathered for managers, rendered by WeasyPrint.

`report_data()` collects the figures through the domain functions (so the PDF shows what
the screens show, and hides what they hide); `action_plan_pdf()` renders
templates/report/action_plan.html with static/report.css and the fonts shipped under
static/fonts, fetched by `StaticFilesOnly`, which refuses every other URL.
"""

from __future__ import annotations

import functools
import hashlib
import io
import mimetypes
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from flask import current_app, render_template
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, select, union_all
from sqlalchemy.orm import selectinload

from workshop.actions import actions_of
from workshop.core.caches import course_revision, keep_pdf, kept_pdf, pdf_key
from workshop.core.clock import local_date, local_today
from workshop.core.extensions import db
from workshop.core.models import (
    Action,
    ActionUpdate,
    Card,
    CardRequirement,
    Course,
    DialogueAnswer,
    Lesson,
    Measure,
    MeasureEntry,
    Participant,
    Solution,
)
from workshop.core.text import slugify
from workshop.core.vocabulary import ACTION_STATUSES, PRIORITY_STATUSES, ROLE_GROUPS, ROLES
from workshop.examination import (
    DepartmentOverview,
    OriginOverview,
    department_overview,
    origin_overview,
    prioritised_cards,
)
from workshop.learning import lessons_by_kind
from workshop.measures import MeasureStats, measure_groups
from workshop.reports.path_chart import PathFigure, path_figure
from workshop.solutions import chosen_solutions
from workshop.touchpoints import path_duplicates, path_of
from workshop.votes import CARDS, ResultRow, Results, results

# --- Fetching: the app's own static files, nothing else ----------------------------------

# What the report's stylesheet may load. Anything else (other static files included) is
# refused, so a slip in a template cannot pull in more than the fonts and the stylesheet.
SERVED_SUFFIXES = {".css": "text/css", ".ttf": "font/ttf", ".otf": "font/otf"}


def _weasyprint():
    """Imported on first use: WeasyPrint needs pango, and the rest of the app does not."""
    import weasyprint
    from weasyprint import urls

    return weasyprint, urls


def static_files_only(static_folder: str | Path):
    """A WeasyPrint URL fetcher that serves files under `static_folder` and refuses the rest.

    Refused: http(s), data:, other file:// paths (also through `..` or a symbolic link),
    file URLs naming a host, queries, and any suffix outside SERVED_SUFFIXES. A refusal is a
    FatalURLFetchingError, which stops the rendering instead of being logged and skipped.
    """
    _, urls = _weasyprint()
    root = Path(static_folder).resolve()

    class StaticFilesOnly(urls.URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols=("file",), allow_redirects=False)
            self.root = root
            self.refused: list[str] = []

        def path_for(self, url: str) -> Path | None:
            """The file a URL names, if it may be served; else None."""
            try:
                parts = urlsplit(url)
            except ValueError:
                return None
            if parts.scheme != "file" or parts.netloc or parts.query or parts.fragment:
                return None
            try:
                path = Path(url2pathname(parts.path)).resolve(strict=True)
            except (OSError, RuntimeError, ValueError):
                return None
            if not path.is_relative_to(self.root) or not path.is_file():
                return None
            if path.suffix.lower() not in SERVED_SUFFIXES:
                return None
            return path

        def fetch(self, url, headers=None):
            path = self.path_for(url)
            if path is None:
                self.refused.append(url)
                raise urls.FatalURLFetchingError(f"The report may not load {url[:200]!r}.")
            content_type = SERVED_SUFFIXES.get(path.suffix.lower()) or (
                mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            )
            return urls.URLFetcherResponse(
                path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticFilesOnly()


# --- The report's data ---------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    label: str
    count: int


@dataclass(frozen=True)
class Participation:
    total: int
    by_role: list[Count]
    by_unit: list[Count]
    named: list[Participant]  # only those who gave a name


@dataclass(frozen=True)
class AppendixCard:
    number: int
    card: Card
    dots: int | None  # None while the vote is hidden (or the card cannot carry dots)
    merged_into: int | None  # the number of the card it was merged into


@dataclass(frozen=True)
class CardGroup:
    key: str  # a priority status, or "merged" or "hidden"
    label: str
    cards: list[AppendixCard]


@dataclass
class ReportData:
    course: Course
    generated: date
    period: tuple[date, date]
    participation: Participation
    numbers: dict[int, int]  # card id -> its number in the report (1, 2, … in order written)
    votes: Results | None  # the card vote's result; None until it is revealed
    prioritised: list[Card]
    prioritised_rows: list[ResultRow]  # the prioritised cards' figures, ranked by dots
    origins: OriginOverview
    solutions: list[Solution]
    actions: list[Action]
    action_counts: list[Count]
    measures: list[tuple[Action, list[tuple[Measure, MeasureStats]]]]  # measured actions only
    lessons: list[tuple[str, list]]
    cards: list[AppendixCard]
    card_groups: list[CardGroup]  # the appendix: every card, grouped by what became of it
    # Which departments' rules cause most bøvl (None in a course without departments).
    origin_departments: DepartmentOverview | None = None

    @property
    def group_split_shown(self) -> bool:
        """Whether the dots are split (by role or by department, as the course chose)."""
        return self.votes is not None and bool(self.votes.columns)

    @property
    def has_lessons(self) -> bool:
        return any(items for _kind, items in self.lessons)


def _local_date(moment: datetime | date) -> date:
    return local_date(moment)  # SQLite's naive UTC, and the ends of the calendar (clock.py)


def activity_period(course: Course) -> tuple[date, date]:
    """The first and last day anything happened in the course (joining, writing, logging)."""
    stamps = union_all(
        select(Participant.created_at.label("at")).where(Participant.course_id == course.id),
        select(DialogueAnswer.created_at).where(DialogueAnswer.course_id == course.id),
        select(Card.created_at).where(Card.course_id == course.id),
        select(Solution.created_at).where(Solution.course_id == course.id),
        select(Action.updated_at).where(Action.course_id == course.id),
        select(ActionUpdate.created_at)
        .join(Action, Action.id == ActionUpdate.action_id)
        .where(Action.course_id == course.id),
        select(MeasureEntry.created_at)
        .join(Measure, Measure.id == MeasureEntry.measure_id)
        .join(Action, Action.id == Measure.action_id)
        .where(Action.course_id == course.id),
        select(Lesson.created_at).where(Lesson.course_id == course.id),
    ).subquery()
    first, last = db.session.execute(select(func.min(stamps.c.at), func.max(stamps.c.at))).one()
    start = _local_date(first) if first else _local_date(course.created_at)
    end = _local_date(last) if last else start
    return start, end


def participation(course: Course) -> Participation:
    people = db.session.scalars(
        select(Participant).where(Participant.course_id == course.id).order_by(Participant.id)
    ).all()
    roles = Counter(p.role for p in people)
    units = Counter(p.unit.strip() for p in people)
    by_role = [Count(str(label), roles[key]) for key, label in ROLES.items() if roles[key]]
    by_unit = [
        Count(unit or _("No unit given"), count)
        for unit, count in sorted(units.items(), key=lambda item: (-item[1], item[0].casefold()))
    ]
    named = sorted((p for p in people if p.name.strip()), key=lambda p: p.name.casefold())
    return Participation(len(people), by_role, by_unit, named)


def appendix_groups(cards: list[AppendixCard]) -> list[CardGroup]:
    """Every card under what became of it: prioritised, later, outside the frame, not
    decided; then those merged into another card, and those the facilitator hid."""
    groups: dict[str, list[AppendixCard]] = {key: [] for key in PRIORITY_STATUSES}
    groups["merged"], groups["hidden"] = [], []
    for line in cards:
        if line.card.hidden:
            groups["hidden"].append(line)
        elif line.merged_into is not None:
            groups["merged"].append(line)
        else:
            groups[line.card.priority].append(line)
    labels = {
        **{key: str(label) for key, label in PRIORITY_STATUSES.items()},
        "merged": _("Merged into another card"),
        "hidden": _("Hidden by the facilitator"),
    }
    return [CardGroup(key, labels[key], lines) for key, lines in groups.items() if lines]


def report_data(course: Course) -> ReportData:
    """Everything the PDF shows, gathered through the domain functions."""
    all_cards = db.session.scalars(
        select(Card)
        .where(Card.course_id == course.id)
        .options(selectinload(Card.links).selectinload(CardRequirement.requirement))
        .order_by(Card.id)
    ).all()
    numbers = {card.id: number for number, card in enumerate(all_cards, start=1)}
    votes = results(course, CARDS)
    totals = {row.item.id: row.total for row in votes.rows} if votes else {}
    prioritised = prioritised_cards(course)
    prioritised_ids = {card.id for card in prioritised}
    prioritised_rows = (
        [row for row in votes.rows if row.item.id in prioritised_ids] if votes else []
    )
    appendix = [
        AppendixCard(
            numbers[card.id],
            card,
            totals.get(card.id) if votes is not None and card.id in totals else None,
            numbers.get(card.merged_into_id) if card.merged_into_id else None,
        )
        for card in all_cards
    ]
    card_groups = appendix_groups(appendix)

    actions = actions_of(course)
    status_counts = Counter(a.status for a in actions)
    action_counts = [
        Count(str(label), status_counts[key])
        for key, label in ACTION_STATUSES.items()
        if status_counts[key]
    ]
    measured = [(action, pairs) for action, pairs in measure_groups(course) if pairs]
    return ReportData(
        course=course,
        generated=local_today(),
        period=activity_period(course),
        participation=participation(course),
        numbers=numbers,
        votes=votes,
        prioritised=prioritised,
        prioritised_rows=prioritised_rows,
        origins=origin_overview(course),
        solutions=chosen_solutions(course),
        actions=actions,
        action_counts=action_counts,
        measures=measured,
        lessons=lessons_by_kind(course),
        cards=appendix,
        card_groups=card_groups,
        origin_departments=department_overview(course),
    )


# --- The vote chart's geometry (the template draws it as inline SVG) -----------------------

CHART_WIDTH = 640  # CSS px: the text column of an A4 page with 20 mm margins is ~642 px
BAR_X = 26  # the card's number stands left of its text and bars
BAR_SPAN = 570  # the longest bar; its figure follows it
BAR_HEIGHT = 11
BAR_GAP = 3
ROW_LABEL = 17  # the challenge's line above its bars
ROW_GAP = 13
ROWS_PER_CHART = 12  # an SVG cannot break across pages: long lists become several charts
LABEL_CHARS = 110
# Departments are told apart by name, not by a fill: each bar has its label on its left.
GROUP_LABEL_WIDTH = 150
GROUP_LABEL_CHARS = 24


@dataclass(frozen=True)
class ChartBar:
    key: str  # "staff", "managers", "total", or a department's group (workshop.splits)
    label: str
    value: int
    y: float
    width: float


@dataclass(frozen=True)
class ChartRow:
    number: int
    text: str
    y: float
    bars: tuple[ChartBar, ...]


@dataclass(frozen=True)
class VoteChart:
    width: int
    height: int
    rows: tuple[ChartRow, ...]
    description: str  # the text alternative: what the chart shows, in words and figures
    labelled: bool = False  # each bar named on its left (a split by department)


def _shorten(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def vote_charts(report: ReportData) -> list[VoteChart]:
    """The prioritised challenges' dots: the groups of the course's split side by side
    (staff and managers, or departments) where the vote's group rule shows them, else the
    total only (a held-back group is never drawn on its own)."""
    votes = report.votes
    if votes is None or not report.prioritised_rows:
        return []
    groups = votes.columns
    # Staff solid, managers outlined; any other groups (departments, a pooled group) named.
    labelled = bool(groups) and (votes.split != "role" or votes.pooled is not None)
    if groups:
        series = [
            (g.key, _shorten(g.label, GROUP_LABEL_CHARS) if labelled else g.label) for g in groups
        ]
        maximum = max(votes.group_max(g.key) for g in groups)
    else:
        series = [("total", _("All"))]
        maximum = max(row.total for row in report.prioritised_rows)
    span = BAR_SPAN - GROUP_LABEL_WIDTH if labelled else BAR_SPAN
    scale = span / maximum if maximum else 0
    charts = []
    rows = report.prioritised_rows
    for start in range(0, len(rows), ROWS_PER_CHART):
        drawn, y = [], 0.0
        for row in rows[start : start + ROWS_PER_CHART]:
            bars, bar_y = [], y + ROW_LABEL
            for key, label in series:
                value = row.total if key == "total" else row.by_group.get(key, 0)
                bars.append(ChartBar(key, str(label), value, bar_y, round(value * scale, 1)))
                bar_y += BAR_HEIGHT + BAR_GAP
            drawn.append(
                ChartRow(report.numbers[row.item.id], _shorten(row.item.text), y, tuple(bars))
            )
            y = bar_y - BAR_GAP + ROW_GAP
        charts.append(
            VoteChart(
                CHART_WIDTH, round(y - ROW_GAP + 4), tuple(drawn), _described(drawn), labelled
            )
        )
    return charts


ALT_LABEL_CHARS = 60  # the challenges follow in full below the chart


def _described(rows: list[ChartRow]) -> str:
    """Dots per card: card 3 (The template says…): staff 12, managers 4; card 7 (…): … —
    the chart's text alternative, read instead of the drawing (a Figure's /Alt)."""
    lines = []
    for row in rows:
        if len(row.bars) == 1 and row.bars[0].key == "total":
            figures = str(row.bars[0].value)
        else:
            figures = ", ".join(
                f"{bar.label.lower() if bar.key in ROLE_GROUPS else bar.label} {bar.value}"
                for bar in row.bars
            )
        label = _("card %(n)s", n=row.number)
        lines.append(f"{label} ({_shorten(row.text, ALT_LABEL_CHARS)}): {figures}")
    return _("Dots per card: %(rows)s.", rows="; ".join(lines))


# --- Rendering -----------------------------------------------------------------------------


def long_date(day: date | datetime | None) -> str:
    """23. november 2026 in Danish, 23 November 2026 in English."""
    if day is None:
        return ""
    day = _local_date(day)
    return format_date(day, "d. MMMM yyyy" if str(get_locale()) == "da" else "d MMMM yyyy")


def css_string(text: str) -> Markup:
    """Text as the body of a CSS string ("…"): everything but letters, digits and spaces is
    written as a hex escape, so nothing can end the string, the rule or the <style> element."""
    escaped = "".join(
        char if char.isalnum() or char == " " else f"\\{ord(char):x} " for char in str(text)
    )
    return Markup(escaped)  # noqa: S704 - every special character is escaped above


CHART_GEOMETRY = {
    "bar_x": BAR_X,
    "bar_height": BAR_HEIGHT,
    "bar_span": BAR_SPAN,
    "label_width": GROUP_LABEL_WIDTH,
}


def section_titles() -> dict[str, str]:
    """The report's sections in order: anchor -> heading (also the bookmarks and contents)."""
    return {
        "frame": _("The core task and the frame"),
        "participants": _("Who took part"),
        "challenges": _("Prioritised challenges"),
        "origins": _("Where do the rules come from?"),
        "path": _("The citizen's path"),
        "solutions": _("Chosen solutions"),
        "plan": _("Action plan"),
        "effects": _("Measured effects"),
        "lessons": _("Lessons and next steps"),
        "appendix": _("Appendix: every card and what became of it"),
    }


def running_titles() -> dict[str, str]:
    """Shorter section names for the page header."""
    return {
        **section_titles(),
        "frame": _("Core task and frame"),
        "appendix": _("Appendix: every card"),
    }


def effect_score(value: int) -> str:
    """+2, +1, 0, −1 (a real minus sign), −2."""
    return f"+{value}" if value > 0 else f"\u2212{-value}" if value < 0 else "0"


def path_figures(course: Course) -> list[PathFigure]:
    """The citizen's path (issue 14), one figure per page of its swimlanes; none for a
    course that has not mapped one."""
    path = path_of(course)
    if not path:
        return []
    flagged = path_duplicates(path)
    first = path_figure(path, flagged)
    return [first] + [path_figure(path, flagged, page) for page in range(2, first.chart.pages + 1)]


def render_action_plan_html(course: Course) -> str:
    report = report_data(course)
    titles = section_titles()
    path = path_figures(course)
    if not path:
        titles.pop("path")  # a course without a citizen's path has no such section
    steps = current_app.extensions["samskabt_steps"]
    return render_template(
        "report/action_plan.html",
        report=report,
        titles=titles,
        running=running_titles(),
        sections=list(titles.items()),
        step_title=steps[course.current_step - 1].title,
        vote_charts=vote_charts(report),
        chart=CHART_GEOMETRY,
        long_date=long_date,
        css_string=css_string,
        effect_score=effect_score,
        path_figures=path,
    )


# --- Accessible and archivable: tagged PDF/UA-1 that is PDF/A-2a too ----------------------

# WeasyPrint writes one variant per file. PDF/A-2a is the archival one that requires the
# tags PDF/UA needs (structure tree, /Lang, Unicode text, fonts embedded) and adds what
# archiving needs (sRGB output intent, a file identifier, XMP metadata). PDF/UA-1 asks for
# nothing PDF/A forbids, so `_finish_accessible` adds the rest to the same file: the PDF/UA
# identification (declared as a PDF/A extension schema, as PDF/A wants for any schema it
# does not predefine), the running headers and footers as artifacts, link descriptions and
# table header scopes.
PDF_VARIANT = "pdf/a-2a"
PDF_UA_PART = 1
# Part of every kept PDF's key: a PDF kept before the format changed (untagged, before
# issue 19) is rendered anew instead of being served until the course next changes.
PDF_FORMAT = f"{PDF_VARIANT}+pdf/ua-{PDF_UA_PART}"

PDF_UA_XMP = (
    b"""<rdf:Description rdf:about=""
 xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"><pdfuaid:part>%d</pdfuaid:part>\
</rdf:Description><rdf:Description rdf:about=""
 xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
 xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
 xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#"><pdfaExtension:schemas>\
<rdf:Bag><rdf:li rdf:parseType="Resource">\
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>\
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>\
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix><pdfaSchema:property><rdf:Seq>\
<rdf:li rdf:parseType="Resource"><pdfaProperty:name>part</pdfaProperty:name>\
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>\
<pdfaProperty:category>internal</pdfaProperty:category>\
<pdfaProperty:description>Indicates which part of ISO 14289 standard is followed\
</pdfaProperty:description></rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag>\
</pdfaExtension:schemas></rdf:Description>"""
    % PDF_UA_PART
)


def _object(pdf, reference):
    """The pydyf object a reference (b"12 0 R") names."""
    return pdf.objects[int(reference.split()[0])]


def _describe_links(document) -> None:
    """A link's description is its visible text ("Hvem deltog"), not the anchor's name
    (WeasyPrint's default, "participants"): screen readers announce it."""
    import pydyf

    for page in document.pages:
        for _type, _target, _rectangle, box in page.links:
            annotation = getattr(box, "link_annotation", None)
            if annotation is None or box.element is None:
                continue
            text = " ".join("".join(box.element.itertext()).split())
            if text:
                annotation["Contents"] = pydyf.String(text)


def _tagged_elements(pdf, root) -> set[int]:
    """The numbers of the structure elements reachable from the structure tree's root;
    table header cells get their /Scope on the way (a TH in a THead heads its column, one
    in a TBody its row: the templates' scope="col" and scope="row")."""
    reached, pending = set(), [(root, None)]
    while pending:
        element, section = pending.pop()
        kids = element.get("K")
        if element.get("S") == "/TH" and section is not None and "A" in element:
            element["A"]["Scope"] = "/Column" if section == "/THead" else "/Row"
        if element.get("S") in ("/THead", "/TBody", "/TFoot"):
            section = element["S"]
        for kid in kids if isinstance(kids, list) else [kids] if kids else []:
            if isinstance(kid, bytes) and kid.endswith(b" R"):
                number = int(kid.split()[0])
                child = pdf.objects[number]
                if number not in reached and isinstance(child, dict) and "S" in child:
                    reached.add(number)
                    pending.append((child, section))
    return reached


def _margins_as_artifacts(pdf, reached: set[int]) -> None:
    """The running header and footer (course, section, "Side 3 af 9") as pagination
    artifacts. WeasyPrint 70 marks their text with MCIDs whose structure elements it keeps
    out of the tree (the Artifact element only exists in PDF 2.0); content that is neither
    in the tree nor an artifact breaks PDF/UA, so their marked content becomes /Artifact
    and their place in the parent tree null."""
    import pydyf

    parent_tree = _object(pdf, _object(pdf, pdf.catalog["StructTreeRoot"])["ParentTree"])
    numbers = parent_tree["Nums"]
    for index in range(0, len(numbers), 2):
        page_number, mapping = numbers[index], numbers[index + 1]
        if not isinstance(mapping, list):
            continue  # an annotation's entry, not a page's
        outside = {
            mcid
            for mcid, reference in enumerate(mapping)
            if isinstance(reference, bytes) and int(reference.split()[0]) not in reached
        }
        if not outside:
            continue
        for mcid in outside:
            mapping[mcid] = b"null"
        stream = _object(pdf, _object(pdf, pdf.page_references[page_number])["Contents"])
        operations = stream.stream
        for position, item in enumerate(operations):
            # pydyf writes `/Span <</MCID 4>> BDC` as three items: tag, properties, operator.
            if (
                isinstance(item, pydyf.Dictionary)
                and item.get("MCID") in outside
                and operations[position + 1] == b"BDC"
            ):
                operations[position - 1] = "/Artifact"
                operations[position] = pydyf.Dictionary({"Type": "/Pagination"})


def _declare_pdf_ua(pdf) -> None:
    """PDF/UA-1's identification in the XMP metadata WeasyPrint wrote for PDF/A."""
    metadata = _object(pdf, pdf.catalog["Metadata"])
    xmp = b"".join(metadata.stream)
    metadata.stream = [xmp.replace(b"</rdf:RDF>", PDF_UA_XMP + b"</rdf:RDF>", 1)]


def _serialise_once(pdf) -> None:
    """Serialise (and compress) every object now, once. PDF/A wants a file identifier,
    which pydyf computes by serialising every object a second time after writing it: each
    content stream, font and structure element would be built and compressed twice (a
    third of the tags' cost on the 44-page plan). Each object is replaced by its bytes,
    under its number; both passes then only copy them, and the file is the same."""
    import pydyf

    class Serialised(pydyf.Object):
        def __init__(self, original):
            super().__init__()
            self.number, self.generation = original.number, original.generation
            self.free, self._compressible = original.free, original.compressible
            self._data = original.data

        @property
        def data(self):
            return self._data

        @property
        def compressible(self):
            return self._compressible

    objects = pdf.objects
    for index, item in enumerate(objects):
        if item.free != "f":
            objects[index] = Serialised(item)


def _finish_accessible(document, pdf) -> None:
    """WeasyPrint's finisher: runs on the PDF's objects before they are written."""
    _describe_links(document)
    root = _object(pdf, pdf.catalog["StructTreeRoot"])
    _margins_as_artifacts(pdf, _tagged_elements(pdf, root))
    _declare_pdf_ua(pdf)
    _serialise_once(pdf)  # last: nothing changes an object after this


# PDF/A's output intent: the sRGB profile WeasyPrint ships, given under a name of our own.
# With its default name ("srgb") WeasyPrint 70 opens the file for every rendering and never
# closes it (a ResourceWarning each time); read once here, a fresh profile object per
# rendering (WeasyPrint writes the rendering's object reference into it).
OUTPUT_INTENT = "samskabt-srgb"


@functools.cache
def _srgb_icc() -> bytes:
    return (resources.files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()


def _color_profiles() -> dict:
    from weasyprint.css import ColorProfile

    channels = (["r"], ["g"], ["b"])
    profile = ColorProfile(
        io.BytesIO(_srgb_icc()), "sRGB2014.icc", "relative-colorimetric", channels
    )
    return {OUTPUT_INTENT: profile}


def render_pdf(html: str) -> bytes:
    """HTML of the report to a tagged PDF/UA-1 and PDF/A-2a file, loading only the app's
    own static files. The language (/Lang) is the HTML's lang, the title its <title>."""
    weasyprint, _urls = _weasyprint()
    static = Path(current_app.static_folder)
    document = weasyprint.HTML(
        string=html,
        base_url=static.resolve().as_uri() + "/",
        url_fetcher=static_files_only(static),
    )
    # presentational_hints stays off: HTML attributes never become styles.
    return document.write_pdf(
        presentational_hints=False,
        pdf_variant=PDF_VARIANT,
        output_intent=OUTPUT_INTENT,
        color_profiles=_color_profiles(),
        finisher=_finish_accessible,
    )


# One rendering at a time per process: WeasyPrint keeps a worker busy for seconds, and
# several managers opening the same link at once then get one rendering, not several.
_render_lock = threading.Lock()


def _pdf_key(course: Course, document: str) -> str:
    """What the document depends on besides the course's revision: the PDF format, which
    document, the course (its join code and creation time too: a database reset reuses
    ids), the language, the day (the cover says when it was made), and the facilitator's
    name and email on the cover."""
    facilitator = course.facilitator
    return pdf_key(
        PDF_FORMAT,
        document,
        course.id,
        course.join_code,
        course.created_at.isoformat(),
        str(get_locale()),
        local_today().isoformat(),
        facilitator.name,
        facilitator.email,
    )


def _kept_or_rendered(course: Course, key: str, html) -> bytes:
    """The PDF kept for the course's current revision (workshop.core.caches, in the database:
    every worker shares it, a redaction deletes it), else rendered now and kept."""
    revision = course_revision(course.id)
    pdf = kept_pdf(course.id, key, revision)
    if pdf is not None:
        return pdf
    with _render_lock:
        pdf = kept_pdf(course.id, key, revision, fresh=True)  # kept by another meanwhile
        if pdf is not None:
            return pdf
        pdf = render_pdf(html() if callable(html) else html)
        keep_pdf(course.id, key, revision, pdf)
    return pdf


def action_plan_pdf(course: Course) -> bytes:
    """The action plan as a PDF; a second download of an unchanged course takes no rendering."""
    return _kept_or_rendered(
        course, _pdf_key(course, "action-plan"), lambda: render_action_plan_html(course)
    )


def cached_pdf_of_html(course: Course, html: str) -> bytes:
    """Another report's HTML about the course as a PDF (the feedback document to the
    state), kept like the action plan. The key holds the HTML itself, so any change that
    leaves the course's revision alone (a catalogue update) renders anew too."""
    key = pdf_key(PDF_FORMAT, "html", hashlib.sha256(html.encode()).hexdigest(), str(get_locale()))
    return _kept_or_rendered(course, key, html)


def action_plan_filename(course: Course) -> str:
    """handleplan-mindre-boevl-i-jobcentret-2026-11-23.pdf (ASCII only, safe in any header)."""
    prefix = slugify(_("action-plan")) or "action-plan"
    title = slugify(course.title) or f"course-{course.id}"
    return f"{prefix}-{title}-{local_today().isoformat()}.pdf"
