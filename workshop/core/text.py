"""Text as it comes in: tidied, then checked for length and for citizens' CPR numbers.

Also the slugs of file names, and the markers that stand where words were redacted or deleted.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from flask_babel import gettext as _

from workshop.core.errors import WorkshopError

# DDMMYY, optional dash or space, four digits; not part of a longer number.
_CPR_LIKE = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})[-\s]?(\d{4})(?!\d)")


def looks_like_cpr(text: str) -> bool:
    """True if the text holds a ten-digit number whose first six digits are a real date."""
    for day, month, year, _rest in _CPR_LIKE.findall(text):
        try:
            date(2000 + int(year), int(month), int(day))
        except ValueError:
            continue
        return True
    return False


# Control characters other than tab and newline: NUL (which PostgreSQL refuses in text),
# escape sequences, backspaces. Nobody types them; they come from pasting or from scripts.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Invisible characters that make text on the projector, in a PDF or in a CSV read other
# than it is stored: bidirectional embeddings, overrides and isolates (U+202A-U+202E,
# U+2066-U+2069: "\u202egnp.exe" shows as "exe.png"), zero-width spaces and joiners, the
# word joiner and the invisible operators (U+200B-U+200D, U+2060-U+2064), U+FEFF and the
# deprecated format characters (U+206A-U+206F). The plain direction marks U+200E/U+200F
# stay: they only place neutral characters beside Arabic or Hebrew and reorder nothing.
_INVISIBLE = re.compile(r"[\u200b\u200c\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
_ZWJ = "\u200d"
# Line and paragraph separators: newlines by another name (and line ends in JavaScript).
_LINE_SEPARATORS = str.maketrans({"\u2028": "\n", "\u2029": "\n"})


def _emoji_side(char: str) -> bool:
    """A character a zero-width joiner may glue into one emoji (👩‍💻, 🏳️‍🌈, 👨🏽‍🦰):
    a pictograph, a skin tone, or the emoji variation selector."""
    return (
        unicodedata.category(char) == "So"
        or "\U0001f3fb" <= char <= "\U0001f3ff"  # skin tones
        or char == "\ufe0f"
    )


def _without_stray_joiners(text: str) -> str:
    """Zero-width joiners only inside emoji sequences, where they draw one picture."""
    if _ZWJ not in text:
        return text
    kept = []
    for index, char in enumerate(text):
        if char == _ZWJ and not (
            0 < index < len(text) - 1
            and _emoji_side(text[index - 1])
            and unicodedata.category(text[index + 1]) == "So"
        ):
            continue
        kept.append(char)
    return "".join(kept)


def tidy(text: str | None) -> str:
    """Text as stored, whichever way it came in (a form, an imported file, the CLI):
    composed Unicode (NFC, so "å" is one character however it was typed), Windows and old
    Mac line ends as newlines, no control characters other than tab and newline, none of
    the invisible characters that make text show other than it reads (zero-width joiners
    only inside emoji), no surrounding whitespace."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").translate(_LINE_SEPARATORS)
    text = _without_stray_joiners(_INVISIBLE.sub("", _CONTROL.sub("", text)))
    # Composed last: what was taken out may have kept a letter from its accent.
    return unicodedata.normalize("NFC", text).strip()


def clean_text(text: str | None, *, max_length: int, allow_cpr_like: bool = False) -> str:
    """The text tidied, or a friendly refusal: empty, too long, or a possible CPR number."""
    text = tidy(text)
    if not text:
        raise WorkshopError(_("Write something first."), code="empty")
    if len(text) > max_length:
        raise WorkshopError(
            _(
                "That is %(length)s characters; at most %(max)s fit. Shorten it a little.",
                length=len(text),
                max=max_length,
            ),
            code="too_long",
        )
    if not allow_cpr_like and looks_like_cpr(text):
        raise WorkshopError(
            _(
                "This looks like a CPR number. Workshop cards are no place for citizens' "
                "personal data: remove it, or confirm that it is not a CPR number."
            ),
            code="cpr",
        )
    return text


# Danish letters as Danes write them without them: æ → ae, ø → oe, å → aa.
_DANISH_ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ß": "ss"})


def slugify(text: str, max_length: int = 60) -> str:
    """ASCII, lower case, words joined by dashes, for file names in any HTTP header:
    'Mindre bøvl i jobcentret' -> 'mindre-boevl-i-jobcentret'."""
    ascii_text = (
        unicodedata.normalize("NFKD", text.lower().translate(_DANISH_ASCII))
        .encode("ascii", "ignore")
        .decode("ascii")
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug[:max_length].rstrip("-")


def redaction_marker() -> str:
    """What a redacted text says instead, in the course's language (the app's default,
    Danish): the phones and the projector read it, whatever language the facilitator uses."""
    from flask import current_app
    from flask_babel import force_locale

    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "da")):
        return _("[Redacted by the facilitator]")


def deletion_marker() -> str:
    """What a text says once its author deleted their own data (workshop.privacy), in the
    course's language like the redaction marker."""
    from flask import current_app
    from flask_babel import force_locale

    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "da")):
        return _("[Deleted by the participant]")
