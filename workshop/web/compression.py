"""Small pages for phones: compressed responses and static files cached for a year.

- Flask-Compress compresses HTML, CSS, JavaScript, JSON and SVG for browsers that accept it
  (zstd, br, gzip). PDFs and CSV files are left as they are (not in its list of types).
- ETags of compressible responses are made weak before Flask-Compress sees them. A strong
  ETag would be rewritten to `"<tag>:gzip"`; the browser then revalidates a polled fragment
  with that tag, which the poll code (`live_response`, weak comparison) would not
  recognise, so it would render the whole fragment only for Flask-Compress to answer 304.
  A weak ETag is also what RFC 9110 asks of a representation sent in several encodings.
- Static files are linked with their content's hash (`?v=…`, added by `url_for`), so a
  phone may keep htmx, app.js and app.css for a year and asks again only when a file
  changes. Only such a URL with the current hash is cached; other responses (PDF, CSV,
  pages) keep their own Cache-Control.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, request
from flask_compress import Compress

compress = Compress()

STATIC_MAX_AGE = 365 * 24 * 3600


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

    @app.url_defaults
    def versioned_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = static_version(app.static_folder, values["filename"])
            if version:
                values["v"] = version
