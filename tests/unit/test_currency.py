"""Statute currency (quizapp/content/currency.py): a statute whose newer
version is in force but not in the corpus (handbook/statutes/newer-versions.yaml)
gets a 时效提示 on its generated page and on every page that quotes or cites
it; the checker warns (修订提醒, never an error) for each such place."""
from textwrap import dedent

import pytest

from quizapp.content import generate
from quizapp.content.check import check
from quizapp.content.currency import load_newer, notice, outdated
from quizapp.content.site import statute_page_path
from tests.unit.test_check import build

GUIDE = dedent("""\
    # 卫生执法指南

    ## 传染病防治

    违反《传染病防治法》第七十三条的，由卫生行政部门责令限期改正。

    ## 医疗机构

    本节不引用已修订的法规。
    """)


@pytest.fixture(scope="module")
def corpus(site):
    return site.corpus


def test_the_list_is_vendored_and_read():
    newer = load_newer()
    assert set(newer) == {"传染病防治法", "治安管理处罚法", "反不正当竞争法", "医疗机构管理条例", "渔业法", "食品安全法"}
    entry = newer["传染病防治法"]
    assert (entry.corpus_version, entry.adopted, entry.effective) == ("2013-06-29", "2025-04-30", "2025-09-01")
    assert outdated(newer, "中华人民共和国传染病防治法", None) is entry
    assert outdated(newer, "传染病防治法", "2025-04-30") is None           # once the corpus has the new text
    assert outdated(newer, "行政处罚法", None) is None


def test_an_entry_whose_date_of_entry_into_force_is_not_confirmed_says_so(tmp_path):
    (tmp_path / "newer-versions.yaml").write_text(dedent("""\
        - statute: 食品安全法
          corpus_version: 2021-04-29
          newer: {adopted: 2025-09-12}
          note: 修改五个条文
        """), encoding="utf-8")
    entry = load_newer(tmp_path)["食品安全法"]
    assert entry.effective == "" and entry.in_force == "施行日期以公布的文本为准"
    assert "2025-09-12 修订通过，施行日期以公布的文本为准" in notice(entry)
    assert load_newer()["渔业法"].in_force == "自 2026-05-01 起施行"


def test_the_statute_page_and_a_citing_page_show_the_notice_and_the_checker_warns(tmp_path, corpus):
    site = build(tmp_path, corpus, {"volumes/v4-health/guide/g.md": GUIDE})
    statute = site.corpus.find("传染病防治法")
    page = generate.statute_page(site, statute)
    head = page[:page.index("## ") if "## " in page else len(page)]
    assert '!!! warning "时效提示：《传染病防治法》已修订"' in head
    assert "本教程法规库收录的是 2013-06-29 版本" in head and "自 2025-09-01 起施行" in head
    assert "时效提示" not in generate.statute_page(site, site.corpus.find("行政处罚法"))
    guide = generate.insert_backlinks(site, "volumes/v4-health/guide/g.md", GUIDE)
    assert guide.index("时效提示：《传染病防治法》已修订") < guide.index("## 传染病防治")
    report = check(site)
    warnings = [p for p in report.warnings if p.file.endswith("g.md")]
    assert [(p.line, p.field) for p in warnings] == [(5, "citation")]
    assert "自 2025-09-01 起施行" in warnings[0].message
    assert not [p for p in report.errors if p.file.endswith("g.md")]
    assert statute_page_path(statute).endswith("chuan-ran-bing-fang-zhi-fa-2013-06-29.md")
