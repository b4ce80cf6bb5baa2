"""Every page, as the role that uses it, passes axe-core in Chromium with no
serious or critical violation (WCAG 2.x A/AA rules: names and labels,
contrast, landmarks, keyboard reach of scrolling regions …).

The pages are the GET routes of the route matrix (tests/integration/
test_security.py: ACCESS), so a page added there is checked here too, each
opened by a role the matrix lets in, over the data of that file's `world`
(a cohort, a trainee with an open attempt, an exam, a survey, a report …),
served by a real worker with the built handbook; plus handbook pages of each
kind. Lighthouse's score of the same pages: bench/lighthouse_accessibility.py.

Needs /usr/bin/chromium (skipped without it, except under CI=true)."""
from __future__ import annotations

import re

import pytest

from quizapp import accounts
from quizapp.web.deps import COOKIE
from tests.e2e.test_browser import browser  # noqa: F401 (fixture)
from tests.integration.test_security import ACCESS, app, world  # noqa: F401 (fixtures)
from tests.servers import Server

HANDBOOK = ["/", "/volumes/v1-common/", "/volumes/v1-common/cases/", "/volumes/v1-common/laws/",
            "/volumes/v1-common/guide/", "/volumes/v1-common/cases/case-01-unpermitted-factory-building-hearing/",
            "/volumes/v1-common/laws/guo-jia-pei-chang-fa-2012-10-26/", "/volumes/v1-common/guide/compulsory-measures/",
            "/pitfalls/", "/items/", "/volumes/v3-agriculture/items/v3-sx-001/"]
NOT_PAGES = re.compile(r"\.(xlsx|csv|xml|txt|json)$|^/api/|^/healthz$|^/logout$")
# Who opens a page of each access kind: the matrix's first role that may.
OPENED_BY = {"anyone": ["anonymous"], "logged-in": ["trainee"], "owner": ["trainee"], "member": ["trainee"],
             "staff": ["teacher"], "staff-of-cohort": ["teacher"], "editor": ["editor"],
             "supervisor": ["supervisor"]}
SERIOUS = {"serious", "critical"}


def pages(w) -> list[tuple[str, str]]:
    """(role, path) of every HTML page of the matrix, with the world's ids."""
    found = [("anonymous", path) for path in HANDBOOK]
    for (method, route), kind in sorted(ACCESS.items()):
        if method != "GET" or NOT_PAGES.search(route):
            continue
        for role in OPENED_BY.get(kind, ["teacher", "editor", "supervisor"]):
            found.append((role, w.url(route)))
    return found


def test_every_page_passes_axe_without_serious_or_critical_violations(world, sqlite_url, built_site, browser):
    from axe_playwright_python.sync_playwright import Axe

    w = world
    tokens = {actor: accounts.start_session(w.db, user, days=1) for actor, user in w.users.items()}
    axe = Axe()
    problems, opened = [], 0
    with Server(sqlite_url, built_site.parent / "a11y.log", sweep_seconds=0, site_dir=built_site).running() as base:
        host = base.split("//")[1].split(":")[0]
        contexts = {}
        for role, path in pages(w):
            if role not in contexts:
                contexts[role] = browser.new_context(viewport={"width": 360, "height": 780})
                if role in tokens:
                    contexts[role].add_cookies([{"name": COOKIE, "value": tokens[role], "domain": host, "path": "/"}])
            page = contexts[role].new_page()
            response = page.goto(base + path)
            if response is None or response.status >= 400 or "<html" not in response.text()[:300].lower():
                page.close()
                continue                      # refused to this role (the matrix test checks that), or a fragment
            opened += 1
            for v in axe.run(page).response["violations"]:
                if v["impact"] in SERIOUS:
                    node = v["nodes"][0]
                    problems.append(f"{path} ({role}): {v['impact']} {v['id']} at {node['target']}: "
                                    f"{node['failureSummary'].splitlines()[-1].strip()} [{len(v['nodes'])} element(s)]")
            page.close()
        for context in contexts.values():
            context.close()
    assert opened >= 30, f"only {opened} pages opened: the walk is not reaching the platform"
    assert not problems, "accessibility violations:\n" + "\n".join(problems)
