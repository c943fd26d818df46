"""Rendering pages: one Jinja environment per language (autoescaping on, so firm and supplier
names — untrusted input — are escaped), the navigation the policy allows, charts, and the
security headers of every page."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from starlette.datastructures import FormData

from econsec.access.policy import Resource, Subject, is_allowed
from econsec.app.platform import Caller, Platform
from econsec.errors import AccessDenied, NotSignedIn
from econsec.report.html import Figure
from econsec.sharing.releases import wording
from econsec.web import i18n, session

__all__ = [
    "RULE_LABELS",
    "Page",
    "chart",
    "checked_form",
    "navigation",
    "platform_of",
    "register",
    "render",
    "require",
]

# No inline scripts, no third-party origins: every asset is served by the service itself.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)

#: What each refusal rule of the disclosure guard, the release ledger and the privacy budget
#: means, for people (translated; the rule's code is shown beside it).
RULE_LABELS = {
    "min_firms": "too few firms contribute",
    "dominance": "one or two firms dominate the total",
    "p_percent": "a contributor could estimate another's value closely (the p-percent rule)",
    "differencing": "with an earlier release it would single out a few firms",
    "exact": "with earlier releases it would determine a firm's value",
    "interval": "with earlier releases it would narrow a firm's value too closely",
    "privacy": "an exact release after a differentially private one would undo its privacy",
    "privacy_budget": "a contributing firm's privacy budget is spent",
    "unanimous": "every respondent answered alike",
    "complexity": "it is connected to too many earlier releases to audit",
}


@dataclass(frozen=True, slots=True)
class Page:
    """A page of the navigation: its path, its label (a message id, translated when shown),
    the action and resource the policy must allow for the caller, and its place in the menu."""

    path: str
    label: str
    action: str
    resource: Callable[[Subject], Resource]
    order: int


_PAGES: dict[str, Page] = {}


def register(*pages: Page) -> None:
    """Add pages to the navigation (each page module registers its own, beside its routes)."""
    for page in pages:
        _PAGES[page.path] = page


def navigation() -> list[Page]:
    """Every page of the page modules, in menu order."""
    from econsec.web import page_modules

    page_modules()
    return sorted(_PAGES.values(), key=lambda page: page.order)


@functools.cache
def _environment(locale: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: resources.files("econsec.web").joinpath("templates", name)
            .read_text("utf-8")
        ),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
    )  # fmt: skip
    env.install_gettext_translations(i18n.translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(i18n.filters(locale))
    env.filters["tojson_attr"] = lambda v: json.dumps(v, ensure_ascii=False)
    env.globals["rule_labels"] = RULE_LABELS
    env.globals["wording"] = wording
    # a problem of rejected input in the page's language (already worded when a plain dict)
    env.globals["worded"] = lambda pr: (pr["message"] if isinstance(pr, dict)
                                        else pr.in_language(locale))  # fmt: skip
    env.filters["country"] = lambda code: _named("country", code, locale)
    env.filters["product"] = lambda code: _named("product", code, locale)
    return env


def _named(kind: str, code: str | None, locale: str) -> Markup:
    """``CODE name`` for a cell: the code as a code, the name in the reader's language (a
    product: its critical group in Japanese, then the English HS description, marked English)."""
    from econsec.reference.names import country_name, critical_group, product_name

    if not code:
        return Markup("–")
    cell = Markup('<span class="code" translate="no">{}</span> ').format(code)
    if kind == "country":
        return cell + country_name(code, locale)
    if group := critical_group(code, locale):
        cell += Markup("{}：").format(group)
    return cell + Markup('<span class="name" lang="en">{}</span>').format(product_name(code))


def chart(figure: Figure) -> dict[str, Any]:
    """A figure for the ``chart.html`` macro: Plotly JSON, drawn by the local script."""
    return {"title": figure.title, "figure": {"data": figure.plotly["data"],
            "layout": {**figure.plotly.get("layout", {}), "title": {"text": figure.title}}},
            "data_source": figure.data_source, "method": figure.method,
            "note": figure.note}  # fmt: skip


def locale_of(request: Request, caller: Caller | None) -> str:
    """The language of the page for this request (:func:`econsec.web.i18n.choose`)."""
    return i18n.choose(caller.account.locale if caller else None, request.cookies.get("lang"),
                       request.headers.get("accept-language"))  # fmt: skip


def render(
    request: Request,
    p: Platform,
    caller: Caller | None,
    template: str,
    status: int = 200,
    session_cookie: str | None = None,
    **context: Any,
) -> HTMLResponse:
    locale = locale_of(request, caller)
    now = p.now()
    nav = (
        [
            pg
            for pg in navigation()
            if is_allowed(caller.subject, pg.action, pg.resource(caller.subject), now)
        ]
        if caller
        else []
    )
    html = _environment(locale).get_template(template).render(
        request=request, caller=caller, nav=nav, locale=locale, locales=i18n.LOCALES,
        csrf=session.csrf_token(request, p), path=request.url.path, **context,
    )  # fmt: skip
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    session.set_cookies(request, response, p, session_cookie)
    return response


def platform_of(request: Request) -> Platform:
    p: Platform = request.app.state.platform
    return p


def require(request: Request, page: str) -> tuple[Platform, Caller]:
    """The platform and the signed-in caller allowed on ``page`` (audited); else
    :class:`NotSignedIn` (the browser is sent to the sign-in page) or :class:`AccessDenied`."""
    p = platform_of(request)
    caller = session.caller(request, p)
    if caller is None:
        raise NotSignedIn("sign in first")
    pg = _PAGES[page]
    p.authorise(caller.subject, pg.action, pg.resource(caller.subject), f"page{page}")
    return p, caller


async def checked_form(request: Request) -> FormData:
    """The posted form, read only once the CSRF token in the form's address
    (``?csrf_token=``, which every page's form carries) is verified: a forged or expired form
    is refused with :class:`AccessDenied` before any of its body is read or parsed. (Pages check
    the caller with :func:`require` before this.)"""
    token = request.query_params.get("csrf_token")
    if not session.csrf_valid(request, platform_of(request), token):
        raise AccessDenied("the form has expired or did not come from this site; reload")
    return await request.form(max_files=2, max_fields=2000)
