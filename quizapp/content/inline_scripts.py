"""The built handbook without inline scripts.

The platform's Content-Security-Policy (quizapp/web/headers.py, and nginx for
the handbook it serves) allows scripts from the site's own files only. MkDocs
Material writes a few small scripts into every page (its settings scope, the
tab that the address points to), the same few texts on every page of one
depth. ``externalise`` moves each into a file named by its content's SHA-256
(``assets/javascripts/inline/<hash>.js``) and puts a ``<script src>`` where it
was: a classic script without async or defer runs at the same point of the
page as the inline one did, with the same ``location``. Data blocks
(``<script type="application/json">``) are not scripts and stay.
"""
from __future__ import annotations

import hashlib
import re

FOLDER = "assets/javascripts/inline"
INLINE = re.compile(r"<script>(.*?)</script>", re.S)                 # no attributes: a classic inline script
BUNDLE = re.compile(r'<script src="([^"]*?)assets/javascripts/bundle\.')


def script_file(code: str) -> str:
    """Where the script ``code`` is written, relative to the site's root."""
    return f"{FOLDER}/{hashlib.sha256(code.encode()).hexdigest()[:20]}.js"


def externalise(html: str) -> tuple[str, dict[str, str]]:
    """The page with each inline script replaced by a reference to its file,
    and the files to write (path under the site's root -> code). The files are
    addressed like the page's other assets (relative, or from / on 404.html)."""
    found = BUNDLE.search(html)
    if found is None:
        return html, {}                      # not a Material page (nothing of ours to move)
    base = found.group(1)
    files: dict[str, str] = {}

    def move(m: re.Match) -> str:
        path = script_file(m.group(1))
        files[path] = m.group(1)
        return f'<script src="{base}{path}"></script>'

    return INLINE.sub(move, html), files
