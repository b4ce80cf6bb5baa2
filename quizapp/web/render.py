"""Jinja2 templates and the helpers they use."""
from __future__ import annotations

import re
import threading
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from cachetools import LRUCache
from markupsafe import Markup

from fastapi import Request
from fastapi.templating import Jinja2Templates

from zoneinfo import ZoneInfo

from ..content.page_names import page_name
from ..content.statutes import article_label, int_to_cn
from ..content.site import page_url
from .csrf import csrf_field, csrf_meta
from ..accounts import initial_password_expired
from ..domain.password_policy import INITIAL_PASSWORD_DAYS
from ..domain.errors import DomainError
from ..domain.exams import DIFFICULTY_NAMES, ENDED_BY, TYPE_NAMES
from ..domain.option_letters import relabel, shown_letters
from ..exams import PaperQuestion, question_view
from ..domain.procedure import VOLUME_BY_CODE
from ..models import ROLE_NAMES, Role

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.auto_reload = False        # templates ship with the package: no stat() of every file at every render


def volume_title(code: str) -> str:
    v = VOLUME_BY_CODE.get(code)
    return v.title if v else code


TIMEZONE = {"name": "Asia/Shanghai"}   # set from the settings by create_app


def local_time(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An aware UTC datetime shown in the platform's time zone."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(TIMEZONE["name"])).strftime(fmt)


def local_datetime(value: str, tz: str) -> datetime | None:
    """A datetime-local form field (platform time zone) as an aware datetime; empty is None."""
    value = value.strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=ZoneInfo(tz))
    except ValueError:
        raise DomainError(f"时间格式有误：{value}") from None


def minutes_seconds(seconds: float | int) -> str:
    seconds = int(seconds)
    return f"{seconds // 60} 分 {seconds % 60:02d} 秒"


def as_shown(text: str, options: list[tuple[str, str]]) -> str:
    """An explanation with its option letters as the trainee saw them
    (``options``: the view's options, in the order shown)."""
    return relabel(text, shown_letters([key for key, _ in options]))


def place_name(path: str, section: str = "", section_title: str = "") -> str:
    """Where on the handbook a report points: 「页名 › 节」, or the page's name alone when there is no
    section or the section is the page's own heading (听证 › 听证)."""
    name = page_name(path)
    section = (section_title or section or "").strip()
    article = re.fullmatch(r"art-(\d+)(?:-(\d+))?", section)
    if article:                                     # a statute page's article anchor: 第二十六条
        section = article_label(article.group(1) + (f"之{int_to_cn(int(article.group(2)))}" if article.group(2) else ""))
    return f"{name} › {section}" if section and section != name else name


def person_name(user, *, unit: bool = True) -> str:
    """A user as staff read them: the name (else the login name) and, when filled in, the unit in
    parentheses; never an empty pair （）."""
    if user is None:
        return "（已删除的账号）"
    name = (user.display_name or "").strip() or user.username
    place = (user.unit or "").strip() if unit else ""
    return f"{name}（{place}）" if place else name


def seconds_text(ms: int | None) -> str:
    if ms is None:
        return ""
    seconds = round(ms / 1000)
    return f"{seconds // 60} 分 {seconds % 60} 秒" if seconds >= 60 else f"{seconds} 秒"


def bar(percent, label: str) -> Markup:
    """A horizontal bar of ``percent`` (0–100), drawn in SVG: the CSP allows no style attribute."""
    width = max(0.0, min(100.0, float(percent or 0)))
    return Markup('<svg class="bar" viewBox="0 0 100 1" preserveAspectRatio="none" role="img" aria-label="%s">'
                  '<rect width="%s" height="1"></rect></svg>') % (label, round(width, 1))


def back_url(request: Request) -> str:
    """The page the user came from, if it was one of ours (the Referer's path), else ''."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc or not referer.path.startswith("/") or referer.path.startswith("//"):
        return ""
    return referer.path + (f"?{referer.query}" if referer.query else "")


def score(value) -> str:
    """A score to one decimal, a whole one without it (86.5, 90); none yet: 「—」."""
    if value is None:
        return "—"
    text = f"{float(value):.1f}"
    return text.removesuffix(".0")


def percent(value, whole=None) -> str:
    """A percentage as a whole number: ``part|percent(whole)`` (no whole, e.g.
    nothing answered: 「未作答」), or ``pct|percent`` for a figure already in 0–100."""
    if whole is not None:
        if not whole:
            return "未作答"
        value = 100 * value / whole
    if value is None:
        return "未作答"
    return f"{round(float(value))}%"


templates.env.filters.update(local=local_time, minsec=minutes_seconds, as_shown=as_shown, duration=seconds_text,
                             score=score, percent=percent)
templates.env.globals.update(TYPE_NAMES=TYPE_NAMES, ENDED_BY=ENDED_BY, question_view=question_view,
                             difficulty_name=lambda d: DIFFICULTY_NAMES.get(d, f"难度 {d}"))
templates.env.globals.update(csrf_field=csrf_field, csrf_meta=csrf_meta, bar=bar, back_url=back_url)
templates.env.globals.update(initial_password_expired=initial_password_expired,
                             initial_days=INITIAL_PASSWORD_DAYS)
templates.env.globals.update(place_name=place_name, person_name=person_name)
templates.env.globals.update(handbook_url=page_url, volume_title=volume_title, page_name=page_name,
                             role_name=lambda r: ROLE_NAMES.get(Role(r), r))


_sections: LRUCache = LRUCache(maxsize=20_000)       # an unanswered question's HTML, by what it shows
_sections_lock = threading.Lock()


def exam_sections(questions: list[PaperQuestion]) -> list[Markup]:
    """The exam page's questions as HTML. An unanswered question's HTML is kept,
    keyed by everything it shows (number, points, stem, options in their order,
    parts): at an exam's start thousands of examinees load the same questions."""
    macro = templates.env.get_template("_exam_question.html").module.exam_question
    sections = []
    for v in questions:
        if v.response:
            sections.append(macro(v))
            continue
        key = (v.id, v.number, v.type, v.points, v.stem, tuple(v.options),
               tuple((p["id"], p["type"], p["stem"], tuple(p["options"])) for p in v.parts))
        with _sections_lock:
            html = _sections.get(key)
        if html is None:
            html = macro(v)
            with _sections_lock:
                _sections[key] = html
        sections.append(html)
    return sections


# What a POST-redirect-GET says on the page it lands on: ``?notice=<key>`` (a fixed text per key, so
# nothing of the address is echoed into the page).
NOTICES = {"question-suspended": "已暂停使用本题：不再进入新试卷和练习，已评成绩不变。",
           "question-restored": "已恢复使用本题。",
           "exam-created": "考试已创建并发布：学员自开放时间起可以参加。",
           "exam-edited": "已保存修改。",
           "exam-closed": "考试已关闭：不再接受新的作答，正在作答的学员按各自的截止时间继续。"}


def with_notice(url: str, key: str) -> str:
    """``url`` with ``notice=key`` added to its query."""
    return url + ("&" if "?" in url else "?") + "notice=" + key


def page(request: Request, name: str, status_code: int = 200, headers: dict | None = None, **context):
    context.setdefault("user", getattr(request.state, "user", None))
    context.setdefault("flash", NOTICES.get(request.query_params.get("notice", "")))
    return templates.TemplateResponse(request, name, context, status_code=status_code, headers=headers)
