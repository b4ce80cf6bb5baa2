"""文书式样: the list of model documents, the check that each model carries
what its articles require, the Word file made from the model, and the links
from pages that name a document to its model."""
import io
from textwrap import dedent

import pytest
from docx import Document as Docx

from quizapp.content.documents import (
    check_documents, docx_bytes, document_list, link_mentions, load_documents, model_section,
)
from quizapp.content.statutes import Corpus

RULES = dedent("""\
    documents:
      - name: 行政处罚决定书
        page: volumes/v1-common/guide/documents/penalty-decision.md
        step: 决定
        requires:
          - article: 行政处罚法 第五十九条
            items:
              - {item: 当事人的姓名或者名称、地址, words: [姓名或者名称, 地址]}
              - {item: 申请行政复议、提起行政诉讼的途径和期限, words: [行政复议, 行政诉讼]}
              - {item: 必须盖有行政机关的印章, words: [印章]}
          - source: 实务做法
            items:
              - {item: 文号, words: [罚决字]}
      - name: 查封扣押决定书
        aliases: [查封、扣押决定书]
        page: volumes/v1-common/guide/documents/seizure-decision.md
        step: 行政强制措施
        requires:
          - article: 行政强制法 第二十四条
            items:
              - {item: 查封、扣押的理由、依据和期限, words: [理由, 依据, 期限]}
    """)

DECISION = dedent("""\
    # 行政处罚决定书

    决定环节制作。

    ## 式样

    【××镇人民政府】
    {: .doc-center }

    ### 行政处罚决定书

    【×】镇罚决字〔【年份】〕第【序号】号
    {: .doc-right }

    当事人：【姓名或者名称】，地址：【住所地】。

    | 项目 | 内容 |
    |---|---|
    | 罚款 | 【金额】元 |

    如不服本决定，可以依法申请**行政复议**，或者提起行政诉讼。

    【××镇人民政府】（印章）
    {: .doc-right }

    ## 填写说明

    1. 写明当事人。
    """)


@pytest.fixture(scope="module")
def corpus():
    return Corpus()


def rules_file(tmp_path, text=RULES):
    path = tmp_path / "documents.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_list_reads_names_aliases_steps_and_required_items(tmp_path, corpus):
    docs, problems = load_documents(rules_file(tmp_path), corpus)
    assert problems == []
    decision, seizure = docs
    assert decision.groups[0].label == "《行政处罚法》第五十九条" and decision.groups[1].label == "实务做法"
    assert seizure.names == ["查封扣押决定书", "查封、扣押决定书"]
    assert decision.docx_path == "volumes/v1-common/guide/documents/penalty-decision.docx"


@pytest.mark.parametrize("mistake, wrong, words, at", [
    ("行政处罚法 第五十九条", "行政处罚法 第九百条", "没有第九百条", "第九百条"),
    ("step: 决定", "step: 裁决", "未知环节", "裁决"),
    ("- article: 行政强制法 第二十四条", "- source: 实务做法\n        article: 行政强制法 第二十四条", "之一", "article: 行政强制法"),
    ("page: volumes/v1-common/guide/documents/seizure-decision.md", "page: cases/Seizure.md", "guide/documents/", "Seizure"),
])
def test_a_wrong_article_step_group_or_page_is_named_at_its_line(tmp_path, corpus, mistake, wrong, words, at):
    text = RULES.replace(mistake, wrong)
    _, problems = load_documents(rules_file(tmp_path, text), corpus)
    assert len(problems) == 1 and words in problems[0].message
    assert at in text.splitlines()[problems[0].line - 1]


def test_the_model_section_runs_from_its_heading_to_the_next(tmp_path):
    line, body = model_section(DECISION)
    assert line == 5 and "当事人：" in body and "填写说明" not in body


def check(tmp_path, corpus, pages):
    docs, _ = load_documents(rules_file(tmp_path), corpus)
    return check_documents(docs, pages, lambda p: f"handbook/{p}")


def test_a_model_with_every_required_item_passes(tmp_path, corpus):
    pages = {"volumes/v1-common/guide/documents/penalty-decision.md": DECISION,
             "volumes/v1-common/guide/documents/seizure-decision.md": "# 查封\n\n## 式样\n\n理由、依据、期限。\n"}
    assert check(tmp_path, corpus, pages) == []


def test_a_model_without_a_required_item_names_the_item_its_article_and_the_missing_words(tmp_path, corpus):
    pages = {"volumes/v1-common/guide/documents/penalty-decision.md": DECISION.replace("地址：【住所地】", ""),
             "volumes/v1-common/guide/documents/seizure-decision.md": "# 查封\n\n## 式样\n\n理由、依据。\n"}
    problems = check(tmp_path, corpus, pages)
    assert [(p.file, p.line) for p in problems] == [
        ("handbook/volumes/v1-common/guide/documents/penalty-decision.md", 5),
        ("handbook/volumes/v1-common/guide/documents/seizure-decision.md", 3)]
    assert "《行政处罚法》第五十九条要求载明的事项：当事人的姓名或者名称、地址（式样中应有“地址”）" in problems[0].message
    assert "“期限”" in problems[1].message


def test_words_outside_the_model_do_not_count(tmp_path, corpus):
    moved = DECISION.replace("【××镇人民政府】（印章）", "【××镇人民政府】") + "\n印章由办公室加盖。\n"
    problems = check(tmp_path, corpus, {"volumes/v1-common/guide/documents/penalty-decision.md": moved,
                                        "volumes/v1-common/guide/documents/seizure-decision.md": "## 式样\n理由依据期限"})
    assert len(problems) == 1 and "印章" in problems[0].message


def test_a_missing_page_an_unlisted_page_and_an_unclosed_blank_are_errors(tmp_path, corpus):
    pages = {"volumes/v1-common/guide/documents/penalty-decision.md": DECISION.replace("【序号】号", "【序号号"),
             "volumes/v1-common/guide/documents/notice.md": "# 通知书\n",
             "volumes/v1-common/guide/documents/index.md": "# 文书式样\n"}
    messages = [(p.file, p.line, p.message) for p in check(tmp_path, corpus, pages)]
    assert ("handbook/volumes/v1-common/guide/documents/notice.md", 1,
            "页面未登记在 handbook/documents.yaml 中：请为它加一项（name、page、step、requires）") in messages
    assert any(f == "handbook/documents.yaml" and "查封扣押决定书" in m and "不存在" in m for f, _, m in messages)
    assert ("handbook/volumes/v1-common/guide/documents/penalty-decision.md", 12, "空白处的【】不成对") in messages


def test_the_word_file_has_the_centred_title_aligned_lines_the_table_and_highlighted_blanks(tmp_path, corpus):
    docs, _ = load_documents(rules_file(tmp_path), corpus)
    word = Docx(io.BytesIO(docx_bytes(docs[0], DECISION)))
    paragraphs = [p for p in word.paragraphs if p.text]
    texts = [p.text for p in paragraphs]
    assert texts[:3] == ["【××镇人民政府】", "行政处罚决定书", "【×】镇罚决字〔【年份】〕第【序号】号"]
    assert [p.alignment for p in paragraphs[:3]] == [1, 1, 2]            # centre, centre, right
    assert "如不服本决定，可以依法申请行政复议，或者提起行政诉讼。" in texts and "填写说明" not in "".join(texts)
    assert word.tables[0].cell(1, 1).text == "【金额】元"
    blanks = [r.text for p in paragraphs for r in p.runs if r.font.highlight_color]
    assert "【姓名或者名称】" in blanks and "，地址：" not in blanks
    assert word.core_properties.title == "行政处罚决定书"


def test_the_first_mention_in_each_section_links_to_the_model_and_nothing_else_changes(tmp_path, corpus):
    docs, _ = load_documents(rules_file(tmp_path), corpus)
    page = dedent("""\
        # 案例

        ## 行政处罚决定书的送达

        镇政府作出行政处罚决定书，并当场交付行政处罚决定书。

        !!! quote "《行政强制法》（2011-06-30）第二十四条"
            制作并当场交付查封、扣押决定书和清单。

        | 文书 | 行政处罚决定书 |

        已有[行政处罚决定书](x.md)的链接；又作出查封、扣押决定书。

        ## 执行

        依据行政处罚决定书执行。
        """)
    out = link_mentions(docs, "volumes/v1-common/cases/c.md", page)
    link = "[行政处罚决定书](../guide/documents/penalty-decision.md)"
    assert out.count(link) == 2                                   # once per section
    assert "## 行政处罚决定书的送达" in out and "| 文书 | 行政处罚决定书 |" in out
    assert "    制作并当场交付查封、扣押决定书和清单。" in out       # quotations stay verbatim
    assert "[查封、扣押决定书](../guide/documents/seizure-decision.md)" in out
    assert "已有[行政处罚决定书](x.md)的链接" in out


def test_the_index_lists_the_documents_of_its_folder_in_the_order_of_the_list(tmp_path, corpus):
    docs, _ = load_documents(rules_file(tmp_path), corpus)
    listing = document_list(docs, "volumes/v1-common/guide/documents/index.md")
    rows = [ln for ln in listing.splitlines() if ln.startswith("| ") and "[" in ln]
    assert rows[0].startswith("| 决定 | [行政处罚决定书](penalty-decision.md) | [下载](penalty-decision.docx)")
    assert rows[1].startswith("| 行政强制措施 | [查封扣押决定书](seizure-decision.md)")
