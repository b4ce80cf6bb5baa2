"""The procedure backbone every volume links to, and the eight volumes."""
from __future__ import annotations

from dataclasses import dataclass

# The general penalty procedure of 行政处罚法 (2021-01-22), in order.
STEPS: tuple[str, ...] = (
    "管辖与立案", "调查取证", "全过程记录", "法制审核", "告知",
    "听证", "决定", "送达", "执行", "结案归档",
)
# Topics beside the ten steps that questions and 易错点 may belong to.
TOPICS: tuple[str, ...] = (
    "简易程序", "不予处罚", "时效", "行政强制措施", "移送涉嫌犯罪", "复议与诉讼",
)
ALL_STEPS: tuple[str, ...] = STEPS + TOPICS


@dataclass(frozen=True)
class Volume:
    code: str
    number: int
    name: str

    @property
    def ordinal(self) -> str:
        """第一卷 … 第八卷: the volume's short label where its whole title does not fit (a table's head)."""
        return f"第{'一二三四五六七八'[self.number - 1]}卷"

    @property
    def title(self) -> str:
        return f"{self.ordinal}　{self.name}"


VOLUMES: tuple[Volume, ...] = (
    Volume("v1-common", 1, "公共法律法规规章运用"),
    Volume("v2-natural-resources", 2, "自然资源"),
    Volume("v3-agriculture", 3, "农业农村"),
    Volume("v4-health", 4, "卫生健康"),
    Volume("v5-urban", 5, "城市管理"),
    Volume("v6-market", 6, "市场监管"),
    Volume("v7-transport", 7, "交通运输"),
    Volume("v8-water", 8, "水务"),
)
VOLUME_BY_CODE = {v.code: v for v in VOLUMES}

# The three modules of every volume: folder -> name.
MODULES = {"laws": "法律法规", "guide": "工作指南", "cases": "典型案例"}


def module_of(handbook_path: str) -> str | None:
    """'volumes/v1-common/guide/x.md' -> 'guide'; None outside a module."""
    parts = handbook_path.split("/")
    if len(parts) >= 4 and parts[0] == "volumes" and parts[2] in MODULES:
        return parts[2]
    return None
