"""Driving the handbook's search box in a browser page (javascripts/search.js)."""
from __future__ import annotations

RESULT = ".zj-search__result"


def search(page, query: str, timeout: float = 15000) -> list[str]:
    """Opens the search box (the header's magnifier), types the query and
    returns the results' links, best first, once the box says this query's
    results are shown (data-done)."""
    dialog = page.locator("[data-search-dialog]")
    if not dialog.evaluate("d => d.open"):
        page.locator("[data-search-open]").first.click()
    page.locator("[data-search-dialog] input[name='query']").fill(query)
    page.wait_for_function("q => document.querySelector('[data-search-dialog]').dataset.done === q",
                           arg=query, timeout=timeout)
    return [a.get_attribute("href") for a in page.locator(RESULT).all()]
