"""The PDFs are accessible and archivable (issue 19): tagged PDF/UA-1 that is also PDF/A-2a.

Read back with pikepdf (the structure tree, the catalogue, the XMP metadata) and pypdf (the
text each marked-content sequence shows), and with poppler's `pdfinfo`, for the action plan
and the feedback document to the state, in Danish and English, from the facilitator's and
the manager link's routes.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field

import pikepdf
import pytest
from pypdf import PdfReader

from tests.test_report import SECTIONS_EN, full_course, render  # noqa: F401 - a fixture
from tests.test_state_feedback import AVAILABILITY, SELF_BOOKING, card, course  # noqa: F401
from workshop.core.extensions import db
from workshop.core.models import Course
from workshop.manager_links import create_manager_link
from workshop.reports import pdf as report
from workshop.state_feedback import flag_card

ACTION_PLAN_TITLE = "Mindre bøvl på Ærø"  # full_course's title
FEEDBACK_COURSE_TITLE = "Mindre bøvl i jobcentret"  # test_state_feedback's course


# --- Reading the structure back -----------------------------------------------------------


def flat(text: str) -> str:
    """One line, with words the layout hyphenated or wrapped joined again."""
    text = re.sub(r"[\u2010\u00ad-]\n", "", text)
    return " ".join(text.split())


def marked_text(pdf: bytes) -> tuple[dict[tuple[int, int], str], dict[int, str]]:
    """The text of every marked-content sequence, by (page index, MCID), and the text each
    page shows as an artifact (outside the structure tree)."""
    tagged: dict[tuple[int, int], str] = defaultdict(str)
    artifacts: dict[int, str] = defaultdict(str)
    for index, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):
        open_sequences: list = []

        def before(operator, operands, _cm, _tm, stack=open_sequences):
            if operator in (b"BDC", b"BMC"):
                properties = operands[1] if len(operands) > 1 else None
                if operands[0] == "/Artifact":
                    stack.append("artifact")
                elif hasattr(properties, "get") and properties.get("/MCID") is not None:
                    stack.append(int(properties["/MCID"]))
                else:
                    stack.append(None)
            elif operator == b"EMC" and stack:
                stack.pop()

        def shown(text, _cm, _tm, _font, _size, stack=open_sequences, page=index):
            where = next((s for s in reversed(stack) if s is not None), None)
            if where == "artifact":
                artifacts[page] += text
            elif where is not None:
                tagged[(page, where)] += text

        page.extract_text(visitor_operand_before=before, visitor_text=shown)
    return tagged, artifacts


@dataclass
class Element:
    """A structure element: its type, attributes, alternative text, the text of the
    content it holds (its own and its children's), and its children."""

    kind: str
    attributes: dict
    alt: str | None
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def all(self, kind: str | None = None):
        if kind is None or self.kind == kind:
            yield self
        for child in self.children:
            yield from child.all(kind)


class Tagged:
    """A PDF opened for reading its tags."""

    def __init__(self, pdf: bytes):
        self.bytes = pdf
        self.pdf = pikepdf.open(io.BytesIO(pdf))
        self.root = self.pdf.Root
        self.pages = {page.obj.objgen: index for index, page in enumerate(self.pdf.pages)}
        self.texts, self.artifacts = marked_text(pdf)
        self.reached: set[tuple[int, int]] = set()
        self.tree = self._element(self.root.StructTreeRoot.K[0], None)

    def _element(self, node, page: int | None) -> Element:
        self.reached.add(node.objgen)
        if "/Pg" in node:
            page = self.pages[node.Pg.objgen]
        attributes = node.get("/A")
        element = Element(
            str(node.S),
            {str(k): v for k, v in attributes.items()} if attributes is not None else {},
            str(node.Alt) if "/Alt" in node else None,
        )
        kids = node.get("/K")
        kids = kids if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]
        parts = []
        for kid in kids:
            if isinstance(kid, int):  # an MCID on the element's page
                parts.append(self.texts.get((page, int(kid)), ""))
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                child = self._element(kid, page)
                element.children.append(child)
                parts.append(child.text)
        element.text = flat("".join(parts))
        return element

    def elements(self, kind: str) -> list[Element]:
        return list(self.tree.all(kind))

    def texts_of(self, kind: str) -> list[str]:
        return [element.text for element in self.elements(kind)]

    def xmp(self) -> str:
        return self.root.Metadata.read_bytes().decode()


def pdfinfo(pdf: bytes, tmp_path) -> dict[str, str]:
    program = shutil.which("pdfinfo")
    if program is None:
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    lines = subprocess.run(  # noqa: S603 - poppler's pdfinfo on our own file
        [program, str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in lines)}


# --- The documents ------------------------------------------------------------------------


def action_plan(app, course_id: int, lang: str = "en") -> Tagged:
    return Tagged(render(app, course_id, lang=lang))


@pytest.fixture
def feedback_course(app, course):  # noqa: F811 - test_state_feedback's course fixture
    """test_state_feedback's course with both law cards sent to the state."""
    with app.app_context():
        flag_card(card(course, "booking"), proposal="Lad borgerne vælge", trial="trial_provision")
        flag_card(card(course, "availability"), cost="To timer om ugen", trial="unknown")
    return course


def feedback(app, course_id: int, lang: str = "en") -> Tagged:
    from workshop.web.state_feedback import _pdf

    with app.test_request_context(f"/?lang={lang}"):
        return Tagged(_pdf(db.session.get(Course, course_id)).get_data())


# --- The action plan ----------------------------------------------------------------------


def test_the_action_plan_is_a_tagged_pdf(app, full_course, tmp_path):  # noqa: F811
    document = action_plan(app, full_course["id"])
    assert document.root.MarkInfo.Marked is True
    assert document.tree.kind == "/Document" and len(document.elements("/P")) > 10
    assert pdfinfo(document.bytes, tmp_path)["Tagged"] == "yes"


@pytest.mark.parametrize(("lang", "kind"), [("da", "Handleplan"), ("en", "Action plan")])
def test_the_action_plan_names_its_language_and_shows_its_title(app, full_course, lang, kind):  # noqa: F811
    document = action_plan(app, full_course["id"], lang=lang)
    assert str(document.root.Lang) == lang
    title = f"{kind}: {ACTION_PLAN_TITLE}"
    assert str(document.pdf.docinfo.Title) == title
    assert f'<rdf:li xml:lang="x-default">{title}</rdf:li>' in document.xmp()
    # A reader's window shows the title, not the file name.
    assert document.root.ViewerPreferences.DisplayDocTitle is True


def test_the_action_plan_identifies_itself_as_pdf_ua_1_and_pdf_a_2a(app, full_course):  # noqa: F811
    document = action_plan(app, full_course["id"])
    with document.pdf.open_metadata() as xmp:
        assert xmp["pdfuaid:part"] == "1"
        assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("2", "A")
    # PDF/A accepts a schema it does not predefine only when the file declares it.
    assert "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/<" in document.xmp()
    # PDF/A's archival parts: an sRGB output intent and the file's identifier.
    (intent,) = document.root.OutputIntents
    assert intent.S == "/GTS_PDFA1" and b"sRGB" in intent.DestOutputProfile.read_bytes()
    assert len(document.pdf.trailer.ID) == 2


def test_the_headings_are_a_structure_tree_in_reading_order(app, full_course):  # noqa: F811
    document = action_plan(app, full_course["id"])
    assert document.texts_of("/H1") == [ACTION_PLAN_TITLE, *SECTIONS_EN]
    second = document.texts_of("/H2")
    assert second[0] == "Contents"
    assert "Dots on the prioritised challenges" in second
    # A challenge: its number, then its text (drawn apart, so extracted without a space).
    assert "1Æbler, øl og år – ÆØÅ skal tælles hver uge" in second
    assert "The frame" in second and "Lesson" in second
    # No level skipped: a screen reader's list of headings is a tree.
    levels = [int(e.kind[2]) for e in document.tree.all() if re.fullmatch(r"/H[1-6]", e.kind)]
    assert levels[0] == 1
    assert all(level <= before + 1 for before, level in zip(levels, levels[1:], strict=False))


def test_the_tables_have_header_cells_that_head_their_columns_and_rows(app, full_course):  # noqa: F811
    document = action_plan(app, full_course["id"])
    tables = document.elements("/Table")
    assert len(tables) >= 6
    assert all(list(table.all("/TH")) for table in tables)
    headers = {th.text: th.attributes for th in document.elements("/TH")}
    assert headers["Role"]["/Scope"] == "/Column"
    assert headers["Action"]["/Scope"] == "/Column"
    assert headers["Period"]["/Scope"] == "/Row"  # the cover's facts
    # Each data cell names its headers.
    assert all(len(td.attributes["/Headers"]) for td in document.elements("/TD"))


def test_the_vote_chart_is_a_figure_whose_alternative_says_the_dots(app, full_course):  # noqa: F811
    document = action_plan(app, full_course["id"])
    alts = [e.alt for e in document.elements("/Figure")]
    assert alts[0] == (
        "Dots per card: card 1 (Æbler, øl og år – ÆØÅ skal tælles hver uge): staff 6,"
        " managers 6; card 2 (Samtaler hver tredje måned uden grund): staff 3, managers 3."
    )


def test_the_measure_chart_is_a_figure_whose_alternative_gives_before_and_after(
    app,
    full_course,  # noqa: F811
):
    document = action_plan(app, full_course["id"], lang="da")
    alts = [e.alt for e in document.elements("/Figure")]
    assert len(alts) == 2 and alts[0].startswith("Prikker pr. kort: kort 1 (Æbler")
    assert alts[1].startswith("Før og efter: ")
    assert "Før: 60,0 i gennemsnit" in alts[1] and "Efter: 12,5 i gennemsnit" in alts[1]


def test_running_headers_and_footers_are_artifacts_not_content(app, full_course):  # noqa: F811
    document = action_plan(app, full_course["id"])
    pages = len(document.pdf.pages)
    header_and_footer = flat(document.artifacts[1])
    assert ACTION_PLAN_TITLE in header_and_footer
    assert f"Page 2 of {pages}" in header_and_footer
    content = " ".join(document.texts.values())
    assert "Page 2 of" not in content and "Who took part" in content
    # Every marked-content sequence the parent tree names belongs to the tree.
    numbers = list(document.root.StructTreeRoot.ParentTree.Nums)
    for index, mapping in zip(numbers[::2], numbers[1::2], strict=True):
        if isinstance(mapping, pikepdf.Array):
            named = [entry for entry in mapping if isinstance(entry, pikepdf.Dictionary)]
            assert all(entry.objgen in document.reached for entry in named), index


def test_the_contents_links_are_described_by_their_text(app, full_course):  # noqa: F811
    document = action_plan(app, full_course["id"])
    links = [a for a in document.pdf.pages[0].get("/Annots", []) if a.Subtype == "/Link"]
    assert {str(link.Contents) for link in links} == set(SECTIONS_EN)
    assert all(link.StructParent is not None for link in links)


def test_a_pdf_kept_before_the_format_changed_is_rendered_anew(app, full_course, monkeypatch):  # noqa: F811
    """A PDF kept in the database before the tags (issue 19) is not served on until the
    course next changes: the format is part of the kept PDF's key."""
    tagged = report.render_pdf
    with monkeypatch.context() as before:
        before.setattr(report, "PDF_FORMAT", "untagged")
        before.setattr(report, "render_pdf", lambda html: b"%PDF-1.7 untagged")
        assert render(app, full_course["id"]) == b"%PDF-1.7 untagged"  # kept
    assert report.render_pdf is tagged
    assert Tagged(render(app, full_course["id"])).root.MarkInfo.Marked is True


# --- The manager link ---------------------------------------------------------------------


def test_the_manager_link_serves_the_same_tagged_action_plan(app, client, auth, full_course):  # noqa: F811
    auth.login()
    mine = client.get(f"/f/courses/{full_course['id']}/action-plan.pdf?lang=en").data
    with app.app_context():
        token = create_manager_link(db.session.get(Course, full_course["id"]), "Ledelsen").token
    response = app.test_client().get(f"/m/{token}/action-plan.pdf?lang=en")
    assert response.status_code == 200 and response.data == mine
    document = Tagged(response.data)
    assert str(document.root.Lang) == "en" and document.texts_of("/H1")[0] == ACTION_PLAN_TITLE


def test_the_manager_link_serves_the_tagged_feedback_document(app, feedback_course):
    with app.app_context():
        course_row = db.session.get(Course, feedback_course["id"])
        token = create_manager_link(course_row, "Direktionen").token
    response = app.test_client().get(f"/m/{token}/state-feedback.pdf")
    assert response.status_code == 200
    document = Tagged(response.data)
    assert str(document.root.Lang) == "da"
    assert document.texts_of("/H1")[1] == "Regler, vi ønsker ændret"


# --- The feedback document to the state ---------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "kind"), [("da", "Tilbagemelding til staten"), ("en", "Feedback to the state")]
)
def test_the_feedback_document_is_tagged_pdf_ua_in_its_language(
    app, feedback_course, lang, kind, tmp_path
):
    document = feedback(app, feedback_course["id"], lang=lang)
    assert str(document.root.Lang) == lang
    assert str(document.pdf.docinfo.Title) == f"{kind}: {FEEDBACK_COURSE_TITLE}"
    assert document.root.ViewerPreferences.DisplayDocTitle is True
    assert document.root.MarkInfo.Marked is True
    with document.pdf.open_metadata() as xmp:
        assert xmp["pdfuaid:part"] == "1" and xmp["pdfaid:part"] == "2"
    assert pdfinfo(document.bytes, tmp_path)["Tagged"] == "yes"


def test_the_feedback_documents_headings_and_tables_are_tagged(app, feedback_course):
    document = feedback(app, feedback_course["id"])
    assert document.texts_of("/H1") == [
        "Rules only the state can change",
        "Rules we want changed",
        "Trial provisions and exemption schemes",
    ]
    rules = document.texts_of("/H2")
    assert any(SELF_BOOKING in rule for rule in rules)
    assert any(AVAILABILITY in rule for rule in rules)
    assert "The requirement" in document.texts_of("/H3")
    levels = [int(e.kind[2]) for e in document.tree.all() if re.fullmatch(r"/H[1-6]", e.kind)]
    assert all(level <= before + 1 for before, level in zip(levels, levels[1:], strict=False))
    headers = {th.text: th.attributes["/Scope"] for th in document.elements("/TH")}
    assert headers["Provision or scheme"] == "/Column" and headers["Course"] == "/Row"
    header_and_footer = flat(document.artifacts[1])
    assert f"Page 2 of {len(document.pdf.pages)}" in header_and_footer
