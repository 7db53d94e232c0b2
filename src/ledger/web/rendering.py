"""Jinja2 templates: whole pages, or one named block for an HTMX request."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import ChainableUndefined, Environment, FileSystemLoader, select_autoescape
from jinja2_fragments import render_block
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ledger.core.projects import ProjectChoice
from ledger.web.data_cache import cache_of, data_version
from ledger.web.i18n import Translator
from ledger.web.state import ledger_of

TEMPLATES = Path(__file__).parent / "templates"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=ChainableUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def context_of(request: Request, values: dict[str, Any]) -> dict[str, Any]:
    """Everything a template may use: the request's translator, session and values."""
    translator: Translator = request.state.translator
    session = request.state.session
    layout: dict[str, Any] = {"running": None, "timer_projects": [], "timer_options": ""}
    if session and session.user_id:
        layout["running"] = running = ledger_of(request).entries.running()
        if running is None:
            layout["timer_projects"] = choices = _timer_projects(request)
            layout["timer_options"] = timer_options(tuple(choices))
    return {
        **layout,
        "request": request,
        "_": translator.gettext,
        "ngettext": translator.ngettext,
        "t": translator,
        "csrf_token": session.csrf_token if session else "",
        "user_id": session.user_id if session else None,
        "flash": session.flash[:] if session else [],
        "theme": request.state.theme,
        "section": "",
        **values,
    }


def _timer_projects(request: Request) -> list[ProjectChoice]:
    """The timer's choice of projects, by client: every page shows it, so it is kept
    until the data changes."""
    read = ledger_of(request).projects.choices
    return cache_of(request).get("timer projects", data_version(request), read)


@lru_cache(maxsize=4)
def timer_options(choices: tuple[ProjectChoice, ...]) -> Markup:
    """The timer's ``<option>``s, made once for the same choices: every page shows them,
    and after a change the template would escape the same few hundred names again."""
    options = (
        f'    <option value="{choice.id}">{escape(choice.client_name)} · {escape(choice.name)}'
        "</option>"
        for choice in choices
    )
    return Markup("\n".join(options))  # noqa: S704 (every name is escaped)


def render(
    request: Request, template: str, values: dict[str, Any] | None = None, *,
    block: str | None = None, status: int = 200,
) -> HTMLResponse:  # fmt: skip
    """Render a page, or only `block` of it (for HTMX partial updates)."""
    context = context_of(request, values or {})
    if block is not None:
        html = render_block(environment, template, block, context)
    else:
        html = environment.get_template(template).render(context)
        if request.state.session:
            request.state.session.flash.clear()
    return HTMLResponse(html, status_code=status, headers={"Vary": "HX-Request"})


def is_htmx(request: Request) -> bool:
    """Whether htmx sent the request (it then wants a fragment)."""
    return request.headers.get("HX-Request") == "true"


def back(request: Request, default: str) -> str:
    """The same-site page the request came from (its path only), else `default`."""
    referer = urlsplit(request.headers.get("referer", ""))
    own = urlsplit(str(request.url))
    if (
        referer.netloc == own.netloc
        and referer.path.startswith("/")
        and not referer.path.startswith("//")
    ):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return default
