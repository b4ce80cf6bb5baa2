"""A handbook page's name for the platform's pages, never its source path.

Reports (纠错/建议) store the page as its source path, e.g.
``volumes/v1-common/guide/step-01-filing.md``. :func:`page_name` turns that
into what a reader knows: the page's own title (its first "# " heading in
handbook/, read once and cached), else the volume's and module's names
(「第一卷　公共法律法规规章运用 · 工作指南」), else 「手册页面」.
"""
from __future__ import annotations

from functools import lru_cache

from ..domain.procedure import VOLUMES
from . import ROOT

HANDBOOK = ROOT / "handbook"
MODULES = {"laws": "法律法规", "guide": "工作指南", "cases": "典型案例"}


@lru_cache(maxsize=2048)
def page_name(path: str) -> str:
    path = (path or "").partition("#")[0].strip("/")
    source = HANDBOOK / path
    if path.endswith(".md") and ".." not in path.split("/") and source.is_file():
        for line in source.read_text(encoding="utf-8").splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    parts = path.split("/")
    volume = next((v for v in VOLUMES if len(parts) > 1 and parts[0] == "volumes" and parts[1] == v.code), None)
    if volume is None:
        return "手册页面"
    name = volume.title                                   # 第一卷　公共法律法规规章运用
    module = MODULES.get(parts[2]) if len(parts) > 2 else None
    return f"{name} · {module}" if module else name
