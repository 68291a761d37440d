"""The compiled message catalogues: Danish is the default language, never an install step.

Flask-Babel reads only compiled `.mo` files. A deployment that skipped `pybabel compile`
(a fresh clone, a container built without it) used to serve every page in English without
a word of warning. Instead the app compiles each `.po` whose `.mo` is missing or older
when it starts, with Babel's own compiler (what `pybabel compile` runs), and refuses to
start when there is no Danish catalogue at all.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DEFAULT_LOCALE = "da"
DOMAIN = "messages"


class MissingTranslations(RuntimeError):
    """No Danish catalogue: the app would speak English to Danish users."""


def _is_stale(po: Path, mo: Path) -> bool:
    return not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime


def _compile(po: Path, mo: Path) -> None:
    """Compile one catalogue; written aside and moved into place, so workers starting at
    the same time never read half a file."""
    with po.open("rb") as source:
        catalog = read_po(source, locale=po.parent.parent.name, domain=DOMAIN)
    mo.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=mo.parent, prefix=".messages-", suffix=".mo")
    try:
        with os.fdopen(handle, "wb") as out:
            write_mo(out, catalog)  # fuzzy entries left out, as `pybabel compile` does
        os.chmod(temporary, 0o644)  # as `pybabel compile` leaves it, not mkstemp's 0600
        os.replace(temporary, mo)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def compiled_translations(source: Path, fallback: Path) -> Path:
    """The directory Flask-Babel should read, with every catalogue compiled and current.

    Compiles in `source` where the catalogues live; where that is read-only (an installed
    package), into `fallback` (the instance folder) instead. Raises MissingTranslations
    when the Danish catalogue is in neither form."""
    danish = source / DEFAULT_LOCALE / "LC_MESSAGES"
    if not (danish / f"{DOMAIN}.po").exists() and not (danish / f"{DOMAIN}.mo").exists():
        raise MissingTranslations(
            f"The Danish message catalogue is missing ({danish / f'{DOMAIN}.po'}). "
            "Samskabt would speak English to everyone: install the app with its "
            "translations/ folder."
        )
    catalogues = sorted(source.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    stale = [po for po in catalogues if _is_stale(po, po.with_suffix(".mo"))]
    if not stale:
        return source
    try:
        for po in stale:
            _compile(po, po.with_suffix(".mo"))
        return source
    except OSError:
        pass  # read-only: compile every catalogue into the fallback below
    for po in catalogues:
        mo = fallback / po.relative_to(source).with_suffix(".mo")
        if _is_stale(po, mo):
            _compile(po, mo)
    return fallback
