"""The languages of every text a user reads: English and the catalogues under ``locales/``
(gettext ``.po`` files, read with Babel and compiled in memory when first used).

Python code marks a text with :func:`tr`, or with :func:`N_` where it is translated later
(``pybabel extract -F babel.cfg -k tr -k N_`` finds both, as it finds the templates' ``_()``).
The command line reads its language from ``ECONSEC_LANG``, else the ``LANG`` of the
environment (``ja_JP.UTF-8`` → Japanese), else English.
"""

from __future__ import annotations

import functools
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

__all__ = ["LOCALES", "N_", "Message", "cli_language", "tr", "translations"]


def _discovered() -> tuple[str, ...]:
    """English, and every language with a catalogue ``locales/<code>/LC_MESSAGES/messages.po``
    (adding a language is adding its folder)."""
    folder = resources.files("econsec").joinpath("locales")
    found = sorted(d.name for d in folder.iterdir()
                   if d.joinpath("LC_MESSAGES", "messages.po").is_file())  # fmt: skip
    return ("en", *found)


LOCALES = _discovered()


@functools.cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalogue of ``locale`` (English: the texts as written)."""
    if locale not in LOCALES or locale == "en":
        return NullTranslations()
    po = resources.files("econsec").joinpath("locales", locale, "LC_MESSAGES", "messages.po")
    with po.open("rb") as f:
        catalog = read_po(f, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def N_(message: str) -> str:
    """Mark a text for the catalogue without translating it (it is translated where shown).

    >>> N_("share")
    'share'
    """
    return message


@dataclass(frozen=True, slots=True)
class Message:
    """A catalogue message and its values, translated where it is read: a value of another
    message (e.g. an error's "expected" part) is worded in the same language.

    >>> m = Message("a whole number from {low} to {high}", {"low": 1, "high": 5})
    >>> str(m), tr("expected {what}, got {value!r}", "en", what=m, value="x")
    ('a whole number from 1 to 5', "expected a whole number from 1 to 5, got 'x'")
    """

    template: str
    values: Mapping[str, object] = field(default_factory=dict)

    def in_language(self, lang: str) -> str:
        return tr(self.template, lang, **self.values)

    def __str__(self) -> str:
        return self.in_language("en")


def tr(message: str, lang: str, **values: object) -> str:
    """``message`` in ``lang``, with ``{name}`` fields filled from ``values`` (a
    :class:`Message` value in ``lang`` too).

    Examples
    --------
    >>> tr("{flagged} of {rows} rows flagged", "ja", flagged=2, rows=30)
    '30 行中 2 行が該当'
    >>> tr("{flagged} of {rows} rows flagged", "en", flagged=2, rows=30)
    '2 of 30 rows flagged'
    """
    text = translations(lang).gettext(message)
    if not values:
        return text
    return text.format(**{k: v.in_language(lang) if isinstance(v, Message) else v
                          for k, v in values.items()})  # fmt: skip


def cli_language() -> str:
    """The command line's language: ``ECONSEC_LANG``, else the environment's ``LANG``.

    Examples
    --------
    >>> import os
    >>> os.environ["ECONSEC_LANG"] = "ja"
    >>> cli_language()
    'ja'
    >>> del os.environ["ECONSEC_LANG"]
    """
    for variable in ("ECONSEC_LANG", "LC_ALL", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            language = value.split(".")[0].split("_")[0].lower()
            return language if language in LOCALES else "en"
    return "en"
