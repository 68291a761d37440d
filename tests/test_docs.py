"""The README and docs/ name only files and modules that exist, and their links lead somewhere.

A module moved or renamed leaves its old path behind in the prose, and a section moved into
docs/ leaves a link that leads nowhere; a newcomer following either finds nothing. Read as
plain text, no app needed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.test_layering import LAYERS

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCUMENTS = [README, *sorted((ROOT / "docs").glob("*.md"))]

# A path of ours written in the prose: one of the project's folders and what follows it.
# Not inside a longer path or URL (`instance/translations/`, `/f/courses/…`), and a
# placeholder (`templates/<area>/<page>.html`) stops at its `<`.
FOLDERS = (
    "workshop",
    "steps",
    "tests",
    "bench",
    "templates",
    "static",
    "migrations",
    "translations",
)
PATH = re.compile(rf"(?<![\w./<>@-])((?:{'|'.join(FOLDERS)})/[\w./*-]*)")
# A module written by its dotted name, maybe with a name in it: `workshop.core.text.tidy`.
DOTTED = re.compile(r"(?<![\w./-])((?:workshop|steps|tests)(?:\.\w+)+)")
LINK = re.compile(r"\]\(([^()\s]+)\)")
FENCE = re.compile(r"^(```|~~~)")


def _label(document: Path) -> str:
    return str(document.relative_to(ROOT))


def _prose(document: Path) -> str:
    return document.read_text(encoding="utf-8")


def written_paths(text: str) -> set[str]:
    return {match.rstrip(".,;:") for match in PATH.findall(text)}


def _exists(path: str) -> bool:
    if "*" in path:
        return any(ROOT.glob(path))
    return (ROOT / path).exists()


def _top_level_names(module: Path) -> set[str]:
    names = set()
    for node in ast.parse(module.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def _module_file(parts: list[str]) -> Path | None:
    base = ROOT.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def dotted_name_exists(name: str) -> bool:
    """A module, or a module and one name defined at its top level."""
    parts = name.split(".")
    if _module_file(parts):
        return True
    module = _module_file(parts[:-1])
    return module is not None and parts[-1] in _top_level_names(module)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation gone, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(document: Path) -> set[str]:
    found, in_code = set(), False
    for line in _prose(document).splitlines():
        if FENCE.match(line):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            found.add(slug(line.lstrip("#")))
    return found


def link_problem(document: Path, target: str) -> str | None:
    """Why a link written in a document leads nowhere, or None when it leads somewhere."""
    if re.match(r"^[a-z]+:", target):  # https:, mailto: — not ours to check
        return None
    path, _, anchor = target.partition("#")
    file = (document.parent / path).resolve() if path else document
    if not file.exists():
        return f"{target}: no file {path}"
    if anchor and file.suffix == ".md" and anchor not in anchors(file):
        return f"{target}: no heading #{anchor} in {file.relative_to(ROOT)}"
    return None


def map_of_the_code() -> str:
    text = _prose(README)
    start = text.index("\n## Map of the code\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


@pytest.mark.parametrize("document", DOCUMENTS, ids=_label)
def test_every_path_a_document_names_exists(document):
    missing = sorted(p for p in written_paths(_prose(document)) if not _exists(p))
    assert missing == [], f"{_label(document)} names paths that are not in the tree"


@pytest.mark.parametrize("document", DOCUMENTS, ids=_label)
def test_every_module_a_document_names_by_its_dotted_name_exists(document):
    names = set(DOTTED.findall(_prose(document)))
    missing = sorted(name for name in names if not dotted_name_exists(name))
    assert missing == [], f"{_label(document)} names modules that do not exist"


@pytest.mark.parametrize("document", DOCUMENTS, ids=_label)
def test_every_link_in_a_document_leads_to_a_file_and_heading_that_exist(document):
    problems = [link_problem(document, target) for target in LINK.findall(_prose(document))]
    assert [p for p in problems if p] == []


def test_the_readme_links_to_every_page_in_docs():
    linked = {
        (README.parent / target.partition("#")[0]).resolve()
        for target in LINK.findall(_prose(README))
    }
    unlinked = [_label(page) for page in DOCUMENTS[1:] if page.resolve() not in linked]
    assert unlinked == []


def test_the_readme_map_of_the_code_names_every_layer_the_layering_test_enforces():
    section = map_of_the_code()
    for _name, prefixes in LAYERS:
        for prefix in prefixes:
            parts = prefix.split(".")
            written = "/".join(parts) + ("/" if (ROOT.joinpath(*parts)).is_dir() else ".py")
            assert f"`{written}" in section, f"the map of the code does not name {written}"


def test_the_path_finder_sees_paths_in_prose_but_not_in_urls_or_placeholders():
    text = (
        "See `workshop/core/models.py`, tests/test_docs.py. Not /f/courses/1 nor "
        "instance/translations/ nor http://host/static/app.css; templates/<area>/<page>.html"
    )
    assert written_paths(text) == {"workshop/core/models.py", "tests/test_docs.py", "templates/"}


def _docstring_and_body(path: str) -> tuple[str, list[ast.stmt]]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return ast.get_docstring(tree) or "", tree.body


def test_the_models_module_docstring_names_every_model_it_holds():
    docstring, body = _docstring_and_body("workshop/core/models.py")
    models = [
        node.name
        for node in body
        if isinstance(node, ast.ClassDef) and any("Model" in ast.unparse(b) for b in node.bases)
    ]
    assert len(models) > 20
    assert [name for name in models if not re.search(rf"\b{name}\b", docstring)] == []


def test_the_vocabulary_module_docstring_names_every_vocabulary_it_holds():
    docstring, body = _docstring_and_body("workshop/core/vocabulary.py")
    names = [
        target.id
        for node in body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id.isupper()
    ]
    assert len(names) > 20
    assert [name for name in names if not re.search(rf"\b{name}\b", docstring)] == []


@pytest.mark.parametrize(
    "folder", ["workshop/core", "workshop", "workshop/reports", "workshop/commands"]
)
def test_every_module_below_the_web_layer_says_what_it_is_in_a_docstring(folder):
    modules = sorted((ROOT / folder).glob("*.py"))
    bare = [
        str(m.relative_to(ROOT)) for m in modules if not ast.get_docstring(ast.parse(m.read_text()))
    ]
    assert modules and bare == []


def _documented_routes(text: str) -> set[str]:
    """The routes docs/urls.md's table lists, placeholders written `<>`. A row may name more
    than one: `POST /f/courses/<id>/cards/<id>/hidden`, `/merge`, `/unmerge`: a short one
    continues the row's first route at any of its folders (lenient, never a false alarm)."""
    routes: set[str] = set()
    for row in text.splitlines():
        row = re.sub(r"<[^>]*>", "<>", row)  # `<baseline\|followup>`, `<shared id>`
        cell = row.split("|")[1] if row.startswith("| `") else ""
        paths = [_placeholders(p) for p in re.findall(r"(/[^\s?`,|]*)", cell)]
        if not paths:
            continue
        first = paths[0]
        routes.add(first)
        folders = [first[:i] for i, char in enumerate(first) if char == "/"]
        for path in paths[1:]:
            routes.add(path)
            routes.update(folder + path for folder in folders)
    return routes


def _placeholders(path: str) -> str:
    return re.sub(r"<[^>]*>", "<>", path)


def test_the_url_map_lists_every_route_of_the_app(app):
    documented = _documented_routes((ROOT / "docs" / "urls.md").read_text(encoding="utf-8"))
    missing = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and _placeholders(rule.rule) not in documented
    )
    assert not missing, f"routes missing from docs/urls.md: {missing}"


def test_the_route_reader_continues_a_rows_first_route():
    row = "| `POST /f/courses/<id>/cards/<id>/hidden`, `/merge`, `/votes/clear` | facilitator | x |"
    routes = _documented_routes(row)
    assert "/f/courses/<>/cards/<>/merge" in routes
    assert "/f/courses/<>/votes/clear" in routes
    assert "/f/courses/<>/cards/<>/hidden" in routes
