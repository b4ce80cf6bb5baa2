"""Offline reading: what a phone stores when a reader chooses 离线阅读本卷.

    hooks/handbook.py on_post_build -> write(site_dir, volumes, statute_urls, built_on, site_name)
        (after the build's pre-compression, whose .gz sizes give the download figure)
        offline/<volume>.json   the volume's pages (every built page under
                                volumes/<volume>/, and every statute page they
                                link to, whatever its volume), the scripts,
                                styles and images those pages load, and a version
                                (a hash of all their bytes) that changes whenever
                                any of them does
        manifest.webmanifest    the web app manifest (installable on a home screen)
    handbook/sw.js (the service worker) answers a handbook page from the network
    and, when the network fails, from the volumes saved; it never stores or answers
    a platform page (practice, exams, anything personal).
    handbook/javascripts/offline.js offers 离线阅读本卷 on each volume's index,
    stores the list with the Cache API, shows the date it was saved on the
    volume's pages, and refreshes the copy when the version has changed.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path
from urllib.parse import unquote, urljoin

FOLDER = "offline"
MANIFEST = "manifest.webmanifest"
LINKS = re.compile(r'<(?:a|link|script|img)\b[^>]*?\b(?:href|src)="([^"#?]+)[^"]*"')
ASSET = re.compile(r"\.(css|js|png|svg|ico|webmanifest|woff2?)$")


def page_url(site_dir: Path, html: Path) -> str:
    rel = html.relative_to(site_dir).as_posix()
    return "/" + rel.removesuffix("index.html")


def _targets(site_dir: Path, html: Path) -> set[str]:
    here = page_url(site_dir, html)
    out = set()
    for href in LINKS.findall(html.read_text(encoding="utf-8")):
        if href.startswith(("http:", "https:", "mailto:", "data:", "javascript:")):
            continue
        out.add(unquote(urljoin(here, href)))
    return out


def _file_of(site_dir: Path, url: str) -> Path | None:
    path = site_dir / url.lstrip("/")
    if url.endswith("/"):
        path = path / "index.html"
    return path if path.is_file() else None


def volume_files(site_dir: Path, volume: str, statute_urls: set[str],
                 links: dict[str, set[str]] | None = None) -> tuple[list[str], list[str]]:
    """(pages, assets) of one volume, as site URLs, sorted. ``links``: each page's
    targets already read (shared by the volumes, which cite the same statute pages)."""
    site_dir = Path(site_dir)
    links = {} if links is None else links

    def targets(url: str) -> set[str]:
        if url not in links:
            links[url] = _targets(site_dir, _file_of(site_dir, url))
        return links[url]

    own = {page_url(site_dir, p) for p in (site_dir / "volumes" / volume).rglob("index.html")}
    pages = own | {t for url in own for t in targets(url) if t in statute_urls}
    assets = {t for url in pages for t in targets(url) if ASSET.search(t) and _file_of(site_dir, t)}
    return sorted(pages), sorted(assets)


def version(files: list[tuple[str, bytes]]) -> str:
    """A hash of the (url, content) pairs: changes whenever any file of the volume does."""
    digest = hashlib.sha1()
    for url, content in files:
        digest.update(url.encode())
        digest.update(content)
    return digest.hexdigest()[:12]


def compressed_size(path: Path, content: bytes) -> int:
    """The bytes a browser downloads for a file: its .gz made by the build
    (precompress.py, run before this), else gzip computed here."""
    gz = path.with_name(path.name + ".gz")
    return gz.stat().st_size if gz.is_file() else len(gzip.compress(content, compresslevel=6))


def manifest(name: str, short_name: str) -> dict:
    return {
        "name": name, "short_name": short_name, "lang": "zh-CN", "start_url": "/", "scope": "/",
        "display": "standalone", "background_color": "#ffffff", "theme_color": "#3f51b5",
        "icons": [{"src": "/images/icon-192.png", "sizes": "192x192", "type": "image/png"},
                  {"src": "/images/icon-512.png", "sizes": "512x512", "type": "image/png"}],
    }


def write(site_dir: Path, volumes: dict[str, str], statute_urls: set[str], built_on: str,
          site_name: str) -> str:
    """volumes: code -> title. Returns a line for the build log."""
    site_dir = Path(site_dir)
    (site_dir / MANIFEST).write_text(json.dumps(manifest(site_name, "执法教程"), ensure_ascii=False, indent=1),
                                     encoding="utf-8")
    (site_dir / FOLDER).mkdir(exist_ok=True)
    counts = []
    links: dict[str, set[str]] = {}
    for code, title in volumes.items():
        if not (site_dir / "volumes" / code).is_dir():
            continue
        pages, assets = volume_files(site_dir, code, statute_urls, links)
        paths = [_file_of(site_dir, u) for u in pages + assets]
        files = [(u, p.read_bytes()) for u, p in zip(pages + assets, paths)]
        entry = {"volume": code, "title": title, "built": built_on, "version": version(files),
                 "pages": pages, "assets": assets, "bytes": sum(len(c) for _, c in files),
                 "download": sum(compressed_size(p, c) for p, (_, c) in zip(paths, files))}
        (site_dir / FOLDER / f"{code}.json").write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
        counts.append(f"{title.split()[0] if title else code} {len(pages)} 页")
    return "离线阅读：" + "，".join(counts)
