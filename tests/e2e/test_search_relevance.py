"""The handbook's search, in the browser: for a procedure, a concept, a case
topic or an item, the page that explains it is among the first three results,
above statute full texts and pages that only mention it; each result names its
volume and module; an article's name opens that article; nothing is fetched
before the search box opens, and a query costs a few KB.

Add the topics of every volume as it is written (issue 20: at least 30)."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from quizapp.content.search import rank
from tests.e2e.handbook_search import RESULT, search
from tests.e2e.test_browser import ARTIFACTS, browser, server  # noqa: F401 (fixtures)

# query -> a page (path prefix, any section) that must be among the first three results
FIRST_THREE = {
    "先行登记保存": "/volumes/v1-common/guide/compulsory-measures/",
    "听证": "/volumes/v1-common/guide/step-06-hearing/",
    "听证程序": "/volumes/v1-common/guide/step-06-hearing/",
    "加处罚款": "/volumes/v1-common/laws/key-points-compulsion-law/",
    "首违不罚": "/volumes/v1-common/guide/no-penalty/",
    "违法建设": "/volumes/v5-urban/guide/illegal-construction/",
    "送达": "/volumes/v1-common/guide/step-08-service/",
    "留置送达": "/volumes/v1-common/guide/step-08-service/",
    "法制审核": "/volumes/v1-common/guide/step-04-legal-review/",
    "赋权": "/volumes/v1-common/guide/delegated-powers/",
    "赋权事项": "/volumes/v1-common/guide/delegated-powers/",
    "立案": "/volumes/v1-common/guide/step-01-filing/",
    "管辖": "/volumes/v1-common/guide/step-01-filing/",
    "调查取证": "/volumes/v1-common/guide/step-02-investigation/",
    "全过程记录": "/volumes/v1-common/guide/step-03-recording/",
    "陈述申辩": "/volumes/v1-common/guide/step-05-notice/",
    "不予处罚": "/volumes/v1-common/guide/no-penalty/",
    "行政诉讼": "/volumes/v1-common/guide/review-litigation/",
    "重大执法决定": "/volumes/v1-common/guide/three-systems/",
    "扣押": "/volumes/v1-common/guide/compulsory-measures/",
    "催告": "/volumes/v1-common/guide/self-enforcement/",
    "回避": "/volumes/v1-common/guide/recusal/",
    "非法占用土地": "/volumes/v2-natural-resources/items/v2-sx-002/",
    "噪声": "/volumes/v5-urban/guide/noise/",
    "强制执行": "/volumes/v1-common/guide/self-enforcement/",
    "结案归档": "/volumes/v1-common/guide/step-10-closing/",
    "简易程序": "/volumes/v1-common/guide/summary-procedure/",
    "当场处罚": "/volumes/v1-common/guide/summary-procedure/",
    "三项制度": "/volumes/v1-common/guide/three-systems/",
    "追责时效": "/volumes/v1-common/guide/limitation/",
    "移送涉嫌犯罪": "/volumes/v1-common/guide/criminal-transfer/",
    "行政复议": "/volumes/v1-common/guide/review-litigation/",
    "查封扣押": "/volumes/v1-common/guide/compulsory-measures/",
    "罚缴分离": "/volumes/v1-common/laws/key-points-fine-separation-rules/",
    "国家赔偿": "/volumes/v1-common/laws/key-points-state-compensation-law/",
    "露天烧烤": "/volumes/v5-urban/items/v5-sx-002/",
    "倾倒生活垃圾": "/volumes/v1-common/cases/case-02-on-the-spot-penalty/",
    "占用人行道": "/volumes/v1-common/cases/case-05-first-offence-no-penalty/",
    "砍伐树木": "/volumes/v1-common/cases/case-07-limitation-expired/",
    "非法占用耕地": "/volumes/v2-natural-resources/guide/illegal-land-and-rural-housing/",
    "夜间施工": "/volumes/v5-urban/laws/key-points-noise-law/",
    "农药经营许可证": "/volumes/v3-agriculture/items/v3-sx-001/",
    "排水许可": "/volumes/v5-urban/laws/key-points-drainage-regulations/",
    "电子数据": "/volumes/v1-common/guide/electronic-evidence/",
    "询问笔录": "/volumes/v1-common/guide/inquiry-record/",
    "证据的种类": "/volumes/v1-common/guide/evidence/",
    "执法辅助人员": "/volumes/v1-common/guide/officers/",
    "撤销立案": "/volumes/v1-common/guide/filing-and-termination/",
    "代履行": "/volumes/v1-common/guide/self-enforcement/",
    "强制拆除": "/volumes/v1-common/guide/self-enforcement/",
    "分期缴纳罚款": "/volumes/v1-common/guide/step-09-enforcement/",
    "罚没财物": "/volumes/v1-common/guide/seized-property/",
    "行政处罚无效": "/volumes/v1-common/guide/void-and-correction/",
    # a model document is found by its name, yet ranks below the guide for the step's topic (听证 above)
    "行政处罚决定书": "/volumes/v1-common/guide/documents/penalty-decision/",
    "送达回证": "/volumes/v1-common/guide/documents/service-receipt/",
    "催告书": "/volumes/v1-common/guide/documents/enforcement-reminder/",
    "文书式样": "/volumes/v1-common/guide/documents/",
    # volume 5 城市管理
    "临时建设": "/volumes/v5-urban/guide/illegal-construction/",
    "工程造价": "/volumes/v5-urban/guide/illegal-construction/",
    "责成": "/volumes/v5-urban/guide/illegal-construction/",
    "以罚代拆": "/volumes/v5-urban/cases/case-01-fourth-storey-added/",
    "占道经营": "/volumes/v5-urban/guide/street-occupation/",
    "阳台": "/volumes/v5-urban/guide/street-occupation/",
    "扣押三轮车": "/volumes/v5-urban/cases/case-03-street-vendor-tricycle/",
    "户外广告": "/volumes/v5-urban/guide/outdoor-advertising/",
    "乱张贴": "/volumes/v5-urban/guide/outdoor-advertising/",
    "建筑垃圾": "/volumes/v5-urban/guide/waste/",
    "生活垃圾": "/volumes/v5-urban/guide/waste/",
    "油烟": "/volumes/v5-urban/guide/fumes-barbecue-burning/",
    "露天焚烧": "/volumes/v5-urban/guide/fumes-barbecue-burning/",
    "扬尘": "/volumes/v5-urban/guide/dust/",
    "渣土车": "/volumes/v5-urban/cases/case-07-muck-truck-spill/",
    "广场舞": "/volumes/v5-urban/guide/noise/",
    "非法占地": "/volumes/v2-natural-resources/guide/illegal-land-and-rural-housing/",
    "宅基地": "/volumes/v2-natural-resources/laws/key-points-land-administration-law/",
    "没收还是拆除": "/volumes/v2-natural-resources/guide/illegal-land-and-rural-housing/",
    "耕地开垦费": "/volumes/v2-natural-resources/guide/farmland-destruction/",
    "永久基本农田": "/volumes/v2-natural-resources/guide/farmland-destruction/",
    "挖塘养鱼": "/volumes/v2-natural-resources/cases/case-06-fish-pond-in-permanent-farmland/",
    "临时用地": "/volumes/v2-natural-resources/items/v2-sx-010/",
    "基本农田保护区": "/volumes/v2-natural-resources/laws/key-points-basic-farmland-regulations/",
    "乡村建设规划许可证": "/volumes/v2-natural-resources/guide/rural-planning/",
    "乡村违法建设": "/volumes/v2-natural-resources/guide/rural-planning/",
    "滥伐": "/volumes/v2-natural-resources/guide/forest-logging-and-land/",
    "采伐许可证": "/volumes/v2-natural-resources/laws/key-points-forest-law/",
    "改变林地用途": "/volumes/v2-natural-resources/guide/forest-logging-and-land/",
    "野外用火": "/volumes/v2-natural-resources/guide/wildland-fire/",
    "森林防火期": "/volumes/v2-natural-resources/laws/key-points-forest-fire-regulations/",
    "无证采矿": "/volumes/v2-natural-resources/guide/unlicensed-mining/",
    "采砂": "/volumes/v2-natural-resources/guide/unlicensed-mining/",
    "地质灾害危险区": "/volumes/v2-natural-resources/guide/geological-hazards/",
    "削坡建房": "/volumes/v2-natural-resources/cases/case-10-slope-cutting-in-hazard-zone/",
    "测量标志": "/volumes/v2-natural-resources/guide/",
    "社会生活噪声": "/volumes/v5-urban/guide/noise/",
    "城市绿化": "/volumes/v5-urban/guide/greening/",
    "物业管理区域": "/volumes/v5-urban/laws/key-points-property-management-regulations/",
    "禁用农药": "/volumes/v3-agriculture/items/v3-sx-007/",
    "劣质农药": "/volumes/v3-agriculture/guide/pesticides/",
    "假农药": "/volumes/v3-agriculture/guide/pesticides/",
    "假兽药": "/volumes/v3-agriculture/laws/key-points-veterinary-drug-regulations/",
    "休药期": "/volumes/v3-agriculture/items/v3-sx-016/",
    "人用药品": "/volumes/v3-agriculture/items/v3-sx-013/",
    "强制免疫": "/volumes/v3-agriculture/items/v3-sx-008/",
    "狂犬病免疫": "/volumes/v3-agriculture/guide/animal-epidemic/",
    "病死动物": "/volumes/v3-agriculture/guide/animal-epidemic/",
    "代为处理": "/volumes/v3-agriculture/guide/animal-epidemic/",
    "检疫证明": "/volumes/v3-agriculture/guide/quarantine-certificates/",
    "补检": "/volumes/v3-agriculture/guide/quarantine-certificates/",
    "私屠滥宰": "/volumes/v3-agriculture/guide/pig-slaughter/",
    "自宰自食": "/volumes/v3-agriculture/laws/key-points-pig-slaughter-regulations/",
    "牛羊定点屠宰": "/volumes/v3-agriculture/items/v3-sx-024/",
    "承诺达标合格证": "/volumes/v3-agriculture/items/v3-sx-019/",
    "农产品生产记录": "/volumes/v3-agriculture/items/v3-sx-018/",
    "假种子": "/volumes/v3-agriculture/laws/key-points-seed-law/",
    "电鱼": "/volumes/v3-agriculture/cases/case-09-electrofishing-at-night/",
    "禁渔期": "/volumes/v3-agriculture/guide/fishing/",
    "秸秆焚烧": "/volumes/v3-agriculture/laws/key-points-straw-burning/",
    "养殖档案": "/volumes/v3-agriculture/items/v3-sx-023/",
    "无照经营": "/volumes/v6-market/laws/key-points-unlicensed-business/",
    "无证无照": "/volumes/v6-market/guide/unlicensed-business/",
    "明码标价": "/volumes/v6-market/guide/price-tags-and-fraud/",
    "价格欺诈": "/volumes/v6-market/laws/key-points-price-law/",
    "作弊秤": "/volumes/v6-market/laws/key-points-metrology-law/",
    "计量器具": "/volumes/v6-market/laws/key-points-metrology-law/",
    "以次充好": "/volumes/v6-market/laws/key-points-product-quality-law/",
    "掺杂掺假": "/volumes/v6-market/guide/product-quality/",
    "绝对化用语": "/volumes/v6-market/laws/key-points-advertising-law/",
    "食品摊贩": "/volumes/v6-market/laws/key-points-food-safety-law/",
    "过期食品": "/volumes/v6-market/guide/food-business-and-stalls/",
    "健康证明": "/volumes/v6-market/items/v6-sx-004/",
    "快检": "/volumes/v6-market/guide/food-business-and-stalls/",
    "农贸市场": "/volumes/v6-market/guide/food-business-and-stalls/",
    "集中交易市场": "/volumes/v6-market/items/v6-sx-006/",
    "食品经营许可": "/volumes/v6-market/items/v6-sx-001/",
    "信息公示": "/volumes/v6-market/laws/key-points-market-procedure-rules/",
    "投诉举报": "/volumes/v6-market/laws/key-points-market-procedure-rules/",
    "消费者权益": "/volumes/v6-market/laws/key-points-consumer-protection/",
    "原价": "/volumes/v6-market/cases/case-06-false-original-price/",
    "河道管理范围": "/volumes/v8-water/guide/river-channel-building-and-dumping/",
    "强行拆除": "/volumes/v8-water/guide/river-channel-building-and-dumping/",
    "倾倒渣土": "/volumes/v8-water/guide/river-channel-building-and-dumping/",
    "护堤地": "/volumes/v8-water/items/v8-sx-004/",
    "妨碍行洪": "/volumes/v8-water/items/v8-sx-002/",
    "取水许可": "/volumes/v8-water/laws/key-points-water-abstraction-regulations/",
    "擅自取水": "/volumes/v8-water/laws/key-points-water-abstraction-regulations/",
    "水井": "/volumes/v8-water/laws/key-points-groundwater-regulations/",
    "地下水": "/volumes/v8-water/laws/key-points-groundwater-regulations/",
    "计量设施": "/volumes/v8-water/items/v8-sx-010/",
    "陡坡开垦": "/volumes/v8-water/laws/key-points-soil-conservation-law/",
    "水土保持方案": "/volumes/v8-water/laws/key-points-soil-conservation-law/",
    "弃土弃渣": "/volumes/v8-water/laws/key-points-soil-conservation-law/",
    "防汛指挥机构": "/volumes/v8-water/laws/key-points-flood-prevention-regulations/",
    "拦河渔网": "/volumes/v8-water/cases/case-06-nets-blocking-flood-channel/",
    "垂钓": "/volumes/v8-water/items/v8-sx-016/",
    "排污口": "/volumes/v8-water/laws/key-points-water-pollution-law/",
    "建筑控制区": "/volumes/v7-transport/guide/highway-land-and-control-zone/",
    "非公路标志": "/volumes/v7-transport/items/v7-sx-002/",
    "平面交叉道口": "/volumes/v7-transport/items/v7-sx-005/",
    "挖掘公路": "/volumes/v7-transport/guide/occupying-and-digging-roads/",
    "公路附属设施": "/volumes/v7-transport/items/v7-sx-007/",
    "桥下空间": "/volumes/v7-transport/items/v7-sx-010/",
    "护路林": "/volumes/v7-transport/items/v7-sx-014/",
    "车辆超限": "/volumes/v7-transport/items/v7-sx-015/",
    "非法营运": "/volumes/v7-transport/guide/road-transport/",
    "黑车": "/volumes/v7-transport/cases/case-10-private-car-carrying-passengers/",
    "暂扣车辆": "/volumes/v7-transport/laws/key-points-road-transport-regulations/",
    "渡口": "/volumes/v7-transport/guide/boats-and-ferries/",
    "载客定额": "/volumes/v7-transport/items/v7-sx-019/",
    "航道保护范围": "/volumes/v7-transport/laws/key-points-waterway-law/",
    "穿镇公路": "/volumes/v7-transport/guide/common-traps/",
    "扣留车辆": "/volumes/v7-transport/items/v7-sx-013/",
    "打谷晒粮": "/volumes/v7-transport/items/v7-sx-001/",
    "履带车": "/volumes/v7-transport/items/v7-sx-009/",
    "黑诊所": "/volumes/v4-health/guide/unlicensed-practice/",
    "无证行医": "/volumes/v4-health/guide/unlicensed-practice/",
    "非医师行医": "/volumes/v4-health/items/v4-sx-002/",
    "医疗机构执业许可证": "/volumes/v4-health/items/v4-sx-001/",
    "违法所得不足一万元": "/volumes/v4-health/laws/key-points-basic-healthcare-law/",
    "卫生许可证": "/volumes/v4-health/items/v4-sx-007/",
    "健康合格证明": "/volumes/v4-health/items/v4-sx-008/",
    "控烟": "/volumes/v4-health/guide/smoking-control/",
    "二次供水": "/volumes/v4-health/guide/drinking-water/",
    "胎儿性别鉴定": "/volumes/v4-health/items/v4-sx-011/",
    "托育机构": "/volumes/v4-health/items/v4-sx-012/",
    "乡村医生": "/volumes/v4-health/laws/key-points-village-doctors-regulations/",
    "村卫生室": "/volumes/v4-health/guide/village-doctors/",
    "中医诊所": "/volumes/v4-health/laws/key-points-tcm-law/",
    "诊疗科目": "/volumes/v4-health/items/v4-sx-004/",
    "非法行医罪": "/volumes/v4-health/guide/unlicensed-practice/",
    "卫生防疫机构": "/volumes/v4-health/laws/key-points-public-places-hygiene-regulations/",
}

STATUTE_PAGE = "/laws/"          # statute full texts live under laws/<slug>-<date>/


def _index(site: Path) -> dict:
    root = site / "search"
    return {str(p.relative_to(root)): json.loads(p.read_text(encoding="utf-8")) for p in root.rglob("*.json")}


def test_the_list_covers_at_least_thirty_topics():
    assert len(FIRST_THREE) >= 30


def test_every_topic_finds_its_page_in_the_first_three_and_the_browser_ranks_as_the_build_does(
        server, browser, built_site):
    index = _index(built_site)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/")
    missed = {}
    for query, wanted in FIRST_THREE.items():
        links = search(page, query)
        top = [link.split("#")[0] for link in links[:3]]
        if wanted not in top:
            missed[query] = top
        assert links[:8] == rank(index, query, 8), query         # one ranking, in Python and in the browser
    assert missed == {}
    page.close()


def test_each_result_names_its_volume_and_module_and_statutes_come_after_the_explanations(server, browser):
    page = browser.new_page(viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True)
    page.goto(server + "/volumes/v1-common/")
    links = search(page, "先行登记保存")
    page.screenshot(path=str(ARTIFACTS / "search-results-360.png"))
    wheres = page.locator(f"{RESULT} .zj-search__where").all_inner_texts()
    assert wheres[0] == "第一卷 · 工作指南"
    assert all(w.startswith(("第", "全书")) for w in wheres), wheres
    assert not [link for link in links[:3] if "-20" in link and STATUTE_PAGE in link], links[:3]
    # a sentence of a statute's text finds that article, below the pages that explain it
    links = search(page, "滞纳金的标准应当告知当事人")
    at = next(n for n, link in enumerate(links) if link.endswith("/xing-zheng-qiang-zhi-fa-2011-06-30/#art-45"))
    assert 0 < at < 3, links[:3]
    assert page.locator(f"{RESULT} .zj-search__where").all_inner_texts()[at] == "第一卷 · 法律法规 · 法规全文"
    assert page.locator("[data-search-status]").inner_text().startswith("找到")
    page.close()


@pytest.mark.parametrize("query, anchor", [
    ("行政处罚法第五十一条", "/xing-zheng-chu-fa-fa-2021-01-22/#art-51"),
    ("处罚法51条", "/xing-zheng-chu-fa-fa-2021-01-22/#art-51"),
    ("《行政强制法》第五十四条", "/xing-zheng-qiang-zhi-fa-2011-06-30/#art-54"),
])
def test_an_article_named_in_the_query_comes_first_and_enter_opens_it(server, browser, query, anchor):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/")
    links = search(page, query)
    assert links[0].endswith(anchor), links[:3]
    assert page.locator(f"{RESULT}[data-article]").count() == 1
    page.press("[data-search-dialog] input[name='query']", "Enter")
    page.wait_for_url("**" + anchor.split("#")[0] + "*")
    assert page.evaluate("location.hash") == "#" + anchor.split("#")[1]
    assert page.locator(f"[id='{anchor.split('#')[1]}']").is_visible()
    page.close()


def test_an_article_beyond_the_statute_is_named_as_missing(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/")
    search(page, "行政处罚法第三百条")
    assert "该法规中没有第三百条" in page.locator("[data-search-status]").inner_text()
    assert page.locator(f"{RESULT}[data-article]").count() == 0
    page.close()


def test_nothing_of_the_search_is_fetched_until_the_box_opens_and_a_query_costs_a_few_kb(server, browser):
    page = browser.new_page(viewport={"width": 360, "height": 780})
    fetched: list[tuple[str, int]] = []
    page.on("response", lambda r: fetched.append((r.url, len(gzip.compress(r.body())) if r.ok else 0)))
    page.goto(server + "/volumes/v1-common/guide/step-06-hearing/")
    page.wait_for_load_state("networkidle")
    assert not [u for u, _ in fetched if "/search/" in u or "search-engine" in u], fetched
    before = len(fetched)
    search(page, "先行登记保存")
    page.wait_for_load_state("networkidle")
    spent = fetched[before:]
    assert all("/search/" in u or "search-engine" in u for u, _ in spent), spent
    assert sum(size for _, size in spent) < 150_000, spent          # issue 20's bound, compressed
    page.close()


def test_the_platform_search_box_opens_the_handbook_search_with_the_query(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/?q=" + "听证")
    page.locator(RESULT).first.wait_for(timeout=15000)
    assert page.locator("[data-search-dialog]").evaluate("d => d.open")
    assert "/guide/step-06-hearing/" in page.locator(RESULT).first.get_attribute("href")
    page.keyboard.press("Escape")
    assert not page.locator("[data-search-dialog]").evaluate("d => d.open")
    page.close()
