"""CSV exports open in Excel (BOM, CRLF, no formulas run) and import back unchanged."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from econsec.sharing.records import parse_csv
from econsec.spreadsheet import csv_bytes

TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
               max_size=20)  # fmt: skip


@given(st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=10))
def test_an_export_imports_back_as_it_was(rows: list[tuple[str, str]]) -> None:
    rows = [r for r in rows if r[0].strip() or r[1].strip()]  # blank lines are skipped
    data = csv_bytes(["a", "b"], rows)
    assert data.startswith(b"\xef\xbb\xbf")
    assert parse_csv(data) == [{"a": a, "b": b} for a, b in rows]


@given(TEXT)
def test_no_cell_starts_a_formula(text: str) -> None:
    import csv
    import io

    body = csv_bytes(["x"], [[text]]).decode("utf-8-sig")
    (_, row) = list(csv.reader(io.StringIO(body, newline="")))
    assert row[0][:1] not in ("=", "+", "-", "@", "\t", "\r")


def test_excel_reads_japanese_and_line_ends() -> None:
    data = csv_bytes(["名前"], [["レアアース"], ["\r=CR"]])
    assert data.decode("utf-8-sig").split("\r\n")[:3] == ["名前", "レアアース", '"\'\r=CR"']
