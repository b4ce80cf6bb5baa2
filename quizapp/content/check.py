"""The content check: every link and anchor resolves, every quotation is
verbatim in its statute version, every cited article exists, every 易错点 is
complete, every question is well-formed.

    python -m quizapp.content check        # report and exit 1 on any error

Each problem names file, line and field (see :class:`Problem`).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..domain.procedure import ALL_STEPS
from . import ROOT
from .pages import PITFALL_FIELDS, Citation, Page, Quote, find_citations
from .problems import Problem
from .site import Site
from .statutes import article_label, plain_name


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def unchecked(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "unchecked"]

    def summary(self) -> str:
        c = self.counts
        return (f"页面 {c['pages']}（其中案例 {c['cases']}），易错点 {c['pitfalls']}，题目 {c['questions']}，"
                f"法条引文 {c['quotations']}，条文引用 {c['citations']}，内部链接 {c['links']}；"
                f"错误 {len(self.errors)}，未核验的外部规章引用 {len(self.unchecked)}")


def check(site: Site | None = None) -> Report:
    site = site or Site()
    report = Report()
    for path, page in site.pages.items():
        report.counts["pages"] += 1
        if is_case(path):
            report.counts["cases"] += 1
            _check_case(page, report)
        _check_page(site, page, report)
    report.problems += site.question_problems
    for q in site.questions:
        report.counts["questions"] += 1
        _check_question(site, q, report)
    report.problems.sort(key=lambda p: (p.severity != "error", p.file, p.line))
    return report


MIN_CASE_PITFALLS = 3


def is_case(path: str) -> bool:
    return path.split("/")[2:3] == ["cases"] and not path.endswith("index.md")


def _check_case(page: Page, report: Report) -> None:
    """A teaching case says it is one, ends with 案例评析 and marks at least three 易错点."""
    f = _rel(page.path)
    if not any(a for a in page.admonition_titles if a == "教学案例说明"):
        report.problems.append(Problem(f, 1, "案例", "案例页面开头应有 !!! info \"教学案例说明\"，说明系改编的教学案例、人物地点均为虚构"))
    if not any(h.level == 2 and h.text == "案例评析" for h in page.headings):
        report.problems.append(Problem(f, 1, "案例", "案例应以“## 案例评析”一节结尾"))
    if len(page.pitfalls) < MIN_CASE_PITFALLS:
        report.problems.append(Problem(f, 1, "案例", f"案例应至少标注 {MIN_CASE_PITFALLS} 个易错点，现有 {len(page.pitfalls)} 个"))


def _rel(path: str) -> str:
    return f"handbook/{path}"


def _check_page(site: Site, page: Page, report: Report) -> None:
    f = _rel(page.path)
    for link in page.links:
        target = site.resolve(page.path, link.href)
        if target is None:
            continue
        report.counts["links"] += 1
        if not site.exists(target.path):
            report.problems.append(Problem(f, link.line, "link", f"链接 {link.href} 指向的页面 {target.path} 不存在"))
        elif target.anchor and target.path.endswith(".md") and target.anchor not in site.anchors(target.path):
            report.problems.append(Problem(f, link.line, "link",
                                           f"链接 {link.href}：页面 {target.path} 没有锚点 #{target.anchor}"))
    for quote in page.quotes:
        _check_quote(site, f, quote, report)
    for citation in page.citations:
        _check_citation(site, f, citation, report)
    for pit in page.pitfalls:
        report.counts["pitfalls"] += 1
        missing = [name for name in PITFALL_FIELDS if name not in pit.fields]
        if missing:
            report.problems.append(Problem(f, pit.line, "易错点",
                                           f"易错点“{pit.title}”缺少字段：{'、'.join(missing)}"))
        elif pit.order != list(PITFALL_FIELDS):
            report.problems.append(Problem(f, pit.line, "易错点",
                                           f"易错点“{pit.title}”的字段应依次为：{'、'.join(PITFALL_FIELDS)}"))
        if "环节" in pit.fields:
            line, text = pit.fields["环节"]
            if not any(step in text for step in ALL_STEPS):
                report.problems.append(Problem(f, line, "环节",
                                               f"易错点“{pit.title}”的环节应为程序环节之一：{'、'.join(ALL_STEPS)}"))
        if not pit.quotes:
            report.problems.append(Problem(f, pit.line, "依据",
                                           f"易错点“{pit.title}”的依据应附逐字引用的法条（quote 块）"))


def _check_quote(site: Site, f: str, quote: Quote, report: Report) -> None:
    report.counts["quotations"] += 1
    if quote.error:
        report.problems.append(Problem(f, quote.line, "quote", quote.error))
        return
    if plain_name(quote.statute) in site.corpus.outside_rules:
        report.problems.append(Problem(f, quote.line, "quote",
                                       f"《{quote.statute}》不在法规库中，不能引用原文，只能注明名称"))
        return
    why = site.corpus.check_quote(quote.statute, quote.version, quote.article, quote.body)
    if why:
        report.problems.append(Problem(f, quote.line, "quote", why))


def _check_citation(site: Site, f: str, citation: Citation, report: Report) -> None:
    report.counts["citations"] += 1
    name = plain_name(citation.statute)
    if name in site.corpus.outside_rules and not site.corpus.versions(name):
        report.problems.append(Problem(f, citation.line, "citation",
                                       f"{citation.text}：外部规章，不在法规库中，条文未核验", "unchecked"))
        return
    try:
        statute = site.corpus.find(name, citation.version)
    except LookupError as e:
        report.problems.append(Problem(f, citation.line, "citation",
                                       f"{citation.text}：{e}；如确需引用，请先把它加入法规库或 "
                                       "handbook/statutes/outside-rules.yaml"))
        return
    for key in citation.articles:
        if key not in statute.articles:
            report.problems.append(Problem(f, citation.line, "citation",
                                           f"{citation.text}：{statute.label}没有{article_label(key)}"))


def _check_question(site: Site, q, report: Report) -> None:
    def bad(field_name: str, message: str, line: int | None = None) -> None:
        report.problems.append(Problem(q.file, line or q.line, field_name, f"题目 {q.id}：{message}"))

    path, _, anchor = q.anchor.partition("#")
    if not site.exists(path):
        bad("anchor", f"手册页面 {path} 不存在")
    elif anchor not in site.anchors(path):
        bad("anchor", f"手册页面 {path} 没有锚点 #{anchor}")
    for b in q.basis:
        report.counts["quotations"] += 1
        why = site.corpus.check_quote(b.statute, b.version, b.article, b.quote)
        if why:
            bad("basis", why, b.line)
    texts = [q.stem, q.explanation, *q.options.values()]
    for part in q.parts:
        texts += [part.stem, part.explanation, *part.options.values()]
    for text in texts:
        for citation in find_citations(text, q.line, site.bare_citation):
            sub = Report()
            _check_citation(site, q.file, citation, sub)
            report.counts["citations"] += 1
            for p in sub.problems:
                report.problems.append(Problem(p.file, p.line, "explanation" if text == q.explanation else "stem",
                                               f"题目 {q.id}：{p.message}", p.severity))


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m quizapp.content",
                                     description="检查手册与题库：链接、锚点、法条引文、条文引用、易错点、题目格式")
    parser.add_argument("command", choices=["check"])
    parser.add_argument("--quiet", action="store_true", help="只输出错误和汇总")
    args = parser.parse_args(argv)
    report = check()
    for p in report.errors:
        print(p)
    if not args.quiet:
        for p in report.unchecked:
            print(p)
    print(("内容检查未通过：" if report.errors else "内容检查通过：") + report.summary())
    print(f"（项目目录：{ROOT}）")
    return 1 if report.errors else 0
