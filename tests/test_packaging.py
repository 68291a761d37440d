"""The app as a package: pyproject's package list holds every module, its data every file."""

import tomllib
from pathlib import Path

from setuptools import find_packages

ROOT = Path(__file__).resolve().parent.parent


def _configuration() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_folder_of_code_is_a_package_the_wheel_takes():
    find = _configuration()["packages"]["find"]
    packaged = set(find_packages(where=str(ROOT), include=find["include"]))
    folders = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("workshop", "steps")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert folders <= packaged, sorted(folders - packaged)


def test_the_data_files_the_app_reads_are_package_data():
    packaged = {
        path
        for package, patterns in _configuration()["package-data"].items()
        for pattern in patterns
        for path in (ROOT / package.replace(".", "/")).glob(pattern)
    }
    for path in ("workshop/commands/demo.json", "workshop/data/catalogue.json"):
        assert ROOT / path in packaged, path
