"""The built handbook as the platform's own server sends it (the embedded
default; nginx does the same in the production layout, deploy/nginx.conf):

- pre-compressed: ``x.br`` or ``x.gz`` made at build (quizapp/content/precompress.py)
  when the browser accepts it, with ``Content-Encoding`` and
  ``Vary: Accept-Encoding``; the original otherwise;
- fingerprinted files (a content hash in the name or the folder: Material's
  ``assets/…/bundle.a5f9d56c.min.js``, the search shards' ``search/<hash>/``) kept
  for a year, ``immutable``; everything else (pages, our own scripts and
  styles, ``search/meta.json``) revalidated on each use (``no-cache`` with
  ETag and Last-Modified: a 304 costs a few hundred bytes).
"""
from __future__ import annotations

import mimetypes
import os
import re

from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles

from ..content.precompress import ENCODINGS

mimetypes.add_type("application/manifest+json", ".webmanifest")

FOREVER = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
FINGERPRINTED = re.compile(r"(^|/)assets/.+\.[0-9a-f]{8}\.min\.(js|css)$|^assets/javascripts/inline/|"
                           r"^search/[0-9a-f]{10}/|^assets/fonts/")


def cache_control(path: str) -> str:
    return FOREVER if FINGERPRINTED.search(path.lstrip("/")) else REVALIDATE


def accepted(scope) -> list[str]:
    """The encodings of ENCODINGS the request accepts, brotli first."""
    header = dict(scope.get("headers") or []).get(b"accept-encoding", b"").decode("latin-1").lower()
    offered = {}
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        q = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
        try:
            offered[name.strip()] = float(q)
        except ValueError:
            offered[name.strip()] = 0.0
    return [e for e in ENCODINGS if offered.get(e, 0) > 0]


class HandbookFiles(StaticFiles):
    async def get_response(self, path: str, scope) -> Response:
        response = await super().get_response(path, scope)
        if isinstance(response, FileResponse) and response.status_code == 200:
            original = response.path
            for encoding in accepted(scope):
                variant = original + ENCODINGS[encoding]
                try:
                    stat = os.stat(variant)
                except OSError:
                    continue
                content_type = response.headers["content-type"]
                response = self.file_response(variant, stat, scope)      # its own ETag, and 304 when it matches
                response.headers["content-encoding"] = encoding
                if response.status_code == 200:
                    response.headers["content-type"] = content_type
                break
        if response.status_code in (200, 304):
            response.headers["vary"] = "Accept-Encoding"
            response.headers["cache-control"] = cache_control(path)
        return response
