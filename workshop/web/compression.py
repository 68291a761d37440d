"""Small pages for phones: compressed responses and static files cached for a year.

- Flask-Compress compresses HTML, CSS, JavaScript, JSON and SVG for browsers that accept it
  (zstd, br, gzip). PDFs and CSV files are left as they are (not in its list of types).
- ETags of compressible responses are made weak before Flask-Compress sees them. A strong
  ETag would be rewritten to `"<tag>:gzip"`; the browser then revalidates a polled fragment
  with that tag, which the poll code (`live_response`, weak comparison) would not
  recognise, so it would render the whole fragment only for Flask-Compress to answer 304.
  A weak ETag is also what RFC 9110 asks of a representation sent in several encodings.
- A large body that many requests send alike (the voting list of 300 or 1,000 cards that
  every phone fetches the moment the vote opens) is compressed once: the compressed bytes
  are kept by a hash of the body and the encoding (`CompressedBodies`, a few entries, at
  most a minute old, so a redacted text leaves this memory as it leaves the fragments').
  Compressing 800 KB costs 5 ms with gzip; hashing it, 0.4 ms, so a body spliced from
  shared pieces (workshop.web.fragments) comes with a hash taken from its pieces.
- Static files are linked with their content's hash (`?v=…`, added by `url_for`), so a
  phone may keep htmx, app.js and app.css for a year and asks again only when a file
  changes. Only such a URL with the current hash is cached; other responses (PDF, CSV,
  pages) keep their own Cache-Control.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, g, request
from flask_compress import Compress

from workshop.web import fragments

compress = Compress()

STATIC_MAX_AGE = 365 * 24 * 3600
SHARED_BODY_MIN_SIZE = 32 * 1024  # smaller bodies are compressed anew (it costs little)
NOT_KEPT = "not-kept"


class CompressedBodies:
    """Flask-Compress's cache: compressed bytes by "<encoding>;<hash of the body>", for the
    large bodies only (`body_key`); a few, each kept at most `max_age` seconds."""

    def __init__(self, kept: int = 16, max_age: float = 60.0):
        self.kept, self.max_age = kept, max_age
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None or time.monotonic() - found[0] > self.max_age:
                self._entries.pop(key, None)
                return None
            self._entries.move_to_end(key)
            return found[1]

    def set(self, key: str, value: bytes) -> None:
        if key.endswith(NOT_KEPT):
            return
        with self._lock:
            if key not in self._entries:
                self._entries[key] = (time.monotonic(), value)
            while len(self._entries) > self.kept:
                self._entries.popitem(last=False)


def body_key(_request) -> str:
    """The key Flask-Compress keeps a compressed body under: the hash `prepare_for_compression`
    took of a large body in this request, else one that is never kept or found."""
    return g.get("samskabt_body_hash") or f"{id(g)}:{time.monotonic_ns()}:{NOT_KEPT}"


@lru_cache(maxsize=256)
def _file_version(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def static_version(static_folder: str, filename: str) -> str | None:
    path = Path(static_folder) / filename
    try:
        stat = path.stat()
    except OSError:
        return None
    return _file_version(str(path), stat.st_mtime_ns)


def init_compression(app: Flask) -> None:
    app.config.setdefault("COMPRESS_ALGORITHM", ["zstd", "br", "gzip"])
    app.config.setdefault("COMPRESS_CACHE_BACKEND", CompressedBodies)
    app.config.setdefault("COMPRESS_CACHE_KEY", body_key)
    compress.init_app(app)
    compressible = set(app.config["COMPRESS_MIMETYPES"])

    # Registered after Flask-Compress, so it runs before it (after_request runs in reverse).
    @app.after_request
    def prepare_for_compression(response: Response) -> Response:
        if request.endpoint == "static" and response.direct_passthrough:
            # Read the (small) file into memory: Flask-Compress would otherwise compress the
            # file's stream and leave the file open; this way it is closed when the response
            # is, and the body gets a Content-Length.
            response.direct_passthrough = False
            response.make_sequence()
        etag, weak = response.get_etag()
        if etag and not weak and response.mimetype in compressible:
            response.set_etag(etag, weak=True)
        g.pop("samskabt_body_hash", None)
        spliced_hash = g.pop("samskabt_spliced_hash", None)  # see fragments.splice_shared
        if (
            response.mimetype in compressible
            and not response.is_streamed
            and (response.content_length or 0) >= SHARED_BODY_MIN_SIZE
            and 200 <= response.status_code < 300
        ):
            g.samskabt_body_hash = spliced_hash or hashlib.sha256(response.get_data()).hexdigest()
        if (
            request.endpoint == "static"
            and request.args.get("v")
            and request.args["v"]
            == static_version(app.static_folder, request.view_args["filename"])
            and response.status_code in (200, 304)
        ):
            response.cache_control.public = True
            response.cache_control.max_age = STATIC_MAX_AGE
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
        return response

    # Registered after the app's other after_request hooks, so it runs before them: the
    # body is whole before anything reads it. (A blueprint's own hooks run earlier still;
    # they only set headers.)
    app.after_request(fragments.splice_shared)

    @app.url_defaults
    def versioned_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = static_version(app.static_folder, values["filename"])
            if version:
                values["v"] = version
