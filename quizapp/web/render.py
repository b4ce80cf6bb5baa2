"""Jinja2 templates and the helpers they use."""
from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates

from ..content.site import page_url
from ..domain.procedure import VOLUME_BY_CODE
from ..models import ROLE_NAMES, Role

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def volume_title(code: str) -> str:
    v = VOLUME_BY_CODE.get(code)
    return v.title if v else code


templates.env.globals.update(handbook_url=page_url, volume_title=volume_title,
                             role_name=lambda r: ROLE_NAMES.get(Role(r), r))


def page(request: Request, name: str, status_code: int = 200, **context):
    context.setdefault("user", getattr(request.state, "user", None))
    return templates.TemplateResponse(request, name, context, status_code=status_code)
