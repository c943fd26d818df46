"""Validation of submitted records, identifiers with check digits, and entity resolution."""

from __future__ import annotations

import string
from dataclasses import fields

import pytest
from hypothesis import given
from hypothesis import strategies as st

from econsec.errors import RecordsRejected
from econsec.sharing.entities import Mention, normalise, resolve
from econsec.sharing.records import (
    KINDS,
    is_corporate_number,
    is_lei,
    json_schema,
    parse_csv,
    validate,
)

ALNUM = string.digits + string.ascii_uppercase


def _with_check_digits(base: str) -> str:
    """ISO 17442 / ISO 7064 MOD 97-10: the two digits making the whole number ≡ 1 (mod 97)."""
    number = int("".join(str(int(c, 36)) for c in base + "00"))
    return f"{base}{98 - number % 97:02d}"


@given(st.text(alphabet=ALNUM, min_size=18, max_size=18))
def test_lei_check_digits_round_trip(base: str) -> None:
    assert is_lei(_with_check_digits(base))


@given(
    st.text(alphabet=ALNUM, min_size=18, max_size=18),
    st.integers(0, 19),
    st.sampled_from(ALNUM),
)
def test_lei_catches_every_like_for_like_substitution(base: str, at: int, char: str) -> None:
    """A digit replaced by a digit, or a letter by a letter, changes the number by less than 97
    times a power of ten, so MOD 97 always notices. (A letter for a digit changes the length of
    the number and can slip through: Hypothesis found GQPUH9… → GQPUHN….)"""
    good = _with_check_digits(base)
    if good[at].isdigit() != char.isdigit():
        char = good[at]
    bad = good[:at] + char + good[at + 1 :]
    assert is_lei(bad) == (bad == good)


def test_published_identifiers() -> None:
    # LEIs of Toyota Motor Corporation and a GLEIF example; corporate numbers of Toyota and Sony.
    assert is_lei("5493006W3QUS5LMH6R84") and is_lei("5493001KJTIIGC8Y1R12")
    assert is_corporate_number("1180301018771") and is_corporate_number("5010401067252")
    assert not is_corporate_number("1180301018772")


def test_every_problem_is_reported_by_row_and_field() -> None:
    with pytest.raises(RecordsRejected) as err:
        validate(
            "suppliers",
            [
                {"supplier_name": "", "country": "XX", "product": "12", "tier": 0},
                "not an object",
            ],
        )
    found = {(p.row, p.field) for p in err.value.problems}
    assert {
        (1, "supplier_name"),
        (1, "country"),
        (1, "product"),
        (1, "tier"),
        (2, "record"),
    } <= found
    assert (1, "input_share") in found and (1, "single_source") in found


def test_csv_rows_with_wrong_field_counts() -> None:
    with pytest.raises(RecordsRejected, match="row 2, field 'row': 2 values for 3 columns"):
        parse_csv(b"a,b,c\n1,2,3\n1,2\n")
    assert parse_csv("\ufeffa,b\n1,2\n\n".encode()) == [{"a": "1", "b": "2"}]


def test_schema_lists_every_field() -> None:
    for name, kind in KINDS.items():
        schema = json_schema(name)
        assert list(schema["properties"]) == [f.name for f in kind.fields]
        assert set(schema["properties"]) == {f.name for f in fields(kind.record)}


def test_normalise_and_resolve() -> None:
    assert normalise("株式会社 信越化学工業") == normalise("信越化学工業株式会社")
    ms = [
        Mention(0, "Shin-Etsu Chemical Co., Ltd.", "JPN"),
        Mention(1, "SHINETSU CHEMICAL", "JPN", lei="5493006W3QUS5LMH6R84"),
        Mention(2, "Totally Different Name", "JPN", lei="5493006W3QUS5LMH6R84"),
        Mention(3, "Shin-Etsu Chemical", "JPN"),
        Mention(4, "Shin-Etsu Chemical", "USA"),
        Mention(5, "Sumitomo Chemical", "JPN"),
    ]
    groups = sorted(e.mentions for e in resolve(ms))
    assert groups == [(0, 1, 2, 3), (4,), (5,)]  # same country only; Sumitomo stays apart
    ids = {e.id for e in resolve(ms)}
    assert "lei:5493006W3QUS5LMH6R84" in ids


def test_lei_check_digits_are_digits() -> None:
    # Found by Hypothesis: a letter in a check-digit place can satisfy the modulus by accident.
    assert is_lei("000000000001201DHT02") and not is_lei("000000000001201DHT0B")
