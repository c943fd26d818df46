"""CSV that opens where users work: Excel (Japanese Windows included) and back into econsec.

Every CSV export is UTF-8 with a byte-order mark (without it, Japanese Excel reads UTF-8 as
Shift_JIS and shows 「繝ｬ繧｢…」 for 「レアアース…」) and CRLF line ends. A text cell that a
spreadsheet would run as a formula — beginning with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return (OWASP's CSV injection rule) — is written with a leading apostrophe, which
spreadsheets show as text. So that importing an export gives back the original text, a cell that
already began with apostrophes before such a character gets one more, and :func:`restore` takes
exactly one away. Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

__all__ = ["BOM", "MEDIA_TYPE", "attachment", "csv_bytes", "neutralise", "restore"]

BOM = "\ufeff"
MEDIA_TYPE = "text/csv; charset=utf-8"
_RISKY = re.compile(r"^'*[=+\-@\t\r]")
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r]")


def neutralise(value: object) -> object:
    """A cell as written: text a spreadsheet would run gets a leading apostrophe.

    Examples
    --------
    >>> neutralise("=HYPERLINK(1)"), neutralise("\\r=CR"), neutralise(-5), neutralise("'=x")
    ("'=HYPERLINK(1)", "'\\r=CR", -5, "''=x")
    """
    if isinstance(value, str) and _RISKY.match(value):
        return "'" + value
    return value


def restore(text: str) -> str:
    """A cell as it was before :func:`neutralise`.

    Examples
    --------
    >>> restore("'=HYPERLINK(1)"), restore("''=x"), restore("'quoted"), restore("plain")
    ('=HYPERLINK(1)', "'=x", "'quoted", 'plain')
    """
    return text[1:] if _NEUTRALISED.match(text) else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """The rows as spreadsheet-safe CSV bytes (BOM, CRLF, neutralised text cells; None empty).

    Parameters
    ----------
    header : sequence of str
        Column names.
    rows : iterable of sequences
        The cells.

    Returns
    -------
    bytes

    Examples
    --------
    >>> csv_bytes(["name", "value"], [["レアアース", 1.5], ["=1+1", None]])
    b"\\xef\\xbb\\xbfname,value\\r\\n\\xe3\\x83\\xac\\xe3\\x82\\xa2\\xe3\\x82\\xa2\\xe3\\x83\\xbc\\xe3\\x82\\xb9,1.5\\r\\n'=1+1,\\r\\n"
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return (BOM + out.getvalue()).encode("utf-8")


def attachment(filename: str) -> dict[str, str]:
    """The headers of a CSV download named ``filename`` (ASCII, with an RFC 5987 form for
    any other name).

    Examples
    --------
    >>> attachment("incidents.csv")["Content-Disposition"]
    'attachment; filename="incidents.csv"'
    """
    from urllib.parse import quote

    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", filename) or "export.csv"
    value = f'attachment; filename="{ascii_name}"'
    if ascii_name != filename:
        value += f"; filename*=UTF-8''{quote(filename)}"
    return {"Content-Disposition": value}
