"""Languages of the web pages: the choice of language and locale-aware number and date formats
(the catalogues are :mod:`econsec.i18n`'s). The language
is the user's setting when it is ``en`` or ``ja``, otherwise (``auto``, or before signing in)
the ``lang`` cookie, otherwise the browser's ``Accept-Language``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel import Locale, dates, numbers

from econsec.i18n import LOCALES, translations

__all__ = ["LOCALES", "choose", "filters", "translations"]


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
