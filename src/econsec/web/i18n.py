"""Languages of the web pages: English and Japanese message catalogues (gettext ``.po``, read
with Babel), the choice of language, and locale-aware number and date formats.

The catalogues are compiled in memory when first used, so there is no build step; the
languages are English and every folder under ``locales/``. The language
is the user's setting when it is ``en`` or ``ja``, otherwise (``auto``, or before signing in)
the ``lang`` cookie, otherwise the browser's ``Accept-Language``.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from importlib import resources
from typing import Any

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

__all__ = ["LOCALES", "choose", "filters", "translations"]


def _discovered() -> tuple[str, ...]:
    """English, and every language with a catalogue ``locales/<code>/LC_MESSAGES/messages.po``
    (adding a language is adding its folder)."""
    folder = resources.files("econsec.web").joinpath("locales")
    found = sorted(d.name for d in folder.iterdir()
                   if d.joinpath("LC_MESSAGES", "messages.po").is_file())  # fmt: skip
    return ("en", *found)


LOCALES = _discovered()


@functools.cache
def translations(locale: str) -> NullTranslations:
    if locale == "en":
        return NullTranslations()
    po = resources.files("econsec.web").joinpath("locales", locale, "LC_MESSAGES", "messages.po")
    with po.open("rb") as f:
        catalog = read_po(f, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def choose(user_locale: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The language of a page (see the module docstring)."""
    for wanted in (user_locale, cookie):
        if wanted in LOCALES:
            return wanted
    preferred = []
    for part in (accept_language or "").split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        if tag:
            preferred.append((weight, tag.replace("-", "_")))
    for _, tag in sorted(preferred, key=lambda t: -t[0]):
        language = tag.split("_")[0].lower()
        if language in LOCALES:
            return language
    return "en"


def filters(locale: str) -> dict[str, Any]:
    """Jinja filters formatting for ``locale``: ``number``, ``percent``, ``money``, ``date``."""
    loc = Locale.parse(locale)

    def number(value: Any, digits: int = 0) -> str:
        if value is None or value != value:
            return "–"
        return numbers.format_decimal(value, format=f"#,##0.{'0' * digits}" if digits else
                                      "#,##0", locale=loc)  # fmt: skip

    def percent(value: Any, digits: int = 0) -> str:
        if value is None or value != value:
            return "–"
        return numbers.format_percent(value, format=f"#,##0.{'0' * digits}%" if digits else
                                      "#,##0%", locale=loc)  # fmt: skip

    def date(value: Any) -> str:
        if not value:
            return "–"
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if isinstance(value, dt.datetime):
            return dates.format_datetime(value, format="medium", locale=loc)
        return dates.format_date(value, format="medium", locale=loc)

    return {"number": number, "percent": percent, "date": date}
