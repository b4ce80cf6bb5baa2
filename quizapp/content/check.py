"""The content check: every link and anchor resolves, every quotation is
verbatim in its statute version, every cited article exists, every 易错点 is
complete, every case is marked as a teaching case, every question is
well-formed and the bank passes the item-quality check (:mod:`item_quality`,
题目质量体检), every 修订记录 entry is valid.

    python -m quizapp.content check            # report and exit 1 on any error
    python -m quizapp.content check --quiet    # errors only

Each problem names file, line and field (see :class:`Problem`). The report
(:func:`format_report`) groups them per file, one line each
(``  行 N · 字段：说明``), with the corpus wording under a quotation that
differs from it, and ends with the summary. Only errors fail the check;
修订提醒 (quotations of an older statute version whose article has changed,
:func:`amendments.amended_quote_warnings`) and unchecked citations of outside
rules are reported, not failed.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..domain.procedure import ALL_STEPS
from . import ROOT
from .amendments import amended_quote_warnings
from .currency import currency_warnings
from .documents import check_documents
from .items import check_links
from .item_quality import QualityReport, check_quality, format_quality
from .pages import PITFALL_FIELDS, Citation, Page, Quote, find_citations
from .problems import SEVERITIES, Problem
from .revisions import FILE as REVISIONS_FILE
from .site import Site, is_case
from .statutes import article_label, plain_name

SEVERITY_NAMES = {"error": "错误", "warning": "修订提醒", "unchecked": "未核验"}
# How the report names a field: page elements in Chinese, YAML keys as written plus their meaning.
FIELD_NAMES = {
    "link": "链接", "quote": "法条引文", "citation": "条文引用", "": "格式",
    "id": "id（题号）", "type": "type（题型）", "difficulty": "difficulty（难度）", "step": "step（环节）",
    "stem": "stem（题干）", "options": "options（选项）", "answer": "answer（答案）",
    "explanation": "explanation（解析）", "anchor": "anchor（手册锚点）", "basis": "basis（依据）",
    "volume": "volume（分卷）", "pool": "pool（用途）", "parts": "parts（小题）", "questions": "questions（题目列表）",
    "date": "date（日期）", "summary": "summary（摘要）", "pages": "pages（页面）",
    "revisions": "revisions（修订记录）", "items": "items（赋权事项）", "name": "name（事项名称）",
    "kind": "kind（职权类型）", "department": "department（原行使部门）", "penalty": "penalty（处罚概要）",
    "frequency": "frequency（频次）", "guide": "guide（工作指南位置）", "procedure_notes": "procedure_notes（程序提示）",
    "local_rule": "local_rule（地方性法规）", "often_retained": "often_retained（常回收）",
    "documents": "documents（文书列表）", "requires": "requires（应载明事项）", "article": "article（条文）",
    "source": "source（出处）", "words": "words（式样中应有的文字）", "aliases": "aliases（别名）",
}


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    quality: QualityReport | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """修订提醒: reported, never fail the check."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def unchecked(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "unchecked"]

    def summary(self) -> str:
        c = self.counts
        return (f"页面 {c['pages']}（其中案例 {c['cases']}），易错点 {c['pitfalls']}，题目 {c['questions']}，"
                f"法条引文 {c['quotations']}，条文引用 {c['citations']}，内部链接 {c['links']}，"
                f"赋权事项 {c['items']}，文书式样 {c['documents']}，修订记录 {c['revisions']} 条；"
                f"错误 {len(self.errors)}，修订提醒 {len(self.warnings)}，未核验的外部规章引用 {len(self.unchecked)}")


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
    report.problems += site.item_problems + check_links(site.items, site)
    report.problems += site.document_problems + _check_documents(site)
    report.problems += _repeated_quotes(site) + _editorial_notes(site)
    report.counts["documents"] = len(site.documents)
    report.counts["items"] = len(site.items)
    for q in site.questions:
        report.counts["questions"] += 1
        _check_question(site, q, report)
    report.quality = check_quality(site.questions)
    report.problems += report.quality.problems
    _check_revisions(site, report)
    report.problems += amended_quote_warnings(site) + currency_warnings(site)
    report.problems.sort(key=lambda p: (p.severity != "error", p.file, p.line))
    return report


MIN_CASE_PITFALLS = 3


MAX_QUOTING_PAGES = 2        # F-56: the study page and the one guide page that applies the article
MODULE_ORDER = {"laws": 0, "guide": 1, "cases": 2}


def _repeated_quotes(site: Site) -> list[Problem]:
    """F-56: an article is quoted (outside 易错点) once a page and on at most
    two pages of a volume -- its study page and the guide page that applies it;
    everywhere else a linked citation. The pages kept are the volume's laws/,
    then guide/, then cases/ pages, in that order."""
    problems: list[Problem] = []
    first: dict[tuple, dict[str, int]] = defaultdict(dict)     # (volume, statute, version, article) -> page -> line

    def order(path: str):
        parts = path.split("/")
        return (parts[1], MODULE_ORDER.get(parts[2], 3), path) if len(parts) > 3 else ("", 9, path)

    for path in sorted((p for p in site.pages if p.startswith("volumes/")), key=order):
        page = site.pages[path]
        for q in page.quotes:
            if q.error or not q.statute or page.pitfall_at(q.line):
                continue
            key = (path.split("/")[1], q.statute, q.version, q.article)
            pages = first[key]
            label = f"《{q.statute}》{article_label(q.article)}"
            if path in pages:
                problems.append(Problem(_rel(path), q.line, "quote",
                                        f"{label}已在本页第 {pages[path]} 行引用原文，此处改为带链接的条文引用（F-56）"))
            elif len(pages) >= MAX_QUOTING_PAGES:
                where = "、".join(f"{p.split('/')[-1]}（第 {n} 行）" for p, n in pages.items())
                problems.append(Problem(_rel(path), q.line, "quote",
                                        f"{label}已在本卷 {where}引用原文，此处改为带链接的条文引用（F-56）"))
            else:
                pages[path] = q.line
    return problems


EDITORIAL_WORDS = ("法规库",)       # F-61: how the handbook was made is not reading text


def _editorial_notes(site: Site) -> list[Problem]:
    """F-61: reading text says nothing of the statute corpus; a version is
    stated in the quotation's title."""
    problems = []
    for path in (p for p in site.pages if p.startswith("volumes/")):
        for n, line in enumerate(site.sources[path].splitlines(), 1):
            word = next((w for w in EDITORIAL_WORDS if w in line), None)
            if word:
                problems.append(Problem(_rel(path), n, "编写说明",
                                        f"阅读正文不写“{word}”之类的编写说明：版本写在引文标题中，"
                                        "法规库以外的规定写名称和文号（F-61）"))
    return problems


def _check_documents(site: Site) -> list[Problem]:
    """Every 文书式样 page is listed in documents.yaml and its 式样 carries the required items."""
    paths = {p for p in site.pages if "/guide/documents/" in p} | {d.page for d in site.documents}
    return check_documents(site.documents, {p: site.sources[p] for p in paths if p in site.sources}, _rel)


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
    if page.meta_error:
        report.problems.append(Problem(f, 1, "items", page.meta_error))
    for link in page.links:
        target = site.resolve(page.path, link.href)
        if target is None:
            continue
        report.counts["links"] += 1
        if target.path == page.path and not link.href.startswith("#"):
            report.problems.append(Problem(f, link.line, "link",
                                           f"链接 {link.href} 指向本页自身：本页内跳转写 #锚点，否则去掉链接"))
        elif not site.exists(target.path):
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
    why, hint = site.corpus.quote_mismatch(quote.statute, quote.version, quote.article, quote.body)
    if why:
        report.problems.append(Problem(f, quote.line, "quote", why, hint=hint))


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
    def bad(field_name: str, message: str, line: int | None = None, hint: str = "") -> None:
        report.problems.append(Problem(q.file, line or q.line, field_name, f"题目 {q.id}：{message}", hint=hint))

    path, _, anchor = q.anchor.partition("#")
    if not site.exists(path):
        bad("anchor", f"手册页面 {path} 不存在", q.line_of("anchor"))
    elif anchor not in site.anchors(path):
        bad("anchor", f"手册页面 {path} 没有锚点 #{anchor}", q.line_of("anchor"))
    for b in q.basis:
        report.counts["quotations"] += 1
        why, hint = site.corpus.quote_mismatch(b.statute, b.version, b.article, b.quote)
        if why:
            bad("basis", why, b.line, hint)
    texts = [("stem", q.stem), ("explanation", q.explanation), *(("options", t) for t in q.options.values())]
    for part in q.parts:
        texts += [("parts", part.stem), ("parts", part.explanation), *(("parts", t) for t in part.options.values())]
    for key, text in texts:
        for citation in find_citations(text, q.line_of(key), site.bare_citation):
            sub = Report()
            _check_citation(site, q.file, citation, sub)
            report.counts["citations"] += 1
            for p in sub.problems:
                report.problems.append(Problem(p.file, p.line, key, f"题目 {q.id}：{p.message}", p.severity))


def _check_revisions(site: Site, report: Report) -> None:
    """handbook/revisions.yaml: its format (read by :mod:`revisions`) and that its pages exist."""
    report.problems += site.revision_problems
    for r in site.revision_entries:
        report.counts["revisions"] += 1
        for line, page in r.pages:
            path, _, anchor = page.partition("#")
            if not site.exists(path):
                report.problems.append(Problem(REVISIONS_FILE, line, "pages",
                                               f"页面 {path} 不存在（路径从 handbook/ 算起，如 volumes/v1-common/guide/index.md）"))
            elif anchor and anchor not in site.anchors(path):
                report.problems.append(Problem(REVISIONS_FILE, line, "pages", f"页面 {path} 没有锚点 #{anchor}"))


# --- the report -----------------------------------------------------------------

def field_name(name: str) -> str:
    """'answer' -> 'answer（答案）', 'parts[2].answer' -> 'parts[2].answer（答案）', '易错点' -> '易错点'."""
    if name in FIELD_NAMES:
        return FIELD_NAMES[name]
    last = name.rsplit(".", 1)[-1]
    if last != name and last in FIELD_NAMES and "（" in FIELD_NAMES[last]:
        return f"{name}（{FIELD_NAMES[last].split('（', 1)[1]}"
    return name


def format_problem(p: Problem) -> list[str]:
    """``  行 N · 字段：说明``, then the hint lines indented under it."""
    where = f"行 {p.line}" if p.line else "全文"
    tag = "" if p.severity == "error" else f"[{SEVERITY_NAMES.get(p.severity, p.severity)}] "
    return [f"  {where} · {tag}{field_name(p.field)}：{p.message}"] + [f"        {h}" for h in p.hint.splitlines()]


def format_report(report: Report, quiet: bool = False) -> str:
    """The problems grouped per file (a header line per file, then one line
    per problem in line order), then the summary. ``quiet``: errors only."""
    shown = report.errors if quiet else report.problems
    by_file: dict[str, list[Problem]] = defaultdict(list)
    for p in shown:
        by_file[p.file].append(p)
    order = {s: n for n, s in enumerate(SEVERITIES)}
    out: list[str] = []
    for file in sorted(by_file):
        problems = sorted(by_file[file], key=lambda p: (p.line, order.get(p.severity, 9), p.field, p.message))
        counts = Counter(p.severity for p in problems)
        out.append(f"{file}（" + "，".join(f"{SEVERITY_NAMES[s]} {counts[s]}" for s in SEVERITIES if counts[s]) + "）")
        for p in problems:
            out += format_problem(p)
        out.append("")
    if report.quality:
        out += [format_quality(report.quality), ""]
    out.append(("内容检查未通过：" if report.errors else "内容检查通过：") + report.summary())
    return "\n".join(out)


def main(argv: list[str] | None = None, site: Site | None = None) -> int:
    """python -m quizapp.content check [--quiet]; exit 1 when there is an error."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["check"]:
        argv = argv[1:]
    parser = argparse.ArgumentParser(
        prog="python -m quizapp.content check",
        description="检查手册与题库：链接、锚点、法条引文、条文引用、易错点、典型案例、题目格式、修订记录。"
                    "有错误时退出码为 1；修订提醒和未核验的外部规章引用只提示，不算错误。")
    parser.add_argument("--quiet", action="store_true", help="只输出错误和汇总（不列修订提醒和未核验的引用）")
    args = parser.parse_args(argv)
    if site is None:
        print(f"内容检查（项目目录：{ROOT}）")
        print()
    report = check(site)
    print(format_report(report, quiet=args.quiet))
    return 1 if report.errors else 0
