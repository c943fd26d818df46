"""The UN Comtrade API (v1): trade as each country reported it, fetched by reporter, partner,
period and HS code.

With a subscription key the data API answers ``{base}/data/v1/get/C/{A|M}/HS`` (the key in the
``Ocp-Apim-Subscription-Key`` header, never in the address), up to 250,000 records a call;
without one the preview API ``{base}/public/v1/preview/C/{A|M}/HS`` answers up to 500. Both
answer ``{"elements": [...]}`` with the API's field names. A request asks for at most 12
periods; an answer that fills the limit may be cut short, so the request is split (products,
then reporters, then periods) and asked again. Only totals are asked for (``motCode`` 0,
``customsCode`` C00, ``partner2Code`` 0), imports and exports (``flowCode`` M,X).

The records are written as the CSV the Comtrade loader (:mod:`econsec.trade.comtrade`) reads, so
a fetched extract and a downloaded one import alike: both reporting sides kept, the mirror rule
choosing between them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx

from econsec.errors import InputError, SourceUnavailable, TooManyRequests
from econsec.i18n import N_
from econsec.reference.countries import country, to_alpha3
from econsec.trade.remote import Remote, get

__all__ = [
    "COLUMNS",
    "DEFAULT_BASE",
    "KEY_HEADER",
    "Request",
    "comtrade_code",
    "fetch",
    "periods",
    "requests",
    "write_csv",
]

DEFAULT_BASE = "https://comtradeapi.un.org"
KEY_HEADER = "Ocp-Apim-Subscription-Key"
#: The most records one call returns: the data API (with a key) and the preview (without).
LIMITS = {True: 250_000, False: 500}
MAX_PERIODS = 12
#: The fields econsec reads from each record, and the columns of the CSV it writes.
REQUIRED = ("reporterCode", "partnerCode", "flowCode", "cmdCode", "period", "primaryValue")
COLUMNS = (*REQUIRED, "netWgt", "classificationCode", "motCode", "customsCode", "partner2Code")
#: Comtrade's reporter codes where they differ from ISO 3166 numeric (the code of a country with
#: its dependencies): the USA, France, India, Switzerland, Norway; Taiwan as "Other Asia, nes".
REPORTER_CODES = {"USA": 842, "FRA": 251, "IND": 699, "CHE": 757, "NOR": 579, "TWN": 490}


def comtrade_code(code: str) -> str:
    """The Comtrade reporter or partner code of a country (ISO code or name).

    Examples
    --------
    >>> comtrade_code("JPN"), comtrade_code("USA"), comtrade_code("Korea")
    ('392', '842', '410')
    """
    alpha3 = to_alpha3(code)
    return str(REPORTER_CODES.get(alpha3) or country(alpha3).numeric)


def periods(years: Sequence[int], frequency: str) -> tuple[str, ...]:
    """The API's periods of ``years``: ``YYYY`` (annual) or ``YYYYMM`` (monthly).

    >>> periods([2024], "A"), periods([2024], "M")[:2]
    (('2024',), ('202401', '202402'))
    """
    if frequency == "A":
        return tuple(str(y) for y in years)
    return tuple(f"{y}{m:02d}" for y in years for m in range(1, 13))


@dataclass(frozen=True, slots=True)
class Request:
    """One call: reporters and partners as Comtrade codes (no partners: all), periods, HS codes."""

    frequency: str
    reporters: tuple[str, ...]
    partners: tuple[str, ...] | None
    periods: tuple[str, ...]
    products: tuple[str, ...]

    def params(self) -> dict[str, str]:
        params = {"reporterCode": ",".join(self.reporters), "period": ",".join(self.periods),
                  "cmdCode": ",".join(self.products), "flowCode": "M,X", "motCode": "0",
                  "customsCode": "C00", "partner2Code": "0", "includeDesc": "false"}  # fmt: skip
        if self.partners is not None:
            params["partnerCode"] = ",".join(self.partners)
        return params

    def halves(self) -> tuple[Request, Request] | None:
        """The request split in two (products, then reporters, then periods); None when it asks
        for one of each."""
        if len(self.products) > 1:
            n = len(self.products) // 2
            return (replace(self, products=self.products[:n]),
                    replace(self, products=self.products[n:]))  # fmt: skip
        if len(self.reporters) > 1:
            n = len(self.reporters) // 2
            return (replace(self, reporters=self.reporters[:n]),
                    replace(self, reporters=self.reporters[n:]))  # fmt: skip
        if len(self.periods) > 1:
            n = len(self.periods) // 2
            return replace(self, periods=self.periods[:n]), replace(self, periods=self.periods[n:])
        return None


def requests(
    frequency: str, reporters: Sequence[str], partners: Sequence[str] | None,
    wanted: Sequence[str], products: Sequence[str],
) -> list[Request]:  # fmt: skip
    """The calls that ask for ``wanted`` periods, at most :data:`MAX_PERIODS` each.

    >>> calls = requests("M", ["JPN"], None, periods([2024], "M") + ("202501",), ["850511"])
    >>> [(r.periods[0], r.periods[-1], r.reporters) for r in calls]
    [('202401', '202412', ('392',)), ('202501', '202501', ('392',))]
    """
    codes = tuple(comtrade_code(r) for r in reporters)
    partner_codes = None if partners is None else tuple(comtrade_code(p) for p in partners)
    return [Request(frequency, codes, partner_codes, tuple(wanted[i : i + MAX_PERIODS]),
                    tuple(products)) for i in range(0, len(wanted), MAX_PERIODS)]  # fmt: skip


def _reset_in(text: str) -> int | None:
    """Seconds until the quota resets, from Comtrade's "replenished in HH:MM:SS"."""
    found = re.search(r"replenished in (\d+):(\d\d):(\d\d)", text)
    if not found:
        return None
    h, m, s = map(int, found.groups())
    return h * 3600 + m * 60 + s


def _refusal(response: httpx.Response, key_env: str | None) -> Exception:
    status, text = response.status_code, response.text
    snippet = " ".join(text.split())[:200]
    if (status == 403 and "quota" in text.lower()) or status == 429:
        after = response.headers.get("Retry-After", "")
        wait = int(after) if after.isdigit() else _reset_in(text)
        return TooManyRequests(
            "UN Comtrade's call quota for this key is spent"
            + (f" (it resets in {wait // 3600} h {wait % 3600 // 60} min)" if wait else ""),
            wait or 3600,
        )
    if status in (401, 403):
        where = f"in ${key_env}" if key_env else "(none given: the preview API was used)"
        return SourceUnavailable(f"UN Comtrade refused the subscription key {where} ({status}: "
                                 f"{snippet}); check the key; nothing was imported")  # fmt: skip
    return SourceUnavailable(f"UN Comtrade answered {status} ({snippet}); nothing was imported")


def _elements(body: Any, url: str) -> list[dict[str, Any]]:
    """The records of an answer, checked: a changed format is named, not misread."""
    if not isinstance(body, dict) or not isinstance(body.get("elements"), list):
        keys = ", ".join(sorted(body)) if isinstance(body, dict) else type(body).__name__
        raise SourceUnavailable(f"{url}: the answer has no 'elements' list (it has: {keys}); the "
                                "API's format may have changed")  # fmt: skip
    if body.get("error"):
        raise SourceUnavailable(f"{url}: UN Comtrade reports an error: {body['error']}")
    records: list[dict[str, Any]] = body["elements"]
    for n, record in enumerate(records, 1):
        missing = [f for f in REQUIRED if not isinstance(record, dict) or f not in record]
        if missing:
            found = ", ".join(sorted(record)) if isinstance(record, dict) else str(record)[:80]
            raise SourceUnavailable(
                f"{url}: record {n} has no field {missing[0]!r} (it has: {found}); the API's "
                "format may have changed"
            )
        value = record["primaryValue"]
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise SourceUnavailable(f"{url}: record {n}: field 'primaryValue' is {value!r}, "
                                    "expected a number; the API's format may have changed")  # fmt: skip
    return records


def fetch(
    remote: Remote, calls: Sequence[Request], *, base: str = DEFAULT_BASE, key: str | None = None,
    key_env: str | None = None, progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Every record of ``calls``, splitting a call whose answer fills the API's limit.

    Parameters
    ----------
    remote : Remote
        The client and retry settings.
    calls : sequence of Request
        From :func:`requests`.
    base : str
        The API's address.
    key : str, optional
        The subscription key (the data API); without it, the preview API.
    key_env : str, optional
        The environment variable the key came from (named in messages; the key never is).
    progress : callable, optional
        Called with (calls done, calls known) after each call.

    Returns
    -------
    list of dict
        The API's records.
    """
    path = "data/v1/get" if key else "public/v1/preview"
    headers = {KEY_HEADER: key} if key else {}
    limit = LIMITS[bool(key)]
    pending, done, out = list(calls), 0, []
    while pending:
        call = pending.pop(0)
        url = f"{base.rstrip('/')}/{path}/C/{call.frequency}/HS"
        response = get(remote, url, params=call.params(), headers=headers)
        if response.status_code != 200:
            raise _refusal(response, key_env)
        try:
            body = response.json()
        except ValueError:
            raise SourceUnavailable(f"{url}: the answer is not JSON ({response.text[:80]!r}); "
                                    "the API's format may have changed") from None  # fmt: skip
        records = _elements(body, url)
        if len(records) >= limit:
            halves = call.halves()
            if halves is None:
                raise InputError(f"one call for reporter {call.reporters[0]}, period "
                                 f"{call.periods[0]} and product {call.products[0]} returns "
                                 f"{len(records)} records, the API's limit",
                                 expected=N_("a subscription key (--key-env) for the data API"))  # fmt: skip
            pending[:0] = halves
        else:
            out.extend(records)
            done += 1
        if progress:
            progress(done, done + len(pending))
    return out


def write_csv(records: Sequence[dict[str, Any]], path: Path) -> None:
    """The records as the Comtrade loader's CSV (written whole, then moved into place)."""
    partial = path.with_name(path.name + ".part")
    with partial.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for r in _ordered(records):
            writer.writerow(["" if r.get(c) is None else r.get(c) for c in COLUMNS])
    partial.replace(path)


def _ordered(records: Sequence[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The records in a stable order (the same answer gives the same file, byte for byte)."""
    key = ("period", "reporterCode", "partnerCode", "flowCode", "cmdCode")
    yield from sorted(records, key=lambda r: tuple(str(r.get(k, "")) for k in key))
