"""Imports point down the layers, never in a circle, and not from inside a function.

The layers, lowest first (README, "Map of the code"). A module may import from its own
layer and the ones below it, never from one above; no group of modules imports each other
round in a circle, whatever the layers; an import inside a function needs a comment saying
why (on the line above or at its end), because such imports are how cycles hide.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# (name, module prefixes): a module belongs to the layer of its longest matching prefix.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("core", ("workshop.core",)),
    ("domain", ("workshop",)),
    ("steps", ("steps",)),
    ("reports and exchange", ("workshop.reports", "workshop.exchange")),
    ("web and commands", ("workshop.web", "workshop.commands")),
    ("app", ("app",)),
)
SOURCES = ("app.py", "workshop", "steps")


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module of ours
    line: int
    in_function: bool
    explained: bool  # a comment on the line above or at the end says why


def modules(root: Path, sources=SOURCES) -> dict[str, Path]:
    """Our modules by dotted name."""
    found = {}
    for source in sources:
        path = root / source
        files = [path] if path.is_file() else sorted(path.rglob("*.py"))
        for file in files:
            parts = list(file.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = file
    return found


def _ours(name: str, known: dict[str, Path]) -> str | None:
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def _is_type_checking(node: ast.AST) -> bool:
    """`if TYPE_CHECKING:` (or `typing.TYPE_CHECKING`): its body never runs."""
    return isinstance(node, ast.If) and ast.unparse(node.test) in (
        "TYPE_CHECKING",
        "typing.TYPE_CHECKING",
    )


def imports(root: Path, sources=SOURCES) -> list[Import]:
    """Every import of one of our modules by another, outside `if TYPE_CHECKING:`."""
    known = modules(root, sources)
    found = []
    for module, file in known.items():
        lines = file.read_text().splitlines()
        package = module if file.name == "__init__.py" else module.rpartition(".")[0]

        def targets(node, package=package):
            if isinstance(node, ast.Import):
                return [_ours(alias.name, known) for alias in node.names]
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            # `from package import module` imports the module; anything else the package.
            return [_ours(f"{base}.{alias.name}", known) for alias in node.names]

        def visit(node, in_function, module=module, lines=lines, targets=targets):
            for child in ast.iter_child_nodes(node):
                if _is_type_checking(child):
                    # Only the body is for the type checker; an `else:` runs.
                    for branch in child.orelse:
                        visit(ast.Module(body=[branch], type_ignores=[]), in_function)
                    continue
                if isinstance(child, ast.Import | ast.ImportFrom):
                    above = lines[child.lineno - 2].strip() if child.lineno > 1 else ""
                    explained = above.startswith("#") or "#" in lines[child.end_lineno - 1]
                    for target in set(targets(child)) - {None, module}:
                        found.append(Import(module, target, child.lineno, in_function, explained))
                function = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
                visit(child, in_function or function)

        visit(ast.parse(file.read_text()), False)
    return found


def dynamic_imports(root: Path, sources=SOURCES) -> list[str]:
    """Imports by name at run time, which the checks above cannot follow."""
    found = []
    for module, file in modules(root, sources).items():
        for node in ast.walk(ast.parse(file.read_text())):
            if isinstance(node, ast.Call) and ast.unparse(node.func) in (
                "import_module",
                "importlib.import_module",
                "__import__",
            ):
                found.append(f"{module}:{node.lineno} {ast.unparse(node)}")
    return found


def layer_of(module: str) -> int:
    best, level = -1, None
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, level = len(prefix), index
    assert level is not None, f"{module} is in no layer"
    return level


def upward_imports(found: list[Import]) -> list[str]:
    return [
        f"{i.source}:{i.line} imports {i.target} "
        f"({LAYERS[layer_of(i.source)][0]} -> {LAYERS[layer_of(i.target)][0]})"
        for i in found
        if layer_of(i.target) > layer_of(i.source)
    ]


def cycles(found: list[Import]) -> list[list[str]]:
    """Groups of modules that import each other round (Tarjan's strongly connected parts)."""
    graph: dict[str, set[str]] = {}
    for i in found:
        graph.setdefault(i.source, set()).add(i.target)
        graph.setdefault(i.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return groups


def unexplained_function_imports(found: list[Import]) -> list[str]:
    return sorted(
        {
            f"{i.source}:{i.line} imports {i.target}"
            for i in found
            if i.in_function and not i.explained
        }
    )


def test_every_module_belongs_to_a_layer():
    for module in modules(ROOT):
        layer_of(module)


def test_no_module_imports_from_a_layer_above_its_own():
    assert upward_imports(imports(ROOT)) == []


def test_no_modules_import_each_other_in_a_circle():
    assert cycles(imports(ROOT)) == []


def test_imports_inside_functions_say_why():
    assert unexplained_function_imports(imports(ROOT)) == []


def test_no_module_imports_another_by_a_name_in_a_string():
    assert dynamic_imports(ROOT) == []


# The checks themselves, on a small made-up tree: they must catch what they are for.


@pytest.fixture
def tree(tmp_path):
    def write(files: dict[str, str]) -> Path:
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return tmp_path

    return write


def test_an_upward_import_is_caught(tree):
    root = tree(
        {
            "workshop/__init__.py": "",
            "workshop/core/__init__.py": "",
            "workshop/core/models.py": "from workshop.web import views\n",
            "workshop/web/__init__.py": "",
            "workshop/web/views.py": "",
        }
    )
    assert upward_imports(imports(root, ("workshop",))) == [
        "workshop.core.models:1 imports workshop.web.views (core -> web and commands)"
    ]


def test_a_relative_upward_import_is_caught(tree):
    root = tree(
        {
            "workshop/__init__.py": "",
            "workshop/cards.py": "from .reports import pdf\n",
            "workshop/reports/__init__.py": "",
            "workshop/reports/pdf.py": "",
        }
    )
    assert upward_imports(imports(root, ("workshop",))) == [
        "workshop.cards:1 imports workshop.reports.pdf (domain -> reports and exchange)"
    ]


def test_a_cycle_hidden_inside_a_function_is_caught(tree):
    root = tree(
        {
            "workshop/__init__.py": "",
            "workshop/cards.py": "from workshop import votes\n",
            "workshop/votes.py": "def f():\n    # needed late\n    from workshop import cards\n",
        }
    )
    found = imports(root, ("workshop",))
    assert cycles(found) == [["workshop.cards", "workshop.votes"]]
    assert unexplained_function_imports(found) == []


def test_an_import_inside_a_function_without_a_reason_is_caught(tree):
    root = tree(
        {
            "workshop/__init__.py": "",
            "workshop/cards.py": "",
            "workshop/votes.py": "def f():\n    from workshop import cards\n",
        }
    )
    assert unexplained_function_imports(imports(root, ("workshop",))) == [
        "workshop.votes:2 imports workshop.cards"
    ]


def test_an_upward_import_in_the_branch_that_runs_beside_type_checking_is_caught(tree):
    root = tree(
        {
            "workshop/__init__.py": "",
            "workshop/core/__init__.py": "",
            "workshop/core/models.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    pass\nelse:\n    from workshop import cards\n"
                "if not TYPE_CHECKING:\n    from workshop import votes\n"
            ),
            "workshop/cards.py": "",
            "workshop/votes.py": "",
        }
    )
    assert upward_imports(imports(root, ("workshop",))) == [
        "workshop.core.models:5 imports workshop.cards (core -> domain)",
        "workshop.core.models:7 imports workshop.votes (core -> domain)",
    ]


def test_an_import_by_a_name_in_a_string_is_caught(tree):
    root = tree(
        {
            "workshop/__init__.py": "",
            "workshop/cards.py": (
                "import importlib\ndef f():\n    return importlib.import_module('workshop.web')\n"
            ),
        }
    )
    assert dynamic_imports(root, ("workshop",)) == [
        "workshop.cards:3 importlib.import_module('workshop.web')"
    ]


def test_imports_for_type_checking_only_do_not_count(tree):
    root = tree(
        {
            "workshop/__init__.py": "",
            "workshop/core/__init__.py": "",
            "workshop/core/models.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from workshop import cards\n"
            ),
            "workshop/cards.py": "",
        }
    )
    assert upward_imports(imports(root, ("workshop",))) == []
