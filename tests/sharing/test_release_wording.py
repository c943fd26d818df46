"""Alerts are worded in the reader's language from the numbers a release keeps, never from
stored sentences: the same release reads in English and Japanese, a release stored before the
numbers were kept still reads, and a differentially private release words only noised numbers."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from econsec.access.policy import Classification
from econsec.sharing.findings import Finding
from econsec.sharing.outflow import OutflowCell
from econsec.sharing.releases import (
    Privacy,
    finding_release,
    outflow_release,
    release_from_json,
    wording,
)

NOW = "2026-12-01T00:00:00Z"


def _finding(kind: str = "shared_country", n: int = 5) -> Finding:
    shares = {f"firm{i}": 0.1 * (i + 1) for i in range(n)}
    return Finding("f1", kind, "CHN" if kind == "shared_country" else "Acme (CHN)", "850511",
                   "CHN", shares, ("C27", "C29"), Classification.RESTRICTED,
                   "critical_minerals")  # fmt: skip


def test_one_release_reads_in_both_languages() -> None:
    r = finding_release(_finding(), "all_firms", NOW, country_share=0.42)
    title, text = wording(r, "en")
    assert (title, text) == (r.title, r.text)
    assert text == ("5 participating firms in 2 sector(s) report CHN for HS 850511 (Magnets; "
                    "permanent magnets and articles…), at a mean input share of 30%. It "
                    "supplies 42% of these firms' reported sourcing. Review your exposure and "
                    "alternatives.")  # fmt: skip
    assert wording(r, "ja") == (
        "多くの企業がこの品目を同じ国から調達しています",
        "2業種の参加企業5社が、HS 850511（永久磁石）の調達先として CHN を報告しています（平均調達"
        "比率 30%）。この国はこれらの企業が報告した調達の42%を占めます。自社の依存状況と代替策を"
        "ご確認ください。",
    )
    outflow = outflow_release(OutflowCell("quantum", "joint_research", 6, 5, 3.5, 5, True, "ok",
                                          dict.fromkeys("abcde", 3)), "all_firms", NOW)  # fmt: skip
    assert wording(outflow, "ja")[1].startswith(
        "参加企業5社が、量子（quantum）分野で共同研究の懸念"
    )


def test_a_release_stored_with_sentences_reads_from_its_numbers() -> None:
    stored = dataclasses.asdict(finding_release(_finding("shared_supplier"), "all_firms", NOW))
    del stored["n_sectors"], stored["country_share"]  # as releases were stored before
    stored |= {"title_ja": "古い見出し", "text_ja": "古い本文"}
    r = release_from_json(stored)
    assert wording(r, "ja")[1].startswith("参加企業5社が、HS 850511（永久磁石）の調達先として")


@given(n=st.integers(1, 10_000), share=st.floats(0, 1), lang=st.sampled_from(["en", "ja"]))
def test_a_private_release_words_only_the_noised_numbers(n: int, share: float, lang: str) -> None:
    r = finding_release(_finding(n=3), "all_firms", NOW, n_firms=n, share=share,
                        privacy=Privacy(1.0, "Laplace (OpenDP)"), country_share=0.9)  # fmt: skip
    text = wording(r, lang)[1]
    assert str(n) in text and f"{round(share, 3):.0%}" in text
    assert not any(w in text for w in ("supplies", "この国", "sector", "業種"))
    assert r.n_sectors is None and r.country_share is None
