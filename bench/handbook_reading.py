"""What reading the handbook costs a phone, measured on the built site (issue 20).

Not a test: it prints figures for bench/RESULTS.md.

1. the build time of the whole site (``mkdocs build --strict``: pages, search
   index, pre-compression; and the volume PDFs when --pdf is given);
2. bytes to open a case page, the home page and a volume index with an empty
   cache, as sent (compressed) and as decoded, in headless Chromium against the
   platform's own server (what ``python3 manage.py run`` starts);
3. bytes of a first search for five sample queries (a fresh page each: the
   search engine script, meta.json, the term shards and the shown sections);
4. the same search bytes on a handbook padded to eight volumes' size (volume
   1's written pages copied as volumes 2–8, statute pages as they are);
5. Lighthouse (mobile) performance and accessibility of those three pages
   (npm lighthouse@12 into bench/.lighthouse/, as bench/lighthouse_accessibility.py);
6. the size and page count of each volume PDF in site/pdf/, if built.

    .venv/bin/python bench/handbook_reading.py [--no-build] [--no-lighthouse] [--no-padded]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from lighthouse_accessibility import CHROMIUM, FLAGS, free_port, lighthouse  # noqa: E402

PAGES = {"case": "/volumes/v1-common/cases/case-03-evidence-preservation/", "home": "/",
         "volume index": "/volumes/v1-common/"}
QUERIES = ["先行登记保存", "听证", "加处罚款", "首违不罚", "处罚法51条"]


def build(site: Path, docs: Path | None = None) -> float:
    start = time.monotonic()
    cmd = [str(ROOT / ".venv" / "bin" / "mkdocs"), "build", "--strict", "--quiet", "--site-dir", str(site)]
    if docs:
        config = Path(tempfile.mkdtemp()) / "mkdocs.yml"
        text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("docs_dir: handbook", f"docs_dir: {docs}")
        text = text.replace("custom_dir: overrides", f"custom_dir: {ROOT / 'overrides'}")
        text = text.replace("  - hooks/handbook.py", f"  - {ROOT / 'hooks' / 'handbook.py'}")
        config.write_text(text, encoding="utf-8")
        cmd += ["--config-file", str(config)]
    subprocess.run(cmd, cwd=ROOT, check=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    return time.monotonic() - start


def padded_handbook() -> Path:
    """handbook/ with volume 1's written pages copied into volumes 2–8 (links
    inside a copy stay inside it; nav entries are not needed: the search index
    takes every page)."""
    target = Path(tempfile.mkdtemp()) / "handbook"
    shutil.copytree(ROOT / "handbook", target)
    source = target / "volumes" / "v1-common"
    for volume in sorted(p.name for p in (target / "volumes").iterdir() if p.name != "v1-common"):
        for module in ("guide", "cases"):
            for page in (source / module).glob("*.md"):
                if page.name != "index.md":
                    (target / "volumes" / volume / module / f"pad-{page.name}").write_text(
                        page.read_text(encoding="utf-8"), encoding="utf-8")
    return target


def serve(site: Path):
    var = Path(tempfile.mkdtemp())
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{var / 'bench.db'}", "SITE_DIR": str(site),
           "ADMIN_PASSWORD": "Kq7#vLm2pX9w", "SWEEP_SECONDS": "0"}
    subprocess.run([sys.executable, "-m", "quizapp", "setup"], env=env, cwd=ROOT, check=True, capture_output=True)
    proc = subprocess.Popen([sys.executable, "-m", "quizapp", "serve", "--port", str(port)], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import httpx
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    return proc, f"http://127.0.0.1:{port}"


def transfer(browser, url: str, action=None) -> tuple[int, int, int]:
    """(bytes sent compressed, bytes decoded, requests) for loading url with an
    empty cache, or, with action, for what the action fetches after the load."""
    # service workers blocked: a page's fetches answered by sw.js report no bytes of their own
    context = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True, service_workers="block")
    page = context.new_page()
    seen = []
    page.on("requestfinished", lambda r: seen.append(r))
    page.goto(url, wait_until="load")
    page.wait_for_timeout(1500)                   # the scripts' own requests after load (whoami, pdf sizes)
    if action:
        seen.clear()
        action(page)
        page.wait_for_timeout(500)
    sent = decoded = 0
    for request in seen:
        sizes = request.sizes()
        response = request.response()
        sent += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        decoded += len(response.body()) if response and response.status == 200 else 0
    count = len(seen)
    context.close()
    return sent, decoded, count


def searcher(query: str):
    def act(page):
        page.locator("[data-search-open]").first.click()
        page.locator("[data-search-dialog] input[name='query']").fill(query)
        page.wait_for_function("q => document.querySelector('[data-search-dialog]').dataset.done === q",
                               arg=query, timeout=20000)
    return act


def kb(n: int) -> str:
    return f"{n / 1024:,.1f} KB"


def reading(site: Path, label: str, pages: bool = True) -> None:
    from playwright.sync_api import sync_playwright
    proc, base = serve(site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS.split()[1:])
            if pages:
                print(f"\n## Opening a page with an empty cache ({label})\n")
                print("| page | sent (compressed) | decoded | requests |\n|---|---:|---:|---:|")
                for name, path in PAGES.items():
                    sent, decoded, count = transfer(browser, base + path)
                    print(f"| {name} `{path}` | {kb(sent)} | {kb(decoded)} | {count} |")
            print(f"\n## A first search ({label})\n")
            print("| query | sent (compressed) | decoded | requests |\n|---|---:|---:|---:|")
            for query in QUERIES:
                sent, decoded, count = transfer(browser, base + "/volumes/v1-common/", searcher(query))
                print(f"| {query} | {kb(sent)} | {kb(decoded)} | {count} |")
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)


def lighthouse_scores(site: Path) -> None:
    binary = lighthouse()
    proc, base = serve(site)
    print("\n## Lighthouse, mobile (performance / accessibility)\n")
    print("| page | performance | accessibility | LCP | TBT | CLS |\n|---|---:|---:|---:|---:|---:|")
    try:
        for name, path in PAGES.items():
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "report.json"
                subprocess.run([str(binary), base + path, "--only-categories=performance,accessibility",
                                "--form-factor=mobile", "--quiet", f"--chrome-flags={FLAGS}", "--output=json",
                                f"--output-path={out}"], env={**os.environ, "CHROME_PATH": CHROMIUM},
                               check=True, timeout=300)
                r = json.loads(out.read_text())
            audits = r["audits"]
            print(f"| {name} `{path}` | {r['categories']['performance']['score'] * 100:.0f} | "
                  f"{r['categories']['accessibility']['score'] * 100:.0f} | "
                  f"{audits['largest-contentful-paint']['displayValue']} | "
                  f"{audits['total-blocking-time']['displayValue']} | "
                  f"{audits['cumulative-layout-shift']['displayValue']} |", flush=True)
    finally:
        proc.terminate()
        proc.wait(10)


def pdfs(site: Path) -> None:
    folder = site / "pdf"
    if not folder.is_dir():
        return
    from pypdf import PdfReader
    print("\n## Volume PDFs\n\n| file | size | pages |\n|---|---:|---:|")
    for pdf in sorted(folder.glob("*.pdf")):
        print(f"| {pdf.name} | {pdf.stat().st_size / 1e6:.2f} MB | {len(PdfReader(pdf).pages)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true", help="use site/ as it is")
    parser.add_argument("--no-lighthouse", action="store_true")
    parser.add_argument("--no-padded", action="store_true", help="skip the eight-volume padded handbook")
    parser.add_argument("--pdf", action="store_true", help="also build the volume PDFs and time them")
    args = parser.parse_args()
    site = ROOT / "site"
    if not args.no_build:
        print(f"build of the whole site: {build(site):.1f} s")
    if args.pdf:
        start = time.monotonic()
        subprocess.run([sys.executable, "-m", "quizapp.content", "pdf", "--site", str(site)], cwd=ROOT, check=True)
        print(f"the eight volume PDFs: {time.monotonic() - start:.1f} s")
    reading(site, "the handbook as written")
    if not args.no_padded:
        padded = Path(tempfile.mkdtemp()) / "site"
        seconds = build(padded, padded_handbook())
        meta = json.loads((padded / "search" / "meta.json").read_text(encoding="utf-8"))
        print(f"\npadded to eight volumes: build {seconds:.1f} s, {len(meta['pageStarts'])} pages, "
              f"{meta['docs']} sections, {meta['termShards']} term shards")
        reading(padded, "padded to eight volumes", pages=False)
    if not args.no_lighthouse:
        lighthouse_scores(site)
    pdfs(site)


if __name__ == "__main__":
    main()
